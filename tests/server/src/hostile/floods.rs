//! Header floods: one enormous header line, thousands of header lines, a
//! thousand cookies.

use std::fmt::Write;
use std::io;

use super::{send, After, Conn};

/// One `X-Big` header line of 300,000 characters, then a 2-byte body.
pub async fn huge_headers(conn: &mut Conn) -> io::Result<After> {
    let mut r = String::with_capacity(300_100);
    r.push_str("HTTP/1.1 200 OK\r\nX-Big: ");
    r.extend(std::iter::repeat_n('a', 300_000));
    r.push_str("\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    send(conn, r.as_bytes()).await?;
    Ok(After::Close)
}

/// 10,000 header lines `X-H-N: v`, then a 2-byte body.
pub async fn many_headers(conn: &mut Conn) -> io::Result<After> {
    let mut r = String::from("HTTP/1.1 200 OK\r\n");
    for n in 0..10_000 {
        let _ = write!(r, "X-H-{n}: v\r\n");
    }
    r.push_str("Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    send(conn, r.as_bytes()).await?;
    Ok(After::Close)
}

/// A well-formed 200 with 1,000 `Set-Cookie: cN=v; Path=/` headers.
pub async fn many_cookies(conn: &mut Conn) -> io::Result<After> {
    let mut r = String::from("HTTP/1.1 200 OK\r\n");
    for n in 0..1000 {
        let _ = write!(r, "Set-Cookie: c{n}=v; Path=/\r\n");
    }
    r.push_str("Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
    send(conn, r.as_bytes()).await?;
    Ok(After::KeepAlive)
}
