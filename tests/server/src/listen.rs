//! Accept loops: one task per listener, one task per TCP connection.
//!
//! A connection is counted at accept time in its listener's [`Slot`] (if it
//! has one), then handed to the handler chosen by the listener's [`Role`]:
//! hyper's auto builder (HTTP/1.1 and h2c prior knowledge, or h2 / http/1.1
//! over TLS) for the httpbin routes, the control endpoints and the bare TLS
//! listeners; raw byte-level handlers for the hostile listener and the proxy.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::{Shared, Slot};

/// What a listener serves.
#[derive(Clone)]
pub enum Role {
    /// The httpbin + `/reqc/*` endpoints over plain TCP; counted in the slot.
    Origin(Slot),
    /// `/stats`, `/reset`, `/proxy-log`; not counted.
    Control,
    /// Broken HTTP written by hand (`crate::hostile`), over TLS when given
    /// an acceptor; `main_port` is where its redirects point.
    Hostile {
        main_port: u16,
        tls: Option<TlsAcceptor>,
    },
    /// HTTPS: the httpbin routes (counted as `Slot::Tls`) or a bare 200 "ok".
    Tls(TlsAcceptor, App),
    /// The forward / CONNECT proxy (`crate::proxy`).
    Proxy,
    /// Accepts, reads whatever comes and never writes a byte: a TLS
    /// handshake (or an HTTP request) to it stalls until the client gives up.
    Silent,
}

impl Role {
    fn slot(&self) -> Option<Slot> {
        match self {
            Role::Origin(slot) => Some(*slot),
            Role::Hostile { .. } => Some(Slot::Hostile),
            Role::Tls(_, App::Routes) => Some(Slot::Tls),
            Role::Proxy => Some(Slot::Proxy),
            Role::Control | Role::Tls(..) | Role::Silent => None,
        }
    }
}

/// The service behind a hyper-served listener.
#[derive(Debug, Clone, Copy)]
pub enum App {
    Routes,
    Control,
    /// `200 ok` to every request (the TLS failure-test listeners).
    Ok,
}

/// Per-connection context handed to every request on that connection.
pub struct ConnCtx {
    pub shared: Arc<Shared>,
    pub peer: SocketAddr,
    pub local_port: u16,
    pub tls: bool,
}

/// Convert the bound std listeners and spawn their accept loops.
/// Must run inside the tokio runtime.
pub fn spawn_listeners(
    listeners: Vec<(std::net::TcpListener, Role)>,
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    let mut converted = Vec::with_capacity(listeners.len());
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
                if let Some(slot) = role.slot() {
                    shared.counters.incr(slot);
                }
                let _ = stream.set_nodelay(true);
                let local_port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
                let ctx = Arc::new(ConnCtx {
                    shared: shared.clone(),
                    peer,
                    local_port,
                    tls: matches!(role, Role::Tls(..)),
                });
                tokio::spawn(serve_connection(stream, role.clone(), ctx));
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
        Role::Hostile {
            main_port,
            tls: None,
        } => crate::hostile::serve(Box::new(stream), main_port).await,
        Role::Hostile {
            main_port,
            tls: Some(acceptor),
        } => {
            if let Ok(tls) = acceptor.accept(stream).await {
                crate::hostile::serve(Box::new(tls), main_port).await;
            }
        }
        Role::Tls(acceptor, app) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                serve_http(tls, ctx, app).await;
            }
        }
        Role::Proxy => crate::proxy::serve(stream, ctx.shared.clone()).await,
        Role::Silent => {
            // Holds the stream until the client closes: nothing is written,
            // nothing shut down.
            let mut stream = stream;
            let _ = tokio::io::copy(&mut stream, &mut tokio::io::sink()).await;
        }
    }
}

async fn serve_http<S>(io: S, ctx: Arc<ConnCtx>, app: App)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req: Request<Incoming>| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(handle(req, ctx, app).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true).keep_alive(true);
    let _ = builder.serve_connection(TokioIo::new(io), svc).await;
}

async fn handle(req: Request<Incoming>, ctx: Arc<ConnCtx>, app: App) -> Resp {
    let req = match Req::read(req, ctx.peer, ctx.local_port, ctx.tls).await {
        Ok(r) => r,
        Err(_) => return response::text(400, "text/plain", "could not read request body"),
    };
    match app {
        App::Routes => crate::routes::dispatch(req, &ctx.shared).await,
        App::Control => crate::control::handle(&req, &ctx.shared),
        App::Ok => response::text(200, "text/plain", "ok"),
    }
}
