//! Faults, one per test: what `modgate serve` does when its upstream misbehaves.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    let big = "y".repeat(200_000);
    f.add(
        "example.com/m",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/m\n"),
            ("m.go", "package m\n"),
            ("big.txt", &big),
        ],
    );
    f
}

fn get(server: &Running, path: &str) -> (u16, String) {
    let r = http()
        .get(format!("{}{path}", server.url()))
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

#[test]
fn upstream_down_is_a_502_naming_it() {
    let down = closed_port();
    let server = start(ServerSpec::new(&format!("http://{down}")));
    let (status, text) = get(&server, "/example.com/m/@v/v1.0.0.info");
    assert_eq!(status, 502);
    assert!(
        text.starts_with(&format!(
            "upstream http://{down}: reading http://{down}/example.com/m/@v/v1.0.0.info: "
        )),
        "{text}"
    );
    assert_eq!(stored_files(&server.data), Vec::<String>::new());
}

#[test]
fn upstream_refusing_and_500_are_terminal_after_comma_but_fall_through_after_pipe() {
    let fx = fixture();
    let bad = FakeUpstream::start(fx.root());
    for code in [403, 500] {
        bad.set(Mode::Status(code));
        let server = start(ServerSpec::new(&format!("{},{}", bad.url(), fx.url())));
        let (status, text) = get(&server, "/example.com/m/@v/v1.0.0.mod");
        assert_eq!(status, 502, "{code}");
        assert!(text.contains(&format!("v1.0.0.mod: {code} ")), "{text}");
        assert!(
            text.contains(&format!("server response: injected fault {code}")),
            "{text}"
        );
        let server = start(ServerSpec::new(&format!("{}|,{}", bad.url(), fx.url())));
        let (status, text) = get(&server, "/example.com/m/@v/v1.0.0.mod");
        assert_eq!(
            (status, text.as_str()),
            (200, "module example.com/m\n"),
            "{code}"
        );
    }
    // 404 falls through after ',' too.
    bad.set(Mode::Status(404));
    let server = start(ServerSpec::new(&format!("{},{}", bad.url(), fx.url())));
    assert_eq!(get(&server, "/example.com/m/@v/v1.0.0.mod").0, 200);
}

#[test]
fn upstream_hanging_past_the_timeout_is_a_504() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    up.set(Mode::Hang);
    let mut spec = ServerSpec::new(&up.url());
    spec.config.timeout = Duration::from_millis(400);
    let server = start(spec);
    let start = Instant::now();
    let (status, text) = get(&server, "/example.com/m/@v/list");
    assert_eq!(status, 504, "{text}");
    assert!(
        text.contains("timed out") || text.contains("timeout"),
        "{text}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn truncated_body_is_retried_then_refused_and_never_stored() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    up.set(Mode::Truncate);
    let server = start(ServerSpec::new(&up.url()));
    let (status, _) = get(&server, "/example.com/m/@v/v1.0.0.zip");
    assert_eq!(status, 502);
    assert_eq!(up.hits("/example.com/m/@v/v1.0.0.zip"), 3, "two retries");
    assert_eq!(stored_files(&server.data), Vec::<String>::new());
    assert_eq!(
        std::fs::read_dir(server.data.join(".tmp")).unwrap().count(),
        0
    );
    // Once the upstream heals, the same request succeeds.
    up.set(Mode::Serve);
    assert_eq!(get(&server, "/example.com/m/@v/v1.0.0.zip").0, 200);
}

#[test]
fn info_for_another_version_is_refused() {
    let fx = fixture();
    // The upstream answers v1.0.1.info with v1.0.0's content.
    let dir = fx.root().join("example.com/m/@v");
    std::fs::copy(dir.join("v1.0.0.info"), dir.join("v1.0.1.info")).unwrap();
    let server = start(ServerSpec::new(&fx.url()));
    let (status, text) = get(&server, "/example.com/m/@v/v1.0.1.info");
    assert_eq!(status, 502);
    assert!(
        text.contains("proxy returned info for version v1.0.0 instead of requested version v1.0.1"),
        "{text}"
    );
    let metrics = get(&server, "/metrics").1;
    assert!(
        metrics.contains("modgate_verification_failures_total{reason=\"info_mismatch\"} 1"),
        "{metrics}"
    );
    assert!(!server.data.join("example.com/m/@v/v1.0.1.info").exists());
}

#[test]
fn concurrent_identical_misses_make_one_upstream_fetch() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    up.set(Mode::Slow(Duration::from_millis(600)));
    let server = start(ServerSpec::new(&up.url()));
    let url = format!("{}/example.com/m/@v/v1.0.0.zip", server.url());
    let want = std::fs::read(fx.root().join("example.com/m/@v/v1.0.0.zip")).unwrap();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || http().get(url).send().unwrap().bytes().unwrap().to_vec())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), want);
    }
    assert_eq!(up.hits("/example.com/m/@v/v1.0.0.zip"), 1);
    let metrics = get(&server, "/metrics").1;
    let waits: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("modgate_singleflight_waits_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(waits >= 1, "{metrics}");
}

#[test]
fn not_found_is_cached_briefly() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    let mut spec = ServerSpec::new(&up.url());
    spec.config.negative_ttl = Duration::from_secs(1);
    let server = start(spec);
    for _ in 0..3 {
        let (status, _) = get(&server, "/example.com/nope/@latest");
        assert_eq!(status, 404);
    }
    assert_eq!(up.hits("/example.com/nope/@latest"), 1);
    std::thread::sleep(Duration::from_millis(1100));
    get(&server, "/example.com/nope/@latest");
    assert_eq!(up.hits("/example.com/nope/@latest"), 2);
}

#[test]
fn lists_are_revalidated_in_the_background_and_served_stale_on_error() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    let list = fx.root().join("example.com/m/@v/list");

    // stale-while-revalidate: a stale list is served at once and refreshed behind.
    let mut spec = ServerSpec::new(&up.url());
    spec.config.fresh_for = Duration::ZERO;
    spec.config.stale_while_revalidate = Duration::from_secs(60);
    let server = start(spec);
    assert_eq!(get(&server, "/example.com/m/@v/list").1, "v1.0.0\n");
    std::fs::write(&list, "v1.0.0\nv1.1.0\n").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        get(&server, "/example.com/m/@v/list").1,
        "v1.0.0\n",
        "stale copy served first"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(&server, "/example.com/m/@v/list").1 != "v1.0.0\nv1.1.0\n" {
        assert!(Instant::now() < deadline, "background refresh never landed");
        std::thread::sleep(Duration::from_millis(20));
    }

    // stale-if-error: past the revalidation window the upstream is asked first, and
    // its failure is hidden by the stored copy.
    let mut spec = ServerSpec::new(&up.url());
    spec.config.fresh_for = Duration::ZERO;
    spec.config.stale_while_revalidate = Duration::ZERO;
    let server = start(spec);
    assert_eq!(get(&server, "/example.com/m/@v/list").0, 200);
    up.set(Mode::Status(500));
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        get(&server, "/example.com/m/@v/list"),
        (200, "v1.0.0\nv1.1.0\n".to_owned())
    );
}

#[test]
fn go_mod_download_reports_the_upstream_failure() {
    let down = closed_port();
    let server = start(ServerSpec::new(&format!("http://{down}")));
    let home = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    let out = run(cmd
        .current_dir(home.path())
        .args(["mod", "download", "example.com/m@v1.0.0"]));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("502 Bad Gateway"), "{err}");
    assert!(
        err.contains(&format!("server response: upstream http://{down}")),
        "{err}"
    );
}
