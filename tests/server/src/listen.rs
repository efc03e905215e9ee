//! Accept loops: one task per listener, one task per TCP connection.
//!
//! Every connection accepted on an origin listener (`port`, `port2`) is
//! counted at accept time. A connection is then handed to a handler chosen
//! by the listener's [`Role`]; today every role speaks HTTP through hyper's
//! auto builder (HTTP/1.1 and h2c prior knowledge on the same port). A later
//! raw handler (malformed responses written straight to the socket), a TLS
//! listener or a CONNECT proxy gets a new `Role` variant and a new arm in
//! [`serve_connection`], without touching the rest.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::Shared;

/// Which origin counter a listener feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Port,
    Port2,
}

/// What a listener serves.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// The httpbin + `/reqc/*` endpoints; connections are counted.
    Origin(Slot),
    /// `/stats` and `/reset`; not counted.
    Control,
    // Later: `Raw(RawHandler)` for hostile byte-level responses, `Tls(..)`,
    // `ConnectProxy`: add the variant here and an arm in `serve_connection`.
}

/// Per-connection context handed to every request on that connection.
pub struct ConnCtx {
    pub shared: Arc<Shared>,
    pub peer: SocketAddr,
    pub local_port: u16,
}

/// Convert the bound std listeners and spawn their accept loops.
/// Must run inside the tokio runtime.
pub fn spawn_listeners<const N: usize>(
    listeners: [(std::net::TcpListener, Role); N],
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    let mut converted = Vec::with_capacity(N);
    for (l, role) in listeners {
        converted.push((TcpListener::from_std(l)?, role));
    }
    for (l, role) in converted {
        tokio::spawn(accept_loop(l, role, shared.clone()));
    }
    Ok(())
}

async fn accept_loop(listener: TcpListener, role: Role, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if let Role::Origin(slot) = role {
                    shared.counters.incr(slot == Slot::Port2);
                }
                let _ = stream.set_nodelay(true);
                let local_port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
                let ctx = Arc::new(ConnCtx {
                    shared: shared.clone(),
                    peer,
                    local_port,
                });
                tokio::spawn(serve_connection(stream, role, ctx));
            }
            // EMFILE and friends: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn serve_connection(stream: TcpStream, role: Role, ctx: Arc<ConnCtx>) {
    match role {
        Role::Origin(_) => serve_http(stream, ctx, App::Routes).await,
        Role::Control => serve_http(stream, ctx, App::Control).await,
    }
}

#[derive(Clone, Copy)]
enum App {
    Routes,
    Control,
}

async fn serve_http(stream: TcpStream, ctx: Arc<ConnCtx>, app: App) {
    let svc = service_fn(move |req: Request<Incoming>| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(handle(req, ctx, app).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true).keep_alive(true);
    let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
}

async fn handle(req: Request<Incoming>, ctx: Arc<ConnCtx>, app: App) -> Resp {
    let req = match Req::read(req, ctx.peer, ctx.local_port).await {
        Ok(r) => r,
        Err(_) => return response::text(400, "text/plain", "could not read request body"),
    };
    match app {
        App::Routes => crate::routes::dispatch(req, &ctx.shared).await,
        App::Control => crate::control::handle(&req, &ctx.shared),
    }
}
