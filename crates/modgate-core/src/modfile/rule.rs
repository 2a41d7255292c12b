//! The typed go.mod file: directives interpreted from the syntax tree.
//!
//! Follows `x/mod/modfile/rule.go` (`Parse`, `ParseLax`, `File.add`,
//! `parseReplace`, `parseVersion`, `parseVersionInterval`, `fixRetract`,
//! `parseDirectiveComment`, `parseDeprecation`).
//!
//! * Strict [`parse`] interprets every directive and reports unknown ones;
//!   [`parse_lax`] (for dependencies' go.mod files) keeps only `module`, `go`,
//!   `require`, `retract` and `ignore` and silently skips everything else.
//! * All directive errors are collected; lexer and syntax errors stop at once.
//! * Interpreting a directive rewrites its tokens in the syntax tree as Go
//!   does: quoted strings are re-quoted only if needed (`module "x"` prints as
//!   `module x`), versions become canonical (`v1.2` prints as `v1.2.0`).
//! * Without a [`VersionFixer`] versions must canonicalize
//!   (`module.CanonicalVersion` non-empty). `retract` versions are only checked
//!   when a fixer is given (Go checks them in `fixRetract`, which does nothing
//!   without a fixer).
//!
//! Directive values are Rust `String`s. A token can hold bytes that are not
//! UTF-8 (Go strings are bytes); such bytes become U+FFFD in the typed values,
//! one per byte, which is also how Go's JSON output shows them. The syntax tree
//! keeps the exact bytes, so formatting is unaffected.

use super::args::{
    DirError, check_go_line, check_toolchain_line, is_indirect, mod_path_error, module_path_major,
    parse_godebug, parse_replace, parse_string, parse_version, parse_version_interval,
};
use super::ast::{FileSyntax, LineId, Stmt};
use super::errors::{Error, ParseErrors};
use super::parse::parse_syntax;
use super::text::{find, go_lossy, trim_space};
use crate::module::{Version, check_path_major};

/// A parsed, interpreted go.mod file (Go's `modfile.File`).
#[derive(Clone, Debug, Default)]
pub struct File {
    /// The `module` directive.
    pub module: Option<Module>,
    /// The `go` directive.
    pub go: Option<Go>,
    /// The `toolchain` directive.
    pub toolchain: Option<Toolchain>,
    /// `godebug` directives.
    pub godebug: Vec<Godebug>,
    /// `require` directives, in file order (duplicates kept).
    pub require: Vec<Require>,
    /// `exclude` directives.
    pub exclude: Vec<Exclude>,
    /// `replace` directives.
    pub replace: Vec<Replace>,
    /// `retract` directives.
    pub retract: Vec<Retract>,
    /// `tool` directives.
    pub tool: Vec<Tool>,
    /// `ignore` directives.
    pub ignore: Vec<Ignore>,
    /// The syntax tree the directives came from.
    pub syntax: FileSyntax,
}

/// The `module` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// The module path.
    pub path: String,
    /// The text of a `Deprecated:` paragraph in the comments on the directive.
    pub deprecated: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// The `go` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Go {
    /// The version, such as `1.23` or `1.23.0`.
    pub version: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// The `toolchain` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// The toolchain name, such as `go1.21rc1` or `default`.
    pub name: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// A `godebug key=value` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Godebug {
    /// The setting name.
    pub key: String,
    /// The value.
    pub value: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// A `require` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require {
    /// The required module and version.
    pub module: Version,
    /// Whether the line has an `// indirect` comment.
    pub indirect: bool,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// An `exclude` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclude {
    /// The excluded module version.
    pub module: Version,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// A `replace` directive. An empty `old.version` replaces every version; an
/// empty `new.version` means `new.path` is a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replace {
    /// What is replaced.
    pub old: Version,
    /// The replacement.
    pub new: Version,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// A closed interval of versions; a single version has `low == high`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionInterval {
    /// Lowest version in the interval.
    pub low: String,
    /// Highest version in the interval.
    pub high: String,
}

/// A `retract` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retract {
    /// The retracted versions.
    pub interval: VersionInterval,
    /// The comments on the directive (or its block), one line per comment line.
    pub rationale: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// A `tool` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tool {
    /// The package path of the tool.
    pub path: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// An `ignore` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// The ignored directory path.
    pub path: String,
    /// The line it was parsed from.
    pub syntax: LineId,
}

/// An error returned by a [`VersionFixer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixError {
    /// The error of a `module.ModuleError`: reported after `verb path: ` (Go
    /// unwraps a `*module.ModuleError` and keeps only its inner error).
    Module(String),
    /// Any other error, reported as is.
    Other(String),
}

/// Go's `modfile.VersionFixer`: given a module path and a version as written,
/// returns the canonical version to use (for example resolving a branch name).
pub type VersionFixer<'a> = &'a dyn Fn(&str, &str) -> Result<String, FixError>;

/// Parses a go.mod file strictly (Go's `modfile.Parse`), as `go mod edit` and
/// the main module do. `fix` may canonicalize versions; with `None` versions
/// must already be canonical (up to `module.CanonicalVersion`).
pub fn parse(file: &str, data: &[u8], fix: Option<VersionFixer<'_>>) -> Result<File, ParseErrors> {
    parse_to_file(file, data, fix, true)
}

/// Parses a dependency's go.mod file, ignoring directives that only matter in
/// the main module and unknown ones (Go's `modfile.ParseLax`).
pub fn parse_lax(
    file: &str,
    data: &[u8],
    fix: Option<VersionFixer<'_>>,
) -> Result<File, ParseErrors> {
    parse_to_file(file, data, fix, false)
}

/// Where the arguments of a line start in its tokens: after the verb for a
/// top-level line, at the start for a block entry.
pub(crate) struct Work {
    pub(crate) block: Option<usize>,
    pub(crate) line: LineId,
    pub(crate) verb: Vec<u8>,
    pub(crate) args_from: usize,
}

/// One step of interpreting a file, in statement order.
pub(crate) enum Step {
    /// Interpret a line.
    Line(Work),
    /// A block with several tokens before `(` or an unknown verb.
    BadBlock(Error),
}

/// Lists the lines to interpret, in order. Blocks with several tokens before
/// `(` or a verb not in `block_verbs` become `unknown block type` errors (only
/// when `report` is set) and their lines are skipped.
pub(crate) fn work_list(fs: &FileSyntax, block_verbs: &[&[u8]], report: bool) -> Vec<Step> {
    let mut work = Vec::new();
    for (i, stmt) in fs.stmt.iter().enumerate() {
        match stmt {
            Stmt::Comments(_) => {}
            Stmt::Line(id) => {
                let verb = fs.line(*id).token.first().cloned().unwrap_or_default();
                work.push(Step::Line(Work {
                    block: None,
                    line: *id,
                    verb,
                    args_from: 1,
                }));
            }
            Stmt::Block(b) => {
                let verb = b.token.first().map(Vec::as_slice).unwrap_or_default();
                if b.token.len() > 1 || !block_verbs.contains(&verb) {
                    if report {
                        let joined = b.token.join(&b' ');
                        work.push(Step::BadBlock(Error::new(
                            &fs.name,
                            b.start,
                            format!("unknown block type: {}", go_lossy(&joined)),
                        )));
                    }
                    continue;
                }
                for &id in &b.line {
                    work.push(Step::Line(Work {
                        block: Some(i),
                        line: id,
                        verb: verb.to_vec(),
                        args_from: 0,
                    }));
                }
            }
        }
    }
    work
}

/// Runs `f` on a copy of a line's arguments and writes the (possibly rewritten)
/// tokens back, as Go's in-place edits of `line.Token` do.
pub(crate) fn with_args<R>(
    fs: &mut FileSyntax,
    w: &Work,
    f: impl FnOnce(&mut FileSyntax, &mut Vec<Vec<u8>>) -> R,
) -> R {
    let mut args: Vec<Vec<u8>> = fs
        .line(w.line)
        .token
        .get(w.args_from..)
        .map(<[Vec<u8>]>::to_vec)
        .unwrap_or_default();
    let r = f(fs, &mut args);
    let line = fs.line_mut(w.line);
    line.token.truncate(w.args_from);
    line.token.extend(args);
    r
}

fn parse_to_file(
    file: &str,
    data: &[u8],
    fix: Option<VersionFixer<'_>>,
    strict: bool,
) -> Result<File, ParseErrors> {
    let syntax = parse_syntax(file, data)?;
    let mut f = File {
        syntax,
        ..File::default()
    };
    let mut errs = Vec::new();
    const BLOCK_VERBS: &[&[u8]] = &[
        b"module", b"godebug", b"require", b"exclude", b"replace", b"retract", b"tool", b"ignore",
    ];
    for step in work_list(&f.syntax, BLOCK_VERBS, strict) {
        match step {
            Step::Line(w) => f.add(&mut errs, &w, fix, strict),
            Step::BadBlock(e) => errs.push(e),
        }
    }
    // Retract versions are fixed once the module path is known.
    f.fix_retract(fix, &mut errs);
    if errs.is_empty() {
        Ok(f)
    } else {
        Err(ParseErrors(errs))
    }
}

impl File {
    fn add(
        &mut self,
        errs: &mut Vec<Error>,
        w: &Work,
        fix: Option<VersionFixer<'_>>,
        strict: bool,
    ) {
        let verb = w.verb.as_slice();
        // A dependency's go.mod keeps only what matters outside the main module,
        // so that newer directives do not break older go commands.
        if !strict
            && !matches!(
                verb,
                b"go" | b"module" | b"retract" | b"require" | b"ignore"
            )
        {
            return;
        }
        let verb_str = go_lossy(verb);
        let line = w.line;
        let err_at = |fs: &FileSyntax, msg: String| Error::new(&fs.name, fs.line(line).start, msg);

        let result = with_args(&mut self.syntax, w, |fs, args| -> Result<(), Error> {
            match verb {
                b"go" => {
                    if self.go.is_some() {
                        return Err(err_at(fs, "repeated go statement".into()));
                    }
                    let version = check_go_line(args, strict).map_err(|m| err_at(fs, m))?;
                    self.go = Some(Go {
                        version,
                        syntax: line,
                    });
                }
                b"toolchain" => {
                    if self.toolchain.is_some() {
                        return Err(err_at(fs, "repeated toolchain statement".into()));
                    }
                    let name = check_toolchain_line(args).map_err(|m| err_at(fs, m))?;
                    self.toolchain = Some(Toolchain { name, syntax: line });
                }
                b"module" => {
                    if self.module.is_some() {
                        return Err(err_at(fs, "repeated module statement".into()));
                    }
                    let deprecated = parse_deprecation(&directive_comment(fs, w.block, line));
                    let module = self.module.insert(Module {
                        path: String::new(),
                        deprecated,
                        syntax: line,
                    });
                    if args.len() != 1 {
                        return Err(err_at(fs, "usage: module module/path".into()));
                    }
                    let s = parse_string(&mut args[0])
                        .map_err(|e| err_at(fs, format!("invalid quoted string: {e}")))?;
                    module.path = go_lossy(&s);
                }
                b"godebug" => {
                    let (key, value) = parse_godebug(args).map_err(|m| err_at(fs, m))?;
                    self.godebug.push(Godebug {
                        key,
                        value,
                        syntax: line,
                    });
                }
                b"require" | b"exclude" => {
                    if args.len() != 2 {
                        return Err(err_at(fs, format!("usage: {verb_str} module/path v1.2.3")));
                    }
                    let s = parse_string(&mut args[0])
                        .map_err(|e| err_at(fs, format!("invalid quoted string: {e}")))?;
                    let path = go_lossy(&s);
                    let v = parse_version(&verb_str, &path, &mut args[1], fix)
                        .map_err(|e| e.at(fs, line))?;
                    let path_major = module_path_major(&path).map_err(|e| e.at(fs, line))?;
                    if let Err(e) = check_path_major(&v, path_major) {
                        return Err(mod_path_error(&verb_str, &path, e.to_string()).at(fs, line));
                    }
                    let module = Version { path, version: v };
                    if verb == b"require" {
                        let indirect = is_indirect(&fs.line(line).comments.suffix);
                        self.require.push(Require {
                            module,
                            indirect,
                            syntax: line,
                        });
                    } else {
                        self.exclude.push(Exclude {
                            module,
                            syntax: line,
                        });
                    }
                }
                b"replace" => {
                    let (old, new) =
                        parse_replace(&verb_str, args, fix).map_err(|e| e.at(fs, line))?;
                    self.replace.push(Replace {
                        old,
                        new,
                        syntax: line,
                    });
                }
                b"retract" => {
                    let rationale = go_lossy(&directive_comment(fs, w.block, line));
                    // Versions are checked later, by fix_retract.
                    let dont_fix = |_: &str, v: &str| Ok(v.to_string());
                    let (interval, used) =
                        match parse_version_interval(&verb_str, "", args, Some(&dont_fix)) {
                            Ok(r) => r,
                            // Only the main module reports interval syntax errors, so
                            // that future syntax does not break older go commands.
                            Err(e) if strict => return Err(e.at(fs, line)),
                            Err(_) => return Ok(()),
                        };
                    if let (Some(extra), true) = (args.get(used), strict) {
                        return Err(err_at(
                            fs,
                            format!(
                                "unexpected token after version: {}",
                                crate::quote::quote_bytes(extra)
                            ),
                        ));
                    }
                    self.retract.push(Retract {
                        interval,
                        rationale,
                        syntax: line,
                    });
                }
                b"tool" | b"ignore" => {
                    if args.len() != 1 {
                        return Err(err_at(
                            fs,
                            format!("{verb_str} directive expects exactly one argument"),
                        ));
                    }
                    let s = parse_string(&mut args[0])
                        .map_err(|e| err_at(fs, format!("invalid quoted string: {e}")))?;
                    let path = go_lossy(&s);
                    if verb == b"tool" {
                        self.tool.push(Tool { path, syntax: line });
                    } else {
                        self.ignore.push(Ignore { path, syntax: line });
                    }
                }
                _ => return Err(err_at(fs, format!("unknown directive: {verb_str}"))),
            }
            Ok(())
        });
        if let Err(e) = result {
            errs.push(e);
        }
    }

    /// Checks and fixes retract versions against the module path (Go's
    /// `fixRetract`); does nothing without a fixer.
    fn fix_retract(&mut self, fix: Option<VersionFixer<'_>>, errs: &mut Vec<Error>) {
        let Some(fix) = fix else { return };
        let path = self
            .module
            .as_ref()
            .map(|m| m.path.clone())
            .unwrap_or_default();
        for r in &mut self.retract {
            if path.is_empty() {
                errs.push(
                    DirError::plain("no module directive found, so retract cannot be used")
                        .at(&self.syntax, r.syntax),
                );
                return;
            }
            let w = Work {
                block: None,
                line: r.syntax,
                verb: b"retract".to_vec(),
                args_from: usize::from(
                    self.syntax.line(r.syntax).token.first().map(Vec::as_slice)
                        == Some(b"retract".as_slice()),
                ),
            };
            let res = with_args(&mut self.syntax, &w, |_, args| {
                parse_version_interval("retract", &path, args, Some(fix))
            });
            match res {
                Ok((vi, _)) => r.interval = vi,
                Err(e) => {
                    errs.push(e.at(&self.syntax, r.syntax));
                    r.interval = VersionInterval::default();
                }
            }
        }
    }

    /// Formats the file's syntax tree as is (Go's `File.Format`); `go mod edit`
    /// also sorts and cleans up first, see [`super::format_gomod`].
    pub fn format(&self) -> Vec<u8> {
        super::print::format(&self.syntax)
    }
}

/// Go's `parseDirectiveComment`: the comments on a line (or, if it has none,
/// on its block), without `//`, trimmed, one per line. Blank-line markers are
/// skipped.
fn directive_comment(fs: &FileSyntax, block: Option<usize>, line: LineId) -> Vec<u8> {
    let mut comments = &fs.line(line).comments;
    if comments.before.is_empty()
        && comments.suffix.is_empty()
        && let Some(Stmt::Block(b)) = block.and_then(|i| fs.stmt.get(i))
    {
        comments = &b.comments;
    }
    let lines: Vec<&[u8]> = comments
        .before
        .iter()
        .chain(&comments.suffix)
        .filter_map(|c| c.token.strip_prefix(b"//"))
        .map(trim_space)
        .collect();
    lines.join(&b'\n')
}

/// Go's `parseDeprecation`: the first paragraph starting with `Deprecated:`,
/// i.e. `(?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)`, without the prefix.
fn parse_deprecation(text: &[u8]) -> String {
    const PREFIX: &[u8] = b"Deprecated:";
    let start = if text.starts_with(PREFIX) {
        Some(0)
    } else {
        find(text, b"\n\nDeprecated:").map(|i| i + 2)
    };
    let Some(start) = start else {
        return String::new();
    };
    let mut body = &text[start + PREFIX.len()..];
    while let Some(rest) = body.strip_prefix(b" ") {
        body = rest;
    }
    let end = find(body, b"\n\n").unwrap_or(body.len());
    go_lossy(&body[..end])
}
