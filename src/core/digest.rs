//! HTTP digest authentication (RFC 7616, and RFC 2069's form without qop),
//! answered by the engine rather than by libcurl: each challenge is a hop of
//! its own, so its 401 lands in the history, its cookies in the jar, and a
//! session reuses the server's nonce (with the next nonce count) instead of
//! paying a challenge round trip on every request.
//!
//! Algorithms: MD5, SHA (SHA-1, as Requests calls it), SHA-256, SHA-512 and
//! each one's `-sess` form; qop `auth` (not `auth-int`, as in Requests).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use url::Url;

use super::headers::Headers;

/// The hash functions RFC 7616 (and Requests) know.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl Hash {
    /// `(hash, sess)` for an `algorithm` token; `None` when unknown.
    fn parse(token: &str) -> Option<(Hash, bool)> {
        let upper = token.to_ascii_uppercase();
        let (name, sess) = match upper.strip_suffix("-SESS") {
            Some(name) => (name, true),
            None => (upper.as_str(), false),
        };
        let hash = match name {
            "MD5" => Hash::Md5,
            "SHA" | "SHA-1" => Hash::Sha1,
            "SHA-256" => Hash::Sha256,
            "SHA-512" => Hash::Sha512,
            _ => return None,
        };
        Some((hash, sess))
    }

    /// Lower-case hex of the hash of `data`.
    fn hex(self, data: &str) -> String {
        let bytes = data.as_bytes();
        match self {
            Hash::Md5 => hex(&Md5::digest(bytes)),
            Hash::Sha1 => hex(&Sha1::digest(bytes)),
            Hash::Sha256 => hex(&Sha256::digest(bytes)),
            Hash::Sha512 => hex(&Sha512::digest(bytes)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A `Digest` challenge from a `WWW-Authenticate` header that libreqc can
/// answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    /// The server's own spelling, echoed back; `None` when it named none (MD5).
    algorithm: Option<String>,
    hash: Hash,
    sess: bool,
    /// False: RFC 2069's form without qop, nc and cnonce.
    qop_auth: bool,
    userhash: bool,
    /// The nonce the client used has expired, the credentials were right:
    /// retry with the new nonce.
    pub stale: bool,
}

impl Challenge {
    /// The first `Digest` challenge in `headers`' `WWW-Authenticate` values
    /// that libreqc can answer. A server lists its preferred algorithm first
    /// (RFC 7616 3.7), so the first usable one wins.
    pub fn find(headers: &Headers) -> Option<Challenge> {
        headers
            .all("www-authenticate")
            .flat_map(challenges)
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("digest"))
            .find_map(|(_, params)| Challenge::from_params(&params))
    }

    fn from_params(params: &[(String, String)]) -> Option<Challenge> {
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        };
        let algorithm = get("algorithm");
        let (hash, sess) = Hash::parse(algorithm.as_deref().unwrap_or("MD5"))?;
        let qop_auth = match get("qop") {
            None => false,
            // Only auth-int offered: the body would have to be hashed, which
            // Requests does not do either. Leave the 401 as the answer.
            Some(qop) => {
                if !qop
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
                {
                    return None;
                }
                true
            }
        };
        let yes = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Some(Challenge {
            realm: get("realm").unwrap_or_default(),
            nonce: get("nonce")?,
            opaque: get("opaque"),
            algorithm,
            hash,
            sess,
            qop_auth,
            userhash: yes(get("userhash")),
            stale: yes(get("stale")),
        })
    }

    /// The `Authorization` value answering this challenge for `method` on
    /// `url` with nonce count `nc` and client nonce `cnonce`.
    fn answer(
        &self,
        user: &str,
        password: &str,
        method: &str,
        url: &Url,
        nc: u32,
        cnonce: &str,
    ) -> String {
        let h = |data: String| self.hash.hex(&data);
        let uri = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let nc = format!("{nc:08x}");
        let mut ha1 = h(format!("{user}:{}:{password}", self.realm));
        if self.sess {
            ha1 = h(format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = h(format!("{method}:{uri}"));
        let response = if self.qop_auth {
            h(format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", self.nonce))
        } else {
            h(format!("{ha1}:{}:{ha2}", self.nonce))
        };

        let mut out = String::from("Digest ");
        if self.userhash {
            out.push_str(&format!(
                "username=\"{}\"",
                h(format!("{user}:{}", self.realm))
            ));
        } else if user.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            out.push_str(&format!("username={}", quote(user)));
        } else {
            // RFC 7616 3.4.4: a name a quoted-string cannot carry goes as
            // RFC 8187's extended value.
            out.push_str(&format!(
                "username*=UTF-8''{}",
                percent_encoding::utf8_percent_encode(user, ATTR_CHAR_ESCAPES)
            ));
        }
        out.push_str(&format!(
            ", realm={}, nonce={}, uri={}, response=\"{response}\"",
            quote(&self.realm),
            quote(&self.nonce),
            quote(&uri)
        ));
        if let Some(algorithm) = &self.algorithm {
            out.push_str(&format!(", algorithm={algorithm}"));
        }
        if let Some(opaque) = &self.opaque {
            out.push_str(&format!(", opaque={}", quote(opaque)));
        }
        if self.qop_auth {
            out.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        }
        if self.userhash {
            out.push_str(", userhash=true");
        }
        out
    }
}

/// Everything but RFC 8187's attr-char.
const ATTR_CHAR_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `s` as an HTTP quoted-string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The challenges of one `WWW-Authenticate` value (RFC 9110 11.6.1): each a
/// scheme with its auth-params, keys as sent, quoted values unescaped. A
/// token68 (Basic's credentials style) becomes a parameter of its scheme
/// without harm: only Digest's parameters are read.
fn challenges(value: &str) -> Vec<(String, Vec<(String, String)>)> {
    let s = value.as_bytes();
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut i = 0;
    let skip = |i: &mut usize, also_comma: bool| {
        while *i < s.len() && (s[*i] == b' ' || s[*i] == b'\t' || (also_comma && s[*i] == b',')) {
            *i += 1;
        }
    };
    loop {
        skip(&mut i, true);
        if i >= s.len() {
            break;
        }
        let start = i;
        while i < s.len() && !matches!(s[i], b' ' | b'\t' | b'=' | b',') {
            i += 1;
        }
        let token = String::from_utf8_lossy(&s[start..i]).into_owned();
        skip(&mut i, false);
        if i < s.len() && s[i] == b'=' {
            i += 1;
            skip(&mut i, false);
            let value = if i < s.len() && s[i] == b'"' {
                i += 1;
                let mut v = Vec::new();
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' && i + 1 < s.len() {
                        i += 1;
                    }
                    v.push(s[i]);
                    i += 1;
                }
                i += 1;
                String::from_utf8_lossy(&v).into_owned()
            } else {
                let start = i;
                while i < s.len() && !matches!(s[i], b',' | b' ' | b'\t') {
                    i += 1;
                }
                String::from_utf8_lossy(&s[start..i]).into_owned()
            };
            // A parameter before any scheme belongs to no challenge.
            if let Some((_, params)) = out.last_mut() {
                params.push((token, value));
            }
        } else if token.is_empty() {
            i += 1;
        } else {
            out.push((token, Vec::new()));
        }
    }
    out
}

/// What the hop on the wire carried.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Sent {
    /// No digest answer: none known for its origin yet.
    #[default]
    Nothing,
    /// A nonce from an earlier challenge, reused with the next nonce count.
    Reused,
    /// The answer to a challenge this send received.
    Answer,
}

/// The digest state of one send's current URL: what its hop carries and
/// which answers were spent. Reset by a redirect, whose target may ask anew.
#[derive(Copy, Clone, Debug, Default)]
pub struct Round {
    pub sent: Sent,
    answered: bool,
    stale_retried: bool,
}

impl Round {
    /// The challenge to answer, when a response with `status` and `headers`
    /// is to be answered rather than returned. The rules, as Requests (one
    /// answer per challenge) plus RFC 7616's stale: a 401 to a hop without
    /// an answer, or with a reused nonce, is answered once; a 401 to an
    /// answer is final unless it says `stale=true` (the credentials were
    /// right, the nonce expired), which is retried once more.
    pub fn to_answer(&self, status: u16, headers: &Headers) -> Option<Challenge> {
        if status != 401 {
            return None;
        }
        let challenge = Challenge::find(headers)?;
        let answer = match self.sent {
            Sent::Answer => challenge.stale && !self.stale_retried,
            Sent::Nothing | Sent::Reused => !self.answered,
        };
        answer.then_some(challenge)
    }

    /// Counts the answer about to be sent.
    pub fn answering(&mut self) {
        if self.sent == Sent::Answer {
            self.stale_retried = true;
        }
        self.answered = true;
    }
}

/// How many origins a session keeps a nonce for.
const MAX_ORIGINS: usize = 256;

/// The nonces a session (or a single send) knows, by origin: the last
/// challenge of each origin, with the credentials that answered it and the
/// nonce count used so far. Shared by every send of a session, across
/// threads (the count stays unique per nonce).
#[derive(Default)]
pub struct Nonces {
    by_origin: Mutex<HashMap<String, Known>>,
}

struct Known {
    challenge: Challenge,
    user: String,
    password: String,
    nc: u32,
}

impl Nonces {
    pub fn new() -> Nonces {
        Nonces::default()
    }

    /// A preemptive `Authorization` for `method` on `url`: the origin's last
    /// nonce with the next nonce count, when `user`/`password` answered it.
    pub fn reuse(&self, user: &str, password: &str, method: &str, url: &Url) -> Option<String> {
        let mut map = self
            .by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let known = map.get_mut(&origin(url))?;
        if known.user != user || known.password != password || known.nc == u32::MAX {
            return None;
        }
        known.nc += 1;
        Some(
            known
                .challenge
                .answer(user, password, method, url, known.nc, &cnonce()),
        )
    }

    /// The `Authorization` answering `challenge` (nonce count 1), kept for
    /// reuse by the next requests to the origin.
    pub fn answer(
        &self,
        challenge: Challenge,
        user: &str,
        password: &str,
        method: &str,
        url: &Url,
    ) -> String {
        let value = challenge.answer(user, password, method, url, 1, &cnonce());
        let mut map = self
            .by_origin
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key = origin(url);
        if map.len() >= MAX_ORIGINS && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(
            key,
            Known {
                challenge,
                user: user.to_string(),
                password: password.to_string(),
                nc: 1,
            },
        );
        value
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A fresh client nonce: 16 random bytes from the OS, in hex.
fn cnonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness (never seen on supported systems): the clock
        // still gives a nonce that differs per call, which is all the
        // protocol needs from it (it is not a secret).
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = now.to_le_bytes();
    }
    hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(v: &str) -> Headers {
        [("WWW-Authenticate", v)].into_iter().collect()
    }

    #[test]
    fn rfc7616_examples() {
        // RFC 7616 3.9.1, SHA-256 and MD5 challenges for Mufasa.
        let headers = Headers::from_iter([
            ("WWW-Authenticate".to_string(), "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"".to_string()),
        ]);
        let ch = Challenge::find(&headers).unwrap();
        let url = Url::parse("http://www.example.org/dir/index.html").unwrap();
        let a = ch.answer(
            "Mufasa",
            "Circle of Life",
            "GET",
            &url,
            1,
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(a.contains(
            "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
        ));
        let mut md5 = ch.clone();
        md5.hash = Hash::Md5;
        let a = md5.answer(
            "Mufasa",
            "Circle of Life",
            "GET",
            &url,
            1,
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        );
        assert!(a.contains("response=\"8ca523f5e9506fed4657c9700eebdbec\""));
        assert!(a.contains("nc=00000001"));
        assert!(a.contains("qop=auth,"));
    }

    #[test]
    fn rfc2069_without_qop() {
        // RFC 2069's example.
        let ch = Challenge::find(&hdr(
            "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        ))
        .unwrap();
        let url = Url::parse("http://h/dir/index.html").unwrap();
        let a = ch.answer("Mufasa", "CircleOfLife", "GET", &url, 1, "x");
        assert!(
            a.contains("response=\"1949323746fe6a43ef61f9606e7febea\""),
            "{a}"
        );
        assert!(!a.contains("qop") && !a.contains("nc=") && !a.contains("algorithm"));
        assert!(a.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }

    #[test]
    fn picks_the_digest_challenge_it_can_answer() {
        let headers = Headers::from_iter([
            ("WWW-Authenticate".to_string(), "Basic realm=\"a, b\"".to_string()),
            (
                "www-authenticate".to_string(),
                "Negotiate abc==, Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-999, Digest realm=\"r\", nonce=\"n2\", algorithm=sha-512-sess, qop=auth, stale=TRUE, userhash=true".to_string(),
            ),
        ]);
        let ch = Challenge::find(&headers).unwrap();
        assert_eq!(ch.nonce, "n2");
        assert_eq!(
            (ch.hash, ch.sess, ch.stale, ch.userhash),
            (Hash::Sha512, true, true, true)
        );
        assert!(
            Challenge::find(&hdr("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"")).is_none()
        );
        assert!(Challenge::find(&hdr("Basic realm=\"r\"")).is_none());
        assert!(Challenge::find(&hdr("Digest realm=\"r\"")).is_none());
    }

    #[test]
    fn quotes_and_userhash() {
        let ch = Challenge::find(&hdr(
            "Digest realm=\"a \\\"q\\\" b\", nonce=\"n\", qop=auth, userhash=true",
        ))
        .unwrap();
        assert_eq!(ch.realm, "a \"q\" b");
        let url = Url::parse("http://h/p?x=1").unwrap();
        let a = ch.answer("u", "p", "GET", &url, 2, "c");
        assert!(a.contains("realm=\"a \\\"q\\\" b\""), "{a}");
        assert!(a.contains("uri=\"/p?x=1\""));
        assert!(a.contains(&format!("username=\"{}\"", Hash::Md5.hex("u:a \"q\" b"))));
        assert!(a.contains("userhash=true") && a.contains("nc=00000002"));
        let ch = Challenge::find(&hdr("Digest realm=\"r\", nonce=\"n\"")).unwrap();
        let a = ch.answer("J\u{e4}s\u{f8}n", "p", "GET", &url, 1, "c");
        assert!(
            a.starts_with("Digest username*=UTF-8''J%C3%A4s%C3%B8n,"),
            "{a}"
        );
    }

    #[test]
    fn rounds() {
        let challenge = hdr("Digest realm=\"r\", nonce=\"n\", qop=auth");
        let stale = hdr("Digest realm=\"r\", nonce=\"n\", qop=auth, stale=true");
        let mut round = Round::default();
        assert!(round.to_answer(200, &challenge).is_none());
        assert!(round.to_answer(401, &hdr("Basic realm=\"r\"")).is_none());
        assert!(round.to_answer(401, &challenge).is_some());
        round.answering();
        round.sent = Sent::Answer;
        assert!(round.to_answer(401, &challenge).is_none());
        assert!(round.to_answer(401, &stale).is_some());
        round.answering();
        assert!(round.to_answer(401, &stale).is_none());

        let mut reused = Round {
            sent: Sent::Reused,
            ..Round::default()
        };
        assert!(reused.to_answer(401, &challenge).is_some());
        reused.answering();
        reused.sent = Sent::Answer;
        assert!(reused.to_answer(401, &challenge).is_none());
    }

    #[test]
    fn nonces_count_per_origin_and_credentials() {
        let nonces = Nonces::new();
        let url = Url::parse("http://h:1/a").unwrap();
        let ch = Challenge::find(&hdr("Digest realm=\"r\", nonce=\"n\", qop=auth")).unwrap();
        assert!(nonces.reuse("u", "p", "GET", &url).is_none());
        assert!(nonces
            .answer(ch, "u", "p", "GET", &url)
            .contains("nc=00000001"));
        let other = Url::parse("http://h:1/b").unwrap();
        assert!(nonces
            .reuse("u", "p", "GET", &other)
            .unwrap()
            .contains("nc=00000002"));
        assert!(nonces
            .reuse("u", "p", "GET", &url)
            .unwrap()
            .contains("nc=00000003"));
        assert!(nonces.reuse("u", "x", "GET", &url).is_none());
        assert!(nonces
            .reuse("u", "p", "GET", &Url::parse("http://h:2/a").unwrap())
            .is_none());
    }
}
