//! The double-written backup and `modgate scrub` through the built binary: a real
//! `modgate serve` with a `file://` backup fills both stores from a fixture GOPROXY
//! tree (zips made by the core's writer); then the stores are damaged by hand and
//! `modgate scrub [--repair] --json` is judged by its report and exit code, and the
//! server by what it serves.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{drain, publish_version, serve, stderr, stdout};

const MODULE: &str = "example.com/scrubbed";
const ZIP: &str = "example.com/scrubbed/@v/v1.0.0.zip";
const MOD: &str = "example.com/scrubbed/@v/v1.0.0.mod";

/// A GET of `/{path}`: status and body.
fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    common::http_get(addr, &format!("/{path}")).unwrap()
}

fn wait_for(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn scrub(data: &Path, backup: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let backup_url = format!("file://{}", backup.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(["scrub", "--json", "--data"])
        .arg(data)
        .args(["--backup", &backup_url])
        .args(extra)
        .env_remove("MODGATE_CONFIG")
        .output()
        .unwrap();
    let json = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (out, json)
}

fn findings(json: &serde_json::Value) -> Vec<(String, String, String, bool)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["key"].as_str().unwrap().to_owned(),
                f["store"].as_str().unwrap_or("").to_owned(),
                f["repaired"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Flips one byte in the middle of a file, as bit rot would.
fn corrupt(path: &Path) {
    let mut data = std::fs::read(path).unwrap();
    let i = data.len() / 2;
    data[i] ^= 0x20;
    std::fs::write(path, data).unwrap();
}

#[test]
fn backup_scrub_repair_and_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let (tree, data, backup) = (
        dir.path().join("tree"),
        dir.path().join("data"),
        dir.path().join("backup"),
    );
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), format!("module {MODULE}\n")).unwrap();
    std::fs::write(
        src.join("lib.go"),
        "package scrubbed\n\nfunc Answer() int { return 42 }\n",
    )
    .unwrap();
    publish_version(
        &tree,
        MODULE,
        "v1.0.0",
        &src,
        &format!("module {MODULE}\n"),
        "2026-01-02T03:04:05Z",
    );
    let good_zip = std::fs::read(tree.join(ZIP)).unwrap();
    let upstream = format!("file://{}", tree.display());
    let backup_url = format!("file://{}", backup.display());
    let serve_args = [
        "--upstream",
        upstream.as_str(),
        "--sumdb",
        "off",
        "--backup",
        backup_url.as_str(),
    ];

    // 1. Serving fills both stores, with the recorded hashes.
    {
        let (server, err) = serve(&data, &serve_args, "info");
        drain(err);
        for k in [MOD, ZIP] {
            assert_eq!(get(&server.addr, k).0, 200, "{k}");
        }
        wait_for("the backup copies", || {
            [MOD, ZIP, "example.com/scrubbed/@v/v1.0.0.ziphash"]
                .iter()
                .all(|k| backup.join(k).is_file())
        });
        assert_eq!(std::fs::read(backup.join(ZIP)).unwrap(), good_zip);
        let ziphash =
            std::fs::read_to_string(data.join("example.com/scrubbed/@v/v1.0.0.ziphash")).unwrap();
        assert!(ziphash.starts_with("h1:"), "{ziphash}");

        // 2. The primary loses the zip: served from the backup, and repaired.
        std::fs::remove_file(data.join(ZIP)).unwrap();
        let (status, body) = get(&server.addr, ZIP);
        assert_eq!((status, body == good_zip), (200, true));
        wait_for("the primary repaired", || data.join(ZIP).is_file());
        assert_eq!(std::fs::read(data.join(ZIP)).unwrap(), good_zip);
        let (_, metrics) = get(&server.addr, "metrics");
        let metrics = String::from_utf8_lossy(&metrics);
        assert!(
            metrics.contains("modgate_backup_reads_total 1")
                || metrics.contains("modgate_backup_reads_total 2"),
            "{metrics}"
        );
        assert!(
            metrics.contains("modgate_backup_queue_depth 0"),
            "{metrics}"
        );
    }

    // 3. Clean: exit 0.
    let (out, json) = scrub(&data, &backup, &[]);
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(json["verdict"], "ok");
    assert_eq!(json["files"], 2);
    assert_eq!(json["copies"], 4);

    // 4. The primary's zip rots: found (exit 1), then repaired from the backup.
    corrupt(&data.join(ZIP));
    let (out, json) = scrub(&data, &backup, &[]);
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(
        findings(&json),
        [("corrupt_copy".into(), ZIP.into(), "primary".into(), false)]
    );
    // The same as text: a summary line, then one line per finding.
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(["scrub", "--data"])
        .arg(&data)
        .args(["--backup", &backup_url])
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    let shown = stdout(&text);
    assert!(
        shown.starts_with("scrub: failed: 2 files, 4 copies, ")
            && shown.contains(&format!(
                "\nPROBLEM\tcorrupt_copy\t{ZIP}\tthe primary copy "
            )),
        "{shown}"
    );
    let (out, json) = scrub(&data, &backup, &["--repair"]);
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(json["verdict"], "repaired");
    assert_eq!(std::fs::read(data.join(ZIP)).unwrap(), good_zip);
    assert_eq!(scrub(&data, &backup, &[]).0.status.code(), Some(0));

    // 5. Both copies rot: reported, not repairable (exit 1 even with --repair), and
    // the proxy refuses to serve those bytes.
    corrupt(&data.join(ZIP));
    corrupt(&backup.join(ZIP));
    let bad_zip = std::fs::read(data.join(ZIP)).unwrap();
    let (out, json) = scrub(&data, &backup, &["--repair"]);
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["verdict"], "failed");
    assert_eq!(
        findings(&json),
        [
            ("corrupt".into(), ZIP.into(), "primary".into(), false),
            ("corrupt".into(), ZIP.into(), "backup".into(), false),
        ]
    );
    {
        let (server, err) = serve(&data, &serve_args, "info");
        drain(err);
        let (status, body) = get(&server.addr, ZIP);
        assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
        assert_ne!(body, bad_zip);
        assert!(
            String::from_utf8_lossy(&body).contains("fails its recorded hash"),
            "{}",
            String::from_utf8_lossy(&body)
        );
        // The .mod is intact and still served.
        assert_eq!(get(&server.addr, MOD).0, 200);
    }

    // 6. Could not run: exit 2, a JSON verdict all the same.
    let (out, json) = scrub(&dir.path().join("nothing-here"), &backup, &[]);
    assert_eq!(out.status.code(), Some(2), "{json}");
    assert_eq!(json["verdict"], "error");
}

/// The backup on a real S3 server (s3s-fs), configured in the config file's
/// `[backup_options]`: serving fills it, the scrub repairs the primary from it, and
/// with the S3 server gone serving goes on while copies queue.
#[test]
fn s3_backup_fill_scrub_and_outage() {
    let Some(mut s3) = modgate_testkit::s3::S3::start() else {
        return;
    };
    s3.create_bucket("backup");
    let dir = tempfile::tempdir().unwrap();
    let (tree, data, src) = (
        dir.path().join("tree"),
        dir.path().join("data"),
        dir.path().join("src"),
    );
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), format!("module {MODULE}\n")).unwrap();
    std::fs::write(src.join("lib.go"), "package scrubbed\n").unwrap();
    for v in ["v1.0.0", "v1.1.0"] {
        publish_version(
            &tree,
            MODULE,
            v,
            &src,
            &format!("module {MODULE}\n"),
            "2026-01-02T03:04:05Z",
        );
    }
    let good_zip = std::fs::read(tree.join(ZIP)).unwrap();
    let config = dir.path().join("modgate.toml");
    let mut text = format!(
        "upstream = \"file://{}\"\nsumdb = \"off\"\nbackup = \"s3://backup/mods\"\n\n[backup_options]\n",
        tree.display()
    );
    for (k, v) in s3.options() {
        text.push_str(&format!("{k} = \"{v}\"\n"));
    }
    std::fs::write(&config, text).unwrap();
    let config_arg = config.to_str().unwrap();
    let on_s3 = |k: &str| s3.root().join("backup/mods").join(k);

    {
        let (server, err) = serve(&data, &["--config", config_arg], "info");
        drain(err);
        for k in [MOD, ZIP] {
            assert_eq!(get(&server.addr, k).0, 200, "{k}");
        }
        wait_for("the copies on S3", || {
            [MOD, ZIP, "example.com/scrubbed/@v/v1.0.0.ziphash"]
                .iter()
                .all(|k| on_s3(k).is_file())
        });
        assert_eq!(std::fs::read(on_s3(ZIP)).unwrap(), good_zip);
    }

    let scrub_s3 = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_modgate"))
            .args(["scrub", "--json", "--config", config_arg, "--data"])
            .arg(&data)
            .args(extra)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
        (out.status.code(), json)
    };
    let (code, json) = scrub_s3(&[]);
    assert_eq!(code, Some(0), "{json}");
    corrupt(&data.join(ZIP));
    let (code, json) = scrub_s3(&["--repair"]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(
        findings(&json),
        [("corrupt_copy".into(), ZIP.into(), "primary".into(), true)]
    );
    assert_eq!(std::fs::read(data.join(ZIP)).unwrap(), good_zip);

    // The S3 server is gone: serving goes on, the copies queue.
    s3.kill();
    let (server, err) = serve(&data, &["--config", config_arg], "info");
    drain(err);
    let zip2 = "example.com/scrubbed/@v/v1.1.0.zip";
    let (status, body) = get(&server.addr, zip2);
    assert_eq!(status, 200);
    assert_eq!(body, std::fs::read(tree.join(zip2)).unwrap());
    assert_eq!(get(&server.addr, ZIP), (200, good_zip));
    wait_for("queued copies", || {
        let (_, m) = get(&server.addr, "metrics");
        let m = String::from_utf8_lossy(&m).into_owned();
        m.lines()
            .find_map(|l| l.strip_prefix("modgate_backup_queue_depth "))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|d| d >= 1)
    });
    // The scrub cannot reach the backup: it says so, exit 2... or reports what it
    // could not read. Either way not 0.
    let (code, json) = scrub_s3(&[]);
    assert_ne!(code, Some(0), "{json}");
}
