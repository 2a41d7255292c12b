//! The command-line grammar (clap definitions only; no behaviour here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// modgate makes Go module downloads fast, verifiable and hard to break.
#[derive(Debug, Parser)]
#[command(name = "modgate", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// go.mod and go.work files: format, JSON, hash.
    #[command(subcommand)]
    Mod(ModCommand),
    /// Module zips: create, hash, check, extract.
    #[command(subcommand)]
    Zip(ZipCommand),
    /// Extracted module trees: the h1 hash `go mod verify` checks.
    #[command(subcommand)]
    Dir(DirCommand),
}

#[derive(Debug, Subcommand)]
pub enum ModCommand {
    /// Print FILE formatted exactly as `go mod edit -fmt` (or `go work edit -fmt` for go.work).
    Fmt {
        /// A go.mod or go.work file (a name ending in `.work` is read as go.work).
        file: PathBuf,
    },
    /// Print FILE as `go mod edit -json` (or `go work edit -json`) prints it.
    Json {
        /// A go.mod or go.work file.
        file: PathBuf,
    },
    /// Print the h1: hash go.sum records for FILE on a `/go.mod` line.
    Hash {
        /// The exact .mod bytes (any file name).
        file: PathBuf,
    },
}

/// The module a zip or tree belongs to.
#[derive(Debug, Args)]
pub struct ModuleArgs {
    /// Module path, e.g. example.com/m/v2.
    #[arg(long = "module", value_name = "PATH")]
    pub path: String,
    /// Canonical module version, e.g. v2.1.0.
    #[arg(long, value_name = "VERSION")]
    pub version: String,
}

#[derive(Debug, Subcommand)]
pub enum ZipCommand {
    /// Write the module zip of DIR and print its h1: hash.
    Create {
        /// The module's root directory.
        dir: PathBuf,
        #[command(flatten)]
        module: ModuleArgs,
        /// Output file (default: VERSION.zip, with the version case-encoded).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// List the files left out, with the reason, on stderr.
        #[arg(long)]
        verbose: bool,
    },
    /// Print the h1: hash of a module zip.
    Hash {
        /// The zip file.
        zip: PathBuf,
    },
    /// Report the problems Go's zip rules find in ZIP; exit 1 if there are any.
    Check {
        /// The zip file.
        zip: PathBuf,
        #[command(flatten)]
        module: ModuleArgs,
    },
    /// Extract ZIP into DIR (which must be empty or missing), safely.
    Extract {
        /// The zip file.
        zip: PathBuf,
        #[command(flatten)]
        module: ModuleArgs,
        /// Target directory.
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum DirCommand {
    /// Print the h1: hash of an extracted module tree (what `go mod verify` compares).
    Hash {
        /// The extracted module directory.
        dir: PathBuf,
        #[command(flatten)]
        module: ModuleArgs,
    },
}
