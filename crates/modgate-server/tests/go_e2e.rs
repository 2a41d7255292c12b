//! The real `go` command downloading and building through `modgate serve`, with a
//! fixture `file://` tree as the upstream.

mod common;

use std::time::Duration;

use common::*;

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    f.add(
        "example.com/words",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/words\n\ngo 1.21\n"),
            (
                "words.go",
                "package words\n\nfunc Hello() string { return \"hello\" }\n",
            ),
        ],
    );
    f.add(
        "example.com/Greet",
        "v1.1.0",
        &[
            ("go.mod", "module example.com/Greet\n\ngo 1.21\n\nrequire example.com/words v1.0.0\n"),
            (
                "greet.go",
                "package greet\n\nimport \"example.com/words\"\n\nfunc Hello() string { return words.Hello() + \", world\" }\n",
            ),
        ],
    );
    f.add(
        "example.com/Greet",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/Greet\n\ngo 1.21\n"),
            (
                "greet.go",
                "package greet\n\nfunc Hello() string { return \"old\" }\n",
            ),
        ],
    );
    f
}

#[test]
fn go_build_through_modgate_then_from_cache_when_upstream_is_gone() {
    let fx = fixture();
    let server = start(ServerSpec::new(&fx.url()));
    let home = tempfile::tempdir().unwrap();
    let app = home.path().join("app");
    project(
        &app,
        &[("example.com/Greet", "v1.1.0")],
        &["example.com/Greet"],
    );
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(cmd.current_dir(&app).args(["build", "-o", "app", "."]));
    let out = run_ok(&mut std::process::Command::new(app.join("app")));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello, world\n");

    // The data directory is laid out like the module cache download directory.
    for f in [
        "example.com/!greet/@v/v1.1.0.info",
        "example.com/!greet/@v/v1.1.0.mod",
        "example.com/!greet/@v/v1.1.0.zip",
        "example.com/words/@v/v1.0.0.mod",
        "example.com/words/@v/v1.0.0.zip",
    ] {
        assert!(server.data.join(f).is_file(), "{f} not stored");
    }
    // Only what was asked for: v1.0.0 of Greet was never requested.
    assert!(
        !server
            .data
            .join("example.com/!greet/@v/v1.0.0.zip")
            .exists()
    );

    // Upstream gone: a fresh client still downloads everything from the cache.
    drop(fx);
    let home2 = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home2.path(), &server.url()) else {
        return;
    };
    run_ok(
        cmd.current_dir(&app)
            .args(["mod", "download", "-json", "example.com/Greet@v1.1.0"]),
    );
    let Some(mut cmd) = go(home2.path(), &server.url()) else {
        return;
    };
    run_ok(cmd.current_dir(&app).args(["build", "-o", "app2", "."]));

    // And the data directory is itself a valid file:// GOPROXY.
    let home3 = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home3.path(), &url_of(&server.data)) else {
        return;
    };
    run_ok(cmd.current_dir(&app).args(["build", "-o", "app3", "."]));
}

#[test]
fn offline_mode_resolves_latest_and_lists_from_storage() {
    let fx = fixture();
    let data = tempfile::tempdir().unwrap();
    {
        let mut spec = ServerSpec::new(&fx.url());
        spec.data = Some(data.path().to_path_buf());
        let server = start(spec);
        let home = tempfile::tempdir().unwrap();
        let Some(mut cmd) = go(home.path(), &server.url()) else {
            return;
        };
        run_ok(cmd.current_dir(home.path()).args([
            "mod",
            "download",
            "example.com/Greet@v1.0.0",
            "example.com/Greet@v1.1.0",
            "example.com/words@v1.0.0",
        ]));
    }
    drop(fx);
    let mut spec = ServerSpec::new("off");
    spec.data = Some(data.path().to_path_buf());
    spec.config.offline = true;
    let server = start(spec);
    let c = http();
    let list = c
        .get(format!("{}/example.com/!greet/@v/list", server.url()))
        .send()
        .unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(list.text().unwrap(), "v1.0.0\nv1.1.0\n");
    let latest = c
        .get(format!("{}/example.com/!greet/@latest", server.url()))
        .send()
        .unwrap();
    assert_eq!(latest.status(), 200);
    assert!(latest.text().unwrap().contains("\"Version\":\"v1.1.0\""));
    let missing = c
        .get(format!("{}/example.com/nothing/@latest", server.url()))
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);

    // go resolves @latest through the offline server.
    let home = tempfile::tempdir().unwrap();
    let app = home.path().join("app");
    project(&app, &[], &["example.com/Greet"]);
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(
        cmd.current_dir(&app)
            .args(["get", "example.com/Greet@latest"]),
    );
    let gomod = std::fs::read_to_string(app.join("go.mod")).unwrap();
    assert!(gomod.contains("example.com/Greet v1.1.0"), "{gomod}");
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    let out = run_ok(
        cmd.current_dir(&app)
            .args(["list", "-m", "-versions", "example.com/Greet"]),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "example.com/Greet v1.0.0 v1.1.0"
    );
    let _ = Duration::ZERO;
}

#[test]
fn a_copied_module_cache_seeds_an_offline_server() {
    let fx = fixture();
    // A developer's module cache, filled straight from the fixture tree.
    let dev = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(dev.path(), &fx.url()) else {
        return;
    };
    run_ok(cmd.current_dir(dev.path()).args([
        "mod",
        "download",
        "example.com/Greet@v1.1.0",
        "example.com/words@v1.0.0",
    ]));
    drop(fx);
    let data = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-R")
        .arg(dev.path().join("gomodcache/cache/download/."))
        .arg(data.path())
        .status()
        .unwrap();
    assert!(status.success());
    let status = std::process::Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(data.path())
        .status()
        .unwrap();
    assert!(status.success());

    let mut spec = ServerSpec::new("off");
    spec.data = Some(data.path().to_path_buf());
    spec.config.offline = true;
    let server = start(spec);
    let home = tempfile::tempdir().unwrap();
    let app = home.path().join("app");
    project(&app, &[], &["example.com/Greet"]);
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(
        cmd.current_dir(&app)
            .args(["get", "example.com/Greet@latest"]),
    );
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(cmd.current_dir(&app).args(["mod", "download", "all"]));
    let gomod = std::fs::read_to_string(app.join("go.mod")).unwrap();
    assert!(gomod.contains("example.com/Greet v1.1.0"), "{gomod}");
}

/// An upstream outage does not break `go get` for modules modgate holds: lists and
/// `@latest` are answered from the stored versions (marked as such), while an
/// authoritative not-found stays one.
#[test]
fn go_get_during_an_upstream_outage_resolves_from_storage() {
    let fx = fixture();
    let up = FakeUpstream::start(fx.root());
    let mut spec = ServerSpec::new(&up.url());
    // Every list is asked of the upstream again: nothing fresh to fall back on.
    spec.config.fresh_for = Duration::ZERO;
    spec.config.stale_while_revalidate = Duration::ZERO;
    spec.config.negative_ttl = Duration::ZERO;
    spec.config.timeout = Duration::from_secs(1);
    // Each failure reaches the upstream (an open breaker is an outage of its own).
    spec.config.breaker_threshold = 1000;
    let server = start(spec);
    let home = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(cmd.current_dir(home.path()).args([
        "mod",
        "download",
        "example.com/Greet@v1.0.0",
        "example.com/Greet@v1.1.0",
        "example.com/words@v1.0.0",
    ]));

    for outage in [Mode::Status(503), Mode::Hang] {
        up.set(outage.clone());
        let home = tempfile::tempdir().unwrap();
        let app = home.path().join("app");
        project(
            &app,
            &[("example.com/Greet", "v1.0.0")],
            &["example.com/Greet"],
        );
        let gocmd = || {
            let mut c = go(home.path(), &server.url()).unwrap();
            c.current_dir(&app);
            c
        };
        let out = run_ok(gocmd().args(["list", "-m", "-versions", "example.com/Greet"]));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "example.com/Greet v1.0.0 v1.1.0",
            "{outage:?}"
        );
        run_ok(gocmd().args(["get", "-u", "example.com/Greet"]));
        let gomod = std::fs::read_to_string(app.join("go.mod")).unwrap();
        assert!(
            gomod.contains("example.com/Greet v1.1.0"),
            "{outage:?}: {gomod}"
        );
        assert!(
            gomod.contains("example.com/words v1.0.0"),
            "{outage:?}: {gomod}"
        );
        run_ok(gocmd().args(["get", "example.com/words@latest"]));
        run_ok(gocmd().args(["build", "-o", "app", "."]));

        let r = http()
            .get(format!("{}/example.com/!greet/@v/list", server.url()))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()
                .get("x-modgate-upstream")
                .and_then(|v| v.to_str().ok()),
            Some("unavailable"),
            "{outage:?}"
        );
    }

    // An authoritative "gone" is not an outage.
    up.set(Mode::Status(410));
    let r = http()
        .get(format!("{}/example.com/!greet/@v/list", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
}
