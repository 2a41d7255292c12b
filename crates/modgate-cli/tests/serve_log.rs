//! `modgate serve`'s request log as an operator gets it: the binary's stderr, one
//! line per request in the configured format, every line written (none lost to the
//! batching), and silenced by RUST_LOG like any other info line.

mod common;

use std::io::Read;
use std::process::{ChildStderr, Command};

use common::Serve;

/// Starts `modgate serve --offline` on a data directory holding one `.info`, and
/// returns once it says where it listens, with its stderr (the request log).
fn serve(data: &std::path::Path, format: &str, rust_log: &str) -> (Serve, ChildStderr) {
    std::fs::create_dir_all(data.join("example.com/m/@v")).unwrap();
    std::fs::write(
        data.join("example.com/m/@v/v1.0.0.info"),
        r#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let (server, err) = common::serve(data, &["--offline", "--log-format", format], rust_log);
    // What it buffered past the listening line would be request lines, which only
    // come after requests.
    assert!(err.buffer().is_empty(), "request lines before any request");
    (server, err.into_inner())
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

/// Stops the server (SIGTERM: it flushes its log) and returns everything it logged.
fn finish((s, mut err): (Serve, ChildStderr)) -> String {
    let _ = Command::new("kill").arg(s.child.id().to_string()).status();
    let mut log = String::new();
    err.read_to_string(&mut log).unwrap();
    log
}

#[test]
fn every_request_is_one_line_in_each_format() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let s = serve(&dir.path().join("data"), format, "info");
        for _ in 0..500 {
            assert_eq!(get(&s.0.addr, "/example.com/m/@v/v1.0.0.info"), 200);
        }
        assert_eq!(get(&s.0.addr, "/example.com/m/@v/v1.9.9.info"), 404);
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
        assert_eq!(get(&s.0.addr, "/example.com/m/@v/v1.0.0.info"), 200);
    }
    let log = finish(s);
    assert!(!log.contains("request method="), "{log}");
}
