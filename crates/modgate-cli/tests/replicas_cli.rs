//! Real `modgate serve` processes as replicas over one data directory and one
//! redis-server (started by modgate-testkit), the upstream a counting fixture
//! server that holds zips back: the replica fetching a file is SIGKILLed mid-fetch,
//! and every client of the other replicas still gets the right bytes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use modgate_testkit::redis::Redis;
use modgate_testkit::upstream::Counting;

use common::http_get as get;

fn publish(root: &Path, i: usize) {
    let path = format!("example.com/r{i}");
    let src = root.join("src").join(i.to_string());
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("r.go"), format!("package r{i}\n")).unwrap();
    common::publish_version(
        &root.join("tree"),
        &path,
        "v1.0.0",
        &src,
        &format!("module {path}\n"),
        "2026-01-02T03:04:05Z",
    );
}

#[test]
fn a_replica_killed_mid_fetch_is_replaced_and_no_other_client_fails() {
    let Some(redis) = Redis::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        publish(dir.path(), i);
    }
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    upstream.delay(Some((".zip", Duration::from_secs(3))));
    let data = dir.path().join("data");
    let args = [
        "--upstream",
        &upstream.url(),
        "--sumdb",
        "off",
        "--vulndb",
        "off",
        "--coordination",
        &redis.url(),
        "--lease-ttl",
        "2s",
    ];
    let mut replicas: Vec<_> = (0..3)
        .map(|_| {
            let (s, err) = common::serve(&data, &args, "info");
            common::drain(err);
            s
        })
        .collect();
    let zip = "/example.com/r0/@v/v1.0.0.zip";
    let want = std::fs::read(tree.join(zip.trim_start_matches('/'))).unwrap();

    // Replica 0 takes the lease and starts the (held back) fetch.
    let leader = replicas[0].addr.clone();
    let doomed = std::thread::spawn(move || get(&leader, zip));
    let deadline = Instant::now() + Duration::from_secs(10);
    while upstream.hits(zip) == 0 {
        assert!(Instant::now() < deadline, "the first fetch never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Clients of the other replicas wait on it...
    let started = Instant::now();
    let clients: Vec<_> = (0..10)
        .map(|c| {
            let addr = replicas[1 + c % 2].addr.clone();
            std::thread::spawn(move || get(&addr, zip))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // ...when the leader dies.
    replicas[0].child.kill().unwrap();
    replicas[0].child.wait().unwrap();
    assert!(
        doomed.join().unwrap().is_err(),
        "the killed replica's own client fails"
    );

    for c in clients {
        let (status, body) = c.join().unwrap().expect("a client of a live replica");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert!(body == want, "the right bytes");
    }
    let took = started.elapsed();
    eprintln!(
        "measured: the 10 clients of the survivors answered {took:?} after asking (kill at 0.5 s, lease_ttl 2 s, upstream holds zips 3 s)"
    );
    // The lease expires within 2 s of the kill, the new fetch takes 3 s.
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert_eq!(
        upstream.hits(zip),
        2,
        "the killed fetch and the one that replaced it"
    );

    // The survivors keep coordinating: other cold files are fetched once between them.
    let others: Vec<_> = (1..3)
        .flat_map(|i| {
            ["info", "mod", "zip"].map(move |ext| format!("/example.com/r{i}/@v/v1.0.0.{ext}"))
        })
        .collect();
    let threads: Vec<_> = others
        .iter()
        .flat_map(|p| {
            (0..4).map(|c| {
                let (addr, p) = (replicas[1 + c % 2].addr.clone(), p.clone());
                std::thread::spawn(move || get(&addr, &p))
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap().0, 200);
    }
    for p in &others {
        assert_eq!(upstream.hits(p), 1, "{p}");
    }
    let (_, metrics) = get(&replicas[1].addr, "/metrics").unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(metrics.contains("modgate_coordination_up 1"), "{metrics}");
}

/// `modgate_coordination_up` of the replica at `addr`, once it settles (pinged every 2 s).
fn coordination_up(addr: &str, want: u8) -> bool {
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let (_, body) = get(addr, "/metrics").unwrap();
        if String::from_utf8_lossy(&body).contains(&format!("modgate_coordination_up {want}")) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn rediss_connects_with_tls_and_refuses_an_unknown_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (cert_file, key_file) = (dir.path().join("redis.crt"), dir.path().join("redis.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let Some(redis) = Redis::start_tls(&cert_file, &key_file) else {
        return;
    };
    let data = dir.path().join("data");
    let args = ["--offline", "--coordination", &redis.url()];
    // Trusted through SSL_CERT_FILE (the system roots otherwise).
    let trusted = {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"));
        cmd.env("SSL_CERT_FILE", &cert_file);
        common::serve_with(cmd, &data, &args, "info")
    };
    common::drain(trusted.1);
    assert!(
        coordination_up(&trusted.0.addr, 1),
        "TLS to Redis with a trusted certificate"
    );
    // Without it the certificate's issuer is unknown: refused, said, and served on.
    let (untrusted, mut err) = common::serve(&data, &args, "info");
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut line = String::new();
    loop {
        assert!(Instant::now() < deadline, "no TLS refusal logged");
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut err, &mut line).unwrap() > 0,
            "serve exited"
        );
        if line.contains("Redis unreachable") {
            assert!(line.contains("UnknownIssuer"), "{line}");
            break;
        }
    }
    common::drain(err);
    assert!(coordination_up(&untrusted.addr, 0));
    assert_eq!(
        get(&untrusted.addr, "/readyz").unwrap().0,
        200,
        "ready without Redis"
    );
}
