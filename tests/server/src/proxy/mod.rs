//! A forward proxy for HTTP/1.1 clients: `CONNECT host:port` tunnels
//! ([`tunnel`]) and absolute-form plain HTTP requests ([`forward`]), one
//! request per connection. Only 127.0.0.1 / localhost targets are allowed
//! (anything else: 403). Every request is logged with the
//! `Proxy-Authorization` it carried, which is never passed on.

mod forward;
mod tunnel;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::raw_http;
use crate::state::{ProxyLogEntry, Shared};

type Conn = BufReader<TcpStream>;

pub async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut conn = BufReader::new(stream);
    let head = match raw_http::read_head(&mut conn).await {
        Ok(Some(h)) => h,
        _ => return,
    };
    shared.proxy_log.record(ProxyLogEntry {
        method: head.method.clone(),
        target: head.target.clone(),
        proxy_authorization: head.header("proxy-authorization").map(str::to_string),
    });
    let _ = if head.method.eq_ignore_ascii_case("CONNECT") {
        tunnel::connect(conn, &head).await
    } else {
        forward::forward(conn, &head).await
    };
}

/// `host[:port]` to a loopback address, if the host is 127.0.0.1 or localhost.
fn loopback(authority: &str, default_port: Option<u16>) -> Option<SocketAddr> {
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, default_port?),
    };
    if host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") {
        Some(SocketAddr::from(([127, 0, 0, 1], port)))
    } else {
        None
    }
}

/// A short error answer; the connection is closed afterwards.
async fn refuse(conn: &mut Conn, status: &str) -> io::Result<()> {
    let body = format!("{status}\n");
    let r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut().write_all(r.as_bytes()).await
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn only_loopback_targets() {
        assert_eq!(
            loopback("127.0.0.1:8080", None),
            Some(([127, 0, 0, 1], 8080).into())
        );
        assert_eq!(
            loopback("localhost", Some(80)),
            Some(([127, 0, 0, 1], 80).into())
        );
        assert_eq!(loopback("127.0.0.1", None), None);
        assert_eq!(loopback("example.com:443", None), None);
        assert_eq!(loopback("10.0.0.1:80", Some(80)), None);
    }
}
