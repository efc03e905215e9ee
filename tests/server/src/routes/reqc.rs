//! libreqc's own endpoints (`/reqc/...`): a streamed gzip bomb, a raw body
//! echo, the request's header names in order and a slow body.

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use hyper::body::Bytes;

use crate::request::Req;
use crate::response::{self, Resp};

const MIB: u64 = 1024 * 1024;

/// `?size=N` (default 10 MiB) zero bytes, gzip-encoded and compressed on the
/// fly 1 MiB at a time; `?redirect=1` makes it a 302 to /get with that body.
pub fn gzip_bomb(req: &Req) -> Resp {
    let size = req
        .arg("size")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(10 * MIB);
    let redirect = matches!(req.arg("redirect").as_deref(), Some("1" | "true"));
    let (tx, body) = response::channel(2);
    tokio::spawn(async move {
        let zeros = vec![0u8; MIB as usize];
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        let mut left = size;
        while left > 0 {
            let n = left.min(MIB) as usize;
            if enc.write_all(&zeros[..n]).is_err() {
                return;
            }
            left -= n as u64;
            let out = std::mem::take(enc.get_mut());
            if !out.is_empty() && tx.send(Bytes::from(out)).await.is_err() {
                return;
            }
        }
        if let Ok(rest) = enc.finish() {
            if !rest.is_empty() {
                let _ = tx.send(Bytes::from(rest)).await;
            }
        }
    });
    let mut r = response::with_status(if redirect { 302 } else { 200 }, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    response::set(&mut r, "content-encoding", "gzip");
    if redirect {
        response::set(&mut r, "location", "/get");
    }
    r
}

/// The exact request body back, plus what the request looked like.
pub fn echo_raw(req: &Req) -> Resp {
    let mut r = response::with_status(200, response::full(req.body.clone()));
    response::set(&mut r, "content-type", "application/octet-stream");
    response::set(&mut r, "x-reqc-method", req.method.as_str());
    response::set(&mut r, "x-reqc-body-length", &req.body.len().to_string());
    response::set(
        &mut r,
        "x-reqc-transfer-encoding",
        &req.header("transfer-encoding")
            .unwrap_or_else(|| "none".into()),
    );
    response::set(
        &mut r,
        "x-reqc-content-type",
        &req.header("content-type").unwrap_or_else(|| "none".into()),
    );
    r
}

/// The request's header names, lowercase, one a line, in the order they
/// arrived (first occurrence of each name).
pub fn header_names(req: &Req) -> Resp {
    let mut names = String::new();
    for name in req.headers.keys() {
        names.push_str(name.as_str());
        names.push('\n');
    }
    response::text(200, "text/plain", names)
}

/// `Content-Length: N` (default 10) then one `x` every M ms (default 100).
pub fn slow_body(req: &Req) -> Resp {
    let bytes = req
        .arg("bytes")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(10);
    let interval = req
        .arg("interval_ms")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(100);
    let (tx, body) = response::channel(1);
    tokio::spawn(async move {
        for _ in 0..bytes {
            tokio::time::sleep(Duration::from_millis(interval)).await;
            if tx.send(Bytes::from_static(b"x")).await.is_err() {
                return;
            }
        }
    });
    let mut r = response::with_status(200, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    response::set(&mut r, "content-length", &bytes.to_string());
    r
}

/// A short text in a known charset, for the response's declared charset and
/// its UTF-8 text. `name`: `latin1` ("café £" in ISO-8859-1, declared),
/// `latin1-default` (the same bytes as `text/html` without a charset),
/// `shift_jis` ("日本語", charset quoted), `bad-utf8` (`a\xffb` declared
/// UTF-8), `json` (UTF-8 JSON without a charset), `binary` (no charset).
pub fn charset(name: &str) -> Resp {
    let (content_type, body): (&str, &'static [u8]) = match name {
        "latin1" => ("text/plain; charset=ISO-8859-1", b"caf\xe9 \xa3"),
        "latin1-default" => ("text/html", b"caf\xe9 \xa3"),
        "shift_jis" => (
            "text/plain; charset=\"Shift_JIS\"",
            b"\x93\xfa\x96\x7b\x8c\xea",
        ),
        "bad-utf8" => ("text/plain; charset=utf-8", b"a\xffb"),
        "json" => ("application/json", "{\"k\": \"\u{e9}\"}".as_bytes()),
        "binary" => ("application/octet-stream", b"a\xffb"),
        _ => return response::not_found(),
    };
    response::text(200, content_type, body)
}

/// A paginated-API answer: two `Link` headers, several links in one, quoted
/// parameters holding `,` and `;`, a relative target and a multi-valued rel.
pub fn links() -> Resp {
    let mut r = response::text(200, "application/json", "[]");
    response::add(
        &mut r,
        "link",
        "<http://api.example/items?page=3>; rel=\"next\", <http://api.example/items?page=9>; rel=last",
    );
    response::add(
        &mut r,
        "link",
        "</items?page=1>; rel=\"prev first\"; title=\"a, \\\"b\\\"; c\"",
    );
    r
}
