//! # modfile: go.mod and go.work files, byte-exact with Go
//!
//! (work in progress)

pub mod ast;
pub mod errors;
mod lex;
mod parse;
mod print;
mod text;

pub use ast::{
    Comment, CommentBlock, Comments, FileSyntax, Line, LineBlock, LineId, Paren, Position, Stmt,
};
pub use errors::{Error, ParseErrors};
pub use parse::parse_syntax;
pub use print::format;
pub use text::{auto_quote, must_quote};

#[cfg(test)]
mod tests;
