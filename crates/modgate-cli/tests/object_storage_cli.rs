//! `modgate serve --storage s3://…` as a process, against a real S3 server (s3s-fs,
//! from modgate-testkit; skipped without it unless `MODGATE_REQUIRE_S3=1`), with
//! credentials and endpoint from the standard `AWS_*` variables, and the real `go`
//! command as the client: what it downloads is stored in the bucket under the
//! prefix, in the same layout as on disk; warm serving from the store (with and
//! without the local tier, and offline) gives the same bytes as serving from disk,
//! and every S3-backed replica the same `ETag`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use modgate_testkit::s3::S3;

/// One GET: (status, lower-cased headers, body).
fn get(addr: &str, path: &str, extra: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Pseudo-random text that does not compress away (so the zip is large).
fn noise(len: usize, mut seed: u64) -> String {
    let mut s = String::with_capacity(len);
    while s.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        s.push_str(&format!("{seed:016x}"));
    }
    s.truncate(len);
    s
}

const FILES: &[&str] = &[
    "example.com/words/@v/v1.0.0.info",
    "example.com/words/@v/v1.0.0.mod",
    "example.com/words/@v/v1.0.0.zip",
    "example.com/!big/@v/v1.0.0.info",
    "example.com/!big/@v/v1.0.0.mod",
    "example.com/!big/@v/v1.0.0.zip",
];

#[test]
fn go_mod_download_through_s3_storage_and_warm_serving_matches_disk() {
    let Some(s3) = S3::start() else { return };
    if modgate_testkit::go::binary().is_none() {
        return;
    }
    s3.create_bucket("modules");
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    for (path, files) in [
        (
            "example.com/words",
            vec![("w.go", "package words\n".to_owned())],
        ),
        (
            "example.com/Big",
            vec![
                ("b.go", "package big\n".to_owned()),
                ("data.txt", noise(3 << 20, 7)),
            ],
        ),
    ] {
        let src = dir.path().join("src").join(path);
        std::fs::create_dir_all(&src).unwrap();
        for (name, text) in files {
            std::fs::write(src.join(name), text).unwrap();
        }
        common::publish_version(
            &tree,
            path,
            "v1.0.0",
            &src,
            &format!("module {path}\n\ngo 1.21\n"),
            "2026-01-02T03:04:05Z",
        );
    }
    let upstream = format!("file://{}", tree.display());
    let common_args = ["--sumdb", "off", "--vulndb", "off"];
    let env = s3.env();

    // Replica A: the object store with a local tier, credentials from AWS_*.
    let local_a = dir.path().join("local-a");
    let local_a_arg = local_a.display().to_string();
    let (a, startup) = common::serve_logged(
        &dir.path().join("data-a"),
        &[
            &common_args[..],
            &[
                "--upstream",
                &upstream,
                "--storage",
                "s3://modules/cache",
                "--local-cache",
                &local_a_arg,
                "--local-cache-size",
                "64MiB",
            ],
        ]
        .concat(),
        &env,
    );
    let probe = startup
        .iter()
        .find(|l| l.contains("storage probed"))
        .unwrap_or_else(|| panic!("no probe line in {startup:#?}"));
    assert!(
        probe.contains("store=s3://modules/cache")
            && probe.contains("ranged_read=true")
            && probe.contains("conditional_create="),
        "{probe}"
    );
    eprintln!("probe: {}", probe.trim());

    let home = dir.path().join("home-a");
    let mut download = common::go_proxy(&home, &a.url).unwrap();
    let out = common::run_ok(download.current_dir(dir.path()).args([
        "mod",
        "download",
        "-json",
        "example.com/words@v1.0.0",
        "example.com/Big@v1.0.0",
    ]));
    let json = common::stdout(&out);
    assert!(!json.contains("\"Error\""), "{json}");
    assert_eq!(json.matches("\"Sum\": \"h1:").count(), 2, "{json}");

    // Stored in the bucket, under the prefix, in the disk layout; nothing on A's disk
    // but its local tier and spool.
    for f in FILES {
        let in_bucket = s3.root().join("modules/cache").join(f);
        let want = std::fs::read(tree.join(f)).unwrap();
        if !f.ends_with(".info") {
            assert_eq!(
                std::fs::read(&in_bucket).unwrap(),
                want,
                "{f} in the bucket"
            );
        } else {
            assert!(in_bucket.is_file(), "{f} in the bucket");
        }
        assert!(!dir.path().join("data-a").join(f).exists());
        assert!(local_a.join(f).is_file(), "{f} not in the local tier");
    }

    // Replica B: the same bucket, no local tier, offline (so only the store can
    // answer); D: the disk, warmed from the same upstream.
    let (b, _) = common::serve_logged(
        &dir.path().join("data-b"),
        &[
            &common_args[..],
            &["--offline", "--storage", "s3://modules/cache"],
        ]
        .concat(),
        &env,
    );
    let (d, _) = common::serve_logged(
        &dir.path().join("data-d"),
        &[&common_args[..], &["--upstream", &upstream]].concat(),
        &[],
    );
    for f in FILES {
        let path = format!("/{f}");
        let (sd, _, from_disk) = get(&d.addr, &path, "");
        assert_eq!(sd, 200, "{f} from disk");
        let (sa, ha, from_a) = get(&a.addr, &path, "");
        let (sb, hb, from_b) = get(&b.addr, &path, "");
        assert_eq!((sa, sb), (200, 200), "{f}");
        assert!(from_a == from_disk, "{f}: tier and disk differ");
        assert!(from_b == from_disk, "{f}: store and disk differ");
        let (ea, eb) = (header(&ha, "etag").unwrap(), header(&hb, "etag").unwrap());
        assert_eq!(ea, eb, "{f}: replicas give different ETags");
        assert_eq!(
            header(&ha, "last-modified"),
            header(&hb, "last-modified"),
            "{f}: replicas give different times"
        );
        assert!(ea.starts_with("\"sha256-"), "{f}: {ea}");
        // A validator from one replica is good at the other.
        let (s304, _, _) = get(&b.addr, &path, &format!("If-None-Match: {ea}\r\n"));
        assert_eq!(s304, 304, "{f}");
    }
    // A's local tier answered the second round of reads.
    let (_, _, metrics) = get(&a.addr, "/metrics", "");
    let metrics = String::from_utf8(metrics).unwrap();
    let value = |name: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} not in /metrics:\n{metrics}"))
    };
    assert!(value("modgate_local_tier_reads_total{result=\"hit\"}") >= 1.0);
    assert!(value("modgate_local_tier_files") >= 6.0);
    assert!(value("modgate_local_tier_bytes") > (1 << 20) as f64);

    // A range of the big zip, from the tier and from the store.
    let zip = "/example.com/!big/@v/v1.0.0.zip";
    let whole = std::fs::read(tree.join(&zip[1..])).unwrap();
    assert!(
        whole.len() > 1 << 20,
        "the big zip is {} bytes",
        whole.len()
    );
    for addr in [&a.addr, &b.addr] {
        let (s, h, body) = get(addr, zip, "Range: bytes=1000000-1000999\r\n");
        assert_eq!(s, 206);
        assert_eq!(body, &whole[1_000_000..1_001_000]);
        assert_eq!(
            header(&h, "content-range"),
            Some(format!("bytes 1000000-1000999/{}", whole.len()).as_str())
        );
    }

    // The go command, from the offline replica: everything comes from the store.
    let home = dir.path().join("home-b");
    let mut download = common::go_proxy(&home, &b.url).unwrap();
    let out = common::run_ok(download.current_dir(dir.path()).args([
        "mod",
        "download",
        "-json",
        "example.com/words@v1.0.0",
        "example.com/Big@v1.0.0",
    ]));
    assert_eq!(common::stdout(&out).matches("\"Sum\": \"h1:").count(), 2);
}

/// Runs `modgate serve --data DATA ARGS` with `env`, which must fail to start: its stderr.
fn start_fails(data: &std::path::Path, args: &[&str], env: &[(&'static str, String)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .output()
        .unwrap();
    assert!(!out.status.success(), "serve started with {args:?}");
    common::stderr(&out)
}

#[test]
fn a_store_that_cannot_be_reached_stops_the_start_naming_it() {
    let Some(s3) = S3::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut env = s3.env();
    env.retain(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY");
    env.push(("AWS_SECRET_ACCESS_KEY", "not-the-secret".into()));
    let err = start_fails(
        &dir.path().join("data"),
        &["--storage", "s3://modules/cache", "--sumdb", "off"],
        &env,
    );
    assert!(err.contains("s3://modules/cache"), "{err}");
    assert!(!err.contains("not-the-secret"), "{err}");
}

#[test]
fn a_bad_local_cache_or_storage_option_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let data = dir.path().join("data");
    let err = start_fails(
        &data,
        &["--sumdb", "off", "--local-cache", file.to_str().unwrap()],
        &[],
    );
    assert!(
        err.contains("local_cache") && err.contains("not-a-dir"),
        "{err}"
    );

    // Object-store options without an object store.
    let config = dir.path().join("modgate.toml");
    std::fs::write(&config, "[storage_options]\nregion = \"x\"\n").unwrap();
    let err = start_fails(
        &data,
        &["--sumdb", "off", "--config", config.to_str().unwrap()],
        &[],
    );
    assert!(err.contains("storage_options.region"), "{err}");
}
