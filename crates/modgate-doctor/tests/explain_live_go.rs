//! Runs the real `go` command into failures that need no network, checks
//! that explain names them, and that the corpus holds exactly what this go
//! prints (so the corpus texts are not paraphrases).
//!
//! Without `go` on PATH the test prints "skipping: go not found" and
//! returns, unless MODGATE_REQUIRE_GO=1 (CI), where it fails.

use std::path::{Path, PathBuf};

use modgate_doctor::explain;

/// Runs go in `dir` with a private GOPATH/GOMODCACHE/GOCACHE and no network.
fn run_go(tmp: &Path, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let go = modgate_testkit::go::binary().expect("the test checked for go");
    let mut cmd = modgate_testkit::go::sealed(&go, tmp);
    cmd.args(args)
        .current_dir(dir)
        .env("GOMODCACHE", tmp.join("gopath/pkg/mod"))
        .env("GOVCS", "")
        .env("GIT_CONFIG_GLOBAL", tmp.join("gitconfig"))
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running go {args:?}: {e}"));
    assert!(
        !out.status.success(),
        "go {args:?} succeeded; it was meant to fail"
    );
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

fn corpus_output(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata/explain")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split_once("\n-- output --\n")
        .map(|(_, o)| o.to_string())
        .unwrap_or_else(|| panic!("{name}: no output section"))
}

struct Scenario {
    /// Corpus file whose output this go prints byte for byte (None when the
    /// text holds temporary paths).
    corpus: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    gomod: &'static str,
    files: &'static [(&'static str, &'static str)],
    code: &'static str,
}

const GOMOD: &str = "module example.com/m\n\ngo 1.23\n";

const SCENARIOS: &[Scenario] = &[
    Scenario {
        corpus: Some("goproxy-off"),
        env: &[],
        args: &["get", "example.com/foo@v1.0.0"],
        gomod: GOMOD,
        files: &[],
        code: "config.goproxy-off",
    },
    Scenario {
        corpus: Some("tcp-refused-local"),
        env: &[("GOPROXY", "http://127.0.0.1:1")],
        args: &["get", "example.com/foo@v1.0.0"],
        gomod: GOMOD,
        files: &[],
        code: "tcp.refused",
    },
    Scenario {
        corpus: Some("goproxy-bad-scheme"),
        env: &[("GOPROXY", "ftp://proxy.corp.example")],
        args: &["get", "github.com/pkg/errors@v0.9.1"],
        gomod: GOMOD,
        files: &[],
        code: "config.goproxy-invalid",
    },
    Scenario {
        corpus: Some("goproxy-empty-list"),
        env: &[("GOPROXY", ",")],
        args: &["get", "github.com/pkg/errors@v0.9.1"],
        gomod: GOMOD,
        files: &[],
        code: "config.goproxy-invalid",
    },
    Scenario {
        corpus: Some("insecure-flag"),
        env: &[],
        args: &["get", "-insecure", "example.com/hello@v1.0.0"],
        gomod: GOMOD,
        files: &[],
        code: "config.insecure-flag",
    },
    Scenario {
        corpus: Some("govcs-public"),
        env: &[("GOPROXY", "direct"), ("GOVCS", "public:off")],
        args: &["get", "github.com/acme/private@v1.2.0"],
        gomod: GOMOD,
        files: &[],
        code: "config.govcs-disallowed",
    },
    Scenario {
        corpus: Some("toolchain-local-too-old"),
        env: &[],
        args: &["build", "./..."],
        gomod: "module example.com/tc\n\ngo 1.99.1\n",
        files: &[],
        code: "toolchain.too-old",
    },
    Scenario {
        corpus: Some("toolchain-not-available"),
        env: &[("GOTOOLCHAIN", "go1.99.1")],
        args: &["version"],
        gomod: GOMOD,
        files: &[],
        code: "toolchain.download",
    },
    Scenario {
        corpus: None,
        env: &[("GOFLAGS", "")],
        args: &["build", "."],
        gomod: "module example.com/vend\n\ngo 1.21\n\nrequire example.com/hello v1.0.0\n",
        files: &[
            (
                "main.go",
                "package main\n\nimport _ \"example.com/hello\"\n\nfunc main() {}\n",
            ),
            ("vendor/modules.txt", "# example.com/other v1.0.0\n"),
        ],
        code: "gomod.updates-needed",
    },
    Scenario {
        corpus: None,
        env: &[("GOPROXY", "file:///nonexistent/modgate-proxy")],
        args: &["get", "github.com/pkg/errors@v0.9.1"],
        gomod: GOMOD,
        files: &[],
        code: "module.not-found",
    },
];

#[test]
fn go_failures_are_explained_and_match_the_corpus() {
    if modgate_testkit::go::binary().is_none() {
        return;
    }
    let mut checked = 0;
    for (i, s) in SCENARIOS.iter().enumerate() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let dir = tmp.path().join(format!("m{i}"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("go.mod"), s.gomod).unwrap_or_else(|e| panic!("{e}"));
        for (name, body) in s.files {
            let p = dir.join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(p, body).unwrap_or_else(|e| panic!("{e}"));
        }
        let out = run_go(tmp.path(), &dir, s.env, s.args);
        let e = explain::explain(&out);
        let codes: Vec<&str> = e.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(
            codes.contains(&s.code),
            "go {:?} printed:\n{out}\nexplain found {codes:?}, want {}",
            s.args,
            s.code
        );
        if let Some(name) = s.corpus {
            assert_eq!(
                out,
                corpus_output(name),
                "corpus file {name}.txt differs from what go prints now"
            );
        }
        // Module-cache files are read-only; make them removable.
        make_writable(tmp.path());
        checked += 1;
    }
    println!("explain live go: {checked} scenarios checked against the installed go");
}

fn make_writable(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if let Ok(meta) = std::fs::symlink_metadata(&p) {
            let mut perm = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&p, perm);
            if meta.is_dir() {
                make_writable(&p);
            }
        }
    }
}
