//! A real S3 server, `s3s-fs` (`cargo install s3s-fs`), on loopback with a
//! temporary root directory and a known access key; killed when dropped.
//!
//! s3s-fs keeps each bucket as a directory of its root, so [`S3::create_bucket`]
//! makes the directory. [`S3::start`] returns `None` (after saying so) when the binary
//! is missing, unless `MODGATE_REQUIRE_S3=1`, where it panics: CI installs it.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The access key every test server accepts.
pub const ACCESS_KEY: &str = "modgate-test";
/// Its secret.
pub const SECRET_KEY: &str = "modgate-test-secret";

/// A running s3s-fs; killed when dropped.
pub struct S3 {
    port: u16,
    root: tempfile::TempDir,
    child: Option<Child>,
}

/// `s3s-fs` on PATH or in `~/.cargo/bin`, or `None` (with the skip rule above).
pub fn binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("s3s-fs"))
            .find(|p| p.is_file())
    });
    let found = on_path.or_else(|| {
        let p = PathBuf::from(std::env::var_os("HOME")?).join(".cargo/bin/s3s-fs");
        p.is_file().then_some(p)
    });
    if found.is_none() {
        if std::env::var("MODGATE_REQUIRE_S3").as_deref() == Ok("1") {
            panic!(
                "s3s-fs not found on PATH or in ~/.cargo/bin, and MODGATE_REQUIRE_S3=1 requires it"
            );
        }
        eprintln!("skipping: s3s-fs not found (cargo install s3s-fs --features binary)");
    }
    found
}

impl S3 {
    /// Starts s3s-fs on a free loopback port and waits until it accepts connections.
    pub fn start() -> Option<S3> {
        let binary = binary()?;
        let root = tempfile::tempdir().expect("temporary directory");
        // s3s-fs cannot bind port 0 and report it: take a free port, let it go.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        let s3 = S3 {
            port,
            root,
            child: Some(child),
        };
        crate::wait_port(port, "s3s-fs", Duration::from_secs(10));
        Some(s3)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's root directory (one directory per bucket).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Creates bucket `name` (a directory of the root).
    pub fn create_bucket(&self, name: &str) {
        std::fs::create_dir_all(self.root.path().join(name)).expect("create bucket directory");
    }

    /// The object_store options that reach this server (the names of modgate's
    /// `[storage_options]` table).
    pub fn options(&self) -> BTreeMap<String, String> {
        [
            ("endpoint", self.endpoint()),
            ("region", "us-east-1".to_owned()),
            ("access_key_id", ACCESS_KEY.to_owned()),
            ("secret_access_key", SECRET_KEY.to_owned()),
            ("allow_http", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The same as `AWS_*` environment variables, for a child process.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
        ]
    }

    /// Kills the server (SIGKILL) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        self.kill();
    }
}
