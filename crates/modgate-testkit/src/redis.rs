//! A real `redis-server` (Debian's) on loopback, without persistence, that a test
//! can kill and start again on the same port.
//!
//! [`Redis::start`] returns `None` (after saying so) when `redis-server` is not on
//! PATH, unless `MODGATE_REQUIRE_REDIS=1`, where it panics: CI installs it.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running (or killed) redis-server; killed when dropped.
pub struct Redis {
    binary: PathBuf,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// (certificate, key) PEM files: TLS only (`rediss://`).
    tls: Option<(PathBuf, PathBuf)>,
}

/// `redis-server` on PATH, or `None` (with the skip rule above).
pub fn binary() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("redis-server"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("MODGATE_REQUIRE_REDIS").as_deref() == Ok("1") {
            panic!("redis-server not found on PATH, and MODGATE_REQUIRE_REDIS=1 requires it");
        }
        eprintln!("skipping: redis-server not found (apt-get install redis-server)");
    }
    found
}

impl Redis {
    /// Starts redis-server on a free loopback port.
    pub fn start() -> Option<Redis> {
        Redis::launch(None)
    }

    /// Starts redis-server speaking only TLS, with the PEM certificate `cert` (for
    /// 127.0.0.1) and its key; clients are not asked for certificates.
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Option<Redis> {
        Redis::launch(Some((cert.to_path_buf(), key.to_path_buf())))
    }

    fn launch(tls: Option<(PathBuf, PathBuf)>) -> Option<Redis> {
        let binary = binary()?;
        // redis-server cannot bind port 0 and report it: take a free port, let it go.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut r = Redis {
            binary,
            port,
            dir: tempfile::tempdir().expect("temporary directory"),
            child: None,
            tls,
        };
        r.restart();
        Some(r)
    }

    /// `redis://127.0.0.1:PORT/0` (`rediss://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}/0", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Kills the server (SIGKILL) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server (again) on the same port, empty, and waits until it
    /// accepts connections.
    pub fn restart(&mut self) {
        self.kill();
        let mut cmd = Command::new(&self.binary);
        cmd.args(["--bind", "127.0.0.1"]);
        match &self.tls {
            None => cmd.arg("--port").arg(self.port.to_string()),
            Some((cert, key)) => cmd
                .args(["--port", "0", "--tls-port"])
                .arg(self.port.to_string())
                .arg("--tls-cert-file")
                .arg(cert)
                .arg("--tls-key-file")
                .arg(key)
                .arg("--tls-ca-cert-file")
                .arg(cert)
                .args(["--tls-auth-clients", "no"]),
        };
        let child = cmd
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        crate::wait_port(self.port, "redis-server", Duration::from_secs(10));
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}
