//! Go's `path` package on byte strings: `Clean`, `Split`, `Base`, `Dir`.
//!
//! Module zip rules are stated in terms of Go's slash-separated path
//! functions, and Go strings are byte strings, so these work on `&[u8]`: a
//! zip entry or a file on disk may have a name that is not UTF-8 and must
//! still be classified exactly as Go would classify it.

/// `path.Clean`: the shortest equivalent path by purely lexical processing.
pub(crate) fn clean(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path[0] == b'/';
    let n = path.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    // `r` is the next byte to read; `dotdot` is the length of `out` that
    // `..` may not backtrack past.
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        (r, dotdot) = (1, 1);
    }
    let at = |i: usize| path.get(i).copied();
    while r < n {
        if path[r] == b'/' || (path[r] == b'.' && matches!(at(r + 1), None | Some(b'/'))) {
            // An empty or `.` element.
            r += 1;
        } else if path[r] == b'.'
            && at(r + 1) == Some(b'.')
            && matches!(at(r + 2), None | Some(b'/'))
        {
            r += 2;
            if out.len() > dotdot {
                // Back up to the previous slash (or to `dotdot`).
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && path[r] != b'/' {
                out.push(path[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return b".".to_vec();
    }
    out
}

/// `path.Split`: everything up to and including the last slash, and the rest.
pub(crate) fn split(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => path.split_at(i + 1),
        None => (&[], path),
    }
}

/// `path.Base`: the last element, ignoring trailing slashes.
pub(crate) fn base(path: &[u8]) -> &[u8] {
    if path.is_empty() {
        return b".";
    }
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(last) => &path[..=last],
        None => return b"/",
    };
    split(trimmed).1
}

/// `path.Dir`: all but the last element, cleaned.
pub(crate) fn dir(path: &[u8]) -> Vec<u8> {
    clean(split(path).0)
}

/// `strings.EqualFold(name, "go.mod")`. ASCII folding is exact here: the only
/// non-ASCII runes that fold to ASCII letters are the Kelvin sign (k) and the
/// long s (s), and neither letter occurs in `go.mod`.
pub(crate) fn eq_fold_go_mod(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"go.mod")
}

/// `filepath.Join` of a slash prefix and a relative slash path, as used by
/// `dirhash.DirFiles` (which joins and then cleans).
pub(crate) fn join(prefix: &[u8], rel: &[u8]) -> Vec<u8> {
    if prefix.is_empty() {
        return clean(rel);
    }
    let mut joined = prefix.to_vec();
    joined.push(b'/');
    joined.extend_from_slice(rel);
    clean(&joined)
}

/// The bytes of an OS string: exact on Unix, lossy elsewhere (where the go
/// command's paths are UTF-16 and Go converts them to UTF-8 the same way).
#[cfg(unix)]
pub(crate) fn os_bytes(s: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn os_bytes(s: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    match s.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

/// The inverse of [`os_bytes`].
#[cfg(unix)]
pub(crate) fn bytes_os(b: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b).to_os_string()
}

#[cfg(not(unix))]
pub(crate) fn bytes_os(b: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(b).into_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    // Table from Go's path/path_test.go (cleantests).
    #[test]
    fn clean_table() {
        let cases = [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, want) in cases {
            assert_eq!(s(&clean(input.as_bytes())), want, "clean({input:?})");
        }
    }

    #[test]
    fn split_base_dir_join() {
        assert_eq!(split(b"a/b/c"), (&b"a/b/"[..], &b"c"[..]));
        assert_eq!(split(b"c"), (&b""[..], &b"c"[..]));
        assert_eq!(split(b"a/"), (&b"a/"[..], &b""[..]));
        assert_eq!(s(base(b"a/b/c")), "c");
        assert_eq!(s(base(b"a/b/c//")), "c");
        assert_eq!(s(base(b"")), ".");
        assert_eq!(s(base(b"///")), "/");
        assert_eq!(s(&dir(b"a/b/c")), "a/b");
        assert_eq!(s(&dir(b"c")), ".");
        assert_eq!(s(&join(b"", b"a/b")), "a/b");
        assert_eq!(s(&join(b"m@v1.0.0/", b"a/b")), "m@v1.0.0/a/b");
        assert_eq!(s(&join(b"x/../m", b"a")), "m/a");
        assert!(eq_fold_go_mod(b"GO.Mod"));
        assert!(!eq_fold_go_mod(b"go.mod2"));
    }

    #[test]
    fn join_cleans() {
        assert_eq!(s(&join(b"", b"a/b")), "a/b");
        assert_eq!(s(&join(b"m@v1.0.0/", b"a/b")), "m@v1.0.0/a/b");
        assert_eq!(s(&join(b"x/../m", b"a")), "m/a");
    }
}
