//! `outdated.patch`, `outdated.minor`, `retracted`, `deprecated`: each module of the
//! build list against its version list, with Go's queries (`modgate_core::query`).
//! Retractions and the deprecation come from the go.mod of the latest version
//! (found ignoring retractions), as `go list -m -u` reads them.
//!
//! The core's queries are synchronous over a [`QuerySource`]; here the source
//! answers from go.mod files fetched beforehand, and a query that needs one not
//! fetched yet is run again once it is (like the graph's waves).

use std::collections::HashMap;

use futures_util::StreamExt;
use modgate_core::module::Version;
use modgate_core::query::{self, Allowed, QueryError, QuerySource, VersionList};
use modgate_core::{modfile, semver};

use super::{Finding, Report, Severity};
use crate::fetch::Fetcher;
use crate::graph::{Graph, Project};

/// go.mod files fetched so far; the misses are what to fetch next.
#[derive(Default)]
struct Prefetched {
    go_mods: HashMap<Version, Result<Vec<u8>, String>>,
    misses: Vec<Version>,
}

impl QuerySource for Prefetched {
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String> {
        match self.go_mods.get(m) {
            Some(r) => r.clone(),
            None => {
                self.misses.push(m.clone());
                Err(format!("{m}: not fetched yet"))
            }
        }
    }
}

/// What the queries answered for one module.
struct Health {
    /// The `latest` query's answer (none: no tagged release).
    latest: Option<String>,
    upgrade: String,
    patch: String,
    retracted: Vec<query::Retraction>,
    deprecated: String,
}

fn assess(
    path: &str,
    current: &str,
    list: &VersionList,
    mains: &[&modfile::File],
    src: &mut Prefetched,
) -> Result<Health, QueryError> {
    let latest = match query::query(path, "latest", "", list, &Allowed::default(), src) {
        Ok(v) => Some(v),
        Err(QueryError::NoMatchingVersion { .. }) => None,
        Err(e) => return Err(e),
    };
    let (retracted, deprecated) = match &latest {
        Some(v) => {
            let m = Version::new(path, v.as_str());
            let data = src.go_mod(&m).map_err(|message| QueryError::Source {
                module: m.clone(),
                message,
            })?;
            let f = modfile::parse_lax("go.mod", &data, None).map_err(|e| QueryError::Source {
                module: m.clone(),
                message: format!("parsing go.mod: {e}"),
            })?;
            let deprecated = f.module.map(|m| m.deprecated).unwrap_or_default();
            let retracted = f
                .retract
                .into_iter()
                .map(|r| query::Retraction {
                    low: r.interval.low,
                    high: r.interval.high,
                    rationale: r.rationale,
                })
                .collect();
            (retracted, deprecated)
        }
        None => (Vec::new(), String::new()),
    };
    let allowed = Allowed {
        excluded: mains
            .iter()
            .flat_map(|f| f.exclude.iter())
            .filter(|x| x.module.path == path)
            .map(|x| x.module.version.clone())
            .collect(),
        retracted,
    };
    let answer =
        |q: &str, src: &mut Prefetched| match query::query(path, q, current, list, &allowed, src) {
            Ok(v) => Ok(v),
            // Nothing newer; or only the (retracted) current version would match.
            Err(QueryError::NoMatchingVersion { .. } | QueryError::Disallowed(_)) => {
                Ok(current.to_owned())
            }
            Err(e) => Err(e),
        };
    let upgrade = answer("upgrade", src)?;
    let patch = answer("patch", src)?;
    let retracted = allowed
        .retractions_of(current)
        .into_iter()
        .cloned()
        .collect();
    Ok(Health {
        latest,
        upgrade,
        patch,
        retracted,
        deprecated,
    })
}

pub async fn check(
    project: &Project,
    graph: &Graph,
    fetcher: &Fetcher,
    jobs: usize,
    unmaintained_months: u32,
    report: &mut Report,
) {
    let mains: Vec<&modfile::File> = project.main_modules().into_iter().map(|(_, f)| f).collect();
    // Modules with a version of their own: not main, not replaced by a directory.
    let modules: Vec<(String, String)> = graph
        .build_list
        .modules
        .iter()
        .filter(|m| !m.is_main() && !m.replace.as_ref().is_some_and(|r| r.version.is_empty()))
        .map(|m| (m.path.clone(), m.version.clone()))
        .collect();
    let lists: Vec<_> = futures_util::stream::iter(modules)
        .map(|(path, version)| async move {
            let list = fetcher.list(&path).await;
            (path, version, list)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    let mut src = Prefetched::default();
    let mut todo: Vec<(String, String, VersionList)> = Vec::new();
    for (path, version, list) in lists {
        match list {
            Ok(body) => todo.push((path, version, VersionList::parse(&body))),
            // No list: no tagged version (a module known only by pseudo-versions).
            Err(e) if e.is_not_found() => todo.push((path, version, VersionList::parse(""))),
            Err(e) => report.errors.push(format!("{}: {}", e.what, e.error)),
        }
    }
    todo.sort_by(|a, b| a.0.cmp(&b.0));
    // Waves: every module's queries run; the go.mod files any of them missed are
    // fetched together; the modules that missed one run again.
    let mut results: Vec<Option<Result<Health, QueryError>>> = todo.iter().map(|_| None).collect();
    loop {
        let mut wanted: Vec<Version> = Vec::new();
        for (i, (path, current, list)) in todo.iter().enumerate() {
            if results[i].is_some() {
                continue;
            }
            let r = assess(path, current, list, &mains, &mut src);
            if src.misses.is_empty() {
                results[i] = Some(r);
            } else {
                wanted.append(&mut src.misses);
            }
        }
        if wanted.is_empty() {
            break;
        }
        wanted.sort_by(|a, b| (&a.path, &a.version).cmp(&(&b.path, &b.version)));
        wanted.dedup();
        let fetched: Vec<_> = futures_util::stream::iter(wanted)
            .map(|m| async move {
                let r = fetcher
                    .go_mod(&m)
                    .await
                    .map(|b| b.to_vec())
                    .map_err(|e| e.error.to_string());
                (m, r)
            })
            .buffer_unordered(jobs.max(1))
            .collect()
            .await;
        src.go_mods.extend(fetched);
    }
    let mut newest = Vec::new();
    for ((path, current, _), r) in todo.iter().zip(results) {
        match r {
            Some(Ok(h)) => {
                findings(path, current, &h, report);
                newest.push((path.clone(), current.clone(), h.latest));
            }
            Some(Err(e)) => report.errors.push(format!("checking {path}: {e}")),
            None => {}
        }
    }
    if unmaintained_months > 0 {
        unmaintained(fetcher, jobs, unmaintained_months, newest, report).await;
    }
}

/// The average Gregorian month, in seconds.
const MONTH: i64 = 2_629_746;

/// `unmaintained`: the module's newest release (`latest`; with none, the
/// pseudo-version in use) was published more than `months` months ago, by its
/// `.info` `Time`.
async fn unmaintained(
    fetcher: &Fetcher,
    jobs: usize,
    months: u32,
    newest: Vec<(String, String, Option<String>)>,
    report: &mut Report,
) {
    let now = super::ignore::now();
    let times: Vec<_> = futures_util::stream::iter(newest)
        .map(|(path, current, latest)| async move {
            let v = latest.clone().unwrap_or_else(|| current.clone());
            let info = fetcher.info(&Version::new(path.as_str(), v.as_str())).await;
            (path, current, latest, v, info)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    for (path, current, latest, v, info) in times {
        let time = match info {
            Ok(i) => i.time,
            Err(e) => {
                report.errors.push(format!("{}: {}", e.what, e.error));
                continue;
            }
        };
        // A proxy that gives no time gives nothing to judge by.
        let Some(t) = modgate_core::module::UtcTime::parse_rfc3339(&time) else {
            continue;
        };
        let age = (now - t.to_unix()) / MONTH;
        if age < i64::from(months) {
            continue;
        }
        let mut f = Finding::new("unmaintained", Severity::Warning, &path, &current);
        f.summary = match &latest {
            Some(_) => {
                format!("{path}: no release for {age} months (the newest, {v}, is from {time})")
            }
            None => format!(
                "{path}: no tagged release, and the commit in use ({v}) is from {time}, {age} months ago"
            ),
        };
        f.evidence = format!("{path}/@v/{v}.info: \"Time\": \"{time}\"");
        f.fix = format!(
            "check that {path} is still maintained; look for a maintained fork or alternative"
        );
        f.released = Some(time);
        f.latest = latest;
        report.findings.push(f);
    }
}

/// `outdated.major`: a newer major version published under `/vN` (N+1, N+2, ...,
/// as long as each exists: the path of the next major is asked for its list). Its
/// latest release is the highest tagged release in the list (retractions of the
/// new major are not consulted).
pub async fn check_major(graph: &Graph, fetcher: &Fetcher, jobs: usize, report: &mut Report) {
    let modules: Vec<(String, String)> = graph
        .build_list
        .modules
        .iter()
        .filter(|m| !m.is_main() && !m.path.starts_with("gopkg.in/"))
        .map(|m| (m.path.clone(), m.version.clone()))
        .collect();
    let found: Vec<_> = futures_util::stream::iter(modules)
        .map(|(path, version)| async move {
            let Some((prefix, major)) = modgate_core::module::split_path_version(&path) else {
                return (path, version, None, Vec::new());
            };
            let mut n: u64 = major.trim_start_matches("/v").parse().unwrap_or(1).max(1);
            let mut newest = None;
            let mut errors = Vec::new();
            // A bound on the probes: majors are few.
            for _ in 0..8 {
                n += 1;
                let next = format!("{prefix}/v{n}");
                match fetcher.list(&next).await {
                    Ok(body) => {
                        let release = VersionList::parse(&body)
                            .tagged
                            .into_iter()
                            .filter(|v| semver::prerelease(v).is_empty())
                            .max_by(|a, b| semver::compare(a, b));
                        match release {
                            Some(v) => newest = Some((next, v)),
                            None => break,
                        }
                    }
                    Err(e) if e.is_not_found() => break,
                    Err(e) => {
                        errors.push(format!("{}: {}", e.what, e.error));
                        break;
                    }
                }
            }
            (path, version, newest, errors)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    for (path, version, newest, errors) in found {
        report.errors.extend(errors);
        if let Some((next, v)) = newest {
            let mut f = Finding::new("outdated.major", Severity::Info, &path, &version);
            f.summary = format!("{path} {version} has a newer major version: {next} {v}");
            f.evidence = format!("{next}/@v/list");
            f.fix = format!("go get {next}@{v} and change the imports of {path} to {next}");
            f.latest = Some(format!("{next}@{v}"));
            report.findings.push(f);
        }
    }
}

/// The release time of each outdated finding's `latest` (`.info`); a time that
/// cannot be had is left out, not an error (the finding stands without it).
pub async fn release_times(fetcher: &Fetcher, jobs: usize, report: &mut Report) {
    let wanted: Vec<(usize, Version)> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.code.starts_with("outdated."))
        .filter_map(|(i, f)| {
            let latest = f.latest.as_deref()?;
            let m = match latest.split_once('@') {
                Some((p, v)) => Version::new(p, v),
                None => Version::new(f.module.as_str(), latest),
            };
            Some((i, m))
        })
        .collect();
    let times: Vec<_> = futures_util::stream::iter(wanted)
        .map(|(i, m)| async move { (i, fetcher.info(&m).await.ok().map(|info| info.time)) })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    for (i, t) in times {
        report.findings[i].released = t.filter(|t| !t.is_empty());
    }
}

fn findings(path: &str, current: &str, h: &Health, report: &mut Report) {
    let newer = |v: &str| semver::compare(v, current).is_gt();
    let outdated = |code, latest: &str| {
        let mut f = Finding::new(code, Severity::Info, path, current);
        f.summary = format!("{path} {current} has a newer version: {latest}");
        f.evidence = format!("{path}/@v/list");
        f.fix = format!("go get {path}@{latest}");
        f.latest = Some(latest.to_owned());
        f
    };
    if newer(&h.patch) {
        report.findings.push(outdated("outdated.patch", &h.patch));
    }
    if newer(&h.upgrade) && semver::major_minor(&h.upgrade) != semver::major_minor(current) {
        report.findings.push(outdated("outdated.minor", &h.upgrade));
    }
    if !h.retracted.is_empty() {
        let mut f = Finding::new("retracted", Severity::Warning, path, current);
        let why: Vec<&str> = h
            .retracted
            .iter()
            .map(|r| r.rationale.as_str())
            .filter(|r| !r.is_empty())
            .collect();
        f.summary = if why.is_empty() {
            format!("{path} {current} is retracted by its author")
        } else {
            format!("{path} {current} is retracted: {}", why.join("; "))
        };
        f.evidence = h
            .retracted
            .iter()
            .map(|r| {
                if r.low == r.high {
                    format!("retract {}", r.low)
                } else {
                    format!("retract [{}, {}]", r.low, r.high)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        f.fix = if newer(&h.upgrade) {
            format!("go get {path}@{}", h.upgrade)
        } else {
            format!("go get {path}@latest (no newer version is out yet)")
        };
        f.latest = newer(&h.upgrade).then(|| h.upgrade.clone());
        report.findings.push(f);
    }
    if !h.deprecated.is_empty() {
        let mut f = Finding::new("deprecated", Severity::Warning, path, current);
        f.summary = format!("{path} is deprecated: {}", h.deprecated);
        f.evidence = "the // Deprecated: comment in the go.mod of its latest version".into();
        f.fix = format!("move off {path} as its deprecation says");
        report.findings.push(f);
    }
}
