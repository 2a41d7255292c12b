//! Go's settings as the go command reads them, for the commands that fetch like it.
//!
//! The environment wins, then the user's go env file (`$GOENV`, else
//! `$XDG_CONFIG_HOME/go/env` or `~/.config/go/env`), then Go's built-in defaults
//! (`modgate_core::goenv::vars`). The toolchain's own `$GOROOT/go.env` is not read:
//! that needs a go installation, and these commands work without one; its only
//! settings (GOPROXY, GOSUMDB, GOTOOLCHAIN) are Go's defaults, which apply here too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use modgate_cache::assemble::{RouteSpec, Upstreams};
use modgate_core::goenv::vars::{self, Setting, Source};

/// The resolved go settings.
#[derive(Debug, Clone)]
pub struct GoSettings {
    vars: BTreeMap<&'static str, Setting>,
    home: Option<String>,
    gopath: Option<String>,
}

impl GoSettings {
    /// The settings of this process (its environment and the user's go env file).
    pub fn from_process() -> GoSettings {
        GoSettings::from_env(&|k| std::env::var(k).ok())
    }

    /// The settings for an environment given as a lookup (reading the go env file it
    /// names).
    pub fn from_env(getenv: &dyn Fn(&str) -> Option<String>) -> GoSettings {
        let get = |k: &str| getenv(k).filter(|v| !v.is_empty());
        let config =
            vars::user_config_dir(get("XDG_CONFIG_HOME").as_deref(), get("HOME").as_deref());
        let file = vars::env_file_path(get("GOENV").as_deref(), config.as_deref());
        let data = file.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
        let vars = vars::resolve(getenv, file.as_deref().zip(data.as_deref()), None);
        GoSettings {
            vars,
            home: get("HOME"),
            gopath: get("GOPATH"),
        }
    }

    /// `--proxy URL`: GOPROXY replaced, as if set in the environment.
    pub fn with_proxy(mut self, proxy: &str) -> GoSettings {
        self.vars.insert(
            "GOPROXY",
            Setting {
                value: proxy.to_owned(),
                source: Source::Env,
            },
        );
        self
    }

    /// GOSUMDB replaced, as if set in the environment (`off`: an unverifying fetcher).
    pub fn with_gosumdb(mut self, gosumdb: &str) -> GoSettings {
        self.vars.insert(
            "GOSUMDB",
            Setting {
                value: gosumdb.to_owned(),
                source: Source::Env,
            },
        );
        self
    }

    /// A variable's effective value (`""` when unset): GONOPROXY and GONOSUMDB
    /// default to GOPRIVATE, GOPROXY and GOSUMDB to Go's defaults.
    pub fn get(&self, var: &str) -> &str {
        vars::effective(&self.vars, var)
    }

    /// A variable's value and where it came from (for "which setting" evidence).
    pub fn setting(&self, var: &str) -> Option<&Setting> {
        self.vars.get(var)
    }

    /// `GOPROXY="..." (environment)`.
    pub fn describe(&self, var: &str) -> String {
        match self.vars.get(var) {
            Some(s) => format!("{var}={:?} ({})", s.value, s.source.describe()),
            None => format!("{var} unset"),
        }
    }

    pub fn goproxy(&self) -> &str {
        self.get("GOPROXY")
    }

    pub fn gosumdb(&self) -> &str {
        self.get("GOSUMDB")
    }

    pub fn goprivate(&self) -> &str {
        self.get("GOPRIVATE")
    }

    pub fn gonoproxy(&self) -> &str {
        self.get("GONOPROXY")
    }

    pub fn gonosumdb(&self) -> &str {
        self.get("GONOSUMDB")
    }

    pub fn goinsecure(&self) -> &str {
        self.get("GOINSECURE")
    }

    pub fn gotoolchain(&self) -> &str {
        self.get("GOTOOLCHAIN")
    }

    /// GOWORK: `""` (search for go.work), `off`, or a go.work path.
    pub fn gowork(&self) -> &str {
        self.get("GOWORK")
    }

    /// GOFLAGS split into flags, as `cmd/go/internal/base.GOFLAGS` does (space
    /// separated; quoting is not supported there either).
    pub fn goflags(&self) -> Vec<String> {
        self.get("GOFLAGS")
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// The value of a `-name=value` (or `--name=value`) flag in GOFLAGS; the last wins.
    pub fn goflag(&self, name: &str) -> Option<String> {
        self.goflags().iter().rev().find_map(|f| {
            let f = f.trim_start_matches('-');
            let (k, v) = f.split_once('=').unwrap_or((f, "true"));
            (k == name).then(|| v.to_owned())
        })
    }

    /// The module cache: GOMODCACHE, else the first GOPATH entry's `pkg/mod`, else
    /// `$HOME/go/pkg/mod`.
    pub fn gomodcache(&self) -> Option<PathBuf> {
        if !self.get("GOMODCACHE").is_empty() {
            return Some(PathBuf::from(self.get("GOMODCACHE")));
        }
        if let Some(gopath) = &self.gopath {
            return std::env::split_paths(gopath)
                .next()
                .map(|p| p.join("pkg").join("mod"));
        }
        self.home
            .as_ref()
            .map(|h| PathBuf::from(h).join("go").join("pkg").join("mod"))
    }

    /// Where modules come from, as `modgate_cache::assemble` takes it: GOPROXY for
    /// everything but the GONOPROXY paths, which go fetches `direct`; the checksum
    /// database of GOSUMDB for everything but the GONOSUMDB paths. As in go, GOPRIVATE
    /// acts only through the defaults of GONOPROXY and GONOSUMDB.
    pub fn upstreams(&self) -> Upstreams {
        let mut routes = Vec::new();
        if !self.gonoproxy().trim().is_empty() {
            routes.push(RouteSpec {
                pattern: self.gonoproxy().to_owned(),
                upstream: "direct".into(),
                private: true,
            });
        }
        Upstreams {
            upstream: self.goproxy().to_owned(),
            routes,
            private: String::new(),
            sumdb: self.gosumdb().to_owned(),
            nosumdb: self.gonosumdb().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> GoSettings {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GoSettings::from_env(&move |k| m.get(k).cloned())
    }

    #[test]
    fn env_file_then_environment_then_proxy_flag() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("go")).unwrap();
        std::fs::write(
            dir.path().join("go/env"),
            "GOPROXY=https://corp.example\nGOPRIVATE=corp.example\nGOFLAGS=-mod=mod -modcacherw\n",
        )
        .unwrap();
        let xdg = dir.path().to_string_lossy().into_owned();
        let s = settings(&[("XDG_CONFIG_HOME", &xdg), ("GONOSUMDB", "x.example")]);
        assert_eq!(s.goproxy(), "https://corp.example");
        assert_eq!(
            s.setting("GOPROXY").unwrap().source,
            Source::EnvFile(dir.path().join("go/env"))
        );
        assert_eq!(s.gonoproxy(), "corp.example");
        assert_eq!(s.gonosumdb(), "x.example");
        assert_eq!(s.gosumdb(), "sum.golang.org");
        assert_eq!(s.goflag("mod").as_deref(), Some("mod"));
        assert_eq!(s.goflag("modcacherw").as_deref(), Some("true"));
        let up = s.upstreams();
        assert_eq!(up.routes.len(), 1);
        assert_eq!(up.routes[0].upstream, "direct");
        assert_eq!(up.nosumdb, "x.example");
        let s = s.with_proxy("http://127.0.0.1:1");
        assert_eq!(s.goproxy(), "http://127.0.0.1:1");
        assert_eq!(s.upstreams().upstream, "http://127.0.0.1:1");
        // GOENV=off: the file is not read.
        let s = settings(&[("XDG_CONFIG_HOME", &xdg), ("GOENV", "off")]);
        assert_eq!(s.goproxy(), "https://proxy.golang.org,direct");
    }

    #[test]
    fn gomodcache_defaults() {
        let s = settings(&[("HOME", "/h"), ("GOENV", "off")]);
        assert_eq!(s.gomodcache(), Some(PathBuf::from("/h/go/pkg/mod")));
        let s = settings(&[("HOME", "/h"), ("GOPATH", "/p:/q"), ("GOENV", "off")]);
        assert_eq!(s.gomodcache(), Some(PathBuf::from("/p/pkg/mod")));
        let s = settings(&[("GOMODCACHE", "/m"), ("GOENV", "off")]);
        assert_eq!(s.gomodcache(), Some(PathBuf::from("/m")));
    }
}
