//! Hedged requests against real loopback upstreams: which entry answers, what
//! each upstream was asked, and what the observer heard.

use super::*;

/// Every event the observer hears, as text (`sent b`, `won b`, `cancelled a`, ...).
#[derive(Default, Clone)]
struct Heard(Arc<Mutex<Vec<String>>>);

impl Heard {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    fn count(&self, prefix: &str) -> usize {
        self.all().iter().filter(|e| e.starts_with(prefix)).count()
    }
}

fn observed(staging: &Path, tweak: impl FnOnce(&mut ClientConfig)) -> (Client, Heard) {
    let heard = Heard::default();
    let h = heard.clone();
    let c = client(staging, tweak).with_observer(move |ev| {
        let line = match ev {
            Event::Hedge(e) => match e.outcome {
                HedgeOutcome::Sent => format!("sent {}", e.upstream),
                HedgeOutcome::Won => format!("won {}", e.upstream),
            },
            Event::Attempt(e) => format!("{:?} {}", e.outcome, e.upstream).to_lowercase(),
        };
        h.0.lock().unwrap().push(line);
    });
    (c, heard)
}

#[tokio::test]
async fn a_slow_proxy_before_a_bar_is_hedged_and_the_first_good_answer_wins() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(100));
    });
    let (slow, fast) = (format!("http://{addr}/hang"), format!("http://{addr}/ok"));
    let start = Instant::now();
    let f = c
        .fetch(
            &list(&c, &[format!("{slow}|"), fast.clone()]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(f.upstream, fast);
    assert_eq!(text(&f), "v1.0.0\nv1.1.0\n");
    assert!(
        took >= Duration::from_millis(100),
        "hedged too early: {took:?}"
    );
    assert!(
        took < Duration::from_secs(3),
        "waited for the slow one: {took:?}"
    );
    assert_eq!(hits.get("/hang/m/@v/list"), 1);
    assert_eq!(hits.get("/ok/m/@v/list"), 1);
    assert_eq!(
        heard.all(),
        [
            format!("sent {fast}"),
            format!("ok {fast}"),
            format!("cancelled {slow}"),
            format!("won {fast}"),
        ]
    );
}

/// Go asks the entry after `,` only after a not-found: no hedge ever goes there.
#[tokio::test]
async fn a_comma_is_never_hedged_across() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(50));
        cfg.timeout = Duration::from_millis(600);
    });
    let e = c
        .fetch(
            &list(
                &c,
                &[format!("http://{addr}/hang"), format!("http://{addr}/ok")],
            ),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert_eq!(hits.get("/ok/m/@v/list"), 0);
    assert_eq!(heard.count("sent"), 0);
    // Nor from a `|` entry to `direct` or a file tree.
    let tree = tempfile::tempdir().unwrap();
    let url = url::Url::from_directory_path(tree.path())
        .unwrap()
        .to_string();
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/hang|"), url]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap_err();
    // The timeout was passed over for the tree's not-found; a real failure still
    // outranks it in the report.
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert_eq!(heard.count("sent"), 0);
}

#[tokio::test]
async fn no_hedge_when_the_first_answers_in_time_or_hedging_is_off() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(1500));
    });
    let first = format!("http://{addr}/sleep/50/200");
    let f = c
        .fetch(
            &list(&c, &[format!("{first}|"), format!("http://{addr}/ok")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(f.upstream, first);
    assert_eq!(hits.get("/ok/m/@v/list"), 0);

    let (off, off_heard) = observed(dir.path(), |cfg| cfg.hedge_delay = Some(Duration::ZERO));
    let slow = format!("http://{addr}/sleep/400/200");
    let f = off
        .fetch(
            &list(&off, &[format!("{slow}|"), format!("http://{addr}/ok")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(f.upstream, slow);
    assert_eq!(hits.get("/ok/m/@v/list"), 0);
    assert_eq!(heard.count("sent") + off_heard.count("sent"), 0);
}

/// The first proxy fails while its hedge is on its way: the walk moves on (`|`) to
/// the request already in flight instead of asking again.
#[tokio::test]
async fn a_failure_after_a_bar_hands_over_to_the_hedge_in_flight() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(100));
        cfg.retries = 0;
    });
    let (bad, good) = (
        format!("http://{addr}/sleep/300/500"),
        format!("http://{addr}/sleep/700/200"),
    );
    let f = c
        .fetch(
            &list(&c, &[format!("{bad}|"), good.clone()]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(f.upstream, good);
    assert_eq!(hits.get("/sleep/300/500/m/@v/list"), 1);
    assert_eq!(hits.get("/sleep/700/200/m/@v/list"), 1, "asked twice");
    assert_eq!(
        heard.all(),
        [
            format!("sent {good}"),
            format!("error {bad}"),
            format!("ok {good}"),
            format!("won {good}"),
        ]
    );
}

/// The hedge fails first: its error waits its turn, and the first proxy's later
/// good answer is used.
#[tokio::test]
async fn a_failed_hedge_leaves_the_first_request_to_finish() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(100));
        cfg.retries = 0;
    });
    let slow = format!("http://{addr}/sleep/500/200");
    let f = c
        .fetch(
            &list(&c, &[format!("{slow}|"), format!("http://{addr}/err")]),
            "m/@v/list",
            FileKind::List,
        )
        .await
        .unwrap();
    assert_eq!(f.upstream, slow);
    assert_eq!(hits.get("/err/m/@v/list"), 1);
    assert_eq!(heard.count("sent"), 1);
    assert_eq!(heard.count("won"), 0);
}

/// With no configured delay, the first proxy's own p95 decides: 500 ms before
/// enough answers are known, then (fast loopback answers) the 50 ms floor.
#[tokio::test]
async fn the_adaptive_delay_learns_the_first_proxys_latency() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, heard) = observed(dir.path(), |_| {});
    let n = hedge::MIN_SAMPLES;
    let first = format!("http://{addr}/fastfirst/{n}");
    let l = list(&c, &[format!("{first}|"), format!("http://{addr}/ok")]);
    for _ in 0..n {
        let f = c
            .fetch(&l, "m/@v/v1.0.0.info", FileKind::Info)
            .await
            .unwrap();
        assert_eq!(f.upstream, first);
    }
    assert_eq!(heard.count("sent"), 0);
    // Now it hangs: the hedge goes at the floor, well before the 500 ms default.
    let start = Instant::now();
    let f = c
        .fetch(&l, "m/@v/v1.0.0.info", FileKind::Info)
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(
        f.upstream,
        format!("http://{addr}/ok"),
        "{took:?} {:?}",
        heard.all()
    );
    assert!(took >= hedge::FLOOR, "{took:?}");
    assert!(took < hedge::DEFAULT, "{took:?}");
    assert_eq!(hits.get("/ok/m/@v/v1.0.0.info"), 1);
    // Another kind has no samples yet: the default delay.
    let start = Instant::now();
    let f = c.fetch(&l, "m/@v/v1.0.0.mod", FileKind::Mod).await.unwrap();
    assert_eq!(f.upstream, format!("http://{addr}/ok"));
    assert!(start.elapsed() >= hedge::DEFAULT, "{:?}", start.elapsed());
}

/// A half-open breaker's trial request that a hedge cancels does not keep the
/// breaker shut.
#[tokio::test]
async fn a_cancelled_trial_request_frees_the_breaker() {
    let (addr, hits) = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let (c, _) = observed(dir.path(), |cfg| {
        cfg.hedge_delay = Some(Duration::from_millis(50));
        cfg.retries = 0;
        cfg.breaker_threshold = 1;
        cfg.breaker_cooldown = Duration::from_millis(100);
        cfg.timeout = Duration::from_millis(200);
    });
    let slow = format!("http://{addr}/hang");
    let l = list(&c, &[format!("{slow}|"), format!("http://{addr}/ok")]);
    // One failure (a header timeout, before any hedge: hedging is off for it)...
    let e = c
        .fetch_from(&l.entries[0].upstream, "m/@v/list", FileKind::List)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    let Upstream::Http { breaker, .. } = &*l.entries[0].upstream else {
        unreachable!()
    };
    assert!(breaker.is_open());
    tokio::time::sleep(Duration::from_millis(150)).await;
    // ...then the half-open trial, cancelled by the hedge's answer.
    let f = c.fetch(&l, "m/@v/list", FileKind::List).await.unwrap();
    assert_eq!(f.upstream, format!("http://{addr}/ok"));
    assert_eq!(hits.get("/hang/m/@v/list"), 2);
    assert_eq!(breaker.allow(), Ok(true), "the next trial may go");
}
