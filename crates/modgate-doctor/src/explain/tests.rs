use super::*;

#[test]
fn records_join_continuations_and_drop_noise() {
    let text = "$ go get example.com/hello@v1.0.0\n\
go: downloading example.com/hello v1.0.0\n\
verifying example.com/hello@v1.0.0: checksum mismatch\n\
\tdownloaded: h1:aaa=\n\
\tgo.sum:     h1:bbb=\n\
\n\
SECURITY ERROR\n\
This download does NOT match an earlier download recorded in go.sum.\n\
\n\
For more information, see 'go help module-auth'.\n\
go: github.com/acme/private@v1.2.0: invalid version: git ls-remote -q origin: exit status 128:\n\
\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\n\
Confirm the import path was entered correctly.\n\
If this is a private repository, see https://go.dev/doc/faq#git_https for additional information.\n";
    let recs = record::split(text);
    assert_eq!(recs.len(), 2, "{recs:#?}");
    assert_eq!(recs[0].lines.len(), 6);
    assert!(recs[0].text().contains("SECURITY ERROR"));
    assert_eq!(recs[1].lines.len(), 4);
    assert!(
        recs[1]
            .first_line()
            .starts_with("go: github.com/acme/private")
    );
}

#[test]
fn platform_is_read_from_errno_and_winsock_texts() {
    let cases: &[(&str, Option<Os>)] = &[
        ("write: socket is not connected", Some(Os::Darwin)),
        (
            "write: transport endpoint is not connected",
            Some(Os::Linux),
        ),
        ("connect: operation timed out", Some(Os::Darwin)),
        ("connect: connection timed out", Some(Os::Linux)),
        (
            "wsarecv: An existing connection was forcibly closed by the remote host.",
            Some(Os::Windows),
        ),
        (
            "connectex: No connection could be made because the target machine actively refused it.",
            Some(Os::Windows),
        ),
        // Winsock's ENOTCONN message contains the darwin words: Windows wins.
        (
            "wsasend: A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied.",
            Some(Os::Windows),
        ),
        ("go: downloading go1.23.4 (darwin/arm64)", Some(Os::Darwin)),
        (
            "go: download go1.23.4 for windows/amd64: toolchain not available",
            Some(Os::Windows),
        ),
        (
            "write tcp [fe80::1%utun4]:1->[2a00::1]:443: write: broken pipe",
            Some(Os::Darwin),
        ),
        (
            "ssh: Could not resolve hostname h: Name or service not known",
            Some(Os::Linux),
        ),
        (
            "ssh: Could not resolve hostname h: nodename nor servname provided, or not known",
            Some(Os::Darwin),
        ),
        // Weak hints only when nothing stronger is there.
        (
            "in /Users/dev/go/pkg/mod/cache/vcs/x: exit status 128",
            Some(Os::Darwin),
        ),
        (
            "in C:\\Users\\dev\\go\\pkg\\mod: exit status 128",
            Some(Os::Windows),
        ),
        ("/home/dev: connect: operation timed out", Some(Os::Darwin)),
        ("dial tcp 1.2.3.4:443: connect: connection refused", None),
        ("", None),
    ];
    for &(text, want) in cases {
        assert_eq!(platform::detect(text).map(|p| p.os), want, "{text}");
    }
    let p = platform::detect("x: write: socket is not connected")
        .unwrap_or_else(|| panic!("no platform"));
    assert_eq!(p.evidence, "socket is not connected");
    let t = platform::detect("go: downloading go1.99.1 (linux/amd64)")
        .unwrap_or_else(|| panic!("no platform"));
    assert_eq!(t.evidence, "(linux/amd64)");
    assert!(p.reason.contains("ENOTCONN"));
}

#[test]
fn unknown_text_is_not_guessed() {
    for text in [
        "",
        "Segmentation fault (core dumped)",
        "go: cannot find main module, but found .git/config in /srv/app",
        "error: something went wrong on line 3",
        "go: downloading example.com/hello v1.0.0",
    ] {
        let e = explain(text);
        assert!(e.findings.is_empty(), "{text:?} gave {:?}", e.codes());
        assert_eq!(e.verdict(), Verdict::Unknown, "{text:?}");
        assert!(
            render::to_text(&e, false).contains("no known cause"),
            "{text:?}"
        );
    }
    // The unrecognised line is shown, progress noise is not.
    let e = explain("go: downloading x v1\nSegmentation fault\n");
    assert_eq!(e.unexplained, vec!["Segmentation fault".to_string()]);
}

const REFUSED: &str = "go: example.com/foo@v1.0.0: Get \"http://127.0.0.1:1/example.com/foo/@v/v1.0.0.info\": dial tcp 127.0.0.1:1: connect: connection refused";
const OFF: &str = "go: example.com/foo@v1.0.0: module lookup disabled by GOPROXY=off";
const NXDOMAIN_A: &str = "go: github.com/pkg/errors@v0.9.1: Get \"https://proxy.golang.org/github.com/pkg/errors/@v/v0.9.1.info\": dial tcp: lookup proxy.golang.org on 10.0.0.2:53: no such host";
const NXDOMAIN_B: &str = "go: golang.org/x/text@v0.14.0: Get \"https://proxy.golang.org/golang.org/x/text/@v/v0.14.0.mod\": dial tcp: lookup proxy.golang.org on 10.0.0.2:53: no such host";

#[test]
fn several_errors_give_several_findings_and_repeats_merge() {
    let e = explain(&format!("{OFF}\n{REFUSED}\n{NXDOMAIN_A}\n{NXDOMAIN_B}\n"));
    assert_eq!(
        e.codes(),
        vec![Code::GoproxyOff, Code::TcpRefused, Code::DnsNxdomain],
        "{:#?}",
        e.findings
    );
    let dns = &e.findings[2];
    assert_eq!(dns.target, "proxy.golang.org");
    // Both lines are kept as evidence of the one finding.
    assert!(
        dns.evidence
            .iter()
            .any(|l| l.contains("github.com/pkg/errors"))
    );
    assert!(dns.evidence.iter().any(|l| l.contains("golang.org/x/text")));
    assert_eq!(e.verdict(), Verdict::Broken);
}

#[test]
fn evidence_is_capped() {
    let many: String = (0..10)
        .map(|i| {
            format!(
                "go: example.com/m{i}@v1.0.0: Get \"https://proxy.golang.org/example.com/m{i}/@v/v1.0.0.info\": dial tcp: lookup proxy.golang.org on 10.0.0.2:53: no such host\n"
            )
        })
        .collect();
    let e = explain(&many);
    assert_eq!(e.findings.len(), 1);
    assert_eq!(e.findings[0].evidence.len(), MAX_EVIDENCE + 1);
    assert_eq!(
        e.findings[0].evidence.last().map(String::as_str),
        Some("(and 6 more lines like these)")
    );
}

#[test]
fn server_response_is_not_diagnosed_as_this_machine() {
    // The proxy's own git failure (terminal prompts disabled) is a hint that
    // the module is private, not a git problem on this machine.
    let text = "go: github.com/acme/private@v1.2.0: reading https://proxy.golang.org/github.com/acme/private/@v/v1.2.0.info: 404 Not Found\n\
\tserver response:\n\
\tnot found: github.com/acme/private@v1.2.0: invalid version: git ls-remote -q origin in /tmp/x: exit status 128:\n\
\t\tfatal: could not read Username for 'https://github.com': terminal prompts disabled\n";
    let e = explain(text);
    assert_eq!(e.codes(), vec![Code::PrivateLeak]);
    let f = &e.findings[0];
    assert_eq!(f.target, "github.com/acme/private");
    assert!(
        f.fix
            .iter()
            .any(|l| l == "go env -w GOPRIVATE=github.com/acme"),
        "{:?}",
        f.fix
    );
}

#[test]
fn private_prefixes_and_private_hosts() {
    let cases: &[(&str, &str)] = &[
        ("github.com/acme/private", "github.com/acme"),
        ("github.com/acme/private/v2", "github.com/acme"),
        ("dev.azure.com/org/project/repo.git", "dev.azure.com/org"),
        ("git.corp.example/team/lib", "git.corp.example"),
        ("gitlab.company.com/group/sub/repo", "gitlab.company.com"),
        ("github.com", "github.com"),
    ];
    for &(module, want) in cases {
        assert_eq!(fix::private_prefix(module), want, "{module}");
    }
    for host in [
        "git.corp",
        "svc.internal",
        "10.1.2.3",
        "gitlab",
        "repo.lan:8080",
        "x.local",
    ] {
        assert!(fix::host_looks_private(host), "{host}");
    }
    for host in [
        "github.com",
        "proxy.golang.org",
        "gitlab.company.com",
        "golang.org",
    ] {
        assert!(!fix::host_looks_private(host), "{host}");
    }
}

#[test]
fn fix_commands_are_shell_safe_and_platform_specific() {
    assert_eq!(
        fix::go_env_w("GOPROXY", "https://proxy.golang.org|direct"),
        "go env -w 'GOPROXY=https://proxy.golang.org|direct'"
    );
    assert_eq!(
        fix::go_env_w("GOPRIVATE", "github.com/acme"),
        "go env -w GOPRIVATE=github.com/acme"
    );
    assert_eq!(
        fix::set_env(None, "GODEBUG", "tlsmlkem=0"),
        "export GODEBUG=tlsmlkem=0"
    );
    assert_eq!(
        fix::set_env(Some(Os::Windows), "GODEBUG", "tlsmlkem=0"),
        "$env:GODEBUG = \"tlsmlkem=0\""
    );
    assert_eq!(fix::interceptor("Zscaler Root CA"), Some("Zscaler"));
    assert_eq!(
        fix::interceptor("netskope Certificate Authority"),
        Some("Netskope")
    );
    assert_eq!(fix::interceptor("Lab Trusted Root CA"), None);
    // The same text gets platform-specific commands.
    let win = explain(
        "Get \"https://proxy.golang.org/x.y/z/@v/list\": read tcp 10.0.0.2:5->1.2.3.4:443: wsarecv: An existing connection was forcibly closed by the remote host.",
    );
    assert!(
        win.findings[0]
            .fix
            .iter()
            .any(|l| l.starts_with("$env:GODEBUG")),
        "{:?}",
        win.findings[0].fix
    );
    let unix = explain(
        "Get \"https://proxy.golang.org/x.y/z/@v/list\": read tcp 10.0.0.2:5->1.2.3.4:443: read: connection reset by peer",
    );
    assert!(
        unix.findings[0]
            .fix
            .iter()
            .any(|l| l.starts_with("export GODEBUG")),
        "{:?}",
        unix.findings[0].fix
    );
}

#[test]
fn enotconn_names_the_platform_and_the_vpn() {
    let mac = explain(
        "go: x.y/z@v1.0.0: Get \"https://proxy.golang.org/x.y/z/@v/list\": write tcp [fe80::bed0:74ff:fe64:598e%utun4]:56330->[2a00:1450:4001:82b::2011]:443: write: socket is not connected",
    );
    assert_eq!(mac.codes(), vec![Code::Ipv6Broken]);
    assert_eq!(mac.platform.as_ref().map(|p| p.os), Some(Os::Darwin));
    let f = &mac.findings[0];
    assert_eq!(f.target, "proxy.golang.org:443");
    assert!(
        f.summary.contains("utun4") && f.summary.contains("macOS/BSD"),
        "{}",
        f.summary
    );
    assert!(
        f.evidence
            .iter()
            .any(|l| l.starts_with("platform: macOS or BSD")),
        "{:?}",
        f.evidence
    );
    let linux = explain(
        "Get \"https://proxy.golang.org/x.y/z/@v/list\": write tcp [2001:db8::5]:1->[2a00:1450::1]:443: write: transport endpoint is not connected",
    );
    assert_eq!(linux.codes(), vec![Code::Ipv6Broken]);
    assert!(
        linux.findings[0]
            .fix
            .iter()
            .any(|l| l.contains("/etc/gai.conf"))
    );
    // ENOTCONN over IPv4 is not an IPv6 problem.
    let v4 = explain(
        "Get \"https://proxy.golang.org/x.y/z/@v/list\": write tcp 10.0.0.2:1->142.250.1.1:443: write: socket is not connected",
    );
    assert_eq!(v4.codes(), vec![Code::TcpReset]);
}

#[test]
fn json_has_the_doctor_shape() {
    let e = explain(&format!("{OFF}\n{REFUSED}\n"));
    let v = json::to_value(&e);
    assert_eq!(v["verdict"], "broken");
    assert_eq!(v["checks"], serde_json::json!([]));
    let findings = v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("findings: {v}"));
    assert_eq!(findings.len(), 2);
    let keys: Vec<&str> = findings[0]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut want = vec!["code", "evidence", "fix", "severity", "summary", "target"];
    want.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, want);
    assert_eq!(findings[0]["code"], "config.goproxy-off");
    assert_eq!(findings[0]["severity"], "broken");
    assert_eq!(findings[1]["target"], "127.0.0.1:1");
    assert!(findings[1]["fix"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        v["suggested_checks"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["check"] == "tcp"))
    );
    assert_eq!(v["unexplained"], serde_json::json!([]));
    assert_eq!(v["platform"], serde_json::Value::Null);
    // The text parses back as the same JSON, with the shared keys first.
    let text = json::to_string_pretty(&e);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).ok(),
        Some(v)
    );
    let order: Vec<usize> = ["\"verdict\"", "\"checks\"", "\"findings\"", "\"platform\""]
        .iter()
        .map(|k| text.find(k).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    // Unknown text: verdict "unknown", no findings.
    let u = json::to_value(&explain("Segmentation fault"));
    assert_eq!(u["verdict"], "unknown");
    assert_eq!(u["unexplained"], serde_json::json!(["Segmentation fault"]));
}

#[test]
fn shared_report_json_serialises_any_checks() {
    #[derive(serde::Serialize)]
    struct Check {
        name: &'static str,
        ms: u32,
    }
    let findings = explain(REFUSED).findings;
    let checks = [Check {
        name: "tcp 127.0.0.1:1",
        ms: 3,
    }];
    let v = serde_json::to_value(json::ReportJson::new(&checks, &findings)).unwrap_or_default();
    assert_eq!(v["verdict"], "broken");
    assert_eq!(v["checks"][0]["name"], "tcp 127.0.0.1:1");
    assert_eq!(v["findings"][0]["code"], "tcp.refused");
    assert_eq!(Verdict::from_findings(&[]), Verdict::Ok);
}

#[test]
fn text_rendering_shows_code_target_evidence_fix_and_verdict() {
    let e = explain(REFUSED);
    let t = render::to_text(&e, true);
    assert!(t.contains("broken   tcp.refused  127.0.0.1:1"), "{t}");
    assert!(t.contains("  | go: example.com/foo@v1.0.0"), "{t}");
    assert!(
        t.contains("  fix:\n    go env -w 'GOPROXY=http://127.0.0.1:1|direct'"),
        "{t}"
    );
    assert!(t.contains("doctor checks that would confirm this"), "{t}");
    assert!(t.ends_with("verdict: broken\n"), "{t}");
}

#[test]
fn suggested_checks_follow_the_findings() {
    let e = explain(&format!("{NXDOMAIN_A}\n{REFUSED}\n{OFF}\n"));
    let checks: Vec<(&str, String)> = e
        .suggested_checks()
        .into_iter()
        .map(|c| (c.check, c.target))
        .collect();
    assert_eq!(
        checks,
        vec![
            ("dns", "proxy.golang.org".to_string()),
            ("tcp", "127.0.0.1:1".to_string()),
            ("config", "go env".to_string()),
        ]
    );
    // Local-state findings need no network check.
    let sum = explain(
        "verifying example.com/hello@v1.0.0: checksum mismatch\n\tdownloaded: h1:a=\n\tgo.sum:     h1:b=\n",
    );
    assert_eq!(sum.codes(), vec![Code::GoSumMismatch]);
    assert!(sum.suggested_checks().is_empty());
}

#[test]
fn every_enotconn_form_is_the_broken_path_diagnosis() {
    // (text after `Get "https://proxy.golang.org/x.y/z/@v/list": `, code, platform, op words)
    let cases: &[(&str, Code, Os, &str)] = &[
        (
            "dial tcp [2a00:1450::1]:443: connect: socket is not connected",
            Code::Ipv6Broken,
            Os::Darwin,
            "the connect itself failed",
        ),
        (
            "read tcp [fe80::1%utun4]:1->[2a00:1450::1]:443: read: socket is not connected",
            Code::Ipv6Broken,
            Os::Darwin,
            "the first read failed",
        ),
        (
            "write tcp [fe80::1%utun4]:1->[2a00:1450::1]:443: write: socket is not connected",
            Code::Ipv6Broken,
            Os::Darwin,
            "the first write failed",
        ),
        (
            "dial tcp [2a00:1450::1]:443: connect: transport endpoint is not connected",
            Code::Ipv6Broken,
            Os::Linux,
            "the connect itself failed",
        ),
        (
            "read tcp [2001:db8::5]:1->[2a00:1450::1]:443: read: transport endpoint is not connected",
            Code::Ipv6Broken,
            Os::Linux,
            "the first read failed",
        ),
        (
            "write tcp [2001:db8::5]:1->[2a00:1450::1]:443: write: transport endpoint is not connected",
            Code::Ipv6Broken,
            Os::Linux,
            "the first write failed",
        ),
        (
            "dial tcp 142.250.1.1:443: connect: transport endpoint is not connected",
            Code::TcpReset,
            Os::Linux,
            "the connect itself failed",
        ),
        (
            "read tcp 10.0.0.2:1->142.250.1.1:443: read: socket is not connected",
            Code::TcpReset,
            Os::Darwin,
            "the first read failed",
        ),
    ];
    for (tail, code, os, op) in cases {
        let text =
            format!("go: x.y/z@v1.0.0: Get \"https://proxy.golang.org/x.y/z/@v/list\": {tail}");
        let e = explain(&text);
        assert_eq!(e.codes(), vec![*code], "{tail}");
        assert_eq!(e.platform.as_ref().map(|p| p.os), Some(*os), "{tail}");
        let f = &e.findings[0];
        assert_eq!(f.target, "proxy.golang.org:443", "{tail}");
        assert!(f.summary.contains(op), "{tail}: {}", f.summary);
        assert!(f.summary.contains("ENOTCONN"), "{tail}: {}", f.summary);
        assert!(f.summary.contains("VPN"), "{tail}: {}", f.summary);
        assert!(
            f.evidence.iter().any(|l| l.starts_with("platform: ")),
            "{tail}: {:?}",
            f.evidence
        );
        assert!(!f.fix.is_empty(), "{tail}");
    }
}
