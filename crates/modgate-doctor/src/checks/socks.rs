//! Talking through a SOCKS5 proxy as Go does (`net/http/transport.go` with
//! its bundled `socks` client, `socks_bundle.go`): over the TCP connection to
//! the proxy, the greeting offers "no authentication" — plus
//! username/password (RFC 1929) when the proxy URL has userinfo — then a
//! CONNECT for the target's *name* and port. Go treats `socks5://` exactly
//! like `socks5h://`: the proxy resolves the name, so the target's DNS is
//! never consulted here either. Failures carry Go's texts.
//!
//! Written out rather than taken from a crate: the probe needs each step's
//! failure apart (greeting, authentication, CONNECT reply) with Go's exact
//! wording, and the whole exchange is a few fixed-size messages.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::net::{NetFailure, within};
use crate::settings::ProxyUrl;
use crate::stream::BoxIo;

pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(2500);

const VERSION5: u8 = 5;
const AUTH_NONE: u8 = 0;
const AUTH_PASSWORD: u8 = 2;
const AUTH_NO_ACCEPTABLE: u8 = 0xff;
const PASSWORD_VERSION: u8 = 1;
const CMD_CONNECT: u8 = 1;
const ATYP_V4: u8 = 1;
const ATYP_FQDN: u8 = 3;
const ATYP_V6: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocksError {
    /// The first byte of an answer is not 5: not a SOCKS5 server.
    NotSocks5(u8),
    /// The proxy accepts none of the offered methods (it wants credentials
    /// the URL does not carry, or a method Go does not speak).
    NoAcceptableMethods,
    /// The proxy chose a method Go did not offer.
    UnsupportedMethod(u8),
    /// The URL's credentials are empty or over 255 bytes.
    InvalidCredentials,
    /// The username/password sub-negotiation answered with another version.
    BadAuthVersion,
    /// The proxy rejected the username and password.
    AuthFailed,
    /// The CONNECT reply is a failure (the reply code).
    Refused(u8),
    /// The reply's reserved byte is not zero.
    Reserved,
    /// The target name is longer than 255 bytes.
    NameTooLong,
    Timeout,
    Net(NetFailure, String),
}

/// Go's text for a reply code (`socksReply.String`).
pub fn reply_text(code: u8) -> String {
    match code {
        0 => "succeeded".into(),
        1 => "general SOCKS server failure".into(),
        2 => "connection not allowed by ruleset".into(),
        3 => "network unreachable".into(),
        4 => "host unreachable".into(),
        5 => "connection refused".into(),
        6 => "TTL expired".into(),
        7 => "command not supported".into(),
        8 => "address type not supported".into(),
        n => format!("unknown code: {n}"),
    }
}

impl SocksError {
    /// Go's error text (after `socks connect tcp <proxy>-><target>: `).
    pub fn go_text(&self) -> String {
        match self {
            SocksError::NotSocks5(v) => format!("unexpected protocol version {v}"),
            SocksError::NoAcceptableMethods => "no acceptable authentication methods".into(),
            SocksError::UnsupportedMethod(m) => format!("unsupported authentication method {m}"),
            SocksError::InvalidCredentials => "invalid username/password".into(),
            SocksError::BadAuthVersion => "invalid username/password version".into(),
            SocksError::AuthFailed => "username/password authentication failed".into(),
            SocksError::Refused(c) => format!("unknown error {}", reply_text(*c)),
            SocksError::Reserved => "non-zero reserved field".into(),
            SocksError::NameTooLong => "FQDN too long".into(),
            SocksError::Timeout => "i/o timeout".into(),
            SocksError::Net(f, _) => f.go_text().into(),
        }
    }

    /// A readable description with the detail Go leaves out.
    pub fn describe(&self) -> String {
        match self {
            SocksError::Timeout => "no answer from the SOCKS5 proxy (i/o timeout)".into(),
            SocksError::Net(f, m) => format!("{} ({m})", f.go_text()),
            SocksError::Refused(c) => format!("CONNECT refused: reply {c}, {}", reply_text(*c)),
            e => e.go_text(),
        }
    }
}

fn net_err(e: std::io::Error) -> SocksError {
    let f = NetFailure::classify(&e);
    // A peer that closes mid-answer: Go's io.ReadFull says "EOF" / "unexpected EOF".
    SocksError::Net(f, e.to_string())
}

/// Opens a tunnel to `host:port` through the SOCKS5 proxy `proxy` over `io`
/// (a TCP connection to the proxy).
pub async fn connect(
    mut io: BoxIo,
    host: &str,
    port: u16,
    proxy: &ProxyUrl,
    timeout: Duration,
) -> (Result<BoxIo, SocksError>, Duration) {
    let start = Instant::now();
    let fut = async {
        handshake(&mut io, host, port, proxy).await?;
        Ok::<_, SocksError>(())
    };
    let res = match within(timeout, fut).await {
        Ok(Ok(())) => Ok(io),
        Ok(Err(e)) => Err(e),
        Err(()) => Err(SocksError::Timeout),
    };
    (res, start.elapsed())
}

async fn handshake(
    io: &mut BoxIo,
    host: &str,
    port: u16,
    proxy: &ProxyUrl,
) -> Result<(), SocksError> {
    // Greeting: Go offers "none" alone, or "none" and username/password.
    let greeting: &[u8] = if proxy.user.is_some() {
        &[VERSION5, 2, AUTH_NONE, AUTH_PASSWORD]
    } else {
        &[VERSION5, 1, AUTH_NONE]
    };
    io.write_all(greeting).await.map_err(net_err)?;
    let mut b = [0u8; 2];
    io.read_exact(&mut b).await.map_err(net_err)?;
    if b[0] != VERSION5 {
        return Err(SocksError::NotSocks5(b[0]));
    }
    match (b[1], &proxy.user) {
        (AUTH_NO_ACCEPTABLE, _) => return Err(SocksError::NoAcceptableMethods),
        (AUTH_NONE, _) => {}
        (AUTH_PASSWORD, Some((user, pass))) => {
            if user.is_empty() || user.len() > 255 || pass.len() > 255 {
                return Err(SocksError::InvalidCredentials);
            }
            let mut m = vec![PASSWORD_VERSION, user.len() as u8];
            m.extend_from_slice(user.as_bytes());
            m.push(pass.len() as u8);
            m.extend_from_slice(pass.as_bytes());
            io.write_all(&m).await.map_err(net_err)?;
            io.read_exact(&mut b).await.map_err(net_err)?;
            if b[0] != PASSWORD_VERSION {
                return Err(SocksError::BadAuthVersion);
            }
            if b[1] != 0 {
                return Err(SocksError::AuthFailed);
            }
        }
        (m, _) => return Err(SocksError::UnsupportedMethod(m)),
    }
    // CONNECT: an IP literal as an address, anything else as a name.
    let mut req = vec![VERSION5, CMD_CONNECT, 0];
    match crate::net::parse_ip(host) {
        Some(std::net::IpAddr::V4(a)) => {
            req.push(ATYP_V4);
            req.extend_from_slice(&a.octets());
        }
        Some(std::net::IpAddr::V6(a)) => {
            req.push(ATYP_V6);
            req.extend_from_slice(&a.octets());
        }
        None => {
            if host.len() > 255 {
                return Err(SocksError::NameTooLong);
            }
            req.push(ATYP_FQDN);
            req.push(host.len() as u8);
            req.extend_from_slice(host.as_bytes());
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    io.write_all(&req).await.map_err(net_err)?;
    let mut head = [0u8; 4];
    io.read_exact(&mut head).await.map_err(net_err)?;
    if head[0] != VERSION5 {
        return Err(SocksError::NotSocks5(head[0]));
    }
    if head[1] != 0 {
        return Err(SocksError::Refused(head[1]));
    }
    if head[2] != 0 {
        return Err(SocksError::Reserved);
    }
    // The bound address, read and dropped so the tunnel starts clean.
    let len = match head[3] {
        ATYP_V4 => 4,
        ATYP_V6 => 16,
        ATYP_FQDN => {
            let mut l = [0u8; 1];
            io.read_exact(&mut l).await.map_err(net_err)?;
            usize::from(l[0])
        }
        t => {
            return Err(SocksError::Net(
                NetFailure::Other,
                format!("unknown address type {t}"),
            ));
        }
    };
    let mut rest = vec![0u8; len + 2];
    io.read_exact(&mut rest).await.map_err(net_err)?;
    Ok(())
}

#[cfg(test)]
mod tests;
