//! The primary store stopped and started again under a running `modgate serve`
//! (issue 10's scenario): the primary is a real S3 server (s3s-fs), the backup a
//! directory. While the primary is down, what is stored is served from the backup
//! and new files are written to the backup and queued for the primary; when it is
//! back the queue drains, and `modgate scrub` reports clean.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{drain, publish_version, serve, stderr, stdout};

const MODULE: &str = "example.com/outage";

/// s3s-fs on a fixed port and root, so that it can be stopped and started again.
struct Primary {
    binary: PathBuf,
    root: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Primary {
    fn start(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args([
                "--access-key",
                modgate_testkit::s3::ACCESS_KEY,
                "--secret-key",
                modgate_testkit::s3::SECRET_KEY,
            ])
            .arg(&self.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        self.child = Some(child);
        wait_for("s3s-fs to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Primary {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_for(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A GET of `/{path}`: status and body.
fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    common::http_get(addr, &format!("/{path}")).unwrap()
}

fn assert_ok((status, body): (u16, Vec<u8>), want: &[u8]) {
    assert_eq!(
        status,
        200,
        "{}",
        String::from_utf8_lossy(&body[..body.len().min(500)])
    );
    assert!(
        body == want,
        "{} bytes, not the {} expected",
        body.len(),
        want.len()
    );
}

fn metric(addr: &str, name: &str) -> Option<f64> {
    let (_, body) = get(addr, "metrics");
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
}

fn publish(tree: &Path, version: &str) {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("go.mod"), format!("module {MODULE}\n")).unwrap();
    std::fs::write(
        src.path().join("data.go"),
        // Noise deflate cannot shrink: a zip larger than what is kept in memory.
        format!(
            "package outage\n\n// {}\n",
            modgate_testkit::noise_text(150_000, 99)
        ),
    )
    .unwrap();
    publish_version(
        tree,
        MODULE,
        version,
        src.path(),
        &format!("module {MODULE}\n"),
        "2026-01-02T03:04:05Z",
    );
}

#[test]
fn primary_down_serves_from_backup_queues_writes_and_drains_when_back() {
    let Some(binary) = modgate_testkit::s3::binary() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3");
    std::fs::create_dir_all(root.join("mods")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut primary = Primary {
        binary,
        root: root.clone(),
        port,
        child: None,
    };
    primary.start();
    let (tree, data, backup) = (
        dir.path().join("tree"),
        dir.path().join("data"),
        dir.path().join("backup"),
    );
    publish(&tree, "v1.0.0");
    publish(&tree, "v1.1.0");
    let config = dir.path().join("modgate.toml");
    std::fs::write(
        &config,
        format!(
            r#"upstream = "file://{tree}"
sumdb = "off"
storage = "s3://mods/cache"
backup = "file://{backup}"
[storage_options]
endpoint = "http://127.0.0.1:{port}"
region = "us-east-1"
access_key_id = "{id}"
secret_access_key = "{secret}"
allow_http = "true"
max_retries = "0"
retry_timeout = "2s"
"#,
            tree = tree.display(),
            backup = backup.display(),
            id = modgate_testkit::s3::ACCESS_KEY,
            secret = modgate_testkit::s3::SECRET_KEY,
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_owned();
    let zip = |v: &str| format!("{MODULE}/@v/{v}.zip");
    let on_primary = |k: &str| root.join("mods/cache").join(k);

    let (server, err) = serve(&data, &["--config", &config], "info");
    drain(err);
    let old = std::fs::read(tree.join(zip("v1.0.0"))).unwrap();
    assert_ok(get(&server.addr, &zip("v1.0.0")), &old);
    wait_for("the backup copy", || {
        std::fs::read(backup.join(zip("v1.0.0"))).is_ok_and(|b| b == old)
    });
    assert!(on_primary(&zip("v1.0.0")).is_file());

    // The primary stops: stored files come from the backup, new ones go there.
    primary.stop();
    assert_ok(get(&server.addr, &zip("v1.0.0")), &old);
    let new = std::fs::read(tree.join(zip("v1.1.0"))).unwrap();
    assert_ok(get(&server.addr, &zip("v1.1.0")), &new);
    assert_eq!(std::fs::read(backup.join(zip("v1.1.0"))).unwrap(), new);
    assert!(!on_primary(&zip("v1.1.0")).exists());
    let depth = metric(&server.addr, "modgate_backup_queue_depth").unwrap();
    assert!(depth >= 1.0, "queue depth {depth}");
    assert!(metric(&server.addr, "modgate_backup_reads_total").unwrap() >= 1.0);

    // The primary is back: the queue drains to it.
    primary.start();
    wait_for("the queue to drain", || {
        metric(&server.addr, "modgate_backup_queue_depth") == Some(0.0)
    });
    assert_eq!(std::fs::read(on_primary(&zip("v1.1.0"))).unwrap(), new);
    drop(server);

    let out = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(["scrub", "--json", "--config", &config, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert_eq!(json["verdict"], "ok");
    assert_eq!(json["files"], 2);
    assert_eq!(json["copies"], 4);
}
