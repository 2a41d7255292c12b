//! The readable rendering of an explanation: one block per finding with its
//! code, severity and target, the cause, the evidence, and the fix commands;
//! then the verdict. Unknown text says "no known cause" and shows the lines
//! it could not place, rather than guessing.

use std::fmt::Write;

use super::{Explanation, SuggestedCheck};

/// Renders the explanation as text. `with_checks` adds the doctor checks
/// that would confirm the findings.
pub fn to_text(e: &Explanation, with_checks: bool) -> String {
    let mut out = String::new();
    if let Some(p) = &e.platform {
        let _ = writeln!(
            out,
            "platform: {} (\"{}\" is {})",
            p.os.describe(),
            p.evidence,
            p.reason
        );
        out.push('\n');
    }
    if e.findings.is_empty() {
        out.push_str("no known cause: modgate explain does not recognise this error text.\n");
        if !e.unexplained.is_empty() {
            out.push_str("lines it could not place:\n");
            for l in &e.unexplained {
                let _ = writeln!(out, "  {l}");
            }
        }
        out.push_str("`modgate doctor` checks this machine's settings and network directly.\n");
        return out;
    }
    for f in &e.findings {
        let _ = writeln!(out, "{:<8} {}  {}", f.severity.as_str(), f.code, f.target);
        let _ = writeln!(out, "  {}", f.summary);
        for ev in &f.evidence {
            let _ = writeln!(out, "  | {ev}");
        }
        if !f.fix.is_empty() {
            out.push_str("  fix:\n");
            for cmd in &f.fix {
                let _ = writeln!(out, "    {cmd}");
            }
        }
        out.push('\n');
    }
    if !e.unexplained.is_empty() {
        out.push_str("also printed, cause not recognised:\n");
        for l in &e.unexplained {
            let _ = writeln!(out, "  {l}");
        }
        out.push('\n');
    }
    if with_checks {
        out.push_str(&checks_text(&e.suggested_checks()));
    }
    let _ = writeln!(out, "verdict: {}", e.verdict().as_str());
    out
}

/// The doctor checks, one per line.
pub fn checks_text(checks: &[SuggestedCheck]) -> String {
    let mut out = String::new();
    if checks.is_empty() {
        out.push_str(
            "no doctor check applies: these findings are about local files, not the network.\n\n",
        );
        return out;
    }
    out.push_str("doctor checks that would confirm this on this machine:\n");
    for c in checks {
        let _ = writeln!(out, "  {:<8} {}  ({})", c.check, c.target, c.what);
    }
    out.push('\n');
    out
}
