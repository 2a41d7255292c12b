//! The one typed configuration of `modgate serve`, and where each value comes from.
//!
//! Every scalar setting is declared once, in the `settings!` block below: its field,
//! type, default and help. From that declaration come the `Config` struct and its
//! `Default`, the TOML key (`fresh_for`), the environment variable
//! (`MODGATE_FRESH_FOR`), the command-line flag (`--fresh-for`, built at run time
//! by the CLI from [`KEYS`]), `--print-config`, and the table in
//! `docs/configuration.md` (a test regenerates it). Routes and tokens are TOML only.
//!
//! Precedence, lowest first: built-in defaults, the TOML file (`--config`), `MODGATE_*`
//! environment variables, command-line flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[macro_use]
mod declare;
pub mod codec;
pub mod docs;
mod print;
mod source;

pub use codec::{format_duration, parse_duration, redact_userinfo};
pub use docs::docs_table;
pub use print::print_config;
pub use source::{Loaded, NOT_SETTINGS, Source, is_other_variable};

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A route from the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
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

settings! {
    keys {
        /// Address to listen on (host:port).
        listen: String [Text, "ADDR"] = "127.0.0.1:3000".into();
        /// Data directory, laid out like `$GOMODCACHE/cache/download`, so it is itself a
        /// valid `file://` GOPROXY and can be seeded by copying a module cache's
        /// `cache/download` (the go command makes its cache read-only: copy with `cp -R`
        /// and then `chmod -R u+w`, so modgate can add new versions next to the seeded
        /// ones).
        data: PathBuf [Path, "DIR"] = PathBuf::from("./modgate-data");
        /// Upstream list in GOPROXY syntax: proxy URLs, `file://` trees, `direct` and
        /// `off`, separated by `,` (fall back to the next entry on 404/410 only) or `|`
        /// (fall back on any error). `direct` fetches from the module's own git
        /// repository (see `git_config`, `direct_allow`). As in the go command's own
        /// default, a module the public proxy does not have is fetched from its
        /// repository; a `private` path skips every proxy URL of the list and gets only
        /// its `direct` and `file://` entries, so with the default it is fetched from its
        /// repository and never named to proxy.golang.org.
        upstream: String [UpstreamList, "LIST"] = "https://proxy.golang.org,direct".into();
        /// Patterns of private module paths. They are never requested from a proxy URL
        /// except on routes marked `private = true` (only from such routes, `direct` and
        /// `file://` trees) and never looked up in the checksum database;
        /// `/sumdb/.../lookup/` for them answers 403. Clients need a token whose
        /// `modules` match them (see [Tokens](#tokens-config-file-only)).
        private: String [Text, "PATTERNS"] = String::new();
        /// Checksum database in GOSUMDB syntax: `name`, `name+hash+key`, either
        /// optionally followed by a URL; or `off`.
        sumdb: String [Sumdb, "SPEC"] = "sum.golang.org".into();
        /// The Go vulnerability database mirrored at `/vuln/` (for govulncheck,
        /// `GOVULNDB=http://<modgate>/vuln`): its URL (`https://…`, or a `file://` tree in
        /// the vuln.go.dev layout), or `off`. Its files follow the freshness of lists
        /// (`fresh_for`, `stale_while_revalidate`, stale-if-error); offline, what is
        /// stored is served.
        vulndb: String [Vulndb, "URL"] = "https://vuln.go.dev".into();
        /// Patterns of module paths not verified against the checksum database.
        nosumdb: Option<String> [OptText, "PATTERNS", "(the private patterns)"] = None;
        /// Never call an upstream. `@v/list` and `@latest` are computed from storage
        /// (highest release, else pre-release, else the newest pseudo-version);
        /// everything else is served if stored, else 404.
        offline: bool [Switch, "BOOL"] = false;
        /// `text` or `json`; one line per request with method, path, status, endpoint,
        /// cache result, token name (never the secret), bytes and milliseconds. The
        /// level follows `RUST_LOG` (default `info`).
        log_format: LogFormat [LogFmt, "FORMAT"] = LogFormat::Text;
        /// How long `@v/list`, `@latest` and version-query `.info` answers are served
        /// without asking the upstream (also their `Cache-Control: max-age`).
        fresh_for: Duration [Dur, "DURATION"] = Duration::from_secs(60);
        /// After `fresh_for`, how long a stale answer is still served at once while a
        /// background refresh runs. Older answers are refreshed first, and still served
        /// if every upstream fails (stale-if-error).
        stale_while_revalidate: Duration [Dur, "DURATION"] = Duration::from_secs(300);
        /// How long a not-found answer is remembered (in memory) before the upstreams
        /// are asked again.
        negative_ttl: Duration [Dur, "DURATION"] = Duration::from_secs(30);
        /// How long the checksum database's signed tree head (`/sumdb/<name>/latest`) is
        /// served from cache. Lookups and tiles are immutable and cached forever.
        sumdb_latest_ttl: Duration [Dur, "DURATION"] = Duration::from_secs(30);
        /// Upstream connect (TCP and TLS) timeout. IPv6 and IPv4 addresses are raced
        /// (Happy Eyeballs).
        connect_timeout: Duration [Dur, "DURATION"] = Duration::from_secs(10);
        /// Time for an upstream's response headers to arrive, per attempt at any file.
        /// The body then may take longer, as long as it keeps coming: an attempt fails
        /// when no body byte arrives for `idle_timeout` or when `zip_timeout` is
        /// reached, so a slow link that makes progress is not cut off.
        timeout: Duration [Dur, "DURATION"] = Duration::from_secs(60);
        /// The longest wait for the next byte of an upstream's body; a stalled body is
        /// retried (a `.zip` resumes where it stopped).
        idle_timeout: Duration [Dur, "DURATION"] = Duration::from_secs(30);
        /// Absolute cap on one upstream attempt at any file (only a body that keeps
        /// arriving slowly reaches it; zips are the large files).
        zip_timeout: Duration [Dur, "DURATION"] = Duration::from_secs(600);
        /// Extra attempts, with exponential backoff (see `retry_backoff`), after a
        /// retryable upstream failure (connection errors, broken or stalled bodies, 429,
        /// 500, 502, 503, 504); a `.zip` cut mid-transfer is resumed where it stopped.
        /// Header timeouts, the `zip_timeout` cap and 404/410 are not retried.
        retries: u32 [Count, "N"] = 2;
        /// How long the first of several proxies separated by `|` may take to begin a
        /// good answer before the same request also goes to the next one (see [Hedged
        /// requests](#hedged-requests-and-resumed-downloads)): `auto` (the 95th
        /// percentile of its recent times to headers, at least 50 ms, 500 ms until 16
        /// answers were seen), a duration, or `0s` for never.
        hedge_delay: Option<Duration> [OptDur, "DURATION", "auto"] = None;
        /// First wait before a retry; it doubles for each further retry, plus up to 50%
        /// jitter.
        retry_backoff: Duration [Dur, "DURATION"] = Duration::from_millis(100);
        /// Consecutive failed fetches after which an upstream's circuit breaker opens:
        /// calls then fail at once (and `|` falls through at once).
        breaker_threshold: u32 [Count, "N"] = 5;
        /// How long an open breaker refuses calls before it lets one trial through.
        breaker_cooldown: Duration [Dur, "DURATION"] = Duration::from_secs(30);
        /// On SIGINT or SIGTERM, new connections stop and in-flight requests (and the
        /// downloads they wait on) get this long to finish.
        shutdown_timeout: Duration [Dur, "DURATION"] = Duration::from_secs(30);
        /// A git configuration file for direct mode, used as `GIT_CONFIG_GLOBAL`:
        /// `url.<base>.insteadOf` rewriting (HTTPS to SSH, or to a mirror) and credential
        /// helpers. Without it git reads the user's own configuration and `.netrc`.
        git_config: Option<PathBuf> [OptPath, "FILE", "(the user's git configuration)"] = None;
        /// Where direct mode keeps the bare git repositories it fetches modules from (one
        /// per repository, fetched incrementally and reused by later requests). Removing
        /// it only costs fetching again.
        vcs_dir: Option<PathBuf> [OptPath, "DIR", "(`.vcs` in the data directory)"] = None;
        /// `open`: public (non-`private`) modules are served to anyone. `token`: every
        /// request but `/healthz` and `/readyz` (public modules, `/sumdb/`, `/metrics`)
        /// needs a valid token, else 401. Private modules always need a token whose
        /// `modules` match them, whatever this says (see
        /// [Tokens](#tokens-config-file-only)).
        public_access: crate::access::PublicAccess [Access, "MODE"] = crate::access::PublicAccess::Open;
        /// Address ranges direct mode may reach besides public ones: `none`, `loopback`,
        /// `private` (RFC 1918, link-local, unique-local, shared), or `loopback,private`.
        /// By default a module path or go-import tag cannot make modgate connect to
        /// internal addresses. Repository URLs are judged as git contacts them, after
        /// `insteadOf` rewriting (a `file://` target is not network access and is not
        /// looked up); direct mode's HTTP (`?go-get=1` pages, and the module proxy a
        /// `<meta name="go-import" content="prefix mod URL">` tag names, which direct
        /// mode fetches the module from as Go does) connects only to addresses the check
        /// allowed, redirects included. The outbound HTTP proxies are exempt.
        direct_allow: modgate_upstream::Egress [Egress, "RANGES"] = modgate_upstream::Egress::default();
        /// Which version control systems direct mode may use, in `GOVCS` syntax (`go help
        /// vcs`): comma-separated `pattern:vcs|vcs` rules, where a pattern is a
        /// `GOPRIVATE`-style glob or `public`/`private` (`private` = the `private`
        /// patterns) and `all` or `off` may stand for the list. Go's default rules always
        /// follow the given ones. Checked before any VCS command; direct mode runs only
        /// git, so a module whose repository the policy allows under hg, svn, bzr or
        /// fossil is answered "direct mode supports only git: <path> uses hg" (not found).
        govcs: String [Govcs, "RULES"] = "public:git|hg,private:all".into();
        /// Coordination of replicas that share one store: `redis://[:password@]host:6379/0`
        /// (Redis or Valkey; `rediss://` for TLS), empty for none (one process). With it,
        /// replicas fetch each file once between them (a lease per file, renewed while
        /// the fetch runs, fenced so a holder that paused past it cannot store), share
        /// the negative cache and the freshness of lists and `@latest`, and move the
        /// trusted checksum-database tree only forward together. When Redis cannot be
        /// reached each replica falls back to coordinating only itself and keeps serving
        /// (see [Replicas](deployment.md#replicas)).
        coordination: String [Coordination, "URL"] = String::new();
        /// How long a replica's lease on a fetch lasts without renewal: the holder
        /// renews it every third of this while it fetches, and a holder that died is
        /// replaced when it runs out (others wait that long at most).
        lease_ttl: Duration [Dur, "DURATION"] = Duration::from_secs(10);
        /// Where modules are stored: empty for the data directory (`data`),
        /// `file:///path`, or an object store: `s3://bucket/prefix` (AWS S3 and
        /// S3-compatible stores), `gs://bucket/prefix`, `az://container/prefix`.
        /// Credentials, endpoint and region come from the standard variables
        /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, `AWS_REGION`,
        /// `AWS_ALLOW_HTTP`; `GOOGLE_*`, `AZURE_*`), overridden by `[storage_options]`
        /// (see [Object storage](deployment.md#object-storage)). The store is probed at
        /// start (write, read, ranged read, conditional create, delete) and the result
        /// logged; a store that cannot be written stops the start.
        storage: String [StorageUrl, "URL"] = String::new();
        /// A local directory for a bounded read-through copy of the immutable files
        /// (`.info`, `.mod`, `.zip` of versions, checksum-database lookups and full
        /// tiles) in front of `storage`, least recently used out; lists, `@latest` and
        /// other mutable files always come from `storage`. With an object store, uploads
        /// are spooled in its `.spool` subdirectory (else in the data directory's `.spool`).
        local_cache: Option<PathBuf> [OptPath, "DIR"] = None;
        /// Size limit of `local_cache` (`10GiB`, `500MB`, bytes).
        local_cache_size: u64 [Size, "SIZE"] = 10 << 30;
        /// A backup store every object is also written to: `file:///dir` (or
        /// `s3://bucket/prefix`, `gs://…`, `az://…`), empty for none. A write the backup
        /// misses is queued (see `backup_queue`) and retried with backoff; reads the
        /// primary misses or fails are answered from the backup, and immutable files are
        /// copied back to the primary (see [Backup and
        /// scrub](deployment.md#backup-and-scrub)). Options of the backup's object store
        /// go in the `[backup_options]` table.
        backup: String [StorageUrl, "URL"] = String::new();
        /// Where the queue of copies still owed to the backup (or, while the primary is
        /// down, to the primary) is kept: a local directory of small files, so it
        /// survives a restart. Each replica needs its own.
        backup_queue: Option<PathBuf> [OptPath, "DIR", "(`.backup-queue` in the data directory)"] = None;
        /// Objects per second the background scrub re-hashes (each stored `.zip` and
        /// `.mod` against the hash recorded when it was verified, on the primary and
        /// the backup, repairing a bad or missing copy from a good one); `0` for off.
        /// `modgate scrub` does the same once, at full speed.
        scrub_rate: u32 [Count, "N"] = 0;
    }
    tables {
        /// `[[routes]]`: upstreams for some module paths (config file only).
        routes: Vec<RouteConfig>,
        /// `[[tokens]]`: inbound tokens (config file only).
        tokens: Vec<crate::access::TokenConfig>,
        /// `[storage_options]`: object_store options of `storage` (config file only).
        storage_options: std::collections::BTreeMap<String, String>,
        /// `[backup_options]`: object_store options of `backup` (config file only).
        backup_options: std::collections::BTreeMap<String, String>,
    }
}

/// One scalar setting, as declared in `settings!`.
pub struct Key {
    /// The TOML key; `MODGATE_<NAME>` and `--<name-with-dashes>` derive from it.
    pub name: &'static str,
    /// The declaration's doc comment (markdown), one line per source line.
    doc: &'static str,
    /// What the flag's value is called in `--help` (`DURATION`).
    pub value_name: &'static str,
    /// Whether the flag may be given without a value (`--offline`).
    pub switch: bool,
    /// Whether values may hold URL credentials (masked in output and errors).
    pub secret_urls: bool,
    /// A valid value other than the default (of the key's kind; for tests).
    pub example: &'static str,
    /// The default, in words, where it is derived from other settings.
    default_note: Option<&'static str>,
    set: fn(&mut Config, &str) -> Result<(), String>,
    text: fn(&Config) -> Option<String>,
    toml: fn(&Config) -> Option<toml::Value>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("name", &self.name).finish()
    }
}

impl Key {
    /// The key named `name`.
    pub fn find(name: &str) -> Option<&'static Key> {
        KEYS.iter().find(|k| k.name == name)
    }

    /// `MODGATE_FRESH_FOR`.
    pub fn env_var(&self) -> String {
        format!("MODGATE_{}", self.name.to_ascii_uppercase())
    }

    /// `fresh-for` (the flag without its dashes).
    pub fn flag(&self) -> String {
        self.name.replace('_', "-")
    }

    /// The help text, markdown, on one line.
    pub fn help(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The help text for a terminal: no backquotes, links as their text.
    pub fn help_plain(&self) -> String {
        plain(&self.help())
    }

    /// The default as the docs show it: the value in backquotes, `(empty)`, or the
    /// declared words for a derived default.
    pub fn default_text(&self) -> String {
        if let Some(note) = self.default_note {
            return note.to_owned();
        }
        match self.text(&Config::default()) {
            Some(t) if t.is_empty() => "(empty)".into(),
            Some(t) => format!("`{t}`"),
            None => "(none)".into(),
        }
    }

    /// Sets this key in `cfg` from its text form; the error names the key and the
    /// value (masked where it may hold credentials).
    pub fn set(&self, cfg: &mut Config, text: &str) -> Result<(), ConfigError> {
        (self.set)(cfg, text)
            .map_err(|why| ConfigError(format!("{} {:?}: {why}", self.name, self.shown_text(text))))
    }

    /// The value in `cfg`, in text form; None when an optional value is unset.
    pub fn text(&self, cfg: &Config) -> Option<String> {
        (self.text)(cfg)
    }

    /// The value in `cfg` as a TOML value; None when unset.
    pub fn toml(&self, cfg: &Config) -> Option<toml::Value> {
        (self.toml)(cfg)
    }

    /// `text` with URL credentials masked if this key may hold them.
    pub fn shown_text(&self, text: &str) -> String {
        if self.secret_urls {
            redact_userinfo(text)
        } else {
            text.to_owned()
        }
    }
}

/// Markdown to terminal text: `code` loses its backquotes, `[text](target)` becomes text.
fn plain(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find(']').and_then(|close| {
            let target = after[close + 1..].strip_prefix('(')?;
            Some((close, close + 2 + target.find(')')?))
        });
        match link {
            Some((close, end)) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('`', "")
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
        Ok(Loaded::load(file, env, flags)?.config)
    }

    /// The effective GONOSUMDB patterns.
    pub fn nosumdb_patterns(&self) -> &str {
        self.nosumdb.as_deref().unwrap_or(&self.private)
    }

    /// Where direct mode keeps its git repositories: `vcs_dir`, else `<data>/.vcs`.
    pub fn vcs_dir(&self) -> PathBuf {
        self.vcs_dir
            .clone()
            .unwrap_or_else(|| self.data.join(".vcs"))
    }

    /// The backup queue directory: `backup_queue`, else `<data>/.backup-queue`.
    pub fn backup_queue_dir(&self) -> PathBuf {
        self.backup_queue
            .clone()
            .unwrap_or_else(|| self.data.join(".backup-queue"))
    }

    /// Applies a TOML document.
    pub fn apply_toml(&mut self, text: &str) -> Result<(), ConfigError> {
        self.apply_toml_keys(text).map(|_| ())
    }

    /// Applies a TOML document; returns the keys (and tables) it set.
    fn apply_toml_keys(&mut self, text: &str) -> Result<Vec<String>, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError(e.message().to_owned()))?;
        let mut set = Vec::new();
        for (k, v) in table {
            if k == "routes" {
                self.routes = v.try_into().map_err(|e: toml::de::Error| {
                    ConfigError(format!("routes: {}", e.message()))
                })?;
            } else if k == "backup_options" {
                self.backup_options = options_table("backup_options", v)?;
            } else if k == "tokens" {
                self.tokens = v.try_into().map_err(|e: toml::de::Error| {
                    ConfigError(format!("tokens: {}", e.message()))
                })?;
            } else if k == "storage_options" {
                self.storage_options = options_table("storage_options", v)?;
            } else {
                let key = Key::find(&k).ok_or_else(|| unknown_key(&k))?;
                let s = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(ConfigError(format!(
                            "{k}: want a string, number or boolean, not {}",
                            other.type_str()
                        )));
                    }
                };
                key.set(self, &s)?;
            }
            set.push(k);
        }
        Ok(set)
    }

    /// Sets one scalar key from its text form.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        Key::find(key)
            .ok_or_else(|| unknown_key(key))?
            .set(self, value)
    }
}

/// The error for a data directory that cannot be created or opened: the path, the
/// setting it came from (when known), and for the common causes what is wrong.
pub fn data_dir_error(path: &Path, source: Option<&Source>, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let from = source.map_or(String::new(), |s| format!(" (from {})", s.describe()));
    let why = match e.kind() {
        ErrorKind::AlreadyExists | ErrorKind::NotADirectory => {
            // The first part of the path that exists and is not a directory.
            let file = path
                .ancestors()
                .find(|p| p.exists() && !p.is_dir())
                .map_or(String::new(), |f| format!(": {} is a file", f.display()));
            format!("cannot create: {e} (a file is in the way{file})")
        }
        ErrorKind::PermissionDenied => format!("cannot create or write: {e}"),
        ErrorKind::ReadOnlyFilesystem => format!("cannot write: {e}"),
        _ => e.to_string(),
    };
    format!("data directory {}{from}: {why}", path.display())
}

/// A table of object-store options: string, integer or boolean values, as text.
fn options_table(
    name: &str,
    v: toml::Value,
) -> Result<std::collections::BTreeMap<String, String>, ConfigError> {
    let toml::Value::Table(t) = v else {
        return Err(ConfigError(format!(
            "{name}: want a table ([{name}] with key = \"value\" lines)"
        )));
    };
    t.into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            toml::Value::Integer(i) => Ok((k, i.to_string())),
            toml::Value::Boolean(b) => Ok((k, b.to_string())),
            other => Err(ConfigError(format!(
                "{name}.{k}: want a string, number or boolean, not {}",
                other.type_str()
            ))),
        })
        .collect()
}

/// Object-store option keys whose values are not secret, shown as they are by
/// `--print-config`; every other value (keys, tokens, SAS, service accounts) is masked.
pub const PUBLIC_STORAGE_OPTIONS: &[&str] = &[
    "endpoint",
    "region",
    "bucket",
    "allow_http",
    "access_key_id",
    "virtual_hosted_style_request",
    "skip_signature",
    "conditional_put",
    "unsigned_payload",
    "checksum_algorithm",
    "account_name",
    "container_name",
    "use_emulator",
    "use_fabric_endpoint",
    "bucket_name",
    "max_retries",
    "retry_timeout",
    "timeout",
    "connect_timeout",
    "read_timeout",
    "pool_idle_timeout",
    "pool_max_idle_per_host",
    "http1_only",
    "http2_only",
    "user_agent",
    "proxy_url",
    "allow_invalid_certificates",
];

/// `unknown key "listn"`, with the nearest key when one is close.
fn unknown_key(key: &str) -> ConfigError {
    let near = KEYS
        .iter()
        .map(|k| (strsim::levenshtein(k.name, key), k.name))
        .min()
        .filter(|(d, _)| *d <= 2.max(key.len() / 4));
    ConfigError(match near {
        Some((_, name)) => format!("unknown key {key:?} (did you mean {name:?}?)"),
        None => format!("unknown key {key:?}"),
    })
}

#[cfg(test)]
mod tests;
