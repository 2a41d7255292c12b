//! The report as SARIF 2.1.0 (OASIS), the format code-scanning dashboards import:
//! one run, a rule per finding code, a result per finding with its level from the
//! severity and, when known, the go.mod line that brings the module in. Ignored
//! findings are results with an external suppression (their justification the
//! ignore file's reason), which dashboards show as dismissed.

use serde_json::{Value, json};

use super::{Finding, Report, Severity};

/// Where the SARIF 2.1.0 JSON schema is published (what `$schema` names).
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

/// Every finding code: its severity and what it means (SARIF rule descriptions,
/// and the table of docs/audit.md). `tool.` codes are these for tool dependencies.
pub const CODES: &[(&str, Severity, &str)] = &[
    (
        "integrity.gosum-missing",
        Severity::Error,
        "go.sum has no line for a go.mod the module graph reads",
    ),
    (
        "integrity.gosum-mismatch",
        Severity::Error,
        "a go.sum hash is not the hash of the verified file",
    ),
    (
        "integrity.sumdb-mismatch",
        Severity::Error,
        "the checksum database has another hash for a module version than the proxy served",
    ),
    (
        "integrity.modcache-modified",
        Severity::Error,
        "an extracted module in the module cache no longer has its go.sum hash",
    ),
    (
        "integrity.gosum-extra",
        Severity::Warning,
        "a go.sum line for a module version the build does not use",
    ),
    (
        "vuln.module",
        Severity::Error,
        "a module version in the build list is affected by a known vulnerability",
    ),
    (
        "vuln.package",
        Severity::Error,
        "the project imports a package affected by a known vulnerability",
    ),
    (
        "vuln.stdlib",
        Severity::Error,
        "the Go toolchain that builds the project has a known vulnerability",
    ),
    (
        "retracted",
        Severity::Warning,
        "the version in use is retracted by its author",
    ),
    (
        "deprecated",
        Severity::Warning,
        "the module is deprecated by its author",
    ),
    (
        "unmaintained",
        Severity::Warning,
        "the module has published no release for a long time",
    ),
    (
        "replace.local",
        Severity::Warning,
        "the module is replaced by a local directory",
    ),
    (
        "replace.fork",
        Severity::Warning,
        "the module is replaced by another module (a fork)",
    ),
    (
        "outdated.patch",
        Severity::Info,
        "a newer patch release is out",
    ),
    (
        "outdated.minor",
        Severity::Info,
        "a newer minor release is out",
    ),
    (
        "outdated.major",
        Severity::Info,
        "a newer major version is out",
    ),
    (
        "pseudo-version",
        Severity::Info,
        "the module is at a pseudo-version: an untagged commit",
    ),
];

/// What `code` means (a `tool.` code: the same, for a tool dependency).
pub fn describe(code: &str) -> String {
    let (base, tool) = match code.strip_prefix("tool.") {
        Some(b) => (b, " (a dependency of a tool directive)"),
        None => (code, ""),
    };
    let text = CODES
        .iter()
        .find(|(c, _, _)| *c == base)
        .map_or("a finding of modgate audit", |(_, _, d)| *d);
    format!("{text}{tool}")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The report as a SARIF log. Locations are relative to the project directory
/// (the `%SRCROOT%` base); when checks could not run the invocation is not
/// successful, with the errors as notifications.
pub fn log(report: &Report, tool_version: &str) -> Value {
    let root = &report.root;
    let all: Vec<(&Finding, bool)> = report
        .findings
        .iter()
        .map(|f| (f, false))
        .chain(report.ignored.iter().map(|f| (f, true)))
        .collect();
    let mut codes: Vec<&str> = Vec::new();
    for (f, _) in &all {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    codes.sort_unstable();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            let severity = all
                .iter()
                .find(|(f, _)| f.code == *code)
                .map_or(Severity::Info, |(f, _)| f.severity);
            json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": describe(code)},
                "defaultConfiguration": {"level": level(severity)},
            })
        })
        .collect();
    let results: Vec<Value> = all
        .iter()
        .map(|(f, ignored)| {
            let mut r = json!({
                "ruleId": f.code,
                "ruleIndex": codes.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": format!("{}\nEvidence: {}\nFix: {}", f.summary, f.evidence, f.fix)},
                "partialFingerprints": {
                    "modgateFinding/v1": format!("{}|{}|{}|{}", f.code, f.module, f.version, f.id.as_deref().unwrap_or("")),
                },
                "properties": serde_json::to_value(f).unwrap_or(Value::Null),
            });
            if let (Some(file), Some(line)) = (&f.file, f.line) {
                r["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": file.replace('\\', "/"), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": line},
                    },
                    "logicalLocations": [{"name": f.module, "kind": "module"}],
                }]);
            } else {
                r["locations"] = json!([{
                    "logicalLocations": [{"name": f.module, "kind": "module"}],
                }]);
            }
            if *ignored {
                let reason = f.ignore.as_ref().map(|i| i.reason.clone()).unwrap_or_default();
                r["suppressions"] = json!([{"kind": "external", "justification": reason}]);
            }
            r
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": e}}))
        .chain(
            report
                .notices
                .iter()
                .map(|n| json!({"level": "note", "message": {"text": n}})),
        )
        .collect();
    let root_uri = format!(
        "file://{}/",
        root.to_string_lossy()
            .trim_end_matches('/')
            .replace('\\', "/")
    );
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "modgate audit",
                "version": tool_version,
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// A SARIF log for an audit that could not run: no results, an unsuccessful
/// invocation saying why.
pub fn failed(error: &str, tool_version: &str) -> Value {
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "modgate audit",
                "version": tool_version,
                "rules": [],
            }},
            "invocations": [{
                "executionSuccessful": false,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": error}}],
            }],
            "results": [],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_as_sarif_2_1_0_has_it() {
        let mut located = Finding::new("vuln.module", Severity::Error, "example.com/v", "v1.2.0");
        located.summary = "a flaw".into();
        located.file = Some("sub/go.mod".into());
        located.line = Some(7);
        let mut ignored = Finding::new("outdated.patch", Severity::Info, "example.com/b", "v1.0.0");
        ignored.ignore = Some(super::super::ignore::Matched {
            file: ".modgate-audit.toml".into(),
            reason: "later".into(),
            until: String::new(),
            expired: false,
        });
        let report = Report {
            findings: vec![
                located,
                Finding::new(
                    "tool.retracted",
                    Severity::Warning,
                    "example.com/t",
                    "v0.1.0",
                ),
            ],
            ignored: vec![ignored],
            errors: vec!["example.com/x/@v/list: refused".into()],
            root: "/work/app".into(),
            ..Report::default()
        };
        let s = log(&report, "0.1.0");
        assert_eq!(s["version"], "2.1.0");
        assert_eq!(s["$schema"], SCHEMA);
        let run = &s["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["outdated.patch", "tool.retracted", "vuln.module"]);
        assert!(
            rules[1]["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .ends_with("(a dependency of a tool directive)")
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleIndex"], 2);
        assert_eq!(results[0]["level"], "error");
        let phys = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(phys["artifactLocation"]["uri"], "sub/go.mod");
        assert_eq!(phys["region"]["startLine"], 7);
        assert_eq!(results[1]["level"], "warning");
        assert!(results[1]["locations"][0].get("physicalLocation").is_none());
        assert_eq!(results[2]["level"], "note");
        assert_eq!(results[2]["suppressions"][0]["justification"], "later");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/app/"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
            "example.com/x/@v/list: refused"
        );
        let f = failed("not a module", "0.1.0");
        assert_eq!(f["runs"][0]["results"], json!([]));
        assert_eq!(f["runs"][0]["invocations"][0]["executionSuccessful"], false);
    }
}
