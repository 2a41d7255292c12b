//! The txtar archive format: a trivial text archive used by Go's test data.
//!
//! Follows Go's `internal/txtar` (the same code as `golang.org/x/tools/txtar`).
//! An archive is a comment followed by files; each file starts with a marker
//! line `-- NAME --` (the name is trimmed of surrounding white space) and runs
//! until the next marker line. There are no syntax errors: any input parses.
//! A final newline is added to the comment and to each file's data when it is
//! missing, so parsing and formatting round-trip.
//!
//! Data is kept as bytes (test files may hold anything); names are text. A
//! name that is not valid UTF-8 is decoded lossily, which cannot happen with
//! the Go test data this is used for.

#[cfg(test)]
mod tests;

/// A parsed txtar archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    /// Everything before the first file marker, newline-terminated unless empty.
    pub comment: Vec<u8>,
    /// The files, in archive order (duplicates are kept).
    pub files: Vec<File>,
}

/// One file of an [`Archive`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct File {
    /// The name from the marker line, e.g. `foo/bar.txt`.
    pub name: String,
    /// The file content, newline-terminated unless empty.
    pub data: Vec<u8>,
}

const NEWLINE_MARKER: &[u8] = b"\n-- ";
const MARKER: &[u8] = b"-- ";
const MARKER_END: &[u8] = b" --";

/// Parses the serialized form of an archive. Never fails.
pub fn parse(data: &[u8]) -> Archive {
    let (comment, mut next, mut rest) = find_file_marker(data);
    let mut archive = Archive {
        comment,
        files: Vec::new(),
    };
    while let Some(name) = next {
        let (data, following, after) = find_file_marker(rest);
        archive.files.push(File { name, data });
        next = following;
        rest = after;
    }
    archive
}

/// Serializes an archive. The archive is assumed to be well formed: no data
/// holds a marker line and no name is empty.
pub fn format(archive: &Archive) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&fix_nl(&archive.comment));
    for file in &archive.files {
        out.extend_from_slice(MARKER);
        out.extend_from_slice(file.name.as_bytes());
        out.extend_from_slice(MARKER_END);
        out.push(b'\n');
        out.extend_from_slice(&fix_nl(&file.data));
    }
    out
}

/// Finds the next marker line. Returns the bytes before it, the marker's name
/// (`None` when there is no further marker) and the bytes after the marker line.
fn find_file_marker(data: &[u8]) -> (Vec<u8>, Option<String>, &[u8]) {
    let mut i = 0;
    loop {
        let rest = &data[i..];
        if let Some((name, after)) = is_marker(rest) {
            return (data[..i].to_vec(), Some(name), after);
        }
        match find(rest, NEWLINE_MARKER) {
            // Position at the start of the next possible marker line.
            Some(j) => i += j + 1,
            None => return (fix_nl(data), None, &[]),
        }
    }
}

/// If `data` begins with a marker line, returns its (non-empty) name and the
/// bytes after the line.
fn is_marker(data: &[u8]) -> Option<(String, &[u8])> {
    if !data.starts_with(MARKER) {
        return None;
    }
    let (line, after) = match data.iter().position(|&b| b == b'\n') {
        Some(nl) => (&data[..nl], &data[nl + 1..]),
        None => (data, &[][..]),
    };
    if !line.ends_with(MARKER_END) || line.len() < MARKER.len() + MARKER_END.len() {
        return None;
    }
    let inner = &line[MARKER.len()..line.len() - MARKER_END.len()];
    // strings.TrimSpace: Go's white space, which is Unicode's.
    let name = String::from_utf8_lossy(inner)
        .trim_matches(crate::unicode::is_space)
        .to_string();
    if name.is_empty() {
        return None;
    }
    Some((name, after))
}

/// Returns `data` with a final newline added if it is non-empty and lacks one.
fn fix_nl(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
