//! The vulnerability-database mirror over HTTP: an upstream serving a database
//! written by the core's writer (vuln.go.dev layout), modgate serving `/vuln/…`,
//! and a client reading the mirror as govulncheck does (`.json.gz` only) with the
//! core's reader.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use modgate_core::vulndb::{
    self, Affected, Database, Entry, Event, Import, Package, Range, STDLIB,
};

fn entry(id: &str, modified: &str, module: &str, events: Vec<Event>, aliases: &[&str]) -> Entry {
    Entry {
        schema_version: "1.3.1".into(),
        id: id.into(),
        modified: modified.into(),
        published: Some("2024-01-01T00:00:00Z".into()),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        summary: format!("{id} summary"),
        details: "details".into(),
        affected: vec![Affected {
            package: Package {
                name: module.into(),
                ecosystem: vulndb::GO_ECOSYSTEM.into(),
            },
            ranges: vec![Range {
                kind: vulndb::RANGE_TYPE_SEMVER.into(),
                events,
            }],
            ecosystem_specific: vulndb::osv::EcosystemSpecific {
                imports: vec![Import {
                    path: format!("{module}/parse"),
                    ..Import::default()
                }],
            },
        }],
        ..Entry::default()
    }
}

fn entries() -> Vec<Entry> {
    use Event as E;
    vec![
        entry(
            "GO-2024-0001",
            "2024-01-10T00:00:00Z",
            "example.com/a",
            vec![E::introduced("0"), E::fixed("1.2.0")],
            &["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"],
        ),
        entry(
            "GO-2024-0002",
            "2024-02-10T00:00:00Z",
            "example.com/a",
            vec![E::introduced("2.0.0"), E::fixed("2.0.3")],
            &["CVE-2024-0002"],
        ),
        entry(
            "GO-2024-0003",
            "2024-03-10T00:00:00Z",
            STDLIB,
            vec![
                E::introduced("0"),
                E::fixed("1.21.8"),
                E::introduced("1.22.0-0"),
                E::fixed("1.22.1"),
            ],
            &["CVE-2024-0003"],
        ),
    ]
}

fn write_db(root: &Path, entries: &[Entry]) {
    for (path, data) in vulndb::layout(entries).unwrap() {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, data).unwrap();
    }
}

fn spec(vulndb: &str) -> ServerSpec {
    let mut s = ServerSpec::new("off");
    s.config.vulndb = vulndb.into();
    s
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

fn get(server: &Running, path: &str) -> Got {
    let r = http()
        .get(format!("{}/vuln/{path}", server.url()))
        .send()
        .unwrap();
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.bytes().unwrap().to_vec(),
    }
}

fn gunzip(path: &str, data: &[u8]) -> Vec<u8> {
    vulndb::gunzip(path, data, vulndb::MAX_DECODED).unwrap()
}

/// A govulncheck-like reader of the mirror: index/db.json.gz, index/modules.json.gz,
/// then the entries of the modules asked about, all `.json.gz`.
fn read_mirror(server: &Running, modules: &[&str]) -> Database {
    let fetch = |path: &str| {
        let got = get(server, path);
        assert_eq!(
            got.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&got.body)
        );
        gunzip(path, &got.body)
    };
    let meta = vulndb::parse_db("index/db.json", &fetch("index/db.json.gz")).unwrap();
    let index =
        vulndb::parse_modules("index/modules.json", &fetch("index/modules.json.gz")).unwrap();
    let mut db = Database::from_index(meta, index);
    for id in db.missing(modules.iter().copied()) {
        let path = format!("ID/{id}.json.gz");
        let e = vulndb::parse_entry(&path, Some(&id), &fetch(&path)).unwrap();
        db.insert(e);
    }
    db
}

#[test]
fn the_mirror_serves_the_database_and_a_reader_finds_the_vulnerabilities() {
    let tree = tempfile::tempdir().unwrap();
    write_db(tree.path(), &entries());
    let upstream = FakeUpstream::start(tree.path());
    let server = start(spec(&upstream.url()));

    // govulncheck's probe, then its reads: .json.gz, served as gzip data.
    let head = http()
        .head(format!("{}/vuln/index/modules.json.gz", server.url()))
        .send()
        .unwrap();
    assert_eq!(head.status(), 200);
    let upstream_gz = std::fs::read(tree.path().join("index/modules.json.gz")).unwrap();
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        upstream_gz.len().to_string()
    );
    let got = get(&server, "index/modules.json.gz");
    assert_eq!(got.status, 200);
    assert_eq!(got.headers["content-type"], "application/gzip");
    assert!(got.headers.get("content-encoding").is_none());
    let plain = std::fs::read(tree.path().join("index/modules.json")).unwrap();
    assert_eq!(gunzip("modules", &got.body), plain);
    // The .json form holds the same bytes; db.json says what upstream says.
    let got = get(&server, "index/modules.json");
    assert_eq!((got.status, got.body), (200, plain));
    let got = get(&server, "index/db.json");
    assert_eq!(got.headers["content-type"], "application/json");
    assert_eq!(
        vulndb::parse_db("db", &got.body).unwrap().modified,
        "2024-03-10T00:00:00Z"
    );
    assert_eq!(
        got.body,
        std::fs::read(tree.path().join("index/db.json")).unwrap()
    );
    // The indexes were fetched once, together.
    assert_eq!(upstream.hits("/index/modules.json.gz"), 1);
    assert_eq!(upstream.hits("/index/db.json.gz"), 1);

    let db = read_mirror(&server, &["example.com/a", STDLIB, "example.com/none"]);
    let found = db.vulnerabilities("example.com/a", "v1.1.0").unwrap();
    let summary: Vec<_> = found
        .iter()
        .map(|f| (f.id.as_str(), f.fixed.as_deref(), f.aliases.clone()))
        .collect();
    assert_eq!(
        summary,
        [(
            "GO-2024-0001",
            Some("v1.2.0"),
            vec!["CVE-2024-0001".to_owned(), "GHSA-aaaa-bbbb-cccc".to_owned()]
        )]
    );
    assert_eq!(found[0].imports[0].path, "example.com/a/parse");
    let found = db.vulnerabilities("example.com/a", "v2.0.1").unwrap();
    assert_eq!(found[0].id, "GO-2024-0002");
    assert_eq!(found[0].fixed.as_deref(), Some("v2.0.3"));
    assert!(
        db.vulnerabilities("example.com/a", "v1.2.0")
            .unwrap()
            .is_empty()
    );
    let found = db.vulnerabilities(STDLIB, "go1.22.0").unwrap();
    assert_eq!(found[0].id, "GO-2024-0003");
    assert_eq!(found[0].fixed.as_deref(), Some("go1.22.1"));

    // Not a database file, and an entry upstream does not have: 404.
    assert_eq!(get(&server, "vulndb.zip").status, 404);
    assert_eq!(get(&server, "ID/GO-2099-0001.json.gz").status, 404);
}

#[test]
fn stale_if_error_then_offline() {
    let tree = tempfile::tempdir().unwrap();
    write_db(tree.path(), &entries());
    let upstream = FakeUpstream::start(tree.path());
    let data = tempfile::tempdir().unwrap();
    let mut s = spec(&upstream.url());
    s.config.fresh_for = Duration::ZERO;
    s.config.stale_while_revalidate = Duration::ZERO;
    s.data = Some(data.path().to_path_buf());
    let server = start(s);
    let first = get(&server, "index/db.json.gz");
    assert_eq!(first.status, 200);
    let entry = get(&server, "ID/GO-2024-0001.json.gz");
    assert_eq!(entry.status, 200);
    // Past fresh_for every request asks upstream again.
    assert_eq!(get(&server, "index/db.json.gz").body, first.body);
    assert_eq!(upstream.hits("/index/db.json.gz"), 2);

    upstream.set(Mode::Status(500));
    let stale = get(&server, "index/db.json.gz");
    assert_eq!(stale.status, 200);
    assert_eq!(stale.headers["x-modgate-upstream"], "unavailable");
    assert_eq!(stale.body, first.body);
    // Never stored, upstream failing: a gateway error, not a 404.
    assert_eq!(get(&server, "ID/GO-2024-0002.json.gz").status, 502);
    drop(server);

    let mut s = spec(&upstream.url());
    s.config.offline = true;
    s.data = Some(data.path().to_path_buf());
    let offline = start(s);
    let hits = upstream.total_hits();
    assert_eq!(get(&offline, "index/db.json.gz").body, first.body);
    assert_eq!(get(&offline, "ID/GO-2024-0001.json.gz").body, entry.body);
    let miss = get(&offline, "ID/GO-2024-0002.json.gz");
    assert_eq!(miss.status, 404);
    assert_eq!(
        String::from_utf8_lossy(&miss.body),
        "not found: vuln/ID/GO-2024-0002.json.gz: not in the cache (offline)\n"
    );
    assert_eq!(upstream.total_hits(), hits, "offline never calls upstream");
}

#[test]
fn off_serves_no_database() {
    let server = start(spec("off"));
    let got = get(&server, "index/db.json.gz");
    assert_eq!(got.status, 404);
    assert!(String::from_utf8_lossy(&got.body).contains("vulndb = off"));
}
