//! Authentication state of one client: the OAuth token cache (client credentials; refreshed shortly
//! before expiry and once after a 401), HTTP Basic, and the CSRF token for writes
//! (docs/cpi-api.md, "Authentication and rate limits").
//!
//! The token and CSRF caches are `tokio::sync::Mutex`es held across the fetch, so concurrent
//! requests that find the token stale wait for one fetch instead of each starting their own.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, SET_COOKIE};

use super::conn::Auth;
use super::error::CpiError;
use super::http::{
    BodyKind, MAX_ERROR_BODY, MAX_ERROR_TEXT, ReadError, Transport, classify_transport, endpoint_of, host_of,
    looks_like_html, one_line, read_body,
};
use super::model::TokenResponse;
use super::retry;
use crate::secret::Secret;

use super::auth_state::CachedToken;
pub(crate) use super::auth_state::{AuthHeader, AuthState, Csrf};

impl AuthState {
    /// The header for the next request, fetching a token first when there is none or it is about
    /// to expire.
    pub(crate) async fn header(&self, t: &Transport) -> Result<AuthHeader, CpiError> {
        match &t.conn.auth {
            Auth::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                Ok(AuthHeader {
                    value: Secret::new(format!("Basic {}", B64.encode(raw))),
                    generation: 0,
                })
            }
            Auth::OAuth { .. } => {
                let mut slot = self.token.lock().await;
                if let Some(tok) = slot.as_ref()
                    && Instant::now() < tok.refresh_at
                {
                    return Ok(AuthHeader {
                        value: Secret::new(format!("Bearer {}", tok.value.expose())),
                        generation: tok.generation,
                    });
                }
                let (value, lifetime) = fetch_token(t).await?;
                // Refresh a little early: a tenth of the lifetime, at most a minute.
                let margin = (lifetime / 10).min(Duration::from_secs(60));
                let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
                let header = Secret::new(format!("Bearer {}", value.expose()));
                *slot = Some(CachedToken {
                    value,
                    refresh_at: Instant::now() + lifetime.saturating_sub(margin),
                    generation,
                });
                Ok(AuthHeader {
                    value: header,
                    generation,
                })
            }
        }
    }

    /// Drop the cached token after a 401, unless another request already replaced it.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.generation == generation) {
            *slot = None;
        }
    }

    /// Whether a token is cached (for tests and diagnostics).
    pub(crate) async fn has_token(&self) -> bool {
        self.token.lock().await.is_some()
    }

    /// The CSRF token for writes, fetched on first use or when `refetch` is set.
    pub(crate) async fn csrf(&self, t: &Transport, refetch: bool) -> Result<Csrf, CpiError> {
        let mut slot = self.csrf.lock().await;
        if !refetch && let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let fresh = fetch_csrf(t).await?;
        *slot = Some(fresh.clone());
        Ok(fresh)
    }
}

/// `GET <root>/` with `X-CSRF-Token: Fetch` (§2). A tenant that issues no token (Bearer-only
/// tenants may not) yields an empty `Csrf`, and writes go without one.
async fn fetch_csrf(t: &Transport) -> Result<Csrf, CpiError> {
    let req = super::http::Req::get(format!("{}/", t.root)).header("X-CSRF-Token", "Fetch".to_string());
    let reply = match t.send(&req).await {
        Ok(r) => r,
        // Some tenants answer the service document with 404/405: writes then go without a token
        // and a 403 Required would surface as `CpiError::Csrf`.
        Err(CpiError::NotFound { .. } | CpiError::OData { .. }) => return Ok(Csrf::default()),
        Err(e) => return Err(e),
    };
    Ok(csrf_from_headers(&reply.headers))
}

pub(crate) fn csrf_from_headers(headers: &HeaderMap) -> Csrf {
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("required"))
        .map(Secret::new);
    let cookies: Vec<&str> = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::trim)
        .filter(|v| v.contains('='))
        .collect();
    Csrf {
        token,
        cookies: (!cookies.is_empty()).then(|| Secret::new(cookies.join("; "))),
    }
}

/// Client-credentials grant with HTTP Basic client authentication (§2). Retries network errors,
/// 429 and 5xx like any read; 400/401 mean bad credentials and are reported at once.
async fn fetch_token(t: &Transport) -> Result<(Secret, Duration), CpiError> {
    let Auth::OAuth {
        token_url,
        client_id,
        client_secret,
    } = &t.conn.auth
    else {
        return Err(CpiError::Config("no OAuth settings".into()));
    };
    let endpoint = endpoint_of(token_url);
    let basic = B64.encode(format!("{client_id}:{}", client_secret.expose()));
    let limits = &t.conn.limits;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        t.stats.request_started();
        let sent = t
            .http
            .post(token_url)
            .header(AUTHORIZATION, format!("Basic {basic}"))
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .timeout(limits.request_timeout)
            .send()
            .await;
        let result = match sent {
            Ok(resp) => {
                let status = resp.status();
                let headers = resp.headers().clone();
                // A token reply is a few hundred bytes; an error reply is only shown in part.
                let read = if status.is_success() {
                    read_body(resp, BodyKind::Token.max_bytes(), false).await
                } else {
                    read_body(resp, MAX_ERROR_BODY, true).await
                };
                read.map(|b| (status, headers, b))
            }
            Err(e) => Err(ReadError::Http(e)),
        };
        t.stats.request_finished();
        let (status, headers, body) = match result {
            Ok(ok) => ok,
            Err(ReadError::TooLarge(limit)) => {
                t.stats.failed();
                return Err(CpiError::TooLarge {
                    endpoint,
                    kind: BodyKind::Token.name(),
                    limit,
                });
            }
            Err(ReadError::Http(e)) => {
                let (retryable, err) =
                    classify_transport(t, &e, &endpoint, &host_of(token_url), attempt, true);
                if retryable && attempt <= limits.max_retries {
                    t.stats.retried();
                    tokio::time::sleep(retry::backoff(limits, attempt)).await;
                    continue;
                }
                t.stats.failed();
                return Err(err);
            }
        };
        t.stats.bytes(body.len());
        let code = status.as_u16();
        if status.is_success() {
            if looks_like_html(&headers, &body) {
                t.stats.failed();
                return Err(CpiError::HtmlPage { endpoint });
            }
            let tok: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                t.stats.failed();
                CpiError::Malformed {
                    endpoint: endpoint.clone(),
                    detail: one_line(&t.redact(&format!("token reply: {e}")), MAX_ERROR_TEXT),
                }
            })?;
            // 43199 s is the plan default; a reply without `expires_in` is treated as 5 minutes.
            // Clamped to a day: the lifetime is added to `Instant::now()`, which a hostile
            // `expires_in` would overflow (a panic), and no plan issues longer-lived tokens.
            let secs = tok.expires_in.unwrap_or(300).clamp(1, MAX_TOKEN_LIFETIME_SECS);
            return Ok((
                Secret::new(tok.access_token),
                Duration::from_secs(u64::try_from(secs).unwrap_or(300)),
            ));
        }
        if (code == 429 || code >= 500) && attempt <= limits.max_retries {
            if code == 429 {
                t.stats.throttled();
            }
            t.stats.retried();
            let wait = retry::retry_after(headers.get("retry-after").and_then(|v| v.to_str().ok()), limits)
                .unwrap_or_else(|| retry::backoff(limits, attempt));
            tokio::time::sleep(wait).await;
            continue;
        }
        t.stats.failed();
        if looks_like_html(&headers, &body) {
            return Err(CpiError::HtmlPage { endpoint });
        }
        return Err(match code {
            400 | 401 | 403 => CpiError::BadCredentials {
                token_url: endpoint,
                status: code,
                error: oauth_error(&body).map(|e| one_line(&t.redact(&e), MAX_ERROR_TEXT)),
            },
            404 => CpiError::NotFound {
                endpoint,
                message: Some("no token endpoint at this URL; check the token URL".into()),
            },
            429 => CpiError::RateLimited {
                endpoint,
                attempts: attempt,
            },
            _ => CpiError::Server {
                endpoint,
                status: code,
                message: oauth_error(&body).map(|e| one_line(&t.redact(&e), MAX_ERROR_TEXT)),
                app_error: false,
                attempts: attempt,
            },
        });
    }
}

/// Longest token lifetime believed (`expires_in`), seconds.
const MAX_TOKEN_LIFETIME_SECS: i64 = 86_400;

/// `error` and `error_description` of an OAuth error reply (callers redact, then cut).
fn oauth_error(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct E {
        error: Option<String>,
        error_description: Option<String>,
    }
    let e: E = serde_json::from_slice(body).ok()?;
    let text = match (e.error, e.error_description) {
        (Some(a), Some(b)) => format!("{a}: {b}"),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn csrf_token_and_cookies_from_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-csrf-token", HeaderValue::from_static("abc123"));
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("JSESSIONID=s1; Path=/; HttpOnly"),
        );
        h.append(SET_COOKIE, HeaderValue::from_static("__VCAP_ID__=v2; Secure"));
        let c = csrf_from_headers(&h);
        assert_eq!(c.token.as_ref().map(Secret::expose), Some("abc123"));
        assert_eq!(
            c.cookies.as_ref().map(Secret::expose),
            Some("JSESSIONID=s1; __VCAP_ID__=v2")
        );
        let mut r = HeaderMap::new();
        r.insert("x-csrf-token", HeaderValue::from_static("Required"));
        assert!(csrf_from_headers(&r).token.is_none());
    }

    #[test]
    fn oauth_error_text() {
        assert_eq!(
            oauth_error(br#"{"error":"unauthorized","error_description":"Bad credentials"}"#).as_deref(),
            Some("unauthorized: Bad credentials")
        );
        assert_eq!(oauth_error(b"<html>"), None);
    }
}
