//! The HTTP side of `cpitop serve` (hyper 1, HTTP/1.1): `GET /metrics`, `/events` (WebSocket,
//! or Server-Sent Events for `Accept: text/event-stream`), `/healthz`, `/readyz`, `/`.
//!
//! Authentication: with a token configured, every endpoint but `/healthz` wants
//! `Authorization: Bearer <token>` (compared in constant time); without it the answer is 401.
//! Scrapes encode what the pollers hold and never call a tenant.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_util::sync::CancellationToken;

use super::events::{self, Hub, Next};
use super::metrics::{Fleet, Format};
use crate::config::serve::EventsConfig;
use crate::secret::Secret;

type Body = BoxBody<Bytes, Infallible>;

/// How often an idle `/events` connection is pinged (WebSocket) or sent a comment (SSE).
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Everything a request may need.
pub struct App {
    pub fleet: Arc<Fleet>,
    pub hub: Hub,
    pub registry: Registry,
    pub token: Option<Secret>,
    pub events: EventsConfig,
    /// Scrapes served (for the logs and tests).
    pub scrapes: AtomicU64,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

/// Accept connections until `shutdown`; then every connection is closed (WebSocket clients get
/// a Close frame first).
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: CancellationToken) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            acc = listener.accept() => match acc {
                Ok((stream, _)) => {
                    let app = app.clone();
                    let kill = shutdown.child_token();
                    conns.spawn(async move {
                        let k = kill.clone();
                        let svc = service_fn(move |req| handle(app.clone(), req, k.clone()));
                        let conn = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .with_upgrades();
                        tokio::select! {
                            r = conn => if let Err(e) = r {
                                tracing::debug!(error = %e, "serve: connection ended");
                            },
                            _ = kill.cancelled() => {}
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "serve: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

fn full(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).boxed());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    full(status, "text/plain; charset=utf-8", body)
}

fn json(status: StatusCode, v: &serde_json::Value) -> Response<Body> {
    full(
        status,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

/// Equal, in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn authorized(app: &App, req: &Request<Incoming>) -> bool {
    let Some(token) = &app.token else {
        return true;
    };
    let Some(v) = req.headers().get(header::AUTHORIZATION) else {
        return false;
    };
    let v = v.as_bytes();
    let scheme = b"bearer ";
    v.len() > scheme.len()
        && v[..scheme.len()].eq_ignore_ascii_case(scheme)
        && same(v[scheme.len()..].trim_ascii(), token.expose().as_bytes())
}

const INDEX: &str = "cpitop serve\n\n\
GET /metrics   OpenMetrics (or Prometheus text 0.0.4) of every served tenant\n\
GET /events    live events: WebSocket, or Server-Sent Events with Accept: text/event-stream\n\
GET /healthz   the process is up\n\
GET /readyz    every tenant has been polled once\n";

async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
    kill: CancellationToken,
) -> Result<Response<Body>, Infallible> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "only GET\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(r);
    }
    let path = req.uri().path().to_string();
    if path == "/healthz" {
        return Ok(text(StatusCode::OK, "ok\n"));
    }
    if !authorized(&app, &req) {
        let mut r = text(
            StatusCode::UNAUTHORIZED,
            "a bearer token is required: Authorization: Bearer <token>\n",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"cpitop\""),
        );
        return Ok(r);
    }
    Ok(match path.as_str() {
        "/metrics" => metrics(app, &req).await,
        "/readyz" => ready(&app),
        "/events" => events_endpoint(app, req, kill),
        "/" => text(StatusCode::OK, INDEX),
        _ => text(StatusCode::NOT_FOUND, "not found; see /\n"),
    })
}

async fn metrics(app: Arc<App>, req: &Request<Incoming>) -> Response<Body> {
    let format = Format::negotiate(req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    // Encoding a large fleet takes milliseconds: off the async workers.
    let a = app.clone();
    let body = tokio::task::spawn_blocking(move || super::metrics::encode(&a.registry, format)).await;
    app.scrapes.fetch_add(1, Ordering::Relaxed);
    match body {
        Ok(Ok(b)) => full(StatusCode::OK, format.content_type(), b),
        _ => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "metrics could not be encoded\n",
        ),
    }
}

fn ready(app: &App) -> Response<Body> {
    let waiting: Vec<serde_json::Value> = app
        .fleet
        .tenants
        .iter()
        .filter_map(|t| {
            let h = t.read();
            let pending: Vec<&str> = super::state::Resource::ALL
                .iter()
                .filter(|r| h.poll(**r).polls == 0)
                .map(|r| r.as_str())
                .collect();
            (!pending.is_empty())
                .then(|| serde_json::json!({ "tenant": &*t.name, "not_polled_yet": pending }))
        })
        .collect();
    if waiting.is_empty() {
        json(StatusCode::OK, &serde_json::json!({ "ready": true }))
    } else {
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({ "ready": false, "waiting": waiting }),
        )
    }
}

fn header_has(req: &Request<Incoming>, name: header::HeaderName, token: &str) -> bool {
    req.headers().get_all(name).iter().any(|v| {
        v.to_str()
            .map(|s| s.split(',').any(|p| p.trim().eq_ignore_ascii_case(token)))
            .unwrap_or(false)
    })
}

fn events_endpoint(app: Arc<App>, mut req: Request<Incoming>, kill: CancellationToken) -> Response<Body> {
    let websocket =
        header_has(&req, header::CONNECTION, "upgrade") && header_has(&req, header::UPGRADE, "websocket");
    if websocket {
        let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
            return text(StatusCode::BAD_REQUEST, "Sec-WebSocket-Key missing\n");
        };
        if req
            .headers()
            .get(header::SEC_WEBSOCKET_VERSION)
            .map(HeaderValue::as_bytes)
            != Some(b"13")
        {
            let mut r = text(StatusCode::UPGRADE_REQUIRED, "WebSocket version 13 only\n");
            r.headers_mut()
                .insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
            return r;
        }
        // The client's place in the stream is taken now, before the state it gets first.
        let rx = app.hub.subscribe();
        let on_upgrade = hyper::upgrade::on(&mut req);
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let shutdown = kill.clone();
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let ws =
                        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
                    websocket_client(app, ws, rx, shutdown).await;
                }
                Err(e) => tracing::debug!(error = %e, "serve: WebSocket upgrade failed"),
            }
        });
        let mut r = Response::new(Full::new(Bytes::new()).boxed());
        *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let h = r.headers_mut();
        h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        if let Ok(v) = HeaderValue::from_str(&accept) {
            h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
        }
        return r;
    }
    let wants_sse = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/event-stream"));
    if !wants_sse {
        return text(
            StatusCode::NOT_ACCEPTABLE,
            "/events is a WebSocket (Upgrade: websocket) or Server-Sent Events (Accept: text/event-stream)\n",
        );
    }
    sse(app, kill)
}

/// Counts a connected `/events` client for as long as it lives.
struct ClientGuard(Arc<super::metrics::ProcessStats>);

impl ClientGuard {
    fn new(p: &Arc<super::metrics::ProcessStats>) -> Self {
        p.events_clients.fetch_add(1, Ordering::Relaxed);
        Self(p.clone())
    }
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.events_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

fn slow(app: &App, how: &str) {
    app.hub
        .process()
        .events_slow_disconnects
        .fetch_add(1, Ordering::Relaxed);
    tracing::info!(
        "serve: {how} /events client took nothing for {:?}; disconnected",
        app.events.write_timeout
    );
}

async fn websocket_client<S>(
    app: Arc<App>,
    ws: WebSocketStream<S>,
    mut rx: tokio::sync::broadcast::Receiver<events::Line>,
    shutdown: CancellationToken,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let _guard = ClientGuard::new(app.hub.process());
    let (mut sink, mut stream) = ws.split();
    // The reader only watches for the client leaving (tungstenite answers pings itself).
    let gone = CancellationToken::new();
    let g = gone.clone();
    let reader = tokio::spawn(async move {
        while let Some(m) = stream.next().await {
            if matches!(m, Err(_) | Ok(Message::Close(_))) {
                break;
            }
        }
        g.cancel();
    });
    let timeout = app.events.write_timeout;
    let first = events::state(&app.fleet.tenants, crate::resources::now_ms());
    let mut next_line = Some(first);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        let msg = match next_line.take() {
            Some(line) => Message::Text(line.as_ref().into()),
            None => tokio::select! {
                _ = shutdown.cancelled() => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
                    break;
                }
                _ = gone.cancelled() => break,
                _ = keepalive.tick() => Message::Ping(Bytes::new()),
                n = events::next(&mut rx, &app.hub) => match n {
                    Next::Send(line) => Message::Text(line.as_ref().into()),
                    Next::Closed => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
                        break;
                    }
                },
            },
        };
        match tokio::time::timeout(timeout, sink.send(msg)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "serve: WebSocket client gone");
                break;
            }
            Err(_) => {
                slow(&app, "WebSocket");
                break;
            }
        }
    }
    reader.abort();
}

/// Server-Sent Events: one `data:` line per event (the JSON), a comment as keep-alive.
fn sse(app: Arc<App>, kill: CancellationToken) -> Response<Body> {
    let mut rx = app.hub.subscribe();
    let (tx, body_rx) = mpsc::channel::<Bytes>(1);
    tokio::spawn(async move {
        let _guard = ClientGuard::new(app.hub.process());
        let timeout = app.events.write_timeout;
        let frame = |line: &str| Bytes::from(format!("data: {line}\n\n"));
        let mut next = Some(frame(&events::state(
            &app.fleet.tenants,
            crate::resources::now_ms(),
        )));
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.tick().await;
        loop {
            let chunk = match next.take() {
                Some(c) => c,
                None => tokio::select! {
                    _ = kill.cancelled() => break,
                    _ = tx.closed() => break,
                    _ = keepalive.tick() => Bytes::from_static(b": keepalive\n\n"),
                    n = events::next(&mut rx, &app.hub) => match n {
                        Next::Send(line) => frame(&line),
                        Next::Closed => break,
                    },
                },
            };
            match tokio::time::timeout(timeout, tx.send(chunk)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(_) => {
                    slow(&app, "SSE");
                    // The connection itself may be stuck writing: close it.
                    kill.cancel();
                    break;
                }
            }
        }
    });
    let stream = futures_util::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut r = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}
