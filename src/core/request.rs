//! A request as the caller builds it: method, URL, headers, params, body and
//! the options that any layer (request, session, global config) may set.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::body::{Body, DataSink};
use super::error::Result;
use super::hooks::HookList;
use super::log::Logger;
use super::validate;

/// How the request authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Explicitly none: overrides a session's auth for this request.
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

/// The settings every layer may set; `None` means "not set here", so the next
/// layer down decides (request > session > global config > built-in default).
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
    /// Header names (lowercase) never sent across origins nor logged.
    pub secret_headers: Vec<String>,
    /// Proxy URL (http, https, socks5, socks5h; credentials in it go to the
    /// proxy alone). `Some("")` means no proxy, also none from the
    /// environment; `None` leaves it to the environment when trusted.
    pub proxy: Option<String>,
    /// Whether the environment's proxies (`http_proxy`… minus `no_proxy`)
    /// and CA bundle apply where no layer sets one (Requests' `trust_env`;
    /// see `environment`). Default: true.
    pub trust_env: Option<bool>,
    pub tls: TlsOptions,
    /// The verbose log sink; the nearest layer's wins.
    pub log: Option<Logger>,
    /// Abort a transfer slower than `bytes_per_second` for `duration`.
    pub low_speed: Option<LowSpeed>,
    /// Retries (`core::retry`); each field layers on its own.
    pub retry: super::retry::RetryOptions,
}

/// A floor on transfer speed: below `bytes_per_second` for `duration`, the
/// transfer ends with `Code::Timeout`. Stops a server that trickles bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LowSpeed {
    pub bytes_per_second: u32,
    pub duration: Duration,
}

/// The minimum TLS version to accept.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TlsVersion {
    V1_2,
    V1_3,
}

/// TLS settings; `None` fields fall through to the layer below.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Verify the peer's certificate and name. Default: true.
    pub verify: Option<bool>,
    pub ca_file: Option<std::path::PathBuf>,
    pub ca_dir: Option<std::path::PathBuf>,
    /// CA certificates in PEM, from memory.
    pub ca_pem: Option<Arc<[u8]>>,
    /// Client certificate and key, PEM files.
    pub client_cert: Option<(std::path::PathBuf, std::path::PathBuf)>,
    pub min_version: Option<TlsVersion>,
}

impl TlsOptions {
    pub fn over(&self, lower: &TlsOptions) -> TlsOptions {
        TlsOptions {
            verify: self.verify.or(lower.verify),
            ca_file: self.ca_file.clone().or_else(|| lower.ca_file.clone()),
            ca_dir: self.ca_dir.clone().or_else(|| lower.ca_dir.clone()),
            ca_pem: self.ca_pem.clone().or_else(|| lower.ca_pem.clone()),
            client_cert: self
                .client_cert
                .clone()
                .or_else(|| lower.client_cert.clone()),
            min_version: self.min_version.or(lower.min_version),
        }
    }
}

impl Options {
    /// Each setting from `self` where set, else from `lower`.
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
            low_speed: self.low_speed.or(lower.low_speed),
            retry: self.retry.over(&lower.retry),
        }
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

/// Request headers in order. A `None` value removes the header: from the
/// layers below (a session default) and from libcurl's own defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderEdits(pub Vec<(String, Option<String>)>);

impl HeaderEdits {
    /// Replaces every header of that name; `None` removes it.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        validate::header_name(name)?;
        if let Some(v) = value {
            validate::header_value(name, v)?;
        }
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.0.push((name.to_string(), value.map(str::to_string)));
        Ok(())
    }

    /// Adds a header, keeping others of the same name.
    pub fn add(&mut self, name: &str, value: &str) -> Result<()> {
        validate::header(name, value)?;
        // An earlier removal of this name no longer holds.
        self.0
            .retain(|(n, v)| !(v.is_none() && n.eq_ignore_ascii_case(name)));
        self.0.push((name.to_string(), Some(value.to_string())));
        Ok(())
    }

    /// True when this layer says anything about the header `name`.
    pub fn mentions(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Drops every entry (values and removals) of the header `name`.
    pub fn remove_all(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Layers `self` over `lower`: every name `self` mentions replaces all of
    /// `lower`'s headers of that name, in the place of the first of them.
    pub fn over(&self, lower: &HeaderEdits) -> HeaderEdits {
        HeaderEdits(super::layers::over_by_name(&self.0, &lower.0, |a, b| {
            a.0.eq_ignore_ascii_case(&b.0)
        }))
    }
}

/// A request, as built by the caller. Cloning is cheap (bodies are shared).
#[derive(Clone)]
pub struct Request {
    pub method: String,
    pub url: Url,
    pub headers: HeaderEdits,
    pub params: Vec<(String, String)>,
    /// Cookies sent with this request only (never stored in a jar), before
    /// the jar's; one per name.
    pub cookies: Vec<(String, String)>,
    pub body: Body,
    /// Shared until changed: a batch keeps thousands of copies of requests
    /// that mostly leave their options alone.
    pub options: Arc<Options>,
    pub on_data: Option<Arc<dyn DataSink>>,
    pub hooks: HookList,
}

impl std::fmt::Debug for Request {
    // Method, URL and body kind: never header values (they may be secrets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &super::redact::url(&self.url))
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

/// The one empty `Options` that new requests share until they set one.
pub(super) fn no_options() -> Arc<Options> {
    static EMPTY: std::sync::LazyLock<Arc<Options>> = std::sync::LazyLock::new(Arc::default);
    EMPTY.clone()
}

impl Request {
    pub fn new(method: &str, url: &str) -> Result<Request> {
        validate::method(method)?;
        let url = validate::url(url)?;
        Ok(Request {
            method: method.to_ascii_uppercase(),
            url,
            headers: HeaderEdits::default(),
            params: Vec::new(),
            cookies: Vec::new(),
            body: Body::None,
            options: no_options(),
            on_data: None,
            hooks: HookList::default(),
        })
    }

    /// The options, to change (copied first if another copy shares them).
    pub fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }

    /// Methods are upper-cased, as Requests does: `patch` goes out as
    /// `PATCH` (many servers answer 400 or 405 to a lower-case method).
    pub fn set_method(&mut self, method: &str) -> Result<()> {
        validate::method(method)?;
        self.method = method.to_ascii_uppercase();
        Ok(())
    }

    /// Sets this request's own cookie `name` (`None` removes it), checked
    /// as the jar checks a cookie.
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        if let Some(value) = value {
            super::cookies::check_pair(name, value)?;
        }
        self.cookies.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.cookies.push((name.to_string(), value.to_string()));
        }
        Ok(())
    }

    pub fn set_url(&mut self, url: &str) -> Result<()> {
        self.url = validate::url(url)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layers() {
        let mut session = HeaderEdits::default();
        session.set("X-Test", Some("true")).unwrap();
        session.set("Accept", Some("text/plain")).unwrap();
        let mut req = HeaderEdits::default();
        req.set("x-test", None).unwrap();
        req.add("X-Two", "1").unwrap();
        req.add("X-Two", "2").unwrap();
        let merged = req.over(&session);
        assert_eq!(
            merged.0,
            vec![
                ("x-test".to_string(), None),
                ("Accept".to_string(), Some("text/plain".to_string())),
                ("X-Two".to_string(), Some("1".to_string())),
                ("X-Two".to_string(), Some("2".to_string())),
            ]
        );
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
    fn rejects_bad_input() {
        assert!(Request::new("GET", "http://h/").is_ok());
        assert!(Request::new("G T", "http://h/").is_err());
        let mut h = HeaderEdits::default();
        assert!(h.set("X", Some("a\nb")).is_err());
        assert!(h.add("X:", "a").is_err());
    }
}
