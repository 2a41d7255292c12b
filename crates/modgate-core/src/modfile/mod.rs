//! # modfile: go.mod and go.work files, byte-exact with Go
//!
//! A port of `golang.org/x/mod/modfile` plus what `go mod edit` and
//! `go work edit` do with it (`cmd/go/internal/modcmd/edit.go`,
//! `workcmd/edit.go`), checked against Go 1.27.3.
//!
//! Layers, each in its own file:
//!
//! * [`lex`](self) / [`parse_syntax`]: bytes to a [`FileSyntax`] tree that keeps
//!   every comment (`before`, `suffix`, `after`), block structure and
//!   positions;
//! * [`format`]: the tree back to bytes in the standard style (Go's `Format`);
//! * [`parse`] / [`parse_lax`] / [`parse_work`]: the typed [`File`] /
//!   [`WorkFile`] with every directive, reporting errors with Go's texts
//!   ([`ParseErrors`]);
//! * `edit`: `sort_blocks`, `cleanup`, `// indirect` handling and the edit
//!   operations (`add_require`, `drop_replace`, ...);
//! * `json`: the `-json` output shapes, written with [`crate::gojson`].
//!
//! The four entry points used by the CLI reproduce the go command: strict
//! parse with no version fixer, `SortBlocks`, `Cleanup`, then `Format` or the
//! JSON encoding.

pub mod ast;
mod edit;
pub mod errors;
mod json;
mod lex;
mod parse;
mod print;
mod rule;
mod text;
mod work;

pub use ast::{
    Comment, CommentBlock, Comments, FileSyntax, Line, LineBlock, LineId, Paren, Position, Stmt,
};
pub use errors::{Error, ParseErrors};
pub use json::{gomod_json_value, gowork_json_value};
pub use parse::{module_path, parse_syntax};
pub use print::format;
pub use rule::{
    Exclude, File, FixError, Go, Godebug, Ignore, Module, Replace, Require, Retract, Tool,
    Toolchain, VersionFixer, VersionInterval, is_directory_path, is_go_version, is_toolchain_name,
    parse, parse_lax,
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
