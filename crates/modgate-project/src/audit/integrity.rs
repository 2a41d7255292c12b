//! go.sum against what the build needs, hashed from the files the fetcher
//! verified (against the checksum database, unless GOSUMDB/GONOSUMDB say not to).
//!
//! * `integrity.gosum-missing`: a go.mod the module graph reads has no `/go.mod`
//!   line (go stops with "missing go.sum entry"), or a module providing a package
//!   of the build has no zip line (what `go mod tidy` keeps).
//! * `integrity.gosum-extra`: a line for a module version the graph does not use.
//! * `integrity.gosum-mismatch`: a line whose hash is not the h1 of the file.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;
use modgate_core::dirhash;
use modgate_core::gosum::{self, GO_MOD_SUFFIX};
use modgate_core::module::Version;

use super::{Finding, Report, Severity};
use crate::fetch::Fetcher;
use crate::graph::{Graph, Project, content_version};

/// One go.sum line: file, module version (`/go.mod` suffix kept), hash.
struct Line {
    file: String,
    module: Version,
    hash: String,
}

/// `providers`: the paths of the modules providing packages of the build, each
/// with the evidence for it (how the build imports it). `zip_hashes`: the h1 of
/// zips already read through `fetcher` (by the package loader): not fetched again.
pub async fn check(
    project: &Project,
    graph: &Graph,
    providers: &std::collections::BTreeMap<String, String>,
    zip_hashes: &HashMap<Version, String>,
    fetcher: &Fetcher,
    jobs: usize,
    report: &mut Report,
) {
    let mut lines = Vec::new();
    for path in project.sum_files() {
        let name = path.display().to_string();
        let parsed = std::fs::read(&path)
            .map_err(|e| format!("reading {name}: {e}"))
            .and_then(|d| {
                gosum::parse(&name, &d, gosum::ParseMode::Strict).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(sums) => {
                for (m, hashes) in sums.sorted() {
                    for h in hashes {
                        lines.push(Line {
                            file: name.clone(),
                            module: m.clone(),
                            hash: h.to_owned(),
                        });
                    }
                }
            }
            Err(e) => report.errors.push(e),
        }
    }
    // What the graph uses: go.mod files read, and the content of the build list.
    let go_mods: HashMap<&Version, &[u8]> = graph
        .go_mods
        .iter()
        .filter(|(m, _)| !m.version.is_empty())
        .map(|(m, b)| (m, b.as_ref()))
        .collect();
    let content: HashSet<Version> = graph.content_versions().into_iter().collect();
    let has_mod_line = |m: &Version| {
        lines.iter().any(|l| {
            l.module.path == m.path
                && l.module.version.strip_suffix(GO_MOD_SUFFIX) == Some(m.version.as_str())
        })
    };
    // In the graph's (sorted) order.
    for (m, _) in graph.go_mods.iter().filter(|(m, _)| !m.version.is_empty()) {
        if !has_mod_line(m) {
            let mut f = Finding::new(
                "integrity.gosum-missing",
                Severity::Error,
                &m.path,
                &m.version,
            );
            f.summary = format!("go.sum has no line for {m}/go.mod, which the build reads");
            f.evidence = format!("the module graph reads the go.mod of {m}");
            f.fix = format!("go mod download {m} (or go mod tidy) to add the line");
            report.findings.push(f);
        }
    }
    // A module providing a package of the build needs its zip line (go: "missing
    // go.sum entry for module providing package").
    for m in &graph.build_list.modules {
        let Some(why) = providers.get(&m.path) else {
            continue;
        };
        let Some(content) = content_version(m) else {
            continue;
        };
        if lines.iter().any(|l| l.module == content) {
            continue;
        }
        let mut f = Finding::new(
            "integrity.gosum-missing",
            Severity::Error,
            &content.path,
            &content.version,
        );
        f.summary = format!(
            "go.sum has no line for {content} (its zip), which provides packages the project imports"
        );
        f.evidence = why.clone();
        f.fix = format!("go mod download {content} (or go mod tidy) to add the line");
        report.findings.push(f);
    }
    // Lines for files the graph uses are checked against the files; the zips are
    // fetched (and verified) only for lines that name them.
    let mut zips = Vec::new();
    for l in &lines {
        let (module, is_mod) = match l.module.version.strip_suffix(GO_MOD_SUFFIX) {
            Some(v) => (Version::new(l.module.path.clone(), v), true),
            None => (l.module.clone(), false),
        };
        let used = if is_mod {
            go_mods.contains_key(&module)
        } else {
            content.contains(&module)
        };
        if !used {
            let mut f = Finding::new(
                "integrity.gosum-extra",
                Severity::Warning,
                &module.path,
                &module.version,
            );
            f.summary = format!("{}: a line for {} the build does not use", l.file, l.module);
            f.evidence = format!("{} {} {}", l.module.path, l.module.version, l.hash);
            f.fix = "go mod tidy removes it".into();
            report.findings.push(f);
            continue;
        }
        if is_mod {
            let actual = dirhash::hash_gomod(go_mods[&module]);
            mismatch(report, l, &module, &actual);
        } else if let Some(actual) = zip_hashes.get(&module) {
            mismatch(report, l, &module, actual);
        } else {
            zips.push((l, module));
        }
    }
    let hashed: Vec<_> = futures_util::stream::iter(zips)
        .map(|(l, m)| async move {
            // Streamed to a temporary file, hashed off the async workers.
            let r = match fetcher.zip_file(&m).await {
                Ok(mut file) => {
                    let what = format!("{m}.zip");
                    Ok(tokio::task::spawn_blocking(move || {
                        dirhash::hash_zip(&mut file).map_err(|e| format!("{what}: {e}"))
                    })
                    .await
                    .map_err(|e| format!("{m}.zip: {e}"))
                    .and_then(|h| h))
                }
                Err(e) => Err(e),
            };
            (l, m, r)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    for (l, m, r) in hashed {
        if let Err(e) = &r
            && let Some(f) = sumdb_mismatch(&m, "zip", &e.error)
        {
            report.findings.push(f);
            continue;
        }
        let hash = r
            .map_err(|e| format!("{}: {}", e.what, e.error))
            .and_then(|h| h);
        match hash {
            Ok(actual) => mismatch(report, l, &m, &actual),
            Err(e) => report.errors.push(format!("checking go.sum: {e}")),
        }
    }
}

fn mismatch(report: &mut Report, l: &Line, module: &Version, actual: &str) {
    if l.hash == actual {
        return;
    }
    let mut f = Finding::new(
        "integrity.gosum-mismatch",
        Severity::Error,
        &module.path,
        &module.version,
    );
    f.summary = format!(
        "{}: the hash of {} is not the hash of the verified file",
        l.file, l.module
    );
    f.evidence = format!("go.sum: {}; downloaded: {actual}", l.hash);
    f.fix = format!(
        "find out why go.sum differs (an edit, or a module rewritten upstream) before replacing the line for {} with {actual}",
        l.module
    );
    report.findings.push(f);
}

/// `integrity.modcache-modified`: each build-list module extracted in the module
/// cache `modcache` re-hashed as `go mod verify` does (the h1 of the directory,
/// its files named `path@version/...`), against its go.sum zip line, else the
/// `.ziphash` go wrote at download. Modules not extracted are skipped.
pub fn check_modcache(
    project: &Project,
    graph: &Graph,
    modcache: &std::path::Path,
    report: &mut Report,
) {
    let mut sums: HashMap<Version, String> = HashMap::new();
    for path in project.sum_files() {
        let name = path.display().to_string();
        if let Ok(parsed) = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|d| {
                gosum::parse(&name, &d, gosum::ParseMode::Strict).map_err(|e| e.to_string())
            })
        {
            for (m, hashes) in parsed.sorted() {
                if !m.version.ends_with(GO_MOD_SUFFIX)
                    && let Some(h) = hashes.into_iter().next()
                {
                    sums.entry(m.clone()).or_insert_with(|| h.to_owned());
                }
            }
        }
    }
    for m in graph.content_versions() {
        let (Ok(path), Ok(version)) = (
            modgate_core::module::escape_path(&m.path),
            modgate_core::module::escape_version(&m.version),
        ) else {
            continue;
        };
        let dir = modcache.join(format!("{path}@{version}"));
        if !dir.is_dir() {
            continue;
        }
        let (expected, from) = match sums.get(&m) {
            Some(h) => (h.clone(), "go.sum".to_owned()),
            None => {
                let ziphash = modcache
                    .join("cache/download")
                    .join(&path)
                    .join("@v")
                    .join(format!("{version}.ziphash"));
                match std::fs::read_to_string(&ziphash) {
                    Ok(h) => (h.trim().to_owned(), ziphash.display().to_string()),
                    Err(_) => continue,
                }
            }
        };
        let actual = match dirhash::hash_dir(&dir, &format!("{}@{}", m.path, m.version)) {
            Ok(h) => h,
            Err(e) => {
                report
                    .errors
                    .push(format!("hashing {}: {e}", dir.display()));
                continue;
            }
        };
        if actual == expected {
            continue;
        }
        let mut f = Finding::new(
            "integrity.modcache-modified",
            Severity::Error,
            &m.path,
            &m.version,
        );
        f.summary = format!("{m}: dir has been modified ({})", dir.display());
        f.evidence = format!("{from}: {expected}; the directory hashes to {actual}");
        f.fix = format!(
            "find out what changed it, then go clean -modcache (or delete {}) and download again",
            dir.display()
        );
        report.findings.push(f);
    }
}

/// `integrity.sumdb-mismatch` for a fetch of `m`'s `file` (`go.mod` or `zip`)
/// that failed because the checksum database has another hash than the served
/// file's (go's "SECURITY ERROR"); none for any other failure.
pub fn sumdb_mismatch(m: &Version, file: &str, e: &modgate_cache::CacheError) -> Option<Finding> {
    let modgate_cache::CacheError::Verify(modgate_cache::verify::VerifyError::Mismatch {
        got,
        db,
        want,
        ..
    }) = e
    else {
        return None;
    };
    let mut f = Finding::new(
        "integrity.sumdb-mismatch",
        Severity::Error,
        &m.path,
        &m.version,
    );
    f.summary = format!(
        "{m} ({file}): the proxy serves other bytes than the checksum database vouches for"
    );
    f.evidence = format!("downloaded: {got}; {db}: {want}");
    f.fix = format!(
        "do not use {m} from this proxy until you know why its {file} differs (go refuses it: SECURITY ERROR); ask the proxy's operator, or fetch it from another proxy"
    );
    Some(f)
}
