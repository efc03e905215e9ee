//! Values that settings at several layers (request, session, global config)
//! take: the HTTP version to speak and the lowest TLS version to accept.

// Conversions of C option arguments shared by requests, sessions and the
// global config: each checks its input and sets one field of `Options`.

use std::ffi::c_int;
use std::time::Duration;

use crate::core::error::{Error, Result};
use crate::core::options::{Auth, HttpVersion, Options, RedirectPolicy, TlsVersion};
use crate::core::validate;

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

fn millis(ms: i64, what: &str) -> Result<Duration> {
    u64::try_from(ms)
        .map(Duration::from_millis)
        .map_err(|_| Error::invalid(format!("{what} {ms} ms is negative")))
}

pub fn set_timeout(o: &mut Options, ms: i64) -> Result<()> {
    o.timeout = Some(millis(ms, "timeout")?);
    Ok(())
}

pub fn set_read_timeout(o: &mut Options, ms: i64) -> Result<()> {
    o.read_timeout = Some(millis(ms, "read timeout")?);
    Ok(())
}

pub fn set_connect_timeout(o: &mut Options, ms: i64) -> Result<()> {
    let t = millis(ms, "connect timeout")?;
    if t.is_zero() {
        return Err(Error::invalid("connect timeout must be above 0 ms"));
    }
    o.connect_timeout = Some(t);
    Ok(())
}

pub fn set_redirects(o: &mut Options, allow: c_int, max: c_int) -> Result<()> {
    if !(allow == 0 || allow == 1) {
        return Err(Error::invalid(format!("allow is {allow}, not 0 or 1")));
    }
    let max = u32::try_from(max).map_err(|_| Error::invalid(format!("max {max} is negative")))?;
    o.redirects = Some(RedirectPolicy {
        follow: allow == 1,
        max,
    });
    Ok(())
}

pub fn set_http_version(o: &mut Options, version: reqc_http_version) -> Result<()> {
    o.http_version = Some(match version {
        REQC_HTTP_VERSION_ANY => HttpVersion::Any,
        REQC_HTTP_VERSION_1_0 => HttpVersion::Http1_0,
        REQC_HTTP_VERSION_1_1 => HttpVersion::Http1_1,
        REQC_HTTP_VERSION_2 => HttpVersion::Http2,
        REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE => HttpVersion::Http2PriorKnowledge,
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a REQC_HTTP_* value"
            )))
        }
    });
    Ok(())
}

pub fn basic(user: &str, password: &str) -> Result<Auth> {
    validate::user_name(user)?;
    Ok(Auth::Basic {
        user: user.to_string(),
        password: password.to_string(),
    })
}

pub fn digest(user: &str, password: &str) -> Result<Auth> {
    validate::user_name(user)?;
    Ok(Auth::Digest {
        user: user.to_string(),
        password: password.to_string(),
    })
}

pub fn bearer(token: &str) -> Result<Auth> {
    validate::header_value("Authorization", token)?;
    Ok(Auth::Bearer(token.to_string()))
}

pub fn set_user_agent(o: &mut Options, agent: &str) -> Result<()> {
    validate::header_value("User-Agent", agent)?;
    o.user_agent = Some(agent.to_string());
    Ok(())
}

/// NULL: the layer below decides (the environment's proxy, when trusted);
/// "": no proxy at all; else a proxy URL.
pub fn set_proxy(o: &mut Options, proxy: Option<&str>) -> Result<()> {
    o.proxy = match proxy {
        None => None,
        Some("") => Some(String::new()),
        Some(url) => {
            validate::proxy(url)?;
            Some(url.to_string())
        }
    };
    Ok(())
}

pub fn set_trust_env(o: &mut Options, trust: c_int) -> Result<()> {
    if !(trust == 0 || trust == 1) {
        return Err(Error::invalid(format!("trust is {trust}, not 0 or 1")));
    }
    o.trust_env = Some(trust == 1);
    Ok(())
}

/// The speed floor: `window_ms` is rounded up to whole seconds, the unit
/// libcurl measures it in (so 1 ms still means a 1 s window, never "off").
pub fn set_speed_floor(o: &mut Options, bytes_per_second: i64, window_ms: i64) -> Result<()> {
    let bytes_per_second = u32::try_from(bytes_per_second).map_err(|_| {
        Error::invalid(format!(
            "{bytes_per_second} bytes per second is out of range"
        ))
    })?;
    let window = u64::try_from(window_ms)
        .ok()
        .filter(|ms| *ms > 0 || bytes_per_second == 0)
        .ok_or_else(|| Error::invalid(format!("window {window_ms} ms is not positive")))?;
    o.set_speed_floor(bytes_per_second, Duration::from_millis(window))
}

pub fn set_verify_tls(o: &mut Options, verify: c_int) -> Result<()> {
    if !(verify == 0 || verify == 1) {
        return Err(Error::invalid(format!("verify is {verify}, not 0 or 1")));
    }
    o.tls.verify = Some(verify == 1);
    Ok(())
}

pub fn set_ca_file(o: &mut Options, path: &str) -> Result<()> {
    o.set_ca_file(path)
}

pub fn set_ca_dir(o: &mut Options, path: &str) -> Result<()> {
    o.set_ca_dir(path)
}

pub fn set_ca_pem(o: &mut Options, pem: &[u8]) -> Result<()> {
    o.set_ca_pem(pem)
}

pub fn set_client_cert(o: &mut Options, cert: &str, key: &str) -> Result<()> {
    o.set_client_cert(cert, key)
}

pub fn set_min_tls(o: &mut Options, version: reqc_tls_version) -> Result<()> {
    o.tls.min_version = Some(match version {
        REQC_TLS_VERSION_1_2 => TlsVersion::V1_2,
        REQC_TLS_VERSION_1_3 => TlsVersion::V1_3,
        other => return Err(Error::invalid(format!("{other} is not a REQC_TLS_* value"))),
    });
    Ok(())
}
