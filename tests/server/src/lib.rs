//! `reqc-test-server`: an httpbin 0.10.4 compatible HTTP server (plus a few
//! `/reqc/*` endpoints) that every libreqc test talks to on 127.0.0.1.
//!
//! Listeners, all on 127.0.0.1:
//! - `port`, `port2`: the same endpoints, HTTP/1.1 and HTTP/2 with prior
//!   knowledge (h2c) on each;
//! - `control_port`: `GET /stats`, `POST /reset`, `GET /proxy-log`;
//! - `hostile_port`: deliberately broken HTTP written by hand (see the
//!   `hostile` module for the paths); `tls_hostile_port`: the same over TLS;
//! - `tls_port`: the httpbin endpoints over HTTPS (ALPN h2 and http/1.1),
//!   with a certificate issued by a CA made at start ([`TestServer::ca_file`]);
//! - `tls_self_signed_port`, `tls_wrong_host_port`, `tls_expired_port`,
//!   `tls_client_auth_port`, `tls12_port` (TLS 1.2 only): HTTPS answering
//!   `200 ok`, for failure tests;
//! - `proxy_port`: a CONNECT / absolute-form HTTP proxy to 127.0.0.1;
//! - `silent_port`: accepts and never answers (a TLS handshake stalls).
//!
//! Rust tests start it in-process with [`start`]; other languages run the
//! `reqc-test-server` binary and read its one JSON line from stdout.

mod control;
mod flaky;
mod hostile;
mod httpbin_json;
mod json_fmt;
mod listen;
mod multipart;
mod proxy;
mod raw_http;
mod request;
mod response;
mod routes;
mod state;
mod tls;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use listen::{App, Role};
use state::{Shared, Slot};

pub use state::ProxyLogEntry;

/// Fixed ports to bind (0 = ephemeral), see [`start_with`]. The TLS
/// failure-test listeners always get ephemeral ports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    pub port: u16,
    pub port2: u16,
    pub control_port: u16,
    pub hostile_port: u16,
    pub tls_port: u16,
    pub proxy_port: u16,
}

/// A running server. Dropping it shuts the server down (and removes the PEM
/// files).
pub struct TestServer {
    /// Main origin: `http://127.0.0.1:{port}`.
    pub port: u16,
    /// Second origin serving the same endpoints (cross-origin redirects).
    pub port2: u16,
    /// Control listener (`GET /stats`, `POST /reset`, `GET /proxy-log`), not counted.
    pub control_port: u16,
    /// Raw, deliberately broken HTTP/1.1 (`/short-body`, `/bad-chunked`, ...).
    pub hostile_port: u16,
    /// The httpbin endpoints over HTTPS, certificate from the CA in `ca_file`.
    pub tls_port: u16,
    /// HTTPS `200 ok` with a self-signed certificate (not from the CA).
    pub tls_self_signed_port: u16,
    /// HTTPS `200 ok` with a CA-issued certificate for "wrong.example" only.
    pub tls_wrong_host_port: u16,
    /// HTTPS `200 ok` with a CA-issued certificate that expired in 2001.
    pub tls_expired_port: u16,
    /// HTTPS `200 ok` that requires a client certificate issued by the CA
    /// (`client_cert_file` + `client_key_file` are one).
    pub tls_client_auth_port: u16,
    /// HTTP proxy: `CONNECT` and absolute-form requests to 127.0.0.1 only.
    pub proxy_port: u16,
    /// The hostile scenarios over HTTPS (certificate from the CA in `ca_file`).
    pub tls_hostile_port: u16,
    /// HTTPS `200 ok` with a CA-issued certificate, TLS 1.2 only.
    pub tls12_port: u16,
    /// Accepts connections and never writes: a handshake to it stalls.
    pub silent_port: u16,
    /// PEM file of the CA that issued the TLS listeners' certificates.
    pub ca_file: PathBuf,
    /// PEM file of a client certificate issued by the CA.
    pub client_cert_file: PathBuf,
    /// PEM file (PKCS#8) of that client certificate's private key.
    pub client_key_file: PathBuf,
    ca_pem: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _cert_dir: tls::CertDir,
}

/// Start on ephemeral ports of 127.0.0.1; returns once listening.
pub fn start() -> std::io::Result<TestServer> {
    start_with(Config::default())
}

fn bind(port: u16) -> std::io::Result<TcpListener> {
    let l = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    l.set_nonblocking(true)?;
    Ok(l)
}

/// Start on the given ports (0 = ephemeral); returns once listening.
pub fn start_with(config: Config) -> std::io::Result<TestServer> {
    let tls = tls::setup()?;
    let a = tls.acceptors.clone();
    let l1 = bind(config.port)?;
    let port = l1.local_addr()?.port();
    let listeners: Vec<(TcpListener, Role)> = vec![
        (l1, Role::Origin(Slot::Port)),
        (bind(config.port2)?, Role::Origin(Slot::Port2)),
        (bind(config.control_port)?, Role::Control),
        (
            bind(config.hostile_port)?,
            Role::Hostile {
                main_port: port,
                tls: None,
            },
        ),
        (
            bind(config.tls_port)?,
            Role::Tls(a.main.clone(), App::Routes),
        ),
        (bind(0)?, Role::Tls(a.self_signed, App::Ok)),
        (bind(0)?, Role::Tls(a.wrong_host, App::Ok)),
        (bind(0)?, Role::Tls(a.expired, App::Ok)),
        (bind(0)?, Role::Tls(a.client_auth, App::Ok)),
        (bind(config.proxy_port)?, Role::Proxy),
        (
            bind(0)?,
            Role::Hostile {
                main_port: port,
                tls: Some(a.main),
            },
        ),
        (bind(0)?, Role::Tls(a.tls12, App::Ok)),
        (bind(0)?, Role::Silent),
    ];
    let ports = listeners
        .iter()
        .map(|(l, _)| l.local_addr().map(|a| a.port()))
        .collect::<std::io::Result<Vec<u16>>>()?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("reqc-test-server")
        .enable_all()
        .build()?;
    let shared = Arc::new(Shared::new());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();

    let shared2 = shared.clone();
    let thread = std::thread::Builder::new()
        .name("reqc-test-server-main".into())
        .spawn(move || {
            let started = runtime.block_on(async { listen::spawn_listeners(listeners, shared2) });
            let ok = started.is_ok();
            let _ = ready_tx.send(started);
            if ok {
                runtime.block_on(async {
                    let _ = rx.await;
                });
            }
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        })?;
    ready_rx
        .recv()
        .map_err(|_| std::io::Error::other("server thread died during startup"))??;

    Ok(TestServer {
        port: ports[0],
        port2: ports[1],
        control_port: ports[2],
        hostile_port: ports[3],
        tls_port: ports[4],
        tls_self_signed_port: ports[5],
        tls_wrong_host_port: ports[6],
        tls_expired_port: ports[7],
        tls_client_auth_port: ports[8],
        proxy_port: ports[9],
        tls_hostile_port: ports[10],
        tls12_port: ports[11],
        silent_port: ports[12],
        ca_file: tls.ca_file,
        client_cert_file: tls.client_cert_file,
        client_key_file: tls.client_key_file,
        ca_pem: tls.ca_pem,
        shared,
        shutdown: Some(tx),
        thread: Some(thread),
        _cert_dir: tls.dir,
    })
}

impl TestServer {
    /// `http://127.0.0.1:{port}{path}`
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// `http://127.0.0.1:{port2}{path}`
    pub fn url2(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port2, path)
    }

    /// `http://127.0.0.1:{control_port}{path}`
    pub fn control_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.control_port, path)
    }

    /// `http://127.0.0.1:{hostile_port}{path}`
    pub fn hostile_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.hostile_port, path)
    }

    /// `https://127.0.0.1:{tls_port}{path}` (the certificate also names localhost).
    pub fn tls_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{}", self.tls_port, path)
    }

    /// `http://127.0.0.1:{proxy_port}`, the proxy URL clients are given.
    pub fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy_port)
    }

    /// The CA certificate (PEM) that issued the TLS listeners' certificates;
    /// the same text as in `ca_file`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// TCP connections accepted on `port` + `port2` since start or the last reset.
    pub fn connections(&self) -> u64 {
        self.shared.counters.total()
    }

    /// (connections on `port`, connections on `port2`).
    pub fn connections_by_port(&self) -> (u64, u64) {
        self.shared.counters.split()
    }

    /// TCP connections accepted on `hostile_port`.
    pub fn connections_hostile(&self) -> u64 {
        self.shared.counters.get(Slot::Hostile)
    }

    /// TCP connections accepted on `tls_port` (handshake or not).
    pub fn connections_tls(&self) -> u64 {
        self.shared.counters.get(Slot::Tls)
    }

    /// TCP connections accepted on `proxy_port`.
    pub fn connections_proxy(&self) -> u64 {
        self.shared.counters.get(Slot::Proxy)
    }

    /// Zero all the connection counters.
    pub fn reset_connections(&self) {
        self.shared.counters.reset();
    }

    /// Requests the proxy received since start or the last clear / `POST /reset`.
    pub fn proxy_log(&self) -> Vec<ProxyLogEntry> {
        self.shared.proxy_log.entries()
    }

    /// Forget the proxy's log.
    pub fn clear_proxy_log(&self) {
        self.shared.proxy_log.clear();
    }

    /// Stop serving and wait for the server thread (also done on drop).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("port", &self.port)
            .field("port2", &self.port2)
            .field("control_port", &self.control_port)
            .field("hostile_port", &self.hostile_port)
            .field("tls_port", &self.tls_port)
            .field("tls_self_signed_port", &self.tls_self_signed_port)
            .field("tls_wrong_host_port", &self.tls_wrong_host_port)
            .field("tls_expired_port", &self.tls_expired_port)
            .field("tls_client_auth_port", &self.tls_client_auth_port)
            .field("proxy_port", &self.proxy_port)
            .field("tls_hostile_port", &self.tls_hostile_port)
            .field("tls12_port", &self.tls12_port)
            .field("silent_port", &self.silent_port)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}
