//! TLS client settings (rustls with the `ring` provider, TLS 1.2 and 1.3) for the upstream sync
//! (`https://` upstreams, `docs/SERVER.md` §13) and for PostgreSQL (`sslmode`, `docs/SERVER.md` §2).
//!
//! Roots are either the operating system's (loaded once per process) or a pinned CA file: when a
//! CA file is given, only its certificates are trusted.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The crypto provider of every TLS connection: rustls' `ring` provider.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())))
}

/// Reads the root certificates of a PEM file (one or more `CERTIFICATE` blocks). Only these are
/// trusted by a connection made with them.
pub fn load_ca_file(path: &Path) -> Result<RootCertStore, String> {
    let what = path.display();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read the CA file {what}: {e}"))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the CA file {what} is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!("the CA file {what} holds no CERTIFICATE block"));
    }
    let mut roots = RootCertStore::empty();
    for c in certs {
        roots.add(c).map_err(|e| format!("the CA file {what} holds a certificate that is not a usable root: {e}"))?;
    }
    Ok(roots)
}

/// The operating system's root certificates (`SSL_CERT_FILE`/`SSL_CERT_DIR` are honoured),
/// loaded once per process. Problems are logged; an empty store makes every verified
/// connection fail with an unknown-issuer error.
pub fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    Arc::clone(ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            tracing::warn!(error = %e, "a system root certificate could not be loaded");
        }
        let mut roots = RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!(
                ignored,
                "no system root certificates found: TLS connections verified against system roots will fail"
            );
        }
        Arc::new(roots)
    }))
}

/// The roots a connection trusts.
#[derive(Debug, Clone)]
pub enum Roots {
    /// The operating system's.
    System,
    /// Only these (a pinned CA file).
    Pinned(Arc<RootCertStore>),
}

impl Roots {
    /// The system roots, or only the certificates of `ca_file` when given.
    pub fn from_ca_file(ca_file: Option<&Path>) -> Result<Roots, String> {
        match ca_file {
            Some(p) => Ok(Roots::Pinned(Arc::new(load_ca_file(p)?))),
            None => Ok(Roots::System),
        }
    }

    fn store(&self) -> Arc<RootCertStore> {
        match self {
            Roots::System => system_roots(),
            Roots::Pinned(r) => Arc::clone(r),
        }
    }
}

/// How the server's certificate is checked.
#[derive(Debug, Clone)]
pub enum Verify {
    /// Chain to the roots and the host name (`https://`, PostgreSQL `verify-full`).
    Full(Roots),
    /// Chain to the roots, any host name (PostgreSQL `verify-ca`).
    ChainOnly(Roots),
    /// Not at all: encryption against passive eavesdropping only (PostgreSQL `prefer` and
    /// `require` without a root certificate, as libpq does). The handshake signatures are still
    /// checked.
    Nothing,
}

fn builder() -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>, String> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))
}

fn webpki(roots: &Roots) -> Result<Arc<WebPkiServerVerifier>, String> {
    WebPkiServerVerifier::builder_with_provider(roots.store(), provider())
        .build()
        .map_err(|e| format!("TLS set-up: {e}"))
}

/// A client configuration that checks the server's certificate as `verify` says.
pub fn client_config(verify: &Verify) -> Result<ClientConfig, String> {
    let config = match verify {
        Verify::Full(roots) => builder()?.with_webpki_verifier(webpki(roots)?).with_no_client_auth(),
        Verify::ChainOnly(roots) => builder()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki(roots)?)))
            .with_no_client_auth(),
        Verify::Nothing => builder()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateCheck(
                provider().signature_verification_algorithms,
            )))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// Verifies the chain to the roots, but not the host name (libpq's `verify-ca`). rustls checks
/// the name last, after the chain, so a name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Accepts any certificate (libpq's `prefer` and `require`), still checking that the server
/// holds the key of the certificate it sent.
#[derive(Debug)]
struct NoCertificateCheck(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
