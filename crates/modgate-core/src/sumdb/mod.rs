//! Checksum-database primitives: signed notes, the transparency log, tiles,
//! an in-memory database and client-side verification.
//!
//! The layout follows `golang.org/x/mod/sumdb`:
//!
//! | module | Go reference | what it does |
//! |---|---|---|
//! | [`note`] | `sumdb/note/note.go` | verifier/signer keys, signing and opening signed notes |
//! | [`tlog`] | `sumdb/tlog/tlog.go` | RFC 6962 hashing, stored-hash layout, tree hashes and proofs |
//! | [`tile`] | `sumdb/tlog/tile.go` | tiles, tile paths and the authenticating tile hash reader |
//! | [`record`] | `sumdb/tlog/note.go` | tree-note text (`FormatTree`/`ParseTree`) and lookup records |
//! | [`memdb`] | `sumdb/server.go`, `sumdb/test.go` | an in-memory database answering `latest`, `lookup/…`, `tile/…` |
//! | [`verify`] | `sumdb/client.go` | verifying a lookup response against a trusted tree, pure logic |
//!
//! Nothing here does network or disk I/O: the pieces that fetch data are traits
//! the caller implements.

pub mod memdb;
pub mod note;
pub mod record;
pub mod tile;
pub mod tlog;
pub mod verify;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding` decoder: padding is required, but non-zero
/// trailing bits in the last group are accepted (Go's decoder is not strict).
const GO_STD_DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes `s` exactly as Go's `base64.StdEncoding.DecodeString` does.
///
/// Go silently skips `\r` and `\n` anywhere in the input, so they are removed
/// before decoding; everything else must be valid padded standard base64.
pub(crate) fn go_base64_decode(s: &str) -> Option<Vec<u8>> {
    if s.contains(['\r', '\n']) {
        let cleaned: String = s.chars().filter(|&c| c != '\r' && c != '\n').collect();
        GO_STD_DECODER.decode(cleaned).ok()
    } else {
        GO_STD_DECODER.decode(s).ok()
    }
}

/// Encodes `data` as Go's `base64.StdEncoding.EncodeToString` does.
pub(crate) fn go_base64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Reports whether `text` is valid UTF-8 without ASCII control characters other
/// than newline: the rule shared by signed notes and record texts.
pub(crate) fn is_clean_text(text: &[u8]) -> bool {
    match std::str::from_utf8(text) {
        Ok(s) => !s.bytes().any(|b| b < 0x20 && b != b'\n'),
        Err(_) => false,
    }
}

#[cfg(test)]
pub(crate) mod tests;
