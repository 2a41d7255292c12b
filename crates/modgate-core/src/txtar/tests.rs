//! Tables from Go's `txtar/archive_test.go` (the LF cases), plus edge cases
//! of marker recognition.

use super::*;

fn file(name: &str, data: &str) -> File {
    File {
        name: name.to_string(),
        data: data.as_bytes().to_vec(),
    }
}

#[test]
fn parse_basic() {
    let text = "comment1\ncomment2\n-- file1 --\nFile 1 text.\n-- foo ---\nMore file 1 text.\n\
                -- file 2 --\nFile 2 text.\n-- empty --\n-- noNL --\nhello world\n\
                -- empty filename line --\nsome content\n-- --";
    let want = Archive {
        comment: b"comment1\ncomment2\n".to_vec(),
        files: vec![
            file("file1", "File 1 text.\n-- foo ---\nMore file 1 text.\n"),
            file("file 2", "File 2 text.\n"),
            file("empty", ""),
            file("noNL", "hello world\n"),
            file("empty filename line", "some content\n-- --\n"),
        ],
    };
    let got = parse(text.as_bytes());
    assert_eq!(got, want);
    // Formatting and parsing again gives the same archive.
    assert_eq!(parse(&format(&got)), want);
}

#[test]
fn format_basic() {
    let archive = Archive {
        comment: b"comment1\ncomment2\n".to_vec(),
        files: vec![
            file("file1", "File 1 text.\n-- foo ---\nMore file 1 text.\n"),
            file("file 2", "File 2 text.\n"),
            file("empty", ""),
            file("noNL", "hello world"),
        ],
    };
    let want = "comment1\ncomment2\n-- file1 --\nFile 1 text.\n-- foo ---\nMore file 1 text.\n\
                -- file 2 --\nFile 2 text.\n-- empty --\n-- noNL --\nhello world\n";
    assert_eq!(String::from_utf8(format(&archive)).unwrap(), want);
}

/// Input text, expected comment, expected (name, data) files.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn marker_edge_cases() {
    let cases: &[Case] = &[
        ("", "", &[]),
        ("no newline", "no newline\n", &[]),
        ("-- a --", "", &[("a", "")]),
        ("--  spaced name \t --\nx", "", &[("spaced name", "x\n")]),
        // Not markers: missing the trailing " --", or not at a line start.
        ("-- a -\nx\n", "-- a -\nx\n", &[]),
        ("x -- a --\n", "x -- a --\n", &[]),
        // Duplicated names are kept in order.
        (
            "c\n-- a --\n1\n-- a --\n2\n",
            "c\n",
            &[("a", "1\n"), ("a", "2\n")],
        ),
        // A marker with no content before the next marker.
        ("-- a --\n-- b --\n", "", &[("a", ""), ("b", "")]),
    ];
    for (text, comment, files) in cases {
        let got = parse(text.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&got.comment),
            *comment,
            "comment of {text:?}"
        );
        let got_files: Vec<(String, String)> = got
            .files
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    String::from_utf8_lossy(&f.data).into_owned(),
                )
            })
            .collect();
        let want_files: Vec<(String, String)> = files
            .iter()
            .map(|(n, d)| (n.to_string(), d.to_string()))
            .collect();
        assert_eq!(got_files, want_files, "files of {text:?}");
    }
}

#[test]
fn binary_data_is_kept() {
    let text = b"-- bin --\n\xff\x00\xfe\n";
    let got = parse(text);
    assert_eq!(got.files[0].data, b"\xff\x00\xfe\n");
    assert_eq!(format(&got), text.to_vec());
}
