//! # modfile: go.mod and go.work files, byte-exact with Go
//!
//! A port of `golang.org/x/mod/modfile` plus what `go mod edit` and
//! `go work edit` do with it (`cmd/go/internal/modcmd/edit.go`,
//! `workcmd/edit.go`), checked against Go 1.27.3.
//!
//! | file | Go source | role |
//! |---|---|---|
//! | `lex.rs` | `read.go` (`readToken`) | bytes to tokens, positions, comments |
//! | `ast.rs` | `read.go` (types, `addLine`, `Cleanup`) | the syntax tree with comments |
//! | `parse.rs` | `read.go` (`parse*`, `assignComments`, `ModulePath`) | tokens to tree |
//! | `print.rs` | `print.go` | tree to bytes ([`format()`]) |
//! | `rule.rs` | `rule.go` (`Parse`, `ParseLax`, `File.add`) | the typed [`File`] |
//! | `args.rs` | `rule.go` (`parseString`, `parseVersion`, `parseReplace`, regexps) | directive arguments |
//! | `work.rs` | `work.go` | the typed [`WorkFile`] |
//! | `sort.rs` | `rule.go` (`SortBlocks`, `removeDups`) | de-duplication and block order |
//! | `edit.rs` | `rule.go`, `work.go` (`Cleanup`, `Add*`, `Drop*`, `SetRequire`) | edits |
//! | `json.rs` | `modcmd/edit.go`, `workcmd/edit.go` | `-json` output |
//! | `errors.rs` | `rule.go` (`Error`, `ErrorList`) | error texts |
//! | `text.rs` | `strings`, `strconv` | Go string helpers on bytes |
//!
//! Tokens are kept as bytes, as in Go: a go.mod file may hold invalid UTF-8 and
//! formatting writes it back unchanged. Typed values are `String`s in which each
//! invalid byte reads as U+FFFD (as Go's JSON output shows them).
//!
//! The four entry points used by the CLI reproduce the go command: strict
//! parse with no version fixer, `SortBlocks`, `Cleanup`, then `Format` or the
//! JSON encoding ([`crate::gojson`]).

mod args;
pub mod ast;
mod edit;
pub mod errors;
mod json;
mod lex;
mod parse;
mod print;
mod rule;
mod sort;
mod text;
mod work;

pub use args::{is_directory_path, is_go_version, is_toolchain_name};
pub use ast::{
    Comment, CommentBlock, Comments, FileSyntax, Line, LineBlock, LineId, Paren, Position, Stmt,
};
pub use errors::{Error, ParseErrors};
pub use json::{gomod_json_value, gowork_json_value};
pub use parse::{module_path, parse_syntax};
pub use print::format;
pub use rule::{
    Exclude, File, FixError, Go, Godebug, Ignore, Module, Replace, Require, Retract, Tool,
    Toolchain, VersionFixer, VersionInterval, parse, parse_lax,
};
pub use text::{auto_quote, must_quote};
pub use work::{Use, WorkFile, parse_work};

#[cfg(test)]
mod tests;

/// The bytes `go mod edit -fmt` writes for a go.mod file: strict parse (no
/// version fixer), sort and de-duplicate blocks, clean up, format.
pub fn format_gomod(file_name: &str, data: &[u8]) -> Result<Vec<u8>, ParseErrors> {
    let mut f = parse(file_name, data, None)?;
    f.sort_blocks();
    f.cleanup();
    Ok(f.format())
}

/// What `go mod edit -json` prints (including the final newline).
pub fn json_gomod(file_name: &str, data: &[u8]) -> Result<String, ParseErrors> {
    let mut f = parse(file_name, data, None)?;
    f.sort_blocks();
    f.cleanup();
    Ok(crate::gojson::to_go_json_output(&gomod_json_value(&f)))
}

/// The bytes `go work edit -fmt` writes for a go.work file.
pub fn format_gowork(file_name: &str, data: &[u8]) -> Result<Vec<u8>, ParseErrors> {
    let mut f = parse_work(file_name, data, None)?;
    f.sort_blocks();
    f.cleanup();
    Ok(f.format())
}

/// What `go work edit -json` prints (including the final newline).
pub fn json_gowork(file_name: &str, data: &[u8]) -> Result<String, ParseErrors> {
    let mut f = parse_work(file_name, data, None)?;
    f.sort_blocks();
    f.cleanup();
    Ok(crate::gojson::to_go_json_output(&gowork_json_value(&f)))
}
