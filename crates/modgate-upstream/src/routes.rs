//! Routes: which upstream list serves which module paths.
//!
//! An ordered list of (pattern, upstream list) pairs, patterns in GOPRIVATE syntax
//! (`module.MatchPrefixPatterns`: comma-separated globs matching path prefixes); the
//! first matching route wins and the default list serves the rest.
//!
//! Privacy is enforced here, whatever the routes say: a module path matching the
//! `--private` patterns is only ever requested from a route marked `private` (an
//! internal proxy the operator vouches for), from `direct` (the module's own
//! repository, where a private module lives: Go's GOPRIVATE means direct too) or
//! from local `file://` trees. Proxy URLs of any other list are dropped for such a
//! path (so the default `https://proxy.golang.org,direct` leaves it `direct`); if
//! nothing is left the path is reported not found, so the private name never reaches
//! a third-party proxy.

use modgate_core::pattern::match_prefix_patterns;

use crate::error::{ConfigError, ErrorKind, FetchError};
use crate::list::UpstreamList;

/// One route.
#[derive(Debug, Clone)]
pub struct Route {
    /// GOPRIVATE-syntax patterns.
    pub pattern: String,
    pub upstreams: UpstreamList,
    /// Whether this route may receive `--private` paths.
    pub private: bool,
}

/// The routing table.
#[derive(Debug, Clone)]
pub struct Routes {
    routes: Vec<Route>,
    default: UpstreamList,
    private: String,
}

impl Routes {
    pub fn new(
        default: UpstreamList,
        routes: Vec<Route>,
        private: impl Into<String>,
    ) -> Result<Routes, ConfigError> {
        for r in &routes {
            if r.pattern
                .split(',')
                .all(|g| g.trim_end_matches('/').is_empty())
            {
                return Err(ConfigError(format!(
                    "route pattern {:?} matches nothing",
                    r.pattern
                )));
            }
        }
        Ok(Routes {
            routes,
            default,
            private: private.into(),
        })
    }

    /// Whether `path` matches the `--private` patterns.
    pub fn is_private(&self, path: &str) -> bool {
        match_prefix_patterns(&self.private, path)
    }

    /// The upstream list to fetch `path` from.
    pub fn select(&self, path: &str) -> Result<UpstreamList, FetchError> {
        let route = self
            .routes
            .iter()
            .find(|r| match_prefix_patterns(&r.pattern, path));
        let (list, trusted) = match route {
            Some(r) => (&r.upstreams, r.private),
            None => (&self.default, false),
        };
        if trusted || !self.is_private(path) {
            return Ok(list.clone());
        }
        let entries: Vec<_> = list
            .entries
            .iter()
            .filter(|e| !e.upstream.is_remote())
            .cloned()
            .collect();
        if entries.is_empty() {
            return Err(FetchError::new(
                ErrorKind::NotFound,
                "",
                format!(
                    "{path} matches --private and no private route serves it; it is never requested from a public upstream"
                ),
            ));
        }
        Ok(UpstreamList { entries })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::list::{BreakerSettings, UpstreamSpec};

    fn list(urls: &[&str]) -> UpstreamList {
        let specs = urls
            .iter()
            .map(|u| (UpstreamSpec::Url((*u).into()), false))
            .collect();
        let b = BreakerSettings {
            threshold: 5,
            cooldown: Duration::from_secs(1),
        };
        UpstreamList::from_specs(specs, b).unwrap()
    }

    fn shown(l: &UpstreamList) -> Vec<String> {
        l.entries
            .iter()
            .map(|e| e.upstream.display().to_owned())
            .collect()
    }

    #[test]
    fn first_matching_route_wins_and_private_paths_stay_private() {
        let routes = Routes::new(
            list(&["https://proxy.golang.org", "file:///mirror"]),
            vec![
                Route {
                    pattern: "git.corp.example/*".into(),
                    upstreams: list(&["https://goproxy.corp.example"]),
                    private: true,
                },
                Route {
                    pattern: "*.corp.example,github.com/corp".into(),
                    upstreams: list(&["https://mirror.example"]),
                    private: false,
                },
            ],
            "git.corp.example,secret.corp.example,example.org/internal",
        )
        .unwrap();
        assert_eq!(
            shown(&routes.select("git.corp.example/team/lib").unwrap()),
            ["https://goproxy.corp.example"]
        );
        assert_eq!(
            shown(&routes.select("golang.org/x/text").unwrap()),
            ["https://proxy.golang.org", "file:///mirror"]
        );
        assert_eq!(
            shown(&routes.select("github.com/corp/tool").unwrap()),
            ["https://mirror.example"]
        );
        // A private path on a public route: nothing remote is left.
        let e = routes.select("secret.corp.example/x").unwrap_err();
        assert!(e.is_not_found());
        assert!(e.message.contains("matches --private"), "{e}");
        // A private path on the default list keeps only the local tree.
        assert_eq!(
            shown(&routes.select("example.org/internal/x").unwrap()),
            ["file:///mirror"]
        );
        assert!(routes.is_private("git.corp.example/a"));
        assert!(!routes.is_private("golang.org/x/text"));
    }

    #[test]
    fn default_list_sends_private_paths_direct_only() {
        let b = BreakerSettings {
            threshold: 5,
            cooldown: Duration::from_secs(1),
        };
        let default = UpstreamList::parse("https://proxy.golang.org,direct", b).unwrap();
        let routes = Routes::new(default, vec![], "github.com/acme,*.corp.example").unwrap();
        for private in [
            "github.com/acme/sdk",
            "github.com/acme/sdk/v2",
            "git.corp.example/team/lib",
        ] {
            let l = routes.select(private).unwrap();
            assert_eq!(shown(&l), ["direct"], "{private}");
            assert!(!l.has_remote(), "{private}");
        }
        assert_eq!(
            shown(&routes.select("github.com/acmeinc/x").unwrap()),
            ["https://proxy.golang.org", "direct"]
        );
        assert_eq!(
            shown(&routes.select("golang.org/x/text").unwrap()),
            ["https://proxy.golang.org", "direct"]
        );
    }

    #[test]
    fn empty_route_pattern_is_a_configuration_error() {
        let r = Routes::new(
            list(&["https://proxy.golang.org"]),
            vec![Route {
                pattern: ",/".into(),
                upstreams: list(&["https://x.example"]),
                private: false,
            }],
            "",
        );
        assert!(r.unwrap_err().0.contains("matches nothing"));
    }
}
