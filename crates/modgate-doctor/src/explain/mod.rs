//! # explain: why a go command failed, from the text it printed
//!
//! [`explain`] takes what a failed `go` command printed (pasted, possibly
//! with shell prompts and progress lines) and returns one [`Finding`] per
//! distinct failure: the stable code the doctor uses, the severity, the
//! target (module, host, endpoint, proxy URL, setting), a sentence naming the
//! cause, the line that shows it, and the exact commands that fix it. It
//! also names the platform when the text gives it away (errno texts differ:
//! see [`platform`]). No network access: only the text is read.
//!
//! Pipeline: [`record`] splits the text into one record per failure;
//! `classify` names the causes of each (cmd/go, git/ssh, then standard
//! library texts, most specific first); `advice` turns a cause into a
//! finding with fixes built from the names in the text (`fix`). Findings
//! with the same code and target are merged, keeping each record's line as
//! evidence. Text that matches nothing is reported as unexplained rather
//! than guessed at.
//!
//! [`json`] renders the result in the doctor's JSON shape and [`render`] as
//! text; [`checks`] says which doctor checks would confirm each finding, and
//! [`crate::confirm`] runs them (`modgate explain --check`).

mod advice;
pub mod checks;
mod classify;
mod fix;
pub mod json;
pub mod platform;
mod record;
pub mod render;
pub(crate) mod scan;

use crate::finding::{Code, Finding};

pub use checks::SuggestedCheck;
pub use json::{FindingJson, Verdict};
pub use platform::{Os, Platform};

/// At most this many evidence lines per finding (the rest are counted).
const MAX_EVIDENCE: usize = 4;

/// What explain made of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The platform the text came from, when it says.
    pub platform: Option<Platform>,
    /// One finding per distinct cause, in the order they first appear.
    pub findings: Vec<Finding>,
    /// Error lines no rule recognised (first line of each record).
    pub unexplained: Vec<String>,
}

impl Explanation {
    /// `Broken`/`Degraded`/`Ok` from the worst finding, or `Unknown` when
    /// nothing was recognised.
    pub fn verdict(&self) -> Verdict {
        if self.findings.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::from_findings(&self.findings)
        }
    }

    /// The doctor checks that would confirm these findings on this machine.
    pub fn suggested_checks(&self) -> Vec<SuggestedCheck> {
        checks::suggest(&self.findings)
    }

    /// The codes found, in order.
    pub fn codes(&self) -> Vec<Code> {
        self.findings.iter().map(|f| f.code).collect()
    }
}

/// Explains the output of a failed go command.
pub fn explain(text: &str) -> Explanation {
    let platform = platform::detect(text);
    let mut findings: Vec<Finding> = Vec::new();
    let mut unexplained = Vec::new();
    for rec in record::split(text) {
        let body = rec.text();
        let ctx = classify::Ctx::of(&body);
        let causes = classify::causes(&body, &ctx);
        if causes.is_empty() {
            let line = rec.first_line();
            if !unexplained.iter().any(|u: &String| u == line) {
                unexplained.push(line.to_string());
            }
            continue;
        }
        for cause in causes {
            let a = advice::advise(&cause, &ctx, platform.as_ref());
            let evidence = evidence(&rec, a.key.as_deref(), &cause, platform.as_ref());
            merge(
                &mut findings,
                Finding {
                    code: a.code,
                    severity: a.severity,
                    target: a.target,
                    summary: a.summary,
                    evidence,
                    fix: a.fix,
                },
            );
        }
    }
    for f in &mut findings {
        cap_evidence(&mut f.evidence);
    }
    Explanation {
        platform,
        findings,
        unexplained,
    }
}

/// The record's first line, the line holding the key text when it is a
/// different one, and the platform when the cause depends on it.
fn evidence(
    rec: &record::Record,
    key: Option<&str>,
    cause: &classify::Cause,
    platform: Option<&Platform>,
) -> Vec<String> {
    let mut out = vec![rec.first_line().to_string()];
    if let Some(k) = key
        && let Some(l) = rec
            .lines
            .iter()
            .skip(1)
            .map(|l| l.trim())
            .find(|l| l.contains(k))
        && !out.iter().any(|o| o == l)
    {
        out.push(l.to_string());
    }
    let platform_matters = matches!(
        cause,
        classify::Cause::NotConnected { .. } | classify::Cause::Tcp { .. }
    );
    if platform_matters
        && let Some(p) = platform
        && rec.text().contains(&p.evidence)
    {
        out.push(format!(
            "platform: {} (\"{}\" is {})",
            p.os.describe(),
            p.evidence,
            p.reason
        ));
    }
    out
}

/// Adds a finding, merging it into an earlier one with the same code and
/// target (the same failure repeated for many modules).
fn merge(findings: &mut Vec<Finding>, f: Finding) {
    if let Some(existing) = findings
        .iter_mut()
        .find(|e| e.code == f.code && e.target == f.target)
    {
        for line in f.evidence {
            if !existing.evidence.contains(&line) {
                existing.evidence.push(line);
            }
        }
        if f.severity > existing.severity {
            existing.severity = f.severity;
        }
        return;
    }
    findings.push(f);
}

fn cap_evidence(evidence: &mut Vec<String>) {
    if evidence.len() > MAX_EVIDENCE {
        let more = evidence.len() - MAX_EVIDENCE;
        evidence.truncate(MAX_EVIDENCE);
        evidence.push(format!("(and {more} more lines like these)"));
    }
}

#[cfg(test)]
mod tests;
