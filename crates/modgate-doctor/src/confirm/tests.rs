//! `explain --check` against real local failures: a closed loopback port and
//! a loopback server, nothing beyond this machine.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::checks::Status;
use crate::env::Env;
use crate::explain::explain;
use crate::finding::Code;
use crate::run::Options;

/// Settings that keep every lookup local.
fn opts(dir: &tempfile::TempDir, extra: &[(&str, &str)]) -> Options {
    let hosts = dir.path().join("hosts");
    let resolv = dir.path().join("resolv.conf");
    std::fs::write(&hosts, "127.0.0.1 localhost proxy.corp.example\n").expect("hosts");
    std::fs::write(&resolv, "nameserver 127.0.0.1\n").expect("resolv.conf");
    let mut env = Env::from_pairs([
        ("GOENV", "off"),
        ("GOSUMDB", "off"),
        ("MODGATE_HOSTS", hosts.to_str().expect("utf-8")),
        ("MODGATE_RESOLV_CONF", resolv.to_str().expect("utf-8")),
    ]);
    for (k, v) in extra {
        env.set(k, v);
    }
    let mut o = Options::new(env);
    o.use_go_env = false;
    o.budget = Duration::from_secs(4);
    o
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn refused_text(host: &str, port: u16) -> String {
    format!(
        "go: example.com/m@v1.0.0: Get \"http://{host}:{port}/example.com/m/@v/list\": dial tcp 127.0.0.1:{port}: connect: connection refused\n"
    )
}

#[test]
fn a_closed_port_is_confirmed_as_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = closed_port();
    let e = explain(&refused_text("127.0.0.1", port));
    assert_eq!(e.codes(), vec![Code::TcpRefused]);
    let r = super::confirm_blocking(&e, &opts(&dir, &[]));
    let target = format!("127.0.0.1:{port}");
    let tcp = r
        .checks
        .iter()
        .find(|c| c.kind == "tcp" && c.target == target)
        .unwrap_or_else(|| panic!("no tcp check for {target}: {:#?}", r.checks));
    assert_eq!(tcp.status, Status::Fail);
    assert!(tcp.elapsed.is_some());
    assert_eq!(r.with_code(Code::TcpRefused).len(), 1, "{:#?}", r.findings);
    assert_eq!(r.with_code(Code::TcpRefused)[0].target, target);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn a_name_is_resolved_then_connected_as_the_doctor_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = closed_port();
    let e = explain(&refused_text("proxy.corp.example", port));
    let r = super::confirm_blocking(&e, &opts(&dir, &[]));
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "dns" && c.target.contains("proxy.corp.example")),
        "{:#?}",
        r.checks
    );
    assert_eq!(
        r.with_code(Code::TcpRefused)
            .first()
            .map(|f| f.target.as_str()),
        Some(format!("proxy.corp.example:{port}").as_str()),
        "{:#?}",
        r.findings
    );
}

/// Answers every request with 200 and a version list.
fn serve_ok() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "v1.0.0\n";
                let _ = s.write_all(
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes(),
                );
            });
        }
    });
    port
}

#[test]
fn a_failure_that_no_longer_happens_is_not_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = serve_ok();
    let e = explain(&refused_text("127.0.0.1", port));
    let r = super::confirm_blocking(&e, &opts(&dir, &[]));
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "http" && c.status == Status::Ok),
        "{:#?}",
        r.checks
    );
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn config_findings_run_the_configuration_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = explain("go: example.com/m@v1.0.0: module lookup disabled by GOPROXY=off\n");
    assert_eq!(e.codes(), vec![Code::GoproxyOff]);
    let r = super::confirm_blocking(&e, &opts(&dir, &[("GOPROXY", "off")]));
    assert_eq!(r.with_code(Code::GoproxyOff).len(), 1, "{:#?}", r.findings);
    // In an environment where GOPROXY is fine, the check does not confirm it.
    let port = serve_ok();
    let proxy = format!("http://127.0.0.1:{port}");
    let r = super::confirm_blocking(&e, &opts(&dir, &[("GOPROXY", &proxy)]));
    assert!(
        r.with_code(Code::GoproxyOff).is_empty(),
        "{:#?}",
        r.findings
    );
}
