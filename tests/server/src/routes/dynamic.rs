//! Dynamic data: /uuid, /bytes, /stream-bytes, /stream, /range, /delay,
//! /drip, /base64.

use std::time::Duration;

use base64::Engine;
use hyper::body::Bytes;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::{json, Value};

use super::int;
use crate::httpbin_json::get_dict;
use crate::request::Req;
use crate::response::{self, Resp};

const LIMIT_100K: u64 = 100 * 1024;

pub fn uuid() -> Resp {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let u = format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    );
    response::json(200, &json!({ "uuid": u }))
}

/// `?seed=N` gives a deterministic generator (not Python's sequence).
/// None when the seed is not an integer (httpbin answers 500).
fn rng(req: &Req) -> Option<StdRng> {
    match req.arg_ci("seed") {
        None => Some(StdRng::from_entropy()),
        Some(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(|n| StdRng::seed_from_u64(n as u64)),
    }
}

pub fn bytes(req: &Req, n: &str) -> Resp {
    let Some(n) = int(n) else {
        return response::not_found();
    };
    let n = n.min(LIMIT_100K) as usize;
    let Some(mut rng) = rng(req) else {
        return response::server_error();
    };
    let mut buf = vec![0u8; n];
    rng.fill_bytes(&mut buf);
    response::text(200, "application/octet-stream", buf)
}

pub fn stream_bytes(req: &Req, n: &str) -> Resp {
    let Some(n) = int(n) else {
        return response::not_found();
    };
    let n = n.min(LIMIT_100K) as usize;
    let Some(mut rng) = rng(req) else {
        return response::server_error();
    };
    let chunk = req
        .arg_ci("chunk_size")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(10 * 1024)
        .max(1);
    let (tx, body) = response::channel(4);
    tokio::spawn(async move {
        let mut left = n;
        while left > 0 {
            let len = left.min(chunk);
            let mut buf = vec![0u8; len];
            rng.fill_bytes(&mut buf);
            if tx.send(Bytes::from(buf)).await.is_err() {
                return;
            }
            left -= len;
        }
    });
    let mut r = response::with_status(200, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    r
}

/// n (max 100) lines of Python-`json.dumps`ed request info, chunked.
pub fn stream(req: &Req, n: &str) -> Resp {
    let Some(n) = int(n) else {
        return response::not_found();
    };
    let n = n.min(100);
    let base = get_dict(req, &["url", "args", "headers", "origin"]);
    let (tx, body) = response::channel(4);
    tokio::spawn(async move {
        for i in 0..n {
            let mut d = base.clone();
            d.insert("id".into(), json!(i));
            let mut line = crate::json_fmt::python_dumps(&Value::Object(d));
            line.push('\n');
            if tx.send(Bytes::from(line)).await.is_err() {
                return;
            }
        }
    });
    let mut r = response::with_status(200, body);
    response::set(&mut r, "content-type", "application/json");
    r
}

pub fn range(req: &Req, n: &str) -> Resp {
    let Some(numbytes) = int(n) else {
        return response::not_found();
    };
    let etag = format!("range{numbytes}");
    if numbytes == 0 || numbytes > LIMIT_100K {
        let mut r = response::text(
            404,
            "text/plain; charset=utf-8",
            "number of bytes must be in the range (0, 102400]",
        );
        response::set(&mut r, "etag", &etag);
        response::set(&mut r, "accept-ranges", "bytes");
        return r;
    }
    let (mut first, mut last) = parse_range(req.header("range").as_deref());
    match (first, last) {
        (None, None) => {
            first = Some(0);
            last = Some(numbytes as i64 - 1);
        }
        (None, Some(l)) => {
            first = Some((numbytes as i64 - l).max(0));
            last = Some(numbytes as i64 - 1);
        }
        (Some(_), None) => last = Some(numbytes as i64 - 1),
        _ => {}
    }
    let (first, last) = (first.unwrap_or(0), last.unwrap_or(0));
    let n = numbytes as i64;
    if first > last || !(0..n).contains(&first) || !(0..n).contains(&last) {
        let mut r = response::text(416, "text/plain; charset=utf-8", "");
        response::set(&mut r, "etag", &etag);
        response::set(&mut r, "accept-ranges", "bytes");
        response::set(&mut r, "content-range", &format!("bytes */{numbytes}"));
        return r;
    }
    let data: Vec<u8> = (first..=last).map(|i| b'a' + (i % 26) as u8).collect();
    let code = if first == 0 && last == n - 1 {
        200
    } else {
        206
    };
    let mut r = response::with_status(code, response::full(data));
    response::set(&mut r, "content-type", "application/octet-stream");
    response::set(&mut r, "etag", &etag);
    response::set(&mut r, "accept-ranges", "bytes");
    response::set(
        &mut r,
        "content-range",
        &format!("bytes {first}-{last}/{numbytes}"),
    );
    r
}

fn parse_range(h: Option<&str>) -> (Option<i64>, Option<i64>) {
    let Some(h) = h else { return (None, None) };
    let h = h.trim();
    if !h.starts_with("bytes") {
        return (None, None);
    }
    let comps: Vec<&str> = h.split('=').collect();
    if comps.len() != 2 {
        return (None, None);
    }
    let mut it = comps[1].split('-');
    let left = it.next().and_then(|s| s.trim().parse().ok());
    let right = it.next().and_then(|s| s.trim().parse().ok());
    (left, right)
}

/// Sleep min(n, 10) seconds without blocking anything else, then echo.
pub async fn delay(req: &Req, n: &str) -> Resp {
    let secs = match n.parse::<f64>() {
        Ok(s) if s.is_finite() => s.clamp(0.0, 10.0),
        _ => return response::server_error(),
    };
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let d = get_dict(
        req,
        &["url", "args", "form", "data", "origin", "headers", "files"],
    );
    response::json(200, &Value::Object(d))
}

/// /drip?duration=2&numbytes=10&code=200&delay=0: `*` bytes spread over `duration`.
pub async fn drip(req: &Req) -> Resp {
    let f = |k: &str, d: f64| {
        req.arg_ci(k)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(d)
    };
    let duration = f("duration", 2.0).max(0.0);
    let numbytes = f("numbytes", 10.0).min(10.0 * 1024.0 * 1024.0) as i64;
    let code = f("code", 200.0) as u16;
    if numbytes <= 0 {
        return response::html(400, "number of bytes must be positive");
    }
    let delay = f("delay", 0.0).clamp(0.0, 10.0);
    if delay > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    }
    let pause = Duration::from_secs_f64(duration / numbytes as f64);
    let (tx, body) = response::channel(1);
    tokio::spawn(async move {
        for _ in 0..numbytes {
            if tx.send(Bytes::from_static(b"*")).await.is_err() {
                return;
            }
            tokio::time::sleep(pause).await;
        }
    });
    let mut r = response::with_status(code, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    response::set(&mut r, "content-length", &numbytes.to_string());
    r
}

pub fn base64(value: &str) -> Resp {
    let decoded = base64::engine::general_purpose::URL_SAFE
        .decode(value.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match decoded {
        Some(s) => response::html(200, s),
        None => response::html(200, "Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l"),
    }
}
