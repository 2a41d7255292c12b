//! The mirror against a `file://` database tree written by the core's writer.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use modgate_core::vulndb::{self, Affected, Entry, Event, Package, Range};
use modgate_storage::FsStorage;
use modgate_upstream::{BreakerSettings, Client, ClientConfig, UpstreamList};

use super::*;

fn entry(id: &str, modified: &str, module: &str, fixed: &str) -> Entry {
    Entry {
        id: id.into(),
        modified: modified.into(),
        summary: format!("{id} summary"),
        details: "details".into(),
        aliases: vec![format!("CVE-{id}")],
        affected: vec![Affected {
            package: Package {
                name: module.into(),
                ecosystem: vulndb::GO_ECOSYSTEM.into(),
            },
            ranges: vec![Range {
                kind: vulndb::RANGE_TYPE_SEMVER.into(),
                events: vec![Event::introduced("0"), Event::fixed(fixed)],
            }],
            ..Affected::default()
        }],
        ..Entry::default()
    }
}

/// Writes the database of `entries` under `root`; `plain_only` leaves out the
/// `.json.gz` files (a tree of plain files, as a local database may be).
fn write_db(root: &Path, entries: &[Entry], plain_only: bool) {
    let _ = std::fs::remove_dir_all(root);
    for (path, data) in vulndb::layout(entries).unwrap() {
        if plain_only && path.ends_with(".gz") {
            continue;
        }
        let file = root.join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, data).unwrap();
    }
}

struct Lab {
    dir: tempfile::TempDir,
    storage: Arc<dyn Storage>,
}

impl Lab {
    fn new() -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> = Arc::new(FsStorage::open(dir.path().join("data")).unwrap());
        Lab { dir, storage }
    }

    fn upstream(&self) -> std::path::PathBuf {
        self.dir.path().join("vulndb")
    }

    fn files(&self, offline: bool, fresh_for: Duration) -> Arc<VulnFiles> {
        let cfg = ClientConfig {
            proxy_env: Some(Default::default()),
            retries: 0,
            resolver: Some(Arc::new(modgate_vcs::Table::default())),
            ..ClientConfig::default()
        };
        let client = Client::new(cfg, self.dir.path().join("spool")).unwrap();
        let list = UpstreamList::parse(
            &format!("file://{}", self.upstream().display()),
            BreakerSettings {
                threshold: 100,
                cooldown: Duration::from_secs(1),
            },
        )
        .unwrap();
        Arc::new(VulnFiles::new(
            self.storage.clone(),
            client,
            list,
            offline,
            fresh_for,
            Duration::ZERO,
        ))
    }

    async fn stored(&self, path: &str) -> Option<Vec<u8>> {
        let key = keys::vuln_file(path).unwrap();
        let obj = self.storage.get(&key).await.unwrap()?;
        Some(obj.into_bytes(&key).await.unwrap().to_vec())
    }
}

async fn get(files: &Arc<VulnFiles>, path: &str) -> Result<(Vec<u8>, Origin), CacheError> {
    let req = parse_request(path).unwrap();
    let (key, obj, origin) = files.get(&req).await?;
    Ok((obj.into_bytes(&key).await.unwrap().to_vec(), origin))
}

fn db_entries() -> Vec<Entry> {
    vec![
        entry(
            "GO-2024-0001",
            "2024-01-01T00:00:00Z",
            "example.com/a",
            "1.2.0",
        ),
        entry(
            "GO-2024-0002",
            "2024-02-01T00:00:00Z",
            "example.com/b",
            "0.3.0",
        ),
    ]
}

#[test]
fn requests_name_database_files_only() {
    let r = parse_request("index/modules.json.gz").unwrap();
    assert_eq!((r.stem.as_str(), r.gzip), ("index/modules", true));
    let r = parse_request("ID/GO-2024-0001.json").unwrap();
    assert_eq!((r.stem.as_str(), r.gzip), ("ID/GO-2024-0001", false));
    assert_eq!(r.path(), "ID/GO-2024-0001.json");
    for bad in [
        "index/other.json",
        "ID/../x.json",
        "ID/.json",
        "ID/a/b.json",
        "vulndb.zip",
        "index/db",
        "",
    ] {
        let err = parse_request(bad).unwrap_err();
        assert!(matches!(err, RequestError::NotFound(_)), "{bad}: {err}");
    }
}

#[tokio::test]
async fn gz_and_plain_are_stored_from_one_fetch_and_agree() {
    let lab = Lab::new();
    write_db(&lab.upstream(), &db_entries(), false);
    let files = lab.files(false, Duration::from_secs(60));
    let (gz, origin) = get(&files, "index/modules.json.gz").await.unwrap();
    assert_eq!(origin, Origin::Miss);
    // One refresh stored every index in both forms.
    for stem in ["index/db", "index/modules", "index/vulns"] {
        let plain = lab.stored(&format!("{stem}.json")).await.expect(stem);
        let gz = lab.stored(&format!("{stem}.json.gz")).await.expect(stem);
        assert_eq!(
            vulndb::gunzip(stem, &gz, vulndb::MAX_DECODED).unwrap(),
            plain
        );
        // What upstream holds, byte for byte.
        assert_eq!(
            plain,
            std::fs::read(lab.upstream().join(format!("{stem}.json"))).unwrap()
        );
    }
    let plain = vulndb::gunzip("m", &gz, vulndb::MAX_DECODED).unwrap();
    let modules = vulndb::parse_modules("m", &plain).unwrap();
    assert_eq!(modules.len(), 2);
    // Now fresh: a hit.
    let (db, origin) = get(&files, "index/db.json").await.unwrap();
    assert_eq!(origin, Origin::Hit);
    assert_eq!(
        vulndb::parse_db("db", &db).unwrap().modified,
        "2024-02-01T00:00:00Z"
    );
    let (e, origin) = get(&files, "ID/GO-2024-0001.json.gz").await.unwrap();
    assert_eq!(origin, Origin::Miss);
    let e = vulndb::gunzip("e", &e, vulndb::MAX_DECODED).unwrap();
    assert_eq!(
        vulndb::parse_entry("e", Some("GO-2024-0001"), &e).unwrap(),
        db_entries()[0]
    );
    let err = get(&files, "ID/GO-2024-9999.json.gz").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn a_tree_of_plain_files_is_gzipped_here() {
    let lab = Lab::new();
    write_db(&lab.upstream(), &db_entries(), true);
    let files = lab.files(false, Duration::from_secs(60));
    let (gz, _) = get(&files, "ID/GO-2024-0002.json.gz").await.unwrap();
    let plain = std::fs::read(lab.upstream().join("ID/GO-2024-0002.json")).unwrap();
    assert_eq!(
        vulndb::gunzip("e", &gz, vulndb::MAX_DECODED).unwrap(),
        plain
    );
    assert_eq!(get(&files, "ID/GO-2024-0002.json").await.unwrap().0, plain);
}

#[tokio::test]
async fn refreshed_after_fresh_for_and_stale_if_error() {
    let lab = Lab::new();
    write_db(&lab.upstream(), &db_entries(), false);
    let files = lab.files(false, Duration::ZERO);
    let (old, _) = get(&files, "index/db.json").await.unwrap();
    // Upstream gains an entry: the next request (past fresh_for) sees it.
    let mut more = db_entries();
    more.push(entry(
        "GO-2024-0003",
        "2024-03-01T00:00:00Z",
        "example.com/c",
        "2.0.0",
    ));
    write_db(&lab.upstream(), &more, false);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (new, origin) = get(&files, "index/db.json").await.unwrap();
    assert_eq!(origin, Origin::Miss);
    assert_ne!(old, new);
    assert_eq!(
        vulndb::parse_db("db", &new).unwrap().modified,
        "2024-03-01T00:00:00Z"
    );
    let (modules, _) = get(&files, "index/modules.json").await.unwrap();
    assert_eq!(vulndb::parse_modules("m", &modules).unwrap().len(), 3);
    // The upstream goes away (an unmounted tree): the stored copy is served.
    std::fs::remove_dir_all(lab.upstream()).unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (stale, origin) = get(&files, "index/db.json").await.unwrap();
    assert_eq!(origin, Origin::Unavailable);
    assert_eq!(stale, new);
    // Nothing stored and no upstream: an error that says so, not a 404.
    let err = get(&files, "ID/GO-2024-0003.json.gz").await.unwrap_err();
    assert!(err.is_unavailable(), "{err}");
}

#[tokio::test]
async fn offline_serves_what_is_stored() {
    let lab = Lab::new();
    write_db(&lab.upstream(), &db_entries(), false);
    let (stored, _) = get(&lab.files(false, Duration::ZERO), "index/modules.json.gz")
        .await
        .unwrap();
    std::fs::remove_dir_all(lab.upstream()).unwrap();
    let offline = lab.files(true, Duration::ZERO);
    let (bytes, origin) = get(&offline, "index/modules.json.gz").await.unwrap();
    assert_eq!((bytes, origin), (stored, Origin::Hit));
    let err = get(&offline, "ID/GO-2024-0001.json.gz").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "not found: vuln/ID/GO-2024-0001.json.gz: not in the cache (offline)"
    );
}

#[tokio::test]
async fn a_broken_upstream_file_is_refused_and_not_stored() {
    let lab = Lab::new();
    write_db(&lab.upstream(), &db_entries(), false);
    // An entry file holding another entry.
    std::fs::copy(
        lab.upstream().join("ID/GO-2024-0002.json.gz"),
        lab.upstream().join("ID/GO-2024-0001.json.gz"),
    )
    .unwrap();
    let files = lab.files(false, Duration::from_secs(60));
    let err = get(&files, "ID/GO-2024-0001.json").await.unwrap_err();
    assert!(matches!(err, CacheError::Refused { .. }), "{err}");
    assert!(
        err.to_string().contains("entries must be named <ID>.json"),
        "{err}"
    );
    assert!(lab.stored("ID/GO-2024-0001.json").await.is_none());
    // Not gzip at all.
    std::fs::write(lab.upstream().join("ID/GO-2024-0002.json.gz"), b"{}").unwrap();
    let err = get(&files, "ID/GO-2024-0002.json.gz").await.unwrap_err();
    assert!(err.to_string().contains("gzip"), "{err}");
    assert!(lab.stored("ID/GO-2024-0002.json.gz").await.is_none());
}
