use super::*;

#[test]
fn resolv_conf_like_go() {
    let c = parse_resolv_conf(
        "r",
        "# c\n; c\nnameserver 10.0.0.1\nnameserver bad\nnameserver fd00::53\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp.example lab.\noptions ndots:2 timeout:3 attempts:4 rotate\n",
    );
    assert_eq!(
        c.servers,
        vec![
            "10.0.0.1:53".parse().expect("a"),
            "[fd00::53]:53".parse().expect("a"),
            "10.0.0.2:53".parse().expect("a")
        ]
    );
    assert_eq!(
        c.search,
        vec!["corp.example.".to_string(), "lab.".to_string()]
    );
    assert_eq!(
        (c.ndots, c.timeout, c.attempts, c.defaulted),
        (2, Duration::from_secs(3), 4, false)
    );
    assert_eq!(
        c.name_list("proxy.golang.org"),
        vec![
            "proxy.golang.org.",
            "proxy.golang.org.corp.example.",
            "proxy.golang.org.lab."
        ]
    );
    assert_eq!(
        c.name_list("gitlab"),
        vec!["gitlab.corp.example.", "gitlab.lab.", "gitlab."]
    );
    let empty = parse_resolv_conf("r", "");
    assert!(empty.defaulted);
    assert_eq!(empty.servers.len(), 2);
}

#[test]
fn hosts_file_lookup() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path().join("hosts");
    std::fs::write(&p, "127.0.0.1 localhost\n10.1.1.1 Proxy.Corp # comment\nfd00::1 proxy.corp\n# 10.9.9.9 proxy.corp\n").expect("write");
    assert_eq!(
        hosts_lookup(&p, "proxy.corp"),
        vec![
            IpAddr::from([10, 1, 1, 1]),
            "fd00::1".parse::<IpAddr>().expect("ip")
        ]
    );
    assert!(hosts_lookup(&p, "other").is_empty());
}

#[test]
fn go_server_order_semantics() {
    let conf = parse_resolv_conf("r", "nameserver 10.0.0.1\nnameserver 10.0.0.2\n");
    let q = |server: &str, answer: Answer| QueryResult {
        server: format!("{server}:53").parse().expect("addr"),
        name: "x.".into(),
        family: Family::A,
        answer,
        elapsed: Duration::from_millis(1),
    };
    // SERVFAIL from the first server: Go asks the second.
    let r = [
        q("10.0.0.1", Answer::Misbehaving("SERVFAIL".into())),
        q("10.0.0.2", Answer::Addrs(vec![IpAddr::from([1, 2, 3, 4])])),
    ];
    let v = go_view(&r, &conf, Family::A);
    assert_eq!(
        v.answer.map(|a| a.server.to_string()),
        Some("10.0.0.2:53".into())
    );
    // NXDOMAIN from the first server ends the search.
    let r = [
        q("10.0.0.1", Answer::NxDomain),
        q("10.0.0.2", Answer::Addrs(vec![IpAddr::from([1, 2, 3, 4])])),
    ];
    assert_eq!(
        go_view(&r, &conf, Family::A)
            .answer
            .map(|a| a.answer.clone()),
        Some(Answer::NxDomain)
    );
    // A timeout first: the answer comes, after a wait.
    let r = [
        q("10.0.0.1", Answer::Timeout),
        q("10.0.0.2", Answer::NoData),
    ];
    let v = go_view(&r, &conf, Family::A);
    assert_eq!(v.waited_on.len(), 1);
    assert!(v.answer.is_some());
}
