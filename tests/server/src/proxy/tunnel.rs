//! `CONNECT host:port`: answer 200, then copy bytes both ways until either
//! side closes.

use std::io;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{loopback, refuse, Conn};
use crate::raw_http::RequestHead;

pub async fn connect(mut conn: Conn, head: &RequestHead) -> io::Result<()> {
    let Some(addr) = loopback(&head.target, None) else {
        return refuse(&mut conn, "403 Forbidden").await;
    };
    let Ok(mut upstream) = TcpStream::connect(addr).await else {
        return refuse(&mut conn, "502 Bad Gateway").await;
    };
    let _ = upstream.set_nodelay(true);
    conn.get_mut()
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    // The BufReader hands over anything the client sent early, then passes through.
    tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
    Ok(())
}
