//! Assembling and running the proxy from a [`Config`]: storage, upstream client,
//! the cache (routes, checksum database and verifier by `modgate_cache::assemble`),
//! the vulnerability database mirror, metrics, logging, graceful shutdown.
//!
//! Every configuration problem is reported before the listener opens (an unknown
//! GOPROXY scheme, `direct`, a bad GOSUMDB key, an unwritable data directory), each
//! naming the setting at fault.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use modgate_cache::assemble::{self, RouteSpec, Upstreams};
use modgate_cache::{Cache, Options, VulnFiles};
use modgate_storage::{FsStorage, LocalTier, Mirrored, Storage};
use modgate_upstream::{Client, ClientConfig, UpstreamList};

use crate::access::Access;
use crate::config::{Config, ConfigError, LogFormat};
use crate::metrics::{Metrics, upstream_observer};
use crate::proxy::Proxy;

/// Builds the proxy `cfg` describes (opening and probing its storage).
pub async fn build(cfg: &Config) -> Result<Arc<Proxy>, ConfigError> {
    build_parts(cfg).await.map(|b| b.proxy)
}

/// What [`build_parts`] assembled.
pub(crate) struct Built {
    pub proxy: Arc<Proxy>,
    /// The store the proxy serves from (local tier, mirror, store).
    pub storage: Arc<dyn Storage>,
    /// The mirror of primary and backup, when `backup` is set.
    pub mirror: Option<Arc<Mirrored>>,
    /// The durable store(s), without the local tier.
    pub durable: Arc<dyn Storage>,
    /// The local directory for temporary files beside the store.
    pub spool: PathBuf,
}

/// Opens the store at `url` (the `backup` setting) with its object-store
/// `options`: the one place the backup becomes a backend. An object store is not
/// contacted (its conditional writes are never used: the primary decides those), so
/// a backup that is down does not stop a start; uploads to it spool in `spool`.
pub async fn open_backup(
    url: &str,
    options: &std::collections::BTreeMap<String, String>,
    spool: &std::path::Path,
) -> Result<Arc<dyn Storage>, ConfigError> {
    let local = url.starts_with("file://") || !url.contains("://");
    let opened: Result<Arc<dyn Storage>, _> = if local {
        modgate_storage::open(url, options).await
    } else {
        modgate_storage::ObjectStorage::build(url, options, spool)
            .map(|s| Arc::new(s) as Arc<dyn Storage>)
    };
    opened.map_err(|e| ConfigError(format!("backup: {e}")))
}

/// The mirror of `primary` and the `backup` store, when one is configured.
pub async fn open_mirror(
    cfg: &Config,
    primary: Arc<dyn Storage>,
) -> Result<Option<Arc<Mirrored>>, ConfigError> {
    if cfg.backup.trim().is_empty() {
        if let Some(k) = cfg.backup_options.keys().next() {
            return Err(ConfigError(format!(
                "backup_options.{k}: backup options need a backup (backup = \"s3://...\")"
            )));
        }
        return Ok(None);
    }
    let backup = open_backup(
        cfg.backup.trim(),
        &cfg.backup_options,
        &cfg.data.join(".spool"),
    )
    .await?;
    let dir = cfg.backup_queue_dir();
    let mirror = Mirrored::open(primary, backup, &dir)
        .map_err(|e| ConfigError(format!("backup_queue {}: {e}", dir.display())))?
        .with_repairable(modgate_cache::keys::is_immutable);
    if mirror.queue_depth() > 0 {
        tracing::info!(
            entries = mirror.queue_depth(),
            "backup queue holds copies owed from before the restart"
        );
    }
    Ok(Some(Arc::new(mirror)))
}

/// Temporary files older than this are leftovers of killed writers.
const SWEEP_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Opens `storage` (or the data directory), probes it and logs what it can do, and
/// puts the local tier in front when `local_cache` is set. Returns the store and
/// where downloads are spooled: beside the store for a directory (storing is then a
/// rename), else `<local_cache>/.spool` (the tier keeps a copy by hard-linking) or
/// `<data>/.spool`.
async fn open_storage(cfg: &Config, metrics: &Arc<Metrics>) -> Result<Opened, ConfigError> {
    let url = cfg.storage.trim();
    let storage: Arc<dyn Storage> = if url.is_empty() {
        if let Some(k) = cfg.storage_options.keys().next() {
            return Err(ConfigError(format!(
                "storage_options.{k}: storage options apply to an object store (storage = \"s3://...\"), not to the data directory"
            )));
        }
        let fs = FsStorage::open(&cfg.data)
            .map_err(|e| ConfigError(crate::config::data_dir_error(&cfg.data, None, &e)))?;
        Arc::new(fs)
    } else {
        let spool = match &cfg.local_cache {
            Some(dir) => dir.join(".spool"),
            None => cfg.data.join(".spool"),
        };
        modgate_storage::open_with_spool(url, &cfg.storage_options, Some(&spool))
            .await
            .map_err(|e| ConfigError(e.to_string()))?
    };
    let probe = modgate_storage::probe(storage.as_ref())
        .await
        .map_err(|e| ConfigError(format!("storage {}: probe failed: {e}", storage.describe())))?;
    tracing::info!(
        store = %probe.store,
        ranged_read = probe.ranged_read,
        conditional_create = probe.conditional_create,
        ms = probe.elapsed.as_millis() as u64,
        "storage probed: write/read/delete ok"
    );
    // The backup sits under the local tier: reads the tier misses go to the primary,
    // then the backup; writes reach both.
    let mirror = open_mirror(cfg, storage.clone()).await?;
    let storage: Arc<dyn Storage> = match &mirror {
        Some(m) => m.clone(),
        None => storage,
    };
    let durable = storage.clone();
    let storage: Arc<dyn Storage> = match &cfg.local_cache {
        Some(dir) => {
            // Indexing a large tier walks its directory: off the async threads.
            let (d, limit) = (dir.clone(), cfg.local_cache_size);
            let tier = tokio::task::spawn_blocking(move || LocalTier::open(storage, d, limit))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)))
                .map_err(|e| ConfigError(format!("local_cache {}: {e}", dir.display())))?;
            tier.set_observer(metrics.clone());
            let s = tier.stats();
            tracing::info!(dir = %dir.display(), files = s.files, bytes = s.bytes, limit = s.limit, "local tier opened");
            Arc::new(tier)
        }
        None => storage,
    };
    let spool = match storage.local_spool() {
        Some(dir) => dir,
        None => cfg.data.join(".spool"),
    };
    std::fs::create_dir_all(&spool)
        .map_err(|e| ConfigError(format!("spool directory {}: {e}", spool.display())))?;
    Ok(Opened {
        storage,
        durable,
        spool,
        mirror,
    })
}

/// What [`open_storage`] opened.
struct Opened {
    /// What the cache uses: the local tier, over the mirror, over the store.
    storage: Arc<dyn Storage>,
    /// The durable store(s) under the local tier (the mirror, or the store).
    durable: Arc<dyn Storage>,
    spool: PathBuf,
    mirror: Option<Arc<Mirrored>>,
}

pub(crate) async fn build_parts(cfg: &Config) -> Result<Built, ConfigError> {
    let metrics = Arc::new(Metrics::default());
    let Opened {
        storage,
        durable,
        spool,
        mirror,
    } = open_storage(cfg, &metrics).await?;
    if let Some(m) = &mirror {
        metrics.watch_backup(m.clone());
    }
    let client_cfg = ClientConfig {
        connect_timeout: cfg.connect_timeout,
        timeout: cfg.timeout,
        zip_timeout: cfg.zip_timeout,
        idle_timeout: cfg.idle_timeout,
        hedge_delay: cfg.hedge_delay,
        retries: cfg.retries,
        retry_backoff: cfg.retry_backoff,
        breaker_threshold: cfg.breaker_threshold,
        breaker_cooldown: cfg.breaker_cooldown,
        git_config: cfg.git_config.clone(),
        vcs_dir: Some(cfg.vcs_dir()),
        direct_egress: cfg.direct_allow,
        direct_vcs: modgate_upstream::VcsPolicy {
            govcs: modgate_core::goenv::govcs::Govcs::setting(&cfg.govcs)
                .map_err(|e| ConfigError(format!("govcs: {e}")))?,
            private: cfg.private.clone(),
        },
        ..ClientConfig::default()
    };
    let client = Client::new(client_cfg, spool.clone())
        .map_err(|e| ConfigError(e.0))?
        .with_observer(upstream_observer(metrics.clone()));
    let opts = Options {
        offline: cfg.offline,
        fresh_for: cfg.fresh_for,
        stale_while_revalidate: cfg.stale_while_revalidate,
        negative_ttl: cfg.negative_ttl,
        sumdb_latest_fresh_for: cfg.sumdb_latest_ttl,
        record_hashes: true,
    };
    let upstreams = Upstreams {
        upstream: cfg.upstream.clone(),
        routes: cfg
            .routes
            .iter()
            .map(|r| RouteSpec {
                pattern: r.pattern.clone(),
                upstream: r.upstream.clone(),
                private: r.private,
            })
            .collect(),
        private: cfg.private.clone(),
        sumdb: cfg.sumdb.clone(),
        nosumdb: cfg.nosumdb_patterns().to_owned(),
    };
    let (breaker, vuln_client) = (client.breaker_settings(), client.clone());
    let coord = match cfg.coordination.trim() {
        "" => None,
        url => Some(
            modgate_coord::Coordination::open(url, cfg.lease_ttl, metrics.clone())
                .map_err(|e| ConfigError(e.to_string()))?,
        ),
    };
    let parts = match &coord {
        None => assemble::parts(storage.clone(), client, &upstreams, opts),
        Some(c) => assemble::parts_with_tree(
            storage.clone(),
            client,
            &upstreams,
            opts,
            &|name, stored| c.tree(name, stored),
        ),
    }
    .map_err(|e| ConfigError(e.0))?;
    let access = Access::new(&cfg.tokens, &cfg.private, cfg.public_access, |var| {
        std::env::var(var).ok()
    })
    .map_err(ConfigError)?;
    if !cfg.private.trim().is_empty() && !access.has_private_readers() {
        tracing::warn!(
            private = %cfg.private,
            "no [[tokens]] entry has modules: private modules are served to nobody"
        );
    }
    let mut cache = Cache::new(parts).with_observer(metrics.clone());
    if let Some(m) = &mirror {
        cache = cache.with_second_copy(m.backup().clone());
    }
    if let Some(c) = &coord {
        c.watch();
        cache = cache
            .with_flights(c.flights())
            .with_negative_cache(c.negative())
            .with_freshness(c.freshness());
    }
    let cache = match cfg.vulndb.trim() {
        "off" => cache,
        url => {
            let spec = if cfg.offline { "off" } else { url };
            let list = UpstreamList::parse(spec, breaker)
                .map_err(|e| ConfigError(format!("vulndb {url:?}: {}", e.0)))?;
            cache.with_vulndb(Arc::new(VulnFiles::new(
                storage.clone(),
                vuln_client,
                list,
                cfg.offline,
                cfg.fresh_for,
                cfg.stale_while_revalidate,
            )))
        }
    };
    let proxy = Proxy::new(Arc::new(cache), metrics).with_access(access);
    Ok(Built {
        proxy: Arc::new(proxy),
        storage,
        mirror,
        durable,
        spool,
    })
}

/// Installs the global tracing subscriber (`RUST_LOG` filter, default `info`).
///
/// Lines go through [`crate::logwriter`]: a request appends its line to a
/// buffer, and a writer thread writes batches to stderr, so one log line per
/// request costs no system call on the request path. Keep the returned guard
/// alive until shutdown: dropping it writes what is still buffered.
pub fn init_logging(format: LogFormat) -> crate::logwriter::FlushGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only on a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (writer, guard) = crate::logwriter::batch_writer(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer.clone());
    let installed = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    // The request log bypasses tracing (see `accesslog`), under the same filter.
    if installed.is_ok() && !ansi {
        let enabled = tracing::enabled!(target: "modgate_server", tracing::Level::INFO);
        crate::accesslog::install(writer, format, enabled);
    }
    guard
}

pub use crate::config::redact_userinfo;

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Builds, binds `cfg.listen` and serves until `shutdown`; in-flight requests then
/// get `cfg.shutdown_timeout` to finish. `on_listening` is told the bound address.
pub async fn run(
    cfg: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ConfigError> {
    let Built {
        proxy,
        storage,
        mirror,
        durable,
        spool,
    } = build_parts(&cfg).await?;
    let retry = mirror.as_ref().map(|m| m.spawn_retry());
    let scrubber = (cfg.scrub_rate > 0).then(|| {
        crate::scrub::spawn_background(
            durable,
            spool.clone(),
            mirror.clone(),
            cfg.scrub_rate,
            proxy.metrics.clone(),
        )
    });
    // Hourly, remove staging files left by a killed process (they are never served,
    // only wasted space).
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_AGE);
        loop {
            tick.tick().await;
            match storage.sweep(SWEEP_AGE).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "swept stale temporary files"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sweeping temporary files"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| ConfigError(format!("listen {}: {e}", cfg.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ConfigError(format!("listen {}: {e}", cfg.listen)))?;
    tracing::info!(%addr, data = %cfg.data.display(), storage = %redact_userinfo(&cfg.storage), upstream = %redact_userinfo(&cfg.upstream), offline = cfg.offline, coordination = %redact_userinfo(&cfg.coordination), backup = %redact_userinfo(&cfg.backup), "modgate serve listening");
    on_listening(addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let grace = cfg.shutdown_timeout;
    let server = tokio::spawn(crate::serve(listener, proxy, async move {
        let _ = rx.await;
    }));
    shutdown.await;
    tracing::info!("shutting down: finishing in-flight requests");
    let _ = tx.send(());
    sweeper.abort();
    for task in [retry, scrubber].into_iter().flatten() {
        task.abort();
    }
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(ConfigError(format!("serving: {e}"))),
        Ok(Err(e)) => Err(ConfigError(format!("serving: {e}"))),
        Err(_) => {
            tracing::warn!(?grace, "shutdown timeout: dropping remaining connections");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
