//! Values that settings at several layers (request, session, global config)
//! take: the HTTP version to speak, the lowest TLS version to accept, and
//! `reqc_option`, which names a setting for `reqc_request_unset`,
//! `reqc_session_unset` and `reqc_config_unset`.
//!
//! Unsetting hands a setting back to the layer below: the request's to the
//! session's, the session's to the config's, the config's to the built-in
//! default. It is not an explicit value: `reqc_request_set_auth_none` or a
//! NULL header value override the layers below, unsetting forgets them.
//! Every setting exists on every layer but three: `REQC_OPTION_LOG` is not a
//! request setting (a request logs through its session's or the config's
//! sink), and `REQC_OPTION_AUTH` and `REQC_OPTION_PARAMS` are not config
//! settings (the config is shared by every library of the process and would
//! send them to every host); unsetting those there gives
//! `REQC_E_INVALID_ARGUMENT` with a message naming the option.
//!
//! Thread rule: each unset follows its layer's rule (a request's and a
//! session's calls are safe from any thread, the config's too); sends that
//! already started keep the values they began with.

// The settings of a layer from C, for requests, sessions and the global
// config alike: the `reqc_option` family, the one edit helper every setter
// and `reqc_*_unset` goes through (`edit`), and the conversions of C
// arguments into the engine's values (the value rules themselves live in
// `core::options`).

use std::ffi::c_int;
use std::time::Duration;

use super::boundary::with_handle;
use super::code::reqc_code;
use super::request::reqc_request;
use super::session::reqc_session;
use crate::core::error::{Error, Result};
use crate::core::options::{
    Auth, HttpVersion, RedirectPolicy, Setting, Settings, Tier, TlsVersion,
};

/// Which HTTP version to speak: one of the `REQC_HTTP_VERSION_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_http_version = c_int;
/// Let libcurl choose: HTTP/2 over TLS when the server offers it, else HTTP/1.1.
pub const REQC_HTTP_VERSION_ANY: reqc_http_version = 0;
/// HTTP/1.0.
pub const REQC_HTTP_VERSION_1_0: reqc_http_version = 10;
/// HTTP/1.1.
pub const REQC_HTTP_VERSION_1_1: reqc_http_version = 11;
/// HTTP/2 over TLS, negotiated by ALPN; HTTP/1.1 for http:// URLs.
pub const REQC_HTTP_VERSION_2: reqc_http_version = 20;
/// HTTP/2 with prior knowledge, also for http:// URLs (h2c).
pub const REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE: reqc_http_version = 21;
/// HTTP/3: never requested by libreqc, only reported by
/// `reqc_response_http_version` should libcurl have used it.
pub const REQC_HTTP_VERSION_3: reqc_http_version = 30;

/// The lowest TLS version to accept: one of the `REQC_TLS_VERSION_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_tls_version = c_int;
/// Accept TLS 1.2 and later (libreqc's default is libcurl's: 1.2).
pub const REQC_TLS_VERSION_1_2: reqc_tls_version = 12;
/// Accept TLS 1.3 only.
pub const REQC_TLS_VERSION_1_3: reqc_tls_version = 13;

/// Names one setting of a layer, for `reqc_request_unset`,
/// `reqc_session_unset` and `reqc_config_unset`: one of the
/// `REQC_OPTION_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_option = c_int;
/// The total timeout (`reqc_*_set_timeout_ms`).
pub const REQC_OPTION_TIMEOUT: reqc_option = 1;
/// The read timeout (`reqc_*_set_read_timeout_ms`).
pub const REQC_OPTION_READ_TIMEOUT: reqc_option = 2;
/// The connect timeout (`reqc_*_set_connect_timeout_ms`).
pub const REQC_OPTION_CONNECT_TIMEOUT: reqc_option = 3;
/// The redirect policy (`reqc_*_set_redirects`).
pub const REQC_OPTION_REDIRECTS: reqc_option = 4;
/// The HTTP version (`reqc_*_set_http_version`).
pub const REQC_OPTION_HTTP_VERSION: reqc_option = 5;
/// The speed floor (`reqc_*_set_speed_floor`).
pub const REQC_OPTION_SPEED_FLOOR: reqc_option = 6;
/// The body size cap (`reqc_*_set_max_response_bytes`).
pub const REQC_OPTION_MAX_RESPONSE_BYTES: reqc_option = 7;
/// TLS verification (`reqc_*_set_verify_tls`).
pub const REQC_OPTION_VERIFY_TLS: reqc_option = 8;
/// The trusted CA certificates, file, directory and PEM together
/// (`reqc_*_set_ca_file`, `_set_ca_dir`, `_set_ca_pem`).
pub const REQC_OPTION_CA: reqc_option = 9;
/// The client certificate (`reqc_*_set_client_cert`).
pub const REQC_OPTION_CLIENT_CERT: reqc_option = 10;
/// The lowest TLS version (`reqc_*_set_min_tls_version`).
pub const REQC_OPTION_MIN_TLS_VERSION: reqc_option = 11;
/// The proxy (`reqc_*_set_proxy`).
pub const REQC_OPTION_PROXY: reqc_option = 12;
/// Whether the environment is read (`reqc_*_set_trust_env`).
pub const REQC_OPTION_TRUST_ENV: reqc_option = 13;
/// The user agent (`reqc_*_set_user_agent`; not a `User-Agent` header,
/// which is one of `REQC_OPTION_HEADERS`).
pub const REQC_OPTION_USER_AGENT: reqc_option = 14;
/// The auth (`reqc_*_set_auth_*`; not an `Authorization` header). Requests
/// and sessions only.
pub const REQC_OPTION_AUTH: reqc_option = 15;
/// Every header of the layer: values set or added, and removals.
pub const REQC_OPTION_HEADERS: reqc_option = 16;
/// Every query param of the layer (`reqc_*_add_param`). Requests and
/// sessions only.
pub const REQC_OPTION_PARAMS: reqc_option = 17;
/// Every secret header mark of the layer (`reqc_*_mark_secret_header`).
pub const REQC_OPTION_SECRET_HEADERS: reqc_option = 18;
/// The log sink (`reqc_*_set_verbose_fd`, `reqc_*_set_log_callback`).
/// Sessions and the config only.
pub const REQC_OPTION_LOG: reqc_option = 19;
/// The most attempts of a send (`reqc_*_set_retries`).
pub const REQC_OPTION_RETRIES: reqc_option = 20;
/// The statuses that are retried (`reqc_*_set_retry_statuses`).
pub const REQC_OPTION_RETRY_STATUSES: reqc_option = 21;
/// The backoff between attempts (`reqc_*_set_retry_backoff_ms`).
pub const REQC_OPTION_RETRY_BACKOFF: reqc_option = 22;
/// Whether every method is retried (`reqc_*_set_retry_all_methods`).
pub const REQC_OPTION_RETRY_ALL_METHODS: reqc_option = 23;

/// Every option: its C value, its C name (for messages) and the setting.
const OPTIONS: [(reqc_option, &str, Setting); 23] = [
    (REQC_OPTION_TIMEOUT, "REQC_OPTION_TIMEOUT", Setting::Timeout),
    (
        REQC_OPTION_READ_TIMEOUT,
        "REQC_OPTION_READ_TIMEOUT",
        Setting::ReadTimeout,
    ),
    (
        REQC_OPTION_CONNECT_TIMEOUT,
        "REQC_OPTION_CONNECT_TIMEOUT",
        Setting::ConnectTimeout,
    ),
    (
        REQC_OPTION_REDIRECTS,
        "REQC_OPTION_REDIRECTS",
        Setting::Redirects,
    ),
    (
        REQC_OPTION_HTTP_VERSION,
        "REQC_OPTION_HTTP_VERSION",
        Setting::HttpVersion,
    ),
    (
        REQC_OPTION_SPEED_FLOOR,
        "REQC_OPTION_SPEED_FLOOR",
        Setting::SpeedFloor,
    ),
    (
        REQC_OPTION_MAX_RESPONSE_BYTES,
        "REQC_OPTION_MAX_RESPONSE_BYTES",
        Setting::MaxResponseBytes,
    ),
    (
        REQC_OPTION_VERIFY_TLS,
        "REQC_OPTION_VERIFY_TLS",
        Setting::VerifyTls,
    ),
    (REQC_OPTION_CA, "REQC_OPTION_CA", Setting::Ca),
    (
        REQC_OPTION_CLIENT_CERT,
        "REQC_OPTION_CLIENT_CERT",
        Setting::ClientCert,
    ),
    (
        REQC_OPTION_MIN_TLS_VERSION,
        "REQC_OPTION_MIN_TLS_VERSION",
        Setting::MinTlsVersion,
    ),
    (REQC_OPTION_PROXY, "REQC_OPTION_PROXY", Setting::Proxy),
    (
        REQC_OPTION_TRUST_ENV,
        "REQC_OPTION_TRUST_ENV",
        Setting::TrustEnv,
    ),
    (
        REQC_OPTION_USER_AGENT,
        "REQC_OPTION_USER_AGENT",
        Setting::UserAgent,
    ),
    (REQC_OPTION_AUTH, "REQC_OPTION_AUTH", Setting::Auth),
    (REQC_OPTION_HEADERS, "REQC_OPTION_HEADERS", Setting::Headers),
    (REQC_OPTION_PARAMS, "REQC_OPTION_PARAMS", Setting::Params),
    (
        REQC_OPTION_SECRET_HEADERS,
        "REQC_OPTION_SECRET_HEADERS",
        Setting::SecretHeaders,
    ),
    (REQC_OPTION_LOG, "REQC_OPTION_LOG", Setting::Log),
    (REQC_OPTION_RETRIES, "REQC_OPTION_RETRIES", Setting::Retries),
    (
        REQC_OPTION_RETRY_STATUSES,
        "REQC_OPTION_RETRY_STATUSES",
        Setting::RetryStatuses,
    ),
    (
        REQC_OPTION_RETRY_BACKOFF,
        "REQC_OPTION_RETRY_BACKOFF",
        Setting::RetryBackoff,
    ),
    (
        REQC_OPTION_RETRY_ALL_METHODS,
        "REQC_OPTION_RETRY_ALL_METHODS",
        Setting::RetryAllMethods,
    ),
];

/// The layer a C call edits.
#[derive(Clone, Copy)]
pub enum Target {
    Request(*const reqc_request),
    Session(*const reqc_session),
    Config,
}

impl Target {
    fn tier(self) -> Tier {
        match self {
            Target::Request(_) => Tier::Request,
            Target::Session(_) => Tier::Session,
            Target::Config => Tier::Config,
        }
    }
}

fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Request => "request",
        Tier::Session => "session",
        Tier::Config => "config",
    }
}

/// The one way a setter reaches its layer, on any of the three: checks the
/// handle, runs `f` on the layer's settings under the panic guard, leaves a
/// failure's message on the handle (the config has none to hold it) and
/// returns the code.
///
/// # Safety
/// A request or session pointer is NULL or a live handle of that type.
pub unsafe fn edit(target: Target, f: impl FnOnce(&mut dyn Settings) -> Result<()>) -> reqc_code {
    match target {
        // SAFETY: forwarded from this function's contract.
        Target::Request(request) => unsafe { with_handle(request, |r| r.edit(|q| f(q))) },
        // SAFETY: as above.
        Target::Session(session) => unsafe {
            with_handle(session, |h| h.session.edit_defaults(|l| f(l)))
        },
        // The config's own edit: it keeps the message for `reqc_config_error`.
        Target::Config => super::config::edit(|l| f(l)),
    }
}

/// `reqc_*_unset`: forgets `option` on the layer, or refuses an unknown
/// option or one the layer does not have, naming it.
///
/// # Safety
/// As for [`edit`].
pub unsafe fn unset(target: Target, option: reqc_option) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(target, |layer| {
            layer.unset(setting(option, target.tier())?);
            Ok(())
        })
    }
}

/// The setting `option` names, when it exists on `tier`.
fn setting(option: reqc_option, tier: Tier) -> Result<Setting> {
    let (_, name, setting) = OPTIONS
        .iter()
        .find(|(value, ..)| *value == option)
        .ok_or_else(|| Error::invalid(format!("{option} is not a reqc_option (REQC_OPTION_*)")))?;
    if !setting.exists_at(tier) {
        let at: Vec<&str> = [Tier::Request, Tier::Session, Tier::Config]
            .into_iter()
            .filter(|t| setting.exists_at(*t))
            .map(tier_name)
            .collect();
        return Err(Error::invalid(format!(
            "{name} is not a {} setting (it is one of: {})",
            tier_name(tier),
            at.join(", ")
        )));
    }
    Ok(*setting)
}

fn millis(ms: i64, what: &str) -> Result<Duration> {
    u64::try_from(ms)
        .map(Duration::from_millis)
        .map_err(|_| Error::invalid(format!("{what} {ms} ms is negative")))
}

fn flag(value: c_int, what: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid(format!("{what} is {other}, not 0 or 1"))),
    }
}

pub fn set_timeout(l: &mut dyn Settings, ms: i64) -> Result<()> {
    l.options_mut().set_timeout(millis(ms, "timeout")?);
    Ok(())
}

pub fn set_read_timeout(l: &mut dyn Settings, ms: i64) -> Result<()> {
    l.options_mut()
        .set_read_timeout(millis(ms, "read timeout")?);
    Ok(())
}

pub fn set_connect_timeout(l: &mut dyn Settings, ms: i64) -> Result<()> {
    l.options_mut()
        .set_connect_timeout(millis(ms, "connect timeout")?)
}

pub fn set_redirects(l: &mut dyn Settings, allow: c_int, max: c_int) -> Result<()> {
    let follow = flag(allow, "allow")?;
    let max = u32::try_from(max).map_err(|_| Error::invalid(format!("max {max} is negative")))?;
    l.options_mut().redirects = Some(RedirectPolicy { follow, max });
    Ok(())
}

pub fn set_http_version(l: &mut dyn Settings, version: reqc_http_version) -> Result<()> {
    l.options_mut().http_version = Some(match version {
        REQC_HTTP_VERSION_ANY => HttpVersion::Any,
        REQC_HTTP_VERSION_1_0 => HttpVersion::Http1_0,
        REQC_HTTP_VERSION_1_1 => HttpVersion::Http1_1,
        REQC_HTTP_VERSION_2 => HttpVersion::Http2,
        REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE => HttpVersion::Http2PriorKnowledge,
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a REQC_HTTP_VERSION_* value libreqc can ask for"
            )))
        }
    });
    Ok(())
}

pub fn set_max_response_bytes(l: &mut dyn Settings, max: u64) -> Result<()> {
    l.options_mut().max_response_bytes = Some(max);
    Ok(())
}

pub fn set_auth(l: &mut dyn Settings, auth: Result<Auth>) -> Result<()> {
    l.options_mut().auth = Some(auth?);
    Ok(())
}

pub fn set_user_agent(l: &mut dyn Settings, agent: &str) -> Result<()> {
    l.options_mut().set_user_agent(agent)
}

/// NULL: the layer below decides (the environment's proxy, when trusted),
/// as `REQC_OPTION_PROXY` unset; "": no proxy at all; else a proxy URL.
pub fn set_proxy(l: &mut dyn Settings, proxy: Option<&str>) -> Result<()> {
    match proxy {
        None => {
            l.unset(Setting::Proxy);
            Ok(())
        }
        Some(proxy) => l.options_mut().set_proxy(proxy),
    }
}

pub fn set_trust_env(l: &mut dyn Settings, trust: c_int) -> Result<()> {
    l.options_mut().trust_env = Some(flag(trust, "trust")?);
    Ok(())
}

/// The speed floor: `window_ms` is rounded up to whole seconds, the unit
/// libcurl measures it in (so 1 ms still means a 1 s window, never "off").
pub fn set_speed_floor(l: &mut dyn Settings, bytes_per_second: i64, window_ms: i64) -> Result<()> {
    let bytes_per_second = u32::try_from(bytes_per_second).map_err(|_| {
        Error::invalid(format!(
            "{bytes_per_second} bytes per second is out of range"
        ))
    })?;
    let window = u64::try_from(window_ms)
        .ok()
        .filter(|ms| *ms > 0 || bytes_per_second == 0)
        .ok_or_else(|| Error::invalid(format!("window {window_ms} ms is not positive")))?;
    l.options_mut()
        .set_speed_floor(bytes_per_second, Duration::from_millis(window))
}

pub fn set_verify_tls(l: &mut dyn Settings, verify: c_int) -> Result<()> {
    l.options_mut().tls.verify = Some(flag(verify, "verify")?);
    Ok(())
}

pub fn set_min_tls(l: &mut dyn Settings, version: reqc_tls_version) -> Result<()> {
    l.options_mut().tls.min_version = Some(match version {
        REQC_TLS_VERSION_1_2 => TlsVersion::V1_2,
        REQC_TLS_VERSION_1_3 => TlsVersion::V1_3,
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a REQC_TLS_VERSION_* value"
            )))
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_one_option() {
        for setting in Setting::ALL {
            let named = OPTIONS.iter().filter(|(_, _, s)| *s == setting).count();
            assert_eq!(named, 1, "{setting:?}");
        }
        let mut values: Vec<_> = OPTIONS.iter().map(|(v, ..)| *v).collect();
        values.dedup();
        assert_eq!(values.len(), OPTIONS.len());
    }

    #[test]
    fn messages_name_the_option_and_the_layer() {
        let e = setting(REQC_OPTION_LOG, Tier::Request).unwrap_err();
        assert!(e
            .message
            .contains("REQC_OPTION_LOG is not a request setting"));
        assert!(e.message.contains("session, config"));
        assert!(setting(0, Tier::Config)
            .unwrap_err()
            .message
            .contains("reqc_option"));
        assert_eq!(setting(REQC_OPTION_CA, Tier::Config).unwrap(), Setting::Ca);
    }
}
