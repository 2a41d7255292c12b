//! Tests ported from x/mod `sumdb/tlog/tlog_test.go` (TestTilePath) and
//! `tile_test.go` (TestTileHashReader, TestNewTilesForSize), with extra
//! paths, `NewTiles` and `TileForIndex` vectors produced by x/mod.

use std::cell::Cell;

use super::*;
use crate::sumdb::tlog::{record_hash, stored_hashes, tree_hash};

fn t(h: u32, l: i64, n: u64, w: u32) -> Tile {
    Tile { h, l, n, w }
}

#[test]
fn tile_paths() {
    // (path, tile) — `None` means ParseTilePath must fail. The first eight rows
    // are Go's tilePaths table; the rest were run through x/mod.
    let cases: &[(&str, Option<Tile>)] = &[
        ("tile/4/0/001", Some(t(4, 0, 1, 16))),
        ("tile/4/0/001.p/5", Some(t(4, 0, 1, 5))),
        ("tile/3/5/x123/x456/078", Some(t(3, 5, 123456078, 8))),
        ("tile/3/5/x123/x456/078.p/2", Some(t(3, 5, 123456078, 2))),
        ("tile/1/0/x003/x057/500", Some(t(1, 0, 3057500, 2))),
        ("tile/3/5/123/456/078", None),
        ("tile/3/-1/123/456/078", None),
        ("tile/1/data/x003/x057/500", Some(t(1, -1, 3057500, 2))),
        // Reference §2.6.
        ("tile/8/0/x001/x234/567", Some(t(8, 0, 1234567, 256))),
        ("tile/8/data/005.p/17", Some(t(8, -1, 5, 17))),
        ("tile/8/2/000.p/3", Some(t(8, 2, 0, 3))),
        // Checked with x/mod.
        ("tile/8/0/000.p/256", None),
        ("tile/8/0/000.p/0", None),
        ("tile/8/0/000.p/255", Some(t(8, 0, 0, 255))),
        ("tile/30/0/000", Some(t(30, 0, 0, 1 << 30))),
        ("tile/31/0/000", None),
        ("tile/0/0/000", None),
        ("tile/08/0/000", None),
        ("tile/+8/0/000", None),
        ("tile/8/00/000", None),
        ("tile/8/0/0000", None),
        ("tile/8/0/x000/001", None),
        ("tile/8/0/x001/000", Some(t(8, 0, 1000, 256))),
        ("tile/8/0/1", None),
        ("tile/8/0", None),
        ("tile/8/0/", None),
        ("tile//0/000", None),
        ("tile/8/99999999999/000", Some(t(8, 99999999999, 0, 256))),
        (
            "tile/8/0/x009/x223/x372/x036/x854/x775/807",
            Some(t(8, 0, i64::MAX as u64, 256)),
        ),
        ("tile/8/0/x009/x223/x372/x036/x854/x775/808", None),
        ("tile/8/0/x999/x999/x999/x999/x999/x999/x999/999", None),
        ("tile/8/data/000", Some(t(8, -1, 0, 256))),
        ("tile/8/data.p/5", None),
        ("tile/8/0/000.p/", None),
        ("tile/8/0/.p/5", None),
        ("tile/8/0/000.p/5/6", None),
        ("tile/8/0/00a", None),
        ("tile/8/0/x01/000", None),
        ("/tile/8/0/000", None),
        ("tile/8/0/000\n", None),
        ("tile/8/0/000.p/+5", None),
        ("tile/8/0/000.p/05", None),
        ("tile/8/0/x-01/000", None),
        ("tile/1/0/000.p/1", Some(t(1, 0, 0, 1))),
        ("tile/1/0/000", Some(t(1, 0, 0, 2))),
        ("tile/8/0/000.q/5", None),
        ("Tile/8/0/000", None),
        ("", None),
        ("tile", None),
        ("tile/8/0/é", None),
    ];
    for (path, want) in cases {
        match want {
            Some(tile) => {
                assert_eq!(tile.path(), *path, "{tile:?}.path()");
                assert_eq!(tile.to_string(), *path);
                assert_eq!(Tile::parse(path).as_ref(), Ok(tile), "parse({path:?})");
            }
            None => {
                let err = Tile::parse(path).unwrap_err();
                assert_eq!(err, TileError::MalformedPath(path.to_string()), "{path:?}");
            }
        }
    }
    assert_eq!(
        Tile::parse("tile/8/0/000\n").unwrap_err().to_string(),
        r#"malformed tile path "tile/8/0/000\n""#
    );
}

#[test]
fn new_tiles_for_size() {
    // TestNewTilesForSize (height 10), extended with x/mod's exact lists.
    let cases: &[(u64, u64, usize)] = &[
        (1, 1, 0),
        (100, 101, 1),
        (1023, 1025, 3),
        (1024, 1030, 1),
        (1030, 2000, 1),
        (1030, 10000, 10),
        (49516517, 49516586, 3),
        (0, 1000000, 978),
        (5, 3, 1),
    ];
    for &(old, new, want) in cases {
        assert_eq!(new_tiles(10, old, new).len(), want, "{old}-{new}");
    }
    assert_eq!(new_tiles(10, 100, 101), vec![t(10, 0, 0, 101)]);
    assert_eq!(
        new_tiles(10, 1023, 1025),
        vec![t(10, 0, 0, 1024), t(10, 0, 1, 1), t(10, 1, 0, 1)]
    );
    assert_eq!(
        new_tiles(10, 49516517, 49516586),
        vec![
            t(10, 0, 48355, 1024),
            t(10, 0, 48356, 42),
            t(10, 1, 47, 228)
        ]
    );
    assert_eq!(new_tiles(10, 5, 3), vec![t(10, 0, 0, 3)]);
    let big = new_tiles(8, 0, 70000);
    assert_eq!(big.len(), 277);
    assert_eq!(
        big[272..],
        [
            t(8, 0, 272, 256),
            t(8, 0, 273, 112),
            t(8, 1, 0, 256),
            t(8, 1, 1, 17),
            t(8, 2, 0, 1)
        ]
    );
    assert!(new_tiles(0, 0, 10).is_empty());
}

#[test]
fn tile_for_index_vectors() {
    // From x/mod: (index, TileForIndex(8, index), TileForIndex(2, index)).
    let cases: &[(u64, &str, &str)] = &[
        (0, "tile/8/0/000.p/1", "tile/2/0/000.p/1"),
        (1, "tile/8/0/000.p/2", "tile/2/0/000.p/2"),
        (2, "tile/8/0/000.p/2", "tile/2/0/000.p/2"),
        (3, "tile/8/0/000.p/3", "tile/2/0/000.p/3"),
        (6, "tile/8/0/000.p/4", "tile/2/1/000.p/1"),
        (7, "tile/8/0/000.p/5", "tile/2/0/001.p/1"),
        (100, "tile/8/0/000.p/52", "tile/2/1/003.p/1"),
        (510, "tile/8/1/000.p/1", "tile/2/4/000.p/1"),
        (511, "tile/8/0/001.p/1", "tile/2/0/064.p/1"),
        (512, "tile/8/0/001.p/2", "tile/2/0/064.p/2"),
        (1000000, "tile/8/0/x001/953.p/37", "tile/2/0/x125/001.p/1"),
    ];
    for &(index, h8, h2) in cases {
        assert_eq!(tile_for_index(8, index).unwrap().path(), h8, "{index}");
        assert_eq!(tile_for_index(2, index).unwrap().path(), h2, "{index}");
    }
    assert_eq!(tile_for_index(0, 5), None);
    assert_eq!(tile_for_index(31, 5), None);
    let _ = tile_for_index(30, u64::MAX);
}

#[test]
fn hash_from_tile_errors() {
    let data = [0u8; 4 * HASH_SIZE];
    let cases: Vec<(Tile, usize, u64, &str)> = vec![
        (t(0, 0, 0, 1), 32, 0, "invalid tile tile/0/0/000"),
        (t(2, -1, 0, 4), 128, 0, "invalid tile tile/2/data/000"),
        (t(2, 64, 0, 4), 128, 0, "invalid tile tile/2/64/000"),
        (t(2, 0, 0, 5), 128, 0, "invalid tile tile/2/0/000.p/5"),
        (
            t(2, 0, 0, 4),
            64,
            0,
            "data len 64 too short for tile tile/2/0/000",
        ),
        (
            t(2, 0, 1, 4),
            128,
            0,
            "index 0 is in tile/2/0/000.p/1 not tile/2/0/001",
        ),
        (
            t(2, 0, 0, 1),
            128,
            1,
            "index 1 is in tile/2/0/000.p/2 not tile/2/0/000.p/1",
        ),
    ];
    for (tile, len, index, want) in cases {
        let err = hash_from_tile(&tile, &data[..len], index).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
}

/// A growing test log whose tiles are read straight from its stored hashes
/// (the Go test's testTree), optionally zeroing one index (zeroIndexReader).
struct TestTree {
    h: u32,
    n: u64,
    hashes: Vec<Hash>,
    zero: Option<u64>,
    saves: Cell<usize>,
}

impl TestTree {
    fn add(&mut self, data: &[u8]) {
        let new = stored_hashes(self.n, data, &self.hashes).unwrap();
        self.hashes.extend(new);
        self.n += 1;
    }
    fn tree(&self) -> Tree {
        Tree {
            n: self.n,
            hash: tree_hash(self.n, &self.hashes).unwrap(),
        }
    }
}

impl TileReader for TestTree {
    fn height(&self) -> u32 {
        self.h
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog::Error> {
        let mut out = Vec::new();
        for tile in tiles {
            let mut data = read_tile_data(tile, &self.hashes)?;
            if let Some(index) = self.zero {
                let (zt, start, end) = tile_for_index_range(self.h, index);
                if tile.h == zt.h && tile.l == zt.l && tile.n == zt.n && end <= data.len() {
                    data[start..end].fill(0);
                }
            }
            out.push(data);
        }
        Ok(out)
    }
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        assert_eq!(tiles.len(), data.len());
        for (tile, d) in tiles.iter().zip(data) {
            assert_eq!(
                d,
                &read_tile_data(tile, &self.hashes).unwrap(),
                "SaveTiles({}): saved data does not match tree",
                tile.path()
            );
        }
        self.saves.set(self.saves.get() + 1);
    }
}

#[test]
fn tile_hash_reader() {
    // TestTileHashReader: every stored hash of every tree up to N=40 (Go goes
    // to 100; 40 covers three tile levels at height 2 and keeps debug builds
    // fast) reads back correctly, one at a time and all at once, and zeroing
    // any single hash makes both reads fail.
    let mut tt = TestTree {
        h: 2,
        n: 0,
        hashes: Vec::new(),
        zero: None,
        saves: Cell::new(0),
    };
    for _ in 0..40 {
        let data = format!("leaf {}", tt.n);
        tt.add(data.as_bytes());
        let tree = tt.tree();
        let limit = stored_hash_index(0, tt.n);
        let indexes: Vec<u64> = (0..limit).collect();
        {
            let th = TileHashReader::new(tree, &tt);
            for i in 0..limit {
                let hashes = th.read_hashes(&[i]).unwrap();
                assert_eq!(
                    hashes,
                    vec![tt.hashes[i as usize]],
                    "N={} ReadHashes({i})",
                    tt.n
                );
            }
            let all = th.read_hashes(&indexes).unwrap();
            assert_eq!(all, tt.hashes[..limit as usize], "N={}", tt.n);
        }
        for i in 0..limit {
            tt.zero = Some(i);
            let thz = TileHashReader::new(tree, &tt);
            assert!(thz.read_hashes(&[i]).is_err(), "N={} tampered={i}", tt.n);
            assert!(
                thz.read_hashes(&indexes).is_err(),
                "N={} tampered={i}",
                tt.n
            );
        }
        tt.zero = None;
    }
    assert!(tt.saves.get() > 0);
}

#[test]
fn tile_hash_reader_rejects_bad_results() {
    struct Bad(usize);
    impl TileReader for Bad {
        fn height(&self) -> u32 {
            2
        }
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog::Error> {
            Ok(tiles.iter().skip(self.0).map(|_| vec![0; 3]).collect())
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {
            panic!("unauthenticated tiles saved");
        }
    }
    let tree = Tree {
        n: 3,
        hash: record_hash(b"x"),
    };
    let err = TileHashReader::new(tree, &Bad(0))
        .read_hashes(&[0])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "TileReader returned bad result slice (tile/2/0/000.p/3 len=3, want 96)"
    );
    let err = TileHashReader::new(tree, &Bad(1))
        .read_hashes(&[0])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "TileReader returned bad result slice (len=0, want 1)"
    );
}

#[test]
fn read_tile_data_bounds() {
    let hashes: Vec<Hash> = (0..3).map(|i: u8| record_hash(&[i])).collect();
    assert!(read_tile_data(&t(2, 0, 0, 4), &hashes).is_err());
    assert!(read_tile_data(&t(2, 0, u64::MAX, 4), &hashes).is_err());
    assert!(read_tile_data(&t(2, -1, 0, 1), &hashes).is_err());
    let one = read_tile_data(&t(2, 0, 0, 1), &hashes).unwrap();
    assert_eq!(one, hashes[0].0);
}
