//! `reqc_send` sends one request without a session: no cookies or
//! connections are kept between calls (a session keeps them); the global
//! config and the built-in defaults apply.
//!
//! Thread rule: any thread; the call blocks the calling thread, and the
//! request's hooks and callbacks run on it.

// `reqc_send`: one request, without a session.

use super::boundary::{into_raw, with_handle, write_out};
use super::request::reqc_request;
use super::response::reqc_response;
use super::Lane;
use crate::core::error::Error;
use crate::core::send::send;

/// Sends `request` and waits for the response, following redirects. The request
/// is only read: it can be changed and sent again. Connections and cookies
/// are not kept between calls (a session keeps them); within one call a
/// cookie jar of its own carries the cookies a redirect hop sets to the
/// next hops (a login that answers 302 + Set-Cookie works), as Requests'
/// `requests.get` does. Precedence of the request's settings over the
/// global config's: see `reqc_session`.
///
/// On success writes a new response to `*response_out` (free it with
/// `reqc_response_free`); a 4xx or 5xx status is a success. `*response_out` is
/// written only on success.
///
/// On `REQC_E_TOO_MANY_REDIRECTS` the last redirect received (and its
/// history) stays readable: `reqc_request_last_response`.
///
/// May block on the network: it returns when the response is in or the
/// send failed (bounded by the timeouts).
///
/// Returns `REQC_OK` or, with a message naming the URL on `request`
/// (`reqc_request_error`): `REQC_E_INVALID_ARGUMENT`, `REQC_E_RESOLVE`,
/// `REQC_E_CONNECT`, `REQC_E_PROXY`, `REQC_E_TIMEOUT`, `REQC_E_TLS`,
/// `REQC_E_SEND`, `REQC_E_RECV`, `REQC_E_PROTOCOL`, `REQC_E_TOO_MANY_REDIRECTS`,
/// `REQC_E_UNSUPPORTED_PROTOCOL`, `REQC_E_INVALID_URL`,
/// `REQC_E_BODY_TOO_LARGE`, `REQC_E_CANCELLED`, `REQC_E_ABORTED`,
/// `REQC_E_CALLBACK`, `REQC_E_IO`, `REQC_E_INVALID_STATE`,
/// `REQC_E_TRANSPORT`.
///
/// Blocks the calling thread; every callback runs on it. Different requests
/// may be sent from different threads at once.
#[no_mangle]
pub unsafe extern "C" fn reqc_send(
    request: *const reqc_request,
    response_out: *mut *mut reqc_response,
) -> crate::ffi::code::reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(request, |r| {
            if response_out.is_null() {
                return Err(Error::invalid("response_out is NULL"));
            }
            // Shared, not copied: the send reads it, and an edit meanwhile
            // (a hook's, on this handle) copies it first.
            let request = r.shared();
            let mut lane = Lane::new();
            let response = r.sent(send(
                &*request,
                &crate::core::config::global(),
                &mut lane,
                r.cancel_token(),
                None,
                None,
            ))?;
            write_out(response_out, into_raw(reqc_response::new(response)));
            Ok(())
        })
    }
}
