//! `modgate doctor`: runs the diagnosis in `modgate-doctor` on this process's
//! environment and prints the report (text or `--json`). The exit code is the
//! report's: 0 ok or degraded, 1 broken, 3 unverified (a check go depends on
//! could not run; usage errors are clap's 2).

use std::process::ExitCode;

use anyhow::Context;
use std::time::Duration;

use modgate_doctor::{Env, Options};

use crate::cli::DoctorArgs;

pub fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.module
        && !dir.join("go.mod").is_file()
    {
        eprintln!(
            "modgate doctor: --module {}: no go.mod in that directory",
            dir.display()
        );
        return Ok(ExitCode::from(2));
    }
    let mut opts = Options::new(Env::from_process());
    opts.module_dir = args.module;
    opts.budget = Duration::from_secs(args.timeout);
    let report = modgate_doctor::diagnose_blocking(&opts);
    let text = if args.json {
        report.to_json_string() + "\n"
    } else {
        report.to_text()
    };
    crate::output::write_stdout_bytes(text.as_bytes()).context("writing the report")?;
    Ok(ExitCode::from(
        u8::try_from(report.exit_code()).unwrap_or(1),
    ))
}
