//! Reading zip archives the way Go's `archive/zip` reads them.
//!
//! Follows `archive/zip/reader.go` (`NewReader`, `readDirectoryEnd`,
//! `readDirectoryHeader`, `File.Open`, `checksumReader`). The module-zip rules
//! need a view of the archive that the `zip` crate does not give: its index is
//! a map by name, so two entries with the same name collapse into one, while
//! Go lists every central-directory record in order and reports the second as
//! `multiple entries for file "x"` (and `dirhash.HashZip` hashes both names).
//! Names are raw bytes, as in Go (no CP437 decoding), so a non-UTF-8 name is
//! seen, and rejected, exactly as Go sees it.
//!
//! Only the central directory is held in memory. Entry data is streamed: a
//! 64 KiB buffer over the entry's byte range, Stored or Deflate (the only
//! methods Go registers), with Go's checks while reading: more bytes than the
//! declared uncompressed size is an error at once (so nothing past the
//! declared size is ever delivered), fewer is `unexpected EOF`, and the CRC-32
//! (and a data descriptor's CRC, if present) must match.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

use super::error::FormatError;

const FILE_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const DIRECTORY_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const DIRECTORY64_LOC_SIGNATURE: u32 = 0x0706_4b50;
const DIRECTORY64_END_SIGNATURE: u32 = 0x0606_4b50;
const DATA_DESCRIPTOR_SIGNATURE: u32 = 0x0807_4b50;
const FILE_HEADER_LEN: u64 = 30;
const DIRECTORY_HEADER_LEN: usize = 46;
const DIRECTORY_END_LEN: usize = 22;
const DIRECTORY64_LOC_LEN: u64 = 20;
const DIRECTORY64_END_LEN: usize = 56;
const ZIP64_EXTRA_ID: u16 = 0x0001;

const METHOD_STORE: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const FLAG_DATA_DESCRIPTOR: u16 = 0x8;

/// Size of the read buffer for entry data.
pub(crate) const BUF_SIZE: usize = 64 * 1024;

/// Why reading an archive or an entry failed.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(io::Error),
    Format(FormatError),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        // A truncated archive reads short: Go reports that as a format problem
        // (`io.ErrUnexpectedEOF`), not as an I/O failure.
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ReadError::Format(FormatError::UnexpectedEof)
        } else {
            ReadError::Io(e)
        }
    }
}

impl From<FormatError> for ReadError {
    fn from(e: FormatError) -> Self {
        ReadError::Format(e)
    }
}

/// One central-directory record.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The name exactly as stored.
    pub(crate) name: Vec<u8>,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    /// The declared uncompressed size (`UncompressedSize64`).
    pub(crate) uncompressed_size: u64,
    header_offset: u64,
}

/// The central directory of an archive: every record, in order.
#[derive(Debug)]
pub(crate) struct Directory {
    pub(crate) entries: Vec<Entry>,
}

/// Little-endian field reader over a byte slice; reads past the end yield 0,
/// callers check lengths first (as Go's `readBuf` callers do).
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn skip(&mut self, n: usize) {
        self.0 = self.0.get(n..).unwrap_or(&[]);
    }
}

/// `ReaderAt.ReadAt` of a whole buffer: a short read is `io.EOF` in Go.
fn read_at<R: Read + Seek>(r: &mut R, offset: u64, buf: &mut [u8]) -> Result<(), ReadError> {
    r.seek(SeekFrom::Start(offset))?;
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ReadError::Format(FormatError::Eof),
        _ => ReadError::Io(e),
    })
}

/// Reads the central directory (`zip.NewReader`).
pub(crate) fn read_directory<R: Read + Seek>(r: &mut R) -> Result<Directory, ReadError> {
    let size = r.seek(SeekFrom::End(0))?;
    let end = read_directory_end(r, size)?;

    r.seek(SeekFrom::Start(end.directory_start))?;
    let mut buffered = BufReader::with_capacity(BUF_SIZE, &mut *r);

    // Each record takes at least 46 bytes, so a lying record count cannot make
    // us reserve more than the file could hold.
    let plausible = usize::try_from(size / DIRECTORY_HEADER_LEN as u64).unwrap_or(usize::MAX);
    let capacity = usize::try_from(end.directory_records)
        .unwrap_or(usize::MAX)
        .min(plausible);
    let mut entries = Vec::with_capacity(capacity);
    // The record count is only 16 bits in a non-zip64 archive: read records
    // until one is bad, then compare counts modulo 65536 (as Go does).
    let stop = loop {
        match read_directory_header(&mut buffered) {
            Ok(mut entry) => {
                entry.header_offset = entry.header_offset.wrapping_add(end.base_offset);
                entries.push(entry);
            }
            Err(ReadError::Format(e @ (FormatError::NotValid | FormatError::UnexpectedEof))) => {
                break e;
            }
            Err(e) => return Err(e),
        }
    };
    if entries.len() as u16 != end.directory_records as u16 {
        return Err(stop.into());
    }
    Ok(Directory { entries })
}

struct DirectoryEnd {
    directory_records: u64,
    /// Absolute offset of the first central-directory record.
    directory_start: u64,
    /// Added (wrapping) to every local-header offset.
    base_offset: u64,
}

fn read_directory_end<R: Read + Seek>(r: &mut R, size: u64) -> Result<DirectoryEnd, ReadError> {
    // Look for the end-of-directory signature in the last 1 KiB, then 65 KiB.
    let mut found = None;
    for (i, want) in [1024u64, 65 * 1024].into_iter().enumerate() {
        let len = want.min(size);
        let mut buf = vec![0u8; len as usize];
        read_at(r, size - len, &mut buf)?;
        if let Some(p) = find_signature_in_block(&buf) {
            found = Some((buf[p..].to_vec(), size - len + p as u64));
            break;
        }
        if i == 1 || len == size {
            return Err(FormatError::NotValid.into());
        }
    }
    let Some((block, mut end_offset)) = found else {
        return Err(FormatError::NotValid.into());
    };

    let mut b = Fields(&block[4..]);
    let _disk = b.u16();
    let _dir_disk = b.u16();
    let _records_this_disk = b.u16();
    let mut directory_records = u64::from(b.u16());
    let mut directory_size = u64::from(b.u32());
    let mut directory_offset = u64::from(b.u32());
    let comment_len = usize::from(b.u16());
    if comment_len > b.0.len() {
        return Err(FormatError::InvalidCommentLength.into());
    }

    // Saturated values mean the archive may be zip64.
    if (directory_records == 0xffff
        || directory_size == 0xffff_ffff
        || directory_offset == 0xffff_ffff)
        && let Some(p) = find_directory64_end(r, end_offset)?
    {
        end_offset = p;
        let mut buf = [0u8; DIRECTORY64_END_LEN];
        read_at(r, p, &mut buf)?;
        let mut b = Fields(&buf);
        if b.u32() != DIRECTORY64_END_SIGNATURE {
            return Err(FormatError::NotValid.into());
        }
        b.skip(12);
        let _disk = b.u32();
        let _dir_disk = b.u32();
        let _records_this_disk = b.u64();
        directory_records = b.u64();
        directory_size = b.u64();
        directory_offset = b.u64();
    }

    const MAX_INT64: u64 = i64::MAX as u64;
    if directory_size > MAX_INT64 || directory_offset > MAX_INT64 {
        return Err(FormatError::NotValid.into());
    }
    // Go computes this as a signed value; it may be negative.
    let base_offset = end_offset as i128 - directory_size as i128 - directory_offset as i128;
    let start = base_offset + directory_offset as i128;
    if start < 0 || start >= i128::from(size) {
        return Err(FormatError::NotValid.into());
    }
    // Some writers record a wrong non-zero base offset; prefer 0 when a valid
    // directory header is found there.
    let mut base_offset = base_offset;
    if base_offset > 0 && directory_offset < size {
        r.seek(SeekFrom::Start(directory_offset))?;
        let mut at_zero = BufReader::new((&mut *r).take(size - directory_offset));
        if read_directory_header(&mut at_zero).is_ok() {
            base_offset = 0;
        }
    }
    let directory_start = base_offset + i128::from(directory_offset);
    Ok(DirectoryEnd {
        directory_records,
        // In range: checked above, or 0 + an offset below `size`.
        directory_start: directory_start as u64,
        // May be negative; entry offsets add it modulo 2^64.
        base_offset: base_offset as i64 as u64,
    })
}

fn find_signature_in_block(b: &[u8]) -> Option<usize> {
    let last = b.len().checked_sub(DIRECTORY_END_LEN)?;
    (0..=last).rev().find_map(|i| {
        if b[i..i + 4] != [b'P', b'K', 0x05, 0x06] {
            return None;
        }
        let n = usize::from(b[i + DIRECTORY_END_LEN - 2])
            | usize::from(b[i + DIRECTORY_END_LEN - 1]) << 8;
        // A truncated comment: not a usable end record (Go gives up here too).
        Some(if n + DIRECTORY_END_LEN + i > b.len() {
            None
        } else {
            Some(i)
        })
    })?
}

fn find_directory64_end<R: Read + Seek>(
    r: &mut R,
    end_offset: u64,
) -> Result<Option<u64>, ReadError> {
    let Some(loc) = end_offset.checked_sub(DIRECTORY64_LOC_LEN) else {
        return Ok(None);
    };
    let mut buf = [0u8; DIRECTORY64_LOC_LEN as usize];
    read_at(r, loc, &mut buf)?;
    let mut b = Fields(&buf);
    if b.u32() != DIRECTORY64_LOC_SIGNATURE || b.u32() != 0 {
        return Ok(None);
    }
    let p = b.u64();
    if b.u32() != 1 {
        return Ok(None);
    }
    Ok(Some(p))
}

fn read_directory_header<R: BufRead>(r: &mut R) -> Result<Entry, ReadError> {
    let mut buf = [0u8; DIRECTORY_HEADER_LEN];
    read_full(r, &mut buf)?;
    let mut b = Fields(&buf);
    if b.u32() != DIRECTORY_HEADER_SIGNATURE {
        return Err(FormatError::NotValid.into());
    }
    let _creator_version = b.u16();
    let _reader_version = b.u16();
    let flags = b.u16();
    let method = b.u16();
    let _mod_time = b.u16();
    let _mod_date = b.u16();
    let crc32 = b.u32();
    let compressed32 = b.u32();
    let uncompressed32 = b.u32();
    let name_len = usize::from(b.u16());
    let extra_len = usize::from(b.u16());
    let comment_len = usize::from(b.u16());
    b.skip(4);
    let _external_attrs = b.u32();
    let offset32 = b.u32();

    let mut name = vec![0u8; name_len];
    read_full(r, &mut name)?;
    let mut extra = vec![0u8; extra_len];
    read_full(r, &mut extra)?;
    let mut comment = vec![0u8; comment_len];
    read_full(r, &mut comment)?;

    let mut entry = Entry {
        name,
        flags,
        method,
        crc32,
        compressed_size: u64::from(compressed32),
        uncompressed_size: u64::from(uncompressed32),
        header_offset: u64::from(offset32),
    };
    // Only the zip64 extra field matters here; it is consulted only for the
    // values that are saturated in the fixed header.
    let mut fields = Fields(&extra);
    while fields.0.len() >= 4 {
        let tag = fields.u16();
        let size = usize::from(fields.u16());
        if fields.0.len() < size {
            break;
        }
        let mut field = Fields(&fields.0[..size]);
        fields.skip(size);
        if tag != ZIP64_EXTRA_ID {
            continue;
        }
        let mut take64 = |target: &mut u64| -> Result<(), ReadError> {
            if field.0.len() < 8 {
                return Err(FormatError::NotValid.into());
            }
            *target = field.u64();
            Ok(())
        };
        if uncompressed32 == u32::MAX {
            take64(&mut entry.uncompressed_size)?;
        }
        if compressed32 == u32::MAX {
            take64(&mut entry.compressed_size)?;
        }
        if offset32 == u32::MAX {
            take64(&mut entry.header_offset)?;
        }
    }
    Ok(entry)
}

/// `io.ReadFull`: a clean EOF before any byte is `EOF`, a partial read is
/// `unexpected EOF`. Go's directory loop stops on either.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<(), ReadError> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Err(FormatError::Eof.into()),
            Ok(0) => return Err(FormatError::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The byte range `[start, start+len)` of the underlying reader.
struct Section<'a, R> {
    r: &'a mut R,
    remaining: u64,
}

impl<R: Read> Read for Section<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let max = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if max == 0 {
            return Ok(0);
        }
        let n = self.r.read(&mut buf[..max])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

enum Decoder<'a, R> {
    Stored(BufReader<Section<'a, R>>),
    Deflate(Box<flate2::bufread::DeflateDecoder<BufReader<Section<'a, R>>>>),
    /// A directory entry: no data; an error if it declares any.
    Directory,
}

/// The outcome of checking a data descriptor, read up front and reported at
/// the end of the data as Go does.
enum Descriptor {
    None,
    Ok,
    Failed(FormatError),
}

/// Streams one entry's uncompressed content with Go's checks (see the module
/// documentation).
pub(crate) struct EntryReader<'a, R> {
    decoder: Decoder<'a, R>,
    declared: u64,
    nread: u64,
    crc: flate2::Crc,
    expected_crc: u32,
    descriptor: Descriptor,
    finished: bool,
}

/// Opens an entry for reading (`File.Open`). `r` must be the archive the
/// entry came from (any handle on the same bytes).
pub(crate) fn open_entry<'a, R: Read + Seek>(
    r: &'a mut R,
    entry: &Entry,
) -> Result<EntryReader<'a, R>, ReadError> {
    // Find the data: the local header's name and extra lengths may differ
    // from the central directory's.
    let mut header = [0u8; FILE_HEADER_LEN as usize];
    read_at(r, entry.header_offset, &mut header)?;
    let mut b = Fields(&header);
    if b.u32() != FILE_HEADER_SIGNATURE {
        return Err(FormatError::NotValid.into());
    }
    b.skip(22);
    let body = FILE_HEADER_LEN + u64::from(b.u16()) + u64::from(b.u16());
    let data_start = entry
        .header_offset
        .checked_add(body)
        .ok_or(FormatError::NotValid)?;

    let mut reader = EntryReader {
        decoder: Decoder::Directory,
        declared: entry.uncompressed_size,
        nread: 0,
        crc: flate2::Crc::new(),
        expected_crc: entry.crc32,
        descriptor: Descriptor::None,
        finished: false,
    };
    if entry.name.ends_with(b"/") {
        return Ok(reader);
    }
    if entry.method != METHOD_STORE && entry.method != METHOD_DEFLATE {
        return Err(FormatError::Algorithm.into());
    }
    if entry.flags & FLAG_DATA_DESCRIPTOR != 0 {
        let at = data_start
            .checked_add(entry.compressed_size)
            .ok_or(FormatError::NotValid)?;
        reader.descriptor = read_data_descriptor(r, at, entry.crc32)?;
    }
    r.seek(SeekFrom::Start(data_start))?;
    let section = BufReader::with_capacity(
        BUF_SIZE,
        Section {
            r,
            remaining: entry.compressed_size,
        },
    );
    reader.decoder = if entry.method == METHOD_STORE {
        Decoder::Stored(section)
    } else {
        Decoder::Deflate(Box::new(flate2::bufread::DeflateDecoder::new(section)))
    };
    Ok(reader)
}

/// Reads the data descriptor that follows an entry's data and compares its
/// CRC with the central directory's (`readDataDescriptor`).
fn read_data_descriptor<R: Read + Seek>(
    r: &mut R,
    at: u64,
    want_crc: u32,
) -> Result<Descriptor, ReadError> {
    r.seek(SeekFrom::Start(at))?;
    // The descriptor is at most 16 bytes; the signature is optional.
    let mut limited = r.take(16);
    let mut buf = [0u8; 12];
    let outcome = (|| -> Result<u32, ReadError> {
        read_full(&mut limited, &mut buf[..4])?;
        let off =
            if u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) == DATA_DESCRIPTOR_SIGNATURE {
                0
            } else {
                4
            };
        read_full(&mut limited, &mut buf[off..12])?;
        Ok(u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]))
    })();
    Ok(match outcome {
        Ok(crc) if crc == want_crc => Descriptor::Ok,
        Ok(_) => Descriptor::Failed(FormatError::Checksum),
        Err(ReadError::Format(FormatError::Eof | FormatError::UnexpectedEof)) => {
            Descriptor::Failed(FormatError::UnexpectedEof)
        }
        Err(e) => return Err(e),
    })
}

impl<R: Read> EntryReader<'_, R> {
    /// Reads the next chunk of content; `Ok(0)` at the (verified) end.
    pub(crate) fn read_chunk(&mut self, buf: &mut [u8]) -> Result<usize, ReadError> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        let n = match &mut self.decoder {
            Decoder::Stored(r) => r.read(buf)?,
            Decoder::Deflate(r) => r.read(buf).map_err(|e| {
                // flate2 reports corrupt or truncated input as InvalidInput
                // or UnexpectedEof; both are format problems of the archive.
                match e.kind() {
                    io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                        ReadError::Format(FormatError::Flate(e.to_string()))
                    }
                    _ => ReadError::from(e),
                }
            })?,
            Decoder::Directory => {
                self.finished = true;
                return if self.declared != 0 {
                    Err(FormatError::NotValid.into())
                } else {
                    Ok(0)
                };
            }
        };
        self.nread += n as u64;
        if self.nread > self.declared {
            // Never hand out bytes beyond the declared size.
            self.finished = true;
            return Err(FormatError::TooLong.into());
        }
        if n > 0 {
            self.crc.update(&buf[..n]);
            return Ok(n);
        }
        self.finished = true;
        if self.nread != self.declared {
            return Err(FormatError::UnexpectedEof.into());
        }
        match std::mem::replace(&mut self.descriptor, Descriptor::None) {
            Descriptor::Failed(e) => return Err(e.into()),
            Descriptor::Ok => {
                if self.crc.sum() != self.expected_crc {
                    return Err(FormatError::Checksum.into());
                }
            }
            // Without a descriptor, Go checks the CRC only when one was set.
            Descriptor::None => {
                if self.expected_crc != 0 && self.crc.sum() != self.expected_crc {
                    return Err(FormatError::Checksum.into());
                }
            }
        }
        Ok(0)
    }

    /// Streams the whole entry into `sink`, using `buf` as the read buffer.
    pub(crate) fn copy_to(
        &mut self,
        buf: &mut [u8],
        mut sink: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<u64, ReadError> {
        let mut total = 0;
        loop {
            let n = self.read_chunk(buf)?;
            if n == 0 {
                return Ok(total);
            }
            sink(&buf[..n]).map_err(ReadError::Io)?;
            total += n as u64;
        }
    }
}
