//! The doctor's report: one line per check with its timing, then the
//! findings with their exact fixes; or the same content as JSON
//! (`{"verdict", "checks", "findings", "unverified"}`). The verdict is
//! `broken` when any finding would make downloads fail; else `unverified`
//! when a check Go's downloads depend on could not run (a probe that did not
//! happen proves nothing, so it must never read as `ok`); else `degraded`
//! when a finding makes them slow, insecure or fragile; else `ok`. The exit
//! code is 1 for `broken`, 3 for `unverified`, 0 for `ok` and `degraded` (2
//! is the CLI's for usage errors).

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::explain::json::FindingsJson;

use crate::checks::{Check, Status};
use crate::finding::{Finding, Severity};

/// The doctor's JSON: the shape shared with explain (verdict, checks,
/// findings; see `explain::json`), then the doctor's own keys.
#[derive(Serialize)]
struct JsonReport<'a> {
    verdict: &'static str,
    checks: Vec<JsonCheck<'a>>,
    findings: FindingsJson<'a>,
    /// What could not be verified (empty unless the verdict is `unverified`
    /// or `broken`).
    unverified: &'a [String],
    elapsed_ms: f64,
    settings: &'a [String],
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    check: &'static str,
    target: &'a str,
    status: &'static str,
    ms: Option<f64>,
    detail: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Degraded,
    /// Nothing is known to be broken, but a needed check could not run.
    Unverified,
    Broken,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Degraded => "degraded",
            Verdict::Unverified => "unverified",
            Verdict::Broken => "broken",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    /// The settings in force, one `VAR=value (source)` line each.
    pub settings: Vec<String>,
    pub checks: Vec<Check>,
    /// Most severe first.
    pub findings: Vec<Finding>,
    /// Checks Go's downloads depend on that could not run: "what: why".
    pub unverified: Vec<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn new(
        settings: Vec<String>,
        checks: Vec<Check>,
        mut findings: Vec<Finding>,
        elapsed: Duration,
    ) -> Report {
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        Report {
            settings,
            checks,
            findings,
            unverified: Vec::new(),
            elapsed,
        }
    }

    /// Records checks that could not run (see [`Verdict::Unverified`]).
    pub fn with_unverified(mut self, unverified: Vec<String>) -> Report {
        for u in unverified {
            if !self.unverified.contains(&u) {
                self.unverified.push(u);
            }
        }
        self
    }

    /// A report for a failure of the doctor itself.
    pub fn internal_error(msg: String) -> Report {
        Report {
            settings: Vec::new(),
            checks: vec![Check {
                kind: "config",
                target: "doctor".into(),
                status: Status::Fail,
                elapsed: None,
                detail: msg.clone(),
            }],
            findings: Vec::new(),
            unverified: vec![format!("everything: the doctor could not run ({msg})")],
            elapsed: Duration::ZERO,
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Broken) => Verdict::Broken,
            _ if !self.unverified.is_empty() => Verdict::Unverified,
            Some(Severity::Degraded) => Verdict::Degraded,
            _ => Verdict::Ok,
        }
    }

    /// 0 `ok` or `degraded`, 1 `broken`, 3 `unverified` (2 is usage).
    pub fn exit_code(&self) -> i32 {
        match self.verdict() {
            Verdict::Ok | Verdict::Degraded => 0,
            Verdict::Broken => 1,
            Verdict::Unverified => 3,
        }
    }

    /// The lines saying what could not be verified, for text reports.
    pub fn unverified_text(&self) -> String {
        let mut s = String::new();
        for u in &self.unverified {
            let _ = writeln!(s, "  could not verify: {u}");
        }
        s
    }

    /// Findings with this code.
    pub fn with_code(&self, code: crate::finding::Code) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.code == code).collect()
    }

    fn document(&self) -> JsonReport<'_> {
        JsonReport {
            verdict: self.verdict().as_str(),
            checks: self
                .checks
                .iter()
                .map(|c| JsonCheck {
                    check: c.kind,
                    target: &c.target,
                    status: c.status.as_str(),
                    ms: c.elapsed.map(crate::net::ms),
                    detail: &c.detail,
                })
                .collect(),
            findings: FindingsJson(&self.findings),
            unverified: &self.unverified,
            elapsed_ms: crate::net::ms(self.elapsed),
            settings: &self.settings,
        }
    }

    /// The report as a JSON value.
    pub fn to_json(&self) -> Value {
        // Plain strings, numbers and vectors: serialising cannot fail.
        serde_json::to_value(self.document()).unwrap_or(Value::Null)
    }

    /// The report as pretty-printed JSON, keys in the shared order
    /// (verdict, checks, findings, then unverified, elapsed_ms and settings).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.document()).unwrap_or_default()
    }

    /// One line per check: status, kind, target, timing, detail.
    pub fn checks_text(&self) -> String {
        let mut s = String::new();
        for c in &self.checks {
            let t = c
                .elapsed
                .map_or(String::new(), |d| format!("{:>8} ms", crate::net::ms(d)));
            let _ = writeln!(
                s,
                "  {:<4} {:<6} {:<60} {t}  {}",
                c.status.as_str(),
                c.kind,
                c.target,
                c.detail
            );
        }
        s
    }

    /// The findings in the block format shared with explain.
    pub fn findings_text(&self) -> String {
        let mut s = String::new();
        for f in &self.findings {
            let _ = writeln!(s, "{:<8} {}  {}", f.severity.as_str(), f.code, f.target);
            let _ = writeln!(s, "  {}", f.summary);
            for e in &f.evidence {
                let _ = writeln!(s, "  | {e}");
            }
            if !f.fix.is_empty() {
                s.push_str("  fix:\n");
                for x in &f.fix {
                    let _ = writeln!(s, "    {x}");
                }
            }
            s.push('\n');
        }
        s
    }

    /// The readable report: settings, one line per check with its timing,
    /// then the findings in the block format `modgate explain` uses
    /// (docs/doctor.md, "Output"), then the verdict.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "modgate doctor ({} ms)", crate::net::ms(self.elapsed));
        let _ = writeln!(s, "\nsettings");
        for l in &self.settings {
            let _ = writeln!(s, "  {l}");
        }
        let _ = writeln!(s, "\nchecks");
        s.push_str(&self.checks_text());
        s.push('\n');
        if self.findings.is_empty() && self.unverified.is_empty() {
            let _ = writeln!(
                s,
                "no findings: go should be able to download modules here\n"
            );
        }
        s.push_str(&self.findings_text());
        if !self.unverified.is_empty() {
            let _ = writeln!(
                s,
                "not verified (checks go's downloads depend on that could not run):"
            );
            s.push_str(&self.unverified_text());
            s.push('\n');
        }
        let _ = writeln!(s, "verdict: {}", self.verdict().as_str());
        s
    }
}

#[cfg(test)]
mod tests;
