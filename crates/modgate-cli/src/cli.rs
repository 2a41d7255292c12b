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
    /// Say why Go cannot download modules on this machine, and how to fix it.
    Doctor(DoctorArgs),
    /// Why a go command failed, from the text it printed, and the fix.
    Explain(ExplainArgs),
    /// Run the caching, verifying Go module proxy (GOPROXY=http://LISTEN).
    Serve(Box<ServeArgs>),
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

/// `modgate serve` settings. Each also comes from the config file and from
/// `MODGATE_<NAME>`; flags win. Every key: docs/configuration.md.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration file [env: MODGATE_CONFIG].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:3000].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Data directory, laid out like $GOMODCACHE/cache/download [default: ./modgate-data].
    #[arg(long, value_name = "DIR")]
    pub data: Option<String>,
    /// Upstreams in GOPROXY syntax (`,` falls back on 404/410, `|` on any error; `direct`
    /// is the module's own repository; --private paths never go to a proxy URL)
    /// [default: https://proxy.golang.org,direct].
    #[arg(long, value_name = "LIST")]
    pub upstream: Option<String>,
    /// GOPRIVATE-syntax patterns never sent to a public upstream or checksum database [default: none].
    #[arg(long, value_name = "PATTERNS")]
    pub private: Option<String>,
    /// Checksum database in GOSUMDB syntax, or off [default: sum.golang.org].
    #[arg(long, value_name = "SPEC")]
    pub sumdb: Option<String>,
    /// Patterns of paths not verified against the checksum database [default: the --private patterns].
    #[arg(long, value_name = "PATTERNS")]
    pub nosumdb: Option<String>,
    /// Never call an upstream; list and @latest are computed from storage [default: false].
    #[arg(long)]
    pub offline: bool,
    /// Log format: text or json [default: text].
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Freshness of list, @latest and version queries [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub fresh_for: Option<String>,
    /// How long stale answers are served while refreshed in the background [default: 5m].
    #[arg(long, value_name = "DURATION")]
    pub stale_while_revalidate: Option<String>,
    /// How long not-found answers are remembered [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub negative_ttl: Option<String>,
    /// How long the checksum database's latest tree is cached [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub sumdb_latest_ttl: Option<String>,
    /// Upstream connect timeout [default: 10s].
    #[arg(long, value_name = "DURATION")]
    pub connect_timeout: Option<String>,
    /// Total time for one upstream attempt at a small file [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Total time for one upstream attempt at a zip [default: 10m].
    #[arg(long, value_name = "DURATION")]
    pub zip_timeout: Option<String>,
    /// Extra attempts after a retryable upstream failure [default: 2].
    #[arg(long, value_name = "N")]
    pub retries: Option<String>,
    /// First wait before a retry, doubling each time [default: 100ms].
    #[arg(long, value_name = "DURATION")]
    pub retry_backoff: Option<String>,
    /// Consecutive failures that open an upstream's circuit breaker [default: 5].
    #[arg(long, value_name = "N")]
    pub breaker_threshold: Option<String>,
    /// How long an open circuit breaker refuses calls [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub breaker_cooldown: Option<String>,
    /// Time in-flight requests get to finish on SIGINT/SIGTERM [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub shutdown_timeout: Option<String>,
    /// A git configuration file for direct mode (GIT_CONFIG_GLOBAL) [default: the user's].
    #[arg(long, value_name = "FILE")]
    pub git_config: Option<String>,
    /// Address ranges direct mode may reach besides public ones: none, loopback,
    /// private [default: none].
    #[arg(long, value_name = "RANGES")]
    pub direct_allow: Option<String>,
    /// Whether public modules need a token: open or token (private modules always
    /// need one; tokens are defined in the config file's [[tokens]]) [default: open].
    #[arg(long, value_name = "MODE")]
    pub public_access: Option<String>,
    /// GOVCS-syntax rules for the version control systems direct mode may use
    /// [default: public:git|hg,private:all].
    #[arg(long, value_name = "RULES")]
    pub govcs: Option<String>,
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
