//! `modgate serve` with a `file://` backup: the background scrub (`scrub_rate`)
//! repairs a rotten primary copy from the backup, and a restart finds copies still
//! owed to the backup in its queue and delivers them.

mod common;

use std::time::{Duration, Instant};

use common::*;

const ZIP: &str = "example.com/kept/@v/v1.0.0.zip";

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    f.add(
        "example.com/kept",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/kept\n"),
            (
                "kept.go",
                &format!("package kept\n\n// {}\n", noise(100_000, 3)),
            ),
        ],
    );
    f
}

fn wait_for(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn metrics(server: &Running) -> String {
    http()
        .get(format!("{}/metrics", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap()
}

#[test]
fn the_background_scrub_repairs_the_primary_from_the_backup() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (data, backup) = (dir.path().join("data"), dir.path().join("backup"));
    let spec = |scrub_rate| {
        let mut s = ServerSpec::new(&f.url());
        s.data = Some(data.clone());
        s.config.backup = format!("file://{}", backup.display());
        s.config.scrub_rate = scrub_rate;
        s
    };
    let good = std::fs::read(f.root().join(ZIP)).unwrap();
    {
        let server = start(spec(0));
        let r = http()
            .get(format!("{}/{ZIP}", server.url()))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        wait_for("the backup copy", || {
            std::fs::read(backup.join(ZIP)).is_ok_and(|b| b == good)
        });
    }
    // Rot on the primary, found by the first background pass of the next process.
    let mut rotten = good.clone();
    let i = rotten.len() / 2;
    rotten[i] ^= 0x20;
    std::fs::write(data.join(ZIP), &rotten).unwrap();
    let server = start(spec(1000));
    wait_for("the repair", || {
        std::fs::read(data.join(ZIP)).is_ok_and(|b| b == good)
    });
    wait_for("the scrub metrics", || {
        metrics(&server)
            .contains("modgate_scrub_findings_total{code=\"corrupt_copy\",outcome=\"repaired\"} 1")
    });
    let r = http()
        .get(format!("{}/{ZIP}", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().unwrap(), good);
}

#[test]
fn copies_owed_to_the_backup_survive_a_restart() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (data, backup) = (dir.path().join("data"), dir.path().join("backup"));
    let spec = || {
        let mut s = ServerSpec::new(&f.url());
        s.data = Some(data.clone());
        s.config.backup = format!("file://{}", backup.display());
        s
    };
    let queue = data.join(".backup-queue");
    {
        let server = start(spec());
        // The backup goes away (a file where its directory was): writes queue.
        std::fs::rename(&backup, dir.path().join("backup.off")).unwrap();
        std::fs::write(&backup, b"in the way").unwrap();
        let r = http()
            .get(format!("{}/{ZIP}", server.url()))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        wait_for("queued copies", || {
            metrics(&server).contains("modgate_backup_writes_failed_total{store=\"backup\"}")
        });
        assert!(std::fs::read_dir(&queue).unwrap().count() >= 1);
    }
    // The backup is back, and so is the proxy: the queue drains.
    std::fs::remove_file(&backup).unwrap();
    std::fs::rename(dir.path().join("backup.off"), &backup).unwrap();
    let server = start(spec());
    wait_for("the queue to drain", || {
        std::fs::read_dir(&queue).unwrap().count() == 0
    });
    assert_eq!(
        std::fs::read(backup.join(ZIP)).unwrap(),
        std::fs::read(f.root().join(ZIP)).unwrap()
    );
    assert!(backup.join("example.com/kept/@v/v1.0.0.ziphash").is_file());
    assert!(metrics(&server).contains("modgate_backup_queue_depth 0"));
}

#[test]
fn a_rotten_primary_copy_is_served_from_the_backup_and_rewritten() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (data, backup) = (dir.path().join("data"), dir.path().join("backup"));
    let mut spec = ServerSpec::new(&f.url());
    spec.data = Some(data.clone());
    spec.config.backup = format!("file://{}", backup.display());
    let server = start(spec);
    let good = std::fs::read(f.root().join(ZIP)).unwrap();
    // Larger than what is kept in memory: every request reads storage.
    assert!(good.len() > 64 * 1024);
    let get = || {
        let r = http()
            .get(format!("{}/{ZIP}", server.url()))
            .send()
            .unwrap();
        (r.status().as_u16(), r.bytes().unwrap().to_vec())
    };
    assert_eq!(get(), (200, good.clone()));
    wait_for("the backup copy", || {
        std::fs::read(backup.join(ZIP)).is_ok_and(|b| b == good)
    });
    let mut rotten = good.clone();
    let i = rotten.len() / 2;
    rotten[i] ^= 0x20;
    std::fs::write(data.join(ZIP), &rotten).unwrap();
    assert_eq!(get(), (200, good.clone()));
    assert_eq!(std::fs::read(data.join(ZIP)).unwrap(), good);
    assert!(
        metrics(&server)
            .contains("modgate_verification_failures_total{reason=\"stored_corrupt\"} 1")
    );
    // Rotten on both: refused, never the bytes.
    std::fs::write(data.join(ZIP), &rotten).unwrap();
    std::fs::write(backup.join(ZIP), &rotten).unwrap();
    let (status, body) = get();
    assert_eq!(status, 500);
    assert_ne!(body, rotten);
}
