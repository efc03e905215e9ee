//! /digest-auth/{qop}/{user}/{passwd}[/{algorithm}[/{stale_after}]]:
//! RFC 7616 digest authentication (MD5, SHA-256, SHA-512; qop auth/auth-int).
//!
//! Like httpbin it answers with its "fake" cookies and only insists on them
//! with `?require-cookie=true`. Unlike httpbin it checks the user name, the
//! realm and the algorithm, and only accepts nonces it issued (a correct
//! answer to an unknown nonce gets a `stale=TRUE` challenge).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use md5::Md5;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256, Sha512};

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::Shared;

pub const REALM: &str = "me@kennethreitz.com";

pub fn hash(algorithm: &str, data: &[u8]) -> String {
    let bytes: Vec<u8> = match algorithm.to_ascii_uppercase().as_str() {
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        _ => Md5::digest(data).to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn digest(
    req: &Req,
    shared: &Shared,
    qop: &str,
    user: &str,
    passwd: &str,
    algorithm: Option<&str>,
) -> Resp {
    let algorithm = algorithm
        .filter(|a| matches!(*a, "MD5" | "SHA-256" | "SHA-512"))
        .unwrap_or("MD5");
    let qop = match qop {
        "auth" | "auth-int" => Some(qop),
        _ => None,
    };
    let require_cookie = matches!(
        req.arg("require-cookie")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str(),
        "1" | "t" | "true"
    );

    let creds = req.header("authorization").and_then(|h| parse_digest(&h));
    let Some(creds) = creds else {
        return challenge(req, shared, qop, algorithm, false);
    };
    if require_cookie && req.header("cookie").is_none() {
        return challenge(req, shared, qop, algorithm, false);
    }
    if require_cookie && req.cookie("fake").as_deref() != Some("fake_value") {
        let mut r = response::json(403, &json!({"errors": ["missing cookie set on challenge"]}));
        response::add(&mut r, "set-cookie", "fake=fake_value; Path=/");
        return r;
    }

    if !verify(req, &creds, qop, user, passwd, algorithm) {
        return challenge(req, shared, qop, algorithm, false);
    }
    let nonce = creds.get("nonce").map(String::as_str).unwrap_or("");
    if !shared.nonces.known(nonce) {
        return challenge(req, shared, qop, algorithm, true);
    }
    let mut r = response::json(200, &json!({"authenticated": true, "user": user}));
    response::add(&mut r, "set-cookie", "fake=fake_value; Path=/");
    r
}

fn verify(
    req: &Req,
    c: &HashMap<String, String>,
    qop: Option<&str>,
    user: &str,
    passwd: &str,
    algorithm: &str,
) -> bool {
    let get = |k: &str| c.get(k).map(String::as_str);
    if get("username") != Some(user) || get("realm") != Some(REALM) {
        return false;
    }
    if !get("algorithm")
        .unwrap_or("MD5")
        .eq_ignore_ascii_case(algorithm)
    {
        return false;
    }
    let client_qop = get("qop");
    let offered: &[&str] = match qop {
        Some(q) => &[q][..],
        None => &["auth", "auth-int"][..],
    };
    if let Some(cq) = client_qop {
        if !offered.contains(&cq) {
            return false;
        }
    }
    let Some(nonce) = get("nonce") else {
        return false;
    };
    let Some(response) = get("response") else {
        return false;
    };
    let h = |s: String| hash(algorithm, s.as_bytes());
    let ha1 = h(format!("{user}:{REALM}:{passwd}"));
    let uri = req.path_and_query();
    let ha2 = if client_qop == Some("auth-int") {
        h(format!(
            "{}:{}:{}",
            req.method,
            uri,
            hash(algorithm, &req.body)
        ))
    } else {
        h(format!("{}:{}", req.method, uri))
    };
    let expected = match client_qop {
        None => h(format!("{ha1}:{nonce}:{ha2}")),
        Some(q) => {
            let (Some(nc), Some(cnonce)) = (get("nc"), get("cnonce")) else {
                return false;
            };
            h(format!("{ha1}:{nonce}:{nc}:{cnonce}:{q}:{ha2}"))
        }
    };
    expected.eq_ignore_ascii_case(response)
}

fn challenge(req: &Req, shared: &Shared, qop: Option<&str>, algorithm: &str, stale: bool) -> Resp {
    let mut rnd = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut rnd);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let mut seed = format!("{}:{}:", req.peer.ip(), now).into_bytes();
    seed.extend_from_slice(&rnd);
    let nonce = hash(algorithm, &seed);
    rand::thread_rng().fill_bytes(&mut rnd);
    let opaque = hash(algorithm, &rnd);
    shared.nonces.issue(nonce.clone());

    let qop = qop.unwrap_or("auth, auth-int");
    let value = format!(
        "Digest realm=\"{REALM}\", nonce=\"{nonce}\", opaque=\"{opaque}\", qop=\"{qop}\", algorithm={algorithm}, stale={}",
        if stale { "TRUE" } else { "FALSE" }
    );
    let mut r = response::html(401, "");
    response::set(&mut r, "www-authenticate", &value);
    response::add(&mut r, "set-cookie", "stale_after=never; Path=/");
    response::add(&mut r, "set-cookie", "fake=fake_value; Path=/");
    r
}

/// `Digest k=v, k="v", ...` -> map (keys lower-cased). None if not Digest.
pub fn parse_digest(h: &str) -> Option<HashMap<String, String>> {
    let h = h.trim();
    let (scheme, rest) = h.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let s: Vec<char> = rest.chars().collect();
    let mut out = HashMap::new();
    let mut i = 0;
    while i < s.len() {
        while i < s.len() && (s[i] == ',' || s[i].is_whitespace()) {
            i += 1;
        }
        let mut key = String::new();
        while i < s.len() && s[i] != '=' && s[i] != ',' {
            key.push(s[i]);
            i += 1;
        }
        let mut val = String::new();
        if i < s.len() && s[i] == '=' {
            i += 1;
            while i < s.len() && s[i].is_whitespace() {
                i += 1;
            }
            if i < s.len() && s[i] == '"' {
                i += 1;
                while i < s.len() && s[i] != '"' {
                    if s[i] == '\\' && i + 1 < s.len() {
                        i += 1;
                    }
                    val.push(s[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < s.len() && s[i] != ',' {
                    val.push(s[i]);
                    i += 1;
                }
                val = val.trim().to_string();
            }
        }
        let key = key.trim().to_ascii_lowercase();
        if !key.is_empty() {
            out.insert(key, val);
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}
