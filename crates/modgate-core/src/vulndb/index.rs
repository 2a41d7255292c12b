//! The database's index files (`x/vuln/internal/client/schema.go`) and the writer of
//! a whole database in the vuln.go.dev layout from its entries, as golang/vulndb's
//! generator lays it out: every file as `.json` and `.json.gz`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::osv::Entry;
use super::version;
use crate::module::UtcTime;

/// `index/db.json`: the newest `modified` of any entry (not a wall-clock time).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DbMeta {
    pub modified: String,
}

/// One element of `index/modules.json`: a module and the entries that affect it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModuleMeta {
    pub path: String,
    #[serde(default)]
    pub vulns: Vec<ModuleVuln>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModuleVuln {
    pub id: String,
    pub modified: String,
    /// The latest fix, without `v` ([`version::latest_fixed`]); empty if none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed: String,
}

/// One element of `index/vulns.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VulnMeta {
    pub id: String,
    pub modified: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The index paths, relative to the database root, without extension.
pub const DB_INDEX: &str = "index/db";
pub const MODULES_INDEX: &str = "index/modules";
pub const VULNS_INDEX: &str = "index/vulns";

/// `ID/<id>` (without extension).
pub fn entry_path(id: &str) -> String {
    format!("ID/{id}")
}

/// The three indexes of `entries`: db (newest `modified`), modules (sorted by path,
/// each module's vulns by id) and vulns (sorted by id).
pub fn indexes(entries: &[Entry]) -> (DbMeta, Vec<ModuleMeta>, Vec<VulnMeta>) {
    let mut newest: Option<(UtcTime, &str)> = None;
    // Per module, per entry: the latest fix of each affected block.
    let mut modules: BTreeMap<&str, BTreeMap<&str, (&Entry, Vec<String>)>> = BTreeMap::new();
    let mut vulns = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(t) = UtcTime::parse_rfc3339(&e.modified)
            && newest.is_none_or(|(n, _)| t > n)
        {
            newest = Some((t, &e.modified));
        }
        for a in &e.affected {
            modules
                .entry(&a.package.name)
                .or_default()
                .entry(&e.id)
                .or_insert_with(|| (e, Vec::new()))
                .1
                .push(version::latest_fixed(&a.ranges));
        }
        vulns.push(VulnMeta {
            id: e.id.clone(),
            modified: e.modified.clone(),
            aliases: e.aliases.clone(),
        });
    }
    vulns.sort_by(|a, b| a.id.cmp(&b.id));
    let db = DbMeta {
        modified: newest.map(|(_, m)| m.to_owned()).unwrap_or_default(),
    };
    let modules = modules
        .into_iter()
        .map(|(path, vulns)| ModuleMeta {
            path: path.to_owned(),
            vulns: vulns
                .into_values()
                .map(|(e, fixes)| ModuleVuln {
                    id: e.id.clone(),
                    modified: e.modified.clone(),
                    // Two blocks for one module: an unfixed one leaves the module
                    // unfixed (govulncheck's `latestFixed`), else the later fix.
                    fixed: if fixes.iter().any(String::is_empty) {
                        String::new()
                    } else {
                        fixes
                            .into_iter()
                            .max_by(|a, b| version::compare(a, b))
                            .unwrap_or_default()
                    },
                })
                .collect(),
        })
        .collect();
    (db, modules, vulns)
}

/// Every file of a database holding `entries`, in the vuln.go.dev layout:
/// `index/{db,modules,vulns}.json`, `ID/<id>.json`, each also gzipped as
/// `.json.gz` (same bytes inside). Paths are relative to the database root.
pub fn layout(entries: &[Entry]) -> Result<Vec<(String, Vec<u8>)>, serde_json::Error> {
    let (db, modules, vulns) = indexes(entries);
    let mut plain = vec![
        (DB_INDEX.to_owned(), serde_json::to_vec(&db)?),
        (MODULES_INDEX.to_owned(), serde_json::to_vec(&modules)?),
        (VULNS_INDEX.to_owned(), serde_json::to_vec(&vulns)?),
    ];
    for e in entries {
        plain.push((entry_path(&e.id), serde_json::to_vec(e)?));
    }
    let mut files = Vec::with_capacity(plain.len() * 2);
    for (path, data) in plain {
        files.push((format!("{path}.json.gz"), super::gzip(&data)));
        files.push((format!("{path}.json"), data));
    }
    Ok(files)
}
