//! The `GOVCS` policy: which version control systems may be run for which
//! module paths.
//!
//! A port of `cmd/go/internal/vcs/vcs.go` (`parseGOVCS`, `govcsConfig.allow`,
//! `defaultGOVCS`, `checkGOVCS`) of Go 1.27.3. A setting is a comma-separated
//! list of `pattern:vcslist` rules; a pattern is a `GOPRIVATE`-style glob
//! (matched with [`crate::pattern::match_prefix_patterns`]) or one of the
//! words `public` and `private`; a vcslist is `|`-separated command names,
//! where `all` allows every system and any other word that is no system's
//! name (`off`, `none`) allows none. The first matching rule decides; Go's
//! default rules `private:all,public:git|hg` are appended to every setting,
//! and a path no rule matches is refused. Parse errors use Go's wording.

use std::fmt;

use crate::pattern::match_prefix_patterns;
use crate::quote::quote;

#[cfg(test)]
mod tests;

/// One `pattern:vcs|vcs` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    pattern: String,
    allowed: Vec<String>,
}

/// A list of `GOVCS` rules (see [`Govcs::setting`] for the go command's
/// effective policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Govcs {
    rules: Vec<Rule>,
}

/// Why a `GOVCS` setting is malformed (Go's message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovcsParseError(pub String);

impl fmt::Display for GovcsParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GovcsParseError {}

/// A refusal: Go's "GOVCS disallows using …" error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovcsDenied {
    /// The VCS command (`git`, `hg`, …).
    pub vcs: String,
    /// The repository root path that was checked.
    pub root: String,
    /// Whether the root matched the private patterns.
    pub private: bool,
}

impl fmt::Display for GovcsDenied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.private { "private" } else { "public" };
        write!(
            f,
            "GOVCS disallows using {} for {what} {}; see 'go help vcs'",
            self.vcs, self.root
        )
    }
}

impl std::error::Error for GovcsDenied {}

/// Go's `defaultGOVCS`, appended after the user's rules.
fn default_rules() -> [Rule; 2] {
    let rule = |p: &str, a: &[&str]| Rule {
        pattern: p.to_string(),
        allowed: a.iter().map(|s| s.to_string()).collect(),
    };
    [rule("private", &["all"]), rule("public", &["git", "hg"])]
}

/// Go's `search.IsRelativePath`.
fn is_relative_path(p: &str) -> bool {
    p.starts_with("./") || p.starts_with("../") || p == "." || p == ".."
}

impl Default for Govcs {
    /// Go's default: `private:all,public:git|hg`.
    fn default() -> Self {
        Govcs {
            rules: default_rules().to_vec(),
        }
    }
}

impl Govcs {
    /// A `GOVCS` setting as the go command applies it: the parsed rules
    /// followed by Go's defaults (`checkGOVCS`); the empty string is the
    /// defaults alone.
    pub fn setting(s: &str) -> Result<Govcs, GovcsParseError> {
        let mut g = Govcs::parse(s)?;
        g.rules.extend(default_rules());
        Ok(g)
    }

    /// Go's `parseGOVCS`: the rules of `s` alone, without the defaults.
    pub fn parse(s: &str) -> Result<Govcs, GovcsParseError> {
        let err = |m: String| Err(GovcsParseError(m));
        let s = s.trim();
        let mut rules: Vec<Rule> = Vec::new();
        if !s.is_empty() {
            let mut have: Vec<(String, String)> = Vec::new();
            for item in s.split(',') {
                let item = item.trim();
                if item.is_empty() {
                    return err("empty entry in GOVCS".into());
                }
                let Some((pattern, list)) = item.split_once(':') else {
                    return err(format!(
                        "malformed entry in GOVCS (missing colon): {}",
                        quote(item)
                    ));
                };
                let (pattern, list) = (pattern.trim(), list.trim());
                if pattern.is_empty() {
                    return err(format!("empty pattern in GOVCS: {}", quote(item)));
                }
                if list.is_empty() {
                    return err(format!("empty VCS list in GOVCS: {}", quote(item)));
                }
                if is_relative_path(pattern) {
                    return err(format!(
                        "relative pattern not allowed in GOVCS: {}",
                        quote(pattern)
                    ));
                }
                if let Some((_, old)) = have.iter().find(|(p, _)| p == pattern) {
                    return err(format!(
                        "unreachable pattern in GOVCS: {} after {}",
                        quote(item),
                        quote(old)
                    ));
                }
                have.push((pattern.to_string(), item.to_string()));
                let mut allowed = Vec::new();
                for a in list.split('|') {
                    let a = a.trim();
                    if a.is_empty() {
                        return err(format!("empty VCS name in GOVCS: {}", quote(item)));
                    }
                    allowed.push(a.to_string());
                }
                rules.push(Rule {
                    pattern: pattern.to_string(),
                    allowed,
                });
            }
        }
        Ok(Govcs { rules })
    }

    /// Go's `govcsConfig.allow`: whether `vcs` may be used for `path`, which
    /// is private or not. The first matching rule decides; none matching
    /// refuses.
    pub fn allow(&self, path: &str, private: bool, vcs: &str) -> bool {
        for rule in &self.rules {
            let matched = match rule.pattern.as_str() {
                "private" => private,
                "public" => !private,
                // Patterns are comma-free, so this matches one pattern.
                p => match_prefix_patterns(p, path),
            };
            if matched {
                return rule.allowed.iter().any(|a| a == vcs || a == "all");
            }
        }
        false
    }

    /// Go's `checkGOVCS`: whether `vcs` may be run for the repository root
    /// path `root`, which is private when it matches `private_patterns`
    /// (GOPRIVATE syntax). `mod` (a GOPROXY-protocol server, no VCS) is
    /// always allowed.
    pub fn check(&self, vcs: &str, root: &str, private_patterns: &str) -> Result<(), GovcsDenied> {
        if vcs == "mod" {
            return Ok(());
        }
        let private = match_prefix_patterns(private_patterns, root);
        if self.allow(root, private, vcs) {
            Ok(())
        } else {
            Err(GovcsDenied {
                vcs: vcs.to_string(),
                root: root.to_string(),
                private,
            })
        }
    }
}
