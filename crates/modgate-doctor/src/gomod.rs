//! The parts of a module's go.mod and go.sum that decide what `go` will
//! download: the `require` lines, `replace` lines (a replacement by a local
//! directory downloads nothing; one by another module downloads that module
//! instead) and which `path version` pairs go.sum already holds (those are
//! not looked up in the checksum database again). The reading is lax, like
//! `modfile.ParseLax` for dependencies: unknown directives are skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A required module after replacements: what `go` will actually fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub path: String,
    pub version: String,
    /// The `require` path when a replace directive substituted another module.
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub dir: PathBuf,
    pub module: String,
    /// Modules `go` downloads (local-directory replacements removed).
    pub requires: Vec<Requirement>,
    /// `path version` pairs with an `h1:` line in go.sum (zip hash).
    pub sums: BTreeSet<(String, String)>,
    /// vendor/modules.txt exists (builds with -mod=vendor download nothing).
    pub vendored: bool,
}

impl GoMod {
    pub fn read(dir: &Path) -> Result<GoMod, String> {
        let gomod = dir.join("go.mod");
        let text = std::fs::read_to_string(&gomod)
            .map_err(|e| format!("reading {}: {e}", gomod.display()))?;
        let mut m = parse(&text);
        m.dir = dir.to_path_buf();
        if let Ok(sum) = std::fs::read_to_string(dir.join("go.sum")) {
            m.sums = parse_sum(&sum);
        }
        m.vendored = dir.join("vendor").join("modules.txt").is_file();
        Ok(m)
    }

    /// Whether go.sum already has the module's zip hash.
    pub fn has_sum(&self, path: &str, version: &str) -> bool {
        self.sums.contains(&(path.to_string(), version.to_string()))
    }
}

/// Splits a line into Go-lexer-ish tokens: words and quoted strings, stopping
/// at `//` comments.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if rest.starts_with("//") {
            break;
        }
        if let Some(r) = rest.strip_prefix('"') {
            let mut end = None;
            let mut escaped = false;
            for (i, c) in r.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            out.push(r[..end].replace("\\\"", "\"").replace("\\\\", "\\"));
            rest = r[end + 1..].trim_start();
            continue;
        }
        if let Some(r) = rest.strip_prefix('`') {
            let Some(end) = r.find('`') else { break };
            out.push(r[..end].to_string());
            rest = r[end + 1..].trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if let Some(i) = word.find("//") {
            if i > 0 {
                out.push(word[..i].to_string());
            }
            break;
        }
        out.push(word.to_string());
        rest = rest[end..].trim_start();
    }
    out
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

/// Parses go.mod text (lax).
pub fn parse(text: &str) -> GoMod {
    let mut m = GoMod::default();
    let mut reqs: Vec<(String, String)> = Vec::new();
    let mut reps: Vec<Replace> = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        let mut t = tokens(line);
        if t.is_empty() {
            continue;
        }
        if block.is_some() && t[0] == ")" {
            block = None;
            continue;
        }
        let verb = match &block {
            Some(b) => b.clone(),
            None => {
                let v = t.remove(0);
                if t.first().map(String::as_str) == Some("(") {
                    block = Some(v);
                    continue;
                }
                v
            }
        };
        match verb.as_str() {
            "module" if !t.is_empty() => m.module = t[0].clone(),
            "require" if t.len() >= 2 => reqs.push((t[0].clone(), t[1].clone())),
            "replace" => {
                let Some(arrow) = t.iter().position(|x| x == "=>") else {
                    continue;
                };
                let (lhs, rhs) = (&t[..arrow], &t[arrow + 1..]);
                if lhs.is_empty() || rhs.is_empty() {
                    continue;
                }
                reps.push(Replace {
                    old: lhs[0].clone(),
                    old_version: lhs.get(1).cloned(),
                    new: rhs[0].clone(),
                    new_version: rhs.get(1).cloned(),
                });
            }
            _ => {}
        }
    }
    for (path, version) in reqs {
        // A versioned replace wins over an unversioned one (modload).
        let rep = reps
            .iter()
            .find(|r| r.old == path && r.old_version.as_deref() == Some(version.as_str()))
            .or_else(|| {
                reps.iter()
                    .find(|r| r.old == path && r.old_version.is_none())
            });
        match rep {
            None => m.requires.push(Requirement {
                path,
                version,
                replaces: None,
            }),
            Some(r) => match &r.new_version {
                // A file path replacement: nothing is downloaded.
                None => {}
                Some(v) => m.requires.push(Requirement {
                    path: r.new.clone(),
                    version: v.clone(),
                    replaces: Some(path),
                }),
            },
        }
    }
    m
}

/// `path version h1:...` lines (not the `/go.mod` ones).
pub fn parse_sum(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (p, v, h) = (f.next()?, f.next()?, f.next()?);
            (h.starts_with("h1:") && !v.ends_with("/go.mod"))
                .then(|| (p.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
