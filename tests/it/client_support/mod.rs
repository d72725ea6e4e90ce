//! A tiny canned HTTP server on 127.0.0.1:0 for client tests that need exact control of replies
//! (the simulated tenant covers the realistic paths). It stops with the test's runtime.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use cpitop::cpi::conn::{Auth, Limits, TenantConn};
use cpitop::secret::Secret;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub at: std::time::Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// What to answer: a response, or drop the connection without one.
pub enum Answer {
    Reply(Response<Full<Bytes>>),
    /// Reply after a delay (awaited, so the server keeps serving meanwhile).
    Later(Duration, Response<Full<Bytes>>),
    Drop,
}

/// Delay an answer.
pub fn later(delay: Duration, a: Answer) -> Answer {
    match a {
        Answer::Reply(r) | Answer::Later(_, r) => Answer::Later(delay, r),
        Answer::Drop => Answer::Drop,
    }
}

pub type Handler = Arc<dyn Fn(&Recorded, usize) -> Answer + Send + Sync>;

pub struct Canned {
    pub base: String,
    pub log: Arc<Mutex<Vec<Recorded>>>,
}

impl Canned {
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }
    pub fn count(&self, pred: impl Fn(&Recorded) -> bool) -> usize {
        self.requests().iter().filter(|r| pred(r)).count()
    }
}

pub fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).expect("status");
    if !content_type.is_empty() {
        r.headers_mut()
            .insert("content-type", content_type.parse().expect("ct"));
    }
    Answer::Reply(r)
}

pub fn json(status: u16, body: &str) -> Answer {
    reply(status, "application/json", body.to_string())
}

pub fn with_header(a: Answer, name: &'static str, value: &str) -> Answer {
    match a {
        Answer::Reply(mut r) => {
            r.headers_mut().append(name, value.parse().expect("hv"));
            Answer::Reply(r)
        }
        Answer::Later(d, mut r) => {
            r.headers_mut().append(name, value.parse().expect("hv"));
            Answer::Later(d, r)
        }
        Answer::Drop => Answer::Drop,
    }
}

pub async fn serve(handler: Handler) -> Canned {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let log = log2.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let handler = handler.clone();
                    let log = log.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                        let rec = Recorded {
                            method: parts.method.to_string(),
                            path: parts
                                .uri
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers: parts.headers,
                            body,
                            at: std::time::Instant::now(),
                        };
                        let index = {
                            let mut l = log.lock().expect("log");
                            l.push(rec.clone());
                            l.len() - 1
                        };
                        match handler(&rec, index) {
                            Answer::Reply(r) => Ok::<_, std::io::Error>(r),
                            Answer::Later(d, r) => {
                                tokio::time::sleep(d).await;
                                Ok(r)
                            }
                            Answer::Drop => Err(std::io::Error::other("dropped on purpose")),
                        }
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Canned {
        base: format!("http://{addr}"),
        log,
    }
}

/// Fast limits for tests: tiny backoffs, short timeouts.
pub fn fast_limits() -> Limits {
    Limits {
        max_concurrency: 4,
        requests_per_second: 1000.0,
        burst: 1000,
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
    }
}

pub const SECRET: &str = "s3cr3t-client-secret-value";

pub fn oauth_conn(base: &str) -> TenantConn {
    TenantConn {
        name: "test".into(),
        base_url: base.to_string(),
        auth: Auth::OAuth {
            token_url: format!("{base}/oauth/token"),
            client_id: "sb-client".into(),
            client_secret: Secret::new(SECRET),
        },
        limits: fast_limits(),
        ca_bundle: None,
    }
}

pub fn token_reply(token: &str, expires_in: i64) -> Answer {
    json(
        200,
        &format!(
            r#"{{"access_token":"{token}","token_type":"bearer","expires_in":{expires_in},"scope":"x","jti":"j"}}"#
        ),
    )
}

/// A minimal in-memory MPL set behind `MessageProcessingLogs`: `$filter` with `LogEnd ge/lt`
/// datetime literals, `$orderby=LogEnd asc|desc`, `$top`, `$skip`. When `mutating` is set, every
/// request first inserts new messages and moves existing ones to "now" (a status change), so the
/// set changes between any two page requests — deterministically.
pub struct MplSet {
    pub rows: Mutex<Vec<(String, i64)>>,
    pub mutating: std::sync::atomic::AtomicBool,
    pub next_id: std::sync::atomic::AtomicUsize,
    pub inserts_per_request: usize,
    pub moves_per_request: usize,
    /// Answer a filter with `MessageGuid eq` inside an `or` with HTTP 400 (a tenant that does
    /// not accept late messages by id in a delta, `cpi::mpl_follow`).
    pub reject_ids: std::sync::atomic::AtomicBool,
}

impl MplSet {
    pub fn new(rows: Vec<(String, i64)>, inserts_per_request: usize, moves_per_request: usize) -> Arc<Self> {
        let n = rows.len();
        Arc::new(Self {
            rows: Mutex::new(rows),
            mutating: std::sync::atomic::AtomicBool::new(false),
            next_id: std::sync::atomic::AtomicUsize::new(n),
            inserts_per_request,
            moves_per_request,
            reject_ids: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn now_ms() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    fn mutate(&self) {
        use std::sync::atomic::Ordering;
        if !self.mutating.load(Ordering::SeqCst) {
            return;
        }
        let now = Self::now_ms();
        let mut rows = self.rows.lock().expect("rows");
        for _ in 0..self.inserts_per_request {
            let id = self.next_id.fetch_add(1, Ordering::SeqCst);
            rows.push((format!("NEW{id:08}"), now));
        }
        let len = rows.len();
        for _ in 0..self.moves_per_request {
            let i = fastrand::usize(..len);
            rows[i].1 = now;
        }
    }

    pub fn answer(&self, r: &Recorded) -> Answer {
        self.mutate();
        let query = r.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut ge: Option<i64> = None;
        let mut lt: Option<i64> = None;
        let mut le: Option<i64> = None;
        // `(LogEnd ge … or MessageGuid eq '…' or …)`: a delta with late messages by id.
        let mut or_ids: Vec<String> = Vec::new();
        let mut desc = false;
        let mut top = 1000usize;
        let mut skip = 0usize;
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .to_string();
            match k {
                // The in-flight listing (`cpi::mpl_window`): this tenant's messages all have a
                // LogEnd, so nothing is in flight.
                "$filter" if v.contains("LogEnd eq null") => {
                    return json(200, r#"{"d":{"results":[]}}"#);
                }
                "$filter" => {
                    for clause in v.split(" and ") {
                        let lit = clause
                            .split_once("datetime'")
                            .and_then(|(_, rest)| rest.strip_suffix('\''))
                            .and_then(cpitop::cpi::odata::parse_datetime_literal);
                        if let Some(alts) = clause.strip_prefix('(').and_then(|c| c.strip_suffix(')')) {
                            if self.reject_ids.load(std::sync::atomic::Ordering::SeqCst)
                                && alts.contains("MessageGuid eq")
                            {
                                return json(
                                    400,
                                    r#"{"error":{"code":"Bad Request","message":{"lang":"en","value":"Invalid filter expression"}}}"#,
                                );
                            }
                            for alt in alts.split(" or ") {
                                if let Some(id) = alt.strip_prefix("MessageGuid eq '") {
                                    or_ids.push(id.trim_end_matches('\'').to_owned());
                                } else if alt.starts_with("LogEnd ge") {
                                    ge = alt
                                        .split_once("datetime'")
                                        .and_then(|(_, rest)| rest.strip_suffix('\''))
                                        .and_then(cpitop::cpi::odata::parse_datetime_literal);
                                }
                            }
                        } else if clause.starts_with("LogEnd ge") {
                            ge = lit;
                        } else if clause.starts_with("LogEnd lt") {
                            lt = lit;
                        } else if clause.starts_with("LogEnd le") {
                            le = lit;
                        }
                    }
                }
                "$orderby" => desc = v.ends_with("desc"),
                "$top" => top = v.parse().unwrap_or(1000).min(1000),
                "$skip" => skip = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        let mut sel: Vec<(String, i64)> = self
            .rows
            .lock()
            .expect("rows")
            .iter()
            .filter(|(id, t)| {
                (ge.is_none_or(|g| *t >= g) || or_ids.contains(id))
                    && lt.is_none_or(|l| *t < l)
                    && le.is_none_or(|l| *t <= l)
            })
            .cloned()
            .collect();
        // Stable order within a millisecond (by guid), as a database index would give.
        sel.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        if desc {
            sel.reverse();
        }
        let page: Vec<String> = sel
            .iter()
            .skip(skip)
            .take(top)
            .map(|(g, t)| format!(r#"{{"MessageGuid":"{g}","LogEnd":"/Date({t})/","Status":"COMPLETED"}}"#))
            .collect();
        json(200, &format!(r#"{{"d":{{"results":[{}]}}}}"#, page.join(",")))
    }

    pub fn truth(&self) -> std::collections::HashMap<String, i64> {
        self.rows.lock().expect("rows").iter().cloned().collect()
    }
}

/// A client for a running simulated tenant (OAuth, fast test limits).
pub fn sim_conn(h: &cpitop::sim::SimHandle) -> TenantConn {
    TenantConn {
        limits: fast_limits(),
        ..h.demo_conn("sim")
    }
}

/// A sim with `n` history messages over the last `hours`, and `rate` live messages per second.
pub async fn sim(n: u64, hours: u64, rate: f64) -> cpitop::sim::SimHandle {
    cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 7,
        message_rate: rate,
        history: Duration::from_secs(hours * 3600),
        history_messages: Some(n),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim starts")
}

/// A plain reqwest client for raw requests in tests (installs the ring provider like `CpiClient`).
pub fn raw_http() -> reqwest::Client {
    cpitop::cpi::install_tls_provider();
    reqwest::Client::new()
}
