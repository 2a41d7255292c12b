//! Shared parts of the server's end-to-end tests: a fixture module tree (a `file://`
//! GOPROXY the tests build), a modgate server on 127.0.0.1:0 running on its own
//! runtime thread, tiny axum upstreams for faults no real part produces, and the real
//! `go` command in a sealed environment.

#![allow(dead_code)]

pub mod tls;
pub mod toolchain;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use modgate_server::config::Config;

/// A module tree laid out as a GOPROXY (`<path>/@v/{list,V.info,V.mod,V.zip}`).
pub struct Fixture {
    pub dir: tempfile::TempDir,
    versions: BTreeMap<String, Vec<String>>,
    /// (path, version, zip h1, go.mod h1) of everything published.
    pub sums: Vec<(String, String, String, String)>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            versions: BTreeMap::new(),
            sums: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        url_of(self.root())
    }

    /// Publishes `path@version` with `files` (name, content); `go.mod` among them
    /// becomes the `.mod` file.
    pub fn add(&mut self, path: &str, version: &str, files: &[(&str, &str)]) -> &mut Self {
        let src = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let f = src.path().join(name);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, content).unwrap();
        }
        self.add_tree(path, version, src.path())
    }

    /// Publishes `path@version` with the files of the tree at `src` (its `go.mod`, if
    /// any, becomes the `.mod` file). The zip streams from the files to disk, so a
    /// large tree costs no memory.
    pub fn add_tree(&mut self, path: &str, version: &str, src: &Path) -> &mut Self {
        let esc = modgate_core::module::escape_path(path).unwrap();
        let ev = modgate_core::module::escape_version(version).unwrap();
        let dir = self.root().join(&esc).join("@v");
        std::fs::create_dir_all(&dir).unwrap();
        let gomod = std::fs::read_to_string(src.join("go.mod"))
            .unwrap_or_else(|_| format!("module {path}\n"));
        std::fs::write(dir.join(format!("{ev}.mod")), &gomod).unwrap();
        std::fs::write(
            dir.join(format!("{ev}.info")),
            format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-02T03:04:05Z\"}}"),
        )
        .unwrap();
        let m = modgate_core::module::Version {
            path: path.to_owned(),
            version: version.to_owned(),
        };
        let zip = std::fs::File::create(dir.join(format!("{ev}.zip"))).unwrap();
        let mut zip = std::io::BufWriter::with_capacity(1 << 20, zip);
        let zip_sum = modgate_core::zip::create_from_dir(&mut zip, &m, src)
            .unwrap()
            .sum;
        std::io::Write::flush(&mut zip).unwrap();
        let mod_sum = modgate_core::dirhash::hash_gomod(gomod.as_bytes());
        self.sums
            .push((path.to_owned(), version.to_owned(), zip_sum, mod_sum));
        let list = self.versions.entry(esc).or_default();
        if !modgate_core::module::is_pseudo_version(version) {
            list.push(version.to_owned());
        }
        let body: String = list.iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(dir.join("list"), body).unwrap();
        self
    }
}

/// A module zip made by the core from `files` (name, content), and its h1 hash.
pub fn module_zip(path: &str, version: &str, files: &[(&str, &str)]) -> (Vec<u8>, String) {
    let src = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let f = src.path().join(name);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, content).unwrap();
    }
    let m = modgate_core::module::Version {
        path: path.to_owned(),
        version: version.to_owned(),
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    let report = modgate_core::zip::create_from_dir(&mut buf, &m, src.path()).unwrap();
    (buf.into_inner(), report.sum)
}

pub fn url_of(dir: &Path) -> String {
    url::Url::from_directory_path(dir).unwrap().to_string()
}

/// How to build a server: a configuration (its `data` is replaced by a temporary
/// directory unless `data` is set here).
pub struct ServerSpec {
    pub config: Config,
    pub data: Option<PathBuf>,
}

impl ServerSpec {
    pub fn new(upstream: &str) -> ServerSpec {
        let config = Config {
            upstream: upstream.to_owned(),
            sumdb: "off".into(),
            retry_backoff: Duration::from_millis(5),
            ..Config::default()
        };
        ServerSpec { config, data: None }
    }
}

/// A running server; dropped = shut down.
pub struct Running {
    pub addr: SocketAddr,
    pub data: PathBuf,
    _data_dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts a graceful shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits for the server to finish shutting down.
    pub fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn start(spec: ServerSpec) -> Running {
    let (data_dir, data) = match spec.data.clone() {
        Some(d) => (None, d),
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let mut config = spec.config;
    config.data = data.clone();
    config.listen = "127.0.0.1:0".into();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            let result = modgate_server::run(config, shutdown, |addr| {
                addr_tx.send(Ok(addr)).unwrap();
            })
            .await;
            if let Err(e) = result {
                let _ = addr_tx.send(Err(e.0));
            }
        });
    });
    let addr = match addr_rx.recv().unwrap() {
        Ok(a) => a,
        Err(e) => panic!("modgate serve did not start: {e}"),
    };
    Running {
        addr,
        data,
        _data_dir: data_dir,
        shutdown: Some(tx),
        thread: Some(thread),
    }
}

/// The tests' own build cache, in cargo's scratch directory for integration tests
/// (never the user's): compiling the standard library once instead of once per test
/// keeps the suite fast. Go's build cache is safe for concurrent use.
pub fn shared_gocache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build-cache")
}

/// A `go` command with a private GOPATH/GOMODCACHE under `home` (and the binary's
/// private build cache), pointed at
/// `goproxy`, with no toolchain switching. None (after saying so) when `go` is
/// missing, unless MODGATE_REQUIRE_GO=1.
pub fn go(home: &Path, goproxy: &str) -> Option<Command> {
    let go = modgate_testkit::go::binary()?;
    let mut cmd = modgate_testkit::go::sealed(&go, home);
    cmd.env("GOCACHE", shared_gocache())
        .env("GOPROXY", goproxy)
        .env("HTTP_PROXY", "")
        .env("HTTPS_PROXY", "")
        .env("NO_PROXY", "");
    Some(cmd)
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn")
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes a main module in `dir` that imports `imports` and prints something.
pub fn project(dir: &Path, requires: &[(&str, &str)], imports: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut gomod = String::from("module example.com/app\n\ngo 1.21\n\nrequire (\n");
    for (p, v) in requires {
        gomod.push_str(&format!("\t{p} {v}\n"));
    }
    gomod.push_str(")\n");
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    let mut main = String::from("package main\n\nimport (\n\t\"fmt\"\n");
    for (i, imp) in imports.iter().enumerate() {
        main.push_str(&format!("\tm{i} \"{imp}\"\n"));
    }
    main.push_str(")\n\nfunc main() {\n");
    for i in 0..imports.len() {
        main.push_str(&format!("\tfmt.Println(m{i}.Hello())\n"));
    }
    main.push_str("}\n");
    std::fs::write(dir.join("main.go"), main).unwrap();
}

/// A `[[tokens]]` entry reading `modules`, given by the SHA-256 of `secret`.
pub fn token(name: &str, secret: &str, modules: &str) -> modgate_server::access::TokenConfig {
    use sha2::Digest as _;
    let hex = sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    modgate_server::access::TokenConfig {
        name: name.into(),
        sha256: Some(hex),
        env: None,
        file: None,
        modules: modules.into(),
    }
}

/// A blocking HTTP client for poking the server.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
}

/// Status, headers but `date`, and body of a GET of `url` with `headers`.
pub fn answer(url: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut r = http().get(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().unwrap();
    let mut h: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    h.sort();
    (r.status().as_u16(), h, r.bytes().unwrap().to_vec())
}

/// How the fake upstream answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Serve files from the tree.
    Serve,
    /// Serve files from the tree after a delay.
    Slow(Duration),
    /// Answer every request with this status and a text body.
    Status(u16),
    /// Accept and never answer (within any test's patience).
    Hang,
    /// Promise the file's length, send half of it, close.
    Truncate,
    /// Serve files in 16 KiB pieces with this pause between them.
    Trickle(Duration),
}

/// An upstream for faults no real part produces: serves a tree like a GOPROXY and
/// counts requests per path; its mode can be switched while it runs.
pub struct FakeUpstream {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
    _thread: std::thread::JoinHandle<()>,
}

pub struct FakeState {
    pub root: PathBuf,
    pub mode: std::sync::Mutex<Mode>,
    pub hits: std::sync::Mutex<BTreeMap<String, usize>>,
}

impl FakeUpstream {
    pub fn start(root: &Path) -> FakeUpstream {
        let state = Arc::new(FakeState {
            root: root.to_path_buf(),
            mode: std::sync::Mutex::new(Mode::Serve),
            hits: std::sync::Mutex::new(BTreeMap::new()),
        });
        let st = state.clone();
        let (addr, thread) = serve_in_thread(move |listener| async move {
            loop {
                let (sock, _) = listener.accept().await.unwrap();
                let st = st.clone();
                tokio::spawn(async move { fake_conn(sock, st).await });
            }
        });
        FakeUpstream {
            addr,
            state,
            _thread: thread,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_hits(&self) -> usize {
        self.state.hits.lock().unwrap().values().sum()
    }
}

/// One HTTP/1.1 connection, by hand, so the fake can misbehave at the byte level.
async fn fake_conn(mut sock: tokio::net::TcpStream, st: Arc<FakeState>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (r, mut w) = sock.split();
    let mut r = BufReader::new(r);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
        }
        *st.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let mode = st.mode.lock().unwrap().clone();
        let file = st.root.join(path.trim_start_matches('/'));
        let respond = |status: &str, body: &[u8]| {
            let mut v = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            v.extend_from_slice(body);
            v
        };
        let out = match mode {
            Mode::Hang => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
            Mode::Status(code) => respond(
                &format!("{code} Fault"),
                format!("injected fault {code}").as_bytes(),
            ),
            Mode::Trickle(pause) => match std::fs::read(&file) {
                Ok(data) => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", data.len());
                    if w.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    for piece in data.chunks(16 * 1024) {
                        if w.write_all(piece).await.is_err() || w.flush().await.is_err() {
                            return;
                        }
                        tokio::time::sleep(pause).await;
                    }
                    continue;
                }
                Err(_) => respond("404 Not Found", b"not found"),
            },
            Mode::Serve | Mode::Slow(_) | Mode::Truncate => {
                if let Mode::Slow(d) = mode {
                    tokio::time::sleep(d).await;
                }
                match std::fs::read(&file) {
                    Ok(data) if mode == Mode::Truncate => {
                        let mut v =
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", data.len())
                                .into_bytes();
                        v.extend_from_slice(&data[..data.len() / 2]);
                        let _ = w.write_all(&v).await;
                        return;
                    }
                    Ok(data) => respond("200 OK", &data),
                    Err(_) => respond("404 Not Found", b"not found"),
                }
            }
        };
        if w.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// Runs `serve` with a listener on 127.0.0.1 on a runtime of its own thread;
/// returns the bound address (once listening) and the thread.
pub fn serve_in_thread<F, Fut>(serve: F) -> (SocketAddr, std::thread::JoinHandle<()>)
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await;
        });
    });
    (rx.recv().unwrap(), thread)
}

/// A GOPROXY over HTTP serving the files of a tree as they are, streamed from disk
/// (a large zip is never held in memory here).
pub fn serve_tree(root: &Path) -> (SocketAddr, std::thread::JoinHandle<()>) {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let root = root.to_path_buf();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let file = root.join(uri.path().trim_start_matches('/'));
        async move {
            match tokio::fs::File::open(&file).await {
                Ok(f) => {
                    let len = f.metadata().await.unwrap().len();
                    let body = axum::body::Body::from_stream(
                        tokio_util::io::ReaderStream::with_capacity(f, 64 << 10),
                    );
                    ([(header::CONTENT_LENGTH, len.to_string())], body).into_response()
                }
                Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
            }
        }
    });
    serve_in_thread(move |listener| async move {
        axum::serve(listener, app).await.unwrap();
    })
}

/// A port with nothing listening.
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Everything stored under a data directory (relative names), ignoring staging.
pub fn stored_files(data: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == ".tmp" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                out.push(
                    e.path()
                        .strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(data, data, &mut out);
    out.sort();
    out
}

/// A signed test checksum database (the core's `MemDb`) served over HTTP on
/// 127.0.0.1, counting requests per path.
pub struct TestSumdb {
    pub addr: SocketAddr,
    /// The verifier key (`name+hash+key`) clients configure.
    pub vkey: String,
    pub name: String,
    pub db: Arc<std::sync::Mutex<modgate_core::sumdb::memdb::MemDb>>,
    pub hits: Arc<std::sync::Mutex<BTreeMap<String, usize>>>,
    _thread: std::thread::JoinHandle<()>,
}

impl TestSumdb {
    /// A database named `name` holding the sums of everything in `fixture`.
    pub fn start(name: &str, fixture: &Fixture) -> TestSumdb {
        use modgate_core::sumdb::memdb::{MemDb, Outcome};
        let (skey, vkey) = modgate_core::sumdb::note::generate_key(name, &[7u8; 32]);
        let mut db = MemDb::from_signer_key(&skey).unwrap();
        for (path, version, zip, gomod) in &fixture.sums {
            db.add_module(path, version, zip, gomod).unwrap();
        }
        let db = Arc::new(std::sync::Mutex::new(db));
        let hits = Arc::new(std::sync::Mutex::new(BTreeMap::new()));
        let (db2, hits2) = (db.clone(), hits.clone());
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let (db, hits) = (db2.clone(), hits2.clone());
            async move {
                let path = uri.path().to_owned();
                *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                let outcome = db.lock().unwrap().serve(&path);
                let status = axum::http::StatusCode::from_u16(outcome.status()).unwrap();
                match outcome {
                    Outcome::Ok { content_type, body } => (
                        status,
                        [(axum::http::header::CONTENT_TYPE, content_type)],
                        body,
                    ),
                    Outcome::NotFound(m) | Outcome::BadRequest(m) | Outcome::ServerError(m) => (
                        status,
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; charset=utf-8",
                        )],
                        m.into_bytes(),
                    ),
                }
            }
        });
        let (addr, thread) = serve_in_thread(move |listener| async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestSumdb {
            addr,
            vkey,
            name: name.to_owned(),
            db,
            hits,
            _thread: thread,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the database by a forked log under the same key: `first` is logged
    /// before the fixture's sums, so no earlier tree is a prefix of the new one.
    pub fn fork(&self, fixture: &Fixture, first: (&str, &str, &str, &str)) {
        use modgate_core::sumdb::memdb::MemDb;
        let (skey, _) = modgate_core::sumdb::note::generate_key(&self.name, &[7u8; 32]);
        let mut db = MemDb::from_signer_key(&skey).unwrap();
        db.add_module(first.0, first.1, first.2, first.3).unwrap();
        for (path, version, zip, gomod) in &fixture.sums {
            db.add_module(path, version, zip, gomod).unwrap();
        }
        *self.db.lock().unwrap() = db;
    }

    /// The GOSUMDB value naming this database and its URL.
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.vkey, self.url())
    }

    pub fn hits_with(&self, prefix: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }
}
