//! `modgate warm` end to end, with the real go command as the judge: a fixture
//! module graph behind `modgate serve` (a `file://` upstream), `modgate warm` on a
//! project, then the same data directory served `--offline` with the upstream gone,
//! and `go build` / `go mod download all` from an empty module cache through it.

mod common;

use std::path::{Path, PathBuf};

use common::Serve;
use std::process::{Command, Output};

/// A module tree laid out as a GOPROXY, written with the core's zip writer.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    /// Publishes `path@version` with a go.mod requiring `reqs` and a package whose
    /// `Hello` calls `Hello` of each of `imports`.
    fn publish(&self, path: &str, version: &str, reqs: &[(&str, &str)], imports: &[&str]) {
        let src = tempfile::tempdir().unwrap();
        let mut gomod = format!("module {path}\n\ngo 1.21\n");
        for (p, v) in reqs {
            gomod.push_str(&format!("\nrequire {p} {v}\n"));
        }
        std::fs::write(src.path().join("go.mod"), &gomod).unwrap();
        let name = path.rsplit('/').next().unwrap();
        std::fs::write(
            src.path().join(format!("{name}.go")),
            go_source(name, version, imports),
        )
        .unwrap();
        common::publish_version(
            &self.root,
            path,
            version,
            src.path(),
            &gomod,
            "2026-01-02T03:04:05Z",
        );
    }

    fn url(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

fn go_source(name: &str, version: &str, imports: &[&str]) -> String {
    let mut s = format!("package {name}\n\n");
    for i in imports {
        s.push_str(&format!("import \"{i}\"\n"));
    }
    let calls: String = imports
        .iter()
        .map(|i| format!(" + \" \" + {}.Hello()", i.rsplit('/').next().unwrap()))
        .collect();
    s.push_str(&format!(
        "\nfunc Hello() string {{ return \"{name} {version}\"{calls} }}\n"
    ));
    s
}

/// The graph: app → a v1.0.0 → b v1.1.0; app → c v1.0.0 → b v1.0.0 (MVS picks
/// b v1.1.0, but b v1.0.0's go.mod is part of the graph).
fn universe(root: &Path) -> Fixture {
    let f = Fixture {
        root: root.to_owned(),
    };
    f.publish("example.com/b", "v1.0.0", &[], &[]);
    f.publish("example.com/b", "v1.1.0", &[], &[]);
    f.publish(
        "example.com/a",
        "v1.0.0",
        &[("example.com/b", "v1.1.0")],
        &["example.com/b"],
    );
    f.publish(
        "example.com/c",
        "v1.0.0",
        &[("example.com/b", "v1.0.0")],
        &["example.com/b"],
    );
    f
}

/// The main module, importing a and c.
fn app(dir: &Path, extra_require: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("go.mod"),
        format!(
            "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/c v1.0.0\n{extra_require})\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/a\"\n\t\"example.com/c\"\n)\n\nfunc main() { fmt.Println(a.Hello(), c.Hello()) }\n",
    )
    .unwrap();
}

/// `modgate serve` on 127.0.0.1:0 with `args` (checksum database off), once it says
/// where it listens.
fn serve(data: &Path, args: &[&str]) -> Serve {
    let args: Vec<&str> = ["--sumdb", "off"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let (server, err) = common::serve(data, &args, "info");
    common::drain(err);
    server
}

/// `modgate warm` with a sealed go environment (no env file, checksum database off
/// as the fixture has none).
fn warm(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modgate"))
        .arg("warm")
        .args(args)
        .env("HOME", home)
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GONOSUMDB", "")
        .env("GOPROXY", "off")
        .output()
        .unwrap()
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

#[test]
fn warmed_modgate_serves_an_offline_build() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = universe(&tmp.path().join("upstream"));
    let project = tmp.path().join("app");
    app(&project, "");
    // go.sum as go writes it, straight from the fixture (not through the modgate:
    // the modgate must learn everything from `warm`).
    let Some(mut tidy) = common::go_proxy(&tmp.path().join("tidy-home"), &fixture.url()) else {
        return;
    };
    ok(
        tidy.args(["mod", "tidy"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod tidy",
    );
    assert!(project.join("go.sum").is_file());

    let data = tmp.path().join("data");
    let online = serve(&data, &["--upstream", &fixture.url()]);
    let out = ok(
        warm(
            &[project.to_str().unwrap(), "--proxy", &online.url, "--json"],
            tmp.path(),
        ),
        "modgate warm",
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "ok", "{report:#}");
    assert_eq!(report["failed"], 0);
    let has = |path: &str, version: &str, file: &str| {
        report["files"].as_array().unwrap().iter().any(|f| {
            f["path"] == path
                && f["version"] == version
                && f["file"] == file
                && f["status"] == "fetched"
        })
    };
    for (p, v) in [
        ("example.com/a", "v1.0.0"),
        ("example.com/b", "v1.1.0"),
        ("example.com/c", "v1.0.0"),
    ] {
        for file in ["info", "mod", "zip"] {
            assert!(has(p, v, file), "{p}@{v}.{file} not fetched: {report:#}");
        }
    }
    // b v1.0.0 is required (by c) but not selected: no zip. (Its go.mod is not
    // read either: c is a go 1.21 module, so the graph is pruned below it.)
    assert!(!has("example.com/b", "v1.0.0", "zip"), "{report:#}");
    // Everything go.sum lists.
    let gosum = std::fs::read_to_string(project.join("go.sum")).unwrap();
    for line in gosum.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        match f[1].strip_suffix("/go.mod") {
            Some(v) => assert!(has(f[0], v, "mod"), "{line}: {report:#}"),
            None => assert!(has(f[0], f[1], "zip"), "{line}: {report:#}"),
        }
    }
    assert!(report["bytes"].as_u64().unwrap() > 0);
    drop(online);

    // The upstream is gone; the modgate is offline on the same data.
    std::fs::remove_dir_all(&fixture.root).unwrap();
    let offline = serve(&data, &["--offline"]);
    let home = tmp.path().join("build-home");
    let mut build = common::go_proxy(&home, &offline.url).unwrap();
    ok(
        build
            .args(["build", "-mod=readonly", "-o"])
            .arg(tmp.path().join("app.bin"))
            .arg(".")
            .current_dir(&project)
            .output()
            .unwrap(),
        "go build through the offline modgate",
    );
    let run = ok(
        Command::new(tmp.path().join("app.bin")).output().unwrap(),
        "the built program",
    );
    assert_eq!(
        common::stdout(&run).trim(),
        "a v1.0.0 b v1.1.0 c v1.0.0 b v1.1.0"
    );
    let mut download = common::go_proxy(&tmp.path().join("download-home"), &offline.url).unwrap();
    ok(
        download
            .args(["mod", "download", "all"])
            .current_dir(&project)
            .output()
            .unwrap(),
        "go mod download all through the offline modgate",
    );
}

#[test]
fn a_failing_module_fails_warm_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = universe(&tmp.path().join("upstream"));
    // A module whose zip the upstream lost.
    fixture.publish("example.com/broken", "v1.0.0", &[], &[]);
    std::fs::remove_file(fixture.root.join("example.com/broken/@v/v1.0.0.zip")).unwrap();
    let project = tmp.path().join("app");
    app(&project, "\texample.com/broken v1.0.0\n");
    let data = tmp.path().join("data");
    let online = serve(&data, &["--upstream", &fixture.url()]);
    let out = warm(
        &[project.to_str().unwrap(), "--proxy", &online.url],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    assert!(
        text.contains("failed: example.com/broken@v1.0.0.zip: "),
        "{text}"
    );
    assert!(text.contains(", 1 failed,"), "{text}");
    // Everything else was fetched.
    assert!(text.starts_with("warm: "), "{text}");
    // Plain progress lines when stderr is not a terminal.
    assert!(
        common::stderr(&out).contains("fetched example.com/a@v1.0.0.zip"),
        "{}",
        common::stderr(&out)
    );

    // A module missing from the graph: the build list cannot be computed, and the
    // error names the requirement chain.
    app(&project, "\texample.com/nowhere v1.0.0\n");
    let out = warm(
        &[project.to_str().unwrap(), "--proxy", &online.url, "--json"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "failed");
    let errors = report["errors"].to_string();
    assert!(errors.contains("example.com/nowhere@v1.0.0"), "{report:#}");
}
