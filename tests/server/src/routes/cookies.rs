//! /cookies, /cookies/set, /cookies/set/{name}/{value}, /cookies/delete.

use serde_json::{json, Map, Value};

use crate::request::Req;
use crate::response::{self, Resp};

const ENV_COOKIES: &[&str] = &[
    "_gauges_unique",
    "_gauges_unique_year",
    "_gauges_unique_month",
    "_gauges_unique_day",
    "_gauges_unique_hour",
    "__utmz",
    "__utma",
    "__utmb",
];

pub fn view(req: &Req) -> Resp {
    let show_env = req.has_arg("show_env");
    let mut m = Map::new();
    for (k, v) in req.cookies() {
        if !show_env && ENV_COOKIES.contains(&k.as_str()) {
            continue;
        }
        m.insert(k, Value::String(v));
    }
    response::json(200, &json!({ "cookies": m }))
}

/// `Set-Cookie` value the way werkzeug writes it (`name=value; Path=/`).
pub fn set_cookie_header(name: &str, value: &str) -> String {
    format!("{}={}; Path=/", name, quote(value))
}

/// werkzeug quotes values with characters outside the cookie-octet set.
fn quote(v: &str) -> String {
    let safe = v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/<>?@[]{}=".contains(&b));
    if safe {
        return v.to_string();
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() && c != ';' && c != ',' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{:03o}", b));
                }
            }
        }
    }
    out.push('"');
    out
}

pub fn set_query(req: &Req) -> Resp {
    let mut r = response::flask_redirect("/cookies");
    // dict(request.args.items()): first value per key, first-seen order.
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in req.args() {
        if seen.contains(&k) {
            continue;
        }
        response::add(&mut r, "set-cookie", &set_cookie_header(&k, &v));
        seen.push(k);
    }
    r
}

pub fn set_one(name: &str, value: &str) -> Resp {
    let mut r = response::flask_redirect("/cookies");
    response::add(&mut r, "set-cookie", &set_cookie_header(name, value));
    r
}

pub fn delete(req: &Req) -> Resp {
    let mut r = response::flask_redirect("/cookies");
    let mut seen: Vec<String> = Vec::new();
    for (k, _) in req.args() {
        if seen.contains(&k) {
            continue;
        }
        response::add(
            &mut r,
            "set-cookie",
            &format!("{k}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"),
        );
        seen.push(k);
    }
    r
}
