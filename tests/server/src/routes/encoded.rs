//! `/reqc/encoded`: a body of a known pattern (or zeros) in any chain of
//! content codings, optionally on a redirect or a chain of redirects, for
//! libreqc's decoding tests and its per-send memory bound.
//!
//! Query arguments:
//! - `size=N` (default 1000): length of the decoded body;
//! - `zeros=1`: the body is zero bytes (a bomb when compressed) instead of
//!   the pattern `0123456789abcdef` repeated (byte i is that string[i % 16]);
//! - `coding=a,b`: codings applied in that order, named in Content-Encoding:
//!   `gzip`, `x-gzip`, `deflate` (zlib-wrapped), `deflate-raw` (raw deflate,
//!   labelled `deflate`), `br`, `zstd`, `identity`; any other name is only
//!   put in the header (the body stays as it is);
//! - `garbage=1`: the body is 64 bytes that are no coding at all, whatever
//!   the header says;
//! - `status=S` (default 200) and `location=L`;
//! - `hops=N`: N > 0 answers 302 with the same URL but `hops=N-1` as
//!   Location (the body as above): a chain of N redirects, then `status`.
//!
//! The body is produced and encoded 1 MiB at a time, streamed (chunked), so
//! 100 MiB cost the server no more memory than 1 MiB.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock};

use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;
use hyper::body::Bytes;

use crate::request::Req;
use crate::response::{self, Resp};

const MIB: usize = 1024 * 1024;
const PATTERN: &[u8; 16] = b"0123456789abcdef";
const GARBAGE: &[u8] = b"this is not gzip, deflate, br or zstd: just 64 bytes of garbage.";

/// 1 MiB of the pattern (MIB is a multiple of 16: every chunk is the same).
fn pattern_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK
        .get_or_init(|| Bytes::from(PATTERN.repeat(MIB / PATTERN.len())))
        .clone()
}

fn zero_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK.get_or_init(|| Bytes::from(vec![0u8; MIB])).clone()
}

/// The encoder chain's output, drained after each chunk.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Wraps `inner` in the encoder for `coding`; unknown codings add none.
fn wrap(coding: &str, inner: Box<dyn Write + Send>) -> Box<dyn Write + Send> {
    match coding {
        "gzip" | "x-gzip" => Box::new(GzEncoder::new(inner, Compression::new(6))),
        "deflate" => Box::new(ZlibEncoder::new(inner, Compression::new(6))),
        "deflate-raw" => Box::new(DeflateEncoder::new(inner, Compression::new(6))),
        "br" => Box::new(brotli::CompressorWriter::new(inner, 4096, 5, 22)),
        "zstd" => match zstd::stream::write::Encoder::new(inner, 3) {
            Ok(e) => Box::new(e.auto_finish()),
            Err(_) => Box::new(Sink::default()),
        },
        _ => inner,
    }
}

pub fn encoded(req: &Req) -> Resp {
    let num = |name: &str, default: u64| {
        req.arg(name)
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(default)
    };
    let flag = |name: &str| matches!(req.arg(name).as_deref(), Some("1" | "true"));
    let size = num("size", 1000) as usize;
    let hops = num("hops", 0);
    let zeros = flag("zeros");
    let garbage = flag("garbage");
    let codings: Vec<String> = req
        .arg("coding")
        .unwrap_or_default()
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();

    let (tx, body) = response::channel(2);
    let chain = codings.clone();
    tokio::spawn(async move {
        if garbage {
            let _ = tx.send(Bytes::from_static(GARBAGE)).await;
            return;
        }
        let chunk = if zeros { zero_chunk() } else { pattern_chunk() };
        if chain.is_empty() {
            // Identity: the chunks themselves, no copy.
            let mut left = size;
            while left > 0 {
                let n = left.min(MIB);
                if tx.send(chunk.slice(..n)).await.is_err() {
                    return;
                }
                left -= n;
            }
            return;
        }
        let sink = Sink::default();
        // The first coding is applied first, so it is the outermost writer.
        let mut writer: Box<dyn Write + Send> = Box::new(sink.clone());
        for coding in chain.iter().rev() {
            writer = wrap(coding, writer);
        }
        let mut left = size;
        while left > 0 {
            let n = left.min(MIB);
            if writer.write_all(&chunk[..n]).is_err() {
                return;
            }
            left -= n;
            let out = sink.take();
            if !out.is_empty() && tx.send(Bytes::from(out)).await.is_err() {
                return;
            }
        }
        drop(writer); // finishes every encoder, outermost first
        let out = sink.take();
        if !out.is_empty() {
            let _ = tx.send(Bytes::from(out)).await;
        }
    });

    let status = if hops > 0 {
        302
    } else {
        num("status", 200) as u16
    };
    let mut r = response::with_status(status, body);
    response::set(&mut r, "content-type", "application/octet-stream");
    if !codings.is_empty() {
        let names: Vec<&str> = codings
            .iter()
            .map(|c| {
                if c == "deflate-raw" {
                    "deflate"
                } else {
                    c.as_str()
                }
            })
            .collect();
        response::set(&mut r, "content-encoding", &names.join(", "));
    }
    if hops > 0 {
        let query: Vec<(String, String)> = req
            .args()
            .into_iter()
            .map(|(k, v)| {
                if k == "hops" {
                    (k, (hops - 1).to_string())
                } else {
                    (k, v)
                }
            })
            .collect();
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        response::set(&mut r, "location", &format!("{}?{query}", req.path()));
    } else if let Some(location) = req.arg("location") {
        response::set(&mut r, "location", &location);
    }
    r
}
