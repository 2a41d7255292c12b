//! The readable rendering of an explanation: one block per finding with its
//! code, severity and target, the cause, the evidence, and the fix commands;
//! then the verdict. Unknown text says "no known cause" and shows the lines
//! it could not place, rather than guessing.

use std::fmt::Write;

use super::{Explanation, SuggestedCheck};
use crate::report::Report;

/// Renders the explanation as text. `with_checks` lists the doctor checks
/// that would confirm the findings; without it, one line offers to run them
/// (`modgate explain --check`).
pub fn to_text(e: &Explanation, with_checks: bool) -> String {
    render(
        e,
        if with_checks {
            Checks::List
        } else {
            Checks::Offer
        },
    )
}

/// The explanation, then what the doctor checks saw on this machine
/// (`modgate explain --check`): one line per check with its timing, the
/// findings they led to, and the doctor's verdict.
pub fn to_text_checked(e: &Explanation, doctor: &Report) -> String {
    render(e, Checks::Ran(doctor))
}

enum Checks<'a> {
    Offer,
    List,
    Ran(&'a Report),
}

fn render(e: &Explanation, checks: Checks<'_>) -> String {
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
    match checks {
        Checks::List => out.push_str(&checks_text(&e.suggested_checks())),
        Checks::Offer => {
            let n = e.suggested_checks().len();
            if n > 0 {
                let _ = writeln!(
                    out,
                    "`modgate explain --check` runs the {n} matching doctor check{} on this machine.\n",
                    if n == 1 { "" } else { "s" }
                );
            }
        }
        Checks::Ran(r) => out.push_str(&ran_text(e, r)),
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

/// What the doctor checks saw, for `--check`.
fn ran_text(e: &Explanation, r: &Report) -> String {
    let mut out = String::new();
    if r.checks.is_empty() {
        out.push_str(&checks_text(&e.suggested_checks()));
        return out;
    }
    let _ = writeln!(
        out,
        "doctor checks on this machine ({} ms):",
        crate::net::ms(r.elapsed)
    );
    out.push_str(&r.checks_text());
    out.push('\n');
    if r.findings.is_empty() && r.unverified.is_empty() {
        out.push_str("the doctor checks found nothing wrong here now: the failure did not reproduce on this machine (another network, or it has been fixed).\n\n");
    } else if !r.findings.is_empty() {
        out.push_str("the doctor checks found:\n\n");
        out.push_str(&r.findings_text());
    }
    if !r.unverified.is_empty() {
        out.push_str("the doctor checks could not verify everything, so the failure is neither confirmed nor ruled out:\n");
        out.push_str(&r.unverified_text());
        out.push('\n');
    }
    let _ = writeln!(out, "doctor verdict: {}", r.verdict().as_str());
    out
}
