//! `vuln.module`: the build list against a Go vulnerability database in the
//! vuln.go.dev layout, matched at module level as govulncheck's module filter does
//! (`modgate_core::vulndb`). Package-level (`vuln.package`) and standard library
//! (`vuln.stdlib`) checks are not implemented yet.
//!
//! The database is a local directory ([`load_dir`]: every file read) or a URL
//! ([`load_url`]: a modgate's `/vuln`, vuln.go.dev, a `file://` tree), read as
//! govulncheck's client reads it: the two indexes, then only the entries of the
//! modules asked about, through the upstream client (its timeouts and retries).

use std::path::{Path, PathBuf};

use modgate_core::vulndb::{self, Database};
use modgate_upstream::{Body, Client, ClientConfig, FileKind, UpstreamList};

/// Where the database is.
#[derive(Debug, Clone)]
pub enum Source {
    Dir(PathBuf),
    Url(String),
}

impl Source {
    /// A URL when it has a scheme, else a directory.
    pub fn parse(s: &str) -> Source {
        if s.contains("://") {
            Source::Url(s.trim_end_matches('/').to_owned())
        } else {
            Source::Dir(PathBuf::from(s))
        }
    }

    /// The database, holding at least the entries of `modules`.
    pub async fn load(&self, modules: &[&str]) -> Result<Database, String> {
        match self {
            Source::Dir(d) => load_dir(d),
            Source::Url(u) => load_url(u, modules).await,
        }
    }
}

/// The indexes at `url` and the entries they list for `modules`.
pub async fn load_url(url: &str, modules: &[&str]) -> Result<Database, String> {
    let staging = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let client = Client::new(ClientConfig::default(), staging.path())
        .map_err(|e| format!("vulnerability database {url}: {e}"))?;
    let list = UpstreamList::parse(url, client.breaker_settings())
        .map_err(|e| format!("vulnerability database {url}: {e}"))?;
    let get = |path: String| {
        let (client, list) = (&client, &list);
        async move {
            let fetched = client
                .fetch(list, &path, FileKind::Vuln)
                .await
                .map_err(|e| format!("vulnerability database {url}/{path}: {e}"))?;
            let data = match fetched.body {
                Body::Memory(b) => b.to_vec(),
                Body::File { path: p, .. } => std::fs::read(&p)
                    .map_err(|e| format!("vulnerability database {url}/{path}: {e}"))?,
            };
            vulndb::gunzip(&path, &data, vulndb::MAX_DECODED).map_err(|e| e.to_string())
        }
    };
    let meta = vulndb::parse_db("index/db.json.gz", &get("index/db.json.gz".into()).await?)
        .map_err(|e| e.to_string())?;
    let index = vulndb::parse_modules(
        "index/modules.json.gz",
        &get("index/modules.json.gz".into()).await?,
    )
    .map_err(|e| e.to_string())?;
    let mut db = Database::from_index(meta, index);
    for id in db.missing(modules.iter().copied()) {
        let file = format!("{}.json.gz", vulndb::entry_path(&id));
        let data = get(file.clone()).await?;
        db.insert(vulndb::parse_entry(&file, Some(&id), &data).map_err(|e| e.to_string())?);
    }
    Ok(db)
}

use super::{Finding, Report, Severity};
use crate::graph::Graph;

/// A database from a local directory in the vuln.go.dev layout (`index/`, `ID/`,
/// `.json` or `.json.gz`).
pub fn load_dir(dir: &Path) -> Result<Database, String> {
    let mut files = Vec::new();
    for sub in ["index", "ID"] {
        let d = dir.join(sub);
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("reading {}: {e}", d.display())),
        };
        for e in entries {
            let e = e.map_err(|e| format!("reading {}: {e}", d.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let data = std::fs::read(e.path())
                .map_err(|err| format!("reading {}: {err}", e.path().display()))?;
            files.push((format!("{sub}/{name}"), data));
        }
    }
    if files.is_empty() {
        return Err(format!(
            "{}: not a vulnerability database (no index/ or ID/ files)",
            dir.display()
        ));
    }
    Database::from_files(files).map_err(|e| format!("{}: {e}", dir.display()))
}

/// The module path and version a build-list entry is matched as: the
/// replacement's when replaced by a module version; none for a main module or a
/// directory replacement (no version: govulncheck matches nothing either).
pub fn matched_modules(graph: &Graph) -> Vec<(String, String)> {
    graph
        .content_versions()
        .into_iter()
        .map(|m| (m.path, m.version))
        .collect()
}

/// Findings for `modules` (from [`matched_modules`]).
pub fn check(modules: &[(String, String)], db: &Database, report: &mut Report) {
    for (path, version) in modules {
        let (path, version) = (path.as_str(), version.as_str());
        let found = match db.vulnerabilities(path, version) {
            Ok(f) => f,
            Err(e) => {
                report.errors.push(e.to_string());
                continue;
            }
        };
        for v in found {
            let mut f = Finding::new("vuln.module", Severity::Error, path, version);
            f.summary = if v.summary.is_empty() {
                format!("{path}@{version} is affected by {}", v.id)
            } else {
                v.summary.clone()
            };
            f.evidence = format!(
                "{} affects {path}@{version} (vulnerability database, modified {})",
                v.id,
                db.modified()
            );
            f.fix = match &v.fixed {
                Some(fx) => format!("go get {path}@{fx}"),
                None => {
                    "no fixed version yet: avoid the affected code or replace the module".into()
                }
            };
            f.id = Some(v.id.clone());
            f.aliases = Some(v.aliases.clone());
            f.fixed = v.fixed.clone();
            report.findings.push(f);
        }
    }
}
