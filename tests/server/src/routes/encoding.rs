//! Content-Encoding endpoints: /gzip, /deflate (zlib-wrapped, as httpbin),
//! /brotli (as httpbin) and /reqc/zstd.

use std::io::Write;

use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use serde_json::{json, Value};

use crate::httpbin_json::get_dict;
use crate::json_fmt;
use crate::request::Req;
use crate::response::{self, Resp};

fn body(req: &Req, flag: &str) -> Vec<u8> {
    let mut d = get_dict(req, &["origin", "headers"]);
    d.insert("method".into(), json!(req.method.as_str()));
    d.insert(flag.into(), json!(true));
    json_fmt::pretty(&Value::Object(d)).into_bytes()
}

fn encoded(data: Vec<u8>, encoding: &str) -> Resp {
    let mut r = response::text(200, "application/json", data);
    response::set(&mut r, "content-encoding", encoding);
    r
}

pub fn gzip(req: &Req) -> Resp {
    let mut e = GzEncoder::new(Vec::new(), Compression::new(4));
    let _ = e.write_all(&body(req, "gzipped"));
    encoded(e.finish().unwrap_or_default(), "gzip")
}

pub fn deflate(req: &Req) -> Resp {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    let _ = e.write_all(&body(req, "deflated"));
    encoded(e.finish().unwrap_or_default(), "deflate")
}

/// httpbin's /brotli: the JSON of /gzip, brotli-encoded.
pub fn brotli(req: &Req) -> Resp {
    let data = body(req, "brotli");
    let mut out = Vec::new();
    {
        let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        let _ = e.write_all(&data);
    }
    encoded(out, "br")
}

/// libreqc's /reqc/zstd: the JSON of /gzip, zstd-encoded.
pub fn zstd(req: &Req) -> Resp {
    let data = body(req, "zstd");
    encoded(zstd::encode_all(&data[..], 3).unwrap_or_default(), "zstd")
}
