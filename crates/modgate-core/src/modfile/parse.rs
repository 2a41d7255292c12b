//! The go.mod parser: tokens to a [`FileSyntax`], then comment attachment.
//!
//! Follows `x/mod/modfile/read.go` (`parseFile`, `parseStmt`, `parseLineBlock`,
//! `parseLine`, `assignComments`):
//!
//! * A statement is the tokens up to the end of the line. A `(` that ends the
//!   line opens a block whose lines are statements without the verb, closed by
//!   a `)` that must be followed by the end of the line. `verb ( )` on one line
//!   is an empty block; `(` or `( )` elsewhere is just a token.
//! * Standalone comments at top level are collected into a [`CommentBlock`]; if
//!   a statement follows directly they become its `before` comments. Inside a
//!   block they become the `before` comments of the next entry (or of the `)`),
//!   and a blank line is kept as an empty comment (but not at the end of a
//!   block).
//! * End-of-line comments are attached afterwards to the last node that ends
//!   before them on a single line, walking nodes in reverse post-order;
//!   leftovers go to the file's `before` comments. (Go also runs a pass for
//!   whole-line comments gathered by the lexer, but its lexer never gathers
//!   any: those are handled by the parser itself, so that pass is omitted.)

use super::ast::{
    Comment, CommentBlock, Comments, FileSyntax, Line, LineBlock, LineId, Paren, Position, Stmt,
};
use super::errors::{Error, ParseErrors};
use super::lex::{Kind, Lexer};
use super::text::{go_lossy, trim_space, unquote};

/// Parses `data` into a syntax tree without interpreting any directive.
pub fn parse_syntax(file: &str, data: &[u8]) -> Result<FileSyntax, ParseErrors> {
    let mut lx = Lexer::new(file, data)?;
    let mut fs = FileSyntax::new(file);
    parse_file(&mut lx, &mut fs)?;
    let suffix = std::mem::take(&mut lx.comments);
    assign_comments(&mut fs, suffix);
    Ok(fs)
}

fn parse_file(lx: &mut Lexer<'_>, fs: &mut FileSyntax) -> Result<(), Error> {
    let mut cb: Option<CommentBlock> = None;
    loop {
        match lx.peek() {
            Kind::Punct(b'\n') => {
                lx.lex()?;
                if let Some(cb) = cb.take() {
                    fs.stmt.push(Stmt::Comments(cb));
                }
            }
            Kind::Comment => {
                let tok = lx.lex()?;
                let block = cb.get_or_insert_with(|| CommentBlock {
                    comments: Comments::default(),
                    start: tok.pos,
                });
                block.comments.before.push(Comment {
                    start: tok.pos,
                    token: tok.text,
                    suffix: false,
                });
            }
            Kind::Eof => {
                if let Some(cb) = cb.take() {
                    fs.stmt.push(Stmt::Comments(cb));
                }
                return Ok(());
            }
            _ => {
                parse_stmt(lx, fs)?;
                if let Some(cb) = cb.take() {
                    let last = fs.stmt.len().saturating_sub(1);
                    if let Some(c) = fs.stmt_comments_mut(last) {
                        c.before = cb.comments.before;
                    }
                }
            }
        }
    }
}

fn parse_stmt(lx: &mut Lexer<'_>, fs: &mut FileSyntax) -> Result<(), Error> {
    let tok = lx.lex()?;
    let start = tok.pos;
    let mut end = tok.end_pos;
    let mut tokens = vec![tok.text];
    loop {
        let tok = lx.lex()?;
        if tok.kind.is_eol() {
            let id = fs.alloc_line(Line {
                start,
                token: tokens,
                end,
                ..Line::default()
            });
            fs.stmt.push(Stmt::Line(id));
            return Ok(());
        }
        if tok.kind == Kind::Punct(b'(') {
            let next = lx.peek();
            if next.is_eol() {
                // Start of a block: nothing else on this line.
                let block = parse_line_block(lx, fs, start, tokens, tok.pos)?;
                fs.stmt.push(Stmt::Block(block));
                return Ok(());
            } else if next == Kind::Punct(b')') {
                let rparen = lx.lex()?;
                if lx.peek().is_eol() {
                    // `verb ( )`: an empty block.
                    lx.lex()?;
                    fs.stmt.push(Stmt::Block(LineBlock {
                        start,
                        token: tokens,
                        lparen: Paren {
                            pos: tok.pos,
                            ..Paren::default()
                        },
                        rparen: Paren {
                            pos: rparen.pos,
                            ..Paren::default()
                        },
                        ..LineBlock::default()
                    }));
                    return Ok(());
                }
                // `( )` in the middle of a line is not a block.
                tokens.push(tok.text);
                tokens.push(rparen.text);
            } else {
                // `(` in the middle of a line is not a block.
                tokens.push(tok.text);
            }
            continue;
        }
        tokens.push(tok.text);
        end = tok.end_pos;
    }
}

fn parse_line_block(
    lx: &mut Lexer<'_>,
    fs: &mut FileSyntax,
    start: Position,
    token: Vec<Vec<u8>>,
    lparen: Position,
) -> Result<LineBlock, Error> {
    let mut block = LineBlock {
        start,
        token,
        lparen: Paren {
            pos: lparen,
            ..Paren::default()
        },
        ..LineBlock::default()
    };
    let mut comments: Vec<Comment> = Vec::new();
    loop {
        match lx.peek() {
            Kind::EolComment => {
                // Attached later by assign_comments.
                lx.lex()?;
            }
            Kind::Punct(b'\n') => {
                // A blank line: keep it as an empty comment, but only once in a
                // row and not before the first entry.
                lx.lex()?;
                let keep = match comments.last() {
                    None => !block.line.is_empty(),
                    Some(last) => !last.token.is_empty(),
                };
                if keep {
                    comments.push(Comment::default());
                }
            }
            Kind::Comment => {
                let tok = lx.lex()?;
                comments.push(Comment {
                    start: tok.pos,
                    token: tok.text,
                    suffix: false,
                });
            }
            Kind::Eof => {
                return Err(lx.error(format!(
                    "syntax error (unterminated block started at {}:{}:{})",
                    lx.filename, block.start.line, block.start.line_rune
                )));
            }
            Kind::Punct(b')') => {
                let rparen = lx.lex()?;
                // A lone blank line before `)` is not preserved.
                if comments.len() == 1 && comments[0] == Comment::default() {
                    comments.clear();
                }
                block.rparen.comments.before = comments;
                block.rparen.pos = rparen.pos;
                if !lx.peek().is_eol() {
                    return Err(lx.error("syntax error (expected newline after closing paren)"));
                }
                lx.lex()?;
                return Ok(block);
            }
            _ => {
                let id = parse_line(lx, fs)?;
                block.line.push(id);
                fs.line_mut(id).comments.before = std::mem::take(&mut comments);
            }
        }
    }
}

fn parse_line(lx: &mut Lexer<'_>, fs: &mut FileSyntax) -> Result<LineId, Error> {
    let tok = lx.lex()?;
    if tok.kind.is_eol() {
        return Err(lx.error("internal parse error: parseLine at end of line"));
    }
    let start = tok.pos;
    let mut end = tok.end_pos;
    let mut tokens = vec![tok.text];
    loop {
        let tok = lx.lex()?;
        if tok.kind.is_eol() {
            return Ok(fs.alloc_line(Line {
                start,
                token: tokens,
                end,
                in_block: true,
                ..Line::default()
            }));
        }
        tokens.push(tok.text);
        end = tok.end_pos;
    }
}

/// A node that can carry comments, in Go's post-order.
#[derive(Clone, Copy)]
enum Node {
    Stmt(usize),
    LParen(usize),
    RParen(usize),
    BlockLine(LineId),
}

fn node_span(fs: &FileSyntax, node: Node) -> (Position, Position) {
    let paren_span = |p: &Paren| (p.pos, p.pos.after(b")"));
    match node {
        Node::Stmt(i) => fs.stmt_span(&fs.stmt[i]),
        Node::LParen(i) | Node::RParen(i) => match &fs.stmt[i] {
            Stmt::Block(b) if matches!(node, Node::LParen(_)) => paren_span(&b.lparen),
            Stmt::Block(b) => paren_span(&b.rparen),
            other => fs.stmt_span(other),
        },
        Node::BlockLine(id) => {
            let l = fs.line(id);
            (l.start, l.end)
        }
    }
}

fn node_comments(fs: &mut FileSyntax, node: Node) -> Option<&mut Comments> {
    match node {
        Node::Stmt(i) => fs.stmt_comments_mut(i),
        Node::LParen(i) => match fs.stmt.get_mut(i)? {
            Stmt::Block(b) => Some(&mut b.lparen.comments),
            _ => None,
        },
        Node::RParen(i) => match fs.stmt.get_mut(i)? {
            Stmt::Block(b) => Some(&mut b.rparen.comments),
            _ => None,
        },
        Node::BlockLine(id) => Some(&mut fs.line_mut(id).comments),
    }
}

/// Attaches end-of-line comments (in input order) to the syntax before them.
fn assign_comments(fs: &mut FileSyntax, mut suffix: Vec<Comment>) {
    let mut post = Vec::new();
    for (i, stmt) in fs.stmt.iter().enumerate() {
        if let Stmt::Block(b) = stmt {
            post.push(Node::LParen(i));
            post.extend(b.line.iter().map(|&id| Node::BlockLine(id)));
            post.push(Node::RParen(i));
        }
        post.push(Node::Stmt(i));
    }

    for &node in post.iter().rev() {
        let (start, end) = node_span(fs, node);
        // Something spanning lines (a block) gets no suffix comments; they go to
        // the last element inside it instead.
        if start.line != end.line {
            continue;
        }
        let mut taken = Vec::new();
        while let Some(last) = suffix.last() {
            if end.byte > last.start.byte {
                break;
            }
            taken.extend(suffix.pop());
        }
        if taken.is_empty() {
            continue;
        }
        // Taken from the end, so reverse to restore input order.
        taken.reverse();
        if let Some(c) = node_comments(fs, node) {
            c.suffix.extend(taken);
        }
    }

    // Whatever is left goes at the beginning of the file.
    fs.comments.before.extend(suffix);
}

/// The module path declared in go.mod text, or `""` (Go's `modfile.ModulePath`).
///
/// A quick scan that tolerates unrelated problems in the file: the first line
/// that starts with `module` followed by white space and a path (possibly a
/// quoted string, which must then be valid) wins.
pub fn module_path(data: &[u8]) -> String {
    for line in data.split(|&b| b == b'\n') {
        let line = match super::text::find(line, b"//") {
            Some(i) => &line[..i],
            None => line,
        };
        let Some(rest) = trim_space(line).strip_prefix(b"module") else {
            continue;
        };
        let path = trim_space(rest);
        // `module` must be followed by white space and then something.
        if path.len() == rest.len() || path.is_empty() {
            continue;
        }
        if path[0] == b'"' || path[0] == b'`' {
            // A malformed quoted string (or a multi-line one) means no path.
            return unquote(path).map(|p| go_lossy(&p)).unwrap_or_default();
        }
        return go_lossy(path);
    }
    String::new()
}
