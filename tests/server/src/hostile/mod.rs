//! The hostile listener: deliberately broken HTTP/1.1 written straight to the
//! socket (hyper would refuse to produce any of it), chosen by the path of the
//! request line. Paths:
//!
//! | path | what the client gets |
//! | --- | --- |
//! | `/short-body` | `Content-Length: 100`, 10 bytes, close |
//! | `/bad-chunked` | chunked body whose first size line is `zz` |
//! | `/reset-mid-body` | `Content-Length: 100000`, 1000 bytes, then a TCP reset |
//! | `/never-answer` | nothing: the request is read, the socket stays open (60 s max) |
//! | `/byte-a-second` | `Content-Length: 1000`, then one body byte per second |
//! | `/keepalive-timeout` | keep-alive, `Content-Length: 1000`, one byte per 100 ms |
//! | `/huge-headers` | one 300,000-character header line |
//! | `/many-headers` | 10,000 header lines |
//! | `/many-cookies` | 1,000 `Set-Cookie` headers |
//! | `/gzip-1gib` | a gzip body inflating to 1 GiB of zeros |
//! | `/gzip-1gib-redirect` | the same body on a 302 to the main port's `/get` |
//! | `/redirect-loop` | 302 to itself |
//! | `/redirect-to?url=X` | 302 to X, whatever its scheme |
//! | `/bad-status-line` | `HTTP/1.1 abc Nope` |
//! | `/http09` | `hello\n` with no status line, close |
//! | anything else | a well-formed keep-alive `200 ok` |
//!
//! Well-formed responses keep the connection alive (the next request is read
//! on it); broken ones close it. Request bodies are read only when framed by
//! `Content-Length`; any other framing closes the connection after the answer.

mod broken;
mod floods;
mod gzip;
mod redirects;
mod slow;

use std::io;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::raw_http::{self, RequestHead};

/// A hostile connection: reads go through the buffer, writes go straight out.
pub type Conn = BufReader<TcpStream>;

/// What becomes of the connection after a response.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    KeepAlive,
    Close,
}

/// Serve requests on one accepted connection until it closes.
/// `main_port`: the main origin, target of `/gzip-1gib-redirect`.
pub async fn serve(stream: TcpStream, main_port: u16) {
    let mut conn = BufReader::new(stream);
    loop {
        let head = match raw_http::read_head(&mut conn).await {
            Ok(Some(head)) => head,
            _ => return,
        };
        if raw_http::discard(&mut conn, head.content_length())
            .await
            .is_err()
        {
            return;
        }
        match respond(&mut conn, &head, main_port).await {
            Ok(After::KeepAlive)
                if !head.wants_close() && head.header("transfer-encoding").is_none() => {}
            _ => return,
        }
    }
}

async fn respond(conn: &mut Conn, head: &RequestHead, main_port: u16) -> io::Result<After> {
    match head.path() {
        "/short-body" => broken::short_body(conn).await,
        "/bad-chunked" => broken::bad_chunked(conn).await,
        "/reset-mid-body" => broken::reset_mid_body(conn).await,
        "/bad-status-line" => broken::bad_status_line(conn).await,
        "/http09" => broken::http09(conn).await,
        "/never-answer" => slow::never_answer(conn).await,
        "/byte-a-second" => slow::byte_a_second(conn).await,
        "/keepalive-timeout" => slow::keepalive_timeout(conn).await,
        "/huge-headers" => floods::huge_headers(conn).await,
        "/many-headers" => floods::many_headers(conn).await,
        "/many-cookies" => floods::many_cookies(conn).await,
        "/gzip-1gib" => gzip::gzip_1gib(conn, None).await,
        "/gzip-1gib-redirect" => {
            let location = format!("http://127.0.0.1:{main_port}/get");
            gzip::gzip_1gib(conn, Some(&location)).await
        }
        "/redirect-loop" => redirects::redirect(conn, "/redirect-loop").await,
        "/redirect-to" => redirects::redirect_to(conn, head).await,
        _ => ok(conn).await,
    }
}

/// Write bytes to the socket, bypassing the read buffer.
pub async fn send(conn: &mut Conn, bytes: &[u8]) -> io::Result<()> {
    conn.get_mut().write_all(bytes).await
}

/// The well-formed answer to any other path.
async fn ok(conn: &mut Conn) -> io::Result<After> {
    send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
    )
    .await?;
    Ok(After::KeepAlive)
}
