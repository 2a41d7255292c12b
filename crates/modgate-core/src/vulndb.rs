//! # vulndb: the Go vulnerability database, read and matched as govulncheck does
//!
//! The database (vuln.go.dev, or any static tree in its layout) is
//!
//! ```text
//! index/db.json        {"modified": "<newest entry modification>"}
//! index/modules.json   [{"path", "vulns": [{"id", "modified", "fixed"?}]}]
//! index/vulns.json     [{"id", "modified", "aliases"?}]
//! ID/<id>.json         one OSV entry (schema 1.3.1)
//! ```
//!
//! every file also as `.json.gz`. [`osv`] is the entry schema, [`index`] the index
//! files and a writer of the whole layout, [`version`] the version rules
//! (`x/vuln/internal/semver`). [`Database`] holds an index and the entries loaded
//! so far; a reader fetches `index/modules.json`, then only the entries of the
//! modules it asks about ([`Database::missing`]), as govulncheck's client does.
//!
//! Matching ([`Database::vulnerabilities`]) follows govulncheck's module-level
//! filter (`vulncheck.affectingVulnerabilities`): withdrawn entries are skipped,
//! only the affected blocks naming the module count, an empty version matches
//! nothing, and a version is affected when a block's ranges contain it. The
//! standard library is the module [`STDLIB`], the go command [`TOOLCHAIN`]; their
//! version may be given as a Go version (`go1.21.3`, `go1.21rc2`). Entries that are
//! the same vulnerability (one's id among the other's aliases, or a shared alias)
//! are one finding.

pub mod index;
pub mod osv;
pub mod version;

use std::collections::HashMap;
use std::io::Read;

pub use index::{DbMeta, ModuleMeta, ModuleVuln, VulnMeta, entry_path, indexes, layout};
pub use osv::{
    Affected, Entry, Event, GO_ECOSYSTEM, Import, Package, RANGE_TYPE_SEMVER, Range, STDLIB,
    TOOLCHAIN,
};

#[cfg(test)]
mod tests;

/// Largest decompressed file accepted (the whole of vuln.go.dev's
/// `index/modules.json` is a few MiB).
pub const MAX_DECODED: u64 = 256 << 20;

/// What is wrong with a database file or a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VulnDbError {
    /// A file that is not what its name says (bad JSON, bad gzip, a bad time).
    #[error("vulnerability database: {file}: {message}")]
    Invalid { file: String, message: String },
    /// `ID/<name>.json` holding another id (govulncheck refuses these).
    #[error("vulnerability database: {file}: holds entry {id:?}; entries must be named <ID>.json")]
    Misnamed { file: String, id: String },
    /// An entry the index lists for a module was not loaded.
    #[error(
        "vulnerability database: entry {id} (listed for {module} in index/modules.json) is not loaded"
    )]
    Missing { id: String, module: String },
    /// The version asked about is not a version.
    #[error("vulnerability database: {module}: {version:?} is not a {what} version")]
    Version {
        module: String,
        version: String,
        what: &'static str,
    },
}

fn invalid(file: &str, message: impl ToString) -> VulnDbError {
    VulnDbError::Invalid {
        file: file.to_owned(),
        message: message.to_string(),
    }
}

/// Gzips `data` (the `.json.gz` form of a file).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// The gunzipped bytes of `data` (named `file` in errors), at most `limit` of them.
pub fn gunzip(file: &str, data: &[u8], limit: u64) -> Result<Vec<u8>, VulnDbError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| invalid(file, format!("gzip: {e}")))?;
    if out.len() as u64 > limit {
        return Err(invalid(
            file,
            format!("decompresses to more than {limit} bytes"),
        ));
    }
    Ok(out)
}

/// `index/db.json`.
pub fn parse_db(file: &str, data: &[u8]) -> Result<DbMeta, VulnDbError> {
    let db: DbMeta = serde_json::from_slice(data).map_err(|e| invalid(file, e))?;
    osv::check_time("modified", &db.modified).map_err(|e| invalid(file, e))?;
    Ok(db)
}

/// `index/modules.json`.
pub fn parse_modules(file: &str, data: &[u8]) -> Result<Vec<ModuleMeta>, VulnDbError> {
    let modules: Vec<ModuleMeta> = serde_json::from_slice(data).map_err(|e| invalid(file, e))?;
    for m in &modules {
        for v in &m.vulns {
            osv::check_time("modified", &v.modified)
                .map_err(|e| invalid(file, format!("{} {}: {e}", m.path, v.id)))?;
        }
    }
    Ok(modules)
}

/// `index/vulns.json`.
pub fn parse_vulns(file: &str, data: &[u8]) -> Result<Vec<VulnMeta>, VulnDbError> {
    let vulns: Vec<VulnMeta> = serde_json::from_slice(data).map_err(|e| invalid(file, e))?;
    for v in &vulns {
        osv::check_time("modified", &v.modified)
            .map_err(|e| invalid(file, format!("{}: {e}", v.id)))?;
    }
    Ok(vulns)
}

/// An OSV entry; with `id`, the file must hold that entry (`ID/<id>.json`).
pub fn parse_entry(file: &str, id: Option<&str>, data: &[u8]) -> Result<Entry, VulnDbError> {
    let entry: Entry = serde_json::from_slice(data).map_err(|e| invalid(file, e))?;
    entry.check().map_err(|e| invalid(file, e))?;
    if let Some(id) = id
        && id != entry.id
    {
        return Err(VulnDbError::Misnamed {
            file: file.to_owned(),
            id: entry.id,
        });
    }
    Ok(entry)
}

/// A database: its index and the entries loaded so far.
#[derive(Debug, Clone, Default)]
pub struct Database {
    meta: DbMeta,
    modules: HashMap<String, Vec<ModuleVuln>>,
    entries: HashMap<String, Entry>,
}

/// One vulnerability of a module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'a> {
    /// The entry's id (a `GO-` id when one of the merged entries has one).
    pub id: String,
    /// Every other id of the vulnerability (aliases, merged entries), sorted, once.
    pub aliases: Vec<String>,
    pub module: String,
    /// The version as asked.
    pub version: String,
    /// The version to move to, as a module version (`v1.2.4`) or for the standard
    /// library and toolchain a Go version (`go1.21.4`); `None` when no release is
    /// out of every affected range.
    pub fixed: Option<String>,
    pub summary: String,
    /// The affected packages (of the blocks that matched); empty: the whole module.
    pub imports: Vec<&'a Import>,
    /// The entries this finding is made of.
    pub entries: Vec<&'a Entry>,
}

impl Database {
    /// A database from its `index/db.json` and `index/modules.json`; entries are
    /// added with [`Database::insert`].
    pub fn from_index(meta: DbMeta, modules: Vec<ModuleMeta>) -> Database {
        let mut db = Database {
            meta,
            ..Database::default()
        };
        for m in modules {
            db.modules.entry(m.path).or_default().extend(m.vulns);
        }
        db
    }

    /// A database of `entries`, indexed as the database's generator indexes them.
    pub fn from_entries(entries: Vec<Entry>) -> Database {
        let (meta, modules, _) = indexes(&entries);
        let mut db = Database::from_index(meta, modules);
        for e in entries {
            db.insert(e);
        }
        db
    }

    /// A database from the files of its layout (a directory or zip read by the
    /// caller): paths relative to the root, `.json` or `.json.gz`. Without
    /// `index/modules.json` the entries are indexed here (as govulncheck indexes a
    /// directory of entries).
    pub fn from_files<I>(files: I) -> Result<Database, VulnDbError>
    where
        I: IntoIterator<Item = (String, Vec<u8>)>,
    {
        let (mut meta, mut modules, mut entries) = (None, None, Vec::new());
        let mut seen = std::collections::HashSet::new();
        for (path, data) in files {
            let (stem, data) = if let Some(stem) = path.strip_suffix(".json.gz") {
                (stem.to_owned(), gunzip(&path, &data, MAX_DECODED)?)
            } else if let Some(stem) = path.strip_suffix(".json") {
                (stem.to_owned(), data)
            } else {
                continue;
            };
            // Both forms of a file hold the same; read one.
            if !seen.insert(stem.clone()) {
                continue;
            }
            if stem == index::DB_INDEX {
                meta = Some(parse_db(&path, &data)?);
            } else if stem == index::MODULES_INDEX {
                modules = Some(parse_modules(&path, &data)?);
            } else if let Some(id) = stem.strip_prefix("ID/") {
                entries.push(parse_entry(&path, Some(id), &data)?);
            }
        }
        let mut db = match modules {
            Some(modules) => Database::from_index(meta.unwrap_or_default(), modules),
            None => {
                let (m, modules, _) = indexes(&entries);
                Database::from_index(meta.unwrap_or(m), modules)
            }
        };
        for e in entries {
            db.insert(e);
        }
        Ok(db)
    }

    /// `index/db.json`'s `modified`.
    pub fn modified(&self) -> &str {
        &self.meta.modified
    }

    /// The index's entries for `module`.
    pub fn indexed(&self, module: &str) -> &[ModuleVuln] {
        self.modules.get(module).map_or(&[], Vec::as_slice)
    }

    /// The ids, sorted and once, that the index lists for `modules` and that are not
    /// loaded yet: what a reader fetches (`ID/<id>.json.gz`) before matching.
    pub fn missing<'a>(&self, modules: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut ids: Vec<String> = modules
            .into_iter()
            .flat_map(|m| self.indexed(m))
            .filter(|v| !self.entries.contains_key(&v.id))
            .map(|v| v.id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Adds (or replaces) an entry.
    pub fn insert(&mut self, entry: Entry) {
        self.entries.insert(entry.id.clone(), entry);
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// The vulnerabilities of `module` at `version`, sorted by id. `version` is a
    /// module version (`v1.2.3`, a pseudo-version, `+incompatible`) or, for
    /// [`STDLIB`] and [`TOOLCHAIN`], also a Go version (`go1.21.3`); empty means
    /// unknown and matches nothing (as in govulncheck).
    pub fn vulnerabilities(
        &self,
        module: &str,
        version: &str,
    ) -> Result<Vec<Finding<'_>>, VulnDbError> {
        let indexed = self.indexed(module);
        if indexed.is_empty() || version.is_empty() {
            return Ok(Vec::new());
        }
        let go = module == STDLIB || module == TOOLCHAIN;
        let semver = match version.strip_prefix("go") {
            Some(_) if go => go_version(module, version)?,
            _ => version::canonical_prefix(version),
        };
        if !crate::semver::is_valid(&semver) {
            return Err(VulnDbError::Version {
                module: module.to_owned(),
                version: version.to_owned(),
                what: if go { "Go" } else { "module" },
            });
        }
        let mut findings: Vec<Finding<'_>> = Vec::new();
        for v in indexed {
            let entry = self
                .entries
                .get(&v.id)
                .ok_or_else(|| VulnDbError::Missing {
                    id: v.id.clone(),
                    module: module.to_owned(),
                })?;
            if entry.is_withdrawn() {
                continue;
            }
            let blocks: Vec<&Affected> = entry
                .affected
                .iter()
                .filter(|a| a.package.name == module)
                .collect();
            let matched: Vec<&Affected> = blocks
                .iter()
                .copied()
                .filter(|a| version::affects(&a.ranges, &semver))
                .collect();
            if matched.is_empty() {
                continue;
            }
            let ranges: Vec<&[Range]> = blocks.iter().map(|a| a.ranges.as_slice()).collect();
            // `v` form until every entry is merged; Go versions for stdlib at the end.
            let fixed = version::fix_for(&ranges, &semver).map(version::canonical_prefix);
            let finding = Finding {
                id: entry.id.clone(),
                aliases: entry.aliases.clone(),
                module: module.to_owned(),
                version: version.to_owned(),
                fixed,
                summary: entry.summary.clone(),
                imports: matched
                    .iter()
                    .flat_map(|a| &a.ecosystem_specific.imports)
                    .collect(),
                entries: vec![entry],
            };
            merge(&mut findings, finding);
        }
        for f in &mut findings {
            if go {
                f.fixed = f.fixed.as_deref().map(version::semver_to_go_tag);
            }
            f.aliases.sort();
            f.aliases.dedup();
            f.aliases.retain(|a| *a != f.id);
        }
        findings.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(findings)
    }
}

/// The SemVer of a Go version for `module` (stdlib or toolchain).
fn go_version(module: &str, version: &str) -> Result<String, VulnDbError> {
    version::go_tag_to_semver(version).ok_or_else(|| VulnDbError::Version {
        module: module.to_owned(),
        version: version.to_owned(),
        what: "Go",
    })
}

/// Adds `new` to `findings`, or merges it into the finding that is the same
/// vulnerability (an id or alias in common).
fn merge<'a>(findings: &mut Vec<Finding<'a>>, new: Finding<'a>) {
    let names = |f: &Finding<'_>| -> Vec<String> {
        std::iter::once(f.id.clone())
            .chain(f.aliases.iter().cloned())
            .collect()
    };
    let new_names = names(&new);
    let Some(old) = findings
        .iter_mut()
        .find(|f| names(f).iter().any(|n| new_names.contains(n)))
    else {
        findings.push(new);
        return;
    };
    // The primary id: a GO- id if either has one, else the smaller.
    let go = |id: &str| id.starts_with("GO-");
    let new_first = match (go(&old.id), go(&new.id)) {
        (false, true) => true,
        (true, false) => false,
        _ => new.id < old.id,
    };
    let mut all = names(old);
    all.extend(new_names);
    if new_first {
        old.id = new.id.clone();
        if !new.summary.is_empty() {
            old.summary = new.summary.clone();
        }
    }
    old.aliases = all;
    // Every merged entry must be escaped: no fix if one has none, else the later.
    old.fixed = match (old.fixed.take(), new.fixed) {
        (Some(a), Some(b)) => Some(if version::less(&a, &b) { b } else { a }),
        _ => None,
    };
    for i in new.imports {
        if !old.imports.contains(&i) {
            old.imports.push(i);
        }
    }
    old.entries.extend(new.entries);
}
