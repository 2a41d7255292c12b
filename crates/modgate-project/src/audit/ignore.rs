//! Ignore files, read from the project directory:
//!
//! * `.modgate-audit.toml`: `[[ignore]]` entries with `code` (a finding code, or
//!   a prefix ending in `*`: `outdated.*`) and/or `id` (a vulnerability ID or
//!   alias), `module` (Go's prefix glob patterns, comma-separated, as GOPRIVATE;
//!   default every module), `reason` (required) and `until` (a date; absent:
//!   no expiry).
//! * osv-scanner's `osv-scanner.toml`: `[[IgnoredVulns]]` with `id`,
//!   `ignoreUntil` and `reason`, read as osv-scanner reads it (an ID or alias).
//!
//! An entry holds while now is before `until`; after it, the findings it matched
//! are reported again, marked with the expired entry, and a notice says so.

use std::path::Path;

use modgate_core::module::UtcTime;
use serde::{Deserialize, Serialize};

use super::{Finding, Report};

pub const AUDIT_IGNORE_FILE: &str = ".modgate-audit.toml";
pub const OSV_SCANNER_FILE: &str = "osv-scanner.toml";

/// The entry that matched a finding, as the JSON shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    /// The ignore file.
    pub file: String,
    pub reason: String,
    /// RFC 3339; empty when the entry does not expire.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub until: String,
    /// The date has passed: the finding counts again.
    pub expired: bool,
}

/// One entry of either file.
#[derive(Debug, Clone)]
pub struct Entry {
    file: String,
    code: Option<String>,
    id: Option<String>,
    module: Option<String>,
    reason: String,
    until: Option<UtcTime>,
}

impl Entry {
    fn matches(&self, f: &Finding) -> bool {
        let code = self
            .code
            .as_deref()
            .is_none_or(|c| match c.strip_suffix('*') {
                Some(prefix) => f.code.starts_with(prefix),
                None => f.code == c,
            });
        let id = self.id.as_deref().is_none_or(|id| {
            f.id.as_deref() == Some(id) || f.aliases.iter().flatten().any(|a| a == id)
        });
        let module = self
            .module
            .as_deref()
            .is_none_or(|m| modgate_core::pattern::match_prefix_patterns(m, &f.module));
        code && id && module
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModgateFile {
    #[serde(default)]
    ignore: Vec<ModgateEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModgateEntry {
    code: Option<String>,
    id: Option<String>,
    module: Option<String>,
    reason: Option<String>,
    until: Option<toml::Value>,
}

// osv-scanner ignores the keys it does not know (PackageOverrides, ...).
#[derive(Deserialize)]
struct OsvFile {
    #[serde(default, rename = "IgnoredVulns")]
    ignored_vulns: Vec<OsvEntry>,
}

#[derive(Deserialize)]
struct OsvEntry {
    id: Option<String>,
    #[serde(rename = "ignoreUntil")]
    ignore_until: Option<toml::Value>,
    #[serde(default)]
    reason: String,
}

/// A TOML date, date-time or string as a UTC time: a date is its first instant
/// (UTC), a time without offset is taken as UTC.
fn parse_until(file: &str, n: usize, v: &toml::Value) -> Result<UtcTime, String> {
    let s = match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "{file}: entry {n}: the expiry date is a {}, not a date",
                other.type_str()
            ));
        }
    };
    let full = match s.len() {
        10 => format!("{s}T00:00:00Z"),
        19 => format!("{s}Z"),
        _ => s.replace(' ', "T"),
    };
    UtcTime::parse_rfc3339(&full).ok_or_else(|| {
        format!("{file}: entry {n}: {s:?} is not a date (want 2026-12-31 or an RFC 3339 time)")
    })
}

/// The entries of the ignore files in `dir` (none when neither exists). A file
/// that cannot be read or makes no sense is an error: ignoring less than asked
/// would be as wrong as ignoring more.
pub fn load(dir: &Path) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    let read = |name: &str| -> Result<Option<(String, String)>, String> {
        let p = dir.join(name);
        match std::fs::read_to_string(&p) {
            Ok(s) => Ok(Some((p.display().to_string(), s))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("reading {}: {e}", p.display())),
        }
    };
    if let Some((file, text)) = read(AUDIT_IGNORE_FILE)? {
        let parsed: ModgateFile = toml::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        for (i, e) in parsed.ignore.into_iter().enumerate() {
            let n = i + 1;
            if e.code.is_none() && e.id.is_none() {
                return Err(format!(
                    "{file}: entry {n} has neither `code` nor `id`: it would ignore everything"
                ));
            }
            if let Some(c) = &e.code {
                let base = c.strip_prefix("tool.").unwrap_or(c);
                let known = match base.strip_suffix('*') {
                    Some(prefix) => super::sarif::CODES
                        .iter()
                        .any(|(k, _, _)| k.starts_with(prefix)),
                    None => super::sarif::CODES.iter().any(|(k, _, _)| *k == base),
                };
                if !known {
                    return Err(format!("{file}: entry {n}: unknown finding code {c:?}"));
                }
            }
            let reason = match e.reason {
                Some(r) if !r.trim().is_empty() => r,
                _ => return Err(format!("{file}: entry {n} has no `reason`")),
            };
            let until = e
                .until
                .as_ref()
                .map(|u| parse_until(&file, n, u))
                .transpose()?;
            out.push(Entry {
                file: file.clone(),
                code: e.code,
                id: e.id,
                module: e.module,
                reason,
                until,
            });
        }
    }
    if let Some((file, text)) = read(OSV_SCANNER_FILE)? {
        let parsed: OsvFile = toml::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        for (i, e) in parsed.ignored_vulns.into_iter().enumerate() {
            let n = i + 1;
            let Some(id) = e.id.filter(|id| !id.is_empty()) else {
                return Err(format!("{file}: [[IgnoredVulns]] entry {n} has no `id`"));
            };
            let until = e
                .ignore_until
                .as_ref()
                .map(|u| parse_until(&file, n, u))
                .transpose()?;
            out.push(Entry {
                file: file.clone(),
                code: None,
                id: Some(id),
                module: None,
                reason: e.reason,
                until,
            });
        }
    }
    Ok(out)
}

/// Moves the findings a holding entry matches to `report.ignored`; findings only
/// an expired entry matches stay, marked, with a notice.
/// `now` is in Unix seconds.
pub fn apply(entries: &[Entry], now: i64, report: &mut Report) {
    let mut kept = Vec::new();
    for mut f in std::mem::take(&mut report.findings) {
        let matching: Vec<&Entry> = entries.iter().filter(|e| e.matches(&f)).collect();
        let holding = matching
            .iter()
            .find(|e| e.until.is_none_or(|u| now < u.to_unix()));
        let mark = |e: &Entry, expired| Matched {
            file: e.file.clone(),
            reason: e.reason.clone(),
            until: e.until.map(|u| u.format_rfc3339()).unwrap_or_default(),
            expired,
        };
        if let Some(e) = holding {
            f.ignore = Some(mark(e, false));
            report.ignored.push(f);
        } else if let Some(e) = matching.first() {
            let m = mark(e, true);
            report.notices.push(format!(
                "{}: the entry ignoring {} {}@{} expired on {} ({}): reported again",
                m.file, f.code, f.module, f.version, m.until, m.reason
            ));
            f.ignore = Some(m);
            kept.push(f);
        } else {
            kept.push(f);
        }
    }
    report.findings = kept;
}

/// Now in Unix seconds, for [`apply`].
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Severity;

    fn finding(code: &'static str, module: &str, id: Option<&str>) -> Finding {
        let mut f = Finding::new(code, Severity::Error, module, "v1.0.0");
        f.id = id.map(str::to_owned);
        f.aliases = id.map(|id| vec![id.replace("GO-", "CVE-")]);
        f
    }

    fn at(date: &str) -> i64 {
        UtcTime::parse_rfc3339(date).unwrap().to_unix()
    }

    #[test]
    fn entries_match_hold_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(AUDIT_IGNORE_FILE),
            "[[ignore]]\nid = \"CVE-2026-0001\"\nreason = \"r1\"\nuntil = 2026-06-01\n\n\
             [[ignore]]\ncode = \"outdated.*\"\nmodule = \"example.com/a,golang.org/x/*\"\nreason = \"r2\"\n\n\
             [[ignore]]\ncode = \"tool.retracted\"\nreason = \"r3\"\nuntil = \"2026-01-01T12:00:00Z\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(OSV_SCANNER_FILE),
            "[[PackageOverrides]]\nname = \"x\"\n\n[[IgnoredVulns]]\nid = \"GO-2026-0002\"\nignoreUntil = 2026-03-04T05:06:07+01:00\n",
        )
        .unwrap();
        let entries = load(dir.path()).unwrap();
        assert_eq!(entries.len(), 4);
        let report = |now: &str| {
            let mut r = Report {
                findings: vec![
                    finding("vuln.module", "example.com/v", Some("GO-2026-0001")),
                    finding("vuln.module", "example.com/w", Some("GO-2026-0002")),
                    finding("outdated.patch", "example.com/a/sub", None),
                    finding("outdated.patch", "golang.org/x/net", None),
                    finding("outdated.patch", "example.com/b", None),
                    finding("tool.retracted", "example.com/t", None),
                ],
                ..Report::default()
            };
            apply(&entries, at(now), &mut r);
            r
        };
        let early = report("2026-01-01T00:00:00Z");
        let kept: Vec<&str> = early.findings.iter().map(|f| f.module.as_str()).collect();
        assert_eq!(kept, ["example.com/b"]);
        assert_eq!(early.ignored.len(), 5);
        assert!(early.notices.is_empty());
        // The osv-scanner date is in +01:00: 04:06:07 UTC.
        assert_eq!(
            early.ignored[1].ignore.as_ref().unwrap().until,
            "2026-03-04T04:06:07Z"
        );
        let late = report("2026-07-01T00:00:00Z");
        let kept: Vec<(&str, bool)> = late
            .findings
            .iter()
            .map(|f| {
                (
                    f.module.as_str(),
                    f.ignore.as_ref().is_some_and(|i| i.expired),
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("example.com/v", true),
                ("example.com/w", true),
                ("example.com/b", false),
                ("example.com/t", true)
            ]
        );
        assert_eq!(late.notices.len(), 3);
        assert_eq!(
            late.ignored.len(),
            2,
            "the entry without a date still holds"
        );
    }

    #[test]
    fn files_that_make_no_sense_are_errors() {
        let bad = |name: &str, text: &str, want: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(name), text).unwrap();
            let e = load(dir.path()).unwrap_err();
            assert!(e.contains(want), "{e}");
        };
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\nreason = \"x\"\n",
            "neither `code` nor `id`",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\ncode = \"vuln.module\"\n",
            "entry 1 has no `reason`",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\ncode = \"nope\"\nreason = \"x\"\n",
            "unknown finding code",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\ncode = \"nope.*\"\nreason = \"x\"\n",
            "unknown finding code",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\nid = \"X\"\nreason = \"x\"\nuntil = \"soon\"\n",
            "\"soon\" is not a date",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\nid = \"X\"\nreason = \"x\"\nuntil = 3\n",
            "not a date",
        );
        bad(
            AUDIT_IGNORE_FILE,
            "[[ignore]]\nid = \"X\"\nreason = \"x\"\ncomment = \"y\"\n",
            "unknown field",
        );
        bad(AUDIT_IGNORE_FILE, "[[ignore]\n", AUDIT_IGNORE_FILE);
        bad(
            OSV_SCANNER_FILE,
            "[[IgnoredVulns]]\nreason = \"x\"\n",
            "has no `id`",
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(load(empty.path()).unwrap().is_empty());
    }
}
