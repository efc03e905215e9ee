//! Parses a response head from the raw header lines libcurl hands over, one
//! line at a time. A new status line starts a new head, so interim 1xx
//! responses and a proxy's CONNECT reply are replaced by the real one.
//! The blank line that ends a head is remembered: a head that never got it
//! was cut short, whatever the transport made of it.

use super::response::canonical_reason;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub reason: String,
    pub http_version: u8,
    pub headers: Vec<(String, String)>,
    /// The blank line after the headers arrived (HTTP/2 sends one too).
    pub complete: bool,
}

impl Head {
    /// Feeds one raw header line, CRLF included or not.
    pub fn feed(&mut self, raw: &[u8]) {
        let line = trim_eol(raw);
        if line.is_empty() {
            // Lines after it (trailers of a chunked body) do not undo it.
            self.complete = self.status != 0;
            return;
        }
        if line.starts_with(b"HTTP/") {
            // Room for a typical response's headers at once (growing a
            // Vec of pairs step by step costs a reallocation per step).
            *self = Head {
                headers: Vec::with_capacity(12),
                ..Head::default()
            };
            self.status_line(line);
        } else if line[0] == b' ' || line[0] == b'\t' {
            // obs-fold: a continuation of the previous header's value.
            if let Some((_, value)) = self.headers.last_mut() {
                value.push(' ');
                value.push_str(String::from_utf8_lossy(line).trim());
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            // Trim as bytes, then one conversion each (no copy to validate).
            let name = text(line[..colon].trim_ascii());
            let value = text(line[colon + 1..].trim_ascii());
            self.headers.push((name, value));
        }
    }

    fn status_line(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let mut parts = text.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        self.http_version = match version {
            "HTTP/1.0" => 10,
            "HTTP/1.1" => 11,
            "HTTP/2" | "HTTP/2.0" => 20,
            "HTTP/3" => 30,
            _ => 0,
        };
        self.status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let reason = parts.next().unwrap_or("").trim();
        self.reason = if reason.is_empty() {
            canonical_reason(self.status).to_string()
        } else {
            reason.to_string()
        };
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Bytes as a String; a server's non-UTF-8 bytes become U+FFFD.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn trim_eol(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = line {
        line = rest;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_head_and_skips_interim() {
        let mut h = Head::default();
        for l in [
            "HTTP/1.1 100 Continue\r\n",
            "\r\n",
            "HTTP/1.1 404 Not Found\r\n",
            "Content-Type: text/plain\r\n",
            "X-Multi: a\r\n",
            "X-Multi:  b \r\n",
            "X-Fold: one\r\n",
            "  two\r\n",
            "\r\n",
        ] {
            h.feed(l.as_bytes());
        }
        assert_eq!(h.status, 404);
        assert_eq!(h.reason, "Not Found");
        assert_eq!(h.http_version, 11);
        assert_eq!(h.headers.len(), 4);
        assert_eq!(h.headers[2], ("X-Multi".into(), "b".into()));
        assert_eq!(h.header("x-fold"), Some("one two"));
        assert!(h.complete);
    }

    #[test]
    fn a_head_without_its_blank_line_is_not_complete() {
        let mut h = Head::default();
        h.feed(b"HTTP/1.1 100 Continue\r\n");
        h.feed(b"\r\n");
        assert!(h.complete);
        h.feed(b"HTTP/1.1 200 OK\r\n");
        h.feed(b"Transfer-Encoding: chunked\r\n");
        assert!(!h.complete, "a new status line starts an incomplete head");
        h.feed(b"\r\n");
        assert!(h.complete);
        h.feed(b"X-Trailer: 1\r\n");
        assert!(h.complete);
    }

    #[test]
    fn http2_gets_canonical_reason() {
        let mut h = Head::default();
        h.feed(b"HTTP/2 200 \r\n");
        assert_eq!((h.status, h.http_version), (200, 20));
        assert_eq!(h.reason, "OK");
    }
}
