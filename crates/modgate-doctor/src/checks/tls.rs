//! TLS handshakes as Go's client would do them, recorded: chain validation
//! against the roots Go would use ([`roots`]), with the chain kept for the
//! report ([`chain`]) even when validation fails, and two ClientHello sizes:
//! a classic one (X25519/P-256 key shares, a few hundred bytes) and a large
//! post-quantum one (X25519MLKEM768, over 1,200 bytes, like Go 1.24+ sends by
//! default). A middlebox that drops large hellos lets the first through and
//! black-holes the second (peers.md B.1d item 6).

pub mod chain;
pub mod roots;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::net::{NetFailure, within};
use crate::stream::BoxIo;
pub use roots::Roots;

pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_millis(2500);

/// Which ClientHello to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hello {
    /// X25519, P-256, P-384 only.
    Classic,
    /// X25519MLKEM768 first (a ~1.2 KB key share), as Go 1.24+ does.
    PostQuantum,
}

/// Shared TLS state for a run.
#[derive(Debug, Clone)]
pub struct TlsContext {
    pub roots: Arc<Roots>,
    verifier: Option<Arc<WebPkiServerVerifier>>,
    classic: Arc<CryptoProvider>,
    pq: Arc<CryptoProvider>,
}

impl TlsContext {
    pub fn new(roots: Roots) -> TlsContext {
        let base = aws_lc_rs::default_provider();
        let classic = Arc::new(CryptoProvider {
            kx_groups: vec![
                aws_lc_rs::kx_group::X25519,
                aws_lc_rs::kx_group::SECP256R1,
                aws_lc_rs::kx_group::SECP384R1,
            ],
            ..base.clone()
        });
        let pq = Arc::new(CryptoProvider {
            kx_groups: vec![
                aws_lc_rs::kx_group::X25519MLKEM768,
                aws_lc_rs::kx_group::X25519,
                aws_lc_rs::kx_group::SECP256R1,
            ],
            ..base
        });
        let store = Arc::new(roots.store.clone());
        // Building fails only with no roots at all; then every chain is untrusted.
        let verifier = WebPkiServerVerifier::builder_with_provider(store, classic.clone())
            .build()
            .ok();
        TlsContext {
            roots: Arc::new(roots),
            verifier,
            classic,
            pq,
        }
    }

    fn config(&self, hello: Hello, recorder: Arc<Recorder>) -> Result<ClientConfig, rustls::Error> {
        let provider = match hello {
            Hello::Classic => self.classic.clone(),
            Hello::PostQuantum => self.pq.clone(),
        };
        let mut cfg = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_no_client_auth();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

/// A verifier that delegates to webpki but remembers the chain and verdict,
/// and (for GOINSECURE endpoints) accepts whatever it got.
#[derive(Debug)]
struct Recorder {
    inner: Option<Arc<WebPkiServerVerifier>>,
    fallback: Arc<CryptoProvider>,
    accept_any: bool,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default, Clone)]
struct Seen {
    chain: Vec<CertificateDer<'static>>,
    error: Option<rustls::Error>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match &self.inner {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.chain = std::iter::once(end_entity)
                .chain(intermediates.iter())
                .map(|c| c.clone().into_owned())
                .collect();
            seen.error = result.as_ref().err().cloned();
        }
        match result {
            Err(_) if self.accept_any => Ok(ServerCertVerified::assertion()),
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.fallback.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.fallback.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.fallback
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Why a handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFailure {
    /// The certificate did not verify; `CertProblem` says how.
    Cert(CertProblem, String),
    /// No answer in time.
    Timeout,
    /// The connection broke (reset, EOF, ENOTCONN) during the handshake.
    Net(NetFailure, String),
    /// The peer does not speak TLS (e.g. a plain-HTTP server or proxy).
    NotTls(String),
    /// An alert or protocol error.
    Protocol(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertProblem {
    Untrusted,
    Expired,
    Hostname,
}

/// The result of a handshake, successful or not.
pub struct Handshake {
    pub result: Result<TlsStream<BoxIo>, TlsFailure>,
    pub chain: Vec<chain::CertInfo>,
    pub elapsed: Duration,
    pub hello: Hello,
    /// Negotiated key exchange group and protocol, when it worked.
    pub negotiated: Option<String>,
}

/// Runs a handshake over `io` for `server_name`.
pub async fn handshake(
    ctx: &TlsContext,
    io: BoxIo,
    server_name: &str,
    hello: Hello,
    insecure: bool,
    timeout: Duration,
) -> Handshake {
    let start = Instant::now();
    let recorder = Arc::new(Recorder {
        inner: ctx.verifier.clone(),
        fallback: ctx.classic.clone(),
        accept_any: insecure,
        seen: Mutex::new(Seen::default()),
    });
    let name = match ServerName::try_from(server_name.to_string()) {
        Ok(n) => n,
        Err(e) => {
            return Handshake {
                result: Err(TlsFailure::Protocol(format!("invalid server name: {e}"))),
                chain: Vec::new(),
                elapsed: start.elapsed(),
                hello,
                negotiated: None,
            };
        }
    };
    let cfg = match ctx.config(hello, recorder.clone()) {
        Ok(c) => c,
        Err(e) => {
            return Handshake {
                result: Err(TlsFailure::Protocol(e.to_string())),
                chain: Vec::new(),
                elapsed: start.elapsed(),
                hello,
                negotiated: None,
            };
        }
    };
    let connector = TlsConnector::from(Arc::new(cfg));
    let res = within(timeout, connector.connect(name, io)).await;
    let elapsed = start.elapsed();
    let seen = recorder.seen.lock().map(|s| s.clone()).unwrap_or_default();
    let chain = chain::describe(&seen.chain);
    let result = match res {
        Err(()) => Err(TlsFailure::Timeout),
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => Err(classify(&e, seen.error.as_ref())),
    };
    let negotiated = result.as_ref().ok().map(|s| {
        let (_, conn) = s.get_ref();
        format!(
            "{:?}, {:?}",
            conn.protocol_version()
                .map_or("?".to_string(), |v| format!("{v:?}")),
            conn.negotiated_key_exchange_group()
                .map_or("?".to_string(), |g| format!("{:?}", g.name()))
        )
        .replace('"', "")
    });
    Handshake {
        result,
        chain,
        elapsed,
        hello,
        negotiated,
    }
}

fn classify(e: &std::io::Error, cert_err: Option<&rustls::Error>) -> TlsFailure {
    if let Some(err) = cert_err {
        return cert_failure(err);
    }
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return match inner {
            rustls::Error::InvalidCertificate(_) => cert_failure(inner),
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                TlsFailure::NotTls(format!(
                    "tls: first record does not look like a TLS handshake ({inner})"
                ))
            }
            other => TlsFailure::Protocol(format!("tls: {other}")),
        };
    }
    let f = NetFailure::classify(e);
    match f {
        NetFailure::Other if e.kind() == std::io::ErrorKind::InvalidData => TlsFailure::NotTls(
            format!("tls: first record does not look like a TLS handshake ({e})"),
        ),
        _ => TlsFailure::Net(f, e.to_string()),
    }
}

fn cert_failure(err: &rustls::Error) -> TlsFailure {
    let text = err.to_string();
    let problem = match err {
        rustls::Error::InvalidCertificate(ce) => match ce {
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => CertProblem::Expired,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertProblem::Hostname
            }
            _ => CertProblem::Untrusted,
        },
        _ => CertProblem::Untrusted,
    };
    TlsFailure::Cert(problem, text)
}

impl TlsFailure {
    pub fn describe(&self) -> String {
        match self {
            TlsFailure::Cert(_, t) => format!("tls: failed to verify certificate: {t}"),
            TlsFailure::Timeout => "net/http: TLS handshake timeout".into(),
            TlsFailure::Net(f, m) => format!("{} ({m})", f.go_text()),
            TlsFailure::NotTls(m) | TlsFailure::Protocol(m) => m.clone(),
        }
    }
}
