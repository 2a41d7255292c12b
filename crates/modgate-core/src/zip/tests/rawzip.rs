//! A minimal zip writer for tests: it writes what the module functions must
//! reject (duplicate names, non-UTF-8 names, sizes and CRCs that lie, data
//! descriptors), which a well-behaved writer refuses to produce.

use std::io::Write;

/// One entry to write.
#[derive(Clone, Debug)]
pub(crate) struct RawEntry {
    pub(crate) name: Vec<u8>,
    pub(crate) data: Vec<u8>,
    pub(crate) deflate: bool,
    /// Declared uncompressed size; the real size when `None`.
    pub(crate) declared_size: Option<u64>,
    /// Declared CRC-32; the real one when `None`.
    pub(crate) crc: Option<u32>,
    /// Put sizes and CRC in a data descriptor after the data (as Go's writer does).
    pub(crate) descriptor: bool,
    /// Compression method to record (overrides `deflate`'s 0 or 8).
    pub(crate) method: Option<u16>,
}

impl RawEntry {
    pub(crate) fn new(name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> Self {
        RawEntry {
            name: name.as_ref().to_vec(),
            data: data.as_ref().to_vec(),
            deflate: true,
            declared_size: None,
            crc: None,
            descriptor: false,
            method: None,
        }
    }

    pub(crate) fn stored(mut self) -> Self {
        self.deflate = false;
        self
    }

    pub(crate) fn declared(mut self, size: u64) -> Self {
        self.declared_size = Some(size);
        self
    }

    pub(crate) fn crc(mut self, crc: u32) -> Self {
        self.crc = Some(crc);
        self
    }

    pub(crate) fn with_descriptor(mut self) -> Self {
        self.descriptor = true;
        self
    }

    pub(crate) fn method(mut self, method: u16) -> Self {
        self.method = Some(method);
        self
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Builds a zip archive holding `entries` in order.
pub(crate) fn build(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let body = if e.deflate {
            deflate(&e.data)
        } else {
            e.data.clone()
        };
        let method = e.method.unwrap_or(if e.deflate { 8 } else { 0 });
        let crc = e.crc.unwrap_or_else(|| crc32(&e.data));
        let size = e.declared_size.unwrap_or(e.data.len() as u64) as u32;
        let csize = body.len() as u32;
        let flags: u16 = if e.descriptor { 0x8 } else { 0 };
        let (lcrc, lcsize, lsize) = if e.descriptor {
            (0, 0, 0)
        } else {
            (crc, csize, size)
        };

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // time, date
        out.extend_from_slice(&lcrc.to_le_bytes());
        out.extend_from_slice(&lcsize.to_le_bytes());
        out.extend_from_slice(&lsize.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&body);
        if e.descriptor {
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&csize.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
        }

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 4]); // extra, comment lengths
        central.extend_from_slice(&[0; 4]); // disk, internal attrs
        central.extend_from_slice(&[0; 4]); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
