//! `vuln.module`, `vuln.package`, `vuln.stdlib`: the build list, the packages
//! of `all` and the toolchain against a Go vulnerability database in the
//! vuln.go.dev layout, matched as govulncheck's module filter does
//! (`modgate_core::vulndb`).
//!
//! The database is a local directory ([`load_dir`]: every file read), a zip of
//! that layout ([`load_zip`], as https://vuln.go.dev/vuln.zip) or a URL
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
    Zip(PathBuf),
    Url(String),
}

/// Where govulncheck reads the database without GOVULNDB.
pub const DEFAULT_DB: &str = "https://vuln.go.dev";

impl Source {
    /// A URL when it has a scheme, a zip when it names a `.zip` file, else a
    /// directory.
    pub fn parse(s: &str) -> Source {
        if s.contains("://") {
            Source::Url(s.trim_end_matches('/').to_owned())
        } else if s.ends_with(".zip") && !Path::new(s).is_dir() {
            Source::Zip(PathBuf::from(s))
        } else {
            Source::Dir(PathBuf::from(s))
        }
    }

    /// The database to use: `--db`, else GOVULNDB (`govulndb`), else
    /// vuln.go.dev, as govulncheck chooses; `off` for either: none.
    pub fn choose(flag: Option<&str>, govulndb: Option<&str>) -> Option<Source> {
        let s = flag
            .or(govulndb.filter(|v| !v.is_empty()))
            .unwrap_or(DEFAULT_DB);
        (s != "off").then(|| Source::parse(s))
    }

    /// The database, holding at least the entries of `modules`.
    pub async fn load(&self, modules: &[&str]) -> Result<Database, String> {
        match self {
            Source::Dir(d) => load_dir(d),
            Source::Zip(z) => load_zip(z),
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

/// A database from a zip of the vuln.go.dev layout (`index/`, `ID/` at its root,
/// or under one top directory). Each file is read up to the decoded-size limit.
pub fn load_zip(path: &Path) -> Result<Database, String> {
    use std::io::Read;
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("reading {name}: {e}"))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{name}: not a zip: {e}"))?;
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("{name}: entry {i}: {e}"))?;
        if entry.is_dir() {
            continue;
        }
        let Some(inner) = entry.enclosed_name() else {
            return Err(format!("{name}: unsafe entry name {:?}", entry.name()));
        };
        let inner = inner.to_string_lossy().replace('\\', "/");
        let Some(at) = ["index/", "ID/"]
            .iter()
            .filter_map(|d| {
                inner
                    .match_indices(d)
                    .map(|(i, _)| i)
                    .find(|&i| i == 0 || inner.as_bytes()[i - 1] == b'/')
            })
            .min()
        else {
            continue;
        };
        let mut data = Vec::new();
        (&mut entry)
            .take(vulndb::MAX_DECODED + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {inner}: {e}"))?;
        if data.len() as u64 > vulndb::MAX_DECODED {
            return Err(format!(
                "{name}: {inner} is larger than {} bytes",
                vulndb::MAX_DECODED
            ));
        }
        files.push((inner[at..].to_owned(), data));
    }
    if files.is_empty() {
        return Err(format!(
            "{name}: not a vulnerability database (no index/ or ID/ files)"
        ));
    }
    Database::from_files(files).map_err(|e| format!("{name}: {e}"))
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

/// How the project's code reaches a package.
pub enum Reach<'a> {
    /// The packages of `all` as tidy loads them: an import chain from a main
    /// module's package, through dependencies' packages.
    Graph(&'a crate::packages::Packages),
    /// Only the main modules' own imports (the package graph could not be loaded).
    Imports(&'a std::collections::BTreeSet<String>),
}

impl Reach<'_> {
    /// The import chain to `package` (`a imports b imports package`), or, with
    /// only the main modules' imports, `package` itself; `None` when not reached.
    pub fn chain(&self, package: &str) -> Option<String> {
        match self {
            Reach::Graph(p) => p.chain(package).map(|c| c.join(" imports ")),
            Reach::Imports(i) => i.contains(package).then(|| package.to_owned()),
        }
    }
}

/// Findings for `modules` (from [`matched_modules`]). A vulnerability whose
/// affected packages the project's code reaches is `vuln.package`, naming them
/// with their import chains (govulncheck's package mode, without its call graph).
pub fn check(modules: &[(String, String)], reach: &Reach, db: &Database, report: &mut Report) {
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
            let imported: Vec<(&str, String)> = v
                .imports
                .iter()
                .filter_map(|i| Some((i.path.as_str(), reach.chain(&i.path)?)))
                .collect();
            let code = if imported.is_empty() {
                "vuln.module"
            } else {
                "vuln.package"
            };
            let mut f = Finding::new(code, Severity::Error, path, version);
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
            if !imported.is_empty() {
                let names: Vec<&str> = imported.iter().map(|(p, _)| *p).collect();
                f.evidence.push_str(&format!(
                    "; the project imports the affected {}",
                    names.join(", ")
                ));
                if matches!(reach, Reach::Graph(_)) {
                    let chains: Vec<&str> = imported.iter().map(|(_, c)| c.as_str()).collect();
                    f.evidence.push_str(&format!(" ({})", chains.join("; ")));
                }
            }
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

/// `vuln.stdlib`: the standard library and the go command of `toolchain` (a Go
/// version, `go1.22.1`) against the database; `source` says where the version
/// came from.
pub fn check_toolchain(toolchain: &str, source: &str, db: &Database, report: &mut Report) {
    for module in [vulndb::STDLIB, vulndb::TOOLCHAIN] {
        let found = match db.vulnerabilities(module, toolchain) {
            Ok(f) => f,
            Err(e) => {
                report.errors.push(e.to_string());
                continue;
            }
        };
        for v in found {
            let mut f = Finding::new("vuln.stdlib", Severity::Error, module, toolchain);
            f.summary = if v.summary.is_empty() {
                format!("{module} of {toolchain} is affected by {}", v.id)
            } else {
                v.summary.clone()
            };
            let packages: Vec<&str> = v.imports.iter().map(|i| i.path.as_str()).collect();
            f.evidence = format!(
                "{} affects the {module} of {toolchain} (the toolchain version from {source}){}",
                v.id,
                if packages.is_empty() {
                    String::new()
                } else {
                    format!("; packages {}", packages.join(", "))
                }
            );
            f.fix = match &v.fixed {
                Some(fx) => format!("go get toolchain@{fx} (or build with GOTOOLCHAIN={fx})"),
                None => "no fixed Go release yet".into(),
            };
            f.id = Some(v.id.clone());
            f.aliases = Some(v.aliases.clone());
            f.fixed = v.fixed.clone();
            report.findings.push(f);
        }
    }
}
