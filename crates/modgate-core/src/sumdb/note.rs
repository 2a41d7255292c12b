//! Signed notes: texts signed by one or more named Ed25519 keys.
//!
//! Follows `golang.org/x/mod/sumdb/note/note.go`, including its error texts.
//!
//! * A verifier key is `<name>+<hash>+<base64(alg ‖ public key)>`; a signer key
//!   is `PRIVATE+KEY+<name>+<hash>+<base64(alg ‖ seed)>`. The only algorithm is
//!   1, Ed25519. `<hash>` is 8 hex digits: the first four bytes, big-endian, of
//!   SHA-256(name ‖ "\n" ‖ alg ‖ public key) ([`key_hash`]).
//! * A signed note is the text (ending in `\n`), a blank line, and one or more
//!   lines `— <name> <base64(4-byte key hash ‖ signature)>\n` (U+2014, space).
//!   The whole note must be valid UTF-8 without control characters other than
//!   newline.
//! * [`open`] verifies the signatures from known keys. Signatures by unknown
//!   keys are kept as unverified; a bad signature by a known key is an error;
//!   more than 100 signatures is an error; at least one verified signature is
//!   required.
//!
//! [`Verifier`], [`Signer`] and [`Verifiers`] are traits, as in Go, so keys can
//! live elsewhere (an HSM, a test double); [`Ed25519Verifier`] and
//! [`Ed25519Signer`] are the standard implementations.

use std::collections::{HashMap, HashSet};
use std::fmt;

use ed25519_dalek::{Signature as DalekSignature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::{go_base64_decode, go_base64_encode};

/// The algorithm byte of Ed25519 keys.
const ALG_ED25519: u8 = 1;

/// Notes with more signatures than this are rejected.
const MAX_SIGNATURES: usize = 100;

/// Errors from parsing keys, signing and opening notes, with Go's texts.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// A verifier or signer key is malformed (Go uses this text for both).
    #[error("malformed verifier id")]
    MalformedKey,
    /// The key's algorithm byte is not Ed25519.
    #[error("unknown verifier algorithm")]
    UnknownAlgorithm,
    /// The key hash in the key does not match the key.
    #[error("invalid verifier hash")]
    InvalidKeyHash,
    /// [`new_ed25519_verifier_key`] got a key of the wrong size.
    #[error("invalid public key size {0}, expected 32")]
    InvalidPublicKeySize(usize),
    /// No known verifier has this name and hash. [`open`] records such
    /// signatures as unverified instead of failing.
    #[error("unknown key {name}+{hash:08x}")]
    UnknownKey { name: String, hash: u32 },
    /// Several known verifiers share this name and hash.
    #[error("ambiguous key {name}+{hash:08x}")]
    AmbiguousKey { name: String, hash: u32 },
    /// The note parsed but no signature was from a known key; the unverified
    /// note is kept.
    #[error("note has no verifiable signatures")]
    Unverified(Box<Note>),
    /// A known key's signature did not verify.
    #[error("invalid signature for key {name}+{hash:08x}")]
    InvalidSignature { name: String, hash: u32 },
    /// The note (or, for [`sign`], its text or existing signatures) is malformed.
    #[error("malformed note")]
    MalformedNote,
    /// A signer has an invalid name.
    #[error("invalid signer")]
    InvalidSigner,
    /// A [`Verifiers`] implementation returned a verifier for another key.
    #[error("verifier name or hash doesn't match signature")]
    MismatchedVerifier,
    /// A [`Signer`] failed.
    #[error("{0}")]
    Signer(Box<dyn std::error::Error + Send + Sync>),
}

/// Verifies signatures by one key (`note.Verifier`).
pub trait Verifier {
    /// The server name of the key.
    fn name(&self) -> &str;
    /// The key hash.
    fn key_hash(&self) -> u32;
    /// Whether `sig` is a valid signature of `msg`.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// Signs messages with one key (`note.Signer`).
pub trait Signer {
    /// The server name of the key.
    fn name(&self) -> &str;
    /// The key hash.
    fn key_hash(&self) -> u32;
    /// The signature of `msg`.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError>;
}

/// Finds the verifier for a (name, key hash) pair (`note.Verifiers`).
pub trait Verifiers {
    /// The verifier for the key, or [`NoteError::UnknownKey`] if there is none.
    fn verifier(&self, name: &str, hash: u32) -> Result<&dyn Verifier, NoteError>;
}

/// The key hash of a server name and encoded public key (`alg ‖ key`).
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let sum = h.finalize();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// A valid key name is non-empty and has no Unicode space and no `+`.
/// (`char::is_whitespace` is the same set as Go's `unicode.IsSpace`.)
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '+')
}

/// Parses the `<hash>+<keydata>` tail shared by both key kinds: 8 hex digits
/// and non-empty base64.
fn parse_hash_and_key(hash16: &str, key64: &str) -> Option<(u32, Vec<u8>)> {
    if hash16.len() != 8 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hash = u32::from_str_radix(hash16, 16).ok()?;
    let key = go_base64_decode(key64)?;
    (!key.is_empty()).then_some((hash, key))
}

/// The standard verifier: an Ed25519 public key with its name and hash.
#[derive(Clone)]
pub struct Ed25519Verifier {
    name: String,
    hash: u32,
    /// `None` when the 32 bytes are not a curve point: Go accepts such a key
    /// and every verification with it fails.
    key: Option<VerifyingKey>,
}

impl fmt::Debug for Ed25519Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Verifier({}+{:08x})", self.name, self.hash)
    }
}

/// A verifier key `<name>+<hash>+<keydata>`, checked as `note.NewVerifier`
/// checks it (the GOSUMDB parser uses the same rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// The signer's name.
    pub name: String,
    /// The key hash: the first four bytes, big-endian, of
    /// SHA-256(name + "\n" + algorithm byte + public key).
    pub hash: u32,
    /// The Ed25519 public key.
    pub public_key: [u8; 32],
}

/// Parses and checks a verifier key: a valid name, 8 hex digits of hash,
/// standard base64 key data whose hash matches, algorithm Ed25519, 32 bytes.
pub fn parse_verifier_key(vkey: &str) -> Result<VerifierKey, NoteError> {
    let (name, rest) = vkey.split_once('+').unwrap_or((vkey, ""));
    let (hash16, key64) = rest.split_once('+').unwrap_or((rest, ""));
    let (hash, key) = parse_hash_and_key(hash16, key64).ok_or(NoteError::MalformedKey)?;
    if !is_valid_name(name) {
        return Err(NoteError::MalformedKey);
    }
    if hash != key_hash(name, &key) {
        return Err(NoteError::InvalidKeyHash);
    }
    let (&alg, raw) = key.split_first().ok_or(NoteError::MalformedKey)?;
    if alg != ALG_ED25519 {
        return Err(NoteError::UnknownAlgorithm);
    }
    let public_key: [u8; 32] = raw.try_into().map_err(|_| NoteError::MalformedKey)?;
    Ok(VerifierKey {
        name: name.to_string(),
        hash,
        public_key,
    })
}

impl Ed25519Verifier {
    /// Parses a verifier key `<name>+<hash>+<keydata>` (`note.NewVerifier`).
    pub fn new(vkey: &str) -> Result<Ed25519Verifier, NoteError> {
        let key = parse_verifier_key(vkey)?;
        Ok(Ed25519Verifier {
            name: key.name,
            hash: key.hash,
            key: VerifyingKey::from_bytes(&key.public_key).ok(),
        })
    }
}

impl Verifier for Ed25519Verifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_hash(&self) -> u32 {
        self.hash
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let (Some(key), Ok(sig)) = (&self.key, <&[u8; 64]>::try_from(sig)) else {
            return false;
        };
        // Go's ed25519.Verify: cofactorless, canonical S, weak keys allowed;
        // dalek's non-strict `verify` is the same check.
        use ed25519_dalek::Verifier as _;
        key.verify(msg, &DalekSignature::from_bytes(sig)).is_ok()
    }
}

/// The standard signer: an Ed25519 private key with its name and hash.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: String,
    hash: u32,
    key: SigningKey,
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the private key.
        write!(f, "Ed25519Signer({}+{:08x})", self.name, self.hash)
    }
}

impl Ed25519Signer {
    /// Parses a signer key `PRIVATE+KEY+<name>+<hash>+<keydata>` (`note.NewSigner`).
    pub fn new(skey: &str) -> Result<Ed25519Signer, NoteError> {
        let mut rest = skey;
        let mut next = || {
            let (field, tail) = rest.split_once('+').unwrap_or((rest, ""));
            rest = tail;
            field
        };
        let (priv1, priv2, name, hash16) = (next(), next(), next(), next());
        let key64 = rest;
        let parsed = parse_hash_and_key(hash16, key64);
        let (hash, key) = match parsed {
            Some(p) if priv1 == "PRIVATE" && priv2 == "KEY" && is_valid_name(name) => p,
            _ => return Err(NoteError::MalformedKey),
        };
        let (&alg, seed) = key.split_first().ok_or(NoteError::MalformedKey)?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm);
        }
        let seed: &[u8; 32] = seed.try_into().map_err(|_| NoteError::MalformedKey)?;
        let signer = Ed25519Signer::from_seed(name, seed);
        // The hash names the public key, so it is checked after deriving it.
        if signer.hash != hash {
            return Err(NoteError::InvalidKeyHash);
        }
        Ok(signer)
    }

    /// A signer for `name` from a 32-byte Ed25519 seed. The name is not
    /// validated here; [`sign`] rejects invalid names.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Ed25519Signer {
        let key = SigningKey::from_bytes(seed);
        let hash = key_hash(name, &encoded_public_key(&key.verifying_key()));
        Ed25519Signer {
            name: name.to_string(),
            hash,
            key,
        }
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier {
            name: self.name.clone(),
            hash: self.hash,
            key: Some(self.key.verifying_key()),
        }
    }

    /// The verifier key string for this signer.
    pub fn verifier_key(&self) -> String {
        format_verifier_key(&self.name, self.hash, &self.key.verifying_key())
    }
}

impl Signer for Ed25519Signer {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_hash(&self) -> u32 {
        self.hash
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError> {
        use ed25519_dalek::Signer as _;
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

/// `alg ‖ public key`, the bytes that are base64-encoded and hashed.
fn encoded_public_key(key: &VerifyingKey) -> Vec<u8> {
    let mut v = vec![ALG_ED25519];
    v.extend_from_slice(key.as_bytes());
    v
}

fn format_verifier_key(name: &str, hash: u32, key: &VerifyingKey) -> String {
    format!(
        "{name}+{hash:08x}+{}",
        go_base64_encode(&encoded_public_key(key))
    )
}

/// A signer key and verifier key for `name`, derived from a 32-byte seed
/// (`note.GenerateKey`, with the randomness supplied by the caller). Returns
/// `(skey, vkey)`. As in Go the name is not validated.
pub fn generate_key(name: &str, seed: &[u8; 32]) -> (String, String) {
    let signer = Ed25519Signer::from_seed(name, seed);
    let mut private = vec![ALG_ED25519];
    private.extend_from_slice(seed);
    let skey = format!(
        "PRIVATE+KEY+{name}+{:08x}+{}",
        signer.hash,
        go_base64_encode(&private)
    );
    (skey, signer.verifier_key())
}

/// The verifier key for `name` and a raw 32-byte Ed25519 public key
/// (`note.NewEd25519VerifierKey`).
pub fn new_ed25519_verifier_key(name: &str, key: &[u8]) -> Result<String, NoteError> {
    if key.len() != 32 {
        return Err(NoteError::InvalidPublicKeySize(key.len()));
    }
    let mut encoded = vec![ALG_ED25519];
    encoded.extend_from_slice(key);
    Ok(format!(
        "{name}+{:08x}+{}",
        key_hash(name, &encoded),
        go_base64_encode(&encoded)
    ))
}

/// A [`Verifiers`] over a fixed list of verifiers (`note.VerifierList`).
pub struct VerifierList<'a> {
    map: HashMap<(String, u32), Vec<&'a dyn Verifier>>,
}

impl<'a> VerifierList<'a> {
    pub fn new(list: &[&'a dyn Verifier]) -> VerifierList<'a> {
        let mut map: HashMap<(String, u32), Vec<&'a dyn Verifier>> = HashMap::new();
        for &v in list {
            map.entry((v.name().to_string(), v.key_hash()))
                .or_default()
                .push(v);
        }
        VerifierList { map }
    }
}

impl Verifiers for VerifierList<'_> {
    fn verifier(&self, name: &str, hash: u32) -> Result<&dyn Verifier, NoteError> {
        match self.map.get(&(name.to_string(), hash)).map(Vec::as_slice) {
            Some([v]) => Ok(*v),
            Some([_, _, ..]) => Err(NoteError::AmbiguousKey {
                name: name.to_string(),
                hash,
            }),
            _ => Err(NoteError::UnknownKey {
                name: name.to_string(),
                hash,
            }),
        }
    }
}

/// A text with signatures (`note.Note`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Note {
    /// The text, ending in a newline.
    pub text: String,
    /// Verified signatures.
    pub sigs: Vec<Signature>,
    /// Signatures by unknown keys.
    pub unverified_sigs: Vec<Signature>,
}

/// One signature of a note (`note.Signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub hash: u32,
    /// The base64 signature as it appears in the note (key hash ‖ signature).
    pub base64: String,
}

const SIG_PREFIX: &str = "\u{2014} ";

/// Opens a signed note, verifying signatures by the known keys (`note.Open`).
///
/// Signatures by unknown keys are collected in `unverified_sigs`; duplicates
/// are dropped. If no known key signed the note the error is
/// [`NoteError::Unverified`], which carries the parsed note.
pub fn open(msg: &[u8], known: &dyn Verifiers) -> Result<Note, NoteError> {
    if !super::is_clean_text(msg) {
        return Err(NoteError::MalformedNote);
    }
    let msg = std::str::from_utf8(msg).map_err(|_| NoteError::MalformedNote)?;

    // The signature block follows the last blank line and ends in a newline.
    let split = msg.rfind("\n\n").ok_or(NoteError::MalformedNote)?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if !sigs.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }

    let mut note = Note {
        text: text.to_string(),
        ..Note::default()
    };
    let mut seen: HashSet<(&str, u32)> = HashSet::new();
    let mut seen_unverified: HashSet<&str> = HashSet::new();
    for (num_sig, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        let line = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::MalformedNote)?;
        let (name, b64) = line.split_once(' ').unwrap_or((line, ""));
        let raw = go_base64_decode(b64).ok_or(NoteError::MalformedNote)?;
        if !is_valid_name(name) || b64.is_empty() || raw.len() < 5 {
            return Err(NoteError::MalformedNote);
        }
        let hash = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let sig = &raw[4..];

        // Bound the work spent on a note with very many signatures.
        if num_sig + 1 > MAX_SIGNATURES {
            return Err(NoteError::MalformedNote);
        }

        let signature = Signature {
            name: name.to_string(),
            hash,
            base64: b64.to_string(),
        };
        let v = match known.verifier(name, hash) {
            Ok(v) => v,
            Err(NoteError::UnknownKey { .. }) => {
                if seen_unverified.insert(line) {
                    note.unverified_sigs.push(signature);
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        if v.name() != name || v.key_hash() != hash {
            return Err(NoteError::MismatchedVerifier);
        }
        if !seen.insert((name, hash)) {
            continue;
        }
        if !v.verify(text.as_bytes(), sig) {
            return Err(NoteError::InvalidSignature {
                name: name.to_string(),
                hash,
            });
        }
        note.sigs.push(signature);
    }

    if note.sigs.is_empty() {
        return Err(NoteError::Unverified(Box::new(note)));
    }
    Ok(note)
}

/// Signs `note` with `signers` and returns the encoded message (`note.Sign`).
///
/// The new signatures follow the note's existing ones (`sigs`, then
/// `unverified_sigs`); an existing signature by the same key as a signer is
/// replaced.
pub fn sign(note: &Note, signers: &[&dyn Signer]) -> Result<Vec<u8>, NoteError> {
    if !note.text.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }
    let mut new_sigs = String::new();
    let mut have: HashSet<(&str, u32)> = HashSet::new();
    for s in signers {
        let (name, hash) = (s.name(), s.key_hash());
        have.insert((name, hash));
        if !is_valid_name(name) {
            return Err(NoteError::InvalidSigner);
        }
        let sig = s.sign(note.text.as_bytes())?;
        let mut raw = hash.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig);
        new_sigs.push_str(&format!("{SIG_PREFIX}{name} {}\n", go_base64_encode(&raw)));
    }

    let mut out = note.text.clone();
    out.push('\n');
    for sig in note.sigs.iter().chain(&note.unverified_sigs) {
        if !is_valid_name(&sig.name) {
            return Err(NoteError::MalformedNote);
        }
        if have.contains(&(sig.name.as_str(), sig.hash)) {
            continue;
        }
        // The key hash is repeated inside the signature; they must agree.
        match go_base64_decode(&sig.base64) {
            Some(raw) if raw.len() >= 4 && raw[..4] == sig.hash.to_be_bytes() => {}
            _ => return Err(NoteError::MalformedNote),
        }
        out.push_str(&format!("{SIG_PREFIX}{} {}\n", sig.name, sig.base64));
    }
    out.push_str(&new_sigs);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests;
