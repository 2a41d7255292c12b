//! Replicas coordinated through a real redis-server (modgate-testkit starts it):
//! several `Cache`s over one store directory, each with its own coordination, as
//! separate `modgate serve` processes would be; the upstream is a counting fixture
//! server over a tree whose zips the core's writer made.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use modgate_cache::flight::Turn;
use modgate_cache::verify::Verifier;
use modgate_cache::{Answer, Cache, CacheError, Fetching, Options, Parts};
use modgate_coord::{CoordObserver, Coordination};
use modgate_storage::{FsStorage, Key, Storage};
use modgate_testkit::redis::Redis;
use modgate_testkit::upstream::Counting;
use modgate_upstream::{BreakerSettings, Client, ClientConfig, Routes, UpstreamList};
use tokio::io::AsyncReadExt;

/// Counts what coordination reports.
#[derive(Default)]
struct Counts {
    fallbacks: AtomicU64,
    up: AtomicBool,
}

impl CoordObserver for Counts {
    fn fallback(&self, _operation: &'static str) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
    }
    fn up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
    }
}

struct Replica {
    cache: Arc<Cache>,
    coord: Coordination,
    counts: Arc<Counts>,
}

/// A replica over the store in `data`, fetching from `upstream`.
fn replica(data: &Path, upstream: &str, redis: &str, ttl: Duration) -> Replica {
    let fs = FsStorage::open(data).unwrap();
    let spool = fs.spool_dir().to_owned();
    let storage: Arc<dyn Storage> = Arc::new(fs);
    let cfg = ClientConfig {
        proxy_env: Some(Default::default()),
        retries: 0,
        ..ClientConfig::default()
    };
    let client = Client::new(cfg, spool).unwrap();
    let breaker = BreakerSettings {
        threshold: 1000,
        cooldown: Duration::from_secs(1),
    };
    let routes = Routes::new(
        UpstreamList::parse(upstream, breaker).unwrap(),
        Vec::new(),
        "",
    )
    .unwrap();
    let counts = Arc::new(Counts::default());
    let coord = Coordination::open(redis, ttl, counts.clone()).unwrap();
    let cache = Cache::new(Parts {
        storage,
        client,
        routes,
        options: Options {
            fresh_for: Duration::from_secs(30),
            negative_ttl: Duration::from_secs(30),
            ..Options::default()
        },
        verifier: Verifier::new(None, ""),
        sumdb: None,
    })
    .with_flights(coord.flights())
    .with_negative_cache(coord.negative())
    .with_freshness(coord.freshness());
    Replica {
        cache: Arc::new(cache),
        coord,
        counts,
    }
}

/// `example.com/m<i>@v1.0.0` for each i, as a GOPROXY tree (zips by the core).
fn publish(root: &Path, modules: std::ops::Range<usize>) {
    for i in modules {
        let path = format!("example.com/m{i}");
        let src = root.join("src").join(i.to_string());
        std::fs::create_dir_all(&src).unwrap();
        let gomod = format!("module {path}\n");
        std::fs::write(src.join("go.mod"), &gomod).unwrap();
        std::fs::write(src.join("m.go"), format!("package m{i}\n")).unwrap();
        let dir = root.join("tree").join(&path).join("@v");
        std::fs::create_dir_all(&dir).unwrap();
        let zip = std::fs::File::create(dir.join("v1.0.0.zip")).unwrap();
        let m = modgate_core::module::Version::new(&path, "v1.0.0");
        modgate_core::zip::create_from_dir(zip, &m, &src).unwrap();
        std::fs::write(dir.join("v1.0.0.mod"), gomod).unwrap();
        std::fs::write(
            dir.join("v1.0.0.info"),
            "{\"Version\":\"v1.0.0\",\"Time\":\"2026-01-02T03:04:05Z\"}",
        )
        .unwrap();
        std::fs::write(dir.join("list"), "v1.0.0\n").unwrap();
    }
}

/// The module files of modules `range`: (request path, upstream path).
fn files(range: std::ops::Range<usize>) -> Vec<String> {
    range
        .flat_map(|i| {
            ["info", "mod", "zip"].map(|ext| format!("/example.com/m{i}/@v/v1.0.0.{ext}"))
        })
        .collect()
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

/// Asks `replica` for `path` and checks the bytes against the upstream tree.
async fn fetch_right(cache: Arc<Cache>, tree: &Path, path: &str) -> Result<(), String> {
    let req = modgate_cache::request::parse_module(path.trim_start_matches('/')).unwrap();
    let answer = cache
        .module(&req, Fetching::Allowed)
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let want = std::fs::read(tree.join(path.trim_start_matches('/'))).unwrap();
    if bytes_of(answer).await != want {
        return Err(format!("{path}: wrong bytes"));
    }
    Ok(())
}

/// `clients` concurrent requests for each of `paths`, spread over `replicas`;
/// every error, listed.
async fn burst(
    replicas: &[&Replica],
    tree: &Path,
    paths: &[String],
    clients: usize,
) -> Vec<String> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        for (j, p) in paths.iter().enumerate() {
            let cache = replicas[(c + j) % replicas.len()].cache.clone();
            let (tree, p) = (tree.to_path_buf(), p.clone());
            tasks.push(tokio::spawn(
                async move { fetch_right(cache, &tree, &p).await },
            ));
        }
    }
    let mut errors = Vec::new();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            errors.push(e);
        }
    }
    errors
}

fn lab() -> Option<(Redis, tempfile::TempDir)> {
    let redis = Redis::start()?;
    Some((redis, tempfile::tempdir().unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_fetch_each_cold_file_once() {
    let Some((redis, dir)) = lab() else { return };
    publish(dir.path(), 0..20);
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    // Held back so that every request arrives while the fetches run.
    upstream.delay(Some(("", Duration::from_millis(300))));
    let data = dir.path().join("data");
    let r: Vec<Replica> = (0..3)
        .map(|_| replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5)))
        .collect();
    let paths = files(0..20);
    let started = Instant::now();
    let errors = burst(&[&r[0], &r[1], &r[2]], &tree, &paths, 5).await;
    eprintln!(
        "measured: 300 requests for 60 cold files over 3 replicas in {:?} (upstream holds each 300 ms)",
        started.elapsed()
    );
    assert!(errors.is_empty(), "{errors:#?}");
    for p in &paths {
        assert_eq!(upstream.hits(p), 1, "{p}: {:#?}", upstream.all_hits());
    }
    for x in &r {
        assert_eq!(x.counts.fallbacks.load(Ordering::Relaxed), 0);
        assert!(x.coord.is_up());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_keep_succeeding_while_redis_is_down_and_coordination_comes_back() {
    let Some((mut redis, dir)) = lab() else {
        return;
    };
    publish(dir.path(), 0..6);
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    let data = dir.path().join("data");
    let (a, b) = (
        replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5)),
        replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5)),
    );
    a.coord.watch();
    b.coord.watch();
    let errors = burst(&[&a, &b], &tree, &files(0..2), 3).await;
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(a.coord.is_up() && b.coord.is_up());

    redis.kill();
    let started = Instant::now();
    let errors = burst(&[&a, &b], &tree, &files(2..4), 3).await;
    assert!(errors.is_empty(), "Redis down: {errors:#?}");
    let took = started.elapsed();
    eprintln!("measured: 12 requests with Redis killed answered in {took:?}");
    assert!(
        took < Duration::from_secs(5),
        "falling back must be quick: {took:?}"
    );
    let fallbacks =
        a.counts.fallbacks.load(Ordering::Relaxed) + b.counts.fallbacks.load(Ordering::Relaxed);
    assert!(fallbacks > 0, "fallbacks are counted");
    assert!(!a.coord.is_up() && !a.counts.up.load(Ordering::Relaxed));
    // Each replica fetched on its own at most once per file meanwhile.
    for p in files(2..4) {
        assert!(
            (1..=2).contains(&upstream.hits(&p)),
            "{p}: {}",
            upstream.hits(&p)
        );
    }

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    // Both replicas see Redis again (their pings, every 2 s, close the circuit).
    while !(a.counts.up.load(Ordering::Relaxed) && b.counts.up.load(Ordering::Relaxed)) {
        assert!(Instant::now() < deadline, "coordination did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let fallbacks = |r: &Replica| r.counts.fallbacks.load(Ordering::Relaxed);
    let before = fallbacks(&a) + fallbacks(&b);
    let errors = burst(&[&a, &b], &tree, &files(4..6), 3).await;
    assert!(errors.is_empty(), "{errors:#?}");
    for p in files(4..6) {
        assert_eq!(upstream.hits(&p), 1, "{p}: coordinated again");
    }
    assert_eq!(
        fallbacks(&a) + fallbacks(&b),
        before,
        "no fallback once Redis is back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_costs_nothing_but_the_fallback() {
    let Some((mut redis, dir)) = lab() else {
        return;
    };
    redis.kill();
    publish(dir.path(), 0..2);
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    let a = replica(
        &dir.path().join("data"),
        &upstream.url(),
        &redis.url(),
        Duration::from_secs(5),
    );
    let started = Instant::now();
    let errors = burst(&[&a], &tree, &files(0..2), 4).await;
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    for p in files(0..2) {
        assert_eq!(upstream.hits(&p), 1, "{p}: in-process single flight");
    }
    assert!(a.counts.fallbacks.load(Ordering::Relaxed) > 0);
    assert!(!a.coord.is_up());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_and_freshness_are_shared() {
    let Some((redis, dir)) = lab() else { return };
    publish(dir.path(), 0..1);
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    let data = dir.path().join("data");
    let (a, b) = (
        replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5)),
        replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5)),
    );
    let missing = "example.com/nope/@v/v1.0.0.info";
    let req = modgate_cache::request::parse_module(missing).unwrap();
    let first = a.cache.module(&req, Fetching::Allowed).await.err().unwrap();
    assert!(
        matches!(
            first,
            CacheError::NotFound {
                remembered: false,
                ..
            }
        ),
        "{first}"
    );
    let second = b.cache.module(&req, Fetching::Allowed).await.err().unwrap();
    match &second {
        CacheError::NotFound {
            remembered,
            message,
        } => {
            assert!(remembered, "B answers from A's not-found");
            assert_eq!(message, &first.to_string(), "with A's message");
        }
        other => panic!("{other}"),
    }
    assert_eq!(upstream.hits(&format!("/{missing}")), 1);

    // A confirms a list now; B, whose stored copy is older, sees A's time.
    let key = Key::new("example.com/m0/@v/list").unwrap();
    let old = modgate_storage::Meta {
        size: 7,
        modified: std::time::SystemTime::now() - Duration::from_secs(3600),
        etag: "\"x\"".into(),
    };
    let (fa, fb) = (a.coord.freshness(), b.coord.freshness());
    assert_eq!(fb.confirmed_at(&key, &old).await, old.modified);
    fa.confirmed(&key).await;
    let seen = fb.confirmed_at(&key, &old).await;
    assert!(
        seen.elapsed().unwrap() < Duration::from_secs(5),
        "B sees A's confirmation: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trusted_tree_moves_only_forward_across_replicas() {
    use modgate_cache::tree::{StoredTree, TreeStore};
    use modgate_core::sumdb::memdb::MemDb;
    let Some((mut redis, dir)) = lab() else {
        return;
    };
    let (skey, _) = modgate_core::sumdb::note::generate_key("sum.test", &[3u8; 32]);
    let mut db = MemDb::from_signer_key(&skey).unwrap();
    let mut notes = Vec::new();
    for i in 0..3 {
        db.add(
            &format!("example.com/m{i}"),
            "v1.0.0",
            format!("example.com/m{i} v1.0.0 h1:x=\n").as_bytes(),
        )
        .unwrap();
        notes.push(bytes::Bytes::from(db.signed_tree().unwrap()));
    }
    let storage: Arc<dyn Storage> = Arc::new(FsStorage::open(dir.path().join("data")).unwrap());
    let key = Key::new("sumdb/sum.test/modgate-trusted-tree").unwrap();
    let stored = || Arc::new(StoredTree::new(storage.clone(), key.clone()));
    let url = redis.url();
    let open =
        || Coordination::open(&url, Duration::from_secs(5), Arc::new(Counts::default())).unwrap();
    let (a, b) = (
        open().tree("sum.test", stored()),
        open().tree("sum.test", stored()),
    );
    assert!(a.shared());
    assert_eq!(a.load().await.unwrap(), None);
    assert!(a.swap(None, notes[0].clone()).await.unwrap());
    assert_eq!(b.load().await.unwrap().as_ref(), Some(&notes[0]));
    assert!(
        !b.swap(None, notes[1].clone()).await.unwrap(),
        "B read nothing: stale"
    );
    assert!(a.swap(Some(&notes[0]), notes[2].clone()).await.unwrap());
    assert!(
        !b.swap(Some(&notes[0]), notes[1].clone()).await.unwrap(),
        "a swap from the note B read before A moved it is refused"
    );
    assert_eq!(b.load().await.unwrap().as_ref(), Some(&notes[2]));
    // The store's copy follows, and seeds a Redis that lost everything.
    assert_eq!(stored().load().await.unwrap().as_ref(), Some(&notes[2]));
    redis.restart();
    let c = open().tree("sum.test", stored());
    assert_eq!(c.load().await.unwrap().as_ref(), Some(&notes[2]));
    assert!(!c.swap(Some(&notes[0]), notes[1].clone()).await.unwrap());
}

#[test]
fn a_leader_whose_lease_expired_can_neither_store_nor_publish() {
    let Some(redis) = Redis::start() else { return };
    let ttl = Duration::from_millis(600);
    let url = redis.url();
    let key = Key::new("example.com/m/@v/v1.0.0.zip").unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<&'static str>();
    let (url2, key2) = (url.clone(), key.clone());
    // The first leader runs on a runtime of its own thread, which then blocks:
    // a paused process, whose renewals cannot run.
    let paused = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let coord = Coordination::open(&url2, ttl, Arc::new(Counts::default())).unwrap();
            let Turn::Lead(lead) = coord.flights().join(&key2).await else {
                panic!("first joiner leads")
            };
            tx.send("leading").unwrap();
            std::thread::sleep(ttl * 3);
            let still = lead.still_leading().await;
            lead.finish(&Ok(())).await;
            still
        })
    });
    assert_eq!(rx.recv().unwrap(), "leading");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (b, c) = (
            Coordination::open(&url, ttl, Arc::new(Counts::default())).unwrap(),
            Coordination::open(&url, ttl, Arc::new(Counts::default())).unwrap(),
        );
        let (fb, fc) = (b.flights(), c.flights());
        // While the first lease lives, B follows.
        let Turn::Follow(_) = fb.join(&key).await else {
            panic!("lease held")
        };
        // After it expired, B takes over.
        let deadline = Instant::now() + ttl * 3;
        let lead = loop {
            assert!(
                Instant::now() < deadline,
                "the expired lease was not taken over"
            );
            match fb.join(&key).await {
                Turn::Lead(l) => break l,
                Turn::Follow(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        // The paused leader wakes up, finds its lease gone, and its finish publishes
        // nothing: B's lease stands, C follows B and gets B's outcome only.
        assert!(!paused.join().unwrap(), "the paused leader no longer leads");
        let Turn::Follow(wait) = fc.join(&key).await else {
            panic!("B's lease stands")
        };
        let waiting = tokio::spawn(wait.wait());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(lead.still_leading().await);
        lead.finish(&Err(CacheError::not_found("not found: B's answer")))
            .await;
        match tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap()
        {
            Some(Err(CacheError::NotFound { message, .. })) => {
                assert_eq!(message, "not found: B's answer")
            }
            other => panic!("{:?}", other.map(|o| o.map_err(|e| e.to_string()))),
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_takes_over_when_the_lease_expires_without_an_outcome() {
    let Some((redis, _dir)) = lab() else { return };
    let ttl = Duration::from_millis(600);
    let key = Key::new("example.com/m/@v/v1.0.0.mod").unwrap();
    let url = redis.url();
    // The leader's runtime ends with its lead neither finished nor dropped, as when
    // its process is killed: its renewals stop, its lease is left to expire.
    let (url2, key2) = (url.clone(), key.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let coord = Coordination::open(&url2, ttl, Arc::new(Counts::default())).unwrap();
            let Turn::Lead(lead) = coord.flights().join(&key2).await else {
                panic!()
            };
            std::mem::forget(lead);
        });
    })
    .join()
    .unwrap();
    let b = Coordination::open(&url, ttl, Arc::new(Counts::default()))
        .unwrap()
        .flights();
    let Turn::Follow(wait) = b.join(&key).await else {
        panic!("the dead leader's lease holds")
    };
    let started = Instant::now();
    assert!(
        wait.wait().await.is_none(),
        "the wait ends empty: join again"
    );
    assert!(started.elapsed() < ttl * 4, "{:?}", started.elapsed());
    let Turn::Lead(_) = b.join(&key).await else {
        panic!("the follower takes over")
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fill_whose_lease_was_taken_stores_nothing_and_joins_the_new_holder() {
    let Some((redis, dir)) = lab() else { return };
    publish(dir.path(), 0..1);
    let tree = dir.path().join("tree");
    let upstream = Counting::start(&tree);
    upstream.delay(Some((".zip", Duration::from_secs(1))));
    let data = dir.path().join("data");
    let a = replica(&data, &upstream.url(), &redis.url(), Duration::from_secs(5));
    let zip = "/example.com/m0/@v/v1.0.0.zip";
    let started = Instant::now();
    let fill = tokio::spawn({
        let (cache, tree) = (a.cache.clone(), tree.clone());
        async move { fetch_right(cache, &tree, zip).await }
    });
    while upstream.hits(zip) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Another holder takes the lease mid-fetch (as after an expiry during a pause),
    // and then vanishes without a word: its lease runs out 2 s later.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let lease = format!("modgate:lease:{}", zip.trim_start_matches('/'));
    redis::cmd("SET")
        .arg(&lease)
        .arg(1_000_000_000u64)
        .arg("PX")
        .arg(2000)
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
    // The first fetch ends at ~1 s; its fill must not store what it fetched.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let key = Key::new(zip.trim_start_matches('/')).unwrap();
    assert!(
        a.cache.storage().stat(&key).await.unwrap().is_none(),
        "a superseded leader stored its fetch"
    );
    assert_eq!(
        upstream.hits(zip),
        1,
        "no second fetch while the new holder lives"
    );
    assert!(!fill.is_finished(), "it waits on the new holder");
    // The new holder's lease expires; the fill takes over, fetches and answers.
    fill.await.unwrap().unwrap();
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(upstream.hits(zip), 2);
    assert!(a.cache.storage().stat(&key).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_answer_what_the_leader_failed_with() {
    let Some((redis, _dir)) = lab() else { return };
    let open = || {
        Coordination::open(
            &redis.url(),
            Duration::from_secs(5),
            Arc::new(Counts::default()),
        )
        .unwrap()
        .flights()
    };
    let (a, b) = (open(), open());
    let key = Key::new("example.com/m/@v/v1.0.0.info").unwrap();
    let Turn::Lead(lead) = a.join(&key).await else {
        panic!()
    };
    let Turn::Follow(wait) = b.join(&key).await else {
        panic!()
    };
    let waiting = tokio::spawn(wait.wait());
    let failed = CacheError::Refused {
        upstream: "http://127.0.0.1:1".into(),
        reason: "proxy returned info for version v1.0.1 instead of requested version v1.0.0".into(),
    };
    lead.finish(&Err(failed.clone())).await;
    match waiting.await.unwrap() {
        Some(Err(e @ CacheError::Replica { .. })) => {
            assert_eq!(e.failure_kind(), modgate_cache::FailureKind::Refused);
            assert_eq!(e.to_string(), failed.to_string());
        }
        other => panic!("{:?}", other.map(|o| o.map_err(|e| e.to_string()))),
    }
    // The flight is over: the next caller leads.
    let Turn::Lead(_) = b.join(&key).await else {
        panic!()
    };
}
