//! A 150 MiB module zip filled into an object store (s3s-fs; skipped without it
//! unless `MODGATE_REQUIRE_S3=1`) and served from it, with and without the local
//! tier, by `modgate serve` processes whose peak resident memory (`VmHWM` of the
//! child) stays under 100 MiB: the zip streams up in parts and down in a stream.

mod common;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use modgate_testkit::s3::S3;

const SIZE: usize = 150 << 20;
const MAX_PEAK: u64 = 100 << 20;

/// GET `path`: (status, body length, the body's hash as a cheap fingerprint).
fn get(addr: &str, path: &str) -> (u16, usize, u64) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut r = std::io::BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }
    let (mut n, mut h) = (0usize, 0xcbf2_9ce4_8422_2325u64);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let m = r.read(&mut buf).unwrap();
        if m == 0 {
            break;
        }
        for b in &buf[..m] {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
        n += m;
    }
    (status, n, h)
}

fn fingerprint(path: &Path) -> (usize, u64) {
    let data = std::fs::read(path).unwrap();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in &data {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    }
    (data.len(), h)
}

#[test]
fn a_150_mib_zip_fills_and_serves_through_s3_in_bounded_memory() {
    let Some(s3) = S3::start() else { return };
    s3.create_bucket("big");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("big.go"), "package big\n").unwrap();
    modgate_testkit::write_noise(&src.join("data.bin"), SIZE, 0x2545_f491_4f6c_dd1d);
    let tree = dir.path().join("tree");
    common::publish_version(
        &tree,
        "example.com/big",
        "v1.0.0",
        &src,
        "module example.com/big\n",
        "2026-01-02T03:04:05Z",
    );
    std::fs::remove_dir_all(&src).unwrap();
    let zip = "example.com/big/@v/v1.0.0.zip";
    let want = fingerprint(&tree.join(zip));
    assert!(want.0 > SIZE, "zip of {} bytes", want.0);
    let upstream = format!("file://{}", tree.display());
    let env = s3.env();
    let base = [
        "--sumdb",
        "off",
        "--vulndb",
        "off",
        "--storage",
        "s3://big/cache",
    ];

    // Filled from the upstream into the store, then served from the store.
    let (filler, _) = common::serve_logged(
        &dir.path().join("data-1"),
        &[&base[..], &["--upstream", &upstream]].concat(),
        &env,
    );
    let t = Instant::now();
    let (status, n, h) = get(&filler.addr, &format!("/{zip}"));
    let fill = t.elapsed();
    assert_eq!(status, 200);
    assert_eq!((n, h), want, "the filled zip");
    let t = Instant::now();
    assert_eq!(get(&filler.addr, &format!("/{zip}")), (200, want.0, want.1));
    let warm = t.elapsed();
    let peak_fill = modgate_testkit::peak_rss(Some(filler.child.id()));

    // Another replica, with a local tier: filled from the store, then from disk.
    let local = dir.path().join("local");
    let local_arg = local.display().to_string();
    let (tiered, _) = common::serve_logged(
        &dir.path().join("data-2"),
        &[&base[..], &["--offline", "--local-cache", &local_arg]].concat(),
        &env,
    );
    for _ in 0..2 {
        assert_eq!(get(&tiered.addr, &format!("/{zip}")), (200, want.0, want.1));
    }
    assert!(local.join(zip).is_file(), "the zip is in the local tier");
    let peak_tier = modgate_testkit::peak_rss(Some(tiered.child.id()));
    eprintln!(
        "{} MiB zip: fill via s3 {:.1} s, warm from s3 {:.1} s; peak RSS {} MiB (filler), {} MiB (tiered replica)",
        want.0 >> 20,
        fill.as_secs_f64(),
        warm.as_secs_f64(),
        peak_fill >> 20,
        peak_tier >> 20
    );
    assert!(
        peak_fill < MAX_PEAK,
        "filler peaked at {} MiB",
        peak_fill >> 20
    );
    assert!(
        peak_tier < MAX_PEAK,
        "tiered replica peaked at {} MiB",
        peak_tier >> 20
    );
}
