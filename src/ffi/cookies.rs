//! A session's cookie jar: set, get, list, delete, clear, and the Netscape
//! cookie-file format (curl's and wget's). The jar applies RFC 6265's rules
//! (domains, paths, Secure, expiry, public suffixes) on every redirect hop.
//! Strings handed out here are owned by the caller (free with
//! `reqc_string_free`) or by a snapshot list (`reqc_session_cookies`), never
//! by the jar itself, which other threads may change at any time.
//!
//! Thread rule: every function here is thread-safe; a list is a snapshot
//! that may be read from any thread until it is freed, and so are its
//! cookies and a response's.
//!
//! A cookie (`reqc_cookie`) is opaque and read through accessor functions
//! rather than a public struct (or a struct whose first field is its size):
//! fields can then be added (SameSite, say) without an ABI change or a
//! size check in every caller, and a binding maps each accessor directly
//! to a method or property.

// The session's cookie jar from C.

use std::ffi::{c_char, c_int, CString};

use super::boundary::{
    borrow, guard, guard_or, into_raw, release, str_arg, with_handle, write_out, ErrorSlot,
    Failing, Handle, Tagged,
};
use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_E_NOT_FOUND, REQC_OK};
use super::session::reqc_session;
use crate::core::cookies::CookieInfo;
use crate::core::error::{Code, Error};
use crate::core::validate;

/// One cookie (opaque), as the jar keeps it: from `reqc_cookie_list_at` or
/// `reqc_response_cookie_at`, borrowed from the list or response it came
/// from (valid until that is freed; never freed itself). Read it with
/// `reqc_cookie_name`, `_value`, `_domain`, `_path`, `_expires`, `_secure`,
/// `_http_only` and `_include_subdomains`.
///
/// Opaque, with accessors, so that fields can be added later (SameSite,
/// say) without an ABI change, and so that a binding maps each accessor
/// directly to a method or property. Thread rule: the accessors only read
/// it, so any threads may call them at once.
#[allow(non_camel_case_types)]
pub struct reqc_cookie {
    info: CookieInfo,
    /// C copies of the strings: domain, path, name, value.
    domain: CString,
    path: CString,
    name: CString,
    value: CString,
}

impl Handle for reqc_cookie {
    const TAG: u32 = 0x6361_6b65; // "cake"
}

impl reqc_cookie {
    /// A cookie for C to read, lent by its list or response.
    pub(crate) fn lent(info: CookieInfo) -> Tagged<reqc_cookie> {
        Tagged::lent(reqc_cookie {
            domain: c(&info.domain),
            path: c(&info.path),
            name: c(&info.name),
            value: c(&info.value),
            info,
        })
    }
}

/// A snapshot of a session's cookies (opaque), from `reqc_session_cookies`.
#[allow(non_camel_case_types)]
pub struct reqc_cookie_list {
    cookies: Vec<Tagged<reqc_cookie>>,
    errors: ErrorSlot,
}

impl Handle for reqc_cookie_list {
    const TAG: u32 = 0x636f_6f6b; // "cook"
}

impl Failing for reqc_cookie_list {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

fn owned(s: String) -> *mut c_char {
    CString::new(s).unwrap_or_default().into_raw()
}

/// Stores a cookie as if a response from `url` had sent `Set-Cookie:
/// <set_cookie>` (e.g. "id=42; Path=/; Secure"). Cookies are scoped as a
/// browser does (domain, path, Secure, expiry). The jar's refusals, the
/// same for this call, a server's Set-Cookie and `reqc_session_import_cookies`
/// (a refused Set-Cookie from a server is dropped silently):
/// - a name that is not a token, or a value, path or domain with a control
///   character (TAB included) or `;` (RFC 6265 4.1.1): so anything the jar
///   holds exports and re-imports;
/// - a Domain attribute that is not `url`'s domain;
/// - a Domain attribute that is a public suffix ("com", "co.uk",
///   "github.io"): refused, unless it is `url`'s host itself, which makes a
///   host-only cookie (RFC 6265 5.3 step 5). No cookie ever reaches every
///   site under a public suffix.
///
/// The jar keeps at most 180 cookies per domain and 3000 in all, dropping
/// the oldest.
///
/// Secure cookies are sent over https, and also over plain http to loopback
/// hosts (localhost, 127.0.0.0/8, ::1), as browsers do: a local test server
/// sees them.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_ARGUMENT` or `REQC_E_INVALID_URL`
/// (message on `session`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_cookie(
    session: *mut reqc_session,
    url: *const c_char,
    set_cookie: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            let target = validate::url(str_arg(url, "url")?)?;
            h.session
                .jar
                .set(&target, str_arg(set_cookie, "cookie")?)
                .map(|_| ())
        })
    }
}

/// The value of cookie `name` that a request to `url` would send, in a new
/// string at `*value_out` (free it with `reqc_string_free`). With several cookies
/// of that name for `url` (other paths or domains), the one sent first:
/// longest path first, then the earliest created (RFC 6265 5.4); the same
/// answer on every run.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (no such cookie for that URL),
/// `REQC_E_INVALID_ARGUMENT` or `REQC_E_INVALID_URL`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_get_cookie(
    session: *mut reqc_session,
    url: *const c_char,
    name: *const c_char,
    value_out: *mut *mut c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            let target = validate::url(str_arg(url, "url")?)?;
            let name = str_arg(name, "name")?;
            if value_out.is_null() {
                return Err(Error::invalid("value_out is NULL"));
            }
            let value = h.session.jar.get(&target, name).ok_or_else(|| {
                Error::new(Code::NotFound, format!("no cookie {name:?} for {target}"))
            })?;
            write_out(value_out, owned(value));
            Ok(())
        })
    }
}

/// Removes the cookie `name` stored for `domain` (as listed by
/// `reqc_session_cookies`, without a leading dot) and `path`.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` or `REQC_E_INVALID_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_delete_cookie(
    session: *mut reqc_session,
    domain: *const c_char,
    path: *const c_char,
    name: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            let (domain, path, name) = (
                str_arg(domain, "domain")?,
                str_arg(path, "path")?,
                str_arg(name, "name")?,
            );
            if h.session.jar.delete(domain, path, name) {
                Ok(())
            } else {
                Err(Error::new(
                    Code::NotFound,
                    format!("no cookie {name:?} for {domain}{path}"),
                ))
            }
        })
    }
}

/// Empties the session's cookie jar. Returns `REQC_OK` or
/// `REQC_E_INVALID_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_clear_cookies(session: *mut reqc_session) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            h.session.jar.clear();
            Ok(())
        })
    }
}

/// A snapshot of every unexpired cookie, ordered by domain, path and name,
/// at `*list_out` (free with `reqc_cookie_list_free`). Later changes to the jar do
/// not change the snapshot.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_cookies(
    session: *mut reqc_session,
    list_out: *mut *mut reqc_cookie_list,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            if list_out.is_null() {
                return Err(Error::invalid("list_out is NULL"));
            }
            let cookies = h
                .session
                .jar
                .list()
                .into_iter()
                .map(reqc_cookie::lent)
                .collect();
            let list = reqc_cookie_list {
                cookies,
                errors: ErrorSlot::default(),
            };
            write_out(list_out, into_raw(list));
            Ok(())
        })
    }
}

/// How many cookies the snapshot holds.
///
/// Returns the number of cookies; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_count(list: *const reqc_cookie_list) -> usize {
    guard_or(0, || {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { borrow(list) }.map_or(0, |l| l.cookies.len())
    })
}

/// Writes the `index`th cookie of the snapshot (0 up to
/// `reqc_cookie_list_count`) to `*cookie_out` (`cookie_out` may be NULL: not
/// wanted): borrowed from `list`, valid until `list` is freed; read it with
/// the `reqc_cookie_*` accessors. Written only on success.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (index at or past the count) or
/// `REQC_E_INVALID_ARGUMENT` (NULL `list`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_at(
    list: *const reqc_cookie_list,
    index: usize,
    cookie_out: *mut *const reqc_cookie,
) -> reqc_code {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        let Some(l) = (unsafe { borrow(list) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        let Some(cookie) = l.cookies.get(index) else {
            return REQC_E_NOT_FOUND;
        };
        // SAFETY: `cookie_out` is NULL or writable, per the preamble rule.
        unsafe { write_out(cookie_out, cookie.as_ptr()) };
        REQC_OK
    })
}

/// Frees a cookie list and its cookies. NULL is a no-op.
///
/// Returns nothing.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_free(list: *mut reqc_cookie_list) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { release(list) };
        REQC_OK
    });
}

/// Reads a field of a cookie, or `fallback` for NULL (or not a cookie).
unsafe fn field<T: Copy>(
    cookie: *const reqc_cookie,
    fallback: T,
    f: impl FnOnce(&reqc_cookie) -> T,
) -> T {
    guard_or(fallback, || {
        // SAFETY: pointers per the header's preamble rule.
        unsafe { borrow(cookie) }.map_or(fallback, f)
    })
}

/// The cookie's name.
///
/// Returns the name, borrowed from the list or response the cookie came
/// from; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_name(cookie: *const reqc_cookie) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, c"".as_ptr(), |k| k.name.as_ptr()) }
}

/// The cookie's value.
///
/// Returns the value, borrowed from the list or response the cookie came
/// from; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_value(cookie: *const reqc_cookie) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, c"".as_ptr(), |k| k.value.as_ptr()) }
}

/// The host (a host-only cookie) or domain (with subdomains: see
/// `reqc_cookie_include_subdomains`) the cookie is sent to, without a
/// leading dot.
///
/// Returns the domain, borrowed from the list or response the cookie came
/// from; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_domain(cookie: *const reqc_cookie) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, c"".as_ptr(), |k| k.domain.as_ptr()) }
}

/// The path the cookie is sent under.
///
/// Returns the path, borrowed from the list or response the cookie came
/// from; "" for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_path(cookie: *const reqc_cookie) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, c"".as_ptr(), |k| k.path.as_ptr()) }
}

/// When the cookie expires.
///
/// Returns Unix seconds; 0 for a session cookie (no Expires or Max-Age: it
/// lives as long as the jar) and for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_expires(cookie: *const reqc_cookie) -> i64 {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, 0, |k| k.info.expires) }
}

/// Whether the cookie is sent over https only (its Secure attribute).
///
/// Returns exactly 1 or 0; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_secure(cookie: *const reqc_cookie) -> c_int {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, 0, |k| c_int::from(k.info.secure)) }
}

/// Whether the cookie is HttpOnly (libreqc sends it all the same; a
/// browser would hide it from scripts).
///
/// Returns exactly 1 or 0; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_http_only(cookie: *const reqc_cookie) -> c_int {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, 0, |k| c_int::from(k.info.http_only)) }
}

/// Whether the cookie is sent to subdomains of `reqc_cookie_domain` too
/// (it had a Domain attribute) rather than to that host alone.
///
/// Returns exactly 1 or 0; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_include_subdomains(cookie: *const reqc_cookie) -> c_int {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { field(cookie, 0, |k| c_int::from(k.info.include_subdomains)) }
}

/// The jar in the Netscape cookie-file format (what curl's `-b`/`-c` and
/// wget read and write), session cookies included with expiry 0, in a new
/// string at `*text_out` (free with `reqc_string_free`).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_export_cookies(
    session: *mut reqc_session,
    text_out: *mut *mut c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            if text_out.is_null() {
                return Err(Error::invalid("text_out is NULL"));
            }
            write_out(text_out, owned(h.session.jar.export_netscape()));
            Ok(())
        })
    }
}

/// Adds the cookies of a Netscape cookie file's text to the jar (expired
/// ones are skipped; the same refusals as `reqc_session_set_cookie` apply)
/// and stores how many in `*count_out` (`count_out` may be NULL). A line for a
/// public suffix with subdomains TRUE (`.com`, `.github.io`) is refused;
/// a host-only line for such a host is kept host-only.
///
/// All or nothing: a malformed or refused line fails the whole import, and
/// the jar is left as it was.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (the first bad line,
/// named in the message on `session`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_import_cookies(
    session: *mut reqc_session,
    text: *const c_char,
    count_out: *mut usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_handle(session, |h| {
            let added = h.session.jar.import_netscape(str_arg(text, "text")?)?;
            write_out(count_out, added);
            Ok(())
        })
    }
}

/// Frees a string that libreqc handed over as owned (a `char **` out-parameter:
/// `reqc_session_get_cookie`, `reqc_session_export_cookies`, `reqc_request_new`'s
/// message). NULL is
/// a no-op.
///
/// Returns nothing.
#[no_mangle]
pub unsafe extern "C" fn reqc_string_free(string: *mut c_char) {
    guard(|| {
        if !string.is_null() {
            // SAFETY: `string` came from CString::into_raw in this module and is
            // freed once, per the contract.
            drop(unsafe { CString::from_raw(string) });
        }
        REQC_OK
    });
}
