//! A session's cookie jar: set, get, list, delete, clear, and the Netscape
//! cookie-file format (curl's and wget's). The jar applies RFC 6265's rules
//! (domains, paths, Secure, expiry, public suffixes) on every redirect hop.
//! Strings handed out here are owned by the caller (free with
//! `reqc_string_free`) or by a snapshot list (`reqc_session_cookies`), never
//! by the jar itself, which other threads may change at any time.
//!
//! Thread rule: every function here is thread-safe; a list is a snapshot
//! that may be read from any thread until it is freed.

// The session's cookie jar from C.

use std::ffi::{c_char, c_int, CString};

use super::boundary::{
    borrow, guard, guard_or, into_raw, str_arg, take, with_handle, write_out, ErrorSlot, Handle,
};
use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_E_NOT_FOUND, REQC_OK};
use super::session::reqc_session;
use crate::core::cookies::CookieInfo;
use crate::core::error::{Code, Error};
use crate::core::validate;

/// One cookie of a `reqc_cookie_list`. Its strings are borrowed from the list.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct reqc_cookie {
    /// The host (host-only cookie) or domain (with subdomains) it is sent to.
    pub domain: *const c_char,
    /// 1 when sent to subdomains too (it had a Domain attribute).
    pub include_subdomains: c_int,
    pub path: *const c_char,
    /// 1 when sent over https only.
    pub secure: c_int,
    pub http_only: c_int,
    /// Unix seconds; 0 for a session cookie.
    pub expires: i64,
    pub name: *const c_char,
    pub value: *const c_char,
}

impl reqc_cookie {
    /// The C view of one cookie, its strings borrowed from `strings`
    /// (domain, path, name, value), which must outlive it: a cookie list's
    /// or a response's.
    pub(crate) fn view(info: &CookieInfo, strings: [&CString; 4]) -> reqc_cookie {
        let [domain, path, name, value] = strings;
        reqc_cookie {
            domain: domain.as_ptr(),
            include_subdomains: c_int::from(info.include_subdomains),
            path: path.as_ptr(),
            secure: c_int::from(info.secure),
            http_only: c_int::from(info.http_only),
            expires: info.expires,
            name: name.as_ptr(),
            value: value.as_ptr(),
        }
    }
}

/// A snapshot of a session's cookies (opaque), from `reqc_session_cookies`.
#[allow(non_camel_case_types)]
pub struct reqc_cookie_list {
    /// Each cookie's strings in C form: domain, path, name, value.
    cookies: Vec<(CookieInfo, [CString; 4])>,
    errors: ErrorSlot,
}

impl Handle for reqc_cookie_list {
    const TAG: u32 = 0x636f_6f6b; // "cook"
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
                .map(|info| {
                    let strings = [
                        c(&info.domain),
                        c(&info.path),
                        c(&info.name),
                        c(&info.value),
                    ];
                    (info, strings)
                })
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

/// How many cookies the snapshot holds (0 for NULL).
///
/// Returns the number of cookies; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_count(list: *const reqc_cookie_list) -> usize {
    guard_or(0, || {
        // SAFETY: forwarded from this function's contract.
        unsafe { borrow(list) }.map_or(0, |l| l.cookies.len())
    })
}

/// Fills `*cookie_out` with the `index`th cookie; its strings are borrowed from
/// `list` until it is freed.
///
/// Returns `REQC_OK`, `REQC_E_NOT_FOUND` (out of range) or
/// `REQC_E_INVALID_ARGUMENT` (NULL argument).
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_at(
    list: *const reqc_cookie_list,
    index: usize,
    cookie_out: *mut reqc_cookie,
) -> reqc_code {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let Some(l) = (unsafe { borrow(list) }) else {
            return REQC_E_INVALID_ARGUMENT;
        };
        if cookie_out.is_null() {
            return REQC_E_INVALID_ARGUMENT;
        }
        let Some((info, [domain, path, name, value])) = l.cookies.get(index) else {
            return REQC_E_NOT_FOUND;
        };
        // SAFETY: `cookie_out` is non-NULL and writable per the contract.
        unsafe {
            write_out(
                cookie_out,
                reqc_cookie::view(info, [domain, path, name, value]),
            )
        };
        REQC_OK
    })
}

/// Frees a cookie list. NULL is a no-op.
///
/// Returns nothing.
#[no_mangle]
pub unsafe extern "C" fn reqc_cookie_list_free(list: *mut reqc_cookie_list) {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        drop(unsafe { take(list, |_| true) });
        REQC_OK
    });
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
