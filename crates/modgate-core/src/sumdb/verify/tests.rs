//! Scenarios ported from x/mod `sumdb/client_test.go` (TestClientLookup,
//! TestClientBadTiles, TestClientFork, TestRejectUnauthenticatedLines), served
//! by [`MemDb`] with the same keys and records, so trees, signatures and the
//! fork report are byte-identical to Go's; plus the partial-tile fallback and
//! error texts.

use super::*;
use crate::sumdb::memdb::tests::{RECORDS, SIGNER_KEY, VERIFIER_KEY};
use crate::sumdb::memdb::{MemDb, Outcome};
use crate::sumdb::note::{Ed25519Signer, Ed25519Verifier, Note};
use crate::sumdb::record::{format_record, format_tree};

/// Serves tiles from a MemDb, optionally corrupting them or refusing partial
/// tiles, and records what it was asked.
struct DbSource<'a> {
    db: &'a MemDb,
    flip_bits: bool,
    refuse_partial: bool,
    reads: Vec<String>,
    saved: Vec<String>,
}

impl<'a> DbSource<'a> {
    fn new(db: &'a MemDb) -> DbSource<'a> {
        DbSource {
            db,
            flip_bits: false,
            refuse_partial: false,
            reads: Vec::new(),
            saved: Vec::new(),
        }
    }
}

impl TileSource for DbSource<'_> {
    fn read_tile(&mut self, path: &str) -> Result<Vec<u8>, FetchError> {
        self.reads.push(path.to_string());
        if self.refuse_partial && path.contains(".p/") {
            return Err(format!("no remote path /{path}").into());
        }
        match self.db.serve(path) {
            Outcome::Ok { mut body, .. } => {
                if self.flip_bits {
                    body.iter_mut().for_each(|b| *b ^= 0x80);
                }
                Ok(body)
            }
            other => Err(format!("no remote path /{path} ({})", other.status()).into()),
        }
    }

    fn authenticated(&mut self, path: &str, _data: &[u8]) {
        self.saved.push(path.to_string());
    }
}

fn verifier() -> Ed25519Verifier {
    Ed25519Verifier::new(VERIFIER_KEY).unwrap()
}

/// A database holding `records`, and the lookup response for each record as
/// served right after it was added (as client_test.go's addRecord does).
fn build(records: &[(&str, &str, &str)]) -> (MemDb, Vec<Vec<u8>>) {
    let mut db = MemDb::from_signer_key(SIGNER_KEY).unwrap();
    let mut responses = Vec::new();
    for (path, version, text) in records {
        db.add(path, version, text.as_bytes()).unwrap();
        let req = lookup_path(path, version).unwrap();
        match db.serve(&req) {
            Outcome::Ok { body, .. } => responses.push(body),
            other => panic!("{req}: {other:?}"),
        }
    }
    (db, responses)
}

fn signed(db: &MemDb, n: u64) -> SignedTree {
    let note = db.sign_tree(&db.tree_at(n).unwrap()).unwrap();
    SignedTree::open(&verifier(), &note).unwrap()
}

#[test]
fn client_lookup() {
    // TestClientLookup: trusted tree 1, records looked up as served.
    let (db, resp) = build(&RECORDS[..4]);
    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);
    let mut src = DbSource::new(&db);
    let trusted = signed(&db, 1);

    let r = client
        .verify_lookup(&trusted, "rsc.io/sampler", "v1.3.0", &resp[2], &mut src)
        .unwrap();
    assert_eq!(
        r.lines,
        ["rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4="]
    );
    assert_eq!((r.id, r.latest.tree.n), (2, 3));
    let latest = r.latest;

    let r = client
        .verify_lookup(
            &latest,
            "rsc.io/sampler",
            "v1.3.0/go.mod",
            &resp[2],
            &mut src,
        )
        .unwrap();
    assert_eq!(
        r.lines,
        ["rsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA="]
    );
    assert_eq!(r.latest, latest);

    // Multiple lines; the quote record is signed by an older tree (1).
    let r = client
        .verify_lookup(&latest, "rsc.io/quote", "v1.5.2", &resp[0], &mut src)
        .unwrap();
    assert_eq!(
        r.lines,
        [
            "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=",
            "rsc.io/quote v1.5.2 h2:xyzzy"
        ]
    );
    assert_eq!(r.latest, latest, "an older tree does not move latest back");

    // !-encoding, and a newer tree.
    let r = client
        .verify_lookup(&latest, "rsc.io/Quote", "v1.5.2", &resp[3], &mut src)
        .unwrap();
    assert_eq!(r.lines, ["rsc.io/Quote v1.5.2 h1:uppercase!="]);
    assert_eq!(r.latest.tree.n, 4);
    assert_eq!(
        r.latest.note,
        resp[3][resp[3].len() - r.latest.note.len()..]
    );

    // A version the record does not have yields no lines (the go command's
    // "checksum missing from sumdb response").
    let r = client
        .verify_lookup(&latest, "rsc.io/sampler", "v1.3.1", &resp[2], &mut src)
        .unwrap();
    assert!(r.lines.is_empty());
    assert!(!src.saved.is_empty());
    assert!(src.saved.iter().all(|p| p.starts_with("tile/2/")));
}

#[test]
fn client_bad_tiles() {
    // TestClientBadTiles.
    let (db, resp) = build(&RECORDS[..4]);
    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);
    let trusted = signed(&db, 1);

    let mut bad = DbSource::new(&db);
    bad.flip_bits = true;
    let err = client
        .verify_lookup(&trusted, "rsc.io/sampler", "v1.3.0", &resp[2], &mut bad)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rsc.io/sampler@v1.3.0: checking tree#1 against tree#3: downloaded inconsistent tile"
    );
    assert!(bad.saved.is_empty(), "corrupt tiles must not be saved");

    let mut good = DbSource::new(&db);
    let latest = client
        .verify_lookup(&trusted, "rsc.io/sampler", "v1.3.0", &resp[2], &mut good)
        .unwrap()
        .latest;

    let err = client
        .verify_lookup(&latest, "rsc.io/Quote", "v1.5.2", &resp[3], &mut bad)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rsc.io/Quote@v1.5.2: checking tree#3 against tree#4: downloaded inconsistent tile"
    );
    let r = client
        .verify_lookup(&latest, "rsc.io/Quote", "v1.5.2", &resp[3], &mut good)
        .unwrap();
    assert_eq!(r.lines, ["rsc.io/Quote v1.5.2 h1:uppercase!="]);

    // A trusted note with a wrong hash at the same size: the tiles of the
    // response's tree (size 1) cannot reproduce it.
    let zero = Tree {
        n: 3,
        hash: Hash::default(),
    };
    let bad_trusted = SignedTree::open(&v, &db.sign_tree(&zero).unwrap()).unwrap();
    let err = client
        .verify_lookup(
            &bad_trusted,
            "rsc.io/sampler",
            "v1.3.0",
            &resp[2],
            &mut good,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rsc.io/sampler@v1.3.0: checking tree#3: downloaded inconsistent tile"
    );
}

#[test]
fn client_fork() {
    // TestClientFork: two logs agree on four records, then diverge.
    let mut one: Vec<(&str, &str, &str)> = RECORDS[..4].to_vec();
    one.push(("rsc.io/pkg1", "v1.5.2", "rsc.io/pkg1 v1.5.2 h1:hash!=\n"));
    one.push(("rsc.io/pkg1", "v1.5.4", "rsc.io/pkg1 v1.5.4 h1:hash!=\n"));
    let mut two: Vec<(&str, &str, &str)> = RECORDS[..4].to_vec();
    two.push(("rsc.io/pkg1", "v1.5.3", "rsc.io/pkg1 v1.5.3 h1:hash!=\n"));
    two.push(("rsc.io/pkg1", "v1.5.4", "rsc.io/pkg1 v1.5.4 h1:hash!=\n"));
    let (db1, resp1) = build(&one);
    let (db2, resp2) = build(&two);

    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);
    let r1 = client
        .verify_lookup(
            &SignedTree::empty(),
            "rsc.io/pkg1",
            "v1.5.2",
            &resp1[4],
            &mut DbSource::new(&db1),
        )
        .unwrap();
    assert_eq!(r1.lines, ["rsc.io/pkg1 v1.5.2 h1:hash!="]);

    let mut src2 = DbSource::new(&db2);
    let latest2 = client
        .verify_lookup(
            &SignedTree::empty(),
            "rsc.io/pkg1",
            "v1.5.4",
            &resp2[5],
            &mut src2,
        )
        .unwrap()
        .latest;
    assert_eq!(latest2.tree.n, 6);

    // The second client is handed the first log's answer.
    let err = client
        .verify_lookup(&latest2, "rsc.io/pkg1", "v1.5.2", &resp1[4], &mut src2)
        .unwrap_err();
    let VerifyError::Security(sec) = err.err.as_ref() else {
        panic!("want a security error, got {err}");
    };
    let text = err.to_string();
    assert_eq!(text, sec.to_string());
    for want in [
        "SECURITY ERROR\n",
        "go.sum database server misbehavior detected!\n\n",
        "old database:\n\tgo.sum database tree\n\t5\n\tnWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w=\n\t\n\t",
        "— localhost.localdev/sumdb AAAMZ5/2FVAd",
        "new database:\n\tgo.sum database tree\n\t6\n\twc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=\n\t\n\t",
        "— localhost.localdev/sumdb AAAMZ6oRNswl",
        // The proof from the comment in Go's test.
        "\n\t\nproof of misbehavior:\n\
         \tT7i+H/8ER4nXOiw4Bj0koZOkGjkxoNvlI34GpvhHhQg=\n\
         \tNsuejv72de9hYNM5bqFv8rv3gm3zJQwv/DT/WNbLDLA=\n\
         \tmOmqqZ1aI/lzS94oq/JSbj7pD8Rv9S+xDyi12BtVSHo=\n\
         \t/7Aw5jVSMM9sFjQhaMg+iiDYPMk6decH7QLOGrL9Lx0=",
    ] {
        assert!(
            text.contains(want),
            "cannot find {want:?} in security text:\n{text}"
        );
    }
    assert!(text.ends_with("Lx0="), "{text:?}");
    assert_eq!(
        sec.old_note,
        resp1[4][resp1[4].len() - sec.old_note.len()..]
    );
    assert_eq!(sec.proof.as_ref().map(Vec::len), Ok(3));
}

#[test]
fn reject_unauthenticated_lines() {
    // TestRejectUnauthenticatedLines: lines smuggled into the signed tree
    // note are not record lines.
    let (mut db, _) = build(&RECORDS[..3]);
    let data = "golang.org/x/good v1.0.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n";
    let id = db
        .add("golang.org/x/good", "v1.0.0", data.as_bytes())
        .unwrap();
    let mut text = String::from_utf8(format_tree(&db.tree())).unwrap();
    text.push_str("golang.org/x/bad v1.0.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n");
    let signer = Ed25519Signer::new(SIGNER_KEY).unwrap();
    let note = note::sign(
        &Note {
            text,
            ..Note::default()
        },
        &[&signer],
    )
    .unwrap();
    let mut response = format_record(id, data.as_bytes()).unwrap();
    response.extend_from_slice(&note);

    let v = verifier();
    let r = Client::new(&v)
        .with_tile_height(2)
        .verify_lookup(
            &SignedTree::empty(),
            "golang.org/x/bad",
            "v1.0.0",
            &response,
            &mut DbSource::new(&db),
        )
        .unwrap();
    assert!(r.lines.is_empty(), "{:?}", r.lines);
}

#[test]
fn partial_tile_falls_back_to_full_tile() {
    // Record 4 is answered with tree 5 (partial tiles 0/001.p/1 and
    // 1/000.p/1), but the server has since grown to 16 records and only
    // serves full tiles.
    let recs: Vec<(String, String)> = (0..16)
        .map(|i| {
            (
                format!("example.com/m{i}"),
                format!("example.com/m{i} v1.0.0 h1:x=\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = recs
        .iter()
        .map(|(p, t)| (p.as_str(), "v1.0.0", t.as_str()))
        .collect();
    let (db, resp) = build(&refs);
    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);

    let mut src = DbSource::new(&db);
    src.refuse_partial = true;
    let r = client
        .verify_lookup(
            &SignedTree::empty(),
            "example.com/m4",
            "v1.0.0",
            &resp[4],
            &mut src,
        )
        .unwrap();
    assert_eq!(r.lines, ["example.com/m4 v1.0.0 h1:x="]);
    assert!(
        src.reads.contains(&"tile/2/0/001.p/1".to_string()),
        "{:?}",
        src.reads
    );
    assert!(
        src.reads.contains(&"tile/2/0/001".to_string()),
        "{:?}",
        src.reads
    );
    // What is reported authenticated is the partial tile the tree needs.
    assert!(
        src.saved.contains(&"tile/2/0/001.p/1".to_string()),
        "{:?}",
        src.saved
    );

    // With only 6 records no full tile covers the partial ones, so the fetch
    // error of the first partial tile needed is reported.
    let (db6, resp6) = build(&refs[..6]);
    let mut src = DbSource::new(&db6);
    src.refuse_partial = true;
    let err = client
        .verify_lookup(
            &SignedTree::empty(),
            "example.com/m5",
            "v1.0.0",
            &resp6[5],
            &mut src,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "example.com/m5@v1.0.0: no remote path /tile/2/1/000.p/1"
    );
}

#[test]
fn default_height_and_merge() {
    let (db, resp) = build(RECORDS);
    let v = verifier();
    let client = Client::new(&v);
    let mut src = DbSource::new(&db);
    let r = client
        .verify_lookup(
            &SignedTree::empty(),
            "rsc.io/quote",
            "v1.5.2",
            &resp[0],
            &mut src,
        )
        .unwrap();
    assert_eq!(r.latest.tree.n, 1);
    assert!(
        src.reads.iter().all(|p| p.starts_with("tile/8/")),
        "{:?}",
        src.reads
    );

    // Merging `latest` moves forward; merging an older note or nothing does not.
    let latest = match db.serve("latest") {
        Outcome::Ok { body, .. } => body,
        other => panic!("{other:?}"),
    };
    let merged = client.merge(&r.latest, &latest, &mut src).unwrap();
    assert_eq!(merged.tree, db.tree());
    assert_eq!(
        client
            .merge(
                &merged,
                &resp[0][resp[0].len() - r.latest.note.len()..],
                &mut src
            )
            .unwrap(),
        merged
    );
    assert_eq!(client.merge(&merged, b"", &mut src).unwrap(), merged);
}

#[test]
fn record_errors() {
    let (db, resp) = build(&RECORDS[..4]);
    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);
    let empty = SignedTree::empty();
    let note_of = |r: &[u8]| {
        let rec = parse_record(r).unwrap();
        rec.rest.to_vec()
    };
    let check = |response: &[u8], want: &str| {
        let err = client
            .verify_lookup(
                &empty,
                "rsc.io/sampler",
                "v1.3.0",
                response,
                &mut DbSource::new(&db),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), want);
    };

    // Altered record text under the same id.
    let mut forged = format_record(
        2,
        b"rsc.io/sampler v1.3.0 h1:AAAAIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n",
    )
    .unwrap();
    forged.extend_from_slice(&note_of(&resp[2]));
    check(
        &forged,
        "rsc.io/sampler@v1.3.0: cannot authenticate record data in server response",
    );

    // Ids outside the tree (Go would read index 0 for a negative id).
    for (id, want) in [
        ("3", "cannot validate record 3 in tree of size 3"),
        ("-1", "cannot validate record -1 in tree of size 3"),
    ] {
        let mut r = format!("{id}\nrsc.io/sampler v1.3.0 h1:x\n\n").into_bytes();
        r.extend_from_slice(&note_of(&resp[2]));
        check(&r, &format!("rsc.io/sampler@v1.3.0: {want}"));
    }

    check(
        b"2\nno blank line\n",
        "rsc.io/sampler@v1.3.0: malformed record data",
    );

    // A note signed by another key.
    let other = Ed25519Signer::from_seed("localhost.localdev/sumdb", &[9; 32]);
    let note = note::sign(
        &Note {
            text: String::from_utf8(format_tree(&db.tree())).unwrap(),
            ..Note::default()
        },
        &[&other],
    )
    .unwrap();
    let mut r = format_record(2, RECORDS[2].2.as_bytes()).unwrap();
    r.extend_from_slice(&note);
    check(
        &r,
        &format!(
            "rsc.io/sampler@v1.3.0: reading tree note: note has no verifiable signatures\nnote:\n{}",
            String::from_utf8_lossy(&note)
        ),
    );

    // A signed text that is not a tree.
    let signer = Ed25519Signer::new(SIGNER_KEY).unwrap();
    let note = note::sign(
        &Note {
            text: "hello\n".into(),
            ..Note::default()
        },
        &[&signer],
    )
    .unwrap();
    let mut r = format_record(2, RECORDS[2].2.as_bytes()).unwrap();
    r.extend_from_slice(&note);
    check(
        &r,
        "rsc.io/sampler@v1.3.0: reading tree: malformed tree note\ntree:\nhello\n",
    );
}

#[test]
fn lookup_paths() {
    assert_eq!(
        lookup_path("rsc.io/Quote", "v1.5.2/go.mod").unwrap(),
        "lookup/rsc.io/!quote@v1.5.2"
    );
    assert_eq!(
        lookup_path("golang.org/x/text", "v0.3.0-RC1").unwrap(),
        "lookup/golang.org/x/text@v0.3.0-!r!c1"
    );
    assert!(lookup_path("rsc.io/quote", "v1.0.0!").is_err());
}

/// A tile source that corrupts what the database serves.
struct MutatingSource<'a> {
    db: &'a MemDb,
    m: crate::sumdb::tests::Mutator,
}

impl TileSource for MutatingSource<'_> {
    fn read_tile(&mut self, path: &str) -> Result<Vec<u8>, FetchError> {
        match self.db.serve(path) {
            Outcome::Ok { body, .. } if self.m.below(3) == 0 => Ok(self.m.mutate(&body)),
            Outcome::Ok { body, .. } => Ok(body),
            _ => Err("not found".into()),
        }
    }
}

#[test]
fn never_panics_on_hostile_answers() {
    // Mutated lookup responses, tiles and request paths: errors, never panics,
    // and never a verified answer for altered record text.
    let (db, resp) = build(RECORDS);
    let v = verifier();
    let client = Client::new(&v).with_tile_height(2);
    let trusted = signed(&db, 3);
    let mut m = crate::sumdb::tests::Mutator::new(42);
    let mut src = MutatingSource {
        db: &db,
        m: crate::sumdb::tests::Mutator::new(7),
    };
    let paths = [
        "latest",
        "lookup/rsc.io/!quote@v1.5.2",
        "tile/2/0/001.p/2",
        "tile/2/data/000",
    ];
    for i in 0..400 {
        let (path, version, text) = RECORDS[i % RECORDS.len()];
        let response = m.mutate(&resp[i % resp.len()]);
        if let Ok(r) = client.verify_lookup(&trusted, path, version, &response, &mut src) {
            let rec = parse_record(&response).unwrap();
            assert_eq!(rec.text, text.as_bytes(), "accepted altered record text");
            assert_eq!(r.text, text.as_bytes());
        }
        let p = String::from_utf8_lossy(&m.mutate(paths[i % paths.len()].as_bytes())).into_owned();
        let _ = db.serve(&p);
    }
}

#[test]
fn unsigned_trusted_tree_in_security_report() {
    // A caller that kept only (N, hash) of its trusted tree still gets a
    // readable report when the database forks.
    let (db, resp) = build(RECORDS);
    let v = verifier();
    let wrong = SignedTree {
        tree: Tree {
            n: 2,
            hash: crate::sumdb::tlog::record_hash(b"not the tree"),
        },
        note: Vec::new(),
    };
    let err = Client::new(&v)
        .with_tile_height(2)
        .verify_lookup(
            &wrong,
            "rsc.io/Quote",
            "v1.5.2",
            &resp[3],
            &mut DbSource::new(&db),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n\
             old database:\n\tgo.sum database tree\n\t2\n\t"
        ),
        "{text}"
    );
    assert!(
        text.contains("new database:\n\tgo.sum database tree\n\t4\n"),
        "{text}"
    );
}
