//! go.sum files: parsing as the go command does, a stricter validator for
//! diagnosis, the go.sum side of checksum verification, and writing in the
//! go command's exact order.
//!
//! Follows `cmd/go/internal/modfetch/fetch.go`: `readGoSum` (parsing),
//! `haveModSumLocked` (checking a hash) and `tidyGoSum` (writing).
//!
//! * Each line is split into whitespace-separated fields (Go's
//!   `strings.Fields`, Unicode spaces included). Blank lines are skipped. Any
//!   other field count is fatal, except under `go mod tidy`
//!   ([`ParseMode::Tidy`]), which drops the line. A line whose hash is the
//!   hash of an empty go.mod (written by an old bug) is silently dropped.
//! * Writing sorts entries with `module.Sort` (path, then semver order of the
//!   version, with `v1.2.3` before `v1.2.3/go.mod`), sorts and de-duplicates
//!   each entry's hashes, and prints `path version hash\n` per hash.
//!
//! One deliberate difference: Go keeps lines as raw bytes, so a line with
//! invalid UTF-8 survives a round trip. Module paths and versions are strings
//! here, so such a line is an error ([`GoSumError::InvalidUtf8`]) in
//! [`ParseMode::Strict`] and is dropped in [`ParseMode::Tidy`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use crate::module::{self, Version};

/// The hash of a one-file tree holding an empty go.mod. An old go command bug
/// wrote these into go.sum for non-modules; the go command drops them.
pub const EMPTY_GO_MOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

/// The version suffix of go.mod-only entries.
pub const GO_MOD_SUFFIX: &str = "/go.mod";

/// How to treat malformed lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseMode {
    /// Every go command except `go mod tidy`: a line with the wrong number of
    /// fields is a fatal error.
    Strict,
    /// `go mod tidy`: malformed lines are dropped so tidy can repair the file.
    Tidy,
}

/// A parse error, with the go command's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoSumError {
    /// `malformed go.sum:\n<file>:<line>: wrong number of fields <n>` (the go
    /// command prints exactly this, plus a newline).
    #[error("malformed go.sum:\n{file}:{line}: wrong number of fields {count}")]
    WrongFieldCount {
        file: String,
        line: usize,
        count: usize,
    },
    /// A three-field line that is not valid UTF-8 (see the module docs).
    #[error("malformed go.sum:\n{file}:{line}: invalid UTF-8")]
    InvalidUtf8 { file: String, line: usize },
}

/// The contents of a go.sum file: for each module version (with an optional
/// `/go.mod` suffix), its hashes in file order (Go's `map[module.Version][]string`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSum {
    entries: HashMap<Version, Vec<String>>,
}

/// Iterates over the lines of `data` as Go's `readGoSum` does: split on `\n`
/// only, numbered from 1, the last line needing no terminator.
fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = data;
    let mut lineno = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        lineno += 1;
        let line = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                line
            }
            None => std::mem::take(&mut rest),
        };
        Some((lineno, line))
    })
}

/// Go's `strings.Fields` on raw bytes: fields are separated by Unicode space;
/// bytes that are not valid UTF-8 count as field text.
fn fields(line: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    for chunk in line.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            if crate::unicode::is_space(c) {
                if let Some(s) = start.take() {
                    out.push(&line[s..pos + i]);
                }
            } else if start.is_none() {
                start = Some(pos + i);
            }
        }
        pos += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            start.get_or_insert(pos);
            pos += chunk.invalid().len();
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

/// The three fields of a line as strings, if they are valid UTF-8.
fn utf8_fields<'a>(f: &[&'a [u8]]) -> Option<[&'a str; 3]> {
    match f {
        [a, b, c] => Some([
            std::str::from_utf8(a).ok()?,
            std::str::from_utf8(b).ok()?,
            std::str::from_utf8(c).ok()?,
        ]),
        _ => None,
    }
}

/// Parses go.sum `data`; `file` names it in errors (`readGoSum`).
pub fn parse(file: &str, data: &[u8], mode: ParseMode) -> Result<GoSum, GoSumError> {
    let mut sum = GoSum::default();
    for (lineno, line) in lines(data) {
        let f = fields(line);
        if f.is_empty() {
            continue;
        }
        if f.len() != 3 {
            match mode {
                ParseMode::Tidy => continue,
                ParseMode::Strict => {
                    return Err(GoSumError::WrongFieldCount {
                        file: file.to_string(),
                        line: lineno,
                        count: f.len(),
                    });
                }
            }
        }
        let Some([path, version, hash]) = utf8_fields(&f) else {
            match mode {
                ParseMode::Tidy => continue,
                ParseMode::Strict => {
                    return Err(GoSumError::InvalidUtf8 {
                        file: file.to_string(),
                        line: lineno,
                    });
                }
            }
        };
        if hash == EMPTY_GO_MOD_HASH {
            continue;
        }
        sum.add(Version::new(path, version), hash);
    }
    Ok(sum)
}

/// A recorded hash that disagrees with a downloaded one (the go command's
/// fatal `checksum mismatch`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "verifying {}@{}: checksum mismatch\n\tdownloaded: {downloaded}\n\t{file_name}:     {recorded}\n\n{GO_SUM_MISMATCH}",
    .module.path, .module.version
)]
pub struct ChecksumMismatch {
    /// The module version, with a `/go.mod` suffix for go.mod hashes.
    pub module: Version,
    pub downloaded: String,
    pub recorded: String,
    /// `go.sum` or `go.work.sum`.
    pub file_name: String,
}

/// The explanation the go command appends to a go.sum checksum mismatch.
const GO_SUM_MISMATCH: &str = "SECURITY ERROR
This download does NOT match an earlier download recorded in go.sum.
The bits may have been replaced on the origin server, or an attacker may
have intercepted the download attempt.

For more information, see 'go help module-auth'.
";

impl GoSum {
    /// An empty go.sum.
    pub fn new() -> GoSum {
        GoSum::default()
    }

    /// Records `hash` for `module` (whose version may end in `/go.mod`).
    /// Duplicates are kept until writing, as in Go.
    pub fn add(&mut self, module: Version, hash: &str) {
        self.entries
            .entry(module)
            .or_default()
            .push(hash.to_string());
    }

    /// Removes every hash of `module`, returning them.
    pub fn remove(&mut self, module: &Version) -> Option<Vec<String>> {
        self.entries.remove(module)
    }

    /// The hashes recorded for `path` at `version` (which may end in `/go.mod`),
    /// in file order.
    pub fn hashes(&self, path: &str, version: &str) -> &[String] {
        self.entries
            .get(&Version::new(path, version))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of module versions (entries) with at least one hash.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in the go command's order, each with its sorted,
    /// de-duplicated hashes.
    pub fn sorted(&self) -> Vec<(&Version, Vec<&str>)> {
        let mut mods: Vec<&Version> = self.entries.keys().collect();
        // module.Sort; Go's sort is unstable and its map order random, so ties
        // (semver-equal spellings) have no fixed order in Go: break them by
        // the version string to make the output deterministic.
        mods.sort_by(|a, b| module::compare(a, b).then_with(|| a.version.cmp(&b.version)));
        mods.into_iter()
            .map(|m| {
                let mut hashes: Vec<&str> = self.entries[m].iter().map(String::as_str).collect();
                hashes.sort_unstable();
                hashes.dedup();
                (m, hashes)
            })
            .collect()
    }

    /// The go.sum text the go command writes for these entries (`tidyGoSum`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (m, hashes) in self.sorted() {
            for h in hashes {
                out.push_str(&format!("{} {} {}\n", m.path, m.version, h));
            }
        }
        out.into_bytes()
    }

    /// Checks a downloaded hash against go.sum, as `haveModSumLocked` does.
    ///
    /// Returns `Ok(true)` if go.sum lists exactly this hash, `Ok(false)` if it
    /// lists no `h1:` hash for the module (the hash would be added), and a
    /// [`ChecksumMismatch`] if an `h1:` hash listed before any exact match
    /// differs. `file_name` is `go.sum` or `go.work.sum`, for the message.
    pub fn check(
        &self,
        module: &Version,
        hash: &str,
        file_name: &str,
    ) -> Result<bool, ChecksumMismatch> {
        for recorded in self.hashes(&module.path, &module.version) {
            if recorded == hash {
                return Ok(true);
            }
            if recorded.starts_with("h1:") {
                return Err(ChecksumMismatch {
                    module: module.clone(),
                    downloaded: hash.to_string(),
                    recorded: recorded.clone(),
                    file_name: file_name.to_string(),
                });
            }
        }
        Ok(false)
    }
}

impl FromIterator<(Version, String)> for GoSum {
    fn from_iter<I: IntoIterator<Item = (Version, String)>>(iter: I) -> Self {
        let mut sum = GoSum::new();
        for (m, h) in iter {
            sum.add(m, &h);
        }
        sum
    }
}

/// What [`validate`] found wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// Not three fields (fatal for the go command).
    WrongFieldCount(usize),
    /// Not valid UTF-8.
    InvalidUtf8,
    /// The module path fails `module.CheckPath`.
    BadPath,
    /// The version is not a canonical semantic version matching the path's
    /// major suffix, or has a suffix other than `/go.mod`.
    BadVersion,
    /// An `h1:` hash that is not the base64 of 32 bytes.
    BadHash,
    /// A hash with an algorithm other than `h1` (the go command ignores it).
    UnknownAlgorithm,
    /// The empty-go.mod hash the go command silently drops.
    EmptyGoModHash,
    /// The same line appeared earlier (on the given line).
    Duplicate(usize),
    /// Another `h1:` hash for the same module version appeared earlier (on the
    /// given line); the go command reports a checksum mismatch for one of them.
    ConflictingHash(usize),
}

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub file: String,
    pub line: usize,
    pub kind: IssueKind,
    /// A one-line description.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Reports whether `hash` is `h1:` followed by the canonical standard base64
/// of 32 bytes, the only form the go command writes.
pub fn is_valid_h1(hash: &str) -> bool {
    // Hashes are compared as strings, so only the canonical encoding counts.
    hash.strip_prefix("h1:")
        .and_then(|b64| {
            crate::sumdb::go_base64_decode(b64)
                .filter(|raw| raw.len() == 32 && crate::sumdb::go_base64_encode(raw) == b64)
        })
        .is_some()
}

/// Checks every line of go.sum `data` more strictly than the go command,
/// reporting all problems with their line numbers: field count, UTF-8, module
/// path (`module.CheckPath`), version (canonical, matching the path's major
/// suffix, only a `/go.mod` suffix allowed), hash syntax, and duplicate or
/// conflicting entries. A clean file yields no issues.
pub fn validate(file: &str, data: &[u8]) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut seen_lines: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut first_h1: HashMap<(&str, &str), usize> = HashMap::new();
    for (lineno, line) in lines(data) {
        let mut report = |kind: IssueKind, message: String| {
            issues.push(Issue {
                file: file.to_string(),
                line: lineno,
                kind,
                message,
            })
        };
        let f = fields(line);
        if f.is_empty() {
            continue;
        }
        if f.len() != 3 {
            report(
                IssueKind::WrongFieldCount(f.len()),
                format!("wrong number of fields {}", f.len()),
            );
            continue;
        }
        let Some([path, version, hash]) = utf8_fields(&f) else {
            report(IssueKind::InvalidUtf8, "invalid UTF-8".to_string());
            continue;
        };

        if let Err(e) = module::check_path(path) {
            report(IssueKind::BadPath, e.to_string());
        } else if let Some(problem) = version_problem(path, version) {
            report(IssueKind::BadVersion, problem);
        }

        if hash == EMPTY_GO_MOD_HASH {
            report(
                IssueKind::EmptyGoModHash,
                "hash of an empty go.mod (an old go command bug); the go command drops this line"
                    .to_string(),
            );
            continue;
        }
        match hash.split_once(':') {
            Some(("h1", _)) if is_valid_h1(hash) => {}
            Some(("h1", _)) => report(
                IssueKind::BadHash,
                format!(
                    "malformed hash {}: want \"h1:\" and the base64 of 32 bytes",
                    crate::quote::quote(hash)
                ),
            ),
            Some((alg, _)) if !alg.is_empty() => report(
                IssueKind::UnknownAlgorithm,
                format!(
                    "unknown hash algorithm {} (the go command ignores it)",
                    crate::quote::quote(alg)
                ),
            ),
            _ => report(
                IssueKind::BadHash,
                format!(
                    "malformed hash {}: want \"h1:\" and the base64 of 32 bytes",
                    crate::quote::quote(hash)
                ),
            ),
        }

        match seen_lines.entry((path, version, hash)) {
            Entry::Occupied(first) => {
                let first = *first.get();
                report(
                    IssueKind::Duplicate(first),
                    format!("duplicate of line {first}"),
                );
                continue;
            }
            Entry::Vacant(v) => {
                v.insert(lineno);
            }
        }
        if hash.starts_with("h1:") {
            match first_h1.entry((path, version)) {
                Entry::Occupied(first) => {
                    let first = *first.get();
                    report(
                        IssueKind::ConflictingHash(first),
                        format!("{path} {version}: conflicting hash (line {first} has another)"),
                    );
                }
                Entry::Vacant(v) => {
                    v.insert(lineno);
                }
            }
        }
    }
    issues
}

/// Why `version` is not acceptable in a go.sum line for `path`, if it is not.
fn version_problem(path: &str, version: &str) -> Option<String> {
    let (base, suffix) = match version.find('/') {
        Some(i) => version.split_at(i),
        None => (version, ""),
    };
    if !suffix.is_empty() && suffix != GO_MOD_SUFFIX {
        return Some(format!(
            "version {}: unexpected suffix {} (only \"/go.mod\" is allowed)",
            crate::quote::quote(version),
            crate::quote::quote(suffix)
        ));
    }
    if let Err(e) = module::check(path, base) {
        return Some(e.to_string());
    }
    let canonical = module::canonical_version(base);
    if canonical != base {
        return Some(format!(
            "version {} is not canonical (want {})",
            crate::quote::quote(base),
            crate::quote::quote(&canonical)
        ));
    }
    None
}

#[cfg(test)]
mod tests;
