//! The client against real sockets: a tiny axum upstream whose routes produce each
//! fault, a raw TCP server for truncated bodies, and a closed port for "down".

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body as AxBody;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;

use super::*;
use crate::list::{UpstreamList, UpstreamSpec};

#[derive(Default)]
struct Hits(Mutex<HashMap<String, usize>>);

impl Hits {
    fn bump(&self, path: &str) -> usize {
        let mut m = self.0.lock().unwrap();
        let n = m.entry(path.to_owned()).or_default();
        *n += 1;
        *n
    }
    fn get(&self, path: &str) -> usize {
        self.0.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// Routes by the first path element: ok, nf (404), gone (410), err (500), flaky (503
/// twice, then 200), hang (never answers in time), big (17 MiB streamed body), proxy
/// (records absolute-form requests, as an HTTP proxy sees them), `sleep/MS/CODE`
/// (answers CODE after MS milliseconds), `fastfirst/N` (answers at once N times,
/// then hangs).
async fn upstream() -> (SocketAddr, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let h = hits.clone();
    let app = axum::Router::new().fallback(move |req: Request<AxBody>| {
        let hits = h.clone();
        async move {
            let uri = req.uri().to_string();
            let path = req.uri().path().to_owned();
            let n = hits.bump(&path);
            if req.uri().scheme().is_some() {
                hits.bump(&format!("proxied {uri}"));
                return (StatusCode::OK, "via proxy").into_response();
            }
            let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
            let text = |s: StatusCode, body: &'static str| -> Response {
                (
                    s,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    body,
                )
                    .into_response()
            };
            match first {
                "ok" => text(StatusCode::OK, "v1.0.0\nv1.1.0\n"),
                "nf" => text(StatusCode::NOT_FOUND, "not found: unknown revision v9.9.9"),
                "gone" => text(StatusCode::GONE, "gone"),
                "err" => text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "database exploded\n\nsecret detail",
                ),
                "flaky" if n <= 2 => text(StatusCode::SERVICE_UNAVAILABLE, "busy"),
                "flaky" => text(StatusCode::OK, "finally"),
                "hang" => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    text(StatusCode::OK, "late")
                }
                "sleep" => {
                    let mut it = path.trim_start_matches('/').split('/').skip(1);
                    let ms: u64 = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
                    let code: u16 = it.next().and_then(|c| c.parse().ok()).unwrap_or(200);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    text(StatusCode::from_u16(code).unwrap(), "slept")
                }
                "fastfirst" => {
                    let fast: usize = path
                        .trim_start_matches('/')
                        .split('/')
                        .nth(1)
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    if hits.bump(&format!("fastfirst {fast}")) > fast {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    text(StatusCode::OK, "fast")
                }
                "big" => {
                    let chunk = bytes::Bytes::from(vec![b'x'; 1 << 20]);
                    let stream = futures_util::stream::iter(
                        (0..17).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                    );
                    Response::new(AxBody::from_stream(stream))
                }
                _ => text(StatusCode::IM_A_TEAPOT, "?"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

/// A server that promises 100 bytes and sends 10, then closes the connection.
async fn truncating() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                    .await;
                let _ = s.shutdown().await;
            });
        }
    });
    addr
}

/// A port with nothing listening.
async fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn client(staging: &Path, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut cfg = ClientConfig {
        retry_backoff: Duration::from_millis(5),
        proxy_env: Some(ProxyEnv::default()),
        // Names (skip.example, ...) resolve from an empty table, never from the
        // machine's DNS.
        resolver: Some(std::sync::Arc::new(modgate_vcs::Table::default())),
        ..ClientConfig::default()
    };
    tweak(&mut cfg);
    Client::new(cfg, staging).unwrap()
}

/// A list from `"url"` / `"url|"` items (a trailing `|` marks fallback on any error).
fn list(c: &Client, items: &[String]) -> UpstreamList {
    let specs = items
        .iter()
        .map(|s| match s.strip_suffix('|') {
            Some(u) => (spec(u), true),
            None => (spec(s), false),
        })
        .collect();
    UpstreamList::from_specs(specs, c.breaker_settings()).unwrap()
}

fn spec(s: &str) -> UpstreamSpec {
    if s == "off" {
        UpstreamSpec::Off
    } else {
        UpstreamSpec::Url(s.to_owned())
    }
}

fn text(f: &Fetched) -> String {
    match &f.body {
        Body::Memory(b) => String::from_utf8(b.to_vec()).unwrap(),
        Body::File { path, .. } => std::fs::read_to_string(path).unwrap(),
    }
}

#[tokio::test]
async fn fallback_follows_go_rules() {
    let (addr, _) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |_| {});
    let u = |p: &str| format!("http://{addr}/{p}");
    let path = "m/@v/list";

    // , after not-found: next entry (404 and 410 alike).
    let f = c
        .fetch(
            &list(&c, &[u("nf"), u("gone"), u("ok")]),
            path,
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(text(&f), "v1.0.0\nv1.1.0\n");
    assert_eq!(f.upstream, u("ok"));

    // , after a real error: terminal.
    let e = c
        .fetch(&list(&c, &[u("err"), u("ok")]), path, FileKind::List)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Status);
    assert_eq!(e.upstream, u("err"));
    assert_eq!(
        e.to_string(),
        format!(
            "upstream {0}: reading {0}/m/@v/list: 500 Internal Server Error\n\tserver response: database exploded",
            u("err")
        )
    );

    // | after a real error: next entry.
    let f = c
        .fetch(&list(&c, &[u("err") + "|", u("ok")]), path, FileKind::List)
        .await
        .unwrap();
    assert_eq!(f.upstream, u("ok"));

    // The reported error: a real failure outranks not-found...
    let e = c
        .fetch(&list(&c, &[u("err") + "|", u("nf")]), path, FileKind::List)
        .await
        .unwrap_err();
    assert_eq!(e.upstream, u("err"));
    // ...and among not-found errors the last one wins.
    let e = c
        .fetch(&list(&c, &[u("nf"), u("gone")]), path, FileKind::List)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.upstream, u("gone"));

    // off: not found, with Go's text.
    let e = c
        .fetch(&list(&c, &["off".into()]), path, FileKind::List)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.to_string(), "module lookup disabled by GOPROXY=off");
}

#[tokio::test]
async fn retries_retryable_statuses_then_succeeds() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 2);
    let f = c
        .fetch(
            &list(&c, &[format!("http://{addr}/flaky")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(text(&f), "finally");
    assert_eq!(hits.get("/flaky/m/@v/list"), 3);

    // 500 is retried too, and then reported; 404 is never retried.
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/err")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert!(e.retryable);
    assert_eq!(hits.get("/err/m/@v/list"), 3);
    c.fetch(
        &list(&c, &[format!("http://{addr}/nf")]),
        "m/@v/list",
        FileKind::List,
    )
    .await
    .unwrap_err();
    assert_eq!(hits.get("/nf/m/@v/list"), 1);
}

#[tokio::test]
async fn upstream_down_is_a_network_error_naming_it() {
    let down = closed_port().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 1);
    let e = c
        .fetch(
            &list(&c, &[format!("http://{down}")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(e.retryable);
    let s = e.to_string();
    assert!(
        s.starts_with(&format!(
            "upstream http://{down}: reading http://{down}/m/@v/list: "
        )),
        "{s}"
    );
    assert!(s.to_lowercase().contains("connect"), "{s}");
}

#[tokio::test]
async fn hanging_upstream_times_out_without_retrying() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.timeout = Duration::from_millis(300));
    let start = Instant::now();
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/hang")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(hits.get("/hang/m/@v/list"), 1);
}

#[tokio::test]
async fn truncated_body_is_an_error_and_leaves_no_staged_file() {
    let addr = truncating().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 1);
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}")]),
            "m/@v/v1.0.0.zip",
            FileKind::Zip,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert!(e.retryable);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "staged file left behind"
    );
}

#[tokio::test]
async fn size_limits_are_enforced_while_streaming() {
    let (addr, _) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |_| {});
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/big")]),
            "m/@v/v1.0.0.mod",
            FileKind::Mod,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(
        e.to_string()
            .ends_with("go.mod file too large (max 16777216 bytes)"),
        "{e}"
    );
    // A zip of the same size is fine, and lands in a staged file, not in memory.
    let f = c
        .fetch(
            &list(&c, &[format!("http://{addr}/big")]),
            "m/@v/v1.0.0.zip",
            FileKind::Zip,
        )
        .await
        .unwrap();
    match &f.body {
        Body::File { path, size } => {
            assert_eq!(*size, 17 << 20);
            assert_eq!(path.parent(), Some(dir.path()));
            assert!(
                path.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".tmp-")
            );
        }
        Body::Memory(_) => panic!("zip buffered in memory"),
    }
}

#[tokio::test]
async fn breaker_opens_and_fails_fast() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.retries = 0;
        cfg.breaker_threshold = 2;
        cfg.breaker_cooldown = Duration::from_secs(60);
    });
    let l = list(
        &c,
        &[format!("http://{addr}/err|"), format!("http://{addr}/ok")],
    );
    for _ in 0..2 {
        let f = c.fetch(&l, "m/@v/list", FileKind::List).await.unwrap();
        assert_eq!(f.upstream, format!("http://{addr}/ok"));
    }
    assert_eq!(hits.get("/err/m/@v/list"), 2);
    // Open now: the failing upstream is skipped without a request.
    let f = c.fetch(&l, "m/@v/list", FileKind::List).await.unwrap();
    assert_eq!(f.upstream, format!("http://{addr}/ok"));
    assert_eq!(hits.get("/err/m/@v/list"), 2);
    let e = c
        .fetch_from(&l.entries[0].upstream, "m/@v/list", FileKind::List)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::CircuitOpen);
    assert!(
        e.to_string()
            .contains("circuit open after 2 consecutive failures"),
        "{e}"
    );
}

#[tokio::test]
async fn file_trees_are_upstreams() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("example.com/!m/@v")).unwrap();
    std::fs::write(tree.path().join("example.com/!m/@v/list"), "v1.0.0\n").unwrap();
    std::fs::write(tree.path().join("example.com/!m/@v/v1.0.0.zip"), "PK").unwrap();
    let staging = tempfile::tempdir().unwrap();
    let c = client(staging.path(), |_| {});
    let url = url::Url::from_directory_path(tree.path())
        .unwrap()
        .to_string();
    let l = list(&c, &[url]);
    let f = c
        .fetch(&l, "example.com/!m/@v/list", FileKind::List)
        .await
        .unwrap();
    assert_eq!(text(&f), "v1.0.0\n");
    let f = c
        .fetch(&l, "example.com/!m/@v/v1.0.0.zip", FileKind::Zip)
        .await
        .unwrap();
    assert!(matches!(f.body, Body::File { size: 2, .. }));
    let e = c
        .fetch(&l, "example.com/!m/@v/v2.0.0.info", FileKind::Info)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .fetch(&l, "example.com/!m/@v", FileKind::Info)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .fetch(&l, "../etc/passwd", FileKind::Info)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Local);
}

#[tokio::test]
async fn a_missing_file_tree_is_unavailable_not_not_found() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("share");
    let staging = tempfile::tempdir().unwrap();
    let c = client(staging.path(), |_| {});
    let url = format!("file://{}", root.display());
    // `|` would fall through on any error; `,` only on not-found: the next entry
    // must not be asked when the tree is gone.
    let l = list(&c, &[url]);
    let e = c
        .fetch(&l, "example.com/m/@v/list", FileKind::List)
        .await
        .unwrap_err();
    assert!(!e.is_not_found(), "{e}");
    assert!(e.to_string().contains("unavailable"), "{e}");
    // Mounted again: a missing file is not found.
    std::fs::create_dir_all(&root).unwrap();
    let e = c
        .fetch(&l, "example.com/m/@v/list", FileKind::List)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn https_proxy_env_is_honoured_like_go() {
    let (proxy, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.proxy_env = Some(ProxyEnv {
            http_proxy: proxy.to_string(),
            no_proxy: "skip.example".into(),
            ..ProxyEnv::default()
        })
    });
    let f = c
        .fetch(
            &list(&c, &["http://mirror.example/base".into()]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(text(&f), "via proxy");
    assert_eq!(hits.get("proxied http://mirror.example/base/m/@v/list"), 1);
    // NO_PROXY and loopback targets go direct (the loopback one reaches the server
    // itself, so it answers as an origin, not as a proxy).
    let e = c
        .fetch(
            &list(&c, &["http://skip.example".into()]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    let f = c
        .fetch(
            &list(&c, &[format!("http://{proxy}/ok")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(text(&f), "v1.0.0\nv1.1.0\n");
}

#[test]
fn paths_that_could_escape_are_refused() {
    for p in ["", "/abs", "a//b", "a/../b", "./a", "a\\b"] {
        assert!(check_rel_path(p).is_err(), "{p:?}");
    }
    assert!(check_rel_path("golang.org/x/text/@v/v0.3.0+incompatible.zip").is_ok());
}

/// A `<meta name="go-import" content="corp.example/m mod http://corp.example/proxy">`
/// page for `?go-get=1`, and a file-tree GOPROXY under `/proxy/`; counts requests.
async fn go_import_mod_server(tree: std::path::PathBuf) -> (SocketAddr, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let h = hits.clone();
    let app = axum::Router::new().fallback(move |req: Request<AxBody>| {
        let hits = h.clone();
        let tree = tree.clone();
        async move {
            let path = req.uri().path().to_owned();
            hits.bump(&path);
            if req.uri().query() == Some("go-get=1") {
                // corp.example/r's proxy redirects to a private address.
                let (prefix, base) = if path.starts_with("/r") {
                    ("corp.example/r", "redir")
                } else {
                    ("corp.example/m", "proxy")
                };
                let page = format!(
                    "<html><head><meta name=\"go-import\" content=\"{prefix} mod http://corp.example/{base}\"></head></html>"
                );
                return (StatusCode::OK, page).into_response();
            }
            if path.starts_with("/redir/") {
                return (StatusCode::FOUND, [(header::LOCATION, "http://10.0.0.1/x")], "")
                    .into_response();
            }
            let file = path
                .strip_prefix("/proxy/")
                .filter(|p| !p.split('/').any(|e| e == ".."))
                .and_then(|p| std::fs::read(tree.join(p)).ok());
            match file {
                Some(b) => (StatusCode::OK, b).into_response(),
                None => (StatusCode::NOT_FOUND, "not found").into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

/// Go's lookupDirect for a `mod` go-import: direct mode fetches the request from the
/// proxy the tag names, through the egress guard (loopback must be allowed, plain
/// http needs GOINSECURE). corp.example resolves from a table to the loopback server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_follows_go_import_mod_proxy() {
    let tree = tempfile::tempdir().unwrap();
    let v = tree.path().join("corp.example/m/@v");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("list"), "v1.0.0\n").unwrap();
    std::fs::write(v.join("v1.0.0.mod"), "module corp.example/m\n").unwrap();
    std::fs::write(v.join("v1.0.0.zip"), "PK zip bytes").unwrap();
    let (addr, hits) = go_import_mod_server(tree.path().to_path_buf()).await;
    let dir = tempfile::tempdir().unwrap();
    let make = |loopback: bool, insecure: &str| {
        let insecure = insecure.to_owned();
        client(dir.path(), move |cfg| {
            cfg.resolver = Some(Arc::new(modgate_vcs::Table::new([("corp.example", addr)])));
            cfg.direct_egress = modgate_vcs::Egress {
                allow_loopback: loopback,
                allow_private: false,
            };
            cfg.goinsecure = Some(insecure);
            cfg.timeout = Duration::from_secs(5);
        })
    };
    let c = make(true, "corp.example");
    let direct = UpstreamList::parse("direct", c.breaker_settings()).unwrap();
    let f = c
        .fetch(&direct, "corp.example/m/@v/list", FileKind::List)
        .await
        .unwrap();
    assert_eq!(text(&f), "v1.0.0\n");
    let f = c
        .fetch(&direct, "corp.example/m/@v/v1.0.0.mod", FileKind::Mod)
        .await
        .unwrap();
    assert_eq!(text(&f), "module corp.example/m\n");
    let Body::File { path, size } = c
        .fetch(&direct, "corp.example/m/@v/v1.0.0.zip", FileKind::Zip)
        .await
        .unwrap()
        .body
    else {
        panic!("zip in memory")
    };
    assert_eq!(
        (std::fs::read(&path).unwrap(), size),
        (b"PK zip bytes".to_vec(), 12)
    );
    assert_eq!(hits.get("/proxy/corp.example/m/@v/v1.0.0.zip"), 1);
    // The proxy's 404 is direct's "not found".
    let e = c
        .fetch(&direct, "corp.example/m/@v/v2.0.0.info", FileKind::Info)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(
        e.to_string()
            .contains("go-import mod http://corp.example/proxy"),
        "{e}"
    );

    // Loopback refused: neither the discovery page nor the proxy is reached.
    let before = hits.get("/proxy/corp.example/m/@v/list");
    let strict = make(false, "corp.example");
    let e = strict
        .fetch(
            &UpstreamList::parse("direct", strict.breaker_settings()).unwrap(),
            "corp.example/m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("loopback address"), "{e}");
    assert_eq!(hits.get("/proxy/corp.example/m/@v/list"), before);

    // Without GOINSECURE the plain-http discovery page is not even asked for.
    let secure = make(true, "");
    let e = secure
        .fetch(
            &UpstreamList::parse("direct", secure.breaker_settings()).unwrap(),
            "corp.example/m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("unrecognized import path"), "{e}");
    assert_eq!(hits.get("/proxy/corp.example/m/@v/list"), before);
}

/// Direct mode's HTTP goes through the egress guard, but the operator's own
/// outbound proxy (here on loopback, with loopback not allowed) is not judged: the
/// discovery request reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_discovery_through_an_internal_outbound_proxy() {
    let (proxy, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let public: SocketAddr = "93.184.215.14:0".parse().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.proxy_env = Some(ProxyEnv {
            http_proxy: format!("http://proxy.internal:{}", proxy.port()),
            ..ProxyEnv::default()
        });
        cfg.resolver = Some(Arc::new(modgate_vcs::Table::new([
            ("proxy.internal", proxy),
            ("corp.example", public),
        ])));
        cfg.goinsecure = Some("corp.example".into());
    });
    let direct = UpstreamList::parse("direct", c.breaker_settings()).unwrap();
    let e = c
        .fetch(&direct, "corp.example/m/@v/list", FileKind::List)
        .await
        .unwrap_err();
    // The proxy answered "via proxy", which has no go-import tag.
    assert!(e.to_string().contains("no go-import meta tags"), "{e}");
    assert_eq!(hits.get("proxied http://corp.example/m?go-get=1"), 1);
}

mod hedging;
mod transfer;
