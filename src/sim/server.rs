//! The HTTP side: a hyper 1 HTTP/1.1 server (no router crate: OData key-predicate paths such as
//! `JmsMessages(Msgid='ID%3A1',Name='Q',Failed=true)/$value` do not fit a path router, so
//! `routing` parses paths itself). Each request: read the body, admin endpoints bypass
//! everything, then tenant-down and fault rules, then authentication and the handler.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::faults::{CONTROL_TEXT, FaultKind, LOGIN_PAGE, MALFORMED_BODY, with_control_chars};
use super::resp::{Resp, odata_error};
use super::world::{DownMode, Sim};
use super::{admin, dispatch};

/// Largest request body accepted (queue bodies and forms are tiny).
const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug)]
struct DropConnection;
impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the simulated tenant")
    }
}
impl std::error::Error for DropConnection {}

pub async fn serve(listener: TcpListener, sim: Arc<Sim>) {
    // Connections live in this set: when the server task is aborted, they are aborted with it.
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            acc = listener.accept() => match acc {
                Ok((stream, _)) => {
                    // Even a tenant that is down in drop mode reads the request: `/sim/admin`
                    // must still answer (to bring it back up); every other request is dropped
                    // in `handle` without an answer.
                    let sim = sim.clone();
                    conns.spawn(async move {
                        let svc = service_fn(move |req| with_sim_date(sim.clone(), req));
                        if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await {
                            tracing::debug!(error = %e, "sim connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sim accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Every response carries the sim clock in `Date` (hyper only adds its own when none is set), so
/// a client that corrects its clock by the server's `Date` follows `advance_clock` as it would
/// follow a real tenant's clock.
async fn with_sim_date(
    sim: Arc<Sim>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let now = sim.now();
    let mut resp = handle(sim, req).await?;
    if let Some(t) = chrono::DateTime::from_timestamp_millis(now)
        && let Ok(v) =
            hyper::header::HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        resp.headers_mut().insert(hyper::header::DATE, v);
    }
    Ok(resp)
}

async fn handle(sim: Arc<Sim>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let r = odata_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Bad Request",
                &format!("request body rejected: {e}"),
            );
            return Ok(to_hyper(r));
        }
    };
    let path = parts.uri.path().to_string();
    if path.starts_with("/sim/admin") {
        return Ok(to_hyper(admin::handle_http(
            &sim,
            &parts.method,
            &path,
            parts.uri.query(),
            &body,
        )));
    }
    sim.requests.fetch_add(1, Ordering::Relaxed);
    let is_api = path.starts_with("/api/v1");
    // Fault rules match on the path and the query (`path_contains: "operation=move"`).
    let path_q = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    sim.request_log.record(parts.method.as_str(), &path_q);
    let (down, fault) = {
        let mut w = sim.world();
        let down = w.down;
        let fault = if down.is_none() {
            w.faults.pick(parts.method.as_str(), &path_q, is_api)
        } else {
            None
        };
        (down, fault)
    };
    match down {
        Some(DownMode::Drop) => return Err(DropConnection),
        Some(DownMode::Unavailable) => return Ok(to_hyper(unavailable())),
        None => {}
    }
    let mut truncate = false;
    let mut control_chars = false;
    let mut rewrite = None;
    if let Some(kind) = fault {
        tracing::debug!(?kind, %path, "sim fault injected");
        match kind {
            FaultKind::Latency { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultKind::RateLimit { retry_after } => {
                let r = odata_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too Many Requests",
                    "Rate limit exceeded; retry later.",
                )
                .header("retry-after", retry_after.to_string());
                return Ok(to_hyper(r));
            }
            FaultKind::Http500 => {
                let r = odata_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                    "Internal error while processing the request (injected by the simulated tenant).",
                );
                return Ok(to_hyper(r));
            }
            FaultKind::Http503 | FaultKind::TenantDown => return Ok(to_hyper(unavailable())),
            FaultKind::HtmlLogin => {
                return Ok(to_hyper(Resp::new(
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    LOGIN_PAGE,
                )));
            }
            FaultKind::MalformedJson => {
                return Ok(to_hyper(Resp::new(
                    StatusCode::OK,
                    "application/json",
                    MALFORMED_BODY,
                )));
            }
            FaultKind::TruncatedJson => truncate = true,
            FaultKind::DropConnection => return Err(DropConnection),
            FaultKind::TokenExpiry => sim.world().auth.expire_tokens(),
            FaultKind::ControlChars { as_error: true } => {
                let r = odata_error(
                    StatusCode::BAD_REQUEST,
                    &format!("Bad Request{CONTROL_TEXT}"),
                    &format!("Invalid request{CONTROL_TEXT} (injected by the simulated tenant)."),
                );
                return Ok(to_hyper(r));
            }
            FaultKind::ControlChars { as_error: false } => control_chars = true,
            // Hostile replies (see `faults`): answered here, or the real answer rewritten below.
            FaultKind::Redirect { location, status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
                let r = Resp::new(status, "text/plain", "redirected").header("location", location);
                return Ok(to_hyper(r));
            }
            FaultKind::HugeError { bytes, status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let msg = "E".repeat(usize::try_from(bytes).unwrap_or(usize::MAX));
                return Ok(to_hyper(odata_error(status, "Hostile", &msg)));
            }
            FaultKind::RetryAfterText { value, status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
                let r = odata_error(status, "Too Many Requests", "Retry later.").header("retry-after", value);
                return Ok(to_hyper(r));
            }
            FaultKind::Forbidden => {
                let r = super::resp::error_shaped(
                    StatusCode::FORBIDDEN,
                    super::resp::ErrorShape::Unwrapped,
                    "Forbidden",
                    None,
                );
                return Ok(to_hyper(r));
            }
            FaultKind::ErrorBody {
                status,
                shape,
                message,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let code = status.canonical_reason().unwrap_or("Error");
                let r = super::resp::error_shaped(status, shape, code, message.as_deref());
                return Ok(to_hyper(r));
            }
            k @ (FaultKind::ForeignNext { .. } | FaultKind::HugeField { .. } | FaultKind::InvalidUtf8) => {
                rewrite = Some(k)
            }
        }
    }
    let mut resp = dispatch::dispatch(&sim, &parts, &body);
    tracing::debug!(method = %parts.method, %path, status = resp.status.as_u16(), bytes = resp.body.len(), "sim request");
    if resp.drop_connection {
        return Err(DropConnection);
    }
    if control_chars {
        let ct = resp
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if let Some(body) = with_control_chars(ct, &resp.body) {
            resp.body = Bytes::from(body);
        }
    }
    if let Some(k) = rewrite
        && let Some(body) = super::faults::rewrite_body(&k, &resp.body)
    {
        resp.body = Bytes::from(body);
    }
    if truncate {
        let cut = (resp.body.len() / 2).max(1).min(resp.body.len());
        resp.body = if resp.body.is_empty() {
            Bytes::from_static(b"{\"d\":{\"res")
        } else {
            resp.body.slice(..cut)
        };
    }
    Ok(to_hyper(resp))
}

fn unavailable() -> Resp {
    Resp::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The tenant is currently not available (maintenance).</p></body></html>",
    )
    .header("retry-after", "5")
}

fn to_hyper(r: Resp) -> Response<Full<Bytes>> {
    let mut b = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        b = b.header(*k, v.as_str());
    }
    match b.body(Full::new(r.body.clone())) {
        Ok(resp) => resp,
        Err(e) => {
            tracing::warn!(error = %e, "sim built an invalid response");
            let mut resp = Response::new(Full::new(Bytes::from_static(b"invalid response header")));
            *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            resp
        }
    }
}
