//! `modgate audit`: the checks of `modgate_project::audit` on one project, as a
//! table or JSON, with exit codes scripts can rely on in every format:
//! 0 clean, 1 findings at or above `--fail-on`, 2 could not audit.

use std::path::PathBuf;
use std::process::ExitCode;

use modgate_project::audit::{self, Report, Severity};
use modgate_project::{GoSettings, Project, Store};

use crate::cli::AuditArgs;

const COULD_NOT_AUDIT: u8 = 2;

pub fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let json = args.json;
    let sarif = args.sarif;
    let version = env!("CARGO_PKG_VERSION");
    let threshold = match args.fail_on.as_str() {
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        "never" => None,
        _ => Some(Severity::Error),
    };
    match audit_project(&args) {
        Ok(report) => {
            let failing = report
                .findings
                .iter()
                .any(|f| threshold.is_some_and(|t| f.severity >= t));
            // An incomplete report is not a clean one.
            let incomplete = !report.errors.is_empty();
            let verdict = if incomplete {
                "incomplete"
            } else if failing {
                "failed"
            } else {
                "ok"
            };
            let out = if json {
                to_json(verdict, &report)
            } else if sarif {
                pretty(&audit::sarif::log(&report, version))
            } else {
                to_text(verdict, &report)
            };
            crate::output::write_stdout_bytes(out.as_bytes())?;
            Ok(if incomplete {
                ExitCode::from(COULD_NOT_AUDIT)
            } else if failing {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            if sarif {
                let s = pretty(&audit::sarif::failed(&e, version));
                crate::output::write_stdout_bytes(s.as_bytes())?;
            }
            if json {
                let v = serde_json::json!({
                    "verdict": "error", "error": e, "build_list": [], "findings": [],
                });
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                crate::output::write_stdout_bytes(s.as_bytes())?;
            }
            if !json {
                eprintln!("modgate audit: {e}");
            }
            Ok(ExitCode::from(COULD_NOT_AUDIT))
        }
    }
}

fn audit_project(args: &AuditArgs) -> Result<Report, String> {
    let mut settings = GoSettings::from_process();
    if let Some(p) = &args.proxy {
        settings = settings.with_proxy(p);
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let project = Project::find(&dir, &settings).map_err(|e| format!("{}: {e}", dir.display()))?;
    let govulndb = std::env::var("GOVULNDB").ok();
    let db = audit::vuln::Source::choose(args.db.as_deref(), govulndb.as_deref());
    let opts = audit::Options {
        local_go: db
            .is_some()
            .then(audit::toolchain::local_go_version)
            .flatten(),
        db,
        jobs: usize::from(args.jobs),
        unmaintained_months: args.unmaintained_months,
        gotoolchain: settings.gotoolchain().to_owned(),
        modcache: match &args.modcache {
            None => None,
            Some(p) if p.as_os_str().is_empty() => Some(
                settings
                    .gomodcache()
                    .ok_or("--modcache: no module cache (GOMODCACHE, GOPATH and HOME unset)")?,
            ),
            Some(p) => Some(p.clone()),
        },
    };
    let fetcher = modgate_project::Fetcher::new(&settings, Store::Temp)
        .map_err(|e| format!("cannot fetch: {e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    // For an audit past a checksum-database mismatch (then reported as a finding).
    let unverified = (settings.get("GOSUMDB") != "off")
        .then(|| modgate_project::Fetcher::new(&settings.clone().with_gosumdb("off"), Store::Temp))
        .transpose()
        .map_err(|e| format!("cannot fetch: {e}"))?;
    rt.block_on(audit::audit(&project, &fetcher, unverified.as_ref(), &opts))
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn to_json(verdict: &str, report: &Report) -> String {
    pretty(&serde_json::json!({
        "verdict": verdict,
        "build_list": report.build_list,
        "findings": report.findings,
        "toolchain": report.toolchain,
        "tools": report.tools,
        "ignored": report.ignored,
        "notices": report.notices,
        "errors": report.errors,
    }))
}

fn to_text(verdict: &str, report: &Report) -> String {
    let mut out = format!(
        "audit: {verdict}: {} modules, {} findings\n",
        report.build_list.len(),
        report.findings.len()
    );
    if !report.ignored.is_empty() {
        out.push_str(&format!(
            "({} more ignored by the ignore files)\n",
            report.ignored.len()
        ));
    }
    let rows: Vec<[String; 4]> = report
        .findings
        .iter()
        .map(|f| {
            [
                f.severity.as_str().to_owned(),
                f.code.to_owned(),
                if f.version.is_empty() {
                    f.module.clone()
                } else {
                    format!("{}@{}", f.module, f.version)
                },
                f.summary.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        let header = ["SEVERITY", "CODE", "MODULE", "SUMMARY"].map(str::to_owned);
        let width = |i: usize| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2) = (width(0), width(1), width(2));
        for (r, f) in [&header]
            .into_iter()
            .zip([None])
            .chain(rows.iter().zip(report.findings.iter().map(Some)))
        {
            out.push_str(&format!(
                "{:w0$}  {:w1$}  {:w2$}  {}\n",
                r[0], r[1], r[2], r[3]
            ));
            if let Some(f) = f {
                out.push_str(&format!("{:w0$}  fix: {}\n", "", f.fix));
            }
        }
    }
    for n in &report.notices {
        out.push_str(&format!("note: {n}\n"));
    }
    for e in &report.errors {
        out.push_str(&format!("error: {e}\n"));
    }
    out
}
