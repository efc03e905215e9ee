//! Answers that take (nearly) forever: none at all, a byte a second, and a
//! slow body on a kept-alive connection.

use std::io;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::{send, After, Conn};

/// How long `/never-answer` keeps a silent connection open at most.
const NEVER_ANSWER_FOR: Duration = Duration::from_secs(60);

/// Read (and ignore) until the client goes away or 60 s pass; never answer.
pub async fn never_answer(conn: &mut Conn) -> io::Result<After> {
    let drain = async {
        let mut buf = [0u8; 4096];
        while conn.read(&mut buf).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(NEVER_ANSWER_FOR, drain).await;
    Ok(After::Close)
}

/// `Content-Length: 100` and 50 body bytes at once, then silence until the
/// client goes away (60 s at most): a stall mid-body.
pub async fn stall_mid_body(conn: &mut Conn) -> io::Result<After> {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n";
    send(conn, head.as_bytes()).await?;
    send(conn, &[b'x'; 50]).await?;
    never_answer(conn).await
}

/// A status line and one header, then silence (60 s at most): a stall
/// mid-head.
pub async fn stall_mid_head(conn: &mut Conn) -> io::Result<After> {
    send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n").await?;
    never_answer(conn).await
}

/// `Content-Length: 1000`, then one byte per second; a write error (the
/// client went away) ends it.
pub async fn byte_a_second(conn: &mut Conn) -> io::Result<After> {
    drip(conn, 1000, Duration::from_secs(1), "close").await?;
    Ok(After::Close)
}

/// A keep-alive response with `Content-Length: 1000` sent one byte per
/// 100 ms; the connection is kept for the next request if the client waits.
pub async fn keepalive_timeout(conn: &mut Conn) -> io::Result<After> {
    drip(conn, 1000, Duration::from_millis(100), "keep-alive").await?;
    Ok(After::KeepAlive)
}

async fn drip(conn: &mut Conn, len: usize, every: Duration, connection: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: {connection}\r\n\r\n"
    );
    send(conn, head.as_bytes()).await?;
    for _ in 0..len {
        send(conn, b"x").await?;
        tokio::time::sleep(every).await;
    }
    Ok(())
}
