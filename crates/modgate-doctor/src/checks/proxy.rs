//! Talking through the HTTP proxy Go would use (`net/http/transport.go`):
//! for `https` targets a `CONNECT host:port` request, with
//! `Proxy-Authorization: Basic ...` when the proxy URL carries credentials;
//! a `407` means the proxy wants credentials, any other non-200 means it
//! refuses the tunnel. An `https://` proxy gets TLS first (Go does that too),
//! which fails with "first record does not look like a TLS handshake" when the
//! proxy actually speaks plain HTTP.

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::net::{NetFailure, within};
use crate::settings::ProxyUrl;
use crate::stream::BoxIo;

pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(2500);

/// `Basic base64(user:pass)` for the proxy's userinfo.
pub fn proxy_auth(p: &ProxyUrl) -> Option<String> {
    p.user.as_ref().map(|(u, pw)| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{pw}"))
        )
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelError {
    /// 407 Proxy Authentication Required (with the Proxy-Authenticate value).
    AuthRequired(String),
    /// Another status: the proxy refuses the tunnel.
    Refused(u16, String),
    Timeout,
    Net(NetFailure, String),
    /// The answer was not HTTP.
    Garbage(String),
}

impl TunnelError {
    pub fn describe(&self) -> String {
        match self {
            TunnelError::AuthRequired(a) => format!(
                "407 Proxy Authentication Required{}",
                if a.is_empty() {
                    String::new()
                } else {
                    format!(" ({a})")
                }
            ),
            TunnelError::Refused(c, r) => format!("{c} {r}"),
            TunnelError::Timeout => "no answer to CONNECT".into(),
            TunnelError::Net(f, m) => format!("{} ({m})", f.go_text()),
            TunnelError::Garbage(m) => m.clone(),
        }
    }
}

/// Opens a CONNECT tunnel to `target` (`host:port`) over `io`.
pub async fn connect(
    mut io: BoxIo,
    target: &str,
    proxy: &ProxyUrl,
    timeout: Duration,
) -> (Result<BoxIo, TunnelError>, Duration) {
    let start = Instant::now();
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(a) = proxy_auth(proxy) {
        req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    let fut = async {
        io.write_all(req.as_bytes())
            .await
            .map_err(|e| TunnelError::Net(NetFailure::classify(&e), e.to_string()))?;
        let head = read_head(&mut io).await?;
        let (code, reason, headers) = parse_head(&head)?;
        match code {
            200..=299 => Ok(()),
            407 => Err(TunnelError::AuthRequired(
                header(&headers, "proxy-authenticate").unwrap_or_default(),
            )),
            _ => Err(TunnelError::Refused(code, reason)),
        }
    };
    let res = match within(timeout, fut).await {
        Ok(Ok(())) => Ok(io),
        Ok(Err(e)) => Err(e),
        Err(()) => Err(TunnelError::Timeout),
    };
    (res, start.elapsed())
}

/// Reads up to the end of the response head, byte by byte so that nothing
/// of the tunnelled stream is consumed.
async fn read_head(io: &mut BoxIo) -> Result<String, TunnelError> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match io.read(&mut b).await {
            Ok(0) => {
                return Err(TunnelError::Net(
                    NetFailure::Eof,
                    "proxy closed the connection".into(),
                ));
            }
            Ok(_) => head.push(b[0]),
            Err(e) => return Err(TunnelError::Net(NetFailure::classify(&e), e.to_string())),
        }
        if head.len() > 16 * 1024 {
            return Err(TunnelError::Garbage("response head too long".into()));
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

type Head = (u16, String, Vec<(String, String)>);

fn parse_head(head: &str) -> Result<Head, TunnelError> {
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    let mut parts = status.splitn(3, ' ');
    let (proto, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !proto.starts_with("HTTP/") {
        return Err(TunnelError::Garbage(format!(
            "not an HTTP answer: {:?}",
            status.chars().take(60).collect::<String>()
        )));
    }
    let code = code
        .parse::<u16>()
        .map_err(|_| TunnelError::Garbage(format!("bad status line {status:?}")))?;
    let reason = parts.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((code, reason, headers))
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}
