//! Go toolchain downloads through modgate: the real go command, told to use a
//! toolchain newer than itself (`GOTOOLCHAIN=go1.99.0`), downloads
//! `golang.org/toolchain@v0.0.1-go1.99.0.<os>-<arch>` through modgate, verifies it
//! against the signed test checksum database through modgate's `/sumdb/` proxy, unpacks
//! it and execs its `bin/go` (here a script printing a marker). modgate verifies the
//! zip against the database even when `nosumdb` matches it, as go does; once cached,
//! the switch works with modgate offline and nothing else reachable.

mod common;

use common::toolchain::{self, MODULE, NEWER};
use common::*;

const DB: &str = "sum.test.example";

/// The toolchain's module version and a fixture publishing it, or None without go.
fn published() -> Option<(String, Fixture)> {
    let version = toolchain::version(NEWER, &toolchain::platform()?);
    let src = tempfile::tempdir().unwrap();
    toolchain::tree(src.path());
    let mut fx = Fixture::new();
    fx.add_tree(MODULE, &version, src.path());
    Some((version, fx))
}

#[test]
fn go_switches_to_a_toolchain_through_modgate_and_again_offline() {
    let Some((version, fx)) = published() else {
        return;
    };
    let db = TestSumdb::start(DB, &fx);
    let (upstream, _thread) = serve_tree(fx.root());
    let upstream = format!("http://{upstream}");
    let data = tempfile::tempdir().unwrap();
    let mut spec = ServerSpec::new(&upstream);
    spec.config.sumdb = db.gosumdb();
    // Excluding golang.org from the database (as GONOSUMDB users do for golang.org/x)
    // must not exclude toolchains: go checks them whatever GONOSUMDB says.
    spec.config.nosumdb = Some("golang.org".into());
    spec.data = Some(data.path().to_path_buf());
    let server = start(spec);

    // GOSUMDB=off: go refuses any toolchain it cannot check (its rule, whatever the
    // proxy did); modgate served the zip, verified, all the same.
    let home = tempfile::tempdir().unwrap();
    let Some(mut cmd) = toolchain::switch(home.path(), &server.url(), "off", NEWER) else {
        return;
    };
    let out = run(&mut cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("checksum database disabled by GOSUMDB=off"),
        "{}",
        stderr(&out)
    );

    // With the database (through modgate's /sumdb/ proxy) and GONOSUMDB matching the
    // toolchain, go switches: it still looked the toolchain up.
    let home = tempfile::tempdir().unwrap();
    let mut cmd = toolchain::switch(home.path(), &server.url(), &db.vkey, NEWER).unwrap();
    let out = run(cmd.env("GONOSUMDB", "golang.org"));
    toolchain::assert_ran(&out, home.path(), NEWER, &version);
    let lookup = format!("/lookup/{MODULE}@{version}");
    assert_eq!(
        db.hits_with(&lookup),
        1,
        "one lookup, made by modgate's verifier and served to go from its cache"
    );
    for f in [
        format!("{MODULE}/@v/{version}.zip"),
        format!("sumdb/{DB}/lookup/{MODULE}@{version}"),
    ] {
        assert!(server.data.join(&f).is_file(), "{f} missing");
    }
    drop(server);

    // Offline on the same data directory, with the upstream and the database
    // unreachable: a fresh module cache switches from what modgate stored (the zip,
    // the lookup and the tiles go verifies it with).
    let before = db.hits_with("/");
    let nowhere = format!("http://{}", closed_port());
    let mut spec = ServerSpec::new(&nowhere);
    spec.config.offline = true;
    spec.config.sumdb = format!("{} {nowhere}", db.vkey);
    spec.data = Some(data.path().to_path_buf());
    let offline = start(spec);
    let home = tempfile::tempdir().unwrap();
    let mut cmd = toolchain::switch(home.path(), &offline.url(), &db.vkey, NEWER).unwrap();
    toolchain::assert_ran(&run(&mut cmd), home.path(), NEWER, &version);
    assert_eq!(db.hits_with("/"), before);
}

#[test]
fn a_toolchain_not_matching_the_database_is_refused_even_under_nosumdb() {
    let Some((version, fx)) = published() else {
        return;
    };
    let db = TestSumdb::start(DB, &fx);
    // The upstream now serves another toolchain under the same version.
    let (evil, evil_sum) = module_zip(MODULE, &version, &[("bin/go", "#!/bin/sh\necho pwned\n")]);
    let zip_path = fx.root().join(format!("{MODULE}/@v/{version}.zip"));
    std::fs::write(&zip_path, evil).unwrap();
    let good_sum = &fx.sums[0].2;
    let (upstream, _thread) = serve_tree(fx.root());
    let upstream = format!("http://{upstream}");
    let mut spec = ServerSpec::new(&upstream);
    spec.config.sumdb = db.gosumdb();
    spec.config.nosumdb = Some("*".into());
    let server = start(spec);

    let r = http()
        .get(format!("{}/{MODULE}/@v/{version}.zip", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(
        r.text().unwrap(),
        format!(
            "verifying {MODULE}@{version}: checksum mismatch\n\tdownloaded: {evil_sum}\n\t{DB}: {good_sum}\n"
        )
    );
    assert!(
        !server
            .data
            .join(format!("{MODULE}/@v/{version}.zip"))
            .exists()
    );
    // Under `nosumdb = "*"` every other lookup is refused; the toolchain's is served.
    let lookup = |path: &str| {
        http()
            .get(format!("{}/sumdb/{DB}/lookup/{path}", server.url()))
            .send()
            .unwrap()
    };
    assert_eq!(lookup("example.com/m@v1.0.0").status(), 403);
    let r = lookup(&format!("{MODULE}@{version}"));
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .unwrap()
            .contains(&format!("{MODULE} {version} {good_sum}\n"))
    );

    // The same under `private` patterns matching it: its lookup is still served.
    let mut spec = ServerSpec::new(&upstream);
    spec.config.sumdb = db.gosumdb();
    spec.config.private = "golang.org,example.com".into();
    let private = start(spec);
    let lookup = |path: &str| {
        http()
            .get(format!("{}/sumdb/{DB}/lookup/{path}", private.url()))
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(lookup("example.com/m@v1.0.0"), 403);
    assert_eq!(lookup(&format!("{MODULE}@{version}")), 200);
    drop(private);

    // go, told to skip the database for everything, still checks the toolchain and
    // never runs it (modgate refused it first).
    let home = tempfile::tempdir().unwrap();
    let Some(mut cmd) = toolchain::switch(home.path(), &server.url(), &db.vkey, NEWER) else {
        return;
    };
    let out = run(cmd.env("GONOSUMDB", "*"));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("pwned"));
}
