//! The mirror over two real directory stores: a store is taken down by putting a
//! file where its directory was (writes then fail even for root), and brought back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use super::*;
use crate::FsStorage;

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

/// A directory store that can be taken down and brought back.
struct Store {
    root: PathBuf,
    fs: Arc<FsStorage>,
}

impl Store {
    fn new(dir: &Path, name: &str) -> Store {
        let root = dir.join(name);
        let fs = Arc::new(FsStorage::open(&root).unwrap());
        Store {
            root: fs.root().to_owned(),
            fs,
        }
    }

    fn down(&self) {
        std::fs::rename(&self.root, self.root.with_extension("off")).unwrap();
        std::fs::write(&self.root, b"in the way").unwrap();
    }

    fn up(&self) {
        std::fs::remove_file(&self.root).unwrap();
        std::fs::rename(self.root.with_extension("off"), &self.root).unwrap();
    }

    fn read(&self, k: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.join(k)).ok()
    }
}

fn mirror(p: &Store, b: &Store, queue: &Path) -> Mirrored {
    Mirrored::open(p.fs.clone(), b.fs.clone(), queue)
        .unwrap()
        .with_repairable(|k| k.as_str().ends_with(".zip") || k.as_str().ends_with(".mod"))
        .with_backoff(Backoff {
            first: Duration::from_millis(20),
            max: Duration::from_millis(200),
        })
}

/// 1 MiB of varied bytes: streamed (not read whole) by the directory store.
fn big() -> Bytes {
    Bytes::from(
        (0..1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect::<Vec<_>>(),
    )
}

async fn upload(store: &dyn Storage, k: &Key, data: Bytes) -> Meta {
    let mut up = store.upload(k).await.unwrap();
    for chunk in data.chunks(100_000) {
        up.write(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    up.commit().await.unwrap()
}

async fn read(store: &dyn Storage, k: &Key) -> Option<Vec<u8>> {
    let obj = store.get(k).await.unwrap()?;
    let mut buf = Vec::new();
    obj.body.into_reader().read_to_end(&mut buf).await.unwrap();
    Some(buf)
}

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn writes_reach_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = Arc::new(mirror(&p, &b, &dir.path().join("q")));
    let _task = m.spawn_retry();
    let (small, zip) = (key("ex.com/m/@v/v1.0.0.mod"), key("ex.com/m/@v/v1.0.0.zip"));
    m.put_bytes(&small, Bytes::from_static(b"module ex.com/m\n"))
        .await
        .unwrap();
    upload(m.as_ref(), &zip, big()).await;
    assert_eq!(b.read(small.as_str()).unwrap(), b"module ex.com/m\n");
    // The zip is copied to the backup by the retry task, from the committed primary.
    wait_for("the zip on the backup", || b.read(zip.as_str()).is_some()).await;
    assert_eq!(b.read(zip.as_str()).unwrap(), big());
    wait_for("an empty queue", || m.queue_depth() == 0).await;
    assert_eq!(m.stats().backup_write_failures.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn failed_backup_writes_queue_and_drain() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = mirror(&p, &b, &dir.path().join("q"));
    b.down();
    let (small, zip) = (key("ex.com/m/@v/v1.0.0.mod"), key("ex.com/m/@v/v1.0.0.zip"));
    m.put_bytes(&small, Bytes::from_static(b"module ex.com/m\n"))
        .await
        .unwrap();
    upload(&m, &zip, big()).await;
    assert_eq!(m.queue_depth(), 2);
    assert_eq!(m.stats().backup_write_failures.load(Ordering::Relaxed), 1);
    // Still down: attempts fail and the entries stay.
    assert_eq!(m.drain_once().await, 2);
    assert!(m.queue_oldest_age() < Duration::from_secs(60));
    b.up();
    assert_eq!(m.drain_once().await, 0);
    assert_eq!(b.read(small.as_str()).unwrap(), b"module ex.com/m\n");
    assert_eq!(b.read(zip.as_str()).unwrap(), big());
    assert_eq!(m.queue_oldest_age(), Duration::ZERO);
    assert!(m.stats().retries.load(Ordering::Relaxed) >= 2);
}

#[tokio::test]
async fn the_queue_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let q = dir.path().join("q");
    b.down();
    {
        let m = mirror(&p, &b, &q);
        for i in 0..5 {
            let k = key(&format!("ex.com/m/@v/v1.0.{i}.mod"));
            m.put_bytes(&k, Bytes::from(format!("module ex.com/m // {i}\n")))
                .await
                .unwrap();
        }
        assert_eq!(m.queue_depth(), 5);
    }
    // Whatever else is in the directory is not an entry, and does not stop the start.
    std::fs::write(q.join("stray"), [0xff, 0xfe, b'\n']).unwrap();
    // A new process: the entries are read back from the directory.
    let m = Arc::new(mirror(&p, &b, &q));
    assert_eq!(m.queue_depth(), 5);
    assert_eq!(m.queued()[0].0, Side::Backup);
    b.up();
    let task = m.spawn_retry();
    wait_for("the queue to drain", || m.queue_depth() == 0).await;
    task.abort();
    for i in 0..5 {
        assert_eq!(
            b.read(&format!("ex.com/m/@v/v1.0.{i}.mod")).unwrap(),
            format!("module ex.com/m // {i}\n").as_bytes()
        );
    }
    assert_eq!(
        std::fs::read_dir(&q).unwrap().count(),
        1,
        "only the stray file is left"
    );
}

#[tokio::test]
async fn an_entry_whose_source_is_gone_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = mirror(&p, &b, &dir.path().join("q"));
    b.down();
    let k = key("ex.com/m/@v/list");
    m.put_bytes(&k, Bytes::from_static(b"v1.0.0\n"))
        .await
        .unwrap();
    p.fs.delete(&k).await.unwrap();
    b.up();
    assert_eq!(m.drain_once().await, 0);
    assert!(b.read(k.as_str()).is_none());
}

#[tokio::test]
async fn a_primary_miss_is_served_from_the_backup_and_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = mirror(&p, &b, &dir.path().join("q"));
    let (zip, list) = (key("ex.com/m/@v/v1.0.0.zip"), key("ex.com/m/@v/list"));
    b.fs.put_bytes(&zip, big()).await.unwrap();
    b.fs.put_bytes(&list, Bytes::from_static(b"v1.0.0\n"))
        .await
        .unwrap();
    assert_eq!(read(&m, &zip).await.unwrap(), big());
    assert_eq!(
        m.stat(&zip).await.unwrap().unwrap().size,
        big().len() as u64
    );
    let part = m.get_range(&zip, 10, 5).await.unwrap().unwrap();
    let mut buf = Vec::new();
    part.body.into_reader().read_to_end(&mut buf).await.unwrap();
    assert_eq!(buf, big()[10..15]);
    wait_for("the primary repaired", || p.read(zip.as_str()).is_some()).await;
    assert_eq!(p.read(zip.as_str()).unwrap(), big());
    wait_for("the repair counted", || {
        m.stats().repairs.load(Ordering::Relaxed) >= 1
    })
    .await;
    // A mutable file is served, never copied back (it would look freshly written).
    assert_eq!(read(&m, &list).await.unwrap(), b"v1.0.0\n");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(p.read(list.as_str()).is_none());
    assert!(m.stats().backup_reads.load(Ordering::Relaxed) >= 4);
    // Absent from both: absent.
    assert!(m.get(&key("ex.com/m/@v/v9.zip")).await.unwrap().is_none());
}

#[tokio::test]
async fn primary_down_reads_from_backup_and_writes_queue_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = Arc::new(mirror(&p, &b, &dir.path().join("q")));
    let old = key("ex.com/m/@v/v1.0.0.mod");
    m.put_bytes(&old, Bytes::from_static(b"module ex.com/m\n"))
        .await
        .unwrap();
    p.down();
    assert_eq!(read(m.as_ref(), &old).await.unwrap(), b"module ex.com/m\n");
    m.check_writable().await.unwrap();
    let (new, zip) = (key("ex.com/m/@v/v1.1.0.mod"), key("ex.com/m/@v/v1.1.0.zip"));
    m.put_bytes(&new, Bytes::from_static(b"module ex.com/m // new\n"))
        .await
        .unwrap();
    upload(m.as_ref(), &zip, big()).await;
    assert_eq!(m.queued().len(), 2);
    assert!(m.queued().iter().all(|(s, _)| *s == Side::Primary));
    assert_eq!(read(m.as_ref(), &zip).await.unwrap(), big());
    assert_eq!(m.list(&key("ex.com/m/@v")).await.unwrap().len(), 3);
    p.up();
    let task = m.spawn_retry();
    wait_for("the queue to drain", || m.queue_depth() == 0).await;
    task.abort();
    assert_eq!(p.read(zip.as_str()).unwrap(), big());
    assert_eq!(p.read(new.as_str()).unwrap(), b"module ex.com/m // new\n");
}

#[tokio::test]
async fn both_down_fails_the_write() {
    let dir = tempfile::tempdir().unwrap();
    let (p, b) = (Store::new(dir.path(), "p"), Store::new(dir.path(), "b"));
    let m = mirror(&p, &b, &dir.path().join("q"));
    p.down();
    b.down();
    let k = key("ex.com/m/@v/v1.0.0.mod");
    assert!(m.put_bytes(&k, Bytes::from_static(b"x")).await.is_err());
    assert!(m.upload(&k).await.is_err());
    assert!(m.check_writable().await.is_err());
    assert_eq!(m.queue_depth(), 0);
}

/// A store that never answers (a blackholed network).
struct Hanging;

#[async_trait::async_trait]
impl Storage for Hanging {
    async fn stat(&self, _: &Key) -> Result<Option<Meta>, StorageError> {
        std::future::pending().await
    }
    async fn get(&self, _: &Key) -> Result<Option<Object>, StorageError> {
        std::future::pending().await
    }
    async fn get_range(&self, _: &Key, _: u64, _: u64) -> Result<Option<Object>, StorageError> {
        std::future::pending().await
    }
    async fn put_bytes(&self, _: &Key, _: Bytes) -> Result<Meta, StorageError> {
        std::future::pending().await
    }
    async fn upload(&self, _: &Key) -> Result<Box<dyn Upload>, StorageError> {
        std::future::pending().await
    }
    async fn list(&self, _: &Key) -> Result<Vec<Key>, StorageError> {
        std::future::pending().await
    }
    async fn delete(&self, _: &Key) -> Result<bool, StorageError> {
        std::future::pending().await
    }
    async fn sweep(&self, _: Duration) -> Result<usize, StorageError> {
        std::future::pending().await
    }
    async fn check_writable(&self) -> Result<(), StorageError> {
        std::future::pending().await
    }
    fn describe(&self) -> String {
        "hanging://".into()
    }
}

#[tokio::test]
async fn a_hanging_backup_delays_requests_once_then_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = Store::new(dir.path(), "p");
    let m = Mirrored::open(p.fs.clone(), Arc::new(Hanging), dir.path().join("q"))
        .unwrap()
        .with_backup_timeout(Duration::from_millis(200));
    let k = key("ex.com/m/@v/v1.0.0.mod");
    let t = std::time::Instant::now();
    m.put_bytes(&k, Bytes::from_static(b"module ex.com/m\n"))
        .await
        .unwrap();
    let first = t.elapsed();
    assert!(first >= Duration::from_millis(200), "{first:?}");
    assert_eq!(m.queue_depth(), 1);
    // Within the rest period: neither a write nor a miss waits for the backup.
    let t = std::time::Instant::now();
    m.put_bytes(&key("ex.com/m/@v/v1.1.0.mod"), Bytes::from_static(b"x"))
        .await
        .unwrap();
    assert!(m.get(&key("ex.com/m/@v/v9.mod")).await.unwrap().is_none());
    assert!(
        t.elapsed() < Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(m.queue_depth(), 2);
    assert_eq!(read(&m, &k).await.unwrap(), b"module ex.com/m\n");
}
