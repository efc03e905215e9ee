//! A fully read request (body collected) and the accessors httpbin needs.

use std::net::SocketAddr;

use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderMap;
use hyper::{Method, Request, Uri, Version};

/// Requests bodies larger than this are refused (400).
const MAX_BODY: usize = 256 * 1024 * 1024;

pub struct Req {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub peer: SocketAddr,
    pub local_port: u16,
    /// Received over TLS (the scheme is https).
    pub tls: bool,
}

impl Req {
    pub async fn read(
        req: Request<Incoming>,
        peer: SocketAddr,
        local_port: u16,
        tls: bool,
    ) -> Result<Req, Box<dyn std::error::Error + Send + Sync>> {
        let (parts, body) = req.into_parts();
        let body = http_body_util::Limited::new(body, MAX_BODY)
            .collect()
            .await?
            .to_bytes();
        Ok(Req {
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            body,
            peer,
            local_port,
            tls,
        })
    }

    pub fn path(&self) -> &str {
        self.uri.path()
    }

    pub fn path_and_query(&self) -> &str {
        self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    }

    pub fn raw_query(&self) -> &str {
        self.uri.query().unwrap_or("")
    }

    /// Query pairs, `+` and percent-decoded, in order.
    pub fn args(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.raw_query().as_bytes())
            .into_owned()
            .collect()
    }

    /// First query value for `name` (exact name).
    pub fn arg(&self, name: &str) -> Option<String> {
        self.args()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Last query value for `name`, case-insensitively (httpbin's
    /// `CaseInsensitiveDict(request.args.items())`).
    pub fn arg_ci(&self, name: &str) -> Option<String> {
        self.args()
            .into_iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn has_arg(&self, name: &str) -> bool {
        self.args().iter().any(|(k, _)| k == name)
    }

    /// All values of a header joined with "," (as a WSGI server does).
    pub fn header(&self, name: &str) -> Option<String> {
        let vals: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| latin1(v.as_bytes()))
            .collect();
        if vals.is_empty() {
            None
        } else {
            Some(vals.join(","))
        }
    }

    /// Host header, else the HTTP/2 :authority, else our own address.
    pub fn host(&self) -> String {
        if let Some(h) = self.header("host") {
            return h;
        }
        if let Some(a) = self.uri.authority() {
            return a.to_string();
        }
        format!("127.0.0.1:{}", self.local_port)
    }

    /// Scheme as httpbin's `get_url` sees it (X-Forwarded-* honoured).
    pub fn scheme(&self) -> String {
        if let Some(p) = self
            .header("x-forwarded-proto")
            .or_else(|| self.header("x-forwarded-protocol"))
        {
            return p;
        }
        if self.tls || self.header("x-forwarded-ssl").as_deref() == Some("on") {
            return "https".into();
        }
        "http".into()
    }

    /// Absolute URL of this request as werkzeug's `request.url` shows it
    /// (an IRI: percent-escapes of safe UTF-8 decoded).
    pub fn url(&self) -> String {
        let mut u = format!(
            "{}://{}{}",
            self.scheme(),
            self.host(),
            iri_unquote(self.path(), "/?#")
        );
        if let Some(q) = self.uri.query() {
            if !q.is_empty() {
                u.push('?');
                u.push_str(&iri_unquote(q, "&=+#"));
            }
        }
        u
    }

    /// `http://host` (`https://` over TLS) for building absolute redirects
    /// (no X-Forwarded-*).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// X-Forwarded-For, else the peer IP.
    pub fn origin(&self) -> String {
        self.header("x-forwarded-for")
            .unwrap_or_else(|| self.peer.ip().to_string())
    }

    /// Lower-cased media type without parameters.
    pub fn mime(&self) -> String {
        self.header("content-type")
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default()
    }

    /// Headers as httpbin shows them: title-cased names, repeated values
    /// joined with ",", in first-seen order; HTTP/2 gets a Host from :authority.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.headers.contains_key("host") {
            if let Some(a) = self.uri.authority() {
                out.push(("Host".to_string(), a.to_string()));
            }
        }
        for name in self.headers.keys() {
            let sep = if name == "cookie" && self.version == Version::HTTP_2 {
                "; "
            } else {
                ","
            };
            let joined = self
                .headers
                .get_all(name)
                .iter()
                .map(|v| latin1(v.as_bytes()))
                .collect::<Vec<_>>()
                .join(sep);
            out.push((title_case(name.as_str()), joined));
        }
        out
    }

    /// Cookies from the Cookie header(s), in order.
    pub fn cookies(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for v in self.headers.get_all("cookie") {
            for piece in latin1(v.as_bytes()).split(';') {
                let piece = piece.trim();
                if piece.is_empty() {
                    continue;
                }
                let (k, v) = match piece.split_once('=') {
                    Some((k, v)) => (k.trim(), v.trim()),
                    None => (piece, ""),
                };
                out.push((k.to_string(), unquote_cookie(v)));
            }
        }
        out
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Header bytes as text the way WSGI servers decode them.
fn latin1(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

/// Python's `str.title()` applied to a header name ("x-b3-id" -> "X-B3-Id").
pub fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut prev_cased = false;
    for c in name.chars() {
        let c = if c == '_' { '-' } else { c };
        if c.is_alphabetic() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_cased = true;
        } else {
            out.push(c);
            prev_cased = false;
        }
    }
    out
}

fn unquote_cookie(v: &str) -> String {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        v.to_string()
    }
}

/// Percent-decode one path segment (lossy UTF-8).
pub fn decode_segment(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// werkzeug's `uri_to_iri` for one URL part: decode `%XX` runs that form
/// valid UTF-8, except control chars, space, `%`, DEL and `extra_unsafe`.
fn iri_unquote(s: &str, extra_unsafe: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        // Gather a run of %XX whose bytes are not "unsafe".
        let mut run = Vec::new();
        while i + 2 < b.len() && b[i] == b'%' {
            let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) else {
                break;
            };
            let byte = (h * 16 + l) as u8;
            if byte < 0x80
                && (byte <= 0x20
                    || byte == b'%'
                    || byte == 0x7f
                    || extra_unsafe.as_bytes().contains(&byte))
            {
                break;
            }
            run.push(byte);
            i += 3;
        }
        if run.is_empty() {
            // Copy one char (an unsafe escape is copied as its three chars).
            if b[i] == b'%' && i + 2 < b.len() && hex(b[i + 1]).is_some() && hex(b[i + 2]).is_some()
            {
                out.push_str(&s[i..i + 3]);
                i += 3;
            } else {
                let ch = s[i..].chars().next().unwrap_or('?');
                out.push(ch);
                i += ch.len_utf8().max(1);
            }
            continue;
        }
        let mut rest: &[u8] = &run;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(t) => {
                    out.push_str(t);
                    rest = &[];
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or(""));
                    let bad = e.error_len().unwrap_or(rest.len() - good);
                    for byte in &rest[good..good + bad] {
                        out.push_str(&format!("%{byte:02X}"));
                    }
                    rest = &rest[good + bad..];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn iri() {
        assert_eq!(
            super::iri_unquote("a=b%20c&d=%26&e=+x&f=%2F&g=%C3%A9&h=%DF", "&=+#"),
            "a=b%20c&d=%26&e=+x&f=/&g=\u{e9}&h=%DF"
        );
        assert_eq!(super::title_case("x-b3-traceid"), "X-B3-Traceid");
    }
}
