//! HTTP/2 responses cut short, on a hostile connection that opened with the
//! HTTP/2 preface (h2c prior knowledge, or ALPN h2 over TLS). The head always
//! arrives whole (HTTP/2 carries it in one HEADERS frame); the body is cut:
//!
//! | path | what the client gets |
//! | --- | --- |
//! | `/h2/reset-mid-body` | HEADERS, 5 bytes of DATA, then RST_STREAM (INTERNAL_ERROR) |
//! | `/h2/close-mid-body` | HEADERS (`Content-Length: 100`), 5 bytes of DATA, then the connection closes |
//! | `/h2/close-after-headers` | HEADERS without END_STREAM, then the connection closes |
//! | `/h2/goaway-mid-body` | HEADERS, 5 bytes of DATA, then GOAWAY (INTERNAL_ERROR) and close |
//! | anything else | `200`, body `ok` |

use std::future::poll_fn;
use std::time::Duration;

use h2::server::SendResponse;
use h2::{Reason, SendStream};
use hyper::body::Bytes;
use hyper::Response;

use super::Conn;

/// How long the connection is driven so queued frames reach the socket
/// before the cut.
const FLUSH: Duration = Duration::from_millis(100);

/// What to do to the connection after a response.
enum Then {
    Serve,
    /// Reset the stream once its frames are out (a reset drops queued DATA).
    Reset(SendStream<Bytes>),
    Close,
    GoAway,
}

pub async fn serve(conn: Conn) {
    let Ok(mut h2) = h2::server::handshake(conn).await else {
        return;
    };
    while let Some(Ok((request, respond))) = h2.accept().await {
        let then = respond_to(request.uri().path(), respond);
        match then {
            Then::Serve => {}
            Then::Reset(mut stream) => {
                let _ = tokio::time::timeout(FLUSH, poll_fn(|cx| h2.poll_closed(cx))).await;
                stream.send_reset(Reason::INTERNAL_ERROR);
            }
            Then::Close => {
                // Let the frames out, then drop the socket: no GOAWAY.
                let _ = tokio::time::timeout(FLUSH, poll_fn(|cx| h2.poll_closed(cx))).await;
                return;
            }
            Then::GoAway => {
                let _ = tokio::time::timeout(FLUSH, poll_fn(|cx| h2.poll_closed(cx))).await;
                h2.abrupt_shutdown(Reason::INTERNAL_ERROR);
                let _ = tokio::time::timeout(FLUSH, poll_fn(|cx| h2.poll_closed(cx))).await;
                return;
            }
        }
    }
}

fn respond_to(path: &str, mut respond: SendResponse<Bytes>) -> Then {
    let head = |length: Option<u64>| {
        let mut r = Response::builder()
            .status(200)
            .header("content-type", "text/plain");
        if let Some(n) = length {
            r = r.header("content-length", n);
        }
        r.body(()).unwrap_or_default()
    };
    let Ok(mut stream) = respond.send_response(
        head(if path == "/h2/close-mid-body" {
            Some(100)
        } else {
            None
        }),
        false,
    ) else {
        return Then::Close;
    };
    match path {
        "/h2/reset-mid-body" => {
            let _ = stream.send_data(Bytes::from_static(b"01234"), false);
            Then::Reset(stream)
        }
        "/h2/close-mid-body" => {
            let _ = stream.send_data(Bytes::from_static(b"01234"), false);
            Then::Close
        }
        "/h2/close-after-headers" => Then::Close,
        "/h2/goaway-mid-body" => {
            let _ = stream.send_data(Bytes::from_static(b"01234"), false);
            Then::GoAway
        }
        _ => {
            let _ = stream.send_data(Bytes::from_static(b"ok"), true);
            Then::Serve
        }
    }
}
