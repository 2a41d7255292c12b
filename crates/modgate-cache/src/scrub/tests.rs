//! The scrub over two directory stores holding real module zips (the core's zip
//! writer) with their recorded hashes.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use modgate_storage::{FsStorage, Key, Storage};

use super::*;

const ZIP: &str = "ex.com/m/@v/v1.0.0.zip";
const MOD: &str = "ex.com/m/@v/v1.0.0.mod";
const GOMOD: &[u8] = b"module ex.com/m\n";

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

/// A module zip made by the core, larger than what is read into memory, and its h1.
fn module_zip() -> (Bytes, String) {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("go.mod"), GOMOD).unwrap();
    let mut x = 7u64;
    let text: String = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    std::fs::write(src.path().join("data.txt"), text).unwrap();
    let m = modgate_core::module::Version {
        path: "ex.com/m".into(),
        version: "v1.0.0".into(),
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let sum = modgate_core::zip::create_from_dir(&mut out, &m, src.path())
        .unwrap()
        .sum;
    (Bytes::from(out.into_inner()), sum)
}

struct Lab {
    _dir: tempfile::TempDir,
    p: Arc<FsStorage>,
    b: Arc<FsStorage>,
    zip: Bytes,
    stores: Stores,
}

/// Both stores hold the zip and the .mod, each with its recorded hash, as the
/// fill stores them.
async fn lab() -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let p = Arc::new(FsStorage::open(dir.path().join("p")).unwrap());
    let b = Arc::new(FsStorage::open(dir.path().join("b")).unwrap());
    let (zip, sum) = module_zip();
    for s in [&p, &b] {
        s.put_bytes(&key(ZIP), zip.clone()).await.unwrap();
        s.put_bytes(&key("ex.com/m/@v/v1.0.0.ziphash"), Bytes::from(sum.clone()))
            .await
            .unwrap();
        s.put_bytes(&key(MOD), Bytes::from_static(GOMOD))
            .await
            .unwrap();
        s.put_bytes(
            &key("ex.com/m/@v/v1.0.0.modhash"),
            Bytes::from(modgate_core::dirhash::hash_gomod(GOMOD)),
        )
        .await
        .unwrap();
        // Not scrubbed: no recorded hash belongs to it.
        s.put_bytes(&key("ex.com/m/@v/list"), Bytes::from_static(b"v1.0.0\n"))
            .await
            .unwrap();
    }
    let stores = Stores {
        primary: p.clone(),
        backup: Some(b.clone()),
    };
    Lab {
        _dir: dir,
        p,
        b,
        zip,
        stores,
    }
}

/// Flips one byte in the middle of a stored file, as bit rot would.
fn corrupt(root: &Path, k: &str) {
    let path = root.join(k);
    let mut data = std::fs::read(&path).unwrap();
    let i = data.len() / 2;
    data[i] ^= 0x20;
    std::fs::write(&path, data).unwrap();
}

async fn run(lab: &Lab, repair: bool) -> Report {
    let opts = Options {
        repair,
        rate: None,
        spool: Some(lab.p.spool_dir().to_owned()),
    };
    scrub(&lab.stores, &opts, &|_| {}).await.unwrap()
}

fn codes(r: &Report) -> Vec<(&'static str, String, Option<&'static str>, bool)> {
    r.findings
        .iter()
        .map(|f| (f.code, f.key.clone(), f.store, f.repaired))
        .collect()
}

#[tokio::test]
async fn clean_stores_report_nothing() {
    let lab = lab().await;
    let r = run(&lab, false).await;
    assert_eq!(codes(&r), []);
    assert_eq!((r.files, r.copies, r.unrecorded), (2, 4, 0));
    assert!(r.bytes > 2 * lab.zip.len() as u64);
}

#[tokio::test]
async fn a_corrupt_primary_zip_is_found_and_repaired_from_the_backup() {
    let lab = lab().await;
    corrupt(lab.p.root(), ZIP);
    let r = run(&lab, false).await;
    assert_eq!(
        codes(&r),
        [("corrupt_copy", ZIP.to_owned(), Some("primary"), false)]
    );
    assert_eq!(r.unresolved(), 1);
    let r = run(&lab, true).await;
    assert_eq!(
        codes(&r),
        [("corrupt_copy", ZIP.to_owned(), Some("primary"), true)]
    );
    assert_eq!(r.unresolved(), 0);
    assert_eq!(std::fs::read(lab.p.root().join(ZIP)).unwrap(), lab.zip);
    assert_eq!(codes(&run(&lab, false).await), []);
}

#[tokio::test]
async fn missing_copies_and_records_are_restored() {
    let lab = lab().await;
    lab.b.delete(&key(MOD)).await.unwrap();
    lab.p
        .delete(&key("ex.com/m/@v/v1.0.0.ziphash"))
        .await
        .unwrap();
    let r = run(&lab, true).await;
    assert_eq!(
        codes(&r),
        [
            ("missing_copy", MOD.to_owned(), Some("backup"), true),
            (
                "missing_copy",
                "ex.com/m/@v/v1.0.0.ziphash".to_owned(),
                Some("primary"),
                true
            ),
        ]
    );
    assert_eq!(std::fs::read(lab.b.root().join(MOD)).unwrap(), GOMOD);
    assert_eq!(codes(&run(&lab, false).await), []);
}

#[tokio::test]
async fn corrupt_everywhere_is_reported_and_never_copied() {
    let lab = lab().await;
    corrupt(lab.p.root(), ZIP);
    corrupt(lab.b.root(), MOD);
    std::fs::write(lab.b.root().join(ZIP), b"not a zip").unwrap();
    let r = run(&lab, true).await;
    let c = codes(&r);
    assert!(
        c.contains(&("corrupt", ZIP.to_owned(), Some("primary"), false)),
        "{c:?}"
    );
    assert!(
        c.contains(&("corrupt", ZIP.to_owned(), Some("backup"), false)),
        "{c:?}"
    );
    // The .mod was good on the primary: repaired from there.
    assert!(
        c.contains(&("corrupt_copy", MOD.to_owned(), Some("backup"), true)),
        "{c:?}"
    );
    assert_eq!(r.unresolved(), 2);
    // The bad zips were left as they were: nothing unverified was copied.
    assert_eq!(std::fs::read(lab.b.root().join(ZIP)).unwrap(), b"not a zip");
}

#[tokio::test]
async fn without_a_recorded_hash_only_disagreement_is_reported() {
    let lab = lab().await;
    for s in [&lab.p, &lab.b] {
        s.delete(&key("ex.com/m/@v/v1.0.0.modhash")).await.unwrap();
    }
    let r = run(&lab, true).await;
    assert_eq!(codes(&r), []);
    assert_eq!(r.unrecorded, 1);
    lab.b
        .put_bytes(&key(MOD), Bytes::from_static(b"module ex.com/other\n"))
        .await
        .unwrap();
    let r = run(&lab, true).await;
    assert_eq!(
        codes(&r),
        [("divergent_copies", MOD.to_owned(), None, false)]
    );
    assert_eq!(std::fs::read(lab.p.root().join(MOD)).unwrap(), GOMOD);
}

#[tokio::test]
async fn without_a_backup_the_primary_alone_is_checked() {
    let lab = lab().await;
    corrupt(lab.p.root(), ZIP);
    let stores = Stores {
        primary: lab.p.clone(),
        backup: None,
    };
    let seen = std::sync::Mutex::new(Vec::new());
    let r = scrub(&stores, &Options::default(), &|p| {
        seen.lock().unwrap().push((p.done, p.total))
    })
    .await
    .unwrap();
    assert_eq!(
        codes(&r),
        [("corrupt", ZIP.to_owned(), Some("primary"), false)]
    );
    assert_eq!(*seen.lock().unwrap(), [(0, 2), (1, 2)]);
}
