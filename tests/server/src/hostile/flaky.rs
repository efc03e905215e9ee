//! Connections lost before or during the response, the first N times for a
//! key (see `crate::flaky`), then a well-formed answer: what a client's
//! retries get past.

use std::io;

use super::{broken, ok, After, Conn};
use crate::raw_http::RequestHead;

/// True while key K of `head` is within its first `fail` requests.
fn failing(head: &RequestHead) -> bool {
    let key = head.query_arg("key").unwrap_or_default();
    let fail: u64 = head
        .query_arg("fail")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    crate::flaky::hit(&key) <= fail
}

/// A reset before any response byte (the request was read).
pub async fn reset_before_response(conn: &mut Conn, head: &RequestHead) -> io::Result<After> {
    if failing(head) {
        conn.get_ref().tcp().set_zero_linger()?;
        return Ok(After::Reset);
    }
    ok(conn).await
}

/// A reset after the head and part of the body.
pub async fn reset_mid_body(conn: &mut Conn, head: &RequestHead) -> io::Result<After> {
    if failing(head) {
        return broken::reset_mid_body(conn).await;
    }
    ok(conn).await
}
