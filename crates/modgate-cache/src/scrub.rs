//! The scrub: every stored `.zip` and `.mod`, on the primary and on the backup,
//! re-hashed against the hash recorded when it was verified ([`crate::integrity`]).
//!
//! Per file it reports copies that are missing, that fail the recorded hash, and
//! (for files stored before hashes were recorded) copies that differ from each other.
//! With `repair`, a bad or missing copy is rewritten from a copy whose hash is the
//! recorded one, and read back to check; nothing is ever copied from a copy that
//! does not match its recorded hash, or from one that has no recorded hash. A file
//! bad on every store cannot be repaired here: delete it and the proxy fetches and
//! verifies it again (meanwhile it refuses to serve it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use modgate_storage::{Key, Storage, StorageError};
use serde::Serialize;

use crate::integrity::{self, Held};
use crate::keys;

/// The stores to scrub.
#[derive(Clone)]
pub struct Stores {
    pub primary: Arc<dyn Storage>,
    pub backup: Option<Arc<dyn Storage>>,
}

/// How to scrub.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rewrite bad or missing copies from a good one.
    pub repair: bool,
    /// Files per second at most (`None`: as fast as the stores answer).
    pub rate: Option<u32>,
    /// A local directory for zips being hashed (see [`integrity::hold`]).
    pub spool: Option<std::path::PathBuf>,
}

/// One thing found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// `missing_copy`, `corrupt_copy`, `corrupt` (no good copy left),
    /// `divergent_copies` (no recorded hash to decide), `unreadable`.
    pub code: &'static str,
    pub key: String,
    /// The store the finding is about (`primary`, `backup`), if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<&'static str>,
    pub summary: String,
    /// Whether `--repair` fixed it.
    pub repaired: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
}

/// What a scrub found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Files (`.zip`, `.mod`) looked at.
    pub files: u64,
    /// Copies hashed (a file has one per store that holds it).
    pub copies: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Files with no recorded hash (stored before hashes were recorded) whose copies
    /// agree: not verifiable, not a problem.
    pub unrecorded: u64,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Problems left (not repaired).
    pub fn unresolved(&self) -> usize {
        self.findings.iter().filter(|f| !f.repaired).count()
    }

    pub fn repaired(&self) -> usize {
        self.findings.iter().filter(|f| f.repaired).count()
    }
}

/// Where a scrub is, for progress displays.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub done: u64,
    pub total: u64,
    pub key: &'a str,
}

/// Whether `key` is a file the scrub checks.
pub fn scrubbed(key: &Key) -> bool {
    keys::recorded_hash(key).is_some()
}

/// The files to scrub: every `.zip`/`.mod` on either store.
pub async fn files(stores: &Stores) -> Result<Vec<Key>, StorageError> {
    let mut keys = stores.primary.list_all().await?;
    if let Some(b) = &stores.backup {
        keys.extend(b.list_all().await?);
    }
    keys.retain(scrubbed);
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Scrubs every file; `progress` is told before each one.
pub async fn scrub(
    stores: &Stores,
    opts: &Options,
    progress: &(dyn Fn(&Progress<'_>) + Send + Sync),
) -> Result<Report, StorageError> {
    let keys = files(stores).await?;
    let mut report = Report::default();
    let every = opts
        .rate
        .filter(|r| *r > 0)
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
    let total = keys.len() as u64;
    for (i, key) in keys.iter().enumerate() {
        let started = Instant::now();
        progress(&Progress {
            done: i as u64,
            total,
            key: key.as_str(),
        });
        scrub_file(stores, opts, key, &mut report).await;
        if let Some(every) = every {
            tokio::time::sleep(every.saturating_sub(started.elapsed())).await;
        }
    }
    Ok(report)
}

/// One store's copy of a file.
enum Copy {
    Missing,
    Unreadable(String),
    Hashed {
        h1: String,
        held: Held,
        size: u64,
    },
    /// Read, but not a valid zip.
    Invalid {
        why: String,
        size: u64,
    },
}

impl Copy {
    fn h1(&self) -> Option<&str> {
        match self {
            Copy::Hashed { h1, .. } => Some(h1),
            _ => None,
        }
    }
}

async fn read_copy(store: &dyn Storage, key: &Key, spool: Option<&std::path::Path>) -> Copy {
    let obj = match store.get(key).await {
        Ok(Some(obj)) => obj,
        Ok(None) => return Copy::Missing,
        Err(e) => return Copy::Unreadable(e.to_string()),
    };
    let size = obj.meta.size;
    let held = match integrity::hold(key, obj, spool).await {
        Ok(h) => h,
        Err(e) => return Copy::Unreadable(e.to_string()),
    };
    match integrity::h1_of(key, &held).await {
        Ok(h1) => Copy::Hashed { h1, held, size },
        Err(why) => Copy::Invalid { why, size },
    }
}

/// The recorded hash: the primary's record, else the backup's.
async fn recorded(stores: &Stores, key: &Key) -> (Option<String>, Vec<(&'static str, String)>) {
    let mut records = Vec::new();
    for (name, store) in named(stores) {
        match integrity::recorded(store.as_ref(), key).await {
            Ok(Some(h)) => records.push((name, h)),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(key = %key, store = name, error = %e, "reading a recorded hash")
            }
        }
    }
    (records.first().map(|(_, h)| h.clone()), records)
}

fn named(stores: &Stores) -> Vec<(&'static str, &Arc<dyn Storage>)> {
    let mut v = vec![("primary", &stores.primary)];
    if let Some(b) = &stores.backup {
        v.push(("backup", b));
    }
    v
}

async fn scrub_file(stores: &Stores, opts: &Options, key: &Key, report: &mut Report) {
    report.files += 1;
    let stores_named = named(stores);
    let mut copies = Vec::new();
    for (name, store) in &stores_named {
        let c = read_copy(store.as_ref(), key, opts.spool.as_deref()).await;
        if let Copy::Hashed { size, .. } | Copy::Invalid { size, .. } = &c {
            report.copies += 1;
            report.bytes += size;
        }
        copies.push((*name, *store, c));
    }
    let (want, records) = recorded(stores, key).await;
    let finding = |code, store, summary: String| Finding {
        code,
        key: key.to_string(),
        store,
        summary,
        repaired: false,
        recorded: want.clone(),
        got: None,
    };

    let Some(want) = want.clone() else {
        // Never verified here (stored before hashes were recorded): nothing to
        // trust, so nothing is repaired; copies that disagree are reported.
        let hashes: Vec<_> = copies.iter().filter_map(|(_, _, c)| c.h1()).collect();
        if hashes.windows(2).any(|w| w[0] != w[1]) {
            report.findings.push(finding(
                "divergent_copies",
                None,
                "the copies differ and no hash was recorded to tell which is right".into(),
            ));
        } else {
            report.unrecorded += 1;
        }
        return;
    };

    // A good copy to repair from: the first whose hash is the recorded one.
    let good = copies
        .iter()
        .position(|(_, _, c)| c.h1() == Some(want.as_str()));
    let mut found = Vec::new();
    for (name, store, c) in &copies {
        let (code, summary, got) = match c {
            Copy::Hashed { h1, .. } if *h1 == want => continue,
            Copy::Hashed { h1, .. } => (
                "corrupt_copy",
                format!("the {name} copy fails its recorded hash"),
                Some(h1.clone()),
            ),
            Copy::Invalid { why, .. } => (
                "corrupt_copy",
                format!("the {name} copy is not a valid module zip: {why}"),
                None,
            ),
            Copy::Missing => ("missing_copy", format!("missing from the {name}"), None),
            Copy::Unreadable(e) => (
                "unreadable",
                format!("the {name} copy cannot be read: {e}"),
                None,
            ),
        };
        found.push((*name, *store, code, summary, got));
    }
    if good.is_none() && copies.iter().any(|(_, _, c)| !matches!(c, Copy::Missing)) {
        // Every copy that exists is bad: nothing to repair from.
        for (name, _, code, summary, got) in found {
            if code == "missing_copy" {
                continue;
            }
            let mut f = finding(
                "corrupt",
                Some(name),
                format!(
                    "{summary}, and no copy matches it: not served; delete it to have it fetched and verified again"
                ),
            );
            f.got = got;
            report.findings.push(f);
        }
        return;
    }
    if good.is_none() {
        // Only the recorded hash is left (the file itself is gone everywhere).
        return;
    }
    let good = good.and_then(|i| match &copies[i].2 {
        Copy::Hashed { held, .. } => Some((copies[i].0, held)),
        _ => None,
    });
    for (name, store, code, summary, got) in found {
        let mut f = finding(code, Some(name), summary);
        f.got = got;
        if opts.repair
            && code != "unreadable"
            && let Some((from, held)) = &good
        {
            match rewrite(store.as_ref(), key, held, &want, opts.spool.as_deref()).await {
                Ok(()) => {
                    f.repaired = true;
                    f.summary = format!("{}: repaired from the {from}", f.summary);
                    tracing::info!(key = %key, store = name, from = from, "scrub repaired a copy");
                }
                Err(e) => {
                    f.summary = format!("{}: repair failed: {e}", f.summary);
                    tracing::warn!(key = %key, store = name, error = %e, "scrub repair failed");
                }
            }
        }
        report.findings.push(f);
    }
    // Each store that holds the file should hold its recorded hash too.
    let hk = keys::recorded_hash(key);
    for (name, store) in stores_named {
        if records.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let mut f = finding(
            "missing_copy",
            Some(name),
            format!("the recorded hash is missing from the {name}"),
        );
        f.key = hk.as_ref().map_or_else(String::new, |k| k.to_string());
        if opts.repair
            && let Some(hk) = &hk
        {
            match store.put_bytes(hk, Bytes::from(want.clone())).await {
                Ok(_) => f.repaired = true,
                Err(e) => f.summary = format!("{}: repair failed: {e}", f.summary),
            }
        }
        report.findings.push(f);
    }
}

/// Writes the good copy `held` to `store`, then reads it back and checks it.
pub(crate) async fn rewrite(
    store: &dyn Storage,
    key: &Key,
    held: &Held,
    want: &str,
    spool: Option<&std::path::Path>,
) -> Result<(), String> {
    match held {
        Held::Bytes(b) => {
            store
                .put_bytes(key, b.clone())
                .await
                .map_err(|e| e.to_string())?;
        }
        Held::File(f) => {
            let mut f = tokio::fs::File::from_std(f.try_clone().map_err(|e| e.to_string())?);
            let mut up = store.upload(key).await.map_err(|e| e.to_string())?;
            let r = async {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                f.seek(std::io::SeekFrom::Start(0))
                    .await
                    .map_err(|e| e.to_string())?;
                loop {
                    let mut buf = vec![0u8; 256 * 1024];
                    let n = f.read(&mut buf).await.map_err(|e| e.to_string())?;
                    if n == 0 {
                        break;
                    }
                    buf.truncate(n);
                    up.write(Bytes::from(buf))
                        .await
                        .map_err(|e| e.to_string())?;
                }
                f.seek(std::io::SeekFrom::Start(0))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(())
            }
            .await;
            match r {
                Ok(()) => {
                    up.commit().await.map_err(|e| e.to_string())?;
                }
                Err(e) => {
                    let _ = up.abort().await;
                    return Err(e);
                }
            }
        }
    }
    match read_copy(store, key, spool).await {
        Copy::Hashed { h1, .. } if h1 == want => Ok(()),
        Copy::Hashed { h1, .. } => Err(format!("read back as {h1}")),
        Copy::Invalid { why, .. } => Err(format!("read back invalid: {why}")),
        Copy::Missing => Err("not there when read back".into()),
        Copy::Unreadable(e) => Err(format!("read back: {e}")),
    }
}

#[cfg(test)]
mod tests;
