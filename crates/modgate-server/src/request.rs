//! Turning a request URL path into a protocol request, before anything touches
//! storage: percent-decoding here, then the protocol grammar of `modgate-cache`'s
//! `request` module (module files and checksum-database files) and `vuln` module
//! (vulnerability-database files).

use modgate_cache::RequestError;
pub use modgate_cache::request::{
    ModuleFile, ModuleRequest, SumdbFile, SumdbRequest, is_canonical,
};
pub use modgate_cache::vuln::VulnRequest;

/// Longest request path accepted (Go's module paths are far shorter).
pub const MAX_PATH_LEN: usize = 1024;

/// What a protocol request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Module(ModuleRequest),
    Sumdb(SumdbRequest),
    /// A file of the vulnerability database mirror (`/vuln/…`).
    Vuln(VulnRequest),
}

/// Why a request path was refused: an HTTP status and a short reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
}

impl From<RequestError> for Rejection {
    fn from(e: RequestError) -> Rejection {
        let status = match e {
            RequestError::Invalid(_) => 400,
            RequestError::NotFound(_) => 404,
        };
        Rejection {
            status,
            reason: e.to_string(),
        }
    }
}

fn bad(reason: &str) -> Rejection {
    Rejection {
        status: 400,
        reason: reason.to_owned(),
    }
}

/// Parses a request path (the raw URI path, still percent-encoded).
pub fn parse(raw_path: &str) -> Result<Request, Rejection> {
    if raw_path.len() > MAX_PATH_LEN {
        return Err(bad("path too long"));
    }
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| bad("path is not valid UTF-8"))?;
    let path = decoded
        .strip_prefix('/')
        .ok_or_else(|| bad("path must start with /"))?;
    // `vuln/` cannot start a module path (no dot in its first element).
    if let Some(rest) = path.strip_prefix("vuln/") {
        return Ok(Request::Vuln(modgate_cache::vuln::parse_request(rest)?));
    }
    if let Some(rest) = path.strip_prefix("sumdb/") {
        return Ok(Request::Sumdb(modgate_cache::request::parse_sumdb(rest)?));
    }
    Ok(Request::Module(modgate_cache::request::parse_module(path)?))
}

#[cfg(test)]
mod tests;
