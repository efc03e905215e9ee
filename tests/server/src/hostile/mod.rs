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
//! | `/stall-mid-body` | `Content-Length: 100`, 50 bytes, then silence (60 s max) |
//! | `/stall-mid-head` | a status line and one header, then silence (60 s max) |
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
//! | `/close-delimited` | a complete head without length, `hello`, close |
//! | `/cut/...` | a response cut short by a close (see `cut`) |
//! | `/flaky/reset-before-response?key=K&fail=N` | the first N requests of K: the request is read, then a TCP reset, no byte sent; later: `200 ok` |
//! | `/flaky/reset-mid-body?key=K&fail=N` | the first N of K: `Content-Length: 100000`, 1000 bytes, a TCP reset; later: `200 ok` |
//! | anything else | a well-formed keep-alive `200 ok` |
//!
//! Well-formed responses keep the connection alive (the next request is read
//! on it); broken ones close it (over TLS with a clean close_notify, so only
//! the HTTP framing tells the cut). Request bodies are read only when framed
//! by `Content-Length`; any other framing closes the connection after the
//! answer.
//!
//! The same scenarios are served over TLS on `tls_hostile_port` (ALPN
//! http/1.1). A connection that opens with the HTTP/2 preface (h2c prior
//! knowledge on the plain port, ALPN h2 on the TLS one) gets the HTTP/2
//! scenarios of `h2` instead.

mod broken;
mod cut;
mod flaky;
mod floods;
mod gzip;
mod h2;
mod redirects;
mod slow;

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::raw_http::{self, RequestHead};

/// The socket under a hostile connection: plain TCP or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {
    /// The TCP socket itself (for a reset).
    fn tcp(&self) -> &TcpStream;
}

impl Io for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Io for TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// A hostile connection: reads go through the buffer, writes go straight out.
pub type Conn = BufReader<Box<dyn Io>>;

/// What becomes of the connection after a response.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    KeepAlive,
    /// A clean close (FIN; close_notify first over TLS).
    Close,
    /// The socket was set to reset; just drop it.
    Reset,
}

/// The first bytes of every HTTP/2 connection (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Serve requests on one accepted connection until it closes.
/// `main_port`: the main origin, target of `/gzip-1gib-redirect`.
pub async fn serve(stream: Box<dyn Io>, main_port: u16) {
    let mut conn = BufReader::new(stream);
    if starts_with_h2_preface(&mut conn).await {
        h2::serve(conn).await;
        return;
    }
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
            Ok(After::Reset) | Err(_) => return,
            Ok(_) => {
                let _ = conn.get_mut().shutdown().await;
                return;
            }
        }
    }
}

/// True when the client opened with the HTTP/2 preface (nothing is consumed).
/// The first read decides: clients write the preface in one go, and four
/// bytes already tell `PRI ` from any HTTP/1.1 method.
async fn starts_with_h2_preface(conn: &mut Conn) -> bool {
    match conn.fill_buf().await {
        Ok(buf) => {
            let n = buf.len().min(H2_PREFACE.len());
            n >= 4 && buf[..n] == H2_PREFACE[..n]
        }
        Err(_) => false,
    }
}

async fn respond(conn: &mut Conn, head: &RequestHead, main_port: u16) -> io::Result<After> {
    match head.path() {
        "/short-body" => broken::short_body(conn).await,
        "/bad-chunked" => broken::bad_chunked(conn).await,
        "/reset-mid-body" => broken::reset_mid_body(conn).await,
        "/bad-status-line" => broken::bad_status_line(conn).await,
        "/http09" => broken::http09(conn).await,
        "/close-delimited" => cut::close_delimited(conn).await,
        p if p.starts_with("/cut/") => cut::respond(conn, p).await,
        "/never-answer" => slow::never_answer(conn).await,
        "/byte-a-second" => slow::byte_a_second(conn).await,
        "/stall-mid-body" => slow::stall_mid_body(conn).await,
        "/stall-mid-head" => slow::stall_mid_head(conn).await,
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
        "/flaky/reset-before-response" => flaky::reset_before_response(conn, head).await,
        "/flaky/reset-mid-body" => flaky::reset_mid_body(conn, head).await,
        _ => ok(conn).await,
    }
}

/// Write bytes to the socket, bypassing the read buffer.
pub async fn send(conn: &mut Conn, bytes: &[u8]) -> io::Result<()> {
    conn.get_mut().write_all(bytes).await
}

/// The well-formed answer to any other path.
pub(super) async fn ok(conn: &mut Conn) -> io::Result<After> {
    send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
    )
    .await?;
    Ok(After::KeepAlive)
}
