//! Tests ported from x/mod `sumdb/tlog/tlog_test.go` (TestTree,
//! TestSplitStoredHashIndex) and `ct_test.go` (TestCertificateTransparency),
//! plus vectors checked with x/mod.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::*;
use crate::sumdb::record::Tree;
use crate::sumdb::tile::{
    Tile, TileHashReader, TileReader, hash_from_tile, new_tiles, read_tile_data, tile_for_index,
};

fn b64(h: &Hash) -> String {
    h.to_string()
}

#[test]
fn record_and_empty_hash_vectors() {
    // Appendix A of the reference; both checked with x/mod.
    assert_eq!(
        b64(&record_hash(b"hello\n")),
        "VKbcG/yZDO0/V1cmTzV61wip7lTOPRFymWQbI09tWAA="
    );
    assert_eq!(
        b64(&tree_hash(0, &Vec::<Hash>::new()).unwrap()),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    assert_eq!(EMPTY_HASH.0, <[u8; 32]>::from(Sha256::digest(b"")));
    // tlog note_test.go: RecordHash("hello world").
    assert_eq!(
        b64(&record_hash(b"hello world")),
        "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="
    );
}

#[test]
fn node_hash_is_rfc6962() {
    let l = record_hash(b"a");
    let r = record_hash(b"b");
    let mut input = vec![1u8];
    input.extend_from_slice(&l.0);
    input.extend_from_slice(&r.0);
    assert_eq!(
        node_hash(&l, &r).0,
        <[u8; 32]>::from(Sha256::digest(&input))
    );
}

#[test]
fn parse_hash() {
    let h = record_hash(b"hello world");
    assert_eq!(Hash::parse(&h.to_string()).unwrap(), h);
    for bad in [
        "",
        "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0",
        "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=",
        "AAAA",
    ] {
        assert_eq!(
            Hash::parse(bad).unwrap_err().to_string(),
            "malformed hash",
            "{bad}"
        );
    }
}

#[test]
fn stored_hash_index_vectors() {
    // Reference §2.6: (0,0)=0, (0,1)=1, (1,0)=2, (0,2)=3, (0,3)=4, (1,1)=5, (2,0)=6.
    let want = [
        ((0, 0), 0),
        ((0, 1), 1),
        ((1, 0), 2),
        ((0, 2), 3),
        ((0, 3), 4),
        ((1, 1), 5),
        ((2, 0), 6),
        ((0, 4), 7),
    ];
    for ((level, n), idx) in want {
        assert_eq!(stored_hash_index(level, n), idx, "({level},{n})");
        assert_eq!(split_stored_hash_index(idx), (level, n), "{idx}");
    }
}

#[test]
fn split_stored_hash_index_inverts() {
    // TestSplitStoredHashIndex.
    for l in 0..10 {
        for n in 0..100 {
            let x = stored_hash_index(l, n);
            assert_eq!(
                split_stored_hash_index(x),
                (l, n),
                "StoredHashIndex({l}, {n}) = {x}"
            );
        }
    }
}

#[test]
fn maxpow2_matches_go() {
    // Go's loop: the largest power of two strictly below n (1 for n ≤ 2).
    for n in 0u64..300 {
        let mut l = 0;
        while (1u64 << (l + 1)) < n {
            l += 1;
        }
        assert_eq!(maxpow2(n), (1 << l, l), "{n}");
    }
    assert_eq!(maxpow2(u64::MAX), (1 << 63, 63));
}

/// Hash storage that insists on increasing index order, as the Go test does.
struct OrderedStorage<'a>(&'a [Hash]);

impl HashReader for OrderedStorage<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        assert!(
            indexes.windows(2).all(|w| w[0] < w[1]),
            "indexes out of order: {indexes:?}"
        );
        self.0.read_hashes(indexes)
    }
}

/// The Go test's testTilesStorage: serves stored tiles and counts unsaved reads.
struct TestTiles {
    unsaved: Cell<i64>,
    m: RefCell<HashMap<Tile, Vec<u8>>>,
}

impl TileReader for TestTiles {
    fn height(&self) -> u32 {
        2
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, Error> {
        self.unsaved.set(self.unsaved.get() + tiles.len() as i64);
        let m = self.m.borrow();
        Ok(tiles
            .iter()
            .map(|t| m.get(t).cloned().unwrap_or_default())
            .collect())
    }
    fn save_tiles(&self, tiles: &[Tile], _data: &[Vec<u8>]) {
        self.unsaved.set(self.unsaved.get() - tiles.len() as i64);
    }
}

#[test]
fn tree() {
    // TestTree: grow a log to 100 records with tile height 2, checking stored
    // hash counts, tiles, record proofs and tree proofs (with corruption) at
    // every size, both from raw storage and through authenticated tiles.
    const H: u32 = 2;
    let mut trees: Vec<Hash> = Vec::new();
    let mut leaf_hashes: Vec<Hash> = Vec::new();
    let mut storage: Vec<Hash> = Vec::new();
    let tiles = TestTiles {
        unsaved: Cell::new(0),
        m: RefCell::new(HashMap::new()),
    };
    for i in 0u64..100 {
        let data = format!("leaf {i}");
        let hashes = stored_hashes(i, data.as_bytes(), &OrderedStorage(&storage)).unwrap();
        leaf_hashes.push(record_hash(data.as_bytes()));
        let old_storage = storage.len();
        storage.extend(hashes);
        assert_eq!(
            stored_hash_count(i + 1),
            storage.len() as u64,
            "StoredHashCount({})",
            i + 1
        );
        let th = tree_hash(i + 1, &OrderedStorage(&storage)).unwrap();

        for tile in new_tiles(H, i, i + 1) {
            let data = read_tile_data(&tile, &storage).unwrap();
            let old = Tile {
                w: tile.w - 1,
                ..tile
            };
            let m = tiles.m.borrow();
            let old_data = m.get(&old).cloned().unwrap_or_default();
            assert!(
                old_data.len() == data.len() - HASH_SIZE && data.starts_with(&old_data),
                "tile {} not extending earlier tile {}",
                tile.path(),
                old.path()
            );
            drop(m);
            tiles.m.borrow_mut().insert(tile, data);
        }
        for tile in new_tiles(H, 0, i + 1)
            .into_iter()
            .chain(new_tiles(H, i / 2, i + 1))
        {
            let data = read_tile_data(&tile, &storage).unwrap();
            assert_eq!(
                tiles.m.borrow().get(&tile),
                Some(&data),
                "mismatch at {tile:?}"
            );
        }

        // Every new hash is readable from its tile.
        for j in old_storage as u64..storage.len() as u64 {
            let tile = tile_for_index(H, j).unwrap();
            let m = tiles.m.borrow();
            let data = m.get(&tile).unwrap_or_else(|| {
                panic!(
                    "TileForIndex({H}, {j}) = {}, not yet stored (i={i})",
                    tile.path()
                )
            });
            let h = hash_from_tile(&tile, data, j).unwrap();
            assert_eq!(h, storage[j as usize], "HashFromTile({}, {j})", tile.path());
        }

        trees.push(th);

        // Record proofs for every leaf, from raw storage, with each proof hash corrupted.
        for j in 0..=i {
            let mut p = prove_record(i + 1, j, &OrderedStorage(&storage)).unwrap();
            check_record(&p, i + 1, &th, j, &leaf_hashes[j as usize])
                .unwrap_or_else(|e| panic!("CheckRecord({}, {j}): {e}", i + 1));
            for k in 0..p.len() {
                p[k].0[0] ^= 1;
                assert!(
                    check_record(&p, i + 1, &th, j, &leaf_hashes[j as usize]).is_err(),
                    "CheckRecord({}, {j}) succeeded with corrupt proof hash #{k}",
                    i + 1
                );
                p[k].0[0] ^= 1;
            }
        }

        // Record proofs through authenticated tiles.
        let thr = TileHashReader::new(Tree { n: i + 1, hash: th }, &tiles);
        for j in 0..=i {
            let h = thr.read_hashes(&[stored_hash_index(0, j)]).unwrap();
            assert_eq!(
                h,
                vec![leaf_hashes[j as usize]],
                "TileHashReader({}).ReadHashes({j})",
                i + 1
            );
            let p = prove_record(i + 1, j, &thr).unwrap();
            check_record(&p, i + 1, &th, j, &leaf_hashes[j as usize]).unwrap();
        }
        assert_eq!(
            tiles.unsaved.get(),
            0,
            "TileHashReader({}) did not save tiles",
            i + 1
        );

        // An index outside the tree is an error.
        let err = thr.read_hashes(&[(i + 1) * 2]).unwrap_err();
        assert_eq!(err.to_string(), "indexes not in tree");
        assert_eq!(tiles.unsaved.get(), 0);

        // Tree proofs for every earlier tree, through tiles, with corruption.
        for j in 0..=i {
            let h = tree_hash(j + 1, &thr).unwrap();
            assert_eq!(
                h,
                trees[j as usize],
                "TreeHash({j}, TileHashReader({}))",
                i + 1
            );
            let mut p = prove_tree(i + 1, j + 1, &thr).unwrap();
            check_tree(&p, i + 1, &th, j + 1, &trees[j as usize])
                .unwrap_or_else(|e| panic!("CheckTree({}, {}): {e}", i + 1, j + 1));
            for k in 0..p.len() {
                p[k].0[0] ^= 1;
                assert!(
                    check_tree(&p, i + 1, &th, j + 1, &trees[j as usize]).is_err(),
                    "CheckTree({}, {}) succeeded with corrupt proof hash #{k}",
                    i + 1,
                    j + 1
                );
                p[k].0[0] ^= 1;
            }
        }
        assert_eq!(tiles.unsaved.get(), 0);
    }
}

#[test]
fn tree_hash_matches_rfc6962_definition() {
    // Independent recursive definition: MTH(D[n]) = NodeHash(MTH(D[0:k]), MTH(D[k:n])).
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => EMPTY_HASH,
            1 => leaves[0],
            n => {
                let k = maxpow2(n as u64).0 as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }
    let mut storage = Vec::new();
    let mut leaves = Vec::new();
    for i in 0u64..70 {
        let data = format!("record {i}\n");
        storage.extend(stored_hashes(i, data.as_bytes(), &storage).unwrap());
        leaves.push(record_hash(data.as_bytes()));
        assert_eq!(
            tree_hash(i + 1, &storage).unwrap(),
            mth(&leaves),
            "n={}",
            i + 1
        );
    }
}

#[test]
fn proof_input_errors() {
    let storage: Vec<Hash> = Vec::new();
    let h = Hash::default();
    let cases: Vec<(Error, &str)> = vec![
        (
            prove_record(0, 0, &storage).unwrap_err(),
            "tlog: invalid inputs in ProveRecord",
        ),
        (
            prove_record(3, 3, &storage).unwrap_err(),
            "tlog: invalid inputs in ProveRecord",
        ),
        (
            check_record(&[], 1, &h, 1, &h).unwrap_err(),
            "tlog: invalid inputs in CheckRecord",
        ),
        (
            prove_tree(0, 0, &storage).unwrap_err(),
            "tlog: invalid inputs in ProveTree",
        ),
        (
            prove_tree(2, 3, &storage).unwrap_err(),
            "tlog: invalid inputs in ProveTree",
        ),
        (
            check_tree(&[], 1, &h, 0, &h).unwrap_err(),
            "tlog: invalid inputs in CheckTree",
        ),
        (
            check_tree(&[], 2, &h, 1, &h).unwrap_err(),
            "invalid transparency proof",
        ),
        (
            check_record(&[h], 1, &h, 0, &h).unwrap_err(),
            "invalid transparency proof",
        ),
    ];
    for (err, want) in cases {
        assert_eq!(err.to_string(), want);
    }
    // Missing storage is an error, not a panic.
    assert!(tree_hash(5, &storage).is_err());
    assert!(stored_hashes(1, b"x", &storage).is_err());
}

#[test]
fn short_reader_is_reported() {
    struct Short;
    impl HashReader for Short {
        fn read_hashes(&self, _indexes: &[u64]) -> Result<Vec<Hash>, Error> {
            Ok(vec![])
        }
    }
    assert_eq!(
        tree_hash(3, &Short).unwrap_err().to_string(),
        "tlog: ReadHashes(2 indexes) = 0 hashes"
    );
}

#[test]
fn huge_sizes_do_not_panic() {
    let storage: Vec<Hash> = vec![Hash::default(); 4];
    assert!(tree_hash(u64::MAX, &storage).is_err());
    assert!(tree_hash(i64::MAX as u64, &storage).is_err());
    assert!(prove_record(u64::MAX, u64::MAX - 1, &storage).is_err());
    assert!(prove_tree(u64::MAX, 3, &storage).is_err());
    let _ = stored_hash_count(u64::MAX);
    let _ = split_stored_hash_index(u64::MAX);
    let _ = stored_hash_index(70, u64::MAX);
}

/// Pulls the quoted strings of the array under `key` out of a small JSON file.
fn json_strings(json: &str, key: &str) -> Vec<String> {
    let start = json.find(&format!("\"{key}\"")).expect(key);
    let rest = &json[start + key.len() + 2..];
    let open = rest.find('[').unwrap();
    let close = rest.find(']').unwrap();
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect()
}

fn json_scalar<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
    let rest = &json[start..];
    let end = rest.find([',', '}']).unwrap();
    rest[..end].trim_matches('"')
}

#[test]
fn certificate_transparency() {
    // TestCertificateTransparency: real RFC 6962 proofs from Google's Argon 2020 log.
    macro_rules! testdata {
        ($f:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/testdata/sumdb/argon2020/",
                $f
            ))
        };
    }
    let sth = testdata!("sth.json");
    let size: u64 = json_scalar(sth, "tree_size").parse().unwrap();
    let root = Hash::parse(json_scalar(sth, "sha256_root_hash")).unwrap();

    let entries = testdata!("entries.json");
    let leaf = crate::sumdb::go_base64_decode(json_scalar(entries, "leaf_input")).unwrap();
    let leaf_hash = record_hash(&leaf);

    let proof: Vec<Hash> = json_strings(testdata!("proof.json"), "audit_path")
        .iter()
        .map(|s| Hash::parse(s).unwrap())
        .collect();
    assert_eq!(proof.len(), 30);
    check_record(&proof, size, &root, 10000, &leaf_hash).unwrap();
    assert!(check_record(&proof, size, &root, 10001, &leaf_hash).is_err());

    let consistency: Vec<Hash> = json_strings(testdata!("consistency.json"), "consistency")
        .iter()
        .map(|s| Hash::parse(s).unwrap())
        .collect();
    let old = Hash::parse("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=").unwrap();
    check_tree(&consistency, size, &root, 3654490, &old).unwrap();
    assert!(check_tree(&consistency, size, &root, 3654491, &old).is_err());
}
