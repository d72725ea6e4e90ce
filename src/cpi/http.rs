//! The transport under every call: one shared `reqwest::Client`, the limiter, authentication,
//! retries and the mapping of replies to `CpiError`.
//!
//! Retry policy (per attempt the limiter is passed again). Only what a later attempt may cure is
//! retried; a deterministic reply is reported at once, with what the tenant said:
//! - 429: retried for every request (the tenant did not process it), waiting `Retry-After` when
//!   sent, else exponential backoff with jitter.
//! - 502, 503, 504, timeouts, dropped connections: retried with backoff, only for idempotent
//!   requests (reads); a write is reported at once, because it may have been applied.
//! - 500: at most one retry (reads): real tenants answer application errors as 500 with a text
//!   that says exactly what is wrong, and asking five times does not change it.
//! - 501: never retried. A 501 to a request with `$select` (`$select is not supported`, e.g.
//!   `IntegrationPackages`) is asked once more without `$select`, and the entity set is
//!   remembered: its later requests go without `$select` at once.
//! - 400, 401 (after one fresh token), 403, 404, 409 and other 4xx: never retried.
//! - Connection refused / DNS failure: retried for all requests (nothing was sent).
//! - 401 with OAuth: the token is dropped and fetched again, once.
//! - 403 with `X-CSRF-Token: Required`: reported as `CpiError::Csrf`, which the write path answers
//!   by fetching a fresh CSRF token and replaying once.
//!
//! Hostile replies (a reply is data, not instructions):
//! - Bodies are read in chunks up to the limit of the request's [`BodyKind`] (a larger
//!   `Content-Length` is refused before reading); beyond it the read stops with
//!   `CpiError::TooLarge`. Error replies are read up to [`MAX_ERROR_BODY`] and the rest dropped;
//!   their message is shown as one line of at most [`MAX_ERROR_TEXT`] characters.
//! - A JSON body with invalid UTF-8 is repaired (each invalid sequence becomes U+FFFD, visible in
//!   the row) and the repair logged and counted, instead of failing the whole page.
//! - URLs taken from a reply pass [`Transport::reply_link`] (`cpi::origin`); redirects to another
//!   origin are refused.

use std::error::Error as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap};
use reqwest::{Method, StatusCode};

use super::auth_state::AuthState;
use super::conn::{Auth, TenantConn};
use super::error::CpiError;
use super::limiter::Limiter;

use super::origin::{RefusedRedirect, ServiceRoot};
use super::retry;
use super::stats::Stats;

pub(crate) const JSON: &str = "application/json";

/// What a request reads, for the body limit. The limits are far above what a CPI tenant sends
/// (a 1000-row MPL page with `$expand` is a few MB) and far below what would hurt the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// A collection page (`{"d":{"results":[…]}}`): 32 MiB.
    Page,
    /// One entity, a write's answer, the service document: 8 MiB.
    Entity,
    /// A text `$value` (error texts) or `$count`: 2 MiB.
    Text,
    /// Attachment / message store content (`$value`, binary): 64 MiB.
    Attachment,
    /// The OAuth token reply: 64 KiB.
    Token,
}

impl BodyKind {
    pub(crate) const fn max_bytes(self) -> usize {
        const MIB: usize = 1024 * 1024;
        match self {
            Self::Page => 32 * MIB,
            Self::Entity => 8 * MIB,
            Self::Text => 2 * MIB,
            Self::Attachment => 64 * MIB,
            Self::Token => 64 * 1024,
        }
    }
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Page => "list page",
            Self::Entity => "single entity",
            Self::Text => "text value",
            Self::Attachment => "attachment",
            Self::Token => "token reply",
        }
    }
}

/// Of an error reply (non-2xx) at most this much is read; the rest is dropped unread.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// An error message from a reply is shown as one line of at most this many characters.
pub(crate) const MAX_ERROR_TEXT: usize = 300;

/// A text from a reply made fit for one line of an error: control characters and line breaks
/// become spaces, runs of whitespace collapse, and it is cut to `max` characters (`…` marks the cut).
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            if n + 1 >= max {
                out.push('…');
                return out;
            }
            out.push(' ');
            n += 1;
        }
        space = false;
        if n >= max {
            out.push('…');
            return out;
        }
        out.push(c);
        n += 1;
    }
    out
}

/// Why reading a reply failed.
pub(crate) enum ReadError {
    Http(reqwest::Error),
    /// More than `limit` bytes (announced or received).
    TooLarge(usize),
}

impl From<reqwest::Error> for ReadError {
    fn from(e: reqwest::Error) -> Self {
        Self::Http(e)
    }
}

/// Read a body in chunks, never holding more than `limit` bytes. `truncate`: stop quietly at the
/// limit (error replies, whose head is all that is shown); else exceeding it is `TooLarge`. The
/// `Content-Length` only sizes the buffer up to the limit — it is the sender's claim, not a size
/// to allocate.
pub(crate) async fn read_body(
    mut resp: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Bytes, ReadError> {
    let announced = resp
        .content_length()
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if !truncate && announced.is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge(limit));
    }
    let mut buf = bytes::BytesMut::with_capacity(announced.unwrap_or(0).min(limit).min(1024 * 1024));
    while let Some(chunk) = resp.chunk().await? {
        let room = limit - buf.len();
        if chunk.len() > room {
            if truncate {
                buf.extend_from_slice(&chunk[..room]);
                return Ok(buf.freeze());
            }
            return Err(ReadError::TooLarge(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Replace invalid UTF-8 sequences by U+FFFD. `None` when the body was valid (the common case,
/// no copy); else the repaired body and how many sequences were replaced.
pub(crate) fn repair_utf8(body: &[u8]) -> Option<(Bytes, usize)> {
    if std::str::from_utf8(body).is_ok() {
        return None;
    }
    let mut out = String::with_capacity(body.len() + 16);
    let mut bad = 0usize;
    for chunk in body.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push('\u{FFFD}');
            bad += 1;
        }
    }
    Some((Bytes::from(out), bad))
}

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
    /// What the reply holds, for its size limit.
    pub(crate) kind: BodyKind,
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
            kind: BodyKind::Entity,
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
            kind: BodyKind::Entity,
        }
    }
    /// Set what the reply holds (its size limit); `Entity` by default.
    pub(crate) fn kind(mut self, kind: BodyKind) -> Self {
        self.kind = kind;
        self
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
        // serde's message may quote the offending value, which a hostile reply makes huge.
        serde_json::from_slice(&self.body).map_err(|e| CpiError::Malformed {
            endpoint: self.endpoint.clone(),
            detail: one_line(&e.to_string(), MAX_ERROR_TEXT),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) conn: TenantConn,
    /// `base_url` + `/api/v1`, without a trailing slash.
    pub(crate) root: String,
    /// The origin and root path every URL taken from a reply must stay within.
    pub(crate) origin: ServiceRoot,
    pub(crate) limiter: Limiter,
    pub(crate) stats: Stats,
    pub(crate) auth: AuthState,
    /// Server clock minus local clock (ms), from the `Date` header; 0 within ±2 s.
    pub(crate) skew_ms: AtomicI64,
    /// Entity sets that answered 501 to `$select`: asked without it from then on.
    pub(crate) no_select: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The entity set a request URL reads (`…/api/v1/IntegrationPackages('X')/…` →
/// `IntegrationPackages`).
fn entity_set(url: &str) -> &str {
    let path = url.split('?').next().unwrap_or(url);
    path.split("/api/v1/")
        .nth(1)
        .unwrap_or("")
        .split(['(', '/'])
        .next()
        .unwrap_or("")
}

/// `url` without its `$select` option.
fn without_select(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let rest: Vec<&str> = query.split('&').filter(|p| !p.starts_with("$select=")).collect();
    if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    }
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

    /// The one gate for URLs taken from a reply (`__next` today; `__metadata.uri`, `__deferred`
    /// and media links when they are followed): resolves `link` against the service root and
    /// returns it only if it stays within the tenant's origin and service root
    /// (`cpi::origin`). Else `CpiError::ForeignLink` naming the link — and nothing is sent.
    /// `endpoint` is the reply the link came from.
    pub(crate) fn reply_link(&self, link: &str, endpoint: &str) -> Result<String, CpiError> {
        self.origin.check(link).map_err(|shown| {
            tracing::warn!(%endpoint, link = %shown, "refused a link outside the tenant");
            CpiError::ForeignLink {
                endpoint: endpoint.to_string(),
                link: shown,
                root: self.root.clone(),
            }
        })
    }

    /// The tenant's clock now (local clock corrected by the `Date` header skew), epoch ms.
    pub(crate) fn server_now(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.skew_ms.load(Ordering::Relaxed)
    }

    /// Send a request with authentication, limits and retries; `Ok` only for 2xx. A `$select`
    /// the entity set refused with 501 is left out (module docs).
    pub(crate) async fn send(&self, req: &Req) -> Result<Reply, CpiError> {
        let has_select = req.url.contains("$select=");
        let set = entity_set(&req.url).to_owned();
        let refused = |t: &Self| {
            t.no_select
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&set)
        };
        let counted = |r: Result<Reply, CpiError>| {
            // A 404 is an answer ("no such entity"; callers often map it to `None`), not a
            // failure worth alarming the operator about.
            if r.as_ref().is_err_and(|e| !e.is_not_found()) {
                self.stats.failed();
            }
            r
        };
        if has_select && refused(self) {
            let mut r = req.clone();
            r.url = without_select(&req.url);
            return counted(self.send_once_policy(&r).await);
        }
        counted(match self.send_once_policy(req).await {
            Err(CpiError::Server {
                status: 501,
                ref message,
                ..
            }) if has_select => {
                tracing::warn!(
                    entity_set = %set, message = message.as_deref().unwrap_or(""),
                    "the tenant answered 501 to $select; asking again without it, and from now on"
                );
                self.no_select
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(set.clone());
                let mut r = req.clone();
                r.url = without_select(&req.url);
                self.send_once_policy(&r).await
            }
            other => other,
        })
    }

    /// `send` for one URL: authentication, limits and the retry policy.
    async fn send_once_policy(&self, req: &Req) -> Result<Reply, CpiError> {
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
                Err(ReadError::TooLarge(limit)) => {
                    tracing::warn!(%endpoint, limit, kind = req.kind.name(), "reply too large");
                    Step::Fail(CpiError::TooLarge {
                        endpoint: endpoint.clone(),
                        kind: req.kind.name(),
                        limit,
                    })
                }
                Err(ReadError::Http(e)) => {
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
                            // Invalid UTF-8 in one name must not reject the whole page: the
                            // sequences become U+FFFD (visible in the row), logged and counted.
                            let repaired = if req.accept == JSON {
                                repair_utf8(&body)
                            } else {
                                None
                            };
                            let body = match repaired {
                                Some((fixed, n)) => {
                                    tracing::warn!(
                                        %endpoint, sequences = n,
                                        "reply had invalid UTF-8; replaced by U+FFFD"
                                    );
                                    self.stats.repaired();
                                    fixed
                                }
                                None => body,
                            };
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
                Step::Retry(_, err) | Step::Fail(err) => return Err(err),
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
    ) -> Result<(StatusCode, HeaderMap, Bytes), ReadError> {
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
        let body = if status.is_success() {
            read_body(resp, req.kind.max_bytes(), false).await?
        } else {
            read_body(resp, MAX_ERROR_BODY, true).await?
        };
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
        let (odata_code, message, app_error) = self.error_text(headers, body);
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
                // A 500 with an error text is an application error: one more try at most.
                let retry = match code {
                    502..=504 => true,
                    500 => ctx.attempt < 2,
                    _ => false,
                };
                let err = CpiError::Server {
                    endpoint,
                    status: code,
                    message,
                    app_error,
                    attempts: ctx.attempt,
                };
                if ctx.req.idempotent && retry {
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

    /// Code and message of an error reply in any of the shapes tenants send
    /// (`cpi::error_body`: wrapped or unwrapped OData JSON, `@lang`/`#text`, XML, a BOM, an
    /// Atom feed, HTML, plain text). Redacted, one line, bounded (`MAX_ERROR_TEXT`; the code to
    /// 80 characters). A body that is not an error document says what it was.
    fn error_text(&self, headers: &HeaderMap, body: &[u8]) -> (Option<String>, Option<String>, bool) {
        let repaired = repair_utf8(body);
        let body: &[u8] = repaired.as_ref().map_or(body, |(b, _)| b);
        let html =
            header_str(headers, "content-type").is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
        let e = super::error_body::parse(body, html);
        let app_error = e.shape.is_none() && e.message.is_some();
        let message = match (e.shape, e.message) {
            (Some(shape), Some(m)) => Some(format!("{shape} ({m})")),
            (Some(shape), None) => Some(shape.to_owned()),
            (None, m) => m,
        };
        // Redact before cutting: a cut could split a secret and leave its head unredacted.
        (
            e.code.map(|c| one_line(&self.redact(&c), 80)),
            message.map(|m| one_line(&self.redact(&m), MAX_ERROR_TEXT)),
            app_error,
        )
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
    if e.is_redirect() {
        let refused = find_source::<RefusedRedirect>(e);
        return (
            false,
            CpiError::Redirected {
                endpoint: endpoint.to_string(),
                target: refused.map_or_else(|| "another URL".to_string(), |r| r.target.clone()),
                reason: refused.map_or("too many redirects", |r| r.reason).to_string(),
            },
        );
    }
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

/// The first error of type `E` in `e`'s source chain.
fn find_source<E: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&E> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = src {
        if let Some(found) = s.downcast_ref::<E>() {
            return Some(found);
        }
        src = s.source();
    }
    None
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
    fn reply_texts_become_one_bounded_line() {
        assert_eq!(one_line("  a\nb\r\n\tc  ", 300), "a b c");
        assert_eq!(one_line("x\u{1b}[2Jy", 300), "x [2Jy");
        let long = "E".repeat(10_000);
        let cut = one_line(&long, MAX_ERROR_TEXT);
        assert_eq!(cut.chars().count(), MAX_ERROR_TEXT + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(one_line("ab cd", 3), "ab…");
    }

    #[test]
    fn invalid_utf8_is_repaired_and_counted() {
        assert!(repair_utf8("Grüße".as_bytes()).is_none());
        let (fixed, n) = repair_utf8(b"{\"Name\":\"\xffA\xc3\"},{\"Name\":\"\xfe\"}").expect("repaired");
        assert_eq!(n, 3);
        assert_eq!(
            std::str::from_utf8(&fixed).expect("valid"),
            "{\"Name\":\"\u{FFFD}A\u{FFFD}\"},{\"Name\":\"\u{FFFD}\"}"
        );
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
