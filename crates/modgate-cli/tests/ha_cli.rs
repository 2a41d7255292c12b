//! The high-availability topology end to end, judged by the real go command:
//! three `modgate serve` replicas sharing one Redis (coordination) and one object
//! store (a three-node Garage cluster behind an nginx S3 balancer), behind Debian's
//! nginx as a round-robin load balancer, the upstream a counting fixture server. `go mod tidy` and `go build` of a module graph through nginx,
//! then `go mod download all` from an empty module cache with one replica SIGKILLed,
//! and again with every Garage node down too (served from the backup).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use modgate_testkit::garage::Garage;
use modgate_testkit::nginx::Nginx;
use modgate_testkit::redis::Redis;
use modgate_testkit::upstream::Counting;

/// A chain of modules m0 → m1 → ... → m5 (each imports the next), with two
/// versions of m5 (m4 asks for the older, the app for the newer: MVS).
fn publish_graph(tree: &Path, src_root: &Path) {
    let n = 6;
    for i in (0..n).rev() {
        let versions: &[&str] = if i == n - 1 {
            &["v1.0.0", "v1.1.0"]
        } else {
            &["v1.0.0"]
        };
        for v in versions {
            let path = format!("example.com/m{i}");
            let src = src_root.join(format!("m{i}-{v}"));
            std::fs::create_dir_all(&src).unwrap();
            let mut gomod = format!("module {path}\n\ngo 1.21\n");
            let mut body = format!("package m{i}\n\n");
            if i + 1 < n {
                gomod.push_str(&format!("\nrequire example.com/m{} v1.0.0\n", i + 1));
                body.push_str(&format!("import \"example.com/m{}\"\n\n", i + 1));
                body.push_str(&format!(
                    "func Hello() string {{ return \"m{i} {v} \" + m{}.Hello() }}\n",
                    i + 1
                ));
            } else {
                body.push_str(&format!("func Hello() string {{ return \"m{i} {v}\" }}\n"));
            }
            std::fs::write(src.join("go.mod"), &gomod).unwrap();
            std::fs::write(src.join(format!("m{i}.go")), body).unwrap();
            common::publish_version(tree, &path, v, &src, &gomod, "2026-01-02T03:04:05Z");
        }
    }
}

fn go(home: &Path, goproxy: &str) -> Option<Command> {
    let mut cmd = common::go(home)?;
    cmd.env("GOPROXY", goproxy)
        .env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build-cache"),
        )
        .env("HTTP_PROXY", "")
        .env("HTTPS_PROXY", "")
        .env("NO_PROXY", "");
    Some(cmd)
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        common::stderr(&out),
        common::stdout(&out)
    );
    out
}

#[test]
fn go_builds_through_nginx_over_three_replicas_and_survives_one_killed_and_the_primary_down() {
    let Some(redis) = Redis::start() else { return };
    if modgate_testkit::go::binary().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    publish_graph(&tree, &tmp.path().join("src"));
    let upstream = Counting::start(&tree);
    let Some(mut garage) = Garage::start() else {
        return;
    };
    let Some(s3_lb) = Nginx::start(&garage.s3_addrs()) else {
        return;
    };
    // The backup: a directory the replicas share. A primary that is down fails
    // fast (one retry within 2 s) so that the backup answers.
    let config = tmp.path().join("modgate.toml");
    std::fs::write(
        &config,
        format!(
            "backup = \"file://{}\"\n[storage_options]\nmax_retries = \"1\"\nretry_timeout = \"2s\"\n",
            tmp.path().join("backup").display()
        ),
    )
    .unwrap();
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--upstream",
        &upstream.url(),
        "--sumdb",
        "off",
        "--vulndb",
        "off",
        "--coordination",
        &redis.url(),
        "--lease-ttl",
        "5s",
        "--storage",
        &garage.url("ha"),
    ];
    // Each replica has its own data directory: what they share is the bucket.
    let mut replicas: Vec<_> = (0..3)
        .map(|i| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_modgate"));
            cmd.envs(garage.env(0)).env("AWS_ENDPOINT_URL", s3_lb.url());
            let data = tmp.path().join(format!("replica{i}"));
            let (s, err) = common::serve_with(cmd, &data, &args, "info");
            common::drain(err);
            s
        })
        .collect();
    let addrs: Vec<String> = replicas.iter().map(|r| r.addr.clone()).collect();
    let Some(lb) = Nginx::start(&addrs) else {
        return;
    };

    let project = tmp.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/app\n\ngo 1.21\n\nrequire example.com/m5 v1.1.0\n",
    )
    .unwrap();
    std::fs::write(
        project.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/m0\"\n\t\"example.com/m5\"\n)\n\nfunc main() { fmt.Println(m0.Hello(), \"|\", m5.Hello()) }\n",
    )
    .unwrap();

    let mut tidy = go(&tmp.path().join("home1"), &lb.url()).unwrap();
    ok(
        tidy.args(["mod", "tidy"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod tidy through nginx",
    );
    let mut build = go(&tmp.path().join("home1"), &lb.url()).unwrap();
    ok(
        build
            .args(["build", "-o"])
            .arg(tmp.path().join("app.bin"))
            .arg(".")
            .current_dir(&project)
            .output()
            .unwrap(),
        "go build through nginx",
    );
    let run = ok(
        Command::new(tmp.path().join("app.bin")).output().unwrap(),
        "the built program",
    );
    assert_eq!(
        common::stdout(&run).trim(),
        "m0 v1.0.0 m1 v1.0.0 m2 v1.0.0 m3 v1.0.0 m4 v1.0.0 m5 v1.1.0 | m5 v1.1.0"
    );
    // Every replica served part of it, and no file came from upstream twice.
    let log = lb.access_log();
    for a in &addrs {
        assert!(
            log.contains(a.as_str()),
            "replica {a} got no request:\n{log}"
        );
    }
    let hits = upstream.all_hits();
    let files: Vec<_> = hits
        .iter()
        .filter(|(p, _)| p.ends_with(".info") || p.ends_with(".mod") || p.ends_with(".zip"))
        .collect();
    assert!(files.len() >= 13, "{hits:?}");
    for (p, n) in &files {
        assert_eq!(**n, 1, "{p} fetched {n} times: {hits:?}");
    }
    eprintln!(
        "measured: go mod tidy + go build through nginx over 3 replicas: {} requests, {} upstream files, each fetched once",
        log.lines().count(),
        files.len()
    );

    // One replica dies: nginx steps around it, the others serve the shared store.
    replicas[1].child.kill().unwrap();
    replicas[1].child.wait().unwrap();
    let mut download = go(&tmp.path().join("home2"), &lb.url()).unwrap();
    ok(
        download
            .args(["mod", "download", "all"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod download all with a replica killed",
    );
    let mut verify = go(&tmp.path().join("home2"), "off").unwrap();
    ok(
        verify
            .args(["mod", "verify"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod verify of what the two survivors served",
    );
    assert_eq!(
        upstream.all_hits(),
        hits,
        "served from the store, not upstream"
    );
    let after = lb.access_log();
    let again = &after[log.len()..];
    assert!(!again.is_empty());
    assert!(
        again.lines().all(|l| l.contains(" 200 ")),
        "a request failed:\n{again}"
    );
    // nginx did try the dead replica (and stepped to the next one).
    assert!(
        lb.error_log().contains("Connection refused"),
        "{}",
        lb.error_log()
    );

    // And the primary store goes down too (every Garage node): the backup serves.
    for i in 0..3 {
        garage.kill(i);
    }
    let mut download = go(&tmp.path().join("home3"), &lb.url()).unwrap();
    ok(
        download
            .args(["mod", "download", "all"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod download all with a replica killed and the primary store down",
    );
    let mut verify = go(&tmp.path().join("home3"), "off").unwrap();
    ok(
        verify
            .args(["mod", "verify"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod verify of what the backup served",
    );
    assert_eq!(
        upstream.all_hits(),
        hits,
        "served from the backup, not upstream"
    );
    let (_, metrics) = get_text(&addrs[0], "/metrics");
    eprintln!(
        "measured: go mod download all with a replica and every Garage node down: ok; replica 0: {}",
        metrics
            .lines()
            .filter(|l| l.starts_with("modgate_backup_reads_total"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    drop(lb);
    drop(replicas);
}

/// One GET over a fresh connection: (status, body as text).
fn get_text(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_owned();
    (status, body)
}

/// `scripts/ha-demo` brings the whole topology up from local binaries, serves the
/// go command through its GOPROXY, and takes everything down again on SIGTERM.
#[test]
fn ha_demo_serves_go_and_stops_everything() {
    use std::io::BufRead;
    if modgate_testkit::go::binary().is_none()
        || modgate_testkit::garage::binary().is_none()
        || modgate_testkit::nginx::binary().is_none()
        || modgate_testkit::redis::binary().is_none()
        || modgate_testkit::s3::binary().is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    publish_graph(&tree, &tmp.path().join("src"));
    let upstream = Counting::start(&tree);
    let port = modgate_testkit::free_port();
    let state = tmp.path().join("demo");
    let mut demo = Command::new(common::workspace_root().join("scripts/ha-demo"))
        .args(["--port", &port.to_string(), "--sumdb", "off"])
        .args(["--upstream", &upstream.url()])
        .arg("--dir")
        .arg(&state)
        .args(["--bin", env!("CARGO_BIN_EXE_modgate")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.0.id().to_string()])
                .stderr(std::process::Stdio::null())
                .status();
            let _ = self.0.wait();
        }
    }
    let out = std::io::BufReader::new(demo.stdout.take().unwrap());
    let mut demo = Stop(demo);
    // Read its output to the end (a closed pipe would kill it mid-cleanup).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            eprintln!("ha-demo: {line}");
            if let Some(url) = line.strip_prefix("GOPROXY=") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let goproxy = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("ha-demo printed its GOPROXY");
    assert_eq!(goproxy, format!("http://127.0.0.1:{port}"));

    let project = tmp.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/app\n\ngo 1.21\n\nrequire example.com/m0 v1.0.0\n",
    )
    .unwrap();
    let mut download = go(&tmp.path().join("home"), &goproxy).unwrap();
    let out = ok(
        download
            .args(["mod", "download", "-json", "all"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod download through ha-demo",
    );
    let printed = common::stdout(&out);
    assert!(printed.contains("example.com/m1"), "{printed}");
    assert!(!printed.contains("\"Error\""), "{printed}");
    assert_eq!(upstream.hits("/example.com/m0/@v/v1.0.0.zip"), 1);
    // Written twice: to Garage and to the backup (s3s-fs keeps objects as files).
    let backup_copy = state.join("backup/modgate-backup/cache/example.com/m0/@v/v1.0.0.zip");
    let want = std::fs::read(tree.join("example.com/m0/@v/v1.0.0.zip")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read(&backup_copy).ok().as_ref() != Some(&want) {
        assert!(
            std::time::Instant::now() < deadline,
            "no backup copy at {}",
            backup_copy.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // SIGTERM: every part stops, the balancer's port is closed.
    let _ = Command::new("kill")
        .args(["-TERM", &demo.0.id().to_string()])
        .status();
    let status = demo.0.wait().unwrap();
    assert!(status.success(), "ha-demo exited {status}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nginx still listens after ha-demo stopped"
    );
    // No process it started is left (each names the state directory).
    let needle = state.to_string_lossy().into_owned();
    let mut left = Vec::new();
    for p in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmd) = std::fs::read(p.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(&needle) {
            left.push(cmd);
        }
    }
    assert!(left.is_empty(), "left running: {left:?}");
    let logs = std::fs::read_dir(&state).unwrap().count();
    assert!(logs > 0, "ha-demo kept its state in --dir");
}
