//! Parses a response head from the raw header lines libcurl hands over, one
//! line at a time. A new status line starts a new head, so interim 1xx
//! responses and a proxy's CONNECT reply are replaced by the real one.
//! The blank line that ends a head is remembered: a head that never got it
//! was cut short, whatever the transport made of it.

use std::borrow::Cow;

use super::headers::Headers;
use super::response::canonical_reason;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    /// The standard phrase itself when the server sent that one or none
    /// (no allocation for the usual "OK").
    pub reason: Cow<'static, str>,
    pub http_version: u8,
    pub headers: Headers,
    /// The blank line after the headers arrived (HTTP/2 sends one too).
    pub complete: bool,
}

impl Head {
    /// Feeds one raw header line, CRLF included or not.
    #[inline] // once per head line, from one caller: a call less per line
    pub fn feed(&mut self, raw: &[u8]) {
        let line = trim_eol(raw);
        // What the line is, from its first raw bytes: the text of a line
        // that is not UTF-8 starts with the same ASCII bytes (U+FFFD
        // replaces only the others).
        match line {
            [] => {
                // Lines after it (trailers of a chunked body) do not undo it.
                self.complete = self.status != 0;
            }
            [b'H', b'T', b'T', b'P', b'/', ..] => {
                // Room for a typical response's headers at once (growing
                // step by step costs a reallocation per step).
                *self = Head {
                    headers: Headers::with_capacity(12, 512),
                    ..Head::default()
                };
                self.status_line(&text(line));
            }
            // obs-fold: a continuation of the previous header's value.
            [b' ' | b'\t', ..] => self.headers.extend_last(text(line).trim()),
            _ => {
                // One check of the whole line, and no copy unless it is
                // not UTF-8. A vector scan for the ':' (a byte loop cost 3
                // instructions a byte, a third of this function's); ':' is
                // ASCII, so a char boundary. Copied once, into the head's
                // one buffer.
                let line = text(line);
                if let Some(colon) = memchr::memchr(b':', line.as_bytes()) {
                    let (name, value) = (&line[..colon], &line[colon + 1..]);
                    self.headers.push(name.trim_ascii(), value.trim_ascii());
                }
            }
        }
    }

    fn status_line(&mut self, text: &str) {
        let (version, rest) = at_space(text);
        let (status, reason) = at_space(rest);
        self.http_version = match version {
            "HTTP/1.0" => 10,
            "HTTP/1.1" => 11,
            "HTTP/2" | "HTTP/2.0" => 20,
            "HTTP/3" => 30,
            _ => 0,
        };
        self.status = status.parse().unwrap_or(0);
        let reason = reason.trim();
        let canonical = canonical_reason(self.status);
        self.reason = if reason.is_empty() || reason == canonical {
            Cow::Borrowed(canonical)
        } else {
            Cow::Owned(reason.to_string())
        };
    }

    /// This head, headers and all, leaving here only what the transfer
    /// still asks of it (status, completeness): a pulled hop hands its
    /// head to the reader without copying its headers (two allocations and
    /// a copy of every line).
    pub fn hand_over(&mut self) -> Head {
        Head {
            status: self.status,
            reason: self.reason.clone(),
            http_version: self.http_version,
            headers: std::mem::take(&mut self.headers),
            complete: self.complete,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

/// Bytes as text; a server's non-UTF-8 bytes become U+FFFD (only then is
/// there a copy). The strict check first: `from_utf8_lossy` costs twice as
/// much on valid text.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// `text` split at its first space (dropped): what is before, and the rest
/// (empty without a space). A byte scan: ' ' is ASCII.
fn at_space(text: &str) -> (&str, &str) {
    match text.bytes().position(|b| b == b' ') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
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
        assert_eq!(h.headers.at(2), Some(("X-Multi", "b")));
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
    fn a_server_s_bytes_that_are_not_utf8_become_replacement_characters() {
        let mut h = Head::default();
        h.feed(b"HTTP/1.1 200 \xffK\r\n");
        h.feed(b" X-Bad\xfe :\t a\xffb \r\n");
        h.feed(b"X-Fold: one\r\n");
        h.feed(b"\t t\xffwo \r\n");
        assert_eq!(h.reason, "\u{fffd}K");
        assert_eq!(h.headers.at(0), Some(("X-Fold", "one t\u{fffd}wo")));
        h.feed(b"X-Bad\xfe :\t a\xffb \r\n");
        assert_eq!(h.headers.at(1), Some(("X-Bad\u{fffd}", "a\u{fffd}b")));
    }

    #[test]
    fn hand_over_moves_the_headers_and_keeps_what_the_transfer_reads() {
        let mut h = Head::default();
        for l in ["HTTP/1.1 200 OK\r\n", "X-A: 1\r\n", "\r\n"] {
            h.feed(l.as_bytes());
        }
        let given = h.hand_over();
        assert_eq!(
            (given.status, given.http_version, given.complete),
            (200, 11, true)
        );
        assert_eq!(given.reason, "OK");
        assert_eq!(given.header("x-a"), Some("1"));
        // The collector's head keeps its status and completeness (cut_short,
        // has_final_head read them), not the headers.
        assert!(h.headers.is_empty());
        assert_eq!((h.status, h.complete), (200, true));
    }

    #[test]
    fn http2_gets_canonical_reason() {
        let mut h = Head::default();
        h.feed(b"HTTP/2 200 \r\n");
        assert_eq!((h.status, h.http_version), (200, 20));
        assert_eq!(h.reason, "OK");
    }
}
