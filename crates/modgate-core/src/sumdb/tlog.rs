//! The transparency log: RFC 6962 hashing, the stored-hash layout, tree hashes,
//! and inclusion (record) and consistency (tree) proofs.
//!
//! Follows `golang.org/x/mod/sumdb/tlog/tlog.go`. A log of `n` records is a
//! Merkle tree whose hashes are stored densely in the order they become
//! computable (Crosby and Wallach, "Efficient Data Structures for
//! Tamper-Evident Logging", §3.3): record `n`'s leaf hash, followed by the
//! hash of every subtree it completes. [`stored_hash_index`] maps tree
//! coordinates `(level, n)` to that order.
//!
//! Sizes and indexes are `u64` (Go uses `int64`; negative inputs, which Go
//! rejects with "invalid inputs", cannot be expressed). Arithmetic on values
//! that can come from untrusted input is checked, so a hostile size yields an
//! error or a "not in tree" answer rather than a panic.

use std::fmt;

use sha2::{Digest, Sha256};

/// Size of a [`Hash`] in bytes.
pub const HASH_SIZE: usize = 32;

/// A hash identifying a log record or tree root (`tlog.Hash`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

impl Hash {
    /// Parses the base64 form of a hash (`tlog.ParseHash`).
    pub fn parse(s: &str) -> Result<Hash, Error> {
        super::go_base64_decode(s)
            .and_then(|data| <[u8; HASH_SIZE]>::try_from(data).ok())
            .map(Hash)
            .ok_or(Error::MalformedHash)
    }

    /// Builds a hash from exactly [`HASH_SIZE`] bytes.
    pub fn from_slice(b: &[u8]) -> Option<Hash> {
        <[u8; HASH_SIZE]>::try_from(b).ok().map(Hash)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }
}

/// Base64 (standard, padded), as Go's `Hash.String`.
impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::go_base64_encode(&self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

/// Errors from the transparency-log functions, with Go's texts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `ParseHash` failed.
    #[error("malformed hash")]
    MalformedHash,
    /// A [`HashReader`] returned the wrong number of hashes.
    #[error("tlog: ReadHashes({want} indexes) = {got} hashes")]
    WrongHashCount { want: usize, got: usize },
    /// Arguments outside the domain of a proof function; `func` names it
    /// (`ProveRecord`, `CheckRecord`, `ProveTree`, `CheckTree`).
    #[error("tlog: invalid inputs in {func}")]
    InvalidInputs { func: &'static str },
    /// A proof did not verify.
    #[error("invalid transparency proof")]
    ProofFailed,
    /// A [`HashReader`] was asked for an index it does not hold.
    #[error("tlog: hash index {0} not available")]
    IndexNotAvailable(u64),
    /// An error from the tile layer ([`crate::sumdb::tile`]), with Go's texts.
    #[error(transparent)]
    Tile(#[from] super::tile::TileError),
    /// A tile or hash source failed; its message is shown as is.
    #[error("{0}")]
    Fetch(Box<dyn std::error::Error + Send + Sync>),
}

/// Reads stored hashes by their [stored hash index](stored_hash_index)
/// (`tlog.HashReader`).
///
/// `read_hashes` must return exactly one hash per index, or an error. It may run
/// faster when `indexes` is sorted; every caller in this crate sorts them.
pub trait HashReader {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error>;
}

/// A slice of stored hashes, indexed by stored hash index.
impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.get(i))
                    .copied()
                    .ok_or(Error::IndexNotAvailable(i))
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        self.as_slice().read_hashes(indexes)
    }
}

impl<R: HashReader + ?Sized> HashReader for &R {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        (**self).read_hashes(indexes)
    }
}

/// Calls `r` and checks that it returned one hash per index, as Go does after
/// every `ReadHashes` call.
pub(crate) fn read_checked<R: HashReader + ?Sized>(
    r: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, Error> {
    let hashes = r.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(Error::WrongHashCount {
            want: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The hash of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub const EMPTY_HASH: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// The content hash of a record: SHA-256(0x00 ‖ data) (`tlog.RecordHash`).
pub fn record_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right) (`tlog.NodeHash`).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// `k`, the largest power of two smaller than `n` (for `n ≥ 2`), and `log₂ k`.
fn maxpow2(n: u64) -> (u64, u32) {
    if n <= 2 {
        return (1, 0);
    }
    let l = 63 - (n - 1).leading_zeros();
    (1 << l, l)
}

/// Maps tree coordinates `(level, n)` to the dense storage order
/// (`tlog.StoredHashIndex`).
///
/// The level-L hash n is stored right after the level-(L-1) hash 2n+1; level-0
/// hash n is stored at n + n/2 + n/4 + …. Values beyond the representable
/// range wrap, as Go's int64 arithmetic does; callers that take sizes from
/// untrusted input bound them first.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    let mut n = n;
    for _ in 0..level {
        n = n.wrapping_mul(2).wrapping_add(1);
    }
    let mut i: u64 = 0;
    while n > 0 {
        i = i.wrapping_add(n);
        n >>= 1;
    }
    i.wrapping_add(u64::from(level))
}

/// The inverse of [`stored_hash_index`] (`tlog.SplitStoredHashIndex`).
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // stored_hash_index(0, n) < 2n, so the record that committed `index` is in
    // [index/2, index/2 + log₂(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    debug_assert!(index_n <= index);
    loop {
        // Record n adds 1 + trailing_zeros(n+1) hashes.
        let x = match index_n.checked_add(1 + u64::from((n + 1).trailing_zeros())) {
            Some(x) if x <= index => x,
            _ => break,
        };
        n += 1;
        index_n = x;
    }
    // The hash was committed with record n: it is (0, n), (1, n/2), (2, n/4), ...
    let level = (index - index_n) as u32;
    (level, n >> level)
}

/// The number of stored hashes for a tree of `n` records (`tlog.StoredHashCount`).
pub fn stored_hash_count(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    // The hashes up to the last leaf, plus one for each subtree that leaf completes.
    stored_hash_index(0, n - 1)
        .wrapping_add(1)
        .wrapping_add(u64::from((n - 1).trailing_ones()))
}

/// The hashes to store when appending record `n` with the given data, starting
/// at `stored_hash_index(0, n)` (`tlog.StoredHashes`). Reads up to log₂ n
/// earlier hashes from `r`.
pub fn stored_hashes<R: HashReader + ?Sized>(
    n: u64,
    data: &[u8],
    r: &R,
) -> Result<Vec<Hash>, Error> {
    stored_hashes_for_record_hash(n, record_hash(data), r)
}

/// Like [`stored_hashes`] but takes the record hash (`tlog.StoredHashesForRecordHash`).
pub fn stored_hashes_for_record_hash<R: HashReader + ?Sized>(
    n: u64,
    h: Hash,
    r: &R,
) -> Result<Vec<Hash>, Error> {
    // Each trailing 1 bit of n completes a subtree, consuming the hash of its
    // left sibling; collect those sibling indexes in increasing order.
    let m = n.trailing_ones();
    let indexes: Vec<u64> = (0..m)
        .rev()
        .map(|i| stored_hash_index(i, (n >> i) - 1))
        .collect();
    let old = read_checked(r, &indexes)?;
    let mut hashes = Vec::with_capacity(1 + m as usize);
    hashes.push(h);
    let mut h = h;
    for left in old.iter().rev() {
        h = node_hash(left, &h);
        hashes.push(h);
    }
    Ok(hashes)
}

/// The hash of the tree of `n` records (`tlog.TreeHash`), reading at most
/// 1 + log₂ n stored hashes from `r` in a single call.
pub fn tree_hash<R: HashReader + ?Sized>(n: u64, r: &R) -> Result<Hash, Error> {
    if n == 0 {
        return Ok(EMPTY_HASH);
    }
    let indexes = sub_tree_index(0, n, Vec::new());
    let hashes = read_checked(r, &indexes)?;
    let (h, rest) = sub_tree_hash(0, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(h)
}

/// Appends to `need` the stored-hash indexes needed to compute the hash of the
/// subtree of records `[lo, hi)`: one complete subtree per step, largest first.
pub(crate) fn sub_tree_index(mut lo: u64, hi: u64, mut need: Vec<u64>) -> Vec<u64> {
    while lo < hi {
        let (k, level) = maxpow2((hi - lo).saturating_add(1));
        debug_assert!(lo & (k - 1) == 0);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
    need
}

/// Computes the hash of records `[lo, hi)` from the hashes listed by
/// [`sub_tree_index`], returning the unused remainder of `hashes`.
pub(crate) fn sub_tree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> (Hash, &[Hash]) {
    let mut num_tree = 0;
    while lo < hi {
        let (k, _) = maxpow2((hi - lo).saturating_add(1));
        num_tree += 1;
        lo += k;
    }
    let (mine, rest) = hashes.split_at(num_tree);
    // The right fringe is folded from the smallest subtree leftwards.
    let mut h = mine[num_tree - 1];
    for left in mine[..num_tree - 1].iter().rev() {
        h = node_hash(left, &h);
    }
    (h, rest)
}

/// A proof that a tree contains a record (RFC 6962 "Merkle audit path").
pub type RecordProof = Vec<Hash>;

/// A proof that a tree contains an earlier tree as a prefix (RFC 6962
/// "Merkle consistency proof").
pub type TreeProof = Vec<Hash>;

/// The proof that the tree of size `t` contains record `n` (`tlog.ProveRecord`).
pub fn prove_record<R: HashReader + ?Sized>(t: u64, n: u64, r: &R) -> Result<RecordProof, Error> {
    if n >= t {
        return Err(Error::InvalidInputs {
            func: "ProveRecord",
        });
    }
    let indexes = leaf_proof_index(0, t, n, Vec::new());
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_checked(r, &indexes)?;
    let (p, rest) = leaf_proof(0, t, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(p)
}

fn leaf_proof_index(lo: u64, hi: u64, n: u64, mut need: Vec<u64>) -> Vec<u64> {
    if lo + 1 == hi {
        return need;
    }
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        need = leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need)
    }
}

/// Builds the audit path for leaf `n` in `[lo, hi)`: the hashes of the
/// subtrees not taken on the walk down, deepest first.
fn leaf_proof(lo: u64, hi: u64, n: u64, hashes: &[Hash]) -> (RecordProof, &[Hash]) {
    if lo + 1 == hi {
        // The verifier knows the leaf hash itself.
        return (Vec::new(), hashes);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, rest) = if n < lo + k {
        let (p, hashes) = leaf_proof(lo, lo + k, n, hashes);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        (p, th, hashes)
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let (p, hashes) = leaf_proof(lo + k, hi, n, hashes);
        (p, th, hashes)
    };
    p.push(th);
    (p, rest)
}

/// Verifies that `p` proves the tree of size `t` with hash `th` has record `n`
/// with hash `h` (`tlog.CheckRecord`).
pub fn check_record(p: &[Hash], t: u64, th: &Hash, n: u64, h: &Hash) -> Result<(), Error> {
    if n >= t {
        return Err(Error::InvalidInputs {
            func: "CheckRecord",
        });
    }
    let th2 = run_record_proof(p, 0, t, n, h)?;
    if th2 == *th {
        Ok(())
    } else {
        Err(Error::ProofFailed)
    }
}

fn run_record_proof(p: &[Hash], lo: u64, hi: u64, n: u64, leaf: &Hash) -> Result<Hash, Error> {
    if lo + 1 == hi {
        // The proof must not carry unnecessary hashes.
        return if p.is_empty() {
            Ok(*leaf)
        } else {
            Err(Error::ProofFailed)
        };
    }
    let Some((last, rest)) = p.split_last() else {
        return Err(Error::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        let th = run_record_proof(rest, lo, lo + k, n, leaf)?;
        Ok(node_hash(&th, last))
    } else {
        let th = run_record_proof(rest, lo + k, hi, n, leaf)?;
        Ok(node_hash(last, &th))
    }
}

/// The proof that the tree of size `t` contains the tree of size `n` as a
/// prefix (`tlog.ProveTree`).
pub fn prove_tree<R: HashReader + ?Sized>(t: u64, n: u64, r: &R) -> Result<TreeProof, Error> {
    if t < 1 || n < 1 || n > t {
        return Err(Error::InvalidInputs { func: "ProveTree" });
    }
    let indexes = tree_proof_index(0, t, n, Vec::new());
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_checked(r, &indexes)?;
    let (p, rest) = tree_proof(0, t, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(p)
}

fn tree_proof_index(lo: u64, hi: u64, n: u64, mut need: Vec<u64>) -> Vec<u64> {
    if n == hi {
        if lo == 0 {
            return need;
        }
        return sub_tree_index(lo, hi, need);
    }
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        need = tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need)
    }
}

fn tree_proof(lo: u64, hi: u64, n: u64, hashes: &[Hash]) -> (TreeProof, &[Hash]) {
    if n == hi {
        if lo == 0 {
            // Exactly the old tree: the verifier knows its hash.
            return (Vec::new(), hashes);
        }
        let (th, rest) = sub_tree_hash(lo, hi, hashes);
        return (vec![th], rest);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, rest) = if n <= lo + k {
        let (p, hashes) = tree_proof(lo, lo + k, n, hashes);
        let (th, hashes) = sub_tree_hash(lo + k, hi, hashes);
        (p, th, hashes)
    } else {
        let (th, hashes) = sub_tree_hash(lo, lo + k, hashes);
        let (p, hashes) = tree_proof(lo + k, hi, n, hashes);
        (p, th, hashes)
    };
    p.push(th);
    (p, rest)
}

/// Verifies that `p` proves the tree of size `t` with hash `th` contains the
/// tree of size `n` with hash `h` as a prefix (`tlog.CheckTree`).
pub fn check_tree(p: &[Hash], t: u64, th: &Hash, n: u64, h: &Hash) -> Result<(), Error> {
    if t < 1 || n < 1 || n > t {
        return Err(Error::InvalidInputs { func: "CheckTree" });
    }
    let (h2, th2) = run_tree_proof(p, 0, t, n, h)?;
    if th2 == *th && h2 == *h {
        Ok(())
    } else {
        Err(Error::ProofFailed)
    }
}

/// Runs the consistency proof for `[lo, hi)`, returning the implied hashes of
/// that subtree in the old tree and in the new tree.
fn run_tree_proof(p: &[Hash], lo: u64, hi: u64, n: u64, old: &Hash) -> Result<(Hash, Hash), Error> {
    if n == hi {
        if lo == 0 {
            return if p.is_empty() {
                Ok((*old, *old))
            } else {
                Err(Error::ProofFailed)
            };
        }
        return match p {
            [h] => Ok((*h, *h)),
            _ => Err(Error::ProofFailed),
        };
    }
    let Some((last, rest)) = p.split_last() else {
        return Err(Error::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        let (oh, th) = run_tree_proof(rest, lo, lo + k, n, old)?;
        Ok((oh, node_hash(&th, last)))
    } else {
        let (oh, th) = run_tree_proof(rest, lo + k, hi, n, old)?;
        Ok((node_hash(last, &oh), node_hash(last, &th)))
    }
}

#[cfg(test)]
mod tests;
