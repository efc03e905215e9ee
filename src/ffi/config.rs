//! The global config: process-wide defaults under every session and
//! `reqc_send` (Requests has none; libcurl's nearest is its environment),
//! read at each send. `reqc_config_reset` puts every one back.
//!
//! Thread rule: thread-safe to set at any time, from any thread; sends that
//! already started keep the values they began with.
//!
//! There is no handle to hold a failure's message: the config keeps the
//! message of the last failed `reqc_config_*` call in the process, read with
//! `reqc_config_error` (one slot for the process, kept with the config and
//! set under the lock that orders config changes; not thread-local).

// The global config (`reqc_config_*`): process-wide defaults.

use std::ffi::{c_char, c_int};
use std::sync::{Mutex, PoisonError};

use super::boundary::{guard, guard_or, opt_str_arg, outcome, str_arg, ErrorSlot};
use super::code::reqc_code;
use super::options;
use crate::core::config::edit_global;
use crate::core::error::Result;
use crate::core::send::Layer;

/// The message of the last failed `reqc_config_*` call.
static ERRORS: ErrorSlot = ErrorSlot::new();
/// Orders config changes with their messages, so the slot holds the last
/// failure in the order the changes were made.
static CHANGES: Mutex<()> = Mutex::new(());

/// The one way a `reqc_config_*` call changes the config: a failure leaves
/// its message for `reqc_config_error`.
pub(crate) fn edit(f: impl FnOnce(&mut Layer) -> Result<()>) -> reqc_code {
    guard(|| {
        let _in_order = CHANGES.lock().unwrap_or_else(PoisonError::into_inner);
        outcome(edit_global(f), Some(&ERRORS))
    })
}

/// The message of the last failed `reqc_config_*` call in the process (any
/// thread), e.g. "REQC_E_INVALID_ARGUMENT: timeout -1 ms is negative"; ""
/// when none failed. There is no config handle to hold it, so the process
/// keeps one: read it from the thread whose call failed, before another
/// `reqc_config_*` call fails (config is usually set at start-up, from one
/// thread).
///
/// Returns the message, borrowed from the process until the next failed
/// `reqc_config_*` call (on any thread); "" when none failed. Thread-safe.
#[no_mangle]
pub extern "C" fn reqc_config_error() -> *const c_char {
    guard_or(c"".as_ptr(), || ERRORS.as_ptr())
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
