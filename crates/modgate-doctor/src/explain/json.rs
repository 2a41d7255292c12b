//! The JSON shape shared by `modgate doctor --json` and `modgate explain
//! --json`:
//!
//! ```json
//! {"verdict": "ok|degraded|broken", "checks": [...],
//!  "findings": [{"code", "severity", "target", "summary", "evidence": [...], "fix": [...]}]}
//! ```
//!
//! [`ReportJson`] is generic over the check type so the doctor can put its
//! own check records in `checks`; [`FindingJson`] serialises a [`Finding`]
//! without requiring serde on the finding types themselves. explain adds
//! `platform`, `unexplained` and `suggested_checks` after the shared keys,
//! and uses the verdict `unknown` when it recognised nothing.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{Explanation, Platform, SuggestedCheck};
use crate::finding::{Finding, Severity};
use crate::report::Report;

/// The overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Degraded,
    Broken,
    /// explain only: the text matched no known cause.
    Unknown,
}

impl Verdict {
    /// `Broken` if any finding is broken, `Degraded` if any is degraded,
    /// else `Ok` (info findings do not change the verdict).
    pub fn from_findings(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Broken) => Verdict::Broken,
            Some(Severity::Degraded) => Verdict::Degraded,
            _ => Verdict::Ok,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Degraded => "degraded",
            Verdict::Broken => "broken",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A finding in its JSON form (code and severity as their stable strings).
pub struct FindingJson<'a>(pub &'a Finding);

impl Serialize for FindingJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut st = s.serialize_struct("Finding", 6)?;
        st.serialize_field("code", f.code.as_str())?;
        st.serialize_field("severity", f.severity.as_str())?;
        st.serialize_field("target", &f.target)?;
        st.serialize_field("summary", &f.summary)?;
        st.serialize_field("evidence", &f.evidence)?;
        st.serialize_field("fix", &f.fix)?;
        st.end()
    }
}

/// A list of findings in their JSON form.
pub struct FindingsJson<'a>(pub &'a [Finding]);

impl Serialize for FindingsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            seq.serialize_element(&FindingJson(f))?;
        }
        seq.end()
    }
}

/// The shared report: verdict, checks (any serialisable record), findings.
#[derive(Serialize)]
pub struct ReportJson<'a, C: Serialize> {
    pub verdict: Verdict,
    pub checks: &'a [C],
    pub findings: FindingsJson<'a>,
}

impl<'a, C: Serialize> ReportJson<'a, C> {
    /// A report whose verdict follows from the findings.
    pub fn new(checks: &'a [C], findings: &'a [Finding]) -> Self {
        ReportJson {
            verdict: Verdict::from_findings(findings),
            checks,
            findings: FindingsJson(findings),
        }
    }
}

/// explain's JSON: the shared keys, then what only explain knows.
#[derive(Serialize)]
struct ExplainJson<'a> {
    verdict: Verdict,
    /// Empty unless `--check` ran the doctor checks: then their lines, in
    /// the doctor's JSON form.
    checks: serde_json::Value,
    findings: FindingsJson<'a>,
    platform: Option<&'a Platform>,
    unexplained: &'a [String],
    suggested_checks: Vec<SuggestedCheck>,
    /// With `--check`: the doctor's verdict, findings, what it could not
    /// verify and time for those checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    doctor: Option<serde_json::Value>,
}

fn document<'a>(e: &'a Explanation, checked: Option<&Report>) -> ExplainJson<'a> {
    let (checks, doctor) = match checked.map(Report::to_json) {
        Some(v) => (
            v["checks"].clone(),
            Some(serde_json::json!({
                "verdict": v["verdict"],
                "findings": v["findings"],
                "unverified": v["unverified"],
                "elapsed_ms": v["elapsed_ms"],
            })),
        ),
        None => (serde_json::Value::Array(Vec::new()), None),
    };
    ExplainJson {
        verdict: e.verdict(),
        checks,
        findings: FindingsJson(&e.findings),
        platform: e.platform.as_ref(),
        unexplained: &e.unexplained,
        suggested_checks: e.suggested_checks(),
        doctor,
    }
}

/// The explanation as a JSON value.
pub fn to_value(e: &Explanation) -> serde_json::Value {
    // Serialising plain strings, vectors and maps cannot fail.
    serde_json::to_value(document(e, None)).unwrap_or(serde_json::Value::Null)
}

/// With the doctor checks `--check` ran: `checks` holds their lines and
/// `doctor` their verdict, findings and time.
pub fn to_value_checked(e: &Explanation, doctor: &Report) -> serde_json::Value {
    serde_json::to_value(document(e, Some(doctor))).unwrap_or(serde_json::Value::Null)
}

/// [`to_value_checked`] as pretty-printed text, keys in the shared order.
pub fn to_string_pretty_checked(e: &Explanation, doctor: &Report) -> String {
    serde_json::to_string_pretty(&document(e, Some(doctor))).unwrap_or_default()
}

/// The explanation as pretty-printed JSON text, keys in the shared order
/// (verdict, checks, findings, then explain's own).
pub fn to_string_pretty(e: &Explanation) -> String {
    serde_json::to_string_pretty(&document(e, None)).unwrap_or_default()
}
