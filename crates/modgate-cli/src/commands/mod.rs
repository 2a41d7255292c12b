//! Subcommand dispatch: each file here wires one command group to the library.

mod audit;
mod dir;
mod doctor;
mod explain;
mod gomod;
mod scrub;
mod serve;
mod update;
mod warm;
mod zipfile;

use std::process::ExitCode;

use modgate_core::module;

use crate::cli::{Cli, Command, ModuleArgs};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Mod(cmd) => gomod::run(cmd),
        Command::Zip(cmd) => zipfile::run(cmd),
        Command::Dir(cmd) => dir::run(cmd),
        Command::Doctor(args) => doctor::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::Warm(args) => warm::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Scrub(args) => scrub::run(*args),
        Command::Update(args) => update::run(args),
    }
}

/// Turns `--module`/`--version` into a checked module version, with Go's
/// own error text when the pair is invalid.
fn module_version(args: &ModuleArgs) -> anyhow::Result<module::Version> {
    module::check(&args.path, &args.version)?;
    Ok(module::Version {
        path: args.path.clone(),
        version: args.version.clone(),
    })
}
