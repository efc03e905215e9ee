//! A `reqc_stream` is a response whose body is read at the caller's pace
//! (Requests' `stream=True`, Go's `Response.Body`): `reqc_open` or
//! `reqc_session_open` returns once the final hop's status and headers are
//! in (redirects followed, cookies stored, retries made, hooks run), with
//! the body not read yet; `reqc_stream_read` then pulls it, a piece at a
//! time, and `reqc_stream_free` closes it, at the end or before.
//!
//! While a read waits, the body bytes go straight into the caller's buffer,
//! and the transfer pauses once it is full until the next read. A reader
//! that does not read keeps it paused: libreqc holds at most about 256 KiB
//! of unread body per stream (128 KiB, plus up to two network reads of
//! 64 KiB each, counted decoded for a compressed body), never the whole
//! body, and the server waits (TCP or HTTP/2 flow control). The total
//! timeout (`REQC_OPTION_TIMEOUT`) counts from the open to the last byte,
//! paused time included; the read timeout and the speed floor count only
//! while libreqc waits for the network, not while the caller takes its
//! time. The body cap (`reqc_request_set_max_response_bytes`) and decoding
//! (gzip, deflate, br, zstd) apply as for a buffered body. A request's data callback
//! (`reqc_request_set_data_callback`) is not called for an opened stream.
//!
//! The final response (`reqc_stream_response`) has an empty body and
//! `reqc_response_is_streamed` = 1; the RESPONSE hooks see it that way at
//! open time, once per hop as for any send (earlier hops are buffered as
//! usual). The log's end line for the final hop is written at open time;
//! a failure while reading adds its ERROR line when it happens.
//!
//! Closing early (`reqc_stream_free` before the end): the transfer is
//! stopped and its connection closed, never reused, unless the whole body
//! had already arrived (then, in a session, the connection is kept for the
//! next send). Reading the unknown rest to keep the connection could block
//! the closer for as long as the server likes (Go and urllib3 also drain
//! at most a small bound); a new connection costs little, as the session's
//! DNS and TLS session caches are kept.
//!
//! Thread rule: a stream is used by one thread at a time (a read while
//! another thread reads returns `REQC_E_INVALID_STATE`); it may move
//! between threads between calls. `reqc_request_cancel` on the request
//! that opened it, from any thread, ends a blocked read at once with
//! `REQC_E_CANCELLED`. A session may open streams from several threads at
//! once (each stream holds a connection of its own until it ends), and may
//! be freed before its streams (they keep it alive).

// `reqc_stream`: a response body pulled by the caller.

use std::ffi::{c_char, c_int};
use std::sync::{Mutex, MutexGuard, TryLockError};

use super::boundary::{
    borrow, error_text, guard, guard_or, into_raw, release, with_handle, write_out, ErrorSlot,
    Failing, Handle, Tagged,
};
use super::code::reqc_code;
use super::request::reqc_request;
use super::response::reqc_response;
use super::session::{on_session, reqc_session};
use super::Lane;
use crate::core::error::{Code, Error};
use crate::core::response::Response;
use crate::core::stream::{self, Stream};

/// An opened response whose body is still to be read (opaque); from
/// `reqc_open` or `reqc_session_open`, freed with `reqc_stream_free`.
#[allow(non_camel_case_types)]
pub struct reqc_stream {
    stream: Mutex<Stream<Lane>>,
    /// The final response, lent to C until the stream is freed.
    response: Tagged<reqc_response>,
    errors: ErrorSlot,
}

impl Handle for reqc_stream {
    const TAG: u32 = 0x7374_726d; // "strm"
}

impl Failing for reqc_stream {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

impl reqc_stream {
    fn new(response: Box<Response>, stream: Stream<Lane>) -> reqc_stream {
        reqc_stream {
            stream: Mutex::new(stream),
            response: Tagged::lent(reqc_response::new(response)),
            errors: ErrorSlot::default(),
        }
    }

    /// The stream, unless another thread holds it (a read, which may be
    /// waiting on the network): never waits. A read that panicked (its
    /// caller got `REQC_E_PANIC`) left the lock poisoned; the stream is
    /// used as it is, as every read after one has always done.
    fn try_use(&self) -> Option<MutexGuard<'_, Stream<Lane>>> {
        match self.stream.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
}

/// Opens `request` without a session: sends it as `reqc_send` does (same
/// settings, redirects, retries, hooks; no connections or cookies kept
/// between calls) and returns as soon as the final hop's status and headers
/// are in, with the body not read yet. Read the body with
/// `reqc_stream_read`; the response (`reqc_stream_response`) is readable
/// at once. The request is only read: it can be changed and sent again.
///
/// On success writes a new stream to `*stream_out` (free it with
/// `reqc_stream_free`); a 4xx or 5xx status is a success (its body is the
/// stream's). `*stream_out` is written only on success. Retries happen only
/// before the final head is in; a failure while the body is read is the
/// read's (`reqc_stream_read`).
///
/// May block on the network: it returns when the head is in or the send
/// failed (bounded by the timeouts); `reqc_request_cancel` ends it.
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
/// Blocks the calling thread; every callback of the open runs on it.
#[no_mangle]
pub unsafe extern "C" fn reqc_open(
    request: *const reqc_request,
    stream_out: *mut *mut reqc_stream,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        with_handle(request, |r| {
            if stream_out.is_null() {
                return Err(Error::invalid("stream_out is NULL"));
            }
            let (response, stream) = r.sent(stream::open(
                &r.shared(),
                &crate::core::config::global(),
                Lane::new(),
                r.cancel_token(),
                None,
                None,
                None,
            ))?;
            write_out(stream_out, into_raw(reqc_stream::new(response, stream)));
            Ok(())
        })
    }
}

/// Opens `request` on `session`: as `reqc_session_send` (the session's
/// defaults, cookies and connections), returning once the final hop's
/// status and headers are in, as `reqc_open` does. The stream holds one of
/// the session's connections until it ends, and keeps the session alive.
///
/// On success writes a new stream to `*stream_out` (free it with
/// `reqc_stream_free`); `*stream_out` is written only on success.
///
/// May block on the network (see `reqc_open`).
///
/// Returns `REQC_OK` or, with a message naming the URL on `request`
/// (`reqc_request_error`): `REQC_E_INVALID_ARGUMENT`, `REQC_E_RESOLVE`,
/// `REQC_E_CONNECT`, `REQC_E_PROXY`, `REQC_E_TIMEOUT`, `REQC_E_TLS`,
/// `REQC_E_SEND`, `REQC_E_RECV`, `REQC_E_PROTOCOL`, `REQC_E_TOO_MANY_REDIRECTS`,
/// `REQC_E_UNSUPPORTED_PROTOCOL`, `REQC_E_INVALID_URL`,
/// `REQC_E_BODY_TOO_LARGE`, `REQC_E_CANCELLED`, `REQC_E_ABORTED`,
/// `REQC_E_CALLBACK`, `REQC_E_IO`, `REQC_E_INVALID_STATE`,
/// `REQC_E_TRANSPORT` (a NULL `request`: `REQC_E_INVALID_ARGUMENT` with its
/// message on `session`).
///
/// Any thread; several threads may open streams on one session at once.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_open(
    session: *mut reqc_session,
    request: *const reqc_request,
    stream_out: *mut *mut reqc_stream,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        on_session(session, request, |r, session| {
            if stream_out.is_null() {
                return Err(Error::invalid("stream_out is NULL"));
            }
            let (response, stream) = r.sent(session.session.open(&r.shared(), r.cancel_token()))?;
            write_out(stream_out, into_raw(reqc_stream::new(response, stream)));
            Ok(())
        })
    }
}

/// The stream's final response: status, reason, headers, URL, history,
/// cookies, timings up to the head; its body is empty (read it from the
/// stream) and `reqc_response_is_streamed` is 1. NULL for NULL.
///
/// Returns the response, lent: valid until `reqc_stream_free(stream)`;
/// never free it (`reqc_response_free` on it is a no-op).
#[no_mangle]
pub unsafe extern "C" fn reqc_stream_response(stream: *const reqc_stream) -> *const reqc_response {
    guard_or(std::ptr::null(), || {
        // SAFETY: pointers per the header's preamble rule.
        match unsafe { borrow(stream) } {
            Some(s) => s.response.as_ptr(),
            None => std::ptr::null(),
        }
    })
}

/// Reads the next body bytes (decoded) into `buf`, at most `cap` of them,
/// and writes how many to `*len_out`. Waits only until some bytes are there
/// or the body ends: `*len_out` is 0 at the end, and at every later call.
/// `*len_out` is written only on success.
///
/// Bytes kept from earlier network reads come first; once none are left,
/// the call lends `buf` to the transfer while it waits, so the bytes land
/// in it straight from libcurl's buffer (one copy), and the transfer
/// pauses once `buf` is full, until the next call. A larger `cap` takes
/// more per call (up to what one network step brings); the end of a
/// network read that does not fit is kept for the next calls.
///
/// May block on the network (bounded by the timeouts; `reqc_request_cancel`
/// on the request that opened the stream ends it at once).
///
/// Returns `REQC_OK`, or with a message on `stream` (`reqc_stream_error`):
/// `REQC_E_INVALID_ARGUMENT` (a NULL `stream`, `buf` or `len_out`, or `cap`
/// 0), `REQC_E_INVALID_STATE` (another thread is reading the stream),
/// `REQC_E_TIMEOUT` (total or read timeout, speed floor),
/// `REQC_E_BODY_TOO_LARGE` (the cap), `REQC_E_RECV` (the connection was
/// lost or reset mid-body, an undecodable body), `REQC_E_CANCELLED`,
/// `REQC_E_PROTOCOL`, `REQC_E_TRANSPORT`. After a failure the stream stays
/// failed: every later read returns the same code (bytes that arrived before
/// the failure were returned by the reads before it).
#[no_mangle]
pub unsafe extern "C" fn reqc_stream_read(
    stream: *mut reqc_stream,
    buf: *mut u8,
    cap: usize,
    len_out: *mut usize,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        with_handle(stream, |s| {
            if len_out.is_null() {
                return Err(Error::invalid("len_out is NULL"));
            }
            if buf.is_null() || cap == 0 {
                return Err(Error::invalid("buf is NULL or cap is 0"));
            }
            if cap > isize::MAX as usize {
                return Err(Error::invalid(format!("cap {cap} is too large")));
            }
            let Some(mut reading) = s.try_use() else {
                return Err(Error::new(
                    Code::InvalidState,
                    "the stream is being read by another thread",
                ));
            };
            // SAFETY: `buf` is non-NULL with `cap` writable bytes (the
            // caller's promise), and `cap` fits in isize.
            let buf = std::slice::from_raw_parts_mut(buf, cap);
            let n = reading.read(buf)?;
            write_out(len_out, n);
            Ok(())
        })
    }
}

/// Whether the transfer behind `stream` is over: the whole body has
/// arrived, or the transfer failed. Reads then never wait on the network:
/// they return the bytes the stream holds, then the end (or the failure).
/// A small body that came with its head is over as soon as the open
/// returns, so a caller can take it whole (and free the stream) without
/// handing its reads to a thread that may block. Once over, a stream
/// stays over.
///
/// Returns 1 when over, 0 while the transfer runs (or pauses for the
/// reader), 0 while another thread reads the stream, 0 for NULL.
///
/// Any thread; never blocks.
#[no_mangle]
pub unsafe extern "C" fn reqc_stream_is_ended(stream: *const reqc_stream) -> c_int {
    guard_or(0, || {
        // SAFETY: pointers per the header's preamble rule.
        let Some(s) = (unsafe { borrow(stream) }) else {
            return 0;
        };
        // A reader holds the stream while it may wait: "not over yet" is
        // then a true answer, and this call stays non-blocking.
        s.try_use()
            .map_or(0, |stream| c_int::from(stream.has_ended()))
    })
}

/// The message of the last failed read on `stream`, e.g.
/// "REQC_E_TIMEOUT: …: GET http://…". "" when none failed; "" for NULL.
///
/// Returns the message, borrowed from `stream`: valid until its next failed
/// read or its free; "" when none failed or for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_stream_error(stream: *const reqc_stream) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { error_text(stream) }
}

/// Closes `stream` and frees it, with its response: at the end of the body
/// or before. Before the end, the transfer stops and its connection is
/// closed (never reused) unless the whole body had already arrived. NULL is
/// a no-op.
///
/// Returns nothing.
#[no_mangle]
pub unsafe extern "C" fn reqc_stream_free(stream: *mut reqc_stream) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { release(stream) };
        crate::ffi::code::REQC_OK
    });
}
