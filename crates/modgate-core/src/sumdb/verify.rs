//! Client-side verification of checksum-database answers, as pure logic.
//!
//! Follows `golang.org/x/mod/sumdb/client.go` (`Lookup`, `mergeLatest`,
//! `checkTrees`, `checkRecord`, `readTile`) minus its caching, configuration
//! files and network: the caller supplies the last trusted signed tree and a
//! [`TileSource`] that fetches tile bytes by path, and keeps the returned
//! newer tree.
//!
//! Verifying a lookup response:
//! 1. parse the record (`<id>\n<text>\n`) and the signed tree note after it;
//! 2. open the note with the verifier key and parse the tree;
//! 3. check that the smaller of the trusted and new trees is a prefix of the
//!    larger: recompute its hash from tiles authenticated against the larger
//!    tree. A mismatch is a [`SecurityError`] carrying both notes and a proof;
//! 4. check that the record's hash is the leaf at its id in the larger tree;
//! 5. return the record's lines for the requested version.
//!
//! Tiles have height 8 by default, as the go command uses. A partial tile that
//! cannot be fetched is replaced by the prefix of the full tile (servers may
//! delete partial tiles once they are complete). Nothing is trusted until
//! authenticated: [`TileSource::authenticated`] is called only for tiles that
//! hashed up to a trusted tree, so only those should be cached.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;

use super::note::{self, Verifier, VerifierList};
use super::record::{RecordError, Tree, parse_record, parse_tree};
use super::tile::{Tile, TileHashReader, TileReader};
use super::tlog::{self, EMPTY_HASH, Hash, HashReader, check_tree, prove_tree, record_hash};

/// The tile height the go command uses.
pub const DEFAULT_TILE_HEIGHT: u32 = 8;

/// An error from a [`TileSource`].
pub type FetchError = Box<dyn std::error::Error + Send + Sync>;

/// Fetches tiles from a checksum database (or a cache of one).
pub trait TileSource {
    /// The bytes served at `path`, a tile path such as `tile/8/0/x001/234.p/5`
    /// (relative to the database URL, without a leading `/`). Any failure —
    /// including a 404 — is an error.
    fn read_tile(&mut self, path: &str) -> Result<Vec<u8>, FetchError>;

    /// Called once for each tile (by path) whose data has been authenticated
    /// against a trusted tree; a caller may cache it. The default does nothing.
    fn authenticated(&mut self, path: &str, data: &[u8]) {
        let _ = (path, data);
    }
}

/// The request path for a lookup of `path@version` (a `/go.mod` suffix is
/// dropped: the record holds both lines), as `Client.Lookup` builds it.
pub fn lookup_path(path: &str, version: &str) -> Result<String, crate::module::Error> {
    let epath = crate::module::escape_path(path)?;
    let evers = crate::module::escape_version(version.strip_suffix("/go.mod").unwrap_or(version))?;
    Ok(format!("lookup/{epath}@{evers}"))
}

/// A tree with the signed note that vouches for it.
///
/// A caller that kept only a tree's size and hash may leave `note` empty; a
/// security report then shows the tree's unsigned text in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTree {
    pub tree: Tree,
    /// The signed note; empty for the empty tree a client starts from.
    pub note: Vec<u8>,
}

impl SignedTree {
    /// The empty tree, trusted by definition (where a new client starts).
    pub fn empty() -> SignedTree {
        SignedTree {
            tree: Tree {
                n: 0,
                hash: EMPTY_HASH,
            },
            note: Vec::new(),
        }
    }

    /// Opens a signed tree note with `verifier` and parses the tree.
    pub fn open(verifier: &dyn Verifier, msg: &[u8]) -> Result<SignedTree, VerifyError> {
        let list = VerifierList::new(&[verifier]);
        let n = note::open(msg, &list).map_err(|err| VerifyError::TreeNote {
            err,
            note: msg.to_vec(),
        })?;
        let tree = parse_tree(n.text.as_bytes()).map_err(|err| VerifyError::Tree {
            err,
            text: n.text.clone(),
        })?;
        Ok(SignedTree {
            tree,
            note: msg.to_vec(),
        })
    }
}

/// Evidence that the database served two inconsistent trees: the
/// "go.sum database server misbehavior detected!" report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityError {
    /// The smaller tree's signed note.
    pub old_note: Vec<u8>,
    /// The larger tree's signed note.
    pub new_note: Vec<u8>,
    /// The hash the larger tree implies for the smaller tree's size.
    pub implied_hash: Hash,
    /// The consistency proof from the larger tree to `implied_hash`, or why
    /// one could not be produced.
    pub proof: Result<Vec<Hash>, String>,
}

/// The report, in the go command's words.
impl fmt::Display for SecurityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let indent = |b: &[u8]| String::from_utf8_lossy(b).replace('\n', "\n\t");
        write!(
            f,
            "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n"
        )?;
        write!(f, "old database:\n\t{}\n", indent(&self.old_note))?;
        write!(f, "new database:\n\t{}\n", indent(&self.new_note))?;
        write!(f, "proof of misbehavior:\n\t{}", self.implied_hash)?;
        match &self.proof {
            Ok(p) => p.iter().try_for_each(|h| write!(f, "\n\t{h}")),
            Err(e) => writeln!(f, "\tinternal error: {e}"),
        }
    }
}

impl std::error::Error for SecurityError {}

/// Why a response could not be verified, with the go command's texts.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The lookup response does not start with a well-formed record.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The tree note's signature did not verify (or the note is malformed).
    #[error("reading tree note: {err}\nnote:\n{}", String::from_utf8_lossy(.note))]
    TreeNote { err: note::NoteError, note: Vec<u8> },
    /// The signed text is not a tree.
    #[error("reading tree: {err}\ntree:\n{text}")]
    Tree { err: RecordError, text: String },
    /// Reading or authenticating tiles failed while comparing two trees.
    #[error("checking tree#{older}{}: {err}", against(*.older, *.newer))]
    CheckingTree {
        older: u64,
        newer: u64,
        err: tlog::Error,
    },
    /// The trees are inconsistent.
    #[error(transparent)]
    Security(Box<SecurityError>),
    /// The record id is not in the trusted tree.
    #[error("cannot validate record {id} in tree of size {size}")]
    RecordNotInTree { id: i64, size: u64 },
    /// Reading or authenticating the tile holding the record failed.
    #[error(transparent)]
    Tiles(tlog::Error),
    /// The record is not the one the tree has at its id.
    #[error("cannot authenticate record data in server response")]
    RecordMismatch,
}

fn against(older: u64, newer: u64) -> String {
    if older == newer {
        String::new()
    } else {
        format!(" against tree#{newer}")
    }
}

/// A lookup that failed verification: Go's `<path>@<version>: <err>`. A
/// security error is shown as the bare report, as the go command prints it.
#[derive(Debug, thiserror::Error)]
pub struct LookupError {
    pub path: String,
    pub version: String,
    #[source]
    pub err: Box<VerifyError>,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.err.as_ref() {
            VerifyError::Security(e) => e.fmt(f),
            err => write!(f, "{}@{}: {}", self.path, self.version, err),
        }
    }
}

/// A verified lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The record's lines for the requested version (`<path> <version> <hash>`,
    /// without newline). Empty if the record has none for that version.
    pub lines: Vec<String>,
    /// The record id.
    pub id: u64,
    /// The record text as served.
    pub text: Vec<u8>,
    /// The newest trusted tree: the caller's, or the response's if larger.
    /// Persist it as the next trusted tree.
    pub latest: SignedTree,
}

/// Verifies checksum-database answers against a verifier key.
pub struct Client<'a> {
    verifier: &'a dyn Verifier,
    tile_height: u32,
}

impl<'a> Client<'a> {
    /// A client for the database whose key is `verifier`, using tile height 8.
    pub fn new(verifier: &'a dyn Verifier) -> Client<'a> {
        Client {
            verifier,
            tile_height: DEFAULT_TILE_HEIGHT,
        }
    }

    /// Uses tiles of height `h` (1 to 30) instead of 8.
    pub fn with_tile_height(mut self, h: u32) -> Client<'a> {
        self.tile_height = h.clamp(1, super::tile::MAX_HEIGHT);
        self
    }

    /// Verifies the response to `lookup/<path>@<version>` (`Client.Lookup`).
    ///
    /// `version` may end in `/go.mod`; only lines for exactly that version are
    /// returned. `trusted` is the newest tree verified so far
    /// ([`SignedTree::empty`] for a new client).
    pub fn verify_lookup(
        &self,
        trusted: &SignedTree,
        path: &str,
        version: &str,
        response: &[u8],
        tiles: &mut dyn TileSource,
    ) -> Result<Verified, LookupError> {
        let wrap = |err| LookupError {
            path: path.to_string(),
            version: version.to_string(),
            err: Box::new(err),
        };
        let reader = SourceReader::new(self.tile_height, tiles);
        let rec = parse_record(response).map_err(|e| wrap(e.into()))?;
        let latest = self.merge_with(&reader, trusted, rec.rest).map_err(wrap)?;
        let id = check_record(&reader, &latest.tree, rec.id, rec.text).map_err(wrap)?;

        let prefix = format!("{path} {version} ");
        let lines = String::from_utf8_lossy(rec.text)
            .split('\n')
            .filter(|l| l.starts_with(&prefix))
            .map(str::to_string)
            .collect();
        Ok(Verified {
            lines,
            id,
            text: rec.text.to_vec(),
            latest,
        })
    }

    /// Merges a signed tree note (such as a `latest` response) into the
    /// trusted timeline (`mergeLatest`): whichever tree is smaller must be a
    /// prefix of the larger. Returns the newer of the two. An empty `msg` is
    /// the empty tree and changes nothing.
    pub fn merge(
        &self,
        trusted: &SignedTree,
        msg: &[u8],
        tiles: &mut dyn TileSource,
    ) -> Result<SignedTree, VerifyError> {
        let reader = SourceReader::new(self.tile_height, tiles);
        self.merge_with(&reader, trusted, msg)
    }

    fn merge_with(
        &self,
        reader: &SourceReader<'_>,
        trusted: &SignedTree,
        msg: &[u8],
    ) -> Result<SignedTree, VerifyError> {
        if msg.is_empty() {
            return Ok(trusted.clone());
        }
        let new = SignedTree::open(self.verifier, msg)?;
        if new.tree.n <= trusted.tree.n {
            check_trees(reader, &new, trusted)?;
            Ok(trusted.clone())
        } else {
            check_trees(reader, trusted, &new)?;
            Ok(new)
        }
    }
}

/// Checks that `older` is a prefix of `newer` (`checkTrees`).
fn check_trees(
    reader: &SourceReader<'_>,
    older: &SignedTree,
    newer: &SignedTree,
) -> Result<(), VerifyError> {
    let thr = TileHashReader::new(newer.tree, reader);
    let h = tlog::tree_hash(older.tree.n, &thr).map_err(|err| VerifyError::CheckingTree {
        older: older.tree.n,
        newer: newer.tree.n,
        err,
    })?;
    if h == older.tree.hash {
        return Ok(());
    }
    // A fork. The proof reuses the tiles just read, so it needs no new fetches.
    let proof = match prove_tree(newer.tree.n, older.tree.n, &thr) {
        Err(e) => Err(e.to_string()),
        Ok(p) => match check_tree(&p, newer.tree.n, &newer.tree.hash, older.tree.n, &h) {
            Ok(()) => Ok(p),
            Err(_) => Err("generated inconsistent proof".to_string()),
        },
    };
    let note_or_text = |t: &SignedTree| {
        if t.note.is_empty() {
            super::record::format_tree(&t.tree)
        } else {
            t.note.clone()
        }
    };
    Err(VerifyError::Security(Box::new(SecurityError {
        old_note: note_or_text(older),
        new_note: note_or_text(newer),
        implied_hash: h,
        proof,
    })))
}

/// Checks that record `id` of `tree` has the given text (`checkRecord`).
fn check_record(
    reader: &SourceReader<'_>,
    tree: &Tree,
    id: i64,
    text: &[u8],
) -> Result<u64, VerifyError> {
    let not_in_tree = VerifyError::RecordNotInTree { id, size: tree.n };
    // Go lets a negative id through to index 0; it is never valid.
    let uid = u64::try_from(id).map_err(|_| not_in_tree)?;
    if uid >= tree.n {
        return Err(VerifyError::RecordNotInTree { id, size: tree.n });
    }
    let thr = TileHashReader::new(*tree, reader);
    let hashes = thr
        .read_hashes(&[tlog::stored_hash_index(0, uid)])
        .map_err(VerifyError::Tiles)?;
    if hashes.first() == Some(&record_hash(text)) {
        Ok(uid)
    } else {
        Err(VerifyError::RecordMismatch)
    }
}

/// Adapts a [`TileSource`] to [`TileReader`], remembering tiles fetched during
/// one verification and applying the partial-to-full fallback (`readTile`).
struct SourceReader<'s> {
    height: u32,
    source: RefCell<&'s mut dyn TileSource>,
    fetched: RefCell<HashMap<Tile, Vec<u8>>>,
    saved: RefCell<HashSet<Tile>>,
}

impl<'s> SourceReader<'s> {
    fn new(height: u32, source: &'s mut dyn TileSource) -> SourceReader<'s> {
        SourceReader {
            height,
            source: RefCell::new(source),
            fetched: RefCell::new(HashMap::new()),
            saved: RefCell::new(HashSet::new()),
        }
    }

    fn read_tile(&self, tile: &Tile) -> Result<Vec<u8>, tlog::Error> {
        if let Some(data) = self.fetched.borrow().get(tile) {
            return Ok(data.clone());
        }
        let mut source = self.source.borrow_mut();
        let data = match source.read_tile(&tile.path()) {
            Ok(data) => data,
            Err(err) => {
                // A missing partial tile has usually been completed: use the
                // prefix of the full tile.
                let full = tile.full();
                match (full != *tile).then(|| source.read_tile(&full.path())) {
                    Some(Ok(data)) => {
                        let keep = data.len() / full.w.max(1) as usize * tile.w as usize;
                        data[..keep.min(data.len())].to_vec()
                    }
                    _ => return Err(tlog::Error::Fetch(err)),
                }
            }
        };
        self.fetched.borrow_mut().insert(*tile, data.clone());
        Ok(data)
    }
}

impl TileReader for SourceReader<'_> {
    fn height(&self) -> u32 {
        self.height
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog::Error> {
        tiles.iter().map(|t| self.read_tile(t)).collect()
    }

    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        let mut saved = self.saved.borrow_mut();
        let mut source = self.source.borrow_mut();
        for (tile, d) in tiles.iter().zip(data) {
            if saved.insert(*tile) {
                source.authenticated(&tile.path(), d);
            }
        }
    }
}

#[cfg(test)]
mod tests;
