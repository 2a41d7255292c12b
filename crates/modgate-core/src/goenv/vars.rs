//! The go environment variables that decide how modules are downloaded, with
//! the go command's defaults (`$GOROOT/go.env` and `cmd/go/internal/cfg`), and
//! where each setting comes from, in the go command's order
//! (`cmd/go/internal/cfg/cfg.go`, `Getenv` and `initEnvCache`):
//!
//! 1. the process environment (a non-empty value wins);
//! 2. the user's go env file (`$GOENV`, else `os.UserConfigDir()/go/env`,
//!    written by `go env -w`; `GOENV=off` disables it);
//! 3. `$GOROOT/go.env` (the toolchain's defaults), as `go env -json` reports it;
//! 4. the built-in default.
//!
//! The one list of their names in modgate. Pure: the caller reads the
//! environment, the file and `go env -json`; this module decides. The doctor
//! and the project commands (`warm`, `audit`) share it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a variable is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Where modules are fetched from and how they are verified and
    /// authenticated: the settings a broken download is usually fixed with.
    Download,
    /// Which version control systems direct mode may run.
    Vcs,
    /// Which go toolchain runs (and may be downloaded).
    Toolchain,
    /// Where downloaded modules are kept.
    Cache,
}

/// One go environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    /// Its name, such as `GOPROXY`.
    pub name: &'static str,
    /// The go command's value when it is unset or empty ("" for none).
    pub default: &'static str,
    pub role: Role,
    /// What it means, in a line.
    pub about: &'static str,
}

const fn var(name: &'static str, default: &'static str, role: Role, about: &'static str) -> Var {
    Var {
        name,
        default,
        role,
        about,
    }
}

/// The variables, download settings first, in the order `go env` users know them.
pub const VARS: &[Var] = &[
    var(
        "GOPROXY",
        super::goproxy::DEFAULT,
        Role::Download,
        "module proxies to try, then direct (version control) or off",
    ),
    var(
        "GOSUMDB",
        super::gosumdb::DEFAULT,
        Role::Download,
        "the checksum database that vouches for module hashes, or off",
    ),
    var(
        "GOPRIVATE",
        "",
        Role::Download,
        "module path patterns that are private: the default of GONOPROXY and GONOSUMDB",
    ),
    var(
        "GONOPROXY",
        "",
        Role::Download,
        "module path patterns fetched directly, never through GOPROXY",
    ),
    var(
        "GONOSUMDB",
        "",
        Role::Download,
        "module path patterns not checked against GOSUMDB",
    ),
    var(
        "GOINSECURE",
        "",
        Role::Download,
        "module path patterns that may be fetched over plain HTTP or unverified HTTPS",
    ),
    var(
        "GOFLAGS",
        "",
        Role::Download,
        "flags for every go command (such as -mod or -insecure)",
    ),
    var(
        "GOAUTH",
        "netrc",
        Role::Download,
        "how HTTPS requests get credentials (netrc, git, a command, off)",
    ),
    var(
        "GOVCS",
        "",
        Role::Vcs,
        "which version control systems direct mode may use, per module path pattern",
    ),
    var(
        "GOTOOLCHAIN",
        "auto",
        Role::Toolchain,
        "which go toolchain runs: local, a version, or auto (download a newer one when go.mod asks)",
    ),
    var(
        "GOVERSION",
        "",
        Role::Toolchain,
        "the running toolchain's version (read-only)",
    ),
    var(
        "GOROOT",
        "",
        Role::Toolchain,
        "where the running toolchain is installed",
    ),
    var(
        "GOMODCACHE",
        "",
        Role::Cache,
        "the module cache (default GOPATH's first entry/pkg/mod)",
    ),
    var(
        "GOWORK",
        "",
        Role::Cache,
        "the workspace file (go.work) in use, or off",
    ),
];

/// The variable named `name`, if it is one of [`VARS`].
pub fn get(name: &str) -> Option<&'static Var> {
    VARS.iter().find(|v| v.name == name)
}

/// The go command's default for `name` ("" for none or an unknown name).
pub fn default(name: &str) -> &'static str {
    get(name).map_or("", |v| v.default)
}

/// The names of the [`Role::Download`] variables, in [`VARS`] order.
pub fn download() -> impl Iterator<Item = &'static str> {
    VARS.iter()
        .filter(|v| v.role == Role::Download)
        .map(|v| v.name)
}

/// The go command's default for `var` when `go` is not asked (see [`default`]).
pub fn builtin_default(var: &str) -> &'static str {
    default(var)
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Env,
    /// The user's go env file (`go env -w`).
    EnvFile(PathBuf),
    /// Reported by `go env -json` (the toolchain's `go.env` or its built-in default).
    GoEnv,
    /// Go's documented default (no `go` asked).
    Default,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Env => "environment".into(),
            Source::EnvFile(p) => format!("go env -w ({})", p.display()),
            Source::GoEnv => "go env".into(),
            Source::Default => "default".into(),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Source,
}

/// The user's go env file, per `cfg.EnvFile`: `$GOENV` (`off`: none), else
/// `<user config dir>/go/env`.
pub fn env_file_path(goenv: Option<&str>, user_config_dir: Option<&Path>) -> Option<PathBuf> {
    match goenv.filter(|v| !v.is_empty()) {
        Some("off") => None,
        Some(f) => Some(PathBuf::from(f)),
        None => user_config_dir.map(|d| d.join("go").join("env")),
    }
}

/// Go's `os.UserConfigDir` on Unix: `$XDG_CONFIG_HOME` if absolute, else
/// `$HOME/.config`.
pub fn user_config_dir(xdg_config_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    if let Some(dir) = xdg_config_home.filter(|d| Path::new(d).is_absolute()) {
        return Some(PathBuf::from(dir));
    }
    home.filter(|h| !h.is_empty())
        .map(|h| Path::new(h).join(".config"))
}

/// Parses a go env file the way `readEnvFile` does: `KEY=value` lines whose
/// key starts with an uppercase letter; later lines do not override earlier.
pub fn parse_env_file(data: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in data.split('\n') {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !k.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        out.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    out
}

/// Resolves every variable in [`VARS`] from the environment (`getenv`, an empty
/// value counting as unset), the env file (its path and contents, if read) and
/// `go env -json`'s answer (if asked).
pub fn resolve(
    getenv: &dyn Fn(&str) -> Option<String>,
    file: Option<(&Path, &str)>,
    go_env: Option<&BTreeMap<String, String>>,
) -> BTreeMap<&'static str, Setting> {
    let file_vars = file.map(|(_, d)| parse_env_file(d)).unwrap_or_default();
    let mut out = BTreeMap::new();
    for var in VARS.iter().map(|v| v.name) {
        let setting = if let Some(v) = getenv(var).filter(|v| !v.is_empty()) {
            Setting {
                value: v,
                source: Source::Env,
            }
        } else if let (Some(v), Some((p, _))) = (file_vars.get(var).filter(|v| !v.is_empty()), file)
        {
            Setting {
                value: v.clone(),
                source: Source::EnvFile(p.to_owned()),
            }
        } else if let Some(v) = go_env.and_then(|g| g.get(var)) {
            Setting {
                value: v.clone(),
                source: Source::GoEnv,
            }
        } else {
            Setting {
                value: builtin_default(var).to_string(),
                source: Source::Default,
            }
        };
        out.insert(var, setting);
    }
    // `go env` reports GONOPROXY and GONOSUMDB defaulted to GOPRIVATE
    // (cfg.go); such a value was not set by the user, so it must not be
    // named as the variable to change (the defaulting is `effective`'s job).
    let private = out.get("GOPRIVATE").map(|s| s.value.clone());
    for var in ["GONOPROXY", "GONOSUMDB"] {
        if let Some(s) = out.get_mut(var)
            && s.source == Source::GoEnv
            && Some(&s.value) == private.as_ref()
        {
            *s = Setting {
                value: String::new(),
                source: Source::Default,
            };
        }
    }
    out
}

/// The value the go command acts on: GONOPROXY and GONOSUMDB default to
/// GOPRIVATE, and an empty GOPROXY or GOSUMDB means Go's default
/// (`cfg.go`, `modfetch/proxy.go`, `modfetch/sumdb.go`).
pub fn effective<'a>(vars: &'a BTreeMap<&'static str, Setting>, var: &str) -> &'a str {
    let get = |v: &str| vars.get(v).map_or("", |s| s.value.as_str());
    match (var, get(var)) {
        ("GONOPROXY" | "GONOSUMDB", "") => get("GOPRIVATE"),
        ("GOPROXY" | "GOSUMDB", "") => builtin_default(var),
        (_, v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_match_the_parsers() {
        let mut names: Vec<&str> = VARS.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VARS.len());
        // Each default is a value the core's own parsers accept.
        assert!(super::super::goproxy::parse(default("GOPROXY")).is_ok());
        assert!(super::super::gosumdb::parse(default("GOSUMDB")).is_ok());
        assert_eq!(default("GOAUTH"), "netrc");
        assert_eq!(default("NOT_A_GO_VAR"), "");
        let download: Vec<&str> = download().collect();
        assert_eq!(download.first(), Some(&"GOPROXY"));
        assert!(!download.contains(&"GOVCS") && download.contains(&"GOAUTH"));
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn precedence_environment_file_go_env_default() {
        let file = "GOPROXY=https://file\nGOSUMDB=\nGOPRIVATE=file.example\nlower=x\nGOPROXY=https://second\n";
        let go: BTreeMap<String, String> = [("GOFLAGS".into(), "-mod=mod".into())].into();
        let r = resolve(
            &env(&[("GOPRIVATE", "env.example"), ("GOINSECURE", "")]),
            Some((Path::new("/cfg/go/env"), file)),
            Some(&go),
        );
        assert_eq!(r["GOPROXY"].value, "https://file");
        assert_eq!(r["GOPROXY"].source, Source::EnvFile("/cfg/go/env".into()));
        assert_eq!(r["GOPRIVATE"].value, "env.example");
        assert_eq!(r["GOPRIVATE"].source, Source::Env);
        assert_eq!(r["GOFLAGS"].source, Source::GoEnv);
        // An empty file value falls through to the default.
        assert_eq!(r["GOSUMDB"].source, Source::Default);
        assert_eq!(effective(&r, "GOSUMDB"), "sum.golang.org");
        assert_eq!(effective(&r, "GONOSUMDB"), "env.example");
        assert_eq!(r["GOINSECURE"].source, Source::Default);
    }

    #[test]
    fn env_file_location() {
        let xdg = user_config_dir(Some("/x"), Some("/h"));
        assert_eq!(xdg.as_deref(), Some(Path::new("/x")));
        // A relative XDG_CONFIG_HOME is ignored, as os.UserConfigDir does.
        let home = user_config_dir(Some("rel"), Some("/h"));
        assert_eq!(home.as_deref(), Some(Path::new("/h/.config")));
        assert_eq!(
            env_file_path(None, home.as_deref()),
            Some(PathBuf::from("/h/.config/go/env"))
        );
        assert_eq!(env_file_path(Some("off"), home.as_deref()), None);
        assert_eq!(env_file_path(Some("/e"), None), Some(PathBuf::from("/e")));
    }
}
