//! The transport under every call: one shared `reqwest::Client`, the limiter, authentication,
//! retries and the mapping of replies to `CpiError`.
//!
//! Retry policy (per attempt the limiter is passed again):
//! - 429: retried for every request (the tenant did not process it), waiting `Retry-After` when
//!   sent, else exponential backoff with jitter.
//! - 5xx, timeouts, dropped connections: retried only for idempotent requests (reads); a write is
//!   reported at once, because it may have been applied.
//! - Connection refused / DNS failure: retried for all requests (nothing was sent).
//! - 401 with OAuth: the token is dropped and fetched again, once.
//! - 403 with `X-CSRF-Token: Required`: reported as `CpiError::Csrf`, which the write path answers
//!   by fetching a fresh CSRF token and replaying once.

use std::error::Error as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap};
use reqwest::{Method, StatusCode};

use super::auth::AuthState;
use super::conn::{Auth, TenantConn};
use super::error::CpiError;
use super::limiter::Limiter;
use super::odata::ErrorBody;
use super::retry;
use super::stats::Stats;

pub(crate) const JSON: &str = "application/json";

/// One request as the client's modules describe it.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) accept: &'static str,
    pub(crate) body: Option<(Bytes, &'static str)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Safe to repeat after a 5xx/timeout/dropped connection.
    pub(crate) idempotent: bool,
}

impl Req {
    pub(crate) fn get(url: String) -> Self {
        Self {
            method: Method::GET,
            url,
            accept: JSON,
            body: None,
            headers: Vec::new(),
            idempotent: true,
        }
    }
    pub(crate) fn write(method: Method, url: String) -> Self {
        Self {
            method,
            url,
            accept: JSON,
            body: None,
            headers: Vec::new(),
            idempotent: false,
        }
    }
    pub(crate) fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }
    pub(crate) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
    pub(crate) fn json_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some((Bytes::from(body), JSON));
        self
    }
}

/// A successful (2xx) reply.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) endpoint: String,
}

impl Reply {
    /// Decode the body as JSON, naming the endpoint on failure.
    pub(crate) fn json<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, CpiError> {
        serde_json::from_slice(&self.body).map_err(|e| CpiError::Malformed {
            endpoint: self.endpoint.clone(),
            detail: e.to_string(),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) conn: TenantConn,
    /// `base_url` + `/api/v1`, without a trailing slash.
    pub(crate) root: String,
    pub(crate) limiter: Limiter,
    pub(crate) stats: Stats,
    pub(crate) auth: AuthState,
    /// Server clock minus local clock (ms), from the `Date` header; 0 within ±2 s.
    pub(crate) skew_ms: AtomicI64,
}

enum Step {
    /// Retry after the wait if attempts remain; else report the error.
    Retry(std::time::Duration, CpiError),
    /// Drop the token of this generation and try again at once (401 with OAuth).
    Reauth(u64),
    Fail(CpiError),
}

impl Transport {
    /// Remove every secret this client knows from `text`.
    pub(crate) fn redact(&self, text: &str) -> String {
        match &self.conn.auth {
            Auth::OAuth { client_secret, .. } => client_secret.redact_in(text),
            Auth::Basic { password, .. } => password.redact_in(text),
        }
    }

    /// The tenant's clock now (local clock corrected by the `Date` header skew), epoch ms.
    pub(crate) fn server_now(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.skew_ms.load(Ordering::Relaxed)
    }

    /// Send a request with authentication, limits and retries; `Ok` only for 2xx.
    pub(crate) async fn send(&self, req: &Req) -> Result<Reply, CpiError> {
        let endpoint = endpoint_of(&req.url);
        let limits = &self.conn.limits;
        let mut attempt = 0u32;
        let mut reauthed = false;
        loop {
            attempt += 1;
            let auth = self.auth.header(self).await?;
            let permit = self.limiter.acquire().await;
            self.stats.request_started();
            let started = Instant::now();
            let result = self.send_once(req, &auth.value).await;
            self.stats.request_finished();
            drop(permit);
            let step = match result {
                Err(e) => {
                    let (retryable, err) =
                        classify_transport(self, &e, &endpoint, &host_of(&req.url), attempt, req.idempotent);
                    tracing::debug!(%endpoint, attempt, error = %err, "request failed");
                    if retryable {
                        Step::Retry(retry::backoff(limits, attempt), err)
                    } else {
                        Step::Fail(err)
                    }
                }
                Ok((status, headers, body)) => {
                    self.stats.bytes(body.len());
                    tracing::debug!(
                        method = %req.method, %endpoint, status = status.as_u16(),
                        bytes = body.len(), ms = started.elapsed().as_millis() as u64, "reply"
                    );
                    if status.is_success() {
                        if req.accept == JSON
                            && status != StatusCode::NO_CONTENT
                            && looks_like_html(&headers, &body)
                        {
                            Step::Fail(CpiError::HtmlPage {
                                endpoint: endpoint.clone(),
                            })
                        } else {
                            self.note_date(&headers);
                            return Ok(Reply {
                                status,
                                headers,
                                body,
                                endpoint,
                            });
                        }
                    } else {
                        let ctx = StatusCtx {
                            req,
                            endpoint: &endpoint,
                            attempt,
                            reauthed,
                            generation: auth.generation,
                        };
                        self.step_for_status(&ctx, status, &headers, &body)
                    }
                }
            };
            match step {
                Step::Reauth(generation) => {
                    reauthed = true;
                    self.stats.retried();
                    self.auth.invalidate(generation).await;
                }
                Step::Retry(wait, _) if attempt <= limits.max_retries => {
                    self.stats.retried();
                    tracing::debug!(%endpoint, attempt, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Step::Retry(_, err) | Step::Fail(err) => {
                    // A 404 is an answer ("no such entity"; callers often map it to `None`), not
                    // a failure worth alarming the operator about.
                    if !err.is_not_found() {
                        self.stats.failed();
                    }
                    return Err(err);
                }
            }
        }
    }

    /// A write: CSRF token (fetched once per client, replayed with its session cookies), and on a
    /// 403 `X-CSRF-Token: Required` one refetch and replay.
    pub(crate) async fn send_write(&self, req: &Req) -> Result<Reply, CpiError> {
        let mut refetch = false;
        loop {
            let csrf = self.auth.csrf(self, refetch).await?;
            let mut r = req.clone();
            if let Some(tok) = &csrf.token {
                r.headers.push(("X-CSRF-Token", tok.expose().to_string()));
            }
            if let Some(c) = &csrf.cookies {
                r.headers.push(("Cookie", c.expose().to_string()));
            }
            match self.send(&r).await {
                Err(CpiError::Csrf { .. }) if !refetch => {
                    tracing::debug!(endpoint = %endpoint_of(&req.url), "CSRF token rejected; refetching");
                    refetch = true;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        req: &Req,
        auth: &crate::secret::Secret,
    ) -> Result<(StatusCode, HeaderMap, Bytes), reqwest::Error> {
        let mut b = self
            .http
            .request(req.method.clone(), &req.url)
            .header(ACCEPT, req.accept)
            .header(AUTHORIZATION, auth.expose())
            .timeout(self.conn.limits.request_timeout);
        for (name, value) in &req.headers {
            b = if name.eq_ignore_ascii_case("cookie") {
                b.header(COOKIE, value)
            } else {
                b.header(*name, value)
            };
        }
        if let Some((body, ct)) = &req.body {
            b = b.header(CONTENT_TYPE, *ct).body(body.clone());
        } else if req.method != Method::GET && req.method != Method::DELETE {
            b = b.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        let resp = b.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok((status, headers, body))
    }

    fn step_for_status(
        &self,
        ctx: &StatusCtx<'_>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Step {
        let endpoint = ctx.endpoint.to_string();
        let code = status.as_u16();
        let limits = &self.conn.limits;
        let (odata_code, message) = self.error_text(headers, body);
        match code {
            401 if matches!(self.conn.auth, Auth::OAuth { .. }) && !ctx.reauthed => {
                Step::Reauth(ctx.generation)
            }
            401 => Step::Fail(CpiError::Unauthorized { endpoint }),
            403 if headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("required")) =>
            {
                Step::Fail(CpiError::Csrf { endpoint })
            }
            403 => Step::Fail(CpiError::Forbidden { endpoint, message }),
            404 => Step::Fail(CpiError::NotFound { endpoint, message }),
            429 => {
                self.stats.throttled();
                let wait = retry::retry_after(header_str(headers, "retry-after"), limits)
                    .unwrap_or_else(|| retry::backoff(limits, ctx.attempt));
                Step::Retry(
                    wait,
                    CpiError::RateLimited {
                        endpoint,
                        attempts: ctx.attempt,
                    },
                )
            }
            500..=599 => {
                let err = CpiError::Server {
                    endpoint,
                    status: code,
                    message,
                    attempts: ctx.attempt,
                };
                if ctx.req.idempotent {
                    let wait = retry::retry_after(header_str(headers, "retry-after"), limits)
                        .unwrap_or_else(|| retry::backoff(limits, ctx.attempt));
                    Step::Retry(wait, err)
                } else {
                    Step::Fail(err)
                }
            }
            _ if looks_like_html(headers, body) => Step::Fail(CpiError::HtmlPage { endpoint }),
            _ => Step::Fail(CpiError::OData {
                endpoint,
                status: code,
                code: odata_code,
                message,
            }),
        }
    }

    /// Code and message of an error reply: the OData error JSON (whose `value` may be null), else
    /// a short plain-text body. HTML pages give no message. Redacted.
    fn error_text(&self, headers: &HeaderMap, body: &[u8]) -> (Option<String>, Option<String>) {
        if let Ok(e) = serde_json::from_slice::<ErrorBody>(body) {
            let msg = e
                .error
                .message
                .and_then(|m| m.value)
                .filter(|v| !v.trim().is_empty());
            return (
                e.error.code.filter(|c| !c.is_empty()).map(|c| self.redact(&c)),
                msg.map(|m| self.redact(&m)),
            );
        }
        if looks_like_html(headers, body) {
            return (None, None);
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            return (None, None);
        }
        let short: String = text.chars().take(300).collect();
        (None, Some(self.redact(&short)))
    }

    fn note_date(&self, headers: &HeaderMap) {
        let Some(date) = header_str(headers, "date") else {
            return;
        };
        let Ok(server) = chrono::DateTime::parse_from_rfc2822(date) else {
            return;
        };
        // `Date` has one-second resolution: its mid-point is the best estimate.
        let skew = server.timestamp_millis() + 500 - chrono::Utc::now().timestamp_millis();
        let skew = if skew.abs() <= 2_000 { 0 } else { skew };
        self.skew_ms.store(skew, Ordering::Relaxed);
    }
}

struct StatusCtx<'a> {
    req: &'a Req,
    endpoint: &'a str,
    attempt: u32,
    reauthed: bool,
    generation: u64,
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Map a transport error to a `CpiError`, and say whether it may be retried.
pub(crate) fn classify_transport(
    t: &Transport,
    e: &reqwest::Error,
    endpoint: &str,
    host: &str,
    attempt: u32,
    idempotent: bool,
) -> (bool, CpiError) {
    let detail = t.redact(&error_chain(e));
    if e.is_timeout() {
        return (
            idempotent,
            CpiError::Timeout {
                endpoint: endpoint.to_string(),
                after: t.conn.limits.request_timeout,
                attempts: attempt,
            },
        );
    }
    if is_tls(e) {
        return (
            false,
            CpiError::Tls {
                host: host.to_string(),
                detail,
            },
        );
    }
    if e.is_connect() {
        return (
            true,
            CpiError::Unreachable {
                host: host.to_string(),
                detail,
            },
        );
    }
    (
        idempotent,
        CpiError::ConnectionDropped {
            endpoint: endpoint.to_string(),
            detail,
            attempts: attempt,
        },
    )
}

fn is_tls(e: &reqwest::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        // rustls errors usually travel inside an io::Error, whose `source()` skips them.
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        let text = s.to_string().to_ascii_lowercase();
        if [
            "certificate",
            "tls",
            "handshake",
            "corrupt message",
            "invalidcontenttype",
        ]
        .iter()
        .any(|k| text.contains(k))
        {
            return true;
        }
        src = s.source();
    }
    false
}

/// The causes of an error, innermost last, without reqwest's "for url (…)" prefix.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.contains(&t) {
            parts.push(t);
        }
        src = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

/// The endpoint named in errors and logs: the URL's path (no query, no credentials).
pub(crate) fn endpoint_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            format!(
                "{host}{}",
                percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy()
            )
        }
        Err(_) => url.split('?').next().unwrap_or(url).to_string(),
    }
}

pub(crate) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// A login page or SAML redirect instead of JSON: `text/html`, or a body starting with `<`.
pub(crate) fn looks_like_html(headers: &HeaderMap, body: &[u8]) -> bool {
    if header_str(headers, "content-type").is_some_and(|ct| ct.to_ascii_lowercase().contains("html")) {
        return true;
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    match start {
        Some(i) => {
            let head: Vec<u8> = body[i..body.len().min(i + 15)].to_ascii_lowercase();
            head.starts_with(b"<!doctype") || head.starts_with(b"<html") || head.starts_with(b"<head")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_has_no_query() {
        assert_eq!(
            endpoint_of("https://t1.example.com:443/api/v1/MessageProcessingLogs?$filter=Status%20eq%20'X'"),
            "t1.example.com/api/v1/MessageProcessingLogs"
        );
        assert_eq!(
            endpoint_of("https://t1.example.com/api/v1/IntegrationRuntimeArtifacts('A%20B')"),
            "t1.example.com/api/v1/IntegrationRuntimeArtifacts('A B')"
        );
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
    }

    #[test]
    fn html_detection() {
        let mut h = HeaderMap::new();
        assert!(looks_like_html(&h, b"  <!DOCTYPE html><html>"));
        assert!(looks_like_html(&h, b"<html><body>login"));
        assert!(!looks_like_html(&h, br#"{"d":{}}"#));
        h.insert("content-type", "text/html; charset=utf-8".parse().expect("valid"));
        assert!(looks_like_html(&h, b"whatever"));
    }
}
