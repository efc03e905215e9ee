//! /digest-auth/{qop}/{user}/{passwd}[/{algorithm}[/{stale_after}]]:
//! RFC 7616 digest authentication (MD5, SHA, SHA-256, SHA-512 and their
//! -sess forms; qop auth/auth-int, or `legacy` for RFC 2069's form without
//! qop).
//!
//! Like httpbin it answers with its "fake" cookies and only insists on them
//! with `?require-cookie=true`. Unlike httpbin it checks the user name, the
//! realm and the algorithm, and only accepts nonces it issued (a correct
//! answer to an unknown nonce gets a `stale=TRUE` challenge), with a nonce
//! count above the last one seen for that nonce (a replay gets a plain
//! challenge). A numeric `stale_after` accepts each nonce that many times,
//! then answers `stale=TRUE` (httpbin counts with a cookie instead).
//! `?userhash=true` asks for RFC 7616's hashed user name; `?redirect=PATH`
//! answers a successful request with a 302 there. Every request counts in
//! the control port's `digest_requests`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use md5::Md5;
use rand::RngCore;
use serde_json::json;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::{NonceCheck, Shared};

pub const REALM: &str = "me@kennethreitz.com";

/// The algorithms offered, as spelled in the challenge.
const ALGORITHMS: [&str; 8] = [
    "MD5",
    "MD5-sess",
    "SHA",
    "SHA-sess",
    "SHA-256",
    "SHA-256-sess",
    "SHA-512",
    "SHA-512-sess",
];

pub fn hash(algorithm: &str, data: &[u8]) -> String {
    let upper = algorithm.to_ascii_uppercase();
    let bytes: Vec<u8> = match upper.trim_end_matches("-SESS") {
        "SHA" => Sha1::digest(data).to_vec(),
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        _ => Md5::digest(data).to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn truthy(v: Option<String>) -> bool {
    matches!(
        v.unwrap_or_default().to_ascii_lowercase().as_str(),
        "1" | "t" | "true"
    )
}

pub fn digest(
    req: &Req,
    shared: &Shared,
    qop: &str,
    user: &str,
    passwd: &str,
    algorithm: Option<&str>,
    stale_after: Option<&str>,
) -> Resp {
    shared.digest_requests.fetch_add(1, Ordering::SeqCst);
    let algorithm = algorithm
        .and_then(|a| ALGORITHMS.iter().find(|k| k.eq_ignore_ascii_case(a)))
        .copied()
        .unwrap_or("MD5");
    let qop = match qop {
        "auth" | "auth-int" => Qop::Only(qop),
        "legacy" => Qop::Legacy,
        _ => Qop::Both,
    };
    let require_cookie = truthy(req.arg("require-cookie"));
    let userhash = truthy(req.arg("userhash"));
    let stale_after = stale_after.and_then(|s| s.parse::<u64>().ok());
    let ask = |stale: bool| challenge(req, shared, qop, algorithm, userhash, stale);

    let creds = req.header("authorization").and_then(|h| parse_digest(&h));
    let Some(creds) = creds else {
        return ask(false);
    };
    if require_cookie && req.header("cookie").is_none() {
        return ask(false);
    }
    if require_cookie && req.cookie("fake").as_deref() != Some("fake_value") {
        let mut r = response::json(403, &json!({"errors": ["missing cookie set on challenge"]}));
        response::add(&mut r, "set-cookie", "fake=fake_value; Path=/");
        return r;
    }

    if !verify(req, &creds, qop, user, passwd, algorithm, userhash) {
        return ask(false);
    }
    let nonce = creds.get("nonce").map(String::as_str).unwrap_or("");
    let nc = creds
        .get("nc")
        .and_then(|nc| u64::from_str_radix(nc, 16).ok());
    match shared.nonces.accept(nonce, nc) {
        NonceCheck::Unknown => return ask(true),
        NonceCheck::Replayed => return ask(false),
        NonceCheck::Accepted(n) if stale_after.is_some_and(|limit| n > limit) => return ask(true),
        NonceCheck::Accepted(_) => {}
    }
    let mut r = match req.arg("redirect") {
        Some(to) => response::bare_redirect(302, &to),
        None => response::json(200, &json!({"authenticated": true, "user": user})),
    };
    response::add(&mut r, "set-cookie", "fake=fake_value; Path=/");
    r
}

/// Which qop the challenge offers.
#[derive(Clone, Copy)]
enum Qop<'a> {
    Only(&'a str),
    Both,
    /// None at all: RFC 2069's form.
    Legacy,
}

fn verify(
    req: &Req,
    c: &HashMap<String, String>,
    qop: Qop,
    user: &str,
    passwd: &str,
    algorithm: &str,
    userhash: bool,
) -> bool {
    let get = |k: &str| c.get(k).map(String::as_str);
    let h = |s: String| hash(algorithm, s.as_bytes());
    let expected_user = if userhash {
        h(format!("{user}:{REALM}"))
    } else {
        user.to_string()
    };
    if get("username") != Some(expected_user.as_str()) || get("realm") != Some(REALM) {
        return false;
    }
    if userhash && get("userhash") != Some("true") {
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
        Qop::Only(q) => &[q][..],
        Qop::Both => &["auth", "auth-int"][..],
        Qop::Legacy => &[][..],
    };
    match client_qop {
        Some(cq) if !offered.contains(&cq) => return false,
        None if !offered.is_empty() => return false,
        _ => {}
    }
    let Some(nonce) = get("nonce") else {
        return false;
    };
    let Some(response) = get("response") else {
        return false;
    };
    let uri = req.path_and_query();
    if get("uri") != Some(uri) {
        return false;
    }
    let mut ha1 = h(format!("{user}:{REALM}:{passwd}"));
    if algorithm.to_ascii_uppercase().ends_with("-SESS") {
        let Some(cnonce) = get("cnonce") else {
            return false;
        };
        ha1 = h(format!("{ha1}:{nonce}:{cnonce}"));
    }
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

fn challenge(
    req: &Req,
    shared: &Shared,
    qop: Qop,
    algorithm: &str,
    userhash: bool,
    stale: bool,
) -> Resp {
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

    let qop = match qop {
        Qop::Only(q) => format!(", qop=\"{q}\""),
        Qop::Both => ", qop=\"auth, auth-int\"".to_string(),
        Qop::Legacy => String::new(),
    };
    let mut value = format!(
        "Digest realm=\"{REALM}\", nonce=\"{nonce}\", opaque=\"{opaque}\"{qop}, algorithm={algorithm}, stale={}",
        if stale { "TRUE" } else { "FALSE" }
    );
    if userhash {
        value.push_str(", userhash=true");
    }
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
