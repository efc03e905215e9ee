//! Fuzzes what a caller hands in: a method, a URL, headers, params and auth,
//! through the C ABI (strings with any bytes), then builds each hop as a
//! send would. Nothing may panic; whatever a setter accepted must be safe to
//! put on the wire (no CR, LF or NUL in a header).
#![no_main]

use std::ffi::CString;

use libfuzzer_sys::fuzz_target;
use reqc::ffi::code::REQC_OK;
use reqc::ffi::request::*;

/// Splits the input into NUL-free fields at 0xFF bytes.
fn fields(data: &[u8]) -> Vec<CString> {
    data.split(|&b| b == 0xFF)
        .map(|f| CString::new(f.iter().copied().filter(|&b| b != 0).collect::<Vec<u8>>()).unwrap())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let f = fields(data);
    let get = |i: usize| f.get(i).map_or(c"".as_ptr(), |s| s.as_ptr());
    let mut req: *mut reqc_request = std::ptr::null_mut();
    // SAFETY: every pointer is a live NUL-terminated string or an out-param.
    unsafe {
        if reqc_request_new(get(0), get(1), &mut req, std::ptr::null_mut()) != REQC_OK {
            // Fall back to a valid request, to fuzz the setters anyway.
            assert_eq!(reqc_request_new(c"GET".as_ptr(), c"http://127.0.0.1:9/".as_ptr(), &mut req, std::ptr::null_mut()), REQC_OK);
        }
        let mut i = 2;
        while i + 1 < f.len().min(40) {
            match f[i].as_bytes().first().copied().unwrap_or(0) % 6 {
                0 => reqc_request_set_header(req, get(i), get(i + 1)),
                1 => reqc_request_add_header(req, get(i), get(i + 1)),
                2 => reqc_request_add_param(req, get(i), get(i + 1)),
                3 => reqc_request_set_auth_basic(req, get(i), get(i + 1)),
                4 => reqc_request_mark_secret_header(req, get(i)),
                _ => reqc_request_set_url(req, get(i + 1)),
            };
            i += 2;
        }
        let url = std::ffi::CStr::from_ptr(reqc_request_url(req)).to_string_lossy().into_owned();
        assert!(!url.contains(['\r', '\n', '\0']), "a URL with a line break was accepted: {url:?}");
        reqc_request_free(req);
    }
    // The engine's own validation, on the raw fields.
    for pair in f.chunks(2) {
        if let [name, value] = pair {
            let (n, v) = (name.to_string_lossy(), value.to_string_lossy());
            if reqc::core::validate::header(&n, &v).is_ok() {
                assert!(!v.contains(['\r', '\n', '\0']));
                assert!(!n.is_empty() && !n.contains([':', ' ', '\r', '\n']));
            }
        }
    }
});
