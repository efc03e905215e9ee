//! A tiny HTTP/1.x request-head reader for the listeners that bypass hyper
//! (the hostile listener and the proxy): request line + header lines, no body.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt};

/// A request head larger than this is refused (the connection is dropped).
const MAX_HEAD: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct RequestHead {
    pub method: String,
    /// The request target as sent: origin-form, absolute-form or authority-form.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// First value of a header, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path of an origin-form target (no query).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// First query value for `name`, percent-decoded.
    pub fn query_arg(&self, name: &str) -> Option<String> {
        let (_, query) = self.target.split_once('?')?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// `Content-Length` of the request body (0 when absent or invalid).
    pub fn content_length(&self) -> u64 {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Whether the client asked for the connection to be closed.
    pub fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.to_ascii_lowercase().contains("close"))
    }
}

/// Read one request head. `Ok(None)`: the client closed (or sent garbage)
/// before a complete head arrived.
pub async fn read_head<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<RequestHead>> {
    let mut limited = r.take(MAX_HEAD);
    let mut line = Vec::new();
    // Skip the empty lines RFC 9112 lets a client send before a request.
    loop {
        line.clear();
        if limited.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if !trim_eol(&line).is_empty() {
            break;
        }
    }
    let request_line = String::from_utf8_lossy(trim_eol(&line)).into_owned();
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let mut head = RequestHead {
        method: method.to_string(),
        target: target.to_string(),
        headers: Vec::new(),
    };
    loop {
        line.clear();
        if limited.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            return Ok(Some(head));
        }
        let text = String::from_utf8_lossy(l);
        if let Some((k, v)) = text.split_once(':') {
            head.headers
                .push((k.trim().to_string(), v.trim().to_string()));
        }
    }
}

/// Read and throw away `n` bytes of request body.
pub async fn discard<R: AsyncRead + Unpin>(r: &mut R, n: u64) -> std::io::Result<()> {
    let copied = tokio::io::copy(&mut r.take(n), &mut tokio::io::sink()).await?;
    if copied < n {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
