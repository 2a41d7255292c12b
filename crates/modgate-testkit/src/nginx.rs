//! Debian's `nginx` as a round-robin HTTP load balancer on loopback, in front of
//! modgate replicas (or Garage's S3 APIs), the way a production deployment puts
//! one in front of them.
//!
//! [`Nginx::start`] returns `None` (after saying so) when `nginx` is not found (on
//! PATH or in /usr/sbin), unless `MODGATE_REQUIRE_NGINX=1`, where it panics.
//!
//! nginx runs in the foreground (`daemon off`) with everything — config, pid,
//! error and access logs, temp directories — under a temporary prefix. An upstream
//! that refuses connections or times out is skipped for the next one
//! (`proxy_next_upstream error timeout`), as a production balancer does, so a
//! dead replica costs no client request.

use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx; killed when dropped.
pub struct Nginx {
    binary: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

/// `nginx` on PATH or `/usr/sbin/nginx`, or `None` (with the skip rule above).
pub fn binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("nginx"))
            .find(|p| p.is_file())
    });
    let found = on_path.or_else(|| {
        let sbin = PathBuf::from("/usr/sbin/nginx");
        sbin.is_file().then_some(sbin)
    });
    if found.is_none() {
        if std::env::var("MODGATE_REQUIRE_NGINX").as_deref() == Ok("1") {
            panic!("nginx not found, and MODGATE_REQUIRE_NGINX=1 requires it");
        }
        eprintln!("skipping: nginx not found (apt-get install nginx)");
    }
    found
}

/// The nginx.conf for a balancer on `port` over `upstreams` (`host:port`), with
/// all its files under `prefix`. `user` is set only when running as root, whose
/// workers would otherwise run as `nobody` and could not write under `prefix`.
pub fn config(prefix: &Path, port: u16, upstreams: &[String], root: bool) -> String {
    let p = prefix.display();
    let servers: String = upstreams
        .iter()
        .map(|u| format!("    server {u} max_fails=1 fail_timeout=5s;\n"))
        .collect();
    let user = if root { "user root root;\n" } else { "" };
    format!(
        "{user}daemon off;
worker_processes 2;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format lb '$request $status $upstream_addr $request_time';
  access_log {p}/access.log lb;
  client_body_temp_path {p}/client_body;
  proxy_temp_path {p}/proxy;
  fastcgi_temp_path {p}/fastcgi;
  uwsgi_temp_path {p}/uwsgi;
  scgi_temp_path {p}/scgi;
  upstream replicas {{
{servers}    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 0;
    location / {{
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      # S3 signatures cover Host: pass the client's through unchanged.
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_connect_timeout 2s;
      proxy_read_timeout 300s;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"
    )
}

impl Nginx {
    /// Starts nginx on a free loopback port, round robin over `upstreams`
    /// (`host:port` each), and waits until it accepts connections.
    pub fn start(upstreams: &[String]) -> Option<Nginx> {
        let binary = binary()?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = crate::free_port();
        // The owner of a directory we just created is who we run as.
        let root = std::fs::metadata(dir.path())
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config(dir.path(), port, upstreams, root)).expect("write nginx.conf");
        let child = Command::new(&binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            // Where errors go before the config's error_log is read.
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut n = Nginx {
            binary,
            dir,
            port,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&n.addr(), Duration::from_millis(200)).is_err() {
            if let Some(Ok(Some(status))) = n.child.as_mut().map(|c| c.try_wait()) {
                panic!("nginx exited ({status}): {}", n.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not accept connections within 10 s: {}",
                n.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(n)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// The access log so far: one `METHOD PATH PROTO STATUS UPSTREAM SECONDS` per
    /// request (UPSTREAM lists every upstream tried, `, `-separated).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        // SIGKILL of the master would orphan its workers, still listening: ask
        // it to stop (SIGTERM through the pid file), which takes them down too.
        let _ = Command::new(&self.binary)
            .arg("-p")
            .arg(self.dir.path())
            .arg("-c")
            .arg(self.dir.path().join("nginx.conf"))
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}
