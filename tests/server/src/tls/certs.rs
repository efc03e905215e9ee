//! The certificates, made with rcgen at every start: a CA, leaves it issues
//! (good, wrong host, expired, client) and a self-signed leaf. ECDSA P-256.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::tls_err;

/// A certificate and its private key, in DER and PEM.
pub struct Identity {
    pub cert: CertificateDer<'static>,
    pub key_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl Identity {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

pub struct Certs {
    pub ca: Identity,
    /// "localhost" and 127.0.0.1, issued by the CA.
    pub server: Identity,
    /// "localhost" and 127.0.0.1, self-signed.
    pub self_signed: Identity,
    /// Only "wrong.example", issued by the CA.
    pub wrong_host: Identity,
    /// "localhost" and 127.0.0.1, issued by the CA, expired in 2001.
    pub expired: Identity,
    /// A client certificate issued by the CA.
    pub client: Identity,
}

const LOCAL_NAMES: &[&str] = &["localhost", "127.0.0.1"];

pub fn generate() -> std::io::Result<Certs> {
    let ca_key = KeyPair::generate().map_err(tls_err)?;
    let mut ca_params = CertificateParams::new(Vec::new()).map_err(tls_err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "reqc-test-server CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    set_validity(&mut ca_params, false);
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_err)?;
    let ca = identity(ca_cert, &ca_key);
    let issuer = Issuer::new(ca_params, ca_key);

    Ok(Certs {
        ca,
        server: leaf(LOCAL_NAMES, Some(&issuer), Purpose::Server, false)?,
        self_signed: leaf(LOCAL_NAMES, None, Purpose::Server, false)?,
        wrong_host: leaf(&["wrong.example"], Some(&issuer), Purpose::Server, false)?,
        expired: leaf(LOCAL_NAMES, Some(&issuer), Purpose::Server, true)?,
        client: leaf(&[], Some(&issuer), Purpose::Client, false)?,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Server,
    Client,
}

/// A leaf for `names`, issued by `issuer` (self-signed when None).
fn leaf(
    names: &[&str],
    issuer: Option<&Issuer<'_, KeyPair>>,
    purpose: Purpose,
    expired: bool,
) -> std::io::Result<Identity> {
    let key = KeyPair::generate().map_err(tls_err)?;
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names).map_err(tls_err)?;
    let cn = match purpose {
        Purpose::Server => "reqc-test-server",
        Purpose::Client => "reqc-test-client",
    };
    params.distinguished_name.push(DnType::CommonName, cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![match purpose {
        Purpose::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Purpose::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    set_validity(&mut params, expired);
    let cert = match issuer {
        Some(issuer) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, issuer)
        }
        None => params.self_signed(&key),
    }
    .map_err(tls_err)?;
    Ok(identity(cert, &key))
}

/// Valid from yesterday for ten years, or through the year 2000 when `expired`.
fn set_validity(params: &mut CertificateParams, expired: bool) {
    if expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    } else {
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(3650);
    }
}

fn identity(cert: rcgen::Certificate, key: &KeyPair) -> Identity {
    Identity {
        cert_pem: cert.pem(),
        cert: cert.der().clone(),
        key_der: key.serialize_der(),
        key_pem: key.serialize_pem(),
    }
}
