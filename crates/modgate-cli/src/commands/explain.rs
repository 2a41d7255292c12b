//! `modgate explain`: reads what a failed go command printed (arguments or
//! standard input) and prints the causes and fixes, as text or JSON.
//! Exit 0 when a cause was recognised, 1 when none was (no guessing).

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::Context;
use modgate_doctor::explain::{self, json, render};

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
    if args.json {
        outln!("{}", json::to_string_pretty(&e));
    } else {
        out!("{}", render::to_text(&e, args.check));
    }
    Ok(if e.findings.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
