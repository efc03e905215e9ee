//! `reqc-test-server`: an httpbin 0.10.4 compatible HTTP server (plus a few
//! `/reqc/*` endpoints) that every libreqc test talks to on 127.0.0.1.
//!
//! It serves HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on the same port,
//! on two "origin" listeners (`port`, `port2`, same endpoints) and a third
//! `control_port` with `GET /stats` and `POST /reset` for connection counts.
//!
//! Rust tests start it in-process with [`start`]; other languages run the
//! `reqc-test-server` binary and read its one JSON line from stdout.

mod control;
mod httpbin_json;
mod json_fmt;
mod listen;
mod multipart;
mod request;
mod response;
mod routes;
mod state;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use state::Shared;

/// Fixed ports to bind (0 = ephemeral), see [`start_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    pub port: u16,
    pub port2: u16,
    pub control_port: u16,
}

/// A running server. Dropping it shuts the server down.
pub struct TestServer {
    /// Main origin: `http://127.0.0.1:{port}`.
    pub port: u16,
    /// Second origin serving the same endpoints (cross-origin redirects).
    pub port2: u16,
    /// Control listener (`GET /stats`, `POST /reset`), not counted.
    pub control_port: u16,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Start on three ephemeral ports of 127.0.0.1; returns once listening.
pub fn start() -> std::io::Result<TestServer> {
    start_with(Config::default())
}

/// Start on the given ports (0 = ephemeral); returns once listening.
pub fn start_with(config: Config) -> std::io::Result<TestServer> {
    let bind = |port: u16| -> std::io::Result<TcpListener> {
        let l = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
        l.set_nonblocking(true)?;
        Ok(l)
    };
    let l1 = bind(config.port)?;
    let l2 = bind(config.port2)?;
    let lc = bind(config.control_port)?;
    let port = l1.local_addr()?.port();
    let port2 = l2.local_addr()?.port();
    let control_port = lc.local_addr()?.port();

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
            let started = runtime.block_on(async {
                listen::spawn_listeners(
                    [
                        (l1, listen::Role::Origin(listen::Slot::Port)),
                        (l2, listen::Role::Origin(listen::Slot::Port2)),
                        (lc, listen::Role::Control),
                    ],
                    shared2,
                )
            });
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
        port,
        port2,
        control_port,
        shared,
        shutdown: Some(tx),
        thread: Some(thread),
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

    /// TCP connections accepted on `port` + `port2` since start or the last reset.
    pub fn connections(&self) -> u64 {
        self.shared.counters.total()
    }

    /// (connections on `port`, connections on `port2`).
    pub fn connections_by_port(&self) -> (u64, u64) {
        self.shared.counters.split()
    }

    /// Zero the connection counters.
    pub fn reset_connections(&self) {
        self.shared.counters.reset();
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
            .finish()
    }
}
