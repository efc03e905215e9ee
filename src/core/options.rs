//! The settings a layer holds (request, session, global config, built-in
//! defaults: one type for all four), the rules their values follow, and the
//! names that unset them. How layers combine is `layers`' job.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::error::{Error, Result};
use super::log::Logger;
use super::request::HeaderEdits;
use super::retry::RetryOptions;
use super::validate;

/// How the request authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Explicitly none: overrides the auth of the layers below.
    None,
    Basic {
        user: String,
        password: String,
    },
    Digest {
        user: String,
        password: String,
    },
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    // Never print secrets, not even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Auth::Digest { user, .. } => write!(f, "Digest({user}, ***)"),
            Auth::Bearer(_) => write!(f, "Bearer(***)"),
        }
    }
}

impl Auth {
    /// Basic auth; a ':' in the user name would end it early on the wire.
    pub fn basic(user: &str, password: &str) -> Result<Auth> {
        let (user, password) = credentials(user, password)?;
        Ok(Auth::Basic { user, password })
    }

    pub fn digest(user: &str, password: &str) -> Result<Auth> {
        let (user, password) = credentials(user, password)?;
        Ok(Auth::Digest { user, password })
    }

    /// A bearer token becomes a header value: no CR, LF or NUL.
    pub fn bearer(token: &str) -> Result<Auth> {
        validate::header_value("Authorization", token)?;
        Ok(Auth::Bearer(token.to_string()))
    }
}

fn credentials(user: &str, password: &str) -> Result<(String, String)> {
    validate::user_name(user)?;
    Ok((user.to_string(), password.to_string()))
}

/// Which HTTP version to ask for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HttpVersion {
    /// libcurl's choice: HTTP/2 over TLS when both sides can, else HTTP/1.1.
    Any,
    Http1_0,
    Http1_1,
    /// HTTP/2 negotiated by ALPN over TLS; HTTP/1.1 for cleartext.
    Http2,
    /// HTTP/2 without negotiation, also over cleartext (h2c).
    Http2PriorKnowledge,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RedirectPolicy {
    pub follow: bool,
    pub max: u32,
}

/// A floor on transfer speed: below `bytes_per_second` for `window`, the
/// transfer ends with `Code::Timeout`. Stops a server that trickles bytes.
/// `bytes_per_second` 0 turns the floor off.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SpeedFloor {
    pub bytes_per_second: u32,
    pub window: Duration,
}

/// The minimum TLS version to accept.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TlsVersion {
    V1_2,
    V1_3,
}

/// The CA certificates to trust instead of the system's: one setting, so a
/// layer that sets any of them replaces all the CA sources of the layers
/// below (a request's PEM never mixes with a session's CA file). On one
/// layer the sources add up, as in libcurl (a PEM blob there replaces the
/// file, libcurl's rule).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaCerts {
    pub file: Option<PathBuf>,
    pub dir: Option<PathBuf>,
    /// In PEM, from memory.
    pub pem: Option<Arc<[u8]>>,
}

/// TLS settings; `None` fields fall through to the layer below.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Verify the peer's certificate and name. Default: true.
    pub verify: Option<bool>,
    pub ca: Option<CaCerts>,
    /// Client certificate and key, PEM files.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    pub min_version: Option<TlsVersion>,
}

impl TlsOptions {
    pub fn over(&self, lower: &TlsOptions) -> TlsOptions {
        TlsOptions {
            verify: self.verify.or(lower.verify),
            ca: self.ca.clone().or_else(|| lower.ca.clone()),
            client_cert: self
                .client_cert
                .clone()
                .or_else(|| lower.client_cert.clone()),
            min_version: self.min_version.or(lower.min_version),
        }
    }
}

/// The settings every layer may hold; `None` means "not set here", so the
/// next layer down decides (request > session > global config > built-in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub auth: Option<Auth>,
    pub connect_timeout: Option<Duration>,
    /// Total time for the whole send, redirects included. Zero: no limit.
    pub timeout: Option<Duration>,
    /// The longest wait for the next byte once connected (Requests' read
    /// timeout). Zero: no limit.
    pub read_timeout: Option<Duration>,
    pub redirects: Option<RedirectPolicy>,
    pub http_version: Option<HttpVersion>,
    /// Cap on each hop's decoded body, in bytes. Zero: no cap.
    pub max_response_bytes: Option<u64>,
    pub user_agent: Option<String>,
    /// Header names (lowercase) never sent across origins nor logged. The
    /// one setting whose layers add up rather than override.
    pub secret_headers: Vec<String>,
    /// Proxy URL (http, https, socks4(a), socks5(h); credentials in it go to
    /// the proxy alone). `Some("")` means no proxy, also none from the
    /// environment; `None` leaves it to the environment when trusted.
    pub proxy: Option<String>,
    /// Whether the environment's proxies (`http_proxy`… minus `no_proxy`)
    /// and CA bundle apply where no layer sets one (Requests' `trust_env`;
    /// see `environment`). Default: true.
    pub trust_env: Option<bool>,
    pub tls: TlsOptions,
    /// The verbose log sink; the nearest layer's wins.
    pub log: Option<Logger>,
    pub speed_floor: Option<SpeedFloor>,
    /// Retries (`core::retry`); each field layers on its own.
    pub retry: RetryOptions,
}

/// Names one setting of a layer, to unset it: the layer then holds nothing
/// of it and the layers below decide again. Headers and params name every
/// header (values and removals) and every param of the layer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    Timeout,
    ReadTimeout,
    ConnectTimeout,
    Redirects,
    HttpVersion,
    SpeedFloor,
    MaxResponseBytes,
    VerifyTls,
    Ca,
    ClientCert,
    MinTlsVersion,
    Proxy,
    TrustEnv,
    UserAgent,
    Auth,
    Headers,
    Params,
    SecretHeaders,
    Log,
    Retries,
    RetryStatuses,
    RetryBackoff,
    RetryAllMethods,
}

/// The three layers a caller sets (the built-in one is fixed).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tier {
    Request,
    Session,
    Config,
}

impl Setting {
    pub const ALL: [Setting; 23] = [
        Setting::Timeout,
        Setting::ReadTimeout,
        Setting::ConnectTimeout,
        Setting::Redirects,
        Setting::HttpVersion,
        Setting::SpeedFloor,
        Setting::MaxResponseBytes,
        Setting::VerifyTls,
        Setting::Ca,
        Setting::ClientCert,
        Setting::MinTlsVersion,
        Setting::Proxy,
        Setting::TrustEnv,
        Setting::UserAgent,
        Setting::Auth,
        Setting::Headers,
        Setting::Params,
        Setting::SecretHeaders,
        Setting::Log,
        Setting::Retries,
        Setting::RetryStatuses,
        Setting::RetryBackoff,
        Setting::RetryAllMethods,
    ];

    /// Whether a caller may set (and so unset) this setting on `tier`.
    /// Every setting exists on every layer but three: a log sink is a
    /// destination kept by a session or the process, not chosen per call
    /// (a request logs through its session's); and the global config, which
    /// every library in the process shares, holds no credentials and no
    /// query params, which it would send to every host any of them talks to
    /// (an `Authorization` header there stays possible, deliberately).
    pub fn exists_at(self, tier: Tier) -> bool {
        !matches!(
            (self, tier),
            (Setting::Log, Tier::Request)
                | (Setting::Auth, Tier::Config)
                | (Setting::Params, Tier::Config)
        )
    }
}

/// What a caller sets on one layer: a request's own settings, a session's
/// defaults or the global config. Every setter and `unset` works on any of
/// them through this one view.
pub trait Settings {
    fn headers_mut(&mut self) -> &mut HeaderEdits;
    fn params_mut(&mut self) -> &mut Vec<(String, String)>;
    fn options_mut(&mut self) -> &mut Options;

    /// Forgets `setting` on this layer: the layers below decide again.
    fn unset(&mut self, setting: Setting) {
        match setting {
            Setting::Headers => *self.headers_mut() = HeaderEdits::default(),
            Setting::Params => self.params_mut().clear(),
            other => self.options_mut().unset(other),
        }
    }
}

impl Options {
    /// Each setting from `self` where set, else from `lower`; secret header
    /// marks add up.
    pub fn over(&self, lower: &Options) -> Options {
        let mut secret_headers = lower.secret_headers.clone();
        for name in &self.secret_headers {
            if !secret_headers.contains(name) {
                secret_headers.push(name.clone());
            }
        }
        Options {
            auth: self.auth.clone().or_else(|| lower.auth.clone()),
            connect_timeout: self.connect_timeout.or(lower.connect_timeout),
            timeout: self.timeout.or(lower.timeout),
            read_timeout: self.read_timeout.or(lower.read_timeout),
            redirects: self.redirects.or(lower.redirects),
            http_version: self.http_version.or(lower.http_version),
            max_response_bytes: self.max_response_bytes.or(lower.max_response_bytes),
            user_agent: self.user_agent.clone().or_else(|| lower.user_agent.clone()),
            secret_headers,
            proxy: self.proxy.clone().or_else(|| lower.proxy.clone()),
            trust_env: self.trust_env.or(lower.trust_env),
            tls: self.tls.over(&lower.tls),
            log: self.log.clone().or_else(|| lower.log.clone()),
            speed_floor: self.speed_floor.or(lower.speed_floor),
            retry: self.retry.over(&lower.retry),
        }
    }

    /// Forgets `setting` on this layer. Headers and params are not held
    /// here: `Settings::unset` clears those and passes every other setting
    /// on to this one place.
    pub fn unset(&mut self, setting: Setting) {
        match setting {
            Setting::Timeout => self.timeout = None,
            Setting::ReadTimeout => self.read_timeout = None,
            Setting::ConnectTimeout => self.connect_timeout = None,
            Setting::Redirects => self.redirects = None,
            Setting::HttpVersion => self.http_version = None,
            Setting::SpeedFloor => self.speed_floor = None,
            Setting::MaxResponseBytes => self.max_response_bytes = None,
            Setting::VerifyTls => self.tls.verify = None,
            Setting::Ca => self.tls.ca = None,
            Setting::ClientCert => self.tls.client_cert = None,
            Setting::MinTlsVersion => self.tls.min_version = None,
            Setting::Proxy => self.proxy = None,
            Setting::TrustEnv => self.trust_env = None,
            Setting::UserAgent => self.user_agent = None,
            Setting::Auth => self.auth = None,
            Setting::SecretHeaders => self.secret_headers.clear(),
            Setting::Log => self.log = None,
            Setting::Retries => self.retry.max_attempts = None,
            Setting::RetryStatuses => self.retry.statuses = None,
            Setting::RetryBackoff => self.retry.backoff = None,
            Setting::RetryAllMethods => self.retry.all_methods = None,
            Setting::Headers | Setting::Params => {}
        }
    }

    /// Zero: no limit.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Zero: no limit.
    pub fn set_read_timeout(&mut self, timeout: Duration) {
        self.read_timeout = Some(timeout);
    }

    /// A connection attempt needs some time: zero is refused.
    pub fn set_connect_timeout(&mut self, timeout: Duration) -> Result<()> {
        if timeout.is_zero() {
            return Err(Error::invalid("connect timeout must be above 0 ms"));
        }
        self.connect_timeout = Some(timeout);
        Ok(())
    }

    /// libcurl measures the window in whole seconds: it is rounded up to
    /// one (a 1500 ms window is 2 s). A floor of 0 bytes a second is off.
    pub fn set_speed_floor(&mut self, bytes_per_second: u32, window: Duration) -> Result<()> {
        if bytes_per_second > 0 && window.is_zero() {
            return Err(Error::invalid(
                "the speed floor's window must be above 0 ms",
            ));
        }
        let seconds = window.as_millis().div_ceil(1000);
        let window = Duration::from_secs(u64::try_from(seconds).unwrap_or(u64::MAX));
        self.speed_floor = Some(SpeedFloor {
            bytes_per_second,
            window,
        });
        Ok(())
    }

    pub fn set_user_agent(&mut self, agent: &str) -> Result<()> {
        validate::header_value("User-Agent", agent)?;
        self.user_agent = Some(agent.to_string());
        Ok(())
    }

    /// "" means no proxy at all (not even the environment's); else a proxy
    /// URL of a scheme libcurl speaks to proxies.
    pub fn set_proxy(&mut self, proxy: &str) -> Result<()> {
        if !proxy.is_empty() {
            validate::proxy(proxy)?;
        }
        self.proxy = Some(proxy.to_string());
        Ok(())
    }

    pub fn set_ca_file(&mut self, path: &str) -> Result<()> {
        self.tls.ca.get_or_insert_default().file = Some(validate::existing_path(path, "CA file")?);
        Ok(())
    }

    pub fn set_ca_dir(&mut self, path: &str) -> Result<()> {
        self.tls.ca.get_or_insert_default().dir =
            Some(validate::existing_path(path, "CA directory")?);
        Ok(())
    }

    pub fn set_ca_pem(&mut self, pem: &[u8]) -> Result<()> {
        if pem.is_empty() {
            return Err(Error::invalid("CA PEM is empty"));
        }
        self.tls.ca.get_or_insert_default().pem = Some(pem.into());
        Ok(())
    }

    pub fn set_client_cert(&mut self, cert: &str, key: &str) -> Result<()> {
        self.tls.client_cert = Some((
            validate::existing_path(cert, "client certificate")?,
            validate::existing_path(key, "client key")?,
        ));
        Ok(())
    }

    pub fn mark_secret(&mut self, name: &str) -> Result<()> {
        validate::header_name(name)?;
        let lower = name.to_ascii_lowercase();
        if !self.secret_headers.contains(&lower) {
            self.secret_headers.push(lower);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::Code;
    use crate::core::retry::Backoff;

    /// Every setting set, each to a value unlike the built-in one.
    fn everything() -> Options {
        Options {
            auth: Some(Auth::Bearer("t".into())),
            connect_timeout: Some(Duration::from_secs(1)),
            timeout: Some(Duration::from_secs(2)),
            read_timeout: Some(Duration::from_secs(3)),
            redirects: Some(RedirectPolicy {
                follow: false,
                max: 1,
            }),
            http_version: Some(HttpVersion::Http1_0),
            max_response_bytes: Some(5),
            user_agent: Some("ua".into()),
            secret_headers: vec!["x-s".into()],
            proxy: Some(String::new()),
            trust_env: Some(false),
            tls: TlsOptions {
                verify: Some(false),
                ca: Some(CaCerts {
                    pem: Some(b"pem".as_slice().into()),
                    ..CaCerts::default()
                }),
                client_cert: Some(("c".into(), "k".into())),
                min_version: Some(TlsVersion::V1_3),
            },
            log: Some(Logger {
                level: super::super::log::Level::Wire,
                sink: Arc::new(Quiet),
                redact: true,
            }),
            speed_floor: Some(SpeedFloor {
                bytes_per_second: 1,
                window: Duration::from_secs(1),
            }),
            retry: RetryOptions {
                max_attempts: Some(3),
                statuses: Some(Arc::from(vec![503u16])),
                backoff: Some(Backoff {
                    base: Duration::from_millis(1),
                    cap: Duration::from_millis(2),
                }),
                all_methods: Some(true),
            },
        }
    }

    struct Quiet;
    impl super::super::log::LogSink for Quiet {
        fn line(&self, _: super::super::log::Level, _: &str) {}
    }

    #[test]
    fn options_layers() {
        let lower = Options {
            timeout: Some(Duration::from_secs(5)),
            auth: Some(Auth::Bearer("t".into())),
            secret_headers: vec!["x-a".into()],
            ..Options::default()
        };
        let upper = Options {
            auth: Some(Auth::None),
            secret_headers: vec!["x-b".into()],
            ..Options::default()
        };
        let merged = upper.over(&lower);
        assert_eq!(merged.timeout, Some(Duration::from_secs(5)));
        assert_eq!(merged.auth, Some(Auth::None));
        assert_eq!(merged.secret_headers, vec!["x-a", "x-b"]);
    }

    #[test]
    fn unsetting_every_setting_leaves_nothing() {
        let mut o = everything();
        for setting in Setting::ALL {
            o.unset(setting);
        }
        assert_eq!(o, Options::default());
    }

    /// The value of `setting` in `o`, printed (Debug hides secrets but
    /// tells values apart).
    fn view(o: &Options, setting: Setting) -> String {
        match setting {
            Setting::Timeout => format!("{:?}", o.timeout),
            Setting::ReadTimeout => format!("{:?}", o.read_timeout),
            Setting::ConnectTimeout => format!("{:?}", o.connect_timeout),
            Setting::Redirects => format!("{:?}", o.redirects),
            Setting::HttpVersion => format!("{:?}", o.http_version),
            Setting::SpeedFloor => format!("{:?}", o.speed_floor),
            Setting::MaxResponseBytes => format!("{:?}", o.max_response_bytes),
            Setting::VerifyTls => format!("{:?}", o.tls.verify),
            Setting::Ca => format!("{:?}", o.tls.ca),
            Setting::ClientCert => format!("{:?}", o.tls.client_cert),
            Setting::MinTlsVersion => format!("{:?}", o.tls.min_version),
            Setting::Proxy => format!("{:?}", o.proxy),
            Setting::TrustEnv => format!("{:?}", o.trust_env),
            Setting::UserAgent => format!("{:?}", o.user_agent),
            Setting::Auth => format!("{:?}", o.auth),
            Setting::SecretHeaders => format!("{:?}", o.secret_headers),
            Setting::Log => format!("{:?}", o.log.as_ref().map(|l| l.level)),
            Setting::Retries => format!("{:?}", o.retry.max_attempts),
            Setting::RetryStatuses => format!("{:?}", o.retry.statuses),
            Setting::RetryBackoff => format!("{:?}", o.retry.backoff),
            Setting::RetryAllMethods => format!("{:?}", o.retry.all_methods),
            Setting::Headers | Setting::Params => String::new(),
        }
    }

    /// Every setting set, each to another value than `everything`'s.
    fn everything_else() -> Options {
        let mut o = Options {
            auth: Some(Auth::None),
            connect_timeout: Some(Duration::from_secs(11)),
            timeout: Some(Duration::from_secs(12)),
            read_timeout: Some(Duration::from_secs(13)),
            redirects: Some(RedirectPolicy {
                follow: true,
                max: 7,
            }),
            http_version: Some(HttpVersion::Http2),
            max_response_bytes: Some(50),
            user_agent: Some("other".into()),
            secret_headers: vec!["x-t".into()],
            proxy: Some("http://p:1".into()),
            trust_env: Some(true),
            tls: TlsOptions {
                verify: Some(true),
                ca: Some(CaCerts {
                    file: Some("/f".into()),
                    ..CaCerts::default()
                }),
                client_cert: Some(("c2".into(), "k2".into())),
                min_version: Some(TlsVersion::V1_2),
            },
            ..everything()
        };
        o.log.as_mut().unwrap().level = super::super::log::Level::Requests;
        o.speed_floor = Some(SpeedFloor {
            bytes_per_second: 2,
            window: Duration::from_secs(2),
        });
        o.retry = RetryOptions {
            max_attempts: Some(5),
            statuses: Some(Arc::from(vec![429u16])),
            backoff: Some(Backoff {
                base: Duration::from_millis(7),
                cap: Duration::from_millis(8),
            }),
            all_methods: Some(false),
        };
        o
    }

    #[test]
    fn unset_hands_one_setting_back_to_the_layer_below() {
        let (lower, upper) = (everything(), everything_else());
        for setting in Setting::ALL {
            if matches!(setting, Setting::Headers | Setting::Params) {
                continue;
            }
            let mut unset = upper.clone();
            unset.unset(setting);
            let merged = unset.over(&lower);
            for other in Setting::ALL {
                let expected = if other == setting {
                    view(&lower, other)
                } else if other == Setting::SecretHeaders {
                    // Marks add up: the lower layer's first.
                    view(&upper.over(&lower), other)
                } else {
                    view(&upper, other)
                };
                assert_eq!(
                    view(&merged, other),
                    expected,
                    "{setting:?} unset, {other:?}"
                );
            }
        }
    }

    #[test]
    fn ca_is_one_setting_across_layers() {
        let mut lower = Options::default();
        lower.tls.ca = Some(CaCerts {
            file: Some("/lower.pem".into()),
            ..CaCerts::default()
        });
        let mut upper = Options::default();
        upper.set_ca_pem(b"-----BEGIN").unwrap();
        let merged = upper.over(&lower);
        let ca = merged.tls.ca.unwrap();
        assert_eq!(ca.file, None);
        assert!(ca.pem.is_some());
    }

    #[test]
    fn exists_everywhere_but_three() {
        let missing: Vec<_> = Setting::ALL
            .iter()
            .flat_map(|s| {
                [Tier::Request, Tier::Session, Tier::Config]
                    .into_iter()
                    .filter(|t| !s.exists_at(*t))
                    .map(move |t| (*s, t))
            })
            .collect();
        assert_eq!(
            missing,
            vec![
                (Setting::Auth, Tier::Config),
                (Setting::Params, Tier::Config),
                (Setting::Log, Tier::Request)
            ]
        );
    }

    #[test]
    fn value_rules() {
        let mut o = Options::default();
        assert!(o.set_connect_timeout(Duration::ZERO).is_err());
        assert_eq!(
            o.set_proxy("ftp://p").unwrap_err().code,
            Code::UnsupportedProtocol
        );
        assert_eq!(o.set_proxy("http://[x").unwrap_err().code, Code::InvalidUrl);
        o.set_proxy("").unwrap();
        assert_eq!(o.proxy.as_deref(), Some(""));
        assert_eq!(o.set_ca_file("/no/such/file").unwrap_err().code, Code::Io);
        assert!(Auth::basic("a:b", "p").is_err());
        assert!(Auth::bearer("a\nb").is_err());
        o.set_speed_floor(5, Duration::from_millis(1500)).unwrap();
        assert_eq!(o.speed_floor.unwrap().window, Duration::from_secs(2));
        assert!(o.set_speed_floor(5, Duration::ZERO).is_err());
        o.set_speed_floor(0, Duration::ZERO).unwrap();
    }
}
