//! The fill pipeline without HTTP, as `warm` and `audit` will use it: a `file://`
//! upstream tree built with the core's zip writer, a store that counts its round
//! trips, and the answers and events the cache gives.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use modgate_cache::verify::Verifier;
use modgate_cache::{
    Answer, Cache, CacheError, Fetching, ModuleRequest, Observer, Options, Origin, Parts,
};
use modgate_storage::{Conditional, FsStorage, Key, Meta, Object, Storage, StorageError, Upload};
use modgate_upstream::{BreakerSettings, Client, ClientConfig, Routes, UpstreamList};
use tokio::io::AsyncReadExt;

/// A store that counts every call, by operation.
struct Counting {
    inner: FsStorage,
    calls: Mutex<HashMap<&'static str, usize>>,
}

impl Counting {
    fn count(&self, op: &'static str) {
        *self.calls.lock().unwrap().entry(op).or_default() += 1;
    }
    fn take(&self) -> HashMap<&'static str, usize> {
        std::mem::take(&mut self.calls.lock().unwrap())
    }
}

#[async_trait]
impl Storage for Counting {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        self.count("stat");
        self.inner.stat(key).await
    }
    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        self.count("get");
        self.inner.get(key).await
    }
    async fn get_range(&self, key: &Key, o: u64, l: u64) -> Result<Option<Object>, StorageError> {
        self.count("get_range");
        self.inner.get_range(key, o, l).await
    }
    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        self.count("put");
        self.inner.put_bytes(key, data).await
    }
    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        self.count("upload");
        self.inner.upload(key).await
    }
    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        self.count("put_if_absent");
        self.inner.put_if_absent(key, data).await
    }
    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        self.count("list");
        self.inner.list(prefix).await
    }
    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        self.count("delete");
        self.inner.delete(key).await
    }
    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError> {
        self.inner.sweep(older_than).await
    }
    async fn check_writable(&self) -> Result<(), StorageError> {
        self.inner.check_writable().await
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[derive(Default)]
struct Events(Mutex<Vec<(&'static str, Origin)>>);
impl Observer for Events {
    fn answered(&self, endpoint: &'static str, origin: Origin) {
        self.0.lock().unwrap().push((endpoint, origin));
    }
}

/// A `file://` GOPROXY tree with example.com/m v1.0.0 and v1.1.0 (zips by the core).
fn upstream_tree(root: &Path) {
    for v in ["v1.0.0", "v1.1.0"] {
        let src = root.join("src").join(v);
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("go.mod"), "module example.com/m\n").unwrap();
        std::fs::write(src.join("m.go"), format!("package m // {v}\n")).unwrap();
        let dir = root.join("tree/example.com/m/@v");
        std::fs::create_dir_all(&dir).unwrap();
        let zip = std::fs::File::create(dir.join(format!("{v}.zip"))).unwrap();
        let m = modgate_core::module::Version {
            path: "example.com/m".into(),
            version: v.into(),
        };
        modgate_core::zip::create_from_dir(zip, &m, &src).unwrap();
        std::fs::write(dir.join(format!("{v}.mod")), "module example.com/m\n").unwrap();
        std::fs::write(
            dir.join(format!("{v}.info")),
            format!("{{\"Version\":\"{v}\",\"Time\":\"2024-01-01T00:00:00Z\"}}"),
        )
        .unwrap();
    }
    std::fs::write(root.join("tree/example.com/m/@v/list"), "v1.0.0\nv1.1.0\n").unwrap();
}

struct Lab {
    _dir: tempfile::TempDir,
    store: Arc<Counting>,
    cache: Arc<Cache>,
    events: Arc<Events>,
    tree: std::path::PathBuf,
}

fn lab(upstream_root: Option<&Path>) -> Lab {
    let dir = tempfile::tempdir().unwrap();
    upstream_tree(dir.path());
    let tree = dir.path().join("tree");
    let fs = FsStorage::open(dir.path().join("data")).unwrap();
    let spool = fs.spool_dir().to_owned();
    let store = Arc::new(Counting {
        inner: fs,
        calls: Mutex::default(),
    });
    let cfg = ClientConfig {
        proxy_env: Some(Default::default()),
        retries: 0,
        resolver: Some(Arc::new(modgate_vcs::Table::default())),
        ..ClientConfig::default()
    };
    let client = Client::new(cfg, spool).unwrap();
    let root = upstream_root.unwrap_or(&tree);
    let list = UpstreamList::parse(
        &format!("file://{}", root.display()),
        BreakerSettings {
            threshold: 100,
            cooldown: Duration::from_secs(1),
        },
    )
    .unwrap();
    let routes = Routes::new(list, Vec::new(), "").unwrap();
    let events = Arc::new(Events::default());
    let cache = Cache::new(Parts {
        storage: store.clone(),
        client,
        routes,
        options: Options {
            fresh_for: Duration::ZERO,
            stale_while_revalidate: Duration::ZERO,
            ..Options::default()
        },
        verifier: Verifier::new(None, ""),
        sumdb: None,
    })
    .with_observer(events.clone());
    Lab {
        _dir: dir,
        store,
        cache: Arc::new(cache),
        events,
        tree,
    }
}

fn req(path: &str) -> ModuleRequest {
    modgate_cache::request::parse_module(path).unwrap()
}

async fn bytes_of(a: Answer) -> Vec<u8> {
    match a {
        Answer::Stored { body, .. } => {
            let mut v = Vec::new();
            body.into_reader().read_to_end(&mut v).await.unwrap();
            v
        }
        Answer::Computed { data, .. } => data.to_vec(),
    }
}

fn calls(pairs: &[(&'static str, usize)]) -> HashMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

#[tokio::test]
async fn a_miss_costs_one_round_trip_before_the_fetch_and_one_after() {
    let lab = lab(None);
    let mod_req = req("example.com/m/@v/v1.0.0.mod");
    let a = lab.cache.module(&mod_req, Fetching::Allowed).await.unwrap();
    assert_eq!(a.origin(), Origin::Miss);
    assert_eq!(bytes_of(a).await, b"module example.com/m\n");
    // The file, and the hash it was verified with (`.modhash`, for the scrub).
    assert_eq!(lab.store.take(), calls(&[("get", 1), ("put", 2)]));
    // Small immutable files are then answered from memory: no storage call.
    let a = lab.cache.module(&mod_req, Fetching::Allowed).await.unwrap();
    assert_eq!(a.origin(), Origin::Hit);
    assert_eq!(lab.store.take(), calls(&[]));

    // A zip: one read that misses, its recorded hash (`.ziphash`), one upload;
    // answered from the spooled file.
    let zip_req = req("example.com/m/@v/v1.1.0.zip");
    let a = lab.cache.module(&zip_req, Fetching::Allowed).await.unwrap();
    let want = std::fs::read(lab.tree.join("example.com/m/@v/v1.1.0.zip")).unwrap();
    assert_eq!(bytes_of(a).await, want);
    assert_eq!(
        lab.store.take(),
        calls(&[("get", 1), ("put", 1), ("upload", 1)])
    );
    let a = lab.cache.module(&zip_req, Fetching::Allowed).await.unwrap();
    assert_eq!(a.origin(), Origin::Hit);
    assert_eq!(bytes_of(a).await, want);
}

#[tokio::test]
async fn not_found_is_remembered_and_says_so() {
    let lab = lab(None);
    let missing = req("example.com/m/@v/v1.9.0.info");
    for remembered in [false, true] {
        match lab.cache.module(&missing, Fetching::Allowed).await {
            Err(CacheError::NotFound { remembered: r, .. }) => assert_eq!(r, remembered),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("found"),
        }
    }
    let events = lab.events.0.lock().unwrap().clone();
    assert_eq!(events, [("info", Origin::Miss), ("info", Origin::Negative)]);
}

#[tokio::test]
async fn fetching_disabled_answers_from_storage_only() {
    let lab = lab(None);
    let info = req("example.com/m/@v/v1.0.0.info");
    lab.cache.module(&info, Fetching::Allowed).await.unwrap();
    let list = req("example.com/m/@v/list");
    let a = lab.cache.module(&list, Fetching::Disabled).await.unwrap();
    assert_eq!(a.origin(), Origin::Offline);
    assert_eq!(bytes_of(a).await, b"v1.0.0\n", "only what is stored");
    let e = lab
        .cache
        .module(&req("example.com/m/@v/v1.1.0.mod"), Fetching::Disabled)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("fetching is disabled"), "{e}");
}

#[tokio::test]
async fn an_unavailable_upstream_leaves_lists_and_latest_to_storage() {
    // The upstream tree is "unmounted": its root does not exist.
    let gone = tempfile::tempdir().unwrap();
    let lab = lab(Some(&gone.path().join("unmounted")));
    // Seed the store as an earlier fill would have.
    for v in ["v1.0.0", "v1.1.0"] {
        let k = Key::new(format!("example.com/m/@v/{v}.info")).unwrap();
        let data = std::fs::read(lab.tree.join(format!("example.com/m/@v/{v}.info"))).unwrap();
        lab.store.inner.put_bytes(&k, data.into()).await.unwrap();
    }
    let a = lab
        .cache
        .module(&req("example.com/m/@v/list"), Fetching::Allowed)
        .await
        .unwrap();
    assert_eq!(a.origin(), Origin::Unavailable);
    assert_eq!(bytes_of(a).await, b"v1.0.0\nv1.1.0\n");
    let a = lab
        .cache
        .module(&req("example.com/m/@latest"), Fetching::Allowed)
        .await
        .unwrap();
    assert_eq!(a.origin(), Origin::Unavailable);
    assert!(
        String::from_utf8(bytes_of(a).await)
            .unwrap()
            .contains("v1.1.0")
    );
    // A module nothing is stored of gets the upstream's error, not an empty list.
    let e = lab
        .cache
        .module(&req("example.com/other/@v/list"), Fetching::Allowed)
        .await
        .err()
        .unwrap();
    assert!(e.is_unavailable(), "{e}");
}
