//! `reqc-test-server [--port N] [--port2 M] [--control C] [--hostile H]
//! [--tls T] [--proxy X] [--ignore-stdin]`
//!
//! Prints one JSON line on stdout, keys in this order:
//! `{"port":P,"port2":P2,"control":C,"hostile":H,"tls":T,"tls_self_signed":S,
//! "tls_wrong_host":W,"tls_expired":E,"tls_client_auth":A,"proxy":X,
//! "tls_hostile":TH,"tls12":T12,"silent":Q,
//! "ca_file":"/tmp/.../ca.pem","client_cert_file":"...","client_key_file":"..."}`
//! then serves until stdin reaches EOF (unless `--ignore-stdin`) or
//! SIGTERM/SIGINT.

use std::io::{Read, Write};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: reqc-test-server [--port N] [--port2 M] [--control C] [--hostile H] [--tls T] [--proxy X] [--ignore-stdin]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = reqc_test_server::Config::default();
    let mut watch_stdin = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let slot = match flag.as_str() {
            "--port" => &mut config.port,
            "--port2" => &mut config.port2,
            "--control" | "--control-port" => &mut config.control_port,
            "--hostile" | "--hostile-port" => &mut config.hostile_port,
            "--tls" | "--tls-port" => &mut config.tls_port,
            "--proxy" | "--proxy-port" => &mut config.proxy_port,
            "--ignore-stdin" => {
                watch_stdin = false;
                continue;
            }
            "-h" | "--help" => {
                usage();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        };
        match inline.or_else(|| args.next()).and_then(|v| v.parse().ok()) {
            Some(p) => *slot = p,
            None => return usage(),
        }
    }

    let server = match reqc_test_server::start_with(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("reqc-test-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", ports_line(&server));
        let _ = out.flush();
    }

    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("reqc-test-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async {
        let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
        if watch_stdin {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut stdin = std::io::stdin().lock();
                loop {
                    match stdin.read(&mut buf) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                let _ = eof_tx.send(());
            });
        } else {
            std::mem::forget(eof_tx);
        }
        let stdin_eof = async {
            let _ = eof_rx.await;
        };
        tokio::select! {
            _ = stdin_eof => {}
            _ = tokio::signal::ctrl_c() => {}
            _ = sigterm() => {}
        }
    });
    drop(server);
    ExitCode::SUCCESS
}

/// The JSON line other languages read; the first three keys come first, as
/// they always did.
fn ports_line(s: &reqc_test_server::TestServer) -> String {
    let path = |p: &std::path::Path| p.to_string_lossy().into_owned();
    serde_json::json!({
        "port": s.port,
        "port2": s.port2,
        "control": s.control_port,
        "hostile": s.hostile_port,
        "tls": s.tls_port,
        "tls_self_signed": s.tls_self_signed_port,
        "tls_wrong_host": s.tls_wrong_host_port,
        "tls_expired": s.tls_expired_port,
        "tls_client_auth": s.tls_client_auth_port,
        "proxy": s.proxy_port,
        "tls_hostile": s.tls_hostile_port,
        "tls12": s.tls12_port,
        "silent": s.silent_port,
        "ca_file": path(&s.ca_file),
        "client_cert_file": path(&s.client_cert_file),
        "client_key_file": path(&s.client_key_file),
    })
    .to_string()
}

#[cfg(unix)]
async fn sigterm() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn sigterm() {
    std::future::pending::<()>().await
}
