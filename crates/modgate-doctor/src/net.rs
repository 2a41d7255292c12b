//! Small address helpers shared by the checks: Go's `net.JoinHostPort`, IP
//! literal parsing, the classification of socket errors into finding codes,
//! and the run's deadline.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use crate::finding::Code;

/// Go's `net.JoinHostPort`: brackets around IPv6 literals.
pub fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Parses an IP literal, ignoring an IPv6 zone (`fe80::1%eth0`).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.split('%').next().unwrap_or(s);
    s.parse().ok()
}

/// How a socket operation failed, in the words of the finding codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetFailure {
    Refused,
    Timeout,
    Reset,
    Unreachable,
    /// Connected but the peer closed without answering (Go prints `EOF`).
    Eof,
    /// ENOTCONN: the socket "connected" but cannot carry data.
    NotConnected,
    Other,
}

impl NetFailure {
    pub fn classify(err: &io::Error) -> NetFailure {
        use io::ErrorKind as K;
        match err.kind() {
            K::ConnectionRefused => NetFailure::Refused,
            K::TimedOut => NetFailure::Timeout,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => NetFailure::Reset,
            K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable => {
                NetFailure::Unreachable
            }
            K::PermissionDenied => NetFailure::Unreachable, // EACCES/EPERM: a firewall said no
            K::UnexpectedEof => NetFailure::Eof,
            K::NotConnected => NetFailure::NotConnected,
            _ => NetFailure::Other,
        }
    }

    /// The finding code for a connection that failed this way.
    pub fn code(self) -> Code {
        match self {
            NetFailure::Refused => Code::TcpRefused,
            NetFailure::Timeout => Code::TcpTimeout,
            NetFailure::Unreachable => Code::TcpUnreachable,
            NetFailure::Reset | NetFailure::Eof | NetFailure::NotConnected | NetFailure::Other => {
                Code::TcpReset
            }
        }
    }

    /// Go's text for it, as `go` would print it after `dial tcp ...:`.
    pub fn go_text(self) -> &'static str {
        match self {
            NetFailure::Refused => "connect: connection refused",
            NetFailure::Timeout => "i/o timeout",
            NetFailure::Reset => "read: connection reset by peer",
            NetFailure::Unreachable => "connect: network is unreachable",
            NetFailure::Eof => "EOF",
            NetFailure::NotConnected => "write: transport endpoint is not connected",
            NetFailure::Other => "error",
        }
    }
}

/// The whole run's time budget: every step's timeout is capped so that the
/// doctor finishes on time even when every path is black-holed.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Instant);

impl Deadline {
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now() + d)
    }

    /// `step`, or whatever is left of the budget if that is less.
    pub fn cap(self, step: Duration) -> Duration {
        step.min(self.0.saturating_duration_since(Instant::now()))
    }
}

/// Runs `fut` with a timeout; `Err(())` on timeout.
pub async fn within<T>(d: Duration, fut: impl Future<Output = T>) -> Result<T, ()> {
    tokio::time::timeout(d, fut).await.map_err(|_| ())
}

/// Milliseconds with one decimal, for reports.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
