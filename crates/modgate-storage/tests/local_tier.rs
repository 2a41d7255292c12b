//! The local read-through tier over a real primary (a directory store, and S3
//! through s3s-fs when it is installed): bounded, least recently used out, mutable
//! files always from the primary, safe under concurrent readers.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use bytes::Bytes;
use modgate_storage::{
    FsStorage, Key, LocalTier, Storage, StorageError, TierObserver, open_with_spool,
};
use modgate_testkit::s3::S3;

fn key(s: &str) -> Key {
    Key::new(s).unwrap()
}

fn zip_key(i: usize) -> Key {
    key(&format!("example.com/m{i}/@v/v1.0.{i}.zip"))
}

fn content(n: usize, seed: usize) -> Bytes {
    (0..n)
        .map(|i| (i.wrapping_mul(7).wrapping_add(seed * 13)) as u8)
        .collect::<Vec<u8>>()
        .into()
}

async fn read(s: &dyn Storage, k: &Key) -> Option<Bytes> {
    match s.get(k).await.unwrap() {
        Some(obj) => Some(obj.into_bytes(k).await.unwrap()),
        None => None,
    }
}

/// Bytes of the tier's visible files (hidden sidecars and staging excluded).
fn tier_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            total += tier_bytes(&e.path());
        } else {
            total += e.metadata().unwrap().len();
        }
    }
    total
}

/// Counts what a tier reports.
#[derive(Default)]
struct Seen {
    hits: AtomicU64,
    misses: AtomicU64,
    evicted: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

impl TierObserver for Seen {
    fn read(&self, hit: bool) {
        let c = if hit { &self.hits } else { &self.misses };
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn evicted(&self, files: usize) {
        self.evicted
            .fetch_add(files as u64, std::sync::atomic::Ordering::Relaxed);
    }
    fn size(&self, files: usize, bytes: u64) {
        self.files
            .store(files as u64, std::sync::atomic::Ordering::Relaxed);
        self.bytes
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }
}

fn in_tier(dir: &Path, k: &Key) -> bool {
    dir.join(k.as_str()).is_file()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_least_recently_used_out() {
    let primary_dir = tempfile::tempdir().unwrap();
    let tier_dir = tempfile::tempdir().unwrap();
    let primary: Arc<dyn Storage> = Arc::new(FsStorage::open(primary_dir.path()).unwrap());
    let limit = 100 * 1024;
    let tier = LocalTier::open(primary.clone(), tier_dir.path(), limit).unwrap();
    let seen = Arc::new(Seen::default());
    tier.set_observer(seen.clone());
    let size = 10 * 1024;

    // Writes go to the primary and the tier; the tier never exceeds its limit.
    for i in 0..30 {
        if i % 2 == 0 {
            tier.put_bytes(&zip_key(i), content(size, i)).await.unwrap();
        } else {
            let mut up = tier.upload(&zip_key(i)).await.unwrap();
            up.write(content(size, i)).await.unwrap();
            up.commit().await.unwrap();
        }
        // Key 0 is used all the time: it must stay.
        assert_eq!(read(&tier, &zip_key(0)).await.unwrap(), content(size, 0));
        assert!(
            tier_bytes(tier_dir.path()) <= limit,
            "tier over its limit after {i}"
        );
        assert!(tier.stats().bytes <= limit);
    }
    assert!(
        in_tier(tier_dir.path(), &zip_key(0)),
        "the most used file was evicted"
    );
    assert!(!in_tier(tier_dir.path(), &zip_key(1)), "an old file stayed");
    assert!(in_tier(tier_dir.path(), &zip_key(29)));
    let stats = tier.stats();
    assert_eq!(stats.files, 10);
    eprintln!("after 30 writes of 10 KiB into 100 KiB: {stats:?}");
    // The observer saw the same.
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(seen.evicted.load(Relaxed), 20);
    assert_eq!(seen.files.load(Relaxed), 10);
    assert_eq!(seen.bytes.load(Relaxed), stats.bytes);
    assert_eq!(seen.hits.load(Relaxed), stats.hits);
    assert_eq!(seen.misses.load(Relaxed), stats.misses);

    // Everything is still served: evicted files from the primary, and read back in.
    for i in 0..30 {
        assert_eq!(read(&tier, &zip_key(i)).await.unwrap(), content(size, i));
        assert_eq!(
            primary.stat(&zip_key(i)).await.unwrap().unwrap().size,
            size as u64
        );
    }
    assert!(tier_bytes(tier_dir.path()) <= limit);
    assert!(in_tier(tier_dir.path(), &zip_key(29)));

    // A local copy answers with the primary's validator.
    let k = zip_key(29);
    assert_eq!(
        tier.stat(&k).await.unwrap().unwrap().etag,
        primary.stat(&k).await.unwrap().unwrap().etag
    );
    assert_eq!(
        tier.get(&k).await.unwrap().unwrap().meta,
        primary.stat(&k).await.unwrap().unwrap()
    );

    // Reopened on the same directory: the copies are still used (even with the
    // primary's copy gone), and a smaller limit trims the tier.
    drop(tier);
    std::fs::remove_file(primary_dir.path().join(k.as_str())).unwrap();
    let tier = LocalTier::open(primary.clone(), tier_dir.path(), 50 * 1024).unwrap();
    assert!(tier_bytes(tier_dir.path()) <= 50 * 1024);
    assert_eq!(tier.stats().files, 5);
    assert_eq!(read(&tier, &k).await.unwrap(), content(size, 29));
    let r = tier.get_range(&k, 100, 50).await.unwrap().unwrap();
    assert_eq!(r.meta.size, size as u64);

    // A file larger than the whole tier is served but not kept.
    let big = zip_key(99);
    primary
        .put_bytes(&big, content(60 * 1024, 99))
        .await
        .unwrap();
    assert_eq!(read(&tier, &big).await.unwrap(), content(60 * 1024, 99));
    assert!(!in_tier(tier_dir.path(), &big));

    // Deleting goes to both.
    assert!(tier.delete(&zip_key(28)).await.unwrap());
    assert!(!in_tier(tier_dir.path(), &zip_key(28)));
    assert!(primary.stat(&zip_key(28)).await.unwrap().is_none());
    assert!(tier.get(&zip_key(28)).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutable_files_always_come_from_the_primary() {
    let primary_dir = tempfile::tempdir().unwrap();
    let tier_dir = tempfile::tempdir().unwrap();
    let primary: Arc<dyn Storage> = Arc::new(FsStorage::open(primary_dir.path()).unwrap());
    let tier = LocalTier::open(primary.clone(), tier_dir.path(), 1 << 20).unwrap();
    for k in [
        "example.com/m/@v/list",
        "example.com/m/@latest",
        "example.com/m/@v/master.info",
        "sumdb/sum.golang.org/latest",
        "vuln/index/modules.json",
    ] {
        let k = key(k);
        tier.put_bytes(&k, Bytes::from_static(b"one"))
            .await
            .unwrap();
        assert_eq!(read(&tier, &k).await.unwrap(), Bytes::from_static(b"one"));
        assert!(!in_tier(tier_dir.path(), &k), "{k} kept locally");
        // Another replica changes it in the primary: seen at once.
        primary
            .put_bytes(&k, Bytes::from_static(b"two"))
            .await
            .unwrap();
        assert_eq!(read(&tier, &k).await.unwrap(), Bytes::from_static(b"two"));
        assert_eq!(
            tier.stat(&k).await.unwrap().unwrap(),
            primary.stat(&k).await.unwrap().unwrap()
        );
    }
    assert_eq!(tier_bytes(tier_dir.path()), 0);
    // Immutable ones are kept, and a read of one written elsewhere fills the tier.
    let info = key("example.com/m/@v/v1.0.0.info");
    primary
        .put_bytes(&info, Bytes::from_static(b"{\"Version\":\"v1.0.0\"}"))
        .await
        .unwrap();
    assert!(!in_tier(tier_dir.path(), &info));
    read(&tier, &info).await.unwrap();
    assert!(in_tier(tier_dir.path(), &info));
    let stats = tier.stats();
    assert_eq!((stats.hits, stats.misses), (0, 1));
    read(&tier, &info).await.unwrap();
    assert_eq!(tier.stats().hits, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_readers_under_eviction() {
    let primary_dir = tempfile::tempdir().unwrap();
    let tier_dir = tempfile::tempdir().unwrap();
    let primary: Arc<dyn Storage> = Arc::new(FsStorage::open(primary_dir.path()).unwrap());
    // 40 files of 100 KiB (large enough to be streamed) through a 1 MiB tier:
    // constant eviction while others read.
    let size = 100 * 1024;
    for i in 0..40 {
        primary
            .put_bytes(&zip_key(i), content(size, i))
            .await
            .unwrap();
    }
    let limit = 1024 * 1024;
    let tier = Arc::new(LocalTier::open(primary.clone(), tier_dir.path(), limit).unwrap());
    let mut tasks = Vec::new();
    for t in 0..16usize {
        let tier = tier.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..40usize {
                let i = (t * 7 + j * 3) % 40;
                let k = zip_key(i);
                let got = match j % 3 {
                    0 => {
                        let r = tier.get_range(&k, 1000, 5000).await.unwrap().unwrap();
                        let mut buf = Vec::new();
                        tokio::io::AsyncReadExt::read_to_end(&mut r.body.into_reader(), &mut buf)
                            .await
                            .unwrap();
                        assert_eq!(buf, content(size, i).slice(1000..6000), "range of {i}");
                        continue;
                    }
                    _ => read(tier.as_ref(), &k).await.unwrap(),
                };
                assert_eq!(got, content(size, i), "file {i}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let stats = tier.stats();
    eprintln!("16 readers x 40 reads of 100 KiB files through a 1 MiB tier: {stats:?}");
    assert!(stats.bytes <= limit);
    assert!(tier_bytes(tier_dir.path()) <= limit);
    assert!(stats.hits > 0 && stats.misses > 0);
    // No temporary files left behind.
    let staging: Vec<_> = std::fs::read_dir(tier_dir.path().join(".tmp"))
        .unwrap()
        .flatten()
        .collect();
    assert!(staging.is_empty(), "{staging:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_s3_the_tier_gives_the_stores_etag() {
    let Some(server) = S3::start() else { return };
    server.create_bucket("tier");
    let spool = tempfile::tempdir().unwrap();
    let primary = open_with_spool("s3://tier/p", &server.options(), Some(spool.path()))
        .await
        .unwrap();
    let tier_dir = tempfile::tempdir().unwrap();
    let tier = LocalTier::open(primary.clone(), tier_dir.path(), 1 << 20).unwrap();
    let k = key("example.com/s/@v/v1.0.0.zip");
    let data = content(200 * 1024, 3);
    // Written through another replica (straight to the store), then read here.
    let meta = primary.put_bytes(&k, data.clone()).await.unwrap();
    assert!(meta.etag.starts_with("\"sha256-"));
    assert_eq!(read(&tier, &k).await.unwrap(), data);
    assert!(in_tier(tier_dir.path(), &k));
    assert_eq!(tier.stat(&k).await.unwrap().unwrap().etag, meta.etag);
    assert_eq!(tier.get(&k).await.unwrap().unwrap().meta.etag, meta.etag);
    // Size, ETag and time: what the store says (its Last-Modified, too).
    assert_eq!(
        tier.stat(&k).await.unwrap().unwrap(),
        primary.stat(&k).await.unwrap().unwrap()
    );
    assert_eq!(meta, primary.stat(&k).await.unwrap().unwrap());
    // A second tier in front of the same store agrees.
    let dir2 = tempfile::tempdir().unwrap();
    let tier2 = LocalTier::open(primary.clone(), dir2.path(), 1 << 20).unwrap();
    let mut up = tier2
        .upload(&key("example.com/s/@v/v1.0.0.mod"))
        .await
        .unwrap();
    up.write(Bytes::from_static(b"module example.com/s\n"))
        .await
        .unwrap();
    let m2 = up.commit().await.unwrap();
    assert_eq!(
        tier.stat(&key("example.com/s/@v/v1.0.0.mod"))
            .await
            .unwrap()
            .unwrap()
            .etag,
        m2.etag
    );
    assert_eq!(tier2.stat(&k).await.unwrap().unwrap().etag, meta.etag);

    // An object corrupted in the store (same size, other bytes) no longer matches
    // the hash recorded with it: a tier neither keeps nor serves it.
    let bad = key("example.com/s/@v/v2.0.0.zip");
    let good = content(100 * 1024, 8);
    primary.put_bytes(&bad, good.clone()).await.unwrap();
    let on_disk = server.root().join("tier/p").join(bad.as_str());
    let mut corrupt = good.to_vec();
    corrupt[50_000] ^= 0xff;
    std::fs::write(&on_disk, &corrupt).unwrap();
    let dir3 = tempfile::tempdir().unwrap();
    let tier3 = LocalTier::open(primary.clone(), dir3.path(), 1 << 20).unwrap();
    let err = tier3
        .get(&bad)
        .await
        .expect_err("a corrupt object is refused");
    assert!(err.to_string().contains("the store recorded"), "{err}");
    assert!(!in_tier(dir3.path(), &bad));
    assert_eq!(tier3.stats().files, 0);
}

/// A directory store that counts whole reads.
struct CountingReads {
    inner: FsStorage,
    gets: AtomicU64,
}

#[async_trait::async_trait]
impl Storage for CountingReads {
    async fn stat(&self, key: &Key) -> Result<Option<modgate_storage::Meta>, StorageError> {
        self.inner.stat(key).await
    }
    async fn get(&self, key: &Key) -> Result<Option<modgate_storage::Object>, StorageError> {
        self.gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Slow enough that the other readers arrive while it is being copied.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        self.inner.get(key).await
    }
    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<modgate_storage::Object>, StorageError> {
        self.inner.get_range(key, offset, len).await
    }
    async fn put_bytes(
        &self,
        key: &Key,
        data: Bytes,
    ) -> Result<modgate_storage::Meta, StorageError> {
        self.inner.put_bytes(key, data).await
    }
    async fn upload(&self, key: &Key) -> Result<Box<dyn modgate_storage::Upload>, StorageError> {
        self.inner.upload(key).await
    }
    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        self.inner.delete(key).await
    }
    async fn sweep(&self, older_than: std::time::Duration) -> Result<usize, StorageError> {
        self.inner.sweep(older_than).await
    }
    async fn check_writable(&self) -> Result<(), StorageError> {
        self.inner.check_writable().await
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_readers_of_a_cold_file_share_one_copy() {
    let primary_dir = tempfile::tempdir().unwrap();
    let tier_dir = tempfile::tempdir().unwrap();
    let primary = Arc::new(CountingReads {
        inner: FsStorage::open(primary_dir.path()).unwrap(),
        gets: AtomicU64::new(0),
    });
    let k = zip_key(1);
    let data = content(512 * 1024, 1);
    primary.put_bytes(&k, data.clone()).await.unwrap();
    let tier = Arc::new(LocalTier::open(primary.clone(), tier_dir.path(), 1 << 20).unwrap());
    let readers: Vec<_> = (0..32)
        .map(|_| {
            let (tier, k) = (tier.clone(), k.clone());
            tokio::spawn(async move { read(tier.as_ref(), &k).await.unwrap() })
        })
        .collect();
    for r in readers {
        assert_eq!(r.await.unwrap(), data);
    }
    let stats = tier.stats();
    assert_eq!(
        primary.gets.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "{stats:?}"
    );
    assert_eq!((stats.misses, stats.hits), (1, 31));
}
