//! A TLS front for tests that need the go command to send credentials (it sends
//! `.netrc`/GOAUTH credentials only over HTTPS): terminates TLS on 127.0.0.1 with a
//! fresh self-signed certificate and relays the bytes to a plain-HTTP server.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// A TLS front on 127.0.0.1 relaying to `backend`, with a fresh self-signed
/// certificate written to `ca` (for go's SSL_CERT_FILE).
pub fn tls_front(backend: SocketAddr, ca: &Path) -> SocketAddr {
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(ca, cert.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    super::serve_in_thread(move |listener| async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let Ok(mut up) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    })
    .0
}
