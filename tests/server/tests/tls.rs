//! The TLS listeners, spoken to with a blocking rustls client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

type Tls = StreamOwned<ClientConnection, TcpStream>;

fn config(
    ca_pem: &str,
    client_auth: Option<&reqc_test_server::TestServer>,
    alpn: &[&str],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
    let mut c = match client_auth {
        None => builder.with_no_client_auth(),
        Some(s) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_file(&s.client_cert_file).unwrap()],
                PrivateKeyDer::from_pem_file(&s.client_key_file).unwrap(),
            )
            .unwrap(),
    };
    c.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(c)
}

/// Connect and complete the handshake (TLS 1.3 client-auth failures only
/// show on the first read, so callers read a response to be sure).
fn connect(port: u16, host: &str, config: Arc<ClientConfig>) -> Result<Tls, std::io::Error> {
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let name = ServerName::try_from(host.to_string()).unwrap();
    let conn = ClientConnection::new(config, name).map_err(std::io::Error::other)?;
    let mut tls = StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(tls)
}

/// One HTTP/1.1 GET with `Connection: close`; the whole response as text.
fn get(
    port: u16,
    host: &str,
    path: &str,
    config: Arc<ClientConfig>,
) -> Result<String, std::io::Error> {
    let mut tls = connect(port, host, config)?;
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = Vec::new();
    match tls.read_to_end(&mut out) {
        Ok(_) => {}
        // hyper closes without close_notify after `Connection: close`.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !out.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn httpbin_over_tls() {
    let s = reqc_test_server::start().unwrap();
    assert!(s.ca_file.is_file());
    assert_eq!(std::fs::read_to_string(&s.ca_file).unwrap(), s.ca_pem());
    let cfg = config(s.ca_pem(), None, &["http/1.1"]);
    for host in ["localhost", "127.0.0.1"] {
        let r = get(s.tls_port, host, "/get?a=1", cfg.clone()).unwrap();
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
        let body = &r[r.find("\r\n\r\n").unwrap() + 4..];
        let j: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(j["url"], format!("https://{host}:{}/get?a=1", s.tls_port));
    }
    assert_eq!(s.connections_tls(), 2);
    assert_eq!(s.connections(), 0);
    assert!(s.tls_url("/get").starts_with("https://"));
}

#[test]
fn alpn_offers_h2_and_http11() {
    let s = reqc_test_server::start().unwrap();
    let tls = connect(
        s.tls_port,
        "localhost",
        config(s.ca_pem(), None, &["h2", "http/1.1"]),
    )
    .unwrap();
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"h2"[..]));
    let tls = connect(
        s.tls_port,
        "localhost",
        config(s.ca_pem(), None, &["http/1.1"]),
    )
    .unwrap();
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn bad_certificates_are_refused() {
    let s = reqc_test_server::start().unwrap();
    let cfg = config(s.ca_pem(), None, &[]);
    for (port, what) in [
        (s.tls_self_signed_port, "UnknownIssuer"),
        (s.tls_wrong_host_port, "NotValidForName"),
        (s.tls_expired_port, "Expired"),
    ] {
        let err = connect(port, "localhost", cfg.clone()).expect_err(what);
        assert!(format!("{err:?}").contains(what), "{what}: {err:?}");
    }
}

#[test]
fn client_certificate_required() {
    let s = reqc_test_server::start().unwrap();
    assert!(s.client_cert_file.is_file() && s.client_key_file.is_file());
    let without = get(
        s.tls_client_auth_port,
        "localhost",
        "/",
        config(s.ca_pem(), None, &[]),
    );
    assert!(without.is_err(), "{without:?}");
    let with = get(
        s.tls_client_auth_port,
        "localhost",
        "/",
        config(s.ca_pem(), Some(&s), &[]),
    )
    .unwrap();
    assert!(
        with.starts_with("HTTP/1.1 200 OK\r\n") && with.ends_with("\r\n\r\nok"),
        "{with}"
    );
}

#[test]
fn pem_files_go_away_with_the_server() {
    let s = reqc_test_server::start().unwrap();
    let dir = s.ca_file.parent().unwrap().to_path_buf();
    assert!(dir.is_dir());
    drop(s);
    assert!(!dir.exists());
}
