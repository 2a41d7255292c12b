//! Process-level faults: modgate killed (SIGKILL) in the middle of a download and
//! restarted, and a graceful shutdown that lets an in-flight download finish.
//!
//! The server runs in a child process: this test binary re-executed with
//! `MODGATE_TEST_CHILD_*` set, which makes `child_server` run `modgate_server::run`.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The child: serves until killed when `MODGATE_TEST_CHILD_DATA` is set.
#[test]
fn child_server() {
    let (Ok(data), Ok(upstream), Ok(addr_file)) = (
        std::env::var("MODGATE_TEST_CHILD_DATA"),
        std::env::var("MODGATE_TEST_CHILD_UPSTREAM"),
        std::env::var("MODGATE_TEST_CHILD_ADDR"),
    ) else {
        return;
    };
    let mut spec = ServerSpec::new(&upstream);
    spec.config.data = data.into();
    spec.config.listen = "127.0.0.1:0".into();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(modgate_server::run(
        spec.config,
        std::future::pending(),
        move |addr| {
            std::fs::write(&addr_file, addr.to_string()).unwrap();
        },
    ))
    .unwrap();
}

fn spawn_child(data: &Path, upstream: &str) -> (Child, String) {
    let addr_file = data.with_extension("addr");
    let _ = std::fs::remove_file(&addr_file);
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_server", "--nocapture"])
        .env("MODGATE_TEST_CHILD_DATA", data)
        .env("MODGATE_TEST_CHILD_UPSTREAM", upstream)
        .env("MODGATE_TEST_CHILD_ADDR", &addr_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = child;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(a) = std::fs::read_to_string(&addr_file)
            && !a.is_empty()
        {
            return (child, format!("http://{a}"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child server never started");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn big_fixture() -> Fixture {
    let mut f = Fixture::new();
    let blob = modgate_testkit::noise_text(1_500_000, 42);
    f.add(
        "example.com/big",
        "v1.0.0",
        &[("go.mod", "module example.com/big\n"), ("big.txt", &blob)],
    );
    f
}

#[cfg(unix)]
#[test]
fn killed_mid_download_then_restarted_serves_no_partial_file_and_completes() {
    let fx = big_fixture();
    let zip = std::fs::read(fx.root().join("example.com/big/@v/v1.0.0.zip")).unwrap();
    assert!(zip.len() > 1_000_000);
    let up = FakeUpstream::start(fx.root());
    // About 90 pieces of 16 KiB, 20 ms apart: the download takes ~2 s.
    up.set(Mode::Trickle(Duration::from_millis(20)));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (mut child, url) = spawn_child(&data, &up.url());
    let zip_url = format!("{url}/example.com/big/@v/v1.0.0.zip");
    let client = {
        let u = zip_url.clone();
        std::thread::spawn(move || {
            http()
                .get(u)
                .send()
                .and_then(|r| r.bytes())
                .map(|b| b.len())
        })
    };
    // Wait until part of the zip has reached the staging file, then kill -9.
    let deadline = Instant::now() + Duration::from_secs(10);
    while up.hits("/example.com/big/@v/v1.0.0.zip") == 0 {
        assert!(Instant::now() < deadline, "download never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let staged_bytes = || -> u64 {
        std::fs::read_dir(data.join(".tmp"))
            .map(|d| {
                d.map(|e| e.unwrap().metadata().map(|m| m.len()).unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    };
    while staged_bytes() == 0 {
        assert!(Instant::now() < deadline, "nothing was ever staged");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The client did not get a whole file from the dead server.
    if let Ok(Ok(n)) = client.join() {
        assert_ne!(n, zip.len(), "a complete zip cannot have been served");
    }
    // Nothing partial is visible under the file's name; the partial bytes sit in a
    // hidden staging file, if anywhere.
    assert!(!data.join("example.com/big/@v/v1.0.0.zip").exists());
    let staged = staged_bytes();
    assert!(
        staged > 0 && staged < zip.len() as u64,
        "partial download staged: {staged} bytes"
    );

    // Restart on the same data directory: the download completes and is whole.
    up.set(Mode::Serve);
    let (mut child, url) = spawn_child(&data, &up.url());
    let got = http()
        .get(format!("{url}/example.com/big/@v/v1.0.0.zip"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(got.len(), zip.len());
    assert!(got[..] == zip[..], "served zip differs from the upstream's");
    assert_eq!(
        std::fs::read(data.join("example.com/big/@v/v1.0.0.zip")).unwrap(),
        zip
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn graceful_shutdown_finishes_in_flight_downloads() {
    let fx = big_fixture();
    let zip_len = std::fs::metadata(fx.root().join("example.com/big/@v/v1.0.0.zip"))
        .unwrap()
        .len();
    let up = FakeUpstream::start(fx.root());
    up.set(Mode::Trickle(Duration::from_millis(5)));
    let mut server = start(ServerSpec::new(&up.url()));
    let url = format!("{}/example.com/big/@v/v1.0.0.zip", server.url());
    let client = std::thread::spawn(move || {
        let r = http().get(url).send().unwrap();
        (r.status().as_u16(), r.bytes().unwrap().len() as u64)
    });
    while up.hits("/example.com/big/@v/v1.0.0.zip") == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.begin_shutdown();
    let (status, len) = client.join().unwrap();
    assert_eq!((status, len), (200, zip_len));
    server.join();
    assert!(
        std::net::TcpStream::connect(server.addr).is_err(),
        "the listener is closed after shutdown"
    );
}
