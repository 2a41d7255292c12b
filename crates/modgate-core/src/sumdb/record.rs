//! The texts a checksum database serves: the tree description that gets signed
//! (`go.sum database tree`) and the record framing of lookup responses.
//!
//! Follows `golang.org/x/mod/sumdb/tlog/note.go` (`FormatTree`, `ParseTree`,
//! `FormatRecord`, `ParseRecord`).

use super::tlog::{HASH_SIZE, Hash};

/// A tree description: its size and root hash (`tlog.Tree`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Tree {
    pub n: u64,
    pub hash: Hash,
}

/// Errors with Go's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("malformed tree note")]
    MalformedTree,
    #[error("malformed record data")]
    MalformedRecord,
}

const TREE_PREFIX: &str = "go.sum database tree\n";

/// Largest accepted tree text; longer texts are rejected unread.
const MAX_TREE_TEXT: usize = 1_000_000;

/// Formats a tree for signing: `go.sum database tree\n<N>\n<base64 hash>\n`
/// (`tlog.FormatTree`).
pub fn format_tree(tree: &Tree) -> Vec<u8> {
    format!("{TREE_PREFIX}{}\n{}\n", tree.n, tree.hash).into_bytes()
}

/// Parses a tree description (`tlog.ParseTree`). Lines after the third are
/// ignored, for forward compatibility.
pub fn parse_tree(text: &[u8]) -> Result<Tree, RecordError> {
    let bad = RecordError::MalformedTree;
    if !text.starts_with(TREE_PREFIX.as_bytes())
        || text.iter().filter(|&&b| b == b'\n').count() < 3
        || text.len() > MAX_TREE_TEXT
    {
        return Err(bad);
    }
    let mut lines = text.splitn(4, |&b| b == b'\n').skip(1);
    let (Some(n_line), Some(hash_line)) = (lines.next(), lines.next()) else {
        return Err(bad);
    };
    // Decimal, no sign, no leading zeros, fits in Go's int64.
    let n_str = std::str::from_utf8(n_line).map_err(|_| bad)?;
    let n: i64 = n_str.parse().map_err(|_| bad)?;
    if n < 0 || n.to_string() != n_str {
        return Err(bad);
    }
    let hash_str = std::str::from_utf8(hash_line).map_err(|_| bad)?;
    let hash = super::go_base64_decode(hash_str)
        .filter(|h| h.len() == HASH_SIZE)
        .and_then(|h| Hash::from_slice(&h))
        .ok_or(bad)?;
    Ok(Tree { n: n as u64, hash })
}

/// Reports whether `text` may be a record: clean UTF-8 (no control characters
/// but newline), ending in a newline, with no blank line.
fn is_valid_record_text(text: &[u8]) -> bool {
    super::is_clean_text(text) && text.ends_with(b"\n") && !text.windows(2).any(|w| w == b"\n\n")
}

/// Formats a record for a lookup response: `<id>\n<text>\n`
/// (`tlog.FormatRecord`). A data tile is the concatenation of these with the
/// id line removed.
pub fn format_record(id: u64, text: &[u8]) -> Result<Vec<u8>, RecordError> {
    if !is_valid_record_text(text) {
        return Err(RecordError::MalformedRecord);
    }
    let mut msg = format!("{id}\n").into_bytes();
    msg.extend_from_slice(text);
    msg.push(b'\n');
    Ok(msg)
}

/// A record parsed from the start of a lookup response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedRecord<'a> {
    /// The record id. Go's parser accepts any int64, including negative ids;
    /// so does this one, leaving the range check to the verifier.
    pub id: i64,
    /// The record text, ending in a newline.
    pub text: &'a [u8],
    /// Everything after the terminating blank line (the signed tree note).
    pub rest: &'a [u8],
}

/// Parses a record at the start of `msg`, stopping just after its terminating
/// blank line (`tlog.ParseRecord`).
pub fn parse_record(msg: &[u8]) -> Result<ParsedRecord<'_>, RecordError> {
    let bad = RecordError::MalformedRecord;
    let i = msg.iter().position(|&b| b == b'\n').ok_or(bad)?;
    let id = parse_go_int64(&msg[..i]).ok_or(bad)?;
    let msg = &msg[i + 1..];
    let j = msg.windows(2).position(|w| w == b"\n\n").ok_or(bad)?;
    let (text, rest) = (&msg[..j + 1], &msg[j + 2..]);
    if !is_valid_record_text(text) {
        return Err(bad);
    }
    Ok(ParsedRecord { id, text, rest })
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, in range.
fn parse_go_int64(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests;
