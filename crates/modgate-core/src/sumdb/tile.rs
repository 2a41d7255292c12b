//! Tiles of the transparency log: coordinates, paths, extracting hashes, and a
//! [`HashReader`] that authenticates every tile it loads against a tree hash.
//!
//! Follows `golang.org/x/mod/sumdb/tlog/tile.go`. A tile `(H, L, N, W)` lists
//! `W` consecutive hashes at tree level `H·L`, starting at index `N·2^H`; a full
//! tile has `W = 2^H`. Level `L = -1` is a *data* tile (the record texts of the
//! level-0 tile), written `data` in paths. A tile path is
//! `tile/H/L/NNN[.p/W]`, with `N` in base-1000 groups, all but the last
//! prefixed with `x`.

use std::collections::HashMap;
use std::fmt;

use super::record::Tree;
use super::tlog::{
    self, HASH_SIZE, Hash, HashReader, node_hash, split_stored_hash_index, stored_hash_index,
    sub_tree_index,
};

/// The largest tile height (`1 ≤ H ≤ 30`).
pub const MAX_HEIGHT: u32 = 30;

/// A tile of the log (`tlog.Tile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// Height, `1 ≤ h ≤ 30`.
    pub h: u32,
    /// Level in the tiling; `-1` for a data tile.
    pub l: i64,
    /// Number within the level.
    pub n: u64,
    /// Width, `1 ≤ w ≤ 2^h`; `2^h` is a full tile.
    pub w: u32,
}

/// Errors from tile functions, with Go's texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// `ParseTilePath` rejected the path.
    #[error("malformed tile path {}", crate::quote::quote(.0))]
    MalformedPath(String),
    /// `HashFromTile` was given a tile outside the valid ranges.
    #[error("invalid tile {0}")]
    InvalidTile(Tile),
    /// Tile data shorter than `w` hashes.
    #[error("data len {len} too short for tile {tile}")]
    DataTooShort { len: usize, tile: Tile },
    /// The requested index lives in another tile.
    #[error("index {index} is in {actual} not {requested}")]
    WrongTile {
        index: u64,
        actual: Tile,
        requested: Tile,
    },
    /// An authenticating reader was asked for a hash beyond its tree.
    #[error("indexes not in tree")]
    IndexesNotInTree,
    /// A [`TileReader`] returned the wrong number of tiles or a tile of the wrong size.
    #[error("TileReader returned bad result slice (len={got}, want {want})")]
    BadResultCount { got: usize, want: usize },
    #[error("TileReader returned bad result slice ({tile} len={got}, want {want})")]
    BadResultLen { tile: Tile, got: usize, want: usize },
    /// Loaded tiles do not hash to the trusted tree (or to their parent tiles).
    #[error("downloaded inconsistent tile")]
    Inconsistent,
    /// An internal planning error (Go's "bad math in tileHashReader ..." texts).
    #[error("bad math in tileHashReader{0}")]
    BadMath(String),
}

/// The tile path, as Go's `Tile.Path`.
impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Groups of three digits per path element bound any directory listing.
const PATH_BASE: u64 = 1000;

/// `2^h` as u64, or 0 if `h` is out of range (Go's shift semantics).
fn pow2(h: u32) -> u64 {
    1u64.checked_shl(h).unwrap_or(0)
}

impl Tile {
    /// Whether this is a data tile (`L == -1`).
    pub fn is_data(&self) -> bool {
        self.l == -1
    }

    /// Whether the tile is full (`W == 2^H`).
    pub fn is_full(&self) -> bool {
        u64::from(self.w) == pow2(self.h)
    }

    /// The full-width version of this tile.
    pub fn full(&self) -> Tile {
        Tile {
            w: u32::try_from(pow2(self.h)).unwrap_or(0),
            ..*self
        }
    }

    /// The tile coordinate path `tile/H/L/NNN[.p/W]` (`Tile.Path`).
    pub fn path(&self) -> String {
        let mut groups = vec![self.n % PATH_BASE];
        let mut n = self.n;
        while n >= PATH_BASE {
            n /= PATH_BASE;
            groups.push(n % PATH_BASE);
        }
        let mut s = format!("tile/{}/", self.h);
        if self.l == -1 {
            s.push_str("data");
        } else {
            s.push_str(&self.l.to_string());
        }
        for (i, g) in groups.iter().enumerate().rev() {
            s.push('/');
            if i > 0 {
                s.push('x');
            }
            s.push_str(&format!("{g:03}"));
        }
        if !self.is_full() {
            s.push_str(&format!(".p/{}", self.w));
        }
        s
    }

    /// Parses a tile coordinate path (`tlog.ParseTilePath`).
    ///
    /// Only the canonical encoding is accepted: the parsed tile must print back
    /// as exactly `path`.
    pub fn parse(path: &str) -> Result<Tile, TileError> {
        parse_tile_path(path).ok_or_else(|| TileError::MalformedPath(path.to_string()))
    }
}

/// Parses a non-negative decimal number that fits in an i64. Signs and other
/// spellings Go's `Atoi` accepts never survive the canonical round trip, so
/// rejecting them here changes no result.
fn parse_num(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().map(|n| n as u64)
}

fn parse_tile_path(path: &str) -> Option<Tile> {
    let mut f: Vec<&str> = path.split('/').collect();
    if f.len() < 4 || f[0] != "tile" {
        return None;
    }
    let h = parse_num(f[1])?;
    let l: i64 = if f[2] == "data" {
        -1
    } else {
        i64::try_from(parse_num(f[2])?).ok()?
    };
    if !(1..=u64::from(MAX_HEIGHT)).contains(&h) {
        return None;
    }
    let h = h as u32;
    let mut w = pow2(h);
    let last2 = f.len() - 2;
    if let Some(base) = f[last2].strip_suffix(".p") {
        let ww = parse_num(f[last2 + 1])?;
        if ww == 0 || ww >= w {
            return None;
        }
        w = ww;
        f[last2] = base;
        f.pop();
    }
    let mut n: u64 = 0;
    for s in &f[3..] {
        let nn = parse_num(s.strip_prefix('x').unwrap_or(s))?;
        if nn >= PATH_BASE {
            return None;
        }
        n = n.checked_mul(PATH_BASE)?.checked_add(nn)?;
    }
    // Go's int64 N would overflow (and then fail the round trip) beyond i64::MAX.
    if n > i64::MAX as u64 {
        return None;
    }
    let t = Tile {
        h,
        l,
        n,
        w: w as u32,
    };
    (t.path() == path).then_some(t)
}

/// The tile of height `h` and least width storing the given stored-hash index
/// (`tlog.TileForIndex`). Returns `None` unless `1 ≤ h ≤ 30` (Go panics on
/// `h ≤ 0`; larger heights are not valid tiles).
pub fn tile_for_index(h: u32, index: u64) -> Option<Tile> {
    (1..=MAX_HEIGHT)
        .contains(&h)
        .then(|| tile_for_index_range(h, index).0)
}

/// The tile for `index` plus the byte range of `data` whose tile hash is the
/// requested hash.
fn tile_for_index_range(h: u32, index: u64) -> (Tile, usize, usize) {
    let (level, n) = split_stored_hash_index(index);
    let l = level / h;
    let level = level - l * h; // level within the tile
    let tn = (n << level) >> h;
    // n within the tile at `level`; below 2^(h-level) unless `index` is so
    // large that the shifts above dropped bits, in which case the range is
    // garbage but must not overflow (callers bounds-check it).
    let n = n.wrapping_sub((tn << h) >> level);
    let first = n << level;
    let last = n.wrapping_add(1) << level;
    let bytes =
        |hashes: u64| usize::try_from(hashes).map_or(usize::MAX, |x| x.saturating_mul(HASH_SIZE));
    (
        Tile {
            h,
            l: i64::from(l),
            n: tn,
            w: u32::try_from(last).unwrap_or(u32::MAX),
        },
        bytes(first),
        bytes(last),
    )
}

/// The hash at `index`, given the data of tile `t`, which must be
/// `tile_for_index(t.h, index)` or a wider version of it (`tlog.HashFromTile`).
pub fn hash_from_tile(t: &Tile, data: &[u8], index: u64) -> Result<Hash, TileError> {
    if t.h < 1 || t.h > MAX_HEIGHT || t.l < 0 || t.l >= 64 || t.w < 1 || u64::from(t.w) > pow2(t.h)
    {
        return Err(TileError::InvalidTile(*t));
    }
    if data.len() < t.w as usize * HASH_SIZE {
        return Err(TileError::DataTooShort {
            len: data.len(),
            tile: *t,
        });
    }
    let (t1, start, end) = tile_for_index_range(t.h, index);
    if t.l != t1.l || t.n != t1.n || t.w < t1.w {
        return Err(TileError::WrongTile {
            index,
            actual: t1,
            requested: *t,
        });
    }
    let Some(hashes) = data.get(start..end) else {
        return Err(TileError::WrongTile {
            index,
            actual: t1,
            requested: *t,
        });
    };
    Ok(tile_hash(hashes))
}

/// The subtree hash of the 2^k hashes in `data`.
fn tile_hash(data: &[u8]) -> Hash {
    if data.len() <= HASH_SIZE {
        return Hash::from_slice(data).unwrap_or_default();
    }
    let (left, right) = data.split_at(data.len() / 2);
    node_hash(&tile_hash(left), &tile_hash(right))
}

/// The tiles of height `h` to publish when the tree grows from `old_size` to
/// `new_size` records (`tlog.NewTiles`). Returns nothing unless `1 ≤ h ≤ 30`
/// (Go panics on `h ≤ 0`).
pub fn new_tiles(h: u32, old_size: u64, new_size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    if !(1..=MAX_HEIGHT).contains(&h) {
        return tiles;
    }
    let shr = |x: u64, s: u64| -> u64 {
        u32::try_from(s)
            .ok()
            .and_then(|s| x.checked_shr(s))
            .unwrap_or(0)
    };
    let mut level: u64 = 0;
    while shr(new_size, u64::from(h) * level) > 0 {
        let old_n = shr(old_size, u64::from(h) * level);
        let new_n = shr(new_size, u64::from(h) * level);
        if old_n != new_n {
            for n in (old_n >> h)..(new_n >> h) {
                tiles.push(Tile {
                    h,
                    l: level as i64,
                    n,
                    w: 1 << h,
                });
            }
            let n = new_n >> h;
            let w = new_n - (n << h);
            if w > 0 {
                tiles.push(Tile {
                    h,
                    l: level as i64,
                    n,
                    w: w as u32,
                });
            }
        }
        level += 1;
    }
    tiles
}

/// Reads the hashes of tile `t` from `r` and returns the tile data
/// (`tlog.ReadTileData`). A width of 0 means a full tile.
pub fn read_tile_data<R: HashReader + ?Sized>(t: &Tile, r: &R) -> Result<Vec<u8>, tlog::Error> {
    if t.h < 1 || t.h > MAX_HEIGHT || t.l < 0 || t.l >= 64 || u64::from(t.w) > pow2(t.h) {
        return Err(TileError::InvalidTile(*t).into());
    }
    let size = if t.w == 0 {
        1u64 << t.h
    } else {
        u64::from(t.w)
    };
    let level = u32::try_from(t.l).unwrap_or(u32::MAX).saturating_mul(t.h);
    let start =
        t.n.checked_mul(1 << t.h)
            .ok_or(TileError::InvalidTile(*t))?;
    let indexes = (0..size)
        .map(|i| {
            start
                .checked_add(i)
                .map(|n| stored_hash_index(level, n))
                .ok_or(TileError::InvalidTile(*t))
        })
        .collect::<Result<Vec<u64>, TileError>>()?;
    let hashes = tlog::read_checked(r, &indexes)?;
    Ok(hashes.iter().flat_map(|h| h.0).collect())
}

/// Reads tiles of a log (`tlog.TileReader`).
pub trait TileReader {
    /// The height of the available tiles.
    fn height(&self) -> u32;

    /// The data for each requested tile: exactly one entry per tile, each
    /// `tile.w * HASH_SIZE` bytes long. Data fetched from a server is suspect
    /// until [`save_tiles`](TileReader::save_tiles) confirms it.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog::Error>;

    /// Signals that the given tiles were authenticated against the tree and may
    /// be stored persistently.
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]);
}

/// A [`HashReader`] that loads tiles of `tree` through a [`TileReader`] and
/// authenticates them against the tree hash before returning any hash from
/// them (`tlog.TileHashReader`).
pub struct TileHashReader<'a, T: TileReader + ?Sized> {
    tree: Tree,
    tr: &'a T,
}

impl<'a, T: TileReader + ?Sized> TileHashReader<'a, T> {
    pub fn new(tree: Tree, tr: &'a T) -> Self {
        TileHashReader { tree, tr }
    }
}

/// A tile as Go's `%v` prints the struct: `{H L N W}`.
fn go_value(t: &Tile) -> String {
    format!("{{{} {} {} {}}}", t.h, t.l, t.n, t.w)
}

/// A list of indexes as Go's `%v` prints a slice: `[1 2 3]`.
fn go_list(v: &[u64]) -> String {
    let items: Vec<String> = v.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(" "))
}

/// `t`'s `k`-th parent among the tiles of a tree of `n` records, or `None` if
/// that parent does not exist yet.
fn tile_parent(t: Tile, k: u32, n: u64) -> Option<Tile> {
    let mut t = t;
    t.l += i64::from(k);
    let shift = k.checked_mul(t.h)?;
    t.n = t.n.checked_shr(shift).unwrap_or(0);
    t.w = 1 << t.h;
    let max = u32::try_from(t.l)
        .ok()
        .and_then(|l| l.checked_mul(t.h))
        .and_then(|s| n.checked_shr(s))
        .unwrap_or(0);
    let start = t.n << t.h;
    if start + u64::from(t.w) >= max {
        if start >= max {
            return None;
        }
        t.w = (max - start) as u32;
    }
    Some(t)
}

impl<T: TileReader + ?Sized> HashReader for TileHashReader<'_, T> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog::Error> {
        let h = self.tr.height();
        let tree_n = self.tree.n;
        if h == 0 || h > MAX_HEIGHT {
            return Err(TileError::InvalidTile(Tile {
                h,
                l: 0,
                n: 0,
                w: 0,
            })
            .into());
        }

        let mut tile_order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();

        // Plan the tiles needed to recompute the tree hash; if it matches, they
        // are authenticated.
        let stx = sub_tree_index(0, tree_n, Vec::new());
        let mut stx_tile_order = Vec::with_capacity(stx.len());
        for &x in &stx {
            let (tile, _, _) = tile_for_index_range(h, x);
            let tile = tile_parent(tile, 0, tree_n).ok_or(TileError::IndexesNotInTree)?;
            let j = *tile_order.entry(tile).or_insert_with(|| {
                tiles.push(tile);
                tiles.len() - 1
            });
            stx_tile_order.push(j);
        }

        // Plan the tiles holding the indexes, with any parents needed to
        // authenticate them (usually already planned above).
        let limit = stored_hash_index(0, tree_n);
        let mut index_tile_order = Vec::with_capacity(indexes.len());
        for &x in indexes {
            if x >= limit {
                return Err(TileError::IndexesNotInTree.into());
            }
            let (tile, _, _) = tile_for_index_range(h, x);
            // Walk up to a tile already planned: it will be authenticated.
            let mut k = 0;
            let found = loop {
                let p = tile_parent(tile, k, tree_n).ok_or(TileError::IndexesNotInTree)?;
                if let Some(&j) = tile_order.get(&p) {
                    break j;
                }
                k += 1;
            };
            let mut this = found;
            // Walk back down, planning children after their parents.
            for kk in (0..k).rev() {
                let p = tile_parent(tile, kk, tree_n).ok_or(TileError::IndexesNotInTree)?;
                if !p.is_full() {
                    // Only full tiles have parent tiles; anything else is a bug.
                    return Err(
                        TileError::BadMath(format!(": {tree_n} {x} {}", go_value(&p))).into(),
                    );
                }
                tile_order.insert(p, tiles.len());
                this = tiles.len();
                tiles.push(p);
            }
            index_tile_order.push(this);
        }

        let data = self.tr.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(TileError::BadResultCount {
                got: data.len(),
                want: tiles.len(),
            }
            .into());
        }
        for (tile, d) in tiles.iter().zip(&data) {
            let want = tile.w as usize * HASH_SIZE;
            if d.len() != want {
                return Err(TileError::BadResultLen {
                    tile: *tile,
                    got: d.len(),
                    want,
                }
                .into());
            }
        }

        // Authenticate the tree-hash tiles against the tree hash; parents come
        // before children in `tiles`.
        let mut th: Option<Hash> = None;
        for (&x, &j) in stx.iter().zip(&stx_tile_order).rev() {
            let hh = hash_from_tile(&tiles[j], &data[j], x)?;
            th = Some(match th {
                None => hh,
                Some(right) => node_hash(&hh, &right),
            });
        }
        // (Go starts from the zero hash, so an empty tree never authenticates.)
        if th.unwrap_or_default() != self.tree.hash {
            return Err(TileError::Inconsistent.into());
        }

        // Authenticate the remaining (full) tiles against their parents.
        let first = stx_tile_order.last().map_or(0, |&j| j + 1);
        for i in first..tiles.len() {
            let tile = tiles[i];
            let lost_parent = || {
                TileError::BadMath(format!(
                    " {tree_n} {}: lost parent of {}",
                    go_list(indexes),
                    go_value(&tile)
                ))
            };
            let p = tile_parent(tile, 1, tree_n).ok_or_else(lost_parent)?;
            let &j = tile_order.get(&p).ok_or_else(lost_parent)?;
            let level = u32::try_from(p.l).unwrap_or(0) * p.h;
            let hh =
                hash_from_tile(&p, &data[j], stored_hash_index(level, tile.n)).map_err(|e| {
                    TileError::BadMath(format!(
                        " {tree_n} {}: lost hash of {}: {e}",
                        go_list(indexes),
                        go_value(&tile)
                    ))
                })?;
            if hh != tile_hash(&data[i]) {
                return Err(TileError::Inconsistent.into());
            }
        }

        // Every tile is now authenticated against the trusted tree hash.
        self.tr.save_tiles(&tiles, &data);

        indexes
            .iter()
            .zip(&index_tile_order)
            .map(|(&x, &j)| hash_from_tile(&tiles[j], &data[j], x).map_err(Into::into))
            .collect()
    }
}

#[cfg(test)]
mod tests;
