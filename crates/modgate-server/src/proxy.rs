//! The protocol endpoints over HTTP: a module or checksum-database request goes to
//! the cache (`modgate-cache`, which decides what is served, fetched, verified and
//! stored), and its answer or error becomes a response here.
//!
//! * Immutable files (canonical `.info`/`.mod`/`.zip`, lookups, tiles) are served
//!   with `Cache-Control: public, max-age=31536000, immutable`; mutable ones (lists,
//!   `@latest`, queries, the database's `latest`) with their freshness.
//! * An answer the cache took from storage because the upstreams failed carries
//!   `X-Modgate-Upstream: unavailable`.
//! * Vulnerability-database files (`/vuln/…`) are mutable, served with the lists'
//!   freshness.
//! * `Disable-Module-Fetch: true` (the go command's header for GOFLAGS=-mod=mod
//!   builds that must not fetch) keeps the request to storage.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use modgate_cache::{Answer, Cache, CacheError, FailureKind, Fetching, Origin};

use crate::metrics::Metrics;
use crate::request::{ModuleFile, ModuleRequest, Rejection, SumdbFile, SumdbRequest, VulnRequest};
use crate::respond;

/// Cache-Control of immutable files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The header marking answers served from storage during an upstream failure.
pub const UPSTREAM_HEADER: &str = "x-modgate-upstream";

/// What a request got, for logs and metrics.
pub struct Served {
    pub response: Response,
    pub endpoint: &'static str,
    /// `hit`, `miss`, `stale`, `unavailable`, `offline`, `negative` or `-`.
    pub cache: &'static str,
}

/// The proxy: the cache, and what the HTTP side needs besides.
pub struct Proxy {
    pub(crate) cache: Arc<Cache>,
    pub(crate) metrics: Arc<Metrics>,
    /// Who may read what; checked in `crate::route` before anything here runs.
    pub(crate) access: crate::access::Access,
    /// Small immutable answers kept whole, answered before routing.
    pub(crate) ready: crate::ready::Ready,
}

impl Proxy {
    pub fn new(cache: Arc<Cache>, metrics: Arc<Metrics>) -> Proxy {
        Proxy {
            cache,
            metrics,
            access: crate::access::Access::default(),
            ready: crate::ready::Ready::default(),
        }
    }

    /// Replaces the access rules (default: no tokens, everything open).
    pub fn with_access(mut self, access: crate::access::Access) -> Proxy {
        self.access = access;
        self
    }

    fn short_cc(&self) -> String {
        format!(
            "public, max-age={}",
            self.cache.options().fresh_for.as_secs()
        )
    }

    /// The response for an error of the cache.
    fn error(&self, e: &CacheError) -> Response {
        let status = status_of(e);
        let cc = if status == StatusCode::NOT_FOUND {
            format!(
                "public, max-age={}",
                self.cache.options().negative_ttl.as_secs()
            )
        } else {
            "no-store".to_owned()
        };
        respond::text(status, &e.to_string(), &cc)
    }

    /// Serves a module request.
    pub async fn module(&self, method: &Method, headers: &HeaderMap, req: ModuleRequest) -> Served {
        let endpoint = req.endpoint();
        let fetching = if headers
            .get("disable-module-fetch")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
        {
            Fetching::Disabled
        } else {
            Fetching::Allowed
        };
        let cc = if req.immutable() {
            IMMUTABLE.to_owned()
        } else {
            self.short_cc()
        };
        let content_type = content_type(&req.file);
        match self.cache.module(&req, fetching).await {
            Ok(answer) => {
                let origin = answer.origin();
                let response = self
                    .answer(method, headers, answer, content_type, &cc)
                    .await;
                Served {
                    response,
                    endpoint,
                    cache: origin.label(),
                }
            }
            Err(e) => Served {
                response: self.error(&e),
                endpoint,
                cache: match e {
                    CacheError::NotFound {
                        remembered: true, ..
                    } => "negative",
                    _ if self.cache.options().offline => "offline",
                    _ => "miss",
                },
            },
        }
    }

    async fn answer(
        &self,
        method: &Method,
        headers: &HeaderMap,
        answer: Answer,
        content_type: &'static str,
        cc: &str,
    ) -> Response {
        let origin = answer.origin();
        let mut response = match answer {
            Answer::Stored {
                key, meta, body, ..
            } => {
                respond::stored(
                    method,
                    headers,
                    &self.cache,
                    &key,
                    &meta,
                    body,
                    content_type,
                    cc,
                )
                .await
            }
            Answer::Computed { data, .. } => {
                respond::bytes(method, headers, data, content_type, cc)
            }
        };
        if origin == Origin::Unavailable {
            response
                .headers_mut()
                .insert(UPSTREAM_HEADER, HeaderValue::from_static("unavailable"));
        }
        response
    }

    /// Serves a checksum-database request.
    pub async fn sumdb(&self, method: &Method, headers: &HeaderMap, req: SumdbRequest) -> Served {
        let endpoint = "sumdb";
        let plain = |status, msg: &str, cc: &str| Served {
            response: respond::text(status, msg, cc),
            endpoint,
            cache: "-",
        };
        if self.cache.sumdb_name() != Some(req.name.as_str()) {
            return plain(
                StatusCode::NOT_FOUND,
                &format!(
                    "not found: checksum database {} is not proxied here",
                    req.name
                ),
                "no-store",
            );
        }
        let (immutable, content_type) = match &req.file {
            SumdbFile::Supported => {
                return plain(StatusCode::OK, "", "public, max-age=3600");
            }
            SumdbFile::Latest => (false, "text/plain; charset=utf-8"),
            SumdbFile::Lookup { .. } => (true, "text/plain; charset=utf-8"),
            SumdbFile::Tile { rest } if rest.split('/').nth(1) == Some("data") => {
                (true, "text/plain; charset=utf-8")
            }
            SumdbFile::Tile { .. } => (true, "application/octet-stream"),
        };
        let cc = if immutable {
            IMMUTABLE.to_owned()
        } else {
            format!(
                "public, max-age={}",
                self.cache.options().sumdb_latest_fresh_for.as_secs()
            )
        };
        match self.cache.sumdb(&req).await {
            Ok(answer) => {
                let cache = answer.origin().label();
                Served {
                    response: self
                        .answer(method, headers, answer, content_type, &cc)
                        .await,
                    endpoint,
                    cache,
                }
            }
            // A private path refused before anything was asked.
            Err(e @ CacheError::Forbidden(_)) => plain(status_of(&e), &e.to_string(), "no-store"),
            Err(e) => Served {
                response: self.error(&e),
                endpoint,
                cache: "miss",
            },
        }
    }
}

impl Proxy {
    /// Serves a vulnerability-database file. The `.json.gz` files are served as
    /// gzip data, not with `Content-Encoding`: govulncheck unpacks them itself.
    pub async fn vuln(&self, method: &Method, headers: &HeaderMap, req: VulnRequest) -> Served {
        let endpoint = "vuln";
        let content_type = if req.gzip {
            "application/gzip"
        } else {
            "application/json"
        };
        match self.cache.vuln(&req).await {
            Ok(answer) => {
                let cache = answer.origin().label();
                let cc = self.short_cc();
                Served {
                    response: self
                        .answer(method, headers, answer, content_type, &cc)
                        .await,
                    endpoint,
                    cache,
                }
            }
            Err(e) => Served {
                response: self.error(&e),
                endpoint,
                cache: if self.cache.options().offline {
                    "offline"
                } else {
                    "miss"
                },
            },
        }
    }
}

/// The status code of each kind of cache error: the one place they are decided.
pub fn status_of(e: &CacheError) -> StatusCode {
    match e {
        CacheError::NotFound { .. } => StatusCode::NOT_FOUND,
        CacheError::InvalidRequest(modgate_cache::RequestError::NotFound(_)) => {
            StatusCode::NOT_FOUND
        }
        CacheError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
        CacheError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ if e.is_timeout() => StatusCode::GATEWAY_TIMEOUT,
        CacheError::Unavailable(_)
        | CacheError::Refused { .. }
        | CacheError::Verify(_)
        | CacheError::Sumdb(_) => StatusCode::BAD_GATEWAY,
        CacheError::Storage(_)
        | CacheError::Corrupt { .. }
        | CacheError::Abandoned(_)
        | CacheError::Replica {
            kind: FailureKind::Internal,
            ..
        } => StatusCode::INTERNAL_SERVER_ERROR,
        // Unavailable or refused in the replica that fetched (timeouts are above).
        CacheError::Replica { .. } => StatusCode::BAD_GATEWAY,
    }
}

fn content_type(file: &ModuleFile) -> &'static str {
    match file {
        ModuleFile::List | ModuleFile::Mod { .. } => "text/plain; charset=utf-8",
        ModuleFile::Latest | ModuleFile::Info { .. } => "application/json",
        ModuleFile::Zip { .. } => "application/zip",
    }
}

/// A short plain-text refusal of a bad request path.
pub fn rejection(r: &Rejection) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    respond::text(status, &r.reason, "no-store")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_published_by_another_replica_keeps_its_status() {
        let replica = |kind| CacheError::Replica {
            kind,
            message: "m".into(),
        };
        assert_eq!(
            status_of(&replica(FailureKind::Timeout)),
            StatusCode::GATEWAY_TIMEOUT
        );
        assert_eq!(
            status_of(&replica(FailureKind::Unavailable)),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            status_of(&replica(FailureKind::Refused)),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            status_of(&replica(FailureKind::Internal)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        // The kind a leader publishes is the one its own error maps to.
        let refused = CacheError::Refused {
            upstream: "u".into(),
            reason: "r".into(),
        };
        assert_eq!(
            status_of(&replica(refused.failure_kind())),
            status_of(&refused)
        );
    }
}
