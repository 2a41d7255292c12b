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
use crate::testgit::Lab;

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
    let repos = Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60));
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
    let resolver = Arc::new(crate::testgit::Counting::new(Table::default()));
    let direct = Direct::new(
        Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60)),
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
    let http = crate::testhttp::GitHttp::start(&lab.root.path().join("repos"), corp_meta);

    let staging = tempfile::tempdir().unwrap();
    let s = staging.path();
    let fetch = || ToLocal(http.port);
    // The discovery host is served on loopback, and is resolved so.
    let names = &[("corp.example", "127.0.0.1:0")];
    let repos = || Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60));

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
    let resolver = Arc::new(crate::testgit::Counting::new(Table::default()));
    let policy = VcsPolicy {
        govcs: modgate_core::goenv::govcs::Govcs::setting("example.test/denied.git:off").unwrap(),
        private: "corp.example".into(),
    };
    let direct = Direct::new(
        Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60)),
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
        Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60)),
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
