//! `modgate serve --upstream direct`: the real `go` command downloading through
//! modgate, which fetches from git repositories the test creates, must get the same
//! version lists, query answers and `h1:` sums as `go` in its own direct mode on the
//! same repositories. The repositories are reached as `https://example.test/<name>`
//! through an `insteadOf` rule in a git configuration file given to both.

mod common;

use std::process::Command;

use common::*;

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn go_through_direct_upstream_matches_go_direct() {
    let lab = modgate_testkit::git::Lab::new();
    let gitconfig = lab.gitconfig();

    let mut lib = lab.repo("lib");
    lib.write("go.mod", "module example.test/lib.git\n\ngo 1.21\n")
        .write("LICENSE", "license\n")
        .write("lib.go", "package lib\n")
        .write("sub/go.mod", "module example.test/lib.git/sub\n")
        .write("sub/sub.go", "package sub\n");
    lib.commit("c");
    lib.tag("v1.0.0").tag("sub/v0.1.0");
    lib.write("v2/go.mod", "module example.test/lib.git/v2\n")
        .write("v2/lib.go", "package lib\n");
    lib.commit("c");
    lib.tag("v1.1.0").tag("v2.0.0");
    lib.write("more.go", "package lib\n");
    lib.commit("c");
    let mut old = lab.repo("old");
    old.write("old.go", "package old\n");
    old.commit("c");
    old.tag("v1.0.0");
    old.write("new.go", "package old\n");
    old.commit("c");
    old.tag("v2.0.0");

    let mut spec = ServerSpec::new("direct");
    spec.config.git_config = Some(gitconfig.clone());
    let server = start(spec);

    let home = tempfile::tempdir().unwrap();
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("go.mod"), "module work\n\ngo 1.21\n").unwrap();
    let go_with = |proxy: &str, name: &str| -> Option<Command> {
        let mut cmd = go(&home.path().join(name), proxy)?;
        cmd.current_dir(&work)
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GONOSUMDB", "example.test")
            .env("GOINSECURE", "example.test");
        Some(cmd)
    };
    let Some(_) = go_with("direct", "probe") else {
        return;
    };
    let (mut lists, mut downloads) = (0, 0);
    for module in [
        "example.test/lib.git",
        "example.test/lib.git/sub",
        "example.test/lib.git/v2",
        "example.test/old.git",
    ] {
        let list = |proxy: &str, name: &str| {
            let out = run_ok(go_with(proxy, name).unwrap().args([
                "list",
                "-m",
                "-versions",
                "-json",
                module,
            ]));
            json(&out)["Versions"].clone()
        };
        let via = list(&server.url(), "via");
        assert_eq!(via, list("direct", "direct"), "{module} versions");
        lists += 1;
        let mut versions: Vec<String> = via
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        versions.push("main".into());
        for v in versions {
            let dl = |proxy: &str, name: &str| {
                let out = run_ok(go_with(proxy, name).unwrap().args([
                    "mod",
                    "download",
                    "-json",
                    &format!("{module}@{v}"),
                ]));
                let j = json(&out);
                (
                    j["Version"].clone(),
                    j["Sum"].clone(),
                    j["GoModSum"].clone(),
                )
            };
            assert_eq!(
                dl(&server.url(), "via"),
                dl("direct", "direct"),
                "{module}@{v}"
            );
            downloads += 1;
        }
    }
    eprintln!(
        "through modgate vs go direct: {lists} version lists, {downloads} downloads: all equal"
    );
    assert_eq!((lists, downloads), (4, 10));
}

/// The `govcs` setting reaches direct mode: a rule refusing git for one repository
/// answers Go's GOVCS error, a VCS other than git is refused by name, and other
/// repositories are served.
#[test]
fn govcs_setting_reaches_direct_mode() {
    let lab = modgate_testkit::git::Lab::new();
    let gitconfig = lab.gitconfig();
    for name in ["open", "denied"] {
        let mut r = lab.repo(name);
        r.write("go.mod", &format!("module example.test/{name}.git\n"));
        r.commit("c");
        r.tag("v1.0.0");
    }
    let mut spec = ServerSpec::new("direct");
    spec.config.git_config = Some(gitconfig);
    spec.config
        .set("govcs", "example.test/denied.git:off")
        .unwrap();
    let server = start(spec);
    let get = |path: &str| {
        let r = http()
            .get(format!("{}/{path}", server.url()))
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(
        get("example.test/open.git/@v/list"),
        (200, "v1.0.0\n".to_owned())
    );
    let (status, body) = get("example.test/denied.git/@v/list");
    assert!(matches!(status, 404 | 410), "{status} {body}");
    assert!(
        body.contains(
            "GOVCS disallows using git for public example.test/denied.git; see 'go help vcs'"
        ),
        "{body}"
    );
    let (status, body) = get("example.test/x.hg/@v/list");
    assert!(matches!(status, 404 | 410), "{status} {body}");
    assert!(
        body.contains("direct mode supports only git: example.test/x.hg uses hg"),
        "{body}"
    );
}
