//! The HA rig's own checks: a Garage cluster that keeps answering with a node
//! down, and an nginx that spreads requests and steps around a dead upstream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use modgate_testkit::garage::{self, Garage};
use modgate_testkit::nginx::Nginx;

/// One GET over a fresh connection: (status, body).
fn get(url: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// A one-thread HTTP server answering every request with `name`.
fn named_server(name: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(c.try_clone().unwrap());
                // Keep-alive from nginx: answer each request on the connection.
                loop {
                    let mut line = String::new();
                    let mut ended = false;
                    while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                        if line == "\r\n" {
                            ended = true;
                            break;
                        }
                        line.clear();
                    }
                    if !ended {
                        break;
                    }
                    let _ = write!(
                        c,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{name}",
                        name.len()
                    );
                }
            });
        }
    });
    addr
}

#[test]
fn nginx_round_robins_and_steps_around_a_dead_upstream() {
    let a = named_server("a");
    let b = named_server("b");
    // An address nothing listens on: a replica that died.
    let dead = format!("127.0.0.1:{}", modgate_testkit::free_port());
    let Some(lb) = Nginx::start(&[a, b, dead]) else {
        return;
    };
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..30 {
        let (status, body) = get(&lb.url());
        assert_eq!(status, 200, "{}", lb.error_log());
        *seen.entry(body).or_insert(0) += 1;
    }
    eprintln!("measured: 30 requests over a, b and a dead upstream: {seen:?}");
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["a", "b"], "{seen:?}");
    assert!(seen.values().all(|&n| n >= 10), "round robin: {seen:?}");
    assert!(
        lb.error_log().contains("Connection refused"),
        "{}",
        lb.error_log()
    );
}

/// `curl` signing for Garage (SigV4), or None when curl is missing.
fn s3(
    g: &Garage,
    node: usize,
    method: &str,
    key: &str,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"])
        .args(["-X", method])
        .args(["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"])
        .arg("--aws-sigv4")
        .arg(format!("aws:amz:{}:s3", garage::REGION))
        .arg("--user")
        .arg(format!(
            "{}:{}",
            garage::ACCESS_KEY_ID,
            garage::SECRET_ACCESS_KEY
        ));
    if let Some(b) = body {
        cmd.args(["--data-binary", b]);
    }
    cmd.arg(format!("{}/{}/{key}", g.endpoint(node), garage::BUCKET));
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n')?;
    Some((code.parse().ok()?, body.to_owned()))
}

#[test]
fn garage_cluster_serves_with_one_node_down() {
    let Some(mut g) = Garage::start() else {
        return;
    };
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipping: curl not found (needed to sign S3 requests here)");
        return;
    }
    let (status, body) = s3(&g, 0, "PUT", "a/b.txt", Some("hello garage")).unwrap();
    assert_eq!(status, 200, "{body}");
    // Every node serves what one stored.
    for node in 0..3 {
        assert_eq!(
            s3(&g, node, "GET", "a/b.txt", None).unwrap(),
            (200, "hello garage".to_owned()),
            "node {node}"
        );
    }
    // Replication factor 3, quorum 2: with node 2 dead, writes and reads go on.
    g.kill(2);
    assert!(!g.is_up(2));
    g.wait_healthy();
    assert_eq!(
        s3(&g, 1, "PUT", "c.txt", Some("written with a node down"))
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        s3(&g, 0, "GET", "c.txt", None).unwrap(),
        (200, "written with a node down".to_owned())
    );
    assert_eq!(s3(&g, 1, "GET", "a/b.txt", None).unwrap().0, 200);
    // Back, it serves both, including what was written while it was down.
    g.restart(2);
    g.wait_healthy();
    for key in ["a/b.txt", "c.txt"] {
        assert_eq!(s3(&g, 2, "GET", key, None).unwrap().0, 200, "{key}");
    }
    assert_eq!(s3(&g, 0, "GET", "missing", None).unwrap().0, 404);
}
