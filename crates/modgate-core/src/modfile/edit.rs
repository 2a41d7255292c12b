//! Editing go.mod / go.work files: cleanup, `// indirect` markers and the edit
//! operations behind `go mod edit`'s flags.
//!
//! Follows `x/mod/modfile/rule.go` (`Cleanup`, `setIndirect`, `setVersion`,
//! `SetRequire`, `Add*`/`Drop*`, `checkCanonicalVersion`) and `work.go`. As in
//! Go, edits mark lines removed (no tokens) and [`File::cleanup`] /
//! [`WorkFile::cleanup`] must be called once all edits are done: it drops
//! removed lines and typed entries, removes empty blocks and collapses
//! single-entry blocks into plain lines. Sorting lives in `sort.rs`.

use super::args::{is_go_version, is_indirect, is_toolchain_name};
use super::ast::{Comment, FileSyntax, Line, Stmt};
use super::errors::invalid_version;
use super::rule::{
    Exclude, File, Go, Godebug, Ignore, Module, Replace, Require, Tool, Toolchain, VersionInterval,
};
use super::text::{auto_quote, trim_space};
use super::work::{Use, WorkFile};
use crate::module::{
    Version, canonical_version, check_path_major, path_major_prefix, split_path_version,
};
use crate::quote::quote;
use crate::semver;

impl File {
    /// Drops removed entries and lines, empty blocks, and turns one-entry blocks
    /// into lines (Go's `File.Cleanup`). Like Go, entries whose path (or key) is
    /// empty are dropped from the typed lists even if their line stays.
    pub fn cleanup(&mut self) {
        self.godebug.retain(|g| !g.key.is_empty());
        self.require.retain(|r| !r.module.path.is_empty());
        self.exclude.retain(|x| !x.module.path.is_empty());
        self.replace.retain(|r| !r.old.path.is_empty());
        self.retract
            .retain(|r| !r.interval.low.is_empty() || !r.interval.high.is_empty());
        self.syntax.cleanup();
    }

    /// Sets or clears the `// indirect` marker on `self.require[i]` (Go's
    /// `Require.setIndirect`): adds `// indirect`, or turns `// foo` into
    /// `// indirect; foo`; clearing removes the comment or the `indirect;` prefix.
    pub fn set_indirect(&mut self, i: usize, indirect: bool) {
        let Some(r) = self.require.get_mut(i) else {
            return;
        };
        r.indirect = indirect;
        let suffix = &mut self.syntax.line_mut(r.syntax).comments.suffix;
        set_indirect_comment(suffix, indirect);
    }

    /// Sets the module path (Go's `File.AddModuleStmt`).
    pub fn add_module_stmt(&mut self, path: &str) {
        let tokens = vec![b"module".to_vec(), auto_quote(path.as_bytes())];
        match &mut self.module {
            Some(m) => {
                m.path = path.to_string();
                self.syntax.update_line(m.syntax, tokens);
            }
            None => {
                let syntax = self.syntax.add_line(None, tokens);
                self.module = Some(Module {
                    path: path.to_string(),
                    deprecated: String::new(),
                    syntax,
                });
            }
        }
    }

    /// Sets the `go` version, adding the line after `module` if needed (Go's
    /// `File.AddGoStmt`). Errors with `invalid language version "x"`.
    pub fn add_go_stmt(&mut self, version: &str) -> Result<(), String> {
        if !is_go_version(version.as_bytes()) {
            return Err(format!("invalid language version {}", quote(version)));
        }
        let tokens = vec![b"go".to_vec(), version.as_bytes().to_vec()];
        match &mut self.go {
            Some(g) => {
                g.version = version.to_string();
                self.syntax.update_line(g.syntax, tokens);
            }
            None => {
                let hint = self.module.as_ref().map(|m| m.syntax);
                let syntax = self.syntax.add_line(hint, tokens);
                self.go = Some(Go {
                    version: version.to_string(),
                    syntax,
                });
            }
        }
        Ok(())
    }

    /// Removes the `go` line (Go's `File.DropGoStmt`).
    pub fn drop_go_stmt(&mut self) {
        if let Some(g) = self.go.take() {
            self.syntax.mark_removed(g.syntax);
        }
    }

    /// Sets the toolchain, adding the line after `go` (or `module`) if needed
    /// (Go's `File.AddToolchainStmt`). Errors with `invalid toolchain name "x"`.
    pub fn add_toolchain_stmt(&mut self, name: &str) -> Result<(), String> {
        if !is_toolchain_name(name.as_bytes()) {
            return Err(format!("invalid toolchain name {}", quote(name)));
        }
        let tokens = vec![b"toolchain".to_vec(), name.as_bytes().to_vec()];
        match &mut self.toolchain {
            Some(t) => {
                t.name = name.to_string();
                self.syntax.update_line(t.syntax, tokens);
            }
            None => {
                let hint = self
                    .go
                    .as_ref()
                    .map(|g| g.syntax)
                    .or(self.module.as_ref().map(|m| m.syntax));
                let syntax = self.syntax.add_line(hint, tokens);
                self.toolchain = Some(Toolchain {
                    name: name.to_string(),
                    syntax,
                });
            }
        }
        Ok(())
    }

    /// Removes the `toolchain` line (Go's `File.DropToolchainStmt`).
    pub fn drop_toolchain_stmt(&mut self) {
        if let Some(t) = self.toolchain.take() {
            self.syntax.mark_removed(t.syntax);
        }
    }

    /// Sets `key` to `value` on the first `godebug` line for `key` and removes the
    /// others, or adds a line (Go's `File.AddGodebug`).
    pub fn add_godebug(&mut self, key: &str, value: &str) {
        add_godebug(&mut self.syntax, &mut self.godebug, key, value);
    }

    /// Removes every `godebug` line for `key` (Go's `File.DropGodebug`).
    pub fn drop_godebug(&mut self, key: &str) {
        drop_godebug(&mut self.syntax, &mut self.godebug, key);
    }

    /// Sets the version of the first requirement on `path`, removing the others,
    /// or adds a requirement (Go's `File.AddRequire`).
    pub fn add_require(&mut self, path: &str, vers: &str) {
        let mut found = false;
        let tokens = vec![
            b"require".to_vec(),
            auto_quote(path.as_bytes()),
            vers.as_bytes().to_vec(),
        ];
        let syntax = &mut self.syntax;
        self.require.retain_mut(|r| {
            if r.module.path != path {
                return true;
            }
            if found {
                syntax.mark_removed(r.syntax);
                return false;
            }
            found = true;
            r.module.version = vers.to_string();
            syntax.update_line(r.syntax, tokens.clone());
            true
        });
        if !found {
            self.add_new_require(path, vers, false);
        }
    }

    /// Adds a requirement at the end of the last require block, even if `path`
    /// is already required (Go's `File.AddNewRequire`).
    pub fn add_new_require(&mut self, path: &str, vers: &str, indirect: bool) {
        let line = self.syntax.add_line(
            None,
            vec![
                b"require".to_vec(),
                auto_quote(path.as_bytes()),
                vers.as_bytes().to_vec(),
            ],
        );
        self.require.push(Require {
            module: Version {
                path: path.to_string(),
                version: vers.to_string(),
            },
            indirect: false,
            syntax: line,
        });
        let i = self.require.len() - 1;
        self.set_indirect(i, indirect);
    }

    /// Makes the requirements exactly `req` (path, version, indirect), keeping the
    /// block structure and comments of the first line for each path, updating
    /// versions and `// indirect` markers, and adding new paths to the last
    /// require block (Go's `File.SetRequire`). Each path may appear with only one
    /// version in `req` (Go panics otherwise; here the first version wins). Call
    /// [`File::cleanup`] afterwards.
    pub fn set_require(&mut self, req: &[(Version, bool)]) {
        let mut need: Vec<(&str, &str, bool)> = Vec::new();
        for (m, indirect) in req {
            match need.iter_mut().find(|(p, _, _)| *p == m.path) {
                Some(e) => e.2 = *indirect,
                None => need.push((&m.path, &m.version, *indirect)),
            }
        }
        let mut i = 0;
        while i < self.require.len() {
            let path = self.require[i].module.path.clone();
            match need.iter().position(|(p, _, _)| *p == path) {
                Some(k) => {
                    let (_, version, indirect) = need.remove(k);
                    self.set_require_version(i, version);
                    self.set_indirect(i, indirect);
                    i += 1;
                }
                None => {
                    let r = self.require.remove(i);
                    self.syntax.mark_removed(r.syntax);
                }
            }
        }
        for (path, version, indirect) in need {
            self.add_new_require(path, version, indirect);
        }
        self.sort_blocks();
    }

    /// Makes the requirements exactly `req` (path, version, indirect), keeping
    /// direct and indirect requirements in separate blocks (Go's
    /// `File.SetRequireSeparateIndirect`, what the go command writes for go ≥ 1.17):
    /// new requirements go to the last uncommented direct-only or indirect-only
    /// block (created after the last require statement if none), a requirement
    /// whose marking changes moves between those two blocks, and a single
    /// uncommented require block is split in two. Commented blocks are left as
    /// they are. Call [`File::cleanup`] afterwards.
    pub fn set_require_separate_indirect(&mut self, req: &[(Version, bool)]) {
        self.set_require_separate(req, false);
    }

    /// Like [`File::set_require_separate_indirect`], but every requirement is
    /// moved into one direct and one indirect block whatever block it was in, and
    /// the comments before each require block are carried over to the block its
    /// requirements go to (Go's `File.SetRequireAtMostTwo`, what the go command
    /// writes for go ≥ 1.27). Call [`File::cleanup`] afterwards.
    pub fn set_require_at_most_two(&mut self, req: &[(Version, bool)]) {
        self.set_require_separate(req, true);
    }

    fn set_require_separate(&mut self, req: &[(Version, bool)], simplify: bool) {
        let mut need: Vec<(&str, &str, bool)> = Vec::new();
        for (m, indirect) in req {
            match need.iter_mut().find(|(p, _, _)| *p == m.path) {
                Some(e) => *e = (&m.path, &m.version, *indirect),
                None => need.push((&m.path, &m.version, *indirect)),
            }
        }
        // Each existing requirement line still needed, with its new marking.
        let line_indirect: std::collections::HashMap<super::ast::LineId, bool> = self
            .require
            .iter()
            .filter_map(|r| {
                let (_, _, ind) = need.iter().find(|(p, _, _)| *p == r.module.path)?;
                Some((r.syntax, *ind))
            })
            .collect();
        // With `simplify`: (block index, whether its comments go to the
        // indirect block).
        let mut moved_comments: Vec<(usize, bool)> = Vec::new();
        fn has_comments(c: &super::ast::Comments) -> bool {
            !c.before.is_empty()
                || !c.after.is_empty()
                || c.suffix.len() > 1
                || (c.suffix.len() == 1 && {
                    let t = c.suffix[0]
                        .token
                        .strip_prefix(b"//")
                        .unwrap_or(&c.suffix[0].token);
                    trim_space(t) != b"indirect"
                })
        }
        let is_req = |t: &[Vec<u8>]| t.first().is_some_and(|v| v == b"require");
        let (mut last_direct, mut last_indirect, mut last_require) = (None, None, None);
        let mut count = 0;
        let mut line_block: std::collections::HashMap<super::ast::LineId, usize> =
            std::collections::HashMap::new();
        for (i, stmt) in self.syntax.stmt.iter().enumerate() {
            match stmt {
                Stmt::Line(id) => {
                    let line = self.syntax.line(*id);
                    if !is_req(&line.token) {
                        continue;
                    }
                    last_require = Some(i);
                    count += 1;
                    if !has_comments(&line.comments) {
                        if is_indirect(&line.comments.suffix) {
                            last_indirect = Some(i);
                        } else {
                            last_direct = Some(i);
                        }
                    }
                }
                Stmt::Block(b) => {
                    if !is_req(&b.token) {
                        continue;
                    }
                    last_require = Some(i);
                    count += 1;
                    let mut all_direct = !b.line.is_empty() && !has_comments(&b.comments);
                    let mut all_indirect = all_direct;
                    for id in &b.line {
                        line_block.insert(*id, i);
                        let line = self.syntax.line(*id);
                        if has_comments(&line.comments) {
                            all_direct = false;
                            all_indirect = false;
                        } else if is_indirect(&line.comments.suffix) {
                            all_direct = false;
                        } else {
                            all_indirect = false;
                        }
                    }
                    if all_direct {
                        last_direct = Some(i);
                    }
                    if all_indirect {
                        last_indirect = Some(i);
                    }
                    if simplify {
                        let any_direct = b
                            .line
                            .iter()
                            .any(|id| line_indirect.get(id) == Some(&false));
                        moved_comments.push((i, !any_direct && !b.line.is_empty()));
                    }
                }
                Stmt::Comments(_) => {}
            }
        }
        // Each block's leading comments, to the block its requirements go to; a
        // `//` line between those of two blocks.
        let (mut direct_comments, mut indirect_comments) = (Vec::new(), Vec::new());
        for (i, to_indirect) in moved_comments {
            let Stmt::Block(b) = &mut self.syntax.stmt[i] else {
                continue;
            };
            let before = std::mem::take(&mut b.comments.before);
            let target = if to_indirect {
                &mut indirect_comments
            } else {
                &mut direct_comments
            };
            if !target.is_empty() && !before.is_empty() {
                target.push(super::ast::Comment::new("//"));
            }
            target.extend(before);
        }
        let one_flat = count == 1
            && last_require.is_some_and(|i| match &self.syntax.stmt[i] {
                Stmt::Line(id) => !has_comments(&self.syntax.line(*id).comments),
                Stmt::Block(b) => !has_comments(&b.comments),
                Stmt::Comments(c) => !has_comments(&c.comments),
            });
        // The blocks as they were (a line turned into a block held no entries
        // then, as in Go's lineToBlock).
        let was_block = |i: Option<usize>, stmt: &[Stmt]| {
            i.filter(|&i| matches!(stmt.get(i), Some(Stmt::Block(_))))
        };
        let direct_orig = was_block(last_direct, &self.syntax.stmt);
        let indirect_orig = was_block(last_indirect, &self.syntax.stmt);
        let direct_at = match last_direct {
            Some(i) => {
                self.ensure_require_block(i);
                i
            }
            None => {
                let i = if let Some(li) = last_indirect {
                    last_indirect = Some(li + 1);
                    li
                } else if let Some(lr) = last_require {
                    lr + 1
                } else {
                    self.syntax.stmt.len()
                };
                self.insert_require_block(i);
                i
            }
        };
        let indirect_at = match last_indirect {
            Some(i) => {
                self.ensure_require_block(i);
                i
            }
            None => {
                self.insert_require_block(direct_at + 1);
                direct_at + 1
            }
        };
        for (at, comments) in [
            (direct_at, direct_comments),
            (indirect_at, indirect_comments),
        ] {
            if let Some(Stmt::Block(b)) = self.syntax.stmt.get_mut(at)
                && !comments.is_empty()
            {
                b.comments.before.extend(comments);
            }
        }

        let mut have: std::collections::HashSet<String> = std::collections::HashSet::new();
        for i in 0..self.require.len() {
            let path = self.require[i].module.path.clone();
            let wanted = need.iter().find(|(p, _, _)| *p == path).copied();
            let Some((_, version, indirect)) = wanted.filter(|_| !have.contains(&path)) else {
                let id = self.require[i].syntax;
                self.syntax.mark_removed(id);
                self.require[i].module.path.clear();
                continue;
            };
            have.insert(path);
            self.set_require_version(i, version);
            self.set_indirect(i, indirect);
            let block = line_block.get(&self.require[i].syntax).copied();
            if indirect && (simplify || one_flat || (block.is_some() && block == direct_orig)) {
                self.move_require(i, indirect_at);
            } else if !indirect
                && (simplify || one_flat || (block.is_some() && block == indirect_orig))
            {
                self.move_require(i, direct_at);
            }
        }
        for (path, version, indirect) in need {
            if have.contains(path) {
                continue;
            }
            let id = self.syntax.alloc_line(Line {
                token: vec![auto_quote(path.as_bytes()), version.as_bytes().to_vec()],
                in_block: true,
                ..Line::default()
            });
            if let Stmt::Block(b) =
                &mut self.syntax.stmt[if indirect { indirect_at } else { direct_at }]
            {
                b.line.push(id);
            }
            self.require.push(Require {
                module: Version::new(path, version),
                indirect: false,
                syntax: id,
            });
            let i = self.require.len() - 1;
            self.set_indirect(i, indirect);
        }
        self.sort_blocks();
    }

    fn insert_require_block(&mut self, i: usize) {
        let block = super::ast::LineBlock {
            token: vec![b"require".to_vec()],
            ..Default::default()
        };
        let i = i.min(self.syntax.stmt.len());
        self.syntax.stmt.insert(i, Stmt::Block(block));
    }

    fn ensure_require_block(&mut self, i: usize) {
        if let Some(Stmt::Line(id)) = self.syntax.stmt.get(i) {
            let id = *id;
            let line = self.syntax.line_mut(id);
            if !line.token.is_empty() {
                line.token.remove(0);
            }
            line.in_block = true;
            self.syntax.stmt[i] = Stmt::Block(super::ast::LineBlock {
                token: vec![b"require".to_vec()],
                line: vec![id],
                ..Default::default()
            });
        }
    }

    /// Go's `moveReq`: a copy of the requirement's line joins the block at
    /// statement `at`; the old line is left for cleanup to delete.
    fn move_require(&mut self, i: usize, at: usize) {
        let old = self.require[i].syntax;
        let mut line = self.syntax.line(old).clone();
        if !line.in_block && line.token.first().is_some_and(|t| t == b"require") {
            line.token.remove(0);
        }
        line.in_block = true;
        self.syntax.line_mut(old).token.clear();
        let id = self.syntax.alloc_line(line);
        self.require[i].syntax = id;
        if let Some(Stmt::Block(b)) = self.syntax.stmt.get_mut(at) {
            b.line.push(id);
        }
    }

    /// Go's `Require.setVersion`: updates the version token, and drops a lone
    /// blank line before an entry in a block (go.dev/issue/33779).
    fn set_require_version(&mut self, i: usize, v: &str) {
        let Some(r) = self.require.get_mut(i) else {
            return;
        };
        r.module.version = v.to_string();
        let line = self.syntax.line_mut(r.syntax);
        if line.token.is_empty() {
            return;
        }
        let at = if line.in_block {
            if let [c] = line.comments.before.as_slice()
                && c.token.is_empty()
            {
                line.comments.before.clear();
            }
            1
        } else {
            2
        };
        if let Some(t) = line.token.get_mut(at) {
            *t = v.as_bytes().to_vec();
        }
    }

    /// Removes every requirement on `path` (Go's `File.DropRequire`).
    pub fn drop_require(&mut self, path: &str) {
        let syntax = &mut self.syntax;
        self.require.retain(|r| {
            let keep = r.module.path != path;
            if !keep {
                syntax.mark_removed(r.syntax);
            }
            keep
        });
    }

    /// Adds an exclusion unless it exists (Go's `File.AddExclude`); the version
    /// must be canonical and match the path's major version.
    pub fn add_exclude(&mut self, path: &str, vers: &str) -> Result<(), String> {
        check_canonical_version(path, vers)?;
        let mut hint = None;
        for x in &self.exclude {
            if x.module.path == path && x.module.version == vers {
                return Ok(());
            }
            if x.module.path == path {
                hint = Some(x.syntax);
            }
        }
        let syntax = self.syntax.add_line(
            hint,
            vec![
                b"exclude".to_vec(),
                auto_quote(path.as_bytes()),
                vers.as_bytes().to_vec(),
            ],
        );
        self.exclude.push(Exclude {
            module: Version {
                path: path.to_string(),
                version: vers.to_string(),
            },
            syntax,
        });
        Ok(())
    }

    /// Removes the exclusion of `path@vers` (Go's `File.DropExclude`).
    pub fn drop_exclude(&mut self, path: &str, vers: &str) {
        self.syntax.drop_entries(
            &mut self.exclude,
            |x| x.syntax,
            |x| x.module.path == path && x.module.version == vers,
        );
    }

    /// Adds or updates a replacement (Go's `File.AddReplace`); an empty
    /// `old_vers` replaces all versions and drops version-specific replacements.
    pub fn add_replace(&mut self, old_path: &str, old_vers: &str, new_path: &str, new_vers: &str) {
        add_replace(
            &mut self.syntax,
            &mut self.replace,
            old_path,
            old_vers,
            new_path,
            new_vers,
        );
    }

    /// Removes the replacement of `old_path` (at `old_vers`, empty for the
    /// version-less one) (Go's `File.DropReplace`).
    pub fn drop_replace(&mut self, old_path: &str, old_vers: &str) {
        drop_replace(&mut self.syntax, &mut self.replace, old_path, old_vers);
    }

    /// Adds a `retract` line with the rationale as comments above it (Go's
    /// `File.AddRetract`). Both versions must be canonical for the module path.
    ///
    /// Like Go, this only edits the syntax tree: `self.retract` is not updated
    /// (reparse the formatted file to see the new entry).
    pub fn add_retract(&mut self, vi: &VersionInterval, rationale: &str) -> Result<(), String> {
        let path = self
            .module
            .as_ref()
            .map(|m| m.path.clone())
            .unwrap_or_default();
        check_canonical_version(&path, &vi.high)?;
        check_canonical_version(&path, &vi.low)?;
        let tokens = if vi.low == vi.high {
            vec![b"retract".to_vec(), auto_quote(vi.low.as_bytes())]
        } else {
            vec![
                b"retract".to_vec(),
                b"[".to_vec(),
                auto_quote(vi.low.as_bytes()),
                b",".to_vec(),
                auto_quote(vi.high.as_bytes()),
                b"]".to_vec(),
            ]
        };
        let line = self.syntax.add_line(None, tokens);
        if !rationale.is_empty() {
            let before = &mut self.syntax.line_mut(line).comments.before;
            for l in rationale.split('\n') {
                before.push(Comment::new(format!("// {l}")));
            }
        }
        Ok(())
    }

    /// Removes every retraction of exactly `vi` (Go's `File.DropRetract`).
    pub fn drop_retract(&mut self, vi: &VersionInterval) {
        self.syntax
            .drop_entries(&mut self.retract, |r| r.syntax, |r| r.interval == *vi);
    }

    /// Adds a `tool` line unless present, then sorts blocks (Go's `File.AddTool`).
    pub fn add_tool(&mut self, path: &str) {
        if self.tool.iter().any(|t| t.path == path) {
            return;
        }
        // Go writes the path unquoted here.
        let syntax = self
            .syntax
            .add_line(None, vec![b"tool".to_vec(), path.as_bytes().to_vec()]);
        self.tool.push(Tool {
            path: path.to_string(),
            syntax,
        });
        self.sort_blocks();
    }

    /// Removes the `tool` lines for `path` (Go's `File.DropTool`).
    pub fn drop_tool(&mut self, path: &str) {
        self.syntax
            .drop_entries(&mut self.tool, |t| t.syntax, |t| t.path == path);
    }

    /// Adds an `ignore` line unless present, then sorts blocks (Go's `File.AddIgnore`).
    pub fn add_ignore(&mut self, path: &str) {
        if self.ignore.iter().any(|t| t.path == path) {
            return;
        }
        let syntax = self
            .syntax
            .add_line(None, vec![b"ignore".to_vec(), path.as_bytes().to_vec()]);
        self.ignore.push(Ignore {
            path: path.to_string(),
            syntax,
        });
        self.sort_blocks();
    }

    /// Removes the `ignore` lines for `path` (Go's `File.DropIgnore`).
    pub fn drop_ignore(&mut self, path: &str) {
        self.syntax
            .drop_entries(&mut self.ignore, |t| t.syntax, |t| t.path == path);
    }
}

impl WorkFile {
    /// Drops removed entries, empty blocks, and collapses one-entry blocks (Go's
    /// `WorkFile.Cleanup`).
    pub fn cleanup(&mut self) {
        self.use_.retain(|u| !u.path.is_empty());
        self.replace.retain(|r| !r.old.path.is_empty());
        self.syntax.cleanup();
    }

    /// Sets the `go` version, inserting the line before the first statement that
    /// is not a comment if needed (Go's `WorkFile.AddGoStmt`).
    pub fn add_go_stmt(&mut self, version: &str) -> Result<(), String> {
        if !is_go_version(version.as_bytes()) {
            return Err(format!("invalid language version {}", quote(version)));
        }
        let tokens = vec![b"go".to_vec(), version.as_bytes().to_vec()];
        if let Some(g) = &mut self.go {
            g.version = version.to_string();
            self.syntax.update_line(g.syntax, tokens);
            return Ok(());
        }
        let id = self.syntax.alloc_line(Line {
            token: tokens,
            ..Line::default()
        });
        let i = self
            .syntax
            .stmt
            .iter()
            .position(|s| !matches!(s, Stmt::Comments(_)))
            .unwrap_or(self.syntax.stmt.len());
        self.syntax.stmt.insert(i, Stmt::Line(id));
        self.go = Some(Go {
            version: version.to_string(),
            syntax: id,
        });
        Ok(())
    }

    /// Sets the toolchain, inserting the line after the `go` line (or before the
    /// first non-comment statement) if needed (Go's `WorkFile.AddToolchainStmt`).
    pub fn add_toolchain_stmt(&mut self, name: &str) -> Result<(), String> {
        if !is_toolchain_name(name.as_bytes()) {
            return Err(format!("invalid toolchain name {}", quote(name)));
        }
        let tokens = vec![b"toolchain".to_vec(), name.as_bytes().to_vec()];
        if let Some(t) = &mut self.toolchain {
            t.name = name.to_string();
            self.syntax.update_line(t.syntax, tokens);
            return Ok(());
        }
        let id = self.syntax.alloc_line(Line {
            token: tokens,
            ..Line::default()
        });
        let syntax = &self.syntax;
        let after_go = syntax.stmt.iter().position(|s| {
            matches!(s, Stmt::Line(l) if syntax.line(*l).token.first().map(Vec::as_slice) == Some(b"go".as_slice()))
        });
        let i = match after_go {
            Some(i) => i + 1,
            None => syntax
                .stmt
                .iter()
                .position(|s| !matches!(s, Stmt::Comments(_)))
                .unwrap_or(syntax.stmt.len()),
        };
        self.syntax.stmt.insert(i, Stmt::Line(id));
        self.toolchain = Some(Toolchain {
            name: name.to_string(),
            syntax: id,
        });
        Ok(())
    }

    /// Removes the `go` line.
    pub fn drop_go_stmt(&mut self) {
        if let Some(g) = self.go.take() {
            self.syntax.mark_removed(g.syntax);
        }
    }

    /// Removes the `toolchain` line.
    pub fn drop_toolchain_stmt(&mut self) {
        if let Some(t) = self.toolchain.take() {
            self.syntax.mark_removed(t.syntax);
        }
    }

    /// See [`File::add_godebug`].
    pub fn add_godebug(&mut self, key: &str, value: &str) {
        add_godebug(&mut self.syntax, &mut self.godebug, key, value);
    }

    /// See [`File::drop_godebug`].
    pub fn drop_godebug(&mut self, key: &str) {
        drop_godebug(&mut self.syntax, &mut self.godebug, key);
    }

    /// Records `disk_path` in the first `use` line for it (removing the others),
    /// or adds a `use` line (Go's `WorkFile.AddUse`).
    pub fn add_use(&mut self, disk_path: &str, module_path: &str) {
        let mut found = false;
        let tokens = vec![b"use".to_vec(), auto_quote(disk_path.as_bytes())];
        let syntax = &mut self.syntax;
        self.use_.retain_mut(|u| {
            if u.path != disk_path {
                return true;
            }
            if found {
                syntax.mark_removed(u.syntax);
                return false;
            }
            found = true;
            u.module_path = module_path.to_string();
            syntax.update_line(u.syntax, tokens.clone());
            true
        });
        if !found {
            self.add_new_use(disk_path, module_path);
        }
    }

    /// Adds a `use` line even if one exists (Go's `WorkFile.AddNewUse`).
    pub fn add_new_use(&mut self, disk_path: &str, module_path: &str) {
        let syntax = self.syntax.add_line(
            None,
            vec![b"use".to_vec(), auto_quote(disk_path.as_bytes())],
        );
        self.use_.push(Use {
            path: disk_path.to_string(),
            module_path: module_path.to_string(),
            syntax,
        });
    }

    /// Removes the `use` lines for `path` (Go's `WorkFile.DropUse`).
    pub fn drop_use(&mut self, path: &str) {
        self.syntax
            .drop_entries(&mut self.use_, |u| u.syntax, |u| u.path == path);
    }

    /// See [`File::add_replace`].
    pub fn add_replace(&mut self, old_path: &str, old_vers: &str, new_path: &str, new_vers: &str) {
        add_replace(
            &mut self.syntax,
            &mut self.replace,
            old_path,
            old_vers,
            new_path,
            new_vers,
        );
    }

    /// See [`File::drop_replace`].
    pub fn drop_replace(&mut self, old_path: &str, old_vers: &str) {
        drop_replace(&mut self.syntax, &mut self.replace, old_path, old_vers);
    }
}

fn add_godebug(syntax: &mut FileSyntax, list: &mut Vec<Godebug>, key: &str, value: &str) {
    let mut found = false;
    let tokens = vec![b"godebug".to_vec(), format!("{key}={value}").into_bytes()];
    list.retain_mut(|g| {
        if g.key != key {
            return true;
        }
        if found {
            syntax.mark_removed(g.syntax);
            return false;
        }
        found = true;
        g.value = value.to_string();
        syntax.update_line(g.syntax, tokens.clone());
        true
    });
    if !found {
        let line = syntax.add_line(None, tokens);
        list.push(Godebug {
            key: key.to_string(),
            value: value.to_string(),
            syntax: line,
        });
    }
}

fn drop_godebug(syntax: &mut FileSyntax, list: &mut Vec<Godebug>, key: &str) {
    list.retain(|g| {
        let drop = g.key == key;
        if drop {
            syntax.mark_removed(g.syntax);
        }
        !drop
    });
}

fn add_replace(
    syntax: &mut FileSyntax,
    list: &mut Vec<Replace>,
    old_path: &str,
    old_vers: &str,
    new_path: &str,
    new_vers: &str,
) {
    let new = Version {
        path: new_path.to_string(),
        version: new_vers.to_string(),
    };
    let mut tokens = vec![b"replace".to_vec(), auto_quote(old_path.as_bytes())];
    if !old_vers.is_empty() {
        tokens.push(old_vers.as_bytes().to_vec());
    }
    tokens.push(b"=>".to_vec());
    tokens.push(auto_quote(new_path.as_bytes()));
    if !new_vers.is_empty() {
        tokens.push(new_vers.as_bytes().to_vec());
    }

    let mut need = true;
    let mut hint = None;
    let mut kept = Vec::with_capacity(list.len());
    for mut r in std::mem::take(list) {
        if r.old.path == old_path && (old_vers.is_empty() || r.old.version == old_vers) {
            if need {
                // Found a replacement for old: point it at new.
                r.new = new.clone();
                syntax.update_line(r.syntax, tokens.clone());
                need = false;
                // Go does not record an updated line as the hint.
                kept.push(r);
                continue;
            }
            // Already replaced: drop other replacements for the same old.
            syntax.mark_removed(r.syntax);
            continue;
        }
        if r.old.path == old_path {
            hint = Some(r.syntax);
        }
        kept.push(r);
    }
    *list = kept;
    if need {
        let line = syntax.add_line(hint, tokens);
        list.push(Replace {
            old: Version {
                path: old_path.to_string(),
                version: old_vers.to_string(),
            },
            new,
            syntax: line,
        });
    }
}

fn drop_replace(syntax: &mut FileSyntax, list: &mut Vec<Replace>, old_path: &str, old_vers: &str) {
    list.retain(|r| {
        let drop = r.old.path == old_path && r.old.version == old_vers;
        if drop {
            syntax.mark_removed(r.syntax);
        }
        !drop
    });
}

/// Go's `checkCanonicalVersion`: `vers` must be canonical and match the major
/// version of `path`.
fn check_canonical_version(path: &str, vers: &str) -> Result<(), String> {
    let split = split_path_version(path);
    let path_major = split.map_or("", |(_, m)| m);
    if vers.is_empty() || vers != canonical_version(vers) {
        // A suffix from split_path_version always has a prefix; "" means v0 or v1.
        let form = match path_major_prefix(path_major) {
            Some(p) if !p.is_empty() => p,
            _ => "v1",
        };
        return Err(invalid_version(
            vers.as_bytes(),
            &format!("must be of the form {form}.2.3"),
        ));
    }
    if split.is_some()
        && let Err(e) = check_path_major(vers, path_major)
    {
        if path_major.is_empty() {
            // The user probably meant vN.x.y+incompatible.
            return Err(invalid_version(
                vers.as_bytes(),
                &format!(
                    "should be {vers}+incompatible (or module {path}/{})",
                    semver::major(vers)
                ),
            ));
        }
        return Err(e.to_string());
    }
    Ok(())
}

/// Sets or clears the `// indirect` marker in a line's suffix comments.
pub(crate) fn set_indirect_comment(suffix: &mut Vec<Comment>, indirect: bool) {
    if is_indirect(suffix) == indirect {
        return;
    }
    if indirect {
        let Some(com) = suffix.first_mut() else {
            suffix.push(Comment {
                token: b"// indirect".to_vec(),
                suffix: true,
                ..Comment::default()
            });
            return;
        };
        let text = trim_space(com.token.strip_prefix(b"//").unwrap_or(&com.token)).to_vec();
        com.token = if text.is_empty() {
            b"// indirect".to_vec()
        } else {
            [b"// indirect; ".as_slice(), &text].concat()
        };
        return;
    }
    let Some(com) = suffix.first_mut() else {
        return;
    };
    let text = trim_space(com.token.strip_prefix(b"//").unwrap_or(&com.token));
    if text == b"indirect" {
        suffix.clear();
        return;
    }
    const MARK: &[u8] = b"indirect;";
    if let Some(i) = super::text::find(&com.token, MARK) {
        com.token = [b"//".as_slice(), &com.token[i + MARK.len()..]].concat();
    }
}
