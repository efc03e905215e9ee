//! Absolute-form requests (`GET http://127.0.0.1:P/path HTTP/1.1`): sent on
//! to the origin in origin-form with `Connection: close`, without
//! `Proxy-Authorization` / `Proxy-Connection`, Host taken from the target;
//! then bytes are copied both ways (request body out, response back) until
//! the origin closes.

use std::io;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{loopback, refuse, Conn};
use crate::raw_http::RequestHead;

/// Dropped: hop-by-hop headers (`Connection: close` is added) and Host
/// (rewritten from the target).
const HOP_BY_HOP: &[&str] = &[
    "host",
    "proxy-authorization",
    "proxy-connection",
    "connection",
    "keep-alive",
];

pub async fn forward(mut conn: Conn, head: &RequestHead) -> io::Result<()> {
    let Some(rest) = strip_prefix_ci(&head.target, "http://") else {
        return refuse(&mut conn, "400 Bad Request").await;
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let Some(addr) = loopback(authority, Some(80)) else {
        return refuse(&mut conn, "403 Forbidden").await;
    };
    let Ok(mut upstream) = TcpStream::connect(addr).await else {
        return refuse(&mut conn, "502 Bad Gateway").await;
    };
    let _ = upstream.set_nodelay(true);

    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    // RFC 9112 3.2.2: the target's authority replaces any Host received.
    let mut out = format!("{} {} HTTP/1.1\r\nHost: {authority}\r\n", head.method, path);
    for (k, v) in &head.headers {
        if !HOP_BY_HOP.iter().any(|h| k.eq_ignore_ascii_case(h)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    upstream.write_all(out.as_bytes()).await?;
    tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
    Ok(())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
