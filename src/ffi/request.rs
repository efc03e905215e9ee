//! A `reqc_request` is one HTTP request under construction: method, URL,
//! headers, params, cookies, body, auth, options and hooks. Build it with
//! `reqc_request_new` and the setters, send it with `reqc_send`,
//! `reqc_session_send` or in a batch, and send it again as often as wanted: a
//! send only reads it (the response is a separate handle). Anything a
//! request sets beats its session's and the global config's value (see
//! Sessions for the one precedence rule). The getters (`reqc_request_method`,
//! `_url`, `_header`, `_header_at`, `_body`, `_body_kind`) read it back: a
//! hook reads the request it is lent with them (a PRE_REQUEST hook sees it
//! exactly as sent), and so does a caller on `reqc_response_request`.
//!
//! Thread rule: every call on a request is safe from any thread (a request
//! is guarded internally), and a request may be sent from several threads
//! at once; a send works on the request as it was when the send started,
//! so a change made meanwhile applies from the next send. A pointer a getter returns (`reqc_request_url`, …) stays valid
//! until the request is next changed or freed, so do not change a request
//! on one thread while another reads such a pointer.

// `reqc_request`: building a request from C.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CString};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::boundary::{
    bytes_arg, error_text, guard, into_raw, opt_str_arg, outcome, release, str_arg, with_handle,
    write_out, ErrorSlot, Failing, Handle,
};
use super::callbacks::{
    reqc_data_fn, reqc_free_fn, reqc_read_fn, CDataSink, CReadSource, Userdata,
};
use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_OK};
use super::options::{self, reqc_http_version, reqc_option, reqc_tls_version, Target};
use super::response::reqc_response;
use crate::core::body::{Body, FilePart, PartContent};
use crate::core::cancel::CancelToken;
use crate::core::error::{Error, Result};
use crate::core::options::{Auth, Setting};
use crate::core::request::Request;
use crate::core::response::Response;
use crate::core::validate;

/// An HTTP request under construction (opaque). Create with
/// `reqc_request_new`, free with `reqc_request_free`.
#[allow(non_camel_case_types)]
pub struct reqc_request {
    /// Shared with the batches it was added to, copied on the next change
    /// (`edit`): an added item costs a reference, not a copy of the request.
    request: Mutex<Arc<Request>>,
    cancel: CancelToken,
    errors: ErrorSlot,
    /// The C copies of fields that getters hand out (`reqc_request_url`,
    /// `reqc_request_method`, …), by field: each stays until its field's
    /// value differs at the next call, so a pointer lives until the request
    /// changes or is freed.
    shown: Mutex<HashMap<String, CString>>,
    /// What the last send left to read after failing (the redirect past
    /// the limit), until `reqc_request_last_response` takes it.
    last_response: Mutex<Option<Box<Response>>>,
}

impl Handle for reqc_request {
    const TAG: u32 = 0x7265_7175; // "requ"
}

impl Failing for reqc_request {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

impl reqc_request {
    pub(crate) fn new(request: Request) -> reqc_request {
        reqc_request {
            request: Mutex::new(Arc::new(request)),
            cancel: CancelToken::new(),
            errors: ErrorSlot::default(),
            shown: Mutex::default(),
            last_response: Mutex::default(),
        }
    }

    /// Passes a send's outcome through, keeping the response a failure
    /// carries for `reqc_request_last_response` (and dropping what an
    /// earlier send left).
    pub(crate) fn sent<T>(&self, outcome: Result<T>) -> Result<T> {
        let mut slot = self
            .last_response
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *slot = None;
        outcome.map_err(|mut e| {
            *slot = e.response.take();
            e
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Arc<Request>> {
        self.request.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The request as it is now: what one send works on.
    pub(crate) fn snapshot(&self) -> Request {
        Request::clone(&self.lock())
    }

    /// The request as it is now, shared: later changes to this handle copy
    /// it first, so the holder keeps what it was given.
    pub(crate) fn shared(&self) -> Arc<Request> {
        Arc::clone(&self.lock())
    }

    /// The request itself, for a handle taken over from C (a batch's
    /// source hands its requests over): no copy.
    pub(crate) fn into_request(self) -> Request {
        Arc::unwrap_or_clone(
            self.request
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    pub(crate) fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    pub(crate) fn edit<T>(&self, f: impl FnOnce(&mut Request) -> Result<T>) -> Result<T> {
        f(Arc::make_mut(&mut self.lock()))
    }
}

/// Creates a request for `method` (any HTTP token: "GET", "POST", "PURGE"…)
/// and `url` (absolute, http or https; a `user:password@` in it becomes basic
/// auth and is never sent on to a redirect's target).
///
/// The method is upper-cased, as Requests does: "patch" is sent (and
/// `reqc_request_method` returns it) as "PATCH". A `%` in the URL that does
/// not start a `%XX` escape (two hex digits) is sent as `%25`, as Requests'
/// requote_uri does (`?q=%pp` goes out as `?q=%25pp`; `%20` stays `%20`).
///
/// A request without a body sends no `Content-Type` (unless one is set as
/// a header); a body-less POST, PUT, PATCH, DELETE, OPTIONS or custom
/// method sends `Content-Length: 0` alone, as Requests does.
///
/// On success writes a new handle to `*request_out`; free it with `reqc_request_free`.
/// `*request_out` is written only on success.
///
/// There is no handle to hold the message of a failure, so it comes back
/// through `message_out` (may be NULL: not wanted): on failure, an owned
/// string such as "REQC_E_INVALID_URL: unsupported scheme \"ftp\" in
/// \"ftp://host/\"", to free with `reqc_string_free`; on success it is not
/// written.
///
/// Returns `REQC_OK`; `REQC_E_INVALID_ARGUMENT` (NULL argument, not UTF-8,
/// method not a token); `REQC_E_INVALID_URL` (unparsable, no host, a CR,
/// LF or other control character in it); `REQC_E_UNSUPPORTED_PROTOCOL`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_new(
    method: *const c_char,
    url: *const c_char,
    request_out: *mut *mut reqc_request,
    message_out: *mut *mut c_char,
) -> reqc_code {
    guard(|| {
        let made = (|| {
            if request_out.is_null() {
                return Err(Error::invalid("request_out is NULL"));
            }
            // SAFETY: the caller passes NULL or NUL-terminated strings.
            let method = unsafe { str_arg(method, "method") }?;
            // SAFETY: as above.
            let url = unsafe { str_arg(url, "url") }?;
            Request::new(method, url)
        })();
        match made {
            Ok(request) => {
                let handle = into_raw(reqc_request::new(request));
                // SAFETY: `request_out` is non-NULL and writable per the contract.
                unsafe { write_out(request_out, handle) };
                REQC_OK
            }
            Err(e) => {
                // Made only when wanted: a string nobody takes would leak.
                if !message_out.is_null() {
                    // SAFETY: `message_out` is writable per the contract;
                    // the string is the caller's, for `reqc_string_free`.
                    unsafe { write_out(message_out, ErrorSlot::text(&e).into_raw()) };
                }
                outcome(Err(e), None)
            }
        }
    })
}

/// Copies `request` (headers, params, body, options, callbacks; callbacks and
/// bodies are shared, not duplicated, and their `free_userdata` runs once when
/// the last copy is freed). The copy is not cancelled even if `request` is.
///
/// Returns `REQC_OK` and writes `*clone_out`, or `REQC_E_INVALID_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_clone(
    request: *const reqc_request,
    clone_out: *mut *mut reqc_request,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(request, |r| {
            if clone_out.is_null() {
                return Err(Error::invalid("clone_out is NULL"));
            }
            let copy = into_raw(reqc_request::new(r.snapshot()));
            write_out(clone_out, copy);
            Ok(())
        })
    }
}

/// Frees a request and releases its callbacks' userdata (when no copy still
/// holds them). NULL is a no-op, and so is the request a hook context lends
/// (`reqc_hook_ctx_request`) and the one a response lends
/// (`reqc_response_request`).
///
/// Freeing a request that is in use (a send of it in flight: from one of
/// its own callbacks or hooks, or from another thread) gives up the
/// caller's reference at once, and the request goes when the send returns:
/// the send goes on and returns its response as usual, its callbacks and
/// hooks still run until then, and their `free_userdata` runs after the
/// last of them, on the sending thread. Never touch `request` after this
/// call (its callbacks may still be handed it until the send returns).
///
/// Returns nothing. Thread-safe with the sends of `request`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_free(request: *mut reqc_request) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule; a send in flight
        // holds its own reference (a lease), so this never frees under it.
        unsafe { release(request) };
        REQC_OK
    });
}

/// The message of the last failed call on `request` (a setter or a send), e.g.
/// "REQC_E_TIMEOUT: timed out after 200 ms: GET http://…". "" when none
/// failed; "" for NULL.
///
/// The string is borrowed from `request`: valid until the next failed call on
/// `request` or its free. When several threads use one request, read it only
/// from the thread whose call failed, before any other call on `request`.
///
/// Returns the message (see above for its lifetime); "" when none failed or for
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_error(request: *const reqc_request) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { error_text(request) }
}

/// After a send of `request` failed with `REQC_E_TOO_MANY_REDIRECTS`, moves the
/// last response it received to `*response_out`: the redirect that was not followed,
/// with the hops before it as its history (`reqc_response_history_at`), as
/// Requests' `TooManyRedirects.response`. The response is then the
/// caller's (free it with `reqc_response_free`); `request` keeps it until it is
/// taken, the next send of `request` starts, or `request` is freed. The failed send
/// itself still writes no response.
///
/// Returns `REQC_OK`; `REQC_E_NOT_FOUND` when the last send left none (it
/// succeeded, failed another way, or the response was taken), leaving
/// `reqc_request_error` as the send left it (the code is the whole answer);
/// `REQC_E_INVALID_ARGUMENT` for NULL (a NULL `response_out` leaves a
/// message on `request`). `*response_out` is written only on success. When
/// several threads send `request`, which send's response this is depends on
/// their order.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_last_response(
    request: *mut reqc_request,
    response_out: *mut *mut reqc_response,
) -> reqc_code {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let Some(r) = (unsafe { super::boundary::borrow(request) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        if response_out.is_null() {
            r.errors.set(&Error::invalid("response_out is NULL"));
            return REQC_E_INVALID_ARGUMENT;
        }
        let taken = r
            .last_response
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match taken {
            Some(response) => {
                // SAFETY: `response_out` is non-NULL and writable per the contract.
                unsafe { write_out(response_out, into_raw(reqc_response::new(response))) };
                REQC_OK
            }
            None => super::code::REQC_E_NOT_FOUND,
        }
    })
}

/// Calls `f` on the request behind `req` with the handle's error slot.
pub(crate) unsafe fn edit(
    req: *mut reqc_request,
    f: impl FnOnce(&mut Request) -> Result<()>,
) -> reqc_code {
    // SAFETY: forwarded from the caller's contract.
    unsafe { with_handle(req, |r| r.edit(f)) }
}

/// The request's URL as it is now (params added with
/// `reqc_request_add_param` are appended at send time, not shown here).
/// Returns the URL, borrowed from `request` until it changes or is freed;
/// "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_url(request: *const reqc_request) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe { show(request, "url", |r| Some(r.url.to_string())) }
}

/// The request's method, upper-cased.
///
/// Returns the method, borrowed from `request` until it changes or is
/// freed; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_method(request: *const reqc_request) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe { show(request, "method", |r| Some(r.method.to_string())) }
}

/// Keeps a C copy of a field (`key` names it) in the handle and returns it;
/// NULL when `field` gives None, "" for a NULL handle.
pub(crate) unsafe fn show(
    request: *const reqc_request,
    key: &str,
    field: impl FnOnce(&Request) -> Option<String>,
) -> *const c_char {
    super::boundary::guard_or(c"".as_ptr(), || {
        // SAFETY: forwarded from the caller's contract.
        let Some(r) = (unsafe { super::boundary::borrow(request) }) else {
            return c"".as_ptr();
        };
        let Some(text) = field(&r.lock()) else {
            return std::ptr::null();
        };
        r.keep(key, &text)
    })
}

impl reqc_request {
    /// The C copy of `text` kept under `key` until a call shows that key
    /// with another text: an unchanged field keeps its copy, so earlier
    /// pointers stay valid until the request changes or is freed.
    fn keep(&self, key: &str, text: &str) -> *const c_char {
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        match shown.get(key) {
            Some(copy) if copy.as_bytes() == text.as_bytes() => copy.as_ptr(),
            _ => {
                let copy = CString::new(text.replace('\0', "\\0")).unwrap_or_default();
                let ptr = copy.as_ptr();
                // The CString's heap buffer does not move with the map entry.
                shown.insert(key.to_string(), copy);
                ptr
            }
        }
    }
}

/// The headers a request shows: every set header, removals (`None`) left out.
fn shown_headers(request: &Request) -> impl Iterator<Item = (&str, &str)> {
    request
        .headers
        .0
        .iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (&**n, v)))
}

/// The first value of header `name` on `request` (names compare
/// case-insensitively), or NULL when it has none, or for a NULL argument.
///
/// What a request shows depends on where it comes from:
/// - a request you build (and the per-send copy an ARGS hook gets): the
///   headers set or added on it, in order; not the session's or config's,
///   and not those its settings make at send time (auth, user agent, the
///   body's Content-Type);
/// - the request of a PRE_REQUEST hook (`reqc_hook_ctx_request`) and of a
///   response (`reqc_response_request`): the prepared request, every header
///   as it goes out: every layer merged (session and config headers, auth,
///   User-Agent, Content-Type, Accept-Encoding), cookies attached
///   (`Cookie`), and `Content-Length` when it is known before the transfer
///   (a body of bytes, JSON or form fields, or `0` for a body-less method
///   other than GET and HEAD). libcurl adds `Host` (and, for a multipart
///   body, its Content-Type with the boundary and its length; for a
///   callback body of unknown length, chunked transfer-encoding) on the
///   wire: those are not shown. Secret values (Authorization, Cookie,
///   marked secret headers) are shown as they are: the request is the
///   caller's own (the log redacts them).
///
/// A header removed with a NULL value is not shown.
///
/// Returns the value, borrowed from `request` until it changes or is freed.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_header(
    request: *const reqc_request,
    name: *const c_char,
) -> *const c_char {
    super::boundary::guard_or(std::ptr::null(), || {
        // SAFETY: pointers per the header's preamble rule.
        let Some(r) = (unsafe { super::boundary::borrow(request) }) else {
            return std::ptr::null();
        };
        // SAFETY: as above.
        let Ok(name) = (unsafe { str_arg(name, "name") }) else {
            return std::ptr::null();
        };
        let found = shown_headers(&r.lock())
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_string());
        match found {
            Some(value) => r.keep(&format!("header:{}", name.to_ascii_lowercase()), &value),
            None => std::ptr::null(),
        }
    })
}

/// How many headers `request` shows (repeats counted, removals not; see
/// `reqc_request_header` for which headers a request shows).
///
/// Returns the count; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_header_count(request: *const reqc_request) -> usize {
    super::boundary::guard_or(0, || {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { super::boundary::borrow(request) }.map_or(0, |r| shown_headers(&r.lock()).count())
    })
}

/// The `index`th header the request shows, in the order it is sent: its
/// name (as spelled when set) in `*name_out` and its value in `*value_out`
/// (`name_out` may be NULL, and `value_out` may be NULL: not wanted).
/// Which headers a request shows: see `reqc_request_header`. The strings
/// are borrowed from `request` until it changes or is freed; written only
/// on success.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (`index` at or past
/// `reqc_request_header_count`) or `REQC_E_INVALID_ARGUMENT` (NULL
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_header_at(
    request: *const reqc_request,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const c_char,
) -> reqc_code {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        let Some(r) = (unsafe { super::boundary::borrow(request) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        let entry = shown_headers(&r.lock())
            .nth(index)
            .map(|(n, v)| (n.to_string(), v.to_string()));
        let Some((name, value)) = entry else {
            return super::code::REQC_E_NOT_FOUND;
        };
        let name = r.keep(&format!("header_at:{index}:name"), &name);
        let value = r.keep(&format!("header_at:{index}:value"), &value);
        // SAFETY: the outs are NULL or writable, per the preamble rule.
        unsafe {
            write_out(name_out, name);
            write_out(value_out, value);
        }
        REQC_OK
    })
}

/// What kind of body a request carries, for `reqc_request_body_kind`: one
/// of the `REQC_BODY_KIND_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_body_kind = c_int;

/// No body (none set, or dropped by a redirect that turned the method into GET).
pub const REQC_BODY_KIND_NONE: reqc_body_kind = 0;
/// Bytes from `reqc_request_set_body`.
pub const REQC_BODY_KIND_BYTES: reqc_body_kind = 1;
/// JSON text from `reqc_request_set_json`.
pub const REQC_BODY_KIND_JSON: reqc_body_kind = 2;
/// Form fields without files, sent urlencoded (`reqc_request_add_form_field`).
pub const REQC_BODY_KIND_FORM: reqc_body_kind = 3;
/// multipart/form-data: form fields with at least one file part
/// (`reqc_request_add_file`, `reqc_request_add_file_data`).
pub const REQC_BODY_KIND_MULTIPART: reqc_body_kind = 4;
/// Streamed from a callback (`reqc_request_set_body_callback`).
pub const REQC_BODY_KIND_CALLBACK: reqc_body_kind = 5;

/// Which kind of body `request` carries, so a hook can tell "no body" from
/// "a body whose bytes cannot be shown" (`reqc_request_body` gives NULL
/// for both).
///
/// Returns a `REQC_BODY_KIND_*` value; `REQC_BODY_KIND_NONE` for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_body_kind(request: *const reqc_request) -> reqc_body_kind {
    super::boundary::guard_or(REQC_BODY_KIND_NONE, || {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { super::boundary::borrow(request) }.map_or(REQC_BODY_KIND_NONE, |r| {
            match &r.lock().body {
                Body::None => REQC_BODY_KIND_NONE,
                Body::Bytes { .. } => REQC_BODY_KIND_BYTES,
                Body::Json(_) => REQC_BODY_KIND_JSON,
                Body::Form { files, .. } if files.is_empty() => REQC_BODY_KIND_FORM,
                Body::Form { .. } => REQC_BODY_KIND_MULTIPART,
                Body::Stream { .. } => REQC_BODY_KIND_CALLBACK,
            }
        })
    })
}

/// The bytes the request sends as its body, with their count in
/// `*len_out` (`len_out` may be NULL): for a body of bytes (`reqc_request_set_body`)
/// those bytes, for JSON the JSON text, for form fields alone the
/// urlencoded text (`a=1&b=x+y`), exactly as they go out. An empty body of
/// bytes is a non-NULL pointer with length 0.
///
/// NULL with length 0 when there are no bytes to show: no body, and also
/// a multipart body (libcurl picks its boundary and reads file parts during
/// the transfer, so its bytes do not exist before) and a body streamed from
/// a callback (its bytes exist only as the callback hands them over, once).
/// `reqc_request_body_kind` tells these apart; a hook that must sign such a
/// body should send a body of bytes instead.
///
/// Returns the bytes, borrowed from `request` until it changes or is freed;
/// NULL (length 0) for NULL `request`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_body(
    request: *const reqc_request,
    len_out: *mut usize,
) -> *const u8 {
    let (ptr, len) = super::boundary::guard_or((std::ptr::null(), 0), || {
        // SAFETY: pointers per the header's preamble rule.
        let Some(r) = (unsafe { super::boundary::borrow(request) }) else {
            return (std::ptr::null(), 0);
        };
        let bytes = |data: &Arc<[u8]>| match data.len() {
            // An empty slice's pointer is dangling: show a real (empty) one.
            0 => (c"".as_ptr().cast::<u8>(), 0),
            // The request's body holds the Arc until the body changes.
            n => (data.as_ptr(), n),
        };
        let request = r.lock();
        match &request.body {
            Body::Bytes { data, .. } | Body::Json(data) => bytes(data),
            Body::Form { fields, files } if files.is_empty() => {
                let text = crate::core::body::urlencoded(fields);
                (r.keep("body", &text).cast::<u8>(), text.len())
            }
            Body::None | Body::Form { .. } | Body::Stream { .. } => (std::ptr::null(), 0),
        }
    });
    // SAFETY: `len_out` is NULL or writable, per the preamble rule.
    unsafe { write_out(len_out, len) };
    ptr
}

/// Changes the method (an HTTP token), upper-cased as in `reqc_request_new`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_method(
    request: *mut reqc_request,
    method: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let method = str_arg(method, "method")?;
            r.set_method(method)
        })
    }
}

/// Changes the URL (absolute, http or https; a bare `%` becomes `%25` as in
/// `reqc_request_new`).
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT`, `REQC_E_INVALID_URL` or
/// `REQC_E_UNSUPPORTED_PROTOCOL` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_url(
    request: *mut reqc_request,
    url: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let url = str_arg(url, "url")?;
            r.set_url(url)
        })
    }
}

/// Sets header `name` to `value`, replacing every earlier value of that name
/// (names compare case-insensitively) and the header this request's own
/// settings would make (auth, user agent, body type). `value` may be NULL,
/// which removes the header: also a session's or the config's of that name for this
/// request, and a header libcurl would add by itself (e.g. "Accept"). An
/// empty `value` sends the header with an empty value. Precedence: see
/// `reqc_session`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (name not a token, value
/// with CR, LF or NUL, not UTF-8; message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_header(
    request: *mut reqc_request,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            let name = str_arg(name, "header name")?;
            let value = opt_str_arg(value, "header value")?;
            l.headers_mut().set(name, value)
        })
    }
}

/// Adds a header, keeping earlier ones of the same name (sent in order).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_header(
    request: *mut reqc_request,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            let name = str_arg(name, "header name")?;
            let value = str_arg(value, "header value")?;
            l.headers_mut().add(name, value)
        })
    }
}

/// Appends a query parameter, percent-encoded, after any the URL already has.
/// Repeated names are kept. A name added here replaces all of the session's
/// values of that name (see `reqc_session`).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_param(
    request: *mut reqc_request,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            let name = str_arg(name, "param name")?;
            let value = str_arg(value, "param value")?;
            l.params_mut().push((name.to_string(), value.to_string()));
            Ok(())
        })
    }
}

/// Sends cookie `name=value` with this request only (Requests' `cookies=`):
/// it never enters a session's jar. It goes before the jar's cookies and
/// replaces a jar cookie of the same name; it is dropped for good, like
/// credentials, on a redirect to another origin; a `Cookie` header set on
/// any layer is sent instead of it. Setting a name again replaces its
/// value; `value` may be NULL, which removes it.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (a name that is not a
/// token, a value with a control character, TAB included, or `;`; message
/// on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_cookie(
    request: *mut reqc_request,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let name = str_arg(name, "cookie name")?;
            let value = opt_str_arg(value, "cookie value")?;
            r.set_cookie(name, value)
        })
    }
}

/// Sets the body to a copy of `len` bytes at `data` (`(NULL, 0)` is an empty
/// body), replacing any other body. `content_type` (may be NULL) is sent as
/// Content-Type unless a Content-Type header is set.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (`(NULL, len > 0)`, bad
/// content type; message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_body(
    request: *mut reqc_request,
    data: *const u8,
    len: usize,
    content_type: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let data = bytes_arg(data, len, "data")?;
            let content_type = opt_str_arg(content_type, "content type")?;
            if let Some(ct) = content_type {
                validate::header_value("Content-Type", ct)?;
            }
            r.body = Body::Bytes {
                data: data.into(),
                content_type: content_type.map(str::to_string),
            };
            Ok(())
        })
    }
}

/// Sets the body to the JSON text `json` (sent as is, UTF-8) with
/// Content-Type application/json, replacing any other body.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_json(
    request: *mut reqc_request,
    json: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let json = str_arg(json, "json")?;
            r.body = Body::Json(json.as_bytes().into());
            Ok(())
        })
    }
}

/// Adds a form field. Fields alone are sent as
/// application/x-www-form-urlencoded; with any file part, as
/// multipart/form-data. Replaces a body of another kind.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_form_field(
    request: *mut reqc_request,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let name = str_arg(name, "field name")?;
            let value = str_arg(value, "field value")?;
            r.body
                .form_mut()
                .0
                .push((name.to_string(), value.to_string()));
            Ok(())
        })
    }
}

/// Adds a multipart file part read from `path` when the request is sent
/// (streamed by libcurl, not loaded into memory). `filename` may be NULL
/// (the path's last component is sent) and `content_type` may be NULL
/// (application/octet-stream). Makes the body multipart/form-data.
///
/// Field names and filenames are sent as the HTML form encoding (and
/// Requests) writes them: `"` as `%22`, CR as `%0D`, LF as `%0A`, so
/// `a"b.txt` goes out as `filename="a%22b.txt"`. A content type holding CR,
/// LF or `"` is refused.
///
/// Returns `REQC_OK`, `REQC_E_IO` (the file cannot be opened now) or
/// `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_file(
    request: *mut reqc_request,
    field: *const c_char,
    path: *const c_char,
    filename: *const c_char,
    content_type: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let field = str_arg(field, "field name")?;
            let path = PathBuf::from(str_arg(path, "path")?);
            let filename = opt_str_arg(filename, "filename")?;
            let content_type = opt_str_arg(content_type, "content type")?;
            content_type.map_or(Ok(()), validate::part_content_type)?;
            validate::readable_file(&path)?;
            r.body.form_mut().1.push(FilePart {
                field: field.to_string(),
                content: PartContent::File(path),
                filename: filename.map(str::to_string),
                content_type: content_type.map(str::to_string),
            });
            Ok(())
        })
    }
}

/// Adds a multipart file part from a copy of `len` bytes at `data`, named
/// `filename` (required). `content_type` may be NULL. Makes the body
/// multipart/form-data.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_file_data(
    request: *mut reqc_request,
    field: *const c_char,
    filename: *const c_char,
    data: *const u8,
    len: usize,
    content_type: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, |r| {
            let field = str_arg(field, "field name")?;
            let filename = str_arg(filename, "filename")?;
            let data = bytes_arg(data, len, "data")?;
            let content_type = opt_str_arg(content_type, "content type")?;
            content_type.map_or(Ok(()), validate::part_content_type)?;
            r.body.form_mut().1.push(FilePart {
                field: field.to_string(),
                content: PartContent::Bytes(data.into()),
                filename: Some(filename.to_string()),
                content_type: content_type.map(str::to_string),
            });
            Ok(())
        })
    }
}

/// Streams the body from `read`, called on the sending thread until it
/// reports the end. `length` is the body's size in bytes, or -1 when unknown
/// (then it is sent chunked over HTTP/1.1). Replaces any other body. A
/// callback that ends the body before `length` bytes (or supplies more), or
/// returns non-zero, fails the send with `REQC_E_CALLBACK`, the message
/// saying which ("it ended the body after 10 of the 100 bytes announced").
///
/// Each send reads the body from `read` anew, so a request sent twice needs a
/// callback that can start over. Such a body cannot be re-sent by a 307/308
/// redirect (`REQC_E_INVALID_STATE`).
///
/// `free_userdata` (may be NULL) is called exactly once with `userdata`: when
/// the body is replaced or the last copy of the request is freed, or before
/// this function returns if it fails.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (NULL `read`, `length`
/// below -1; message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_body_callback(
    request: *mut reqc_request,
    length: i64,
    read: reqc_read_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, move |r| {
            let read = read.ok_or_else(|| Error::invalid("read callback is NULL"))?;
            let length = match length {
                -1 => None,
                n if n >= 0 => Some(n as u64),
                n => return Err(Error::invalid(format!("length {n} is below -1"))),
            };
            r.body = Body::Stream {
                source: Arc::new(CReadSource { read, userdata }),
                length,
            };
            Ok(())
        })
    }
}

/// Streams the final response's body to `on_data` instead of buffering it;
/// `reqc_response_body` is then empty. The body arrives decoded (see
/// `reqc_response_body`). Bodies of redirect hops that are followed are not
/// streamed: their first 64 KiB go to the history. Called on the sending
/// thread, after the head has arrived.
///
/// `free_userdata` (may be NULL) runs exactly once, as for
/// `reqc_request_set_body_callback`. `on_data` may be NULL, which turns
/// streaming off.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_data_callback(
    request: *mut reqc_request,
    on_data: reqc_data_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit(request, move |r| {
            r.on_data = on_data.map(|on_data| {
                Arc::new(CDataSink { on_data, userdata }) as Arc<dyn crate::core::DataSink>
            });
            Ok(())
        })
    }
}

unsafe fn set_auth(request: *mut reqc_request, make: impl FnOnce() -> Result<Auth>) -> reqc_code {
    // SAFETY: forwarded from the caller's contract.
    unsafe { options::edit(Target::Request(request), |l| options::set_auth(l, make())) }
}

/// Uses HTTP basic auth: this request's `Authorization`, beating URL user
/// info and every session or config auth and Authorization header (this
/// request's own Authorization header beats it). Sent only to the request's
/// origin: dropped for good on a redirect to another origin.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (NULL, not UTF-8, or a
/// user name containing ':').
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_auth_basic(
    request: *mut reqc_request,
    user: *const c_char,
    password: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set_auth(request, || {
            Auth::basic(str_arg(user, "user")?, str_arg(password, "password")?)
        })
    }
}

/// Uses HTTP digest auth (RFC 7616), answered by libreqc itself: a 401 with
/// a `Digest` challenge is answered by a new hop carrying `Authorization`,
/// and the 401 stays in the response's history (`reqc_response_history_at`)
/// with its cookies stored (in the session's jar, or for the rest of the
/// send) and sent with the answer. Algorithms MD5, SHA (SHA-1), SHA-256,
/// SHA-512 and their `-sess` forms; qop `auth` or none (RFC 2069); `userhash`,
/// `opaque`, a random cnonce. A challenge offering only qop `auth-int`, or an
/// unknown algorithm, is not answered: the 401 is the response.
///
/// Rules, as Requests: each challenge is answered once; a 401 to that
/// answer is the final response (`REQC_OK`, status 401), unless it says
/// `stale=true`, which is answered once more. Through a session the nonce
/// is kept per origin and reused, with the next nonce count, by later
/// requests to that origin with the same credentials (N requests cost N+1
/// round trips, not 2N); a 401 to a reused nonce is answered like a first
/// challenge. After a redirect the new URL may challenge anew and is
/// answered; on a redirect to another origin the credentials are dropped
/// (nothing is answered there). A body streamed from a callback cannot be
/// sent twice, so a challenge to such a request is not answered. When the
/// merged layers send an `Authorization` header of their own, it goes as
/// set and digest stays out.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_auth_digest(
    request: *mut reqc_request,
    user: *const c_char,
    password: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set_auth(request, || {
            Auth::digest(str_arg(user, "user")?, str_arg(password, "password")?)
        })
    }
}

/// Sends `Authorization: Bearer <token>`. Dropped on a redirect to another
/// origin.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (token with CR, LF or NUL).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_auth_bearer(
    request: *mut reqc_request,
    token: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_auth(request, || Auth::bearer(str_arg(token, "token")?)) }
}

/// Sends no auth, even when a session sets one: a removal of
/// `Authorization` on this request's layer (session and config auth and
/// Authorization headers, and URL user info, are not sent).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_auth_none(request: *mut reqc_request) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_auth(request, || Ok(Auth::None)) }
}

/// Sets this request's `User-Agent`, beating the session's and the config's
/// (this request's own User-Agent header beats it). `agent` may be NULL,
/// which unsets it, so the lower layers decide again.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (CR, LF or NUL; message
/// on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_user_agent(
    request: *mut reqc_request,
    agent: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            match opt_str_arg(agent, "user agent")? {
                Some(agent) => options::set_user_agent(l, agent),
                None => {
                    l.unset(Setting::UserAgent);
                    Ok(())
                }
            }
        })
    }
}

/// Limits the whole send, redirects included, to `ms` milliseconds; 0 means
/// no limit. Default: the session's, else the global config's, else 300 s.
/// Expiry gives `REQC_E_TIMEOUT`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_timeout_ms(
    request: *mut reqc_request,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { options::edit(Target::Request(request), |l| options::set_timeout(l, ms)) }
}

/// Limits the wait for the next byte to `ms` milliseconds once the
/// connection is made (Requests' read timeout, the second of
/// `timeout=(connect, read)`): a server that answers nothing, or stalls
/// mid-head or mid-body, for longer ends the send with `REQC_E_TIMEOUT`,
/// whose message says "the read timeout expired". Sent bytes count as
/// activity too (a slow upload is not idle). 0 means no read timeout.
/// Default: the session's, else the global config's, else none (as in
/// Requests; the low-speed floor, `reqc_request_set_speed_floor`, still ends
/// a stalled transfer after 60 s). Independent of the connect timeout (the
/// time before) and the total timeout (the whole send). Checked from
/// libcurl's progress callback, so it ends a transfer within about 0.2 s
/// of expiring (in an event-loop batch: at libcurl's next timer, about once
/// a second while the low-speed floor is on), and only a transfer with a
/// read timeout pays for the callback.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_read_timeout_ms(
    request: *mut reqc_request,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_read_timeout(l, ms)
        })
    }
}

/// Limits each connection attempt to `ms` milliseconds (> 0). Default: 10 s.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (zero or negative).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_connect_timeout_ms(
    request: *mut reqc_request,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_connect_timeout(l, ms)
        })
    }
}

/// Whether to follow redirects (`allow` 0 or 1) and at most how many (`max`,
/// zero or more). Default: follow, at most 30. A response that would need more gives
/// `REQC_E_TOO_MANY_REDIRECTS` (the last redirect and its history stay
/// readable: `reqc_request_last_response`). With `allow` 0, the 3xx response
/// is returned.
///
/// libreqc follows redirects itself, one transfer per hop: 301/302 turn a
/// POST into a GET without body, 303 turns anything but HEAD into a GET,
/// 307/308 keep method and body. A 301/302 keeps every other method with its
/// body (PUT, PATCH, DELETE…), as browsers do (the Fetch standard, RFC 9110
/// §15.4.3): unlike Requests, which turns a 302 of anything but HEAD into a
/// GET. A
/// Location without a fragment keeps the request's (`/page#part` still ends
/// on `#part`, RFC 9110 §10.2.2); a Location with its own replaces it. Auth, Authorization, Proxy-Authorization,
/// Cookie and secret headers (`reqc_request_mark_secret_header`) are dropped
/// for the rest of the chain at the first hop to another origin (an http to
/// https upgrade on the same host keeps them). Targets other than http and
/// https are refused with `REQC_E_UNSUPPORTED_PROTOCOL`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_redirects(
    request: *mut reqc_request,
    allow: c_int,
    max: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_redirects(l, allow, max)
        })
    }
}

/// Which HTTP version to use: `REQC_HTTP_VERSION_ANY`, `REQC_HTTP_VERSION_1_0`,
/// `REQC_HTTP_VERSION_1_1`, `REQC_HTTP_VERSION_2` or `REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (another value).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_http_version(
    request: *mut reqc_request,
    version: reqc_http_version,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_http_version(l, version)
        })
    }
}

/// The speed floor: ends a transfer that moves fewer than
/// `bytes_per_second` bytes a second for `window_ms` milliseconds, with
/// `REQC_E_TIMEOUT` (a server trickling bytes would otherwise hold it until
/// the total timeout). libcurl measures the window in whole seconds, so
/// `window_ms` is rounded up to one. `bytes_per_second` 0 turns the floor
/// off (`window_ms` is then ignored). Default: 10 bytes a second over 60 s.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (a negative rate, a
/// window of 0 or less with a rate above 0).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_speed_floor(
    request: *mut reqc_request,
    bytes_per_second: i64,
    window_ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_speed_floor(l, bytes_per_second, window_ms)
        })
    }
}

/// Turns TLS verification of the peer's certificate and host name on (1,
/// the default) or off (0) for this request alone. A connection made
/// without verification is never reused by a request that verifies
/// (libcurl matches connections by their TLS settings).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_verify_tls(
    request: *mut reqc_request,
    verify: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_verify_tls(l, verify)
        })
    }
}

/// Caps the response body at `max` bytes; beyond it the send fails with
/// `REQC_E_BODY_TOO_LARGE`. 0 means no cap. Default: 256 MiB for buffered
/// bodies, none for a body streamed to `reqc_request_set_data_callback`.
///
/// The cap counts the body as the caller gets it, after decoding (gzip,
/// deflate, br, zstd: a decompression bomb stops at the cap, decoding a
/// step of at most 32 KiB past it). It applies to every hop: the body of a
/// redirect that libreqc follows is not decoded and counts as received, so
/// an endless one ends too.
///
/// The memory one send holds is bounded by this cap, whatever the number
/// of hops: the body being received (at most `max` bytes), plus, for each
/// earlier hop in the history, its status, URL, headers (libcurl bounds a
/// head) and at most the first 64 KiB of its body (a fixed bound; see
/// `reqc_response_history_at`). Default redirects (30) thus add at most
/// about 2 MiB of history bodies.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_max_response_bytes(
    request: *mut reqc_request,
    max: u64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_max_response_bytes(l, max)
        })
    }
}

/// Marks header `name` as a secret: dropped on a redirect to another origin
/// (like Authorization) and never shown in logs.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_mark_secret_header(
    request: *mut reqc_request,
    name: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Request(request), |l| {
            let name = str_arg(name, "header name")?;
            l.options_mut().mark_secret(name)
        })
    }
}

/// The proxy for this request alone (Requests' `proxies=` per call), as
/// `reqc_session_set_proxy`: an http://, https://, socks4(a):// or
/// socks5(h):// URL whose `user:password@` goes to the proxy alone and is
/// never logged; "" means no proxy for this request (not the session's,
/// the config's or the environment's); NULL unsets it, as
/// `reqc_request_unset(request, REQC_OPTION_PROXY)`. A send that cannot
/// reach the proxy fails with `REQC_E_PROXY`. A connection through one proxy
/// is never reused for another (libcurl matches connections by proxy).
///
/// Returns `REQC_OK`, `REQC_E_INVALID_URL`, `REQC_E_UNSUPPORTED_PROTOCOL` or
/// `REQC_E_INVALID_ARGUMENT` (message on `request`). `proxy` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_proxy(
    request: *mut reqc_request,
    proxy: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_proxy(l, opt_str_arg(proxy, "proxy")?)
        })
    }
}

/// Whether this send reads the process environment where no layer sets a
/// proxy or a CA (1 or 0), as `reqc_session_set_trust_env`, beating the
/// session's and the config's choice.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not 0 or 1; message on
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_trust_env(
    request: *mut reqc_request,
    trust: c_int,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_trust_env(l, trust)
        })
    }
}

/// Trusts the CA certificates in the PEM file at `path` for this request
/// alone, instead of the system's and instead of any CA the session, the
/// config or the environment names. The CA file, directory and PEM are one
/// setting (`REQC_OPTION_CA`): a request that sets any of them uses none of
/// the lower layers' (set several on one layer and libcurl uses them all,
/// a PEM replacing the file).
///
/// Returns `REQC_OK`, `REQC_E_IO` (the file cannot be read now) or
/// `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_ca_file(
    request: *mut reqc_request,
    path: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            l.options_mut().set_ca_file(str_arg(path, "path")?)
        })
    }
}

/// Trusts the CA certificates in the directory `path` (OpenSSL hashed
/// layout) for this request alone, as `reqc_request_set_ca_file`.
///
/// Returns `REQC_OK`, `REQC_E_IO` (it cannot be read now) or
/// `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_ca_dir(
    request: *mut reqc_request,
    path: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            l.options_mut().set_ca_dir(str_arg(path, "path")?)
        })
    }
}

/// Trusts the CA certificates in a copy of `len` bytes of PEM at `pem` for
/// this request alone, as `reqc_request_set_ca_file`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (empty; message on
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_ca_pem(
    request: *mut reqc_request,
    pem: *const u8,
    len: usize,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            l.options_mut().set_ca_pem(bytes_arg(pem, len, "pem")?)
        })
    }
}

/// Presents the client certificate and key in the PEM files `cert` and
/// `key` on this request alone (Requests' `cert=` per call), instead of the
/// session's or the config's. A connection made with one client
/// certificate is never reused with another.
///
/// Returns `REQC_OK`, `REQC_E_IO` (either cannot be read now) or
/// `REQC_E_INVALID_ARGUMENT` (message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_client_cert(
    request: *mut reqc_request,
    cert: *const c_char,
    key: *const c_char,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            l.options_mut()
                .set_client_cert(str_arg(cert, "cert")?, str_arg(key, "key")?)
        })
    }
}

/// The lowest TLS version this request accepts:
/// `REQC_TLS_VERSION_1_2` or `REQC_TLS_VERSION_1_3`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (another value; message
/// on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_set_min_tls_version(
    request: *mut reqc_request,
    version: reqc_tls_version,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        options::edit(Target::Request(request), |l| {
            options::set_min_tls(l, version)
        })
    }
}

/// Unsets `option` on this request: the session's value applies again,
/// else the config's, else the built-in default. Not an explicit value:
/// `reqc_request_set_auth_none` sends no auth whatever the session sets,
/// `reqc_request_unset(request, REQC_OPTION_AUTH)` sends the session's.
/// `REQC_OPTION_HEADERS` forgets every header this request set, added or
/// removed; `REQC_OPTION_PARAMS` every param it added (the URL's own query
/// stays); `REQC_OPTION_SECRET_HEADERS` its marks. `REQC_OPTION_LOG` does not
/// exist on a request (a request logs through its session's or the
/// config's sink). Hooks are not an option: remove one with
/// `reqc_request_remove_hook`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a `REQC_OPTION_*`
/// value, or one a request does not have; the message names it, on
/// `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_unset(
    request: *mut reqc_request,
    option: reqc_option,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { options::unset(Target::Request(request), option) }
}

/// Cancels the request: a send of it in flight on any thread ends promptly
/// with `REQC_E_CANCELLED` (its connection is closed, never reused, also
/// an HTTP/2 one), and so
/// does every later send of it, like a cancelled Go context. Copies made by
/// `reqc_request_clone` are not affected.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`. Thread-safe: it ends
/// the sends of `request` running on other threads.
#[no_mangle]
pub unsafe extern "C" fn reqc_request_cancel(request: *mut reqc_request) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(request, |r| {
            r.cancel.cancel();
            Ok(())
        })
    }
}
