//! Verification against a table-backed checksum database: go.mod hashes, Go's
//! mismatch text, missing lines, nosumdb/off, and the core's zip rules.

use std::collections::HashMap;

use super::*;

/// A checksum database that answers from a table (the HTTP one is tested end to end).
struct Table {
    lines: HashMap<String, Vec<String>>,
}

impl ChecksumDb for Table {
    fn name(&self) -> &str {
        "sum.example"
    }
    fn lookup<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, SumdbError>> {
        let r = self
            .lines
            .get(&format!("{path}@{version}"))
            .cloned()
            .ok_or_else(|| SumdbError::NotCached(format!("{path}@{version}")));
        Box::pin(async move { r })
    }
}

const GOMOD: &[u8] = b"module example.com/m\n\ngo 1.13\n";
const GOMOD_SUM: &str = "h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=";

fn verifier(nosumdb: &str) -> Verifier {
    let mut lines = HashMap::new();
    lines.insert(
        "example.com/m@v1.0.0".to_owned(),
        vec![
            "example.com/m v1.0.0 h1:zipzipzipzipzipzipzipzipzipzipzipzipzipzipz=".to_owned(),
            format!("example.com/m v1.0.0/go.mod {GOMOD_SUM}"),
        ],
    );
    lines.insert(
        "example.com/m@v1.1.0".to_owned(),
        vec![
            "example.com/m v1.1.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                .to_owned(),
        ],
    );
    lines.insert("example.com/m@v1.2.0".to_owned(), vec![]);
    Verifier::new(Some(Arc::new(Table { lines })), nosumdb)
}

#[tokio::test]
async fn mod_hash_is_checked_against_the_database() {
    let v = verifier("");
    v.check_mod("example.com/m", "v1.0.0", GOMOD).await.unwrap();

    let e = v
        .check_mod("example.com/m", "v1.1.0", GOMOD)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), "checksum_mismatch");
    assert_eq!(
        e.to_string(),
        format!(
            "verifying example.com/m@v1.1.0/go.mod: checksum mismatch\n\tdownloaded: {GOMOD_SUM}\n\tsum.example: h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        )
    );

    let e = v
        .check_mod("example.com/m", "v1.2.0", GOMOD)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("checksum missing from sumdb response"),
        "{e}"
    );
    let e = v
        .check_mod("example.com/m", "v9.0.0", GOMOD)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), "sumdb_unavailable");
}

#[tokio::test]
async fn nosumdb_and_off_skip_the_database() {
    let v = verifier("example.com");
    assert!(!v.uses_sumdb("example.com/m"));
    v.check_mod("example.com/m", "v1.1.0", GOMOD).await.unwrap();
    let off = Verifier::new(None, "");
    assert!(!off.uses_sumdb("example.com/m"));
    off.check_mod("example.com/m", "v9.0.0", GOMOD)
        .await
        .unwrap();
}

#[tokio::test]
async fn toolchains_are_checked_whatever_nosumdb_says() {
    const V: &str = "v0.0.1-go1.99.0.linux-amd64";
    let tc = |hash: &str| format!("{TOOLCHAIN_MODULE} {V}/go.mod {hash}");
    let mut lines = HashMap::new();
    lines.insert(
        format!("{TOOLCHAIN_MODULE}@{V}"),
        vec![tc("h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")],
    );
    // The patterns Go users set to skip golang.org/x and everything private.
    for nosumdb in ["golang.org", "golang.org/*", "*"] {
        let v = Verifier::new(
            Some(Arc::new(Table {
                lines: lines.clone(),
            })),
            nosumdb,
        );
        assert!(v.uses_sumdb(TOOLCHAIN_MODULE), "{nosumdb}");
        assert!(!v.uses_sumdb("golang.org/x/text"), "{nosumdb}");
        assert!(
            !v.uses_sumdb("golang.org/toolchainx"),
            "{nosumdb}: only the toolchain"
        );
        let e = v
            .check_mod(TOOLCHAIN_MODULE, V, b"module golang.org/toolchain\n")
            .await
            .unwrap_err();
        assert_eq!(e.reason(), "checksum_mismatch", "{nosumdb}: {e}");
        // A version the database does not know is refused too, not trusted.
        let e = v
            .check_mod(TOOLCHAIN_MODULE, "v0.0.1-go1.99.1.linux-amd64", b"x")
            .await
            .unwrap_err();
        assert_eq!(e.reason(), "sumdb_unavailable", "{nosumdb}: {e}");
    }
    // With the database off there is nothing to check against.
    assert!(!Verifier::new(None, "").uses_sumdb(TOOLCHAIN_MODULE));
}

#[tokio::test]
async fn a_file_that_is_not_a_zip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.zip");
    std::fs::write(&f, b"not a zip").unwrap();
    let e = verifier("")
        .check_zip("example.com/m", "v1.0.0", &f)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), "invalid_file");
    assert!(
        e.to_string()
            .starts_with("verifying example.com/m@v1.0.0: "),
        "{e}"
    );
}

#[tokio::test]
async fn zips_must_pass_go_zip_rules_for_the_requested_version() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), GOMOD).unwrap();
    std::fs::write(src.join("m.go"), "package m\n").unwrap();
    let zip = dir.path().join("m.zip");
    let m = modgate_core::module::Version {
        path: "example.com/m".into(),
        version: "v1.0.0".into(),
    };
    let report =
        modgate_core::zip::create_from_dir(std::fs::File::create(&zip).unwrap(), &m, &src).unwrap();
    // Without a database only the rules apply: the zip is fine for v1.0.0...
    let off = Verifier::new(None, "");
    off.check_zip("example.com/m", "v1.0.0", &zip)
        .await
        .unwrap();
    // ...but its entries are named for v1.0.0, so it is no zip of v1.0.1.
    let e = off
        .check_zip("example.com/m", "v1.0.1", &zip)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), "invalid_file");
    assert!(e.to_string().contains("example.com/m@v1.0.0/"), "{e}");
    // With the database: its zip hash for v1.0.0 is not this zip's.
    let e = verifier("")
        .check_zip("example.com/m", "v1.0.0", &zip)
        .await
        .unwrap_err();
    match e {
        VerifyError::Mismatch { got, .. } => assert_eq!(got, report.sum),
        other => panic!("{other}"),
    }
}
