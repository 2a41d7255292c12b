//! # modgate-testkit: what modgate's tests share
//!
//! A dev-dependency of every crate whose tests compare with the real go
//! command or read Go's conformance data. Keeping the rules here means they
//! are the same everywhere:
//!
//! * [`go::binary`] finds `go` and applies the skip rule: a test without `go`
//!   prints `skipping: go not found` and returns, unless `MODGATE_REQUIRE_GO=1`
//!   (set by `scripts/test`, hence by CI), where a missing `go` is a failure.
//! * [`go::sealed`] builds a `go` command that cannot reach the network or the
//!   user's settings: private GOPATH, module and build caches, `GOPROXY=off`,
//!   `GOSUMDB=off`, `GOTOOLCHAIN=local`, no GOENV file, no inherited GOPRIVATE.
//! * [`git`] builds git repositories with fixed authors and dates, reachable as
//!   `https://example.test/<name>` through a git configuration's `insteadOf`
//!   rules, and [`git::http`] serves them with `git http-backend` on loopback.
//! * [`redis`] starts Debian's `redis-server` on loopback (no persistence), and
//!   kills and restarts it; without it a test skips unless `MODGATE_REQUIRE_REDIS=1`.
//! * [`garage`] starts a three-node Garage cluster (S3, replication factor 3)
//!   with a bucket and a key, and kills and restarts its nodes; [`nginx`] puts
//!   a round-robin load balancer in front of replicas. Without the binary a test
//!   skips unless `MODGATE_REQUIRE_GARAGE=1` / `MODGATE_REQUIRE_NGINX=1`.
//! * [`s3`] starts `s3s-fs`, a real S3 server, on loopback with known keys and
//!   buckets as directories; without it a test skips unless `MODGATE_REQUIRE_S3=1`.
//! * [`upstream::Counting`] serves a GOPROXY tree on loopback and counts requests.
//! * [`noise_text`] and [`write_noise`] make content deflate cannot shrink (zips of a
//!   known size); [`peak_rss`] reads a process's peak resident memory, for the tests
//!   that prove large files stream.
//! * [`shared_dir`] finds `../shared` (or `MODGATE_SHARED`) and fails clearly
//!   when it is missing, so tests of Go's own data never pass vacuously.

use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod garage;
pub mod git;
pub mod nginx;
pub mod redis;
pub mod s3;
pub mod upstream;

pub mod go {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::OnceLock;

    /// The go binary to run, or `None` (after saying so) when there is none
    /// and `MODGATE_REQUIRE_GO` is not `1`; with it set, a missing `go` panics.
    ///
    /// `go` on PATH may be a wrapper script (pyenv's shim costs ~30x a direct
    /// call), so the binary in `$(go env GOROOT)/bin` is preferred.
    pub fn binary() -> Option<PathBuf> {
        static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
        let found = FOUND.get_or_init(locate).clone();
        if found.is_none() {
            if std::env::var("MODGATE_REQUIRE_GO").as_deref() == Ok("1") {
                panic!("go not found on PATH, and MODGATE_REQUIRE_GO=1 requires it");
            }
            eprintln!("skipping: go not found");
        }
        found
    }

    fn locate() -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        let on_path = std::env::split_paths(&path)
            .map(|dir| dir.join("go"))
            .find(|p| p.is_file())?;
        let goroot = Command::new(&on_path)
            .args(["env", "GOROOT"])
            .env("GOTOOLCHAIN", "local")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        match goroot.map(|root| Path::new(&root).join("bin/go")) {
            Some(real) if real.is_file() => Some(real),
            _ => Some(on_path),
        }
    }

    /// A `go` command (from [`binary`]) whose state lives under `home` and
    /// which cannot touch the network: callers override `GOPROXY`, `GOSUMDB`,
    /// `GONOSUMDB`, ... for what they test.
    pub fn sealed(go: &Path, home: &Path) -> Command {
        let mut cmd = Command::new(go);
        cmd.env("GOPATH", home.join("gopath"))
            .env("GOMODCACHE", home.join("gomodcache"))
            .env("GOCACHE", home.join("gocache"))
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOSUMDB", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOENV", "off")
            .env("GOWORK", "off")
            .env("GOPRIVATE", "")
            .env("GONOPROXY", "")
            .env("GONOSUMDB", "")
            .env("GOINSECURE", "")
            .env("GOAUTH", "off");
        cmd
    }
}

/// Runs `go mod download <target>` in a fresh module `example.com/m` under
/// `home`, with nothing from the caller's environment but PATH, a private
/// GOPATH, module cache and build cache, plus `env`; returns the first line of
/// its standard error. Tests use it to compare the go command's own message
/// for a bad setting (GOPROXY, GOSUMDB, ...) with modgate's.
pub fn go_mod_download_error(go: &Path, home: &Path, target: &str, env: &[(&str, &str)]) -> String {
    let module = home.join("m");
    std::fs::create_dir_all(&module).expect("create module dir");
    std::fs::write(module.join("go.mod"), "module example.com/m\n\ngo 1.22\n")
        .expect("write go.mod");
    let mut cmd = std::process::Command::new(go);
    cmd.args(["mod", "download", target])
        .current_dir(&module)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("modcache"))
        .env("GOCACHE", home.join("cache"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off");
    for &(k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run go mod download");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

/// Waits until `127.0.0.1:port` accepts connections; fails the test, naming `what`,
/// after `timeout`.
pub(crate) fn wait_port(port: u16, what: &str, timeout: Duration) {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = std::time::Instant::now() + timeout;
    while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not accept connections on {addr} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A loopback port nothing listens on now, for servers that cannot bind port 0
/// and report it (redis-server, Garage, nginx). Another process could take it
/// before the server binds it; on a test machine that is rare enough.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The workspace root (where the top Cargo.toml is).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The project's shared reference directory: `$MODGATE_SHARED`, else
/// `<workspace>/../shared`. Panics, naming the path, when it is missing.
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("MODGATE_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared"),
    };
    assert!(
        dir.is_dir(),
        "the shared reference directory is missing: {} does not exist (set MODGATE_SHARED)",
        dir.display()
    );
    dir
}

/// `len` printable characters that deflate cannot shrink much (xorshift from `seed`).
pub fn noise_text(len: usize, seed: u64) -> String {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect()
}

/// `len` incompressible bytes (xorshift from `seed`), written a mebibyte at a time.
pub fn write_noise(path: &Path, len: usize, seed: u64) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(buf.len());
        f.write_all(&buf[..n]).unwrap();
        left -= n;
    }
    f.flush().unwrap();
}

/// The peak resident set size in bytes (`VmHWM` of /proc/<pid>/status) of process
/// `pid`, or of this process for `None`.
pub fn peak_rss(pid: Option<u32>) -> u64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or_else(|| panic!("no VmHWM in {path}"));
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib << 10
}
