//! The request echo shape of httpbin's `get_dict`: args, data, files, form,
//! headers, json, method, origin, url.

use base64::Engine;
use serde_json::{Map, Value};

use crate::multipart;
use crate::request::Req;

/// Headers httpbin hides unless `?show_env` is given.
const ENV_HEADERS: &[&str] = &[
    "X-Varnish",
    "X-Request-Start",
    "X-Heroku-Queue-Depth",
    "X-Real-Ip",
    "X-Forwarded-Proto",
    "X-Forwarded-Protocol",
    "X-Forwarded-Ssl",
    "X-Heroku-Queue-Wait-Time",
    "X-Forwarded-For",
    "X-Heroku-Dynos-In-Use",
    "X-Forwarded-Port",
    "X-Request-Id",
    "Via",
    "Total-Route-Time",
    "Connect-Time",
];

/// httpbin `get_dict(*keys)`; the result keeps `keys` order (callers sort on output).
pub fn get_dict(req: &Req, keys: &[&str]) -> Map<String, Value> {
    let body = Body::parse(req);
    let mut out = Map::new();
    for &k in keys {
        let v = match k {
            "url" => Value::String(req.url()),
            "args" => semiflatten(req.args()),
            "form" => semiflatten(body.form.clone()),
            "data" => Value::String(json_safe(&body.data, "application/octet-stream")),
            "origin" => Value::String(req.origin()),
            "headers" => headers(req),
            "files" => Value::Object(body.files.clone()),
            "json" => body.json.clone(),
            "method" => Value::String(req.method.as_str().to_string()),
            _ => Value::Null,
        };
        out.insert(k.to_string(), v);
    }
    out
}

/// The echoed request headers (httpbin `get_headers`).
pub fn headers(req: &Req) -> Value {
    let show_env = req.has_arg("show_env");
    let mut m = Map::new();
    for (k, v) in req.header_pairs() {
        if !show_env && ENV_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(&k)) {
            continue;
        }
        m.insert(k, Value::String(v));
    }
    Value::Object(m)
}

/// MultiDict -> dict: one value stays a string, several become a list.
pub fn semiflatten(pairs: Vec<(String, String)>) -> Value {
    let mut m: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        match m.get_mut(&k) {
            Some(Value::Array(a)) => a.push(Value::String(v)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(v)]);
            }
            None => {
                m.insert(k, Value::String(v));
            }
        }
    }
    Value::Object(m)
}

/// UTF-8 text as is, anything else as an RFC 2397 data URL.
pub fn json_safe(bytes: &[u8], content_type: &str) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => format!(
            "data:{};base64,{}",
            content_type,
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

/// What werkzeug makes of a request body.
struct Body {
    form: Vec<(String, String)>,
    files: Map<String, Value>,
    /// `request.data`: empty when the body was consumed as a form.
    data: Vec<u8>,
    json: Value,
}

impl Body {
    fn parse(req: &Req) -> Body {
        let mime = req.mime();
        if mime == "application/x-www-form-urlencoded" {
            return Body {
                form: form_urlencoded::parse(&req.body).into_owned().collect(),
                files: Map::new(),
                data: Vec::new(),
                json: Value::Null,
            };
        }
        if mime == "multipart/form-data" {
            let mut form = Vec::new();
            let mut files = Map::new();
            let boundary = req
                .header("content-type")
                .and_then(|ct| multipart::boundary(&ct));
            if let Some(b) = boundary {
                for p in multipart::parse(&req.body, &b) {
                    if p.filename.is_some() {
                        // werkzeug's `request.files.items()` yields the first file per name.
                        if !files.contains_key(&p.name) {
                            let ct = p
                                .content_type
                                .clone()
                                .unwrap_or_else(|| "application/octet-stream".into());
                            files.insert(p.name.clone(), Value::String(json_safe(&p.data, &ct)));
                        }
                    } else {
                        form.push((p.name, String::from_utf8_lossy(&p.data).into_owned()));
                    }
                }
            }
            return Body {
                form,
                files,
                data: Vec::new(),
                json: Value::Null,
            };
        }
        let json = std::str::from_utf8(&req.body)
            .ok()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null);
        Body {
            form: Vec::new(),
            files: Map::new(),
            data: req.body.to_vec(),
            json,
        }
    }
}
