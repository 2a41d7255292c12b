//! `modgate`: the command-line front end.
//!
//! This crate only parses arguments (`cli.rs`) and wires each subcommand to the
//! library crate that does the work (`commands/`). Errors are reported as one
//! line on stderr, `modgate: <what failed>: <why>`, followed by detail lines only
//! when there are several independent problems (for example each invalid file of
//! a module zip). Exit codes: 0 success, 1 failure or problems found, 2 usage.

#[macro_use]
mod output;
mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            output::report_error(&err);
            ExitCode::FAILURE
        }
    }
}
