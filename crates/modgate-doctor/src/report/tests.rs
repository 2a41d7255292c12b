use super::*;
use crate::finding::Code;

fn finding(code: Code, severity: Severity) -> Finding {
    Finding {
        code,
        severity,
        target: "t".into(),
        summary: "s".into(),
        evidence: vec!["e".into()],
        fix: vec!["f".into()],
    }
}

#[test]
fn verdict_and_exit_code() {
    let r = Report::new(vec![], vec![], vec![], Duration::ZERO);
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Ok, 0));
    let r = Report::new(
        vec![],
        vec![],
        vec![
            finding(Code::DnsTimeout, Severity::Degraded),
            finding(Code::Insecure, Severity::Info),
        ],
        Duration::ZERO,
    );
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Degraded, 0));
    let r = Report::new(
        vec![],
        vec![],
        vec![
            finding(Code::DnsTimeout, Severity::Degraded),
            finding(Code::TcpReset, Severity::Broken),
        ],
        Duration::ZERO,
    );
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Broken, 1));
    assert_eq!(r.findings[0].code, Code::TcpReset, "most severe first");
}

#[test]
fn json_shape() {
    let check = Check {
        kind: "tcp",
        target: "10.0.0.1:443".into(),
        status: Status::Fail,
        elapsed: Some(Duration::from_millis(12)),
        detail: "refused".into(),
    };
    let r = Report::new(
        vec!["GOPROXY=x".into()],
        vec![check],
        vec![finding(Code::TcpRefused, Severity::Broken)],
        Duration::from_millis(20),
    );
    let j = r.to_json();
    assert_eq!(j["verdict"], "broken");
    assert_eq!(j["checks"][0]["check"], "tcp");
    assert_eq!(j["checks"][0]["status"], "fail");
    assert_eq!(j["checks"][0]["ms"], 12.0);
    let f = &j["findings"][0];
    assert_eq!(f["code"], "tcp.refused");
    assert_eq!(f["severity"], "broken");
    assert_eq!(f["target"], "t");
    assert_eq!(f["summary"], "s");
    assert_eq!(f["evidence"][0], "e");
    assert_eq!(f["fix"][0], "f");
    let s = r.to_json_string();
    let order: Vec<usize> = [
        "\"verdict\"",
        "\"checks\"",
        "\"findings\"",
        "\"elapsed_ms\"",
    ]
    .iter()
    .map(|k| s.find(k).expect("key"))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{s}");
    let text = r.to_text();
    assert!(
        text.contains("broken   tcp.refused  t\n  s\n  | e\n  fix:\n    f\n"),
        "{text}"
    );
    assert!(text.ends_with("verdict: broken\n"), "{text}");
}

#[test]
fn a_check_that_could_not_run_is_never_ok() {
    let skipped = "proxy.example:443 through the proxy socks4://p:1080: not probed".to_string();
    // Nothing found, but something was not checked: unverified, exit 3.
    let r =
        Report::new(vec![], vec![], vec![], Duration::ZERO).with_unverified(vec![skipped.clone()]);
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Unverified, 3));
    let text = r.to_text();
    assert!(!text.contains("go should be able to download"), "{text}");
    assert!(
        text.contains(&format!("could not verify: {skipped}")),
        "{text}"
    );
    assert!(text.ends_with("verdict: unverified\n"), "{text}");
    let j = r.to_json();
    assert_eq!(j["verdict"], "unverified");
    assert_eq!(j["unverified"][0], skipped.as_str());
    // A degraded finding does not hide it; a broken one decides.
    let r = Report::new(
        vec![],
        vec![],
        vec![finding(Code::DnsTimeout, Severity::Degraded)],
        Duration::ZERO,
    )
    .with_unverified(vec![skipped.clone()]);
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Unverified, 3));
    let r = Report::new(
        vec![],
        vec![],
        vec![finding(Code::TcpReset, Severity::Broken)],
        Duration::ZERO,
    )
    .with_unverified(vec![skipped]);
    assert_eq!((r.verdict(), r.exit_code()), (Verdict::Broken, 1));
    // Nothing verified at all when the doctor itself could not run.
    let r = Report::internal_error("no runtime".into());
    assert_eq!(r.verdict(), Verdict::Unverified);
    // And a clean run stays ok, with an empty list in the JSON.
    let r = Report::new(vec![], vec![], vec![], Duration::ZERO);
    assert_eq!(r.to_json()["unverified"], serde_json::json!([]));
}
