//! End-to-end tests of `modgate doctor` and `modgate explain`: the real
//! binary, configured only through the environment variables a user would
//! set (GOPROXY, GOSUMDB, GOPRIVATE, GONOPROXY, GONOSUMDB) and `--module`.
//!
//! Nothing leaves the machine: the process environment is cleared, the host
//! names the doctor would contact are pinned to 127.0.0.1 in a hosts file
//! (`MODGATE_HOSTS`), the resolver is a loopback address (`MODGATE_RESOLV_CONF`),
//! and network targets are closed loopback ports or a tiny module proxy the
//! test runs. Each configuration finding code has a test asserting its code,
//! its target and its fix; the settings under which `go` would *not* fail
//! must not raise `config.private-leak` (false alarms are defects).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

const MODGATE: &str = env!("CARGO_BIN_EXE_modgate");

/// A private-looking module (`.example` is a reserved TLD).
const PRIVATE: &str = "git.corp.example/team/lib";

/// A home, a hosts file and a resolv.conf that keep the run on this machine.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("hosts"),
            "127.0.0.1 localhost proxy.golang.org sum.golang.org git.corp.example\n",
        )
        .expect("hosts");
        std::fs::write(dir.path().join("resolv.conf"), "nameserver 127.0.0.1\n")
            .expect("resolv.conf");
        std::fs::create_dir(dir.path().join("home")).expect("home");
        Sandbox { dir }
    }

    /// A module whose go.mod requires the private-looking module.
    fn module(&self) -> PathBuf {
        let m = self.dir.path().join("mod");
        std::fs::create_dir_all(&m).expect("mod dir");
        std::fs::write(
            m.join("go.mod"),
            format!("module example.com/app\n\ngo 1.22\n\nrequire {PRIVATE} v1.0.0\n"),
        )
        .expect("go.mod");
        std::fs::write(m.join("go.sum"), "").expect("go.sum");
        m
    }

    fn command(&self, vars: &[(&str, &str)]) -> Command {
        let mut c = Command::new(MODGATE);
        c.env_clear();
        let home = self.dir.path().join("home");
        c.env("HOME", &home)
            .env("GOENV", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .env("MODGATE_HOSTS", self.dir.path().join("hosts"))
            .env("MODGATE_RESOLV_CONF", self.dir.path().join("resolv.conf"))
            .env("MODGATE_PUBLIC_DNS", "off");
        if let Some(p) = std::env::var_os("PATH") {
            c.env("PATH", p);
        }
        for (k, v) in vars {
            c.env(k, v);
        }
        c
    }

    /// Runs `modgate doctor --json [--module DIR]` and returns its exit code
    /// and report.
    fn doctor(&self, vars: &[(&str, &str)], module: Option<&Path>) -> (i32, Value) {
        let mut c = self.command(vars);
        c.args(["doctor", "--json", "--timeout", "4"]);
        if let Some(m) = module {
            c.arg("--module").arg(m);
        }
        let start = Instant::now();
        let out = c.output().expect("run modgate doctor");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "doctor took {:?}",
            start.elapsed()
        );
        (code(&out), json(&out))
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings array")
}

/// The finding with this code and target; its fix must be non-empty and
/// contain `fix` in one of its lines.
fn assert_finding<'a>(report: &'a Value, code: &str, target: &str, fix: &str) -> &'a Value {
    let f = findings(report)
        .iter()
        .find(|f| f["code"] == code && f["target"] == target)
        .unwrap_or_else(|| panic!("no {code} for {target} in {report:#}"));
    let fixes: Vec<&str> = f["fix"]
        .as_array()
        .expect("fix array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        fixes.iter().any(|l| l.contains(fix)),
        "{code} {target}: no fix line with {fix:?} in {fixes:?}"
    );
    assert!(!f["summary"].as_str().unwrap_or("").is_empty());
    assert!(!f["evidence"].as_array().expect("evidence").is_empty());
    f
}

fn assert_no_code(report: &Value, code: &str) {
    assert!(
        !findings(report).iter().any(|f| f["code"] == code),
        "unexpected {code}: {report:#}"
    );
}

/// A valid GOSUMDB (a test key the core generates) on a closed loopback
/// port, so that its probe fails at once.
fn local_sumdb() -> String {
    let (_, vkey) = modgate_core::sumdb::note::generate_key("sum.lab.test", &[7; 32]);
    format!("{vkey} http://127.0.0.1:{}", closed_port())
}

#[test]
fn goproxy_off() {
    let sb = Sandbox::new();
    let sumdb = local_sumdb();
    let (_, r) = sb.doctor(&[("GOPROXY", "off"), ("GOSUMDB", &sumdb)], None);
    let f = assert_finding(
        &r,
        "config.goproxy-off",
        "GOPROXY",
        "go env -w GOPROXY=https://proxy.golang.org,direct",
    );
    assert!(
        f["summary"]
            .as_str()
            .unwrap_or("")
            .contains("module lookup disabled by GOPROXY=off")
    );
    // Required modules that are not in the (empty) module cache: broken.
    let cache = sb.dir.path().join("modcache");
    std::fs::create_dir_all(&cache).expect("cache");
    let m = sb.module();
    let (code, r) = sb.doctor(
        &[
            ("GOPROXY", "off"),
            ("GOSUMDB", "off"),
            ("GOMODCACHE", cache.to_str().expect("utf-8")),
            ("GOPRIVATE", "git.corp.example"),
        ],
        Some(&m),
    );
    // GOPRIVATE paths are still fetched directly with GOPROXY=off, so the
    // only requirement is not blocked by it.
    let f = assert_finding(&r, "config.goproxy-off", "GOPROXY", "GOPROXY=");
    assert_eq!(f["severity"], "info", "{r:#}");
    assert_eq!(code, 1, "git.corp.example is unreachable: {r:#}");
}

#[test]
fn goproxy_invalid() {
    let sb = Sandbox::new();
    let sumdb = local_sumdb();
    for bad in ["ftp://proxy.example.com", ",", "https://[::1"] {
        let (code, r) = sb.doctor(&[("GOPROXY", bad), ("GOSUMDB", &sumdb)], None);
        let f = assert_finding(
            &r,
            "config.goproxy-invalid",
            "GOPROXY",
            "go env -w GOPROXY=https://proxy.golang.org,direct",
        );
        assert_eq!(f["severity"], "broken");
        assert_eq!(code, 1, "GOPROXY={bad}");
        assert_eq!(r["verdict"], "broken");
    }
}

#[test]
fn sumdb_off() {
    let sb = Sandbox::new();
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let (_, r) = sb.doctor(&[("GOPROXY", &proxy), ("GOSUMDB", "off")], None);
    let f = assert_finding(
        &r,
        "config.sumdb-off",
        "GOSUMDB",
        "go env -w GOSUMDB=sum.golang.org",
    );
    assert_eq!(f["severity"], "degraded");
}

#[test]
fn gosumdb_invalid() {
    let sb = Sandbox::new();
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    for bad in [
        "a+b+c d e",
        "sum.golang.org+zz",
        "sum.golang.org+033de0ae+Ac4z http://[::1",
    ] {
        let (code, r) = sb.doctor(&[("GOPROXY", &proxy), ("GOSUMDB", bad)], None);
        let f = assert_finding(&r, "config.gosumdb-invalid", "GOSUMDB", "go env -u GOSUMDB");
        assert_eq!(f["severity"], "broken", "GOSUMDB={bad}");
        assert_eq!(code, 1, "GOSUMDB={bad}");
    }
}

#[test]
fn private_leak_to_the_public_proxy_and_checksum_database() {
    let sb = Sandbox::new();
    let m = sb.module();
    // Go's defaults: proxy.golang.org,direct and sum.golang.org.
    let (code, r) = sb.doctor(&[], Some(&m));
    let f = assert_finding(
        &r,
        "config.private-leak",
        PRIVATE,
        "go env -w GOPRIVATE=git.corp.example",
    );
    assert_eq!(f["severity"], "broken");
    assert_eq!(code, 1);
    // GOPROXY=direct alone still looks the path up in sum.golang.org.
    let (_, r) = sb.doctor(&[("GOPROXY", "direct")], Some(&m));
    assert_finding(
        &r,
        "config.private-leak",
        PRIVATE,
        "go env -w GOPRIVATE=git.corp.example",
    );
}

#[test]
fn private_leak_gonoproxy_without_gonosumdb() {
    let sb = Sandbox::new();
    let m = sb.module();
    let (_, r) = sb.doctor(&[("GONOPROXY", "git.corp.example")], Some(&m));
    let f = assert_finding(
        &r,
        "config.private-leak",
        PRIVATE,
        "GOPRIVATE=git.corp.example",
    );
    assert!(
        f["summary"].as_str().unwrap_or("").contains("GONOSUMDB"),
        "{f:#}"
    );
    // Without --module: the literal GONOPROXY prefix itself.
    let (_, r) = sb.doctor(
        &[
            ("GONOPROXY", "git.corp.example"),
            ("GONOSUMDB", "other.example"),
        ],
        None,
    );
    assert_finding(
        &r,
        "config.private-leak",
        "git.corp.example",
        "go env -w GONOSUMDB=other.example,git.corp.example",
    );
}

#[test]
fn no_private_leak_where_go_would_not_fail() {
    let sb = Sandbox::new();
    let m = sb.module();
    let cases: &[&[(&str, &str)]] = &[
        &[("GOPRIVATE", "git.corp.example")],
        &[("GOPRIVATE", "*.corp.example")],
        &[("GOPRIVATE", "git.corp.example/team")],
        &[
            ("GONOPROXY", "git.corp.example"),
            ("GONOSUMDB", "git.corp.example"),
        ],
        // GONOPROXY and GONOSUMDB override GOPRIVATE; both still cover it.
        &[
            ("GOPRIVATE", "other.example"),
            ("GONOPROXY", "git.corp.example"),
            ("GONOSUMDB", "git.corp.example"),
        ],
        &[("GOPROXY", "direct"), ("GONOSUMDB", "git.corp.example")],
        &[("GOPROXY", "direct"), ("GOSUMDB", "off")],
        // A company proxy that serves the module, and no public sumdb lookup.
        &[
            ("GOPROXY", "https://goproxy.corp.example"),
            ("GONOSUMDB", "git.corp.example"),
        ],
    ];
    for vars in cases {
        let (_, r) = sb.doctor(vars, Some(&m));
        assert_no_code(&r, "config.private-leak");
        // And the same without --module (GONOPROXY prefixes covered).
        let (_, r) = sb.doctor(vars, None);
        assert_no_code(&r, "config.private-leak");
    }
}

/// A module proxy on loopback that answers every request with 200 and a
/// version list: enough for the doctor's `@v/list` and `/sumdb/.../supported`.
fn serve_ok_proxy() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || answer(s));
        }
    });
    port
}

fn answer(mut s: TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut r = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if !line.starts_with("GET ") {
            continue;
        }
        // Skip the headers.
        loop {
            let mut h = String::new();
            match r.read_line(&mut h) {
                Ok(0) | Err(_) => return,
                Ok(_) if h.trim().is_empty() => break,
                Ok(_) => {}
            }
        }
        let body = "v0.14.0\nv0.15.0\n";
        let resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn exit_codes_and_json_shape() {
    let sb = Sandbox::new();
    // All well: a working proxy that also serves the checksum database.
    let port = serve_ok_proxy();
    let proxy = format!("http://127.0.0.1:{port}");
    let (code, r) = sb.doctor(&[("GOPROXY", &proxy)], None);
    assert_eq!(r["verdict"], "ok", "{r:#}");
    assert_eq!(code, 0, "{r:#}");
    // The shared shape: verdict, checks, findings, in that order.
    let keys: Vec<&String> = r.as_object().expect("object").keys().collect();
    for k in ["verdict", "checks", "findings"] {
        assert!(keys.iter().any(|x| *x == k), "no {k} in {keys:?}");
    }
    let checks = r["checks"].as_array().expect("checks");
    assert!(!checks.is_empty());
    for c in checks {
        for k in ["check", "target", "status", "ms", "detail"] {
            assert!(c.get(k).is_some(), "check without {k}: {c}");
        }
    }
    assert!(
        checks
            .iter()
            .any(|c| c["check"] == "http" && c["status"] == "ok"),
        "{r:#}"
    );

    // Broken: a closed port as the only proxy.
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let (code, r) = sb.doctor(&[("GOPROXY", &dead), ("GOSUMDB", "off")], None);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["verdict"], "broken");
    let f = assert_finding(
        &r,
        "tcp.refused",
        dead.trim_start_matches("http://"),
        "GOPROXY",
    );
    let mut keys: Vec<&String> = f.as_object().expect("finding").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["code", "evidence", "fix", "severity", "summary", "target"]
    );

    // Degraded only (GOSUMDB=off with a working proxy): exit 0.
    let (code, r) = sb.doctor(&[("GOPROXY", &proxy), ("GOSUMDB", "off")], None);
    assert_eq!(r["verdict"], "degraded", "{r:#}");
    assert_eq!(code, 0);

    // Usage errors: 2.
    for args in [
        &["doctor", "--timeout", "0"][..],
        &["doctor", "--no-such-flag"][..],
        &["doctor", "--module", "/nonexistent/modgate-test"][..],
    ] {
        let out = sb.command(&[]).args(args).output().expect("run");
        assert_eq!(code_of(&out), 2, "{args:?}");
    }
}

fn code_of(out: &Output) -> i32 {
    code(out)
}

#[test]
fn text_report_has_checks_findings_and_fixes() {
    let sb = Sandbox::new();
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let out = sb
        .command(&[("GOPROXY", &dead), ("GOSUMDB", "off")])
        .args(["doctor", "--timeout", "4"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 1, "{text}");
    for needle in [
        "\nchecks\n",
        "tcp.refused",
        "config.sumdb-off",
        "  fix:\n",
        "verdict: broken",
    ] {
        assert!(text.contains(needle), "no {needle:?} in\n{text}");
    }
    // One line per check with its timing.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("fail") && l.contains(" ms")),
        "{text}"
    );
}

#[test]
fn explain_check_runs_the_matching_doctor_checks() {
    let sb = Sandbox::new();
    let port = closed_port();
    let text = format!(
        "go: example.com/m@v1.0.0: Get \"http://127.0.0.1:{port}/example.com/m/@v/list\": dial tcp 127.0.0.1:{port}: connect: connection refused"
    );
    let target = format!("127.0.0.1:{port}");
    // Without --check: the explanation and an offer to run the checks.
    let out = sb
        .command(&[])
        .args(["explain", &text])
        .output()
        .expect("run");
    let plain = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{plain}");
    assert!(plain.contains("modgate explain --check"), "{plain}");
    assert!(!plain.contains("doctor checks on this machine"), "{plain}");

    // --check --json: the doctor's check lines in `checks`, its findings
    // under `doctor`, beside explain's own findings.
    let out = sb
        .command(&[("GOSUMDB", "off")])
        .args(["explain", "--check", "--json", "--timeout", "4", &text])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    let v = json(&out);
    assert_eq!(v["findings"][0]["code"], "tcp.refused", "{v:#}");
    let checks = v["checks"].as_array().expect("checks");
    assert!(
        checks.iter().any(|c| c["check"] == "tcp"
            && c["target"] == target.as_str()
            && c["status"] == "fail"),
        "{v:#}"
    );
    assert_eq!(v["doctor"]["verdict"], "broken", "{v:#}");
    assert!(
        v["doctor"]["findings"]
            .as_array()
            .expect("doctor findings")
            .iter()
            .any(|f| f["code"] == "tcp.refused" && f["target"] == target.as_str()),
        "{v:#}"
    );

    // --check as text.
    let out = sb
        .command(&[("GOSUMDB", "off")])
        .args(["explain", "--check", &text])
        .output()
        .expect("run");
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("doctor checks on this machine"), "{t}");
    assert!(t.contains("doctor verdict: broken"), "{t}");
    assert!(t.ends_with("verdict: broken\n"), "{t}");

    // The same text once something listens there: the checks do not
    // confirm it.
    let port = serve_ok_proxy();
    let text = format!(
        "go: example.com/m@v1.0.0: Get \"http://127.0.0.1:{port}/example.com/m/@v/list\": dial tcp 127.0.0.1:{port}: connect: connection refused"
    );
    let out = sb
        .command(&[("GOSUMDB", "off")])
        .args(["explain", "--check", "--json", &text])
        .output()
        .expect("run");
    let v = json(&out);
    assert_eq!(v["doctor"]["verdict"], "ok", "{v:#}");
    assert_eq!(v["doctor"]["findings"], serde_json::json!([]), "{v:#}");
}

#[test]
fn insecure_settings() {
    let sb = Sandbox::new();
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let sumdb = local_sumdb();
    let (_, r) = sb.doctor(
        &[
            ("GOPROXY", &proxy),
            ("GOSUMDB", &sumdb),
            ("GOINSECURE", "git.corp.example"),
        ],
        None,
    );
    let f = assert_finding(&r, "config.insecure", "GOINSECURE", "go env -u GOINSECURE");
    assert_eq!(f["severity"], "degraded");
    // GOPRIVATE over public modules turns verification off for them.
    let (_, r) = sb.doctor(
        &[
            ("GOPROXY", &proxy),
            ("GOSUMDB", &sumdb),
            ("GOPRIVATE", "github.com"),
        ],
        None,
    );
    assert_finding(&r, "config.insecure", "GOPRIVATE", "go env -w GOPRIVATE=");
    // A private GOPRIVATE is not an insecure setting.
    let (_, r) = sb.doctor(
        &[
            ("GOPROXY", &proxy),
            ("GOSUMDB", &sumdb),
            ("GOPRIVATE", "git.corp.example,github.com/acme"),
        ],
        None,
    );
    assert_no_code(&r, "config.insecure");
}

#[test]
fn works_without_go_installed() {
    let sb = Sandbox::new();
    // An empty PATH: no go (and no git) to ask.
    let empty = sb.dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let empty = empty.to_str().expect("utf-8");
    let (rc, r) = sb.doctor(
        &[("PATH", empty), ("GOPROXY", "off"), ("GOSUMDB", "off")],
        None,
    );
    assert!(
        r["settings"]
            .as_array()
            .expect("settings")
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.starts_with("go: not found"))),
        "{r:#}"
    );
    assert_finding(&r, "config.goproxy-off", "GOPROXY", "GOPROXY=");
    assert_finding(&r, "config.sumdb-off", "GOSUMDB", "GOSUMDB=sum.golang.org");
    assert_eq!(rc, 0, "degraded only: {r:#}");
    let out = sb
        .command(&[("PATH", empty)])
        .args([
            "explain",
            "--json",
            "go: example.com/m@v1.0.0: module lookup disabled by GOPROXY=off",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    assert_eq!(json(&out)["findings"][0]["code"], "config.goproxy-off");
}

/// A DNS server on loopback standing in for public DNS: NXDOMAIN for names
/// under `intra.example.com`, 127.0.0.1 for any other A query.
fn serve_public_dns() -> u16 {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let port = sock.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            let q = &buf[..n];
            if q.len() < 12 {
                continue;
            }
            // The question: labels up to the root, then type and class.
            let mut i = 12;
            let mut labels = Vec::new();
            while i < q.len() && q[i] != 0 {
                let l = q[i] as usize;
                labels.push(
                    String::from_utf8_lossy(q.get(i + 1..i + 1 + l).unwrap_or(&[])).into_owned(),
                );
                i += 1 + l;
            }
            let end = (i + 5).min(q.len());
            let name = labels.join(".");
            let nx = name.ends_with("intra.example.com");
            let mut r = Vec::new();
            r.extend_from_slice(&q[..2]);
            r.extend_from_slice(if nx { &[0x81, 0x83] } else { &[0x81, 0x80] });
            r.extend_from_slice(&[0, 1, 0, if nx { 0 } else { 1 }, 0, 0, 0, 0]);
            r.extend_from_slice(&q[12..end]);
            if !nx {
                r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
            }
            let _ = sock.send_to(&r, from);
        }
    });
    port
}

#[test]
fn private_leak_for_a_host_public_dns_does_not_know() {
    let sb = Sandbox::new();
    let dns = format!("127.0.0.1:{}", serve_public_dns());
    let m = sb.dir.path().join("mod2");
    std::fs::create_dir_all(&m).expect("mkdir");
    std::fs::write(
        m.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\tmods.intra.example.com/lib v1.0.0\n\tgo.public.example.com/lib v1.0.0\n)\n",
    )
    .expect("go.mod");
    std::fs::write(m.join("go.sum"), "").expect("go.sum");
    let (_, r) = sb.doctor(&[("MODGATE_PUBLIC_DNS", &dns)], Some(&m));
    let f = assert_finding(
        &r,
        "config.private-leak",
        "mods.intra.example.com/lib",
        "go env -w GOPRIVATE=mods.intra.example.com",
    );
    assert!(
        f["evidence"][0]
            .as_str()
            .unwrap_or("")
            .contains("public DNS does not know"),
        "{f:#}"
    );
    // The host public DNS knows is not private.
    assert!(
        !findings(&r)
            .iter()
            .any(|f| f["target"] == "go.public.example.com/lib"),
        "{r:#}"
    );
    // Covered by GOPRIVATE: go would not leak it, no finding.
    let (_, r) = sb.doctor(
        &[
            ("MODGATE_PUBLIC_DNS", &dns),
            ("GOPRIVATE", "mods.intra.example.com"),
        ],
        Some(&m),
    );
    assert_no_code(&r, "config.private-leak");
    // No public resolver answers (a closed port): nothing can be concluded.
    let closed = format!("127.0.0.1:{}", closed_port());
    let (_, r) = sb.doctor(&[("MODGATE_PUBLIC_DNS", &closed)], Some(&m));
    assert_no_code(&r, "config.private-leak");
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    // `modgate doctor | head -1`: the reader is gone before the report is
    // written (the run takes a moment), which must not panic.
    let sb = Sandbox::new();
    let mut child = sb
        .command(&[("GOPROXY", "off"), ("GOSUMDB", "off")])
        .args(["doctor", "--timeout", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code(&out), 0, "{stderr}");
}

#[test]
fn a_socks5_proxy_with_nothing_listening_is_not_ok() {
    // go fails here ("proxyconnect tcp: dial tcp 127.0.0.1:<port>: connect:
    // connection refused"): the doctor must not conclude ok.
    let sb = Sandbox::new();
    let port = closed_port();
    let socks = format!("socks5://127.0.0.1:{port}");
    let (code, r) = sb.doctor(&[("HTTPS_PROXY", &socks)], None);
    assert_eq!(r["verdict"], "broken", "{r:#}");
    assert_eq!(code, 1, "{r:#}");
    let f = assert_finding(
        &r,
        "proxyenv.unreachable",
        &format!("127.0.0.1:{port}"),
        "HTTPS_PROXY",
    );
    assert!(
        f["summary"].as_str().unwrap_or("").contains(&format!(
            "proxyconnect tcp: dial tcp 127.0.0.1:{port}: connect: connection refused"
        )),
        "{f:#}"
    );
    let out = sb
        .command(&[("HTTPS_PROXY", &socks)])
        .args(["doctor", "--timeout", "4"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("go should be able to download"), "{text}");
    assert!(text.ends_with("verdict: broken\n"), "{text}");

    // explain --check on what go printed runs the proxy checks and confirms it.
    let go_text = format!(
        "go: golang.org/x/text@v0.3.0: Get \"https://proxy.golang.org/golang.org/x/text/@v/v0.3.0.mod\": proxyconnect tcp: dial tcp 127.0.0.1:{port}: connect: connection refused"
    );
    let out = sb
        .command(&[("HTTPS_PROXY", &socks)])
        .args(["explain", "--check", "--json", "--timeout", "4", &go_text])
        .output()
        .expect("run");
    let v = json(&out);
    assert_eq!(v["doctor"]["verdict"], "broken", "{v:#}");
}

#[test]
fn a_check_that_could_not_run_makes_the_verdict_unverified() {
    // A private module go fetches with git, and no git on PATH: the doctor
    // cannot run `git ls-remote`, so it cannot say downloads work.
    let sb = Sandbox::new();
    let m = sb.dir.path().join("gitmod");
    std::fs::create_dir_all(&m).expect("mod dir");
    std::fs::write(
        m.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire git.corp.example/team/lib.git v1.0.0\n",
    )
    .expect("go.mod");
    let empty = sb.dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let vars = [
        ("PATH", empty.to_str().expect("utf-8")),
        ("GOPROXY", "off"),
        ("GOSUMDB", "off"),
        ("GOPRIVATE", "git.corp.example"),
    ];
    let (code, r) = sb.doctor(&vars, Some(&m));
    assert_eq!(r["verdict"], "unverified", "{r:#}");
    assert_eq!(code, 3, "{r:#}");
    let unverified = r["unverified"].as_array().expect("unverified list");
    assert!(
        unverified.iter().any(|u| u
            .as_str()
            .is_some_and(|u| u.contains("https://git.corp.example/team/lib.git")
                && u.contains("git is not on PATH"))),
        "{r:#}"
    );
    let out = sb
        .command(&vars)
        .args(["doctor", "--timeout", "4", "--module"])
        .arg(&m)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code_of(&out), 3, "{text}");
    assert!(text.contains("could not verify: git access to"), "{text}");
    assert!(!text.contains("go should be able to download"), "{text}");
    assert!(text.ends_with("verdict: unverified\n"), "{text}");
}
