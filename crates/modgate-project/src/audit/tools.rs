//! `tool.*`: the modules only `tool` directives need, whose findings are reported
//! apart (their code prefixed `tool.`): a vulnerable linter is not a vulnerable
//! binary.
//!
//! Module level: the modules reachable (through the `require`s of the selected
//! go.mod files) from the modules providing the tool packages, less those
//! reachable from the modules the main modules' own source imports (or, with no
//! source, from their direct, non-`// indirect` requirements that are no tool's).

use std::collections::{BTreeSet, HashMap};

use modgate_core::modfile;

use super::imports as scan;
use crate::graph::{Graph, Project, content_version};

/// Go's standard library import paths have no dot in their first element.
fn is_std(import: &str) -> bool {
    !import.split('/').next().unwrap_or("").contains('.')
}

/// The module paths only tool directives need (empty without `tool` lines).
/// `imports`: the main modules' own import paths.
pub fn tool_only(project: &Project, graph: &Graph, imports: &BTreeSet<String>) -> BTreeSet<String> {
    let mains = project.main_modules();
    if mains.iter().all(|(_, f)| f.tool.is_empty()) {
        return BTreeSet::new();
    }
    let modules = graph.dependency_paths();
    // Edges: each selected module's requirements (its content's go.mod).
    let go_mods: HashMap<_, _> = graph.go_mods.iter().map(|(v, b)| (v, b)).collect();
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for m in &graph.build_list.modules {
        let Some(data) = content_version(m).and_then(|c| go_mods.get(&c).copied()) else {
            continue;
        };
        if let Ok(f) = modfile::parse_lax("go.mod", data, None) {
            edges.insert(
                m.path.as_str(),
                f.require.into_iter().map(|r| r.module.path).collect(),
            );
        }
    }
    let reach = |roots: BTreeSet<String>| {
        let mut seen = roots.clone();
        let mut todo: Vec<String> = roots.into_iter().collect();
        while let Some(p) = todo.pop() {
            for next in edges.get(p.as_str()).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let tool_roots: BTreeSet<String> = mains
        .iter()
        .flat_map(|(_, f)| f.tool.iter())
        .filter_map(|t| scan::module_of(&t.path, &modules))
        .map(str::to_owned)
        .collect();
    let source: BTreeSet<&String> = imports.iter().filter(|i| !is_std(i)).collect();
    let build_roots: BTreeSet<String> = if source.is_empty() {
        mains
            .iter()
            .flat_map(|(_, f)| f.require.iter())
            .filter(|r| !r.indirect && !tool_roots.contains(&r.module.path))
            .map(|r| r.module.path.clone())
            .collect()
    } else {
        source
            .iter()
            .filter_map(|i| scan::module_of(i, &modules))
            .map(str::to_owned)
            .collect()
    };
    let build = reach(build_roots);
    reach(tool_roots)
        .into_iter()
        .filter(|m| !build.contains(m) && modules.contains(m))
        .collect()
}

/// The `tool.` code of `code`.
pub fn tool_code(code: &'static str) -> &'static str {
    match code {
        "integrity.gosum-missing" => "tool.integrity.gosum-missing",
        "integrity.gosum-mismatch" => "tool.integrity.gosum-mismatch",
        "integrity.gosum-extra" => "tool.integrity.gosum-extra",
        "integrity.sumdb-mismatch" => "tool.integrity.sumdb-mismatch",
        "integrity.modcache-modified" => "tool.integrity.modcache-modified",
        "vuln.module" => "tool.vuln.module",
        "vuln.package" => "tool.vuln.package",
        "outdated.patch" => "tool.outdated.patch",
        "outdated.minor" => "tool.outdated.minor",
        "outdated.major" => "tool.outdated.major",
        "retracted" => "tool.retracted",
        "deprecated" => "tool.deprecated",
        "unmaintained" => "tool.unmaintained",
        "replace.local" => "tool.replace.local",
        "replace.fork" => "tool.replace.fork",
        "pseudo-version" => "tool.pseudo-version",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_module_code_has_a_tool_code() {
        for (code, _, _) in super::super::sarif::CODES {
            if *code == "vuln.stdlib" {
                continue;
            }
            assert_eq!(super::tool_code(code), format!("tool.{code}"));
        }
    }
}
