//! An in-memory checksum database: append go.sum records, keep the log's
//! stored hashes, sign the tree, and answer the server paths as x/mod's
//! `sumdb.Server` does — without HTTP, which a server crate adds on top.
//!
//! Follows `golang.org/x/mod/sumdb/server.go` (paths, validation, response
//! bodies and content types) and `sumdb/test.go` (`TestServer`, the in-memory
//! `ServerOps`). [`MemDb::serve`] maps a request path to an [`Outcome`]:
//!
//! | path | answer |
//! |---|---|
//! | `latest` | the signed tree note |
//! | `lookup/<esc path>@<esc version>` | `<id>\n<record>\n` + signed tree note |
//! | `tile/H/L/NNN[.p/W]` | `W` × 32 raw hash bytes |
//! | `tile/H/data/NNN[.p/W]` | the record texts of the level-0 tile, each followed by a blank line |
//!
//! Where `TestServer` would fail with an internal error or panic (a tile or
//! record beyond the log), this database answers [`Outcome::NotFound`], as a
//! production server does.

use std::collections::HashMap;

use super::note::{self, Note, Signer};
use super::record::{Tree, format_record, format_tree};
use super::tile::Tile;
use super::tlog::{self, HASH_SIZE, Hash, stored_hash_index, stored_hashes};
use crate::module::{self, Version};

/// Content type of `latest`, `lookup` and data-tile responses.
pub const TEXT_PLAIN: &str = "text/plain; charset=UTF-8";
/// Content type of hash-tile responses.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The answer to a request path (the HTTP status a server would send).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200, with the body and its content type.
    Ok {
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// 404, with a message.
    NotFound(String),
    /// 400, with x/mod's message (`invalid module@version syntax`,
    /// `invalid tile syntax`).
    BadRequest(String),
    /// 500, with the error text (x/mod answers a badly escaped lookup this
    /// way, and a signer failure).
    ServerError(String),
}

impl Outcome {
    /// The HTTP status code x/mod's server would use.
    pub fn status(&self) -> u16 {
        match self {
            Outcome::Ok { .. } => 200,
            Outcome::NotFound(_) => 404,
            Outcome::BadRequest(_) => 400,
            Outcome::ServerError(_) => 500,
        }
    }
}

/// Errors when adding records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemDbError {
    /// The record text is not valid record text (see [`format_record`]).
    #[error("malformed record data")]
    MalformedRecord,
    /// The module version already has a record; a log never replaces one.
    #[error("{0}: already in the checksum database (record {1})")]
    AlreadyPresent(Version, u64),
    /// A go.sum record whose lines are not all for one module version.
    #[error("go.sum record: {0}")]
    BadGoSumRecord(String),
}

/// An in-memory checksum database (see the module docs).
pub struct MemDb {
    signer: Box<dyn Signer + Send + Sync>,
    records: Vec<Vec<u8>>,
    hashes: Vec<Hash>,
    ids: HashMap<Version, u64>,
}

impl std::fmt::Debug for MemDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MemDb({}+{:08x}, {} records)",
            self.signer.name(),
            self.signer.key_hash(),
            self.records.len()
        )
    }
}

impl MemDb {
    /// An empty database whose tree notes are signed by `signer`.
    pub fn new(signer: impl Signer + Send + Sync + 'static) -> MemDb {
        MemDb {
            signer: Box::new(signer),
            records: Vec::new(),
            hashes: Vec::new(),
            ids: HashMap::new(),
        }
    }

    /// An empty database signing with the encoded signer key `skey`
    /// (`PRIVATE+KEY+<name>+<hash>+<key>`).
    pub fn from_signer_key(skey: &str) -> Result<MemDb, note::NoteError> {
        Ok(MemDb::new(note::Ed25519Signer::new(skey)?))
    }

    /// Appends a record for `path@version` with the given text and returns
    /// its id. The text must be valid record text: UTF-8 without control
    /// characters but newline, ending in a newline, without blank lines.
    pub fn add(&mut self, path: &str, version: &str, text: &[u8]) -> Result<u64, MemDbError> {
        if format_record(0, text).is_err() {
            return Err(MemDbError::MalformedRecord);
        }
        let key = Version::new(path, version);
        if let Some(&id) = self.ids.get(&key) {
            return Err(MemDbError::AlreadyPresent(key, id));
        }
        let id = self.records.len() as u64;
        let new = stored_hashes(id, text, &self.hashes)
            .expect("the stored hashes of earlier records are all present");
        self.hashes.extend(new);
        self.records.push(text.to_vec());
        self.ids.insert(key, id);
        Ok(id)
    }

    /// Appends a go.sum record — lines `<path> <version>[/go.mod] <hash>`, all
    /// for one module version, as the Go checksum database stores them —
    /// and returns its id.
    pub fn add_go_sum(&mut self, text: &[u8]) -> Result<u64, MemDbError> {
        let s = std::str::from_utf8(text).map_err(|_| MemDbError::MalformedRecord)?;
        let mut key: Option<(&str, &str)> = None;
        for line in s.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            let [path, version, _hash] = f[..] else {
                return Err(MemDbError::BadGoSumRecord(format!(
                    "want \"<path> <version> <hash>\", have {}",
                    crate::quote::quote(line)
                )));
            };
            let version = version.strip_suffix("/go.mod").unwrap_or(version);
            match key {
                None => key = Some((path, version)),
                Some(k) if k == (path, version) => {}
                Some((p, v)) => {
                    return Err(MemDbError::BadGoSumRecord(format!(
                        "line for {path}@{version} in the record for {p}@{v}"
                    )));
                }
            }
        }
        let (path, version) =
            key.ok_or_else(|| MemDbError::BadGoSumRecord("no lines".to_string()))?;
        self.add(path, version, text)
    }

    /// Appends the standard go.sum record for a module version: its zip hash
    /// and its go.mod hash.
    pub fn add_module(
        &mut self,
        path: &str,
        version: &str,
        zip_hash: &str,
        go_mod_hash: &str,
    ) -> Result<u64, MemDbError> {
        let text = format!("{path} {version} {zip_hash}\n{path} {version}/go.mod {go_mod_hash}\n");
        self.add(path, version, text.as_bytes())
    }

    /// The number of records.
    pub fn size(&self) -> u64 {
        self.records.len() as u64
    }

    /// The stored hashes of the log, by stored hash index.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The text of record `id`.
    pub fn record(&self, id: u64) -> Option<&[u8]> {
        self.records
            .get(usize::try_from(id).ok()?)
            .map(Vec::as_slice)
    }

    /// The record id for `path@version`.
    pub fn lookup_id(&self, path: &str, version: &str) -> Option<u64> {
        self.ids.get(&Version::new(path, version)).copied()
    }

    /// The current tree (size and root hash).
    pub fn tree(&self) -> Tree {
        self.tree_at(self.size())
            .expect("the stored hashes cover the tree")
    }

    /// The tree of the first `n` records, if `n` is at most the size.
    pub fn tree_at(&self, n: u64) -> Option<Tree> {
        if n > self.size() {
            return None;
        }
        let hash = tlog::tree_hash(n, &self.hashes).ok()?;
        Some(Tree { n, hash })
    }

    /// The signed note for the current tree (the `latest` response).
    pub fn signed_tree(&self) -> Result<Vec<u8>, note::NoteError> {
        self.sign_tree(&self.tree())
    }

    /// Signs the note for `tree` with this database's key.
    pub fn sign_tree(&self, tree: &Tree) -> Result<Vec<u8>, note::NoteError> {
        let text = String::from_utf8(format_tree(tree)).expect("tree notes are ASCII");
        note::sign(
            &Note {
                text,
                ..Note::default()
            },
            &[self.signer.as_ref()],
        )
    }

    /// Answers a request path (`latest`, `lookup/…`, `tile/…`, with or without
    /// a leading `/`) as x/mod's `sumdb.Server` does.
    pub fn serve(&self, path: &str) -> Outcome {
        let path = path.strip_prefix('/').unwrap_or(path);
        if path == "latest" {
            return match self.signed_tree() {
                Ok(body) => Outcome::Ok {
                    content_type: TEXT_PLAIN,
                    body,
                },
                Err(e) => Outcome::ServerError(e.to_string()),
            };
        }
        if let Some(m) = path.strip_prefix("lookup/") {
            return self.serve_lookup(m);
        }
        if path.starts_with("tile/") {
            return self.serve_tile(path);
        }
        Outcome::NotFound("404 page not found".to_string())
    }

    fn serve_lookup(&self, m: &str) -> Outcome {
        if !is_mod_ver(m) {
            return Outcome::BadRequest("invalid module@version syntax".to_string());
        }
        let (esc_path, esc_vers) = m.split_once('@').unwrap_or((m, ""));
        let path = match module::unescape_path(esc_path) {
            Ok(p) => p,
            Err(e) => return Outcome::ServerError(e.to_string()),
        };
        let vers = match module::unescape_version(esc_vers) {
            Ok(v) => v,
            Err(e) => return Outcome::ServerError(e.to_string()),
        };
        let Some(id) = self.lookup_id(&path, &vers) else {
            return Outcome::NotFound(format!("not found: {path}@{vers}"));
        };
        let text = self.record(id).unwrap_or_default();
        let mut body = match format_record(id, text) {
            Ok(b) => b,
            Err(e) => return Outcome::ServerError(e.to_string()),
        };
        match self.signed_tree() {
            Ok(signed) => body.extend_from_slice(&signed),
            Err(e) => return Outcome::ServerError(e.to_string()),
        }
        Outcome::Ok {
            content_type: TEXT_PLAIN,
            body,
        }
    }

    fn serve_tile(&self, path: &str) -> Outcome {
        let Ok(t) = Tile::parse(path) else {
            return Outcome::BadRequest("invalid tile syntax".to_string());
        };
        let not_found = || Outcome::NotFound(format!("not found: {path}"));
        if t.is_data() {
            // The records under the level-0 tile with the same coordinates.
            let Some((start, end)) = tile_span(&t, 0).filter(|&(_, end)| end <= self.size()) else {
                return not_found();
            };
            let mut body = Vec::new();
            for id in start..end {
                let text = self.record(id).unwrap_or_default();
                match format_record(id, text) {
                    Ok(msg) => {
                        // Data tiles drop each record's id line.
                        let after_id = msg.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
                        body.extend_from_slice(&msg[after_id..]);
                    }
                    Err(e) => return Outcome::ServerError(e.to_string()),
                }
            }
            return Outcome::Ok {
                content_type: TEXT_PLAIN,
                body,
            };
        }
        let Some(level) = u32::try_from(t.l).ok().and_then(|l| l.checked_mul(t.h)) else {
            return not_found();
        };
        // The tile's last hash covers records up to `end`; it exists once the
        // tree has that many records.
        match tile_span(&t, level) {
            Some((_, end)) if end <= self.size() => {}
            _ => return not_found(),
        }
        let start = t.n << t.h;
        let mut body = Vec::with_capacity(t.w as usize * HASH_SIZE);
        for i in 0..u64::from(t.w) {
            let index = stored_hash_index(level, start + i);
            match usize::try_from(index).ok().and_then(|i| self.hashes.get(i)) {
                Some(h) => body.extend_from_slice(&h.0),
                None => return not_found(),
            }
        }
        Outcome::Ok {
            content_type: OCTET_STREAM,
            body,
        }
    }
}

/// The range of records `[start, end)` covered by the `w` hashes of tile `t`
/// at tree level `level`, or `None` on overflow.
fn tile_span(t: &Tile, level: u32) -> Option<(u64, u64)> {
    let first = t.n.checked_mul(1u64.checked_shl(t.h)?)?;
    let last = first.checked_add(u64::from(t.w))?;
    let scale = 1u64.checked_shl(level)?;
    Some((first.checked_mul(scale)?, last.checked_mul(scale)?))
}

/// x/mod's `modVerRE`: `^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?$`.
fn is_mod_ver(s: &str) -> bool {
    let Some((path, vers)) = s.split_once('@') else {
        return false;
    };
    if path.is_empty() {
        return false;
    }
    let Some(rest) = vers.strip_prefix('v') else {
        return false;
    };
    // Three dot-separated numbers.
    let mut rest = rest;
    for i in 0..3 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        if i < 2 {
            match rest.strip_prefix('.') {
                Some(r) => rest = r,
                None => return false,
            }
        }
    }
    // `(-[^@]*)?(\+incompatible)?`: the prerelease part may itself end in
    // "+incompatible", so any tail without '@' that is empty, starts with '-',
    // or is exactly "+incompatible" matches.
    !rest.contains('@') && (rest.is_empty() || rest.starts_with('-') || rest == "+incompatible")
}

#[cfg(test)]
pub(crate) mod tests;
