//! `modgate audit` end to end: a fixture module graph (zips by the core's writer)
//! behind `modgate serve` over a `file://` upstream, a go.sum written by the real
//! `go mod tidy`, a vulnerability database written by the core's layout writer, and
//! `go list -m -u -json all` as the oracle for outdated, retracted and deprecated.

mod common;

use std::path::{Path, PathBuf};

use common::Serve;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use modgate_core::vulndb::{self, Affected, Entry, Event, Package, Range};
use serde_json::Value;

struct Fixture {
    root: PathBuf,
}

impl Fixture {
    /// Publishes `path@version` with `gomod` as its go.mod and one package.
    fn publish(&self, path: &str, version: &str, gomod: &str) {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("go.mod"), gomod).unwrap();
        let name = path.rsplit('/').next().unwrap();
        std::fs::write(
            src.path().join(format!("{name}.go")),
            format!("package {name}\n\nfunc Hello() string {{ return \"{name} {version}\" }}\n"),
        )
        .unwrap();
        let time = if version.contains('-') {
            "2026-01-02T03:04:05Z".to_owned()
        } else {
            static PUBLISHED: AtomicUsize = AtomicUsize::new(0);
            let n = PUBLISHED.fetch_add(1, Ordering::Relaxed);
            format!("2026-02-{:02}T{:02}:00:00Z", 1 + n % 28, n / 28 % 24)
        };
        common::publish_version(&self.root, path, version, src.path(), gomod, &time);
    }

    fn plain(&self, path: &str, version: &str) {
        self.publish(path, version, &format!("module {path}\n\ngo 1.21\n"));
    }

    fn url(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

/// b: patch and minor releases after v1.0.0; r: v1.0.0 retracted by v1.1.0;
/// d: deprecated; v: v1.2.0 vulnerable, fixed in v1.2.1; b/v2 and b/v3: newer
/// majors of b; p: only a pseudo-version.
fn universe(root: &Path) -> Fixture {
    let f = Fixture {
        root: root.to_owned(),
    };
    for v in ["v1.0.0", "v1.0.1", "v1.1.0"] {
        f.plain("example.com/b", v);
    }
    f.plain("example.com/r", "v1.0.0");
    f.publish(
        "example.com/r",
        "v1.1.0",
        "module example.com/r\n\ngo 1.21\n\n// Published with a broken build.\nretract v1.0.0\n",
    );
    f.publish(
        "example.com/d",
        "v1.0.0",
        "// Deprecated: use example.com/b instead.\nmodule example.com/d\n\ngo 1.21\n",
    );
    for v in ["v1.2.0", "v1.2.1"] {
        f.plain("example.com/v", v);
    }
    f.plain("example.com/b/v2", "v2.0.0");
    f.plain("example.com/b/v3", "v3.0.0");
    // An untagged commit: served, not listed (as a proxy does).
    f.plain("example.com/p", PSEUDO);
    std::fs::remove_file(f.root.join("example.com/p/@v/list")).unwrap();
    f
}

const PSEUDO: &str = "v0.0.0-20260102030405-abcdefabcdef";

const IMPORTS: [&str; 5] = ["b", "r", "d", "v", "p"];

/// The main module: requires the fixture's modules at their old versions, and a
/// local directory replacement.
fn app(dir: &Path) {
    std::fs::create_dir_all(dir.join("local")).unwrap();
    std::fs::write(
        dir.join("local/go.mod"),
        "module example.com/local\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("local/local.go"),
        "package local\n\nfunc Hello() string { return \"local\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("go.mod"),
        format!("module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/b v1.0.0\n\texample.com/d v1.0.0\n\texample.com/local v0.0.0\n\texample.com/p {PSEUDO}\n\texample.com/r v1.0.0\n\texample.com/v v1.2.0\n)\n\nreplace example.com/local => ./local\n"),
    )
    .unwrap();
    let mut main = String::from("package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/local\"\n");
    for i in IMPORTS {
        main.push_str(&format!("\t\"example.com/{i}\"\n"));
    }
    main.push_str(")\n\nfunc main() { fmt.Println(local.Hello()");
    for i in IMPORTS {
        main.push_str(&format!(", {i}.Hello()"));
    }
    main.push_str(") }\n");
    std::fs::write(dir.join("main.go"), main).unwrap();
}

/// A vulnerability database with one entry for example.com/v, in the layout.
fn vuln_db(dir: &Path) {
    let entry = Entry {
        id: "GO-2026-0001".into(),
        modified: "2026-02-01T00:00:00Z".into(),
        aliases: vec!["CVE-2026-1234".into()],
        summary: "Remote crash in example.com/v".into(),
        affected: vec![Affected {
            package: Package {
                name: "example.com/v".into(),
                ecosystem: vulndb::GO_ECOSYSTEM.into(),
            },
            ranges: vec![Range {
                kind: vulndb::RANGE_TYPE_SEMVER.into(),
                events: vec![Event::introduced("0"), Event::fixed("1.2.1")],
            }],
            ..Affected::default()
        }],
        ..Entry::default()
    };
    for (path, data) in vulndb::layout(&[entry]).unwrap() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

/// `modgate serve` of `upstream` with the vulnerability database `vulndb` (checksum
/// database off), once it says where it listens.
fn serve(data: &Path, upstream: &str, vulndb: &str) -> Serve {
    let args = ["--sumdb", "off", "--upstream", upstream, "--vulndb", vulndb];
    let (server, err) = common::serve(data, &args, "info");
    common::drain(err);
    server
}

/// `modgate audit` with a sealed go environment (no vulnerability database
/// unless `--db` says, the local go's toolchain).
fn audit(args: &[&str], home: &Path) -> Output {
    audit_env(args, home, &[])
}

fn audit_env(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modgate"))
        .arg("audit")
        .args(args)
        .env("GOVULNDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("HOME", home)
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOFLAGS", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GONOSUMDB", "")
        .env("GOPROXY", "off")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn go(home: &Path, goproxy: &str) -> Option<Command> {
    let go = modgate_testkit::go::binary()?;
    let mut cmd = modgate_testkit::go::sealed(&go, home);
    cmd.env("GOPROXY", goproxy).env("GOSUMDB", "off").env(
        "GOCACHE",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build-cache"),
    );
    Some(cmd)
}

/// The fixture universe under `tmp/upstream` and the app under `tmp/app`, tidied by
/// the real go with its home at `tmp/go-home`: `(fixture, app, go home)`, `None`
/// where go is not installed.
fn tidied_app(tmp: &Path) -> Option<(Fixture, PathBuf, PathBuf)> {
    let fixture = universe(&tmp.join("upstream"));
    let project = tmp.join("app");
    app(&project);
    let home = tmp.join("go-home");
    let mut tidy = go(&home, &fixture.url())?;
    common::run_ok(tidy.args(["mod", "tidy"]).current_dir(&project));
    Some((fixture, project, home))
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            common::stdout(out),
            common::stderr(out)
        )
    })
}

fn findings<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn audit_agrees_with_go_list_and_finds_what_was_planted() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((fixture, project, home)) = tidied_app(tmp.path()) else {
        return;
    };
    let db = tmp.path().join("vulndb");
    vuln_db(&db);
    let server = serve(
        &tmp.path().join("data"),
        &fixture.url(),
        &format!("file://{}", db.display()),
    );
    let base = [
        project.to_str().unwrap(),
        "--proxy",
        &server.url,
        "--db",
        db.to_str().unwrap(),
    ];
    let mut args = base.to_vec();
    args.push("--json");
    let out = audit(&args, tmp.path());
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(r["verdict"], "failed", "{r:#}");
    assert_eq!(r["errors"], serde_json::json!([]), "{r:#}");

    // The build list is go's.
    let mut list = go(&home, &fixture.url()).unwrap();
    let golist = common::run_ok(list.args(["list", "-m", "all"]).current_dir(&project));
    let ours: Vec<String> = r["build_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap().to_owned())
        .collect();
    let theirs: Vec<String> = common::stdout(&golist)
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(ours, theirs);

    // go.sum as go mod tidy wrote it: no integrity finding.
    for code in [
        "integrity.gosum-missing",
        "integrity.gosum-extra",
        "integrity.gosum-mismatch",
    ] {
        assert!(findings(&r, code).is_empty(), "{code}: {r:#}");
    }

    // The vulnerability, with its alias and fix.
    let v = findings(&r, "vuln.module");
    assert_eq!(v.len(), 1, "{r:#}");
    assert_eq!(v[0]["id"], "GO-2026-0001");
    assert_eq!(v[0]["aliases"], serde_json::json!(["CVE-2026-1234"]));
    assert_eq!(v[0]["fixed"], "v1.2.1");
    assert_eq!(v[0]["module"], "example.com/v");
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(v[0]["fix"], "go get example.com/v@v1.2.1");

    // The same database through the modgate's /vuln mirror (a URL): the same finding.
    let vuln_url = format!("{}/vuln", server.url);
    let out = audit(
        &[
            project.to_str().unwrap(),
            "--proxy",
            &server.url,
            "--db",
            &vuln_url,
            "--json",
        ],
        tmp.path(),
    );
    let by_url = report(&out);
    assert_eq!(out.status.code(), Some(1), "{by_url:#}");
    assert_eq!(findings(&by_url, "vuln.module"), v, "{by_url:#}");

    // Outdated, retracted, deprecated: as `go list -m -u -json all` says.
    let mut u = go(&home, &fixture.url()).unwrap();
    let golist = common::run_ok(
        u.args(["list", "-m", "-u", "-json", "all"])
            .current_dir(&project),
    );
    let stream = serde_json::Deserializer::from_slice(&golist.stdout).into_iter::<Value>();
    let mut compared = 0;
    for m in stream {
        let m = m.unwrap();
        if m["Main"] == true {
            continue;
        }
        let path = m["Path"].as_str().unwrap();
        let of = |code: &str| -> Vec<&Value> {
            findings(&r, code)
                .into_iter()
                .filter(|f| f["module"] == path)
                .collect()
        };
        // go's Update is the newest of our outdated findings.
        let newest = of("outdated.minor")
            .into_iter()
            .chain(of("outdated.patch"))
            .map(|f| f["latest"].as_str().unwrap().to_owned())
            .max_by(|a, b| modgate_core::semver::compare(a, b));
        assert_eq!(
            newest.as_deref(),
            m["Update"]["Version"].as_str(),
            "{path}: {m:#} {r:#}"
        );
        let retracted = of("retracted");
        match m["Retracted"].as_array() {
            Some(why) => {
                assert_eq!(retracted.len(), 1, "{path}: {r:#}");
                for w in why {
                    let w = w.as_str().unwrap();
                    assert!(
                        retracted[0]["summary"].as_str().unwrap().contains(w),
                        "{w}: {r:#}"
                    );
                }
            }
            None => assert!(retracted.is_empty(), "{path}: {r:#}"),
        }
        let deprecated = of("deprecated");
        match m["Deprecated"].as_str() {
            Some(d) => {
                assert_eq!(deprecated.len(), 1, "{path}: {r:#}");
                assert!(deprecated[0]["summary"].as_str().unwrap().ends_with(d));
            }
            None => assert!(deprecated.is_empty(), "{path}: {r:#}"),
        }
        compared += 1;
    }
    assert_eq!(compared, 6, "every dependency compared");
    // The fixture plants each: b has a patch and a minor release.
    let b: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["module"] == "example.com/b")
        .map(|f| (f["code"].as_str().unwrap(), f["latest"].as_str().unwrap()))
        .collect();
    assert_eq!(
        b,
        [
            ("outdated.major", "example.com/b/v3@v3.0.0"),
            ("outdated.minor", "v1.1.0"),
            ("outdated.patch", "v1.0.1")
        ]
    );
    assert_eq!(findings(&r, "outdated.major").len(), 1, "{r:#}");
    // Release times: the .info Time of the version each finding names.
    for code in ["outdated.major", "outdated.minor", "outdated.patch"] {
        for f in findings(&r, code) {
            let latest = f["latest"].as_str().unwrap();
            let (path, version) = latest
                .split_once('@')
                .unwrap_or((f["module"].as_str().unwrap(), latest));
            let info: Value = serde_json::from_slice(
                &std::fs::read(fixture.root.join(format!("{path}/@v/{version}.info"))).unwrap(),
            )
            .unwrap();
            assert_eq!(f["released"], info["Time"], "{f:#}");
        }
    }
    let p = findings(&r, "pseudo-version");
    assert_eq!(p.len(), 1, "{r:#}");
    assert_eq!(p[0]["module"], "example.com/p");
    assert_eq!(p[0]["version"], PSEUDO);
    assert_eq!(
        findings(&r, "retracted")[0]["summary"],
        "example.com/r v1.0.0 is retracted: Published with a broken build."
    );
    let local = findings(&r, "replace.local");
    assert_eq!(local.len(), 1, "{r:#}");
    assert_eq!(local[0]["module"], "example.com/local");

    // --fail-on never: exit 0 with the same findings; the table says the same.
    let mut never = base.to_vec();
    never.extend(["--fail-on", "never"]);
    let out = audit(&never, tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    assert!(text.starts_with("audit: ok: 7 modules, "), "{text}");
    assert!(text.contains("vuln.module"), "{text}");
    assert!(text.contains("fix: go get example.com/v@v1.2.1"), "{text}");

    // Tampered go.sum: a /go.mod line gone, a zip hash swapped for another
    // module's, a line for a version the build does not use.
    let gosum_path = project.join("go.sum");
    let gosum = std::fs::read_to_string(&gosum_path).unwrap();
    let hash_of = |prefix: &str| {
        gosum
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    let d_zip = hash_of("example.com/d v1.0.0 h1:");
    let b_zip = hash_of("example.com/b v1.0.0 h1:");
    let unused = format!(
        "example.com/b v1.0.1/go.mod {}\n",
        modgate_core::dirhash::hash_gomod(
            &std::fs::read(fixture.root.join("example.com/b/@v/v1.0.1.mod")).unwrap()
        )
    );
    let tampered: String = gosum
        .lines()
        .filter(|l| !l.starts_with("example.com/r v1.0.0/go.mod "))
        .map(|l| format!("{}\n", l.replace(&b_zip, &d_zip)))
        .chain([unused])
        .collect();
    std::fs::write(&gosum_path, tampered).unwrap();
    let mut never_json = never.clone();
    never_json.push("--json");
    let out = audit(&never_json, tmp.path());
    let r = report(&out);
    // --fail-on never: even integrity errors leave the exit code at 0.
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    let one = |code: &str| {
        let f = findings(&r, code);
        assert_eq!(f.len(), 1, "{code}: {r:#}");
        (
            f[0]["module"].as_str().unwrap().to_owned(),
            f[0]["version"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        one("integrity.gosum-missing"),
        ("example.com/r".into(), "v1.0.0".into())
    );
    assert_eq!(
        one("integrity.gosum-mismatch"),
        ("example.com/b".into(), "v1.0.0".into())
    );
    assert_eq!(
        one("integrity.gosum-extra"),
        ("example.com/b".into(), "v1.0.1".into())
    );
    // go agrees that the go.sum is broken.
    let mut build = go(&home, &fixture.url()).unwrap();
    let out = build
        .args(["list", "-mod=readonly", "-deps", "./..."])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn audit_that_cannot_run_exits_2_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    // Not a module.
    let out = audit(&[empty.to_str().unwrap(), "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert_eq!(report(&out)["verdict"], "error");
    let out = audit(&[empty.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("modgate audit: "));

    // A project whose graph cannot be loaded (GOPROXY=off), and a --db that is
    // not a database.
    let fixture = universe(&tmp.path().join("upstream"));
    let project = tmp.path().join("app");
    app(&project);
    let out = audit(&[project.to_str().unwrap(), "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let r = report(&out);
    assert_eq!(r["verdict"], "error");
    assert!(
        r["error"].as_str().unwrap().contains("example.com/"),
        "{r:#}"
    );
    let out = audit(
        &[
            project.to_str().unwrap(),
            "--proxy",
            &fixture.url(),
            "--db",
            empty.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("not a vulnerability database"),
        "{}",
        common::stderr(&out)
    );
    // A URL with no database behind it.
    let nowhere = format!("file://{}", empty.display());
    let out = audit(
        &[
            project.to_str().unwrap(),
            "--proxy",
            &fixture.url(),
            "--db",
            &nowhere,
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let r = report(&out);
    assert!(
        r["error"].as_str().unwrap().contains("index/db.json.gz"),
        "{r:#}"
    );
}

/// The line (1-based) of `project`'s go.mod that holds `needle`.
fn gomod_line(project: &Path, needle: &str) -> u64 {
    let text = std::fs::read_to_string(project.join("go.mod")).unwrap();
    let i = text.lines().position(|l| l.contains(needle)).unwrap();
    u64::try_from(i + 1).unwrap()
}

/// SARIF 2.1.0 has the structure the specification requires (§3.13 sarifLog,
/// §3.14 run, §3.19 tool, §3.27 result, §3.28 location, §3.49 rule) and says what
/// the JSON report says.
fn check_sarif(s: &Value, json: &Value, project: &Path) {
    assert_eq!(s["version"], "2.1.0", "{s:#}");
    assert_eq!(
        s["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = s["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "modgate audit");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "rule ids are unique");
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let results = run["results"].as_array().unwrap();
    let listed =
        json["findings"].as_array().unwrap().len() + json["ignored"].as_array().unwrap().len();
    assert_eq!(results.len(), listed, "{s:#}");
    let level = |sev: &str| match sev {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    };
    for (r, f) in results.iter().zip(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .chain(json["ignored"].as_array().unwrap()),
    ) {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(r["ruleId"], rules[index]["id"], "{r:#}");
        assert_eq!(r["ruleId"], f["code"], "{r:#}");
        assert_eq!(r["level"], level(f["severity"].as_str().unwrap()), "{r:#}");
        assert!(
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with(f["summary"].as_str().unwrap())
        );
        let loc = &r["locations"][0];
        assert_eq!(loc["logicalLocations"][0]["name"], f["module"], "{r:#}");
        if let Some(line) = f["line"].as_u64() {
            let phys = &loc["physicalLocation"];
            assert_eq!(phys["artifactLocation"]["uri"], f["file"]);
            assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert_eq!(phys["region"]["startLine"], line);
        }
        assert_eq!(
            r.get("suppressions").is_some(),
            f.get("ignore").is_some_and(|i| i["expired"] == false),
            "{r:#}"
        );
    }
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(root, format!("file://{}/", project.display()));
    assert!(
        run["invocations"][0]["executionSuccessful"]
            .as_bool()
            .unwrap()
    );
}

#[test]
fn audit_sarif_and_ignore_files() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((fixture, project, _)) = tidied_app(tmp.path()) else {
        return;
    };
    let db = tmp.path().join("vulndb");
    vuln_db(&db);
    let proxy = fixture.url();
    let run = |extra: &[&str]| {
        let mut args = vec![
            project.to_str().unwrap(),
            "--proxy",
            &proxy,
            "--db",
            db.to_str().unwrap(),
        ];
        args.extend(extra);
        audit(&args, tmp.path())
    };
    let out = run(&["--json"]);
    let json = report(&out);
    assert_eq!(out.status.code(), Some(1), "{json:#}");
    // Findings point at the require line of their module.
    let v = findings(&json, "vuln.module");
    assert_eq!(v[0]["file"], "go.mod");
    assert_eq!(v[0]["line"], gomod_line(&project, "example.com/v v1.2.0"));
    let local = findings(&json, "replace.local");
    assert_eq!(
        local[0]["line"],
        gomod_line(&project, "replace example.com/local")
    );

    // SARIF: the same findings, the same exit codes.
    let out = run(&["--sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let sarif = report(&out);
    check_sarif(&sarif, &json, &project);
    let vuln = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "vuln.module")
        .unwrap();
    assert_eq!(vuln["level"], "error");
    assert_eq!(
        vuln["locations"][0]["physicalLocation"]["region"]["startLine"],
        gomod_line(&project, "example.com/v v1.2.0")
    );
    let out = run(&["--sarif", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));

    // .modgate-audit.toml: the vulnerability ignored by its alias, b's outdated
    // findings by code pattern and module; the local replace's entry expired.
    std::fs::write(
        project.join(".modgate-audit.toml"),
        "[[ignore]]\nid = \"CVE-2026-1234\"\nreason = \"the crash needs a config we never use\"\nuntil = 2999-01-01\n\n\
         [[ignore]]\ncode = \"outdated.*\"\nmodule = \"example.com/b\"\nreason = \"b's upgrades wait for the next release\"\n\n\
         [[ignore]]\ncode = \"replace.local\"\nreason = \"until local is published\"\nuntil = 2000-01-01\n",
    )
    .unwrap();
    let out = run(&["--json"]);
    let r = report(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ignored findings do not count: {r:#}"
    );
    assert_eq!(r["verdict"], "ok");
    assert!(findings(&r, "vuln.module").is_empty(), "{r:#}");
    let ignored: Vec<(&str, &str)> = r["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["module"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ignored,
        [
            ("vuln.module", "example.com/v"),
            ("outdated.major", "example.com/b"),
            ("outdated.minor", "example.com/b"),
            ("outdated.patch", "example.com/b"),
        ],
        "{r:#}"
    );
    assert_eq!(
        r["ignored"][0]["ignore"]["reason"],
        "the crash needs a config we never use"
    );
    assert_eq!(r["ignored"][0]["ignore"]["until"], "2999-01-01T00:00:00Z");
    // Other modules' outdated findings stay.
    assert!(!findings(&r, "outdated.patch").is_empty(), "{r:#}");
    let expired = findings(&r, "replace.local");
    assert_eq!(expired.len(), 1, "{r:#}");
    assert_eq!(expired[0]["ignore"]["expired"], true);
    let notice = r["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .find(|n| n.contains("expired"))
        .unwrap();
    assert!(
        notice.contains("expired on 2000-01-01T00:00:00Z"),
        "{notice}"
    );
    assert!(notice.contains(".modgate-audit.toml"), "{notice}");
    // The table says the same; SARIF shows the ignored ones as suppressed.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = common::stdout(&out);
    assert!(
        text.contains("(4 more ignored by the ignore files)"),
        "{text}"
    );
    assert!(
        text.contains("note: ") && text.contains("reported again"),
        "{text}"
    );
    let out = run(&["--sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let s = report(&out);
    check_sarif(&s, &r, &project);
    let suppressed: Vec<&Value> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 4);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");

    // osv-scanner.toml: its IgnoredVulns, by ID, until a date-time.
    std::fs::remove_file(project.join(".modgate-audit.toml")).unwrap();
    std::fs::write(
        project.join("osv-scanner.toml"),
        "[[IgnoredVulns]]\nid = \"GO-2026-0001\"\nignoreUntil = 2999-01-01T00:00:00Z\nreason = \"not reachable\"\n",
    )
    .unwrap();
    let out = run(&["--json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(r["ignored"][0]["id"], "GO-2026-0001");
    assert_eq!(r["ignored"][0]["ignore"]["reason"], "not reachable");
    // Expired, it stops ignoring.
    std::fs::write(
        project.join("osv-scanner.toml"),
        "[[IgnoredVulns]]\nid = \"GO-2026-0001\"\nignoreUntil = 2001-02-03\nreason = \"not reachable\"\n",
    )
    .unwrap();
    let out = run(&["--json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(findings(&r, "vuln.module")[0]["ignore"]["expired"], true);

    // An ignore file that makes no sense: could not audit, naming the problem.
    std::fs::write(
        project.join(".modgate-audit.toml"),
        "[[ignore]]\ncode = \"vuln.module\"\n",
    )
    .unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains(".modgate-audit.toml: entry 1 has no `reason`"),
        "{err}"
    );
    std::fs::write(
        project.join(".modgate-audit.toml"),
        "[[ignore]]\ncode = \"vuln.modul\"\nreason = \"typo\"\n",
    )
    .unwrap();
    let out = run(&["--sarif"]);
    assert_eq!(out.status.code(), Some(2));
    let s = report(&out);
    assert_eq!(s["runs"][0]["invocations"][0]["executionSuccessful"], false);
    assert!(common::stderr(&out).contains("unknown finding code \"vuln.modul\""));
}

/// Publishes `path@version` whose one file is `file` with `source`, at `time`.
fn publish_src(
    f: &Fixture,
    path: &str,
    version: &str,
    gomod: &str,
    file: &str,
    source: &str,
    time: &str,
) {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("go.mod"), gomod).unwrap();
    std::fs::write(src.path().join(file), source).unwrap();
    common::publish_version(&f.root, path, version, src.path(), gomod, time);
}

/// The module paths of the packages `pattern` loads (with tests), by `go list`.
fn go_modules_of(
    home: &Path,
    goproxy: &str,
    project: &Path,
    pattern: &str,
) -> std::collections::BTreeSet<String> {
    let mut cmd = go(home, goproxy).unwrap();
    let out = common::run_ok(
        cmd.args([
            "list",
            "-deps",
            "-test",
            "-f",
            "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}",
            pattern,
        ])
        .current_dir(project),
    );
    common::stdout(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn audit_unmaintained_forks_and_tools() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = universe(&tmp.path().join("upstream"));
    // old: last released in 2019; upstream, replaced by its fork; tl: a tool
    // whose dependency tdep has a newer patch.
    publish_src(
        &fixture,
        "example.com/old",
        "v1.0.0",
        "module example.com/old\n\ngo 1.21\n",
        "old.go",
        "package old\n\nfunc Hello() string { return \"old\" }\n",
        "2019-05-06T07:08:09Z",
    );
    fixture.plain("example.com/upstream", "v1.0.0");
    publish_src(
        &fixture,
        "example.com/fork",
        "v1.0.1",
        "module example.com/fork\n\ngo 1.21\n",
        "upstream.go",
        "package upstream\n\nfunc Hello() string { return \"fork\" }\n",
        "2026-03-01T00:00:00Z",
    );
    fixture.plain("example.com/tdep", "v1.0.0");
    fixture.plain("example.com/tdep", "v1.0.1");
    publish_src(
        &fixture,
        "example.com/tl",
        "v1.0.0",
        "module example.com/tl\n\ngo 1.21\n\nrequire example.com/tdep v1.0.0\n",
        "main.go",
        "package main\n\nimport \"example.com/tdep\"\n\nfunc main() { println(tdep.Hello()) }\n",
        "2026-03-02T00:00:00Z",
    );
    let project = tmp.path().join("app");
    app(&project);
    let gomod = std::fs::read_to_string(project.join("go.mod"))
        .unwrap()
        .replace("go 1.21", "go 1.24");
    std::fs::write(
        project.join("go.mod"),
        format!("{gomod}\nrequire (\n\texample.com/old v1.0.0\n\texample.com/tl v1.0.0\n\texample.com/upstream v1.0.0\n)\n\nreplace example.com/upstream => example.com/fork v1.0.1\n\ntool example.com/tl\n"),
    )
    .unwrap();
    std::fs::write(
        project.join("more.go"),
        "package main\n\nimport (\n\t\"example.com/old\"\n\t\"example.com/upstream\"\n)\n\nvar _ = old.Hello() + upstream.Hello()\n",
    )
    .unwrap();
    let home = tmp.path().join("go-home");
    let Some(mut tidy) = go(&home, &fixture.url()) else {
        return;
    };
    common::run_ok(tidy.args(["mod", "tidy"]).current_dir(&project));
    let proxy = fixture.url();
    let run = |extra: &[&str]| {
        let mut args = vec![project.to_str().unwrap(), "--proxy", &proxy, "--json"];
        args.extend(extra);
        let out = audit(&args, tmp.path());
        let r = report(&out);
        assert_eq!(out.status.code(), Some(0), "{r:#}");
        r
    };
    let r = run(&[]);

    // unmaintained: old, by its .info time; the fixture's 2026 releases are not.
    let u = findings(&r, "unmaintained");
    assert_eq!(u.len(), 1, "{r:#}");
    assert_eq!(u[0]["module"], "example.com/old");
    assert_eq!(u[0]["released"], "2019-05-06T07:08:09Z");
    assert_eq!(u[0]["severity"], "warning");
    assert_eq!(u[0]["line"], gomod_line(&project, "example.com/old v1.0.0"));
    assert!(findings(&run(&["--unmaintained-months", "0"]), "unmaintained").is_empty());
    let all = run(&["--unmaintained-months", "1"]);
    let flagged: Vec<&str> = findings(&all, "unmaintained")
        .iter()
        .map(|f| f["module"].as_str().unwrap())
        .collect();
    assert!(
        flagged.contains(&"example.com/b") && flagged.contains(&"example.com/p"),
        "{all:#}"
    );

    // replace.fork: at the replace line.
    let fork = findings(&r, "replace.fork");
    assert_eq!(fork.len(), 1, "{r:#}");
    assert_eq!(fork[0]["module"], "example.com/upstream");
    assert!(
        fork[0]["summary"]
            .as_str()
            .unwrap()
            .contains("example.com/fork v1.0.1")
    );
    assert_eq!(
        fork[0]["line"],
        gomod_line(&project, "replace example.com/upstream")
    );

    // tool.*: the modules only the tool needs are go's (go list of the tool
    // pattern less the build's packages); their findings are tool.-prefixed.
    let build = go_modules_of(&home, &proxy, &project, "./...");
    let tool = go_modules_of(&home, &proxy, &project, "tool");
    let oracle: Vec<String> = tool.difference(&build).cloned().collect();
    assert_eq!(oracle, ["example.com/tdep", "example.com/tl"]);
    assert_eq!(r["tools"], serde_json::json!(oracle), "{r:#}");
    let t = findings(&r, "tool.outdated.patch");
    assert_eq!(t.len(), 1, "{r:#}");
    assert_eq!(t[0]["module"], "example.com/tdep");
    assert_eq!(t[0]["latest"], "v1.0.1");
    assert!(
        findings(&r, "outdated.patch")
            .iter()
            .all(|f| f["module"] != "example.com/tdep")
    );
    // The build's own modules keep their codes.
    assert!(
        findings(&r, "outdated.patch")
            .iter()
            .any(|f| f["module"] == "example.com/b")
    );
    // SARIF describes the tool code.
    let out = audit(
        &[project.to_str().unwrap(), "--proxy", &proxy, "--sarif"],
        tmp.path(),
    );
    let s = report(&out);
    let rule = s["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "tool.outdated.patch")
        .unwrap()
        .clone();
    assert!(
        rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("tool directive"),
        "{rule:#}"
    );
}

/// Writes the vuln.go.dev layout of `entries` under `dir`, and the same as a zip.
fn write_db(dir: &Path, zip_path: &Path, entries: &[Entry]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    for (path, data) in vulndb::layout(entries).unwrap() {
        let p = dir.join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &data).unwrap();
        zip.start_file(path, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();
}

fn entry(id: &str, module: &str, fixed: &str, packages: &[&str]) -> Entry {
    Entry {
        id: id.into(),
        modified: "2026-02-01T00:00:00Z".into(),
        summary: format!("A flaw in {module}"),
        affected: vec![Affected {
            package: Package {
                name: module.into(),
                ecosystem: vulndb::GO_ECOSYSTEM.into(),
            },
            ranges: vec![Range {
                kind: vulndb::RANGE_TYPE_SEMVER.into(),
                events: vec![Event::introduced("0"), Event::fixed(fixed)],
            }],
            ecosystem_specific: vulndb::osv::EcosystemSpecific {
                imports: packages
                    .iter()
                    .map(|p| vulndb::osv::Import {
                        path: (*p).into(),
                        ..vulndb::osv::Import::default()
                    })
                    .collect(),
            },
        }],
        ..Entry::default()
    }
}

#[test]
fn audit_vulnerability_sources_packages_and_the_toolchain() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((fixture, project, home)) = tidied_app(tmp.path()) else {
        return;
    };
    // v: its package is imported (vuln.package); b: only b/internal/x is affected
    // (vuln.module); the standard library before 1.28.0.
    let dir = tmp.path().join("db");
    let zip = tmp.path().join("vuln.zip");
    write_db(
        &dir,
        &zip,
        &[
            entry("GO-2026-0001", "example.com/v", "1.2.1", &["example.com/v"]),
            entry(
                "GO-2026-0002",
                "example.com/b",
                "1.0.1",
                &["example.com/b/internal/x"],
            ),
            entry("GO-2026-0003", "stdlib", "1.28.0", &["net/http"]),
        ],
    );
    let proxy = fixture.url();
    let codes = |out: &Output| -> (Value, Vec<(String, String)>) {
        let r = report(out);
        let c = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"].as_str().unwrap().starts_with("vuln."))
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        (r, c)
    };
    let pin = [("GOTOOLCHAIN", "go1.22.1")];
    let want = [
        ("vuln.module".to_owned(), "GO-2026-0002".to_owned()),
        ("vuln.package".to_owned(), "GO-2026-0001".to_owned()),
        ("vuln.stdlib".to_owned(), "GO-2026-0003".to_owned()),
    ];
    let p = project.to_str().unwrap();
    let by_dir = audit_env(
        &[
            p,
            "--proxy",
            &proxy,
            "--db",
            dir.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &pin,
    );
    let (r, c) = codes(&by_dir);
    assert_eq!(by_dir.status.code(), Some(1), "{r:#}");
    assert_eq!(c, want, "{r:#}");
    let pkg = findings(&r, "vuln.package");
    assert!(
        pkg[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("imports the affected example.com/v"),
        "{r:#}"
    );
    let std = findings(&r, "vuln.stdlib");
    assert_eq!(std[0]["module"], "stdlib");
    assert_eq!(std[0]["version"], "go1.22.1");
    assert_eq!(std[0]["fixed"], "go1.28.0");
    assert_eq!(
        std[0]["fix"],
        "go get toolchain@go1.28.0 (or build with GOTOOLCHAIN=go1.28.0)"
    );
    assert_eq!(r["toolchain"]["source"], "GOTOOLCHAIN=go1.22.1", "{r:#}");
    assert!(
        r["notices"][0]
            .as_str()
            .unwrap()
            .contains("go1.22.1 (from GOTOOLCHAIN=go1.22.1)")
    );

    // The same database as a zip, and as GOVULNDB (a file:// URL) without --db.
    let by_zip = audit_env(
        &[
            p,
            "--proxy",
            &proxy,
            "--db",
            zip.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &pin,
    );
    assert_eq!(codes(&by_zip).1, want);
    assert_eq!(by_zip.status.code(), Some(1));
    let url = format!("file://{}", dir.display());
    let by_env = audit_env(
        &[p, "--proxy", &proxy, "--json"],
        tmp.path(),
        &[("GOTOOLCHAIN", "go1.22.1"), ("GOVULNDB", &url)],
    );
    assert_eq!(codes(&by_env).1, want, "{}", common::stdout(&by_env));
    // --db off: no vulnerability check.
    let off = audit_env(
        &[p, "--proxy", &proxy, "--db", "off", "--json"],
        tmp.path(),
        &[("GOVULNDB", &url)],
    );
    assert!(codes(&off).1.is_empty());

    // The toolchain: the local go (as `go env GOVERSION` says) with
    // GOTOOLCHAIN=local; a toolchain line newer than it wins under auto.
    let mut env = go(&home, &proxy).unwrap();
    let local = common::stdout(&common::run_ok(
        env.args(["env", "GOVERSION"]).env("GOTOOLCHAIN", "local"),
    ))
    .split_whitespace()
    .next()
    .unwrap()
    .to_owned();
    let out = audit_env(
        &[
            p,
            "--proxy",
            &proxy,
            "--db",
            dir.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &[],
    );
    let r = report(&out);
    assert_eq!(r["toolchain"]["version"], local.as_str(), "{r:#}");
    assert_eq!(
        r["toolchain"]["source"],
        "go env GOVERSION (GOTOOLCHAIN=local)"
    );
    let gomod = std::fs::read_to_string(project.join("go.mod")).unwrap();
    std::fs::write(
        project.join("go.mod"),
        gomod.replace("go 1.21\n", "go 1.21\n\ntoolchain go1.99.1\n"),
    )
    .unwrap();
    let out = audit_env(
        &[
            p,
            "--proxy",
            &proxy,
            "--db",
            dir.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &[("GOTOOLCHAIN", "auto")],
    );
    let (r, c) = codes(&out);
    assert_eq!(r["toolchain"]["version"], "go1.99.1", "{r:#}");
    assert!(
        r["toolchain"]["source"]
            .as_str()
            .unwrap()
            .starts_with("the toolchain line of go.mod, newer than"),
        "{r:#}"
    );
    assert!(
        !c.iter().any(|(code, _)| code == "vuln.stdlib"),
        "go1.99.1 is fixed: {r:#}"
    );
}

#[test]
fn audit_modcache_modified_as_go_mod_verify_says() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((fixture, project, home)) = tidied_app(tmp.path()) else {
        return;
    };
    // Extract the build's modules into the cache.
    let mut build = go(&home, &fixture.url()).unwrap();
    common::run_ok(build.args(["list", "-deps", "./..."]).current_dir(&project));
    let modcache = home.join("gomodcache");
    let proxy = fixture.url();
    let p = project.to_str().unwrap();
    let cache = format!("--modcache={}", modcache.display());
    let out = audit(&[p, "--proxy", &proxy, &cache, "--json"], tmp.path());
    let r = report(&out);
    assert!(
        findings(&r, "integrity.modcache-modified").is_empty(),
        "{r:#}"
    );
    assert_eq!(out.status.code(), Some(0), "{r:#}");

    // Tamper with b's extracted source (the cache is read-only, as go leaves it).
    let dir = modcache.join("example.com/b@v1.0.0");
    let file = dir.join("b.go");
    let chmod = |p: &Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(&dir, 0o755);
    chmod(&file, 0o644);
    std::fs::write(
        &file,
        "package b\n\nfunc Hello() string { return \"pwned\" }\n",
    )
    .unwrap();
    // go mod verify, the oracle.
    let mut verify = go(&home, &proxy).unwrap();
    let v = verify
        .args(["mod", "verify"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(!v.status.success());
    let said = common::stdout(&v) + &common::stderr(&v);
    assert!(
        said.contains("example.com/b v1.0.0: dir has been modified"),
        "{said}"
    );
    let out = audit(&[p, "--proxy", &proxy, &cache, "--json"], tmp.path());
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let m = findings(&r, "integrity.modcache-modified");
    assert_eq!(m.len(), 1, "{r:#}");
    assert_eq!(m[0]["module"], "example.com/b");
    assert_eq!(m[0]["version"], "v1.0.0");
    assert!(
        m[0]["summary"]
            .as_str()
            .unwrap()
            .contains("dir has been modified")
    );
    // Without --modcache the cache is not looked at.
    let out = audit(&[p, "--proxy", &proxy, "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(0));

    // go.sum without the zip line of an imported module: go refuses the build,
    // the audit says which line is missing.
    let gosum = std::fs::read_to_string(project.join("go.sum")).unwrap();
    let without: String = gosum
        .lines()
        .filter(|l| !l.starts_with("example.com/v v1.2.0 h1:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(gosum, without);
    std::fs::write(project.join("go.sum"), without).unwrap();
    let mut build = go(&home, &proxy).unwrap();
    let b = build
        .args(["list", "-mod=readonly", "-deps", "./..."])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(!b.status.success());
    assert!(
        common::stderr(&b).contains("missing go.sum entry"),
        "{}",
        common::stderr(&b)
    );
    let out = audit(&[p, "--proxy", &proxy, "--json"], tmp.path());
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let missing = findings(&r, "integrity.gosum-missing");
    assert_eq!(missing.len(), 1, "{r:#}");
    assert_eq!(missing[0]["module"], "example.com/v");
    assert!(
        missing[0]["summary"]
            .as_str()
            .unwrap()
            .contains("(its zip)")
    );
    let mut clean = go(&home, &proxy).unwrap();
    common::run_ok(clean.args(["clean", "-modcache"]).current_dir(&project));
}

#[test]
fn audit_reports_a_checksum_database_mismatch_and_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((fixture, project, _)) = tidied_app(tmp.path()) else {
        return;
    };
    // The database vouches for another go.mod of d than the proxy serves.
    let sumdb = common::sumdb::Sumdb::start(&fixture.root, ("example.com/d", "v1.0.0"));
    let proxy = fixture.url();

    // go refuses d: the oracle.
    let mut dl = go(&tmp.path().join("go-home-2"), &proxy).unwrap();
    let out = dl
        .args([
            "mod",
            "download",
            "example.com/d@v1.0.0",
            "example.com/b@v1.0.0",
        ])
        .env("GOSUMDB", &sumdb.gosumdb)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let said = common::stdout(&out) + &common::stderr(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("example.com/d@v1.0.0: verifying go.mod: checksum mismatch"),
        "{said}"
    );
    assert!(said.contains("SECURITY ERROR"), "{said}");
    assert!(!said.contains("example.com/b@v1.0.0"), "b verifies: {said}");

    let p = project.to_str().unwrap();
    let out = audit_env(
        &[p, "--proxy", &proxy, "--json"],
        tmp.path(),
        &[("GOSUMDB", &sumdb.gosumdb)],
    );
    let r = report(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a finding, not could-not-audit: {r:#}"
    );
    assert_eq!(r["errors"], serde_json::json!([]), "{r:#}");
    let m = findings(&r, "integrity.sumdb-mismatch");
    assert_eq!(m.len(), 1, "{r:#}");
    assert_eq!(m[0]["module"], "example.com/d");
    assert_eq!(m[0]["version"], "v1.0.0");
    assert_eq!(m[0]["severity"], "error");
    let served = modgate_core::dirhash::hash_gomod(
        &std::fs::read(fixture.root.join("example.com/d/@v/v1.0.0.mod")).unwrap(),
    );
    assert!(
        m[0]["evidence"].as_str().unwrap().contains(&served),
        "{r:#}"
    );
    // The rest of the audit ran: the whole build list, the other checks.
    assert_eq!(r["build_list"].as_array().unwrap().len(), 7, "{r:#}");
    assert_eq!(findings(&r, "deprecated").len(), 1, "{r:#}");
    assert!(findings(&r, "integrity.gosum-mismatch").is_empty(), "{r:#}");
    // With the database agreeing, no finding.
    drop(sumdb);
    let good = common::sumdb::Sumdb::start(&fixture.root, ("", ""));
    let out = audit_env(
        &[p, "--proxy", &proxy, "--json"],
        tmp.path(),
        &[("GOSUMDB", &good.gosumdb)],
    );
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert!(findings(&r, "integrity.sumdb-mismatch").is_empty(), "{r:#}");
}

/// Publishes `path@version` with `gomod` and the given files (name, source).
fn publish_files(f: &Fixture, path: &str, version: &str, gomod: &str, files: &[(&str, &str)]) {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("go.mod"), gomod).unwrap();
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
        gomod,
        "2026-02-01T00:00:00Z",
    );
}

/// The audit follows the packages of `all`: a vulnerable package imported only
/// by a dependency's package is `vuln.package` with its import chain; one of a
/// build-list module no package imports stays `vuln.module`; go.sum without the
/// zip line of a module only a dependency imports is `integrity.gosum-missing`
/// (go mod tidy adds exactly that line); a package graph that cannot be loaded
/// leaves a notice, not exit 2.
#[test]
fn audit_follows_the_package_graph() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("upstream"),
    };
    // dep imports vul/pkg; its go.mod also requires idle, whose packages nothing
    // imports.
    publish_files(
        &f,
        "example.com/dep",
        "v1.0.0",
        "module example.com/dep\n\ngo 1.21\n\nrequire (\n\texample.com/idle v1.0.0\n\texample.com/vul v1.0.0\n)\n",
        &[(
            "dep.go",
            "package dep\n\nimport _ \"example.com/vul/pkg\"\n",
        )],
    );
    publish_files(
        &f,
        "example.com/vul",
        "v1.0.0",
        "module example.com/vul\n\ngo 1.21\n",
        &[("vul.go", "package vul\n"), ("pkg/pkg.go", "package pkg\n")],
    );
    publish_files(
        &f,
        "example.com/idle",
        "v1.0.0",
        "module example.com/idle\n\ngo 1.21\n",
        &[("idle.go", "package idle\n")],
    );
    let project = tmp.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/app\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        project.join("main.go"),
        "package main\n\nimport _ \"example.com/dep\"\n\nfunc main() {}\n",
    )
    .unwrap();
    let home = tmp.path().join("go-home");
    let proxy = f.url();
    let Some(mut tidy) = go(&home, &proxy) else {
        return;
    };
    common::run_ok(tidy.args(["mod", "tidy"]).current_dir(&project));
    let db = tmp.path().join("db");
    write_db(
        &db,
        &tmp.path().join("vuln.zip"),
        &[
            entry(
                "GO-2026-0101",
                "example.com/vul",
                "1.0.1",
                &["example.com/vul/pkg"],
            ),
            entry(
                "GO-2026-0102",
                "example.com/idle",
                "1.0.1",
                &["example.com/idle"],
            ),
        ],
    );
    let p = project.to_str().unwrap();
    let args = [p, "--proxy", &proxy, "--db", db.to_str().unwrap(), "--json"];
    let pin = [("GOTOOLCHAIN", "go1.99.0")];
    let out = audit_env(&args, tmp.path(), &pin);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let code_of = |r: &Value, id: &str| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == id)
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(code_of(&r, "GO-2026-0101"), ["vuln.package"], "{r:#}");
    assert_eq!(code_of(&r, "GO-2026-0102"), ["vuln.module"], "{r:#}");
    let pkg = findings(&r, "vuln.package");
    assert!(
        pkg[0]["evidence"].as_str().unwrap().contains(
            "the project imports the affected example.com/vul/pkg (example.com/app imports example.com/dep imports example.com/vul/pkg)"
        ),
        "{r:#}"
    );
    assert!(findings(&r, "integrity.gosum-missing").is_empty(), "{r:#}");

    // go.sum without vul's zip line: go mod tidy puts back exactly that line, and
    // the audit names it.
    let sum = std::fs::read_to_string(project.join("go.sum")).unwrap();
    let line = sum
        .lines()
        .find(|l| l.starts_with("example.com/vul v1.0.0 h1:"))
        .unwrap()
        .to_owned();
    let without = sum.replace(&format!("{line}\n"), "");
    std::fs::write(project.join("go.sum"), &without).unwrap();
    let copy = tmp.path().join("app-go");
    common::copy_tree(&project, &copy);
    let mut tidy = go(&home, &proxy).unwrap();
    common::run_ok(tidy.args(["mod", "tidy"]).current_dir(&copy));
    let tidied = std::fs::read_to_string(copy.join("go.sum")).unwrap();
    let added: Vec<&str> = tidied
        .lines()
        .filter(|l| !without.lines().any(|w| w == *l))
        .collect();
    assert_eq!(added, [line.as_str()]);
    let out = audit_env(&args, tmp.path(), &pin);
    let r = report(&out);
    let missing = findings(&r, "integrity.gosum-missing");
    assert_eq!(missing.len(), 1, "{r:#}");
    assert_eq!(missing[0]["module"], "example.com/vul", "{r:#}");
    assert_eq!(missing[0]["version"], "v1.0.0", "{r:#}");
    assert_eq!(
        missing[0]["evidence"],
        "the build imports example.com/vul/pkg: example.com/app imports example.com/dep imports example.com/vul/pkg"
    );
    std::fs::write(project.join("go.sum"), &sum).unwrap();

    // An import no module provides: the package graph is not loaded; the audit
    // says so and runs on the module level (vul is then only vuln.module).
    std::fs::write(
        project.join("extra.go"),
        "package main\n\nimport _ \"example.com/nope\"\n",
    )
    .unwrap();
    let out = audit_env(&args, tmp.path(), &pin);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(code_of(&r, "GO-2026-0101"), ["vuln.module"], "{r:#}");
    assert!(
        r["notices"].as_array().unwrap().iter().any(|n| {
            let n = n.as_str().unwrap();
            n.contains("package graph could not be loaded")
                && n.contains("no required module provides package example.com/nope")
        }),
        "{r:#}"
    );
}

/// In a workspace the package graph starts from every module's packages: one
/// module imports the other through go.work alone (no notice: that import is
/// found), which imports a dependency whose package imports a vulnerable one; the
/// chain is the shortest from any main package.
#[test]
fn audit_follows_the_package_graph_across_a_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Fixture {
        root: tmp.path().join("upstream"),
    };
    publish_files(
        &f,
        "example.com/dep",
        "v1.0.0",
        "module example.com/dep\n\ngo 1.21\n\nrequire example.com/vul v1.0.0\n",
        &[(
            "dep.go",
            "package dep\n\nimport _ \"example.com/vul/pkg\"\n",
        )],
    );
    publish_files(
        &f,
        "example.com/vul",
        "v1.0.0",
        "module example.com/vul\n\ngo 1.21\n",
        &[("pkg/pkg.go", "package pkg\n")],
    );
    let ws = tmp.path().join("ws");
    for (dir, gomod, src) in [
        (
            "a",
            "module example.com/wa\n\ngo 1.21\n",
            "package main\n\nimport _ \"example.com/wb\"\n\nfunc main() {}\n",
        ),
        (
            "b",
            "module example.com/wb\n\ngo 1.21\n",
            "package wb\n\nimport _ \"example.com/dep\"\n",
        ),
    ] {
        std::fs::create_dir_all(ws.join(dir)).unwrap();
        std::fs::write(ws.join(dir).join("go.mod"), gomod).unwrap();
        std::fs::write(ws.join(dir).join(format!("{dir}.go")), src).unwrap();
    }
    std::fs::write(ws.join("go.work"), "go 1.21\n\nuse (\n\t./a\n\t./b\n)\n").unwrap();
    let home = tmp.path().join("go-home");
    let proxy = f.url();
    // b's requirements and go.sum as go writes them (b on its own).
    let Some(mut tidy) = go(&home, &proxy) else {
        return;
    };
    common::run_ok(
        tidy.args(["mod", "tidy"])
            .env("GOWORK", "off")
            .current_dir(ws.join("b")),
    );
    let db = tmp.path().join("db");
    write_db(
        &db,
        &tmp.path().join("vuln.zip"),
        &[entry(
            "GO-2026-0201",
            "example.com/vul",
            "1.0.1",
            &["example.com/vul/pkg"],
        )],
    );
    let work = ws.join("go.work");
    let out = audit_env(
        &[
            ws.join("a").to_str().unwrap(),
            "--proxy",
            &proxy,
            "--db",
            db.to_str().unwrap(),
            "--json",
        ],
        tmp.path(),
        &[
            ("GOTOOLCHAIN", "go1.99.0"),
            ("GOWORK", work.to_str().unwrap()),
        ],
    );
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let pkg = findings(&r, "vuln.package");
    assert_eq!(pkg.len(), 1, "{r:#}");
    assert!(
        pkg[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("(example.com/wb imports example.com/dep imports example.com/vul/pkg)"),
        "{r:#}"
    );
    assert!(
        !r["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("package graph")),
        "{r:#}"
    );
}
