//! TCP connect to one address, timed, with the local address recorded (a
//! link-local IPv6 source on a tunnel interface is the tell-tale of the macOS
//! "socket is not connected" failure, peers.md B.1c).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{Check, Status};
use crate::net::{NetFailure, within};

pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(2500);

#[derive(Debug)]
pub struct Connected {
    pub stream: TcpStream,
    pub local: Option<SocketAddr>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct ConnectError {
    pub failure: NetFailure,
    pub message: String,
    pub elapsed: Duration,
}

/// Connects to `addr` within `timeout`.
pub async fn connect(addr: SocketAddr, timeout: Duration) -> Result<Connected, ConnectError> {
    let start = Instant::now();
    match within(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Ok(Connected {
                local: stream.local_addr().ok(),
                stream,
                elapsed: start.elapsed(),
            })
        }
        Ok(Err(e)) => Err(ConnectError {
            failure: NetFailure::classify(&e),
            message: e.to_string(),
            elapsed: start.elapsed(),
        }),
        Err(()) => Err(ConnectError {
            failure: NetFailure::Timeout,
            message: format!("no answer within {} ms", timeout.as_millis()),
            elapsed: start.elapsed(),
        }),
    }
}

/// The report line for a connect attempt: `(local address, time)` or the error.
pub fn check(target: &str, res: Result<(Option<SocketAddr>, Duration), &ConnectError>) -> Check {
    match res {
        Ok((local, elapsed)) => Check {
            kind: "tcp",
            target: target.to_string(),
            status: Status::Ok,
            elapsed: Some(elapsed),
            detail: match local {
                Some(l) => format!("connected from {l}"),
                None => "connected".into(),
            },
        },
        Err(e) => Check {
            kind: "tcp",
            target: target.to_string(),
            status: Status::Fail,
            elapsed: Some(e.elapsed),
            detail: format!("{} ({})", e.failure.go_text(), e.message),
        },
    }
}
