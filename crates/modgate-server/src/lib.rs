//! # modgate-server: `modgate serve`, a caching, verifying, offline-capable Go module proxy
//!
//! One axum handler answers everything (module paths contain arbitrary slashes, so the
//! path is parsed by [`request`] rather than by a route table):
//!
//! | path | answer |
//! |---|---|
//! | `/<module>/@v/list`, `/@v/<v>.info`, `.mod`, `.zip`, `/<module>/@latest` | the GOPROXY protocol ([`proxy`]) |
//! | `/sumdb/<name>/supported`, `latest`, `lookup/…`, `tile/…` | the checksum-database proxy |
//! | `/vuln/index/{db,modules,vulns}.json[.gz]`, `/vuln/ID/<id>.json[.gz]` | the vulnerability-database mirror |
//! | `/healthz` | 200 while the process runs |
//! | `/readyz` | 200 when storage accepts writes, else 503 |
//! | `/metrics` | Prometheus metrics ([`metrics`]) |
//!
//! Only GET and HEAD are answered (405 otherwise). Every request is logged as one
//! line with its timing, cache result and the name of the token it carried (never
//! the secret, never the `Authorization` header), and counted. Who may read what
//! ([`access`]) is decided from the path and the credentials before any storage or
//! upstream access.
//!
//! This crate is HTTP only: [`access`] (inbound tokens), [`request`] (URL path to
//! protocol request), [`proxy`] (a request to the cache, its answer or error to a
//! response: statuses are decided in [`proxy::status_of`]), [`respond`] (validators,
//! Range, HEAD), [`ready`] (answers kept whole and sent again before routing),
//! [`metrics`], [`logwriter`], [`server`] (assembly from [`config`]).
//! What is served, fetched, verified and stored is `modgate-cache`'s business.

pub mod access;
pub mod accesslog;
pub mod config;
pub mod logwriter;
pub mod metrics;
pub mod proxy;
pub mod ready;
pub mod request;
pub mod respond;
pub mod scrub;
pub mod sendfile;
pub mod server;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;

use crate::access::{Caller, Decision};
use crate::metrics::{EndpointLabels, RequestLabels};
use crate::proxy::{Proxy, Served};

pub use modgate_cache::Options;
pub use server::{build, init_logging, run, shutdown_signal};

/// The axum application for `proxy`.
pub fn app(proxy: Arc<Proxy>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(proxy)
}

/// What one connection may buffer for writing (and for reading a request
/// head). hyper's default lets an HTTP/1 connection queue about 400 KiB of a body
/// ahead of a slow client, and HTTP/2 1 MiB per stream: with hundreds of clients
/// downloading zips that, not the data, is the memory. 64 KiB keeps a connection
/// to one or two reads of the file ahead of the socket.
pub const CONN_BUFFER: usize = 64 * 1024;

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests
/// (and the downloads they wait on) finish: each connection completes the request
/// it is answering and then closes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    proxy: Arc<Proxy>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use futures_util::future::Either;
    use hyper::body::Incoming;
    use hyper_util::rt::{TokioExecutor, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use std::convert::Infallible;
    use tower::ServiceExt;

    let app = app(proxy.clone());
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .max_buf_size(CONN_BUFFER)
        // Body buffers reach the connection's writer as they are, never copied
        // into one buffer: `sendfile` depends on it.
        .writev(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_send_buf_size(CONN_BUFFER);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY, a response whose body is written after its headers
        // (every streamed file) waits for the client's delayed ACK: about 40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "setting TCP_NODELAY");
        }
        let (io, handle) = sendfile::Io::new(tcp);
        let (app, proxy) = (app.clone(), proxy.clone());
        // A kept response (`ready`) goes out before routing; anything else goes
        // to the router, its request marked as sendfile-capable.
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            if let Some(r) = proxy.ready.answer(&proxy, &req) {
                return Either::Left(std::future::ready(Ok::<_, Infallible>(r)));
            }
            req.extensions_mut().insert(handle.clone());
            Either::Right(app.clone().oneshot(req))
        });
        let conn = builder.serve_connection(io, service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A failed `accept`: a connection that went away before it was accepted is
/// nothing; anything else (out of file descriptors) is logged and waited out
/// briefly instead of spinning.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection");
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
}

async fn handle(State(proxy): State<Arc<Proxy>>, req: Request<Body>) -> Response {
    let start = Instant::now();
    // Taken apart, not cloned: the body is never read (GET and HEAD only).
    let (parts, _body) = req.into_parts();
    let (method, headers) = (parts.method, parts.headers);
    let sendfile = parts.extensions.get::<sendfile::Handle>();
    let path = parts.uri.path();
    let caller = proxy.access.caller(&headers);
    let served = if method != Method::GET && method != Method::HEAD {
        Served {
            response: respond::method_not_allowed(),
            endpoint: "other",
            cache: "-",
        }
    } else {
        route(&proxy, &method, &headers, path, caller).await
    };
    let mut served = served;
    proxy
        .ready
        .keep(&proxy, &method, path, &headers, &mut served);
    if sendfile::attach(&mut served.response, sendfile, parts.version, &method) {
        proxy.metrics.sendfile_responses.inc();
    }
    let status = served.response.status();
    let bytes = served
        .response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|_| method == Method::GET && status.is_success())
        .unwrap_or(0);
    proxy
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            endpoint: served.endpoint,
            status: status.as_u16(),
        })
        .inc();
    if bytes > 0 {
        proxy
            .metrics
            .bytes_served
            .get_or_create(&EndpointLabels {
                endpoint: served.endpoint,
            })
            .inc_by(bytes);
    }
    accesslog::log(&accesslog::Line {
        method: method.as_str(),
        path,
        status: status.as_u16(),
        endpoint: served.endpoint,
        cache: served.cache,
        token: proxy.access.label(caller),
        bytes,
        // Whole microseconds, so the field prints as e.g. 0.455.
        micros: start.elapsed().as_micros(),
    });
    served.response
}

async fn route(
    proxy: &Arc<Proxy>,
    method: &Method,
    headers: &axum::http::HeaderMap,
    path: &str,
    caller: Caller,
) -> Served {
    let plain = |endpoint, status, msg: &str| Served {
        response: respond::text(status, msg, "no-store"),
        endpoint,
        cache: "-",
    };
    let access = &proxy.access;
    match path {
        "/healthz" => return plain("healthz", StatusCode::OK, "ok"),
        "/readyz" => {
            return match proxy.cache.storage().check_writable().await {
                Ok(()) => plain("readyz", StatusCode::OK, "ready"),
                Err(e) => plain(
                    "readyz",
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("not ready: {e}"),
                ),
            };
        }
        "/metrics" => {
            if access.other(caller) != Decision::Allow {
                return denied(proxy, "metrics", Decision::Unauthorized, None);
            }
            let body = proxy.metrics.encode();
            let response = Response::builder()
                .header(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )
                .header(header::CACHE_CONTROL, "no-store")
                .body(Body::from(body))
                .unwrap_or_default();
            return Served {
                response,
                endpoint: "metrics",
                cache: "-",
            };
        }
        _ => {}
    }
    match request::parse(path) {
        Ok(request::Request::Module(m)) => {
            let decision = access.module(caller, &m.path);
            if decision != Decision::Allow {
                return denied(proxy, m.endpoint(), decision, Some(&m));
            }
            let personal = access.personal(&m.path);
            let mut served = proxy.module(method, headers, m).await;
            if personal {
                keep_out_of_shared_caches(&mut served.response);
            }
            served
        }
        Ok(request::Request::Sumdb(s)) => {
            if access.other(caller) != Decision::Allow {
                return denied(proxy, "sumdb", Decision::Unauthorized, None);
            }
            proxy.sumdb(method, headers, s).await
        }
        Ok(request::Request::Vuln(v)) => {
            if access.other(caller) != Decision::Allow {
                return denied(proxy, "vuln", Decision::Unauthorized, None);
            }
            proxy.vuln(method, headers, v).await
        }
        Err(_) if access.other(caller) != Decision::Allow => {
            denied(proxy, "invalid", Decision::Unauthorized, None)
        }
        Err(r) => Served {
            response: proxy::rejection(&r),
            endpoint: "invalid",
            cache: "-",
        },
    }
}

/// The answer to a request its credentials do not allow. A hidden module gets a
/// 404 made from the request path alone, so a module that exists and one that does
/// not are answered byte for byte alike; `no-store` keeps the refusal out of any
/// cache, where it could otherwise be served to someone who may read the module.
fn denied(
    proxy: &Proxy,
    endpoint: &'static str,
    decision: Decision,
    module: Option<&request::ModuleRequest>,
) -> Served {
    let response = match (decision, module) {
        (Decision::Hidden, Some(m)) => {
            proxy.metrics.access_denied("hidden");
            let what = match m.version() {
                Some(v) => format!("{}@{v}", m.path),
                None => m.path.clone(),
            };
            respond::text(
                StatusCode::NOT_FOUND,
                &format!("not found: {what}"),
                "no-store",
            )
        }
        _ => {
            proxy.metrics.access_denied("unauthorized");
            let mut r = respond::text(
                StatusCode::UNAUTHORIZED,
                "unauthorized: this proxy needs a token (HTTP Basic with the token as password, e.g. from .netrc, or Authorization: Bearer)",
                "no-store",
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"modgate\""),
            );
            r
        }
    };
    Served {
        response,
        endpoint,
        cache: "-",
    }
}

/// Answers that depend on the caller's token must not be kept by shared caches
/// (RFC 9111 §5.2.2.7): `public` becomes `private`.
fn keep_out_of_shared_caches(response: &mut Response) {
    let Some(cc) = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if !cc.split(',').any(|d| d.trim() == "public") {
        return;
    }
    let cc = cc
        .split(',')
        .map(|d| {
            if d.trim() == "public" {
                "private"
            } else {
                d.trim()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(v) = header::HeaderValue::from_str(&cc) {
        response.headers_mut().insert(header::CACHE_CONTROL, v);
    }
}
