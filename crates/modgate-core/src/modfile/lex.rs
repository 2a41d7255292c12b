//! The go.mod lexer.
//!
//! Follows `x/mod/modfile/read.go` (`input.readToken`). Spaces, tabs and
//! carriage returns separate tokens; `\n` is a token. A `//` comment alone on
//! its line is a [`Kind::Comment`] token handed to the parser; one that follows
//! other text on its line is a [`Kind::EolComment`], which ends the line and is
//! also saved for later attachment to the syntax tree. The punctuation
//! `( ) [ ] { } ,` is always a token of its own; strings are `"..."` (with
//! backslash escapes, not decoded here) or `` `...` ``; everything else made of
//! printable, non-space runes is an identifier, which stops before `//`.
//!
//! The parser works with one token of lookahead, exactly like Go's, because
//! error positions (the lexer's current position) depend on it. The first error
//! stops lexing.

use super::ast::{Comment, Position};
use super::errors::Error;
use super::text::trim_space;
use crate::quote::quote_rune;
use crate::unicode::{RUNE_ERROR, decode_rune, is_print, is_space};

/// Kinds of tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Eof,
    EolComment,
    Ident,
    String,
    Comment,
    /// `\n` or one of `( ) [ ] { } ,`.
    Punct(u8),
}

impl Kind {
    pub(crate) fn is_eol(self) -> bool {
        matches!(self, Kind::Eof | Kind::EolComment | Kind::Punct(b'\n'))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) pos: Position,
    pub(crate) end_pos: Position,
    pub(crate) text: Vec<u8>,
}

/// Lexer state: the input, the current position and the lookahead token.
pub(crate) struct Lexer<'a> {
    pub(crate) filename: &'a str,
    complete: &'a [u8],
    pub(crate) pos: Position,
    token_start: usize,
    token: Token,
    /// End-of-line comments, in input order.
    pub(crate) comments: Vec<Comment>,
}

impl<'a> Lexer<'a> {
    /// A lexer primed with the first token.
    pub(crate) fn new(filename: &'a str, data: &'a [u8]) -> Result<Lexer<'a>, Error> {
        let start = Position {
            line: 1,
            line_rune: 1,
            byte: 0,
        };
        let mut lx = Lexer {
            filename,
            complete: data,
            pos: start,
            token_start: 0,
            token: Token {
                kind: Kind::Eof,
                pos: start,
                end_pos: start,
                text: Vec::new(),
            },
            comments: Vec::new(),
        };
        lx.read_token()?;
        Ok(lx)
    }

    /// An error at the current position.
    pub(crate) fn error(&self, msg: impl Into<String>) -> Error {
        Error::new(self.filename, self.pos, msg)
    }

    fn remaining(&self) -> &'a [u8] {
        self.complete.get(self.pos.byte..).unwrap_or(&[])
    }

    fn eof(&self) -> bool {
        self.remaining().is_empty()
    }

    /// The next rune without consuming it (0 at end of input, U+FFFD for a bad byte).
    fn peek_rune(&self) -> char {
        let rest = self.remaining();
        if rest.is_empty() {
            return '\0';
        }
        decode_rune(rest).0
    }

    fn peek_prefix(&self, prefix: &[u8]) -> bool {
        self.remaining().starts_with(prefix)
    }

    /// Consumes and returns the next rune.
    fn read_rune(&mut self) -> Result<char, Error> {
        let rest = self.remaining();
        if rest.is_empty() {
            return Err(self.error("internal lexer error: readRune at EOF"));
        }
        let (r, size) = decode_rune(rest);
        if r == '\n' {
            self.pos.line += 1;
            self.pos.line_rune = 1;
        } else {
            self.pos.line_rune += 1;
        }
        self.pos.byte += size.max(1);
        Ok(r)
    }

    fn start_token(&mut self) {
        self.token_start = self.pos.byte;
        self.token.text.clear();
        self.token.pos = self.pos;
    }

    /// Ends the token begun by `start_token`; comments lose their trailing
    /// newline (`\n` or `\r\n`).
    fn end_token(&mut self, kind: Kind) {
        self.token.kind = kind;
        let mut text = self
            .complete
            .get(self.token_start..self.pos.byte)
            .unwrap_or(&[]);
        if matches!(kind, Kind::Comment | Kind::EolComment) {
            if let Some(t) = text.strip_suffix(b"\r\n") {
                text = t;
            } else if let Some(t) = text.strip_suffix(b"\n") {
                text = t;
            }
        }
        self.token.text = text.to_vec();
        self.token.end_pos = self.pos;
    }

    /// The kind of the lookahead token.
    pub(crate) fn peek(&self) -> Kind {
        self.token.kind
    }

    /// Returns the lookahead token and reads the next one.
    pub(crate) fn lex(&mut self) -> Result<Token, Error> {
        let tok = self.token.clone();
        self.read_token()?;
        Ok(tok)
    }

    fn read_token(&mut self) -> Result<(), Error> {
        // Skip spaces; a comment is a token of its own.
        while !self.eof() {
            let c = self.peek_rune();
            if c == ' ' || c == '\t' || c == '\r' {
                self.read_rune()?;
                continue;
            }
            if self.peek_prefix(b"//") {
                self.start_token();
                // A comment is a suffix comment if anything but white space
                // precedes it on its line.
                let before = &self.complete[..self.pos.byte];
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let suffix = !trim_space(&before[line_start..]).is_empty();
                self.read_rune()?;
                self.read_rune()?;
                while !self.eof() && self.read_rune()? != '\n' {}
                if !suffix {
                    self.end_token(Kind::Comment);
                    return Ok(());
                }
                self.end_token(Kind::EolComment);
                self.comments.push(Comment {
                    start: self.token.pos,
                    token: self.token.text.clone(),
                    suffix: true,
                });
                return Ok(());
            }
            if self.peek_prefix(b"/*") {
                return Err(self.error("mod files must use // comments (not /* */ comments)"));
            }
            break;
        }

        self.start_token();
        if self.eof() {
            self.end_token(Kind::Eof);
            return Ok(());
        }

        let c = self.peek_rune();
        match c {
            '\n' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                self.read_rune()?;
                // All of these are ASCII.
                self.end_token(Kind::Punct(c as u8));
                return Ok(());
            }
            '"' | '`' => {
                let quote = c;
                self.read_rune()?;
                loop {
                    if self.eof() {
                        self.pos = self.token.pos;
                        return Err(self.error("unexpected EOF in string"));
                    }
                    if self.peek_rune() == '\n' {
                        return Err(self.error("unexpected newline in string"));
                    }
                    let c = self.read_rune()?;
                    if c == quote {
                        break;
                    }
                    if c == '\\' && quote != '`' {
                        if self.eof() {
                            self.pos = self.token.pos;
                            return Err(self.error("unexpected EOF in string"));
                        }
                        self.read_rune()?;
                    }
                }
                self.end_token(Kind::String);
                return Ok(());
            }
            _ => {}
        }

        if !is_ident(c) {
            return Err(self.error(format!("unexpected input character {}", quote_rune(c))));
        }
        while is_ident(self.peek_rune()) {
            if self.peek_prefix(b"//") {
                break;
            }
            if self.peek_prefix(b"/*") {
                return Err(self.error("mod files must use // comments (not /* */ comments)"));
            }
            self.read_rune()?;
        }
        self.end_token(Kind::Ident);
        Ok(())
    }
}

/// Whether `c` may appear in an identifier: any printable, non-space rune other
/// than the punctuation `( ) [ ] { } ,`. An invalid byte decodes to U+FFFD,
/// which is printable, so it is part of an identifier as in Go.
fn is_ident(c: char) -> bool {
    match c {
        ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => false,
        c => c == RUNE_ERROR || (!is_space(c) && is_print(c)),
    }
}
