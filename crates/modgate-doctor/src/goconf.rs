//! GOPROXY and GOSUMDB parsed by the core (`modgate_core::goenv`, a port of
//! `modfetch/proxy.go` `proxyList` and `modfetch/sumdb.go` `dbDial` with Go's
//! error texts), turned into the plan's vocabulary.

use modgate_core::goenv::{goproxy, gosumdb as core_sumdb};

use crate::plan::{ChainEntry, EntryKind, SumDb};

/// The GOPROXY list as the go command builds it, without the implicit
/// `noproxy` entry (which only concerns GONOPROXY paths, modelled by
/// [`crate::plan::fetched_directly`]). Errors are Go's texts.
pub fn goproxy_chain(value: &str) -> Result<Vec<ChainEntry>, String> {
    let list = goproxy::parse(value).map_err(|e| e.to_string())?;
    Ok(list
        .entries
        .into_iter()
        .filter_map(|e| {
            let kind = match e.kind {
                goproxy::ProxyKind::Url(u) => EntryKind::Url(u),
                goproxy::ProxyKind::Direct => EntryKind::Direct,
                goproxy::ProxyKind::Off => EntryKind::Off,
                goproxy::ProxyKind::Noproxy => return None,
            };
            Some(ChainEntry {
                kind,
                fallback_any: e.fallback_on_any_error,
            })
        })
        .collect())
}

/// GOSUMDB: off, or the database's name and explicit URL.
pub fn gosumdb(value: &str) -> Result<SumDb, String> {
    match core_sumdb::parse(value).map_err(|e| e.to_string())? {
        core_sumdb::SumdbConfig::Off => Ok(SumDb::Off),
        core_sumdb::SumdbConfig::On { name, url, .. } => Ok(SumDb::On {
            name,
            url: url.map(|u| u.trim_end_matches('/').to_string()),
        }),
    }
}

#[cfg(test)]
mod tests;
