//! Inbound access control end to end: the real `go` command reading a private
//! module with a `.netrc` token (over HTTPS, the only scheme go sends credentials
//! on: a TLS front on 127.0.0.1 relays to modgate), failing with go's not-found
//! error without a token or with one scoped elsewhere; Bearer tokens over plain
//! HTTP; a hidden module answered exactly like a missing one; `public_access =
//! "token"`; and the secrets absent from every log line and from `/metrics`.
//!
//! Log lines are captured by a JSON subscriber installed once for this test binary;
//! every test's requests land in the same buffer, and every test checks that no
//! secret of any test is in it.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use common::tls::tls_front;
use common::*;
use modgate_server::access::PublicAccess;

const CI: &str = "ci-secret-7f3a9c1e5b2d4f6a8c0e";
const OTHER: &str = "other-secret-1b3d5f7a9c2e4a6c8e";
const SECRETS: [&str; 2] = [CI, OTHER];

/// Everything the server logged so far in this test binary.
fn logs() -> String {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let buf = BUF.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let w = buf.clone();
        let make = move || Capture(w.clone());
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(make)
            .init();
        buf
    });
    String::from_utf8_lossy(&buf.lock().unwrap()).into_owned()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "a secret appears in {what}:\n{text}");
        // Nor its Basic encoding (x:secret), nor any Authorization header.
        let b64 = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(format!("x:{s}"))
        };
        assert!(!text.contains(&b64), "a Basic credential appears in {what}");
    }
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "an Authorization header appears in {what}"
    );
}

/// A fixture with one private and one public module.
fn fixture() -> Fixture {
    let mut fx = Fixture::new();
    fx.add(
        "corp.example/secret",
        "v1.0.0",
        &[
            ("go.mod", "module corp.example/secret\n\ngo 1.21\n"),
            (
                "secret.go",
                "package secret\n\nfunc Hello() string { return \"secret\" }\n",
            ),
        ],
    );
    fx.add(
        "example.com/pub",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/pub\n\ngo 1.21\n"),
            (
                "pub.go",
                "package pub\n\nfunc Hello() string { return \"pub\" }\n",
            ),
        ],
    );
    fx
}

fn server(fx: &Fixture, public: PublicAccess) -> Running {
    logs(); // install the capture before the server logs anything
    let mut spec = ServerSpec::new(&fx.url());
    spec.config.private = "corp.example".into();
    spec.config.public_access = public;
    spec.config.tokens = vec![
        token("ci", CI, "corp.example/secret"),
        token("other", OTHER, "corp.example/elsewhere"),
    ];
    start(spec)
}

#[test]
fn go_reads_a_private_module_with_a_netrc_token_and_only_then() {
    let fx = fixture();
    let server = server(&fx, PublicAccess::Open);
    let lab = tempfile::tempdir().unwrap();
    let ca = lab.path().join("ca.pem");
    let front = tls_front(server.addr, &ca);
    let goproxy = format!("https://{front}");
    let work = lab.path().join("work");
    project(
        &work,
        &[
            ("corp.example/secret", "v1.0.0"),
            ("example.com/pub", "v1.0.0"),
        ],
        &["corp.example/secret", "example.com/pub"],
    );
    let netrc = |name: &str, secret: Option<&str>| {
        let p = lab.path().join(format!("{name}.netrc"));
        let mut f = std::fs::File::create(&p).unwrap();
        if let Some(s) = secret {
            // Go 1.24+ (GOAUTH=netrc) keys credentials by the URL without scheme,
            // so a non-default port belongs to the machine name.
            writeln!(f, "machine {front} login x password {s}").unwrap();
        }
        p
    };
    // A fresh module cache per attempt, so nothing read before is reused.
    let download_with = |name: &str, goauth: &str, netrc: &Path, target: &str| {
        let mut cmd = go(&lab.path().join(name), &goproxy)?;
        cmd.current_dir(&work)
            .env("SSL_CERT_FILE", &ca)
            .env("GOAUTH", goauth)
            .env("NETRC", netrc)
            .env("GONOSUMDB", "corp.example")
            .args(["mod", "download", "-json", target]);
        let out = run(&mut cmd);
        // With -json, go reports a failure in the JSON on stdout.
        let text = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
        Some((out, text))
    };
    let download =
        |name: &str, netrc: &Path, target: &str| download_with(name, "netrc", netrc, target);

    let Some((out, text)) = download("ci", &netrc("ci", Some(CI)), "corp.example/secret@v1.0.0")
    else {
        return;
    };
    assert!(out.status.success(), "with the ci token: {text}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = fx
        .sums
        .iter()
        .find(|s| s.0 == "corp.example/secret")
        .unwrap();
    assert_eq!(j["Sum"], want.2.as_str());
    assert_eq!(j["GoModSum"], want.3.as_str());

    for (name, secret) in [("none", None), ("other", Some(OTHER))] {
        let (out, err) =
            download(name, &netrc(name, secret), "corp.example/secret@v1.0.0").unwrap();
        assert!(!out.status.success(), "{name}: go succeeded without access");
        assert!(
            err.contains("404 Not Found")
                && err.contains("server response: not found: corp.example/secret@v1.0.0"),
            "{name}: {err}"
        );
        assert_no_secret("go's error", &err);
    }
    // A GOAUTH command printing a Bearer header (docs/private-modules.md).
    let script = lab.path().join("modgate-auth");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf 'https://{front}\\n\\nAuthorization: Bearer %s\\n\\n' '{CI}'\n"),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).unwrap();
    let (out, text) = download_with(
        "goauth",
        script.to_str().unwrap(),
        &netrc("goauth", None),
        "corp.example/secret@v1.0.0",
    )
    .unwrap();
    assert!(out.status.success(), "GOAUTH command: {text}");

    // Public modules stay open without any token.
    let (out, text) = download("pub", &netrc("pub", None), "example.com/pub@v1.0.0").unwrap();
    assert!(out.status.success(), "public module: {text}");

    let log = logs();
    assert!(
        log.contains("\"token\":\"ci\"") && log.contains("\"token\":\"other\""),
        "the log names the tokens: {log}"
    );
    assert_no_secret("the log", &log);
    let metrics = http()
        .get(format!("{}/metrics", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("modgate_access_denied_total{reason=\"hidden\"}"));
    assert_no_secret("/metrics", &metrics);
}

#[test]
fn bearer_tokens_and_hidden_modules_look_missing() {
    let fx = fixture();
    let server = server(&fx, PublicAccess::Open);
    let get = |path: &str, auth: Option<&str>| {
        let auth: Vec<_> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        answer(&format!("{}{path}", server.url()), &auth)
    };
    let bearer = |s: &str| format!("Bearer {s}");
    let files = ["list", "v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"];
    for f in files {
        let path = format!("/corp.example/secret/@v/{f}");
        let (status, headers, body) = get(&path, Some(&bearer(CI)));
        assert_eq!(status, 200, "{path}");
        let stored = std::fs::read(fx.root().join(path.trim_start_matches('/'))).unwrap();
        assert_eq!(body, stored, "{path}");
        let cc = &headers
            .iter()
            .find(|(k, _)| k == "cache-control")
            .unwrap()
            .1;
        assert!(
            cc.contains("private") && !cc.contains("public"),
            "{path}: {cc}"
        );
    }
    assert_eq!(get("/corp.example/secret/@latest", None).0, 404);
    // Served and stored now; still, without the right token, the module that exists
    // and a module that never did are answered alike, byte for byte.
    for f in files {
        let real = format!("/corp.example/secret/@v/{f}");
        let fake = format!("/corp.example/absent/@v/{f}");
        for auth in [
            None,
            Some(bearer(OTHER)),
            Some(bearer("not-a-token-at-all")),
        ] {
            let (status, headers, body) = get(&real, auth.as_deref());
            let (fstatus, fheaders, fbody) = get(&fake, auth.as_deref());
            assert_eq!(status, 404, "{real} {auth:?}");
            assert_eq!(
                String::from_utf8_lossy(&body),
                format!(
                    "not found: corp.example/secret{}\n",
                    f.strip_prefix("v1.0.0")
                        .map_or(String::new(), |_| "@v1.0.0".into())
                )
            );
            let fbody = String::from_utf8_lossy(&fbody).replace("absent", "secret");
            assert_eq!(
                (status, headers, String::from_utf8_lossy(&body).into_owned()),
                (fstatus, fheaders, fbody),
                "{real} vs {fake}"
            );
        }
    }
    // Public modules are open; the open checksum-database and metrics endpoints too.
    assert_eq!(get("/example.com/pub/@v/v1.0.0.mod", None).0, 200);
    let (_, headers, _) = get("/example.com/pub/@v/v1.0.0.mod", None);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "cache-control" && v.contains("public"))
    );
    assert_eq!(get("/metrics", None).0, 200);
    assert_eq!(get("/healthz", None).0, 200);
    let log = logs();
    assert_no_secret("the log", &log);
    assert!(log.contains("\"token\":\"(invalid)\""), "{log}");
}

#[test]
fn token_mode_closes_everything_but_health() {
    let fx = fixture();
    let server = server(&fx, PublicAccess::Token);
    let c = http();
    let status = |path: &str, auth: Option<&str>| {
        let mut r = c.get(format!("{}{path}", server.url()));
        if let Some(a) = auth {
            r = r.bearer_auth(a);
        }
        let r = r.send().unwrap();
        let s = r.status().as_u16();
        let www = r
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        (s, www)
    };
    let basic = Some("Basic realm=\"modgate\"".to_owned());
    for path in [
        "/example.com/pub/@v/v1.0.0.mod",
        "/corp.example/secret/@v/v1.0.0.mod",
        "/corp.example/absent/@v/list",
        "/sumdb/sum.golang.org/supported",
        "/metrics",
        "/not/a/proxy/path",
    ] {
        assert_eq!(status(path, None), (401, basic.clone()), "{path}");
        assert_eq!(
            status(path, Some("wrong-wrong-wrong")),
            (401, basic.clone())
        );
    }
    assert_eq!(status("/healthz", None).0, 200);
    assert_eq!(status("/readyz", None).0, 200);
    // Any valid token reads public modules; private ones only with their patterns.
    // Read again and again (small immutable files are answered from memory after
    // the first read), a public module still needs a token.
    for _ in 0..3 {
        assert_eq!(status("/example.com/pub/@v/v1.0.0.mod", Some(OTHER)).0, 200);
    }
    assert_eq!(
        status("/example.com/pub/@v/v1.0.0.mod", None),
        (401, basic.clone())
    );
    assert_eq!(
        status("/corp.example/secret/@v/v1.0.0.mod", Some(OTHER)).0,
        404
    );
    assert_eq!(
        status("/corp.example/secret/@v/v1.0.0.mod", Some(CI)).0,
        200
    );
    let metrics = c
        .get(format!("{}/metrics", server.url()))
        .bearer_auth(CI)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("modgate_access_denied_total{reason=\"unauthorized\"}"));
    assert_no_secret("/metrics", &metrics);
    assert_no_secret("the log", &logs());
}
