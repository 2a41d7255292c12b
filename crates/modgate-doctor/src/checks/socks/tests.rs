//! The SOCKS5 client against a real SOCKS5 server, microsocks (Debian's
//! `microsocks`, installed by scripts/lib/ensure-lab.sh), on loopback.

use std::process::{Child, Command, Stdio};

use tokio::net::{TcpListener, TcpStream};

use super::*;

/// A microsocks process on a loopback port, killed on drop.
struct Microsocks {
    child: Child,
    port: u16,
}

impl Drop for Microsocks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts microsocks (with `-u user -P pass` when `auth` is given), or says
/// why not; MODGATE_REQUIRE_LAB=1 makes a missing microsocks a failure.
fn microsocks(auth: Option<(&str, &str)>) -> Option<Microsocks> {
    let port = free_port();
    let mut cmd = Command::new("microsocks");
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((u, p)) = auth {
        cmd.args(["-u", u, "-P", p]);
    }
    let child = match cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("MODGATE_REQUIRE_LAB").as_deref() != Ok("1"),
                "microsocks required (MODGATE_REQUIRE_LAB=1): {e}"
            );
            eprintln!(
                "skipping: microsocks not available ({e}); scripts/lib/ensure-lab.sh installs it"
            );
            return None;
        }
    };
    let m = Microsocks { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(m);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("microsocks did not start listening on {port}");
}

fn proxy_url(port: u16, user: Option<(&str, &str)>) -> ProxyUrl {
    ProxyUrl {
        scheme: "socks5".into(),
        host: "127.0.0.1".into(),
        port,
        user: user.map(|(u, p)| (u.to_string(), p.to_string())),
    }
}

async fn through(
    m: &Microsocks,
    user: Option<(&str, &str)>,
    host: &str,
    port: u16,
) -> Result<BoxIo, SocksError> {
    let tcp = TcpStream::connect(("127.0.0.1", m.port))
        .await
        .expect("connect to microsocks");
    connect(
        Box::new(tcp),
        host,
        port,
        &proxy_url(m.port, user),
        Duration::from_secs(5),
    )
    .await
    .0
}

/// A loopback server that answers every connection with "hello".
async fn hello_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.write_all(b"hello").await;
        }
    });
    port
}

async fn read_hello(mut io: BoxIo) -> Vec<u8> {
    let mut buf = [0u8; 5];
    io.read_exact(&mut buf)
        .await
        .expect("read through the tunnel");
    buf.to_vec()
}

#[tokio::test]
async fn tunnels_to_a_name_and_to_an_address() {
    let Some(m) = microsocks(None) else { return };
    let port = hello_server().await;
    // The name goes to the proxy, which resolves it (Go sends names).
    let io = through(&m, None, "localhost", port).await.expect("tunnel");
    assert_eq!(read_hello(io).await, b"hello");
    let io = through(&m, None, "127.0.0.1", port).await.expect("tunnel");
    assert_eq!(read_hello(io).await, b"hello");
}

#[tokio::test]
async fn authenticates_with_the_url_credentials() {
    let Some(m) = microsocks(Some(("gopher", "s3cret"))) else {
        return;
    };
    let port = hello_server().await;
    let io = through(&m, Some(("gopher", "s3cret")), "127.0.0.1", port)
        .await
        .expect("tunnel");
    assert_eq!(read_hello(io).await, b"hello");
    // Wrong password: the sub-negotiation fails.
    let e = through(&m, Some(("gopher", "wrong")), "127.0.0.1", port)
        .await
        .err()
        .expect("refused");
    assert_eq!(e, SocksError::AuthFailed);
    assert_eq!(e.go_text(), "username/password authentication failed");
    // No credentials in the URL: only "none" is offered, which it refuses.
    let e = through(&m, None, "127.0.0.1", port)
        .await
        .err()
        .expect("refused");
    assert_eq!(e, SocksError::NoAcceptableMethods);
    assert_eq!(e.go_text(), "no acceptable authentication methods");
}

#[tokio::test]
async fn a_refused_connect_carries_the_reply_code() {
    let Some(m) = microsocks(None) else { return };
    let e = through(&m, None, "127.0.0.1", free_port())
        .await
        .err()
        .expect("refused");
    assert_eq!(e, SocksError::Refused(5));
    assert_eq!(e.go_text(), "unknown error connection refused");
}

#[tokio::test]
async fn an_http_server_is_not_a_socks5_server() {
    // Something that is not SOCKS5 at all: a TCP server that answers like
    // an HTTP server does to bytes it cannot parse.
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let mut b = [0u8; 16];
            let _ = s.read(&mut b).await;
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (res, _) = connect(
        Box::new(tcp),
        "example.com",
        443,
        &proxy_url(port, None),
        Duration::from_secs(5),
    )
    .await;
    let e = res.err().expect("not socks");
    assert_eq!(e, SocksError::NotSocks5(b'H'));
    assert_eq!(e.go_text(), "unexpected protocol version 72");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let _held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (res, took) = connect(
        Box::new(tcp),
        "example.com",
        443,
        &proxy_url(port, None),
        Duration::from_millis(200),
    )
    .await;
    assert_eq!(res.err(), Some(SocksError::Timeout));
    assert!(took < Duration::from_secs(2), "{took:?}");
}
