//! Fetching one file from an upstream list.
//!
//! [`Client::fetch`] walks an [`UpstreamList`] the way the go command's
//! `modfetch.TryProxies` does: a success ends the walk; "not found" moves on; any other
//! error moves on only after a `|` separator. The error finally reported is the most
//! useful one: a real proxy failure outranks "not found", and among not-found errors the
//! last one wins.
//!
//! **Hedging.** When an HTTP proxy followed by `|` has not sent response headers
//! for a good answer (200) within the hedge delay, the same request also goes to the
//! next entry, if that is an HTTP proxy whose breaker is closed; the first good answer
//! is used and the other request is cancelled (reported as
//! [`Outcome::Cancelled`]). A failure of either one is handled as the walk would
//! handle it: after `|` it moves on, to the request already in flight. Hedges never
//! cross a `,`: Go asks the entry after a `,` only once the one before has said "not
//! found", so a hedge there would send requests (and module paths, e.g. of private
//! modules to a public proxy) that the go command never sends. `direct` and
//! `file://` entries are neither hedged nor hedge targets (git is too heavy to start
//! speculatively, a file tree answers at once). At most two requests of one walk are
//! in flight. The delay is [`ClientConfig::hedge_delay`], by default adaptive (see
//! [`hedge`]).
//!
//! Each HTTP upstream is called through one pooled `reqwest` client (rustls on aws-lc-rs, HTTP/2 by
//! ALPN, Happy-Eyeballs dialing from hyper's connector, Go's HTTPS_PROXY/NO_PROXY rules
//! from [`crate::envproxy`]), with a connect timeout, a few retries with exponential
//! backoff for errors that are safe to retry (every protocol request is an idempotent
//! GET), and the upstream's circuit breaker. Redirects are followed at most 10 times
//! and never from https to http, as Go does.
//!
//! **Deadlines** fail a stuck attempt, not a slow one that makes progress: response
//! headers must arrive within [`ClientConfig::timeout`], then the body may pause at most
//! [`ClientConfig::idle_timeout`] between bytes, and [`ClientConfig::zip_timeout`] caps
//! one attempt at any file. A body that stalls is retried like a cut one.
//!
//! Bodies are size-limited as Go limits them (`MaxZipFile` 500 MiB for zips, `MaxGoMod`
//! 16 MiB for go.mod, and the same 16 MiB for the other small files). A zip streams to
//! a temporary file in the staging directory and is never held in memory; a zip cut
//! mid-transfer is resumed by the next attempt from where it stopped (see [`resume`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

use crate::envproxy::{ProxyEnv, ProxySelector};
use crate::error::{ConfigError, ErrorKind, FetchError};
use crate::list::{BreakerSettings, Entry, Upstream, UpstreamList};

pub mod hedge;
pub mod resume;

use hedge::Latency;

/// `?go-get=1` requests for direct mode, through the pooled client (any status is
/// accepted, as in Go; the body is limited to [`MAX_SMALL_FILE`]).
#[derive(Debug, Clone)]
pub struct DiscoveryFetch {
    http: reqwest::Client,
    timeout: Duration,
}

impl modgate_vcs::Fetch for DiscoveryFetch {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let work = async {
            let mut resp = self.http.get(url).send().await.map_err(|e| e.to_string())?;
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
                if (body.len() + chunk.len()) as u64 > MAX_SMALL_FILE {
                    return Err(format!("{url}: response too large"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| format!("{url}: timeout"))?
    }
}

/// The configured resolver as reqwest's: the port is left 0 so that the
/// connector uses the URL's (a resolver table may name another port, which is
/// kept when the URL has none).
#[derive(Debug)]
struct Dns(Arc<dyn modgate_vcs::Resolve>);

impl reqwest::dns::Resolve for Dns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        Box::pin(async move {
            let addrs = resolver.resolve(name.as_str(), 0).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The resolver through the egress guard: a name any of whose addresses the policy
/// refuses does not resolve, so the address judged is the address connected to.
/// The configured outbound proxies (`exempt`) are the operator's own and are
/// resolved without judging (the proxy resolves the destination; the request's
/// URL was judged before it was sent).
#[derive(Debug)]
struct GuardedDns {
    guard: modgate_vcs::Guard,
    exempt: Vec<String>,
}

impl reqwest::dns::Resolve for GuardedDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        let exempt = self.exempt.contains(&name.as_str().to_ascii_lowercase());
        Box::pin(async move {
            if exempt {
                let addrs = guard.resolver().resolve(name.as_str(), 0).await?;
                let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
                return Ok(addrs);
            }
            let addrs = guard.resolve_allowed(name.as_str(), 0).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// One pooled HTTP client: Go's redirect rules (at most 10, never from https to
/// http), the environment's proxies, `dns` for names; with `egress`, redirects to
/// refused address literals are refused too (names go through `dns`).
fn build_http(
    cfg: &ClientConfig,
    proxy: ProxySelector,
    dns: Arc<dyn reqwest::dns::Resolve>,
    egress: Option<modgate_vcs::Egress>,
) -> Result<reqwest::Client, ConfigError> {
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        let literal = match attempt.url().host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        let refused = egress.zip(literal).and_then(|(e, ip)| e.refusal(ip));
        if attempt.previous().len() >= 10 {
            attempt.error("stopped after 10 redirects")
        } else if attempt.url().scheme() != "https"
            && attempt
                .previous()
                .last()
                .is_some_and(|u| u.scheme() == "https")
        {
            attempt.error("redirected from secure URL to insecure URL")
        } else if let Some(why) = refused {
            attempt.error(format!("egress refused: redirect to {why}"))
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .dns_resolver(dns)
        .user_agent(cfg.user_agent.clone())
        .connect_timeout(cfg.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(32)
        .tcp_nodelay(true)
        .redirect(redirects)
        .no_proxy()
        .proxy(reqwest::Proxy::custom(move |u| proxy.proxy_for(u)))
        .build()
        .map_err(|e| ConfigError(format!("building the HTTP client: {e}")))
}

/// Go's `codehost.MaxZipFile`.
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// Go's `codehost.MaxGoMod`.
pub const MAX_GO_MOD: u64 = 16 << 20;
/// Limit for lists, `.info`, `@latest` and checksum-database files.
pub const MAX_SMALL_FILE: u64 = 16 << 20;

/// Which protocol file is fetched: decides the size limit, the timeout and whether the
/// body is staged on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    List,
    Info,
    Latest,
    Mod,
    Zip,
    /// A checksum-database file (`latest`, `lookup/…`, `tile/…`, `supported`).
    Sumdb,
    /// A vulnerability-database file (`index/….json.gz`, `ID/<id>.json.gz`).
    Vuln,
}

impl FileKind {
    pub fn limit(self) -> u64 {
        match self {
            FileKind::Zip => MAX_ZIP_FILE,
            FileKind::Mod => MAX_GO_MOD,
            _ => MAX_SMALL_FILE,
        }
    }

    fn too_large(self, limit: u64) -> String {
        match self {
            FileKind::Zip => "downloaded zip file too large".into(),
            FileKind::Mod => format!("go.mod file too large (max {limit} bytes)"),
            _ => format!("response too large (max {limit} bytes)"),
        }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// TCP+TLS connect timeout.
    pub connect_timeout: Duration,
    /// Time for an attempt's response headers to arrive (any file kind).
    pub timeout: Duration,
    /// Longest pause between body bytes before an attempt is given up (and retried,
    /// resuming a zip).
    pub idle_timeout: Duration,
    /// Absolute cap on one attempt at any file, reached only by a body that keeps
    /// arriving slowly; named for zips, the only large files.
    pub zip_timeout: Duration,
    /// How long a request waits for a good answer before it is also sent to the next
    /// proxy of a `|` list: `None` adapts to the upstream's recent latency (see
    /// [`hedge`]), `Some(Duration::ZERO)` turns hedging off.
    pub hedge_delay: Option<Duration>,
    /// Extra attempts after a retryable failure.
    pub retries: u32,
    /// First backoff; doubles each retry (plus jitter).
    pub retry_backoff: Duration,
    /// Consecutive failures that open an upstream's circuit breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker refuses calls.
    pub breaker_cooldown: Duration,
    pub user_agent: String,
    /// Outbound HTTP proxy settings (default: read from the environment like Go).
    pub proxy_env: Option<ProxyEnv>,
    /// Where `direct` keeps its bare git repositories (default: `.vcs` next to the
    /// staging directory).
    pub vcs_dir: Option<PathBuf>,
    /// Which addresses `direct` may reach (default: public addresses only).
    pub direct_egress: modgate_vcs::Egress,
    /// Name resolution for every HTTP request and for direct mode's egress guard
    /// (default: the system resolver, bounded by `connect_timeout`). Tests give a
    /// fixed [`modgate_vcs::Table`] so that nothing asks the machine's DNS.
    pub resolver: Option<Arc<dyn modgate_vcs::Resolve>>,
    /// Which version control systems `direct` may run for which paths (GOVCS rules and
    /// the private patterns; default: Go's `public:git|hg,private:all`, nothing
    /// private). Only git is ever run; other allowed systems get a clear error.
    pub direct_vcs: modgate_vcs::VcsPolicy,
    /// GOINSECURE patterns: paths whose discovery may use plain HTTP (default: the
    /// `GOINSECURE` environment variable).
    pub goinsecure: Option<String>,
    /// Time limit for each git process.
    pub git_timeout: Duration,
    /// Git processes running at once.
    pub git_processes: usize,
    /// A git configuration file for `direct` to use instead of the user's global one
    /// (`GIT_CONFIG_GLOBAL`): insteadOf rewriting, credential helpers.
    pub git_config: Option<PathBuf>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(30),
            zip_timeout: Duration::from_secs(600),
            hedge_delay: None,
            retries: 2,
            retry_backoff: Duration::from_millis(100),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
            user_agent: concat!("modgate/", env!("CARGO_PKG_VERSION")).into(),
            proxy_env: None,
            vcs_dir: None,
            direct_egress: modgate_vcs::Egress::default(),
            resolver: None,
            direct_vcs: modgate_vcs::VcsPolicy::default(),
            goinsecure: None,
            git_timeout: Duration::from_secs(600),
            git_processes: 8,
            git_config: None,
        }
    }
}

/// A fetched body.
#[derive(Debug)]
pub enum Body {
    Memory(Bytes),
    /// A complete temporary file in the staging directory (deleted when dropped).
    File {
        path: tempfile::TempPath,
        size: u64,
    },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::File { size, .. } => *size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A successful fetch and the upstream that answered.
#[derive(Debug)]
pub struct Fetched {
    pub body: Body,
    pub upstream: String,
}

/// Outcome of one attempt, reported to the observer (metrics, logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    NotFound,
    Error,
    CircuitOpen,
    /// Given up because another request of the walk (a hedge, or the request it
    /// hedged) answered first.
    Cancelled,
}

/// One upstream attempt, as reported to the observer.
#[derive(Debug)]
pub struct AttemptEvent<'a> {
    pub upstream: &'a str,
    pub kind: FileKind,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

/// What became of a hedge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HedgeOutcome {
    /// A hedge request was sent (to `upstream`).
    Sent,
    /// The hedge's answer was the one used.
    Won,
}

/// A hedged request, as reported to the observer.
#[derive(Debug)]
pub struct HedgeEvent<'a> {
    /// The upstream the hedge went to.
    pub upstream: &'a str,
    pub kind: FileKind,
    pub outcome: HedgeOutcome,
}

/// What the observer hears.
#[derive(Debug)]
pub enum Event<'a> {
    Attempt(AttemptEvent<'a>),
    Hedge(HedgeEvent<'a>),
}

type Observer = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// The upstream client (cheap to clone).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// For direct mode's HTTP: resolves through the egress guard.
    direct_http: reqwest::Client,
    cfg: Arc<ClientConfig>,
    staging: PathBuf,
    observer: Option<Observer>,
    direct: Arc<modgate_vcs::Direct<DiscoveryFetch>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("cfg", &self.cfg)
            .field("staging", &self.staging)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client; zips are staged in `staging` (use the storage's staging
    /// directory so storing them is a rename).
    pub fn new(cfg: ClientConfig, staging: impl Into<PathBuf>) -> Result<Client, ConfigError> {
        let proxy: ProxySelector = cfg
            .proxy_env
            .clone()
            .unwrap_or_else(ProxyEnv::from_env)
            .compile()
            .map_err(ConfigError)?;
        let resolver: Arc<dyn modgate_vcs::Resolve> = cfg.resolver.clone().unwrap_or_else(|| {
            Arc::new(modgate_vcs::SystemResolver {
                timeout: cfg.connect_timeout,
            })
        });
        let guard = modgate_vcs::Guard::new(cfg.direct_egress, resolver.clone());
        let http = build_http(&cfg, proxy.clone(), Arc::new(Dns(resolver)), None)?;
        // Direct mode's own requests (discovery, go-import `mod` proxies) connect only
        // to addresses the egress guard allows, redirects included.
        let direct_http = build_http(
            &cfg,
            proxy.clone(),
            Arc::new(GuardedDns {
                guard: guard.clone(),
                exempt: proxy.proxy_hosts(),
            }),
            Some(cfg.direct_egress),
        )?;
        let staging: PathBuf = staging.into();
        let vcs_dir = cfg.vcs_dir.clone().unwrap_or_else(|| {
            staging
                .parent()
                .map_or_else(|| staging.join(".vcs"), |p| p.join(".vcs"))
        });
        // Created on first use, so clients that never go direct leave no trace.
        let mut runner = modgate_vcs::Runner::new(cfg.git_timeout, cfg.git_processes);
        if let Some(path) = &cfg.git_config {
            runner = runner.with_env("GIT_CONFIG_GLOBAL", path);
        }
        let repos = modgate_vcs::Repos::new(runner, vcs_dir, Duration::from_secs(60));
        let insecure = cfg
            .goinsecure
            .clone()
            .unwrap_or_else(|| std::env::var("GOINSECURE").unwrap_or_default());
        let direct = Arc::new(
            modgate_vcs::Direct::new(
                repos,
                DiscoveryFetch {
                    http: direct_http.clone(),
                    timeout: cfg.timeout,
                },
                guard,
                insecure,
            )
            .with_vcs_policy(cfg.direct_vcs.clone()),
        );
        Ok(Client {
            http,
            direct_http,
            cfg: Arc::new(cfg),
            staging,
            observer: None,
            direct,
        })
    }

    /// Reports every upstream attempt and every hedge to `f`.
    pub fn with_observer(mut self, f: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Client {
        self.observer = Some(Arc::new(f));
        self
    }

    /// Where zips are staged (a local directory beside the store).
    pub fn staging(&self) -> &std::path::Path {
        &self.staging
    }

    /// The breaker settings to build [`UpstreamList`]s with.
    pub fn breaker_settings(&self) -> BreakerSettings {
        BreakerSettings {
            threshold: self.cfg.breaker_threshold,
            cooldown: self.cfg.breaker_cooldown,
        }
    }

    /// Fetches `path` (relative to each upstream's base, case-encoded, e.g.
    /// `golang.org/x/text/@v/v0.3.0.zip`) from the first entry of `list` that has it,
    /// hedging across `|` (see the module docs).
    pub async fn fetch(
        &self,
        list: &UpstreamList,
        path: &str,
        kind: FileKind,
    ) -> Result<Fetched, FetchError> {
        let entries = &list.entries;
        // Ranks of Go's TryProxies: a real failure outranks "not found".
        let mut best: Option<FetchError> = None;
        // Failures not yet ranked: they are ranked in list order, as Go meets them.
        let mut failed: Vec<Option<FetchError>> = entries.iter().map(|_| None).collect();
        let mut flights: Vec<Flight> = Vec::new();
        let mut running: FuturesUnordered<BoxFuture<'_, (usize, Result<Body, FetchError>)>> =
            FuturesUnordered::new();
        // The first entry whose failure is not ranked yet, and the first not asked yet.
        let mut cursor = 0;
        let mut next = 0;
        loop {
            while cursor < next {
                let Some(err) = failed[cursor].take() else {
                    break;
                };
                let not_found = err.is_not_found();
                let replace = match &best {
                    None => true,
                    Some(b) if b.is_not_found() => true,
                    Some(_) => !not_found,
                };
                if replace {
                    best = Some(err);
                }
                if !entries[cursor].fallback_on_any_error && !not_found {
                    // Nothing after a `,` was asked: a hedge never crosses one.
                    cursor = entries.len();
                    break;
                }
                cursor += 1;
            }
            if cursor >= entries.len() {
                self.cancel(entries, kind, &flights);
                return Err(best.unwrap_or_else(|| {
                    FetchError::new(ErrorKind::NotFound, "", "upstream list is empty")
                }));
            }
            if next == cursor {
                running.push(self.start(entries, next, path, kind, &mut flights, false));
                next += 1;
            }
            let done = match self.hedge_deadline(entries, next, &flights, kind) {
                Some(at) => match tokio::time::timeout_at(at.into(), running.next()).await {
                    Ok(done) => done,
                    Err(_) => {
                        // `hedge_deadline` answers only for a single running flight.
                        let unanswered = flights.last_mut().is_some_and(|latest| {
                            latest.hedge_checked = true;
                            !latest.headers.load(Ordering::Relaxed)
                        });
                        if unanswered {
                            running.push(self.start(entries, next, path, kind, &mut flights, true));
                            self.emit_hedge(
                                entries[next].upstream.display(),
                                kind,
                                HedgeOutcome::Sent,
                            );
                            next += 1;
                        }
                        continue;
                    }
                },
                None => running.next().await,
            };
            let Some((idx, result)) = done else {
                // Unreachable: an entry before `next` is either running or failed.
                return Err(best.unwrap_or_else(|| {
                    FetchError::new(ErrorKind::Local, "", "upstream walk lost its requests")
                }));
            };
            let hedge = flights.iter().any(|f| f.idx == idx && f.hedge);
            flights.retain(|f| f.idx != idx);
            match result {
                Ok(body) => {
                    self.cancel(entries, kind, &flights);
                    let upstream = entries[idx].upstream.display();
                    if hedge {
                        self.emit_hedge(upstream, kind, HedgeOutcome::Won);
                    }
                    return Ok(Fetched {
                        body,
                        upstream: upstream.to_owned(),
                    });
                }
                Err(e) => failed[idx] = Some(e),
            }
        }
    }

    /// Starts asking entry `idx`.
    fn start<'a>(
        &'a self,
        entries: &'a [Entry],
        idx: usize,
        path: &'a str,
        kind: FileKind,
        flights: &mut Vec<Flight>,
        hedge: bool,
    ) -> BoxFuture<'a, (usize, Result<Body, FetchError>)> {
        let headers = Arc::new(AtomicBool::new(false));
        flights.push(Flight {
            idx,
            start: Instant::now(),
            headers: headers.clone(),
            hedge,
            hedge_checked: false,
        });
        Box::pin(async move {
            let r = self
                .fetch_one(&entries[idx].upstream, path, kind, &headers)
                .await;
            (idx, r)
        })
    }

    /// When to hedge the latest request, if it may be hedged at all: at most two
    /// requests in flight, the latest one followed by `|`, both HTTP, the target's
    /// breaker closed, hedging on.
    fn hedge_deadline(
        &self,
        entries: &[Entry],
        next: usize,
        flights: &[Flight],
        kind: FileKind,
    ) -> Option<Instant> {
        let [latest] = flights else {
            return None;
        };
        if latest.hedge_checked || latest.idx + 1 != next || next >= entries.len() {
            return None;
        }
        if !entries[latest.idx].fallback_on_any_error {
            return None;
        }
        let Upstream::Http { latency, .. } = &*entries[latest.idx].upstream else {
            return None;
        };
        let Upstream::Http { breaker, .. } = &*entries[next].upstream else {
            return None;
        };
        if breaker.is_open() {
            return None;
        }
        let delay = hedge::delay(self.cfg.hedge_delay, latency, kind)?;
        Some(latest.start + delay)
    }

    /// Reports the requests still in flight as cancelled (they are dropped with the
    /// walk); one that never got headers has waited at least this long, which its
    /// upstream's latency record keeps.
    fn cancel(&self, entries: &[Entry], kind: FileKind, flights: &[Flight]) {
        for f in flights {
            let upstream = &entries[f.idx].upstream;
            let waited = f.start.elapsed();
            if let Upstream::Http { latency, .. } = &**upstream
                && !f.headers.load(Ordering::Relaxed)
            {
                latency.record(kind, waited);
            }
            self.emit(upstream.display(), kind, Outcome::Cancelled, waited);
        }
    }

    /// Fetches `path` from one upstream (with retries and its breaker).
    pub async fn fetch_from(
        &self,
        upstream: &Upstream,
        path: &str,
        kind: FileKind,
    ) -> Result<Body, FetchError> {
        self.fetch_one(upstream, path, kind, &AtomicBool::new(false))
            .await
    }

    /// [`fetch_from`](Self::fetch_from), setting `headers` when a good answer's
    /// headers arrive.
    async fn fetch_one(
        &self,
        upstream: &Upstream,
        path: &str,
        kind: FileKind,
        headers: &AtomicBool,
    ) -> Result<Body, FetchError> {
        check_rel_path(path)
            .map_err(|m| FetchError::new(ErrorKind::Local, upstream.display(), m))?;
        match upstream {
            Upstream::Off => Err(FetchError::new(
                ErrorKind::NotFound,
                "",
                "module lookup disabled by GOPROXY=off",
            )),
            Upstream::File { root, display } => {
                let start = Instant::now();
                let r = self.fetch_file(root, display, path, kind).await;
                self.observe(display, kind, &r, start);
                r
            }
            Upstream::Direct => {
                let start = Instant::now();
                let r = self.fetch_direct(path, kind).await;
                self.observe("direct", kind, &r, start);
                r
            }
            Upstream::Http {
                base,
                display,
                breaker,
                latency,
            } => {
                let trial = match breaker.allow() {
                    Ok(trial) => TrialGuard {
                        breaker: trial.then_some(breaker),
                    },
                    Err(open) => {
                        self.emit(display, kind, Outcome::CircuitOpen, Duration::ZERO);
                        return Err(FetchError::new(
                            ErrorKind::CircuitOpen,
                            display.as_str(),
                            format!(
                                "circuit open after {} consecutive failures; next try in {:.1}s",
                                open.failures,
                                open.retry_in.as_secs_f64()
                            ),
                        ));
                    }
                };
                let url = join_url(base, path);
                let seen = Seen {
                    flag: Some(headers),
                    latency: Some(latency),
                };
                // What a cut zip left, for the next attempt to resume.
                let mut partial: Option<Partial> = None;
                let mut attempt = 0u32;
                loop {
                    let start = Instant::now();
                    let r = self
                        .fetch_http(&self.http, &url, display, kind, seen, &mut partial)
                        .await;
                    self.observe(display, kind, &r, start);
                    match r {
                        Ok(body) => {
                            trial.settle();
                            breaker.success();
                            return Ok(body);
                        }
                        Err(e) if e.is_not_found() => {
                            trial.settle();
                            breaker.success();
                            return Err(e);
                        }
                        Err(e) if e.retryable && attempt < self.cfg.retries => {
                            let shown: &str = display;
                            tracing::debug!(
                                upstream = shown,
                                error = %e,
                                attempt,
                                resume_at = partial.as_ref().map(|p| p.sink.len()),
                                "retrying"
                            );
                            tokio::time::sleep(backoff(self.cfg.retry_backoff, attempt)).await;
                            attempt += 1;
                        }
                        Err(e) => {
                            trial.settle();
                            breaker.failure();
                            return Err(e);
                        }
                    }
                }
            }
        }
    }

    /// Answers `path` from the module's own repository, or from the module proxy its
    /// go-import `mod` tag names (Go's `lookupDirect`: that URL is a GOPROXY for
    /// the module; the egress guard has checked it and applies to the connection).
    async fn fetch_direct(&self, path: &str, kind: FileKind) -> Result<Body, FetchError> {
        match self.direct.get(path, &self.staging).await {
            Ok(modgate_vcs::DirectBody::Memory(b)) => Ok(Body::Memory(Bytes::from(b))),
            Ok(modgate_vcs::DirectBody::File { path, size }) => Ok(Body::File { path, size }),
            Ok(modgate_vcs::DirectBody::Proxy { base }) => {
                let base = Url::parse(&base).map_err(|e| {
                    FetchError::new(
                        ErrorKind::NotFound,
                        "direct",
                        format!("go-import mod proxy {base}: {e}"),
                    )
                })?;
                let display = format!("direct (go-import mod {base})");
                self.fetch_http(
                    &self.direct_http,
                    &join_url(&base, path),
                    &display,
                    kind,
                    Seen::default(),
                    &mut None,
                )
                .await
            }
            Err(e) => {
                let kind = if e.not_found {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Network
                };
                Err(FetchError::new(kind, "direct", e.message))
            }
        }
    }

    fn observe(
        &self,
        upstream: &str,
        kind: FileKind,
        r: &Result<Body, FetchError>,
        start: Instant,
    ) {
        let outcome = match r {
            Ok(_) => Outcome::Ok,
            Err(e) if e.is_not_found() => Outcome::NotFound,
            Err(_) => Outcome::Error,
        };
        self.emit(upstream, kind, outcome, start.elapsed());
    }

    fn emit(&self, upstream: &str, kind: FileKind, outcome: Outcome, elapsed: Duration) {
        if let Some(f) = &self.observer {
            f(&Event::Attempt(AttemptEvent {
                upstream,
                kind,
                outcome,
                elapsed,
            }));
        }
    }

    fn emit_hedge(&self, upstream: &str, kind: FileKind, outcome: HedgeOutcome) {
        if let Some(f) = &self.observer {
            f(&Event::Hedge(HedgeEvent {
                upstream,
                kind,
                outcome,
            }));
        }
    }

    /// One attempt: headers within `timeout`, no pause longer than `idle_timeout`
    /// in the body, all of it within `zip_timeout`. With `partial`, the attempt asks
    /// for the rest of a cut zip; a zip cut again is left in `partial`.
    async fn fetch_http(
        &self,
        http: &reqwest::Client,
        url: &Url,
        display: &str,
        kind: FileKind,
        seen: Seen<'_>,
        partial: &mut Option<Partial>,
    ) -> Result<Body, FetchError> {
        let cap = self.cfg.zip_timeout;
        let err =
            |k: ErrorKind, m: String| FetchError::new(k, display, format!("reading {url}: {m}"));
        let work = self.transfer(http, url, kind, seen, partial, &err);
        match tokio::time::timeout(cap, work).await {
            Ok(r) => r,
            Err(_) => Err(err(
                ErrorKind::Timeout,
                format!("timed out after {cap:?} (the cap on one attempt)"),
            )),
        }
    }

    async fn transfer(
        &self,
        http: &reqwest::Client,
        url: &Url,
        kind: FileKind,
        seen: Seen<'_>,
        partial: &mut Option<Partial>,
        err: &impl Fn(ErrorKind, String) -> FetchError,
    ) -> Result<Body, FetchError> {
        use reqwest::StatusCode;
        use reqwest::header::{IF_RANGE, RANGE};
        let mut req = http.get(url.clone());
        if let Some(p) = partial.as_ref() {
            req = req
                .header(RANGE, format!("bytes={}-", p.sink.len()))
                .header(IF_RANGE, p.validator.as_str());
        }
        let start = Instant::now();
        let ttfb = self.cfg.timeout;
        let idle = self.cfg.idle_timeout;
        let mut resp = match tokio::time::timeout(ttfb, req.send()).await {
            Ok(r) => r.map_err(|e| net_error(&e, err))?,
            Err(_) => {
                return Err(err(
                    ErrorKind::Timeout,
                    format!("timed out after {ttfb:?} waiting for response headers"),
                ));
            }
        };
        let limit = kind.limit();
        let status = resp.status();
        let (mut sink, total, validator) = match (status, partial.take()) {
            (StatusCode::OK, _) => {
                // Fresh (or, after a Range request, changed): any piece kept is dropped.
                if resp.content_length().is_some_and(|n| n > limit) {
                    return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
                }
                let sink = Sink::new(kind, &self.staging)
                    .await
                    .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
                let validator = resume::validator(resp.headers());
                (sink, resp.content_length(), validator)
            }
            (StatusCode::PARTIAL_CONTENT, Some(p)) => {
                if !resume::continues(resp.headers(), p.sink.len(), p.total) {
                    let got = resp
                        .headers()
                        .get(reqwest::header::CONTENT_RANGE)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                    return Err(err(
                        ErrorKind::Network,
                        format!(
                            "resuming at byte {} of {}: answered Content-Range {got:?}",
                            p.sink.len(),
                            p.total
                        ),
                    )
                    .retryable(true));
                }
                (p.sink, Some(p.total), Some(p.validator))
            }
            (_, kept) => {
                // An error status: a piece kept stays for the next attempt.
                *partial = kept;
                let code = status.as_u16();
                let kind = if code == 404 || code == 410 {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Status
                };
                let detail = tokio::time::timeout(idle, error_detail(resp))
                    .await
                    .unwrap_or_default();
                let mut msg = status.to_string();
                if !detail.is_empty() {
                    msg.push_str("\n\tserver response: ");
                    msg.push_str(&detail);
                }
                return Err(err(kind, msg).retryable(matches!(code, 429 | 500 | 502 | 503 | 504)));
            }
        };
        seen.headers(kind, start.elapsed());
        // A zip cut now can be resumed by the next attempt.
        let keep = |sink: Sink, partial: &mut Option<Partial>| {
            if let (FileKind::Zip, Some(total), Some(validator)) = (kind, total, validator.clone())
                && sink.len() > 0
                && sink.len() < total
            {
                *partial = Some(Partial {
                    sink,
                    validator,
                    total,
                });
            }
        };
        loop {
            let chunk = match tokio::time::timeout(idle, resp.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => break,
                Ok(Err(e)) => {
                    keep(sink, partial);
                    return Err(net_error(&e, err));
                }
                Err(_) => {
                    let got = sink.len();
                    keep(sink, partial);
                    // Stalled like a cut body: worth another attempt.
                    return Err(err(
                        ErrorKind::Timeout,
                        format!("timed out: no data for {idle:?} (after {got} bytes of the body)"),
                    )
                    .retryable(true));
                }
            };
            if sink.len() + chunk.len() as u64 > limit {
                return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
            }
            sink.write(&chunk)
                .await
                .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
        }
        sink.finish()
            .await
            .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))
    }

    async fn fetch_file(
        &self,
        root: &Path,
        display: &str,
        path: &str,
        kind: FileKind,
    ) -> Result<Body, FetchError> {
        let full = root.join(path);
        let err = |k: ErrorKind, m: String| FetchError::new(k, display, m);
        let file = match tokio::fs::File::open(&full).await {
            Ok(f) => f,
            Err(e) => {
                let kind = match e.kind() {
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => {
                        // A missing file is "not found" only if the tree itself is
                        // there: an unmounted share must not answer 404 for everything.
                        match tokio::fs::read_dir(root).await {
                            Ok(_) => ErrorKind::NotFound,
                            Err(re) => {
                                return Err(err(
                                    ErrorKind::Network,
                                    format!(
                                        "file:// root {} is unavailable (unmounted?): {re}",
                                        root.display()
                                    ),
                                ));
                            }
                        }
                    }
                    _ => ErrorKind::Status,
                };
                return Err(err(kind, format!("open {}: {e}", full.display())));
            }
        };
        let md = file
            .metadata()
            .await
            .map_err(|e| err(ErrorKind::Status, format!("stat {}: {e}", full.display())))?;
        if !md.is_file() {
            return Err(err(
                ErrorKind::NotFound,
                format!("{}: not a file", full.display()),
            ));
        }
        let limit = kind.limit();
        if md.len() > limit {
            return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
        }
        let mut sink = Sink::new(kind, &self.staging)
            .await
            .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
        let mut reader = file.take(limit + 1);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader
                .read(&mut buf)
                .await
                .map_err(|e| err(ErrorKind::Status, format!("read {}: {e}", full.display())))?;
            if n == 0 {
                break;
            }
            if sink.len() + n as u64 > limit {
                return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
            }
            sink.write(&buf[..n])
                .await
                .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
        }
        sink.finish()
            .await
            .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))
    }
}

/// One request of a walk in flight.
struct Flight {
    idx: usize,
    start: Instant,
    /// Set when a good answer's headers arrived.
    headers: Arc<AtomicBool>,
    /// Sent as a hedge.
    hedge: bool,
    /// Its hedge deadline has passed (hedged or not): no second look.
    hedge_checked: bool,
}

/// Who hears that a good answer's headers arrived: the walk (no hedge is needed)
/// and the upstream's latency record.
#[derive(Clone, Copy, Default)]
struct Seen<'a> {
    flag: Option<&'a AtomicBool>,
    latency: Option<&'a Latency>,
}

impl Seen<'_> {
    fn headers(&self, kind: FileKind, after: Duration) {
        if let Some(l) = self.latency {
            l.record(kind, after);
        }
        if let Some(f) = self.flag {
            f.store(true, Ordering::Relaxed);
        }
    }
}

/// A zip cut mid-transfer: the bytes so far and what proves the rest matches them.
struct Partial {
    sink: Sink,
    /// The first response's ETag or Last-Modified, for If-Range.
    validator: String,
    /// The whole body's length (the first response's Content-Length).
    total: u64,
}

/// Releases a breaker's half-open trial that ends without a verdict (its request
/// was cancelled).
struct TrialGuard<'a> {
    breaker: Option<&'a crate::breaker::Breaker>,
}

impl TrialGuard<'_> {
    fn settle(mut self) {
        self.breaker = None;
    }
}

impl Drop for TrialGuard<'_> {
    fn drop(&mut self) {
        if let Some(b) = self.breaker {
            b.abandon();
        }
    }
}

/// Where a body goes while it downloads: memory for small files, a staged temporary
/// file for zips.
enum Sink {
    Memory(BytesMut),
    File {
        file: tokio::io::BufWriter<tokio::fs::File>,
        path: tempfile::TempPath,
        size: u64,
    },
}

impl Sink {
    async fn new(kind: FileKind, staging: &Path) -> std::io::Result<Sink> {
        if kind != FileKind::Zip {
            return Ok(Sink::Memory(BytesMut::new()));
        }
        let staging = staging.to_owned();
        let tmp = tokio::task::spawn_blocking(move || {
            tempfile::Builder::new()
                .prefix(".tmp-")
                .suffix(".zip")
                .tempfile_in(staging)
        })
        .await
        .map_err(std::io::Error::other)??;
        let (file, path) = tmp.into_parts();
        Ok(Sink::File {
            // Large writes: fewer trips to the blocking pool per megabyte.
            file: tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file)),
            path,
            size: 0,
        })
    }

    fn len(&self) -> u64 {
        match self {
            Sink::Memory(b) => b.len() as u64,
            Sink::File { size, .. } => *size,
        }
    }

    async fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Memory(b) => {
                b.extend_from_slice(data);
                Ok(())
            }
            Sink::File { file, size, .. } => {
                file.write_all(data).await?;
                *size += data.len() as u64;
                Ok(())
            }
        }
    }

    async fn finish(self) -> std::io::Result<Body> {
        match self {
            Sink::Memory(b) => Ok(Body::Memory(b.freeze())),
            Sink::File {
                mut file,
                path,
                size,
            } => {
                file.flush().await?;
                Ok(Body::File { path, size })
            }
        }
    }
}

/// Rejects paths that could step outside an upstream's base or file tree.
fn check_rel_path(path: &str) -> Result<(), String> {
    if path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path
            .split('/')
            .any(|e| e.is_empty() || e == "." || e == "..")
    {
        return Err(format!("invalid upstream path {path:?}"));
    }
    Ok(())
}

fn join_url(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(10));
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 1000)
        .unwrap_or(0);
    // Up to +50% jitter so a fleet does not retry in lockstep.
    exp + exp.mul_f64(f64::from(jitter) / 2000.0)
}

fn net_error(e: &reqwest::Error, err: &impl Fn(ErrorKind, String) -> FetchError) -> FetchError {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    if e.is_timeout() {
        return err(ErrorKind::Timeout, msg);
    }
    // Connection failures and broken bodies are safe to retry: every request is a GET.
    err(ErrorKind::Network, msg).retryable(!e.is_redirect() && !e.is_builder())
}

/// The part of an error body the go command would show: text/plain only, at most 8
/// lines and 648 bytes, up to the first blank line, printable UTF-8 only.
async fn error_detail(resp: reqwest::Response) -> String {
    let plain = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            let ct = ct.to_ascii_lowercase();
            let mut parts = ct.split(';').map(str::trim);
            parts.next() == Some("text/plain")
                && parts.all(|p| {
                    !p.starts_with("charset=")
                        || matches!(&p[8..], "utf-8" | "us-ascii" | "\"utf-8\"")
                })
        })
        .unwrap_or(false);
    if !plain {
        return String::new();
    }
    let mut resp = resp;
    let mut buf = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        buf.extend_from_slice(&chunk);
        if buf.len() > 4096 {
            break;
        }
    }
    let Ok(text) = std::str::from_utf8(&buf[..buf.len().min(4096)]) else {
        return String::new();
    };
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return String::new();
    }
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if i == 8 {
            out.push_str("\n[Truncated: too many lines.]");
            break;
        }
        if !out.is_empty() {
            out.push_str("\n\t");
        }
        if out.len() + line.len() > 648 {
            let room = 648usize.saturating_sub(out.len());
            let cut = (0..=room.min(line.len()))
                .rev()
                .find(|&i| line.is_char_boundary(i))
                .unwrap_or(0);
            out.push_str(&line[..cut]);
            out.push_str("\n[Truncated: too long.]");
            break;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests;
