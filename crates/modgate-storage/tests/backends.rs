//! The same contract, run over every backend: the embedded directory tree and an
//! object store (a real S3 server, s3s-fs; skipped without it unless
//! `MODGATE_REQUIRE_S3=1`).

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use modgate_storage::object::{MULTIPART_THRESHOLD, etag_of_sha};
use modgate_storage::{Conditional, Key, Storage, open, open_with_spool, probe};
use modgate_testkit::s3::S3;
use sha2::{Digest, Sha256};

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

fn content(n: usize, seed: u8) -> Bytes {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect::<Vec<u8>>()
        .into()
}

fn sha_etag(data: &[u8]) -> String {
    let hex: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    etag_of_sha(&hex)
}

async fn read(s: &dyn Storage, k: &Key) -> Option<Bytes> {
    match s.get(k).await.unwrap() {
        Some(obj) => Some(obj.into_bytes(k).await.unwrap()),
        None => None,
    }
}

async fn read_range(s: &dyn Storage, k: &Key, off: u64, len: u64) -> Bytes {
    let obj = s.get_range(k, off, len).await.unwrap().expect("present");
    body_bytes(obj).await
}

/// A (ranged) object's body, read to its end.
async fn body_bytes(obj: modgate_storage::Object) -> Bytes {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    obj.body.into_reader().read_to_end(&mut buf).await.unwrap();
    buf.into()
}

/// Files in `dir` (the spool), recursively.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().unwrap().is_dir() {
                out.extend(files_in(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

/// The contract every backend keeps. `content_etags`: entity tags are derived from
/// the content (object stores), so equal content has equal tags.
async fn contract(s: Arc<dyn Storage>, content_etags: bool) {
    let s = s.as_ref();
    let name = s.describe();
    eprintln!("contract: {name}");

    // Missing objects are None / false, not errors.
    let missing = key("example.com/missing/@v/v1.0.0.zip");
    assert!(s.stat(&missing).await.unwrap().is_none());
    assert!(s.get(&missing).await.unwrap().is_none());
    assert!(s.get_range(&missing, 0, 1).await.unwrap().is_none());
    assert!(!s.delete(&missing).await.unwrap());
    assert!(s.list(&key("nothing-here")).await.unwrap().is_empty());

    // Small and large objects, whole and ranged.
    let small_key = key("example.com/mod/@v/v1.0.0.info");
    let small = Bytes::from_static(b"{\"Version\":\"v1.0.0\"}\n");
    let put = s.put_bytes(&small_key, small.clone()).await.unwrap();
    assert_eq!(put.size, small.len() as u64);
    let stat = s.stat(&small_key).await.unwrap().unwrap();
    assert_eq!(stat.size, put.size);
    assert_eq!(
        stat.etag, put.etag,
        "{name}: put and stat disagree on the etag"
    );
    assert_eq!(stat, put, "{name}: put and stat disagree");
    assert!(stat.etag.starts_with('"') && stat.etag.ends_with('"'));
    assert_eq!(read(s, &small_key).await.unwrap(), small);
    assert_eq!(read_range(s, &small_key, 2, 7).await, small.slice(2..9));

    let big_key = key("example.com/mod/@v/v1.0.0.zip");
    let big = content(300 * 1024 + 7, 1);
    s.put_bytes(&big_key, big.clone()).await.unwrap();
    let obj = s.get(&big_key).await.unwrap().unwrap();
    assert_eq!(obj.meta.size, big.len() as u64);
    assert_eq!(obj.into_bytes(&big_key).await.unwrap(), big);
    let r = s
        .get_range(&big_key, 100_000, 150_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        r.meta.size,
        big.len() as u64,
        "{name}: a range's meta is the whole object's"
    );
    assert_eq!(body_bytes(r).await, big.slice(100_000..250_000));
    assert_eq!(read_range(s, &big_key, 0, 10).await, big.slice(0..10));
    let end = big.len() as u64;
    assert_eq!(
        read_range(s, &big_key, end - 5, 5).await,
        big.slice(big.len() - 5..)
    );
    assert!(
        s.get_range(&big_key, end - 5, 10).await.is_err(),
        "{name}: a range past the end must fail"
    );

    // Overwrite: the new content, a new etag.
    let before = s.stat(&small_key).await.unwrap().unwrap().etag;
    let small2 = Bytes::from_static(b"{\"Version\":\"v1.0.0\",\"Time\":\"x\"}\n");
    s.put_bytes(&small_key, small2.clone()).await.unwrap();
    assert_eq!(read(s, &small_key).await.unwrap(), small2);
    assert_ne!(s.stat(&small_key).await.unwrap().unwrap().etag, before);

    // Equal content, equal etag (content-derived backends).
    let twin = key("example.com/twin/@v/v1.0.0.info");
    let twin_meta = s.put_bytes(&twin, small2.clone()).await.unwrap();
    if content_etags {
        assert_eq!(twin_meta.etag, sha_etag(&small2));
        assert_eq!(
            s.stat(&small_key).await.unwrap().unwrap().etag,
            twin_meta.etag
        );
        assert_eq!(
            s.stat(&big_key).await.unwrap().unwrap().etag,
            sha_etag(&big)
        );
    }

    // Listing: every key under a prefix, sorted, nothing outside it.
    let listed = s.list(&key("example.com/mod")).await.unwrap();
    assert_eq!(listed, vec![small_key.clone(), big_key.clone()]);
    let all = s.list(&key("example.com")).await.unwrap();
    assert_eq!(all, vec![small_key.clone(), big_key.clone(), twin.clone()]);
    assert!(s.list(&key("example.com/mo")).await.unwrap().is_empty());

    // Uploads: chunks and a file, visible whole only after commit.
    let up_key = key("example.com/up/@v/v2.0.0.zip");
    let part1 = content(70_000, 2);
    let part2 = content(90_000, 3);
    let mut up = s.upload(&up_key).await.unwrap();
    up.write(part1.clone()).await.unwrap();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &part2).unwrap();
    up.write_file(tmp.path().to_owned()).await.unwrap();
    assert!(
        s.stat(&up_key).await.unwrap().is_none(),
        "{name}: visible before commit"
    );
    let meta = up.commit().await.unwrap();
    let whole = [part1.as_ref(), part2.as_ref()].concat();
    assert_eq!(meta.size, whole.len() as u64);
    assert_eq!(read(s, &up_key).await.unwrap(), whole);
    assert_eq!(s.stat(&up_key).await.unwrap().unwrap(), meta);
    if content_etags {
        assert_eq!(meta.etag, sha_etag(&whole));
    }

    // A file taken over as the whole upload.
    let file_key = key("example.com/up/@v/v2.0.0.mod");
    let spool = s
        .local_spool()
        .expect("every backend here has a spool directory");
    let spooled = tempfile::Builder::new()
        .prefix(modgate_storage::TEMP_PREFIX)
        .tempfile_in(&spool)
        .unwrap()
        .into_temp_path()
        .keep()
        .unwrap();
    std::fs::write(&spooled, b"module example.com/up\n").unwrap();
    let mut up = s.upload(&file_key).await.unwrap();
    up.write_file(spooled.clone()).await.unwrap();
    up.commit().await.unwrap();
    assert_eq!(
        read(s, &file_key).await.unwrap(),
        Bytes::from_static(b"module example.com/up\n")
    );
    let _ = std::fs::remove_file(&spooled);

    // Dropped and aborted uploads leave nothing, here or in the spool.
    let spool_before = files_in(&spool).len();
    let gone_key = key("example.com/gone/@v/v1.0.0.zip");
    let mut up = s.upload(&gone_key).await.unwrap();
    up.write(content(200_000, 4)).await.unwrap();
    drop(up);
    let mut up = s.upload(&gone_key).await.unwrap();
    up.write(content(1000, 5)).await.unwrap();
    up.abort().await.unwrap();
    assert!(s.stat(&gone_key).await.unwrap().is_none());
    assert!(s.list(&key("example.com/gone")).await.unwrap().is_empty());
    assert_eq!(
        files_in(&spool).len(),
        spool_before,
        "{name}: spool leftovers"
    );

    // Conditional writes: either supported with the right semantics, or said not to be.
    let cond = key("example.com/cond/latest");
    match s
        .put_if_absent(&cond, Bytes::from_static(b"a"))
        .await
        .unwrap()
    {
        Conditional::Unsupported => eprintln!("{name}: conditional writes unsupported"),
        Conditional::Conflict => panic!("{name}: create of an absent key conflicted"),
        Conditional::Written(m) => {
            assert_eq!(
                s.put_if_absent(&cond, Bytes::from_static(b"b"))
                    .await
                    .unwrap(),
                Conditional::Conflict
            );
            assert_eq!(
                s.compare_and_swap(&cond, Some("\"stale\""), Bytes::from_static(b"c"))
                    .await
                    .unwrap(),
                Conditional::Conflict
            );
            let Conditional::Written(m2) = s
                .compare_and_swap(&cond, Some(&m.etag), Bytes::from_static(b"d"))
                .await
                .unwrap()
            else {
                panic!("{name}: swap with the current etag failed")
            };
            assert_eq!(read(s, &cond).await.unwrap(), Bytes::from_static(b"d"));
            assert_eq!(s.stat(&cond).await.unwrap().unwrap().etag, m2.etag);
        }
    }

    // Delete.
    assert!(s.delete(&small_key).await.unwrap());
    assert!(s.stat(&small_key).await.unwrap().is_none());
    assert!(!s.delete(&small_key).await.unwrap());

    s.check_writable().await.unwrap();
    s.sweep(std::time::Duration::from_secs(3600)).await.unwrap();
    let p = probe(s).await.unwrap();
    assert!(p.ranged_read, "{name}: {p}");
    eprintln!("{p}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    let s = open(&url, &BTreeMap::new()).await.unwrap();
    contract(s, false).await;
    let err = open(
        &url,
        &BTreeMap::from([("region".to_owned(), "x".to_owned())]),
    )
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("\"region\""), "{err}");
}

/// The throwaway store of one command's run, with limits small enough that the
/// contract's objects go both to memory and to spool files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scratch() {
    let dir = tempfile::tempdir().unwrap();
    let s = modgate_storage::ScratchStorage::with_limits(dir.path(), 64 * 1024, 256 * 1024);
    contract(Arc::new(s), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3() {
    let Some(mut server) = S3::start() else {
        return;
    };
    server.create_bucket("modgate");
    let spool = tempfile::tempdir().unwrap();
    let url = "s3://modgate/cache/v1";
    let s = open_with_spool(url, &server.options(), Some(spool.path()))
        .await
        .unwrap();
    assert_eq!(s.describe(), url);
    contract(s.clone(), true).await;

    // The same tree as on disk, under the prefix.
    let k = key("example.com/layout/@v/v1.0.0.mod");
    s.put_bytes(&k, Bytes::from_static(b"module example.com/layout\n"))
        .await
        .unwrap();
    let on_server = server
        .root()
        .join("modgate/cache/v1/example.com/layout/@v/v1.0.0.mod");
    assert_eq!(
        std::fs::read(&on_server).unwrap(),
        b"module example.com/layout\n"
    );

    // A second replica of the same bucket gives the same etag for the same file,
    // and a different bucket (a backup) holding the same bytes too.
    let replica = open_with_spool(url, &server.options(), Some(spool.path()))
        .await
        .unwrap();
    assert_eq!(
        replica.stat(&k).await.unwrap().unwrap().etag,
        s.stat(&k).await.unwrap().unwrap().etag
    );
    server.create_bucket("backup");
    let backup = open_with_spool("s3://backup", &server.options(), Some(spool.path()))
        .await
        .unwrap();
    let m = backup
        .put_bytes(&k, Bytes::from_static(b"module example.com/layout\n"))
        .await
        .unwrap();
    assert_eq!(m.etag, s.stat(&k).await.unwrap().unwrap().etag);
    assert!(
        server
            .root()
            .join("backup/example.com/layout/@v/v1.0.0.mod")
            .is_file()
    );

    multipart(s.as_ref()).await;
    assert!(files_in(spool.path()).is_empty(), "spool leftovers");

    // A commit abandoned while its parts are being sent (its future dropped: a client
    // gone, a shutdown) leaves no object and no spool file, and its multipart upload
    // is aborted in the background. s3s-fs keeps the parts of an upload as
    // `.upload_id-<id>.part-<n>` in its root until it completes or is aborted.
    let parts_left = || {
        std::fs::read_dir(server.root())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".upload_id-"))
            .count()
    };
    let ck = key("example.com/cancelled/@v/v1.0.0.zip");
    let mut up = s.upload(&ck).await.unwrap();
    for i in 0..48 {
        up.write(content(1024 * 1024, i)).await.unwrap();
    }
    let commit = tokio::spawn(async move { up.commit().await });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while parts_left() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no part was ever sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    commit.abort();
    assert!(commit.await.unwrap_err().is_cancelled());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while parts_left() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        parts_left(),
        0,
        "the abandoned multipart upload was not aborted"
    );
    assert!(
        s.stat(&ck).await.unwrap().is_none(),
        "a cancelled commit is visible"
    );
    assert!(
        files_in(spool.path()).is_empty(),
        "spool leftovers after a cancelled commit"
    );

    // Wrong credentials, a dead endpoint: clear errors at open, naming the store.
    // (s3s-fs creates missing buckets on write, so a missing bucket cannot be tested here.)
    let mut dead = server.options();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    dead.insert("endpoint".into(), format!("http://127.0.0.1:{port}"));
    dead.insert("max_retries".into(), "0".into());
    let err = open_with_spool(url, &dead, Some(spool.path()))
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("cannot write a probe object") && err.to_string().contains(url),
        "{err}"
    );
    let mut bad = server.options();
    bad.insert("secret_access_key".into(), "n0t-the-s3cret".into());
    let err = open_with_spool(url, &bad, Some(spool.path()))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains(url), "{err}");
    assert!(
        !err.to_string().contains("n0t-the-s3cret"),
        "a secret in an error: {err}"
    );

    // Readiness: a success stands for a few seconds (probes of many replicas do not
    // become a stream of writes); with the server gone, a store not checked lately
    // is not writable.
    s.check_writable().await.unwrap();
    server.kill();
    s.check_writable().await.unwrap();
    let mut dead = server.options();
    dead.insert("max_retries".into(), "0".into());
    let fresh = modgate_storage::ObjectStorage::build(url, &dead, spool.path()).unwrap();
    assert!(fresh.check_writable().await.is_err());
}

/// A store that accepts connections and never answers: the start fails within the
/// read timeout instead of hanging (no S3 server needed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_store_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn); // accepted, never answered
        }
    });
    let spool = tempfile::tempdir().unwrap();
    let options: BTreeMap<String, String> = [
        ("endpoint", format!("http://{addr}")),
        ("region", "us-east-1".into()),
        ("access_key_id", "k".into()),
        ("secret_access_key", "s".into()),
        ("allow_http", "true".into()),
        ("read_timeout", "1s".into()),
        ("max_retries", "0".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let started = std::time::Instant::now();
    let err = open_with_spool("s3://silent/p", &options, Some(spool.path()))
        .await
        .err()
        .expect("a silent store cannot be opened");
    let took = started.elapsed();
    eprintln!("silent store: failed after {took:?}: {err}");
    assert!(err.to_string().contains("s3://silent/p"), "{err}");
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// Above the threshold, an upload goes up in parts and arrives whole, with its
/// content ETag (the store keeps the metadata of multipart uploads).
async fn multipart(s: &dyn Storage) {
    let mk = key("example.com/big/@v/v1.0.0.zip");
    let data = content(MULTIPART_THRESHOLD as usize + 3 * 1024 * 1024 + 11, 9);
    let mut up = s.upload(&mk).await.unwrap();
    for chunk in data.chunks(1024 * 1024) {
        up.write(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    let meta = up.commit().await.unwrap();
    assert_eq!(meta.etag, sha_etag(&data));
    let stat = s.stat(&mk).await.unwrap().unwrap();
    assert_eq!(stat.size, data.len() as u64);
    assert_eq!(
        stat.etag,
        sha_etag(&data),
        "multipart uploads keep the sha256 metadata"
    );
    assert_eq!(read(s, &mk).await.unwrap(), data);
}

/// The contract against any store: `MODGATE_TEST_S3_URL=s3://bucket/prefix` with the
/// standard `AWS_*` variables (a Garage, MinIO or AWS bucket one can write to);
/// skipped when unset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_store() {
    let Ok(url) = std::env::var("MODGATE_TEST_S3_URL") else {
        eprintln!("skipping: MODGATE_TEST_S3_URL not set");
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let s = open_with_spool(&url, &BTreeMap::new(), Some(spool.path()))
        .await
        .unwrap();
    // Start clean: an earlier run may have been interrupted.
    for k in s.list(&key("example.com")).await.unwrap() {
        s.delete(&k).await.unwrap();
    }
    contract(s.clone(), true).await;
    multipart(s.as_ref()).await;
    for k in s.list(&key("example.com")).await.unwrap() {
        s.delete(&k).await.unwrap();
    }
}
