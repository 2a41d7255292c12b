//! HTTP proxy settings exactly as Go's `net/http.ProxyFromEnvironment` reads
//! them: the rules (uppercase first, `ALL_PROXY` ignored, `http://` assumed,
//! NO_PROXY and the loopback rule, CGI) live in
//! [`modgate_core::goenv::httpproxy`], the one port of
//! `golang.org/x/net/http/httpproxy`; this module only lets it read the
//! doctor's [`Env`] snapshot.

use crate::env::Env;

pub use modgate_core::goenv::httpproxy::{ProxyEnv, ProxyUrl, ProxyVar, parse_proxy};

impl modgate_core::goenv::httpproxy::EnvVars for Env {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }
}
