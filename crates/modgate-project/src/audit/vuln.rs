//! `vuln.module`: the build list against a Go vulnerability database in the
//! vuln.go.dev layout, matched at module level as govulncheck's module filter does
//! (`modgate_core::vulndb`). Package-level (`vuln.package`) and standard library
//! (`vuln.stdlib`) checks are not implemented yet.

use std::path::Path;

use modgate_core::vulndb::Database;

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

pub fn check(graph: &Graph, db: &Database, report: &mut Report) {
    for (path, version) in matched_modules(graph) {
        let found = match db.vulnerabilities(&path, &version) {
            Ok(f) => f,
            Err(e) => {
                report.errors.push(e.to_string());
                continue;
            }
        };
        for v in found {
            let mut f = Finding::new("vuln.module", Severity::Error, &path, &version);
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
