//! Verification for real: a signed test checksum database (the core's MemDb over
//! HTTP), modgate verifying every .mod and .zip against it, and the go command
//! verifying through modgate's /sumdb/ proxy.

mod common;

use common::*;

const DB: &str = "sum.test.example";

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
    f
}

fn spec(upstream: &str, db: &TestSumdb) -> ServerSpec {
    let mut s = ServerSpec::new(upstream);
    s.config.sumdb = db.gosumdb();
    s
}

#[test]
fn go_verifies_everything_through_modgate() {
    let fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    let server = start(spec(&fx.url(), &db));
    let home = tempfile::tempdir().unwrap();
    let app = home.path().join("app");
    project(
        &app,
        &[("example.com/Greet", "v1.1.0")],
        &["example.com/Greet"],
    );
    // GOSUMDB names the key only: go asks GOPROXY's /sumdb/<name>/supported and then
    // reads lookups and tiles through modgate.
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    run_ok(
        cmd.env("GOSUMDB", &db.vkey)
            .current_dir(&app)
            .args(["build", "-o", "app", "."]),
    );
    let gosum = std::fs::read_to_string(app.join("go.sum")).unwrap();
    for (path, version, zip, gomod) in &fx.sums {
        assert!(
            gosum.contains(&format!("{path} {version} {zip}\n")),
            "{gosum}"
        );
        assert!(
            gosum.contains(&format!("{path} {version}/go.mod {gomod}\n")),
            "{gosum}"
        );
    }
    // modgate verified what it stored, and cached the database's answers.
    for f in [
        "sumdb/sum.test.example/lookup/example.com/!greet@v1.1.0",
        "sumdb/sum.test.example/lookup/example.com/words@v1.0.0",
        "sumdb/sum.test.example/modgate-trusted-tree",
        "example.com/!greet/@v/v1.1.0.zip",
    ] {
        assert!(server.data.join(f).is_file(), "{f} missing");
    }
    let lookups = db.hits_with("/lookup/");
    assert_eq!(
        lookups, 2,
        "each lookup fetched once, shared by modgate and go"
    );

    // A second client is served the cached lookups and tiles without the database.
    let before = db.hits_with("/");
    let home2 = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home2.path(), &server.url()) else {
        return;
    };
    run_ok(
        cmd.env("GOSUMDB", &db.vkey)
            .current_dir(&app)
            .args(["mod", "download"]),
    );
    assert_eq!(db.hits_with("/lookup/"), 2);
    assert!(
        db.hits_with("/") - before <= 1,
        "only latest may be refreshed"
    );
}

#[test]
fn zip_not_matching_the_database_is_refused_counted_and_never_cached() {
    let fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    // The upstream now serves a different zip for words v1.0.0 than the database has.
    let (evil, evil_sum) = module_zip(
        "example.com/words",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/words\n\ngo 1.21\n"),
            (
                "words.go",
                "package words\n\nfunc Hello() string { return \"pwned\" }\n",
            ),
        ],
    );
    std::fs::write(fx.root().join("example.com/words/@v/v1.0.0.zip"), evil).unwrap();
    let server = start(spec(&fx.url(), &db));
    let good_sum = &fx
        .sums
        .iter()
        .find(|s| s.0 == "example.com/words")
        .unwrap()
        .2;

    let r = http()
        .get(format!("{}/example.com/words/@v/v1.0.0.zip", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 502);
    let text = r.text().unwrap();
    assert_eq!(
        text,
        format!(
            "verifying example.com/words@v1.0.0: checksum mismatch\n\tdownloaded: {evil_sum}\n\t{DB}: {good_sum}\n"
        )
    );
    assert!(!server.data.join("example.com/words/@v/v1.0.0.zip").exists());
    assert_eq!(
        std::fs::read_dir(server.data.join(".tmp")).unwrap().count(),
        0
    );
    let metrics = http()
        .get(format!("{}/metrics", server.url()))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("modgate_verification_failures_total{reason=\"checksum_mismatch\"} 1"),
        "{metrics}"
    );
    // The .mod is genuine and is served.
    let r = http()
        .get(format!("{}/example.com/words/@v/v1.0.0.mod", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // go sees the refusal too, with both hashes.
    let home = tempfile::tempdir().unwrap();
    let Some(mut cmd) = go(home.path(), &server.url()) else {
        return;
    };
    let out = run(cmd.env("GOSUMDB", &db.vkey).current_dir(home.path()).args([
        "mod",
        "download",
        "example.com/words@v1.0.0",
    ]));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(
        err.contains(&evil_sum) && err.contains(good_sum.as_str()),
        "{err}"
    );
}

#[test]
fn a_version_the_database_does_not_know_is_refused() {
    let mut fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    fx.add(
        "example.com/words",
        "v1.0.1",
        &[
            ("go.mod", "module example.com/words\n"),
            ("w.go", "package words\n"),
        ],
    );
    let server = start(spec(&fx.url(), &db));
    let r = http()
        .get(format!("{}/example.com/words/@v/v1.0.1.mod", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 502);
    let text = r.text().unwrap();
    assert!(
        text.starts_with(
            "verifying example.com/words@v1.0.1/go.mod: checksum database sum.test.example: "
        ),
        "{text}"
    );
    // The .info is not authenticated data and is served.
    let r = http()
        .get(format!("{}/example.com/words/@v/v1.0.1.info", server.url()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn private_paths_are_never_looked_up() {
    let mut fx = fixture();
    fx.add(
        "corp.example/secret",
        "v1.0.0",
        &[
            ("go.mod", "module corp.example/secret\n"),
            ("s.go", "package secret\n"),
        ],
    );
    let db = TestSumdb::start(DB, &fx);
    let mut s = spec(&fx.url(), &db);
    s.config.private = "corp.example".into();
    // Even an explicit --nosumdb that forgets the private paths cannot leak them.
    s.config.nosumdb = Some("other.example".into());
    s.config.tokens = vec![token("dev", "dev-token-0123456789", "corp.example")];
    let server = start(s);
    let c = http();
    let r = c
        .get(format!(
            "{}/corp.example/secret/@v/v1.0.0.zip",
            server.url()
        ))
        .bearer_auth("dev-token-0123456789")
        .send()
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "private modules are served unverified (nosumdb = private)"
    );
    let r = c
        .get(format!(
            "{}/sumdb/{DB}/lookup/corp.example/secret@v1.0.0",
            server.url()
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("corp.example/secret is private"));
    assert_eq!(db.hits_with("/lookup/corp.example"), 0);
    // Public lookups pass through; other databases are not proxied.
    let r = c
        .get(format!(
            "{}/sumdb/{DB}/lookup/example.com/words@v1.0.0",
            server.url()
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(
        c.get(format!("{}/sumdb/{DB}/supported", server.url()))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(format!("{}/sumdb/sum.golang.org/supported", server.url()))
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn a_forked_database_is_detected_even_after_a_restart() {
    let mut fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    let data = tempfile::tempdir().unwrap();
    let mut s = spec(&fx.url(), &db);
    s.data = Some(data.path().to_path_buf());
    let server = start(s);
    let get = |server: &Running, p: &str| {
        let r = http().get(format!("{}{p}", server.url())).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(get(&server, "/example.com/words/@v/v1.0.0.mod").0, 200);
    drop(server);

    // The database now serves a different history under the same key.
    fx.add(
        "example.com/late",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/late\n"),
            ("l.go", "package late\n"),
        ],
    );
    db.fork(
        &fx,
        (
            "example.com/evil",
            "v1.0.0",
            "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ),
    );
    let mut s = spec(&fx.url(), &db);
    s.data = Some(data.path().to_path_buf());
    let server = start(s);
    let (status, text) = get(&server, "/example.com/late/@v/v1.0.0.mod");
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("SECURITY ERROR"), "{text}");
    assert!(
        text.contains("go.sum database server misbehavior detected!"),
        "{text}"
    );
    assert!(!data.path().join("example.com/late/@v/v1.0.0.mod").exists());
    assert!(
        !data
            .path()
            .join("sumdb/sum.test.example/lookup/example.com/late@v1.0.0")
            .exists()
    );
}

/// modgate finds the database the way the go command does: each proxy upstream is
/// asked `/sumdb/<name>/supported` in turn; 404 moves on after `,`, any error moves
/// on after `|`, another error is the database being unavailable; `off` (or
/// `direct`, or the end of the list) means the database's own URL.
#[test]
fn the_database_is_reached_through_the_first_proxy_that_supports_it() {
    use common::Mode;
    let fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    // `front` proxies the database (it knows its URL); the others only know the key.
    let front = start(spec(&fx.url(), &db));
    let empty = tempfile::tempdir().unwrap();
    let missing = FakeUpstream::start(empty.path());
    let failing = FakeUpstream::start(empty.path());
    failing.set(Mode::Status(500));
    let supported = format!("/sumdb/{DB}/supported");
    let lookup = format!("/sumdb/{DB}/lookup/example.com/words@v1.0.0");
    let through = |upstream: String, sumdb: String| {
        let mut s = ServerSpec::new(&upstream);
        s.config.sumdb = sumdb;
        let server = start(s);
        let r = http()
            .get(format!("{}{lookup}", server.url()))
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let front_lookups = || front.data.join(lookup.trim_start_matches('/')).is_file();

    // 404 after `,`: next proxy.
    let (status, body) = through(
        format!("{},{}", missing.url(), front.url()),
        db.vkey.clone(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("example.com/words v1.0.0 h1:"), "{body}");
    assert_eq!(missing.hits(&supported), 1);
    assert!(
        front_lookups(),
        "the lookup went through the supporting proxy"
    );

    // 500 after `,`: unavailable, the next proxy is not asked.
    let before = db.hits_with("/");
    let (status, body) = through(
        format!("{},{}", failing.url(), front.url()),
        db.vkey.clone(),
    );
    assert_eq!(status, 502, "{body}");
    // (A 500 is retried, as every upstream request is.)
    let probes = failing.hits(&supported);
    assert!(probes >= 1);
    assert_eq!(db.hits_with("/"), before, "nothing reached the database");

    // 500 after `|`: next proxy.
    let (status, body) = through(
        format!("{}|{}", failing.url(), front.url()),
        db.vkey.clone(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(failing.hits(&supported) > probes);

    // `off` ends the search: the database's own URL, never the proxy after it.
    std::fs::remove_file(front.data.join(lookup.trim_start_matches('/'))).unwrap();
    let before = db.hits_with("/lookup/");
    let (status, body) = through(
        format!("{},off,{}", missing.url(), front.url()),
        db.gosumdb(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(missing.hits(&supported), 2);
    assert!(!front_lookups(), "the proxy after off was asked");
    assert_eq!(db.hits_with("/lookup/"), before + 1);
}

/// Replicas coordinated through Redis share the trusted tree, and read it before
/// each verification: a fork that only another replica's history rules out is
/// refused (B trusts the tree of 2 records; A then verified 3; the database forks
/// at the third record, consistent with B's 2 but not with A's 3).
#[test]
fn a_fork_one_replica_saw_is_refused_by_all() {
    use modgate_core::sumdb::memdb::MemDb;
    let Some(redis) = modgate_testkit::redis::Redis::start() else {
        return;
    };
    let mut fx = fixture();
    let db = TestSumdb::start(DB, &fx);
    let upstream = fx.url();
    let replica = || {
        let mut s = spec(&upstream, &db);
        s.config.coordination = redis.url();
        start(s)
    };
    let get = |server: &Running, p: &str| {
        let r = http().get(format!("{}{p}", server.url())).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (a, b) = (replica(), replica());
    assert_eq!(get(&b, "/example.com/words/@v/v1.0.0.mod").0, 200);

    let publish = |fx: &mut Fixture, path: &str| {
        fx.add(
            path,
            "v1.0.0",
            &[
                ("go.mod", &format!("module {path}\n")),
                ("x.go", "package x\n"),
            ],
        );
        fx.sums.last().unwrap().clone()
    };
    let late = publish(&mut fx, "example.com/late");
    db.db
        .lock()
        .unwrap()
        .add_module(&late.0, &late.1, &late.2, &late.3)
        .unwrap();
    assert_eq!(get(&a, "/example.com/late/@v/v1.0.0.mod").0, 200);

    // The same first two records, then another history.
    let later = publish(&mut fx, "example.com/later");
    let (skey, _) = modgate_core::sumdb::note::generate_key(DB, &[7u8; 32]);
    let mut forked = MemDb::from_signer_key(&skey).unwrap();
    for (path, version, zip, gomod) in &fx.sums[..2] {
        forked.add_module(path, version, zip, gomod).unwrap();
    }
    let evil = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    forked
        .add_module("example.com/evil", "v1.0.0", evil, evil)
        .unwrap();
    forked
        .add_module(&later.0, &later.1, &later.2, &later.3)
        .unwrap();
    *db.db.lock().unwrap() = forked;

    let (status, text) = get(&b, "/example.com/later/@v/v1.0.0.mod");
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("SECURITY ERROR"), "{text}");
    assert!(!b.data.join("example.com/later/@v/v1.0.0.mod").exists());
}
