//! Malformed framing and status lines: truncated bodies, a bad chunk size, a
//! reset mid-body, a non-numeric status code, an HTTP/0.9-style answer.

use std::io;
use std::time::Duration;

use super::{send, After, Conn};

/// `Content-Length: 100`, then 10 bytes, then close.
pub async fn short_body(conn: &mut Conn) -> io::Result<After> {
    send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789",
    )
    .await?;
    Ok(After::Close)
}

/// A chunked body whose first chunk-size line is `zz`.
pub async fn bad_chunked(conn: &mut Conn) -> io::Result<After> {
    send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    )
    .await?;
    Ok(After::Close)
}

/// `Content-Length: 100000`, 1000 bytes, then RST (SO_LINGER 0 and close).
pub async fn reset_mid_body(conn: &mut Conn) -> io::Result<After> {
    let mut bytes =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
            .to_vec();
    bytes.resize(bytes.len() + 1000, b'x');
    send(conn, &bytes).await?;
    // A reset discards whatever is still unsent: give the bytes time to leave.
    tokio::time::sleep(Duration::from_millis(100)).await;
    conn.get_ref().tcp().set_zero_linger()?;
    Ok(After::Reset)
}

/// A status line whose code is not a number, no headers.
pub async fn bad_status_line(conn: &mut Conn) -> io::Result<After> {
    send(conn, b"HTTP/1.1 abc Nope\r\n\r\n").await?;
    Ok(After::Close)
}

/// No status line at all, just a body, then close.
pub async fn http09(conn: &mut Conn) -> io::Result<After> {
    send(conn, b"hello\n").await?;
    Ok(After::Close)
}
