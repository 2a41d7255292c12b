//! Fetching one file from an upstream list.
//!
//! [`Client::fetch`] walks an [`UpstreamList`] the way the go command's
//! `modfetch.TryProxies` does: a success ends the walk; "not found" moves on; any other
//! error moves on only after a `|` separator. The error finally reported is the most
//! useful one: a real proxy failure outranks "not found", and among not-found errors the
//! last one wins.
//!
//! Each HTTP upstream is called through one pooled `reqwest` client (rustls, HTTP/2 by
//! ALPN, Happy-Eyeballs dialing from hyper's connector, Go's HTTPS_PROXY/NO_PROXY rules
//! from [`crate::envproxy`]), with a connect timeout, a total timeout per attempt, a few
//! retries with exponential backoff for errors that are safe to retry (every protocol
//! request is an idempotent GET), and the upstream's circuit breaker. Redirects are
//! followed at most 10 times and never from https to http, as Go does.
//!
//! Bodies are size-limited as Go limits them (`MaxZipFile` 500 MiB for zips, `MaxGoMod`
//! 16 MiB for go.mod, and the same 16 MiB for the other small files). A zip streams to
//! a temporary file in the staging directory and is never held in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

use crate::envproxy::{ProxyEnv, ProxySelector};
use crate::error::{ConfigError, ErrorKind, FetchError};
use crate::list::{BreakerSettings, Upstream, UpstreamList};

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
    /// Total time for one attempt at a small file (headers and body).
    pub timeout: Duration,
    /// Total time for one attempt at a zip.
    pub zip_timeout: Duration,
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
            zip_timeout: Duration::from_secs(600),
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
}

/// One upstream attempt, as reported to the observer.
#[derive(Debug)]
pub struct AttemptEvent<'a> {
    pub upstream: &'a str,
    pub kind: FileKind,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

type Observer = Arc<dyn Fn(&AttemptEvent<'_>) + Send + Sync>;

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
        // rustls needs a process-wide crypto provider; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
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

    /// Reports every upstream attempt to `f`.
    pub fn with_observer(
        mut self,
        f: impl Fn(&AttemptEvent<'_>) + Send + Sync + 'static,
    ) -> Client {
        self.observer = Some(Arc::new(f));
        self
    }

    /// The breaker settings to build [`UpstreamList`]s with.
    pub fn breaker_settings(&self) -> BreakerSettings {
        BreakerSettings {
            threshold: self.cfg.breaker_threshold,
            cooldown: self.cfg.breaker_cooldown,
        }
    }

    /// Fetches `path` (relative to each upstream's base, case-encoded, e.g.
    /// `golang.org/x/text/@v/v0.3.0.zip`) from the first entry of `list` that has it.
    pub async fn fetch(
        &self,
        list: &UpstreamList,
        path: &str,
        kind: FileKind,
    ) -> Result<Fetched, FetchError> {
        // Ranks of Go's TryProxies: a real failure outranks "not found".
        let mut best: Option<FetchError> = None;
        for entry in &list.entries {
            match self.fetch_from(&entry.upstream, path, kind).await {
                Ok(body) => {
                    return Ok(Fetched {
                        body,
                        upstream: entry.upstream.display().to_owned(),
                    });
                }
                Err(err) => {
                    let not_found = err.is_not_found();
                    let replace = match &best {
                        None => true,
                        Some(b) if b.is_not_found() => true,
                        Some(_) => !not_found,
                    };
                    if replace {
                        best = Some(err);
                    }
                    if !entry.fallback_on_any_error && !not_found {
                        break;
                    }
                }
            }
        }
        Err(best
            .unwrap_or_else(|| FetchError::new(ErrorKind::NotFound, "", "upstream list is empty")))
    }

    /// Fetches `path` from one upstream (with retries and its breaker).
    pub async fn fetch_from(
        &self,
        upstream: &Upstream,
        path: &str,
        kind: FileKind,
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
            } => {
                if let Err(open) = breaker.allow() {
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
                let url = join_url(base, path);
                let mut attempt = 0u32;
                loop {
                    let start = Instant::now();
                    let r = self.fetch_http(&self.http, &url, display, kind).await;
                    self.observe(display, kind, &r, start);
                    match r {
                        Ok(body) => {
                            breaker.success();
                            return Ok(body);
                        }
                        Err(e) if e.is_not_found() => {
                            breaker.success();
                            return Err(e);
                        }
                        Err(e) if e.retryable && attempt < self.cfg.retries => {
                            let shown: &str = display;
                            tracing::debug!(upstream = shown, error = %e, attempt, "retrying");
                            tokio::time::sleep(backoff(self.cfg.retry_backoff, attempt)).await;
                            attempt += 1;
                        }
                        Err(e) => {
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
                self.fetch_http(&self.direct_http, &join_url(&base, path), &display, kind)
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
            f(&AttemptEvent {
                upstream,
                kind,
                outcome,
                elapsed,
            });
        }
    }

    async fn fetch_http(
        &self,
        http: &reqwest::Client,
        url: &Url,
        display: &str,
        kind: FileKind,
    ) -> Result<Body, FetchError> {
        let timeout = if kind == FileKind::Zip {
            self.cfg.zip_timeout
        } else {
            self.cfg.timeout
        };
        let err =
            |k: ErrorKind, m: String| FetchError::new(k, display, format!("reading {url}: {m}"));
        let work = async {
            let resp = http
                .get(url.clone())
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| net_error(&e, &err))?;
            let status = resp.status();
            if status != reqwest::StatusCode::OK {
                let code = status.as_u16();
                let kind = if code == 404 || code == 410 {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Status
                };
                let detail = error_detail(resp).await;
                let mut msg = status.to_string();
                if !detail.is_empty() {
                    msg.push_str("\n\tserver response: ");
                    msg.push_str(&detail);
                }
                return Err(err(kind, msg).retryable(matches!(code, 429 | 500 | 502 | 503 | 504)));
            }
            let limit = kind.limit();
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
            }
            let mut sink = Sink::new(kind, &self.staging)
                .await
                .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
            let mut resp = resp;
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        if sink.len() + chunk.len() as u64 > limit {
                            return Err(err(ErrorKind::TooLarge, kind.too_large(limit)));
                        }
                        sink.write(&chunk)
                            .await
                            .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))?;
                    }
                    Ok(None) => break,
                    Err(e) => return Err(net_error(&e, &err)),
                }
            }
            sink.finish()
                .await
                .map_err(|e| err(ErrorKind::Local, format!("staging body: {e}")))
        };
        // reqwest enforces the timeout too; this outer bound also covers staging.
        match tokio::time::timeout(timeout + Duration::from_secs(1), work).await {
            Ok(r) => r,
            Err(_) => Err(err(
                ErrorKind::Timeout,
                format!("timed out after {timeout:?}"),
            )),
        }
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
