//! Retries with backoff, a setting of every layer (request > session >
//! global config > built-in, each of the four settings below on its own).
//! Off by default: the built-in is one attempt.
//!
//! - **What is retried**: a connection that failed or was lost (refused,
//!   reset, closed before or during the response: `REQC_E_CONNECT`,
//!   `REQC_E_SEND`, `REQC_E_RECV`), and a response whose status is in the
//!   retry list (default 429, 502, 503, 504). Never a timeout, TLS, DNS or
//!   protocol error, a cancel, a hook's abort, nor a body over its cap.
//! - **Which methods**: only the idempotent ones (GET, HEAD, OPTIONS, PUT,
//!   DELETE, TRACE) unless `*_set_retry_all_methods` opts in for every
//!   method: a POST the server may have acted on is not sent twice unasked.
//! - **Which bodies**: bytes, JSON, forms and files are sent again from the
//!   start. A body from a read callback (`reqc_request_set_body_callback`)
//!   is never retried: it cannot be rewound (the first outcome stands). A
//!   response whose bytes already went to a data callback
//!   (`reqc_request_set_data_callback`) is not retried either.
//! - **How long between attempts**: the server's `Retry-After` when a
//!   retried status carries one (seconds or an HTTP-date), else
//!   exponential backoff with full jitter: before retry n a random wait in
//!   [0, min(cap, base × 2^(n−1))]. Either is cut to the cap. The total
//!   timeout bounds the whole send, waits included: a wait that would pass
//!   it ends the send with `REQC_E_TIMEOUT` at once (the last attempt's
//!   response, if it got one, stays readable: `reqc_request_last_response`).
//!   `reqc_request_cancel` ends a wait at once with `REQC_E_CANCELLED`. In a
//!   batch a waiting retry holds no transfer slot and delays no other item.
//! - **What the caller sees**: when the attempts run out, the last
//!   outcome: the response with a retried status (a response, not an
//!   error), or the failure's code. Each attempt runs the PRE_REQUEST,
//!   POST_REQUEST and RESPONSE hooks with its number
//!   (`reqc_hook_ctx_attempt`); a log line says `RETRY attempt N in … ms`
//!   and the next start line ends in `(attempt N)`; the response counts
//!   the attempts at its hop (`reqc_response_attempt_count`, with each
//!   attempt's status from `reqc_response_attempt_at`). Retried attempts are
//!   not history entries: history stays the redirect chain, one entry per
//!   URL, as in Requests.
//! - The attempts budget is per send: `max_attempts` − 1 retries in all,
//!   redirect hops included.
//!
//! Thread rule: that of the handle set (a request or session: not while it
//! is being changed on another thread; the global config: any thread, any
//! time).

// Retry settings of the three layers; the rules live in `core::retry`.

use std::ffi::c_int;
use std::sync::Arc;
use std::time::Duration;

use super::code::reqc_code;
use super::options::{self, Target};
use super::request::reqc_request;
use super::session::reqc_session;
use crate::core::error::{Error, Result};
use crate::core::retry::{Backoff, RetryOptions};

fn max_attempts(o: &mut RetryOptions, max_attempts: c_int) -> Result<()> {
    let n = u32::try_from(max_attempts)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| Error::invalid(format!("max_attempts {max_attempts} is below 1")))?;
    o.max_attempts = Some(n);
    Ok(())
}

/// # Safety
/// `statuses` is NULL or points to `count` ints.
unsafe fn statuses(o: &mut RetryOptions, statuses: *const c_int, count: usize) -> Result<()> {
    let list: &[c_int] = if count == 0 {
        &[]
    } else if statuses.is_null() {
        return Err(Error::invalid("statuses is NULL but count is not 0"));
    } else {
        // SAFETY: non-NULL and `count` ints long, per the caller's contract.
        unsafe { std::slice::from_raw_parts(statuses, count) }
    };
    let mut out = Vec::with_capacity(list.len());
    for &status in list {
        let valid = u16::try_from(status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| Error::invalid(format!("status {status} is not 100..599")))?;
        out.push(valid);
    }
    o.statuses = Some(Arc::from(out));
    Ok(())
}

fn backoff(o: &mut RetryOptions, base_ms: i64, cap_ms: i64) -> Result<()> {
    let (Ok(base), Ok(cap)) = (u64::try_from(base_ms), u64::try_from(cap_ms)) else {
        return Err(Error::invalid(format!(
            "backoff base {base_ms} ms or cap {cap_ms} ms is negative"
        )));
    };
    o.backoff = Some(Backoff {
        base: Duration::from_millis(base),
        cap: Duration::from_millis(cap),
    });
    Ok(())
}

fn all_methods(o: &mut RetryOptions, yes: c_int) -> Result<()> {
    o.all_methods = Some(yes != 0);
    Ok(())
}

/// Tries a send up to `max_attempts` times in all (1: no retries, the
/// built-in default), as the section intro says. Default: the session's,
/// else the global config's.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (below 1; message on
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_retries(
    request: *mut reqc_request,
    max_attempts: c_int,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            self::max_attempts(&mut l.options_mut().retry, max_attempts)
        })
    }
}

/// The response statuses that are retried, replacing the default list
/// (429, 502, 503, 504): `count` ints from `statuses`, each 100..599,
/// copied. `statuses` may be NULL when `count` is 0: then no status is
/// retried, only failed connections.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (a status out of range,
/// or NULL with a count; message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_retry_statuses(
    request: *mut reqc_request,
    statuses: *const c_int,
    count: usize,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            self::statuses(&mut l.options_mut().retry, statuses, count)
        })
    }
}

/// The backoff between attempts: before retry n a random wait in
/// [0, min(`cap_ms`, `base_ms` × 2^(n−1))] ms; `cap_ms` also caps a
/// server's `Retry-After`. Built-in: base 100 ms, cap 10 000 ms. 0 and 0
/// retry at once.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative; message on
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_retry_backoff_ms(
    request: *mut reqc_request,
    base_ms: i64,
    cap_ms: i64,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            backoff(&mut l.options_mut().retry, base_ms, cap_ms)
        })
    }
}

/// With `yes` true, every method is retried (POST and PATCH too); false
/// (the built-in) retries only GET, HEAD, OPTIONS, PUT, DELETE and TRACE.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (NULL `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_retry_all_methods(
    request: *mut reqc_request,
    yes: c_int,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            all_methods(&mut l.options_mut().retry, yes)
        })
    }
}

/// Default attempts per send, as `reqc_request_set_retries`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_retries(
    session: *mut reqc_session,
    max_attempts: c_int,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Session(session), |l| {
            self::max_attempts(&mut l.options_mut().retry, max_attempts)
        })
    }
}

/// Default retried statuses, as `reqc_request_set_retry_statuses`;
/// `statuses` may be NULL when `count` is 0.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_retry_statuses(
    session: *mut reqc_session,
    statuses: *const c_int,
    count: usize,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Session(session), |l| {
            self::statuses(&mut l.options_mut().retry, statuses, count)
        })
    }
}

/// Default backoff, as `reqc_request_set_retry_backoff_ms`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_retry_backoff_ms(
    session: *mut reqc_session,
    base_ms: i64,
    cap_ms: i64,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Session(session), |l| {
            backoff(&mut l.options_mut().retry, base_ms, cap_ms)
        })
    }
}

/// Default for retrying every method, as
/// `reqc_request_set_retry_all_methods`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (NULL `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_retry_all_methods(
    session: *mut reqc_session,
    yes: c_int,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Session(session), |l| {
            all_methods(&mut l.options_mut().retry, yes)
        })
    }
}

/// Process-wide default attempts per send, as `reqc_request_set_retries`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (below 1).
#[no_mangle]
pub extern "C" fn reqc_config_set_retries(max_attempts: c_int) -> reqc_code {
    super::config::edit(|l| self::max_attempts(&mut l.options.retry, max_attempts))
}

/// Process-wide retried statuses, as `reqc_request_set_retry_statuses`;
/// `statuses` may be NULL when `count` is 0.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_retry_statuses(
    statuses: *const c_int,
    count: usize,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    super::config::edit(|l| unsafe { self::statuses(&mut l.options.retry, statuses, count) })
}

/// Process-wide backoff, as `reqc_request_set_retry_backoff_ms`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub extern "C" fn reqc_config_set_retry_backoff_ms(base_ms: i64, cap_ms: i64) -> reqc_code {
    super::config::edit(|l| backoff(&mut l.options.retry, base_ms, cap_ms))
}

/// Process-wide default for retrying every method, as
/// `reqc_request_set_retry_all_methods`.
///
/// Returns `REQC_OK`.
#[no_mangle]
pub extern "C" fn reqc_config_set_retry_all_methods(yes: c_int) -> reqc_code {
    super::config::edit(|l| all_methods(&mut l.options.retry, yes))
}
