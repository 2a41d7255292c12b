//! The filesystem backend: round trips, ranges, uploads, conditional writes, listing,
//! readiness, concurrent writers, and a SIGKILLed writer (this test binary
//! re-executed) leaving no partial object.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use super::*;
use crate::{Conditional, Key, Storage};

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

async fn read_all(store: &FsStorage, k: &Key) -> Option<Vec<u8>> {
    let obj = store.get(k).await.unwrap()?;
    let mut buf = Vec::new();
    obj.body.into_reader().read_to_end(&mut buf).await.unwrap();
    assert_eq!(buf.len() as u64, obj.meta.size);
    Some(buf)
}

#[tokio::test]
async fn put_get_stat_exists_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    let k = key("example.com/m/@v/v1.0.0.mod");
    assert!(store.stat(&k).await.unwrap().is_none());
    assert!(store.get(&k).await.unwrap().is_none());
    assert!(store.stat(&k).await.unwrap().is_none());

    let meta = store
        .put_bytes(&k, Bytes::from_static(b"module example.com/m\n"))
        .await
        .unwrap();
    assert_eq!(meta.size, 21);
    assert!(meta.etag.starts_with('"') && meta.etag.ends_with('"'));
    assert_eq!(store.stat(&k).await.unwrap(), Some(meta.clone()));
    assert!(store.stat(&k).await.unwrap().is_some());
    assert_eq!(
        read_all(&store, &k).await.unwrap(),
        b"module example.com/m\n"
    );
    // The layout is the go command's download cache layout.
    assert_eq!(
        std::fs::read(dir.path().join("example.com/m/@v/v1.0.0.mod")).unwrap(),
        b"module example.com/m\n"
    );

    // Rewriting changes the strong validator.
    let meta2 = store
        .put_bytes(&k, Bytes::from_static(b"module example.com/m\n"))
        .await
        .unwrap();
    assert_ne!(meta.etag, meta2.etag);

    assert!(store.delete(&k).await.unwrap());
    assert!(!store.delete(&k).await.unwrap());
    assert!(store.get(&k).await.unwrap().is_none());
}

#[tokio::test]
async fn directories_and_missing_parents_are_absent() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    store
        .put_bytes(&key("a/b"), Bytes::from_static(b"x"))
        .await
        .unwrap();
    // A directory is not an object; a path through a file is simply absent.
    assert!(store.stat(&key("a")).await.unwrap().is_none());
    assert!(store.get(&key("a")).await.unwrap().is_none());
    assert!(store.stat(&key("a/b/c")).await.unwrap().is_none());
    assert!(store.get(&key("a/b/c")).await.unwrap().is_none());
    assert!(!store.delete(&key("a/b/c")).await.unwrap());
}

#[tokio::test]
async fn small_and_large_bodies_read_whole_and_in_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    // Either side of the size up to which objects are read when opened.
    for size in [0usize, 1, 65_535, 65_536, 65_537, 200_000] {
        let k = key(&format!("m/@v/v{size}.zip"));
        let data: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
        let meta = store
            .put_bytes(&k, Bytes::from(data.clone()))
            .await
            .unwrap();
        assert_eq!(read_all(&store, &k).await.unwrap(), data, "size {size}");
        let obj = store.get(&k).await.unwrap().unwrap();
        assert_eq!(obj.meta, meta, "size {size}");
        let from = size / 2;
        let len = (size - from) / 2;
        let part = store
            .get_range(&k, from as u64, len as u64)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(part.meta, meta, "a range carries the whole object's meta");
        let mut got = Vec::new();
        part.body.into_reader().read_to_end(&mut got).await.unwrap();
        assert_eq!(got, &data[from..from + len], "size {size}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_cache_reads_go_through_the_blocking_pool() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let open = |start, end| {
        super::cached::CachedFile::blocking_only(std::fs::File::open(&path).unwrap(), start, end)
    };
    let mut all = Vec::new();
    open(0, 200_000).read_to_end(&mut all).await.unwrap();
    assert_eq!(all, data);

    // A range reads its bytes and stops at its end, not the file's.
    let mut part = Vec::new();
    open(150_000, 180_000).read_to_end(&mut part).await.unwrap();
    assert_eq!(part, &data[150_000..180_000]);
}

#[test]
fn blocking_open_matches_the_cached_open() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    for size in [0usize, 10, 65_536, 100_000] {
        let path = dir.path().join(format!("f{size}"));
        let data: Vec<u8> = (0..size).map(|i| (i % 239) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let obj = open_object(&path).unwrap().unwrap();
        assert_eq!(obj.meta.size, size as u64);
        let mut got = Vec::new();
        rt.block_on(obj.body.into_reader().read_to_end(&mut got))
            .unwrap();
        assert_eq!(got, data, "size {size}");
    }
    assert!(open_object(&dir.path().join("missing")).unwrap().is_none());
    assert!(open_object(dir.path()).unwrap().is_none());
}

#[tokio::test]
async fn ranges_past_the_end_are_refused_and_absent_objects_are_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    let k = key("m/@v/v1.0.0.zip");
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    store
        .put_bytes(&k, Bytes::from(data.clone()))
        .await
        .unwrap();
    let tail = store.get_range(&k, 99_000, 1_000).await.unwrap().unwrap();
    let mut got = Vec::new();
    tail.body.into_reader().read_to_end(&mut got).await.unwrap();
    assert_eq!(got, &data[99_000..]);
    let err = store.get_range(&k, 99_000, 1_001).await.unwrap_err();
    assert!(err.to_string().contains("outside the object"), "{err}");
    assert!(
        store
            .get_range(&key("m/@v/v9.zip"), 0, 1)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn upload_commits_whole_or_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    let k = key("m/@v/v1.0.0.zip");

    // Chunks, then commit: visible only after the commit.
    let mut up = store.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"zip")).await.unwrap();
    up.write(Bytes::from_static(b"bytes")).await.unwrap();
    assert!(
        store.get(&k).await.unwrap().is_none(),
        "visible before commit"
    );
    let meta = up.commit().await.unwrap();
    assert_eq!(meta.size, 8);
    assert_eq!(read_all(&store, &k).await.unwrap(), b"zipbytes");

    // A spooled file on the same filesystem is taken over (renamed, not copied).
    let spooled = store.spool_dir().join(format!("{TEMP_PREFIX}upload"));
    std::fs::write(&spooled, b"second").unwrap();
    let mut up = store.upload(&k).await.unwrap();
    up.write_file(spooled.clone()).await.unwrap();
    assert!(!spooled.exists(), "taken over by rename");
    up.commit().await.unwrap();
    assert_eq!(read_all(&store, &k).await.unwrap(), b"second");

    // A file elsewhere, after a chunk: copied and appended.
    let other = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(other.path(), b"-tail").unwrap();
    let mut up = store.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"third")).await.unwrap();
    up.write_file(other.path().to_owned()).await.unwrap();
    up.commit().await.unwrap();
    assert_eq!(read_all(&store, &k).await.unwrap(), b"third-tail");

    // Dropped or aborted: the old object stays, no temporary file remains.
    let mut up = store.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"partial")).await.unwrap();
    drop(up);
    let mut up = store.upload(&k).await.unwrap();
    up.write(Bytes::from_static(b"partial")).await.unwrap();
    up.abort().await.unwrap();
    assert_eq!(read_all(&store, &k).await.unwrap(), b"third-tail");
    let hidden = std::fs::read_dir(dir.path().join("m/@v"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(hidden, 0);

    // A missing source is an error that names the key and leaves the object alone.
    let mut up = store.upload(&k).await.unwrap();
    let err = up.write_file(dir.path().join("nope")).await.unwrap_err();
    assert!(err.to_string().contains("m/@v/v1.0.0.zip"), "{err}");
    drop(up);
    assert_eq!(read_all(&store, &k).await.unwrap(), b"third-tail");
}

#[tokio::test]
async fn conditional_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    let k = key("sumdb/db/tree");
    let Conditional::Written(first) = store
        .put_if_absent(&k, Bytes::from_static(b"one"))
        .await
        .unwrap()
    else {
        panic!("absent key not created")
    };
    assert_eq!(
        store
            .put_if_absent(&k, Bytes::from_static(b"two"))
            .await
            .unwrap(),
        Conditional::Conflict
    );
    assert_eq!(read_all(&store, &k).await.unwrap(), b"one");

    // Compare-and-swap against the entity tag.
    assert_eq!(
        store
            .compare_and_swap(&k, Some("\"stale\""), Bytes::from_static(b"x"))
            .await
            .unwrap(),
        Conditional::Conflict
    );
    assert_eq!(
        store
            .compare_and_swap(&k, None, Bytes::from_static(b"x"))
            .await
            .unwrap(),
        Conditional::Conflict,
        "None means: only if absent"
    );
    let Conditional::Written(second) = store
        .compare_and_swap(&k, Some(&first.etag), Bytes::from_static(b"three"))
        .await
        .unwrap()
    else {
        panic!("swap with the current tag refused")
    };
    assert_ne!(second.etag, first.etag);
    assert_eq!(read_all(&store, &k).await.unwrap(), b"three");
    // Listing never shows the lock file.
    assert_eq!(store.list(&key("sumdb")).await.unwrap(), vec![k.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_swaps_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FsStorage::open(dir.path()).unwrap());
    let k = key("counter/value");
    store.put_bytes(&k, Bytes::from_static(b"0")).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, k) = (store.clone(), k.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0;
            while done < 10 {
                let obj = store.get(&k).await.unwrap().unwrap();
                let etag = obj.meta.etag.clone();
                let n: u32 = std::str::from_utf8(&obj.into_bytes(&k).await.unwrap())
                    .unwrap()
                    .parse()
                    .unwrap();
                let next = Bytes::from((n + 1).to_string());
                if let Conditional::Written(_) =
                    store.compare_and_swap(&k, Some(&etag), next).await.unwrap()
                {
                    done += 1;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(read_all(&store, &k).await.unwrap(), b"40");
}

#[tokio::test]
async fn list_is_recursive_sorted_and_hides_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    for k in [
        "m/@v/v1.1.0.info",
        "m/@v/v1.0.0.info",
        "m/@v/list",
        "m/sub/@v/v0.1.0.mod",
        "other/@v/v1.0.0.mod",
    ] {
        store.put_bytes(&key(k), Bytes::new()).await.unwrap();
    }
    // Leftovers that must never be listed: a temporary file and a foreign hidden file.
    std::fs::write(dir.path().join("m/@v/.tmp-123-0-0"), b"partial").unwrap();
    std::fs::write(dir.path().join("m/@v/.hidden"), b"x").unwrap();
    let got: Vec<String> = store
        .list(&key("m"))
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(
        got,
        [
            "m/@v/list",
            "m/@v/v1.0.0.info",
            "m/@v/v1.1.0.info",
            "m/sub/@v/v0.1.0.mod"
        ]
    );
    assert!(store.list(&key("missing")).await.unwrap().is_empty());
}

#[tokio::test]
async fn check_writable_and_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    store.check_writable().await.unwrap();
    std::fs::create_dir_all(dir.path().join("m/@v")).unwrap();
    std::fs::write(dir.path().join("m/@v/.tmp-1-2-3"), b"partial").unwrap();
    std::fs::write(store.spool_dir().join(".tmp-9"), b"partial").unwrap();
    std::fs::write(dir.path().join("m/@v/v1.0.0.zip"), b"whole").unwrap();
    // Fresh temporaries may belong to a live writer: kept.
    assert_eq!(store.sweep(Duration::from_secs(60)).await.unwrap(), 0);
    assert_eq!(store.sweep(Duration::ZERO).await.unwrap(), 2);
    assert!(dir.path().join("m/@v/v1.0.0.zip").exists());
}

#[tokio::test]
async fn unwritable_store_fails_readiness() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    // Replace the staging directory with a file: no temporary file can be created
    // there (this holds even for root, unlike permission bits).
    std::fs::remove_dir(store.spool_dir()).unwrap();
    std::fs::write(store.spool_dir(), b"").unwrap();
    let err = store.check_writable().await.unwrap_err();
    assert!(err.to_string().starts_with("storage: probe .tmp:"), "{err}");
}

/// Content that proves its own completeness: an 8-byte length, then that many bytes
/// all equal to `tag`.
fn framed(tag: u8, len: usize) -> Vec<u8> {
    let mut v = (len as u64).to_be_bytes().to_vec();
    v.resize(8 + len, tag);
    v
}

fn assert_complete(data: &[u8]) {
    assert!(data.len() >= 8, "truncated object ({} bytes)", data.len());
    let len = u64::from_be_bytes(data[..8].try_into().unwrap()) as usize;
    assert_eq!(
        data.len(),
        8 + len,
        "object length does not match its frame"
    );
    let tag = data.get(8).copied();
    assert!(data[8..].iter().all(|&b| Some(b) == tag), "mixed writers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_and_readers_see_only_whole_objects() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FsStorage::open(dir.path()).unwrap());
    let k = key("m/@v/v1.0.0.zip");
    store
        .put_bytes(&k, Bytes::from(framed(0, 1000)))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for w in 1..=8u8 {
        let (store, k) = (store.clone(), k.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let len = 50_000 + (w as usize) * 7_919 + i * 13;
                store
                    .put_bytes(&k, Bytes::from(framed(w, len)))
                    .await
                    .unwrap();
            }
        }));
    }
    let reader = {
        let (store, k) = (store.clone(), k.clone());
        tokio::spawn(async move {
            for _ in 0..200 {
                let data = read_all(&store, &k).await.expect("object vanished");
                assert_complete(&data);
            }
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    reader.await.unwrap();
    assert_complete(&read_all(&store, &k).await.unwrap());
    // No temporary file survives successful writes.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("m/@v"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The crash test's child: when MODGATE_STORAGE_CRASH_DIR is set, write large objects
/// forever until killed. Run by `killed_writer_leaves_no_partial_object`.
#[tokio::test]
async fn crash_child_writer() {
    let Ok(root) = std::env::var("MODGATE_STORAGE_CRASH_DIR") else {
        return;
    };
    let store = FsStorage::open(&root).unwrap();
    std::fs::write(std::path::Path::new(&root).join("started"), b"").unwrap();
    for i in 0u64.. {
        let k = key(&format!("m/@v/v1.0.{}.zip", i % 4));
        let len = 4_000_000 + (i as usize % 7) * 100_003;
        store
            .put_bytes(&k, Bytes::from(framed((i % 250) as u8 + 1, len)))
            .await
            .unwrap();
    }
}

#[cfg(unix)]
#[tokio::test]
async fn killed_writer_leaves_no_partial_object() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "fs::tests::crash_child_writer", "--nocapture"])
        .env("MODGATE_STORAGE_CRASH_DIR", &root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !root.join("started").exists() {
        assert!(std::time::Instant::now() < deadline, "child never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let it write a while, then SIGKILL it mid-write.
    tokio::time::sleep(Duration::from_millis(700)).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let store = FsStorage::open(&root).unwrap();
    let keys = store.list(&key("m")).await.unwrap();
    assert!(!keys.is_empty(), "child wrote nothing before being killed");
    for k in &keys {
        assert_complete(&read_all(&store, k).await.unwrap());
    }
    for i in 0..4 {
        if let Some(data) = read_all(&store, &key(&format!("m/@v/v1.0.{i}.zip"))).await {
            assert_complete(&data);
        }
    }
    // Whatever temporary file the kill left behind is invisible, and swept.
    store.sweep(Duration::ZERO).await.unwrap();
    let hidden = std::fs::read_dir(root.join("m/@v"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(TEMP_PREFIX)
        })
        .count();
    assert_eq!(hidden, 0);
}

#[tokio::test]
async fn list_all_walks_the_whole_store_but_hidden_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::open(dir.path()).unwrap();
    for k in ["b.com/m/@v/list", "a.com/m/@v/v1.0.0.zip", "sumdb/s/latest"] {
        store
            .put_bytes(&key(k), Bytes::from_static(b"x"))
            .await
            .unwrap();
    }
    std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
    let all: Vec<String> = store
        .list_all()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(
        all,
        ["a.com/m/@v/v1.0.0.zip", "b.com/m/@v/list", "sumdb/s/latest"]
    );
}
