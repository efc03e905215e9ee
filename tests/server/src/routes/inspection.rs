//! Response inspection: /response-headers, /cache, /cache/{n}, /etag/{etag}.

use std::time::SystemTime;

use rand::RngCore;
use serde_json::{Map, Value};

use super::int;
use super::status::status_code;
use crate::json_fmt;
use crate::request::Req;
use crate::response::{self, Resp};

/// Each query pair becomes a response header (repeats repeat) and the JSON
/// lists all response headers, Content-Length included (fixed point, as httpbin).
pub fn response_headers(req: &Req) -> Resp {
    let pairs = req.args();
    let mut len = 0usize;
    let mut body = String::new();
    for _ in 0..10 {
        let mut all: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Content-Length".into(), len.to_string()),
        ];
        all.extend(pairs.iter().cloned());
        let mut m: Map<String, Value> = Map::new();
        let mut names: Vec<(String, String)> = Vec::new(); // (lower, display)
        for (k, v) in all {
            let lower = k.to_ascii_lowercase();
            let display = match names.iter().find(|(l, _)| *l == lower) {
                Some((_, d)) => d.clone(),
                None => {
                    names.push((lower, k.clone()));
                    k
                }
            };
            match m.get_mut(&display) {
                Some(Value::Array(a)) => a.push(Value::String(v)),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, Value::String(v)]);
                }
                None => {
                    m.insert(display, Value::String(v));
                }
            }
        }
        body = json_fmt::pretty(&Value::Object(m));
        if body.len() == len {
            break;
        }
        len = body.len();
    }
    let mut r = response::text(200, "application/json", body);
    for (k, v) in pairs {
        if k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        response::add(&mut r, &k, &v);
    }
    r
}

fn http_date() -> String {
    httpdate(SystemTime::now())
}

/// RFC 7231 IMF-fixdate.
pub(crate) fn httpdate(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let (h, mi, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // civil_from_days (Howard Hinnant)
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m - 1) as usize];
    format!("{wd}, {d:02} {mon} {y} {h:02}:{mi:02}:{s:02} GMT")
}

pub fn cache(req: &Req) -> Resp {
    if req.header("if-modified-since").is_some() || req.header("if-none-match").is_some() {
        return status_code(304);
    }
    let mut r = super::echo::get(req);
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    let etag: String = b.iter().map(|x| format!("{x:02x}")).collect();
    response::set(&mut r, "last-modified", &http_date());
    response::set(&mut r, "etag", &etag);
    r
}

pub fn cache_n(req: &Req, n: &str) -> Resp {
    let Some(n) = int(n) else {
        return response::not_found();
    };
    let mut r = super::echo::get(req);
    response::set(&mut r, "cache-control", &format!("public, max-age={n}"));
    r
}

fn parse_multi(h: Option<String>) -> Vec<String> {
    h.map(|h| {
        h.split(',')
            .map(|p| {
                let p = p.trim();
                let p = p.strip_prefix("W/").unwrap_or(p);
                p.trim_matches('"').to_string()
            })
            .collect()
    })
    .unwrap_or_default()
}

pub fn etag(req: &Req, etag: &str) -> Resp {
    let inm = parse_multi(req.header("if-none-match"));
    let im = parse_multi(req.header("if-match"));
    if !inm.is_empty() {
        if inm.iter().any(|e| e == etag || e == "*") {
            let mut r = status_code(304);
            response::set(&mut r, "etag", etag);
            return r;
        }
    } else if !im.is_empty() && !im.iter().any(|e| e == etag || e == "*") {
        return status_code(412);
    }
    let mut r = super::echo::get(req);
    response::set(&mut r, "etag", etag);
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn httpdate_epoch() {
        assert_eq!(
            super::httpdate(std::time::SystemTime::UNIX_EPOCH),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
