//! A `reqc_response` is what a send returns: status, reason, headers, body
//! (decoded), cookies it set, the URL it came from, the redirect history
//! (each hop a response of its own), timings and the connection's address.
//! It owns everything it hands out: every string and byte pointer returned
//! here is borrowed from the response and valid until it is freed. Responses
//! never change after the send that made them.
//!
//! Thread rule: a response may be read from any number of threads at once;
//! free it once no thread reads it.

// `reqc_response`: reading a response from C.

use std::borrow::Cow;
use std::ffi::{c_char, c_int, CString};
use std::sync::{Arc, OnceLock, Weak};

use super::boundary::{
    borrow, guard, guard_or, release, str_arg, write_out, ErrorSlot, Failing, Handle, Tagged,
};
use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_E_NOT_FOUND, REQC_OK};
use super::cookies::reqc_cookie;
use super::options::reqc_http_version;
use super::request::reqc_request;
use crate::core::charset;
use crate::core::links::Link;
use crate::core::response::Response;

/// A phase of a transfer, for `reqc_response_timing_us`: one of the
/// `REQC_TIMING_*` constants.
#[allow(non_camel_case_types)]
pub type reqc_timing = c_int;

/// Microseconds from the hop's start until the name was resolved.
pub const REQC_TIMING_DNS: reqc_timing = 0;
/// … until the TCP connection was made.
pub const REQC_TIMING_CONNECT: reqc_timing = 1;
/// … until the TLS handshake was done (0 for http://).
pub const REQC_TIMING_TLS: reqc_timing = 2;
/// … until the first response byte arrived.
pub const REQC_TIMING_FIRST_BYTE: reqc_timing = 3;
/// … until the hop was complete.
pub const REQC_TIMING_TOTAL: reqc_timing = 4;

/// A received response (opaque), from `reqc_send` or a history entry.
#[allow(non_camel_case_types)]
pub struct reqc_response {
    /// Boxed by the engine when the response was built: it moves here as a
    /// pointer, not as a large struct.
    response: Box<Response>,
    /// The body followed by one NUL byte, so `reqc_response_text` needs no copy.
    body_len: usize,
    history: History,
    strings: OnceLock<Strings>,
    /// The header lines as C strings, made on first use of a getter that
    /// returns one (`reqc_response_header_at`, `reqc_response_header`): a
    /// binding that copies every line reads them through
    /// `reqc_response_header_views` instead and never pays for them.
    header_strings: OnceLock<HeaderStrings>,
    /// The declared charset, found on first use.
    encoding: OnceLock<Option<CString>>,
    /// The body as UTF-8 text followed by one NUL, made on first use; `None`
    /// when that text is the body's bytes as they are (then no copy).
    text: OnceLock<Option<Vec<u8>>>,
    /// The parsed `Link` headers, made on first use.
    links: OnceLock<Vec<CLink>>,
    /// The request this hop sent, as a handle lent to C, made on first use.
    /// Boxed: most responses never make it, and inline it would take the
    /// response past the size glibc's malloc serves from its fast caches
    /// (1 KiB), which every response would then pay on allocation and free.
    request: OnceLock<Option<Box<Tagged<reqc_request>>>>,
    errors: ErrorSlot,
}

/// The redirect hops before a response.
enum History {
    /// A response that followed no redirect (most): no list to keep.
    None,
    /// A response's own list of hops, oldest first.
    Own(Arc<Vec<Tagged<reqc_response>>>),
    /// A history entry: the hops before it are the first `before` entries of
    /// its parent's list. Weak, so the list does not own itself; the parent
    /// keeps it alive as long as C may use the entry.
    Parent {
        list: Weak<Vec<Tagged<reqc_response>>>,
        before: usize,
    },
}

impl History {
    fn count(&self) -> usize {
        match self {
            History::None => 0,
            History::Own(list) => list.len(),
            History::Parent { before, .. } => *before,
        }
    }

    fn at(&self, index: usize) -> *const reqc_response {
        match self {
            History::None => std::ptr::null(),
            History::Own(list) => list.get(index).map_or(std::ptr::null(), Tagged::as_ptr),
            History::Parent { list, before } if index < *before => list
                .upgrade()
                .and_then(|list| list.get(index).map(Tagged::as_ptr))
                // The parent's list outlives this call: C holds the parent.
                .unwrap_or(std::ptr::null()),
            History::Parent { .. } => std::ptr::null(),
        }
    }
}

/// A link of the `Link` headers, as C strings.
struct CLink {
    link: Link,
    url: CString,
    rel: CString,
    params: Vec<(String, CString)>,
}

/// C copies of the response's own strings, made on first use (most callers
/// read a status and a body and never pay for them), all in one buffer.
struct Strings {
    text: CText,
    reason: usize,
    url: usize,
    remote_ip: usize,
    warnings: Vec<usize>,
    /// The cookies the response stored, for C to read.
    cookies: Vec<Tagged<reqc_cookie>>,
}

/// C copies of every header's name and value, in one buffer: a response has
/// a dozen or more of them, and one allocation for all instead of one each
/// is what a caller that reads them all pays per response.
struct HeaderStrings {
    text: CText,
    /// Each line's name and value, as offsets into `text`.
    lines: Vec<(usize, usize)>,
}

/// NUL-terminated strings laid end to end in one buffer, each found by the
/// offset `push` returned. Never changed once built, so a pointer into it
/// stays valid as long as the buffer lives.
#[derive(Default)]
struct CText(Vec<u8>);

impl CText {
    /// Appends `s` and its NUL; returns where it starts. A NUL inside `s`
    /// (a server could send one in a header) is shown as `\0`, not cut.
    fn push(&mut self, s: &str) -> usize {
        let at = self.0.len();
        if s.as_bytes().contains(&0) {
            self.0.extend_from_slice(s.replace('\0', "\\0").as_bytes());
        } else {
            self.0.extend_from_slice(s.as_bytes());
        }
        self.0.push(0);
        at
    }

    /// The string that starts at `at` (an offset `push` returned).
    fn at(&self, at: usize) -> *const c_char {
        self.0[at..].as_ptr().cast()
    }
}

fn c_string(s: &str) -> CString {
    // CString::new of a &str allocates once, room for the NUL included (the
    // replace below would allocate, then grow for the NUL).
    CString::new(s).unwrap_or_else(|_| {
        // A server could send NUL in a header; show it rather than drop the header.
        CString::new(s.replace('\0', "\\0")).unwrap_or_default()
    })
}

impl Handle for reqc_response {
    const TAG: u32 = 0x7265_7370; // "resp"
}

impl Failing for reqc_response {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

impl reqc_response {
    pub(crate) fn new(mut response: Box<Response>) -> reqc_response {
        reqc_response::build(std::mem::take(&mut response.history), response)
    }

    fn build(history: Vec<Response>, response: Box<Response>) -> reqc_response {
        if history.is_empty() {
            return reqc_response::with_history(response, History::None);
        }
        let list = Arc::new_cyclic(|list: &Weak<Vec<Tagged<reqc_response>>>| {
            history
                .into_iter()
                .enumerate()
                .map(|(before, hop)| {
                    let place = History::Parent {
                        list: list.clone(),
                        before,
                    };
                    // Lent: an entry belongs to its parent's list.
                    Tagged::lent(reqc_response::with_history(Box::new(hop), place))
                })
                .collect()
        });
        reqc_response::with_history(response, History::Own(list))
    }

    fn with_history(mut response: Box<Response>, history: History) -> reqc_response {
        let body_len = response.body.len();
        response.body.push(0);
        reqc_response {
            response,
            body_len,
            history,
            strings: OnceLock::new(),
            header_strings: OnceLock::new(),
            encoding: OnceLock::new(),
            text: OnceLock::new(),
            links: OnceLock::new(),
            request: OnceLock::new(),
            errors: ErrorSlot::default(),
        }
    }

    /// The engine's response back, for a hook that changed or replaced it.
    pub(crate) fn into_core(self) -> Response {
        let mut response = *self.response;
        response.body.truncate(self.body_len);
        response.history = match self.history {
            // Only the entries' weak references remain: the list is ours.
            History::Own(list) => Arc::try_unwrap(list)
                .map(|list| {
                    list.into_iter()
                        .map(|hop| hop.into_inner().into_core())
                        .collect()
                })
                .unwrap_or_default(),
            History::None | History::Parent { .. } => Vec::new(),
        };
        response
    }

    fn strings(&self) -> &Strings {
        self.strings.get_or_init(|| {
            let r = &self.response;
            // Every string and its NUL: the buffer is allocated once.
            let size = r.reason.len()
                + r.url.len()
                + r.remote_ip.len()
                + 3
                + r.warnings.iter().map(|w| w.len() + 1).sum::<usize>();
            let mut text = CText(Vec::with_capacity(size));
            Strings {
                reason: text.push(&r.reason),
                url: text.push(&r.url),
                remote_ip: text.push(&r.remote_ip),
                warnings: r.warnings.iter().map(|w| text.push(w)).collect(),
                cookies: r.cookies.iter().cloned().map(reqc_cookie::lent).collect(),
                text,
            }
        })
    }

    fn header_strings(&self) -> &HeaderStrings {
        self.header_strings.get_or_init(|| {
            let headers = &self.response.headers;
            let size = headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 2)
                .sum::<usize>();
            let mut text = CText(Vec::with_capacity(size));
            HeaderStrings {
                lines: headers
                    .iter()
                    .map(|(n, v)| (text.push(n), text.push(v)))
                    .collect(),
                text,
            }
        })
    }

    fn encoding(&self) -> Option<&CString> {
        self.encoding
            .get_or_init(|| self.response.encoding().map(|e| c_string(&e)))
            .as_ref()
    }

    /// The body as NUL-terminated UTF-8 text, decoded from the declared charset.
    fn text(&self) -> *const c_char {
        let converted = self.text.get_or_init(|| {
            let body = &self.response.body[..self.body_len];
            let charset = self.encoding().and_then(|e| e.to_str().ok());
            match charset::to_utf8(body, charset) {
                Cow::Borrowed(_) => None,
                Cow::Owned(text) => {
                    let mut bytes = text.into_bytes();
                    bytes.push(0);
                    Some(bytes)
                }
            }
        });
        converted
            .as_deref()
            .unwrap_or(&self.response.body)
            .as_ptr()
            .cast()
    }

    fn links(&self) -> &[CLink] {
        self.links.get_or_init(|| {
            self.response
                .links()
                .into_iter()
                .map(|link| CLink {
                    url: c_string(&link.url),
                    rel: c_string(link.param("rel").unwrap_or("")),
                    params: link
                        .params
                        .iter()
                        .map(|(n, v)| (n.clone(), c_string(v)))
                        .collect(),
                    link,
                })
                .collect()
        })
    }
}

/// Reads a field of a live response, or `fallback` for NULL.
unsafe fn read<T>(resp: *const reqc_response, fallback: T, f: impl FnOnce(&reqc_response) -> T) -> T
where
    T: Copy,
{
    guard_or(fallback, || {
        // SAFETY: forwarded from the caller's contract (NULL or a live response).
        match unsafe { borrow(resp) } {
            Some(r) => f(r),
            None => fallback,
        }
    })
}

/// The one shape of every `_at` accessor: `REQC_E_INVALID_ARGUMENT` for a
/// NULL response, `REQC_E_NOT_FOUND` when `write_entry` finds no entry at
/// the index (it returns None), else `REQC_OK` once it has written the
/// entry through the out-pointers.
unsafe fn entry_at(
    response: *const reqc_response,
    write_entry: impl FnOnce(&reqc_response) -> Option<()>,
) -> reqc_code {
    guard(|| {
        // SAFETY: NULL or a live response, per the header's preamble rule.
        match unsafe { borrow(response) }.map(write_entry) {
            None => REQC_E_INVALID_ARGUMENT,
            Some(None) => REQC_E_NOT_FOUND,
            Some(Some(())) => REQC_OK,
        }
    })
}

/// Frees a response and its history. NULL is a no-op, and so is a history
/// entry (it belongs to its parent) and the response a hook context lends.
///
/// Returns nothing.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_free(response: *mut reqc_response) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule; a history entry
        // and a hook's response are lent, and release leaves them alone.
        unsafe { release(response) };
        REQC_OK
    });
}

/// The status code, e.g. 200 or 404 (a 4xx or 5xx is a response, not an
/// error); 0 for NULL.
///
/// Returns the status code; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_status(response: *const reqc_response) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| c_int::from(r.response.status)) }
}

/// The reason phrase ("OK", "Not Found"; the standard phrase for HTTP/2,
/// which sends none). Borrowed from `response`. "" for NULL.
///
/// Returns the reason phrase, borrowed from `response`; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_reason(response: *const reqc_response) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, c"".as_ptr(), |r| {
            let strings = r.strings();
            strings.text.at(strings.reason)
        })
    }
}

/// The body and its length in `*len_out` (`len_out` may be NULL). Never NULL for
/// a live response (an empty body is a pointer to a NUL byte); the bytes are
/// followed by one NUL that `*len_out` does not count. Empty when the body was
/// streamed to `reqc_request_set_data_callback`. Borrowed from `response`.
///
/// libreqc decodes the body itself, with any libcurl: every coding of
/// `Content-Encoding` among gzip (x-gzip), deflate (zlib-wrapped or raw),
/// br, zstd (window up to 8 MiB, RFC 9659) and identity, in any chain, is
/// undone; the header stays as received. A body whose codings include
/// another one is returned as received, undecoded. A body that is not valid
/// for its coding fails the send with `REQC_E_RECV`. Sends offer
/// `Accept-Encoding: gzip, deflate, br, zstd` unless a layer sets that
/// header (or removes it: NULL). A history entry's body is the hop's body
/// as received, not decoded, and at most its first 64 KiB (see
/// `reqc_response_history_at`).
///
/// Returns the body (never NULL), borrowed from `response`.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_body(
    response: *const reqc_response,
    len_out: *mut usize,
) -> *const u8 {
    // SAFETY: forwarded from this function's contract.
    let (ptr, n) = unsafe {
        read(response, (std::ptr::null(), 0), |r| {
            (r.response.body.as_ptr(), r.body_len)
        })
    };
    // SAFETY: `len_out` is NULL or writable per the contract.
    unsafe { write_out(len_out, n) };
    ptr
}

/// The body as NUL-terminated UTF-8 text, as Requests' `r.text`: decoded
/// from the charset `reqc_response_encoding` names, invalid sequences
/// replaced by U+FFFD; with no charset declared (or one libreqc does not
/// know) the bytes are read as UTF-8 (Requests would guess with chardet).
/// ISO-8859-1 maps each byte to its code point, as Python does (not the
/// windows-1252 of browsers); a byte-order mark stays in the text. When the
/// body already is that text (valid UTF-8, or ASCII in an ASCII-compatible
/// charset) this is the body itself, else a copy made on the first call. A
/// body holding NUL bytes reads as cut short: use `reqc_response_body` for
/// the raw bytes. Borrowed from `response`. "" for NULL.
///
/// Returns the text, borrowed from `response`; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_text(response: *const reqc_response) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, c"".as_ptr(), reqc_response::text) }
}

/// The charset the response declares, lower-cased ("utf-8", "iso-8859-1",
/// "shift_jis"), by Requests' rules: the `charset` parameter of
/// Content-Type (quotes removed); else "iso-8859-1" for any `text/` type;
/// else "utf-8" for `application/json`; else NULL (also for NULL `response`).
/// `reqc_response_text` decodes from it. Borrowed from `response`.
///
/// Returns the encoding's name, borrowed from `response`, or NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_encoding(response: *const reqc_response) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, std::ptr::null(), |r| {
            r.encoding().map_or(std::ptr::null(), |e| e.as_ptr())
        })
    }
}

/// The target of the first link whose `rel` holds relation type `rel`
/// (case-insensitive; `rel="next last"` holds both), from the response's
/// `Link` headers (RFC 8288: every Link header, several links per header,
/// quoted parameters) — Requests' `r.links["next"]["url"]`. The URL is as
/// the server wrote it, not resolved (as in Requests): resolve a relative
/// one against `reqc_response_url`. NULL when no link has that relation or
/// for a NULL argument. Borrowed from `response`.
///
/// Returns the URL, borrowed from `response`, or NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_link(
    response: *const reqc_response,
    rel: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, std::ptr::null(), |r| {
            let Ok(rel) = str_arg(rel, "rel") else {
                return std::ptr::null();
            };
            r.links()
                .iter()
                .find(|l| l.link.has_rel(rel))
                .map_or(std::ptr::null(), |l| l.url.as_ptr())
        })
    }
}

/// How many links the response's `Link` headers hold; 0 for NULL.
///
/// Returns the number of links; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_link_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.links().len()) }
}

/// The `index`th link in received order: its target (as written) in `*url_out`
/// and its `rel` parameter in `*rel_out` ("" when it has none; may hold several
/// space-separated relation types). `url_out` may be NULL, and `rel_out` may
/// be NULL.
/// Borrowed from `response`; written only on success.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (index out of range) or
/// `REQC_E_INVALID_ARGUMENT` (NULL `response`).
#[no_mangle]
pub unsafe extern "C" fn reqc_response_link_at(
    response: *const reqc_response,
    index: usize,
    url_out: *mut *const c_char,
    rel_out: *mut *const c_char,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let link = r.links().get(index)?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe {
            write_out(url_out, link.url.as_ptr());
            write_out(rel_out, link.rel.as_ptr());
        }
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

/// The parameter `name` (case-insensitive: "title", "type", "hreflang", …)
/// of the `index`th link, unquoted; "" for a parameter without a value;
/// NULL when the link or the parameter does not exist or for a NULL
/// argument. Borrowed from `response`.
///
/// Returns the value, borrowed from `response`, or NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_link_param(
    response: *const reqc_response,
    index: usize,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, std::ptr::null(), |r| {
            let Ok(name) = str_arg(name, "name") else {
                return std::ptr::null();
            };
            r.links()
                .get(index)
                .and_then(|l| l.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
                .map_or(std::ptr::null(), |(_, v)| v.as_ptr())
        })
    }
}

/// The first value of header `name`, compared case-insensitively, or NULL
/// when there is none (or for a NULL argument). Repeated headers: see
/// `reqc_response_header_at`. Borrowed from `response`.
///
/// Returns the value, borrowed from `response`, or NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_header(
    response: *const reqc_response,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, std::ptr::null(), |r| {
            let Ok(name) = str_arg(name, "name") else {
                return std::ptr::null();
            };
            let index = r
                .response
                .headers
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name));
            index.map_or(std::ptr::null(), |i| {
                let strings = r.header_strings();
                strings.text.at(strings.lines[i].1)
            })
        })
    }
}

/// How many header lines the response has (repeats counted); 0 for NULL.
///
/// Returns the number of header lines; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_header_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.response.headers.len()) }
}

/// The `index`th header in received order: name (as the server spelled it)
/// in `*name_out`, value in `*value_out` (`name_out` may be NULL, and
/// `value_out` may be NULL). Borrowed
/// from `response`; written only on success.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (index out of range) or
/// `REQC_E_INVALID_ARGUMENT` (NULL `response`).
#[no_mangle]
pub unsafe extern "C" fn reqc_response_header_at(
    response: *const reqc_response,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const c_char,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let strings = r.header_strings();
        let &(name, value) = strings.lines.get(index)?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe {
            write_out(name_out, strings.text.at(name));
            write_out(value_out, strings.text.at(value));
        }
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

/// One header line of a response, borrowed from it (see
/// `reqc_response_header_views`): `name_len` bytes at `name` and
/// `value_len` bytes at `value`, exactly as the response holds them, not
/// NUL-terminated. An empty name or value is a length of 0 (its pointer is
/// still valid, never NULL).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct reqc_header_view {
    pub name: *const c_char,
    pub name_len: usize,
    pub value: *const c_char,
    pub value_len: usize,
}

/// Header lines in received order, many per call and without a copy:
/// writes lines `first`, `first + 1`, ... to `views[0]`, `views[1]`, ...,
/// at most `capacity` of them (fewer when the response has no more), and
/// the response's number of lines to `*count_out`. So one call with an
/// array of `reqc_response_header_count` entries reads them all, and a
/// fixed array reads any number in turns (`first` += `capacity`). The
/// bytes are borrowed from `response` and valid until it is freed; no C
/// string is made (`reqc_response_header_at` builds a C copy of every
/// line on its first call). For bindings and callers that read every line
/// of every response: one call instead of two per line. `views` may be
/// NULL when `capacity` is 0 (to ask for the count). A `first` at or past
/// the count writes nothing.
///
/// Returns `REQC_OK`, or `REQC_E_INVALID_ARGUMENT` for a NULL `response` or
/// `count_out`, or a NULL `views` with a `capacity` over 0.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_header_views(
    response: *const reqc_response,
    first: usize,
    views: *mut reqc_header_view,
    capacity: usize,
    count_out: *mut usize,
) -> reqc_code {
    guard(|| {
        // SAFETY: NULL or a live response, per the header's preamble rule.
        let Some(r) = (unsafe { borrow(response) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        if count_out.is_null() || (views.is_null() && capacity > 0) {
            return REQC_E_INVALID_ARGUMENT;
        }
        let headers = &r.response.headers;
        let lines = headers.iter().skip(first).take(capacity);
        for (i, (name, value)) in lines.enumerate() {
            let view = reqc_header_view {
                name: bytes_at(name),
                name_len: name.len(),
                value: bytes_at(value),
                value_len: value.len(),
            };
            // SAFETY: `views` points to `capacity` writable entries (the
            // caller's contract) and `i < capacity`.
            unsafe { views.add(i).write(view) };
        }
        // SAFETY: checked non-NULL above; writable per the preamble rule.
        unsafe { count_out.write(headers.len()) };
        REQC_OK
    })
}

/// Where `s`'s bytes start, for C: an empty string's pointer may dangle in
/// Rust (it is never read there), so it is a static empty string instead.
fn bytes_at(s: &str) -> *const c_char {
    if s.is_empty() {
        c"".as_ptr()
    } else {
        s.as_ptr().cast()
    }
}

/// How many cookies this response's own Set-Cookie headers stored in the
/// jar (the session's, or the send's own for `reqc_send`), like Requests'
/// `r.cookies`; refused ones are not counted. Each history entry has its
/// own. 0 for NULL.
///
/// Returns the number of cookies; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_cookie_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.response.cookies.len()) }
}

/// Writes the `index`th cookie this response stored (0 up to
/// `reqc_response_cookie_count`), as the jar keeps it, to `*cookie_out`
/// (`cookie_out` may be NULL: not wanted): borrowed from `response`, valid
/// until `response` is freed; read it with the `reqc_cookie_*` accessors.
/// Written only on success.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (index at or past the count) or
/// `REQC_E_INVALID_ARGUMENT` (NULL `response`).
#[no_mangle]
pub unsafe extern "C" fn reqc_response_cookie_at(
    response: *const reqc_response,
    index: usize,
    cookie_out: *mut *const reqc_cookie,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let cookie = r.strings().cookies.get(index)?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe { write_out(cookie_out, cookie.as_ptr()) };
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

/// The URL this response came from: after redirects, the last one. Borrowed
/// from `response`; "" for NULL.
///
/// Returns the URL, borrowed from `response`; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_url(response: *const reqc_response) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, c"".as_ptr(), |r| {
            let strings = r.strings();
            strings.text.at(strings.url)
        })
    }
}

/// The request that produced `response`, as it was sent (Requests'
/// `r.request`): for a final response the last hop's request, for a
/// history entry (`reqc_response_history_at`) and a RESPONSE hook's
/// response the request of that hop. Read it with the `reqc_request_*`
/// getters: `reqc_request_method` and `reqc_request_url` (the hop's: after
/// a redirect, its target, with the method the redirect chose; params
/// applied), `reqc_request_header`, `_header_count`, `_header_at` (every
/// header as sent, see `reqc_request_header`; secret values such as
/// Authorization and Cookie included: the request is the caller's own, only
/// the log redacts) and `reqc_request_body` (the hop's body: none after a
/// redirect that turned the method into GET). It carries no options or
/// hooks of the original request. Do not change or free it
/// (`reqc_request_free` on it is a no-op).
///
/// Returns the request, borrowed from `response` until `response` is
/// freed (for a history entry: its final response); NULL for NULL or for
/// a response that no send made.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_request(
    response: *const reqc_response,
) -> *const reqc_request {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, std::ptr::null(), |r| {
            r.request
                .get_or_init(|| {
                    let sent = r.response.request.as_deref()?;
                    Some(Box::new(Tagged::lent(reqc_request::new(sent.clone()))))
                })
                .as_deref()
                .map_or(std::ptr::null(), Tagged::as_ptr)
        })
    }
}

/// How many hops came before this response (0 for NULL): redirects, and
/// digest challenges (401) that libreqc answered. For the final response:
/// every hop of its history. For a history entry: its place in that history
/// (0 for the first hop, 1 for the second…), so `reqc_response_history_at`
/// on an entry reaches the hops before it.
///
/// Returns the number of earlier hops; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_history_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.history.count()) }
}

/// The `index`th earlier hop (a redirect or an answered digest challenge),
/// oldest first, as a response (status, URL, headers, body), in
/// `*history_out`: borrowed from `response`, valid until `response` is
/// freed, and not to be freed itself. On a history entry it returns the same entries as on its final response, up to the entry's
/// own place (valid until that final response is freed).
///
/// A hop keeps its status, URL and every header, but only the first 64 KiB
/// of its body (a fixed bound, not configurable), so a send's memory stays
/// bounded by its cap whatever the number of hops (see
/// `reqc_request_set_max_response_bytes`). The body of a redirect that was
/// followed is as received, not decoded: a 302 whose body is not the gzip
/// its `Content-Encoding` says is followed all the same, as in Requests.
///
/// Returns `REQC_OK` and writes the hop to `*history_out` (`history_out` may be
/// NULL), `REQC_E_NOT_FOUND` when `index` is at or past
/// `reqc_response_history_count`, or `REQC_E_INVALID_ARGUMENT` for a NULL
/// `response`; `*history_out` is untouched on failure.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_history_at(
    response: *const reqc_response,
    index: usize,
    history_out: *mut *const reqc_response,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let hop = Some(r.history.at(index)).filter(|hop| !hop.is_null())?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe { write_out(history_out, hop) };
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

/// How many attempts this hop took: 1 when it was not retried, more when
/// libreqc tried it again (see `reqc_request_set_retries`). Retried
/// attempts are not history entries: history holds the hops of a redirect
/// chain (each URL once), and each hop, history entries included, counts
/// its own attempts here. 0 for NULL and for a response no send made.
///
/// Returns the number of attempts.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_attempt_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.response.attempts.len()) }
}

/// The status the `index`th attempt at this hop got, oldest first (the
/// last is this response's own status), in `*status_out`: 0 for an attempt
/// that got no response (the connection failed or was lost).
///
/// Returns `REQC_OK` and writes the status (`status_out` may be NULL),
/// `REQC_E_NOT_FOUND` when `index` is at or past
/// `reqc_response_attempt_count`, or `REQC_E_INVALID_ARGUMENT` for a NULL
/// `response`; `*status_out` is untouched on failure.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_attempt_at(
    response: *const reqc_response,
    index: usize,
    status_out: *mut c_int,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let status = *r.response.attempts.get(index)?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe { write_out(status_out, c_int::from(status)) };
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

/// Whether `response` is the final response of an open stream
/// (`reqc_stream_response`, and what the RESPONSE hooks see at open time):
/// its body is read from the stream, so `reqc_response_body` is empty.
/// 0 for any other response, and for NULL.
///
/// Returns 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_is_streamed(response: *const reqc_response) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| c_int::from(r.response.streamed)) }
}

/// Microseconds the send took, redirects included (for a history entry: its
/// own hop). 0 for NULL.
///
/// Returns microseconds; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_elapsed_us(response: *const reqc_response) -> i64 {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| micros(r.response.elapsed)) }
}

fn micros(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A point in this hop's timeline, in microseconds from the hop's start:
/// `REQC_TIMING_DNS`, `_CONNECT`, `_TLS`, `_FIRST_BYTE` or `_TOTAL`. On a
/// reused connection DNS and connect are 0. -1 for an unknown `phase` or NULL.
///
/// Returns microseconds, or -1.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_timing_us(
    response: *const reqc_response,
    phase: reqc_timing,
) -> i64 {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, -1, |r| {
            let t = &r.response.timings;
            match phase {
                REQC_TIMING_DNS => micros(t.dns),
                REQC_TIMING_CONNECT => micros(t.connect),
                REQC_TIMING_TLS => micros(t.tls),
                REQC_TIMING_FIRST_BYTE => micros(t.first_byte),
                REQC_TIMING_TOTAL => micros(t.total),
                _ => -1,
            }
        })
    }
}

/// The HTTP version the response came over: 10, 11, 20 or 30 (as
/// `REQC_HTTP_VERSION_1_0`, `REQC_HTTP_VERSION_1_1`, `REQC_HTTP_VERSION_2`; 30 for HTTP/3); 0 if
/// unknown or NULL.
///
/// Returns a `REQC_HTTP_VERSION_*` value, or 0.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_http_version(
    response: *const reqc_response,
) -> reqc_http_version {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| c_int::from(r.response.http_version)) }
}

/// The server's IP address as text ("127.0.0.1", "::1"). Borrowed from
/// `response`; "" for NULL.
///
/// Returns the address, borrowed from `response`; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_remote_ip(response: *const reqc_response) -> *const c_char {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        read(response, c"".as_ptr(), |r| {
            let strings = r.strings();
            strings.text.at(strings.remote_ip)
        })
    }
}

/// The server's port; 0 for NULL.
///
/// Returns the port; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_remote_port(response: *const reqc_response) -> c_int {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| c_int::from(r.response.remote_port)) }
}

/// How many warnings the send's hooks left on the response: one for each
/// hook that returned `REQC_HOOK_RESULT_ERROR` (the send went on), in the order they
/// ran, across every hop. They are logged too when a log sink is set; here
/// they stay readable without one. 0 for NULL.
///
/// Returns the number of warnings; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_warning_count(response: *const reqc_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { read(response, 0, |r| r.response.warnings.len()) }
}

/// The `index`th warning, e.g. "a response hook reported an error at hop 0:
/// GET http://host/path" (method and URL, userinfo removed).
///
/// Returns `REQC_OK` and writes the warning, borrowed from `response`, to
/// `*warning_out` (`warning_out` may be NULL), `REQC_E_NOT_FOUND` when `index`
/// is at or past `reqc_response_warning_count`, or `REQC_E_INVALID_ARGUMENT`
/// for a NULL `response`.
#[no_mangle]
pub unsafe extern "C" fn reqc_response_warning_at(
    response: *const reqc_response,
    index: usize,
    warning_out: *mut *const c_char,
) -> reqc_code {
    let write = |r: &reqc_response| {
        let strings = r.strings();
        let &warning = strings.warnings.get(index)?;
        // SAFETY: the outs are NULL or writable, per the header's preamble rule.
        unsafe { write_out(warning_out, strings.text.at(warning)) };
        Some(())
    };
    // SAFETY: pointers per the header's preamble rule.
    unsafe { entry_at(response, write) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// glibc serves blocks up to 1 KiB (with its header) from per-thread
    /// caches; a larger response costs every batch item a slow-path
    /// allocation and free (see the `request` field).
    #[test]
    fn a_response_handle_stays_in_mallocs_fast_sizes() {
        assert!(std::mem::size_of::<Tagged<reqc_response>>() <= 1016);
    }

    /// A string without NUL is copied as it is; a NUL inside is shown as
    /// "\0" rather than cutting the string there.
    /// Strings laid end to end read back whole, each ending at its own NUL,
    /// empty ones and ones with an inner NUL included.
    #[test]
    fn c_text_reads_back_each_string_whole() {
        let mut text = CText::default();
        let at: Vec<usize> = ["HTTP/1.1", "", "a\0b", "Content-Type", "text/plain"]
            .iter()
            .map(|s| text.push(s))
            .collect();
        let read = |i: usize| {
            // SAFETY: `at` returns a pointer into `text`, which lives on and
            // holds a NUL after every pushed string.
            unsafe { std::ffi::CStr::from_ptr(text.at(at[i])) }
                .to_str()
                .unwrap()
                .to_owned()
        };
        let got: Vec<String> = (0..at.len()).map(read).collect();
        assert_eq!(got, ["HTTP/1.1", "", "a\\0b", "Content-Type", "text/plain"]);
        // Each string and its NUL, nothing between.
        assert_eq!(text.0.len(), (8 + 1) + 1 + (4 + 1) + (12 + 1) + (10 + 1));
    }

    #[test]
    fn c_string_copies_and_shows_an_inner_nul() {
        assert_eq!(c_string("keep-alive").as_bytes_with_nul(), b"keep-alive\0");
        assert_eq!(c_string("").as_bytes_with_nul(), b"\0");
        assert_eq!(c_string("a\0b\0").as_bytes(), b"a\\0b\\0");
    }
}
