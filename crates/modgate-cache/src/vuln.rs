//! The Go vulnerability database (vuln.go.dev layout) through the cache: a mirror
//! that govulncheck (`GOVULNDB=http://modgate/vuln`) and `modgate audit` read.
//!
//! Served files are `index/{db,modules,vulns}.json` and `ID/<id>.json`, each also
//! as `.json.gz` (govulncheck reads only those over HTTP). Both forms are stored under
//! `vuln/` ([`crate::keys::vuln_file`]) from one fetch, so the `.json.gz` always
//! decompresses to the `.json` beside it: the upstream's `.json.gz` is fetched and
//! unpacked (an upstream with only `.json` files, such as a plain `file://` tree, is
//! gzipped here). What is stored is checked with the core's reader first (valid
//! JSON of the file's kind; an entry named for its id), so a broken upstream answer
//! never replaces a good copy.
//!
//! Every file can change upstream (entries are modified, the indexes grow), so every
//! file follows the freshness rules of lists: fresh for `fresh_for`, then served
//! stale while refreshed in the background for `stale_while_revalidate`, then
//! refreshed first and served stale if the upstream fails (stale-if-error). The three
//! index files are refreshed together, `index/db.json` last, so the `modified` it
//! serves is never newer than the index beside it. Offline, what is stored is served.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use modgate_core::vulndb;
use modgate_storage::{Object, Storage};
use modgate_upstream::{Body, Client, FileKind, UpstreamList};

use crate::error::CacheError;
use crate::keys;
use crate::observe::Origin;
use crate::request::RequestError;

/// One file of the database, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnRequest {
    /// The path without extension: `index/modules`, `ID/GO-2023-0001`.
    pub stem: String,
    /// Whether the `.json.gz` form is asked for.
    pub gzip: bool,
}

impl VulnRequest {
    /// The file's path in the database.
    pub fn path(&self) -> String {
        format!(
            "{}{}",
            self.stem,
            if self.gzip { ".json.gz" } else { ".json" }
        )
    }

    fn is_index(&self) -> bool {
        self.stem.starts_with("index/")
    }
}

/// The index files, in the order they are stored on a refresh (`db` last).
const INDEXES: [&str; 3] = [
    vulndb::index::MODULES_INDEX,
    vulndb::index::VULNS_INDEX,
    vulndb::index::DB_INDEX,
];

/// Parses the path of a database file (what follows `/vuln/`).
pub fn parse_request(rest: &str) -> Result<VulnRequest, RequestError> {
    let (stem, gzip) = if let Some(stem) = rest.strip_suffix(".json.gz") {
        (stem, true)
    } else if let Some(stem) = rest.strip_suffix(".json") {
        (stem, false)
    } else {
        return Err(not_served(rest));
    };
    let ok = if let Some(id) = stem.strip_prefix("ID/") {
        // Ids are GO-YYYY-NNNN; allow any plain name of letters, digits and - _.
        !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    } else {
        INDEXES.contains(&stem)
    };
    if !ok {
        return Err(not_served(rest));
    }
    Ok(VulnRequest {
        stem: stem.to_owned(),
        gzip,
    })
}

fn not_served(rest: &str) -> RequestError {
    RequestError::NotFound(format!(
        "not found: vuln/{rest}: not a file of the vulnerability database (index/db.json, index/modules.json, index/vulns.json, ID/<id>.json, each also .json.gz)"
    ))
}

/// Cached access to one vulnerability database.
pub struct VulnFiles {
    storage: Arc<dyn Storage>,
    client: Client,
    upstream: UpstreamList,
    offline: bool,
    fresh_for: Duration,
    stale_while_revalidate: Duration,
    /// One refresh at a time per file (per index, for the three index files).
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl VulnFiles {
    /// `upstream` is the database (`https://vuln.go.dev`, a `file://` tree);
    /// `fresh_for` and `stale_while_revalidate` are the lists' settings.
    pub fn new(
        storage: Arc<dyn Storage>,
        client: Client,
        upstream: UpstreamList,
        offline: bool,
        fresh_for: Duration,
        stale_while_revalidate: Duration,
    ) -> VulnFiles {
        VulnFiles {
            storage,
            client,
            upstream,
            offline,
            fresh_for,
            stale_while_revalidate,
            refreshing: Mutex::new(HashMap::new()),
        }
    }

    /// `req` through the cache (see the module comment).
    pub async fn get(
        self: &Arc<Self>,
        req: &VulnRequest,
    ) -> Result<(modgate_storage::Key, Object, Origin), CacheError> {
        let key = key(&req.path())?;
        let stored = self.storage.get(&key).await?;
        let Some(obj) = stored else {
            if self.offline {
                return Err(CacheError::not_found(format!(
                    "not found: vuln/{}: not in the cache (offline)",
                    req.path()
                )));
            }
            self.refresh(req).await?;
            return match self.storage.get(&key).await? {
                Some(obj) => Ok((key, obj, Origin::Miss)),
                None => Err(CacheError::not_found(format!(
                    "not found: vuln/{}: vanished after it was stored",
                    req.path()
                ))),
            };
        };
        let age = SystemTime::now()
            .duration_since(obj.meta.modified)
            .unwrap_or_default();
        if self.offline || age <= self.fresh_for {
            return Ok((key, obj, Origin::Hit));
        }
        if age <= self.fresh_for + self.stale_while_revalidate {
            let (this, req) = (self.clone(), req.clone());
            tokio::spawn(async move {
                if let Err(e) = this.refresh(&req).await {
                    tracing::debug!(path = %req.path(), error = %e, "vulnerability database: background refresh failed");
                }
            });
            return Ok((key, obj, Origin::Stale));
        }
        match self.refresh(req).await {
            Ok(()) => match self.storage.get(&key).await? {
                Some(new) => Ok((key, new, Origin::Miss)),
                None => Ok((key, obj, Origin::Unavailable)),
            },
            Err(e) if e.is_not_found() => Err(e),
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "vulnerability database: serving the stored copy after upstream failure");
                Ok((key, obj, Origin::Unavailable))
            }
        }
    }

    /// Fetches and stores `req`'s file in both forms (all three index files for an
    /// index), unless a concurrent refresh just did.
    async fn refresh(&self, req: &VulnRequest) -> Result<(), CacheError> {
        let unit = if req.is_index() {
            "index".to_owned()
        } else {
            req.stem.clone()
        };
        let asked = SystemTime::now();
        let lock = self
            .refreshing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(unit.clone())
            .or_default()
            .clone();
        let held = lock.lock().await;
        // Another request refreshed it while this one waited: that answer will do.
        if let Some(meta) = self.storage.stat(&key(&req.path())?).await?
            && meta.modified >= asked
        {
            return Ok(());
        }
        let stems: Vec<&str> = if req.is_index() {
            INDEXES.to_vec()
        } else {
            vec![req.stem.as_str()]
        };
        // Fetch everything first: a failure stores nothing.
        let mut fetched = Vec::with_capacity(stems.len());
        for stem in &stems {
            fetched.push((*stem, self.fetch(stem).await?));
        }
        for (stem, (plain, gz)) in fetched {
            self.storage
                .put_bytes(&key(&format!("{stem}.json"))?, plain)
                .await?;
            self.storage
                .put_bytes(&key(&format!("{stem}.json.gz"))?, gz)
                .await?;
        }
        drop(held);
        let mut map = self.refreshing.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&unit).is_some_and(|l| Arc::strong_count(l) == 1) {
            map.remove(&unit);
        }
        Ok(())
    }

    /// `stem`'s file from the upstream, checked: (`.json` bytes, `.json.gz` bytes).
    async fn fetch(&self, stem: &str) -> Result<(Bytes, Bytes), CacheError> {
        let gz_path = format!("{stem}.json.gz");
        let (plain, gz, upstream) = match self
            .client
            .fetch(&self.upstream, &gz_path, FileKind::Vuln)
            .await
        {
            Ok(f) => {
                let gz = body_bytes(f.body).await?;
                let plain = vulndb::gunzip(&gz_path, &gz, vulndb::MAX_DECODED).map_err(|e| {
                    CacheError::Refused {
                        upstream: f.upstream.clone(),
                        reason: e.to_string(),
                    }
                })?;
                (Bytes::from(plain), gz, f.upstream)
            }
            Err(e) if e.is_not_found() => {
                let plain_path = format!("{stem}.json");
                let f = self
                    .client
                    .fetch(&self.upstream, &plain_path, FileKind::Vuln)
                    .await
                    .map_err(|e2| if e2.is_not_found() { e } else { e2 })
                    .map_err(CacheError::from)?;
                let plain = body_bytes(f.body).await?;
                let gz = Bytes::from(vulndb::gzip(&plain));
                (plain, gz, f.upstream)
            }
            Err(e) => return Err(CacheError::from(e)),
        };
        check(stem, &plain).map_err(|reason| CacheError::Refused { upstream, reason })?;
        Ok((plain, gz))
    }
}

/// Whether `data` is a valid `stem` file (see [`vulndb`]'s readers).
fn check(stem: &str, data: &[u8]) -> Result<(), String> {
    let file = format!("{stem}.json");
    let r = match stem {
        vulndb::index::DB_INDEX => vulndb::parse_db(&file, data).map(drop),
        vulndb::index::MODULES_INDEX => vulndb::parse_modules(&file, data).map(drop),
        vulndb::index::VULNS_INDEX => vulndb::parse_vulns(&file, data).map(drop),
        _ => vulndb::parse_entry(&file, stem.strip_prefix("ID/"), data).map(drop),
    };
    r.map_err(|e| e.to_string())
}

fn key(path: &str) -> Result<modgate_storage::Key, CacheError> {
    keys::vuln_file(path)
        .map_err(|e| CacheError::InvalidRequest(RequestError::Invalid(e.to_string())))
}

async fn body_bytes(body: Body) -> Result<Bytes, CacheError> {
    match body {
        Body::Memory(b) => Ok(b),
        Body::File { path, .. } => Ok(Bytes::from(tokio::fs::read(&path).await.map_err(|e| {
            modgate_storage::StorageError::io("read", path.display().to_string(), e)
        })?)),
    }
}

#[cfg(test)]
mod tests;
