//! The go.mod printer (`modfile.Format`).
//!
//! Follows `x/mod/modfile/print.go`. Top-level statements are separated by one
//! blank line; block entries are indented with one tab; tokens are joined by a
//! space except after `(` `[` `{` and before `,` `)` `]` `}`; end-of-line comments
//! are queued and written at the end of the line after one space; comment texts
//! are trimmed of surrounding white space; trailing spaces and tabs are removed
//! from every line, runs of blank lines collapse to one, and the output ends
//! with exactly one newline (or is empty).

use super::ast::{Comment, Comments, FileSyntax, Stmt};
use super::text::trim_space;

/// Formats a syntax tree in the standard go.mod style.
pub fn format(fs: &FileSyntax) -> Vec<u8> {
    let mut p = Printer {
        out: Vec::new(),
        comment: Vec::new(),
        margin: 0,
    };
    p.file(fs);
    let mut b = p.out;
    // Remove trailing blank lines.
    while b.last() == Some(&b'\n') && (b.len() == 1 || b[b.len() - 2] == b'\n') {
        b.pop();
    }
    b
}

struct Printer {
    out: Vec<u8>,
    /// Pending end-of-line comments.
    comment: Vec<Comment>,
    /// Current indentation, in tabs.
    margin: usize,
}

enum Expr<'a> {
    CommentBlock(&'a Comments),
    Line(&'a Comments, &'a [Vec<u8>]),
    Block(&'a super::ast::LineBlock),
    LParen(&'a Comments),
    RParen(&'a Comments),
}

impl Printer {
    fn tabs(&mut self) {
        for _ in 0..self.margin {
            self.out.push(b'\t');
        }
    }

    /// Bytes written on the current line so far.
    fn indent(&self) -> usize {
        self.out.iter().rev().take_while(|&&b| b != b'\n').count()
    }

    /// Removes trailing spaces and tabs from the current line.
    fn trim(&mut self) {
        while matches!(self.out.last(), Some(b' ' | b'\t')) {
            self.out.pop();
        }
    }

    fn comment_text(&mut self, c: &Comment) {
        self.out.extend_from_slice(trim_space(&c.token));
    }

    /// Ends the current line, flushing pending end-of-line comments.
    fn newline(&mut self) {
        if !self.comment.is_empty() {
            self.out.push(b' ');
            let pending = std::mem::take(&mut self.comment);
            for (i, com) in pending.iter().enumerate() {
                if i > 0 {
                    self.trim();
                    self.out.push(b'\n');
                    self.tabs();
                }
                self.comment_text(com);
            }
        }
        self.trim();
        let b = &self.out;
        let n = b.len();
        // No blank line at the top of the file or after another blank line.
        if !(n == 0 || (n >= 2 && b[n - 1] == b'\n' && b[n - 2] == b'\n')) {
            self.out.push(b'\n');
        }
        self.tabs();
    }

    fn file(&mut self, fs: &FileSyntax) {
        for com in &fs.comments.before {
            self.comment_text(com);
            self.newline();
        }
        for (i, stmt) in fs.stmt.iter().enumerate() {
            let comments = match stmt {
                Stmt::Comments(cb) => {
                    self.expr(fs, Expr::CommentBlock(&cb.comments));
                    &cb.comments
                }
                Stmt::Line(id) => {
                    let line = fs.line(*id);
                    self.expr(fs, Expr::Line(&line.comments, &line.token));
                    self.newline();
                    &line.comments
                }
                Stmt::Block(b) => {
                    self.expr(fs, Expr::Block(b));
                    self.newline();
                    &b.comments
                }
            };
            for com in &comments.after {
                self.comment_text(com);
                self.newline();
            }
            if i + 1 < fs.stmt.len() {
                self.newline();
            }
        }
    }

    fn expr(&mut self, fs: &FileSyntax, x: Expr<'_>) {
        let comments = match &x {
            Expr::CommentBlock(c) | Expr::Line(c, _) | Expr::LParen(c) | Expr::RParen(c) => *c,
            Expr::Block(b) => &b.comments,
        };
        // Whole-line comments go before the expression, at the current margin.
        if !comments.before.is_empty() {
            self.trim();
            if self.indent() > 0 {
                self.out.push(b'\n');
            }
            self.tabs();
            for com in &comments.before {
                self.comment_text(com);
                self.newline();
            }
        }

        match x {
            Expr::CommentBlock(_) => {}
            Expr::LParen(_) => self.out.push(b'('),
            Expr::RParen(_) => self.out.push(b')'),
            Expr::Line(_, tokens) => self.tokens(tokens),
            Expr::Block(b) => {
                self.tokens(&b.token);
                self.out.push(b' ');
                self.expr(fs, Expr::LParen(&b.lparen.comments));
                self.margin += 1;
                for &id in &b.line {
                    self.newline();
                    let line = fs.line(id);
                    self.expr(fs, Expr::Line(&line.comments, &line.token));
                }
                self.margin -= 1;
                self.newline();
                self.expr(fs, Expr::RParen(&b.rparen.comments));
            }
        }

        // Queue end-of-line comments for the end of the line.
        self.comment.extend(comments.suffix.iter().cloned());
    }

    fn tokens(&mut self, tokens: &[Vec<u8>]) {
        let mut sep: &[u8] = b"";
        for t in tokens {
            let t = t.as_slice();
            if matches!(t, b"," | b")" | b"]" | b"}") {
                sep = b"";
            }
            self.out.extend_from_slice(sep);
            self.out.extend_from_slice(t);
            sep = b" ";
            if matches!(t, b"(" | b"[" | b"{") {
                sep = b"";
            }
        }
    }
}
