//! The archive reader: every record in order, raw names, and Go's checks
//! while streaming (declared size, CRC, data descriptor, methods).

use std::io::{Cursor, Write};

use super::rawzip::{RawEntry, build};
use crate::zip::FormatError;
use crate::zip::reader::{ReadError, open_entry, read_directory};

/// An entry's name and its content or the error reading it.
type Read = (Vec<u8>, Result<Vec<u8>, FormatError>);

/// Reads every entry.
fn read_all(zip: &[u8]) -> Result<Vec<Read>, FormatError> {
    let mut r = Cursor::new(zip);
    let dir = read_directory(&mut r).map_err(format_err)?;
    let mut buf = vec![0u8; 1000];
    Ok(dir
        .entries
        .iter()
        .map(|e| {
            let mut data = Vec::new();
            let got = open_entry(&mut r, e).and_then(|mut er| {
                er.copy_to(&mut buf, |c| {
                    data.extend_from_slice(c);
                    Ok(())
                })
            });
            // Never more than declared, whatever happens.
            assert!(data.len() as u64 <= e.uncompressed_size);
            (e.name.clone(), got.map(|_| data).map_err(format_err))
        })
        .collect())
}

fn format_err(e: ReadError) -> FormatError {
    match e {
        ReadError::Format(f) => f,
        ReadError::Io(e) => panic!("unexpected I/O error {e}"),
    }
}

#[test]
fn lists_every_record_in_order_with_raw_names() {
    let zip = build(&[
        RawEntry::new("m/a", "1"),
        RawEntry::new("m/dir/", ""),
        RawEntry::new("m/a", "2").stored(),
        RawEntry::new(b"m/\xff", "bin"),
    ]);
    let got = read_all(&zip).unwrap();
    let want: Vec<Read> = vec![
        (b"m/a".to_vec(), Ok(b"1".to_vec())),
        (b"m/dir/".to_vec(), Ok(vec![])),
        (b"m/a".to_vec(), Ok(b"2".to_vec())),
        (b"m/\xff".to_vec(), Ok(b"bin".to_vec())),
    ];
    assert_eq!(got, want);
}

#[test]
fn large_entries_stream_in_chunks() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let zip = build(&[
        RawEntry::new("big", &data),
        RawEntry::new("big.stored", &data).stored(),
        RawEntry::new("big.desc", &data).with_descriptor(),
    ]);
    for (name, got) in read_all(&zip).unwrap() {
        assert_eq!(got.as_deref().ok(), Some(&data[..]), "{name:?}");
    }
}

#[test]
fn go_checks_while_reading() {
    let data = b"package m\n".repeat(50);
    let n = data.len() as u64;
    let cases: Vec<(&str, RawEntry, Result<(), FormatError>)> = vec![
        ("exact", RawEntry::new("f", &data), Ok(())),
        (
            "declared smaller",
            RawEntry::new("f", &data).declared(10),
            Err(FormatError::TooLong),
        ),
        (
            "declared smaller, stored",
            RawEntry::new("f", &data).stored().declared(n - 1),
            Err(FormatError::TooLong),
        ),
        (
            "declared larger",
            RawEntry::new("f", &data).declared(n + 1),
            Err(FormatError::UnexpectedEof),
        ),
        (
            "declared larger, stored",
            RawEntry::new("f", &data).stored().declared(n + 100),
            Err(FormatError::UnexpectedEof),
        ),
        (
            "wrong crc",
            RawEntry::new("f", &data).crc(1),
            Err(FormatError::Checksum),
        ),
        // Without a data descriptor Go skips the check when the CRC is 0.
        ("zero crc", RawEntry::new("f", &data).crc(0), Ok(())),
        (
            "descriptor",
            RawEntry::new("f", &data).with_descriptor(),
            Ok(()),
        ),
        (
            "descriptor, wrong crc",
            RawEntry::new("f", &data).with_descriptor().crc(0),
            Err(FormatError::Checksum),
        ),
        (
            "unknown method",
            RawEntry::new("f", &data).method(12),
            Err(FormatError::Algorithm),
        ),
        (
            "directory with data size",
            RawEntry::new("d/", "").declared(3),
            Err(FormatError::NotValid),
        ),
    ];
    for (desc, entry, want) in cases {
        let got = read_all(&build(&[entry])).unwrap();
        assert_eq!(
            got[0].1.as_ref().map(|_| ()).map_err(Clone::clone),
            want,
            "{desc}"
        );
    }
}

#[test]
fn zip_bomb_stops_at_declared_size() {
    // 10 MB of zeros deflates to about 10 KB; the entry claims 100 bytes.
    let zeros = vec![0u8; 10 << 20];
    let zip = build(&[RawEntry::new("bomb", &zeros).declared(100)]);
    assert!(zip.len() < 64 << 10);
    let mut r = Cursor::new(&zip[..]);
    let dir = read_directory(&mut r).unwrap();
    let mut entry = open_entry(&mut r, &dir.entries[0]).unwrap();
    let mut delivered = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    let err = entry
        .copy_to(&mut buf, |c| {
            delivered += c.len() as u64;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, ReadError::Format(FormatError::TooLong)));
    assert!(delivered <= 100, "delivered {delivered} bytes");
}

#[test]
fn malformed_archives() {
    let good = build(&[RawEntry::new("a", "x"), RawEntry::new("b", "y")]);
    let eocd = good.len() - 22;
    let mut bad_count = good.clone();
    bad_count[eocd + 10] = 3; // three records claimed, two present
    let mut bad_size = good.clone();
    // A directory larger than everything before the end record.
    bad_size[eocd + 12..eocd + 16].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let mut bad_local = good.clone();
    bad_local[0] = b'X'; // first local header signature
    let mut long_comment = good.clone();
    long_comment[eocd + 20] = 200; // comment runs past the end

    let cases: Vec<(&str, Vec<u8>, FormatError)> = vec![
        ("empty", vec![], FormatError::NotValid),
        (
            "not a zip",
            b"hello, world".repeat(100),
            FormatError::NotValid,
        ),
        // The third record would overlap the 22-byte end record: a short read.
        ("record count", bad_count, FormatError::UnexpectedEof),
        ("directory size", bad_size, FormatError::NotValid),
        ("truncated comment", long_comment, FormatError::NotValid),
    ];
    for (desc, zip, want) in cases {
        assert_eq!(read_all(&zip).unwrap_err(), want, "{desc}");
    }
    let got = read_all(&bad_local).unwrap();
    assert_eq!(got[0].1, Err(FormatError::NotValid));
    assert_eq!(got[1].1, Ok(b"y".to_vec()));

    // A local header past the end of the file: Go's ReadAt reports io.EOF.
    let mut far = good.clone();
    let dir_start = u32::from_le_bytes(good[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    far[dir_start + 42..dir_start + 46].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let got = read_all(&far).unwrap();
    assert_eq!(got[0].1, Err(FormatError::Eof));
    assert_eq!(got[1].1, Ok(b"y".to_vec()));
}

#[test]
fn reads_what_the_zip_crate_writes() {
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default();
    w.start_file("m@v1.0.0/a.go", opts).unwrap();
    w.write_all(b"package a\n").unwrap();
    w.start_file("m@v1.0.0/b/b.go", opts).unwrap();
    w.write_all(&b"package b\n".repeat(10_000)).unwrap();
    let zip = w.finish().unwrap().into_inner();
    let got = read_all(&zip).unwrap();
    assert_eq!(
        got[0],
        (b"m@v1.0.0/a.go".to_vec(), Ok(b"package a\n".to_vec()))
    );
    assert_eq!(got[1].1.as_ref().map(Vec::len), Ok(100_000));
}
