//! The availability scenarios of the HA design, each on real parts: `modgate serve`
//! replicas sharing one Redis and one three-node Garage cluster (replication factor
//! 3, reached through an nginx S3 balancer as a production load balancer or
//! Kubernetes Service would), the upstream a fixture server that counts requests.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use modgate_testkit::garage::Garage;
use modgate_testkit::nginx::Nginx;
use modgate_testkit::redis::Redis;
use modgate_testkit::upstream::Counting;

use common::http_get as get;

/// Publishes `example.com/burst/b{i}` v1.0.0 for i in 0..n into the GOPROXY tree `tree`,
/// each zip with ~64 KiB of its own bytes; returns the paths of their files.
fn publish(tree: &Path, src: &Path, n: usize) -> Vec<String> {
    let mut files = Vec::new();
    for i in 0..n {
        let path = format!("example.com/burst/b{i}");
        let dir = src.join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("v.go"), format!("package b{i}\n")).unwrap();
        let filler: String = (0..4096)
            .map(|k| format!("{:015x}\n", k * 7919 + i))
            .collect();
        std::fs::write(dir.join("data.txt"), filler).unwrap();
        common::publish_version(
            tree,
            &path,
            "v1.0.0",
            &dir,
            &format!("module {path}\n"),
            "2026-01-02T03:04:05Z",
        );
        for ext in ["info", "mod", "zip"] {
            files.push(format!("/{path}/@v/v1.0.0.{ext}"));
        }
    }
    files
}

/// Garage behind an nginx S3 balancer, Redis, and `n` replicas over them.
struct Cluster {
    replicas: Vec<common::Serve>,
    _s3_lb: Nginx,
    garage: Garage,
    redis: Redis,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start(n: usize, upstream: &str, local_cache: bool) -> Option<Cluster> {
        let redis = Redis::start()?;
        let garage = Garage::start()?;
        let s3_lb = Nginx::start(&garage.s3_addrs())?;
        let dir = tempfile::tempdir().unwrap();
        let mut replicas = Vec::new();
        for i in 0..n {
            let data = dir.path().join(format!("replica{i}"));
            let local = data.join("local");
            let mut args: Vec<String> = [
                "--upstream",
                upstream,
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
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if local_cache {
                args.push("--local-cache".into());
                args.push(local.to_string_lossy().into_owned());
            }
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"));
            for (k, v) in garage.env(0) {
                cmd.env(k, v);
            }
            cmd.env("AWS_ENDPOINT_URL", s3_lb.url());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (s, err) = common::serve_with(cmd, &data, &args, "info");
            common::drain(err);
            replicas.push(s);
        }
        Some(Cluster {
            replicas,
            _s3_lb: s3_lb,
            garage,
            redis,
            _dir: dir,
        })
    }

    fn addrs(&self) -> Vec<String> {
        self.replicas.iter().map(|r| r.addr.clone()).collect()
    }
}

/// `clients` threads, client `c` asking replica `c % n` for every file of `files`
/// (each in its own rotated order); returns the failures ("path: why").
fn burst(addrs: &[String], files: &[String], tree: &Path, clients: usize) -> Vec<String> {
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let served = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let addr = addrs[c % addrs.len()].clone();
            let mut mine = files.to_vec();
            mine.rotate_left((c * 7) % files.len());
            let tree = tree.to_path_buf();
            let (failures, served) = (failures.clone(), served.clone());
            std::thread::spawn(move || {
                for p in mine {
                    let want = std::fs::read(tree.join(p.trim_start_matches('/'))).unwrap();
                    match get(&addr, &p) {
                        Ok((200, body)) if p.ends_with(".info") || body == want => {
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, body)) => failures.lock().unwrap().push(format!(
                            "{p} via {addr}: {status} {}",
                            String::from_utf8_lossy(&body[..body.len().min(200)])
                        )),
                        Err(e) => failures
                            .lock()
                            .unwrap()
                            .push(format!("{p} via {addr}: {e}")),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    failures.lock().unwrap().clone()
}

#[test]
fn cold_burst_over_three_replicas_fetches_each_file_once() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let files = publish(&tree, &tmp.path().join("src"), 20);
    let upstream = Counting::start(&tree);
    // Hold zips back a little, so that the burst really overlaps the fetches.
    upstream.delay(Some((".zip", Duration::from_millis(300))));
    let Some(cluster) = Cluster::start(3, &upstream.url(), true) else {
        return;
    };
    let started = Instant::now();
    let failures = burst(&cluster.addrs(), &files, &tree, 100);
    let took = started.elapsed();
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    let hits = upstream.all_hits();
    for f in &files {
        assert_eq!(upstream.hits(f), 1, "{f}: {hits:?}");
    }
    eprintln!(
        "measured: 100 clients x {} cold files over 3 replicas (Garage, Redis): {took:?}, {} upstream fetches",
        files.len(),
        files.iter().map(|f| upstream.hits(f)).sum::<usize>()
    );
}

#[test]
fn one_garage_node_killed_no_request_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let files = publish(&tree, &tmp.path().join("src"), 12);
    let upstream = Counting::start(&tree);
    let Some(mut cluster) = Cluster::start(3, &upstream.url(), false) else {
        return;
    };
    let addrs = cluster.addrs();
    // Half stored before the node dies, half fetched (and written) after.
    let (before, after) = files.split_at(files.len() / 2);
    assert!(burst(&addrs, before, &tree, 6).is_empty());
    // Node 1 dies while 30 clients are at it.
    let during = {
        let (addrs, files, tree) = (addrs.clone(), files.to_vec(), tree.clone());
        std::thread::spawn(move || burst(&addrs, &files, &tree, 30))
    };
    std::thread::sleep(Duration::from_millis(300));
    cluster.garage.kill(1);
    let failures = during.join().unwrap();
    eprintln!(
        "measured: 30 clients x {} files with Garage node 1 killed mid-burst: {} failures",
        files.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "with a Garage node down: {failures:#?}"
    );
    // A store call cut by the node's death can cost a second fetch of a file
    // (never a failed request, never wrong bytes): at most one more.
    let fetched: Vec<usize> = after.iter().map(|f| upstream.hits(f)).collect();
    assert!(fetched.iter().all(|&n| (1..=2).contains(&n)), "{fetched:?}");
    eprintln!(
        "measured: upstream fetches of the {} files first asked for during the kill: {fetched:?}",
        after.len()
    );
    let hits: Vec<usize> = files.iter().map(|f| upstream.hits(f)).collect();
    // Back: it serves what was written without it (Garage repairs in the background).
    let t = Instant::now();
    cluster.garage.restart(1);
    cluster.garage.wait_healthy();
    eprintln!(
        "measured: Garage node 1 back and the cluster healthy in {:?}",
        t.elapsed()
    );
    assert!(burst(&addrs, &files, &tree, 6).is_empty());
    let again: Vec<usize> = files.iter().map(|f| upstream.hits(f)).collect();
    assert_eq!(again, hits, "read from the store, not upstream");
}

#[test]
fn redis_killed_mid_burst_no_request_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let files = publish(&tree, &tmp.path().join("src"), 10);
    let upstream = Counting::start(&tree);
    upstream.delay(Some((".zip", Duration::from_millis(200))));
    let Some(mut cluster) = Cluster::start(3, &upstream.url(), true) else {
        return;
    };
    let addrs = cluster.addrs();
    let during = {
        let (addrs, files, tree) = (addrs.clone(), files.clone(), tree.clone());
        std::thread::spawn(move || burst(&addrs, &files, &tree, 30))
    };
    std::thread::sleep(Duration::from_millis(300));
    cluster.redis.kill();
    let failures = during.join().unwrap();
    assert!(failures.is_empty(), "with Redis killed: {failures:#?}");
    // Each replica coordinated itself meanwhile: at most one fetch per replica.
    for f in &files {
        assert!(
            (1..=3).contains(&upstream.hits(f)),
            "{f}: {}",
            upstream.hits(f)
        );
    }
    // The replicas say so (Redis is pinged every 2 s).
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let (_, metrics) = get(&addrs[0], "/metrics").unwrap();
        if String::from_utf8_lossy(&metrics).contains("modgate_coordination_up 0") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "modgate_coordination_up stayed 1"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "measured: 30 clients x {} files, Redis killed 0.3 s in: no failure, {} upstream fetches",
        files.len(),
        files.iter().map(|f| upstream.hits(f)).sum::<usize>()
    );
}

/// The value of the metric `name` (no labels) on the replica at `addr`.
fn metric(addr: &str, name: &str) -> Option<f64> {
    let (_, body) = get(addr, "/metrics").ok()?;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn primary_store_down_served_from_backup_queue_drains_scrub_clean() {
    let Some(redis) = Redis::start() else { return };
    let Some(mut garage) = Garage::start() else {
        return;
    };
    let Some(s3_lb) = Nginx::start(&garage.s3_addrs()) else {
        return;
    };
    // The backup: another S3 service (s3s-fs), with its own options and keys.
    let Some(backup) = modgate_testkit::s3::S3::start() else {
        return;
    };
    backup.create_bucket("backup");
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let files = publish(&tree, &tmp.path().join("src"), 8);
    let (stored, cold) = files.split_at(files.len() / 2);
    let upstream = Counting::start(&tree);
    let backup_options: String = backup
        .options()
        .iter()
        .map(|(k, v)| format!("{k} = \"{v}\"\n"))
        .collect();
    // A primary that is down fails fast (one retry within 2 s), then the backup answers.
    let config = tmp.path().join("modgate.toml");
    std::fs::write(
        &config,
        format!(
            "upstream = \"{up}\"\nsumdb = \"off\"\nvulndb = \"off\"\n\
             coordination = \"{redis}\"\nlease_ttl = \"5s\"\n\
             storage = \"{storage}\"\nbackup = \"s3://backup/ha\"\n\
             [storage_options]\nendpoint = \"{endpoint}\"\nmax_retries = \"1\"\nretry_timeout = \"2s\"\n\
             [backup_options]\n{backup_options}",
            up = upstream.url(),
            redis = redis.url(),
            storage = garage.url("ha"),
            endpoint = s3_lb.url(),
        ),
    )
    .unwrap();
    let config = config.to_string_lossy().into_owned();
    // Garage's key; the endpoint is [storage_options]'s (the S3 balancer).
    let aws = garage.env(0);
    let modgate = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"));
        cmd.envs(aws.clone());
        cmd
    };
    let replicas: Vec<_> = (0..3)
        .map(|i| {
            let data = tmp.path().join(format!("replica{i}"));
            let (s, err) = common::serve_with(modgate(), &data, &["--config", &config], "info");
            common::drain(err);
            s
        })
        .collect();
    let addrs: Vec<String> = replicas.iter().map(|r| r.addr.clone()).collect();
    assert!(burst(&addrs, stored, &tree, 6).is_empty());

    // Every Garage node stops: what is stored comes from the backup, cold files
    // are fetched (once) and written to the backup, owed to the primary.
    for i in 0..3 {
        garage.kill(i);
    }
    let t = Instant::now();
    let failures = burst(&addrs, &files, &tree, 12);
    assert!(failures.is_empty(), "with the primary down: {failures:#?}");
    eprintln!(
        "measured: 12 clients x {} files with every Garage node down: no failure, {:?}",
        files.len(),
        t.elapsed()
    );
    for f in &files {
        assert_eq!(upstream.hits(f), 1, "{f}");
    }
    let owed: f64 = addrs
        .iter()
        .map(|a| metric(a, "modgate_backup_queue_depth").unwrap_or(0.0))
        .sum();
    assert!(owed >= cold.len() as f64, "queued for the primary: {owed}");
    let from_backup: f64 = addrs
        .iter()
        .map(|a| metric(a, "modgate_backup_reads_total").unwrap_or(0.0))
        .sum();
    assert!(from_backup >= 1.0, "{from_backup}");

    // The primary is back: every replica's queue drains.
    for i in 0..3 {
        garage.restart(i);
    }
    garage.wait_healthy();
    let t = Instant::now();
    let deadline = t + Duration::from_secs(90);
    while addrs
        .iter()
        .any(|a| metric(a, "modgate_backup_queue_depth") != Some(0.0))
    {
        assert!(
            Instant::now() < deadline,
            "the queues did not drain in 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!(
        "measured: queues drained {:?} after the primary came back",
        t.elapsed()
    );
    drop(replicas);

    // Both stores hold every file, with the hash recorded when it was verified.
    let out = modgate()
        .args(["scrub", "--json", "--config", &config, "--data"])
        .arg(tmp.path().join("scrub"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    assert_eq!(json["verdict"], "ok", "{json:#}");
}

#[test]
fn lease_holder_killed_mid_fetch_the_others_finish_it() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let files = publish(&tree, &tmp.path().join("src"), 1);
    let zip = files.iter().find(|f| f.ends_with(".zip")).unwrap().clone();
    let want = std::fs::read(tree.join(zip.trim_start_matches('/'))).unwrap();
    let upstream = Counting::start(&tree);
    upstream.delay(Some((".zip", Duration::from_secs(2))));
    let Some(mut cluster) = Cluster::start(3, &upstream.url(), true) else {
        return;
    };
    let addrs = cluster.addrs();
    // Replica 0 takes the lease and starts the (held back) fetch...
    let doomed = {
        let (a, z) = (addrs[0].clone(), zip.clone());
        std::thread::spawn(move || get(&a, &z))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while upstream.hits(&zip) == 0 {
        assert!(Instant::now() < deadline, "the first fetch never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // ...clients of the other two wait on it, and it dies.
    let t = Instant::now();
    let clients: Vec<_> = (0..10)
        .map(|c| {
            let (a, z) = (addrs[1 + c % 2].clone(), zip.clone());
            std::thread::spawn(move || get(&a, &z))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    cluster.replicas[0].child.kill().unwrap();
    cluster.replicas[0].child.wait().unwrap();
    let _ = doomed.join();
    for c in clients {
        let (status, body) = c.join().unwrap().expect("a client of a live replica");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert!(body == want, "the right bytes");
    }
    eprintln!(
        "measured: lease holder SIGKILLed mid-fetch (Garage, lease_ttl 5 s, upstream holds zips 2 s): the 10 other clients served after {:?}",
        t.elapsed()
    );
    assert_eq!(
        upstream.hits(&zip),
        2,
        "the killed fetch and its replacement"
    );
}
