//! JSON output the way httpbin (Flask + Python's json) writes it:
//! sorted keys, 2-space indent, `ensure_ascii` escapes, trailing newline;
//! and Python's default `json.dumps` separators for `/stream`.

use serde_json::ser::Formatter;
use serde_json::{Map, Value};
use std::io;

/// Flask `jsonify` with `compact = False`, plus httpbin's trailing newline.
pub fn pretty(v: &Value) -> String {
    let s = serde_json::to_string_pretty(&sort_keys(v)).unwrap_or_default();
    let mut out = ensure_ascii(&s);
    out.push('\n');
    out
}

/// Python `json.dumps(v)`: `", "` and `": "` separators, keys in insertion order.
pub fn python_dumps(v: &Value) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, PyFormatter);
    let _ = serde::Serialize::serialize(v, &mut ser);
    ensure_ascii(&String::from_utf8_lossy(&buf))
}

fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k.clone(), sort_keys(v));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// Escape every non-ASCII char as `\uXXXX` (lowercase hex, surrogate pairs),
/// as Python does. Non-ASCII can only occur inside JSON strings.
fn ensure_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        }
    }
    out
}

struct PyFormatter;

impl Formatter for PyFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}
