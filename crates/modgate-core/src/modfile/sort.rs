//! Sorting go.mod / go.work blocks, as `go mod edit` does before writing.
//!
//! Follows `x/mod/modfile/rule.go` (`SortBlocks`, `removeDups`, `compareLine`,
//! `compareLineExclude`, `compareLineRetract`) and `work.go`:
//!
//! * duplicate `exclude` (first wins), `replace` (last wins), `tool` and
//!   `ignore` (first wins) lines are removed, then every block left without
//!   entries is dropped (even one that was empty to begin with);
//! * each block's entries are sorted stably: by tokens as strings; `exclude`
//!   blocks by path then semver when the `go` version is at least 1.21;
//!   `retract` blocks by descending (low, high) semver.
//!
//! Sorting uses a port of Go's `slices.SortStableFunc` algorithm (insertion sort
//! on runs of 20, then SymMerge), so that the order is identical to Go's even
//! for comparators that are not a strict weak order (mixed-shape lines), and
//! never panics.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::ast::{FileSyntax, Line, LineId, Stmt};
use super::rule::{Exclude, File, Ignore, Replace, Tool};
use super::text::go_lossy;
use super::work::WorkFile;
use crate::semver;

impl File {
    /// Removes duplicates and sorts the entries of every block (Go's `File.SortBlocks`).
    pub fn sort_blocks(&mut self) {
        remove_dups(
            &mut self.syntax,
            Some(&mut self.exclude),
            &mut self.replace,
            Some(&mut self.tool),
            Some(&mut self.ignore),
        );
        // Exclude blocks sort versions semantically from go 1.21 on (go.dev/issue/60028).
        let semantic_exclude = self.go.as_ref().is_some_and(|g| {
            semver::compare(&format!("v{}", g.version), "v1.21") != Ordering::Less
        });
        for i in 0..self.syntax.stmt.len() {
            let Stmt::Block(b) = &self.syntax.stmt[i] else {
                continue;
            };
            match b.token.first().map(Vec::as_slice) {
                Some(b"exclude") if semantic_exclude => {
                    self.syntax.sort_block(i, compare_line_exclude)
                }
                Some(b"retract") => self.syntax.sort_block(i, compare_line_retract),
                _ => self.syntax.sort_block(i, compare_line),
            }
        }
    }
}

impl WorkFile {
    /// Removes duplicate replacements and sorts every block (Go's `WorkFile.SortBlocks`).
    pub fn sort_blocks(&mut self) {
        remove_dups(&mut self.syntax, None, &mut self.replace, None, None);
        for i in 0..self.syntax.stmt.len() {
            self.syntax.sort_block(i, compare_line);
        }
    }
}

/// Go's `removeDups`: drops duplicate exclude (earliest wins), replace (latest
/// wins), tool and ignore (earliest wins) entries and lines, then removes every
/// block left with no entries.
fn remove_dups(
    syntax: &mut FileSyntax,
    exclude: Option<&mut Vec<Exclude>>,
    replace: &mut Vec<Replace>,
    tool: Option<&mut Vec<Tool>>,
    ignore: Option<&mut Vec<Ignore>>,
) {
    let mut kill: HashSet<LineId> = HashSet::new();

    if let Some(exclude) = exclude {
        let mut have = HashSet::new();
        exclude.retain(|x| {
            let first = have.insert(x.module.clone());
            if !first {
                kill.insert(x.syntax);
            }
            first
        });
    }

    let mut have = HashSet::new();
    let mut dup = vec![false; replace.len()];
    for (i, r) in replace.iter().enumerate().rev() {
        if !have.insert(r.old.clone()) {
            dup[i] = true;
            kill.insert(r.syntax);
        }
    }
    let mut i = 0;
    replace.retain(|_| {
        i += 1;
        !dup[i - 1]
    });

    if let Some(tool) = tool {
        let mut have = HashSet::new();
        tool.retain(|t| {
            let first = have.insert(t.path.clone());
            if !first {
                kill.insert(t.syntax);
            }
            first
        });
    }

    if let Some(ignore) = ignore {
        let mut have = HashSet::new();
        ignore.retain(|t| {
            let first = have.insert(t.path.clone());
            if !first {
                kill.insert(t.syntax);
            }
            first
        });
    }

    syntax.stmt.retain_mut(|stmt| match stmt {
        Stmt::Line(id) => !kill.contains(id),
        Stmt::Block(b) => {
            b.line.retain(|id| !kill.contains(id));
            !b.line.is_empty()
        }
        Stmt::Comments(_) => true,
    });
}

/// Lexicographic comparison of token lists (Go's `compareLine`).
fn compare_line(a: &Line, b: &Line) -> Ordering {
    for (x, y) in a.token.iter().zip(&b.token) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.token.len().cmp(&b.token.len())
}

/// Exclude lines: path as a string, then version by semver (Go's
/// `compareLineExclude`); other shapes fall back to [`compare_line`].
fn compare_line_exclude(a: &Line, b: &Line) -> Ordering {
    if a.token.len() != 2 || b.token.len() != 2 {
        return compare_line(a, b);
    }
    if a.token[0] != b.token[0] {
        return a.token[0].cmp(&b.token[0]);
    }
    semver::compare(&lossy(&a.token[1]), &lossy(&b.token[1]))
}

/// Retract lines: descending by low then high version, single versions being
/// intervals of one (Go's `compareLineRetract`).
fn compare_line_retract(a: &Line, b: &Line) -> Ordering {
    fn interval(l: &Line) -> (String, String) {
        match l.token.as_slice() {
            [v] => (lossy(v), lossy(v)),
            [open, lo, comma, hi, close] if open == b"[" && comma == b"," && close == b"]" => {
                (lossy(lo), lossy(hi))
            }
            _ => (String::new(), String::new()),
        }
    }
    let (alo, ahi) = interval(a);
    let (blo, bhi) = interval(b);
    semver::compare(&alo, &blo)
        .then_with(|| semver::compare(&ahi, &bhi))
        .reverse()
}

fn lossy(s: &[u8]) -> String {
    go_lossy(s)
}

/// Go's `slices.SortStableFunc`: insertion sort on blocks of 20, then SymMerge.
pub(crate) fn stable_sort<T>(data: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let less = |data: &[T], i: usize, j: usize| cmp(&data[i], &data[j]) == Ordering::Less;
    let n = data.len();
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        insertion_sort(data, a, b, &less);
        a = b;
        b += block;
    }
    insertion_sort(data, a, n, &less);
    while block < n {
        let (mut a, mut b) = (0, 2 * block);
        while b <= n {
            sym_merge(data, a, a + block, b, &less);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            sym_merge(data, a, m, n, &less);
        }
        block *= 2;
    }
}

fn insertion_sort<T>(
    data: &mut [T],
    a: usize,
    b: usize,
    less: &impl Fn(&[T], usize, usize) -> bool,
) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && less(data, j, j - 1) {
            data.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sym_merge<T>(
    data: &mut [T],
    a: usize,
    m: usize,
    b: usize,
    less: &impl Fn(&[T], usize, usize) -> bool,
) {
    if m - a == 1 {
        // Insert data[a] into data[m..b].
        let (mut i, mut j) = (m, b);
        while i < j {
            let h = (i + j) / 2;
            if less(data, h, a) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        for k in a..i - 1 {
            data.swap(k, k + 1);
        }
        return;
    }
    if b - m == 1 {
        // Insert data[m] into data[a..m].
        let (mut i, mut j) = (a, m);
        while i < j {
            let h = (i + j) / 2;
            if !less(data, m, h) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        let mut k = m;
        while k > i {
            data.swap(k, k - 1);
            k -= 1;
        }
        return;
    }
    let mid = (a + b) / 2;
    let n = mid + m;
    let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
    let p = n - 1;
    while start < r {
        let c = (start + r) / 2;
        if !less(data, p - c, c) {
            start = c + 1;
        } else {
            r = c;
        }
    }
    let end = n - start;
    if start < m && m < end {
        rotate(data, start, m, end);
    }
    if a < start && start < mid {
        sym_merge(data, a, start, mid, less);
    }
    if mid < end && end < b {
        sym_merge(data, mid, end, b, less);
    }
}

fn rotate<T>(data: &mut [T], a: usize, m: usize, b: usize) {
    let mut i = m - a;
    let mut j = b - m;
    while i != j {
        if i > j {
            swap_range(data, m - i, m, j);
            i -= j;
        } else {
            swap_range(data, m - i, m + j - i, i);
            j -= i;
        }
    }
    swap_range(data, m - i, m, i);
}

fn swap_range<T>(data: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        data.swap(a + i, b + i);
    }
}
