//! GOPROXY and GOSUMDB parsed with the go command's rules
//! (`modfetch/proxy.go` `proxyList`, `modfetch/sumdb.go` `dbDial`), turned
//! into the plan's vocabulary. Error texts are Go's.

use base64::Engine;

use crate::plan::{ChainEntry, EntryKind, SumDb};

/// The built-in checksum database key.
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// Go's `proxyList` (without the implicit `noproxy` entry, which only
/// affects GONOPROXY paths and is modelled by [`crate::plan::fetched_directly`]).
pub fn goproxy_chain(goproxy: &str, gonoproxy: &str) -> Result<Vec<ChainEntry>, String> {
    let mut list = Vec::new();
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (entry, fallback_any) = match rest.find([',', '|']) {
            Some(i) => {
                let sep = rest.as_bytes()[i];
                let e = &rest[..i];
                rest = &rest[i + 1..];
                (e, sep == b'|')
            }
            None => {
                let e = rest;
                rest = "";
                (e, false)
            }
        };
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        if entry == "off" {
            list.push(ChainEntry {
                kind: EntryKind::Off,
                fallback_any,
            });
            break;
        }
        if entry == "direct" {
            list.push(ChainEntry {
                kind: EntryKind::Direct,
                fallback_any,
            });
            break;
        }
        let mut url = entry.to_string();
        if entry.contains(['.', ':', '/']) && !entry.contains(":/") && !entry.starts_with('/') {
            url = format!("https://{entry}");
        }
        check_proxy_url(&url)?;
        list.push(ChainEntry {
            kind: EntryKind::Url(url),
            fallback_any,
        });
    }
    let _ = gonoproxy;
    if list.is_empty() {
        return Err("GOPROXY list is not the empty string, but contains no entries".into());
    }
    Ok(list)
}

fn check_proxy_url(u: &str) -> Result<(), String> {
    let scheme = match u.find(':') {
        Some(i)
            if u[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && i > 0 =>
        {
            &u[..i]
        }
        _ => "",
    };
    match scheme {
        "http" | "https" => url::Url::parse(u)
            .map(|_| ())
            .map_err(|e| format!("parse {u:?}: {e}")),
        "file" => {
            let parsed = url::Url::parse(u).map_err(|e| format!("parse {u:?}: {e}"))?;
            if parsed.host_str().is_some_and(|h| !h.is_empty())
                || parsed.query().is_some()
                || parsed.fragment().is_some()
                || !parsed.username().is_empty()
            {
                return Err(format!(
                    "invalid file:// proxy URL with non-path elements: {u}"
                ));
            }
            Ok(())
        }
        "" => Err(format!("invalid proxy URL missing scheme: {u}")),
        _ => Err(format!(
            "invalid proxy URL scheme (must be https, http, file): {u}"
        )),
    }
}

/// Go's `dbDial` up to the point where it knows the name and URL.
pub fn gosumdb(value: &str) -> Result<SumDb, String> {
    let value = if value == "sum.golang.google.cn" {
        "sum.golang.org https://sum.golang.google.cn"
    } else {
        value
    };
    if value == "off" {
        return Ok(SumDb::Off);
    }
    let mut fields: Vec<String> = value.split_whitespace().map(String::from).collect();
    if let Some(f) = fields.first_mut()
        && f == "sum.golang.org"
    {
        *f = SUM_GOLANG_ORG_KEY.to_string();
    }
    if fields.is_empty() {
        return Err("missing GOSUMDB".into());
    }
    if fields.len() > 2 {
        return Err("invalid GOSUMDB: too many fields".into());
    }
    let name = verifier_name(&fields[0]).map_err(|e| format!("invalid GOSUMDB: {e}"))?;
    if url::Url::parse(&format!("https://{name}/")).is_err()
        || name.ends_with('/')
        || name.contains(['@', '?', '#'])
    {
        return Err(format!("invalid sumdb name (must be host[/path]): {name}"));
    }
    let url = match fields.get(1) {
        Some(u) => {
            url::Url::parse(u).map_err(|e| format!("invalid GOSUMDB URL: {e}"))?;
            Some(u.trim_end_matches('/').to_string())
        }
        None => None,
    };
    Ok(SumDb::On { name, url })
}

/// The name of a verifier key `name+hash+key` (note.NewVerifier's format check).
fn verifier_name(vkey: &str) -> Result<String, String> {
    let parts: Vec<&str> = vkey.splitn(3, '+').collect();
    let [name, hash, key] = parts.as_slice() else {
        return Err("malformed verifier id".into());
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|_| "malformed verifier id".to_string())?;
    if name.is_empty()
        || name.contains(|c: char| c.is_whitespace() || c == '+')
        || hash.len() != 8
        || !hash.chars().all(|c| c.is_ascii_hexdigit())
        || key.is_empty()
    {
        return Err("malformed verifier id".into());
    }
    if key[0] != 1 || key.len() != 33 {
        return Err("unknown verifier algorithm".into());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests;
