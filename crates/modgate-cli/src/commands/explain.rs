//! `modgate explain`: reads what a failed go command printed (arguments or
//! standard input) and prints the causes and fixes, as text or JSON. With
//! `--check` it also runs the matching doctor checks on this machine (for
//! the targets the text names, within the doctor's time budget) and prints
//! their results beside the explanation.
//! Exit 0 when a cause was recognised, 1 when none was (no guessing).

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::Context;
use std::time::Duration;

use modgate_doctor::explain::{self, json, render};
use modgate_doctor::{Env, Options};

use crate::cli::ExplainArgs;

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let text = if args.text.is_empty() {
        let mut stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("modgate explain: paste what go printed, then press Ctrl-D");
        }
        let mut buf = Vec::new();
        stdin
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        String::from_utf8_lossy(&buf).into_owned()
    } else {
        args.text.join(" ")
    };
    let e = explain::explain(&text);
    let checked = (args.check && !e.suggested_checks().is_empty()).then(|| {
        let mut opts = Options::new(Env::from_process());
        opts.budget = Duration::from_secs(args.timeout);
        modgate_doctor::confirm::confirm_blocking(&e, &opts)
    });
    let text = match (&checked, args.json) {
        (Some(r), true) => json::to_string_pretty_checked(&e, r) + "\n",
        (None, true) => json::to_string_pretty(&e) + "\n",
        (Some(r), false) => render::to_text_checked(&e, r),
        (None, false) => render::to_text(&e, args.check),
    };
    crate::output::write_stdout_bytes(text.as_bytes()).context("writing the explanation")?;
    Ok(if e.findings.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
