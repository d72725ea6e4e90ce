//! Scenario control and ground truth: `SimAdmin` in process, and the same operations over HTTP
//! under `/sim/admin/...` (JSON bodies; no authentication — the sim listens on loopback only).
//!
//! | Method | Path | Body / query | Effect |
//! |---|---|---|---|
//! | GET | `/sim/admin` | | this list |
//! | GET/POST/DELETE | `/sim/admin/faults` | POST: a `FaultRule` | list / add (→ `{"id"}`) / clear |
//! | DELETE | `/sim/admin/faults/{id}` | | remove one rule |
//! | POST | `/sim/admin/iflows/{id}/stop` \| `/start` | | artifact ERROR / STARTED |
//! | POST | `/sim/admin/iflows/{id}/version` | `{"version":"1.2.3"}` | deploy that version now (DeployedOn now) |
//! | POST | `/sim/admin/iflows/{id}/fail-next` | `{"count":N,"error":"text"}` | next N messages FAILED |
//! | POST | `/sim/admin/queues/{q}/fill` | `{"count":N,"failed":bool}` | add messages |
//! | POST | `/sim/admin/certificates/{alias}/expire` | `{"at_ms":ms}` (default: now − 1 min) | move ValidNotAfter |
//! | POST | `/sim/admin/tenant/down` | `{"mode":"unavailable"\|"drop"}` | every call 503 / dropped |
//! | POST | `/sim/admin/tenant/up` | | back to normal |
//! | POST | `/sim/admin/tokens/expire` | | every issued token invalid |
//! | GET/POST | `/sim/admin/clock` \| `/sim/admin/clock/advance` | `{"ms":N}` | read / advance the sim clock |
//! | GET | `/sim/admin/truth/messages?from=ms&to=ms` | | MessageGuids with LogEnd in [from,to) visible now |
//! | GET | `/sim/admin/truth/in-flight` | | MessageGuids of the messages in flight (no LogEnd) |
//! | GET | `/sim/admin/truth/queues/{q}` | | the queue's messages |
//! | GET | `/sim/admin/truth/artifacts/{id}` | | `{"deployed","status","version"}` |
//! | GET | `/sim/admin/stats` | | `{"requests"}` API requests served |
//! | GET/DELETE | `/sim/admin/requests` | | `{"requests":["GET /api/v1/…?…",…]}` the last 20,000 API requests, oldest first / clear |

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::catalog::FLOWS;
use super::faults::FaultRule;
use super::resp::Resp;
use super::world::{DownMode, Sim};

/// In-process control of a running sim.
#[derive(Clone)]
pub struct SimAdmin {
    sim: Arc<Sim>,
}

/// A queued message as the sim holds it (ground truth for tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthQueueMessage {
    pub msgid: String,
    pub failed: bool,
    pub mplid: Option<String>,
    pub retry_count: i64,
    pub next_retry: Option<i64>,
}

impl SimAdmin {
    pub(crate) fn new(sim: Arc<Sim>) -> Self {
        Self { sim }
    }

    pub fn add_fault(&self, rule: FaultRule) -> u64 {
        self.sim.world().faults.add(rule)
    }
    pub fn remove_fault(&self, id: u64) -> bool {
        self.sim.world().faults.remove(id)
    }
    pub fn clear_faults(&self) {
        self.sim.world().faults.clear()
    }
    /// `(id, rule, times fired)`
    pub fn faults(&self) -> Vec<(u64, FaultRule, u32)> {
        self.sim.world().faults.list()
    }

    /// Stop an iFlow: its artifact goes to ERROR and it produces no more messages.
    pub fn stop_iflow(&self, id: &str) -> Result<(), String> {
        self.set_running(id, false)
    }
    /// Start an iFlow: STARTED, messages flow again.
    pub fn start_iflow(&self, id: &str) -> Result<(), String> {
        self.set_running(id, true)
    }
    fn set_running(&self, id: &str, running: bool) -> Result<(), String> {
        let mut w = self.sim.world();
        if !w.arts.set_running(id, running) {
            return Err(format!("no artifact '{id}' in the simulated tenant"));
        }
        w.mpl.stopped = w.arts.stopped_flows();
        Ok(())
    }

    /// Deploy `version` of artifact `id` now (a change promoted to this tenant).
    pub fn deploy_version(&self, id: &str, version: &str) -> Result<(), String> {
        let now = self.sim.now();
        let mut w = self.sim.world();
        if !w.arts.deploy_version(id, version, now) {
            return Err(format!("no artifact '{id}' in the simulated tenant"));
        }
        w.mpl.stopped = w.arts.stopped_flows();
        Ok(())
    }

    /// The next `count` messages of iFlow `id` end FAILED with `error`.
    pub fn fail_next(&self, id: &str, count: u32, error: &str) -> Result<(), String> {
        let fi = FLOWS
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| format!("no iFlow '{id}' in the simulated tenant"))?;
        if count > 0 {
            self.sim
                .world()
                .mpl
                .fail_next
                .insert(fi as u16, (count, error.to_string()));
        }
        Ok(())
    }

    /// Add `count` messages to queue `name` (created if missing); failed ones when `failed`.
    pub fn fill_queue(&self, name: &str, count: usize, failed: bool) {
        let now = self.sim.now();
        let mut w = self.sim.world();
        let w = &mut *w;
        w.jms.fill(&w.mpl, name, count, failed, now);
    }

    /// Move a certificate's ValidNotAfter to `at_ms` (default: one minute ago, i.e. expired).
    pub fn expire_certificate(&self, alias: &str, at_ms: Option<i64>) -> Result<(), String> {
        let at = at_ms.unwrap_or(self.sim.now() - 60_000);
        let mut w = self.sim.world();
        let c = w
            .keys
            .certs
            .iter_mut()
            .find(|c| c.alias == alias)
            .ok_or_else(|| format!("no keystore entry '{alias}'"))?;
        c.not_after = at;
        Ok(())
    }

    pub fn tenant_down(&self, mode: DownMode) {
        self.sim.world().down = Some(mode);
    }
    pub fn tenant_up(&self) {
        self.sim.world().down = None;
    }
    pub fn expire_tokens(&self) {
        self.sim.world().auth.expire_tokens();
    }
    /// Move the sim clock forward (messages arrive, retries run, deploys finish, tokens expire).
    pub fn advance_clock(&self, by: Duration) {
        self.sim.advance_clock(by.as_millis() as i64);
        drop(self.sim.world());
    }
    /// The sim clock, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.sim.now()
    }
    /// Message rows the `MessageProcessingLogs` list requests have answered with so far.
    pub fn mpl_rows_served(&self) -> u64 {
        self.sim.world().mpl.rows_served.load(Ordering::Relaxed)
    }

    /// MessageGuids with LogEnd in `[from_ms, to_ms)` as visible now, in LogEnd order.
    pub fn truth_messages(&self, from_ms: i64, to_ms: i64) -> Vec<String> {
        let w = self.sim.world();
        let r = w.mpl.range(Some(from_ms), Some(to_ms));
        w.mpl.index()[r]
            .iter()
            .map(|&(_, i)| String::from_utf8_lossy(&w.mpl.mg.guid(i)).into_owned())
            .collect()
    }
    /// MessageGuids of the messages in flight now: rows without a LogEnd (docs/sim.md,
    /// "Messages in flight"; none with `SimConfig::clean`).
    pub fn truth_in_flight(&self) -> Vec<String> {
        let w = self.sim.world();
        w.mpl
            .in_flight()
            .map(|i| String::from_utf8_lossy(&w.mpl.mg.guid(i)).into_owned())
            .collect()
    }
    /// Status of a message as visible now.
    pub fn truth_message_status(&self, guid: &str) -> Option<String> {
        let w = self.sim.world();
        let i = w.mpl.mg.guid_index(guid)?;
        w.mpl.state(i).map(|s| s.status.as_str().to_string())
    }
    pub fn truth_queue(&self, name: &str) -> Option<Vec<TruthQueueMessage>> {
        let w = self.sim.world();
        let q = w.jms.queue(name)?;
        Some(
            q.msgs
                .iter()
                .map(|m| TruthQueueMessage {
                    msgid: m.msgid.clone(),
                    failed: m.failed,
                    mplid: m.mplid.clone(),
                    retry_count: m.retry_count,
                    next_retry: m.next_retry,
                })
                .collect(),
        )
    }
    /// Queue names.
    pub fn truth_queue_names(&self) -> Vec<String> {
        self.sim
            .world()
            .jms
            .queues
            .iter()
            .map(|q| q.name.clone())
            .collect()
    }
    /// `Some(status)` of a deployed artifact, `None` if not deployed or unknown.
    pub fn truth_artifact_status(&self, id: &str) -> Option<String> {
        let w = self.sim.world();
        w.arts
            .find(id)
            .filter(|a| a.deployed)
            .map(|a| a.status.to_string())
    }
    /// The version of a deployed artifact, `None` if not deployed or unknown.
    pub fn truth_artifact_version(&self, id: &str) -> Option<String> {
        let w = self.sim.world();
        w.arts.find(id).filter(|a| a.deployed).map(|a| a.version.clone())
    }
    /// API requests served (excluding admin).
    pub fn request_count(&self) -> u64 {
        self.sim.requests.load(Ordering::Relaxed)
    }
    /// The most recent API requests (token endpoint included, admin excluded) as
    /// `METHOD /path?query`, exactly as received (still percent-encoded), oldest first.
    pub fn recent_requests(&self) -> Vec<String> {
        self.sim.request_log.snapshot()
    }
    pub fn clear_requests(&self) {
        self.sim.request_log.clear()
    }
}

fn ok_json(v: serde_json::Value) -> Resp {
    Resp::new(StatusCode::OK, "application/json", v.to_string())
}

fn err(status: StatusCode, msg: &str) -> Resp {
    Resp::new(
        status,
        "application/json",
        serde_json::json!({ "error": msg }).to_string(),
    )
}

fn body<T: for<'de> Deserialize<'de> + Default>(b: &Bytes) -> Result<T, Resp> {
    if b.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(b).map_err(|e| err(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}")))
}

#[derive(Deserialize, Default)]
struct FailNext {
    count: u32,
    #[serde(default)]
    error: Option<String>,
}
#[derive(Deserialize, Default)]
struct Version {
    version: String,
}
#[derive(Deserialize, Default)]
struct Fill {
    count: usize,
    #[serde(default)]
    failed: bool,
}
#[derive(Deserialize, Default)]
struct Expire {
    #[serde(default)]
    at_ms: Option<i64>,
}
#[derive(Deserialize, Default)]
struct Down {
    #[serde(default)]
    mode: Option<DownMode>,
}
#[derive(Deserialize, Default)]
struct Advance {
    #[serde(default)]
    ms: i64,
}

const HELP: &str = "GET /sim/admin/faults | POST /sim/admin/faults {FaultRule} | DELETE /sim/admin/faults[/{id}] | POST /sim/admin/iflows/{id}/stop|start | POST /sim/admin/iflows/{id}/version {version} | POST /sim/admin/iflows/{id}/fail-next {count,error} | POST /sim/admin/queues/{q}/fill {count,failed} | POST /sim/admin/certificates/{alias}/expire {at_ms} | POST /sim/admin/tenant/down {mode: unavailable|drop} | POST /sim/admin/tenant/up | POST /sim/admin/tokens/expire | GET /sim/admin/clock | POST /sim/admin/clock/advance {ms} | GET /sim/admin/truth/messages?from=&to= | GET /sim/admin/truth/in-flight | GET /sim/admin/truth/queues/{q} | GET /sim/admin/truth/artifacts/{id} | GET /sim/admin/stats | GET|DELETE /sim/admin/requests";

pub fn handle_http(sim: &Arc<Sim>, method: &Method, path: &str, query: Option<&str>, b: &Bytes) -> Resp {
    let admin = SimAdmin::new(sim.clone());
    let rest = path.trim_start_matches("/sim/admin").trim_matches('/');
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .into_owned();
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let param = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    let r: Result<Resp, Resp> = (|| {
        Ok(match (method.as_str(), parts.as_slice()) {
            ("GET", []) => ok_json(serde_json::json!({ "endpoints": HELP })),
            ("GET", ["faults"]) => ok_json(serde_json::json!(
                admin
                    .faults()
                    .into_iter()
                    .map(|(id, rule, fired)| serde_json::json!({"id": id, "rule": rule, "fired": fired}))
                    .collect::<Vec<_>>()
            )),
            ("POST", ["faults"]) => {
                let rule: FaultRule = serde_json::from_slice(b)
                    .map_err(|e| err(StatusCode::BAD_REQUEST, &format!("invalid fault rule: {e}")))?;
                ok_json(serde_json::json!({ "id": admin.add_fault(rule) }))
            }
            ("DELETE", ["faults"]) => {
                admin.clear_faults();
                ok_json(serde_json::json!({}))
            }
            ("DELETE", ["faults", id]) => {
                let id: u64 = id
                    .parse()
                    .map_err(|_| err(StatusCode::BAD_REQUEST, "fault id must be a number"))?;
                if !admin.remove_fault(id) {
                    return Err(err(StatusCode::NOT_FOUND, "no such fault rule"));
                }
                ok_json(serde_json::json!({}))
            }
            ("POST", ["iflows", id, "stop"]) => {
                admin.stop_iflow(id).map_err(|e| err(StatusCode::NOT_FOUND, &e))?;
                ok_json(serde_json::json!({}))
            }
            ("POST", ["iflows", id, "start"]) => {
                admin
                    .start_iflow(id)
                    .map_err(|e| err(StatusCode::NOT_FOUND, &e))?;
                ok_json(serde_json::json!({}))
            }
            ("POST", ["iflows", id, "version"]) => {
                let v: Version = body(b)?;
                if v.version.trim().is_empty() {
                    return Err(err(StatusCode::BAD_REQUEST, "give {\"version\":\"1.2.3\"}"));
                }
                admin
                    .deploy_version(id, &v.version)
                    .map_err(|e| err(StatusCode::NOT_FOUND, &e))?;
                ok_json(serde_json::json!({}))
            }
            ("POST", ["iflows", id, "fail-next"]) => {
                let f: FailNext = body(b)?;
                let text = f.error.unwrap_or_else(|| {
                    "org.apache.camel.CamelExchangeException: failure injected by the simulated tenant".into()
                });
                admin
                    .fail_next(id, f.count, &text)
                    .map_err(|e| err(StatusCode::NOT_FOUND, &e))?;
                ok_json(serde_json::json!({}))
            }
            ("POST", ["queues", q, "fill"]) => {
                let f: Fill = body(b)?;
                admin.fill_queue(q, f.count, f.failed);
                ok_json(serde_json::json!({}))
            }
            ("POST", ["certificates", alias, "expire"]) => {
                let e: Expire = body(b)?;
                admin
                    .expire_certificate(alias, e.at_ms)
                    .map_err(|e| err(StatusCode::NOT_FOUND, &e))?;
                ok_json(serde_json::json!({}))
            }
            ("POST", ["tenant", "down"]) => {
                let d: Down = body(b)?;
                admin.tenant_down(d.mode.unwrap_or(DownMode::Unavailable));
                ok_json(serde_json::json!({}))
            }
            ("POST", ["tenant", "up"]) => {
                admin.tenant_up();
                ok_json(serde_json::json!({}))
            }
            ("POST", ["tokens", "expire"]) => {
                admin.expire_tokens();
                ok_json(serde_json::json!({}))
            }
            ("GET", ["clock"]) => ok_json(serde_json::json!({ "now_ms": admin.now_ms() })),
            ("POST", ["clock", "advance"]) => {
                let a: Advance = body(b)?;
                admin.advance_clock(Duration::from_millis(a.ms.max(0) as u64));
                ok_json(serde_json::json!({ "now_ms": admin.now_ms() }))
            }
            ("GET", ["truth", "messages"]) => {
                let (Some(from), Some(to)) = (param("from"), param("to")) else {
                    return Err(err(
                        StatusCode::BAD_REQUEST,
                        "from and to (epoch ms) are required",
                    ));
                };
                ok_json(serde_json::json!({ "guids": admin.truth_messages(from, to) }))
            }
            ("GET", ["truth", "in-flight"]) => {
                ok_json(serde_json::json!({ "guids": admin.truth_in_flight() }))
            }
            ("GET", ["truth", "queues", q]) => match admin.truth_queue(q) {
                Some(m) => ok_json(serde_json::json!({ "messages": m })),
                None => return Err(err(StatusCode::NOT_FOUND, "no such queue")),
            },
            ("GET", ["truth", "artifacts", id]) => {
                let st = admin.truth_artifact_status(id);
                let version = admin.truth_artifact_version(id);
                ok_json(serde_json::json!({ "deployed": st.is_some(), "status": st, "version": version }))
            }
            ("GET", ["stats"]) => ok_json(serde_json::json!({ "requests": admin.request_count() })),
            ("GET", ["requests"]) => ok_json(serde_json::json!({ "requests": admin.recent_requests() })),
            ("DELETE", ["requests"]) => {
                admin.clear_requests();
                ok_json(serde_json::json!({}))
            }
            _ => {
                return Err(err(
                    StatusCode::NOT_FOUND,
                    &format!("unknown admin endpoint {method} {path}; see GET /sim/admin"),
                ));
            }
        })
    })();
    r.unwrap_or_else(|e| e)
}
