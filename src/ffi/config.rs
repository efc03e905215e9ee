//! The global config: process-wide defaults under every session and
//! `reqc_send` (Requests has none; libcurl's nearest is its environment),
//! read at each send. `reqc_config_reset` puts every one back.
//!
//! Thread rule: thread-safe to set at any time, from any thread; sends that
//! already started keep the values they began with.

// The global config (`reqc_config_*`): process-wide defaults.

use std::ffi::{c_char, c_int};

use super::boundary::{guarded, opt_str_arg, str_arg};
use super::code::reqc_code;
use super::options;
use crate::core::config::edit_global;
use crate::core::error::Result;
use crate::core::send::Layer;

fn edit(f: impl FnOnce(&mut Layer) -> Result<()>) -> reqc_code {
    guarded(|| edit_global(f))
}

/// The config's `User-Agent`, under a session's or request's user agent or
/// User-Agent header (precedence: see `reqc_session`; built-in:
/// "libreqc/<version>").
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_user_agent(agent: *const c_char) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    edit(|l| options::set_user_agent(&mut l.options, unsafe { str_arg(agent, "user agent") }?))
}

/// The default proxy, as `reqc_session_set_proxy`. `proxy` may be NULL: the
/// environment's when trusted, see `reqc_session_set_trust_env`; "": none.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_URL`, `REQC_E_UNSUPPORTED_PROTOCOL` or
/// `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_proxy(proxy: *const c_char) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    edit(|l| options::set_proxy(&mut l.options, unsafe { opt_str_arg(proxy, "proxy") }?))
}

/// Whether sends take settings from the process environment (1, the
/// built-in default, or 0), as `reqc_session_set_trust_env`, for every
/// session and `reqc_send` that does not set it.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_trust_env(trust: c_int) -> reqc_code {
    edit(|l| options::set_trust_env(&mut l.options, trust))
}

/// The default total timeout per send in ms (0: none; built-in: 300 s).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub extern "C" fn reqc_config_set_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_timeout(&mut l.options, ms))
}

/// The default read (idle) timeout in ms, as
/// `reqc_request_set_read_timeout_ms` (0: none; built-in: none).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub extern "C" fn reqc_config_set_read_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_read_timeout(&mut l.options, ms))
}

/// The default connect timeout in ms (> 0; built-in: 10 s).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_connect_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_connect_timeout(&mut l.options, ms))
}

/// The default redirect policy, as `reqc_request_set_redirects`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_redirects(allow: c_int, max: c_int) -> reqc_code {
    edit(|l| options::set_redirects(&mut l.options, allow, max))
}

/// The default body size cap, as `reqc_request_set_max_response_bytes`.
///
/// Returns `REQC_OK`.
#[no_mangle]
pub extern "C" fn reqc_config_set_max_response_bytes(max: u64) -> reqc_code {
    edit(|l| {
        l.options.max_response_bytes = Some(max);
        Ok(())
    })
}

/// TLS verification for every send (1, the default, or 0).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_verify_tls(verify: c_int) -> reqc_code {
    edit(|l| options::set_verify_tls(&mut l.options, verify))
}

/// A header sent with every request, under session and request headers and
/// header-making settings of the same name (see `reqc_session`). `value`
/// may be NULL: that removes it: the built-in default of that name (e.g. the
/// User-Agent) is not sent, but a session or request may still set it.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_header(
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    edit(|l| unsafe {
        l.headers.set(
            str_arg(name, "header name")?,
            opt_str_arg(value, "header value")?,
        )
    })
}

/// Puts every global setting back to the built-in default.
///
/// Returns `REQC_OK`.
#[no_mangle]
pub extern "C" fn reqc_config_reset() -> reqc_code {
    edit(|l| {
        *l = Layer::default();
        Ok(())
    })
}
