//! `modgate scrub`: every stored `.zip` and `.mod`, on the primary and the backup,
//! against the hash recorded when it was verified (`modgate_cache::scrub`). The
//! stores come from the same configuration as `serve`. Exit 0 clean, 1 problems
//! (after `--repair`: those left), 2 could not run, in every output format.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use modgate_server::config::Loaded;
use modgate_server::scrub::{Finding, Report};

use crate::cli::ScrubArgs;

const COULD_NOT_RUN: u8 = 2;

pub fn run(args: ScrubArgs) -> anyhow::Result<ExitCode> {
    match scrub(&args) {
        Ok(report) => {
            let unresolved = report.unresolved();
            let verdict = match (unresolved, report.repaired()) {
                (0, 0) => "ok",
                (0, _) => "repaired",
                _ => "failed",
            };
            let out = if args.json {
                let v = serde_json::json!({
                    "verdict": verdict,
                    "files": report.files,
                    "copies": report.copies,
                    "bytes": report.bytes,
                    "unrecorded": report.unrecorded,
                    "repaired": report.repaired(),
                    "unresolved": unresolved,
                    "findings": report.findings,
                });
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                s
            } else {
                to_text(verdict, &report)
            };
            crate::output::write_stdout_bytes(out.as_bytes())?;
            Ok(if unresolved == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Err(e) => {
            if args.json {
                let v = serde_json::json!({ "verdict": "error", "error": e, "findings": [] });
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                crate::output::write_stdout_bytes(s.as_bytes())?;
            } else {
                eprintln!("modgate scrub: {e}");
            }
            Ok(ExitCode::from(COULD_NOT_RUN))
        }
    }
}

fn scrub(args: &ScrubArgs) -> Result<Report, String> {
    let file = args
        .config
        .clone()
        .or_else(|| std::env::var_os("MODGATE_CONFIG").map(Into::into));
    let loaded = Loaded::load(
        file.as_deref(),
        super::serve::environment(),
        &args.settings.0,
    )
    .map_err(|e| format!("configuration: {e}"))?;
    let cfg = loaded.config;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} scrub {pos}/{len} files [{elapsed_precise}] {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let progress = |p: &modgate_server::scrub::Progress<'_>| {
        if let Some(bar) = &bar {
            bar.set_length(p.total);
            bar.set_position(p.done);
            bar.set_message(p.key.to_owned());
        }
    };
    let report = rt
        .block_on(modgate_server::scrub::run_once(
            &cfg,
            args.repair,
            &progress,
        ))
        .map_err(|e| e.0);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

fn to_text(verdict: &str, report: &Report) -> String {
    let mut out = format!(
        "scrub: {verdict}: {} files, {} copies, {} bytes hashed; {} repaired, {} unresolved\n",
        report.files,
        report.copies,
        report.bytes,
        report.repaired(),
        report.unresolved()
    );
    if report.unrecorded > 0 {
        out.push_str(&format!(
            "{} files have no recorded hash (stored before hashes were recorded): not verified\n",
            report.unrecorded
        ));
    }
    for f in &report.findings {
        out.push_str(&line(f));
    }
    out
}

fn line(f: &Finding) -> String {
    let status = if f.repaired { "repaired" } else { "PROBLEM" };
    let mut s = format!("{status}\t{}\t{}\t{}", f.code, f.key, f.summary);
    if let (Some(r), Some(g)) = (&f.recorded, &f.got) {
        s.push_str(&format!(" (recorded {r}, found {g})"));
    }
    s.push('\n');
    s
}
