//! Everything the TLS listeners need, made at server start: certificates
//! ([`certs`]), rustls acceptors ([`config`]) and the PEM files clients load
//! ([`files`]).

mod certs;
mod config;
mod files;

use std::path::PathBuf;

use tokio_rustls::TlsAcceptor;

pub use files::CertDir;

/// One acceptor per TLS listener.
#[derive(Clone)]
pub struct Acceptors {
    /// httpbin routes; leaf for localhost + 127.0.0.1 issued by the CA.
    pub main: TlsAcceptor,
    pub self_signed: TlsAcceptor,
    pub wrong_host: TlsAcceptor,
    pub expired: TlsAcceptor,
    /// Good leaf; requires a client certificate issued by the CA.
    pub client_auth: TlsAcceptor,
    /// Good leaf; TLS 1.2 only.
    pub tls12: TlsAcceptor,
}

pub struct Tls {
    pub acceptors: Acceptors,
    pub ca_pem: String,
    pub ca_file: PathBuf,
    pub client_cert_file: PathBuf,
    pub client_key_file: PathBuf,
    /// Holds the files above; removes them on drop.
    pub dir: CertDir,
}

pub fn setup() -> std::io::Result<Tls> {
    let c = certs::generate()?;
    let acceptors = Acceptors {
        main: config::acceptor(&c.server, None)?,
        self_signed: config::acceptor(&c.self_signed, None)?,
        wrong_host: config::acceptor(&c.wrong_host, None)?,
        expired: config::acceptor(&c.expired, None)?,
        client_auth: config::acceptor(&c.server, Some(&c.ca))?,
        tls12: config::tls12_only(&c.server)?,
    };
    let dir = CertDir::create()?;
    Ok(Tls {
        acceptors,
        ca_file: dir.write("ca.pem", &c.ca.cert_pem)?,
        client_cert_file: dir.write("client.pem", &c.client.cert_pem)?,
        client_key_file: dir.write("client-key.pem", &c.client.key_pem)?,
        ca_pem: c.ca.cert_pem,
        dir,
    })
}

fn tls_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("TLS setup: {e}"))
}
