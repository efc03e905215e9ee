//! Every fallible function returns a `reqc_code`: `REQC_OK` (0) or one of
//! the `REQC_E_*` values below, whose numbers never change; `reqc_code_name`
//! names them. A 4xx or 5xx status is a response, not an error. The version
//! macros tell which header a program was compiled with, `reqc_version` and
//! `reqc_version_number` which library it runs with.
//!
//! Thread rule: every function here may be called from any thread.

// Result codes, version and feature queries.

use std::ffi::{c_char, c_int, CString};
use std::sync::OnceLock;

use super::boundary::{code_of, guard_or, str_arg};
use super::version;
use crate::core::error::Code;

/// A result code: `REQC_OK` (0) or one of the `REQC_E_*` values. The numbers
/// are stable and never reused.
#[allow(non_camel_case_types)]
pub type reqc_code = c_int;

/// Success.
pub const REQC_OK: reqc_code = 0;
/// An argument was NULL, not UTF-8, held CR, LF or NUL where not allowed, was
/// not an HTTP token, or was out of range; or a handle of the wrong type.
pub const REQC_E_INVALID_ARGUMENT: reqc_code = 1;
/// The URL could not be parsed, has no host, holds a control character
/// (CR, LF, tab, NUL escapes: refused, never stripped), or is longer than
/// 64 KiB.
pub const REQC_E_INVALID_URL: reqc_code = 2;
/// The URL's scheme is not http or https (also for a redirect's target).
pub const REQC_E_UNSUPPORTED_PROTOCOL: reqc_code = 3;
/// The call is not allowed in the handle's current state.
pub const REQC_E_INVALID_STATE: reqc_code = 4;
/// An index out of range or an unknown name.
pub const REQC_E_NOT_FOUND: reqc_code = 5;
/// A local file could not be read.
pub const REQC_E_IO: reqc_code = 6;
/// The host name could not be resolved.
pub const REQC_E_RESOLVE: reqc_code = 10;
/// The connection was refused or could not be made.
pub const REQC_E_CONNECT: reqc_code = 11;
/// The connect, read or total timeout expired (the message says which for
/// the read timeout), or the low-speed floor was hit.
pub const REQC_E_TIMEOUT: reqc_code = 12;
/// TLS handshake or certificate verification failed.
pub const REQC_E_TLS: reqc_code = 13;
/// Sending the request failed.
pub const REQC_E_SEND: reqc_code = 14;
/// Receiving the response failed (connection lost, short body, bad chunking).
/// A response cut short is always this code, never a success, whatever
/// libcurl reports: a close inside the status line or the head (no blank
/// line after the headers), before the `Content-Length` was met, inside a
/// chunk or before the last chunk; on HTTP/2 a stream reset, a GOAWAY or a
/// closed connection once the head has arrived. RECV rather than PROTOCOL
/// because what arrived was valid as far as it went: the rest never came
/// (Requests raises ChunkedEncodingError / ConnectionError here, not a
/// parse error). Only a body without any length or chunking ends at the
/// close by design.
pub const REQC_E_RECV: reqc_code = 15;
/// The server's reply was not valid HTTP: a garbled status line, an
/// HTTP/0.9 reply, headers past the limits, an HTTP/2 error before the head.
pub const REQC_E_PROTOCOL: reqc_code = 16;
/// The proxy failed or refused the request, or could not be reached (its
/// name does not resolve, the connection to it was refused).
pub const REQC_E_PROXY: reqc_code = 17;
/// More redirects than the request allows.
pub const REQC_E_TOO_MANY_REDIRECTS: reqc_code = 20;
/// The decoded body exceeded the size cap.
pub const REQC_E_BODY_TOO_LARGE: reqc_code = 21;
/// The send was cancelled with `reqc_request_cancel`.
pub const REQC_E_CANCELLED: reqc_code = 22;
/// A callback asked to stop.
pub const REQC_E_ABORTED: reqc_code = 23;
/// The body read callback failed: it returned non-zero, or it ended the
/// body before the length given to `reqc_request_set_body_callback` (or
/// supplied more); the message says which.
pub const REQC_E_CALLBACK: reqc_code = 24;
/// Another failure of the transfer; the message names libcurl's error.
pub const REQC_E_TRANSPORT: reqc_code = 30;
/// A bug in libreqc: a panic was caught at the C boundary.
pub const REQC_E_PANIC: reqc_code = 99;

/// The name of `code`, e.g. "REQC_E_TIMEOUT"; "REQC_OK" for 0 and
/// "REQC_E_UNKNOWN" for a number that is no code.
///
/// Returns a static string: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn reqc_code_name(code: reqc_code) -> *const c_char {
    guard_or(c"REQC_E_PANIC".as_ptr(), || {
        static NAMES: OnceLock<Vec<(reqc_code, CString)>> = OnceLock::new();
        if code == REQC_OK {
            return c"REQC_OK".as_ptr();
        }
        let names = NAMES.get_or_init(|| {
            Code::ALL
                .iter()
                .map(|c| (code_of(*c), CString::new(c.name()).unwrap_or_default()))
                .collect()
        });
        names
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(c"REQC_E_UNKNOWN".as_ptr(), |(_, name)| name.as_ptr())
    })
}

/// libreqc's version and the linked libcurl's, e.g.
/// "libreqc/0.1.0 libcurl/8.22.0 OpenSSL/3.0.19 zlib/1.2.13 nghttp2/1.68.1".
///
/// Returns a static string: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn reqc_version() -> *const c_char {
    guard_or(c"libreqc".as_ptr(), || {
        static LINE: OnceLock<CString> = OnceLock::new();
        LINE.get_or_init(|| {
            let line = format!(
                "libreqc/{} {}",
                env!("CARGO_PKG_VERSION"),
                version::curl_version_line()
            );
            CString::new(line).unwrap_or_default()
        })
        .as_ptr()
    })
}

/// The linked libreqc's version as one number, 0xMMmmpp (major, minor and
/// patch one byte each, as libcurl's LIBCURL_VERSION_NUM): the run-time
/// counterpart of REQC_VERSION_NUMBER, which is the header's. A program
/// built against one header and run with a newer library sees a larger
/// number here than in the macro.
///
/// Returns the number, e.g. 0x000100 for 0.1.0. Thread-safe.
#[no_mangle]
pub extern "C" fn reqc_version_number() -> u32 {
    VERSION_NUMBER
}

/// Cargo.toml's version as 0xMMmmpp (build.rs writes the same number into
/// the header, and refuses a part above 255).
const VERSION_NUMBER: u32 = (version_part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
    | (version_part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
    | version_part(env!("CARGO_PKG_VERSION_PATCH"));

const fn version_part(text: &str) -> u32 {
    match u32::from_str_radix(text, 10) {
        Ok(n) if n <= 0xff => n,
        _ => panic!("a version part is a number from 0 to 255"),
    }
}

/// 1 when libreqc, with the libcurl it links, supports `feature`, else 0.
/// Features: "http2", "http2-multiplexing" (0 before libcurl 8.0, whose
/// HTTP/2 connection reuse is broken, curl issue #10634: libreqc then opens
/// a connection per HTTP/2 transfer), "https", and the content codings
/// "gzip" (with deflate), "brotli", "zstd": libreqc decodes those itself, so
/// every build has them and offers them in Accept-Encoding. Unknown names
/// and NULL give 0.
/// Thread-safe.
///
/// Returns 1 when the feature is there, else 0.
#[no_mangle]
pub unsafe extern "C" fn reqc_has_feature(feature: *const c_char) -> c_int {
    guard_or(0, || {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        match unsafe { str_arg(feature, "feature") } {
            Ok(name) => c_int::from(version::has_feature(name)),
            Err(_) => 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_values_match_core_codes() {
        let table = [
            (REQC_E_INVALID_ARGUMENT, Code::InvalidArgument),
            (REQC_E_INVALID_URL, Code::InvalidUrl),
            (REQC_E_UNSUPPORTED_PROTOCOL, Code::UnsupportedProtocol),
            (REQC_E_INVALID_STATE, Code::InvalidState),
            (REQC_E_NOT_FOUND, Code::NotFound),
            (REQC_E_IO, Code::Io),
            (REQC_E_RESOLVE, Code::Resolve),
            (REQC_E_CONNECT, Code::Connect),
            (REQC_E_TIMEOUT, Code::Timeout),
            (REQC_E_TLS, Code::Tls),
            (REQC_E_SEND, Code::Send),
            (REQC_E_RECV, Code::Recv),
            (REQC_E_PROTOCOL, Code::Protocol),
            (REQC_E_PROXY, Code::Proxy),
            (REQC_E_TOO_MANY_REDIRECTS, Code::TooManyRedirects),
            (REQC_E_BODY_TOO_LARGE, Code::BodyTooLarge),
            (REQC_E_CANCELLED, Code::Cancelled),
            (REQC_E_ABORTED, Code::Aborted),
            (REQC_E_CALLBACK, Code::Callback),
            (REQC_E_TRANSPORT, Code::Transport),
            (REQC_E_PANIC, Code::Panic),
        ];
        assert_eq!(table.len(), Code::ALL.len());
        for (c, code) in table {
            assert_eq!(c, super::super::boundary::code_of(code), "{}", code.name());
        }
    }

    #[test]
    fn an_outcome_leaves_its_message_only_on_the_handle_given() {
        use super::super::boundary::{outcome, ErrorSlot};
        use crate::core::error::Error;
        use std::ffi::CStr;
        let slot = ErrorSlot::default();
        assert_eq!(outcome(Ok(()), Some(&slot)), REQC_OK);
        assert_eq!(
            outcome(Err(Error::invalid("no")), None),
            REQC_E_INVALID_ARGUMENT
        );
        // SAFETY: the slot's text lives until the slot changes or drops.
        assert_eq!(unsafe { CStr::from_ptr(slot.as_ptr()) }, c"");
        let failed = Error::new(Code::Timeout, "too slow");
        assert_eq!(outcome(Err(failed), Some(&slot)), REQC_E_TIMEOUT);
        // SAFETY: as above.
        let text = unsafe { CStr::from_ptr(slot.as_ptr()) };
        assert_eq!(text, c"REQC_E_TIMEOUT: too slow");
    }
}
