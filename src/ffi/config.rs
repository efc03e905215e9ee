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
//!
//! Every setting of a session exists here too, but auth and query params:
//! the config is shared by every library of the process that uses libreqc,
//! and would send those to every host any of them talks to (an
//! `Authorization` header stays possible, deliberately).
//! `reqc_config_unset` hands one setting back to the built-in default.

// The global config (`reqc_config_*`): process-wide defaults.

use std::ffi::{c_char, c_int};
use std::sync::{Mutex, PoisonError};

use super::boundary::{bytes_arg, guard, guard_or, opt_str_arg, outcome, str_arg, ErrorSlot};
use super::code::reqc_code;
use super::options::{self, reqc_http_version, reqc_option, reqc_tls_version, Target};
use crate::core::config::edit_global;
use crate::core::error::Result;
use crate::core::layers::Layer;
use crate::core::options::{Setting, Settings};

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
    edit(|l| options::set_user_agent(l, unsafe { str_arg(agent, "user agent") }?))
}

/// The default proxy, as `reqc_session_set_proxy`. `proxy` may be NULL: the
/// environment's when trusted, see `reqc_session_set_trust_env`; "": none.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_URL`, `REQC_E_UNSUPPORTED_PROTOCOL` or
/// `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_proxy(proxy: *const c_char) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    edit(|l| options::set_proxy(l, unsafe { opt_str_arg(proxy, "proxy") }?))
}

/// Whether sends take settings from the process environment (1, the
/// built-in default, or 0), as `reqc_session_set_trust_env`, for every
/// session and `reqc_send` that does not set it.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_trust_env(trust: c_int) -> reqc_code {
    edit(|l| options::set_trust_env(l, trust))
}

/// The default total timeout per send in ms (0: none; built-in: 300 s).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub extern "C" fn reqc_config_set_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_timeout(l, ms))
}

/// The default read (idle) timeout in ms, as
/// `reqc_request_set_read_timeout_ms` (0: none; built-in: none).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub extern "C" fn reqc_config_set_read_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_read_timeout(l, ms))
}

/// The default connect timeout in ms (> 0; built-in: 10 s).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_connect_timeout_ms(ms: i64) -> reqc_code {
    edit(|l| options::set_connect_timeout(l, ms))
}

/// The default redirect policy, as `reqc_request_set_redirects`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_redirects(allow: c_int, max: c_int) -> reqc_code {
    edit(|l| options::set_redirects(l, allow, max))
}

/// The default body size cap, as `reqc_request_set_max_response_bytes`.
///
/// Returns `REQC_OK`.
#[no_mangle]
pub extern "C" fn reqc_config_set_max_response_bytes(max: u64) -> reqc_code {
    edit(|l| options::set_max_response_bytes(l, max))
}

/// TLS verification for every send (1, the default, or 0).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_verify_tls(verify: c_int) -> reqc_code {
    edit(|l| options::set_verify_tls(l, verify))
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
        l.headers_mut().set(
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
        for setting in Setting::ALL {
            l.unset(setting);
        }
        Ok(())
    })
}

/// Adds a header sent with every request, keeping others of that name, as
/// `reqc_session_add_header` (under session and request headers of that
/// name).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_add_header(
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| unsafe {
        l.headers_mut().add(
            str_arg(name, "header name")?,
            str_arg(value, "header value")?,
        )
    })
}

/// The default HTTP version, as `reqc_request_set_http_version`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a
/// `REQC_HTTP_VERSION_*` value libreqc can ask for).
#[no_mangle]
pub extern "C" fn reqc_config_set_http_version(version: reqc_http_version) -> reqc_code {
    edit(|l| options::set_http_version(l, version))
}

/// The default speed floor, as `reqc_request_set_speed_floor` (built-in:
/// 10 bytes a second over 60 s).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_speed_floor(bytes_per_second: i64, window_ms: i64) -> reqc_code {
    edit(|l| options::set_speed_floor(l, bytes_per_second, window_ms))
}

/// Marks header `name` secret for every send, as
/// `reqc_request_mark_secret_header`. Marks of all layers add up:
/// `reqc_config_unset(REQC_OPTION_SECRET_HEADERS)` drops the config's.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a token).
#[no_mangle]
pub unsafe extern "C" fn reqc_config_mark_secret_header(name: *const c_char) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| {
        l.options_mut()
            .mark_secret(unsafe { str_arg(name, "header name") }?)
    })
}

/// Trusts the CA certificates in the PEM file at `path` for every send, as
/// `reqc_session_set_ca_file` (under a session's or request's CA).
///
/// Returns `REQC_OK`, `REQC_E_IO` (cannot be read) or
/// `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_ca_file(path: *const c_char) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| {
        l.options_mut()
            .set_ca_file(unsafe { str_arg(path, "path") }?)
    })
}

/// Trusts the CA certificates in the directory `path` for every send, as
/// `reqc_session_set_ca_dir`.
///
/// Returns `REQC_OK`, `REQC_E_IO` (cannot be read) or
/// `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_ca_dir(path: *const c_char) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| {
        l.options_mut()
            .set_ca_dir(unsafe { str_arg(path, "path") }?)
    })
}

/// Trusts the CA certificates in a copy of `len` bytes of PEM at `pem` for
/// every send, as `reqc_session_set_ca_pem`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (empty).
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_ca_pem(pem: *const u8, len: usize) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| {
        l.options_mut()
            .set_ca_pem(unsafe { bytes_arg(pem, len, "pem") }?)
    })
}

/// Presents the client certificate and key in the PEM files `cert` and
/// `key` on every send, as `reqc_session_set_client_cert`.
///
/// Returns `REQC_OK`, `REQC_E_IO` (either cannot be read) or
/// `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_client_cert(
    cert: *const c_char,
    key: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    edit(|l| unsafe {
        l.options_mut()
            .set_client_cert(str_arg(cert, "cert")?, str_arg(key, "key")?)
    })
}

/// The lowest TLS version accepted by every send, as
/// `reqc_session_set_min_tls_version`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn reqc_config_set_min_tls_version(version: reqc_tls_version) -> reqc_code {
    edit(|l| options::set_min_tls(l, version))
}

/// Unsets `option` on the config: the built-in default applies again to
/// every session and request that does not set it. Not an explicit value:
/// `reqc_config_set_header("Authorization", NULL)` removes a header, this
/// forgets what the config set. `REQC_OPTION_AUTH` and
/// `REQC_OPTION_PARAMS` do not exist on the config. `reqc_config_reset`
/// unsets every option at once.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a `REQC_OPTION_*`
/// value, or one the config does not have; `reqc_config_error` names it).
#[no_mangle]
pub extern "C" fn reqc_config_unset(option: reqc_option) -> reqc_code {
    // SAFETY: the config target holds no pointer.
    unsafe { options::unset(Target::Config, option) }
}
