//! Direct source tests: protocol paths answered from a test repository
//! (found by the static `.git` pattern, fetched through insteadOf), the
//! sums of what it serves, and discovery answers the egress guard refuses.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::discovery::VcsPolicy;
use crate::egress::{Egress, Table};
use crate::run::tests::lab_runner;
use modgate_testkit::git::Lab;

/// A guard whose resolver knows only `names` (never the system's).
fn guard(policy: Egress, names: &[(&str, &str)]) -> Guard {
    Guard::new(
        policy,
        Arc::new(Table::new(
            names.iter().map(|(n, a)| (*n, a.parse().unwrap())),
        )),
    )
}

struct Pages(HashMap<String, String>);

impl Fetch for Pages {
    fn get(&self, url: &str) -> impl Future<Output = Result<Vec<u8>, String>> + Send {
        let r = self
            .0
            .get(url)
            .map(|s| s.clone().into_bytes())
            .ok_or_else(|| "connection refused".to_string());
        async move { r }
    }
}

fn memory(b: DirectBody) -> String {
    match b {
        DirectBody::Memory(m) => String::from_utf8(m).unwrap(),
        DirectBody::File { .. } => panic!("file body"),
        DirectBody::Proxy { base } => panic!("proxy answer {base}"),
    }
}

#[tokio::test]
async fn serves_protocol_paths() {
    let lab = Lab::new();
    let mut r = lab.repo("Upper");
    r.write("go.mod", "module example.test/Upper.git\n")
        .write("a.go", "package upper\n");
    r.commit("one");
    r.tag("v1.0.0");
    r.write("b.go", "package upper\n");
    r.commit("two");
    r.tag("v1.1.0-rc.1");

    let pages = Pages(
        [(
            "https://corp.example/loop?go-get=1".to_string(),
            "<meta name=\"go-import\" content=\"corp.example/loop git https://127.0.0.1:9/loop\">"
                .to_string(),
        )]
        .into_iter()
        .collect(),
    );
    let repos = Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60));
    let direct = Direct::new(
        repos,
        pages,
        guard(Egress::default(), &[("corp.example", "93.184.215.14:0")]),
        "",
    );
    let staging = tempfile::tempdir().unwrap();
    let s = staging.path();

    // Case-encoded path: !upper is Upper.
    let base = "example.test/!upper.git";
    assert_eq!(
        memory(direct.get(&format!("{base}/@v/list"), s).await.unwrap()),
        "v1.0.0\nv1.1.0-rc.1\n"
    );
    assert_eq!(
        memory(
            direct
                .get(&format!("{base}/@v/v1.0.0.info"), s)
                .await
                .unwrap()
        ),
        "{\"Version\":\"v1.0.0\",\"Time\":\"2020-09-13T13:26:40Z\"}"
    );
    assert_eq!(
        memory(
            direct
                .get(&format!("{base}/@v/v1.1.0-rc.1.mod"), s)
                .await
                .unwrap()
        ),
        "module example.test/Upper.git\n"
    );
    let latest = memory(direct.get(&format!("{base}/@latest"), s).await.unwrap());
    assert_eq!(
        latest,
        "{\"Version\":\"v1.1.0-rc.1\",\"Time\":\"2020-09-13T14:26:40Z\"}"
    );
    let DirectBody::File { path, size } = direct
        .get(&format!("{base}/@v/v1.0.0.zip"), s)
        .await
        .unwrap()
    else {
        panic!("zip in memory")
    };
    assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
    assert!(path.starts_with(s));
    let sum = modgate_core::dirhash::hash_zip_file(&path).unwrap();
    assert!(sum.starts_with("h1:"), "{sum}");

    let e = direct
        .get(&format!("{base}/@v/v9.0.0.info"), s)
        .await
        .unwrap_err();
    assert!(e.not_found, "{e}");
    let e = direct
        .get(&format!("{base}/@v/v1.0.0.txt"), s)
        .await
        .unwrap_err();
    assert!(e.not_found, "{e}");
    let e = direct
        .get("example.test/nothing-here.git/@v/list", s)
        .await
        .unwrap_err();
    assert!(!e.not_found, "a git failure is not 'not found': {e}");

    // Discovery points at loopback: refused before git runs.
    let e = direct
        .get("corp.example/loop/@v/list", s)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "module corp.example/loop: egress refused: 127.0.0.1:9 resolves to 127.0.0.1 (loopback address)"
    );
    // And the discovery request itself is guarded.
    let e = direct.get("127.0.0.1/x/@v/list", s).await.unwrap_err();
    assert!(e.message.contains("egress refused"), "{e}");
}

/// A module whose `https://example.test/...` URL git rewrites to a file://
/// remote is served without a single name lookup: the guard judges the URL
/// git contacts, not the one before `insteadOf`.
#[tokio::test]
async fn insteadof_file_remote_needs_no_lookup() {
    let lab = Lab::new();
    let mut r = lab.repo("quiet");
    r.write("go.mod", "module example.test/quiet.git\n");
    r.commit("one");
    r.tag("v1.0.0");
    let resolver = Arc::new(crate::egress::tests::Counting::new(Table::default()));
    let direct = Direct::new(
        Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60)),
        Pages(HashMap::new()),
        Guard::new(Egress::default(), resolver.clone()),
        "",
    );
    let staging = tempfile::tempdir().unwrap();
    assert_eq!(
        memory(
            direct
                .get("example.test/quiet.git/@v/list", staging.path())
                .await
                .unwrap()
        ),
        "v1.0.0\n"
    );
    assert_eq!(
        direct
            .git_url("https://example.test/quiet.git")
            .await
            .unwrap(),
        format!("file://{}/repos/quiet.git", lab.root.path().display())
    );
    assert_eq!(resolver.asked(), Vec::<String>::new());
}

/// Maps `https://corp.example/<p>` discovery requests to the local test
/// server (standing in for DNS and TLS); everything else fails.
struct ToLocal(u16);

impl Fetch for ToLocal {
    fn get(&self, url: &str) -> impl Future<Output = Result<Vec<u8>, String>> + Send {
        let local = url
            .strip_prefix("https://corp.example/")
            .map(|rest| format!("127.0.0.1:{}", self.0) + "/" + rest);
        async move {
            let Some(local) = local else {
                return Err("no route".to_string());
            };
            let (hostport, path) = local.split_once('/').unwrap();
            let mut s = tokio::net::TcpStream::connect(hostport)
                .await
                .map_err(|e| e.to_string())?;
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            s.write_all(format!("GET /{path} HTTP/1.1\r\nHost: corp.example\r\n\r\n").as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            s.read_to_end(&mut out).await.map_err(|e| e.to_string())?;
            let i = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0);
            Ok(out[i + 4..].to_vec())
        }
    }
}

fn corp_meta(path: &str, port: u16) -> Option<String> {
    // corp.example/lib is the repository root; its code lives in go/ (the
    // go-import subdirectory field).
    (path == "lib" || path.starts_with("lib/"))
        .then(|| format!("corp.example/lib git http://127.0.0.1:{port}/git/lib.git go"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_and_git_http_backend() {
    let lab = Lab::new();
    let mut r = lab.repo("lib");
    r.write("LICENSE", "root license\n")
        .write("go/go.mod", "module corp.example/lib\n")
        .write("go/lib.go", "package lib\n")
        .write("go/sub/go.mod", "module corp.example/lib/sub\n")
        .write("go/sub/sub.go", "package sub\n")
        .write("README", "outside the go/ subdirectory\n");
    r.commit("one");
    r.tag("go/v1.0.0").tag("go/sub/v0.2.0");
    let http =
        modgate_testkit::git::http::GitHttp::start(&lab.root.path().join("repos"), corp_meta);

    let staging = tempfile::tempdir().unwrap();
    let s = staging.path();
    let fetch = || ToLocal(http.port);
    // The discovery host is served on loopback, and is resolved so.
    let names = &[("corp.example", "127.0.0.1:0")];
    let repos = || Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60));

    // Plain http needs GOINSECURE, and loopback needs the egress allowance.
    let strict = Direct::new(
        repos(),
        fetch(),
        guard(Egress::default(), names),
        "corp.example",
    );
    let e = strict.get("corp.example/lib/@v/list", s).await.unwrap_err();
    assert!(e.message.contains("loopback address"), "{e}");
    let secure_only = Direct::new(
        repos(),
        fetch(),
        guard(
            Egress {
                allow_loopback: true,
                allow_private: false,
            },
            names,
        ),
        "",
    );
    let e = secure_only
        .get("corp.example/lib/@v/list", s)
        .await
        .unwrap_err();
    assert!(e.message.contains("set GOINSECURE"), "{e}");

    let direct = Direct::new(
        repos(),
        fetch(),
        guard(
            Egress {
                allow_loopback: true,
                allow_private: false,
            },
            names,
        ),
        "corp.example",
    );
    assert_eq!(
        memory(direct.get("corp.example/lib/@v/list", s).await.unwrap()),
        "v1.0.0\n"
    );
    // Go joins the path below the root before the go-import subdirectory
    // (codeDir "sub" + "go" = "sub/go"), so corp.example/lib/sub looks for
    // sub/go/ tags, not go/sub/ ones: there are none.
    assert_eq!(
        memory(direct.get("corp.example/lib/sub/@v/list", s).await.unwrap()),
        ""
    );
    // The zip holds the go/ directory without the nested module, plus the
    // repository's root LICENSE.
    let DirectBody::File { path, .. } = direct
        .get("corp.example/lib/@v/v1.0.0.zip", s)
        .await
        .unwrap()
    else {
        panic!("zip in memory")
    };
    let mut names: Vec<String> = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
            .collect()
    };
    names.sort();
    assert_eq!(
        names,
        [
            "corp.example/lib@v1.0.0/LICENSE",
            "corp.example/lib@v1.0.0/go.mod",
            "corp.example/lib@v1.0.0/lib.go"
        ]
    );
}

/// GOVCS is applied before any VCS command, and a VCS it allows that is
/// not git is refused by name, as "not found" (the next upstream may have
/// the module).
#[tokio::test]
async fn govcs_and_other_vcs() {
    let lab = Lab::new();
    let mut r = lab.repo("allowed");
    r.write("go.mod", "module example.test/allowed.git\n");
    r.commit("one");
    r.tag("v1.0.0");
    let page = |c: &str| format!("<meta name=\"go-import\" content=\"{c}\">");
    let pages = Pages(
        [
            (
                "https://example.org/x?go-get=1".to_string(),
                page("example.org/x hg https://hg.example.org/x"),
            ),
            (
                "https://corp.example/s?go-get=1".to_string(),
                page("corp.example/s svn https://svn.corp.example/s"),
            ),
        ]
        .into_iter()
        .collect(),
    );
    let resolver = Arc::new(crate::egress::tests::Counting::new(Table::default()));
    let policy = VcsPolicy {
        govcs: modgate_core::goenv::govcs::Govcs::setting("example.test/denied.git:off").unwrap(),
        private: "corp.example".into(),
    };
    let direct = Direct::new(
        Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60)),
        pages,
        Guard::new(Egress::default(), resolver.clone()),
        "",
    )
    .with_vcs_policy(policy);
    let s = tempfile::tempdir().unwrap();
    let s = s.path();
    let e = direct.get("example.org/x/@v/list", s).await.unwrap_err();
    assert_eq!(
        (e.not_found, e.message.as_str()),
        (true, "direct mode supports only git: example.org/x uses hg")
    );
    // Private: svn is allowed by Go's default, and refused by name.
    let e = direct.get("corp.example/s/@v/list", s).await.unwrap_err();
    assert_eq!(
        e.message,
        "direct mode supports only git: corp.example/s uses svn"
    );
    // Public svn: GOVCS refuses first.
    let e = direct
        .get("example.test/repo.svn/@v/list", s)
        .await
        .unwrap_err();
    assert_eq!(
        (e.not_found, e.message.as_str()),
        (
            true,
            "GOVCS disallows using svn for public example.test/repo.svn; see 'go help vcs'"
        )
    );
    // A rule refusing git: no git runs (the repository exists and would
    // answer), and nothing is looked up.
    let mut d = lab.repo("denied");
    d.write("go.mod", "module example.test/denied.git\n");
    d.commit("one");
    let e = direct
        .get("example.test/denied.git/@v/list", s)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "GOVCS disallows using git for public example.test/denied.git; see 'go help vcs'"
    );
    assert!(!lab.cache_dir().read_dir().unwrap().any(|_| true));
    assert_eq!(
        memory(
            direct
                .get("example.test/allowed.git/@v/list", s)
                .await
                .unwrap()
        ),
        "v1.0.0\n"
    );
    assert_eq!(
        resolver.asked(),
        ["example.org", "corp.example"].map(String::from)
    );
}

/// A `mod` go-import is answered with the proxy to fetch from, once the
/// egress guard has accepted the proxy's address.
#[tokio::test]
async fn go_import_mod_answers_the_proxy() {
    let lab = Lab::new();
    let page = |c: &str| format!("<meta name=\"go-import\" content=\"{c}\">");
    let pages = Pages(
        [
            (
                "https://corp.example/p?go-get=1".to_string(),
                page("corp.example/p mod https://proxy.corp.example/base"),
            ),
            (
                "https://corp.example/inside?go-get=1".to_string(),
                page("corp.example/inside mod https://10.1.2.3/base"),
            ),
        ]
        .into_iter()
        .collect(),
    );
    let direct = Direct::new(
        Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60)),
        pages,
        guard(
            Egress::default(),
            &[
                ("corp.example", "93.184.215.14:0"),
                ("proxy.corp.example", "93.184.215.15:0"),
            ],
        ),
        "",
    );
    let s = tempfile::tempdir().unwrap();
    let DirectBody::Proxy { base } = direct
        .get("corp.example/p/@v/list", s.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("not a proxy answer")
    };
    assert_eq!(base, "https://proxy.corp.example/base");
    let e = direct
        .get("corp.example/inside/@v/list", s.path())
        .await
        .unwrap_err();
    assert_eq!(
        (e.not_found, e.message.as_str()),
        (
            false,
            "module corp.example/inside: module proxy https://10.1.2.3/base: egress refused: 10.1.2.3 resolves to 10.1.2.3 (private address)"
        )
    );
}

/// Appends `text` to a git configuration file.
fn append(path: &std::path::Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn no_lookups() -> Arc<crate::egress::tests::Counting> {
    Arc::new(crate::egress::tests::Counting::new(Table::default()))
}

const LOOPBACK: Egress = Egress {
    allow_loopback: true,
    allow_private: false,
};

/// `url.<base>.insteadOf` sends https://git.corp.example/ to a second
/// remote, a real `git http-backend` on loopback: direct mode serves the
/// module from it, and the guard judges the rewritten address (refused
/// without the loopback allowance), never looking git.corp.example up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insteadof_to_a_second_http_remote() {
    let lab = Lab::new();
    let mut r = lab.repo("lib");
    r.write("go.mod", "module git.corp.example/lib.git\n")
        .write("lib.go", "package lib\n");
    r.commit("one");
    r.tag("v1.0.0");
    let http =
        modgate_testkit::git::http::GitHttp::start(&lab.root.path().join("repos"), |_, _| None);
    append(
        &lab.gitconfig(),
        &format!(
            "[url \"http://127.0.0.1:{}/git/\"]\n\tinsteadOf = https://git.corp.example/\n",
            http.port
        ),
    );
    let resolver = no_lookups();
    let s = tempfile::tempdir().unwrap();
    let s = s.path();
    let direct = Direct::new(
        Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60)),
        Pages(HashMap::new()),
        Guard::new(LOOPBACK, resolver.clone()),
        "",
    );
    assert_eq!(
        memory(
            direct
                .get("git.corp.example/lib.git/@v/list", s)
                .await
                .unwrap()
        ),
        "v1.0.0\n"
    );
    assert_eq!(
        memory(
            direct
                .get("git.corp.example/lib.git/@v/v1.0.0.mod", s)
                .await
                .unwrap()
        ),
        "module git.corp.example/lib.git\n"
    );
    assert!(matches!(
        direct
            .get("git.corp.example/lib.git/@v/v1.0.0.zip", s)
            .await
            .unwrap(),
        DirectBody::File { .. }
    ));

    let other_cache = tempfile::tempdir().unwrap();
    let strict = Direct::new(
        Repos::new(
            lab_runner(&lab),
            other_cache.path(),
            Duration::from_secs(60),
        ),
        Pages(HashMap::new()),
        Guard::new(Egress::default(), resolver.clone()),
        "",
    );
    let e = strict
        .get("git.corp.example/lib.git/@v/list", s)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        format!(
            "module git.corp.example/lib.git: egress refused: 127.0.0.1:{0} resolves to 127.0.0.1 (loopback address)",
            http.port
        )
    );
    assert_eq!(resolver.asked(), Vec::<String>::new());
}

/// A private repository behind HTTP Basic auth, reached through insteadOf:
/// served with credentials from `.netrc` (found through HOME) or from a
/// `credential.helper store` file; without them (or with wrong ones embedded
/// in the URL) the request fails fast, says authentication failed, and
/// shows neither the password nor a URL carrying it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_repository_behind_basic_auth() {
    let lab = Lab::new();
    let mut r = lab.repo("private");
    r.write("go.mod", "module git.corp.example/private.git\n");
    r.commit("one");
    r.tag("v0.1.0");
    // base64("alice:s3cret-pw")
    let http = modgate_testkit::git::http::GitHttp::start_with_auth(
        &lab.root.path().join("repos"),
        |_, _| None,
        Some("Basic YWxpY2U6czNjcmV0LXB3".into()),
    );
    let port = http.port;
    append(
        &lab.gitconfig(),
        &format!(
            "[url \"http://127.0.0.1:{port}/git/\"]\n\tinsteadOf = https://git.corp.example/\n"
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let home = |name: &str| {
        let h = dir.path().join(name);
        std::fs::create_dir_all(&h).unwrap();
        h
    };
    let base_config = std::fs::read_to_string(lab.gitconfig()).unwrap();
    let config = |name: &str, extra: &str| {
        let p = dir.path().join(format!("{name}.gitconfig"));
        std::fs::write(&p, format!("{base_config}{extra}")).unwrap();
        p
    };
    let s = tempfile::tempdir().unwrap();
    let direct = |runner: crate::run::Runner, cache: &str| {
        Direct::new(
            Repos::new(runner, dir.path().join(cache), Duration::from_secs(60)),
            Pages(HashMap::new()),
            Guard::new(LOOPBACK, no_lookups()),
            "",
        )
    };
    let list = "git.corp.example/private.git/@v/list";

    // .netrc in HOME.
    let netrc_home = home("netrc-home");
    std::fs::write(
        netrc_home.join(".netrc"),
        "machine 127.0.0.1 login alice password s3cret-pw\n",
    )
    .unwrap();
    let d = direct(lab_runner(&lab).with_env("HOME", &netrc_home), "c1");
    assert_eq!(memory(d.get(list, s.path()).await.unwrap()), "v0.1.0\n");

    // credential.helper store.
    let store = dir.path().join("git-credentials");
    std::fs::write(&store, format!("http://alice:s3cret-pw@127.0.0.1:{port}\n")).unwrap();
    let cfg = config(
        "store",
        &format!(
            "[credential]\n\thelper = store --file={}\n",
            store.display()
        ),
    );
    let d = direct(
        lab_runner(&lab)
            .with_env("HOME", home("empty-1"))
            .with_env("GIT_CONFIG_GLOBAL", &cfg),
        "c2",
    );
    assert_eq!(memory(d.get(list, s.path()).await.unwrap()), "v0.1.0\n");

    // No credentials: no prompt, a fast and clear failure.
    let d = direct(lab_runner(&lab).with_env("HOME", home("empty-2")), "c3");
    let start = Instant::now();
    let e = d.get(list, s.path()).await.unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(!e.not_found, "{e}");
    assert!(e.message.contains("authentication failed"), "{e}");

    // Wrong credentials embedded in the rewritten URL.
    let cfg = config(
        "embedded",
        &format!(
            "[url \"http://alice:wr0ng-pw@127.0.0.1:{port}/git/\"]\n\tinsteadOf = https://git.corp.example/\n"
        ),
    );
    let d = direct(
        lab_runner(&lab)
            .with_env("HOME", home("empty-3"))
            .with_env("GIT_CONFIG_GLOBAL", &cfg),
        "c4",
    );
    let e = d.get(list, s.path()).await.unwrap_err();
    assert!(e.message.contains("authentication failed"), "{e}");
    for secret in ["wr0ng-pw", "alice:", "s3cret-pw"] {
        assert!(!e.message.contains(secret), "{secret} in {e}");
    }
}

#[test]
fn userinfo_is_redacted() {
    assert_eq!(
        redact_userinfo(
            "fatal: unable to access 'https://bob:pw@h.example/x.git/': 401; see http://h/ and ssh://git@h:22/r"
        ),
        "fatal: unable to access 'https://h.example/x.git/': 401; see http://h/ and ssh://h:22/r"
    );
    assert_eq!(redact_userinfo("no urls: a@b"), "no urls: a@b");
}
