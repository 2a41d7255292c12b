//! The real go command as the oracle for minimal version selection.
//!
//! Publishes a universe of generated modules into a `file://` GOPROXY (zips
//! from [`create_from_dir`], go.mod files printed by the core's
//! [`format_gomod`], pseudo-versions from [`pseudo_version`]), then for each
//! case writes a main module (or a go.work workspace), runs
//! `go list -m all` there, and compares its lines with
//! [`mvs::build_list`] / [`mvs::build_list_workspace`] exactly. The go.mod
//! files our side reads come from the same proxy tree, through a
//! [`mvs::GoModSource`] closure.
//!
//! Runs `go` offline with a private GOPATH, GOMODCACHE and GOCACHE. Without
//! `go` on PATH the test prints "skipping: go not found", unless
//! `MODGATE_REQUIRE_GO=1`, when it fails.

use std::fs;
use std::path::{Path, PathBuf};

use modgate_core::modfile::{self, format_gomod};
use modgate_core::module::{UtcTime, Version, escape_path, escape_version, pseudo_version};
use modgate_core::mvs::{self, GoModRef, MainModule};
use modgate_core::query::{self, Allowed, QuerySource, VersionList};
use modgate_core::zip::create_from_dir;

/// go.mod text for `path` at go version `go` (none: no go line) requiring
/// `reqs`, plus `extra` directives; printed by the core's formatter.
fn gomod(path: &str, go: Option<&str>, reqs: &[(&str, &str)], extra: &str) -> String {
    let mut s = format!("module {path}\n");
    if let Some(go) = go {
        s.push_str(&format!("go {go}\n"));
    }
    for (p, v) in reqs {
        s.push_str(&format!("require {p} {v}\n"));
    }
    s.push_str(extra);
    String::from_utf8(format_gomod("go.mod", s.as_bytes()).expect("fixture go.mod parses")).unwrap()
}

/// A `file://` GOPROXY tree being written.
struct Proxy {
    root: PathBuf,
    scratch: PathBuf,
}

impl Proxy {
    /// Publishes `path@version`; `gomod` `None` publishes a tree without a
    /// go.mod (the `.mod` is then the synthesized `module path`).
    fn publish(&self, path: &str, version: &str, gomod: Option<&str>) {
        let m = Version::new(path, version);
        let src = self
            .scratch
            .join(format!("{}@{}", escape_path(path).unwrap(), version));
        fs::create_dir_all(&src).unwrap();
        if let Some(g) = gomod {
            fs::write(src.join("go.mod"), g).unwrap();
        }
        let pkg = path.rsplit('/').next().unwrap().replace(['.', '-'], "_");
        fs::write(src.join("lib.go"), format!("package {pkg}\n")).unwrap();
        let at_v = self.root.join(escape_path(path).unwrap()).join("@v");
        fs::create_dir_all(&at_v).unwrap();
        let ver = escape_version(version).unwrap();
        let zip = fs::File::create(at_v.join(format!("{ver}.zip"))).unwrap();
        create_from_dir(&zip, &m, &src).unwrap_or_else(|e| panic!("{m}: {e}"));
        let modbytes = gomod.map_or_else(|| format!("module {path}\n"), str::to_owned);
        fs::write(at_v.join(format!("{ver}.mod")), modbytes).unwrap();
        fs::write(
            at_v.join(format!("{ver}.info")),
            format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-02T03:04:05Z\"}}\n"),
        )
        .unwrap();
        if !modgate_core::module::is_pseudo_version(version) {
            self.list_version(path, version);
        }
    }

    /// Publishes with a go.mod of `path` at go 1.21 with `extra` lines.
    fn publish_with(&self, path: &str, version: &str, extra: &str) {
        self.publish(path, version, Some(&gomod(path, Some("1.21"), &[], extra)));
    }

    /// Adds a version line to `@v/list`.
    fn list_version(&self, path: &str, version: &str) {
        let list = self.root.join(escape_path(path).unwrap()).join("@v/list");
        let mut text = fs::read_to_string(&list).unwrap_or_default();
        text.push_str(&format!("{version}\n"));
        fs::write(list, text).unwrap();
    }

    /// Our go.mod source: the proxy's `.mod` files and directories under `base`.
    fn source(&self, base: &Path) -> impl FnMut(&GoModRef) -> Result<Vec<u8>, String> + use<> {
        let root = self.root.clone();
        let base = base.to_path_buf();
        move |at: &GoModRef| match at {
            GoModRef::Module(m) => {
                let file = root
                    .join(escape_path(&m.path).map_err(|e| e.to_string())?)
                    .join("@v")
                    .join(format!(
                        "{}.mod",
                        escape_version(&m.version).map_err(|e| e.to_string())?
                    ));
                fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
            }
            GoModRef::Dir(d) => {
                let file = base.join(d).join("go.mod");
                fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
            }
        }
    }
}

/// One main module (or workspace) to resolve: files relative to its directory.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    /// Run in workspace mode (a `go.work` is among the files).
    work: bool,
}

fn universe(p: &Proxy) {
    let pub_ = |path: &str, v: &str, go: Option<&str>, reqs: &[(&str, &str)]| {
        p.publish(path, v, Some(&gomod(path, go, reqs, "")))
    };
    let g21 = Some("1.21");
    let g16 = Some("1.16");
    // Diamond.
    pub_("d.example/a", "v1.0.0", g21, &[("d.example/c", "v1.1.0")]);
    pub_("d.example/b", "v1.0.0", g21, &[("d.example/c", "v1.2.0")]);
    pub_("d.example/c", "v1.1.0", g21, &[]);
    pub_("d.example/c", "v1.2.0", g21, &[]);
    // Deep: a → b → c v1.3.0; pruned (go 1.21) and unpruned (go 1.16) b.
    pub_(
        "deep.example/a",
        "v1.0.0",
        g21,
        &[("deep.example/b", "v1.0.0")],
    );
    pub_(
        "deep.example/b",
        "v1.0.0",
        g21,
        &[("deep.example/c", "v1.3.0")],
    );
    pub_("deep.example/c", "v1.1.0", g21, &[]);
    pub_("deep.example/c", "v1.3.0", g21, &[]);
    pub_(
        "deep.example/old",
        "v1.0.0",
        g16,
        &[("deep.example/b", "v1.0.0")],
    );
    pub_(
        "deep.example/nogo",
        "v1.0.0",
        None,
        &[("deep.example/b", "v1.0.0")],
    );
    // Root upgraded by a dependency, whose newer go.mod brings more.
    pub_("up.example/a", "v1.0.0", g21, &[("up.example/b", "v1.1.0")]);
    pub_("up.example/b", "v1.0.0", g21, &[]);
    pub_("up.example/b", "v1.1.0", g21, &[("up.example/c", "v1.2.0")]);
    pub_("up.example/c", "v1.2.0", g21, &[]);
    // Exclusions.
    pub_("x.example/a", "v1.0.0", g21, &[("x.example/c", "v1.2.0")]);
    pub_("x.example/c", "v1.1.0", g21, &[]);
    pub_("x.example/c", "v1.2.0", g21, &[]);
    pub_("x.example/c", "v1.3.0", g21, &[]);
    // Replacements.
    pub_("r.example/a", "v1.0.0", g21, &[]);
    pub_("r.example/a", "v1.1.0", g21, &[]);
    pub_(
        "fork.example/a",
        "v1.5.0",
        g21,
        &[("r.example/d", "v1.0.0")],
    );
    // A fork whose go.mod keeps the original path.
    p.publish(
        "fork.example/same",
        "v1.0.0",
        Some(&gomod("r.example/b", g21, &[("r.example/d", "v1.1.0")], "")),
    );
    pub_("r.example/b", "v1.0.0", g21, &[]);
    pub_("r.example/d", "v1.0.0", g21, &[]);
    pub_("r.example/d", "v1.1.0", g21, &[]);
    pub_("r.example/d", "v1.2.0", g21, &[]);
    pub_("r.example/local", "v1.0.0", g21, &[]);
    // +incompatible: no go.mod at v2+.
    p.publish("inc.example/e", "v2.0.0+incompatible", None);
    p.publish("inc.example/e", "v2.1.0+incompatible", None);
    pub_(
        "inc.example/a",
        "v1.0.0",
        g21,
        &[("inc.example/e", "v2.1.0+incompatible")],
    );
    // Pseudo-versions.
    let t = UtcTime::new(2024, 3, 4, 5, 6, 7).unwrap();
    let pseudo = pseudo_version("v1", "v1.2.0", t, "abcdefabcdef");
    pub_("ps.example/c", "v1.2.0", g21, &[]);
    pub_("ps.example/c", &pseudo, g21, &[]);
    pub_("ps.example/a", "v1.0.0", g21, &[("ps.example/c", &pseudo)]);
    // Workspace dependencies.
    pub_("w.example/dep", "v1.0.0", g21, &[("w.example/c", "v1.1.0")]);
    pub_("w.example/dep", "v1.1.0", g21, &[("w.example/c", "v1.2.0")]);
    pub_("w.example/c", "v1.1.0", g21, &[]);
    pub_("w.example/c", "v1.2.0", g21, &[]);
    pub_("w.example/c", "v1.3.0", g21, &[]);
}

fn cases() -> Vec<Case> {
    let pseudo = pseudo_version(
        "v1",
        "v1.2.0",
        UtcTime::new(2024, 3, 4, 5, 6, 7).unwrap(),
        "abcdefabcdef",
    );
    let main = |go: Option<&str>, reqs: &[(&str, &str)], extra: &str| {
        vec![("go.mod", gomod("example.com/main", go, reqs, extra))]
    };
    let g21 = Some("1.21");
    let g16 = Some("1.16");
    let one = |name, files| Case {
        name,
        files,
        work: false,
    };
    vec![
        one(
            "diamond",
            main(
                g21,
                &[("d.example/a", "v1.0.0"), ("d.example/b", "v1.0.0")],
                "",
            ),
        ),
        one(
            "deep, pruned: c v1.3.0 below a pruned b is not loaded",
            main(
                g21,
                &[("deep.example/a", "v1.0.0"), ("deep.example/c", "v1.1.0")],
                "",
            ),
        ),
        one(
            "deep, unpruned main: c v1.3.0 selected",
            main(
                g16,
                &[("deep.example/a", "v1.0.0"), ("deep.example/c", "v1.1.0")],
                "",
            ),
        ),
        one(
            "deep, go 1.16 dependency: its graph is loaded whole",
            main(
                g21,
                &[("deep.example/old", "v1.0.0"), ("deep.example/c", "v1.1.0")],
                "",
            ),
        ),
        one(
            "deep, dependency without a go line",
            main(
                g21,
                &[
                    ("deep.example/nogo", "v1.0.0"),
                    ("deep.example/c", "v1.1.0"),
                ],
                "",
            ),
        ),
        one(
            "main without a go line (unpruned)",
            main(None, &[("deep.example/a", "v1.0.0")], ""),
        ),
        one(
            "root upgraded by a dependency brings the newer root's requirements",
            main(
                g21,
                &[("up.example/a", "v1.0.0"), ("up.example/b", "v1.0.0")],
                "",
            ),
        ),
        one(
            "exclude drops a dependency's requirement",
            main(
                g21,
                &[("x.example/a", "v1.0.0"), ("x.example/c", "v1.1.0")],
                "exclude x.example/c v1.2.0\n",
            ),
        ),
        one(
            "exclude drops the main module's requirement",
            main(
                g21,
                &[("x.example/a", "v1.0.0"), ("x.example/c", "v1.3.0")],
                "exclude x.example/c v1.3.0\n",
            ),
        ),
        one(
            "replace by another module",
            main(
                g21,
                &[("r.example/a", "v1.0.0")],
                "replace r.example/a => fork.example/a v1.5.0\n",
            ),
        ),
        one(
            "replace one version only; another version selected",
            main(
                g16,
                &[("r.example/a", "v1.1.0"), ("r.example/b", "v1.0.0")],
                "replace r.example/a v1.0.0 => fork.example/a v1.5.0\nreplace r.example/b v1.0.0 => fork.example/same v1.0.0\n",
            ),
        ),
        one("replace by a local directory", {
            let mut f = main(
                g21,
                &[("r.example/local", "v1.0.0"), ("r.example/d", "v1.0.0")],
                "replace r.example/local => ./local\n",
            );
            f.push((
                "local/go.mod",
                gomod("r.example/local", g21, &[("r.example/d", "v1.2.0")], ""),
            ));
            f
        }),
        one(
            "+incompatible",
            main(
                g21,
                &[
                    ("inc.example/a", "v1.0.0"),
                    ("inc.example/e", "v2.0.0+incompatible"),
                ],
                "",
            ),
        ),
        one(
            "pseudo-version above its base tag",
            main(
                g21,
                &[("ps.example/a", "v1.0.0"), ("ps.example/c", "v1.2.0")],
                "",
            ),
        ),
        Case {
            name: "go.work with two modules",
            work: true,
            files: vec![
                (
                    "go.work",
                    String::from_utf8(
                        modfile::format_gowork(
                            "go.work",
                            b"go 1.21\nuse ./b\nuse ./a\nreplace r.example/local => ./a/local\n",
                        )
                        .unwrap(),
                    )
                    .unwrap(),
                ),
                (
                    "a/go.mod",
                    gomod(
                        "w.example/a",
                        g21,
                        &[("w.example/dep", "v1.0.0"), ("r.example/local", "v1.0.0")],
                        "",
                    ),
                ),
                (
                    "a/local/go.mod",
                    gomod("r.example/local", g21, &[("r.example/d", "v1.1.0")], ""),
                ),
                (
                    "b/go.mod",
                    gomod(
                        "w.example/b",
                        g21,
                        &[
                            ("w.example/dep", "v1.1.0"),
                            ("r.example/a", "v1.0.0"),
                            ("r.example/b", "v1.0.0"),
                        ],
                        "replace r.example/a => fork.example/a v1.5.0\nreplace r.example/b => ../b/bl\n",
                    ),
                ),
                (
                    "b/bl/go.mod",
                    gomod("r.example/b", g21, &[("r.example/d", "v1.2.0")], ""),
                ),
            ],
        },
        one(
            "pseudo-version required directly",
            main(g21, &[("ps.example/c", &pseudo)], ""),
        ),
    ]
}

fn go_lines(go: &Path, home: &Path, dir: &Path, proxy: &Path, work: bool) -> Vec<String> {
    let mut cmd = modgate_testkit::go::sealed(go, home);
    cmd.args(["list", "-m", "all"])
        .current_dir(dir)
        .env("GOPROXY", format!("file://{}", proxy.display()));
    if work {
        cmd.env("GOWORK", dir.join("go.work"))
            .env("GOFLAGS", "-modcacherw");
    } else {
        cmd.env("GOFLAGS", "-mod=mod -modcacherw");
    }
    let out = cmd.output().expect("running go");
    assert!(
        out.status.success(),
        "go list -m all in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn build_list_matches_go_list_m_all() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let proxy = Proxy {
        root: tmp.path().join("proxy"),
        scratch: tmp.path().join("scratch"),
    };
    universe(&proxy);
    let mut failures = Vec::new();
    let cases = cases();
    for (i, case) in cases.iter().enumerate() {
        let dir = tmp.path().join(format!("case{i}"));
        for (name, text) in &case.files {
            let f = dir.join(name);
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            fs::write(&f, text).unwrap();
        }
        // Ours first: go list may rewrite go.mod (-mod=mod).
        let mut src = proxy.source(&dir);
        let ours = if case.work {
            let work = fs::read(dir.join("go.work")).unwrap();
            let work = modfile::parse_work("go.work", &work, None).unwrap();
            let mains: Vec<MainModule> = work
                .use_
                .iter()
                .map(|u| {
                    let data = fs::read(dir.join(&u.path).join("go.mod")).unwrap();
                    MainModule {
                        dir: u.path.clone(),
                        file: modfile::parse("go.mod", &data, None).unwrap(),
                    }
                })
                .collect();
            mvs::build_list_workspace(&work, &mains, &mut src)
        } else {
            let data = fs::read(dir.join("go.mod")).unwrap();
            mvs::build_list(&modfile::parse("go.mod", &data, None).unwrap(), &mut src)
        };
        let ours = ours
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            .lines();
        let theirs = go_lines(&go, tmp.path(), &dir, &proxy.root, case.work);
        eprintln!("{}:\n  {}", case.name, theirs.join("\n  "));
        if ours != theirs {
            failures.push(format!("{}:\n go: {theirs:#?}\n us: {ours:#?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(cases.len(), 16);
}

/// Our [`QuerySource`] over the proxy tree.
struct ProxyQuery<'a>(&'a Path);

impl QuerySource for ProxyQuery<'_> {
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String> {
        let file = self
            .0
            .join(escape_path(&m.path).unwrap())
            .join("@v")
            .join(format!("{}.mod", escape_version(&m.version).unwrap()));
        fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
    }
}

fn go_list(
    go: &Path,
    home: &Path,
    dir: &Path,
    proxy: &Path,
    args: &[&str],
) -> Result<String, String> {
    let out = modgate_testkit::go::sealed(go, home)
        .args(["list", "-m"])
        .args(args)
        .current_dir(dir)
        .env("GOPROXY", format!("file://{}", proxy.display()))
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .output()
        .expect("running go");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap().trim_end().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn queries_match_go_list_m() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let proxy = Proxy {
        root: tmp.path().join("proxy"),
        scratch: tmp.path().join("scratch"),
    };
    // q.example/m: the latest go.mod (v1.4.0) retracts itself and v1.2.1;
    // the main module excludes v1.0.0.
    for v in [
        "v1.0.0",
        "v1.1.0",
        "v1.1.1",
        "v1.2.0",
        "v1.2.1",
        "v1.3.0-pre",
    ] {
        proxy.publish_with("q.example/m", v, "");
    }
    proxy.publish_with(
        "q.example/m",
        "v1.4.0",
        "retract (\n\t// broken\n\tv1.4.0\n\t// leaks\n\tv1.2.1\n)\n",
    );
    // Only pre-releases.
    proxy.publish_with("q.example/pre", "v0.1.0-alpha", "");
    proxy.publish_with("q.example/pre", "v0.1.0-beta", "");
    // +incompatible: ignored when v1 has a go.mod, used when it has none.
    proxy.publish_with("q.example/inc", "v1.0.0", "");
    proxy.publish("q.example/inc", "v2.0.0+incompatible", None);
    proxy.publish("q.example/inc2", "v1.0.0", None);
    proxy.publish("q.example/inc2", "v2.0.0+incompatible", None);
    // Only a pseudo-version (listed): latest falls back to it.
    let pseudo = pseudo_version(
        "",
        "",
        UtcTime::new(2024, 5, 6, 7, 8, 9).unwrap(),
        "0123456789ab",
    );
    proxy.publish_with("q.example/ps", &pseudo, "");
    proxy.list_version("q.example/ps", &pseudo);

    let dir = tmp.path().join("main");
    fs::create_dir_all(&dir).unwrap();
    let main_text = gomod(
        "example.com/main",
        Some("1.21"),
        &[("q.example/m", "v1.1.0")],
        "exclude q.example/m v1.0.0\n",
    );
    fs::write(dir.join("go.mod"), &main_text).unwrap();
    let main = modfile::parse("go.mod", main_text.as_bytes(), None).unwrap();

    let list_of = |path: &str| {
        let body = fs::read_to_string(proxy.root.join(escape_path(path).unwrap()).join("@v/list"))
            .unwrap();
        VersionList::parse(&body)
    };
    let mut src = ProxyQuery(&proxy.root);
    let mut failures = Vec::new();
    let mut check = |what: String, ours: Result<String, String>, theirs: Result<String, String>| {
        eprintln!("{what}: go {theirs:?}");
        let same = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => b.contains(a.as_str()),
            _ => false,
        };
        if !same {
            failures.push(format!("{what}: go {theirs:?}, us {ours:?}"));
        }
    };

    // go list -m -versions [-retracted]
    for path in [
        "q.example/m",
        "q.example/pre",
        "q.example/inc",
        "q.example/inc2",
    ] {
        let list = list_of(path);
        let allowed = Allowed::for_module(path, &list, [&main], &mut src).unwrap();
        for retracted in [false, true] {
            let mut args = vec!["-versions"];
            if retracted {
                args.push("-retracted");
            }
            args.push(path);
            let ours = std::iter::once(path.to_owned())
                .chain(query::list_versions(&list, &allowed, retracted))
                .collect::<Vec<_>>()
                .join(" ");
            let theirs = go_list(&go, tmp.path(), &dir, &proxy.root, &args);
            check(format!("{args:?}"), Ok(ours), theirs);
        }
    }

    // go list -m -f {{.Version}} path@query; current = the selected version.
    let current = |path: &str| if path == "q.example/m" { "v1.1.0" } else { "" };
    let queries: &[(&str, &[&str])] = &[
        (
            "q.example/m",
            &[
                "latest", "upgrade", "patch", ">=v1.2.0", ">v1.2.0", "<v1.2.0", "<=v1.1.1", "v1.1",
                "v1", "v1.2.0", ">v1.9.0", "<=v1.2",
            ],
        ),
        (
            "q.example/pre",
            &["latest", "upgrade", "v0.1", ">=v0.1.0-alpha"],
        ),
        ("q.example/inc", &["latest", ">=v2.0.0", "v2"]),
        ("q.example/inc2", &["latest", "upgrade"]),
        ("q.example/ps", &["latest"]),
    ];
    for (path, qs) in queries {
        let list = list_of(path);
        let allowed = Allowed::for_module(path, &list, [&main], &mut src).unwrap();
        for q in *qs {
            let target = format!("{path}@{q}");
            let ours = query::query(path, q, current(path), &list, &allowed, &mut src)
                .map_err(|e| e.to_string());
            let theirs = go_list(
                &go,
                tmp.path(),
                &dir,
                &proxy.root,
                &["-f", "{{.Version}}", &target],
            );
            check(target, ours, theirs);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
