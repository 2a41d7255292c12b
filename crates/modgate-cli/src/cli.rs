//! The command-line grammar (clap definitions only; no behaviour here).

use std::path::PathBuf;

use clap::{Arg, ArgMatches, Args, Parser, Subcommand};
use modgate_server::config::{KEYS, Key};

/// modgate: a caching, verifying Go module proxy and a doctor for Go downloads.
///
/// `modgate serve` runs the proxy (point GOPROXY at it); `modgate doctor` says why
/// Go cannot download modules on this machine and `modgate explain` why a go command
/// failed; `mod`, `zip` and `dir` work with go.mod files, module zips and trees.
#[derive(Debug, Parser)]
#[command(name = "modgate", version)]
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
    /// Say why Go cannot download modules on this machine, and how to fix it.
    Doctor(DoctorArgs),
    /// Why a go command failed, from the text it printed, and the fix.
    Explain(ExplainArgs),
    /// Run the caching, verifying Go module proxy (GOPROXY=http://LISTEN).
    Serve(Box<ServeArgs>),
    /// Fetch everything a project needs for an offline build through a GOPROXY.
    Warm(WarmArgs),
    /// Check a project's dependencies: go.sum integrity, vulnerabilities, outdated,
    /// retracted and deprecated modules, local replaces.
    Audit(AuditArgs),
    /// Re-hash every stored .zip and .mod (primary and backup) against the hash
    /// recorded when it was verified; report missing and corrupt copies, and with
    /// --repair rewrite them from a good copy.
    Scrub(Box<ScrubArgs>),
    /// Move requirements to newer versions: go.mod and go.sum as `go get` of the
    /// chosen versions followed by `go mod tidy` would write them.
    Update(UpdateArgs),
}

/// `modgate update`: exit 0 when everything asked for is up to date (updated, or
/// nothing to do), 1 when some module could not be queried, 2 on error.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["patch", "minor", "latest"])))]
pub struct UpdateArgs {
    /// The project directory (go.work found as go does). Default: the current directory.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Newest patch release of the current minor version (`go get m@patch`).
    #[arg(long)]
    pub patch: bool,
    /// Newest release of the current major version.
    #[arg(long)]
    pub minor: bool,
    /// Newest release (`go get m@upgrade`: never a downgrade).
    #[arg(long)]
    pub latest: bool,
    /// Only modules matching these comma-separated patterns (GOPRIVATE syntax).
    #[arg(long, value_name = "PATTERN")]
    pub only: Option<String>,
    /// Not the modules matching these comma-separated patterns.
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Option<String>,
    /// Print the plan and the diff of go.mod and go.sum; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The GOPROXY to fetch through, instead of GOPROXY.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Files fetched at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Keep fetched files in DIR (download-cache layout) and reuse them across
    /// runs (version lists are asked again after a minute). Default: a temporary
    /// directory.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Print the plan and outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `modgate scrub`: reads the same configuration as `serve` (`--config`,
/// `MODGATE_*`, the setting flags). Exit 0 when every copy is good, 1 when
/// something is wrong (after `--repair`: what could not be repaired), 2 when the
/// scrub could not run.
#[derive(Debug, Args)]
pub struct ScrubArgs {
    /// TOML configuration file, as for serve [env: MODGATE_CONFIG].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rewrite missing and corrupt copies from a copy that matches its recorded hash.
    #[arg(long)]
    pub repair: bool,
    /// Print the report as JSON (`verdict`, `findings`).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: SettingFlags,
}

/// `modgate audit`: loads the project's module graph through the proxy (`--proxy`,
/// else GOPROXY) and reports findings with stable codes (docs/audit.md).
/// Exit 0 when nothing at or above `--fail-on` was found, 1 when something was,
/// 2 when the project could not be audited (in every output format).
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The project directory (go.work found as go does). Default: the current directory.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The GOPROXY to fetch through (a modgate's URL), instead of GOPROXY.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// A Go vulnerability database in the vuln.go.dev layout: a local directory, a
    /// zip of it, or a URL (a modgate's `/vuln`, https://vuln.go.dev, file://);
    /// `off`: no vulnerability check. Default: GOVULNDB, else https://vuln.go.dev.
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<String>,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,
    /// Print the report as SARIF 2.1.0 (for code-scanning dashboards); the exit
    /// code is the same as with the other formats.
    #[arg(long)]
    pub sarif: bool,
    /// The lowest severity that makes the audit fail (exit 1): error (vulnerabilities
    /// and integrity errors), warning, info, or never.
    #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = ["error", "warning", "info", "never"])]
    pub fail_on: String,
    /// Requests at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Report a module as unmaintained when its newest release is older than this
    /// many months (0: never).
    #[arg(long, value_name = "MONTHS", default_value_t = 24)]
    pub unmaintained_months: u32,
    /// Re-hash the build list's modules extracted in the module cache, as `go mod
    /// verify` does: DIR, or without a value GOMODCACHE (go's default).
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "", require_equals = true)]
    pub modcache: Option<PathBuf>,
}

/// `modgate warm`: asks the proxy (`--proxy`, else GOPROXY) for the `.info` and
/// `.mod` of every module in each project's graph, the `.zip` of every module in its
/// build list, and what its go.sum lists, each verified against the checksum
/// database; a modgate in front then has all of it for `--offline` builds.
/// Exit 0 when everything was fetched, 1 when anything failed.
#[derive(Debug, Args)]
pub struct WarmArgs {
    /// Project directories (go.work found as go does), go.mod, go.work or go.sum
    /// files (a go.sum alone: only what it lists). Default: the current directory.
    #[arg(value_name = "DIR|go.mod|go.sum")]
    pub targets: Vec<PathBuf>,
    /// The GOPROXY to fetch through (a modgate's URL), instead of GOPROXY.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Files fetched at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Keep fetched files in DIR (download-cache layout) and do not ask again for
    /// what is already there ("already cached"). Default: a temporary directory,
    /// so every file is asked of the proxy.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Print the summary and every file's outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `modgate doctor`: reads the settings `go` would use and probes every
/// endpoint they lead to. Exit 0 when downloads should work, 1 when a finding
/// would make them fail, 3 when a check they depend on could not run.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also read this module's go.mod and go.sum (private hosts, leaks, git).
    #[arg(long = "module", value_name = "DIR")]
    pub module: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Seconds the network checks may take in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout: u64,
}

/// `modgate explain [TEXT]...`: the output of a failed go command.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What go printed (joined with spaces); read from standard input when absent.
    pub text: Vec<String>,
    /// Print JSON in the doctor's report shape.
    #[arg(long)]
    pub json: bool,
    /// Also run the matching `modgate doctor` checks on this machine and show their results.
    #[arg(long)]
    pub check: bool,
    /// Seconds the `--check` network checks may take in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout: u64,
}

/// `modgate serve`. Every setting comes from the config file, from
/// `MODGATE_<KEY>` or from `--<key>`; flags win (docs/configuration.md).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration file [env: MODGATE_CONFIG].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the effective configuration as TOML, each key with where its value came
    /// from (credentials masked), and exit without serving.
    #[arg(long)]
    pub print_config: bool,
    #[command(flatten)]
    pub settings: SettingFlags,
}

/// The `--<key>` flag of every configuration key, made at run time from the keys'
/// one declaration (`modgate_server::config::KEYS`): a new key needs no edit here.
/// Holds the flags given, as (key, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingFlags(pub Vec<(&'static str, String)>);

impl clap::FromArgMatches for SettingFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = SettingFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for key in KEYS {
            if let Some(value) = matches.get_one::<String>(key.name) {
                self.0.retain(|(k, _)| *k != key.name);
                self.0.push((key.name, value.clone()));
            }
        }
        Ok(())
    }
}

impl Args for SettingFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        KEYS.iter().fold(cmd, |cmd, key| cmd.arg(setting_arg(key)))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// One key's flag: `-h` shows the first sentence of its help, `--help` all of it.
/// Values stay text; the configuration parses them, so that its errors name the flag.
fn setting_arg(key: &'static Key) -> Arg {
    let help = key.help_plain();
    let first = match help.find(". ") {
        Some(end) => &help[..=end],
        None => &help,
    };
    let default = key.default_text().replace('`', "");
    let arg = Arg::new(key.name)
        .long(key.flag())
        .value_name(key.value_name)
        .help_heading("Settings")
        .help(format!("{first} [default: {default}]"))
        .long_help(format!(
            "{help}\n[default: {default}] [env: {}] [config file: {}]",
            key.env_var(),
            key.name
        ));
    if key.switch {
        arg.num_args(0..=1).default_missing_value("true")
    } else {
        arg
    }
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
