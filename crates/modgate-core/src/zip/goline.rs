//! The language version of a module's root go.mod, which decides the vendor
//! rules of Go 1.24 (see `files.rs`).
//!
//! x/mod's `parseGoVers` reads it with `modfile.ParseLax` and passes
//! `"go" + version` through `go/version.Lang`; any parse error means "no
//! version" (the empty string, older than every release). This file follows
//! the parts of that path that decide the answer: the go.mod lexer and block
//! structure of `modfile/read.go` (so a syntax error anywhere yields no
//! version, as in Go), the lax `go` directive rules of `modfile/rule.go`
//! (`GoVersionRE`, the `laxGoVersionRE` repair, repeated or malformed `go`
//! lines), and `go/version` (`Lang`, `Compare`). Semantic errors that lax
//! parsing reports for `module`, `require`, `retract` and `ignore` lines are
//! not reproduced.

use crate::unicode::{decode_rune, is_print, is_space};

/// `version.Lang("go" + <go line>)` for a go.mod's content: e.g. `go1.24`,
/// or `""` when there is no usable `go` line.
pub(crate) fn gomod_lang(data: &[u8]) -> String {
    match go_directive(data) {
        Some(v) => lang(&format!("go{v}")),
        None => String::new(),
    }
}

/// `version.Compare(lang, "go1.24") >= 0`.
pub(crate) fn at_least_go124(lang: &str) -> bool {
    compare(lang, "go1.24").is_ge()
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Newline,
    /// `//` comment that ends a line holding something else; ends the line.
    EolComment,
    /// `//` comment alone on its line.
    Comment,
    LParen,
    RParen,
    Other(Vec<u8>),
    Eof,
}

/// The syntax error that makes `modfile.ParseLax` fail.
struct SyntaxError;

struct Lexer<'a> {
    all: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn peek_rune(&self) -> Option<char> {
        self.all
            .get(self.pos..)
            .filter(|r| !r.is_empty())
            .map(|r| decode_rune(r).0)
    }

    fn read_rune(&mut self) -> char {
        let (c, n) = decode_rune(&self.all[self.pos..]);
        self.pos += n;
        c
    }

    fn starts(&self, prefix: &[u8]) -> bool {
        self.all[self.pos..].starts_with(prefix)
    }

    fn next(&mut self) -> Result<Token, SyntaxError> {
        loop {
            match self.peek_rune() {
                Some(' ' | '\t' | '\r') => {
                    self.read_rune();
                }
                _ if self.starts(b"//") => {
                    // Whole-line comment unless something precedes it on its line.
                    let line_start = self.all[..self.pos]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    let suffix = self.all[line_start..self.pos]
                        .iter()
                        .any(|b| !b.is_ascii_whitespace());
                    // The comment runs through the newline.
                    while self.pos < self.all.len() && self.read_rune() != '\n' {}
                    return Ok(if suffix {
                        Token::EolComment
                    } else {
                        Token::Comment
                    });
                }
                _ if self.starts(b"/*") => return Err(SyntaxError),
                _ => break,
            }
        }
        let Some(c) = self.peek_rune() else {
            return Ok(Token::Eof);
        };
        match c {
            '\n' => {
                self.read_rune();
                return Ok(Token::Newline);
            }
            '(' => {
                self.read_rune();
                return Ok(Token::LParen);
            }
            ')' => {
                self.read_rune();
                return Ok(Token::RParen);
            }
            '[' | ']' | '{' | '}' | ',' => {
                self.read_rune();
                return Ok(Token::Other(vec![c as u8]));
            }
            '"' | '`' => {
                let start = self.pos;
                self.read_rune();
                loop {
                    match self.peek_rune() {
                        None | Some('\n') => return Err(SyntaxError),
                        _ => {}
                    }
                    let r = self.read_rune();
                    if r == c {
                        break;
                    }
                    if r == '\\' && c != '`' {
                        if self.peek_rune().is_none() {
                            return Err(SyntaxError);
                        }
                        self.read_rune();
                    }
                }
                return Ok(Token::Other(self.all[start..self.pos].to_vec()));
            }
            _ => {}
        }
        if !is_ident(c) {
            return Err(SyntaxError);
        }
        let start = self.pos;
        while self.peek_rune().is_some_and(is_ident) {
            if self.starts(b"//") {
                break;
            }
            if self.starts(b"/*") {
                return Err(SyntaxError);
            }
            self.read_rune();
        }
        Ok(Token::Other(self.all[start..self.pos].to_vec()))
    }
}

fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !is_space(c) && is_print(c)
}

fn is_eol(t: &Token) -> bool {
    matches!(t, Token::Newline | Token::EolComment | Token::Eof)
}

/// The text of a token as the parser sees it.
fn text(t: &Token) -> &[u8] {
    match t {
        Token::LParen => b"(",
        Token::RParen => b")",
        Token::Other(s) => s,
        _ => b"",
    }
}

/// The version on the file's `go` line after lax repair, or `None` when the
/// file does not parse, has no `go` line, or its `go` line is an error.
fn go_directive(data: &[u8]) -> Option<String> {
    let mut p = Parser {
        lexer: Lexer { all: data, pos: 0 },
        peeked: Token::Eof,
    };
    p.peeked = p.lexer.next().ok()?;
    let mut go: Option<String> = None;
    loop {
        match p.peeked {
            Token::Eof => return go,
            Token::Newline | Token::Comment => {
                p.advance()?;
            }
            _ => match p.statement()? {
                Statement::Line(tokens) => {
                    if tokens[0] == b"go" {
                        if go.is_some() || tokens.len() != 2 {
                            return None; // repeated, or not exactly one argument
                        }
                        go = Some(lax_go_version(&tokens[1])?);
                    }
                }
                // Blocks never hold a `go` directive in lax mode; only their
                // structure matters.
                Statement::Block => p.skip_block()?,
                Statement::EmptyBlock => {}
            },
        }
    }
}

enum Statement {
    Line(Vec<Vec<u8>>),
    /// A block opener `verb (`; its lines follow.
    Block,
    /// `verb ( )` on one line.
    EmptyBlock,
}

/// The statement structure of `modfile/read.go` (`parseStmt`,
/// `parseLineBlock`), over one token of lookahead.
struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Token,
}

impl Parser<'_> {
    /// Consumes the peeked token; `None` on a syntax error.
    fn advance(&mut self) -> Option<Token> {
        let next = self.lexer.next().ok()?;
        Some(std::mem::replace(&mut self.peeked, next))
    }

    fn statement(&mut self) -> Option<Statement> {
        let first = self.advance()?;
        let mut tokens = vec![text(&first).to_vec()];
        loop {
            let t = self.advance()?;
            if is_eol(&t) {
                return Some(Statement::Line(tokens));
            }
            if t == Token::LParen {
                if is_eol(&self.peeked) {
                    return Some(Statement::Block);
                }
                if self.peeked == Token::RParen {
                    self.advance()?;
                    if is_eol(&self.peeked) {
                        self.advance()?;
                        return Some(Statement::EmptyBlock);
                    }
                    // `( )` inside a line is two ordinary tokens.
                    tokens.push(b"(".to_vec());
                    tokens.push(b")".to_vec());
                    continue;
                }
            }
            tokens.push(text(&t).to_vec());
        }
    }

    /// Consumes a block's lines through its closing paren.
    fn skip_block(&mut self) -> Option<()> {
        loop {
            match self.peeked {
                Token::Eof => return None, // unterminated block
                Token::RParen => {
                    self.advance()?;
                    if !is_eol(&self.peeked) {
                        return None; // expected newline after closing paren
                    }
                    self.advance()?;
                    return Some(());
                }
                Token::Newline | Token::EolComment | Token::Comment => {
                    self.advance()?;
                }
                _ => {
                    // One line of the block: tokens to the end of the line.
                    while !is_eol(&self.advance()?) {}
                }
            }
        }
    }
}

/// The `go` argument as lax parsing accepts it: valid per `GoVersionRE`, or
/// repaired by `laxGoVersionRE` to its `major.minor` prefix.
fn lax_go_version(arg: &[u8]) -> Option<String> {
    let arg = std::str::from_utf8(arg).ok()?;
    if is_go_version(arg) {
        return Some(arg.to_string());
    }
    // ^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$
    let rest = arg.strip_prefix('v').unwrap_or(arg);
    let (major, rest) = cut_major(rest)?;
    let rest = rest.strip_prefix('.')?;
    let (minor, tail) = cut_number(rest)?;
    let next = tail.chars().next()?;
    if next.is_ascii_digit() {
        return None;
    }
    Some(format!("{major}.{minor}"))
}

/// `GoVersionRE`: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
fn is_go_version(v: &str) -> bool {
    let Some((_, rest)) = cut_major(v) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.') else {
        return false;
    };
    let Some((_, mut rest)) = cut_number(rest) else {
        return false;
    };
    if let Some(patch) = rest.strip_prefix('.') {
        match cut_number(patch) {
            Some((_, after)) => rest = after,
            None => return false,
        }
    }
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = rest[letters..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    letters > 0 && digits > 0 && letters + digits == rest.len()
}

/// `[1-9][0-9]*` at the start of `s`, and the rest.
fn cut_major(s: &str) -> Option<(&str, &str)> {
    cut_number(s).filter(|(n, _)| *n != "0")
}

/// `0|[1-9][0-9]*` at the start of `s`, and the rest.
fn cut_number(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && s.starts_with('0')) {
        return None;
    }
    Some(s.split_at(n))
}

/// A parsed Go toolchain version (`internal/gover.Version`).
#[derive(Default, PartialEq, Eq)]
struct GoVersion<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    kind: &'a str,
    pre: &'a str,
}

/// `gover.Parse`: `1`, `1.21`, `1.21.3`, `1.21rc2`; anything else is the
/// zero value.
fn parse(x: &str) -> GoVersion<'_> {
    let mut v = GoVersion::default();
    let Some((major, rest)) = cut_int(x) else {
        return GoVersion::default();
    };
    v.major = major;
    if rest.is_empty() {
        v.minor = "0";
        v.patch = "0";
        return v;
    }
    let Some(rest) = rest.strip_prefix('.') else {
        return GoVersion::default();
    };
    let Some((minor, rest)) = cut_int(rest) else {
        return GoVersion::default();
    };
    v.minor = minor;
    if rest.is_empty() {
        // Before Go 1.21, "1.N" meant the release "1.N.0".
        if cmp_int(minor, "21").is_lt() {
            v.patch = "0";
        }
        return v;
    }
    if let Some(patch) = rest.strip_prefix('.') {
        return match cut_int(patch) {
            Some((p, "")) => {
                v.patch = p;
                v
            }
            _ => GoVersion::default(),
        };
    }
    let kind_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    if kind_len == 0
        || rest[kind_len..]
            .bytes()
            .next()
            .is_some_and(|b| !b.is_ascii_digit())
    {
        return GoVersion::default();
    }
    v.kind = &rest[..kind_len];
    let rest = &rest[kind_len..];
    if rest.is_empty() {
        return v;
    }
    match cut_int(rest) {
        Some((pre, "")) => {
            v.pre = pre;
            v
        }
        _ => GoVersion::default(),
    }
}

/// `gover.cutInt`: a decimal number without a leading zero, and the rest.
fn cut_int(x: &str) -> Option<(&str, &str)> {
    let n = x.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (x.starts_with('0') && n != 1) {
        return None;
    }
    Some(x.split_at(n))
}

/// `gover.CmpInt`: compares decimal strings without leading zeros.
fn cmp_int(x: &str, y: &str) -> std::cmp::Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// `version.stripGo`: the version after `go`, without a `-custom` suffix.
fn strip_go(v: &str) -> &str {
    let v = v.split('-').next().unwrap_or(v);
    v.strip_prefix("go").unwrap_or("")
}

/// `go/version.Lang`: `go1.21.3` → `go1.21`; `""` if invalid.
fn lang(x: &str) -> String {
    let v = parse(strip_go(x));
    let l = if v.minor.is_empty() || (v.major == "1" && v.minor == "0") {
        v.major.to_string()
    } else {
        format!("{}.{}", v.major, v.minor)
    };
    if l.is_empty() {
        String::new()
    } else {
        format!("go{l}")
    }
}

/// `go/version.Compare`; invalid versions are older than all valid ones.
fn compare(x: &str, y: &str) -> std::cmp::Ordering {
    let (a, b) = (parse(strip_go(x)), parse(strip_go(y)));
    cmp_int(a.major, b.major)
        .then_with(|| cmp_int(a.minor, b.minor))
        .then_with(|| cmp_int(a.patch, b.patch))
        // "" < "alpha" < "beta" < "rc"
        .then_with(|| a.kind.cmp(b.kind))
        .then_with(|| cmp_int(a.pre, b.pre))
}

#[cfg(test)]
mod tests;
