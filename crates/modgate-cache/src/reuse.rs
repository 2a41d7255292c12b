//! Whether an earlier answer to a mutable request is still the answer.
//!
//! A fresh `@v/list`, `@latest` or version query is answered from memory: online
//! from the fresh copy confirmed by an upstream (while within `fresh_for`), offline
//! (fetching disabled) a list from the remembered stored versions (likewise). The
//! HTTP side keeps such an answer whole and sends it again without asking here
//! each time; [`Cache::is_current`] tells it, cheaply, whether this cache would
//! still give the same bytes: the same in-memory source, still within its time.

use std::sync::Arc;

use bytes::Bytes;
use modgate_storage::Key;

use crate::hot::HotEntry;
use crate::request::{ModuleFile, ModuleRequest};
use crate::{Cache, age_of, offline};

/// What a mutable answer was made from (see [`Cache::source_of`]).
#[derive(Clone)]
pub struct Source(Kind);

#[derive(Clone)]
enum Kind {
    /// The fresh copy in memory (online): its key and entry.
    Fresh(Key, Arc<HotEntry>),
    /// A module's remembered stored versions (offline lists): its escaped path.
    Listed(String, Arc<Vec<String>>),
}

impl Cache {
    /// The in-memory source that `body`, an answer to a GET of `req` with fetching
    /// not disabled by the request, was made from, if it still is what `req` is
    /// answered from. `None` for immutable requests and answers read from storage.
    pub fn source_of(&self, req: &ModuleRequest, body: &Bytes) -> Option<Source> {
        if req.immutable() {
            return None;
        }
        let source = if self.opts.offline {
            if req.file != ModuleFile::List {
                return None;
            }
            let (_, versions) = self.listed.get(&req.escaped_path)?;
            // Computed anew for each answer: the same versions give the same bytes.
            if offline::list_body(&versions).as_bytes() != &body[..] {
                return None;
            }
            Source(Kind::Listed(req.escaped_path.clone(), versions))
        } else {
            let key = req.key().ok()?;
            let entry = self.fresh.get(&key)?;
            // The very bytes of the entry (its metadata gave the answer's validators).
            if entry.data.as_ptr() != body.as_ptr() || entry.data.len() != body.len() {
                return None;
            }
            Source(Kind::Fresh(key, entry))
        };
        self.is_current(&source).then_some(source)
    }

    /// Whether a GET of the request `source` answered (with fetching not disabled by
    /// the request) is still answered from it: the same in-memory copy, still fresh.
    pub fn is_current(&self, source: &Source) -> bool {
        match &source.0 {
            Kind::Fresh(key, entry) => {
                self.fresh.get(key).is_some_and(|e| Arc::ptr_eq(&e, entry))
                    && age_of(entry.confirmed) <= self.opts.fresh_for
            }
            Kind::Listed(path, versions) => self.listed.get(path).is_some_and(|(at, v)| {
                Arc::ptr_eq(&v, versions) && at.elapsed() <= self.opts.fresh_for
            }),
        }
    }
}
