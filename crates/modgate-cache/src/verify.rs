//! Verification of upstream files before they are stored or served.
//!
//! * `.mod`: the `h1:` hash of the bytes as a file named `go.mod` (the core's
//!   `dirhash::hash_gomod`, Go's `goModSum`).
//! * `.zip`: the zip must pass Go's zip rules for `path@version` (the core's zip check),
//!   then its `h1:` content hash (`dirhash::hash_zip_file`, Go's `HashZip`) is taken.
//! * Both hashes are compared with the checksum database's go.sum lines for the
//!   version (Go's `checkSumDB` in `modfetch/fetch.go`), unless the path matches the
//!   `--nosumdb` patterns or the database is off. A differing hash is refused with
//!   Go's wording: `verifying m@v: checksum mismatch` and both hashes.
//! * Go toolchains ([`TOOLCHAIN_MODULE`]) are always checked when a database is
//!   configured, whatever `--nosumdb` and `--private` say: the go command does the
//!   same (`useSumDB` in `modfetch/sumdb.go`), so excluding them would only let
//!   modgate store a toolchain every go command then refuses.

use std::path::Path;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use modgate_core::{dirhash, pattern};

use crate::sumdb::SumdbError;

/// The module Go toolchains are downloaded as (`v0.0.1-go1.N.M.<os>-<arch>`).
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// A checksum database as the verifier needs it: the authenticated go.sum lines for
/// a module version (`<path> <version> h1:…` and `<path> <version>/go.mod h1:…`).
pub trait ChecksumDb: Send + Sync {
    /// The database name (e.g. `sum.golang.org`), used in messages.
    fn name(&self) -> &str;
    /// The verified lines, or why they could not be had. A version the database does
    /// not know is an error too (Go fails then, unless the path is in GONOSUMDB).
    fn lookup<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, SumdbError>>;
}

/// Why a file was refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VerifyError {
    #[error("verifying {module}: checksum mismatch\n\tdownloaded: {got}\n\t{db}: {want}")]
    Mismatch {
        module: String,
        got: String,
        db: String,
        want: String,
    },
    #[error("verifying {module}: {reason}")]
    Invalid { module: String, reason: String },
    #[error("verifying {module}: checksum database {db}: {source}")]
    Unavailable {
        module: String,
        db: String,
        #[source]
        source: SumdbError,
    },
    /// The database answered but has no hash for the file.
    #[error("verifying {module}: checksum database {db}: checksum missing from sumdb response")]
    Missing { module: String, db: String },
}

impl VerifyError {
    /// The metrics label.
    pub fn reason(&self) -> &'static str {
        match self {
            VerifyError::Mismatch { .. } => "checksum_mismatch",
            VerifyError::Invalid { .. } => "invalid_file",
            VerifyError::Unavailable { .. } | VerifyError::Missing { .. } => "sumdb_unavailable",
        }
    }
}

/// The verifier.
#[derive(Clone)]
pub struct Verifier {
    db: Option<Arc<dyn ChecksumDb>>,
    nosumdb: String,
}

impl Verifier {
    /// `db` is `None` when the database is off; `nosumdb` holds GONOSUMDB-syntax
    /// patterns of paths not checked against it.
    pub fn new(db: Option<Arc<dyn ChecksumDb>>, nosumdb: impl Into<String>) -> Verifier {
        Verifier {
            db,
            nosumdb: nosumdb.into(),
        }
    }

    /// Whether `path` is checked against the database (Go's `useSumDB`): always for
    /// toolchains, else unless it matches the `nosumdb` patterns.
    pub fn uses_sumdb(&self, path: &str) -> bool {
        self.db.is_some()
            && (path == TOOLCHAIN_MODULE || !pattern::match_prefix_patterns(&self.nosumdb, path))
    }

    /// Checks a `.mod` file; returns its `h1:` hash.
    pub async fn check_mod(
        &self,
        path: &str,
        version: &str,
        data: &[u8],
    ) -> Result<String, VerifyError> {
        let got = dirhash::hash_gomod(data);
        self.check_sum(path, version, &format!("{version}/go.mod"), &got)
            .await?;
        Ok(got)
    }

    /// Checks a downloaded zip file; returns its `h1:` hash.
    pub async fn check_zip(
        &self,
        path: &str,
        version: &str,
        file: &Path,
    ) -> Result<String, VerifyError> {
        let module = format!("{path}@{version}");
        let owned = (path.to_owned(), version.to_owned(), file.to_owned());
        let hashed = tokio::task::spawn_blocking(move || {
            let (path, version, file) = owned;
            zip_rules(&path, &version, &file)?;
            dirhash::hash_zip_file(&file).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
        let got = hashed.map_err(|reason| VerifyError::Invalid {
            module: module.clone(),
            reason,
        })?;
        self.check_sum(path, version, version, &got).await?;
        Ok(got)
    }

    async fn check_sum(
        &self,
        path: &str,
        version: &str,
        line_version: &str,
        got: &str,
    ) -> Result<(), VerifyError> {
        let Some(db) = self.db.as_ref().filter(|_| self.uses_sumdb(path)) else {
            return Ok(());
        };
        let module = format!("{path}@{line_version}");
        let lines = db
            .lookup(path, version)
            .await
            .map_err(|source| VerifyError::Unavailable {
                module: module.clone(),
                db: db.name().to_owned(),
                source,
            })?;
        let prefix = format!("{path} {line_version} ");
        let mut want = None;
        for line in &lines {
            if let Some(hash) = line.strip_prefix(&prefix) {
                if hash == got {
                    return Ok(());
                }
                if hash.starts_with("h1:") {
                    want = Some(hash.to_owned());
                }
            }
        }
        match want {
            Some(want) => Err(VerifyError::Mismatch {
                module,
                got: got.to_owned(),
                db: db.name().to_owned(),
                want,
            }),
            None => Err(VerifyError::Missing {
                module,
                db: db.name().to_owned(),
            }),
        }
    }
}

/// Go's zip rules for a module zip of `path@version`.
fn zip_rules(path: &str, version: &str, file: &Path) -> Result<(), String> {
    let m = modgate_core::module::Version {
        path: path.to_owned(),
        version: version.to_owned(),
    };
    let (_, verdict) = modgate_core::zip::check_zip_file(file, &m);
    verdict.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
