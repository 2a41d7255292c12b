//! The checksum database's `GET <base>/latest`: a signed tree note
//! (`go.sum database tree\n<N>\n<base64 hash>\n`, a blank line, then
//! `— <name> <base64>` signature lines), judged with the core's own note and
//! tree parsers (`modgate_core::sumdb::{note, record}`, ports of x/mod's).
//!
//! With the verifier key Go uses for the database (GOSUMDB: the built-in key
//! of `sum.golang.org`, or `name+hash+key` given explicitly) the signature is
//! verified, as Go's sumdb client does before it trusts any answer: a tree
//! note signed by another key is what go rejects with "reading tree note:
//! note has no verifiable signatures", so it gets its own verdict. A body
//! that is not a note at all (a portal's HTML, a proxy's error page) is not
//! the protocol.

use modgate_core::goenv::gosumdb::{self, SumdbConfig};
use modgate_core::sumdb::note::{self, Ed25519Verifier, NoteError, Verifier, VerifierList};
use modgate_core::sumdb::record::parse_tree;

use super::http::{Response, Verdict, judge_redirect, login_words, looks_like_html};

/// The verifier key Go checks `name`'s tree notes with, from `GOSUMDB`
/// (`None` when GOSUMDB is off, invalid or names another database).
pub fn expected_key(gosumdb_value: &str, name: &str) -> Option<String> {
    match gosumdb::parse(gosumdb_value).ok()? {
        SumdbConfig::On { name: n, key, .. } if n == name => Some(key),
        _ => None,
    }
}

/// `name+hash` of a signature, as Go prints key ids.
fn key_id(name: &str, hash: u32) -> String {
    format!("{name}+{hash:08x}")
}

/// Judges a checksum database's answer to `GET <base>/latest`; `key` is the
/// verifier key Go would use (see [`expected_key`]).
pub fn judge(r: &Response, name: &str, key: Option<&str>) -> Verdict {
    match r.status {
        200 => judge_body(r, name, key),
        404 | 410 => Verdict::NotFound,
        300..=399 => judge_redirect(r),
        _ => Verdict::Status,
    }
}

fn judge_body(r: &Response, name: &str, key: Option<&str>) -> Verdict {
    let verifier = key.and_then(|k| Ed25519Verifier::new(k).ok());
    let known: Vec<&dyn Verifier> = verifier.iter().map(|v| v as &dyn Verifier).collect();
    let list = VerifierList::new(&known);
    let expected = verifier
        .as_ref()
        .map(|v| key_id(v.name(), v.key_hash()))
        .unwrap_or_default();
    let (note, verified) = match note::open(&r.body, &list) {
        Ok(n) => (n, true),
        Err(NoteError::Unverified(n)) => (*n, false),
        Err(NoteError::InvalidSignature { name: n, hash }) => {
            return Verdict::KeyMismatch {
                seen: vec![format!("{} (signature does not verify)", key_id(&n, hash))],
                expected,
            };
        }
        Err(e) => return not_a_note(r, name, &e.to_string()),
    };
    let tree = match parse_tree(note.text.as_bytes()) {
        Ok(t) => t,
        Err(e) => {
            return Verdict::NotProtocol(format!(
                "200 OK with a signed note that is not a tree head ({e}; text starts {:?})",
                note.text.chars().take(40).collect::<String>()
            ));
        }
    };
    let signers: Vec<String> = note
        .sigs
        .iter()
        .chain(&note.unverified_sigs)
        .map(|s| key_id(&s.name, s.hash))
        .collect();
    if verified {
        return Verdict::Protocol(format!(
            "signed tree head, {} records, signature by {expected} verified",
            tree.n
        ));
    }
    if verifier.is_some() {
        return Verdict::KeyMismatch {
            seen: signers,
            expected,
        };
    }
    // No key to verify with (explain --check on a database GOSUMDB does
    // not name): the shape is all that can be judged.
    Verdict::Protocol(format!(
        "signed tree head, {} records, signed by {} (not verified: GOSUMDB names no key for {name})",
        tree.n,
        signers.join(", ")
    ))
}

fn not_a_note(r: &Response, name: &str, why: &str) -> Verdict {
    if looks_like_html(r) {
        Verdict::NotProtocol(format!(
            "200 OK with an HTML page{} instead of a signed tree head",
            login_words(r).map_or(String::new(), |w| format!(" (mentions \"{w}\")"))
        ))
    } else {
        Verdict::NotProtocol(format!(
            "200 OK but the body is not a signed tree head for {name} ({why}; starts {:?})",
            r.body_text().chars().take(40).collect::<String>()
        ))
    }
}

#[cfg(test)]
mod tests;
