//! Shared helpers of the sim's integration tests: a running sim plus a plain reqwest client
//! (deliberately not the cpi client) with a token.
#![allow(dead_code)]

use std::time::Duration;

use cpitop::sim::{SimConfig, SimHandle, spawn};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct T {
    pub h: SimHandle,
    pub c: reqwest::Client,
    pub token: String,
    pub api: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A small, quick tenant: 2 h of history at 1 msg/s, live traffic at 2/s.
pub fn small() -> SimConfig {
    SimConfig {
        seed: 11,
        message_rate: 2.0,
        history: Duration::from_secs(2 * 3600),
        history_messages: Some(7_200),
        ..SimConfig::default()
    }
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

pub async fn token(c: &reqwest::Client, h: &SimHandle) -> String {
    let r = c
        .post(&h.token_url)
        .basic_auth(&h.client_id, Some(&h.client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    v["access_token"].as_str().expect("access_token").to_string()
}

impl T {
    pub async fn new(cfg: SimConfig) -> T {
        let h = spawn(cfg).await.expect("sim starts");
        let c = client();
        let token = token(&c, &h).await;
        let api = format!("{}/api/v1", h.base_url);
        T { h, c, token, api }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.api, path)
        }
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Reply {
        let r = rb.send().await.expect("request sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.expect("body read");
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET with the token and `Accept: application/json`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            self.c
                .get(self.url(path))
                .bearer_auth(&self.token)
                .header("accept", "application/json"),
        )
        .await
    }

    /// GET expecting 200 JSON.
    pub async fn json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.json()
    }

    pub async fn csrf(&self) -> String {
        let r = self
            .send(
                self.c
                    .get(format!("{}/", self.api))
                    .bearer_auth(&self.token)
                    .header("x-csrf-token", "Fetch")
                    .header("accept", "application/json"),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.headers["x-csrf-token"].to_str().expect("ascii").to_string()
    }

    /// A write with the token and a fresh CSRF token.
    pub async fn write(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let csrf = self.csrf().await;
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self
            .c
            .request(m, self.url(path))
            .bearer_auth(&self.token)
            .header("x-csrf-token", csrf);
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b.to_string());
        }
        self.send(rb).await
    }

    /// POST tunnelled as MERGE (what CF tenants accept).
    pub async fn merge(&self, path: &str, body: &str) -> Reply {
        let csrf = self.csrf().await;
        self.send(
            self.c
                .post(self.url(path))
                .bearer_auth(&self.token)
                .header("x-csrf-token", csrf)
                .header("x-http-method", "MERGE")
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }
}

/// `%`-encode a query value (spaces as %20).
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn results(v: &Value) -> &Vec<Value> {
    v["d"]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no d.results in {v}"))
}

pub fn date_ms(v: &Value) -> i64 {
    cpitop::cpi::odata::parse_date(v.as_str().unwrap_or_else(|| panic!("date is not a string: {v}")))
        .unwrap_or_else(|| panic!("bad date {v}"))
}
