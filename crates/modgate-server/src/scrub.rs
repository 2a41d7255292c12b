//! The scrub as `modgate scrub` runs it and as `serve` runs it in the background
//! (`scrub_rate`): the stores come from the same configuration as serving.

use std::sync::Arc;
use std::time::Duration;

use modgate_cache::scrub::{self, Options, Stores};
use modgate_storage::{FsStorage, Mirrored, Storage};

use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;

pub use modgate_cache::scrub::{Finding, Progress, Report};

/// The stores `cfg` serves from (`storage`, else the data directory; the backup if
/// one is set, never the local tier), and a local directory to spool zips in.
pub async fn stores(cfg: &Config) -> Result<(Stores, std::path::PathBuf), ConfigError> {
    let primary: Arc<dyn Storage> = match cfg.storage.trim() {
        "" => {
            if !cfg.data.is_dir() {
                return Err(ConfigError(format!(
                    "data directory {}: not found (nothing was ever stored there)",
                    cfg.data.display()
                )));
            }
            let fs = FsStorage::open(&cfg.data)
                .map_err(|e| ConfigError(crate::config::data_dir_error(&cfg.data, None, &e)))?;
            Arc::new(fs)
        }
        url => modgate_storage::open(url, &cfg.storage_options)
            .await
            .map_err(|e| ConfigError(format!("storage: {e}")))?,
    };
    let spool = match primary.local_spool() {
        Some(dir) => dir,
        None => cfg.data.join(".spool"),
    };
    std::fs::create_dir_all(&spool)
        .map_err(|e| ConfigError(format!("spool directory {}: {e}", spool.display())))?;
    let backup = match cfg.backup.trim() {
        "" => None,
        url => Some(crate::server::open_backup(url, &cfg.backup_options, &spool).await?),
    };
    Ok((Stores { primary, backup }, spool))
}

/// Scrubs the stores of `cfg` once.
pub async fn run_once(
    cfg: &Config,
    repair: bool,
    progress: &(dyn Fn(&Progress<'_>) + Send + Sync),
) -> Result<Report, ConfigError> {
    let (stores, spool) = stores(cfg).await?;
    let opts = Options {
        repair,
        rate: None,
        spool: Some(spool),
    };
    scrub::scrub(&stores, &opts, progress)
        .await
        .map_err(|e| ConfigError(format!("scrub: {e}")))
}

/// How long the background scrub rests between passes.
const PAUSE: Duration = Duration::from_secs(3600);

/// Scrubs `mirror`'s stores (or `primary` alone) forever at `rate` files per
/// second, repairing what it can: a pass, an hour's rest, the next pass.
pub fn spawn_background(
    primary: Arc<dyn Storage>,
    spool: std::path::PathBuf,
    mirror: Option<Arc<Mirrored>>,
    rate: u32,
    metrics: Arc<Metrics>,
) -> tokio::task::JoinHandle<()> {
    let stores = match &mirror {
        Some(m) => Stores {
            primary: m.primary().clone(),
            backup: Some(m.backup().clone()),
        },
        None => Stores {
            primary,
            backup: None,
        },
    };
    tokio::spawn(async move {
        let opts = Options {
            repair: true,
            rate: Some(rate),
            spool: Some(spool),
        };
        loop {
            match scrub::scrub(&stores, &opts, &|_| {}).await {
                Ok(report) => {
                    metrics.scrubbed(&report);
                    let unresolved = report.unresolved();
                    for f in report.findings.iter().filter(|f| !f.repaired) {
                        tracing::error!(key = %f.key, code = f.code, "scrub: {}", f.summary);
                    }
                    tracing::info!(
                        files = report.files,
                        bytes = report.bytes,
                        repaired = report.repaired(),
                        unresolved,
                        "scrub pass done"
                    );
                }
                Err(e) => tracing::warn!(error = %e, "scrub pass failed"),
            }
            tokio::time::sleep(PAUSE).await;
        }
    })
}
