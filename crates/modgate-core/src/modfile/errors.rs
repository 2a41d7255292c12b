//! go.mod / go.work parse errors, with Go's exact texts.
//!
//! Go's `modfile.Error` prints as `file:line:col: verb path: message`: the
//! column only when it is past the first rune of the line (lexer errors and
//! entries inside blocks), `verb path: ` only for errors tied to a module path.
//! Parsing collects every directive error and returns them all as an
//! `ErrorList`, printed one per line; the go command prefixes that with
//! `go: errors parsing go.mod:`. Follows `x/mod/modfile/rule.go` (`Error`,
//! `ErrorList`) and `x/mod/module` (`InvalidVersionError`).
//!
//! Go nests errors (`Error{Pos}` around `Error{Verb, ModPath}` around
//! `InvalidVersionError`); nested texts are simply concatenated, so one flat
//! [`Error`] with an already formatted message gives the same output.

use std::fmt;

use super::ast::Position;
use crate::quote::quote_bytes;

/// One error in a go.mod or go.work file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The file name given to the parser.
    pub filename: String,
    /// Where the offending line (or character) is; line 0 means unknown.
    pub pos: Position,
    /// The directive (`require`, `replace`, ...), when the error names a module path.
    pub verb: String,
    /// The module path the error is about, if any.
    pub mod_path: String,
    /// The message proper.
    pub message: String,
}

impl Error {
    pub(crate) fn new(filename: &str, pos: Position, message: impl Into<String>) -> Error {
        Error {
            filename: filename.to_string(),
            pos,
            verb: String::new(),
            mod_path: String::new(),
            message: message.into(),
        }
    }

    /// The error text without the position prefix (`verb path: message`).
    pub fn directive_message(&self) -> String {
        let mut s = String::new();
        if !self.mod_path.is_empty() {
            s.push_str(&self.verb);
            s.push(' ');
            s.push_str(&self.mod_path);
            s.push_str(": ");
        } else if !self.verb.is_empty() {
            s.push_str(&self.verb);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        s
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line_rune > 1 {
            write!(
                f,
                "{}:{}:{}: ",
                self.filename, self.pos.line, self.pos.line_rune
            )?;
        } else if self.pos.line > 0 {
            write!(f, "{}:{}: ", self.filename, self.pos.line)?;
        } else if !self.filename.is_empty() {
            write!(f, "{}: ", self.filename)?;
        }
        f.write_str(&self.directive_message())
    }
}

impl std::error::Error for Error {}

/// All errors found in a file (Go's `modfile.ErrorList`); displays one per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<Error>);

impl ParseErrors {
    /// The individual errors.
    pub fn errors(&self) -> &[Error] {
        &self.0
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

impl From<Error> for ParseErrors {
    fn from(e: Error) -> Self {
        ParseErrors(vec![e])
    }
}

/// The text of Go's `module.InvalidVersionError` for a (non-pseudo) version:
/// `version "v" invalid: reason`.
pub(crate) fn invalid_version(version: &[u8], reason: &str) -> String {
    format!("version {} invalid: {}", quote_bytes(version), reason)
}
