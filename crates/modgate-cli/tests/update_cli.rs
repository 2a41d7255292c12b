//! `modgate update` against the real go command, file by file: a fixture module
//! graph published as a `file://` GOPROXY (zips by the core's writer), a project
//! whose starting go.sum the go command writes (`go mod tidy`), then `modgate
//! update` on one copy and `go get <the planned module@version list>` + `go mod
//! tidy` on another; go.mod and go.sum must be byte for byte equal.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Fixture {
    root: PathBuf,
}

impl Fixture {
    /// Publishes `path@version`: go.mod `gomod_extra` appended to `module` and `go`
    /// lines, one package importing `imports`.
    fn publish(&self, path: &str, version: &str, go: &str, extra: &str, imports: &[&str]) {
        self.publish_at(path, version, go, extra, imports, "2026-01-02T03:04:05Z");
    }

    /// [`Fixture::publish`] with the `.info` time given.
    fn publish_at(
        &self,
        path: &str,
        version: &str,
        go: &str,
        extra: &str,
        imports: &[&str],
        time: &str,
    ) {
        self.publish_full(path, version, Some(go), extra, imports, &[], time);
    }

    /// [`Fixture::publish`] with a test file importing `test_imports` (its
    /// package's test) and the go line left out when `go` is `None`.
    fn publish_tested(
        &self,
        path: &str,
        version: &str,
        go: Option<&str>,
        extra: &str,
        imports: &[&str],
        test_imports: &[&str],
    ) {
        let time = "2026-01-02T03:04:05Z";
        self.publish_full(path, version, go, extra, imports, test_imports, time);
    }

    #[allow(clippy::too_many_arguments)]
    fn publish_full(
        &self,
        path: &str,
        version: &str,
        go: Option<&str>,
        extra: &str,
        imports: &[&str],
        test_imports: &[&str],
        time: &str,
    ) {
        let src = tempfile::tempdir().unwrap();
        let gomod = match go {
            Some(go) => format!("module {path}\n\ngo {go}\n{extra}"),
            None => format!("module {path}\n{extra}"),
        };
        std::fs::write(src.path().join("go.mod"), &gomod).unwrap();
        let name = path.rsplit('/').next().unwrap();
        let file = |imports: &[&str], tail: &str| {
            let mut s = format!("package {name}\n\n");
            for i in imports {
                s.push_str(&format!("import _ \"{i}\"\n"));
            }
            s.push_str(tail);
            s
        };
        let version_const = format!("\nconst Version = \"{version}\"\n");
        std::fs::write(
            src.path().join(format!("{name}.go")),
            file(imports, &version_const),
        )
        .unwrap();
        if !test_imports.is_empty() {
            std::fs::write(
                src.path().join(format!("{name}_test.go")),
                file(test_imports, ""),
            )
            .unwrap();
        }
        common::publish_version(&self.root, path, version, src.path(), &gomod, time);
    }

    fn url(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

/// b: v1.0.0, v1.1.0, v1.1.1. a: v1.0.0 → b v1.0.0, v1.0.1, v1.1.0 → b v1.1.0,
/// v1.2.0 → b v1.1.0, v1.3.0 retracting itself. c: v1.0.0-rc.1, -rc.2 (only
/// pre-releases). p: v1.0.0 and a later v1.1.0-beta (a pre-release never picked
/// from a release). g: v1.0.0 (go 1.21), v1.1.0 (go 1.23). u: v1.0.0 required by
/// nobody's packages. e: v1.0.0 → b, v1.1.0 without dependencies. h: v0.1.0,
/// v0.2.0, v1.0.0. n: v1.0.0, v1.1.0 → u (a new indirect dependency).
fn universe(root: &Path) -> Fixture {
    let f = Fixture {
        root: root.to_owned(),
    };
    for v in ["v1.0.0", "v1.1.0", "v1.1.1"] {
        f.publish("example.com/b", v, "1.21", "", &[]);
    }
    let req_b = |v: &str| format!("\nrequire example.com/b {v}\n");
    f.publish(
        "example.com/a",
        "v1.0.0",
        "1.21",
        &req_b("v1.0.0"),
        &["example.com/b"],
    );
    f.publish(
        "example.com/a",
        "v1.0.1",
        "1.21",
        &req_b("v1.0.0"),
        &["example.com/b"],
    );
    f.publish(
        "example.com/a",
        "v1.1.0",
        "1.21",
        &req_b("v1.1.0"),
        &["example.com/b"],
    );
    f.publish(
        "example.com/a",
        "v1.2.0",
        "1.21",
        &req_b("v1.1.0"),
        &["example.com/b"],
    );
    f.publish(
        "example.com/a",
        "v1.3.0",
        "1.21",
        &format!("{}\n// Broken.\nretract v1.3.0\n", req_b("v1.1.0")),
        &["example.com/b"],
    );
    for v in ["v1.0.0-rc.1", "v1.0.0-rc.2"] {
        f.publish("example.com/c", v, "1.21", "", &[]);
    }
    f.publish("example.com/p", "v1.0.0", "1.21", "", &[]);
    f.publish("example.com/p", "v1.1.0-beta", "1.21", "", &[]);
    f.publish("example.com/g", "v1.0.0", "1.21", "", &[]);
    f.publish("example.com/g", "v1.1.0", "1.23", "", &[]);
    f.publish("example.com/u", "v1.0.0", "1.21", "", &[]);
    f.publish(
        "example.com/e",
        "v1.0.0",
        "1.21",
        &req_b("v1.0.0"),
        &["example.com/b"],
    );
    f.publish("example.com/e", "v1.1.0", "1.21", "", &[]);
    for v in ["v0.1.0", "v0.2.0", "v1.0.0"] {
        f.publish("example.com/h", v, "1.21", "", &[]);
    }
    f.publish("example.com/n", "v1.0.0", "1.21", "", &[]);
    f.publish(
        "example.com/n",
        "v1.1.0",
        "1.21",
        "\nrequire example.com/u v1.0.0\n",
        &["example.com/u"],
    );
    f
}

fn go(home: &Path, goproxy: &str) -> Option<Command> {
    let go = modgate_testkit::go::binary()?;
    let mut cmd = modgate_testkit::go::sealed(&go, home);
    cmd.env("GOPROXY", goproxy);
    Some(cmd)
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        common::stderr(&out),
        common::stdout(&out)
    );
    out
}

fn update(args: &[&str], home: &Path, proxy: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modgate"))
        .arg("update")
        .args(args)
        .args(["--proxy", proxy])
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOFLAGS", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GONOSUMDB", "")
        .env("GOPROXY", "off")
        .output()
        .unwrap()
}

/// Writes the project (go.mod text, a main.go importing `imports`) and lets the go
/// command write its go.sum (`go mod tidy` must leave go.mod as written).
fn project(dir: &Path, gomod: &str, imports: &[&str], home: &Path, proxy: &str) -> Option<()> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    let mut s = "package main\n\n".to_owned();
    for i in imports {
        s.push_str(&format!("import _ \"{i}\"\n"));
    }
    s.push_str("\nfunc main() {}\n");
    std::fs::write(dir.join("main.go"), s).unwrap();
    let mut tidy = go(home, proxy)?;
    ok(
        tidy.args(["mod", "tidy"])
            .current_dir(dir)
            .output()
            .unwrap(),
        "go mod tidy (setup)",
    );
    // Tidy may only regroup the requirements (it splits a mixed block): the
    // requirement set must be the one written, which is then put back as is.
    let tidied = std::fs::read(dir.join("go.mod")).unwrap();
    let reqs = |d: &[u8]| {
        let f = modgate_core::modfile::parse("go.mod", d, None).unwrap();
        let mut r: Vec<(String, bool)> = f
            .require
            .iter()
            .map(|r| (r.module.to_string(), r.indirect))
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        reqs(&tidied),
        reqs(gomod.as_bytes()),
        "the fixture is not tidy"
    );
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    Some(())
}

/// Runs `modgate update ARGS` on a copy of `dir` and `go get` of its plan + `go
/// mod tidy` on another; asserts equal go.mod and go.sum; returns the plan.
fn compare(dir: &Path, args: &[&str], home: &Path, proxy: &str) -> Vec<(String, String, String)> {
    let ours = dir.with_extension("modgate");
    let theirs = dir.with_extension("go");
    common::copy_tree(dir, &ours);
    common::copy_tree(dir, &theirs);

    // The dry run writes nothing and prints the same plan.
    let mut dry: Vec<&str> = args.to_vec();
    dry.extend(["--dry-run", "--json", ours.to_str().unwrap()]);
    let out = update(&dry, home, proxy);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(
        std::fs::read(ours.join("go.mod")).unwrap(),
        std::fs::read(dir.join("go.mod")).unwrap()
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let plan: Vec<(String, String, String)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["module"].as_str().unwrap().to_owned(),
                c["from"].as_str().unwrap().to_owned(),
                c["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let mut real: Vec<&str> = args.to_vec();
    real.push(ours.to_str().unwrap());
    let out = update(&real, home, proxy);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        common::stderr(&out),
        common::stdout(&out)
    );

    if !plan.is_empty() {
        let list: Vec<String> = plan.iter().map(|(m, _, to)| format!("{m}@{to}")).collect();
        let mut get = go(home, proxy).unwrap();
        ok(
            get.arg("get")
                .args(&list)
                .current_dir(&theirs)
                .output()
                .unwrap(),
            "go get",
        );
        let mut tidy = go(home, proxy).unwrap();
        ok(
            tidy.args(["mod", "tidy"])
                .current_dir(&theirs)
                .output()
                .unwrap(),
            "go mod tidy",
        );
    }
    if !plan.is_empty() {
        assert_ne!(
            std::fs::read(ours.join("go.mod")).unwrap(),
            std::fs::read(dir.join("go.mod")).unwrap(),
            "an update that changes nothing"
        );
    }
    for f in ["go.mod", "go.sum"] {
        assert_eq!(
            std::fs::read_to_string(ours.join(f)).unwrap_or_default(),
            std::fs::read_to_string(theirs.join(f)).unwrap_or_default(),
            "{f} differs from the go command's ({args:?})"
        );
    }
    plan
}

fn plan_of(p: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    p.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn latest_equals_go_get_and_tidy() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\n// Deps.\nrequire example.com/a v1.0.0 // pinned once\n\nrequire example.com/p v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    // Tidy reads files for any platform (p stays), never `ignore`d ones (no u).
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("win.go"),
        "//go:build windows && !linux\n\npackage main\n\nimport _ \"example.com/p\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("gen.go"),
        "//go:build ignore\n\npackage main\n\nimport _ \"example.com/u\"\n",
    )
    .unwrap();
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    // a v1.3.0 retracts itself; b moves too, being required.
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/a", "v1.0.0", "v1.2.0"),
            ("example.com/b", "v1.0.0", "v1.1.1"),
        ])
    );
}

/// Patch updates, a pre-release moving only to a pre-release, a release never
/// to a pre-release, a single uncommented block split into direct and indirect
/// ones, and a dependency tidy drops once nothing imports it.
#[test]
fn patch_and_prereleases_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0 // indirect\n\texample.com/c v1.0.0-rc.1\n\texample.com/p v1.0.0\n)\n";
    let imports = ["example.com/a", "example.com/c", "example.com/p"];
    if project(&dir, gomod, &imports, &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--patch"], &home, &f.url());
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/a", "v1.0.0", "v1.0.1"),
            ("example.com/b", "v1.0.0", "v1.0.0"),
            ("example.com/c", "v1.0.0-rc.1", "v1.0.0-rc.2"),
        ])
        .into_iter()
        .filter(|(_, from, to)| from != to)
        .collect::<Vec<_>>()
    );
    // e v1.1.0 no longer imports b: tidy drops b; p is imported by a test only
    // (still a direct requirement); a subpackage imports c.
    let dir = tmp.path().join("app2");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/c v1.0.0-rc.1\n\texample.com/e v1.0.0\n\texample.com/p v1.0.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n";
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("main_test.go"),
        "package main\n\nimport _ \"example.com/p\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/sub.go"),
        "package sub\n\nimport _ \"example.com/c\"\n",
    )
    .unwrap();
    let imports = ["example.com/app/sub", "example.com/e"];
    project(&dir, gomod, &imports, &home, &f.url()).unwrap();
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/c,example.com/e"],
        &home,
        &f.url(),
    );
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/c", "v1.0.0-rc.1", "v1.0.0-rc.2"),
            ("example.com/e", "v1.0.0", "v1.1.0"),
        ])
    );
    let sum = std::fs::read_to_string(dir.with_extension("modgate").join("go.sum")).unwrap();
    assert!(!sum.contains("example.com/b "), "{sum}");
}

/// `--minor` stays within the major version, `--latest` does not; `--exclude`.
#[test]
fn minor_and_latest_majors_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/h v0.1.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/h"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    let plan = compare(
        &dir,
        &["--minor", "--exclude", "example.com/a,example.com/b"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/h", "v0.1.0", "v0.2.0")]));
    let plan = compare(
        &dir,
        &["--latest", "--exclude", "example.com/a,example.com/b"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/h", "v0.1.0", "v1.0.0")]));
}

/// A dependency whose go line is newer raises ours, as go get does.
#[test]
fn newer_go_line_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/g v1.0.0\n";
    if project(&dir, gomod, &["example.com/g"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/g", "v1.0.0", "v1.1.0")]));
    let got = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(got.contains("\ngo 1.23\n"), "{got}");

    // With toolchain lines below and above the new go line.
    for (i, toolchain) in ["go1.21.5", "go1.24.1"].iter().enumerate() {
        let dir = tmp.path().join(format!("tc{i}"));
        let gomod = format!(
            "module example.com/app\n\ngo 1.21\n\ntoolchain {toolchain}\n\nrequire example.com/g v1.0.0\n"
        );
        project(&dir, &gomod, &["example.com/g"], &home, &f.url()).unwrap();
        let plan = compare(&dir, &["--latest"], &home, &f.url());
        assert_eq!(plan, plan_of(&[("example.com/g", "v1.0.0", "v1.1.0")]));
    }
}

/// A module replaced by a directory is not updated; its imports still count.
#[test]
fn directory_replace_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let local = dir.join("localp");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(
        local.join("go.mod"),
        "module example.com/p\n\ngo 1.21\n\nrequire example.com/b v1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        local.join("p.go"),
        "package p\n\nimport _ \"example.com/b\"\n",
    )
    .unwrap();
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/p v1.0.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n\nreplace example.com/p => ./localp\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/p"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    let plan = compare(
        &dir,
        &["--minor", "--exclude", "example.com/b"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.2.0")]));
}

/// A module replaced by another module version: updated (the requirement moves)
/// while its content, go.mod and zip hashes come from the replacement.
#[test]
fn module_replace_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    f.publish(
        "example.com/bfork",
        "v1.0.0",
        "1.21",
        "",
        &["example.com/u"],
    );
    f.publish(
        "example.com/bfork",
        "v1.0.0",
        "1.21",
        "\nrequire example.com/u v1.0.0\n",
        &["example.com/u"],
    );
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n\nreplace example.com/b v1.1.1 => example.com/bfork v1.0.0\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/a", "v1.0.0", "v1.2.0"),
            ("example.com/b", "v1.0.0", "v1.1.1"),
        ])
    );
}

/// A go.work workspace: every module in it is updated; each compared with `go
/// get` (in the workspace) + `go mod tidy` run in its directory.
/// Returns false when go is missing.
fn workspace_case(
    m1: (&str, &[&str]),
    m2: (&str, &[&str]),
    args: &[&str],
    want: [(&str, Vec<&str>); 2],
) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let ws = tmp.path().join("ws");
    if project(&ws.join("m1"), m1.0, m1.1, &home, &f.url()).is_none() {
        return false;
    }
    project(&ws.join("m2"), m2.0, m2.1, &home, &f.url()).unwrap();
    std::fs::write(ws.join("go.work"), "go 1.21\n\nuse (\n\t./m1\n\t./m2\n)\n").unwrap();

    let ours = tmp.path().join("ws.modgate");
    let theirs = tmp.path().join("ws.go");
    common::copy_tree(&ws, &ours);
    common::copy_tree(&ws, &theirs);
    let out = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .arg("update")
        .args(args)
        .args(["--json", "--proxy", &f.url()])
        .arg(&ours)
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env_remove("GOWORK")
        .env("GOFLAGS", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GONOSUMDB", "")
        .env("GOPROXY", "off")
        .output()
        .unwrap();
    let out = ok(out, "modgate update (workspace)");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (m, want) in want {
        let planned: Vec<String> = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["gomod"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("{m}/go.mod"))
            })
            .map(|c| {
                format!(
                    "{}@{}",
                    c["module"].as_str().unwrap(),
                    c["to"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(planned, want);
        let mdir = theirs.join(m);
        let mut get = go(&home, &f.url()).unwrap();
        ok(
            get.arg("get")
                .args(&planned)
                .env("GOWORK", theirs.join("go.work"))
                .current_dir(&mdir)
                .output()
                .unwrap(),
            "go get (workspace)",
        );
        let mut tidy = go(&home, &f.url()).unwrap();
        ok(
            tidy.args(["mod", "tidy"])
                .current_dir(&mdir)
                .output()
                .unwrap(),
            "go mod tidy",
        );
        for file in ["go.mod", "go.sum"] {
            assert_eq!(
                std::fs::read_to_string(ours.join(m).join(file)).unwrap_or_default(),
                std::fs::read_to_string(mdir.join(file)).unwrap_or_default(),
                "{m}/{file} differs from the go command's"
            );
        }
    }
    assert_eq!(
        std::fs::read(ours.join("go.work")).unwrap(),
        std::fs::read(theirs.join("go.work")).unwrap()
    );
    true
}

#[test]
fn workspace_modules_equal_go() {
    workspace_case(
        (
            "module example.com/m1\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n",
            &["example.com/a"],
        ),
        (
            "module example.com/m2\n\ngo 1.21\n\nrequire example.com/c v1.0.0-rc.1\n",
            &["example.com/c"],
        ),
        &["--latest"],
        [
            ("m1", vec!["example.com/a@v1.2.0", "example.com/b@v1.1.1"]),
            ("m2", vec!["example.com/c@v1.0.0-rc.2"]),
        ],
    );
}

/// Modules of a workspace sharing a dependency at different versions.
#[test]
fn workspace_shared_dependency_equals_go() {
    workspace_case(
        (
            "module example.com/m1\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n",
            &["example.com/a"],
        ),
        (
            "module example.com/m2\n\ngo 1.21\n\nrequire example.com/b v1.1.0\n",
            &["example.com/b"],
        ),
        &["--patch", "--only", "example.com/a"],
        [("m1", vec!["example.com/a@v1.0.1"]), ("m2", vec![])],
    );
}

/// Through a signed checksum database: the result still equals go's (which
/// verifies too); a module whose go.mod the database does not vouch for stops
/// the update (exit 2, nothing written).
/// Workspace modules importing each other's packages through go.work alone (no
/// requirement): go mod tidy cannot resolve those packages outside the workspace,
/// so the oracle is `go get` (workspace mode) and `go mod tidy -e` in each module,
/// which leaves them unloaded; then `go work sync` must have nothing to change.
#[test]
fn workspace_imports_through_go_work_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let ws = tmp.path().join("ws");
    if go(&home, &f.url()).is_none() {
        return;
    }
    let m1 = "module example.com/m1\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    let m2 = "module example.com/m2\n\ngo 1.21\n\nrequire example.com/n v1.0.0\n";
    for (m, gomod, imports) in [
        ("m1", m1, &["example.com/a", "example.com/m2/lib"][..]),
        ("m2", m2, &["example.com/n"][..]),
    ] {
        let dir = ws.join(m);
        std::fs::create_dir_all(dir.join("lib")).unwrap();
        std::fs::write(dir.join("go.mod"), gomod).unwrap();
        let mut src = "package lib\n\n".to_owned();
        for i in imports {
            src.push_str(&format!("import _ \"{i}\"\n"));
        }
        std::fs::write(dir.join("lib/lib.go"), src).unwrap();
    }
    std::fs::write(ws.join("go.work"), "go 1.21\n\nuse (\n\t./m1\n\t./m2\n)\n").unwrap();
    for m in ["m1", "m2"] {
        let mut tidy = go(&home, &f.url()).unwrap();
        ok(
            tidy.args(["mod", "tidy", "-e"])
                .current_dir(ws.join(m))
                .output()
                .unwrap(),
            "go mod tidy -e (setup)",
        );
    }
    assert_eq!(std::fs::read_to_string(ws.join("m1/go.mod")).unwrap(), m1);
    // Outside the workspace m1's import of m2 cannot be resolved: exit 2.
    let alone = tmp.path().join("alone");
    common::copy_tree(&ws.join("m1"), &alone);
    let out = update(&["--latest", alone.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    assert!(
        common::stderr(&out).contains("example.com/m2/lib"),
        "{}",
        common::stderr(&out)
    );

    let ours = tmp.path().join("ws.modgate");
    let theirs = tmp.path().join("ws.go");
    common::copy_tree(&ws, &ours);
    common::copy_tree(&ws, &theirs);
    let out = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(["update", "--latest", "--json", "--proxy", &f.url()])
        .arg(&ours)
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env_remove("GOWORK")
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .output()
        .unwrap();
    let out = ok(out, "modgate update (workspace)");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let planned = |m: &str| -> Vec<String> {
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["gomod"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("{m}/go.mod"))
            })
            .map(|c| {
                format!(
                    "{}@{}",
                    c["module"].as_str().unwrap(),
                    c["to"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        planned("m1"),
        ["example.com/a@v1.2.0", "example.com/b@v1.1.1"]
    );
    assert_eq!(planned("m2"), ["example.com/n@v1.1.0"]);
    for m in ["m1", "m2"] {
        let mdir = theirs.join(m);
        let mut get = go(&home, &f.url()).unwrap();
        ok(
            get.arg("get")
                .args(planned(m))
                .env("GOWORK", theirs.join("go.work"))
                .current_dir(&mdir)
                .output()
                .unwrap(),
            "go get (workspace)",
        );
        let mut tidy = go(&home, &f.url()).unwrap();
        ok(
            tidy.args(["mod", "tidy", "-e"])
                .current_dir(&mdir)
                .output()
                .unwrap(),
            "go mod tidy -e",
        );
    }
    let mut sync = go(&home, &f.url()).unwrap();
    ok(
        sync.args(["work", "sync"])
            .env("GOWORK", theirs.join("go.work"))
            .env("GOFLAGS", "")
            .current_dir(&theirs)
            .output()
            .unwrap(),
        "go work sync",
    );
    for file in [
        "m1/go.mod",
        "m1/go.sum",
        "m2/go.mod",
        "m2/go.sum",
        "go.work",
        "go.work.sum",
    ] {
        assert_eq!(
            std::fs::read_to_string(ours.join(file)).unwrap_or_default(),
            std::fs::read_to_string(theirs.join(file)).unwrap_or_default(),
            "{file} differs from the go command's"
        );
    }
}

#[test]
fn checksum_database_verifies_and_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let good = common::sumdb::Sumdb::start(&f.root, ("none", "none"));
    let bad = common::sumdb::Sumdb::start(&f.root, ("example.com/a", "v1.2.0"));
    let run = |db: &str, target: &Path| {
        Command::new(env!("CARGO_BIN_EXE_modgate"))
            .args(["update", "--latest", "--proxy", &f.url()])
            .arg(target)
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", target.join(".cache"))
            .env("GOENV", "off")
            .env("GOSUMDB", db)
            .env("GOWORK", "off")
            .env("GOFLAGS", "")
            .env("GOPRIVATE", "")
            .env("GONOPROXY", "")
            .env("GONOSUMDB", "")
            .env("GOPROXY", "off")
            .output()
            .unwrap()
    };

    let ours = tmp.path().join("ours");
    common::copy_tree(&dir, &ours);
    ok(run(&good.gosumdb, &ours), "modgate update (verified)");
    let theirs = tmp.path().join("theirs");
    common::copy_tree(&dir, &theirs);
    let gohome = tmp.path().join("gohome2");
    let mut get = go(&gohome, &f.url()).unwrap();
    ok(
        get.args(["get", "example.com/a@v1.2.0", "example.com/b@v1.1.1"])
            .env("GOSUMDB", &good.gosumdb)
            .current_dir(&theirs)
            .output()
            .unwrap(),
        "go get (verified)",
    );
    let mut tidy = go(&gohome, &f.url()).unwrap();
    ok(
        tidy.args(["mod", "tidy"])
            .env("GOSUMDB", &good.gosumdb)
            .current_dir(&theirs)
            .output()
            .unwrap(),
        "go mod tidy (verified)",
    );
    for file in ["go.mod", "go.sum"] {
        assert_eq!(
            std::fs::read_to_string(ours.join(file)).unwrap(),
            std::fs::read_to_string(theirs.join(file)).unwrap(),
            "{file}"
        );
    }

    let refused = tmp.path().join("refused");
    common::copy_tree(&dir, &refused);
    let out = run(&bad.gosumdb, &refused);
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let said = common::stderr(&out);
    assert!(said.contains("example.com/a@v1.2.0"), "{said}");
    for file in ["go.mod", "go.sum"] {
        assert_eq!(
            std::fs::read(refused.join(file)).unwrap(),
            std::fs::read(dir.join(file)).unwrap(),
            "{file} written despite the refusal"
        );
    }
}

/// `--dry-run` prints the plan table and a unified diff and writes nothing; an
/// up-to-date project says so; a directory without go.mod is an error (exit 2).
#[test]
fn dry_run_text_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let sum_before = std::fs::read(dir.join("go.sum")).unwrap();
    let out = update(
        &["--patch", "--dry-run", dir.to_str().unwrap()],
        &home,
        &f.url(),
    );
    let text = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(
        text.contains("MODULE") && text.contains("example.com/a  v1.0.0  v1.0.1  patch"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--- {}\n", dir.join("go.mod").display())),
        "{text}"
    );
    assert!(
        text.contains("\n-require example.com/a v1.0.0\n+require example.com/a v1.0.1\n"),
        "{text}"
    );
    assert!(text.contains("\n+example.com/a v1.0.1 h1:"), "{text}");
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);
    assert_eq!(std::fs::read(dir.join("go.sum")).unwrap(), sum_before);

    // Only b, already at its newest patch.
    let out = update(
        &["--patch", "--only", "example.com/b", dir.to_str().unwrap()],
        &home,
        &f.url(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(
        common::stdout(&out).contains("nothing to update"),
        "{}",
        common::stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);

    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = update(&["--latest", empty.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("go.mod"),
        "{}",
        common::stderr(&out)
    );
    // An import no module provides: exit 2, named, nothing written.
    std::fs::write(
        dir.join("new.go"),
        "package main\n\nimport _ \"example.com/u/pkg\"\n",
    )
    .unwrap();
    let out = update(&["--patch", dir.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    assert!(
        common::stderr(&out).contains(
            "example.com/u/pkg: module example.com/u@latest found (v1.0.0), but does not contain package example.com/u/pkg"
        ),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);
    // A mode is required.
    let out = update(&[dir.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
}

/// A module whose versions cannot be listed is reported (exit 1); the others are
/// still updated.
#[test]
fn an_unlisted_module_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/u v1.0.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/u"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    std::fs::remove_file(f.root.join("example.com/u/@v/list")).unwrap();
    let out = update(
        &["--latest", "--json", dir.to_str().unwrap()],
        &home,
        &f.url(),
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", common::stdout(&out), common::stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(
        report["failures"][0]["module"], "example.com/u",
        "{report:#}"
    );
    let got = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    assert!(got.contains("example.com/a v1.2.0"), "{got}");
}

/// Where a new indirect requirement goes, for several go.mod layouts (Go's
/// `SetRequireSeparateIndirect`): a commented block, a commented line, a single
/// uncommented mixed block, an existing indirect block, no block at all.
#[test]
fn new_indirect_requirements_placed_as_go_does() {
    let layouts = [
        "module example.com/app\n\ngo 1.21\n\n// Direct.\nrequire (\n\t// the n module\n\texample.com/n v1.0.0\n\texample.com/p v1.0.0\n)\n",
        "module example.com/app\n\ngo 1.21\n\nrequire example.com/n v1.0.0 // keep\n\nrequire example.com/p v1.0.0\n",
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/n v1.0.0\n\texample.com/p v1.0.0\n\texample.com/b v1.0.0 // indirect\n)\n\nrequire example.com/a v1.0.0\n",
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/n v1.0.0\n\texample.com/p v1.0.0\n)\n\nrequire (\n\texample.com/b v1.0.0 // indirect\n)\n\nrequire example.com/a v1.0.0\n",
        "module example.com/app\n\ngo 1.21\n\nrequire example.com/n v1.0.0\nrequire example.com/p v1.0.0\n\nreplace example.com/h => example.com/h v0.2.0\n",
    ];
    n_latest_in_each_layout_equals_go(&layouts);
}

/// From go 1.27 go writes the requirements in at most one direct and one
/// indirect block (`SetRequireAtMostTwo`), the comments before each block going
/// with its requirements.
#[test]
fn go_1_27_requirements_in_at_most_two_blocks_as_go_does() {
    let layouts = [
        "module example.com/app\n\ngo 1.27\n\n// Direct.\nrequire (\n\t// the n module\n\texample.com/n v1.0.0\n\texample.com/p v1.0.0\n)\n",
        "module example.com/app\n\ngo 1.27\n\nrequire example.com/n v1.0.0 // keep\n\nrequire example.com/p v1.0.0\n",
        "module example.com/app\n\ngo 1.27\n\nrequire (\n\texample.com/n v1.0.0\n\texample.com/p v1.0.0\n\texample.com/b v1.0.0 // indirect\n)\n\nrequire example.com/a v1.0.0\n",
        "module example.com/app\n\ngo 1.27\n\n// Ours.\nrequire (\n\texample.com/n v1.0.0\n)\n\n// Theirs.\nrequire (\n\texample.com/b v1.0.0 // indirect\n)\n\n// More of ours.\nrequire (\n\texample.com/p v1.0.0\n\texample.com/a v1.0.0\n)\n",
        "module example.com/app\n\ngo 1.27\n\nrequire example.com/n v1.0.0\nrequire example.com/p v1.0.0\n\nreplace example.com/h => example.com/h v0.2.0\n",
    ];
    n_latest_in_each_layout_equals_go(&layouts);
}

/// In a project for each go.mod of `layouts` (requiring n and p, and a when named,
/// each imported), `--latest --only example.com/n` moves n to v1.1.0, which brings
/// a new indirect requirement; go.mod and go.sum must equal go's.
fn n_latest_in_each_layout_equals_go(layouts: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    for (i, gomod) in layouts.iter().enumerate() {
        let dir = tmp.path().join(format!("app{i}"));
        let mut imports = vec!["example.com/n", "example.com/p"];
        if gomod.contains("example.com/a ") {
            imports.push("example.com/a");
        }
        if project(&dir, gomod, &imports, &home, &f.url()).is_none() {
            return;
        }
        let plan = compare(
            &dir,
            &["--latest", "--only", "example.com/n"],
            &home,
            &f.url(),
        );
        assert_eq!(
            plan,
            plan_of(&[("example.com/n", "v1.0.0", "v1.1.0")]),
            "{gomod}"
        );
    }
}

/// At go 1.17 tidy keeps the go.mod sums Go 1.16 needs (its default `-compat`);
/// a go 1.16 module raised to a dependency's go 1.21 is pruned from then on; a
/// go.mod without a go line is refused (exit 1) and left as it is.
#[test]
fn go_1_17_compat_sums_and_go_1_16_raised() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.17\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/a"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.2.0")]));

    // go 1.16 raised to a dependency's go 1.21 by go get: pruned from then on.
    let raised = tmp.path().join("raised");
    let gomod = "module example.com/app\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0 // indirect\n)\n";
    project(&raised, gomod, &["example.com/a"], &home, &f.url()).unwrap();
    let plan = compare(
        &raised,
        &["--latest", "--only", "example.com/a"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.2.0")]));

    // No go line: go would write its own version; refused, nothing written.
    let nogo = tmp.path().join("nogo");
    let gomod = "module example.com/app\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    project(&nogo, gomod, &["example.com/a"], &home, &f.url()).unwrap();
    let out = update(&["--latest", nogo.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(
        common::stdout(&out).contains("no go line"),
        "{}",
        common::stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(nogo.join("go.mod")).unwrap(), gomod);
}

/// Modules at go 1.16 and below (no graph pruning): b v1.0.0-v1.2.0; c v1.0.0,
/// v1.1.0; a v1.0.0 → b v1.0.0, a v1.1.0 → b v1.1.0 and c v1.1.0; e v1.0.0,
/// v1.1.0 → t, imported by e's test only; n v1.0.0, v1.1.0 and the nested module
/// n/sub v1.0.0, v1.1.0 → n v1.0.0.
fn unpruned_universe(root: &Path) -> Fixture {
    let f = Fixture {
        root: root.to_owned(),
    };
    let go = Some("1.16");
    for v in ["v1.0.0", "v1.1.0", "v1.2.0"] {
        f.publish_tested("example.com/b", v, go, "", &[], &[]);
    }
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/c", v, go, "", &[], &[]);
        f.publish_tested("example.com/n", v, go, "", &[], &[]);
        let req_n = "\nrequire example.com/n v1.0.0\n";
        f.publish_tested("example.com/n/sub", v, go, req_n, &[], &[]);
        let req_t = "\nrequire example.com/t v1.0.0\n";
        f.publish_tested("example.com/e", v, go, req_t, &[], &["example.com/t"]);
    }
    f.publish_tested("example.com/t", "v1.0.0", go, "", &[], &[]);
    let b = &["example.com/b"];
    let req_b = "\nrequire example.com/b v1.0.0\n";
    f.publish_tested("example.com/a", "v1.0.0", go, req_b, b, &[]);
    let req_bc = "\nrequire (\n\texample.com/b v1.1.0\n\texample.com/c v1.1.0\n)\n";
    f.publish_tested("example.com/a", "v1.1.0", go, req_bc, b, &[]);
    f
}

/// go 1.16: tidy's minimal requirement list (mvs.Req) and the whole graph's sums.
#[test]
fn go_1_16_minimal_requirements_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = unpruned_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    // b v1.1.0 is above what a v1.0.0 requires: kept, indirect. n v1.1.0 could
    // provide example.com/n/sub (a prefix of it): kept above what n/sub requires.
    let gomod = "module example.com/app\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.1.0 // indirect\n\texample.com/c v1.0.0\n\texample.com/e v1.0.0\n\texample.com/n v1.1.0 // indirect\n\texample.com/n/sub v1.0.0\n)\n";
    let imports = [
        "example.com/a",
        "example.com/c",
        "example.com/e",
        "example.com/n/sub",
    ];
    if project(&dir, gomod, &imports, &home, &f.url()).is_none() {
        return;
    }
    // a v1.1.0 raises c (a direct requirement) and implies b v1.1.0: b is dropped.
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/a"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.1.0")]));
    let ours = dir.with_extension("modgate");
    let gomod_after = std::fs::read_to_string(ours.join("go.mod")).unwrap();
    assert!(
        gomod_after.contains("example.com/c v1.1.0\n"),
        "{gomod_after}"
    );
    assert!(!gomod_after.contains("example.com/b "), "{gomod_after}");
    let sum = std::fs::read_to_string(ours.join("go.sum")).unwrap();
    // t provides a package only e's test imports; n only could have provided one.
    for line in ["example.com/t v1.0.0 h1:", "example.com/n v1.1.0 h1:"] {
        assert!(sum.contains(line), "{line} missing:\n{sum}");
    }

    // Everything: b v1.2.0 is above what a v1.1.0 requires, so stays indirect.
    let all = tmp.path().join("all");
    common::copy_tree(&dir, &all);
    let plan = compare(&all, &["--latest"], &home, &f.url());
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/a", "v1.0.0", "v1.1.0"),
            ("example.com/c", "v1.0.0", "v1.1.0"),
            ("example.com/e", "v1.0.0", "v1.1.0"),
            ("example.com/n/sub", "v1.0.0", "v1.1.0"),
            ("example.com/b", "v1.1.0", "v1.2.0"),
        ])
    );
    let gomod_after =
        std::fs::read_to_string(all.with_extension("modgate").join("go.mod")).unwrap();
    assert!(
        gomod_after.contains("example.com/b v1.2.0 // indirect\n"),
        "{gomod_after}"
    );
}

/// go 1.16 with a directory replacement and a module version replaced by a fork:
/// the requirements the replacements' go.mod files imply are not listed.
#[test]
fn go_1_16_replacements_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = unpruned_universe(&tmp.path().join("proxy"));
    let req_t = "\nrequire example.com/t v1.0.0\n";
    let t = &["example.com/t"];
    f.publish_tested("example.com/bfork", "v1.0.0", Some("1.16"), req_t, t, &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let local = dir.join("localc");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(
        local.join("go.mod"),
        "module example.com/c\n\ngo 1.16\n\nrequire example.com/b v1.2.0\n",
    )
    .unwrap();
    std::fs::write(
        local.join("c.go"),
        "package c\n\nimport _ \"example.com/b\"\n",
    )
    .unwrap();
    let gomod = "module example.com/app\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/c v1.0.0\n)\n\nreplace example.com/c => ./localc\n\nreplace example.com/b v1.2.0 => example.com/bfork v1.0.0\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/c"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.1.0")]));
    let sum = std::fs::read_to_string(dir.with_extension("modgate").join("go.sum")).unwrap();
    assert!(sum.contains("example.com/bfork v1.0.0 h1:"), "{sum}");

    // An excluded version is dropped from the requirements that name it: a
    // v1.1.0's b v1.1.0 is, so b is looked up as a missing import (latest).
    let excl = tmp.path().join("excl");
    let gomod = "module example.com/app\n\ngo 1.16\n\nrequire example.com/a v1.0.0\n\nexclude example.com/b v1.1.0\n";
    project(&excl, gomod, &["example.com/a"], &home, &f.url()).unwrap();
    let plan = compare(&excl, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/a", "v1.0.0", "v1.1.0")]));
}

/// Only a go line of go 1.21 or later raises the main module's (it is then a
/// requirement on the `go` module), from any go.mod the graph loads, selected or
/// not: d v1.1.0 at go 1.18 leaves a go 1.16 module at 1.16; x v1.0.0 at go 1.22,
/// required by y while x v1.1.0 (go 1.21) is selected, raises it to 1.22.
#[test]
fn go_line_raised_by_go_1_21_requirements_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    f.publish_tested("example.com/d", "v1.0.0", Some("1.16"), "", &[], &[]);
    f.publish_tested("example.com/d", "v1.1.0", Some("1.18"), "", &[], &[]);
    f.publish_tested("example.com/x", "v1.0.0", Some("1.22"), "", &[], &[]);
    f.publish_tested("example.com/x", "v1.1.0", Some("1.21"), "", &[], &[]);
    let req_x = "\nrequire example.com/x v1.0.0\n";
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/y", v, Some("1.16"), req_x, &[], &[]);
    }
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.16\n\nrequire example.com/d v1.0.0\n";
    if project(&dir, gomod, &["example.com/d"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/d", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(after.contains("\ngo 1.16\n"), "{after}");

    let dir = tmp.path().join("app2");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/x v1.1.0\n\texample.com/y v1.0.0\n)\n";
    project(
        &dir,
        gomod,
        &["example.com/x", "example.com/y"],
        &home,
        &f.url(),
    )
    .unwrap();
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/y", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(after.contains("\ngo 1.22\n"), "{after}");
}

/// Below go 1.16 `all` closes over the tests of its packages: the imports of a
/// test of a package that only a dependency's test imports count too.
#[test]
fn go_1_14_all_closes_over_tests_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let go = Some("1.14");
    f.publish_tested("example.com/s", "v1.0.0", go, "", &[], &[]);
    let req_s = "\nrequire example.com/s v1.0.0\n";
    f.publish_tested(
        "example.com/t",
        "v1.0.0",
        go,
        req_s,
        &[],
        &["example.com/s"],
    );
    // f predates modules: no go line, and its test's import is required by nobody.
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/f", v, None, "", &[], &["example.com/t"]);
    }
    let home = tmp.path().join("home");
    for (go, s_zip) in [("1.14", true), ("1.16", false)] {
        let dir = tmp.path().join(format!("app{go}"));
        // t provides a package only f's test imports, and nothing implies it.
        let gomod = format!(
            "module example.com/app\n\ngo {go}\n\nrequire (\n\texample.com/f v1.0.0\n\texample.com/t v1.0.0 // indirect\n)\n"
        );
        if project(&dir, &gomod, &["example.com/f"], &home, &f.url()).is_none() {
            return;
        }
        let plan = compare(&dir, &["--latest"], &home, &f.url());
        assert_eq!(plan, plan_of(&[("example.com/f", "v1.0.0", "v1.1.0")]));
        let sum = std::fs::read_to_string(dir.with_extension("modgate").join("go.sum")).unwrap();
        assert_eq!(
            sum.contains("example.com/s v1.0.0 h1:"),
            s_zip,
            "go {go}:\n{sum}"
        );
    }
}

/// A go.mod whose requirement is below the version its graph selects (k v1.0.0
/// while j v1.0.0, without a go line and so loaded whole, requires v1.1.0): go
/// makes the requirements consistent before the update, so k stays at v1.1.0
/// after j v1.1.0 drops the requirement.
#[test]
fn inconsistent_requirements_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/k", v, Some("1.21"), "", &[], &[]);
    }
    let req_k = "\nrequire example.com/k v1.1.0\n";
    f.publish_tested("example.com/j", "v1.0.0", None, req_k, &[], &[]);
    f.publish_tested("example.com/j", "v1.1.0", None, "", &[], &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/j v1.0.0\n\texample.com/k v1.0.0\n)\n";
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    let main = "package main\n\nimport _ \"example.com/j\"\nimport _ \"example.com/k\"\n\nfunc main() {}\n";
    std::fs::write(dir.join("main.go"), main).unwrap();
    let Some(mut tidy) = go(&home, &f.url()) else {
        return;
    };
    // Tidy writes go.sum (and k v1.1.0); the inconsistent go.mod is put back.
    ok(
        tidy.args(["mod", "tidy"])
            .current_dir(&dir)
            .output()
            .unwrap(),
        "go mod tidy (setup)",
    );
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/j"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/j", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(after.contains("example.com/k v1.1.0"), "{after}");
}

/// A dependency whose go.mod does not list all its packages need: tidy makes
/// each module providing a package a requirement as it loads, which loads that
/// module's requirements too (p5 v1.1.0 requires p4 v1.1.0, p0 requires v1.2.0).
#[test]
fn untidy_dependency_requirements_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let go = Some("1.21");
    for v in ["v1.1.0", "v1.2.0"] {
        f.publish_tested("example.com/p4", v, go, "", &[], &[]);
    }
    let req_p4 = "\nrequire example.com/p4 v1.2.0\n";
    let p4 = &["example.com/p4"];
    f.publish_tested("example.com/p0", "v1.1.0", go, req_p4, p4, &[]);
    f.publish_tested("example.com/p5", "v1.0.0", go, "", &[], &[]);
    let req = "\nrequire (\n\texample.com/p0 v1.1.0\n\texample.com/p4 v1.1.0\n)\n";
    let imports = &["example.com/p0", "example.com/p4"];
    f.publish_tested("example.com/p5", "v1.1.0", Some("1.17"), req, imports, &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/p5 v1.0.0\n";
    if project(&dir, gomod, &["example.com/p5"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/p5", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(
        after.contains("example.com/p4 v1.2.0 // indirect"),
        "{after}"
    );
}

/// tidyPrunedRoots goes one import depth at a time: t2, which only d's test
/// imports, stays a requirement at v1.1.0 (d requires v1.0.0); t5, which t2
/// imports, is then selected at the version it was loaded at and is not one.
#[test]
fn test_only_requirements_one_depth_at_a_time_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let go = Some("1.21");
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/t5", v, go, "", &[], &[]);
        f.publish_tested("example.com/u", v, go, "", &[], &[]);
    }
    f.publish_tested("example.com/t2", "v1.0.0", go, "", &[], &[]);
    let req_t5 = "\nrequire example.com/t5 v1.1.0\n";
    let t5 = &["example.com/t5"];
    f.publish_tested("example.com/t2", "v1.1.0", go, req_t5, t5, &[]);
    let req_t2 = "\nrequire example.com/t2 v1.0.0\n";
    let t2 = &["example.com/t2"];
    f.publish_tested("example.com/d", "v1.0.0", Some("1.16"), req_t2, &[], t2);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/d v1.0.0\n\texample.com/u v1.0.0\n)\n\nrequire example.com/t2 v1.1.0 // indirect\n";
    let imports = ["example.com/d", "example.com/u"];
    if project(&dir, gomod, &imports, &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/u"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/u", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(!after.contains("example.com/t5"), "{after}");
}

/// A go 1.21 line read while tidy promotes requirements raises the go line even
/// when the final graph no longer reads it: s v1.0.0 (go 1.14, so its
/// requirements are loaded) requires g at go 1.21 until x raises s to v1.1.0.
#[test]
fn go_line_raised_while_tidy_loads_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    f.publish_tested("example.com/g", "v1.0.0", Some("1.21"), "", &[], &[]);
    let req_g = "\nrequire example.com/g v1.0.0\n";
    f.publish_tested("example.com/s", "v1.0.0", Some("1.14"), req_g, &[], &[]);
    f.publish_tested("example.com/s", "v1.1.0", Some("1.17"), "", &[], &[]);
    let req_s = "\nrequire example.com/s v1.1.0\n";
    f.publish_tested("example.com/x", "v1.0.0", Some("1.17"), req_s, &[], &[]);
    f.publish_tested("example.com/r", "v1.0.0", Some("1.17"), "", &[], &[]);
    let req_sx = "\nrequire (\n\texample.com/s v1.0.0\n\texample.com/x v1.0.0\n)\n";
    let sx = &["example.com/s", "example.com/x"];
    f.publish_tested("example.com/r", "v1.1.0", Some("1.17"), req_sx, sx, &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.17\n\nrequire example.com/r v1.0.0\n";
    if project(&dir, gomod, &["example.com/r"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/r", "v1.0.0", "v1.1.0")]));
    let after = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(after.contains("\ngo 1.21\n"), "{after}");
}

/// At go ≥ 1.17 tidy loads the tests of the dependencies' packages too: the
/// modules providing what they import keep their zip sums (and, from go 1.21,
/// go.mod sums), and one the tidy graph would select lower stays required.
#[test]
fn dependency_tests_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let go = Some("1.17");
    let req_t = "\nrequire example.com/t v1.0.0\n";
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/t", v, go, "", &[], &[]);
        f.publish_tested("example.com/e", v, go, req_t, &[], &["example.com/t"]);
    }
    let home = tmp.path().join("home");
    for go in ["1.17", "1.20", "1.21"] {
        for t_above in [false, true] {
            let dir = tmp.path().join(format!("app{go}-{t_above}"));
            // t above what e requires: only e's test needs it there.
            let t = if t_above {
                "\nrequire example.com/t v1.1.0 // indirect\n"
            } else {
                ""
            };
            let gomod =
                format!("module example.com/app\n\ngo {go}\n\nrequire example.com/e v1.0.0\n{t}");
            if project(&dir, &gomod, &["example.com/e"], &home, &f.url()).is_none() {
                return;
            }
            let plan = compare(
                &dir,
                &["--latest", "--only", "example.com/e"],
                &home,
                &f.url(),
            );
            assert_eq!(plan, plan_of(&[("example.com/e", "v1.0.0", "v1.1.0")]));
            let ours = dir.with_extension("modgate");
            let sum = std::fs::read_to_string(ours.join("go.sum")).unwrap();
            let t_version = if t_above { "v1.1.0" } else { "v1.0.0" };
            let t_zip = format!("example.com/t {t_version} h1:");
            assert!(sum.contains(&t_zip), "go {go}: {t_zip} missing:\n{sum}");
        }
    }
}

/// go get fails when a version asked for is not the one selected: h v1.1.0
/// requires z v1.2.0-rc.1 while z's newest release, v1.1.0, is asked for. The
/// update of that go.mod fails the same way (exit 1, go's message, nothing
/// written).
#[test]
fn conflicting_targets_refused_as_go_does() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let g = Some("1.21");
    for v in ["v1.0.0", "v1.1.0", "v1.2.0-rc.1"] {
        f.publish_tested("example.com/z", v, g, "", &[], &[]);
    }
    f.publish_tested("example.com/h", "v1.0.0", g, "", &[], &[]);
    let req_z = "\nrequire example.com/z v1.2.0-rc.1\n";
    f.publish_tested("example.com/h", "v1.1.0", g, req_z, &[], &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/h v1.0.0\n\texample.com/z v1.0.0\n)\n";
    if project(
        &dir,
        gomod,
        &["example.com/h", "example.com/z"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    let out = update(&["--latest", dir.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);
    let said = "example.com/h@v1.1.0 requires example.com/z@v1.2.0-rc.1, not example.com/z@v1.1.0";
    assert!(
        common::stdout(&out).contains(said),
        "{}",
        common::stdout(&out)
    );
    let mut get = go(&home, &f.url()).unwrap();
    let out = get
        .args(["get", "example.com/h@v1.1.0", "example.com/z@v1.1.0"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains(said),
        "{}",
        common::stderr(&out)
    );
}

/// At go 1.17 `go mod tidy` checks the requirements against go 1.16 (its default
/// `-compat`): a update after which go 1.16's unpruned graph would select another
/// version of a module providing a package fails as tidy does, with go's words,
/// and writes nothing. (a v1.1.0 → d → c and e v1.1.0, pruned out at go 1.17:
/// two errors, go's ways out once.)
#[test]
fn go_1_16_compat_mismatch_refused_as_tidy_does() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let g = Some("1.17");
    for v in ["v1.0.0", "v1.1.0"] {
        f.publish_tested("example.com/c", v, g, "", &[], &[]);
        f.publish_tested("example.com/e", v, g, "", &[], &[]);
    }
    let req_ce = "\nrequire (\n\texample.com/c v1.1.0\n\texample.com/e v1.1.0\n)\n";
    f.publish_tested("example.com/d", "v1.0.0", g, req_ce, &[], &[]);
    f.publish_tested("example.com/a", "v1.0.0", g, "", &[], &[]);
    let req_d = "\nrequire example.com/d v1.0.0\n";
    f.publish_tested("example.com/a", "v1.1.0", g, req_d, &[], &[]);
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.17\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/c v1.0.0\n\texample.com/e v1.0.0\n)\n";
    let imports = ["example.com/a", "example.com/c", "example.com/e"];
    if project(&dir, gomod, &imports, &home, &f.url()).is_none() {
        return;
    }
    let sum = std::fs::read_to_string(dir.join("go.sum")).unwrap();
    let args = ["--latest", "--only", "example.com/a", dir.to_str().unwrap()];
    let out = update(&args, &home, &f.url());
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);
    assert_eq!(std::fs::read_to_string(dir.join("go.sum")).unwrap(), sum);
    let said = "example.com/app imports\n\texample.com/c loaded from example.com/c@v1.0.0,\n\tbut go 1.16 would select v1.1.0";
    let stdout = common::stdout(&out);
    let said_e =
        "example.com/e loaded from example.com/e@v1.0.0,\n\tbut go 1.16 would select v1.1.0";
    assert!(stdout.contains(said) && stdout.contains(said_e), "{stdout}");
    assert_eq!(
        stdout.matches("go mod tidy -compat=1.17").count(),
        1,
        "go's ways out, once: {stdout}"
    );
    // The go command: go get succeeds, go mod tidy fails with the same words.
    let mut get = go(&home, &f.url()).unwrap();
    ok(
        get.args(["get", "example.com/a@v1.1.0"])
            .current_dir(&dir)
            .output()
            .unwrap(),
        "go get",
    );
    let mut tidy = go(&home, &f.url()).unwrap();
    let out = tidy
        .args(["mod", "tidy"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "go mod tidy succeeded");
    let stderr = common::stderr(&out);
    assert!(stderr.contains(said) && stderr.contains(said_e), "{stderr}");
    assert_eq!(
        stderr.matches("go mod tidy -compat=1.17").count(),
        1,
        "{stderr}"
    );
    // What go suggests instead works for both: -compat=1.17.
    let mut tidy = go(&home, &f.url()).unwrap();
    ok(
        tidy.args(["mod", "tidy", "-compat=1.17"])
            .current_dir(&dir)
            .output()
            .unwrap(),
        "go mod tidy -compat=1.17",
    );
}

/// From a pseudo-version, a newer-sorting tag of an older commit is no upgrade
/// (go's `.info` time rule; `go list -m -u` agrees); a later commit is.
#[test]
fn pseudo_version_not_upgraded_to_an_older_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let pseudo = "v0.1.1-0.20260101000000-abcdefabcdef";
    f.publish_at(
        "example.com/q",
        pseudo,
        "1.21",
        "",
        &[],
        "2026-01-01T00:00:00Z",
    );
    f.publish_at(
        "example.com/q",
        "v0.1.1",
        "1.21",
        "",
        &[],
        "2025-06-01T00:00:00Z",
    );
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = format!("module example.com/app\n\ngo 1.21\n\nrequire example.com/q {pseudo}\n");
    if project(&dir, &gomod, &["example.com/q"], &home, &f.url()).is_none() {
        return;
    }
    let mut list = go(&home, &f.url()).unwrap();
    let out = ok(
        list.args(["list", "-m", "-u", "-json", "example.com/q"])
            .current_dir(&dir)
            .output()
            .unwrap(),
        "go list -m -u",
    );
    let said: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(said.get("Update").is_none(), "{said:#}");
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert!(plan.is_empty(), "{plan:?}");

    // A tag of a later commit is an upgrade (a fresh home: version lists are
    // kept for a minute).
    f.publish_at(
        "example.com/q",
        "v0.1.2",
        "1.21",
        "",
        &[],
        "2026-03-01T00:00:00Z",
    );
    let dir2 = tmp.path().join("app2");
    common::copy_tree(&dir, &dir2);
    let plan = compare(&dir2, &["--latest"], &tmp.path().join("home2"), &f.url());
    assert_eq!(plan, plan_of(&[("example.com/q", pseudo, "v0.1.2")]));
}

/// A module with no tagged version, whose newer commit only the proxy's
/// `@latest` names (its version list is empty, as a proxy lists an untagged
/// module): `--latest` moves to it, as `go list -m -u` says go would.
#[test]
fn untagged_module_upgraded_through_latest_as_go_does() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let old = "v0.0.0-20260101000000-abcdefabcdef";
    let new = "v0.0.0-20260301000000-fedcbafedcba";
    for (v, t) in [(old, "2026-01-01T00:00:00Z"), (new, "2026-03-01T00:00:00Z")] {
        f.publish_at("example.com/t", v, "1.21", "", &[], t);
    }
    let at = f.root.join("example.com/t/@v");
    std::fs::write(at.join("list"), "").unwrap();
    std::fs::write(
        at.parent().unwrap().join("@latest"),
        format!("{{\"Version\":\"{new}\",\"Time\":\"2026-03-01T00:00:00Z\"}}"),
    )
    .unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = format!("module example.com/app\n\ngo 1.21\n\nrequire example.com/t {old}\n");
    if project(&dir, &gomod, &["example.com/t"], &home, &f.url()).is_none() {
        return;
    }
    let mut list = go(&home, &f.url()).unwrap();
    let out = ok(
        list.args(["list", "-m", "-u", "-json", "example.com/t"])
            .current_dir(&dir)
            .output()
            .unwrap(),
        "go list -m -u",
    );
    let said: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["Update"]["Version"], new, "{said:#}");
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(plan, plan_of(&[("example.com/t", old, new)]));
}

/// A `tool` directive's package counts as the main module's import (go 1.24).
#[test]
fn tool_dependencies_equal_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let req_b = "\nrequire example.com/b v1.0.0\n";
    f.publish("example.com/t", "v1.0.0", "1.21", req_b, &["example.com/b"]);
    f.publish(
        "example.com/t",
        "v1.1.0",
        "1.21",
        "\nrequire example.com/b v1.1.0\n",
        &["example.com/b"],
    );
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.24\n\ntool example.com/t\n\nrequire example.com/a v1.0.0\n\nrequire (\n\texample.com/b v1.0.0 // indirect\n\texample.com/t v1.0.0 // indirect\n)\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(
        &dir,
        &["--latest", "--only", "example.com/t"],
        &home,
        &f.url(),
    );
    assert_eq!(plan, plan_of(&[("example.com/t", "v1.0.0", "v1.1.0")]));
}

/// Directories named by `ignore` directives (go 1.25) hold no packages for tidy.
#[test]
fn ignore_directive_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    for sub in ["gen", "web/node_modules/x"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(
            dir.join(sub).join("x.go"),
            "package x\n\nimport _ \"example.com/u\"\n",
        )
        .unwrap();
    }
    let gomod = "module example.com/app\n\ngo 1.25\n\nignore (\n\t./gen\n\tnode_modules\n)\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(&dir, gomod, &["example.com/a"], &home, &f.url()).is_none() {
        return;
    }
    let plan = compare(&dir, &["--latest"], &home, &f.url());
    assert_eq!(
        plan,
        plan_of(&[
            ("example.com/a", "v1.0.0", "v1.2.0"),
            ("example.com/b", "v1.0.0", "v1.1.1"),
        ])
    );
}

/// Publishes `path@version` with go.mod `module`/`go 1.21` lines plus `extra`
/// and the given files (relative name, content).
fn publish_files(f: &Fixture, path: &str, version: &str, extra: &str, files: &[(&str, &str)]) {
    let src = tempfile::tempdir().unwrap();
    let gomod = format!("module {path}\n\ngo 1.21\n{extra}");
    std::fs::write(src.path().join("go.mod"), &gomod).unwrap();
    for (name, text) in files {
        let p = src.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    common::publish_version(
        &f.root,
        path,
        version,
        src.path(),
        &gomod,
        "2026-01-02T03:04:05Z",
    );
}

/// Modules for imports no requirement provides: x (v1.0.0 without package pkg;
/// v1.2.0 retracts itself; v1.1.0's pkg imports y, which x's go.mod does not
/// require), y, nest and
/// the nested module nest/sub (nest v1.0.0 still has a `sub` directory of its
/// own; v1.1.0 no longer), z.
fn missing_universe(root: &Path) -> Fixture {
    let f = universe(root);
    publish_files(
        &f,
        "example.com/x",
        "v1.0.0",
        "",
        &[("x.go", "package x\n")],
    );
    publish_files(
        &f,
        "example.com/x",
        "v1.1.0",
        "",
        &[
            ("x.go", "package x\n"),
            ("pkg/pkg.go", "package pkg\n\nimport _ \"example.com/y\"\n"),
        ],
    );
    publish_files(
        &f,
        "example.com/x",
        "v1.2.0",
        "\n// Broken.\nretract v1.2.0\n",
        &[("pkg/pkg.go", "package pkg\n")],
    );
    publish_files(
        &f,
        "example.com/y",
        "v1.0.0",
        "",
        &[("y.go", "package y\n")],
    );
    publish_files(
        &f,
        "example.com/nest",
        "v1.0.0",
        "",
        &[
            ("nest.go", "package nest\n"),
            ("sub/sub.go", "package sub\n"),
        ],
    );
    publish_files(
        &f,
        "example.com/nest",
        "v1.1.0",
        "",
        &[("nest.go", "package nest\n")],
    );
    publish_files(
        &f,
        "example.com/nest/sub",
        "v1.0.0",
        "",
        &[("sub.go", "package sub\n\nimport _ \"example.com/b\"\n")],
    );
    publish_files(
        &f,
        "example.com/z",
        "v0.3.0",
        "",
        &[("z.go", "package z\n")],
    );
    f
}

/// A tidy project requiring a (updated by `--latest`), then `extra.go` of the
/// main package importing `imports` that no requirement provides.
fn missing_project(dir: &Path, imports: &[&str], home: &Path, proxy: &str) -> Option<()> {
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n";
    project(dir, gomod, &["example.com/a"], home, proxy)?;
    let mut s = "package main\n\n".to_owned();
    for i in imports {
        s.push_str(&format!("import _ \"{i}\"\n"));
    }
    std::fs::write(dir.join("extra.go"), s).unwrap();
    Some(())
}

/// An import of a module not in go.mod: found at `latest` (x v1.2.0 is
/// retracted), required directly; its package's own missing import (y) is looked
/// up in turn and required `// indirect`.
#[test]
fn missing_import_added_as_tidy_does() {
    let tmp = tempfile::tempdir().unwrap();
    let f = missing_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    if missing_project(&dir, &["example.com/x/pkg"], &home, &f.url()).is_none() {
        return;
    }
    compare(&dir, &["--latest"], &home, &f.url());
    let got = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(got.contains("\texample.com/x v1.1.0\n"), "{got}");
    assert!(got.contains("example.com/y v1.0.0 // indirect"), "{got}");
}

/// An import in a nested module (`example.com/nest/sub`, its own module besides
/// `example.com/nest`): the longest module path providing it wins.
#[test]
fn missing_import_in_a_nested_module_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = missing_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    if missing_project(
        &dir,
        &["example.com/nest", "example.com/nest/sub"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    compare(&dir, &["--latest"], &home, &f.url());
    let got = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(got.contains("\texample.com/nest/sub v1.0.0\n"), "{got}");
    assert!(got.contains("\texample.com/nest v1.1.0\n"), "{got}");
}

/// A missing import reached only through a dependency replaced by a directory.
#[test]
fn missing_import_through_a_directory_replace_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = missing_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let local = dir.join("localp");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("go.mod"), "module example.com/p\n\ngo 1.21\n").unwrap();
    std::fs::write(local.join("p.go"), "package p\n").unwrap();
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/p v1.0.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n\nreplace example.com/p => ./localp\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/p"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    std::fs::write(
        local.join("p.go"),
        "package p\n\nimport _ \"example.com/z\"\n",
    )
    .unwrap();
    compare(&dir, &["--latest"], &home, &f.url());
    let got = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(got.contains("example.com/z v0.3.0 // indirect"), "{got}");
}

/// A required module whose selected version lacks an imported package that its
/// latest version has: tidy upgrades it (x v1.0.0 to v1.1.0 for x/pkg, which
/// brings y in), though the plan leaves x alone.
#[test]
fn missing_import_upgrades_a_requirement_equals_go() {
    let tmp = tempfile::tempdir().unwrap();
    let f = missing_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    let gomod = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/x v1.0.0\n)\n\nrequire example.com/b v1.0.0 // indirect\n";
    if project(
        &dir,
        gomod,
        &["example.com/a", "example.com/x"],
        &home,
        &f.url(),
    )
    .is_none()
    {
        return;
    }
    std::fs::write(
        dir.join("extra.go"),
        "package main\n\nimport _ \"example.com/x/pkg\"\n",
    )
    .unwrap();
    let plan = compare(
        &dir,
        &["--latest", "--exclude", "example.com/x"],
        &home,
        &f.url(),
    );
    assert!(
        plan.iter().all(|(m, _, _)| m != "example.com/x"),
        "{plan:?}"
    );
    let got = std::fs::read_to_string(dir.with_extension("modgate").join("go.mod")).unwrap();
    assert!(got.contains("\texample.com/x v1.1.0\n"), "{got}");
    assert!(got.contains("example.com/y v1.0.0 // indirect"), "{got}");
}

/// A package no module provides: exit 2 naming it, as go's tidy; nothing written.
#[test]
fn missing_import_nobody_provides_fails_as_go_does() {
    let tmp = tempfile::tempdir().unwrap();
    let f = missing_universe(&tmp.path().join("proxy"));
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    if missing_project(&dir, &["example.com/nope/pkg"], &home, &f.url()).is_none() {
        return;
    }
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    let out = update(&["--latest", dir.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    let ours = common::stderr(&out);
    let mut tidy = go(&home, &f.url()).unwrap();
    let theirs = tidy
        .args(["mod", "tidy"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!theirs.status.success());
    let theirs = common::stderr(&theirs);
    let want = "example.com/app imports\n\texample.com/nope/pkg: cannot find module providing package example.com/nope/pkg";
    assert!(theirs.contains(want), "go: {theirs}");
    assert!(ours.contains(want), "ours: {ours}\ngo: {theirs}");
    assert_eq!(std::fs::read_to_string(dir.join("go.mod")).unwrap(), gomod);

    // A module found at latest without the package.
    std::fs::write(
        dir.join("extra.go"),
        "package main\n\nimport _ \"example.com/y/nope\"\n",
    )
    .unwrap();
    let out = update(&["--latest", dir.to_str().unwrap()], &home, &f.url());
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    let want = "example.com/y/nope: module example.com/y@latest found (v1.0.0), but does not contain package example.com/y/nope";
    let mut tidy = go(&home, &f.url()).unwrap();
    let theirs = tidy
        .args(["mod", "tidy"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        common::stderr(&theirs).contains(want),
        "go: {}",
        common::stderr(&theirs)
    );
    assert!(
        common::stderr(&out).contains(want),
        "{}",
        common::stderr(&out)
    );
}

/// SplitMix64: a small seeded generator for [`random_graphs_equal_go`].
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Random module graphs against the go command: six modules of three versions
/// each, with random go lines (none, 1.14 to 1.21), requirements, imports and
/// test imports (dependency go.mod files are not tidy), and a main module at a
/// random go line (1.14 to 1.27), sometimes with an `exclude` or a version
/// `replace`; `--latest`, sometimes `--only` one module. Seeds
/// `MODGATE_UPDATE_SEED` (default 0) to that plus `MODGATE_UPDATE_SEEDS`
/// (default 6); each case is printed before it runs, to rerun one alone.
#[test]
fn random_graphs_equal_go() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let first = env("MODGATE_UPDATE_SEED", 0);
    for seed in first..first + env("MODGATE_UPDATE_SEEDS", 6) {
        eprintln!("random_graphs_equal_go: seed {seed}");
        if !random_case(seed) {
            return;
        }
    }
}

/// One case of [`random_graphs_equal_go`]; `false` when go is missing.
fn random_case(seed: u64) -> bool {
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("proxy"),
    };
    let mods: Vec<String> = (0..6).map(|i| format!("example.com/m{i}")).collect();
    let versions = ["v1.0.0", "v1.1.0", "v1.2.0"];
    let gos = [
        None,
        Some("1.14"),
        Some("1.16"),
        Some("1.17"),
        Some("1.20"),
        Some("1.21"),
    ];
    for m in &mods {
        for v in versions {
            let mut others: Vec<&String> = mods.iter().filter(|o| *o != m).collect();
            let mut reqs: Vec<(&String, &str)> = Vec::new();
            for _ in 0..rng.below(4) {
                let o = others.remove(rng.below(others.len()));
                reqs.push((o, versions[rng.below(3)]));
            }
            let imports: Vec<&str> = reqs
                .iter()
                .filter(|_| rng.chance(60))
                .map(|(p, _)| p.as_str())
                .collect();
            let tests: Vec<&str> = reqs
                .iter()
                .map(|(p, _)| p.as_str())
                .filter(|p| !imports.contains(p) && rng.chance(50))
                .collect();
            let extra = if reqs.is_empty() {
                String::new()
            } else {
                let lines: String = reqs.iter().map(|(p, v)| format!("\t{p} {v}\n")).collect();
                format!("\nrequire (\n{lines})\n")
            };
            f.publish_tested(m, v, gos[rng.below(gos.len())], &extra, &imports, &tests);
        }
    }
    let home = tmp.path().join("home");
    let dir = tmp.path().join("app");
    std::fs::create_dir_all(&dir).unwrap();
    let go_line = ["1.14", "1.16", "1.17", "1.21", "1.27"][rng.below(5)];
    let mut direct: Vec<&String> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let m = &mods[rng.below(mods.len())];
        if !direct.contains(&m) {
            direct.push(m);
        }
    }
    let lines: String = direct.iter().map(|p| format!("\t{p} v1.0.0\n")).collect();
    let mut gomod = format!("module example.com/app\n\ngo {go_line}\n\nrequire (\n{lines})\n");
    if rng.chance(30) {
        let m = &mods[rng.below(mods.len())];
        gomod.push_str(&format!("\nexclude {m} {}\n", versions[rng.below(3)]));
    }
    if rng.chance(30) {
        let m = &mods[rng.below(mods.len())];
        let (old, new) = (versions[rng.below(3)], versions[rng.below(3)]);
        gomod.push_str(&format!("\nreplace {m} {old} => {m} {new}\n"));
    }
    std::fs::write(dir.join("go.mod"), gomod).unwrap();
    let imports: String = direct
        .iter()
        .map(|p| format!("import _ \"{p}\"\n"))
        .collect();
    std::fs::write(
        dir.join("main.go"),
        format!("package main\n\n{imports}\nfunc main() {{}}\n"),
    )
    .unwrap();
    let Some(mut tidy) = go(&home, &f.url()) else {
        return false;
    };
    // A start go cannot tidy (an import no version provides) is no case.
    if !tidy
        .args(["mod", "tidy"])
        .current_dir(&dir)
        .output()
        .unwrap()
        .status
        .success()
    {
        eprintln!("seed {seed}: go mod tidy fails on the start; skipped");
        return true;
    }
    let mut args = vec!["--latest"];
    if rng.chance(50) {
        args.extend(["--only", direct[rng.below(direct.len())].as_str()]);
    }
    compare(&dir, &args, &home, &f.url());
    true
}
