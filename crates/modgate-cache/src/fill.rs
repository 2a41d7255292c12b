//! Filling a key: fetch from the routed upstreams, verify, store, answer, once.
//!
//! * A remembered not-found answers at once ([`crate::negative`]).
//! * Concurrent fills of one key share one fetch ([`crate::flight`]). The leader's
//!   work runs in its own task, so it completes (and is stored) even if its client
//!   hangs up; followers read the stored object when it is done.
//! * Only the file asked for is fetched: an `.info` miss does not download the zip.
//! * Nothing is stored before it is verified: `.mod` and `.zip` against the checksum
//!   database ([`crate::verify`]), `.info` and `@latest` for being the version asked
//!   for. A zip is spooled to a local file by the upstream client, checked there, then
//!   handed to a storage upload (a rename on the disk backend) and answered from the
//!   spooled file's open descriptor: one storage round trip after the fetch.

use std::sync::Arc;

use bytes::Bytes;
use modgate_core::{module, semver};
use modgate_storage::{Body, Conditional, Key, Meta};
use modgate_upstream::{Body as Fetched, FileKind};

use crate::error::CacheError;
use crate::flight::{Lead, Turn};
use crate::observe::Origin;
use crate::request::{ModuleFile, ModuleRequest, is_canonical};
use crate::{Answer, Cache, keys};

/// What the leader of a fill hands its own request.
enum Filled {
    Memory {
        meta: Meta,
        data: Bytes,
    },
    File {
        meta: Meta,
        file: std::fs::File,
    },
    /// The lead was lost before storing: nothing was stored.
    Superseded,
}

/// How many times a fill whose leader vanished is joined again before it fails.
const REJOINS: usize = 4;

impl Cache {
    /// Fetches, verifies and stores `req` once, however many callers ask at once.
    ///
    /// A wait that ends without an outcome (its leader vanished: a panicked task, a
    /// replica that died and whose lease expired) joins again, so a follower takes
    /// the fill over instead of failing; so does a leader that lost its lease before
    /// storing.
    pub(crate) async fn fill(self: &Arc<Self>, req: &ModuleRequest) -> Result<Answer, CacheError> {
        let key = req.key()?;
        for attempt in 0..=REJOINS {
            if let Some(message) = self.negative.get(&key).await {
                return Err(CacheError::NotFound {
                    message,
                    remembered: true,
                });
            }
            let lead = match self.flights.join(&key).await {
                Turn::Follow(f) => {
                    self.observer.followed();
                    match f.wait().await {
                        Some(Ok(())) => return self.after_flight(&key).await,
                        Some(Err(e)) => return Err(e),
                        None => continue,
                    }
                }
                Turn::Lead(l) => l,
            };
            if (attempt > 0 || lead.recheck())
                && let Some(answer) = self.filled_meanwhile(req, &key).await?
            {
                lead.finish(&Ok(())).await;
                return Ok(answer);
            }
            let this = self.clone();
            let (req, key2) = (req.clone(), key.clone());
            let work = tokio::spawn(async move {
                let r = this.fetch_and_store(&req, &key2, &*lead).await;
                if let Err(CacheError::NotFound { message, .. }) = &r {
                    this.negative
                        .put(&key2, message, this.opts.negative_ttl)
                        .await;
                }
                // A superseded lead is dropped unfinished: its followers join again.
                if !matches!(r, Ok(Filled::Superseded)) {
                    let outcome = r.as_ref().map(|_| ()).map_err(Clone::clone);
                    lead.finish(&outcome).await;
                }
                r
            });
            let (meta, body) = match work
                .await
                .unwrap_or_else(|e| Err(CacheError::Abandoned(e.to_string())))?
            {
                Filled::Memory { meta, data } => (meta, Body::Bytes(data)),
                Filled::File { meta, file } => (
                    meta,
                    Body::Reader(Box::new(tokio::fs::File::from_std(file))),
                ),
                Filled::Superseded => {
                    tracing::warn!(key = %key, "lost the lead before storing: joining again");
                    continue;
                }
            };
            return Ok(Answer::Stored {
                key,
                meta,
                body,
                origin: Origin::Miss,
            });
        }
        Err(CacheError::Abandoned(
            "the fetches it waited for were abandoned".into(),
        ))
    }

    /// What another leader stored since this caller missed: an immutable file that is
    /// there now, or a mutable one confirmed within `fresh_for`.
    async fn filled_meanwhile(
        &self,
        req: &ModuleRequest,
        key: &Key,
    ) -> Result<Option<Answer>, CacheError> {
        let Some(obj) = self.storage.get(key).await? else {
            return Ok(None);
        };
        let obj = if req.immutable() {
            self.checked(key, obj).await?
        } else {
            let confirmed = self.freshness.confirmed_at(key, &obj.meta).await;
            if crate::age_of(confirmed) > self.opts.fresh_for {
                return Ok(None);
            }
            obj
        };
        Ok(Some(Answer::Stored {
            key: key.clone(),
            meta: obj.meta,
            body: obj.body,
            origin: Origin::Miss,
        }))
    }

    /// A follower's answer: the object its leader stored.
    async fn after_flight(&self, key: &Key) -> Result<Answer, CacheError> {
        if let Some(e) = self.hot.get(key) {
            return Ok(Answer::Stored {
                key: key.clone(),
                meta: e.meta.clone(),
                body: Body::Bytes(e.data.clone()),
                origin: Origin::Miss,
            });
        }
        match self.storage.get(key).await? {
            Some(obj) => Ok(Answer::Stored {
                key: key.clone(),
                meta: obj.meta,
                body: obj.body,
                origin: Origin::Miss,
            }),
            None => Err(crate::vanished(key)),
        }
    }

    /// Records a refusal of what an upstream sent.
    fn refuse(&self, reason: &'static str, key: &Key, e: CacheError) -> CacheError {
        self.observer.refused(reason);
        tracing::warn!(key = %key, error = %e, "refused upstream file");
        e
    }

    async fn fetch_and_store(
        &self,
        req: &ModuleRequest,
        key: &Key,
        lead: &dyn Lead,
    ) -> Result<Filled, CacheError> {
        let list = self
            .routes
            .select(&req.path)
            .map_err(|e| CacheError::not_found(e.to_string()))?;
        let kind = match req.file {
            ModuleFile::List => FileKind::List,
            ModuleFile::Latest => FileKind::Latest,
            ModuleFile::Info { .. } => FileKind::Info,
            ModuleFile::Mod { .. } => FileKind::Mod,
            ModuleFile::Zip { .. } => FileKind::Zip,
        };
        let fetched = self.client.fetch(&list, key.as_str(), kind).await?;
        let upstream = fetched.upstream;
        let refused = |reason: String| CacheError::Refused {
            upstream: upstream.clone(),
            reason,
        };
        if let ModuleFile::Zip { version, .. } = &req.file {
            let path = match fetched.body {
                Fetched::File { path, .. } => path,
                // Only the HTTP client spools; a zip from elsewhere in memory is
                // spooled here so it is checked like any other.
                Fetched::Memory(data) => spool(data).await?,
            };
            let h1 = match self.verifier.check_zip(&req.path, version, &path).await {
                Ok(h1) => h1,
                Err(e) => return Err(self.refuse(e.reason(), key, e.into())),
            };
            // Recorded before the zip is visible, so every stored zip has its hash.
            self.record_hash(key, &h1).await?;
            return self.store_file(key, path, lead).await;
        }
        let data = match fetched.body {
            Fetched::File { path, .. } => Bytes::from(
                tokio::fs::read(&path)
                    .await
                    .map_err(|e| modgate_storage::StorageError::io("read", key.as_str(), e))?,
            ),
            Fetched::Memory(data) => data,
        };
        match &req.file {
            // Zips were stored above; lists are taken as they come.
            ModuleFile::Zip { .. } | ModuleFile::List => {}
            ModuleFile::Mod { version, .. } => {
                match self.verifier.check_mod(&req.path, version, &data).await {
                    Ok(h1) => self.record_hash(key, &h1).await?,
                    Err(e) => return Err(self.refuse(e.reason(), key, e.into())),
                }
            }
            ModuleFile::Latest => {
                let info =
                    parse_info(&data).map_err(|m| self.refuse("invalid_info", key, refused(m)))?;
                if !semver::is_valid(&info) {
                    return Err(self.refuse(
                        "invalid_info",
                        key,
                        refused(format!("@latest returned invalid version {info:?}")),
                    ));
                }
            }
            ModuleFile::Info {
                version, canonical, ..
            } => {
                let got =
                    parse_info(&data).map_err(|m| self.refuse("invalid_info", key, refused(m)))?;
                if *canonical {
                    // Go's proxyRepo.Stat rule: the answer must be the version asked for.
                    if got != *version {
                        return Err(self.refuse(
                            "info_mismatch",
                            key,
                            refused(format!(
                                "proxy returned info for version {got} instead of requested version {version}"
                            )),
                        ));
                    }
                } else {
                    // A query must resolve to a canonical version of this module.
                    if !is_canonical(&got) || module::check(&req.path, &got).is_err() {
                        return Err(self.refuse(
                            "info_mismatch",
                            key,
                            refused(format!(
                                "query {version:?} resolved to invalid version {got:?}"
                            )),
                        ));
                    }
                    // Keep the resolved version's .info too (it is immutable).
                    if let Some(k) = keys::info(&req.escaped_path, &got)
                        && self.storage.put_if_absent(&k, data.clone()).await?
                            == Conditional::Unsupported
                    {
                        self.storage.put_bytes(&k, data.clone()).await?;
                    }
                }
            }
        }
        if !lead.still_leading().await {
            return Ok(Filled::Superseded);
        }
        let meta = self.storage.put_bytes(key, data.clone()).await?;
        if req.immutable() {
            self.hot.insert(key.clone(), meta.clone(), data.clone());
        } else {
            self.freshness.confirmed(key).await;
            self.fresh.insert_confirmed(
                key.clone(),
                meta.clone(),
                data.clone(),
                std::time::SystemTime::now(),
            );
        }
        Ok(Filled::Memory { meta, data })
    }

    /// Records the `h1:` hash `key` (a `.zip` or `.mod`) was verified with, beside it
    /// (see [`keys::recorded_hash`]), for the scrub and for reads to check against.
    async fn record_hash(&self, key: &Key, h1: &str) -> Result<(), CacheError> {
        if !self.options().record_hashes {
            return Ok(());
        }
        if let Some(hk) = keys::recorded_hash(key) {
            self.storage
                .put_bytes(&hk, Bytes::from(h1.to_owned()))
                .await?;
        }
        Ok(())
    }

    /// Stores a verified spooled file, keeping it open to answer from.
    async fn store_file(
        &self,
        key: &Key,
        path: tempfile::TempPath,
        lead: &dyn Lead,
    ) -> Result<Filled, CacheError> {
        let io = |e| modgate_storage::StorageError::io("spool", key.as_str(), e);
        // Opened before the upload takes the file over (a rename keeps the inode).
        let file = std::fs::File::open(&path).map_err(io)?;
        let mut upload = self.storage.upload(key).await?;
        // The upload owns the file from here; if it fails, the temporary file is
        // removed by the TempPath's or the upload's drop.
        let owned = path.keep().map_err(|e| io(e.error))?;
        let stored = async {
            upload.write_file(owned.clone()).await?;
            // Asked last, so a lease lost during a long upload still stops the commit.
            if !lead.still_leading().await {
                upload.abort().await?;
                return Ok(None);
            }
            upload.commit().await.map(Some)
        }
        .await;
        let _ = std::fs::remove_file(&owned); // gone after a rename; a copy's source otherwise
        match stored? {
            Some(meta) => Ok(Filled::File { meta, file }),
            None => Ok(Filled::Superseded),
        }
    }
}

/// Writes `data` to a temporary file for the zip checks, which read files.
async fn spool(data: Bytes) -> Result<tempfile::TempPath, CacheError> {
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new()?;
        f.write_all(&data)?;
        f.flush()?;
        Ok::<_, std::io::Error>(f.into_temp_path())
    })
    .await
    .map_err(|e| CacheError::Abandoned(e.to_string()))?
    .map_err(|e| modgate_storage::StorageError::io("spool", "zip", e).into())
}

/// The `Version` field of an `.info`/`@latest` answer.
fn parse_info(data: &[u8]) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Info {
        #[serde(rename = "Version")]
        version: String,
    }
    serde_json::from_slice::<Info>(data)
        .map(|i| i.version)
        .map_err(|e| format!("invalid .info JSON: {e}"))
}
