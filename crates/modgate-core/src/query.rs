//! # query: version queries as the go command answers them
//!
//! `path@latest`, `@upgrade`, `@patch`, `@>=v1.2.0`, `@<v1.3`, `@v1.2`
//! (a prefix) and exact versions, following `cmd/go/internal/modload/query.go`
//! (`queryProxy`, `newQueryMatcher`, `filterVersions`), `modfile.go`
//! (`CheckRetractions`, `queryLatestVersionIgnoringRetractions`) and
//! `modfetch/proxy.go` (`Versions`, `latestFromList`); checked against Go
//! 1.27.3 by `tests/mvs_go_oracle.rs`.
//!
//! Pure: the caller hands over the module's `@v/list` body ([`VersionList`])
//! and, through a [`QuerySource`], the go.mod files it needs (to tell a real
//! go.mod from a synthesized one for the `+incompatible` rule, and to read
//! `retract` directives) and, optionally, the `@latest` answer.
//!
//! * Excluded (main module `exclude`) and retracted versions are skipped
//!   ([`Allowed`]); retractions come from the go.mod of the latest version
//!   found *without* applying retractions or exclusions ([`Allowed::for_module`]).
//! * Releases are preferred; pre-releases only when nothing else matches.
//! * `+incompatible` versions are skipped once the highest allowed
//!   compatible version has a real go.mod, unless the query asks for them
//!   (the current version is `+incompatible`, or the query's version does not
//!   match the path's major version).
//! * Not covered: revision queries (branch names, hashes), which only the
//!   origin (`.info` of the revision) can answer, and replacement repos (a
//!   whole-path `replace` adding versions to the list).

use std::collections::HashSet;

use crate::modfile;
use crate::module::{
    UtcTime, Version, check_path_major, is_pseudo_version, pseudo_version_time, split_path_version,
};
use crate::semver;

#[cfg(test)]
mod tests;

/// What a query needs besides the version list.
pub trait QuerySource {
    /// The go.mod of `m` (the proxy's `.mod`).
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String>;

    /// The version the proxy's `@latest` endpoint names (`Ok(None)`: not
    /// found, or not asked). Used only when the list has no usable version.
    fn latest(&mut self, path: &str) -> Result<Option<String>, String> {
        let _ = path;
        Ok(None)
    }

    /// The commit time of `m` (its `.info` `Time`), if known; used only when
    /// upgrading from a pseudo-version. By default a pseudo-version's own
    /// timestamp, and unknown for tags.
    fn time(&mut self, m: &Version) -> Result<Option<UtcTime>, String> {
        Ok(pseudo_version_time(&m.version).ok())
    }
}

/// A module's `@v/list`, as the go command reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionList {
    /// Tagged (valid semver, not pseudo) versions, in semver order.
    pub tagged: Vec<String>,
    /// The most recent pseudo-version in the list (by its second-field time
    /// or its own timestamp), the last resort of `latest`.
    pub latest_pseudo: Option<String>,
}

impl VersionList {
    /// Parses a `@v/list` body: the first field of each line, kept if valid
    /// semver and not a pseudo-version; sorted by `semver.Sort`.
    pub fn parse(body: &str) -> Self {
        let mut tagged = Vec::new();
        let mut best: Option<(i64, String)> = None;
        for line in body.split('\n') {
            let mut f = line.split_whitespace();
            let Some(v) = f.next() else { continue };
            if !semver::is_valid(v) {
                continue;
            }
            if !is_pseudo_version(v) {
                tagged.push(v.to_owned());
                continue;
            }
            let t = f
                .next()
                .and_then(UtcTime::parse_rfc3339)
                .or_else(|| pseudo_version_time(v).ok());
            if let Some(t) = t {
                let t = t.to_unix();
                if best.as_ref().is_none_or(|(bt, _)| t > *bt) {
                    best = Some((t, v.to_owned()));
                }
            }
        }
        semver::sort(&mut tagged);
        VersionList {
            tagged,
            latest_pseudo: best.map(|(_, v)| v),
        }
    }
}

/// A `retract` directive of the latest go.mod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retraction {
    /// The lowest retracted version.
    pub low: String,
    /// The highest retracted version.
    pub high: String,
    /// The comment explaining it.
    pub rationale: String,
}

/// Which versions of one module queries may pick.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Versions the main module(s) `exclude`.
    pub excluded: HashSet<String>,
    /// The author's retractions.
    pub retracted: Vec<Retraction>,
}

impl Allowed {
    /// The exclusions of `path` in the main modules' go.mod files, and the
    /// retractions in the go.mod of its latest version, found ignoring both
    /// (Go's `CheckAllowed`). A module without any version has no retractions.
    pub fn for_module<'a>(
        path: &str,
        list: &VersionList,
        mains: impl IntoIterator<Item = &'a modfile::File>,
        src: &mut dyn QuerySource,
    ) -> Result<Self, QueryError> {
        let excluded = mains
            .into_iter()
            .flat_map(|f| f.exclude.iter())
            .filter(|x| x.module.path == path)
            .map(|x| x.module.version.clone())
            .collect();
        let retracted = match query(path, "latest", "", list, &Allowed::default(), src) {
            Ok(latest) => retractions(path, &latest, src)?,
            Err(QueryError::NoMatchingVersion { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Allowed {
            excluded,
            retracted,
        })
    }

    /// Whether `v` is excluded.
    pub fn is_excluded(&self, v: &str) -> bool {
        self.excluded.contains(v)
    }

    /// The retractions covering `v` (empty: not retracted).
    pub fn retractions_of(&self, v: &str) -> Vec<&Retraction> {
        self.retracted
            .iter()
            .filter(|r| semver::compare(&r.low, v).is_le() && semver::compare(v, &r.high).is_le())
            .collect()
    }

    /// Neither excluded nor retracted.
    pub fn allows(&self, v: &str) -> bool {
        !self.is_excluded(v) && self.retractions_of(v).is_empty()
    }
}

/// The `retract` directives in the go.mod of `path@version`.
pub fn retractions(
    path: &str,
    version: &str,
    src: &mut dyn QuerySource,
) -> Result<Vec<Retraction>, QueryError> {
    let m = Version::new(path, version);
    let data = src.go_mod(&m).map_err(|message| QueryError::Source {
        module: m.clone(),
        message,
    })?;
    let f = modfile::parse_lax("go.mod", &data, None).map_err(|e| QueryError::Source {
        module: m.clone(),
        message: format!("parsing go.mod: {e}"),
    })?;
    Ok(f.retract
        .into_iter()
        .map(|r| Retraction {
            low: r.interval.low,
            high: r.interval.high,
            rationale: r.rationale,
        })
        .collect())
}

/// `go list -m -versions`: the tagged versions `allowed` allows (with
/// `retracted`, only exclusions are dropped, as `-retracted` does).
pub fn list_versions(list: &VersionList, allowed: &Allowed, retracted: bool) -> Vec<String> {
    list.tagged
        .iter()
        .filter(|v| {
            if retracted {
                !allowed.is_excluded(v)
            } else {
                allowed.allows(v)
            }
        })
        .cloned()
        .collect()
}

/// Why a query has no answer; `Display` is the go command's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing matched.
    #[error("no matching versions for query \"{query}\"{}", current_suffix(.query, .current))]
    NoMatchingVersion {
        /// The query.
        query: String,
        /// The current version.
        current: String,
    },
    /// `patch` without a current version.
    #[error("can't query version \"patch\" of module {0}: no existing version is required")]
    NoPatchBase(String),
    /// A malformed query.
    #[error("{0}")]
    Invalid(String),
    /// A branch, tag or commit: only the origin can resolve it.
    #[error("{0}: revision queries need the module's origin")]
    Revision(String),
    /// The exact version asked for is excluded or retracted.
    #[error("{0}: disallowed module version")]
    Disallowed(Version),
    /// A go.mod could not be had.
    #[error("{module}: {message}")]
    Source {
        /// Whose go.mod.
        module: Version,
        /// What went wrong.
        message: String,
    },
}

fn current_suffix(query: &str, current: &str) -> String {
    if (query == "upgrade" || query == "patch") && !current.is_empty() && current != "none" {
        format!(" (current version is {current})")
    } else {
        String::new()
    }
}

/// Go's `gover.ModIsPrefix` for modules: `v1` or `v1.2`.
fn is_prefix(v: &str) -> bool {
    let mut dots = 0;
    for c in v.chars() {
        match c {
            '-' | '+' => return false,
            '.' => {
                dots += 1;
                if dots >= 2 {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// A version predicate of a query.
type VersionFilter<'a> = Box<dyn Fn(&str) -> bool + 'a>;

/// A comparison query's operator: its text, the orderings it accepts, and
/// whether the lowest match is preferred.
type RangeOp = (&'static str, fn(std::cmp::Ordering) -> bool, bool);

/// `newQueryMatcher`'s result.
struct Matcher<'a> {
    prefix: String,
    filter: Option<VersionFilter<'a>>,
    exact: bool,
    prefer_lower: bool,
    may_use_latest: bool,
    prefer_incompatible: bool,
}

fn matcher<'a>(path: &str, query: &'a str, current: &'a str) -> Result<Matcher<'a>, QueryError> {
    let bad = |v: &str| {
        Err(QueryError::Invalid(format!(
            "invalid semantic version \"{v}\" in range \"{query}\""
        )))
    };
    let matches_major = |v: &str| {
        split_path_version(path).is_some_and(|(_, major)| check_path_major(v, major).is_ok())
    };
    let mut qm = Matcher {
        prefix: String::new(),
        filter: None,
        exact: false,
        prefer_lower: false,
        may_use_latest: false,
        prefer_incompatible: current.ends_with("+incompatible"),
    };
    let has_current = !current.is_empty() && current != "none";
    let ops: [RangeOp; 4] = [
        ("<=", std::cmp::Ordering::is_le, false),
        ("<", std::cmp::Ordering::is_lt, false),
        (">=", std::cmp::Ordering::is_ge, true),
        (">", std::cmp::Ordering::is_gt, true),
    ];
    match query {
        "latest" => qm.may_use_latest = true,
        "upgrade" | "patch" => {
            if !has_current {
                if query == "patch" {
                    return Err(QueryError::NoPatchBase(path.to_owned()));
                }
                qm.may_use_latest = true;
            } else {
                qm.may_use_latest = is_pseudo_version(current);
                qm.filter = Some(Box::new(move |mv| semver::compare(mv, current).is_ge()));
                if query == "patch" {
                    qm.prefix = format!("{}.", semver::major_minor(current));
                }
            }
        }
        _ => {
            if let Some((op, cmp, lower)) = ops.iter().find(|(op, ..)| query.starts_with(op)) {
                let v = &query[op.len()..];
                if !semver::is_valid(v) {
                    return bad(v);
                }
                if (*op == "<=" || *op == ">") && is_prefix(v) {
                    return Err(QueryError::Invalid(format!(
                        "ambiguous semantic version \"{v}\" in range \"{query}\""
                    )));
                }
                let cmp = *cmp;
                qm.filter = Some(Box::new(move |mv| cmp(semver::compare(mv, v))));
                qm.prefer_lower = *lower;
                if !matches_major(v) {
                    qm.prefer_incompatible = true;
                }
            } else if semver::is_valid(query) {
                if is_prefix(query) {
                    qm.prefix = format!("{query}.");
                    qm.filter = Some(Box::new(move |mv| semver::compare(mv, query).is_ge()));
                } else {
                    qm.exact = true;
                    qm.filter = Some(Box::new(move |mv| semver::compare(mv, query).is_eq()));
                    qm.prefix = semver::canonical(query);
                }
                if !matches_major(query) {
                    qm.prefer_incompatible = true;
                }
            } else {
                return Err(QueryError::Revision(query.to_owned()));
            }
        }
    }
    Ok(qm)
}

impl Matcher<'_> {
    fn allows(&self, v: &str, allowed: &Allowed) -> bool {
        v.starts_with(&self.prefix)
            && self.filter.as_ref().is_none_or(|f| f(v))
            && allowed.allows(v)
    }
}

/// Whether `m` has a go.mod of its own (not the synthesized `module path`).
fn has_go_mod(m: &Version, src: &mut dyn QuerySource) -> Result<bool, QueryError> {
    let data = src.go_mod(m).map_err(|message| QueryError::Source {
        module: m.clone(),
        message,
    })?;
    let mut legacy = b"module ".to_vec();
    legacy.extend(modfile::auto_quote(m.path.as_bytes()));
    legacy.push(b'\n');
    Ok(data != legacy)
}

/// Resolves `query` for module `path` whose currently selected version is
/// `current` (`""` or `"none"`: not in the build list), as `go get` and
/// `go list -m path@query` do, to a version.
///
/// An exact version (`v1.2.3`) is answered as is, unless `allowed` rejects
/// it: Go asks the proxy's `.info` for it, which the caller should do to
/// check that it exists. `upgrade` and `patch` never go below `current`.
pub fn query(
    path: &str,
    query: &str,
    current: &str,
    list: &VersionList,
    allowed: &Allowed,
    src: &mut dyn QuerySource,
) -> Result<String, QueryError> {
    if !current.is_empty() && current != "none" && !semver::is_valid(current) {
        return Err(QueryError::Invalid(format!(
            "invalid previous version {path}@{current}"
        )));
    }
    let qm = matcher(path, query, current)?;
    if qm.exact {
        let v = crate::module::canonical_version(query);
        if !allowed.allows(&v) {
            return Err(QueryError::Disallowed(Version::new(path, v)));
        }
        return Ok(v);
    }
    // filterVersions.
    let (mut releases, mut pre) = (Vec::new(), Vec::new());
    let mut need_incompatible = qm.prefer_incompatible;
    let mut last_compatible: Option<&str> = None;
    for v in &list.tagged {
        if !qm.allows(v, allowed) {
            continue;
        }
        if !need_incompatible {
            if !v.ends_with("+incompatible") {
                last_compatible = Some(v);
            } else if let Some(lc) = last_compatible {
                if has_go_mod(&Version::new(path, lc), src)? {
                    break;
                }
                need_incompatible = true;
            }
        }
        if semver::prerelease(v).is_empty() {
            releases.push(v.as_str());
        } else {
            pre.push(v.as_str());
        }
    }
    let pick = |l: &[&str]| {
        if qm.prefer_lower {
            l.first().map(|s| s.to_string())
        } else {
            l.last().map(|s| s.to_string())
        }
    };
    let chosen = pick(&releases).or_else(|| pick(&pre));
    let chosen = match chosen {
        Some(v) => Some(v),
        None if qm.may_use_latest => {
            let latest = match src.latest(path).map_err(|message| QueryError::Source {
                module: Version::new(path, "latest"),
                message,
            })? {
                Some(v) => Some(v),
                None => list.latest_pseudo.clone(),
            };
            latest.filter(|v| qm.allows(v, allowed))
        }
        None => None,
    };
    if let Some(v) = chosen {
        // From a pseudo-version, upgrade and patch never move to an older commit.
        if (query == "upgrade" || query == "patch")
            && is_pseudo_version(current)
            && let Ok(ct) = pseudo_version_time(current)
            && let Some(vt) = src
                .time(&Version::new(path, v.as_str()))
                .map_err(|message| QueryError::Source {
                    module: Version::new(path, v.as_str()),
                    message,
                })?
            && vt.to_unix() < ct.to_unix()
        {
            return Ok(current.to_owned());
        }
        return Ok(v);
    }
    if (query == "upgrade" || query == "patch") && !current.is_empty() && current != "none" {
        if !allowed.allows(current) {
            return Err(QueryError::Disallowed(Version::new(path, current)));
        }
        return Ok(current.to_owned());
    }
    Err(QueryError::NoMatchingVersion {
        query: query.to_owned(),
        current: current.to_owned(),
    })
}
