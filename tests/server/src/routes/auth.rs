//! /basic-auth, /hidden-basic-auth, /bearer.

use base64::Engine;
use serde_json::json;

use super::status::status_code;
use crate::request::Req;
use crate::response::{self, Resp};

/// (user, password) from `Authorization: Basic ...`.
pub fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let h = req.header("authorization")?;
    let (scheme, rest) = h.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let s = String::from_utf8_lossy(&raw).into_owned();
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// `fail` is 401 (/basic-auth) or 404 (/hidden-basic-auth).
pub fn basic(req: &Req, user: &str, passwd: &str, fail: u16) -> Resp {
    match basic_credentials(req) {
        Some((u, p)) if u == user && p == passwd => {
            response::json(200, &json!({"authenticated": true, "user": user}))
        }
        _ => status_code(fail),
    }
}

pub fn bearer(req: &Req) -> Resp {
    match req.header("authorization") {
        Some(h) if h.starts_with("Bearer ") => {
            let token = &h["Bearer ".len()..];
            response::json(200, &json!({"authenticated": true, "token": token}))
        }
        _ => {
            let mut r = response::html(401, "");
            response::set(&mut r, "www-authenticate", "Bearer");
            r
        }
    }
}
