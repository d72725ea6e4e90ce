//! Fault injection rules. A rule matches API requests (paths under `/api/v1`, or the token
//! endpoint when `path_contains` names it; `path_contains` is matched against path and query), lets `after_successes` matching requests through,
//! then fires `count` times (or forever) with `probability` (default 1).
//!
//! JSON form (admin endpoint, `--fault '{…}'`):
//! `{"kind":"rate_limit","retry_after":2,"count":3,"path_contains":"MessageProcessingLogs","method":"GET","after_successes":5}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer normally after `ms` milliseconds.
    Latency { ms: u64 },
    /// 429 with `Retry-After: <retry_after>` seconds.
    RateLimit {
        #[serde(default = "one")]
        retry_after: u64,
    },
    /// 500 with an OData error.
    Http500,
    /// 503 Service Unavailable (maintenance).
    Http503,
    /// 200 with an HTML login page (a wrong token URL or a SAML redirect gives this).
    HtmlLogin,
    /// 200 with a body that is not JSON at all.
    MalformedJson,
    /// The real answer cut in the middle (complete HTTP framing, incomplete JSON).
    TruncatedJson,
    /// Close the connection without an answer.
    DropConnection,
    /// Expire every issued token, then handle the request (a Bearer call gets 401).
    TokenExpiry,
    /// Answer 503 as a tenant that is down.
    TenantDown,
    /// Tenant text carrying terminal control sequences ([`CONTROL_TEXT`]: OSC 52, a title
    /// change, CSI clear screen, BEL, BS, C1 CSI, bidi override and isolate): the real answer
    /// with it appended to every name-like field and error text ([`with_control_chars`]), or,
    /// with `as_error`, a 400 OData error whose code and message carry it.
    ControlChars {
        #[serde(default)]
        as_error: bool,
    },
    // --- Hostile replies (the client must not trust what a reply says; keep this block
    // together). See docs/sim.md.
    /// The answer, with the collection's `__next` set to `url` (e.g. a second listener playing a
    /// foreign host, or `http://` / another port of the same host).
    ForeignNext { url: String },
    /// `status` (default 302) with `Location: <location>` instead of the answer.
    Redirect {
        location: String,
        #[serde(default = "found")]
        status: u16,
    },
    /// The answer, with `Name` of the first row (or of the single entity) replaced by `bytes`
    /// times `x`; a body that is not an OData JSON object is replaced by `bytes` times `x`.
    HugeField { bytes: u64 },
    /// An OData error reply with HTTP `status` (default 400) whose message is `bytes` long.
    HugeError {
        bytes: u64,
        #[serde(default = "bad_request")]
        status: u16,
    },
    /// HTTP `status` (default 429; 503 too) with `Retry-After: <value>` verbatim, e.g. `"1e20"`.
    RetryAfterText {
        value: String,
        #[serde(default = "too_many_requests")]
        status: u16,
    },
    /// The answer, with one invalid UTF-8 byte (0xFF) inside the first `"Name"` string value.
    InvalidUtf8,
    // --- Error replies as real tenants shape them (docs/sim.md, "Error replies").
    /// 403 as real tenants send it for a missing role: the unwrapped form with `value: null`
    /// (`{"code":"Forbidden","message":{"lang":"en","value":null}}`).
    Forbidden,
    /// HTTP `status` (default 500) with an error body of `shape` and `message` (`null` when
    /// absent).
    ErrorBody {
        #[serde(default = "internal")]
        status: u16,
        #[serde(default)]
        shape: super::resp::ErrorShape,
        #[serde(default)]
        message: Option<String>,
    },
}

fn internal() -> u16 {
    500
}

fn one() -> u64 {
    1
}
fn found() -> u16 {
    302
}
fn bad_request() -> u16 {
    400
}
fn too_many_requests() -> u16 {
    429
}

/// The answer body as a hostile-reply fault rewrites it (`ForeignNext`, `HugeField`,
/// `InvalidUtf8`); `None` for other kinds, or when the body has nothing to rewrite.
pub fn rewrite_body(kind: &FaultKind, body: &[u8]) -> Option<Vec<u8>> {
    match kind {
        FaultKind::ForeignNext { url } => {
            let mut v: serde_json::Value = serde_json::from_slice(body).ok()?;
            let d = v.get_mut("d")?.as_object_mut()?;
            d.insert("__next".into(), serde_json::Value::String(url.clone()));
            serde_json::to_vec(&v).ok()
        }
        FaultKind::HugeField { bytes } => {
            let huge = "x".repeat(usize::try_from(*bytes).unwrap_or(usize::MAX));
            let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else {
                return Some(huge.into_bytes());
            };
            let d = v.get_mut("d")?;
            let row = match d.get_mut("results") {
                Some(rows) => rows.get_mut(0)?,
                None => d,
            };
            row.as_object_mut()?
                .insert("Name".into(), serde_json::Value::String(huge));
            serde_json::to_vec(&v).ok()
        }
        FaultKind::InvalidUtf8 => {
            let at = memchr::memmem::find(body, b"\"Name\":\"")? + b"\"Name\":\"".len();
            let mut out = Vec::with_capacity(body.len() + 1);
            out.extend_from_slice(&body[..at]);
            out.push(0xFF);
            out.extend_from_slice(&body[at..]);
            Some(out)
        }
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire at most this many times (default: unlimited).
    #[serde(default)]
    pub count: Option<u32>,
    /// Chance to fire per matching request (default 1).
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub path_contains: Option<String>,
    /// HTTP method to match (default: any).
    #[serde(default)]
    pub method: Option<String>,
    /// Let this many matching requests through before firing.
    #[serde(default)]
    pub after_successes: Option<u32>,
}

impl FaultRule {
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            count: None,
            probability: None,
            path_contains: None,
            method: None,
            after_successes: None,
        }
    }
    pub fn count(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }
    pub fn path(mut self, p: &str) -> Self {
        self.path_contains = Some(p.into());
        self
    }
    pub fn method(mut self, m: &str) -> Self {
        self.method = Some(m.into());
        self
    }
    pub fn after(mut self, n: u32) -> Self {
        self.after_successes = Some(n);
        self
    }
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    /// Parse the `--fault` flag: JSON, or `kind[:param][,count=N][,prob=P][,path=S][,method=M][,after=N]`
    /// e.g. `latency:200,prob=0.1`, `rate_limit:2,count=3`, `http500,path=Queues,method=POST,after=2`.
    pub fn parse_flag(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with('{') {
            return serde_json::from_str(s).map_err(|e| format!("invalid fault JSON '{s}': {e}"));
        }
        let mut parts = s.split(',');
        let head = parts.next().unwrap_or("");
        let (name, param) = match head.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (head, None),
        };
        let num = |p: Option<&str>, what: &str, default: u64| -> Result<u64, String> {
            p.map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| format!("invalid {what} '{v}' in fault '{s}'"))
            })
        };
        let text = |p: Option<&str>, what: &str| -> Result<String, String> {
            p.filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("fault '{name}' needs a {what}: '{name}:<{what}>'"))
        };
        let kind = match name {
            "latency" => FaultKind::Latency {
                ms: num(param, "latency ms", 500)?,
            },
            "rate_limit" | "429" => FaultKind::RateLimit {
                retry_after: num(param, "retry-after", 1)?,
            },
            "http500" | "500" => FaultKind::Http500,
            "http503" | "503" => FaultKind::Http503,
            "html_login" => FaultKind::HtmlLogin,
            "malformed_json" => FaultKind::MalformedJson,
            "truncated_json" => FaultKind::TruncatedJson,
            "drop_connection" => FaultKind::DropConnection,
            "token_expiry" => FaultKind::TokenExpiry,
            "tenant_down" => FaultKind::TenantDown,
            "control_chars" => FaultKind::ControlChars {
                as_error: match param {
                    None => false,
                    Some("error") => true,
                    Some(p) => {
                        return Err(format!(
                            "invalid control_chars mode '{p}' in fault '{s}' (only `error`)"
                        ));
                    }
                },
            },
            "foreign_next" => FaultKind::ForeignNext {
                url: text(param, "URL")?,
            },
            "redirect" => FaultKind::Redirect {
                location: text(param, "location")?,
                status: 302,
            },
            "huge_field" => FaultKind::HugeField {
                bytes: num(param, "size in bytes", 300 * 1024 * 1024)?,
            },
            "huge_error" => FaultKind::HugeError {
                bytes: num(param, "size in bytes", 10 * 1024 * 1024)?,
                status: 400,
            },
            "retry_after_text" => FaultKind::RetryAfterText {
                value: text(param, "Retry-After value")?,
                status: 429,
            },
            "invalid_utf8" => FaultKind::InvalidUtf8,
            "forbidden" | "403" => FaultKind::Forbidden,
            "error_body" => {
                let shape = match param.unwrap_or("wrapped") {
                    "wrapped" => super::resp::ErrorShape::Wrapped,
                    "unwrapped" => super::resp::ErrorShape::Unwrapped,
                    "lang_text" => super::resp::ErrorShape::LangText,
                    "xml" => super::resp::ErrorShape::Xml,
                    "bom" => super::resp::ErrorShape::Bom,
                    "atom" => super::resp::ErrorShape::Atom,
                    "html" => super::resp::ErrorShape::Html,
                    other => {
                        return Err(format!(
                            "invalid error_body shape '{other}' in fault '{s}' (wrapped, unwrapped, lang_text, xml, bom, atom, html)"
                        ));
                    }
                };
                FaultKind::ErrorBody {
                    status: 500,
                    shape,
                    message: Some("Error injected by the simulated tenant".into()),
                }
            }
            other => {
                return Err(format!(
                    "unknown fault kind '{other}' (latency, rate_limit, http500, http503, html_login, malformed_json, truncated_json, drop_connection, token_expiry, tenant_down, foreign_next, redirect, huge_field, huge_error, retry_after_text, invalid_utf8, control_chars[:error], forbidden, error_body[:shape])"
                ));
            }
        };
        let mut rule = FaultRule::new(kind);
        for p in parts {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| format!("expected key=value, got '{p}' in fault '{s}'"))?;
            match k {
                "count" => rule.count = Some(num(Some(v), "count", 0)? as u32),
                "after" => rule.after_successes = Some(num(Some(v), "after", 0)? as u32),
                "prob" => {
                    rule.probability = Some(
                        v.parse()
                            .map_err(|_| format!("invalid probability '{v}' in fault '{s}'"))?,
                    )
                }
                "path" => rule.path_contains = Some(v.to_string()),
                "method" => rule.method = Some(v.to_uppercase()),
                _ => {
                    return Err(format!(
                        "unknown fault option '{k}' in '{s}' (count, after, prob, path, method)"
                    ));
                }
            }
        }
        Ok(rule)
    }
}

struct Active {
    id: u64,
    rule: FaultRule,
    seen: u32,
    fired: u32,
}

pub struct Faults {
    rules: Vec<Active>,
    next_id: u64,
    rng: fastrand::Rng,
}

impl Faults {
    pub fn new(seed: u64, rules: Vec<FaultRule>) -> Self {
        let mut f = Self {
            rules: Vec::new(),
            next_id: 1,
            rng: fastrand::Rng::with_seed(seed ^ 0xFA17),
        };
        for r in rules {
            f.add(r);
        }
        f
    }
    pub fn add(&mut self, rule: FaultRule) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.rules.push(Active {
            id,
            rule,
            seen: 0,
            fired: 0,
        });
        id
    }
    pub fn clear(&mut self) {
        self.rules.clear();
    }
    pub fn remove(&mut self, id: u64) -> bool {
        let n = self.rules.len();
        self.rules.retain(|r| r.id != id);
        n != self.rules.len()
    }
    /// `(id, rule, fired so far)` of each rule.
    pub fn list(&self) -> Vec<(u64, FaultRule, u32)> {
        self.rules
            .iter()
            .map(|r| (r.id, r.rule.clone(), r.fired))
            .collect()
    }

    /// The fault to apply to this request, if any. `is_api` = a path under `/api/v1`.
    pub fn pick(&mut self, method: &str, path: &str, is_api: bool) -> Option<FaultKind> {
        for r in &mut self.rules {
            let path_ok = match &r.rule.path_contains {
                Some(p) => path.contains(p.as_str()),
                None => is_api,
            };
            let method_ok = r
                .rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            if !path_ok || !method_ok {
                continue;
            }
            if r.rule.count.is_some_and(|c| r.fired >= c) {
                continue;
            }
            r.seen += 1;
            if r.rule.after_successes.is_some_and(|a| r.seen <= a) {
                continue;
            }
            if let Some(p) = r.rule.probability
                && self.rng.f64() >= p
            {
                continue;
            }
            r.fired += 1;
            return Some(r.rule.kind.clone());
        }
        None
    }
}

/// What a wrong token URL or a SAML redirect returns instead of JSON.
pub const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Log On</title></head>\n<body><form method=\"post\" action=\"/saml2/idp/sso\"><h1>Log On</h1>\n<input name=\"j_username\" placeholder=\"Email or User Name\"><input name=\"j_password\" type=\"password\">\n<button type=\"submit\">Log On</button></form></body></html>\n";

/// Not JSON at all (what a broken proxy or a half-written error page yields).
pub const MALFORMED_BODY: &str = "{\"d\":{\"results\":[{\"MessageGuid\" \"AGZ0\",,]}\u{0}<error>";

/// What the `control_chars` fault puts into tenant text: OSC 52 (set the clipboard to
/// "cpitop"), OSC 0 (window title), CSI 2J (clear the screen), BEL, BS, the C1 CSI U+009B, the
/// bidi override U+202E and isolate U+2066/U+2069, and a zero-width joiner (harmless, kept).
pub const CONTROL_TEXT: &str = "\u{1b}]52;c;Y3BpdG9w\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{8}\u{9b}1m\u{202e}txt.exe\u{2066}x\u{2069}\u{200d}";

/// JSON fields the `control_chars` fault appends [`CONTROL_TEXT`] to: names, parties and error
/// texts, never ids or keys (lookups by id keep working).
const CONTROL_FIELDS: &[&str] = &[
    "Name",
    "IntegrationFlowName",
    "Sender",
    "Receiver",
    "DeployedBy",
    "ApplicationMessageType",
    "CustomStatus",
    "messageText",
    "parameter",
];

/// The `control_chars` fault applied to an answer body: JSON gets [`CONTROL_TEXT`] appended to
/// every string in [`CONTROL_FIELDS`] (at any depth), plain text (an error text) gets it
/// appended unless it is a number (`$count`). `None`: nothing to change (empty, binary, other
/// types, or JSON that does not parse).
pub fn with_control_chars(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    let hit = CONTROL_FIELDS.contains(&k.as_str());
                    match v {
                        serde_json::Value::String(s) if hit => s.push_str(CONTROL_TEXT),
                        // `parameter: ["…"]` of an artifact's error information.
                        serde_json::Value::Array(a) if hit && a.iter().all(|e| e.is_string()) => {
                            for e in a.iter_mut() {
                                if let serde_json::Value::String(s) = e {
                                    s.push_str(CONTROL_TEXT);
                                }
                            }
                        }
                        _ => walk(v),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if content_type.starts_with("application/json") {
        let mut v: serde_json::Value = serde_json::from_slice(body).ok()?;
        walk(&mut v);
        serde_json::to_vec(&v).ok()
    } else if content_type.starts_with("text/plain") {
        let text = std::str::from_utf8(body).ok()?;
        if text.is_empty() || text.trim().bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(format!("{text}{CONTROL_TEXT}").into_bytes())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_chars_flag_and_body_rewrite() {
        assert_eq!(
            FaultRule::parse_flag("control_chars,path=Queues").expect("ok"),
            FaultRule::new(FaultKind::ControlChars { as_error: false }).path("Queues")
        );
        assert_eq!(
            FaultRule::parse_flag(r#"{"kind":"control_chars","as_error":true}"#).expect("ok"),
            FaultRule::new(FaultKind::ControlChars { as_error: true })
        );
        assert_eq!(
            FaultRule::parse_flag("control_chars:error").expect("ok").kind,
            FaultKind::ControlChars { as_error: true }
        );
        assert!(FaultRule::parse_flag("control_chars:loud").is_err());
        let body = br#"{"d":{"results":[{"Id":"A","Name":"Orders","IntegrationArtifact":{"Id":"F","Name":"Flow"},"Sender":null}]}}"#;
        let out = with_control_chars("application/json", body).expect("rewritten");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        let row = &v["d"]["results"][0];
        assert_eq!(row["Id"], "A");
        assert_eq!(row["Name"], format!("Orders{CONTROL_TEXT}"));
        assert_eq!(row["IntegrationArtifact"]["Name"], format!("Flow{CONTROL_TEXT}"));
        assert_eq!(row["IntegrationArtifact"]["Id"], "F");
        assert!(row["Sender"].is_null());
        let err = with_control_chars(
            "application/json",
            br#"{"message":{"messageText":""},"parameter":["boom"]}"#,
        )
        .expect("rewritten");
        let v: serde_json::Value = serde_json::from_slice(&err).expect("json");
        assert_eq!(v["parameter"][0], format!("boom{CONTROL_TEXT}"));
        assert_eq!(
            with_control_chars("text/plain; charset=utf-8", b"boom").expect("text"),
            format!("boom{CONTROL_TEXT}").into_bytes()
        );
        assert_eq!(with_control_chars("text/plain", b"42"), None);
        assert_eq!(with_control_chars("application/octet-stream", b"x"), None);
    }

    #[test]
    fn flag_and_json_forms() {
        assert_eq!(
            FaultRule::parse_flag("rate_limit:2,count=3,path=MessageProcessingLogs,method=get,after=1")
                .expect("ok"),
            FaultRule::new(FaultKind::RateLimit { retry_after: 2 })
                .count(3)
                .path("MessageProcessingLogs")
                .method("GET")
                .after(1)
        );
        let j = FaultRule::parse_flag(r#"{"kind":"latency","ms":20,"probability":0.5}"#).expect("ok");
        assert_eq!(j, FaultRule::new(FaultKind::Latency { ms: 20 }).probability(0.5));
        assert!(
            FaultRule::parse_flag("boom")
                .unwrap_err()
                .contains("unknown fault kind")
        );
        assert!(FaultRule::parse_flag("http500,count=x").is_err());
    }

    #[test]
    fn hostile_reply_faults_parse_and_rewrite() {
        assert_eq!(
            FaultRule::parse_flag("retry_after_text:1e20,count=1").expect("ok"),
            FaultRule::new(FaultKind::RetryAfterText {
                value: "1e20".into(),
                status: 429
            })
            .count(1)
        );
        let j: FaultRule =
            serde_json::from_str(r#"{"kind":"redirect","location":"http://127.0.0.1:9/x"}"#).expect("json");
        assert_eq!(
            j.kind,
            FaultKind::Redirect {
                location: "http://127.0.0.1:9/x".into(),
                status: 302
            }
        );
        assert!(FaultRule::parse_flag("foreign_next").is_err());
        let page = br#"{"d":{"results":[{"Id":"A","Name":"Alpha"},{"Id":"B","Name":"Beta"}]}}"#;
        let next = rewrite_body(
            &FaultKind::ForeignNext {
                url: "http://evil/x".into(),
            },
            page,
        )
        .expect("page");
        let v: serde_json::Value = serde_json::from_slice(&next).expect("json");
        assert_eq!(v["d"]["__next"], "http://evil/x");
        let huge = rewrite_body(&FaultKind::HugeField { bytes: 1000 }, page).expect("page");
        let v: serde_json::Value = serde_json::from_slice(&huge).expect("json");
        assert_eq!(v["d"]["results"][0]["Name"].as_str().map(str::len), Some(1000));
        let bad = rewrite_body(&FaultKind::InvalidUtf8, page).expect("page");
        assert!(std::str::from_utf8(&bad).is_err());
        assert_eq!(bad.len(), page.len() + 1);
    }

    #[test]
    fn after_successes_then_count() {
        let mut f = Faults::new(
            1,
            vec![
                FaultRule::new(FaultKind::Http500)
                    .count(2)
                    .after(3)
                    .method("POST"),
            ],
        );
        let fired: Vec<bool> = (0..8)
            .map(|_| f.pick("POST", "/api/v1/X", true).is_some())
            .collect();
        assert_eq!(fired, [false, false, false, true, true, false, false, false]);
        assert!(f.pick("GET", "/api/v1/X", true).is_none());
        let mut g = Faults::new(1, vec![FaultRule::new(FaultKind::Http503)]);
        assert!(g.pick("POST", "/oauth/token", false).is_none());
        assert!(g.pick("GET", "/api/v1/Queues", true).is_some());
    }
}
