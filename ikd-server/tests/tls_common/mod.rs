//! Helpers for the TLS tests: a test CA made at test time (rcgen), server certificates signed by
//! it, and a local TLS-terminating proxy (tokio-rustls) that forwards the decrypted bytes to a
//! plain TCP backend: an `ikd-server` upstream, or PostgreSQL after the SSLRequest preamble.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, unreachable_pub)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A test certificate authority.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM.
    pub pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let cert = p.self_signed(&key).unwrap();
        TestCa { pem: cert.pem(), issuer: Issuer::new(p, key) }
    }

    /// Writes the CA certificate to `dir/name` and returns the path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, &self.pem).unwrap();
        p
    }

    /// A server certificate (and its key) for the DNS names, plus 127.0.0.1 when `ip`.
    pub fn server_cert(&self, names: &[&str], ip: bool) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        if ip {
            p.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        }
        p.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("server"));
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
    }

    /// A rustls server configuration presenting a certificate for `names`.
    pub fn server_config(&self, names: &[&str], ip: bool) -> Arc<rustls::ServerConfig> {
        let (cert, key) = self.server_cert(names, ip);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .unwrap(),
        )
    }
}

/// What the proxy does before TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preamble {
    /// TLS at once (https).
    None,
    /// PostgreSQL: read the 8-byte SSLRequest, answer `S`, then TLS.
    PostgresAccept,
    /// PostgreSQL: read the 8-byte SSLRequest, answer `N`, then forward in clear.
    PostgresRefuse,
}

/// The PostgreSQL SSLRequest: length 8, code 80877103.
pub const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// A TLS-terminating proxy on 127.0.0.1 forwarding to `backend` in clear.
pub struct TlsProxy {
    pub addr: SocketAddr,
    /// Connections whose TLS handshake completed.
    pub handshakes: Arc<AtomicUsize>,
    /// Connections that began with an SSLRequest.
    pub ssl_requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsProxy {
    pub async fn start(config: Arc<rustls::ServerConfig>, backend: SocketAddr, preamble: Preamble) -> TlsProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let ssl_requests = Arc::new(AtomicUsize::new(0));
        let (h, r) = (Arc::clone(&handshakes), Arc::clone(&ssl_requests));
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { return };
                let (acceptor, h, r) = (acceptor.clone(), Arc::clone(&h), Arc::clone(&r));
                tokio::spawn(async move {
                    if preamble != Preamble::None {
                        let mut first = [0u8; 8];
                        if client.read_exact(&mut first).await.is_err() || first != SSL_REQUEST {
                            return;
                        }
                        r.fetch_add(1, Ordering::SeqCst);
                        if preamble == Preamble::PostgresRefuse {
                            if client.write_all(b"N").await.is_err() {
                                return;
                            }
                            let Ok(mut server) = TcpStream::connect(backend).await else { return };
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            return;
                        }
                        if client.write_all(b"S").await.is_err() {
                            return;
                        }
                    }
                    let Ok(mut tls) = acceptor.accept(client).await else { return };
                    h.fetch_add(1, Ordering::SeqCst);
                    let Ok(mut server) = TcpStream::connect(backend).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        TlsProxy { addr, handshakes, ssl_requests, task }
    }
}
