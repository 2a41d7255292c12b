//! MemDb against x/mod's `sumdb.Server` over `sumdb.TestServer`: the same
//! records added in the same order give byte-identical answers (expected
//! bodies and SHA-256s produced by x/mod with the signer key of x/mod's
//! `client_test.go`).

use sha2::{Digest, Sha256};

use super::*;
use crate::sumdb::tile::read_tile_data;

pub(crate) const SIGNER_KEY: &str =
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";
pub(crate) const VERIFIER_KEY: &str =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";

/// The records of x/mod's client_test.go, in the order it adds them.
pub(crate) const RECORDS: &[(&str, &str, &str)] = &[
    (
        "rsc.io/quote",
        "v1.5.2",
        "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\nrsc.io/quote v1.5.2 h2:xyzzy\n",
    ),
    (
        "golang.org/x/text",
        "v0.0.0-20170915032832-14c0d48ead0c",
        "golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n",
    ),
    (
        "rsc.io/sampler",
        "v1.3.0",
        "rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\nrsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n",
    ),
    (
        "rsc.io/Quote",
        "v1.5.2",
        "rsc.io/Quote v1.5.2 h1:uppercase!=\n",
    ),
    ("rsc.io/pkg1", "v1.5.2", "rsc.io/pkg1 v1.5.2 h1:hash!=\n"),
    ("rsc.io/pkg1", "v1.5.4", "rsc.io/pkg1 v1.5.4 h1:hash!=\n"),
];

fn ok_body(o: Outcome, want_type: &str) -> Vec<u8> {
    match o {
        Outcome::Ok { content_type, body } => {
            assert_eq!(content_type, want_type);
            body
        }
        other => panic!("want 200, got {other:?}"),
    }
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[test]
fn answers_match_x_mod_server() {
    let mut db = MemDb::from_signer_key(SIGNER_KEY).unwrap();

    // An empty database.
    assert_eq!(
        String::from_utf8(ok_body(db.serve("/latest"), TEXT_PLAIN)).unwrap(),
        "go.sum database tree\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\
         — localhost.localdev/sumdb AAAMZ/DYMkzSW52hoDqxis3bTlq+choRCUcn0IlvXa2eX5tFdOFSvFjaSNHLaD0dxpPNnSBKFbyLGFh1f+1+9UQJmAs=\n"
    );

    // Each lookup right after its record is added (TestServer adds lazily).
    let lookups = [
        (
            "/lookup/rsc.io/quote@v1.5.2",
            "0\nrsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\nrsc.io/quote v1.5.2 h2:xyzzy\n\ngo.sum database tree\n1\nWjvL/HG+LcMcRc63kFcpeP289Y+SW6L8uHapnVU30FU=\n\n— localhost.localdev/sumdb AAAMZ4/2LYVLoVNSpKpkRrjBaatdyCja0E0AZztDH9ACQIp6CM+mU/o90ZbjmGxrTHrRlt134xZRCd5Wy1AhZOZvtAM=\n",
        ),
        (
            "/lookup/golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
            "1\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n\ngo.sum database tree\n2\nwsqcgX5rABDmI7Y6Jhe+ltsmLPNQB4CCfpqFJVwMGNk=\n\n— localhost.localdev/sumdb AAAMZwAsVadrQu9laAPSKggIeeFWNSMftJ0WO6DXKXD63mb3k5BlPZSA3q46nSuWrnQK8adNVPqLkX5WXsTOj+RtxAA=\n",
        ),
        (
            "/lookup/rsc.io/sampler@v1.3.0",
            "2\nrsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\nrsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n\ngo.sum database tree\n3\nBqP+0lgg2eJ2ftkPcKT+ltQjkVMh3THoMw60om6MwKo=\n\n— localhost.localdev/sumdb AAAMZ7LFXswF2N3CLFvkbLG1n2Hx5SHNE+44EVr3kW/2wMlprpbogoxXRsDsaIMQ4kEmV+g6ObO1hQwtuEupEvEHTwo=\n",
        ),
        (
            "/lookup/rsc.io/!quote@v1.5.2",
            "3\nrsc.io/Quote v1.5.2 h1:uppercase!=\n\ngo.sum database tree\n4\n/7Aw5jVSMM9sFjQhaMg+iiDYPMk6decH7QLOGrL9Lx0=\n\n— localhost.localdev/sumdb AAAMZ4p0U2imiESToQIuhbLPz+DLot/i59pjBQtpE0iN3VifjzXBA1i4ceNI6z64AV0lEbtUQiP1e3DmYerREy4hMgs=\n",
        ),
        (
            "/lookup/rsc.io/pkg1@v1.5.2",
            "4\nrsc.io/pkg1 v1.5.2 h1:hash!=\n\ngo.sum database tree\n5\nnWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w=\n\n— localhost.localdev/sumdb AAAMZ5/2FVAdMH58kmnz/0h299pwyskEbzDzoa2/YaPdhvLya4YWDFQQxu2TQb5GpwAH4NdWnTwuhILafisyf3CNbgg=\n",
        ),
        (
            "/lookup/rsc.io/pkg1@v1.5.4",
            "5\nrsc.io/pkg1 v1.5.4 h1:hash!=\n\ngo.sum database tree\n6\n85zBCXW9fv4e7ccMT0GndUaea0LgQaoNRZrioC27RzQ=\n\n— localhost.localdev/sumdb AAAMZ1po7dOpkZqBMk+3upwveZR4X5XnepCrHOJoY2YYjKuv49nZjWFvkYqsY3TnsR8YnK5NSYgxMugHYf4JYZqlRQQ=\n",
        ),
    ];
    for ((path, version, text), (req, want)) in RECORDS.iter().zip(lookups) {
        db.add(path, version, text.as_bytes()).unwrap();
        let body = ok_body(db.serve(req), TEXT_PLAIN);
        assert_eq!(String::from_utf8(body).unwrap(), want, "{req}");
    }

    // The whole log: a repeated lookup is signed by the current tree.
    assert_eq!(
        sha(&ok_body(
            db.serve("/lookup/rsc.io/quote@v1.5.2"),
            TEXT_PLAIN
        )),
        "d27f4595c7bfe6f0917f9f3420a5dad9ff6052479560173805ed3d5475e04989"
    );
    assert_eq!(
        String::from_utf8(ok_body(db.serve("latest"), TEXT_PLAIN)).unwrap(),
        "go.sum database tree\n6\n85zBCXW9fv4e7ccMT0GndUaea0LgQaoNRZrioC27RzQ=\n\n\
         — localhost.localdev/sumdb AAAMZ1po7dOpkZqBMk+3upwveZR4X5XnepCrHOJoY2YYjKuv49nZjWFvkYqsY3TnsR8YnK5NSYgxMugHYf4JYZqlRQQ=\n"
    );

    let hash_tiles = [
        (
            "/tile/2/0/000",
            "aa99686642bca9b14bce1a559bbe9de13bf7902ef211b939cbcd6517e5f28fc1",
        ),
        (
            "/tile/2/0/001.p/2",
            "77779415d0082aae37ecdc7bd9a7def3ac89e7a7dcbd1fa9c828cc194832528e",
        ),
        (
            "/tile/2/1/000.p/1",
            "060851d7cc3e3c6ee1ff3b457167e02c5a15246239b8a4861e6ea2c7c3b6f96f",
        ),
        (
            "/tile/8/0/000.p/6",
            "0489858f2af9ffd2e4650484198f0e1143638f70f6b62438a38c40ab18252ac8",
        ),
        (
            "/tile/8/0/000.p/3",
            "3a547ee3536753d2303eeca5273b4de2a69dc29854eed5dd4baa4f10bee0fa44",
        ),
    ];
    for (req, want) in hash_tiles {
        assert_eq!(sha(&ok_body(db.serve(req), OCTET_STREAM)), want, "{req}");
    }
    let data_tiles = [
        (
            "/tile/2/data/000",
            "707f952bb2a5e337d03c411817ab0af8e75501ea2e264b318d6ef281fd591d32",
        ),
        (
            "/tile/8/data/000.p/6",
            "cd94a98c0ca722b47e369fbc0b1153de14c8b6010609101813b702648cfa25b4",
        ),
    ];
    for (req, want) in data_tiles {
        assert_eq!(sha(&ok_body(db.serve(req), TEXT_PLAIN)), want, "{req}");
    }
    assert_eq!(
        ok_body(db.serve("tile/2/data/001.p/2"), TEXT_PLAIN),
        b"rsc.io/pkg1 v1.5.2 h1:hash!=\n\nrsc.io/pkg1 v1.5.4 h1:hash!=\n\n"
    );

    // Errors, with x/mod's texts where it has them.
    let errors = [
        (
            "/lookup/rsc.io/quote@v1.5",
            Outcome::BadRequest("invalid module@version syntax".into()),
        ),
        (
            "/lookup/rsc.io/quote@latest",
            Outcome::BadRequest("invalid module@version syntax".into()),
        ),
        (
            "/lookup/@v1.0.0",
            Outcome::BadRequest("invalid module@version syntax".into()),
        ),
        (
            "/lookup/rsc.io/!!x@v1.0.0",
            Outcome::ServerError("invalid escaped module path \"rsc.io/!!x\"".into()),
        ),
        (
            "/lookup/rsc.io/x@v1.0.0-!!",
            Outcome::ServerError("invalid escaped version \"v1.0.0-!!\"".into()),
        ),
        (
            "/lookup/rsc.io/nope@v1.0.0",
            Outcome::NotFound("not found: rsc.io/nope@v1.0.0".into()),
        ),
        (
            "/tile/bad",
            Outcome::BadRequest("invalid tile syntax".into()),
        ),
        (
            "/tile/2/0/000.p/4",
            Outcome::BadRequest("invalid tile syntax".into()),
        ),
        ("/other", Outcome::NotFound("404 page not found".into())),
        ("/latest/", Outcome::NotFound("404 page not found".into())),
        // Beyond the log: TestServer panics here; a real server says 404.
        (
            "/tile/1/2/000",
            Outcome::NotFound("not found: tile/1/2/000".into()),
        ),
        (
            "/tile/2/0/001",
            Outcome::NotFound("not found: tile/2/0/001".into()),
        ),
        (
            "/tile/2/1/000",
            Outcome::NotFound("not found: tile/2/1/000".into()),
        ),
        (
            "/tile/2/data/001.p/3",
            Outcome::NotFound("not found: tile/2/data/001.p/3".into()),
        ),
        (
            "/tile/30/63/x009/x223/x372/x036/x854/x775/807",
            Outcome::NotFound("not found: tile/30/63/x009/x223/x372/x036/x854/x775/807".into()),
        ),
        (
            "/tile/8/99999999999/000",
            Outcome::NotFound("not found: tile/8/99999999999/000".into()),
        ),
    ];
    for (req, want) in errors {
        let got = db.serve(req);
        assert_eq!(got, want, "{req}");
    }
    assert_eq!(db.serve("/tile/bad").status(), 400);
    assert_eq!(db.serve("/latest").status(), 200);
}

#[test]
fn hash_tiles_are_read_tile_data() {
    let mut db = MemDb::from_signer_key(SIGNER_KEY).unwrap();
    for i in 0..40u32 {
        db.add_module(
            "example.com/m",
            &format!("v1.0.{i}"),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        )
        .unwrap();
    }
    for tile in crate::sumdb::tile::new_tiles(2, 0, db.size()) {
        let want = read_tile_data(&tile, db.hashes()).unwrap();
        assert_eq!(
            ok_body(db.serve(&tile.path()), OCTET_STREAM),
            want,
            "{tile}"
        );
    }
    assert_eq!(db.tree(), db.tree_at(40).unwrap());
    assert_eq!(db.tree_at(41), None);
    assert_eq!(db.lookup_id("example.com/m", "v1.0.7"), Some(7));
    assert_eq!(
        db.record(7),
        Some(
            &b"example.com/m v1.0.7 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
               example.com/m v1.0.7/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"[..]
        )
    );
}

#[test]
fn add_errors() {
    let mut db = MemDb::from_signer_key(SIGNER_KEY).unwrap();
    assert_eq!(
        db.add("a.com/m", "v1.0.0", b"no newline"),
        Err(MemDbError::MalformedRecord)
    );
    assert_eq!(
        db.add("a.com/m", "v1.0.0", b"a\n\nb\n"),
        Err(MemDbError::MalformedRecord)
    );
    assert_eq!(
        db.add_go_sum(b"a.com/m v1.0.0 h1:x\na.com/m v1.0.0/go.mod h1:y\n"),
        Ok(0)
    );
    let err = db.add("a.com/m", "v1.0.0", b"x\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.com/m@v1.0.0: already in the checksum database (record 0)"
    );
    assert_eq!(
        db.add_go_sum(b"a.com/m v1.1.0 h1:x\na.com/n v1.1.0/go.mod h1:y\n")
            .unwrap_err()
            .to_string(),
        "go.sum record: line for a.com/n@v1.1.0 in the record for a.com/m@v1.1.0"
    );
    assert_eq!(
        db.add_go_sum(b"a.com/m v1.1.0\n").unwrap_err().to_string(),
        "go.sum record: want \"<path> <version> <hash>\", have \"a.com/m v1.1.0\""
    );
    assert_eq!(
        db.add_go_sum(b"").unwrap_err(),
        MemDbError::BadGoSumRecord("no lines".into())
    );
    assert_eq!(db.size(), 1);
    assert!(MemDb::from_signer_key("PRIVATE+KEY+x").is_err());
}

#[test]
fn mod_ver_syntax() {
    // x/mod's modVerRE.
    for ok in [
        "a@v1.2.3",
        "rsc.io/!quote@v1.5.2",
        "a@v1.2.3-pre",
        "a@v1.2.3-pre+incompatible",
        "a@v1.2.3+incompatible",
        "a@v1.2.3-",
        "a@v0.0.0-20170915032832-14c0d48ead0c",
        "a@v01.002.3",
        "a@v1.2.3-x/y+z",
    ] {
        assert!(is_mod_ver(ok), "{ok}");
    }
    for bad in [
        "",
        "a",
        "@v1.2.3",
        "a@",
        "a@1.2.3",
        "a@v1.2",
        "a@v1.2.3+meta",
        "a@v1.2.3.4",
        "a@v1.2.3-x@y",
        "a@b@v1.2.3",
        "a@v1..3",
        "a@v1.2.3+incompatible+incompatible",
    ] {
        assert!(!is_mod_ver(bad), "{bad}");
    }
}
