//! Fuzzes what a server sends, short of the network: header lines into the
//! head parser and the body collector (with a size cap, through the content
//! decoders when a Content-Encoding names gzip, deflate, br or zstd: the
//! corpus has one of each), Set-Cookie values
//! into the jar, Location values into the redirect rules. Nothing may panic,
//! the cap must hold, and a redirect may only ever lead to http or https.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reqc::core::collect::{Collector, Take};
use reqc::core::cookies::CookieJar;
use reqc::core::redirect;

fuzz_target!(|data: &[u8]| {
    let cap = 4096;
    let mut collector = Collector::new(cap, cap, None, true);
    let (head, body) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    for line in head.split_inclusive(|&b| b == b'\n') {
        collector.header_line(line);
    }
    let mut kept = true;
    for chunk in body.chunks(97) {
        // Not a pulled hop: a write is taken whole or stops the transfer.
        kept = kept && matches!(collector.write(chunk), Take::All);
    }
    assert!(collector.body.len() as u64 <= cap);
    assert_eq!(kept, collector.stop_error().is_none());

    let base = url::Url::parse("http://example.com/a/b").unwrap();
    let jar = CookieJar::new();
    for (name, value) in collector.head.headers.iter() {
        if name.eq_ignore_ascii_case("set-cookie") {
            let _ = jar.set(&base, value);
        }
        if name.eq_ignore_ascii_case("location") {
            if let Ok(next) = redirect::target(&base, value) {
                assert!(matches!(next.scheme(), "http" | "https"), "{next}");
            }
        }
    }
    if let Some(cookies) = jar.header_for(&base) {
        assert!(!cookies.contains(['\r', '\n']));
    }
    let _ = jar.import_netscape(&String::from_utf8_lossy(body));
    let _ = jar.export_netscape();
});
