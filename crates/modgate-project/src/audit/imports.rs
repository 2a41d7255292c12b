//! The import paths of a main module's Go source: a scanner of the `package`
//! clause and `import` declarations (what `go list -f '{{.Imports}}'` reads
//! first), not a parser of the rest. Build constraints are not evaluated: a file
//! for any platform counts, as govulncheck's module mode would rather over- than
//! under-report. Directories go skips (`testdata`, `vendor`, names starting with
//! `.` or `_`) and nested modules (a `go.mod` of their own) are skipped.

use std::collections::BTreeSet;
use std::path::Path;

/// The imports of every `.go` file under `dir` (tests included: go mod tidy
/// keeps their modules too). Unreadable files are skipped; symlinks not followed.
pub fn scan_module(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(dir, true, &mut out);
    out
}

fn walk(dir: &Path, top: bool, out: &mut BTreeSet<String>) {
    if !top && dir.join("go.mod").is_file() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if name.starts_with('.')
                || name.starts_with('_')
                || name == "testdata"
                || name == "vendor"
            {
                continue;
            }
            walk(&e.path(), false, out);
        } else if kind.is_file()
            && name.ends_with(".go")
            && !name.starts_with('.')
            && !name.starts_with('_')
            && let Ok(src) = std::fs::read(e.path())
        {
            out.extend(imports(&src));
        }
    }
}

/// The import paths of one Go source file: the string literals of the `import`
/// declarations that follow the `package` clause (single, grouped, named, dot
/// and blank imports; comments anywhere between tokens).
pub fn imports(src: &[u8]) -> Vec<String> {
    let mut lx = Lexer { s: src, i: 0 };
    let mut out = Vec::new();
    let mut first = lx.next();
    while first == Some(Tok::Semi) {
        first = lx.next();
    }
    if first != Some(Tok::Ident(b"package")) {
        return out;
    }
    lx.next(); // the package name
    loop {
        match lx.next() {
            Some(Tok::Semi) => continue,
            Some(Tok::Ident(b"import")) => {}
            _ => return out,
        }
        match lx.next() {
            Some(Tok::LParen) => loop {
                match lx.next() {
                    Some(Tok::RParen) | None => break,
                    Some(Tok::Str(p)) => out.push(p),
                    Some(_) => {}
                }
            },
            Some(Tok::Str(p)) => out.push(p),
            // A name (or `.` / `_`), then the path.
            Some(_) => {
                if let Some(Tok::Str(p)) = lx.next() {
                    out.push(p);
                }
            }
            None => return out,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a [u8]),
    Str(String),
    LParen,
    RParen,
    /// `;` or a newline (Go's automatic semicolons; harmless extra ones here).
    Semi,
    Other,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Tok<'a>> {
        loop {
            let c = *self.s.get(self.i)?;
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' | b';' => {
                    self.i += 1;
                    return Some(Tok::Semi);
                }
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'/' if self.s.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2;
                    while self.i < self.s.len()
                        && !(self.s[self.i] == b'*' && self.s.get(self.i + 1) == Some(&b'/'))
                    {
                        self.i += 1;
                    }
                    self.i += 2;
                }
                b'(' => {
                    self.i += 1;
                    return Some(Tok::LParen);
                }
                b')' => {
                    self.i += 1;
                    return Some(Tok::RParen);
                }
                b'`' => {
                    let start = self.i + 1;
                    let end = self.s[start..].iter().position(|&b| b == b'`')? + start;
                    self.i = end + 1;
                    return Some(Tok::Str(
                        String::from_utf8_lossy(&self.s[start..end]).into_owned(),
                    ));
                }
                b'"' => {
                    // Import paths have no escapes worth decoding; an escape
                    // keeps its backslash and the path then matches no module.
                    let start = self.i + 1;
                    let mut j = start;
                    while j < self.s.len() && self.s[j] != b'"' && self.s[j] != b'\n' {
                        if self.s[j] == b'\\' {
                            j += 1;
                        }
                        j += 1;
                    }
                    self.i = j + 1;
                    let end = j.min(self.s.len());
                    return Some(Tok::Str(
                        String::from_utf8_lossy(&self.s[start..end]).into_owned(),
                    ));
                }
                c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && (self.s[self.i].is_ascii_alphanumeric()
                            || self.s[self.i] == b'_'
                            || self.s[self.i] >= 0x80)
                    {
                        self.i += 1;
                    }
                    return Some(Tok::Ident(&self.s[start..self.i]));
                }
                _ => {
                    self.i += 1;
                    return Some(Tok::Other);
                }
            }
        }
    }
}

/// The build-list module providing `import`: the longest module path that is
/// the import path or a prefix of it ending at a `/`.
pub fn module_of<'a>(import: &str, modules: &'a [String]) -> Option<&'a str> {
    modules
        .iter()
        .filter(|m| {
            import == m.as_str()
                || (import.starts_with(m.as_str()) && import.as_bytes().get(m.len()) == Some(&b'/'))
        })
        .max_by_key(|m| m.len())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_every_form() {
        let src = br#"// Copyright
/* a block
comment */
//go:build linux

package main // the command

import "fmt"
import m "example.com/m"
import (
	"os" // comment
	_ "example.com/blank"
	. "example.com/dot"
	/* c */ alias `example.com/raw`
)
import ("strings"; "example.com/semi")

var x = "example.com/not-an-import"

func main() { fmt.Println(os.Args, m.X) }
"#;
        assert_eq!(
            imports(src),
            [
                "fmt",
                "example.com/m",
                "os",
                "example.com/blank",
                "example.com/dot",
                "example.com/raw",
                "strings",
                "example.com/semi",
            ]
        );
        assert!(imports(b"not go at all").is_empty());
        assert!(imports(b"package p\nimport (\n\"unterminated").len() <= 1);
        assert!(imports(b"").is_empty());
    }

    #[test]
    fn the_longest_module_provides() {
        let mods = vec![
            "example.com/a".to_owned(),
            "example.com/a/b".to_owned(),
            "example.com/ab".to_owned(),
        ];
        assert_eq!(
            module_of("example.com/a/b/c", &mods),
            Some("example.com/a/b")
        );
        assert_eq!(module_of("example.com/a/c", &mods), Some("example.com/a"));
        assert_eq!(module_of("example.com/ab", &mods), Some("example.com/ab"));
        assert_eq!(module_of("example.com/abc", &mods), None);
        assert_eq!(module_of("fmt", &mods), None);
    }
}
