//! Ready responses: small module answers kept whole and answered before routing.
//!
//! A request for a stored `.info` or `.mod` costs about 20 µs of CPU here, and
//! about 8 µs of that is the route to the answer: the axum router, parsing and
//! checking the module path, the access rules, the cache's in-memory lookup, and
//! building the headers. The bytes are already in memory (`modgate-cache`'s hot
//! copies). So a whole `200` for such a file is kept here, headers and body, under
//! its request path, and later plain GETs of that path get a copy of it straight
//! from the connection's service (a fresh `Date` from hyper), logged and counted
//! as the normal path would.
//!
//! Kept: whole `200` answers to a GET of a public module path (never a private
//! module's answer, which is `Cache-Control: private`), of at most [`MAX_BODY`]
//! bytes, answered from the cache's memory (not a fill: a file asked once is not
//! kept), not served during an upstream outage, that are either
//! * immutable (`Cache-Control` exactly [`IMMUTABLE`]: canonical versions), which
//!   never change, or
//! * mutable answers made from the cache's memory (a fresh `@v/list`, `@latest` or
//!   query; offline, a list of the stored versions), kept while the cache says it
//!   would still give the same bytes ([`modgate_cache::Cache::is_current`], checked
//!   on every request), so they are served exactly as long as the routed path would
//!   serve them.
//!
//! Answered here: a GET with none of `Range`, `If-None-Match`,
//! `If-Modified-Since` (nor, for mutable answers, `Disable-Module-Fetch`), from a
//! caller the access rules allow to read the module (checked on every request).
//! Everything else (HEAD, conditional and range requests, a caller without access)
//! takes the normal path, which answers it from the same source.
//!
//! The budget ([`CAPACITY`], counted in body bytes plus overhead) evicts the least
//! used. The bodies are mostly the same `Bytes` as the cache's in-memory copies,
//! so an entry mostly costs its headers.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use prometheus_client::metrics::counter::Counter;

use modgate_cache::reuse::Source;

use crate::access::Decision;
use crate::metrics::{CacheLabels, EndpointLabels, RequestLabels};
use crate::proxy::{IMMUTABLE, Proxy, Served, UPSTREAM_HEADER};

/// Bytes of kept responses (bodies plus [`OVERHEAD`] each).
pub const CAPACITY: u64 = 16 << 20;

/// Larger bodies are never kept (the cache's in-memory limit).
pub const MAX_BODY: usize = modgate_cache::hot::MAX_ENTRY as usize;

/// The go command's header for builds that must not fetch (see `crate::proxy`).
const DISABLE_FETCH: &str = "disable-module-fetch";

/// What an entry costs besides its body: its headers (about 1 KiB: six header
/// buckets and their owned values), the entry, its path and module path, and the
/// cache's slot. Counted in full, so that the budget is about the memory: with
/// 512 here, `bench/soak` (many `.mod` files of a few dozen bytes kept) levelled
/// off at 108-110 MB of RSS; with 1536, at 90-94 MB.
const OVERHEAD: u64 = 1536;

/// A response extension from [`crate::respond`]: the body of this `200` is the
/// whole stored object, these bytes.
#[derive(Clone)]
pub struct WholeBody(pub Bytes);

/// One kept response.
struct Entry {
    headers: HeaderMap,
    body: Bytes,
    endpoint: &'static str,
    /// The cache result logged: `hit`, or `offline` for an offline list.
    cache: &'static str,
    /// The module path, for the access rules.
    module: String,
    /// A mutable answer's source in the cache, which must still be current.
    source: Option<Source>,
    /// The counters the normal path would increment, resolved once.
    requests: Counter,
    cache_hits: Counter,
    bytes: Counter,
}

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<String, Arc<Entry>> for Weigh {
    fn weight(&self, path: &String, e: &Arc<Entry>) -> u64 {
        e.body.len() as u64 + path.len() as u64 + OVERHEAD
    }
}

/// The kept responses.
pub struct Ready {
    kept: quick_cache::sync::Cache<String, Arc<Entry>, Weigh>,
}

impl Default for Ready {
    fn default() -> Self {
        Ready::new(CAPACITY)
    }
}

impl Ready {
    /// At most `capacity` bytes of responses.
    pub fn new(capacity: u64) -> Ready {
        let items = modgate_cache::hot::estimated_items(capacity);
        Ready {
            kept: quick_cache::sync::Cache::with_weighter(items, capacity.max(1), Weigh),
        }
    }

    /// The kept response for `req`, when it has one and the request may have it.
    pub fn answer<B>(&self, proxy: &Proxy, req: &Request<B>) -> Option<Response> {
        if req.method() != Method::GET {
            return None;
        }
        let headers = req.headers();
        if headers.contains_key(header::RANGE)
            || headers.contains_key(header::IF_NONE_MATCH)
            || headers.contains_key(header::IF_MODIFIED_SINCE)
        {
            return None;
        }
        let path = req.uri().path();
        let entry = self.kept.get(path)?;
        let start = std::time::Instant::now();
        if let Some(source) = &entry.source
            && (headers.contains_key(DISABLE_FETCH) || !proxy.cache.is_current(source))
        {
            return None;
        }
        let caller = proxy.access.caller(headers);
        if proxy.access.module(caller, &entry.module) != Decision::Allow {
            return None;
        }
        let mut response = Response::new(Body::from(entry.body.clone()));
        *response.headers_mut() = entry.headers.clone();
        entry.requests.inc();
        entry.cache_hits.inc();
        entry.bytes.inc_by(entry.body.len() as u64);
        proxy.metrics.ready_responses.inc();
        crate::accesslog::log(&crate::accesslog::Line {
            method: "GET",
            path,
            status: 200,
            endpoint: entry.endpoint,
            cache: entry.cache,
            token: proxy.access.label(caller),
            bytes: entry.body.len() as u64,
            micros: start.elapsed().as_micros(),
        });
        Some(response)
    }

    /// Keeps the response `served` gave a GET of `path` with `headers` when it
    /// qualifies (see the module's description); takes its [`WholeBody`] mark
    /// either way.
    pub fn keep(
        &self,
        proxy: &Proxy,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        served: &mut Served,
    ) {
        let Some(WholeBody(body)) = served.response.extensions_mut().remove::<WholeBody>() else {
            return;
        };
        let r = &served.response;
        let cc = r.headers().get(header::CACHE_CONTROL).map(|v| v.as_bytes());
        // Answered from memory already (`hit`; offline lists: `offline`): a file
        // asked once (a fill, `miss`) is not worth keeping twice.
        if !matches!(served.cache, "hit" | "offline")
            || method != Method::GET
            || r.status() != StatusCode::OK
            || body.len() > MAX_BODY
            || !cc.is_some_and(|cc| cc.starts_with(b"public,"))
            || r.headers().contains_key(UPSTREAM_HEADER)
            || self
                .kept
                .get(path)
                .is_some_and(|e| e.source.as_ref().is_none_or(|s| proxy.cache.is_current(s)))
        {
            return;
        }
        let Ok(crate::request::Request::Module(m)) = crate::request::parse(path) else {
            return;
        };
        if proxy.access.personal(&m.path) {
            return;
        }
        let (source, cache) = if m.immutable() {
            if cc != Some(IMMUTABLE.as_bytes()) {
                return;
            }
            (None, "hit")
        } else {
            if headers.contains_key(DISABLE_FETCH) {
                return;
            }
            match proxy.cache.source_of(&m, &body) {
                Some(s) => (Some(s), served.cache),
                None => return,
            }
        };
        let metrics = &proxy.metrics;
        let endpoint = served.endpoint;
        let entry = Entry {
            headers: r.headers().clone(),
            body,
            endpoint,
            cache,
            module: m.path,
            source,
            requests: metrics
                .requests
                .get_or_create(&RequestLabels {
                    endpoint,
                    status: 200,
                })
                .clone(),
            cache_hits: metrics
                .cache
                .get_or_create(&CacheLabels {
                    endpoint,
                    result: cache,
                })
                .clone(),
            bytes: metrics
                .bytes_served
                .get_or_create(&EndpointLabels { endpoint })
                .clone(),
        };
        self.kept.insert(path.to_owned(), Arc::new(entry));
    }
}
