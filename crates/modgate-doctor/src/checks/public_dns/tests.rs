use super::*;

#[test]
fn servers_come_from_modgate_public_dns_or_the_defaults() {
    let d = servers(&Env::default());
    assert_eq!(
        d,
        vec![
            "8.8.8.8:53".parse::<SocketAddr>().expect("addr"),
            "1.1.1.1:53".parse().expect("addr")
        ]
    );
    let e = Env::default().with("MODGATE_PUBLIC_DNS", "127.0.0.1:5353, [::1]:53,junk");
    assert_eq!(
        servers(&e),
        vec![
            "127.0.0.1:5353".parse::<SocketAddr>().expect("addr"),
            "[::1]:53".parse().expect("addr")
        ]
    );
    assert!(servers(&Env::default().with("MODGATE_PUBLIC_DNS", "off")).is_empty());
}

#[tokio::test]
async fn no_answer_concludes_nothing() {
    // A closed loopback port: an error, not NXDOMAIN.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("port");
    let srv: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let (c, reason) = ask("mods.acme.example.com", &[srv], Duration::from_millis(500)).await;
    assert_eq!(reason, None);
    assert_eq!(c.status, Status::Skip);
}
