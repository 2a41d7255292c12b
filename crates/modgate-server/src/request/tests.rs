//! Request-path parsing: every protocol endpoint, case-encoding via the core's
//! unescape functions, and the rejections (status and reason) for bad input.

use super::*;

fn module(p: &str) -> ModuleRequest {
    match parse(p) {
        Ok(Request::Module(m)) => m,
        other => panic!("{p}: {other:?}"),
    }
}

fn rejected(p: &str) -> Rejection {
    parse(p).expect_err(p)
}

#[test]
fn module_endpoints() {
    let m = module("/github.com/!azure/go-autorest/@v/list");
    assert_eq!(m.path, "github.com/Azure/go-autorest");
    assert_eq!(m.file, ModuleFile::List);
    assert_eq!(
        m.key().unwrap().as_str(),
        "github.com/!azure/go-autorest/@v/list"
    );
    assert!(!m.immutable());

    let m = module("/golang.org/x/text/@latest");
    assert_eq!(m.file, ModuleFile::Latest);
    assert_eq!(m.endpoint(), "latest");

    let m = module("/golang.org/x/text/@v/v0.3.0.info");
    assert!(m.immutable());
    assert_eq!(m.endpoint(), "info");
    assert_eq!(m.version(), Some("v0.3.0"));

    // A query (branch name) is passed upstream and is mutable.
    let m = module("/golang.org/x/text/@v/master.info");
    assert_eq!(m.endpoint(), "query");
    assert!(!m.immutable());

    let m = module("/example.com/m/@v/v1.0.0-!r!c1.mod");
    assert_eq!(m.version(), Some("v1.0.0-RC1"));
    assert_eq!(
        m.key().unwrap().as_str(),
        "example.com/m/@v/v1.0.0-!r!c1.mod"
    );

    // '+' is literal, never a space.
    let m = module("/example.com/m/@v/v2.0.0+incompatible.zip");
    assert_eq!(m.version(), Some("v2.0.0+incompatible"));
    assert_eq!(m.endpoint(), "zip");

    // Percent-encoded bytes are decoded before validation.
    let m = module("/example.com/m/@v/v2.0.0%2Bincompatible.zip");
    assert_eq!(m.version(), Some("v2.0.0+incompatible"));
    assert_eq!(
        module("/gopkg.in/yaml.v3/@v/v3.0.1.mod").path,
        "gopkg.in/yaml.v3"
    );
}

#[test]
fn rejections() {
    let cases: &[(&str, u16, &str)] = &[
        ("/", 404, "not a module proxy path"),
        ("/favicon.ico", 404, "not a module proxy path"),
        ("/example.com/m/@v/", 404, "unknown file"),
        ("/example.com/m/@v/v1.0.0.tar", 404, "unknown file"),
        ("/example.com/m/@v/v1.0.0", 404, "unknown file"),
        (
            "/github.com/Azure/x/@v/list",
            400,
            "invalid escaped module path",
        ),
        (
            "/github.com/!!x/@v/list",
            400,
            "invalid escaped module path",
        ),
        (
            "/../../etc/passwd/@v/list",
            400,
            "invalid escaped module path",
        ),
        (
            "/example.com/../x/@v/list",
            400,
            "invalid escaped module path",
        ),
        ("/example.com/m/@v/../../x.info", 400, "invalid escaped"),
        (
            "/example.com/m/@v/V1.0.0.info",
            400,
            "invalid escaped version",
        ),
        ("/example.com/m/@v/master.mod", 400, "is not canonical"),
        ("/example.com/m/@v/v1.0.mod", 400, "is not canonical"),
        (
            "/example.com/m/@v/v1.0.0+build.zip",
            400,
            "is not canonical",
        ),
        ("/example.com/m/@v/v2.0.0.mod", 404, "invalid version"),
        ("/example.com/m/v2/@v/v1.0.0.zip", 404, "invalid version"),
        ("/example.com/m/@v/%ff.info", 400, "not valid UTF-8"),
    ];
    for &(p, status, reason) in cases {
        let r = rejected(p);
        assert_eq!(r.status, status, "{p}: {r:?}");
        assert!(r.reason.contains(reason), "{p}: {r:?}");
    }
    let long = format!("/example.com/{}/@v/list", "a".repeat(MAX_PATH_LEN));
    assert_eq!(rejected(&long).reason, "path too long");
}

#[test]
fn sumdb_endpoints() {
    let s = |p: &str| match parse(p) {
        Ok(Request::Sumdb(s)) => s,
        other => panic!("{p}: {other:?}"),
    };
    assert_eq!(
        s("/sumdb/sum.golang.org/supported").file,
        SumdbFile::Supported
    );
    assert_eq!(s("/sumdb/sum.golang.org/latest").file, SumdbFile::Latest);
    let l = s("/sumdb/sum.golang.org/lookup/github.com/!azure/x@v1.0.0");
    assert_eq!(l.name, "sum.golang.org");
    assert_eq!(
        l.file,
        SumdbFile::Lookup {
            path: "github.com/Azure/x".into(),
            rest: "github.com/!azure/x@v1.0.0".into()
        }
    );
    for t in [
        "8/0/000",
        "8/0/x001/x234/567",
        "8/data/005.p/17",
        "8/2/000.p/3",
        "8/1/x123/456.p/255",
    ] {
        let got = s(&format!("/sumdb/db.example/sub/tile/{t}"));
        assert_eq!(got.name, "db.example/sub");
        assert_eq!(got.file, SumdbFile::Tile { rest: t.into() });
    }
    for bad in [
        "8/0/00",
        "8/0/0001",
        "8/0/001/002",
        "8/0/000.p/0",
        "8/0/000.p/256",
        "8/0/000.p/07",
        "0/0/000",
        "31/0/000",
        "8/x/000",
        "8/0",
        "8/0/x001",
    ] {
        assert_eq!(
            parse(&format!("/sumdb/sum.golang.org/tile/{bad}"))
                .unwrap_err()
                .reason,
            "malformed tile path",
            "{bad}"
        );
    }
    assert_eq!(rejected("/sumdb/sum.golang.org/lookup/x").status, 400);
    assert_eq!(
        rejected("/sumdb/sum.golang.org/lookup/golang.org/x/text@master").status,
        400
    );
    assert_eq!(rejected("/sumdb/sum.golang.org/other").status, 404);
    assert_eq!(rejected("/sumdb/sum.golang.org/latest/x").status, 404);
    assert_eq!(rejected("/sumdb//latest").status, 400);
    assert_eq!(rejected("/sumdb/../latest").status, 400);
}
