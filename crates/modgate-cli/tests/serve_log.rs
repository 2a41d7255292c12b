//! `modgate serve`'s request log as an operator gets it: the binary's stderr, one
//! line per request in the configured format, every line written (none lost to the
//! batching), and silenced by RUST_LOG like any other info line.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Serve {
    child: Child,
    addr: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `modgate serve --offline` on a data directory holding one `.info`, and
/// returns once it says where it listens.
fn serve(data: &std::path::Path, format: &str, rust_log: &str) -> Serve {
    std::fs::create_dir_all(data.join("example.com/m/@v")).unwrap();
    std::fs::write(
        data.join("example.com/m/@v/v1.0.0.info"),
        r#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args([
            "serve",
            "--offline",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            format,
        ])
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", rust_log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
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
    // The rest of stderr is read after the process ends.
    child.stderr = Some(back_to_stderr(err));
    Serve { child, addr }
}

/// Hands the buffered reader's pipe back as the child's stderr (the bytes it already
/// buffered past the listening line are request lines, which come later anyway).
fn back_to_stderr(r: BufReader<std::process::ChildStderr>) -> std::process::ChildStderr {
    assert!(r.buffer().is_empty(), "request lines before any request");
    r.into_inner()
}

fn get(addr: &str, path: &str) -> u16 {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp[9..12].parse().unwrap()
}

fn finish(mut s: Serve) -> String {
    let _ = Command::new("kill").arg(s.child.id().to_string()).status();
    let mut err = String::new();
    s.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let _ = s.child.wait();
    err
}

#[test]
fn every_request_is_one_line_in_each_format() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let s = serve(&dir.path().join("data"), format, "info");
        for _ in 0..500 {
            assert_eq!(get(&s.addr, "/example.com/m/@v/v1.0.0.info"), 200);
        }
        assert_eq!(get(&s.addr, "/example.com/m/@v/v1.9.9.info"), 404);
        let log = finish(s);
        let requests: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" request method=") || l.contains(r#""message":"request""#))
            .collect();
        assert_eq!(requests.len(), 501, "{format}: {log}");
        let last = requests[500];
        match format {
            "text" => {
                assert!(last.contains(" INFO modgate_server: request method=GET path=/example.com/m/@v/v1.9.9.info status=404 endpoint=\"info\" cache=\"offline\" token=\"-\" bytes=0 ms="), "{last}");
            }
            _ => {
                let v: serde_json::Value = serde_json::from_str(last).unwrap();
                assert_eq!(v["message"], "request");
                assert_eq!(v["status"], 404);
                assert_eq!(v["path"], "/example.com/m/@v/v1.9.9.info");
                assert_eq!(v["cache"], "offline");
                assert!(v["ms"].is_f64(), "{last}");
            }
        }
    }
}

#[test]
fn rust_log_warn_silences_the_request_log() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("data"),
        "text",
        "warn,modgate_server::server=info",
    );
    for _ in 0..20 {
        assert_eq!(get(&s.addr, "/example.com/m/@v/v1.0.0.info"), 200);
    }
    let log = finish(s);
    assert!(!log.contains("request method="), "{log}");
}
