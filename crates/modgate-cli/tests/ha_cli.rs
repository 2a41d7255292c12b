//! The high-availability topology end to end, judged by the real go command:
//! three `modgate serve` replicas sharing one Redis (coordination) and one store,
//! behind Debian's nginx as a round-robin load balancer, the upstream a counting
//! fixture server. `go mod tidy` and `go build` of a module graph through nginx,
//! then `go mod download all` from an empty module cache with one replica SIGKILLed.

mod common;

use std::path::Path;
use std::process::{Command, Output};

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
fn go_builds_through_nginx_over_three_replicas_and_survives_one_killed() {
    let Some(redis) = Redis::start() else { return };
    if modgate_testkit::go::binary().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    publish_graph(&tree, &tmp.path().join("src"));
    let upstream = Counting::start(&tree);
    let data = tmp.path().join("data");
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
        "5s",
    ];
    let mut replicas: Vec<_> = (0..3)
        .map(|_| {
            let (s, err) = common::serve(&data, &args, "info");
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
    drop(lb);
    drop(replicas);
}
