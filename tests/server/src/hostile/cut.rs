//! Responses cut short by a clean close, at every point of an HTTP/1.1
//! response, for `/cut/<where>`. A cut the framing cannot show (a body
//! without length ends at the close) is `/close-delimited`, which is whole.
//!
//! | path | bytes sent before the close |
//! | --- | --- |
//! | `/cut/status-line` | `HTTP/1.1 20` |
//! | `/cut/after-status` | the status line, no header, no blank line |
//! | `/cut/in-header` | a status line and half a header line |
//! | `/cut/head-chunked` | status + `Transfer-Encoding: chunked`, no blank line |
//! | `/cut/head-length` | status + `Content-Length: 5`, no blank line |
//! | `/cut/after-interim` | a whole `100 Continue`, then a final head without its blank line |
//! | `/cut/redirect-head` | `302` + `Location: /get`, no blank line |
//! | `/cut/length-empty` | a whole head with `Content-Length: 100`, no body |
//! | `/cut/length-short` | a whole head with `Content-Length: 100`, 10 bytes |
//! | `/cut/chunk-size` | a whole chunked head, half a chunk-size line |
//! | `/cut/mid-chunk` | a chunk announcing 10 bytes, 5 of them |
//! | `/cut/before-last-chunk` | one whole chunk, no last chunk |
//! | `/cut/in-trailer` | the last chunk `0\r\n`, no final blank line |

use std::io;

use super::{send, After, Conn};

const CHUNKED: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";

pub async fn respond(conn: &mut Conn, path: &str) -> io::Result<After> {
    let bytes: String = match path {
        "/cut/status-line" => "HTTP/1.1 20".into(),
        "/cut/after-status" => "HTTP/1.1 200 OK\r\n".into(),
        "/cut/in-header" => "HTTP/1.1 200 OK\r\nContent-Type: text/pl".into(),
        "/cut/head-chunked" => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".into(),
        "/cut/head-length" => "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n".into(),
        "/cut/after-interim" => {
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n".into()
        }
        "/cut/redirect-head" => "HTTP/1.1 302 Found\r\nLocation: /get\r\n".into(),
        "/cut/length-empty" => "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".into(),
        "/cut/length-short" => "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".into(),
        "/cut/chunk-size" => format!("{CHUNKED}a"),
        "/cut/mid-chunk" => format!("{CHUNKED}a\r\n01234"),
        "/cut/before-last-chunk" => format!("{CHUNKED}a\r\n0123456789\r\n"),
        "/cut/in-trailer" => format!("{CHUNKED}a\r\n0123456789\r\n0\r\n"),
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".into(),
    };
    send(conn, bytes.as_bytes()).await?;
    Ok(After::Close)
}

/// A whole response whose body ends at the close (no length, not chunked):
/// `hello`. The close is its framing, so this one is not cut short.
pub async fn close_delimited(conn: &mut Conn) -> io::Result<After> {
    send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello",
    )
    .await?;
    Ok(After::Close)
}
