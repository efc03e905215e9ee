//! Redirects a well-behaved origin would not send: a loop, and a redirect to
//! any URL at all (`file:`, `ftp:`, `gopher:`...).

use std::io;

use super::{send, After, Conn};
use crate::raw_http::RequestHead;

/// A bodiless 302 to `location`, connection kept alive.
pub async fn redirect(conn: &mut Conn, location: &str) -> io::Result<After> {
    // Keep the header well-formed whatever the query said.
    let location: String = location.chars().filter(|c| !c.is_control()).collect();
    let r = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
    send(conn, r.as_bytes()).await?;
    Ok(After::KeepAlive)
}

/// `/redirect-to?url=X`: 302 to X; 400 without `url`.
pub async fn redirect_to(conn: &mut Conn, head: &RequestHead) -> io::Result<After> {
    match head.query_arg("url") {
        Some(url) => redirect(conn, &url).await,
        None => {
            send(
                conn,
                b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nmissing url\n",
            )
            .await?;
            Ok(After::KeepAlive)
        }
    }
}
