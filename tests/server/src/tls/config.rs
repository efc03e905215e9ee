//! rustls server configurations (ring provider; ALPN h2 and http/1.1) and
//! the acceptors the TLS listeners use.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use super::certs::Identity;
use super::tls_err;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// An acceptor presenting `id`; with `client_ca`, clients must present a
/// certificate issued by that CA.
pub fn acceptor(id: &Identity, client_ca: Option<&Identity>) -> std::io::Result<TlsAcceptor> {
    with_versions(id, client_ca, rustls::DEFAULT_VERSIONS)
}

/// An acceptor presenting `id` that speaks TLS 1.2 alone: a client asking
/// for at least 1.3 fails its handshake.
pub fn tls12_only(id: &Identity) -> std::io::Result<TlsAcceptor> {
    with_versions(id, None, &[&rustls::version::TLS12])
}

fn with_versions(
    id: &Identity,
    client_ca: Option<&Identity>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> std::io::Result<TlsAcceptor> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .map_err(tls_err)?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.cert.clone()).map_err(tls_err)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(tls_err)?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(vec![id.cert.clone()], id.key())
        .map_err(tls_err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
