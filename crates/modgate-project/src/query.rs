//! Version queries answered through the fetcher. The core's queries
//! (`modgate_core::query`) are synchronous over a [`QuerySource`]; what one asks
//! for (go.mod files, `.info` times, `@latest`) is fetched between attempts and
//! the query run again until it asks for nothing new.

use std::collections::HashMap;

use modgate_core::module::{UtcTime, Version};
use modgate_core::query::{QueryError, QuerySource};

use crate::fetch::Fetcher;

/// Runs `q` until every file it reads has been fetched; its last answer.
pub async fn run(
    fetcher: &Fetcher,
    mut q: impl FnMut(&mut dyn QuerySource) -> Result<String, QueryError>,
) -> Result<String, QueryError> {
    let mut src = Prefetched::default();
    loop {
        let r = q(&mut src);
        if src.misses.is_empty() && src.time_misses.is_empty() && src.latest_misses.is_empty() {
            return r;
        }
        for m in std::mem::take(&mut src.time_misses) {
            let got = fetcher
                .info(&m)
                .await
                .map(|i| UtcTime::parse_rfc3339(&i.time))
                .map_err(|e| e.to_string());
            src.times.insert(m, got);
        }
        for m in std::mem::take(&mut src.misses) {
            let got = fetcher
                .go_mod(&m)
                .await
                .map(|b| b.to_vec())
                .map_err(|e| e.to_string());
            src.go_mods.insert(m, got);
        }
        for path in std::mem::take(&mut src.latest_misses) {
            let got = fetcher
                .latest(&path)
                .await
                .map(|i| i.map(|i| i.version))
                .map_err(|e| e.to_string());
            src.latest.insert(path, got);
        }
    }
}

/// Files fetched so far; a read of one not fetched yet is noted as a miss.
#[derive(Default)]
struct Prefetched {
    go_mods: HashMap<Version, Result<Vec<u8>, String>>,
    misses: Vec<Version>,
    /// `.info` times (`None`: no time given).
    times: HashMap<Version, Result<Option<UtcTime>, String>>,
    time_misses: Vec<Version>,
    latest: HashMap<String, Result<Option<String>, String>>,
    latest_misses: Vec<String>,
}

impl QuerySource for Prefetched {
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String> {
        match self.go_mods.get(m) {
            Some(r) => r.clone(),
            None => {
                self.misses.push(m.clone());
                Err(format!("{m}: not fetched yet"))
            }
        }
    }

    fn latest(&mut self, path: &str) -> Result<Option<String>, String> {
        match self.latest.get(path) {
            Some(r) => r.clone(),
            None => {
                self.latest_misses.push(path.to_owned());
                Err(format!("{path}@latest: not fetched yet"))
            }
        }
    }

    /// The commit time from the version's `.info`, as go reads it.
    fn time(&mut self, m: &Version) -> Result<Option<UtcTime>, String> {
        match self.times.get(m) {
            Some(r) => r.clone(),
            None => {
                self.time_misses.push(m.clone());
                Err(format!("{m}.info: not fetched yet"))
            }
        }
    }
}
