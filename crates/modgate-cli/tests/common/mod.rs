//! Helpers shared by the CLI's end-to-end tests: run the built `modgate`
//! binary, and run the real `go` command in a sealed environment.

#![allow(dead_code)]

pub mod sumdb;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `modgate` binary built for this test run.
pub fn modgate(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run modgate")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A sealed `go` command (see modgate-testkit) with its state under `home`,
/// or None (after saying so) when `go` is missing and not required.
pub fn go(home: &Path) -> Option<Command> {
    let go = modgate_testkit::go::binary()?;
    Some(modgate_testkit::go::sealed(&go, home))
}

/// [`go`] fetching through `goproxy`, with a build cache shared across tests and no
/// HTTP proxy from the environment in the way of loopback servers.
pub fn go_proxy(home: &Path, goproxy: &str) -> Option<Command> {
    let mut cmd = go(home)?;
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

/// Runs a prepared command and returns its output, failing the test with
/// the command's stderr when it exits non-zero.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    out
}

/// Copies a directory tree (regular files only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Extracts one string field from `go mod download -json` output without a
/// JSON dependency (the fields we read are plain h1:/path strings).
pub fn json_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\": \"");
    let start = json.find(&key)? + key.len();
    let end = json[start..].find('"')? + start;
    Some(json[start..end].to_string())
}

/// A `modgate serve` process started by [`serve`]; killed when dropped.
pub struct Serve {
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `modgate serve --listen 127.0.0.1:0 ARGS --data DATA` with `RUST_LOG=rust_log`
/// and returns once it logs where it listens, with the rest of its stderr (request
/// lines come later). Callers that do not read it call [`drain`], so the server never
/// blocks on a full pipe.
pub fn serve(
    data: &Path,
    args: &[&str],
    rust_log: &str,
) -> (Serve, std::io::BufReader<std::process::ChildStderr>) {
    serve_with(
        Command::new(env!("CARGO_BIN_EXE_modgate")),
        data,
        args,
        rust_log,
    )
}

/// [`serve`] from a prepared `modgate` command (extra environment).
pub fn serve_with(
    mut cmd: Command,
    data: &Path,
    args: &[&str],
    rust_log: &str,
) -> (Serve, std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", rust_log)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run modgate serve");
    let mut err = std::io::BufReader::new(child.stderr.take().expect("stderr is piped"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut line = String::new();
    let addr = loop {
        assert!(Instant::now() < deadline, "serve did not start");
        line.clear();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("serve exited before listening");
        }
        // Text: `addr=127.0.0.1:N`; JSON: `"addr":"127.0.0.1:N"`.
        if let Some(i) = line.find("127.0.0.1:") {
            let rest = &line[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
                .unwrap_or(rest.len());
            break rest[..end].to_owned();
        }
    };
    let url = format!("http://{addr}");
    (Serve { child, addr, url }, err)
}

/// `modgate serve --listen 127.0.0.1:0 --data DATA ARGS` with `env` and `RUST_LOG=info`,
/// once it logs that it listens: the server and the log lines before that line. Only
/// the `listening` line counts, so a storage URL on loopback logged earlier does not.
pub fn serve_logged(
    data: &Path,
    args: &[&str],
    env: &[(&'static str, String)],
) -> (Serve, Vec<String>) {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_modgate"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run modgate serve");
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    let addr = loop {
        assert!(Instant::now() < deadline, "serve did not start: {lines:#?}");
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("serve exited before listening: {lines:#?}");
        }
        if line.contains("listening")
            && let Some(i) = line.find("addr=127.0.0.1:")
        {
            let rest = &line[i + 5..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
                .unwrap_or(rest.len());
            break rest[..end].to_owned();
        }
        lines.push(line);
    };
    drain(err);
    let url = format!("http://{addr}");
    (Serve { child, addr, url }, lines)
}

/// Reads and discards a server's stderr in the background.
pub fn drain(err: std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    std::thread::spawn(move || for _ in err.lines() {});
}

/// Writes `path@version` into the GOPROXY tree at `root` (`file://` layout): its
/// `.mod` (`gomod`), `.info` (released at `time`), the zip of the module sources in
/// `src` made by the core's writer, and the version appended to `@v/list`.
pub fn publish_version(
    root: &Path,
    path: &str,
    version: &str,
    src: &Path,
    gomod: &str,
    time: &str,
) {
    let esc = modgate_core::module::escape_path(path).unwrap();
    let dir = root.join(esc).join("@v");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{version}.mod")), gomod).unwrap();
    std::fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"{time}\"}}"),
    )
    .unwrap();
    let m = modgate_core::module::Version::new(path, version);
    let zip = std::fs::File::create(dir.join(format!("{version}.zip"))).unwrap();
    modgate_core::zip::create_from_dir(zip, &m, src).unwrap();
    let list = dir.join("list");
    let mut text = std::fs::read_to_string(&list).unwrap_or_default();
    text.push_str(&format!("{version}\n"));
    std::fs::write(list, text).unwrap();
}

/// One GET over a fresh connection (`Connection: close`, so the body ends with
/// it; replies here carry no chunked encoding): (status, body).
pub fn http_get(addr: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no header end")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    Ok((status, raw[split + 4..].to_vec()))
}
