//! HTTP semantics of `modgate serve`, checked with a real HTTP client.

mod common;

use common::*;
use reqwest::header;

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    let big = "x".repeat(100_000);
    f.add(
        "example.com/m",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/m\n"),
            ("m.go", "package m\n"),
            ("data.txt", &big),
        ],
    );
    // Incompressible: its zip is larger than what is kept in memory.
    let noise = modgate_testkit::noise_text(200_000, 0x2545_f491_4f6c_dd1d);
    f.add(
        "example.com/m",
        "v1.1.0",
        &[("go.mod", "module example.com/m\n"), ("noise.txt", &noise)],
    );
    f
}

/// Small files are answered from memory after their first read, large ones are
/// streamed from storage: both must behave the same, first time and after.
#[test]
fn validators_ranges_and_cache_control() {
    let fx = fixture();
    let server = start(ServerSpec::new(&fx.url()));
    for version in ["v1.0.0", "v1.1.0"] {
        for _ in 0..2 {
            check_validators(&fx, &server, version);
        }
    }
    let small = std::fs::metadata(fx.root().join("example.com/m/@v/v1.0.0.zip")).unwrap();
    let large = std::fs::metadata(fx.root().join("example.com/m/@v/v1.1.0.zip")).unwrap();
    assert!(small.len() < 64 << 10 && large.len() > 64 << 10);
}

fn check_validators(fx: &Fixture, server: &Running, version: &str) {
    let c = http();
    let url = format!("{}/example.com/m/@v/{version}.zip", server.url());
    let full = c
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .unwrap();
    assert_eq!(full.status(), 200);
    let h = full.headers().clone();
    let body = full.bytes().unwrap();
    assert_eq!(h[header::CONTENT_LENGTH], body.len().to_string().as_str());
    assert_eq!(h[header::CONTENT_TYPE], "application/zip");
    assert_eq!(
        h[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(h[header::ACCEPT_RANGES], "bytes");
    assert!(
        h.get(header::CONTENT_ENCODING).is_none(),
        "zips are never encoded"
    );
    let etag = h[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "strong ETag: {etag}");
    let last_modified = h[header::LAST_MODIFIED].to_str().unwrap().to_owned();
    assert_eq!(
        &body[..],
        std::fs::read(fx.root().join(format!("example.com/m/@v/{version}.zip"))).unwrap()
    );

    // HEAD: same headers, no body.
    let head = c.head(&url).send().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()[header::CONTENT_LENGTH],
        body.len().to_string().as_str()
    );
    assert_eq!(head.headers()[header::ETAG], etag.as_str());
    assert!(head.bytes().unwrap().is_empty());

    // Range, and a resumed download with If-Range (what Go 1.27 sends).
    let part = c
        .get(&url)
        .header(header::RANGE, "bytes=10-19")
        .send()
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()[header::CONTENT_RANGE],
        format!("bytes 10-19/{}", body.len()).as_str()
    );
    assert_eq!(&part.bytes().unwrap()[..], &body[10..20]);
    let resume = c
        .get(&url)
        .header(header::RANGE, "bytes=100-")
        .header(header::IF_RANGE, &etag)
        .send()
        .unwrap();
    assert_eq!(resume.status(), 206);
    assert_eq!(&resume.bytes().unwrap()[..], &body[100..]);
    let by_date = c
        .get(&url)
        .header(header::RANGE, "bytes=100-")
        .header(header::IF_RANGE, &last_modified)
        .send()
        .unwrap();
    assert_eq!(by_date.status(), 206);
    let changed = c
        .get(&url)
        .header(header::RANGE, "bytes=100-")
        .header(header::IF_RANGE, "\"other\"")
        .send()
        .unwrap();
    assert_eq!(
        changed.status(),
        200,
        "a stale If-Range gets the whole file"
    );
    assert_eq!(changed.bytes().unwrap().len(), body.len());
    let past = c
        .get(&url)
        .header(header::RANGE, format!("bytes={}-", body.len()))
        .send()
        .unwrap();
    assert_eq!(past.status(), 416);
    assert_eq!(
        past.headers()[header::CONTENT_RANGE],
        format!("bytes */{}", body.len()).as_str()
    );

    // Conditional GET.
    let nm = c
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .unwrap();
    assert_eq!(nm.status(), 304);
    assert_eq!(nm.headers()[header::ETAG], etag.as_str());
    let ims = c
        .get(&url)
        .header(header::IF_MODIFIED_SINCE, &last_modified)
        .send()
        .unwrap();
    assert_eq!(ims.status(), 304);

    // Short-lived answers.
    let list = c
        .get(format!("{}/example.com/m/@v/list", server.url()))
        .send()
        .unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(list.headers()[header::CACHE_CONTROL], "public, max-age=60");
    assert_eq!(
        list.headers()[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    let info = c
        .get(format!("{}/example.com/m/@v/{version}.info", server.url()))
        .send()
        .unwrap();
    assert_eq!(info.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        info.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
}

#[test]
fn bad_requests_never_touch_storage() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    let server = start(ServerSpec::new(&up.url()));
    let c = http();
    let cases: &[(&str, u16, &str)] = &[
        ("/example.com/M/@v/list", 400, "invalid escaped module path"),
        (
            "/example.com/m/@v/..%2f..%2fx.info",
            400,
            "invalid escaped version",
        ),
        ("/example.com/m/@v/master.zip", 400, "not canonical"),
        ("/example.com/m/@v/v2.0.0.info", 404, "invalid version"),
        ("/example.com/m/@v/v1.0.0.exe", 404, "unknown file"),
        ("/robots.txt", 404, "not a module proxy path"),
        (
            "/sumdb/sum.golang.org/tile/8/0/00",
            400,
            "malformed tile path",
        ),
    ];
    for &(path, status, reason) in cases {
        let r = c.get(format!("{}{path}", server.url())).send().unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        let text = r.text().unwrap();
        assert!(text.contains(reason), "{path}: {text}");
        assert!(
            text.lines().count() <= 8 && text.len() <= 648,
            "{path}: too long for go to show"
        );
    }
    let long = format!("{}/example.com/{}/@v/list", server.url(), "a".repeat(2000));
    assert_eq!(c.get(long).send().unwrap().status(), 400);
    assert_eq!(stored_files(&server.data), Vec::<String>::new());
    assert_eq!(up.total_hits(), 0, "nothing invalid reaches the upstream");

    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = c
            .request(
                method.clone(),
                format!("{}/example.com/m/@v/list", server.url()),
            )
            .send()
            .unwrap();
        assert_eq!(r.status(), 405, "{method}");
        assert_eq!(r.headers()[header::ALLOW], "GET, HEAD");
    }
}

#[test]
fn probes_metrics_and_http2() {
    let fx = fixture();
    let server = start(ServerSpec::new(&fx.url()));
    let c = http();
    assert_eq!(
        c.get(format!("{}/healthz", server.url()))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(format!("{}/readyz", server.url()))
            .send()
            .unwrap()
            .status(),
        200
    );
    c.get(format!("{}/example.com/m/@v/v1.0.0.mod", server.url()))
        .send()
        .unwrap();
    c.get(format!("{}/example.com/m/@v/v1.0.0.mod", server.url()))
        .send()
        .unwrap();

    // HTTP/2 (prior knowledge, as a load balancer would speak it).
    let h2 = reqwest::blocking::Client::builder()
        .http2_prior_knowledge()
        .no_proxy()
        .build()
        .unwrap();
    let r = h2
        .get(format!("{}/example.com/m/@v/v1.0.0.mod", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.text().unwrap(), "module example.com/m\n");

    let m = c
        .get(format!("{}/metrics", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for want in [
        "modgate_requests_total{endpoint=\"mod\",status=\"200\"} 3",
        "modgate_cache_total{endpoint=\"mod\",result=\"miss\"} 1",
        "modgate_cache_total{endpoint=\"mod\",result=\"hit\"} 2",
        "modgate_bytes_served_total{endpoint=\"mod\"} 63",
        "modgate_upstream_duration_seconds_bucket",
        "modgate_singleflight_waits_total 0",
    ] {
        assert!(m.contains(want), "missing {want:?} in\n{m}");
    }
}

#[test]
fn disable_module_fetch_answers_from_storage_only() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    let server = start(ServerSpec::new(&up.url()));
    let c = http();
    let url = format!("{}/example.com/m/@v/v1.0.0.info", server.url());
    let r = c
        .get(&url)
        .header("Disable-Module-Fetch", "true")
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().unwrap().contains("fetching is disabled"));
    assert_eq!(up.total_hits(), 0);
    assert_eq!(c.get(&url).send().unwrap().status(), 200);
    let r = c
        .get(&url)
        .header("Disable-Module-Fetch", "true")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // list and @latest are computed from what is stored.
    let r = c
        .get(format!("{}/example.com/m/@v/list", server.url()))
        .header("Disable-Module-Fetch", "true")
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), "v1.0.0\n");
    assert_eq!(up.total_hits(), 1);
}

#[test]
fn version_queries_are_resolved_upstream_and_cached_under_both_names() {
    let fx = fixture();
    // A branch query the upstream resolves to v1.0.0.
    let dir = fx.root().join("example.com/m/@v");
    std::fs::copy(dir.join("v1.0.0.info"), dir.join("master.info")).unwrap();
    std::fs::remove_file(dir.join("v1.0.0.info")).unwrap();
    let server = start(ServerSpec::new(&fx.url()));
    let c = http();
    let r = c
        .get(format!("{}/example.com/m/@v/master.info", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "public, max-age=60");
    assert!(r.text().unwrap().contains("\"Version\":\"v1.0.0\""));
    assert!(server.data.join("example.com/m/@v/master.info").is_file());
    assert!(server.data.join("example.com/m/@v/v1.0.0.info").is_file());
    // Only the .info was fetched: no .mod, no .zip.
    assert!(!server.data.join("example.com/m/@v/v1.0.0.zip").exists());
    assert!(!server.data.join("example.com/m/@v/v1.0.0.mod").exists());
    let r = c
        .get(format!("{}/example.com/m/@v/v1.0.0.info", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn routes_send_paths_to_their_upstreams_and_private_paths_stay_home() {
    let public = fixture();
    let public_up = FakeUpstream::start(public.root());
    let mut internal = Fixture::new();
    internal.add(
        "git.corp.example/team/lib",
        "v0.1.0",
        &[
            ("go.mod", "module git.corp.example/team/lib\n"),
            ("lib.go", "package lib\n"),
        ],
    );
    internal.add(
        "secret.corp.example/x",
        "v1.0.0",
        &[
            ("go.mod", "module secret.corp.example/x\n"),
            ("x.go", "package x\n"),
        ],
    );
    let internal_up = FakeUpstream::start(internal.root());
    let mut spec = ServerSpec::new(&format!("{},{}", public_up.url(), internal_up.url()));
    spec.config.private = "git.corp.example,secret.corp.example".into();
    spec.config.routes = vec![modgate_server::config::RouteConfig {
        pattern: "git.corp.example".into(),
        upstream: internal_up.url(),
        private: true,
    }];
    spec.config.tokens = vec![token(
        "team",
        "team-token-0123456789",
        "git.corp.example,secret.corp.example",
    )];
    let server = start(spec);
    let c = http();
    let get = |p: &str| {
        c.get(format!("{}{p}", server.url()))
            .bearer_auth("team-token-0123456789")
            .send()
            .unwrap()
    };

    assert_eq!(
        get("/git.corp.example/team/lib/@v/v0.1.0.mod").status(),
        200
    );
    assert_eq!(
        internal_up.hits("/git.corp.example/team/lib/@v/v0.1.0.mod"),
        1
    );
    assert_eq!(get("/example.com/m/@v/v1.0.0.mod").status(), 200);
    assert_eq!(public_up.hits("/example.com/m/@v/v1.0.0.mod"), 1);

    // A private path with no private route: the default list's remote entries are
    // skipped, so neither upstream ever hears of it.
    let r = get("/secret.corp.example/x/@v/v1.0.0.mod");
    assert_eq!(r.status(), 404);
    assert!(r.text().unwrap().contains("matches --private"));
    assert_eq!(public_up.hits("/secret.corp.example/x/@v/v1.0.0.mod"), 0);
    assert_eq!(internal_up.hits("/secret.corp.example/x/@v/v1.0.0.mod"), 0);
}

/// Keep-alive requests are answered at once: neither a small file (sent as one
/// buffer) nor a streamed zip (headers, then body writes) waits on Nagle's algorithm
/// and the client's delayed ACK, which cost about 40 ms per request.
#[test]
fn keep_alive_requests_are_not_delayed() {
    let mut fx = Fixture::new();
    let noise = modgate_testkit::noise_text(300_000, 7);
    fx.add(
        "example.com/big",
        "v1.0.0",
        &[("go.mod", "module example.com/big\n"), ("data.txt", &noise)],
    );
    let server = start(ServerSpec::new(&fx.url()));
    let c = http();
    let base = format!("{}/example.com/big/@v/v1.0.0", server.url());
    for ext in ["info", "mod", "zip"] {
        let url = format!("{base}.{ext}");
        let want =
            std::fs::read(fx.root().join(format!("example.com/big/@v/v1.0.0.{ext}"))).unwrap();
        // The first request fills the cache and opens the connection.
        assert_eq!(&c.get(&url).send().unwrap().bytes().unwrap()[..], want);
        let n = 20;
        let start = std::time::Instant::now();
        for _ in 0..n {
            let r = c.get(&url).send().unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(&r.bytes().unwrap()[..], want, "{ext}");
        }
        let took = start.elapsed();
        // Delayed ACKs would make this at least n * 40 ms.
        assert!(
            took < std::time::Duration::from_millis(n * 20),
            "{n} keep-alive requests for .{ext} took {took:?}"
        );
    }
}

/// The value of the metric line starting `series ` (0 when there is none).
fn metric(server: &Running, series: &str) -> u64 {
    let m = http()
        .get(format!("{}/metrics", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    m.lines()
        .find_map(|l| l.strip_prefix(&format!("{series} ")))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// The `modgate_sendfile_responses_total` counter.
fn sendfile_count(server: &Running) -> u64 {
    metric(server, "modgate_sendfile_responses_total")
}

/// Repeated GETs of small immutable files are answered from kept responses
/// (before routing): the same status, headers and bytes as the routed answer,
/// counted and logged alike. HEAD, conditional and range requests and large zips
/// still take the routed path.
#[test]
fn repeated_small_files_get_the_routed_answer_from_memory() {
    let fx = fixture();
    let server = start(ServerSpec::new(&fx.url()));
    let ready = |s: &Running| metric(s, "modgate_ready_responses_total");
    let url = |f: &str| format!("{}/example.com/m/@v/{f}", server.url());
    let small = ["v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"];
    // The first answer comes from the fill, the second from the stored copy; one
    // of them is kept.
    let routed: Vec<_> = small.iter().map(|f| answer(&url(f), &[])).collect();
    assert_eq!(ready(&server), 0, "first answers are routed");
    for (f, first) in small.iter().zip(&routed) {
        assert_eq!(first.0, 200, "{f}");
        assert_eq!(
            first.2,
            std::fs::read(fx.root().join(format!("example.com/m/@v/{f}"))).unwrap()
        );
        assert_eq!(&answer(&url(f), &[]), first, "{f}");
    }
    let before = ready(&server);
    for (f, first) in small.iter().zip(&routed) {
        for n in 1..=2 {
            assert_eq!(&answer(&url(f), &[]), first, "{f}, answer {n} from memory");
        }
    }
    assert_eq!(ready(&server), before + 6);
    let counted = metric(
        &server,
        "modgate_requests_total{endpoint=\"info\",status=\"200\"}",
    );
    assert_eq!(counted, 4, "answers from memory are counted as requests");
    let cache = |result: &str| {
        metric(
            &server,
            &format!("modgate_cache_total{{endpoint=\"info\",result=\"{result}\"}}"),
        )
    };
    assert_eq!(cache("hit") + cache("miss"), 4);

    // Everything else is routed, and answered from the same object.
    let info = url("v1.0.0.info");
    let etag = routed[0]
        .1
        .iter()
        .find(|(k, _)| k == "etag")
        .unwrap()
        .1
        .clone();
    let modified = routed[0]
        .1
        .iter()
        .find(|(k, _)| k == "last-modified")
        .unwrap()
        .1
        .clone();
    assert_eq!(answer(&info, &[("if-none-match", &etag)]).0, 304);
    assert_eq!(answer(&info, &[("if-modified-since", &modified)]).0, 304);
    let part = answer(&info, &[("range", "bytes=2-8")]);
    assert_eq!((part.0, &part.2[..]), (206, &routed[0].2[2..9]));
    let head = http().head(&info).send().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag.as_str());
    for _ in 0..2 {
        assert_eq!(answer(&url("v1.1.0.zip"), &[]).0, 200);
    }
    assert_eq!(
        ready(&server),
        before + 6,
        "none of these came from kept responses"
    );
}

/// Large stored files go out with sendfile on HTTP/1 (whole, ranges, pipelined
/// requests on one connection) and as a streamed body on HTTP/2: the same bytes.
#[test]
fn large_files_are_sent_from_the_file_on_http1() {
    use std::io::{Read, Write};
    let fx = fixture();
    let server = start(ServerSpec::new(&fx.url()));
    let path = "example.com/m/@v/v1.1.0.zip";
    let want = std::fs::read(fx.root().join(path)).unwrap();
    let url = format!("{}/{path}", server.url());
    let c = http();
    // The first answers come from the fill and the first check of the stored copy.
    for _ in 0..3 {
        assert!(c.get(&url).send().unwrap().bytes().unwrap()[..] == want[..]);
    }
    let before = sendfile_count(&server);
    assert!(before >= 1, "a stored zip went out with sendfile");
    let r = c
        .get(&url)
        .header(header::RANGE, "bytes=70000-")
        .send()
        .unwrap();
    assert_eq!(r.status(), 206);
    assert!(r.bytes().unwrap()[..] == want[70000..]);
    assert_eq!(sendfile_count(&server), before + 1);

    let h2 = reqwest::blocking::Client::builder()
        .http2_prior_knowledge()
        .no_proxy()
        .build()
        .unwrap();
    let r = h2.get(&url).send().unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert!(r.bytes().unwrap()[..] == want[..]);
    assert_eq!(sendfile_count(&server), before + 1, "not on HTTP/2");

    // Three pipelined requests in one write: two file bodies, then a small file.
    let addr = server.url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /{path} HTTP/1.1\r\nHost: x\r\nRange: bytes=5-99999\r\n\r\n\
         GET /example.com/m/@v/v1.0.0.mod HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    let mut rest = &got[..];
    for (status, body) in [
        ("200", &want[..]),
        ("206", &want[5..100_000]),
        ("200", &b"module example.com/m\n"[..]),
    ] {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&rest[..end]).to_lowercase();
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{head}");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(rest[end + 4..end + 4 + len] == *body, "{status} body");
        rest = &rest[end + 4 + len..];
    }
    assert!(rest.is_empty());
    assert_eq!(sendfile_count(&server), before + 3);
}

/// A fresh list is answered from a kept response exactly while the routed path
/// would answer it from memory: a version published upstream shows as soon as the
/// list is no longer fresh, online and offline.
#[test]
fn kept_lists_last_as_long_as_they_are_fresh() {
    let fresh = std::time::Duration::from_millis(1500);
    let mut fx = Fixture::new();
    fx.add(
        "example.com/l",
        "v1.0.0",
        &[("go.mod", "module example.com/l\n")],
    );
    let data = tempfile::tempdir().unwrap();
    let mut spec = ServerSpec::new(&fx.url());
    spec.config.fresh_for = fresh;
    spec.config.stale_while_revalidate = std::time::Duration::ZERO;
    spec.data = Some(data.path().to_path_buf());
    let online = start(spec);
    let mut spec = ServerSpec::new(&fx.url());
    spec.config.fresh_for = fresh;
    spec.config.offline = true;
    spec.data = Some(data.path().to_path_buf());
    let offline = start(spec);
    let ready = |s: &Running| metric(s, "modgate_ready_responses_total");
    let list = |s: &Running, headers: &[(&str, &str)]| {
        let (status, _, body) = answer(&format!("{}/example.com/l/@v/list", s.url()), headers);
        assert_eq!(status, 200);
        String::from_utf8(body).unwrap()
    };
    // Stores v1.0.0's files (the offline list is made of the stored .info files).
    assert_eq!(
        answer(
            &format!("{}/example.com/l/@v/v1.0.0.info", online.url()),
            &[]
        )
        .0,
        200
    );

    // Online the first list is a fill (routed, not kept), the second a hit from
    // memory (routed, kept); offline the first is made from memory (kept).
    for (s, routed) in [(&online, 2), (&offline, 1)] {
        let t0 = std::time::Instant::now();
        for _ in 0..4 {
            assert_eq!(list(s, &[]), "v1.0.0\n");
        }
        assert!(
            t0.elapsed() < fresh,
            "the machine is too slow for this test"
        );
        assert_eq!(ready(s), 4 - routed);
        // A request that must not fetch takes the routed path.
        assert_eq!(list(s, &[("disable-module-fetch", "true")]), "v1.0.0\n");
        assert_eq!(ready(s), 4 - routed);
    }

    // v1.1.0 is published, and fetched (stored) through the online server.
    fx.add(
        "example.com/l",
        "v1.1.0",
        &[("go.mod", "module example.com/l\n")],
    );
    assert_eq!(
        answer(
            &format!("{}/example.com/l/@v/v1.1.0.info", online.url()),
            &[]
        )
        .0,
        200
    );
    std::thread::sleep(fresh + std::time::Duration::from_millis(300));
    for (s, routed) in [(&online, 2), (&offline, 1)] {
        let before = ready(s);
        for _ in 0..3 {
            assert_eq!(
                list(s, &[]),
                "v1.0.0\nv1.1.0\n",
                "no longer fresh: routed anew"
            );
        }
        assert_eq!(
            ready(s),
            before + 3 - routed,
            "the new list is kept in turn"
        );
    }
}
