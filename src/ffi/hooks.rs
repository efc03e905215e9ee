//! Event hooks, as in Requests: C functions called at five points of every
//! send, registered on a request or a session (session hooks run first),
//! each kind in registration order, removable by the id registration
//! returns. One callback type serves every kind; a `reqc_hook_ctx` shows
//! each kind what it may see and change: ARGS the request before anything
//! is prepared, PRE_REQUEST the prepared request of each hop, POST_REQUEST
//! the connection once the request is sent, HEADERS each hop's status and
//! headers before any body byte (to refuse a download early), RESPONSE
//! each hop's response. They run in every send style alike: `reqc_send`,
//! `reqc_session_send`, batches (perform, poll, event loop), with or
//! without a data callback.
//! A hook answers CONTINUE, ERROR (a warning, the send goes on) or ABORT.
//!
//! Thread rule: a hook runs on the sending thread, during the send; the
//! context and everything obtained from it are valid only during the call.

// Event hooks from C: one callback type for every kind, a context object
// through which each kind sees and changes what it may.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::Arc;

use super::boundary::{
    borrow, bytes_arg, error_text, guard_or, opt_str_arg, str_arg, take, with_handle, write_out,
    ErrorSlot, Failing, Handle, Tagged,
};
use super::callbacks::{reqc_free_fn, Userdata};
use super::code::reqc_code;
use super::request::reqc_request;
use super::response::reqc_response;
use super::session::reqc_session;
use crate::core::error::{Error, Result};
use crate::core::hooks::{Flow, Hook, HookCall, HookData, HookKind, SentInfo};
use crate::core::response::Edits;

/// When a hook runs: one of the `REQC_HOOK_KIND_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_hook_kind = c_int;
/// What a hook answers: one of the `REQC_HOOK_RESULT_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_hook_result = c_int;
/// A hook registration's id, from `reqc_request_add_hook` or
/// `reqc_session_add_hook`: unique in the process, never 0.
#[allow(non_camel_case_types)]
pub type reqc_hook_id = u64;

/// Called once per send, before anything is prepared, with a per-send copy
/// of the request: every `reqc_request_*` setter works on
/// `reqc_hook_ctx_request(ctx)` and the change is what gets sent; the
/// caller's request stays as it was.
pub const REQC_HOOK_KIND_ARGS: reqc_hook_kind = 1;
/// Called before each transfer (each redirect hop) with the prepared
/// request, exactly as it goes out: the hop's method and URL (params
/// applied; after a redirect, its target), every header as sent (every
/// layer merged: session and config headers, auth, User-Agent,
/// Content-Type, Accept-Encoding; cookies attached as `Cookie`;
/// `Content-Length` when known; not the `Host` and default `Accept` libcurl
/// writes itself unless the request sets them) and the hop's body. Read it with
/// `reqc_request_header`, `_header_count`, `_header_at`, `reqc_request_body`,
/// `reqc_request_method` and `reqc_request_url` on
/// `reqc_hook_ctx_request(ctx)`, e.g. to sign it (examples/signing_hook.c).
/// Header changes (`reqc_request_set_header`, `_add_header`, NULL to
/// remove) are sent, also a header added after reading the others, and
/// show in `reqc_response_request`; other changes (method, URL, body,
/// options, and `Content-Length`, which libcurl writes from the body) are
/// ignored.
pub const REQC_HOOK_KIND_PRE_REQUEST: reqc_hook_kind = 2;
/// Called once per transfer when the request has been sent, at the first
/// response byte and before any body callback: `reqc_hook_ctx_remote_ip`,
/// `_remote_port` and `_connection_reused` tell what the transfer knows.
pub const REQC_HOOK_KIND_POST_REQUEST: reqc_hook_kind = 3;
/// Called once per transfer (each redirect hop, each attempt of a retried
/// hop that gets a response) as soon as the hop's final status line and
/// all its headers are in, and before any body byte reaches the caller
/// (the data callback, the buffered body, a batch item): Typhoeus'
/// `on_headers`. Interim 1xx responses (`100 Continue`, `101 Switching
/// Protocols`) and a proxy's CONNECT reply do not run it; a redirect hop
/// does, like RESPONSE (`reqc_hook_ctx_hop` tells them apart), and so does
/// an attempt whose status will be retried.
/// `reqc_hook_ctx_response(ctx)` reads the response as far as it is known:
/// status, reason, headers, URL, HTTP version, remote IP and port, and the
/// request as sent (`reqc_response_request`); its body is empty. It is
/// read-only: the `reqc_hook_ctx_set_response*` setters return
/// `REQC_E_INVALID_ARGUMENT`. `reqc_hook_ctx_request(ctx)` lends the
/// request as sent (changes to it are ignored), and `reqc_hook_ctx_remote_ip`,
/// `_remote_port`, `_connection_reused` work as in POST_REQUEST.
/// Returning `REQC_HOOK_RESULT_ABORT` refuses the body: the send ends with
/// `REQC_E_ABORTED` ("a headers hook aborted the request: METHOD URL")
/// before any body byte is delivered (the data callback is never called,
/// no response is handed out), and the hop is not retried. Its connection
/// is closed, never reused (on HTTP/2 too): the rest of its body was never
/// read. In a batch, only that item ends so; the others go on.
/// `REQC_HOOK_RESULT_ERROR` logs a warning and the send goes on, as for
/// the other kinds.
pub const REQC_HOOK_KIND_HEADERS: reqc_hook_kind = 5;
/// Called for every response, each redirect hop included:
/// `reqc_hook_ctx_response(ctx)` reads it; `reqc_hook_ctx_set_response_status`,
/// `_set_response_header` and `_set_response_body` change it, and
/// `reqc_hook_ctx_set_response` replaces it (changes apply when the hook
/// returns, and the possibly changed response decides whether a redirect is
/// followed).
pub const REQC_HOOK_KIND_RESPONSE: reqc_hook_kind = 4;

/// A hook's answer: go on.
pub const REQC_HOOK_RESULT_CONTINUE: reqc_hook_result = 0;
/// A hook's answer: it failed; a warning naming the hook kind and the
/// request goes to the log, and the request goes on.
pub const REQC_HOOK_RESULT_ERROR: reqc_hook_result = 1;
/// A hook's answer: end the send with `REQC_E_ABORTED`; its connection is
/// not reused.
pub const REQC_HOOK_RESULT_ABORT: reqc_hook_result = 2;

/// A hook: `kind` says which point of the send calls it; `ctx` and every pointer obtained
/// from it are valid only during the call. Returns `REQC_HOOK_RESULT_CONTINUE`,
/// `REQC_HOOK_RESULT_ERROR` or `REQC_HOOK_RESULT_ABORT` (any other value counts as
/// `REQC_HOOK_RESULT_ERROR`). Runs on the thread that called the send.
#[allow(non_camel_case_types)]
pub type reqc_hook_fn = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        kind: reqc_hook_kind,
        ctx: *mut reqc_hook_ctx,
    ) -> reqc_hook_result,
>;

/// What a hook sees (opaque); valid only during the hook's call.
#[allow(non_camel_case_types)]
pub struct reqc_hook_ctx {
    hop: u32,
    attempt: u32,
    request: Option<Tagged<reqc_request>>,
    response: Option<Tagged<reqc_response>>,
    sent: Option<(SentInfo, CString)>,
    /// True when the response setters may change the response (RESPONSE).
    editable: bool,
    /// Changes to apply to the response when the hook returns. A cell: C
    /// holds only a shared pointer to the context.
    edits: RefCell<ResponseEdits>,
    errors: ErrorSlot,
}

/// A RESPONSE hook's changes: a replacement handed over from C, and the
/// engine's edits applied on top of whichever response is left.
#[derive(Default)]
struct ResponseEdits {
    replacement: Option<Box<Tagged<reqc_response>>>,
    changes: Edits,
}

impl Handle for reqc_hook_ctx {
    const TAG: u32 = 0x686f_6f6b; // "hook"
}

impl Failing for reqc_hook_ctx {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

fn kind_of(kind: reqc_hook_kind) -> Result<HookKind> {
    Ok(match kind {
        REQC_HOOK_KIND_ARGS => HookKind::Args,
        REQC_HOOK_KIND_PRE_REQUEST => HookKind::PreRequest,
        REQC_HOOK_KIND_POST_REQUEST => HookKind::PostRequest,
        REQC_HOOK_KIND_HEADERS => HookKind::Headers,
        REQC_HOOK_KIND_RESPONSE => HookKind::Response,
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a REQC_HOOK_KIND_* value"
            )))
        }
    })
}

fn kind_value(kind: HookKind) -> reqc_hook_kind {
    match kind {
        HookKind::Args => REQC_HOOK_KIND_ARGS,
        HookKind::PreRequest => REQC_HOOK_KIND_PRE_REQUEST,
        HookKind::PostRequest => REQC_HOOK_KIND_POST_REQUEST,
        HookKind::Headers => REQC_HOOK_KIND_HEADERS,
        HookKind::Response => REQC_HOOK_KIND_RESPONSE,
    }
}

/// A registered C hook; its userdata is freed when the last registration
/// holder (request copies, sessions, sends in flight) lets go.
struct CHook {
    hook: unsafe extern "C" fn(*mut c_void, c_int, *mut reqc_hook_ctx) -> c_int,
    userdata: Userdata,
}

impl Hook for CHook {
    fn call(&self, call: &mut HookCall<'_>) -> Flow {
        let mut ctx = reqc_hook_ctx {
            hop: call.hop,
            attempt: call.attempt,
            request: None,
            response: None,
            sent: None,
            editable: matches!(call.data, HookData::Response(_)),
            edits: RefCell::default(),
            errors: ErrorSlot::default(),
        };
        match &mut call.data {
            HookData::Request(r) => {
                ctx.request = Some(Tagged::lent(reqc_request::new((**r).clone())))
            }
            HookData::Response(r) => {
                ctx.response = Some(Tagged::lent(reqc_response::new(Box::new(std::mem::take(
                    *r,
                )))))
            }
            HookData::Head(r, info) => {
                if let Some(sent) = &r.request {
                    ctx.request = Some(Tagged::lent(reqc_request::new((**sent).clone())));
                }
                let ip = CString::new(&*info.remote_ip).unwrap_or_default();
                ctx.sent = Some(((*info).clone(), ip));
                ctx.response = Some(Tagged::lent(reqc_response::new(Box::new(std::mem::take(
                    *r,
                )))))
            }
            HookData::Sent(info) => {
                let ip = CString::new(&*info.remote_ip).unwrap_or_default();
                ctx.sent = Some(((*info).clone(), ip));
            }
        }
        // SAFETY: the caller registered `hook` with this userdata; `ctx`
        // lives until after the call returns.
        let ctx = Tagged::lent(ctx);
        let rc = unsafe {
            (self.hook)(
                self.userdata.ptr(),
                kind_value(call.kind),
                ctx.as_ptr().cast_mut(),
            )
        };
        let reqc_hook_ctx {
            request,
            response,
            edits,
            ..
        } = ctx.into_inner();
        let edits = edits.into_inner();
        match &mut call.data {
            HookData::Request(r) => {
                if let Some(lent) = request {
                    **r = lent.get().snapshot();
                }
            }
            HookData::Response(r) => {
                let mut out = match (edits.replacement, response) {
                    (Some(new), _) => new.into_inner().into_core(),
                    (None, Some(old)) => old.into_inner().into_core(),
                    (None, None) => unreachable!("a response hook always has a response"),
                };
                edits.changes.apply(&mut out);
                **r = out;
            }
            // Read-only: the next hook sees it as received.
            HookData::Head(r, _) => {
                if let Some(lent) = response {
                    **r = lent.into_inner().into_core();
                }
            }
            HookData::Sent(_) => {}
        }
        match rc {
            REQC_HOOK_RESULT_CONTINUE => Flow::Continue,
            REQC_HOOK_RESULT_ABORT => Flow::Abort,
            _ => Flow::Warn,
        }
    }
}

fn registration(hook: reqc_hook_fn, userdata: Userdata) -> Result<Arc<dyn Hook>> {
    let hook = hook.ok_or_else(|| Error::invalid("hook function is NULL"))?;
    Ok(Arc::new(CHook { hook, userdata }))
}

/// Registers `hook` for `kind` on the request; several hooks of a kind run
/// in registration order, after the session's. Copies of the request share
/// the registration. `free_userdata` (may be NULL) is called exactly once
/// with `userdata`, after the last possible call of `hook`: when the last
/// request copy holding it is freed, or before this returns if it fails.
///
/// Writes the registration's id to `*hook_id_out` (`hook_id_out` may be
/// NULL) for `reqc_request_remove_hook`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (unknown kind, NULL
/// hook; message on `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_add_hook(
    request: *mut reqc_request,
    kind: reqc_hook_kind,
    hook: reqc_hook_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
    hook_id_out: *mut reqc_hook_id,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(request, move |r| {
            let kind = kind_of(kind)?;
            let hook = registration(hook, userdata)?;
            let id = r.edit(|q| Ok(q.hooks.add(kind, hook)))?;
            write_out(hook_id_out, id);
            Ok(())
        })
    }
}

/// Registers `hook` for `kind` on the session: it runs for every request
/// the session sends (before the request's own hooks), on the sending
/// thread. `free_userdata` runs exactly once, when the session is freed and
/// no send holds the registration any more (or before this returns if it
/// fails). Thread-safe.
///
/// Writes the registration's id to `*hook_id_out` (`hook_id_out` may be
/// NULL) for `reqc_session_remove_hook`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_add_hook(
    session: *mut reqc_session,
    kind: reqc_hook_kind,
    hook: reqc_hook_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
    hook_id_out: *mut reqc_hook_id,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, move |h| {
            let kind = kind_of(kind)?;
            let hook = registration(hook, userdata)?;
            let id = h.session.edit_defaults(|l| Ok(l.hooks.add(kind, hook)))?;
            write_out(hook_id_out, id);
            Ok(())
        })
    }
}

/// Removes the hook registered on `request` with id `hook_id`, as Requests'
/// `deregister_hook`: later sends of this request (and of copies made
/// after this call) no longer run it; a send already running keeps the
/// hooks it started with, so a hook may remove itself (or another) during
/// a send: the removal takes effect from the next send. Copies made before
/// this call keep the registration. Its `free_userdata` runs exactly once,
/// when no copy of the request and no running send holds the registration
/// (at this call, or when that send returns).
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (no hook with that id on this
/// request: 0, another request's or a session's id, or one removed
/// already; message on `request`, e.g. "no hook with id 7 on this
/// request") or `REQC_E_INVALID_ARGUMENT` (NULL `request`).
#[no_mangle]
pub unsafe extern "C" fn reqc_request_remove_hook(
    request: *mut reqc_request,
    hook_id: reqc_hook_id,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        with_handle(request, |r| {
            r.edit(|q| removed(q.hooks.remove(hook_id), hook_id, "request"))
        })
    }
}

/// Removes the hook registered on `session` with id `hook_id`: sends that
/// start after this call no longer run it; sends already running (on other
/// threads, or the one whose hook calls this, itself included) keep it and
/// run it to their end, and so does a batch run under way, for each of its
/// items (it started with the session's hooks); a batch performed after
/// this call does not run it, even for items added before. Its `free_userdata` runs exactly once, when no
/// running send holds the registration (at this call, or when the last
/// such send returns). Thread-safe.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (no hook with that id on this
/// session: 0, another session's or a request's id, or one removed
/// already; message on `session`) or `REQC_E_INVALID_ARGUMENT` (NULL
/// `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_remove_hook(
    session: *mut reqc_session,
    hook_id: reqc_hook_id,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        with_handle(session, |h| {
            h.session
                .edit_defaults(|l| removed(l.hooks.remove(hook_id), hook_id, "session"))
        })
    }
}

fn removed(found: bool, id: reqc_hook_id, on: &str) -> Result<()> {
    if found {
        Ok(())
    } else {
        Err(Error::new(
            crate::core::error::Code::NotFound,
            format!("no hook with id {id} on this {on}"),
        ))
    }
}

/// ARGS and PRE_REQUEST: the request, lent for this call (read it with the
/// `reqc_request_*` getters, change it with the setters; never free it).
/// ARGS: the per-send copy of the caller's request (its own headers and
/// body, before any merging). PRE_REQUEST: the prepared request of this
/// hop, as `REQC_HOOK_KIND_PRE_REQUEST` says. HEADERS: the request this hop
/// sent, to read (it is gone: changes are ignored).
///
/// Returns the request, valid during the hook's call (pointers its getters
/// return: until it changes or the call ends); NULL for other kinds and
/// for NULL `ctx`.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_request(ctx: *mut reqc_hook_ctx) -> *mut reqc_request {
    guard_or(std::ptr::null_mut(), || {
        // SAFETY: forwarded from this function's contract.
        match unsafe { borrow(ctx) } {
            Some(c) => c
                .request
                .as_ref()
                .map_or(std::ptr::null_mut(), |r| r.as_ptr().cast_mut()),
            None => std::ptr::null_mut(),
        }
    })
}

/// RESPONSE: the hop's response as received (read it with the
/// `reqc_response_*` getters; never free it). HEADERS: the hop's response
/// as far as it is known (status, headers, URL, HTTP version, remote
/// address, `reqc_response_request`; empty body), read-only. NULL for
/// other kinds.
///
/// Returns the lent response (valid during the hook's call), or NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_response(ctx: *const reqc_hook_ctx) -> *const reqc_response {
    guard_or(std::ptr::null(), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(ctx) }
            .and_then(|c| c.response.as_ref())
            .map_or(std::ptr::null(), Tagged::as_ptr)
    })
}

/// Which transfer of the send this is, from 0 (redirect hops count up);
/// 0 for ARGS and for NULL.
///
/// Returns the hop number.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_hop(ctx: *const reqc_hook_ctx) -> c_int {
    // SAFETY: forwarded from this function's contract.
    guard_or(0, || {
        unsafe { borrow(ctx) }.map_or(0, |c| c_int::try_from(c.hop).unwrap_or(c_int::MAX))
    })
}

/// Which attempt at this hop this is, from 1: a retry (see
/// `reqc_request_set_retries`) counts up, and a redirect hop starts again
/// at one. PRE_REQUEST and POST_REQUEST run once per attempt, HEADERS and
/// RESPONSE once per attempt that gets a response;
/// ARGS (once per send) and a NULL `ctx` see 1.
///
/// Returns the attempt number, from 1.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_attempt(ctx: *const reqc_hook_ctx) -> c_int {
    // SAFETY: forwarded from this function's contract.
    guard_or(1, || {
        unsafe { borrow(ctx) }.map_or(1, |c| c_int::try_from(c.attempt).unwrap_or(c_int::MAX))
    })
}

/// POST_REQUEST and HEADERS: the server's IP address ("" otherwise). Valid during the call.
///
/// Returns the address, valid during the hook's call; "" when unknown.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_remote_ip(ctx: *const reqc_hook_ctx) -> *const c_char {
    guard_or(c"".as_ptr(), || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(ctx) }
            .and_then(|c| c.sent.as_ref())
            .map_or(c"".as_ptr(), |(_, ip)| ip.as_ptr())
    })
}

/// POST_REQUEST and HEADERS: the server's port (0 otherwise).
///
/// Returns the port; 0 when unknown.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_remote_port(ctx: *const reqc_hook_ctx) -> c_int {
    guard_or(0, || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(ctx) }
            .and_then(|c| c.sent.as_ref())
            .map_or(0, |(info, _)| c_int::from(info.remote_port))
    })
}

/// POST_REQUEST and HEADERS: 1 when the transfer reused a kept-alive
/// connection, 0 when it opened a new one (or for other kinds).
///
/// Returns 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_connection_reused(ctx: *const reqc_hook_ctx) -> c_int {
    guard_or(0, || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(ctx) }
            .and_then(|c| c.sent.as_ref())
            .map_or(0, |(info, _)| c_int::from(info.reused_connection))
    })
}

unsafe fn edit_response(
    ctx: *mut reqc_hook_ctx,
    f: impl FnOnce(&mut ResponseEdits) -> Result<()>,
) -> reqc_code {
    // SAFETY: forwarded from the caller's contract. A failure's message
    // stays on the context, for `reqc_hook_ctx_error`.
    unsafe {
        with_handle(ctx, |c| {
            if c.response.is_none() {
                return Err(Error::invalid(
                    "the context has no response: response setters work in RESPONSE hooks only",
                ));
            }
            if !c.editable {
                return Err(Error::invalid(
                    "a HEADERS hook's response is read-only: response setters work in RESPONSE hooks only",
                ));
            }
            f(&mut c.edits.borrow_mut())
        })
    }
}

/// The message of the last failed call on `ctx` (a `reqc_hook_ctx_set_*`
/// setter), e.g. "REQC_E_INVALID_ARGUMENT: status 42 is not 100 to 999";
/// "" when none failed. A setter called on the lent request
/// (`reqc_hook_ctx_request`) leaves its message on that request
/// (`reqc_request_error`).
///
/// Returns the message, borrowed from `ctx` until its next failed call or
/// the end of the hook's call; "" when none failed or for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_error(ctx: *const reqc_hook_ctx) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { error_text(ctx) }
}

/// RESPONSE: replaces the response with `replacement` (for instance one
/// obtained by sending again); on success this takes ownership of
/// `replacement`: do not free it.
/// Applied when the hook returns; edits made with the other setters apply
/// on top of it.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a RESPONSE hook, NULL,
/// or a history entry; then `replacement` still belongs to the caller;
/// message: `reqc_hook_ctx_error`).
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_set_response(
    ctx: *mut reqc_hook_ctx,
    replacement: *mut reqc_response,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit_response(ctx, |c| {
            // SAFETY: the caller hands over a response it owns.
            let taken = take(replacement);
            let new = taken.ok_or_else(|| {
                Error::invalid("replacement is NULL, not a response, or a history entry")
            })?;
            c.replacement = Some(new);
            Ok(())
        })
    }
}

/// RESPONSE: sets the status code (100 to 999; the reason becomes the
/// standard phrase). Applied when the hook returns.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message: `reqc_hook_ctx_error`).
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_set_response_status(
    ctx: *mut reqc_hook_ctx,
    status: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { edit_response(ctx, |c| c.changes.set_status(i64::from(status))) }
}

/// RESPONSE: sets response header `name` to `value`, replacing every value
/// of that name; NULL removes it. Applied when the hook returns.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message: `reqc_hook_ctx_error`).
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_set_response_header(
    ctx: *mut reqc_hook_ctx,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit_response(ctx, |c| {
            let name = str_arg(name, "header name")?;
            let value = opt_str_arg(value, "header value")?;
            c.changes.set_header(name, value)
        })
    }
}

/// RESPONSE: sets the response body to a copy of `len` bytes at `data`.
/// Applied when the hook returns.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message: `reqc_hook_ctx_error`).
#[no_mangle]
pub unsafe extern "C" fn reqc_hook_ctx_set_response_body(
    ctx: *mut reqc_hook_ctx,
    data: *const u8,
    len: usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        edit_response(ctx, |c| {
            c.changes.set_body(bytes_arg(data, len, "data")?.to_vec());
            Ok(())
        })
    }
}
