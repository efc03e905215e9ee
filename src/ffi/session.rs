//! A `reqc_session` holds defaults layered under every request it sends
//! (headers, params, auth, options, hooks, log sink), a cookie jar, and
//! kept-alive connections: Requests' `Session`.
//!
//! Precedence, the one rule for every setting: request > session > global
//! config (`reqc_config_*`) > built-in default; a higher layer always wins.
//! - Headers by name: a header a layer names (set, added, or removed with a
//!   NULL value) replaces all of the lower layers' headers of that name,
//!   in the place the first of them had in the header block.
//! - A setting that makes a header counts as that header on the layer it was
//!   set on: auth (`*_set_auth_*`, and `user:password@` in the request's URL)
//!   makes `Authorization`, the user agent (`*_set_user_agent`) makes
//!   `User-Agent`, a body's type makes `Content-Type`. So a request's basic
//!   auth beats a session's `Authorization` header, and a session's user
//!   agent beats a config `User-Agent` header. On one layer, an explicit
//!   header beats the setting that would make it.
//! - A removal (NULL value, `reqc_request_set_auth_none`) on a layer removes
//!   what the layers below contribute, never what a higher layer sets: a
//!   config `User-Agent` removal leaves a session's user agent alone.
//! - URL user info is the request's own auth: it beats session auth and
//!   session or config `Authorization` headers, and loses to the request's
//!   own `reqc_request_set_auth_*` and `Authorization` header. (Requests
//!   lets a session's auth beat URL user info; libreqc does not: the URL
//!   was written for this one request.)
//! - Params by name: all values of a name come from the highest layer that
//!   sets it (a request's `page` replaces the session's `page`), in the
//!   place of the lower layer's first value; other names are kept.
//! - A `Cookie` header on any layer is sent as is, instead of the jar's and
//!   the request's own cookies (as in Requests).
//!
//! Nothing a request sets persists in the session.
//!
//! Thread rule: a session may be used by many threads at once (sends,
//! setters and cookie calls are all thread-safe); each send runs on its own
//! lane (a curl multi handle with its own connections), checked out for the
//! send and returned after, so sequential sends reuse connections. Setters
//! take effect for sends that start after them.

// `reqc_session`: defaults, cookies and kept-alive connections shared by
// many requests, from many threads.

use std::ffi::{c_char, c_int};
use std::sync::Arc;

use super::boundary::{
    borrow, bytes_arg, error_text, guard, into_raw, opt_str_arg, release, str_arg, with_handle,
    write_out, ErrorSlot, Failing, Handle, Lease,
};
use super::code::{reqc_code, REQC_E_INVALID_ARGUMENT, REQC_OK};
use super::options::{self, reqc_http_version, reqc_option, reqc_tls_version, Target};
use super::request::reqc_request;
use super::response::reqc_response;
use super::Lane;
use crate::core::error::{Error, Result};
use crate::core::options::Auth;
use crate::core::session::Session;

/// A session (opaque): defaults, a cookie jar and kept-alive connections
/// shared by many requests (see Sessions).
#[allow(non_camel_case_types)]
pub struct reqc_session {
    pub(crate) session: Arc<Session<Lane>>,
    errors: ErrorSlot,
}

impl Handle for reqc_session {
    const TAG: u32 = 0x7365_7373; // "sess"
}

impl Failing for reqc_session {
    fn errors(&self) -> &ErrorSlot {
        &self.errors
    }
}

/// Creates a session with no defaults of its own and an empty cookie jar.
/// Writes it to `*session_out` (free with `reqc_session_free`).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (NULL `session_out`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_new(session_out: *mut *mut reqc_session) -> reqc_code {
    guard(|| {
        if session_out.is_null() {
            return REQC_E_INVALID_ARGUMENT;
        }
        let handle = into_raw(reqc_session {
            session: Arc::new(Session::new()),
            errors: ErrorSlot::default(),
        });
        // SAFETY: `session_out` is non-NULL and writable per the contract.
        unsafe { write_out(session_out, handle) };
        REQC_OK
    })
}

/// Frees a session: its cookies and connections (a batch made over it
/// keeps what it needs alive). NULL is a no-op.
///
/// Freeing a session that is in use (sends through it in flight: from one
/// of their hooks or callbacks, or from other threads) gives up the
/// caller's reference at once, and the session goes when the last of those
/// sends returns: they go on as usual, its hooks and log callback still run
/// until then, and their `free_userdata` runs after the last of them (on
/// the thread whose send ended last, or, when a batch made over the session
/// still holds it, when that batch goes). Never touch `session` after this
/// call, and start no new send through it.
///
/// Returns nothing. Thread-safe with the sends through `session`.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_free(session: *mut reqc_session) {
    guard(|| {
        // SAFETY: pointers per the header's preamble rule; each send in
        // flight holds its own reference (a lease).
        unsafe { release(session) };
        REQC_OK
    });
}

/// The message of the last failed setter or cookie call on `session`; "" when
/// none. Borrowed from `session` until its next failed call or its free. A failed
/// send leaves its message on the request (`reqc_request_error`).
///
/// Returns the message, borrowed from `session` until its next failed call or
/// its free; "" when none failed or for NULL.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_error(session: *const reqc_session) -> *const c_char {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { error_text(session) }
}

/// Sends `request` through the session: its defaults under the request's own
/// settings, its cookies (each redirect hop sends the cookies for its URL
/// and stores the ones its response sets), its connections. The request is
/// only read. Everything else as `reqc_send`, including the codes; a
/// failure's message is left on `request`. A send that fails (cancel, timeout,
/// a hook's abort, the body cap, any error) leaves none of the connections
/// it used to later sends, on HTTP/2 too, where libcurl would only reset
/// the stream.
///
/// Thread-safe: many threads may send through one session at once (each
/// with its own request). Callbacks run on the calling thread.
///
/// May block on the network, as `reqc_send`.
///
/// Returns `REQC_OK` or, as `reqc_send` does, with the message on `request`:
/// `REQC_E_INVALID_ARGUMENT`, `REQC_E_RESOLVE`, `REQC_E_CONNECT`,
/// `REQC_E_PROXY`, `REQC_E_TIMEOUT`, `REQC_E_TLS`, `REQC_E_SEND`,
/// `REQC_E_RECV`, `REQC_E_PROTOCOL`, `REQC_E_TOO_MANY_REDIRECTS`,
/// `REQC_E_UNSUPPORTED_PROTOCOL`, `REQC_E_INVALID_URL`,
/// `REQC_E_BODY_TOO_LARGE`, `REQC_E_CANCELLED`, `REQC_E_ABORTED`,
/// `REQC_E_CALLBACK`, `REQC_E_IO`, `REQC_E_INVALID_STATE`,
/// `REQC_E_TRANSPORT` (a NULL `request`: `REQC_E_INVALID_ARGUMENT` with its
/// message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_send(
    session: *mut reqc_session,
    request: *const reqc_request,
    response_out: *mut *mut reqc_response,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe {
        on_session(session, request, |r, session| {
            if response_out.is_null() {
                return Err(Error::invalid("response_out is NULL"));
            }
            // Shared, not copied: the send reads it, and an edit meanwhile
            // (a hook's, on this handle) copies it first.
            let request = r.shared();
            let response = r.sent(session.session.send(&*request, r.cancel_token()))?;
            write_out(response_out, into_raw(reqc_response::new(response)));
            Ok(())
        })
    }
}

/// The shape of every call that sends `request` on `session`
/// (`reqc_session_send`, `reqc_session_open`): `f` runs with the request
/// and a lease on the session, held for the whole send so a free of the
/// session meanwhile waits for its end. A NULL `request` has no handle to
/// hold its message: the session holds it, through the same boundary as
/// every other failure on the session; every other failure goes to the
/// request.
///
/// # Safety
/// Pointers per the header's preamble rule.
pub(super) unsafe fn on_session(
    session: *mut reqc_session,
    request: *const reqc_request,
    f: impl FnOnce(&reqc_request, &Lease<reqc_session>) -> Result<()>,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    if unsafe { borrow(request) }.is_none() {
        // SAFETY: as above.
        return unsafe {
            with_handle(session, |_| {
                Err(Error::invalid("request is NULL or not a request"))
            })
        };
    }
    // SAFETY: as above.
    unsafe {
        with_handle(request, |r| {
            let session = Lease::new(session)
                .ok_or_else(|| Error::invalid("session is NULL or not a session"))?;
            f(r, &session)
        })
    }
}

/// Sets a default header sent with every request (a request's header or
/// header-making setting of the same name replaces it, see `reqc_session`);
/// `value` may be NULL, which removes it from the session's defaults and from the global
/// config's for this session's requests (a request may still set it).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_header(
    session: *mut reqc_session,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.headers_mut().set(
                str_arg(name, "header name")?,
                opt_str_arg(value, "header value")?,
            )
        })
    }
}

/// Adds a default header, keeping others of that name.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_add_header(
    session: *mut reqc_session,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.headers_mut().add(
                str_arg(name, "header name")?,
                str_arg(value, "header value")?,
            )
        })
    }
}

/// Adds a default query parameter (repeat for several values). A request
/// that sets a param of the same name replaces all of the session's values
/// of that name; other session params are sent before the request's own.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_add_param(
    session: *mut reqc_session,
    name: *const c_char,
    value: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            let pair = (
                str_arg(name, "param name")?.to_string(),
                str_arg(value, "param value")?.to_string(),
            );
            l.params_mut().push(pair);
            Ok(())
        })
    }
}

unsafe fn set_auth(session: *mut reqc_session, make: impl FnOnce() -> Result<Auth>) -> reqc_code {
    // SAFETY: forwarded from the caller's contract.
    unsafe { options::edit(Target::Session(session), |l| options::set_auth(l, make())) }
}

/// Default basic auth for every request: the session's `Authorization`
/// (a request's own auth, URL user info or Authorization header wins; it
/// beats a config `Authorization` header). Never sent to another origin
/// after a redirect.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_auth_basic(
    session: *mut reqc_session,
    user: *const c_char,
    password: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set_auth(session, || {
            Auth::basic(str_arg(user, "user")?, str_arg(password, "password")?)
        })
    }
}

/// Default digest auth, as `reqc_session_set_auth_basic`; how challenges are
/// answered is told at `reqc_request_set_auth_digest`. The session keeps the
/// nonce each origin last gave and reuses it (with the next nonce count) on
/// its later requests there, so only the first request of an origin pays the
/// challenge's round trip.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_auth_digest(
    session: *mut reqc_session,
    user: *const c_char,
    password: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set_auth(session, || {
            Auth::digest(str_arg(user, "user")?, str_arg(password, "password")?)
        })
    }
}

/// Default bearer token, as `reqc_session_set_auth_basic`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_auth_bearer(
    session: *mut reqc_session,
    token: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_auth(session, || Auth::bearer(str_arg(token, "token")?)) }
}

/// Default total timeout per send, as `reqc_request_set_timeout_ms`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_timeout_ms(
    session: *mut reqc_session,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { options::edit(Target::Session(session), |l| options::set_timeout(l, ms)) }
}

/// Default read (idle) timeout, as `reqc_request_set_read_timeout_ms`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_read_timeout_ms(
    session: *mut reqc_session,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_read_timeout(l, ms)
        })
    }
}

/// Default connect timeout, as `reqc_request_set_connect_timeout_ms`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_connect_timeout_ms(
    session: *mut reqc_session,
    ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_connect_timeout(l, ms)
        })
    }
}

/// Default redirect policy, as `reqc_request_set_redirects`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_redirects(
    session: *mut reqc_session,
    allow: c_int,
    max: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_redirects(l, allow, max)
        })
    }
}

/// Default HTTP version, as `reqc_request_set_http_version`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_http_version(
    session: *mut reqc_session,
    version: reqc_http_version,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_http_version(l, version)
        })
    }
}

/// Default body size cap, as `reqc_request_set_max_response_bytes`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_max_response_bytes(
    session: *mut reqc_session,
    max: u64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_max_response_bytes(l, max)
        })
    }
}

/// Default speed floor, as `reqc_request_set_speed_floor`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_speed_floor(
    session: *mut reqc_session,
    bytes_per_second: i64,
    window_ms: i64,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_speed_floor(l, bytes_per_second, window_ms)
        })
    }
}

/// Marks a header secret for every request of the session, as
/// `reqc_request_mark_secret_header` (marks from all layers add up).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_mark_secret_header(
    session: *mut reqc_session,
    name: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.options_mut().mark_secret(str_arg(name, "header name")?)
        })
    }
}

/// The session's `User-Agent` (a request's user agent or User-Agent header
/// wins; it beats the config's, also a config removal). Default:
/// "libreqc/<version>".
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (CR, LF or NUL; message
/// on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_user_agent(
    session: *mut reqc_session,
    agent: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_user_agent(l, str_arg(agent, "user agent")?)
        })
    }
}

/// The proxy for the session's requests: an http://, https://, socks4(a)://
/// or socks5(h):// URL; `user:password@` in it is sent to the proxy alone,
/// never to the target, and never logged. "" means no proxy (not even from
/// the environment); `proxy` may be NULL, which goes back to the lower layer (by default the
/// environment's `http_proxy`, `https_proxy`, `all_proxy` minus `no_proxy`:
/// see `reqc_session_set_trust_env`). A proxy set here is used for every
/// host: `no_proxy` applies to the environment's proxies only, as in
/// Requests. A send that cannot reach the proxy (its name does not
/// resolve, the connection is refused) fails with `REQC_E_PROXY`, not
/// `REQC_E_RESOLVE` / `REQC_E_CONNECT`, which are about the target.
///
/// Returns `REQC_OK`, `REQC_E_INVALID_URL`, `REQC_E_UNSUPPORTED_PROTOCOL` or
/// `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_proxy(
    session: *mut reqc_session,
    proxy: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_proxy(l, opt_str_arg(proxy, "proxy")?)
        })
    }
}

/// Whether the session takes settings from the process environment where
/// no layer (request, session, `reqc_config_*`) sets them: 1 (the default,
/// Requests' `trust_env = True`) or 0 (the environment is not read at all).
/// libreqc reads the variables itself at each send and each redirect hop,
/// never libcurl, so 0 leaves nothing of them in effect:
///
/// - **Proxy.** For a URL whose scheme is S: `S_proxy` (lower case first,
///   then upper case; `HTTP_PROXY` in upper case is ignored when
///   `REQUEST_METHOD` is set, in CGI programs, as curl and Python do), else
///   `all_proxy` / `ALL_PROXY`; "host:port" means http://host:port. None
///   when the host matches `no_proxy` / `NO_PROXY`: a comma-separated list
///   of `*`, domains (matching themselves and their subdomains, with or
///   without a leading dot), IP addresses and CIDR blocks, each optionally
///   with `:port`. A proxy a layer sets (or "" for none) always wins, and
///   `no_proxy` does not apply to it.
/// - **CA bundle.** For https with verification on and no CA set on any
///   layer (file, directory or PEM): the first of `REQUESTS_CA_BUNDLE`,
///   `CURL_CA_BUNDLE` and `SSL_CERT_FILE` that is set (a directory there is
///   a CA directory, as in Requests), and `SSL_CERT_DIR`, are used as
///   `reqc_session_set_ca_file` and `_set_ca_dir` would be. A CA a layer
///   sets always wins.
///
/// A password in an environment proxy URL is treated like any other: sent
/// to the proxy alone, never written to any log level or error message.
/// `.netrc` is never read, trusted or not.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not 0 or 1; message on
/// `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_trust_env(
    session: *mut reqc_session,
    trust: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_trust_env(l, trust)
        })
    }
}

/// Turns TLS verification of the peer's certificate and host name on (1,
/// the default) or off (0). libcurl never reuses a connection made with
/// other TLS settings.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_verify_tls(
    session: *mut reqc_session,
    verify: c_int,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_verify_tls(l, verify)
        })
    }
}

/// Trusts the CA certificates in the PEM file at `path` instead of the
/// system's (and instead of any CA bundle the environment names: see
/// `reqc_session_set_trust_env`). The CA file, directory and PEM are one
/// setting, `REQC_OPTION_CA`: a request that sets any of them uses none of
/// the session's, and the session's replace all of the config's. Returns
/// `REQC_E_IO` when the file cannot be read.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_ca_file(
    session: *mut reqc_session,
    path: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.options_mut().set_ca_file(str_arg(path, "path")?)
        })
    }
}

/// Trusts the CA certificates in the directory `path` (OpenSSL hashed
/// layout). Returns `REQC_E_IO` when it cannot be read.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_ca_dir(
    session: *mut reqc_session,
    path: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.options_mut().set_ca_dir(str_arg(path, "path")?)
        })
    }
}

/// Trusts the CA certificates in a copy of `len` bytes of PEM at `pem`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_ca_pem(
    session: *mut reqc_session,
    pem: *const u8,
    len: usize,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.options_mut().set_ca_pem(bytes_arg(pem, len, "pem")?)
        })
    }
}

/// Presents the client certificate and key in the PEM files `cert` and
/// `key`. Returns `REQC_E_IO` when either cannot be read.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_client_cert(
    session: *mut reqc_session,
    cert: *const c_char,
    key: *const c_char,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            l.options_mut()
                .set_client_cert(str_arg(cert, "cert")?, str_arg(key, "key")?)
        })
    }
}

/// The lowest TLS version accepted: `REQC_TLS_VERSION_1_2` or `REQC_TLS_VERSION_1_3`.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (an unknown version; message
/// on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_min_tls_version(
    session: *mut reqc_session,
    version: reqc_tls_version,
) -> reqc_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        options::edit(Target::Session(session), |l| {
            options::set_min_tls(l, version)
        })
    }
}

/// Sends no auth on the session's requests, even when the config sets an
/// `Authorization` header: a removal of `Authorization` on the session's
/// layer (a request's own auth or header still applies). Not the same as
/// `reqc_session_unset(session, REQC_OPTION_AUTH)`, which forgets the
/// session's auth so the config decides again.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_auth_none(session: *mut reqc_session) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { set_auth(session, || Ok(Auth::None)) }
}

/// Unsets `option` on the session: the config's value applies again to its
/// requests (those that do not set it), else the built-in default. Not an
/// explicit value (see `reqc_request_unset`). `REQC_OPTION_HEADERS` forgets
/// every default header, added or removed; `REQC_OPTION_PARAMS` every
/// default param; `REQC_OPTION_LOG` the session's sink (its `free_userdata`
/// runs once no send uses it). Cookies (`reqc_session_clear_cookies`) and
/// hooks (`reqc_session_remove_hook`) are not options. Sends that already started keep what they began
/// with.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (not a `REQC_OPTION_*`
/// value; the message names it, on `session`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn reqc_session_unset(
    session: *mut reqc_session,
    option: reqc_option,
) -> reqc_code {
    // SAFETY: pointers per the header's preamble rule.
    unsafe { options::unset(Target::Session(session), option) }
}
