//! Authentication of the sim (docs/cpi-api.md, "Authentication and rate limits"): an OAuth2 client-credentials token
//! endpoint with HTTP Basic client authentication, Basic auth with a demo user as the
//! alternative, and the CSRF token fetch/check for writes.

use std::collections::{HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, StatusCode};

use super::json::Json;
use super::resp::{Resp, odata_error};

/// Demo credentials of the sim. They protect nothing but the sim itself; `cpitop sim` prints
/// them so a user can point a profile at it.
#[derive(Clone)]
pub struct Creds {
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
}

impl Creds {
    pub fn for_seed(seed: u64) -> Self {
        let h = super::mpl_gen::mix(seed ^ 0x5EC2E7);
        Self {
            client_id: format!("sb-cpitop-sim-{:08x}!b1|it!b2", h as u32),
            client_secret: format!("sim-{:016x}$demo=", super::mpl_gen::mix(h)),
            username: "demo.operator@example.com".into(),
            password: format!("demo-{:08x}", (h >> 32) as u32),
        }
    }
}

#[derive(Default)]
pub struct AuthState {
    /// access token → expiry (sim clock, ms)
    tokens: HashMap<String, i64>,
    csrf: HashSet<String>,
    issued: u64,
}

impl AuthState {
    /// Forget every issued token: the next call with one gets 401.
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let enc = v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic "))?;
    let dec = STANDARD.decode(enc.trim()).ok()?;
    let s = String::from_utf8(dec).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

/// `POST /oauth/token` with `grant_type=client_credentials`.
pub fn token_endpoint(
    st: &mut AuthState,
    creds: &Creds,
    method: &http::Method,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    lifetime_s: u64,
) -> Resp {
    let oauth_err = |status: StatusCode, code: &str, desc: &str| {
        let mut j = Json::default();
        j.obj()
            .key("error")
            .str(code)
            .key("error_description")
            .str(desc)
            .end_obj();
        Resp::json(status, j)
    };
    if method != http::Method::POST {
        return oauth_err(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "use POST");
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if field("grant_type") != Some("client_credentials") {
        return oauth_err(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
        );
    }
    let (id, secret) = match basic(headers) {
        Some(c) => c,
        None => (
            field("client_id").unwrap_or("").to_string(),
            field("client_secret").unwrap_or("").to_string(),
        ),
    };
    if id != creds.client_id || secret != creds.client_secret {
        return oauth_err(StatusCode::UNAUTHORIZED, "invalid_client", "Bad credentials").header(
            "www-authenticate",
            "Basic realm=\"UAA/client\", error=\"unauthorized\"",
        );
    }
    st.issued += 1;
    let token = format!("simtok.{}.{}", st.issued, random_hex(40));
    st.tokens.insert(token.clone(), now + lifetime_s as i64 * 1000);
    let mut j = Json::default();
    j.obj();
    j.key("access_token").str(&token);
    j.key("token_type").str("bearer");
    j.key("expires_in").int(lifetime_s as i64);
    j.key("scope").str("uaa.resource it!b2.ESBMessaging.send");
    j.key("jti").str(&random_hex(32));
    j.end_obj();
    Resp::json_ok(j)
}

/// Check `Authorization` on an API call: a live Bearer token or the demo user.
pub fn check(st: &mut AuthState, creds: &Creds, headers: &HeaderMap, now: i64) -> Result<(), Resp> {
    let unauthorized = |msg: &str| {
        Err(odata_error(StatusCode::UNAUTHORIZED, "Unauthorized", msg)
            .header("www-authenticate", "Bearer realm=\"cpi\", Basic realm=\"cpi\""))
    };
    let Some(v) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return unauthorized("Authentication required: send a Bearer token or Basic credentials.");
    };
    if let Some(tok) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")) {
        return match st.tokens.get(tok.trim()) {
            Some(&exp) if exp > now => Ok(()),
            Some(_) => {
                st.tokens.remove(tok.trim());
                unauthorized("The access token has expired.")
            }
            None => unauthorized("Invalid access token."),
        };
    }
    match basic(headers) {
        Some((u, p)) if u == creds.username && p == creds.password => Ok(()),
        Some(_) => unauthorized("Invalid user name or password."),
        None => unauthorized("Unsupported authorization scheme."),
    }
}

/// `X-CSRF-Token: Fetch` on a GET: issue a token (header + session cookie).
pub fn maybe_issue_csrf(st: &mut AuthState, headers: &HeaderMap, resp: Resp) -> Resp {
    let wants = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("fetch"));
    if !wants {
        return resp;
    }
    let token = random_hex(32);
    st.csrf.insert(token.clone());
    resp.header("x-csrf-token", token).header(
        "set-cookie",
        format!("JSESSIONID={}; Path=/; HttpOnly", random_hex(32)),
    )
}

/// Writes need a fetched CSRF token; without one: 403 with `X-CSRF-Token: Required`
/// (docs/cpi-api.md, "Authentication and rate limits" marks this exact shape uncertain).
pub fn check_csrf(st: &AuthState, headers: &HeaderMap) -> Result<(), Resp> {
    let tok = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if st.csrf.contains(tok) {
        return Ok(());
    }
    Err(
        odata_error(StatusCode::FORBIDDEN, "Forbidden", "CSRF token validation failed")
            .header("x-csrf-token", "Required"),
    )
}
