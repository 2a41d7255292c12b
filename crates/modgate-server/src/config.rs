//! The one typed configuration of `modgate serve`, and where each value comes from.
//!
//! Precedence, lowest first: built-in defaults, the TOML file (`--config`), `MODGATE_*`
//! environment variables, command-line flags. Every scalar key can be given in all
//! three places under the same name (`fresh_for` in TOML, `MODGATE_FRESH_FOR` in the
//! environment, `--fresh-for` on the command line); routes and tokens are TOML only. [`KEYS`]
//! documents every key and is what `docs/configuration.md` and `--help` are checked
//! against.
//!
//! Durations are written `500ms`, `60s`, `5m` or `1h`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A route from the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// GOPRIVATE-syntax patterns of the module paths this route serves.
    pub pattern: String,
    /// Upstream list in GOPROXY syntax.
    pub upstream: String,
    /// Whether `--private` paths may be sent to this route's upstreams.
    #[serde(default)]
    pub private: bool,
}

/// Every setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: String,
    pub data: PathBuf,
    pub upstream: String,
    pub private: String,
    pub sumdb: String,
    /// `None`: the `--private` patterns.
    pub nosumdb: Option<String>,
    pub offline: bool,
    pub log_format: LogFormat,
    pub fresh_for: Duration,
    pub stale_while_revalidate: Duration,
    pub negative_ttl: Duration,
    pub sumdb_latest_ttl: Duration,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub zip_timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
    pub shutdown_timeout: Duration,
    pub routes: Vec<RouteConfig>,
    /// `GIT_CONFIG_GLOBAL` for direct mode's git (None: the user's own).
    pub git_config: Option<PathBuf>,
    /// Address ranges direct mode may reach besides public ones.
    pub direct_allow: modgate_upstream::Egress,
    /// Whether public modules need a token (`access`).
    pub public_access: crate::access::PublicAccess,
    /// Inbound tokens (`[[tokens]]`, config file only).
    pub tokens: Vec<crate::access::TokenConfig>,
    /// GOVCS rules for direct mode (validated when set).
    pub govcs: String,
}

/// Documentation of one key.
#[derive(Debug, Clone, Copy)]
pub struct KeyDoc {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

/// Every scalar key with its default (as written in config) and meaning.
pub const KEYS: &[KeyDoc] = &[
    KeyDoc {
        name: "listen",
        default: "127.0.0.1:3000",
        help: "Address to listen on (host:port).",
    },
    KeyDoc {
        name: "data",
        default: "./modgate-data",
        help: "Data directory, laid out like $GOMODCACHE/cache/download (itself a valid file:// GOPROXY).",
    },
    KeyDoc {
        name: "upstream",
        default: "https://proxy.golang.org,direct",
        help: "Upstream list in GOPROXY syntax: proxy URLs, file:// trees, direct (the module's own git repository) and off, separated by ',' (fall back on 404/410) or '|' (fall back on any error). Private paths skip proxy URLs (they get direct and file:// entries only).",
    },
    KeyDoc {
        name: "private",
        default: "",
        help: "GOPRIVATE-syntax patterns of private module paths: never requested from a public upstream nor looked up in a public checksum database.",
    },
    KeyDoc {
        name: "sumdb",
        default: "sum.golang.org",
        help: "Checksum database in GOSUMDB syntax (name, name+hash+key, optionally followed by a URL), or off.",
    },
    KeyDoc {
        name: "nosumdb",
        default: "(the private patterns)",
        help: "GONOSUMDB-syntax patterns of module paths not verified against the checksum database.",
    },
    KeyDoc {
        name: "offline",
        default: "false",
        help: "Never call an upstream; list and @latest are computed from storage.",
    },
    KeyDoc {
        name: "log_format",
        default: "text",
        help: "Log format: text or json (one line per request).",
    },
    KeyDoc {
        name: "fresh_for",
        default: "60s",
        help: "How long list, @latest and version-query answers are served without asking the upstream.",
    },
    KeyDoc {
        name: "stale_while_revalidate",
        default: "5m",
        help: "After fresh_for, how long a stale answer is still served at once while it is refreshed in the background.",
    },
    KeyDoc {
        name: "negative_ttl",
        default: "30s",
        help: "How long a not-found answer from the upstreams is remembered.",
    },
    KeyDoc {
        name: "sumdb_latest_ttl",
        default: "30s",
        help: "How long the checksum database's latest signed tree is served from cache.",
    },
    KeyDoc {
        name: "connect_timeout",
        default: "10s",
        help: "Upstream connect (TCP and TLS) timeout.",
    },
    KeyDoc {
        name: "timeout",
        default: "60s",
        help: "Total time for one upstream attempt at a list, .info, .mod or checksum-database file.",
    },
    KeyDoc {
        name: "zip_timeout",
        default: "10m",
        help: "Total time for one upstream attempt at a .zip.",
    },
    KeyDoc {
        name: "retries",
        default: "2",
        help: "Extra attempts after a retryable upstream failure (connection errors, 429, 500, 502, 503, 504).",
    },
    KeyDoc {
        name: "breaker_threshold",
        default: "5",
        help: "Consecutive failures after which an upstream's circuit breaker opens.",
    },
    KeyDoc {
        name: "breaker_cooldown",
        default: "30s",
        help: "How long an open circuit breaker refuses calls before one trial.",
    },
    KeyDoc {
        name: "shutdown_timeout",
        default: "30s",
        help: "On SIGINT/SIGTERM, how long in-flight requests may take to finish.",
    },
    KeyDoc {
        name: "git_config",
        default: "(the user's git configuration)",
        help: "A git configuration file for direct mode (GIT_CONFIG_GLOBAL): insteadOf rewriting, credential helpers.",
    },
    KeyDoc {
        name: "direct_allow",
        default: "none",
        help: "Address ranges direct mode may reach besides public ones: none, loopback, private, or loopback,private.",
    },
    KeyDoc {
        name: "public_access",
        default: "open",
        help: "open: public modules are served to anyone; token: every request (public modules, /sumdb, /metrics) needs a valid token. Private modules always need a token whose modules match (see [[tokens]]).",
    },
    KeyDoc {
        name: "govcs",
        default: "public:git|hg,private:all",
        help: "GOVCS-syntax rules (pattern:vcs|vcs,...; patterns may be public or private, the --private paths) for the version control systems direct mode may use; direct mode runs only git.",
    },
];

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:3000".into(),
            data: PathBuf::from("./modgate-data"),
            upstream: "https://proxy.golang.org,direct".into(),
            private: String::new(),
            sumdb: "sum.golang.org".into(),
            nosumdb: None,
            offline: false,
            log_format: LogFormat::Text,
            fresh_for: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(300),
            negative_ttl: Duration::from_secs(30),
            sumdb_latest_ttl: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            zip_timeout: Duration::from_secs(600),
            retries: 2,
            retry_backoff: Duration::from_millis(100),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
            routes: Vec::new(),
            git_config: None,
            direct_allow: modgate_upstream::Egress::default(),
            public_access: crate::access::PublicAccess::Open,
            tokens: Vec::new(),
            govcs: "public:git|hg,private:all".into(),
        }
    }
}

/// A configuration error, naming where the bad value came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Builds the configuration: defaults, then `file` (if any), then the `MODGATE_*`
    /// variables among `env`, then `flags` (key, value) in order.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
            cfg.apply_toml(&text)
                .map_err(|e| ConfigError(format!("config file {}: {}", path.display(), e.0)))?;
        }
        let env: BTreeMap<String, String> = env.into_iter().collect();
        for k in KEYS {
            let var = format!("MODGATE_{}", k.name.to_ascii_uppercase());
            if let Some(v) = env.get(&var) {
                cfg.set(k.name, v)
                    .map_err(|e| ConfigError(format!("environment variable {var}: {e}")))?;
            }
        }
        for (k, v) in flags {
            cfg.set(k, v)
                .map_err(|e| ConfigError(format!("flag --{}: {e}", k.replace('_', "-"))))?;
        }
        Ok(cfg)
    }

    /// The effective GONOSUMDB patterns.
    pub fn nosumdb_patterns(&self) -> &str {
        self.nosumdb.as_deref().unwrap_or(&self.private)
    }

    /// Applies a TOML document.
    pub fn apply_toml(&mut self, text: &str) -> Result<(), ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError(e.message().to_owned()))?;
        for (k, v) in table {
            if k == "routes" {
                self.routes = v.try_into().map_err(|e: toml::de::Error| {
                    ConfigError(format!("routes: {}", e.message()))
                })?;
                continue;
            }
            if k == "tokens" {
                self.tokens = v.try_into().map_err(|e: toml::de::Error| {
                    ConfigError(format!("tokens: {}", e.message()))
                })?;
                continue;
            }
            let s = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(ConfigError(format!("{k}: unsupported value {other}")));
                }
            };
            self.set(&k, &s)?;
        }
        Ok(())
    }

    /// Sets one scalar key from its text form.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let err = |what: &str| ConfigError(format!("{key}: {what} {value:?}"));
        let dur = || parse_duration(value).ok_or_else(|| err("invalid duration"));
        let num = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| err("invalid number"))
        };
        match key {
            "listen" => self.listen = value.to_owned(),
            "data" => self.data = PathBuf::from(value),
            "upstream" => self.upstream = value.to_owned(),
            "private" => self.private = value.to_owned(),
            "sumdb" => self.sumdb = value.to_owned(),
            "nosumdb" => self.nosumdb = Some(value.to_owned()),
            "offline" => {
                self.offline = match value.trim() {
                    "true" | "1" | "yes" | "on" => true,
                    "false" | "0" | "no" | "off" | "" => false,
                    _ => return Err(err("invalid boolean")),
                }
            }
            "log_format" => {
                self.log_format = match value.trim() {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => return Err(err("want text or json, not")),
                }
            }
            "fresh_for" => self.fresh_for = dur()?,
            "stale_while_revalidate" => self.stale_while_revalidate = dur()?,
            "negative_ttl" => self.negative_ttl = dur()?,
            "sumdb_latest_ttl" => self.sumdb_latest_ttl = dur()?,
            "connect_timeout" => self.connect_timeout = dur()?,
            "timeout" => self.timeout = dur()?,
            "zip_timeout" => self.zip_timeout = dur()?,
            "retries" => self.retries = num()?,
            "retry_backoff" => self.retry_backoff = dur()?,
            "breaker_threshold" => self.breaker_threshold = num()?,
            "breaker_cooldown" => self.breaker_cooldown = dur()?,
            "shutdown_timeout" => self.shutdown_timeout = dur()?,
            "git_config" => {
                self.git_config = (!value.trim().is_empty()).then(|| PathBuf::from(value));
            }
            "direct_allow" => {
                let mut allow = modgate_upstream::Egress::default();
                for part in value.split(',').map(str::trim) {
                    match part {
                        "loopback" => allow.allow_loopback = true,
                        "private" => allow.allow_private = true,
                        "none" | "" => {}
                        _ => return Err(err("want none, loopback or private, not")),
                    }
                }
                self.direct_allow = allow;
            }
            "public_access" => {
                self.public_access = crate::access::PublicAccess::parse(value)
                    .ok_or_else(|| err("want open or token, not"))?;
            }
            "govcs" => {
                modgate_core::goenv::govcs::Govcs::setting(value)
                    .map_err(|e| ConfigError(format!("{key}: {e}")))?;
                self.govcs = value.to_owned();
            }
            _ => return Err(ConfigError(format!("unknown key {key:?}"))),
        }
        Ok(())
    }
}

/// `500ms`, `60s`, `5m`, `1h` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    match unit {
        "" | "s" => Some(Duration::from_secs(n)),
        "ms" => Some(Duration::from_millis(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
