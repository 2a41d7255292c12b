//! go.work files.
//!
//! Follows `x/mod/modfile/work.go` and `rule.go` (`WorkFile.add`): the same
//! syntax as go.mod, with the directives `go`, `toolchain`, `godebug`,
//! `use <dir>` and `replace`; blocks are allowed for `godebug`, `use` and
//! `replace`. There is only a strict mode (the go command reports every error).

use super::args::{
    check_go_line, check_toolchain_line, parse_godebug, parse_replace, parse_string,
};
use super::ast::{FileSyntax, LineId};
use super::errors::{Error, ParseErrors};
use super::parse::parse_syntax;
use super::rule::{Go, Godebug, Replace, Step, Toolchain, VersionFixer, with_args, work_list};
use super::text::go_lossy;

/// A parsed, interpreted go.work file (Go's `modfile.WorkFile`).
#[derive(Clone, Debug, Default)]
pub struct WorkFile {
    /// The `go` directive.
    pub go: Option<Go>,
    /// The `toolchain` directive.
    pub toolchain: Option<Toolchain>,
    /// `godebug` directives.
    pub godebug: Vec<Godebug>,
    /// `use` directives.
    pub use_: Vec<Use>,
    /// `replace` directives.
    pub replace: Vec<Replace>,
    /// The syntax tree the directives came from.
    pub syntax: FileSyntax,
}

/// A `use` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The directory, as written (unquoted).
    pub path: String,
    /// The module path noted for it; parsing never fills it in (Go does not either).
    pub module_path: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// Parses a go.work file (Go's `modfile.ParseWork`).
pub fn parse_work(
    file: &str,
    data: &[u8],
    fix: Option<VersionFixer<'_>>,
) -> Result<WorkFile, ParseErrors> {
    let syntax = parse_syntax(file, data)?;
    let mut f = WorkFile {
        syntax,
        ..WorkFile::default()
    };
    let mut errs = Vec::new();
    const BLOCK_VERBS: &[&[u8]] = &[b"godebug", b"use", b"replace"];
    for step in work_list(&f.syntax, BLOCK_VERBS, true) {
        let w = match step {
            Step::Line(w) => w,
            Step::BadBlock(e) => {
                errs.push(e);
                continue;
            }
        };
        let line = w.line;
        let verb = go_lossy(&w.verb);
        let res = with_args(&mut f.syntax, &w, |fs, args| -> Result<(), Error> {
            let err_at =
                |fs: &FileSyntax, msg: String| Error::new(&fs.name, fs.line(line).start, msg);
            match w.verb.as_slice() {
                b"go" => {
                    if f.go.is_some() {
                        return Err(err_at(fs, "repeated go statement".into()));
                    }
                    let version = check_go_line(args, true).map_err(|m| err_at(fs, m))?;
                    f.go = Some(Go {
                        version,
                        syntax: line,
                    });
                }
                b"toolchain" => {
                    if f.toolchain.is_some() {
                        return Err(err_at(fs, "repeated toolchain statement".into()));
                    }
                    let name = check_toolchain_line(args).map_err(|m| err_at(fs, m))?;
                    f.toolchain = Some(Toolchain { name, syntax: line });
                }
                b"godebug" => {
                    let (key, value) = parse_godebug(args).map_err(|m| err_at(fs, m))?;
                    f.godebug.push(Godebug {
                        key,
                        value,
                        syntax: line,
                    });
                }
                b"use" => {
                    let [arg] = args.as_mut_slice() else {
                        return Err(err_at(fs, format!("usage: {verb} local/dir")));
                    };
                    let s = parse_string(arg)
                        .map_err(|e| err_at(fs, format!("invalid quoted string: {e}")))?;
                    f.use_.push(Use {
                        path: go_lossy(&s),
                        module_path: String::new(),
                        syntax: line,
                    });
                }
                b"replace" => {
                    let (old, new) = parse_replace(&verb, args, fix).map_err(|e| e.at(fs, line))?;
                    f.replace.push(Replace {
                        old,
                        new,
                        syntax: line,
                    });
                }
                _ => return Err(err_at(fs, format!("unknown directive: {verb}"))),
            }
            Ok(())
        });
        if let Err(e) = res {
            errs.push(e);
        }
    }
    if errs.is_empty() {
        Ok(f)
    } else {
        Err(ParseErrors(errs))
    }
}

impl WorkFile {
    /// Formats the file's syntax tree as is (Go's `modfile.Format(f.Syntax)`).
    pub fn format(&self) -> Vec<u8> {
        super::print::format(&self.syntax)
    }
}
