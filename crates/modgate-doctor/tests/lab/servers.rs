//! The lab's servers, each a small async task bound inside the server
//! namespace: a DNS server with per-name, per-family behaviour, a silent UDP
//! port, HTTP(S) servers driven by a handler, a server that resets after the
//! ClientHello, one that accepts and never answers, and an HTTP proxy that
//! demands credentials, refuses tunnels, or tunnels.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// What the DNS server does for one name and family.
#[derive(Clone, Debug)]
pub enum Rule {
    Addrs(Vec<IpAddr>),
    NoData,
    Nx,
    ServFail,
    Silent,
}

/// name → (A rule, AAAA rule); names not listed get NXDOMAIN.
pub type Zone = HashMap<String, (Rule, Rule)>;

pub fn zone(entries: &[(&str, Rule, Rule)]) -> Zone {
    entries
        .iter()
        .map(|(n, a, aaaa)| {
            (
                n.trim_end_matches('.').to_ascii_lowercase(),
                (a.clone(), aaaa.clone()),
            )
        })
        .collect()
}

/// A records only.
pub fn a(ips: &[IpAddr]) -> (Rule, Rule) {
    (Rule::Addrs(ips.to_vec()), Rule::NoData)
}

pub async fn dns(addr: SocketAddr, zone: Zone) {
    let sock = UdpSocket::bind(addr).await.expect("bind dns");
    let mut buf = vec![0u8; 2048];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let Ok(req) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        let Some(q) = req.queries.first().cloned() else {
            continue;
        };
        let name = q
            .name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let rule = match zone.get(&name) {
            None => Rule::Nx,
            Some((a, aaaa)) => match q.query_type() {
                RecordType::A => a.clone(),
                RecordType::AAAA => aaaa.clone(),
                _ => Rule::NoData,
            },
        };
        let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
        resp.metadata.message_type = MessageType::Response;
        resp.metadata.recursion_desired = true;
        resp.metadata.recursion_available = true;
        resp.add_query(q.clone());
        match rule {
            Rule::Silent => continue,
            Rule::Nx => resp.metadata.response_code = ResponseCode::NXDomain,
            Rule::ServFail => resp.metadata.response_code = ResponseCode::ServFail,
            Rule::NoData => {}
            Rule::Addrs(ips) => {
                for ip in ips {
                    let rdata = match ip {
                        IpAddr::V4(v4) => RData::A(A(v4)),
                        IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
                    };
                    if rdata.record_type() == q.query_type() {
                        resp.add_answer(Record::from_rdata(q.name().clone(), 60, rdata));
                    }
                }
            }
        }
        if let Ok(bytes) = resp.to_vec() {
            let _ = sock.send_to(&bytes, peer).await;
        }
    }
}

/// Binds a UDP port and never answers.
pub async fn silent_udp(addr: SocketAddr) {
    let sock = UdpSocket::bind(addr).await.expect("bind");
    let mut buf = [0u8; 2048];
    loop {
        let _ = sock.recv_from(&mut buf).await;
    }
}

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: HashMap<String, String>,
}

pub struct Resp {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(
        status: u16,
        reason: &'static str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> Resp {
        Resp {
            status,
            reason,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn text(body: &str) -> Resp {
        Resp::new(200, "OK", "text/plain; charset=utf-8", body)
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<Req> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut b).await.ok()? == 0 || head.len() > 65536 {
            return None;
        }
        if head.is_empty() && !b[0].is_ascii_uppercase() {
            return None; // not an HTTP request
        }
        head.push(b[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let first = lines.next()?;
    let mut parts = first.split(' ');
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Req {
        method,
        target,
        headers,
    })
}

async fn write_resp<S: AsyncWrite + Unpin>(s: &mut S, r: Resp) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        r.reason,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(&r.body).await;
    let _ = s.flush().await;
}

async fn serve_conn<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, handler: Handler) {
    match read_head(&mut s).await {
        Some(req) => {
            let resp = handler(&req);
            write_resp(&mut s, resp).await;
        }
        // Like Go's and most servers: garbage gets a 400.
        None => {
            let _ = s.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n").await;
        }
    }
    let _ = s.shutdown().await;
}

/// An HTTPS server.
pub async fn https(addr: SocketAddr, cfg: Arc<rustls::ServerConfig>, handler: Handler) {
    let l = TcpListener::bind(addr).await.expect("bind https");
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    loop {
        let Ok((s, _)) = l.accept().await else {
            continue;
        };
        let (acceptor, handler) = (acceptor.clone(), handler.clone());
        tokio::task::spawn_local(async move {
            if let Ok(tls) = acceptor.accept(s).await {
                serve_conn(tls, handler).await;
            }
        });
    }
}

/// A plain HTTP server.
pub async fn http(addr: SocketAddr, handler: Handler) {
    let l = TcpListener::bind(addr).await.expect("bind http");
    loop {
        let Ok((s, _)) = l.accept().await else {
            continue;
        };
        tokio::task::spawn_local(serve_conn(s, handler.clone()));
    }
}

/// Accepts, reads the ClientHello, then resets the connection.
pub async fn reset_after_hello(addr: SocketAddr) {
    let l = TcpListener::bind(addr).await.expect("bind");
    loop {
        let Ok((mut s, _)) = l.accept().await else {
            continue;
        };
        tokio::task::spawn_local(async move {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.set_zero_linger();
            drop(s); // RST because of SO_LINGER 0
        });
    }
}

/// Accepts and never answers.
pub async fn hang(addr: SocketAddr) {
    let l = TcpListener::bind(addr).await.expect("bind");
    let mut held = Vec::new();
    loop {
        if let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    }
}

#[derive(Clone)]
pub enum ProxyMode {
    /// 407 unless `Proxy-Authorization` equals this value.
    Auth(String),
    /// Refuse every CONNECT with this status.
    Refuse(u16, &'static str),
    /// Tunnel everything.
    Open,
}

/// An HTTP proxy (CONNECT only), resolving target names through `names`
/// (the lab's hosts are not in any system resolver).
pub async fn proxy(addr: SocketAddr, mode: ProxyMode, names: HashMap<String, IpAddr>) {
    let names = Rc::new(names);
    let l = TcpListener::bind(addr).await.expect("bind proxy");
    let mode = Rc::new(mode);
    loop {
        let Ok((mut s, _)) = l.accept().await else {
            continue;
        };
        let (mode, names) = (mode.clone(), names.clone());
        tokio::task::spawn_local(async move {
            let Some(req) = read_head(&mut s).await else {
                // Not HTTP (a TLS ClientHello, say): answer as real proxies do.
                let _ = s
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    .await;
                return;
            };
            let authorized = match &*mode {
                ProxyMode::Auth(want) => req.headers.get("proxy-authorization") == Some(want),
                _ => true,
            };
            if !authorized {
                write_resp(
                    &mut s,
                    Resp::new(407, "Proxy Authentication Required", "text/plain", "auth")
                        .header("Proxy-Authenticate", "Basic realm=\"lab\""),
                )
                .await;
                return;
            }
            if let ProxyMode::Refuse(code, reason) = &*mode {
                write_resp(&mut s, Resp::new(*code, reason, "text/plain", "no")).await;
                return;
            }
            if req.method != "CONNECT" {
                write_resp(
                    &mut s,
                    Resp::new(405, "Method Not Allowed", "text/plain", ""),
                )
                .await;
                return;
            }
            let target = match req.target.rsplit_once(':') {
                Some((h, p)) => match (names.get(h), p.parse::<u16>()) {
                    (Some(ip), Ok(port)) => SocketAddr::new(*ip, port),
                    _ => {
                        write_resp(&mut s, Resp::new(502, "Bad Gateway", "text/plain", "")).await;
                        return;
                    }
                },
                None => return,
            };
            match TcpStream::connect(target).await {
                Ok(mut up) => {
                    let _ = s
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await;
                    let _ = tokio::io::copy_bidirectional(&mut s, &mut up).await;
                }
                Err(_) => write_resp(&mut s, Resp::new(502, "Bad Gateway", "text/plain", "")).await,
            }
        });
    }
}

/// A module proxy handler: `@v/list` answers `v1.0.0`, sumdb not served.
pub fn module_proxy() -> Handler {
    Arc::new(|r: &Req| {
        if r.target.ends_with("/@v/list") {
            Resp::text("v1.0.0\nv1.1.0\n")
        } else {
            Resp::new(404, "Not Found", "text/plain; charset=utf-8", "not found")
        }
    })
}

/// A module proxy that also serves the checksum database.
pub fn module_proxy_with_sumdb() -> Handler {
    Arc::new(|r: &Req| {
        if r.target.ends_with("/@v/list") || r.target.ends_with("/supported") {
            Resp::text("v1.0.0\n")
        } else {
            Resp::new(404, "Not Found", "text/plain; charset=utf-8", "not found")
        }
    })
}

/// A checksum database: the core's in-memory database (really signed tree
/// notes, tiles and lookups) behind HTTP.
pub fn sumdb(db: Arc<modgate_core::sumdb::memdb::MemDb>) -> Handler {
    use modgate_core::sumdb::memdb::Outcome;
    Arc::new(move |r: &Req| match db.serve(&r.target) {
        Outcome::Ok { content_type, body } => Resp::new(200, "OK", content_type, body),
        Outcome::NotFound(m) => Resp::new(404, "Not Found", "text/plain", m),
        Outcome::BadRequest(m) => Resp::new(400, "Bad Request", "text/plain", m),
        Outcome::ServerError(m) => Resp::new(500, "Internal Server Error", "text/plain", m),
    })
}

/// A checksum database named `name` signed by the key derived from `seed`:
/// the database and the verifier key to put in GOSUMDB.
pub fn signed_sumdb(name: &str, seed: u8) -> (Arc<modgate_core::sumdb::memdb::MemDb>, String) {
    let (skey, vkey) = modgate_core::sumdb::note::generate_key(name, &[seed; 32]);
    let db = modgate_core::sumdb::memdb::MemDb::from_signer_key(&skey).expect("signer key");
    (Arc::new(db), vkey)
}

pub fn sa(ip: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(ip, port)
}

/// A git smart-HTTP host: `?go-get=1` pages for `<host>/<path>`, and
/// `git http-backend` (CGI) for `/<path>.git/...`, which requires Basic
/// credentials equal to `auth` (401 otherwise, like a private forge).
pub fn git_host(
    host: &'static str,
    project_root: std::path::PathBuf,
    auth: &'static str,
) -> Handler {
    Arc::new(move |r: &Req| {
        let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
        if query == "go-get=1" {
            let module = format!("{host}{path}");
            return Resp::new(
                200,
                "OK",
                "text/html; charset=utf-8",
                format!(
                    "<html><head><meta name=\"go-import\" content=\"{module} git https://{module}.git\"></head></html>"
                ),
            );
        }
        if r.headers.get("authorization").map(String::as_str) != Some(auth) {
            return Resp::new(401, "Unauthorized", "text/plain", "auth required")
                .header("WWW-Authenticate", "Basic realm=\"lab\"");
        }
        let cgi = modgate_testkit::git::http::backend(
            &project_root,
            &modgate_testkit::git::http::CgiRequest {
                method: &r.method,
                path_info: path,
                query,
                ..Default::default()
            },
        );
        let Ok(cgi) = cgi else {
            return Resp::new(
                500,
                "Internal Server Error",
                "text/plain",
                "git http-backend failed",
            );
        };
        Resp {
            status: cgi.status,
            reason: if cgi.status == 200 { "OK" } else { "CGI" },
            headers: cgi.headers,
            body: cgi.body,
        }
    })
}
