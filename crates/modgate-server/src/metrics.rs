//! Prometheus metrics (`/metrics`, OpenMetrics text format via `prometheus-client`).
//!
//! | metric | labels |
//! |---|---|
//! | `modgate_requests_total` | `endpoint`, `status` |
//! | `modgate_cache_total` | `endpoint`, `result` (`hit`, `miss`, `stale`, `offline`, `negative`) |
//! | `modgate_upstream_requests_total` | `upstream`, `kind`, `outcome` |
//! | `modgate_upstream_duration_seconds` | `kind` (histogram) |
//! | `modgate_upstream_hedges_total` | `outcome` (`sent`, `won`) |
//! | `modgate_singleflight_waits_total` | — |
//! | `modgate_bytes_served_total` | `endpoint` |
//! | `modgate_sendfile_responses_total` | — |
//! | `modgate_ready_responses_total` | — |
//! | `modgate_verification_failures_total` | `reason` (`checksum_mismatch`, `invalid_file`, `invalid_info`, `info_mismatch`, `sumdb_unavailable`) |
//! | `modgate_access_denied_total` | `reason` (`hidden`: a private module answered 404; `unauthorized`: 401) |
//! | `modgate_coordination_fallbacks_total` | `operation` (`flight`, `negative`, `freshness`, `tree`) |
//! | `modgate_coordination_up` | — (gauge: 1 when Redis answers; 0 when it cannot be reached or coordination is off) |
//! | `modgate_local_tier_reads_total` | `result` (`hit`, `miss`) |
//! | `modgate_local_tier_evictions_total` | — |
//! | `modgate_local_tier_files`, `modgate_local_tier_bytes` | — (gauges) |
//! | `modgate_backup_queue_depth`, `modgate_backup_queue_oldest_seconds` | — (gauges) |
//! | `modgate_backup_writes_failed_total` | `store` (`backup`, `primary`) |
//! | `modgate_backup_retries_total`, `modgate_backup_reads_total`, `modgate_backup_repairs_total` | — |
//! | `modgate_scrub_files_total` | — |
//! | `modgate_scrub_findings_total` | `code`, `outcome` (`repaired`, `unresolved`) |
//!
//! No label carries a module path, a token name or a secret.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub endpoint: &'static str,
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub upstream: String,
    pub kind: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ScrubLabels {
    pub code: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StoreLabels {
    pub store: &'static str,
}

/// The backup mirror's numbers, copied from it when metrics are read.
#[derive(Default)]
pub struct BackupMetrics {
    pub queue_depth: Gauge,
    pub queue_oldest_seconds: Gauge<f64, AtomicU64>,
    pub writes_failed: Family<StoreLabels, Counter>,
    pub retries: Counter,
    pub reads: Counter,
    pub repairs: Counter,
    pub scrub_files: Counter,
    pub scrub_findings: Family<ScrubLabels, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub result: &'static str,
}

/// All metrics, registered once.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub cache: Family<CacheLabels, Counter>,
    pub upstream: Family<UpstreamLabels, Counter>,
    pub upstream_duration: Family<KindLabels, Histogram>,
    pub upstream_hedges: Family<OutcomeLabels, Counter>,
    pub singleflight_waits: Counter,
    pub bytes_served: Family<EndpointLabels, Counter>,
    pub sendfile_responses: Counter,
    pub ready_responses: Counter,
    pub verification_failures: Family<ReasonLabels, Counter>,
    pub access_denied: Family<ReasonLabels, Counter>,
    pub coordination_fallbacks: Family<OperationLabels, Counter>,
    pub coordination_up: Gauge,
    pub local_tier_reads: Family<ResultLabels, Counter>,
    pub local_tier_evictions: Counter,
    pub local_tier_files: Gauge,
    pub local_tier_bytes: Gauge,
    pub backup: BackupMetrics,
    mirror: OnceLock<Arc<modgate_storage::Mirrored>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("modgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let cache = Family::<CacheLabels, Counter>::default();
        let upstream = Family::<UpstreamLabels, Counter>::default();
        let upstream_duration = Family::<KindLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 14))
        });
        let upstream_hedges = Family::<OutcomeLabels, Counter>::default();
        let singleflight_waits = Counter::default();
        let bytes_served = Family::<EndpointLabels, Counter>::default();
        let sendfile_responses = Counter::default();
        let ready_responses = Counter::default();
        let verification_failures = Family::<ReasonLabels, Counter>::default();
        let access_denied = Family::<ReasonLabels, Counter>::default();
        let coordination_fallbacks = Family::<OperationLabels, Counter>::default();
        let coordination_up = Gauge::default();
        let local_tier_reads = Family::<ResultLabels, Counter>::default();
        let local_tier_evictions = Counter::default();
        let local_tier_files = Gauge::default();
        let local_tier_bytes = Gauge::default();
        let backup = BackupMetrics::default();
        // name, metric, help: the exposition lists them in this order.
        macro_rules! register {
            ($($name:literal, $metric:expr, $help:literal;)*) => {
                $(registry.register($name, $help, $metric.clone());)*
            };
        }
        register! {
            "requests", requests,
                "Requests by endpoint and status";
            "cache", cache,
                "Cache results by endpoint";
            "upstream_requests", upstream,
                "Upstream attempts by upstream, file kind and outcome";
            "upstream_duration_seconds", upstream_duration,
                "Upstream attempt latency";
            "upstream_hedges", upstream_hedges,
                "Hedged upstream requests: sent, and those whose answer was used";
            "singleflight_waits", singleflight_waits,
                "Requests that waited on another request's upstream fetch";
            "bytes_served", bytes_served,
                "Body bytes served";
            "sendfile_responses", sendfile_responses,
                "Responses whose body was sent from the stored file with sendfile (zero-copy)";
            "ready_responses", ready_responses,
                "Requests for small immutable files answered from a kept response, before routing";
            "verification_failures", verification_failures,
                "Upstream files refused by verification";
            "access_denied", access_denied,
                "Requests refused by inbound access control";
            "coordination_fallbacks", coordination_fallbacks,
                "Coordination operations that fell back to this process alone (Redis unreachable)";
            "coordination_up", coordination_up,
                "Whether Redis answers (1) or not (0, also with coordination off)";
            "local_tier_reads", local_tier_reads,
                "Reads of immutable files with local_cache set: served from the local tier (hit) or from the store (miss)";
            "local_tier_evictions", local_tier_evictions,
                "Files removed from the local tier to stay within local_cache_size";
            "local_tier_files", local_tier_files,
                "Files in the local tier";
            "local_tier_bytes", local_tier_bytes,
                "Bytes of the files in the local tier";
            "backup_queue_depth", backup.queue_depth,
                "Copies owed to the backup (or to the primary while it was down)";
            "backup_queue_oldest_seconds", backup.queue_oldest_seconds,
                "How long the oldest owed copy has waited";
            "backup_writes_failed", backup.writes_failed,
                "Writes one store failed while the other took them (queued)";
            "backup_retries", backup.retries,
                "Owed copies attempted again";
            "backup_reads", backup.reads,
                "Reads the primary missed or failed, answered from the backup";
            "backup_repairs", backup.repairs,
                "Objects copied back to the primary from the backup";
            "scrub_files", backup.scrub_files,
                "Files (.zip, .mod) the background scrub checked";
            "scrub_findings", backup.scrub_findings,
                "Missing, corrupt or divergent copies the background scrub found";
        }
        Metrics {
            registry: Mutex::new(registry),
            backup,
            mirror: OnceLock::new(),
            requests,
            cache,
            upstream,
            upstream_duration,
            upstream_hedges,
            singleflight_waits,
            bytes_served,
            sendfile_responses,
            ready_responses,
            verification_failures,
            access_denied,
            coordination_fallbacks,
            coordination_up,
            local_tier_reads,
            local_tier_evictions,
            local_tier_files,
            local_tier_bytes,
        }
    }
}

impl modgate_storage::TierObserver for Metrics {
    fn read(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.local_tier_reads
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    fn evicted(&self, files: usize) {
        self.local_tier_evictions.inc_by(files as u64);
    }

    fn size(&self, files: usize, bytes: u64) {
        self.local_tier_files
            .set(i64::try_from(files).unwrap_or(i64::MAX));
        self.local_tier_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }
}

impl modgate_coord::CoordObserver for Metrics {
    fn fallback(&self, operation: &'static str) {
        self.coordination_fallbacks
            .get_or_create(&OperationLabels { operation })
            .inc();
    }

    fn up(&self, up: bool) {
        self.coordination_up.set(i64::from(up));
    }
}

impl Metrics {
    /// Exports the numbers of the backup mirror.
    pub fn watch_backup(&self, mirror: Arc<modgate_storage::Mirrored>) {
        let _ = self.mirror.set(mirror);
    }

    /// Counts a background scrub pass.
    pub fn scrubbed(&self, report: &modgate_cache::scrub::Report) {
        self.backup.scrub_files.inc_by(report.files);
        for f in &report.findings {
            let outcome = if f.repaired { "repaired" } else { "unresolved" };
            self.backup
                .scrub_findings
                .get_or_create(&ScrubLabels {
                    code: f.code,
                    outcome,
                })
                .inc();
        }
    }

    /// Copies the mirror's numbers into the metrics.
    fn read_backup(&self) {
        let Some(m) = self.mirror.get() else {
            return;
        };
        let b = &self.backup;
        b.queue_depth
            .set(i64::try_from(m.queue_depth()).unwrap_or(i64::MAX));
        b.queue_oldest_seconds
            .set(m.queue_oldest_age().as_secs_f64());
        let s = m.stats();
        let catch_up = |c: &Counter, v: &AtomicU64| {
            c.inc_by(v.load(Ordering::Relaxed).saturating_sub(c.get()));
        };
        catch_up(
            &b.writes_failed
                .get_or_create(&StoreLabels { store: "backup" }),
            &s.backup_write_failures,
        );
        catch_up(
            &b.writes_failed
                .get_or_create(&StoreLabels { store: "primary" }),
            &s.primary_write_failures,
        );
        catch_up(&b.retries, &s.retries);
        catch_up(&b.reads, &s.backup_reads);
        catch_up(&b.repairs, &s.repairs);
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        self.read_backup();
        let mut out = String::new();
        let reg = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if prometheus_client::encoding::text::encode(&mut out, &reg).is_err() {
            out.clear();
        }
        out
    }

    pub fn verification_failure(&self, reason: &'static str) {
        self.verification_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    pub fn access_denied(&self, reason: &'static str) {
        self.access_denied
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }
}

/// The cache's events, counted.
impl modgate_cache::Observer for Metrics {
    fn answered(&self, endpoint: &'static str, origin: modgate_cache::Origin) {
        self.cache
            .get_or_create(&CacheLabels {
                endpoint,
                result: origin.label(),
            })
            .inc();
    }

    fn refused(&self, reason: &'static str) {
        self.verification_failure(reason);
    }

    fn followed(&self) {
        self.singleflight_waits.inc();
    }
}

/// The upstream client's observer that feeds these metrics.
pub fn upstream_observer(
    metrics: std::sync::Arc<Metrics>,
) -> impl Fn(&modgate_upstream::Event<'_>) + Send + Sync + 'static {
    use modgate_upstream::{Event, FileKind, HedgeOutcome, Outcome};
    move |ev| {
        let ev = match ev {
            Event::Attempt(ev) => ev,
            Event::Hedge(h) => {
                let outcome = match h.outcome {
                    HedgeOutcome::Sent => "sent",
                    HedgeOutcome::Won => "won",
                };
                metrics
                    .upstream_hedges
                    .get_or_create(&OutcomeLabels { outcome })
                    .inc();
                return;
            }
        };
        let kind = match ev.kind {
            FileKind::List => "list",
            FileKind::Info => "info",
            FileKind::Latest => "latest",
            FileKind::Mod => "mod",
            FileKind::Zip => "zip",
            FileKind::Sumdb => "sumdb",
            FileKind::Vuln => "vuln",
        };
        let outcome = match ev.outcome {
            Outcome::Ok => "ok",
            Outcome::NotFound => "not_found",
            Outcome::Error => "error",
            Outcome::CircuitOpen => "circuit_open",
            Outcome::Cancelled => "cancelled",
        };
        metrics
            .upstream
            .get_or_create(&UpstreamLabels {
                upstream: ev.upstream.to_owned(),
                kind,
                outcome,
            })
            .inc();
        // A skipped or cancelled attempt has no latency to speak of.
        if !matches!(ev.outcome, Outcome::CircuitOpen | Outcome::Cancelled) {
            metrics
                .upstream_duration
                .get_or_create(&KindLabels { kind })
                .observe(ev.elapsed.as_secs_f64());
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every exported metric is documented for operators.
    #[test]
    fn every_metric_is_in_docs_metrics_md() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/metrics.md");
        let docs =
            std::fs::read_to_string(&docs).unwrap_or_else(|e| panic!("{}: {e}", docs.display()));
        use super::*;
        // Families print only the label sets they have: give each one.
        let m = Metrics::default();
        m.requests
            .get_or_create(&RequestLabels {
                endpoint: "mod",
                status: 200,
            })
            .inc();
        m.cache
            .get_or_create(&CacheLabels {
                endpoint: "mod",
                result: "hit",
            })
            .inc();
        m.upstream
            .get_or_create(&UpstreamLabels {
                upstream: "u".into(),
                kind: "mod",
                outcome: "ok",
            })
            .inc();
        m.upstream_duration
            .get_or_create(&KindLabels { kind: "mod" })
            .observe(0.1);
        m.upstream_hedges
            .get_or_create(&OutcomeLabels { outcome: "sent" })
            .inc();
        m.bytes_served
            .get_or_create(&EndpointLabels { endpoint: "mod" })
            .inc();
        m.verification_failure("checksum_mismatch");
        m.access_denied("hidden");
        m.backup
            .writes_failed
            .get_or_create(&StoreLabels { store: "backup" })
            .inc();
        m.backup
            .scrub_findings
            .get_or_create(&ScrubLabels {
                code: "corrupt",
                outcome: "unresolved",
            })
            .inc();
        let text = m.encode();
        let names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(names.len() >= 9, "{text}");
        for name in names {
            // Counters are exported as `<name>_total`.
            let shown = if text.contains(&format!("# TYPE {name} counter")) {
                format!("`{name}_total`")
            } else {
                format!("`{name}`")
            };
            assert!(docs.contains(&shown), "docs/metrics.md lacks {shown}");
        }
    }
}
