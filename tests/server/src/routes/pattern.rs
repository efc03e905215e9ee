//! Bodies of any size in a known pattern, for the streaming tests: byte `i`
//! of a body is `i % 251` (a period no power-of-two chunking hides), so a
//! client checks what it reassembled without the server holding the body,
//! and a gigabyte costs the server no memory.
//!
//! `/reqc/pattern?bytes=N` (default 1 MiB), any method, with:
//! - `chunked=1`: no Content-Length (chunked on HTTP/1.1);
//! - `gzip=1`: the body gzip-encoded (built whole: keep it small);
//! - `hold=KEY`: the head goes out, the body waits for
//!   `/reqc/release?key=KEY` (at most 10 s), so a test can see the head
//!   arrive before any body byte;
//! - `stall_ms=MS`: after the first half of the body, a silence of MS;
//! - `cut=1`: the connection is closed after the first half of the body
//!   (short of its Content-Length: the client sees it cut);
//! - `redirect=1`: a 302 to the same URL without it, first.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use hyper::body::Bytes;
use tokio::sync::Notify;

use crate::request::Req;
use crate::response::{self, Resp};

/// The pattern's period.
const PERIOD: usize = 251;
/// One chunk of the body as sent.
const CHUNK: usize = 64 * 1024;
/// The longest a held body waits for its release.
const HOLD_MAX: Duration = Duration::from_secs(10);

/// The pattern from offset 0 to `PERIOD + CHUNK`: any chunk of the body is
/// a slice of it (no copy).
static CYCLE: LazyLock<Bytes> =
    LazyLock::new(|| (0..PERIOD + CHUNK).map(|i| (i % PERIOD) as u8).collect());

/// The releases of held bodies, by key (a release before the hold counts).
static HOLDS: LazyLock<Mutex<HashMap<String, Arc<Notify>>>> = LazyLock::new(Default::default);

fn hold_of(key: &str) -> Arc<Notify> {
    let mut holds = HOLDS.lock().unwrap_or_else(|e| e.into_inner());
    if holds.len() > 10_000 {
        holds.clear();
    }
    holds.entry(key.to_string()).or_default().clone()
}

/// `/reqc/release?key=KEY`: lets the body held under KEY go.
pub fn release(req: &Req) -> Resp {
    hold_of(&req.arg("key").unwrap_or_default()).notify_one();
    response::text(200, "text/plain", "released")
}

/// `len` bytes of the pattern from offset `at`.
fn piece(at: u64, len: usize) -> Bytes {
    let start = (at % PERIOD as u64) as usize;
    CYCLE.slice(start..start + len)
}

pub fn pattern(req: &Req) -> Resp {
    let flag = |name: &str| req.arg(name).is_some_and(|v| v == "1");
    if flag("redirect") {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(req.args().into_iter().filter(|(k, _)| k != "redirect"))
            .finish();
        return response::bare_redirect(302, &format!("/reqc/pattern?{query}"));
    }
    let bytes: u64 = req
        .arg("bytes")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 20);
    let stall = req
        .arg("stall_ms")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let cut = flag("cut");
    let hold = req.arg("hold").map(|key| hold_of(&key));
    let gzip = flag("gzip");
    let chunked = flag("chunked");
    if hold.is_none() && !cut && stall.is_none() && !gzip && !chunked && bytes <= CHUNK as u64 {
        // A small plain body goes out whole, so hyper writes it with the
        // head: a client that has the head has the body too (what the
        // early-close test relies on; from a channel the head could leave
        // before the producer task ran).
        return framed(response::full(piece(0, bytes as usize)), false);
    }
    let (tx, body) = response::channel(4);
    tokio::spawn(async move {
        if let Some(hold) = hold {
            let _ = tokio::time::timeout(HOLD_MAX, hold.notified()).await;
        }
        if gzip {
            let mut e = GzEncoder::new(Vec::new(), Compression::new(4));
            let mut at = 0;
            while at < bytes {
                let len = (bytes - at).min(CHUNK as u64) as usize;
                let _ = e.write_all(&piece(at, len));
                at += len as u64;
            }
            let _ = tx.send(Bytes::from(e.finish().unwrap_or_default())).await;
            return;
        }
        let half = bytes / 2;
        let mut at = 0;
        while at < bytes {
            // Chunks end at the half, where a stall or a cut happens.
            let end = if at < half { half } else { bytes };
            let len = (end - at).min(CHUNK as u64) as usize;
            if tx.send(piece(at, len)).await.is_err() {
                return;
            }
            at += len as u64;
            if at == half && half > 0 {
                if cut {
                    // Dropping the sender early ends the body short: hyper
                    // closes the connection (a reset, for the client).
                    return;
                }
                if let Some(stall) = stall {
                    tokio::time::sleep(stall).await;
                }
            }
        }
    });
    let mut r = framed(body, gzip);
    if !gzip && !chunked {
        response::set(&mut r, "content-length", &bytes.to_string());
    }
    r
}

/// The pattern's response around `body`: its type, and its encoding when
/// gzipped (a whole body's Content-Length is hyper's).
fn framed(body: response::Body, gzip: bool) -> Resp {
    let mut r = response::with_status(200, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    if gzip {
        response::set(&mut r, "content-encoding", "gzip");
    }
    r
}
