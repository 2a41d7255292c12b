//! A [`Cache`](crate::Cache)'s parts from settings: the routed upstream lists, the
//! checksum database reached the way go reaches it (through each proxy's `/sumdb/`
//! first, then directly), and the verifier. `modgate serve` and the project commands
//! (`modgate warm`, ...) both assemble their cache here, so they fetch and verify alike.
//!
//! Offline, the upstreams are never called, so no usable list is required.

use std::sync::Arc;

use modgate_core::goenv::gosumdb::{self, SumdbConfig};
use modgate_storage::Storage;
use modgate_upstream::{BreakerSettings, Client, Route, Routes, UpstreamList, UpstreamSpec};

use crate::sumdb::{SumdbClient, SumdbFiles, SumdbRoute, SumdbWay};
use crate::tree::{StoredTree, TreeStore};
use crate::verify::{ChecksumDb, Verifier};
use crate::{Options, Parts};

/// Where modules and checksums come from, in the go command's syntax.
#[derive(Debug, Clone, Default)]
pub struct Upstreams {
    /// The default upstream list (GOPROXY syntax).
    pub upstream: String,
    /// Paths sent elsewhere, first match wins.
    pub routes: Vec<RouteSpec>,
    /// GOPRIVATE-syntax patterns of private paths (never sent to a route not
    /// marked private, never looked up in the checksum database).
    pub private: String,
    /// The checksum database (GOSUMDB syntax; `off`: none).
    pub sumdb: String,
    /// Paths not verified against the checksum database (GONOSUMDB syntax).
    pub nosumdb: String,
}

/// One routing rule.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    /// GOPRIVATE-syntax patterns.
    pub pattern: String,
    /// Its upstream list (GOPROXY syntax).
    pub upstream: String,
    /// Whether private paths may be sent to it.
    pub private: bool,
}

/// A setting that cannot be used, named.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct AssembleError(pub String);

/// Chooses the store of a checksum database's trusted tree, given the database's
/// name and the default store (an object in `storage`): the seam where replicas
/// share one tree (see [`crate::tree`]).
pub type TreeStores<'a> = &'a dyn Fn(&str, Arc<StoredTree>) -> Arc<dyn TreeStore>;

/// The parts of a cache over `storage`, fetching with `client`.
pub fn parts(
    storage: Arc<dyn Storage>,
    client: Client,
    up: &Upstreams,
    options: Options,
) -> Result<Parts, AssembleError> {
    parts_with_tree(storage, client, up, options, &|_, stored| stored)
}

/// [`parts`], with the trusted tree kept where `tree` says.
pub fn parts_with_tree(
    storage: Arc<dyn Storage>,
    client: Client,
    up: &Upstreams,
    options: Options,
    tree: TreeStores<'_>,
) -> Result<Parts, AssembleError> {
    let offline = options.offline;
    let breaker = client.breaker_settings();
    let parse = |spec: &str| -> Result<UpstreamList, AssembleError> {
        if offline {
            UpstreamList::from_specs(vec![(UpstreamSpec::Off, false)], breaker)
        } else {
            UpstreamList::parse(spec, breaker)
        }
        .map_err(|e| AssembleError(e.0))
    };
    let default = parse(&up.upstream)?;
    let mut routes = Vec::new();
    for r in &up.routes {
        routes.push(Route {
            pattern: r.pattern.clone(),
            upstreams: parse(&r.upstream)
                .map_err(|e| AssembleError(format!("route {:?}: {}", r.pattern, e.0)))?,
            private: r.private,
        });
    }
    let routes =
        Routes::new(default.clone(), routes, up.private.clone()).map_err(|e| AssembleError(e.0))?;

    let sumdb = gosumdb::parse(&up.sumdb)
        .map_err(|e| AssembleError(format!("sumdb {:?}: {e}", up.sumdb)))?;
    let (db, files): (Option<Arc<dyn ChecksumDb>>, Option<Arc<SumdbFiles>>) = match &sumdb {
        SumdbConfig::Off => (None, None),
        SumdbConfig::On { name, key, url } => {
            let route = sumdb_route(name, url.as_deref(), &default, offline, breaker)?;
            let files = Arc::new(SumdbFiles::new(
                name.clone(),
                storage.clone(),
                client.clone(),
                route,
                offline,
                options.sumdb_latest_fresh_for,
            ));
            let tree_key = crate::keys::trusted_tree(name)
                .map_err(|e| AssembleError(format!("sumdb {name:?}: {e}")))?;
            let tree = tree(name, Arc::new(StoredTree::new(storage.clone(), tree_key)));
            let db = SumdbClient::new(files.clone(), key, tree)
                .map_err(|e| AssembleError(format!("checksum database key {key:?}: {e}")))?;
            (Some(Arc::new(db)), Some(files))
        }
    };
    // Private paths are never looked up, whatever the nosumdb patterns say.
    let nosumdb = [up.nosumdb.as_str(), up.private.as_str()]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(",");
    let verifier = Verifier::new(db, nosumdb);
    Ok(Parts {
        storage,
        client,
        routes,
        options,
        verifier,
        sumdb: files,
    })
}

/// The ways to the checksum database (see [`crate::sumdb`]): each proxy upstream
/// up to the first `direct` or `off`, then the database's own URL (GOSUMDB's, else
/// `https://<name>`). Offline, none.
fn sumdb_route(
    name: &str,
    url: Option<&str>,
    upstreams: &UpstreamList,
    offline: bool,
    breaker: BreakerSettings,
) -> Result<SumdbRoute, AssembleError> {
    let one = |u: String, prefix: String| {
        UpstreamList::from_specs(vec![(UpstreamSpec::Url(u), false)], breaker)
            .map(|list| SumdbWay { list, prefix })
            .map_err(|e| AssembleError(format!("sumdb: {}", e.0)))
    };
    if offline {
        return Ok(SumdbRoute {
            proxies: Vec::new(),
            direct: SumdbWay {
                list: UpstreamList::from_specs(vec![(UpstreamSpec::Off, false)], breaker)
                    .map_err(|e| AssembleError(e.0))?,
                prefix: String::new(),
            },
        });
    }
    let mut proxies = Vec::new();
    for e in &upstreams.entries {
        let base = match e.upstream.as_ref() {
            modgate_upstream::Upstream::Http { base, .. } => {
                base.as_str().trim_end_matches('/').to_owned()
            }
            modgate_upstream::Upstream::File { root, .. } => {
                format!("file://{}", root.display())
            }
            modgate_upstream::Upstream::Direct | modgate_upstream::Upstream::Off => break,
        };
        // The proxy's own root with a path prefix: a file:// tree is then judged
        // present or unmounted by its root, as for modules.
        proxies.push((
            one(base, format!("sumdb/{name}/"))?,
            e.fallback_on_any_error,
        ));
    }
    let direct = one(
        url.map_or_else(|| format!("https://{name}"), str::to_owned),
        String::new(),
    )?;
    Ok(SumdbRoute { proxies, direct })
}
