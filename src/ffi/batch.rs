//! A `reqc_batch` is the concurrent map over many requests (Requests'
//! `async.map`, Typhoeus' Hydra): add requests, run them at a bounded
//! concurrency on one curl multi handle of a session, and take each result
//! as it lands or by index afterwards. Run it on the calling thread
//! (`reqc_batch_perform`, or `reqc_batch_poll` step by step), or drive it
//! from your own event loop (`reqc_batch_set_socket_callbacks`,
//! `reqc_batch_start`, `reqc_batch_socket_action`,
//! `reqc_batch_timeout_action`).
//!
//! Items come from `reqc_batch_add` (each queued request is kept, with its
//! result, until the batch is freed) and, for maps over more items than fit
//! in memory, from a source callback (`reqc_batch_set_source_callback`)
//! that the batch pulls its next request from when a slot frees, after the
//! added items: memory then depends on the concurrency, not on how many
//! items the source produces. Added and source-fed items share one running
//! index (0, 1, 2…). A source-fed item's result goes only to the complete
//! callback and the batch keeps nothing of it.
//!
//! Thread rule: perform, poll and the event-loop calls run every transfer,
//! hook and callback on the thread that calls them, one call at a time;
//! `reqc_batch_cancel` may be called from any thread and from inside any
//! callback; `reqc_batch_add` and the item getters from inside callbacks or
//! between runs.

// `reqc_batch`: the concurrent map on one curl multi handle.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::boundary::{
    borrow, code_of, error_text, guard, guard_or, into_raw, outcome, release, take, with_handle,
    write_out, ErrorSlot, Failing, Handle,
};
use super::callbacks::{reqc_free_fn, Userdata};
use super::code::{reqc_code, reqc_code_name, REQC_E_INVALID_ARGUMENT, REQC_OK};
use super::request::reqc_request;
use super::response::reqc_response;
use super::session::reqc_session;
use super::Lane;
use crate::core::batch::{Batch, Source};
use crate::core::error::{Code, Error, Result};
use crate::core::request::Request;
use crate::core::session::Session;
use crate::core::transfer::{SocketWatcher, Watch};

/// What an event loop watches a socket for, or what it found: one of the
/// `REQC_WATCH_*` constants (`REQC_WATCH_INOUT` is `_IN | _OUT`).
#[allow(non_camel_case_types)]
pub type reqc_watch = c_int;

/// Watch the socket for reading.
pub const REQC_WATCH_IN: reqc_watch = 1;
/// Watch the socket for writing.
pub const REQC_WATCH_OUT: reqc_watch = 2;
/// Watch the socket for reading and writing.
pub const REQC_WATCH_INOUT: reqc_watch = 3;
/// Stop watching the socket.
pub const REQC_WATCH_REMOVE: reqc_watch = 4;

/// How many items a batch runs at once until `reqc_batch_set_max_concurrency`
/// says otherwise. Bindings take their default from it rather than repeating
/// the number.
pub const REQC_BATCH_DEFAULT_CONCURRENCY: usize = 64;
// The literal is for cbindgen, which writes a `#define` only from one.
const _: () = assert!(REQC_BATCH_DEFAULT_CONCURRENCY == crate::core::batch::DEFAULT_CONCURRENCY);

/// Receives each item's result as it lands, on the thread running the
/// batch: `code` is the item's result code; on `REQC_OK`, `response` is the
/// item's response, now owned by the callback (free it with
/// `reqc_response_free`); otherwise `response` is NULL and
/// `reqc_batch_item_error(batch, index)` says why (for an item from the
/// source, only during this call). The callback may call
/// `reqc_batch_add` (the new item runs in this same perform),
/// `reqc_batch_cancel`, the item getters and `reqc_batch_free` (the batch
/// then goes when the run's call returns; later results of the run still
/// come here); not `reqc_batch_perform` or `_poll` (`REQC_E_INVALID_STATE`).
#[allow(non_camel_case_types)]
pub type reqc_complete_fn = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        batch: *mut reqc_batch,
        index: usize,
        code: reqc_code,
        response: *mut reqc_response,
    ),
>;

/// Gives the batch its next request: the item that gets index `index` (the
/// running index the complete callback will see). Return `REQC_OK` with
/// `*request_out` set to a new request (from `reqc_request_new` or
/// `reqc_request_clone`; the batch takes it over: do not use or free it
/// after), `REQC_OK` with `*request_out` left NULL at the end of the items,
/// or any other code to end the feed early (`*request_out` is then
/// ignored): the batch finishes the items in flight, and the call that
/// ends the run returns that code (`REQC_E_CALLBACK` for a number that is
/// no code) with a message on the batch. Called on the thread running the
/// batch, one item at a time, never again after the end or a failure
/// until a source is set again. It may call `reqc_batch_add` (the added
/// item runs before the next one from the source), `reqc_batch_cancel`
/// and the item getters; not `reqc_batch_perform` or `_poll`.
#[allow(non_camel_case_types)]
pub type reqc_batch_source_fn = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        index: usize,
        request_out: *mut *mut reqc_request,
    ) -> reqc_code,
>;

/// Tells the caller's event loop to watch socket `fd` for `what`
/// (`REQC_WATCH_IN`, `_OUT`, `_INOUT`) or to stop (`REQC_WATCH_REMOVE`).
#[allow(non_camel_case_types)]
pub type reqc_socket_fn =
    Option<unsafe extern "C" fn(userdata: *mut c_void, fd: c_int, what: reqc_watch)>;

/// Tells the caller's event loop to call `reqc_batch_timeout_action` after
/// `timeout_ms` milliseconds (0: as soon as possible), replacing any earlier
/// timer; -1 removes the timer.
#[allow(non_camel_case_types)]
pub type reqc_timer_fn = Option<unsafe extern "C" fn(userdata: *mut c_void, timeout_ms: i64)>;

/// A batch of requests run concurrently (opaque; see Batches).
#[allow(non_camel_case_types)]
pub struct reqc_batch {
    batch: Arc<Batch<Lane>>,
    /// C copies of the added items' messages, kept until the batch is freed.
    messages: Mutex<HashMap<usize, CString>>,
    /// The C copy of the message of the source-fed item being handed to
    /// the complete callback: one slot, so memory does not grow with the
    /// number of items a source produces.
    handing_message: Mutex<Option<CString>>,
    errors: ErrorSlot,
}

impl Handle for reqc_batch {
    const TAG: u32 = 0x6261_7463; // "batc"
}

impl Failing for reqc_batch {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

/// Creates a batch over `session` (its defaults, cookies, hooks and
/// connections apply to every item exactly as in a single send), or over a
/// private session when `session` is NULL (`session` may be NULL). The batch keeps its session
/// alive: they may be freed in either order.
///
/// Returns `REQC_OK` and writes `*batch_out`, or `REQC_E_INVALID_ARGUMENT`
/// (`session` not a session; a NULL `batch_out`, with a message on
/// `session` when there is one).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_new(
    session: *mut reqc_session,
    batch_out: *mut *mut reqc_batch,
) -> reqc_code {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        let given = unsafe { borrow(session) };
        if !session.is_null() && given.is_none() {
            return REQC_E_INVALID_ARGUMENT;
        }
        if batch_out.is_null() {
            // The session, when there is one, holds the message.
            if let Some(s) = given {
                s.errors().set(&Error::invalid("batch_out is NULL"));
            }
            return REQC_E_INVALID_ARGUMENT;
        }
        let session = given.map_or_else(|| Arc::new(Session::new()), |s| s.session.clone());
        let handle = into_raw(reqc_batch {
            batch: Arc::new(Batch::new(session)),
            messages: Mutex::default(),
            handing_message: Mutex::default(),
            errors: ErrorSlot::default(),
        });
        // SAFETY: `batch_out` is non-NULL and writable per the contract.
        unsafe { write_out(batch_out, handle) };
        REQC_OK
    })
}

/// Frees a batch, its unclaimed responses and its callbacks' userdata. NULL
/// is a no-op.
///
/// Freeing a batch that is in use (a call driving it in flight: perform,
/// poll or an event-loop call, from one of its callbacks or from another
/// thread) gives up the caller's reference at once, and the batch goes when
/// that call returns: the call goes on as usual (`reqc_batch_perform` runs
/// every item to its end; call `reqc_batch_cancel` first to end it sooner),
/// its callbacks still run until then, and their `free_userdata` runs after
/// the last of them, on that call's thread. Never touch `batch` after this
/// call (its callbacks may still be handed it until that call returns).
///
/// Freeing a batch between two event-loop calls of a run ends the run: its
/// transfers stop and their connections close, its socket and timer
/// callbacks are removed first and never called again.
///
/// Returns nothing. Thread-safe with the call driving `batch`.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_free(batch: *mut reqc_batch) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule; the call driving
        // the batch holds its own reference (a lease).
        unsafe { release(batch) };
        REQC_OK
    });
}

/// The message of the last failed call on `batch` (perform, poll, a setter,
/// `reqc_batch_result`);
/// "" when none. Borrowed from `batch` until its next failed call or its free.
///
/// Returns the message, borrowed from `batch` until its next failed call or its
/// free; "" when none failed or for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_error(batch: *const reqc_batch) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { error_text(batch) }
}

/// Adds `request` as it is now (later changes to `request` do not affect
/// the item: the item shares the request until `request` next changes,
/// which then copies it, so adding one request many times costs 16 bytes
/// an item); nothing is sent yet. The batch keeps every added item's request until it runs
/// and its result until taken (with `reqc_batch_result`, or handed to the
/// complete callback): for very many items, feed them from a source
/// callback instead (`reqc_batch_set_source_callback`). Writes the item's index (0, 1, 2… in the order added) to
/// `*index_out` (`index_out` may be NULL). Allowed while the batch runs, from its
/// callbacks: the item runs in the same run.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `batch`).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_add(
    batch: *mut reqc_batch,
    request: *const reqc_request,
    index_out: *mut usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            let r = borrow(request)
                .ok_or_else(|| Error::invalid("request is NULL or not a request"))?;
            let i = h.batch.add(r.shared());
            write_out(index_out, i);
            Ok(())
        })
    }
}

/// How many items the batch was given: the added ones, and those pulled
/// from its source so far (0 for NULL). One more than the highest index
/// given.
///
/// Returns the number of items; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_count(batch: *const reqc_batch) -> usize {
    // SAFETY: forwarded from this function's contract.
    guard_or(0, || unsafe { borrow(batch) }.map_or(0, |h| h.batch.len()))
}

/// At most `n` items in flight at once (default
/// `REQC_BATCH_DEFAULT_CONCURRENCY`, 64): at most `n` transfers,
/// easy handles and buffers exist at once, recycled as items finish.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (`n` is 0).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_max_concurrency(
    batch: *mut reqc_batch,
    n: usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { with_handle(batch, |h| h.batch.set_concurrency(n)) }
}

/// At most `n` transfers in flight to one host (name and port) at once (0,
/// the default: no cap beyond the concurrency), whatever connections the
/// session already holds; items and redirect hops to a host at its cap wait
/// for one of its transfers to end, while items for other hosts go ahead.
/// At most `n` connections are opened to it too. Takes effect at the next
/// run.
///
/// Returns `REQC_OK`, or `REQC_E_INVALID_ARGUMENT` (NULL `batch`), or
/// `REQC_E_INVALID_STATE` while the batch runs (message on `batch`).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_max_per_host(
    batch: *mut reqc_batch,
    n: usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            h.batch.set_per_host(n);
            Ok(())
        })
    }
}

/// A deadline for the whole run, in ms from its start (0: none, the
/// default). When it passes, unfinished items end with `REQC_E_TIMEOUT`.
/// Each item's own timeouts apply too.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (negative).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_timeout_ms(batch: *mut reqc_batch, ms: i64) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            let ms = u64::try_from(ms)
                .map_err(|_| Error::invalid(format!("timeout {ms} ms is negative")))?;
            h.batch
                .set_timeout((ms > 0).then(|| Duration::from_millis(ms)));
            Ok(())
        })
    }
}

/// Hands each item's result to `on_complete` as it lands, instead of keeping
/// it for `reqc_batch_result` (see `reqc_complete_fn`). `on_complete` may be NULL: that stops it.
/// `free_userdata` runs exactly once: when the callback is replaced or the
/// batch freed, or before this returns if it fails.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_complete_callback(
    batch: *mut reqc_batch,
    on_complete: reqc_complete_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    // Without a callback the userdata is dropped (and freed) with the
    // unused closure, as the registration rule says.
    let userdata = Userdata::new(userdata, free_userdata);
    let callback = on_complete.map(|f| complete_callback(f, userdata, batch));
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, move |h| {
            h.batch.set_on_complete(callback);
            Ok(())
        })
    }
}

/// The engine's completion callback over a C one.
fn complete_callback(
    f: unsafe extern "C" fn(*mut c_void, *mut reqc_batch, usize, reqc_code, *mut reqc_response),
    userdata: Userdata,
    batch: *mut reqc_batch,
) -> crate::core::batch::OnComplete {
    let batch = batch as usize;
    Box::new(move |index, result| {
        let (code, response) = match result {
            Ok(r) => (REQC_OK, into_raw(reqc_response::new(r))),
            Err(e) => (code_of(e.code), std::ptr::null_mut()),
        };
        // SAFETY: the caller registered `f` with this userdata; `batch` is
        // the batch's handle, alive while it runs (the call driving it holds
        // a lease, so a free waits for its end), and `response` is handed
        // over to the callback.
        unsafe {
            f(
                userdata.ptr(),
                batch as *mut reqc_batch,
                index,
                code,
                response,
            )
        };
    })
}

/// Feeds the batch from `source` (see `reqc_batch_source_fn`): each time a
/// slot frees and no added item waits, the batch calls it for its next
/// request, so at most the concurrency's worth of requests and responses
/// exist at once however many items it produces (Python's `imap` over a
/// generator). Added items run first, and items added while it runs go
/// before its next one. A source-fed item's result goes only to the
/// complete callback, which is required (perform, poll and
/// `reqc_batch_start` return `REQC_E_INVALID_STATE` without one), and the
/// batch keeps nothing of it: `reqc_batch_result` on its index returns
/// `REQC_E_NOT_FOUND`, `reqc_batch_item_error` answers only during its
/// complete callback. `reqc_batch_cancel` stops the pulling along with the
/// run. Works with perform, poll and the event-loop calls alike; one run
/// goes on until the source's end (a run that ends it, or finds it ended,
/// returns with every item done). `source` may be NULL: that removes the
/// source. A new source starts a new feed, also after the end of the last
/// one. `free_userdata` runs exactly once: when the source is replaced or
/// removed (before this returns) or the batch freed, or before this
/// returns if it fails.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT` (NULL `batch`) or
/// `REQC_E_INVALID_STATE` (called while a call drives the batch, e.g. from
/// one of its callbacks; message on `batch`).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_source_callback(
    batch: *mut reqc_batch,
    source: reqc_batch_source_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    // Without a source the userdata is dropped (and freed) with the unused
    // closure, as the registration rule says.
    let userdata = Userdata::new(userdata, free_userdata);
    let source = source.map(|f| source_callback(f, userdata));
    // SAFETY: forwarded from this function's contract.
    unsafe { with_handle(batch, move |h| h.batch.set_source(source)) }
}

/// The engine's source over a C one.
fn source_callback(
    f: unsafe extern "C" fn(*mut c_void, usize, *mut *mut reqc_request) -> reqc_code,
    userdata: Userdata,
) -> Source {
    Box::new(move |index| {
        let mut given: *mut reqc_request = std::ptr::null_mut();
        // SAFETY: the caller registered `f` with this userdata; `given` is
        // a live local it may write a request handle to.
        let rc = unsafe { f(userdata.ptr(), index, &mut given) };
        if rc != REQC_OK {
            let code = Code::from_i32(rc).unwrap_or(Code::Callback);
            // SAFETY: reqc_code_name returns a static string for any number.
            let name = unsafe { std::ffi::CStr::from_ptr(reqc_code_name(rc)) };
            return Err(Error::new(
                code,
                format!("it returned {} ({rc})", name.to_string_lossy()),
            ));
        }
        if given.is_null() {
            return Ok(None);
        }
        // SAFETY: a non-NULL handle the callback handed over, per the
        // callback's contract.
        unsafe { take_request(given) }.map(Some)
    })
}

/// The request behind a handle C handed over: moved out when C held the
/// only reference, else copied and C's reference given up (a call still
/// using it, from another thread, keeps it until it returns).
///
/// # Safety
/// `given` is non-NULL and per the header's preamble rule; C does not use
/// it after.
unsafe fn take_request(given: *mut reqc_request) -> Result<Request> {
    // SAFETY: forwarded from this function's contract.
    if let Some(handle) = unsafe { take(given) } {
        return Ok(handle.into_inner().into_request());
    }
    // SAFETY: as above.
    let request = unsafe { borrow(given) }
        .map(|r| r.snapshot())
        .ok_or_else(|| {
            Error::invalid("the source callback gave something that is not a request")
        })?;
    // SAFETY: as above; C's reference is given up here, once.
    unsafe { release(given) };
    Ok(request)
}

/// Runs every item concurrently and returns when all have finished, or the
/// batch was cancelled or its deadline passed. One item's failure never
/// fails or delays the others: each item has its own code
/// (`reqc_batch_result`). All four hooks run for every item, and every
/// callback, on the calling thread. Uses curl's poll interface, never
/// select(): descriptors above 1024 are fine.
///
/// Never uses the socket callbacks, and never takes over an event-loop run:
/// while a run started with `reqc_batch_start` is under way, perform and
/// poll return `REQC_E_INVALID_STATE`.
///
/// May block on the network: it returns when every item has finished.
///
/// The proxy environment (`http_proxy`, `no_proxy`, the CA variables: see
/// docs/c.md) is read once per call, when first needed, and that snapshot
/// serves every hop the call starts: a `setenv` made during the call (from
/// a callback, say) is seen only by hops a later perform, poll or
/// event-loop call starts. A single send reads it at each hop.
///
/// Returns `REQC_OK` (whatever the items' codes), or
/// `REQC_E_INVALID_STATE` when the batch is already running (a callback
/// calling perform, or an event-loop run under way) or has a source but no
/// complete callback, `REQC_E_TRANSPORT`, or the code a source callback
/// returned to end its feed early (after every item in flight finished);
/// message on `batch`.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_perform(batch: *mut reqc_batch) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { with_handle(batch, |h| h.batch.perform()) }
}

/// One step of the run for a caller with its own loop: starts what may
/// start, waits at most `timeout_ms` for activity, and takes what finished.
/// Writes 1 to `*done_out` when every item has finished, else 0
/// (`done_out` may be NULL). The hops a step starts read the proxy
/// environment as it was when the step began (one snapshot per call, as
/// `reqc_batch_perform`).
///
/// May block on the network, for at most `timeout_ms`.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT` (negative timeout),
/// `REQC_E_INVALID_STATE` (the batch is running elsewhere, or an event-loop
/// run started with `reqc_batch_start` is under way, or it has a source but
/// no complete callback), `REQC_E_TRANSPORT`, or, from the call that ends
/// the run, the code its source callback returned to end the feed early
/// (the run is over then: `*done_out` is not written).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_poll(
    batch: *mut reqc_batch,
    timeout_ms: i64,
    done_out: *mut c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            let ms = u64::try_from(timeout_ms)
                .map_err(|_| Error::invalid(format!("timeout {timeout_ms} ms is negative")))?;
            let finished = h.batch.poll(Duration::from_millis(ms))?;
            write_out(done_out, c_int::from(finished));
            Ok(())
        })
    }
}

/// Cancels the batch from any thread or callback: the run returns promptly
/// (within a short internal poll interval, never waiting for the items' own
/// timeouts); unfinished items end with `REQC_E_CANCELLED` and their
/// connections are closed; finished ones keep their results. A cancelled
/// batch stays cancelled.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_cancel(batch: *mut reqc_batch) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            h.batch.cancel();
            Ok(())
        })
    }
}

/// Moves item `index`'s response to `*response_out` (free it with
/// `reqc_response_free`); the batch keeps it no longer.
///
/// Returns `REQC_OK`; the item's own failure code (e.g. `REQC_E_CONNECT`,
/// `REQC_E_TIMEOUT`, `REQC_E_CANCELLED`, with `reqc_batch_item_error`
/// saying why) without writing `*response_out`, also after on_complete saw it;
/// `REQC_E_NOT_FOUND` when there is no such item, its response was
/// already taken or handed to on_complete, or it came from the source
/// (its result went to the complete callback only); `REQC_E_INVALID_STATE` when it
/// has not finished; `REQC_E_INVALID_ARGUMENT` for a NULL argument. These
/// last three leave a message on `batch` (`reqc_batch_error`; not for a
/// NULL `batch`); an item's own failure code leaves `reqc_batch_error` as
/// it was.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_result(
    batch: *mut reqc_batch,
    index: usize,
    response_out: *mut *mut reqc_response,
) -> reqc_code {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        let Some(h) = (unsafe { borrow(batch) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        // A failure of this call leaves its message on the batch; an item's
        // own failure code keeps its message at `reqc_batch_item_error`.
        let refuse =
            |code: Code, message: String| outcome(Err(Error::new(code, message)), Some(&h.errors));
        if response_out.is_null() {
            return refuse(Code::InvalidArgument, "response_out is NULL".into());
        }
        let count = h.batch.len();
        if index >= count {
            return refuse(
                Code::NotFound,
                format!("no item {index}: the batch holds {count}"),
            );
        }
        if !h.batch.is_kept(index) {
            return refuse(
                Code::NotFound,
                format!("item {index} came from the source: its result went to the complete callback only"),
            );
        }
        if !h.batch.is_finished(index) {
            return refuse(Code::InvalidState, format!("item {index} has not finished"));
        }
        match h.batch.take(index) {
            Some(Ok(response)) => {
                // SAFETY: `response_out` is non-NULL and writable per the contract.
                unsafe { write_out(response_out, into_raw(reqc_response::new(response))) };
                REQC_OK
            }
            Some(Err(e)) => code_of(e.code),
            None => match h.batch.item_error(index) {
                Some(e) => code_of(e.code),
                None => refuse(
                    Code::NotFound,
                    format!("item {index}'s response was already taken or handed to on_complete"),
                ),
            },
        }
    })
}

/// The message of item `index`'s failure (naming its URL), "" when it did
/// not fail or has not finished. An item from the source has one only while
/// its complete callback runs.
///
/// Returns the message, borrowed from `batch` until it is freed (for an
/// item from the source: until its complete callback returns); "" when the
/// item did not fail, has not finished, or for a NULL `batch` or an index
/// out of range.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_item_error(
    batch: *const reqc_batch,
    index: usize,
) -> *const c_char {
    guard_or(c"".as_ptr(), || {
        // SAFETY: forwarded from this function's contract.
        let Some(h) = (unsafe { borrow(batch) }) else {
            return c"".as_ptr();
        };
        let Some(e) = h.batch.item_error(index) else {
            return c"".as_ptr();
        };
        if !h.batch.is_kept(index) {
            let mut slot = h
                .handing_message
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // The CString's buffer lives until the next source-fed item's
            // message replaces it.
            return slot.insert(ErrorSlot::text(&e)).as_ptr();
        }
        let mut messages = h.messages.lock().unwrap_or_else(PoisonError::into_inner);
        let text = messages.entry(index).or_insert_with(|| ErrorSlot::text(&e));
        // The CString's buffer does not move when the map grows.
        text.as_ptr()
    })
}

/// The caller's event loop, reached through C callbacks.
struct CWatcher {
    socket: unsafe extern "C" fn(*mut c_void, c_int, c_int),
    timer: unsafe extern "C" fn(*mut c_void, i64),
    userdata: Userdata,
}

impl SocketWatcher for CWatcher {
    fn watch(&self, socket: i64, what: Watch) {
        let what = match what {
            Watch::Read => REQC_WATCH_IN,
            Watch::Write => REQC_WATCH_OUT,
            Watch::ReadWrite => REQC_WATCH_INOUT,
            Watch::Remove => REQC_WATCH_REMOVE,
        };
        let fd = c_int::try_from(socket).unwrap_or(-1);
        // SAFETY: the caller registered `socket` with this userdata.
        unsafe { (self.socket)(self.userdata.ptr(), fd, what) };
    }

    fn timer(&self, after: Option<Duration>) {
        // Rounded up: a loop called back a fraction of a millisecond early
        // would find nothing due yet.
        let ms = after.map_or(-1, |d| {
            i64::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i64::MAX)
        });
        // SAFETY: the caller registered `timer` with this userdata.
        unsafe { (self.timer)(self.userdata.ptr(), ms) };
    }
}

/// Lets a program with its own event loop (epoll, poll, libuv, libevent)
/// drive the batch: in each run started with `reqc_batch_start`,
/// `on_socket` says which sockets to watch and `on_timer` when to call
/// back, and the program reports back with `reqc_batch_socket_action` and
/// `reqc_batch_timeout_action`. Both callbacks run on the thread of those
/// calls, and only during such a run: they are removed when the run ends
/// (every item finished, cancelled or past the deadline), so later sends
/// and runs on the same session never call them. Runs driven by
/// `reqc_batch_perform` or `_poll` do not use them. `free_userdata` runs
/// exactly once, when the batch is freed or the callbacks are replaced (or
/// before this returns if it fails), after their last possible call.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT` (a NULL callback) or
/// `REQC_E_INVALID_STATE` (the batch is running).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_set_socket_callbacks(
    batch: *mut reqc_batch,
    on_socket: reqc_socket_fn,
    on_timer: reqc_timer_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, move |h| {
            let (Some(socket), Some(timer)) = (on_socket, on_timer) else {
                return Err(Error::invalid(
                    "socket and timer callbacks are both required",
                ));
            };
            if h.batch.is_running() {
                return Err(Error::new(Code::InvalidState, "the batch is running"));
            }
            h.batch.watch_with(Arc::new(CWatcher {
                socket,
                timer,
                userdata,
            }));
            Ok(())
        })
    }
}

/// Event-loop mode: starts the run; the socket and timer callbacks tell
/// what to watch. Writes 1 to `*done_out` when there was nothing to do, else 0
/// (`done_out` may be NULL). Once
/// per run: call it again after the run ended (done was 1) to run items
/// added since.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_STATE` (no socket callbacks set, or a
/// run is already under way: started by an earlier `reqc_batch_start`, or
/// by `reqc_batch_poll`, or a source but no complete callback is set),
/// `REQC_E_TRANSPORT`, or the code the source callback returned to end its
/// feed early when the run ended here.
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_start(
    batch: *mut reqc_batch,
    done_out: *mut c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            let finished = h.batch.start_watched()?;
            write_out(done_out, c_int::from(finished));
            Ok(())
        })
    }
}

/// Event-loop mode: socket `fd` is ready for `events` (`REQC_WATCH_IN`,
/// `_OUT`, `_INOUT`). Writes 1 to `*done_out` when every item has finished,
/// else 0 (`done_out` may be NULL).
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT`, `REQC_E_INVALID_STATE`,
/// `REQC_E_TRANSPORT`, or, when the run ends here, the code the source
/// callback returned to end its feed early (`*done_out` not written).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_socket_action(
    batch: *mut reqc_batch,
    fd: c_int,
    events: reqc_watch,
    done_out: *mut c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            if fd < 0 || !(0..=REQC_WATCH_INOUT).contains(&events) {
                return Err(Error::invalid(format!(
                    "bad socket {fd} or events {events}"
                )));
            }
            let readable = events & REQC_WATCH_IN != 0;
            let writable = events & REQC_WATCH_OUT != 0;
            let finished = h.batch.act(Some(i64::from(fd)), readable, writable)?;
            write_out(done_out, c_int::from(finished));
            Ok(())
        })
    }
}

/// Event-loop mode: the timer set through the timer callback expired.
/// Writes 1 to `*done_out` when every item has finished, else 0 (`done_out`
/// may be NULL).
///
/// Returns `REQC_OK`, `REQC_E_INVALID_STATE`, `REQC_E_TRANSPORT`, or, when
/// the run ends here, the code the source callback returned to end its feed
/// early (`*done_out` not written).
#[no_mangle]
pub unsafe extern "C" fn reqc_batch_timeout_action(
    batch: *mut reqc_batch,
    done_out: *mut c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(batch, |h| {
            let finished = h.batch.act(None, false, false)?;
            write_out(done_out, c_int::from(finished));
            Ok(())
        })
    }
}
