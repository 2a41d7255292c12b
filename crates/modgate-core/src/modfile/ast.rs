//! The go.mod / go.work syntax tree, with comments.
//!
//! Mirrors `x/mod/modfile/read.go`: a file is a list of statements, each a
//! [`CommentBlock`] (standalone comments), a [`Line`] (`verb args...`) or a
//! [`LineBlock`] (`verb (` ... `)`). Every node carries [`Comments`]: whole-line
//! comments `before` it, end-of-line `suffix` comments and (top level only)
//! `after` comments. A blank line inside a block is kept as an empty comment.
//!
//! Go's typed `File` keeps pointers to the `Line`s it was parsed from so that
//! edits can rewrite them in place. Here every [`Line`] lives in an arena owned
//! by [`FileSyntax`] and is referred to by a stable [`LineId`]; statements and
//! blocks hold ids. Sorting, de-duplicating or collapsing blocks moves ids
//! around but never invalidates them.
//!
//! Tokens and comment texts are byte strings: Go strings may hold invalid UTF-8.

use super::text::rune_count;

/// A position in the input: 1-based line, 1-based rune in the line, 0-based byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Line in the input, starting at 1.
    pub line: usize,
    /// Rune in the line, starting at 1.
    pub line_rune: usize,
    /// Byte offset in the input, starting at 0.
    pub byte: usize,
}

impl Position {
    /// The position just after `s`, if `s` starts at `self` (Go's `Position.add`).
    pub fn after(self, s: &[u8]) -> Position {
        let mut p = self;
        p.byte += s.len();
        let mut rest = s;
        if let Some(last_nl) = s.iter().rposition(|&b| b == b'\n') {
            p.line += s.iter().filter(|&&b| b == b'\n').count();
            rest = &s[last_nl + 1..];
            p.line_rune = 1;
        }
        p.line_rune += rune_count(rest);
        p
    }
}

/// A single `//` comment. `token` includes the `//` and excludes the newline.
/// An empty token stands for a blank line inside a block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comment {
    /// Where the comment starts.
    pub start: Position,
    /// The comment text, starting with `//` (empty for a preserved blank line).
    pub token: Vec<u8>,
    /// An end-of-line comment (something else precedes it on its line).
    pub suffix: bool,
}

impl Comment {
    /// A comment with the given text and no position, as edit operations create.
    pub fn new(token: impl Into<Vec<u8>>) -> Comment {
        Comment {
            start: Position::default(),
            token: token.into(),
            suffix: false,
        }
    }
}

/// The comments attached to a node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// Whole-line comments before the node.
    pub before: Vec<Comment>,
    /// End-of-line comments after the node.
    pub suffix: Vec<Comment>,
    /// Whole-line comments after the node (top-level statements only).
    pub after: Vec<Comment>,
}

impl Comments {
    /// Whether there are no comments at all.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.suffix.is_empty() && self.after.is_empty()
    }
}

/// Stable handle of a [`Line`] in a [`FileSyntax`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId(pub(crate) usize);

/// One line of tokens: a top-level statement or an entry in a block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// Comments attached to the line.
    pub comments: Comments,
    /// Start of the first token.
    pub start: Position,
    /// The tokens. Inside a block the verb is not repeated. An empty list marks
    /// a line removed by an edit (dropped by [`FileSyntax::cleanup`]).
    pub token: Vec<Vec<u8>>,
    /// Whether the line is an entry of a [`LineBlock`].
    pub in_block: bool,
    /// End of the last token.
    pub end: Position,
}

/// A parenthesized block: `verb (` lines `)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineBlock {
    /// Comments before the block (and suffix comments of a one-line `verb ( )`).
    pub comments: Comments,
    /// Start of the verb.
    pub start: Position,
    /// The `(`; its suffix comments are those written after `verb (`.
    pub lparen: Paren,
    /// The tokens before `(` (normally just the verb).
    pub token: Vec<Vec<u8>>,
    /// The entries, in order.
    pub line: Vec<LineId>,
    /// The `)`; its `before` comments are those after the last entry.
    pub rparen: Paren,
}

/// The `(` or `)` of a block, a place to hang comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paren {
    /// Comments attached to the parenthesis.
    pub comments: Comments,
    /// Where the parenthesis is.
    pub pos: Position,
}

/// A run of standalone comments not attached to any statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommentBlock {
    /// The comments, in `before`.
    pub comments: Comments,
    /// Where the first comment starts.
    pub start: Position,
}

/// A top-level statement.
// Blocks are as common as lines in go.mod files; boxing them buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// Standalone comments.
    Comments(CommentBlock),
    /// A single line.
    Line(LineId),
    /// A parenthesized block.
    Block(LineBlock),
}

/// A parsed go.mod or go.work file: statements plus the arena of lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSyntax {
    /// File name, used in error messages.
    pub name: String,
    /// File-level comments (suffix comments that could not be attached).
    pub comments: Comments,
    /// The statements, in order.
    pub stmt: Vec<Stmt>,
    lines: Vec<Line>,
}

impl FileSyntax {
    /// An empty file.
    pub fn new(name: &str) -> FileSyntax {
        FileSyntax {
            name: name.to_string(),
            ..FileSyntax::default()
        }
    }

    /// The line with the given id.
    ///
    /// Ids come from this file, so lookup cannot fail; an id from another file
    /// yields an empty line rather than a panic.
    pub fn line(&self, id: LineId) -> &Line {
        static EMPTY: Line = Line {
            comments: Comments {
                before: Vec::new(),
                suffix: Vec::new(),
                after: Vec::new(),
            },
            start: Position {
                line: 0,
                line_rune: 0,
                byte: 0,
            },
            token: Vec::new(),
            in_block: false,
            end: Position {
                line: 0,
                line_rune: 0,
                byte: 0,
            },
        };
        self.lines.get(id.0).unwrap_or(&EMPTY)
    }

    /// Mutable access to a line. An id from another file gets a detached
    /// scratch line (edits to it are lost) rather than a panic.
    pub fn line_mut(&mut self, id: LineId) -> &mut Line {
        if id.0 >= self.lines.len() {
            self.lines.push(Line::default());
            let last = self.lines.len() - 1;
            return &mut self.lines[last];
        }
        &mut self.lines[id.0]
    }

    /// Adds a line to the arena (not to any statement) and returns its id.
    pub(crate) fn alloc_line(&mut self, line: Line) -> LineId {
        self.lines.push(line);
        LineId(self.lines.len() - 1)
    }

    /// The start and end of the file's statements (Go's `FileSyntax.Span`).
    pub fn span(&self) -> (Position, Position) {
        match (self.stmt.first(), self.stmt.last()) {
            (Some(first), Some(last)) => (self.stmt_span(first).0, self.stmt_span(last).1),
            _ => (Position::default(), Position::default()),
        }
    }

    /// The span of a statement, excluding comments (Go's `Expr.Span`).
    pub fn stmt_span(&self, stmt: &Stmt) -> (Position, Position) {
        match stmt {
            Stmt::Comments(cb) => (cb.start, cb.start),
            Stmt::Line(id) => {
                let l = self.line(*id);
                (l.start, l.end)
            }
            Stmt::Block(b) => (b.start, b.rparen.pos.after(b")")),
        }
    }

    /// The comments of a statement.
    pub fn stmt_comments_mut(&mut self, i: usize) -> Option<&mut Comments> {
        let id = match self.stmt.get(i)? {
            Stmt::Line(id) => *id,
            _ => {
                return match self.stmt.get_mut(i)? {
                    Stmt::Comments(cb) => Some(&mut cb.comments),
                    Stmt::Block(b) => Some(&mut b.comments),
                    Stmt::Line(_) => None,
                };
            }
        };
        Some(&mut self.line_mut(id).comments)
    }

    /// Sorts the entries of the block at statement `i` with Go's stable sort
    /// (`slices.SortStableFunc`), comparing lines with `cmp`.
    pub(crate) fn sort_block(
        &mut self,
        i: usize,
        cmp: impl Fn(&Line, &Line) -> std::cmp::Ordering,
    ) {
        let lines = &self.lines;
        if let Some(Stmt::Block(b)) = self.stmt.get_mut(i) {
            let empty = Line::default();
            let get = |id: LineId| lines.get(id.0).unwrap_or(&empty);
            super::sort::stable_sort(&mut b.line, |x, y| cmp(get(*x), get(*y)));
        }
    }

    /// Marks a line as removed: it (and its end-of-line comments) disappears at
    /// the next [`FileSyntax::cleanup`]. Go's `Line.markRemoved`.
    pub fn mark_removed(&mut self, id: LineId) {
        let line = self.line_mut(id);
        line.token.clear();
        line.comments.suffix.clear();
    }

    /// Removes from `items` every entry `drop` selects and marks its line
    /// removed: the shared body of the `Drop*` edits.
    pub(crate) fn drop_entries<T>(
        &mut self,
        items: &mut Vec<T>,
        line: impl Fn(&T) -> LineId,
        drop: impl Fn(&T) -> bool,
    ) {
        items.retain(|item| {
            let dropped = drop(item);
            if dropped {
                self.mark_removed(line(item));
            }
            !dropped
        });
    }

    /// Replaces the tokens of a line; `tokens` starts with the verb, which is
    /// dropped for a line inside a block. Go's `FileSyntax.updateLine`.
    pub fn update_line(&mut self, id: LineId, tokens: Vec<Vec<u8>>) {
        let line = self.line_mut(id);
        line.token = if line.in_block {
            tokens.into_iter().skip(1).collect()
        } else {
            tokens
        };
    }

    /// Adds a line with the given tokens (verb first). Go's `FileSyntax.addLine`:
    ///
    /// * with a `hint` line whose verb matches, the new line goes right after it
    ///   inside its block (a lone line is first turned into a block);
    /// * with a hint whose verb differs, the new line goes after the hint's
    ///   statement;
    /// * without a hint, it goes at the end of the last line or block with the
    ///   same verb, or at the end of the file.
    pub fn add_line(&mut self, hint: Option<LineId>, tokens: Vec<Vec<u8>>) -> LineId {
        enum Hint {
            Line(LineId),
            Block(usize),
        }
        let verb = tokens.first().cloned().unwrap_or_default();
        let hint = match hint {
            Some(id) => Some(Hint::Line(id)),
            None => self
                .stmt
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, s)| match s {
                    Stmt::Line(id) if self.line(*id).token.first() == Some(&verb) => {
                        Some(Hint::Line(*id))
                    }
                    Stmt::Block(b) if b.token.first() == Some(&verb) => Some(Hint::Block(i)),
                    _ => None,
                }),
        };
        let rest: Vec<Vec<u8>> = tokens.iter().skip(1).cloned().collect();
        if let Some(hint) = hint {
            for i in 0..self.stmt.len() {
                match &self.stmt[i] {
                    Stmt::Line(id) => {
                        let Hint::Line(h) = hint else { continue };
                        if *id != h {
                            continue;
                        }
                        let id = *id;
                        if self.line(id).token.first() != Some(&verb) {
                            return self.new_line_after(i, tokens);
                        }
                        // Turn the line into a block holding it and the new line.
                        let line = self.line_mut(id);
                        line.in_block = true;
                        let block_verb: Vec<Vec<u8>> = line.token.drain(..1).collect();
                        let new = self.alloc_line(Line {
                            token: rest,
                            in_block: true,
                            ..Line::default()
                        });
                        self.stmt[i] = Stmt::Block(LineBlock {
                            token: block_verb,
                            line: vec![id, new],
                            ..LineBlock::default()
                        });
                        return new;
                    }
                    Stmt::Block(b) => {
                        let same_verb = b.token.first() == Some(&verb);
                        let at = match hint {
                            Hint::Block(h) if h == i => Some(b.line.len()),
                            Hint::Line(h) => b.line.iter().position(|&l| l == h).map(|j| j + 1),
                            Hint::Block(_) => None,
                        };
                        let Some(at) = at else { continue };
                        if !same_verb {
                            return self.new_line_after(i, tokens);
                        }
                        let new = self.alloc_line(Line {
                            token: rest,
                            in_block: true,
                            ..Line::default()
                        });
                        if let Stmt::Block(b) = &mut self.stmt[i] {
                            b.line.insert(at, new);
                        }
                        return new;
                    }
                    Stmt::Comments(_) => {}
                }
            }
        }
        let new = self.alloc_line(Line {
            token: tokens,
            ..Line::default()
        });
        self.stmt.push(Stmt::Line(new));
        new
    }

    fn new_line_after(&mut self, i: usize, tokens: Vec<Vec<u8>>) -> LineId {
        let new = self.alloc_line(Line {
            token: tokens,
            ..Line::default()
        });
        self.stmt
            .insert((i + 1).min(self.stmt.len()), Stmt::Line(new));
        new
    }

    /// Removes dead lines (those with no tokens) after edits, drops blocks that
    /// end up empty and turns a block with a single entry (and no comment before
    /// its `)`) into a plain line. Go's `FileSyntax.Cleanup`.
    pub fn cleanup(&mut self) {
        let stmts = std::mem::take(&mut self.stmt);
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            match stmt {
                Stmt::Line(id) => {
                    if !self.line(id).token.is_empty() {
                        out.push(Stmt::Line(id));
                    }
                }
                Stmt::Comments(cb) => out.push(Stmt::Comments(cb)),
                Stmt::Block(mut block) => {
                    block.line.retain(|&id| !self.line(id).token.is_empty());
                    match block.line.len() {
                        0 => {}
                        1 if block.rparen.comments.before.is_empty() => {
                            // Collapse into a single line, reusing the entry's id so
                            // the typed File still points at it. Like Go, the comments
                            // on `(` are dropped and the positions are reset.
                            let id = block.line[0];
                            let old = std::mem::take(self.line_mut(id));
                            let mut token = block.token;
                            token.extend(old.token);
                            *self.line_mut(id) = Line {
                                comments: Comments {
                                    before: [block.comments.before, old.comments.before].concat(),
                                    suffix: [old.comments.suffix, block.comments.suffix].concat(),
                                    after: [old.comments.after, block.comments.after].concat(),
                                },
                                token,
                                ..Line::default()
                            };
                            out.push(Stmt::Line(id));
                        }
                        _ => out.push(Stmt::Block(block)),
                    }
                }
            }
        }
        self.stmt = out;
    }
}
