//! Loading the configuration from its sources, remembering where each value came
//! from (for `--print-config` and for errors found after loading).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{Config, ConfigError, KEYS, Key};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    /// The TOML file at this path.
    File(PathBuf),
    /// This environment variable.
    Env(String),
    /// This flag (`--fresh-for`).
    Flag(String),
}

impl Source {
    /// For error messages: `config file /etc/m.toml`, `environment variable
    /// MODGATE_FRESH_FOR`, `flag --fresh-for`, `default`.
    pub fn describe(&self) -> String {
        match self {
            Source::Default => "default".into(),
            Source::File(p) => format!("config file {}", p.display()),
            Source::Env(v) => format!("environment variable {v}"),
            Source::Flag(f) => format!("flag {f}"),
        }
    }
}

/// The short form `--print-config` writes after each key: `default`, `file
/// /etc/m.toml`, `env MODGATE_FRESH_FOR`, `flag --fresh-for`.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Flag(x) => write!(f, "flag {x}"),
        }
    }
}

/// `MODGATE_*` environment variables that are not settings of `modgate serve` and
/// that `modgate serve` therefore ignores. Any other `MODGATE_` variable that is not
/// `MODGATE_<KEY>` is an error, so a misspelt setting is not silently dropped.
pub const NOT_SETTINGS: &[&str] = &[
    // The config file's path.
    "MODGATE_CONFIG",
    // `modgate doctor`'s name resolution and DNS probes.
    "MODGATE_HOSTS",
    "MODGATE_RESOLV_CONF",
    "MODGATE_PUBLIC_DNS",
    // The test suite's switches and inputs.
    "MODGATE_REQUIRE_GO",
    "MODGATE_REQUIRE_LAB",
    "MODGATE_REQUIRE_REDIS",
    "MODGATE_REQUIRE_S3",
    "MODGATE_REQUIRE_GARAGE",
    "MODGATE_REQUIRE_NGINX",
    // Where scripts/lib/ensure-ha.sh keeps the test tools it installs (Garage).
    "MODGATE_TOOLS",
    "MODGATE_SHARED",
    "MODGATE_STORAGE_CRASH_DIR",
    "MODGATE_MODFILE_CORPUS",
    "MODGATE_BLESS",
    // update_cli's randomized comparison with go: first seed, and how many.
    "MODGATE_UPDATE_SEED",
    "MODGATE_UPDATE_SEEDS",
];

/// Prefixes of `MODGATE_` variables that are not settings: token secrets (the
/// docs name them `MODGATE_TOKEN_CI` for `[[tokens]] env`, and `MODGATE_TOKEN` for
/// a client's token) and the test suite's child processes.
const NOT_SETTING_PREFIXES: &[&str] = &["MODGATE_TOKEN", "MODGATE_TEST_"];

/// Whether `var` (starting with `MODGATE_`) is one of modgate's variables that are
/// not settings. Variables named by a `[[tokens]] env` are also allowed (see
/// [`Loaded::load`]).
pub fn is_other_variable(var: &str) -> bool {
    NOT_SETTINGS.contains(&var) || NOT_SETTING_PREFIXES.iter().any(|p| var.starts_with(p))
}

/// A configuration and where each of its values came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub config: Config,
    /// Per key (and `routes`, `tokens`); absent means the default.
    pub sources: BTreeMap<&'static str, Source>,
}

impl Loaded {
    /// Defaults, then `file` (if any), then the `MODGATE_*` variables among `env`,
    /// then `flags` (key, value) in order. Then checks what can only be checked with
    /// every value known (the upstream lists, unless offline).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &[(&str, String)],
    ) -> Result<Loaded, ConfigError> {
        let mut loaded = Loaded {
            config: Config::default(),
            sources: BTreeMap::new(),
        };
        if let Some(path) = file {
            let in_file =
                |e: ConfigError| ConfigError(format!("config file {}: {}", path.display(), e.0));
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
            for k in loaded.config.apply_toml_keys(&text).map_err(in_file)? {
                let name = match k.as_str() {
                    "routes" => "routes",
                    "tokens" => "tokens",
                    "storage_options" => "storage_options",
                    "backup_options" => "backup_options",
                    k => Key::find(k)
                        .map(|k| k.name)
                        .expect("apply_toml_keys set only keys"),
                };
                loaded.sources.insert(name, Source::File(path.to_owned()));
            }
        }

        let env: BTreeMap<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("MODGATE_"))
            .collect();
        for (var, value) in &env {
            match KEYS.iter().find(|k| k.env_var() == *var) {
                Some(key) => {
                    key.set(&mut loaded.config, value)
                        .map_err(|e| ConfigError(format!("environment variable {var}: {e}")))?;
                    loaded.sources.insert(key.name, Source::Env(var.clone()));
                }
                None if is_other_variable(var)
                    || loaded
                        .config
                        .tokens
                        .iter()
                        .any(|t| t.env.as_deref() == Some(var)) => {}
                None => return Err(unknown_variable(var)),
            }
        }

        for (k, v) in flags {
            let key = Key::find(k).ok_or_else(|| ConfigError(format!("unknown key {k:?}")))?;
            let flag = format!("--{}", key.flag());
            key.set(&mut loaded.config, v)
                .map_err(|e| ConfigError(format!("flag {flag}: {e}")))?;
            loaded.sources.insert(key.name, Source::Flag(flag));
        }

        loaded.check_upstreams()?;
        Ok(loaded)
    }

    /// Creates the data directory, or says why it cannot be, naming the setting the
    /// path came from.
    pub fn create_data_dir(&self) -> Result<(), ConfigError> {
        let data = &self.config.data;
        std::fs::create_dir_all(data)
            .map_err(|e| ConfigError(super::data_dir_error(data, Some(self.source("data")), &e)))
    }

    /// Where `name`'s value came from.
    pub fn source(&self, name: &str) -> &Source {
        self.sources.get(name).unwrap_or(&Source::Default)
    }

    /// The upstream lists parse (an offline server never calls them, so any value
    /// goes there, as before).
    fn check_upstreams(&self) -> Result<(), ConfigError> {
        if self.config.offline {
            return Ok(());
        }
        let check = |spec: &str| {
            modgate_upstream::UpstreamList::parse(
                spec,
                modgate_upstream::BreakerSettings {
                    threshold: 1,
                    cooldown: std::time::Duration::ZERO,
                },
            )
            .map(drop)
            .map_err(|e| e.0)
        };
        check(&self.config.upstream)
            .map_err(|e| ConfigError(format!("{}: {e}", self.source("upstream").describe())))?;
        for r in &self.config.routes {
            check(&r.upstream).map_err(|e| {
                ConfigError(format!(
                    "{}: route {:?}: {e}",
                    self.source("routes").describe(),
                    r.pattern
                ))
            })?;
        }
        Ok(())
    }
}

/// An unknown `MODGATE_` variable, with the nearest setting's when one is close.
fn unknown_variable(var: &str) -> ConfigError {
    let near = KEYS
        .iter()
        .map(|k| {
            let v = k.env_var();
            (strsim::levenshtein(&v, var), v)
        })
        .min()
        .filter(|(d, _)| *d <= 2.max(var.len() / 6));
    let hint = match near {
        Some((_, v)) => format!("did you mean {v}? "),
        None => String::new(),
    };
    ConfigError(format!(
        "environment variable {var}: not a setting of modgate serve ({hint}the settings are \
         listed in docs/configuration.md; unset it, or see there which other MODGATE_ \
         variables are allowed)"
    ))
}
