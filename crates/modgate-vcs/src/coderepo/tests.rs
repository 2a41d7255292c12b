//! Module versions from test repositories, checked against fixed
//! expectations and, when `go` is available, against the go command in
//! direct mode on the same repositories: version lists, query results
//! (version and time, or failure), and the `h1:` sums of `.mod` and `.zip`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::*;
use crate::repo::Repos;
use crate::run::tests::lab_runner;
use modgate_testkit::git::{HOST, Lab};

/// A module to check and the queries to resolve in it.
struct Case {
    module: String,
    code_root: String,
    queries: Vec<String>,
}

/// Builds the test repositories; returns the cases.
fn build(lab: &Lab) -> Vec<Case> {
    let mut cases = Vec::new();

    // "inc": never has a go.mod, so v2+ tags are +incompatible.
    let mut r = lab.repo("inc");
    r.write("a.go", "package inc\n")
        .write("LICENSE", "root license\n");
    let c1 = r.commit("one");
    r.tag("v1.0.0");
    r.write("b.go", "package inc\n");
    r.commit("two");
    r.annotated_tag("v1.1.0").tag("v1.2");
    r.write("c.go", "package inc\n");
    let c3 = r.commit("three");
    r.tag("v2.0.0").tag("v1.3.0+build");
    r.write("d.go", "package inc\n");
    r.commit("four");
    r.tag("v2.1.0").tag("v0.0.0-20200101000000-abcdefabcdef");
    r.write(
        ".gitattributes",
        "hidden.txt export-ignore\nsubst.txt export-subst\n",
    )
    .write("hidden.txt", "kept by go\n")
    .write("subst.txt", "$Format:%H$\n")
    .write("vendor/modules.txt", "# vendor\n")
    .write("vendor/x/y.go", "package y\n")
    .write("pkg/vendor/vendor.go", "package vendor\n")
    .write("nested/go.mod", "module example.test/inc.git/nested\n")
    .write("nested/n.go", "package nested\n")
    .write("crlf.txt", "a\r\nb\r\n")
    .symlink("a.go", "link.go");
    r.commit("five");
    r.tag("v3.0.0-pre");
    r.checkout("dev", true).write("dev.go", "package inc\n");
    r.commit("dev");
    r.checkout("main", false).write("e.go", "package inc\n");
    let c7 = r.commit("seven");
    cases.push(Case {
        module: format!("{HOST}/inc.git"),
        code_root: format!("{HOST}/inc.git"),
        queries: [
            "v1.0.0",
            "v1.1.0",
            "v1.2",
            "v1.3.0",
            "v2.0.0",
            "v2.0.0+incompatible",
            "v1.0.0+incompatible",
            "v3.0.0-pre",
            "main",
            "dev",
            "HEAD",
            "latest",
            &c1[..7],
            &c3[..12],
            &c7,
            "v9.9.9",
            "nosuchbranch",
            "v0.0.0-20200101000000-abcdefabcdef",
        ]
        .map(String::from)
        .to_vec(),
    });

    // "multi": a root module with a nested module and vendor directory, a
    // subdirectory module, /v2 in the major-subdirectory layout (v2/) and in
    // the same-branch layout (sub/ becomes sub/v2), a retraction, a LICENSE
    // only at the root.
    let mut r = lab.repo("multi");
    r.write("go.mod", "module example.test/multi.git\n\ngo 1.24\n")
        .write("LICENSE", "root license\n")
        .write("a.go", "package multi\n")
        .write("vendor/modules.txt", "# vendor\n")
        .write("vendor/x/y.go", "package y\n")
        .write("nested/go.mod", "module example.test/multi.git/nested\n")
        .write("nested/n.go", "package nested\n")
        .write("sub/go.mod", "module example.test/multi.git/sub\n")
        .write("sub/s.go", "package sub\n");
    r.commit("one");
    r.tag("v1.0.0").tag("sub/v1.0.0");
    r.write("v2/go.mod", "module example.test/multi.git/v2\n")
        .write("v2/x.go", "package x\n");
    let m2 = r.commit("v2 dir");
    r.tag("v2.0.0").tag("sub/v1.0.1");
    r.write("sub/go.mod", "module example.test/multi.git/sub/v2\n");
    r.commit("sub v2");
    r.tag("sub/v2.0.0").tag("v1.0.1");
    r.write(
        "go.mod",
        "module example.test/multi.git\n\ngo 1.24\n\nretract v1.0.1\n",
    );
    r.commit("retract");
    r.tag("v1.2.0");
    r.write("b.go", "package multi\n");
    let m5 = r.commit("untagged");
    let common = |extra: &[&str]| -> Vec<String> {
        let mut q: Vec<String> = ["main", "latest", &m5[..7], &m2[..10]]
            .map(String::from)
            .to_vec();
        q.extend(extra.iter().map(|s| s.to_string()));
        q
    };
    for (module, extra) in [
        (
            "multi.git",
            vec![
                "v1.0.0",
                "v1.0.1",
                "v1.2.0",
                "v2.0.0",
                "v2.0.0+incompatible",
            ],
        ),
        ("multi.git/sub", vec!["v1.0.0", "v1.0.1", "v2.0.0"]),
        ("multi.git/sub/v2", vec!["v2.0.0", "v1.0.0"]),
        ("multi.git/v2", vec!["v2.0.0"]),
        ("multi.git/nested", vec![]),
    ] {
        cases.push(Case {
            module: format!("{HOST}/{module}"),
            code_root: format!("{HOST}/multi.git"),
            queries: common(&extra),
        });
    }
    cases
}

/// A query's version and RFC 3339 time, or an error text.
type QueryResult = Result<(String, String), String>;

/// What modgate answers for one case.
#[derive(Debug, Default)]
struct Answers {
    versions: Vec<String>,
    /// query → (version, RFC 3339 time) or an error text.
    queries: Vec<(String, QueryResult)>,
    /// version → (zip h1, go.mod h1)
    sums: Vec<(String, String, String)>,
}

async fn answer(repos: &Repos, case: &Case, tmp: &Path) -> Answers {
    let git = repos
        .get(&format!("https://{}", case.code_root))
        .await
        .unwrap();
    let cr = CodeRepo::new(git, &case.code_root, "", &case.module).unwrap();
    let mut a = Answers {
        versions: cr.versions().await.unwrap(),
        ..Answers::default()
    };
    let mut to_download: BTreeSet<String> = a.versions.iter().cloned().collect();
    let mut queries = case.queries.clone();
    // The pseudo-version "main" resolves to is itself a query, and so are
    // corrupted forms of it (wrong time, longer hash, wrong base).
    if let Ok(i) = cr.stat("main").await
        && module::is_pseudo_version(&i.version)
    {
        let v = i.version.clone();
        queries.push(v.clone());
        queries.push(v.replace("2020", "2019"));
        let (base, build) = v.split_once('+').unwrap_or((&v, ""));
        let long = if build.is_empty() {
            format!("{base}0")
        } else {
            format!("{base}0+{build}")
        };
        queries.push(long);
        if let Some(rest) = v.strip_prefix("v0.0.0-") {
            queries.push(format!("v1.0.0-{rest}"));
        }
    }
    for q in &queries {
        let got = cr.stat(q).await;
        if let Ok(i) = &got {
            to_download.insert(i.version.clone());
        }
        a.queries.push((
            q.clone(),
            got.map(|i| (i.version.clone(), i.utc_time().format_rfc3339()))
                .map_err(|e| e.to_string()),
        ));
    }
    for v in to_download {
        let gomod = cr.go_mod(&v).await.unwrap();
        let path = tmp.join("out.zip");
        let f = std::fs::File::create(&path).unwrap();
        let sum = cr.zip(f, &v, tmp).await.unwrap();
        assert_eq!(
            modgate_core::dirhash::hash_zip_file(&path).unwrap(),
            sum,
            "{}@{v}: reported sum differs from the zip's",
            case.module
        );
        a.sums
            .push((v, sum, modgate_core::dirhash::hash_gomod(&gomod)));
    }
    a
}

fn lookup<'a>(a: &'a Answers, q: &str) -> &'a QueryResult {
    &a.queries.iter().find(|(k, _)| k == q).unwrap().1
}

fn version_of(a: &Answers, q: &str) -> String {
    match lookup(a, q) {
        Ok((v, _)) => v.clone(),
        Err(e) => panic!("{q}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_queries_and_sums_match_go() {
    let lab = Lab::new();
    let cases = build(&lab);
    let repos = Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60));
    let tmp = tempfile::tempdir().unwrap();
    let mut answers = Vec::new();
    for c in &cases {
        answers.push(answer(&repos, c, tmp.path()).await);
    }

    // Fixed expectations, checked with or without go.
    let inc = &answers[0];
    assert_eq!(
        inc.versions,
        [
            "v1.0.0",
            "v1.1.0",
            "v2.0.0+incompatible",
            "v2.1.0+incompatible",
            "v3.0.0-pre+incompatible"
        ]
    );
    assert_eq!(version_of(inc, "v2.0.0"), "v2.0.0+incompatible");
    // A canonical tag on the same commit wins over the short tag.
    assert_eq!(version_of(inc, "v1.2"), "v1.1.0");
    assert!(version_of(inc, "main").starts_with("v3.0.0-pre.0.2020"));
    assert!(lookup(inc, "v9.9.9").is_err());
    assert!(lookup(inc, "v1.0.0+incompatible").is_err());
    let multi = &answers[1];
    assert_eq!(multi.versions, ["v1.0.0", "v1.0.1", "v1.2.0"]);
    assert!(version_of(multi, "main").starts_with("v1.2.1-0.2020"));
    assert_eq!(answers[2].versions, ["v1.0.0", "v1.0.1"]);
    assert_eq!(answers[3].versions, ["v2.0.0"]);
    assert_eq!(answers[4].versions, ["v2.0.0"]);
    assert!(answers[5].versions.is_empty());
    assert!(version_of(&answers[5], "main").starts_with("v0.0.0-2020"));

    let Some(go) = GoOracle::new(&lab) else {
        return;
    };
    let (mut lists, mut queries, mut sums) = (0, 0, 0);
    for (c, a) in cases.iter().zip(&answers) {
        assert_eq!(go.versions(&c.module), a.versions, "{} versions", c.module);
        lists += 1;
        for (q, mine) in &a.queries {
            // With a version list, go picks "latest" from the list itself;
            // the proxy's @latest only matters when the list is empty.
            if GO_PREFIX_QUERIES.contains(&q.as_str()) || (q == "latest" && !a.versions.is_empty())
            {
                continue;
            }
            let theirs = go.query(&c.module, q);
            match (mine, &theirs) {
                (Ok(m), Ok(t)) => assert_eq!(m, t, "{}@{q}", c.module),
                (Err(_), Err(_)) => {}
                _ => panic!("{}@{q}: modgate {mine:?}, go {theirs:?}", c.module),
            }
            queries += 1;
        }
        for (v, zip_sum, mod_sum) in &a.sums {
            let (gz, gm) = go.download(&c.module, v);
            assert_eq!((zip_sum, mod_sum), (&gz, &gm), "{}@{v} sums", c.module);
            sums += 1;
        }
    }
    eprintln!("go oracle: {lists} version lists, {queries} queries, {sums} downloads: all equal");
}

/// Queries the go command answers from the version list itself (semver
/// prefixes) and so never asks a repository or proxy about.
const GO_PREFIX_QUERIES: &[&str] = &["v1.2"];

/// The go command in direct mode over the lab's repositories.
struct GoOracle {
    dir: tempfile::TempDir,
    gitconfig: std::path::PathBuf,
}

impl GoOracle {
    fn new(lab: &Lab) -> Option<GoOracle> {
        if Command::new("go").arg("version").output().is_err() {
            if std::env::var("MODGATE_REQUIRE_GO").as_deref() == Ok("1") {
                panic!("go not found and MODGATE_REQUIRE_GO=1");
            }
            eprintln!("skipping: go not found");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module oracle\n\ngo 1.24\n").unwrap();
        Some(GoOracle {
            dir,
            gitconfig: lab.gitconfig(),
        })
    }

    fn go(&self, args: &[&str]) -> Result<serde_json::Value, String> {
        let d = self.dir.path();
        let out = Command::new("go")
            .args(args)
            .current_dir(d)
            .env("GOPATH", d.join("gopath"))
            .env("GOMODCACHE", d.join("gopath/mod"))
            .env("GOCACHE", d.join("gocache"))
            .env("GOPROXY", "direct")
            .env("GOSUMDB", "off")
            .env("GONOSUMDB", HOST)
            .env("GOPRIVATE", HOST)
            .env("GOINSECURE", HOST)
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .env("GOENV", "off")
            .env("GOWORK", "off")
            .env("GONOPROXY", "")
            .env("GIT_CONFIG_GLOBAL", &self.gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
    }

    fn versions(&self, module: &str) -> Vec<String> {
        let v = self
            .go(&["list", "-m", "-versions", "-retracted", "-json", module])
            .unwrap();
        v["Versions"]
            .as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    }

    fn query(&self, module: &str, q: &str) -> Result<(String, String), String> {
        let v = self.go(&["list", "-m", "-json", &format!("{module}@{q}")])?;
        Ok((
            v["Version"].as_str().unwrap().to_string(),
            v["Time"].as_str().unwrap().to_string(),
        ))
    }

    fn download(&self, module: &str, version: &str) -> (String, String) {
        let v = self
            .go(&["mod", "download", "-json", &format!("{module}@{version}")])
            .unwrap_or_else(|e| panic!("go mod download {module}@{version}: {e}"));
        (
            v["Sum"].as_str().unwrap().to_string(),
            v["GoModSum"].as_str().unwrap().to_string(),
        )
    }
}

#[test]
fn path_prefixes() {
    assert!(has_path_prefix("a/b", "a"));
    assert!(has_path_prefix("a", "a"));
    assert!(!has_path_prefix("ab", "a"));
    assert!(has_path_prefix("a/b", "a/"));
    assert!(!has_path_prefix("a", "a/b"));
    assert_eq!(legacy_go_mod("example.com/x"), b"module example.com/x\n");
    assert_eq!(
        legacy_go_mod("example.com/x y"),
        b"module \"example.com/x y\"\n"
    );
}
