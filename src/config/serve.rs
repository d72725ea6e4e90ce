//! `[serve]`: the settings of `cpitop serve`, typed and validated with located errors (file,
//! line, column, key path, what is allowed), like the rest of the config.
//!
//! The config loader keeps `[serve]` as a raw table (as it does `[monitors]`), so a typo here
//! does not stop the TUI from starting; `cpitop serve` and `cpitop config check` type it here.
//!
//! ```toml
//! [serve]
//! listen = "127.0.0.1:9464"        # a non-loopback address needs a token
//! token_env = "CPITOP_SERVE_TOKEN" # or token_command = "pass show cpitop/serve"
//! max_iflows = 200                 # per tenant; more share the label iflow="other"
//! max_queues = 100                 # per tenant; more share queue="other"
//! max_certificates = 100           # per tenant; more share alias="other"
//! max_signatures = 50              # per tenant: the largest error-signature groups of the
//!                                  # window; the rest share signature="other"
//! read_queue_messages = "*"        # queues whose messages are read (oldest age, failed counts)
//! keystore_interval = "10m"
//! error_texts_per_round = 20       # newly failed messages whose texts are read first per
//!                                  # message poll (within the [errors] budget)
//!
//! [serve.events]
//! queue = 1024                     # events a client may be behind before it loses the oldest
//! write_timeout = "30s"            # a client that takes nothing this long is disconnected
//!
//! [serve.otlp]
//! endpoint = "http://127.0.0.1:4318"   # /v1/metrics and /v1/logs are appended
//! interval = "30s"
//! timeout = "10s"
//! max_buffered_pushes = 120        # metric pushes held while the collector is down
//! max_buffered_logs = 10000        # log records held while the collector is down
//! max_batch = 512                  # log records per request
//! headers = [{ name = "Authorization", value_env = "OTLP_AUTH" }]
//! ```

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::config::duration::{ConfigDuration, format_duration};
use crate::config::error::{ConfigError, Location, did_you_mean};
use crate::config::load::SecretSource;
use crate::secret::Secret;

/// Where `cpitop serve` listens unless told otherwise (the port Prometheus' exporter list
/// suggests for a new exporter).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// `[serve]`, typed, defaults applied.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// Where the bearer token comes from (`None`: no token configured).
    pub token: Option<SecretSource>,
    pub caps: Caps,
    /// Glob of the queues whose messages are read (oldest age, failed and blocked counts); the
    /// monitors' queue rules add theirs. Empty: none beyond the monitors'.
    pub read_queue_messages: String,
    pub keystore_interval: Duration,
    pub error_texts_per_round: usize,
    pub events: EventsConfig,
    pub otlp: Option<OtlpConfig>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            token: None,
            caps: Caps::default(),
            read_queue_messages: "*".into(),
            keystore_interval: Duration::from_secs(600),
            error_texts_per_round: 20,
            events: EventsConfig::default(),
            otlp: None,
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9464))
}

/// Label cardinality caps, per tenant. Beyond a cap, values share the label value `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub iflows: usize,
    pub queues: usize,
    pub certificates: usize,
    /// Error-signature groups with their own series (the largest of the window).
    pub signatures: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            iflows: 200,
            queues: 100,
            certificates: 100,
            signatures: 50,
        }
    }
}

/// `[serve.events]`: the per-client queue of `/events` and when a stalled client is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventsConfig {
    pub queue: usize,
    pub write_timeout: Duration,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            queue: 1024,
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// `[serve.otlp]`: OTLP/HTTP push of the metrics and of failed messages as log records.
#[derive(Debug, Clone)]
pub struct OtlpConfig {
    /// Base URL without a trailing slash; `/v1/metrics` and `/v1/logs` are appended.
    pub endpoint: String,
    pub headers: Vec<(String, SecretSource)>,
    pub interval: Duration,
    pub timeout: Duration,
    pub max_buffered_pushes: usize,
    pub max_buffered_logs: usize,
    pub max_batch: usize,
}

impl OtlpConfig {
    /// A config for `endpoint` with every default.
    pub fn new(endpoint: &str) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            headers: Vec::new(),
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            max_buffered_pushes: 120,
            max_buffered_logs: 10_000,
            max_batch: 512,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// As written (spans for the error locations).

#[derive(Deserialize)]
struct OnlyServe {
    #[serde(default)]
    serve: Option<RawServe>,
}

/// Only for the position of a type error inside `[serve]` of a file that has other tables.
#[derive(Deserialize)]
struct AnyServe {
    #[serde(default)]
    serve: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    listen: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_command: Option<Spanned<String>>,
    max_iflows: Option<Spanned<i64>>,
    max_queues: Option<Spanned<i64>>,
    max_certificates: Option<Spanned<i64>>,
    max_signatures: Option<Spanned<i64>>,
    read_queue_messages: Option<String>,
    keystore_interval: Option<Spanned<ConfigDuration>>,
    error_texts_per_round: Option<Spanned<i64>>,
    #[serde(default)]
    events: RawEvents,
    otlp: Option<Spanned<RawOtlp>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEvents {
    queue: Option<Spanned<i64>>,
    write_timeout: Option<Spanned<ConfigDuration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOtlp {
    endpoint: Option<Spanned<String>>,
    interval: Option<Spanned<ConfigDuration>>,
    timeout: Option<Spanned<ConfigDuration>>,
    max_buffered_pushes: Option<Spanned<i64>>,
    max_buffered_logs: Option<Spanned<i64>>,
    max_batch: Option<Spanned<i64>>,
    #[serde(default)]
    headers: Vec<Spanned<RawHeader>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: Option<Spanned<String>>,
    value: Option<String>,
    value_env: Option<String>,
    value_command: Option<String>,
}

/// The keys of `[serve]`, for "did you mean".
const SERVE_KEYS: &[&str] = &[
    "listen",
    "token_env",
    "token_command",
    "max_iflows",
    "max_queues",
    "max_certificates",
    "max_signatures",
    "read_queue_messages",
    "keystore_interval",
    "error_texts_per_round",
    "events",
    "otlp",
];

/// Type and validate `[serve]`. `table` is the raw table the loader kept; `file` the config file
/// it came from (read again for positions). Errors are [`ConfigError`]s located in the file.
pub fn typed_serve(table: &toml::Table, file: Option<&Path>) -> Result<ServeConfig, ConfigError> {
    if table.is_empty() {
        return Ok(ServeConfig::default());
    }
    // Positions come from the file's text; without it (or if it changed since), from the table
    // written out again, and the errors then carry no location.
    let from_file = file.and_then(|f| {
        let text = std::fs::read_to_string(f).ok()?;
        let only: AnyServe = toml::from_str(&text).ok()?;
        (only.serve.as_ref().and_then(toml::Value::as_table) == Some(table)).then_some((f, text))
    });
    let (file, text, located) = match from_file {
        Some((f, text)) => (f.to_path_buf(), text, true),
        None => {
            let mut wrapper = toml::Table::new();
            wrapper.insert("serve".into(), toml::Value::Table(table.clone()));
            let text = toml::to_string(&wrapper).map_err(|e| ConfigError::InvalidValue {
                loc: None,
                key_path: "serve".into(),
                message: e.to_string(),
                allowed: Vec::new(),
                suggestion: None,
            })?;
            (file.map(Path::to_path_buf).unwrap_or_default(), text, false)
        }
    };
    let ctx = Ctx {
        file: &file,
        text: &text,
        located,
    };
    let raw: OnlyServe = toml::from_str(&text).map_err(|e| ctx.de_error(&e))?;
    match raw.serve {
        Some(r) => ctx.resolve(r),
        None => Ok(ServeConfig::default()),
    }
}

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
    located: bool,
}

impl Ctx<'_> {
    fn loc(&self, span: std::ops::Range<usize>) -> Option<Box<Location>> {
        if !self.located {
            return None;
        }
        let mut loc = Location::from_span(self.file, self.text, span);
        // A header line may hold a header value (a secret): never quote it.
        if loc.line_text.contains("value") {
            loc.line_text = "(line not shown: it may hold a header value)".into();
        }
        Some(Box::new(loc))
    }

    fn invalid(&self, key: &str, span: std::ops::Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::InvalidValue {
            loc: self.loc(span),
            key_path: key.to_string(),
            message: message.into(),
            allowed: Vec::new(),
            suggestion: None,
        }
    }

    fn de_error(&self, e: &toml::de::Error) -> ConfigError {
        let msg = e.message().trim();
        let span = e.span().unwrap_or(0..0);
        let ticks: Vec<String> = msg.split('`').skip(1).step_by(2).map(str::to_string).collect();
        if msg.starts_with("unknown field") {
            let key = ticks.first().cloned().unwrap_or_default();
            let allowed: Vec<String> = ticks.into_iter().skip(1).collect();
            let candidates: Vec<&str> = if allowed.is_empty() {
                SERVE_KEYS.to_vec()
            } else {
                allowed.iter().map(String::as_str).collect()
            };
            return ConfigError::UnknownKey {
                loc: self.loc(span),
                key_path: format!("serve.{key}"),
                suggestion: did_you_mean(&key, candidates.iter().copied()),
                allowed,
            };
        }
        ConfigError::InvalidValue {
            loc: self.loc(span),
            key_path: "serve".into(),
            message: msg.to_string(),
            allowed: Vec::new(),
            suggestion: None,
        }
    }

    fn int(
        &self,
        key: &str,
        v: &Option<Spanned<i64>>,
        min: i64,
        max: i64,
        fallback: usize,
    ) -> Result<usize, ConfigError> {
        match v {
            None => Ok(fallback),
            Some(s) if !(min..=max).contains(s.get_ref()) => Err(self.invalid(
                key,
                s.span(),
                format!("must be a whole number from {min} to {max}"),
            )),
            Some(s) => Ok(usize::try_from(*s.get_ref()).unwrap_or(fallback)),
        }
    }

    fn dur(
        &self,
        key: &str,
        v: &Option<Spanned<ConfigDuration>>,
        min: Duration,
        max: Duration,
        fallback: Duration,
    ) -> Result<Duration, ConfigError> {
        match v {
            None => Ok(fallback),
            Some(s) if s.get_ref().0 < min || s.get_ref().0 > max => Err(self.invalid(
                key,
                s.span(),
                format!(
                    "must be from {} to {}",
                    format_duration(min),
                    format_duration(max)
                ),
            )),
            Some(s) => Ok(s.get_ref().0),
        }
    }

    fn resolve(&self, r: RawServe) -> Result<ServeConfig, ConfigError> {
        let base = ServeConfig::default();
        let listen = match &r.listen {
            None => base.listen,
            Some(s) => parse_listen(s.get_ref()).map_err(|m| self.invalid("serve.listen", s.span(), m))?,
        };
        let token = match (&r.token_env, &r.token_command) {
            (Some(_), Some(c)) => {
                return Err(self.invalid("serve", c.span(), "give only one of token_env, token_command"));
            }
            (Some(e), None) if e.get_ref().trim().is_empty() => {
                return Err(self.invalid("serve.token_env", e.span(), "must name an environment variable"));
            }
            (Some(e), None) => Some(SecretSource::Env(e.get_ref().trim().to_string())),
            (None, Some(c)) if c.get_ref().trim().is_empty() => {
                return Err(self.invalid(
                    "serve.token_command",
                    c.span(),
                    "must be a shell command that prints the token",
                ));
            }
            (None, Some(c)) => Some(SecretSource::Command(c.get_ref().clone())),
            (None, None) => None,
        };
        let caps = Caps {
            iflows: self.int("serve.max_iflows", &r.max_iflows, 1, 10_000, base.caps.iflows)?,
            queues: self.int("serve.max_queues", &r.max_queues, 1, 10_000, base.caps.queues)?,
            certificates: self.int(
                "serve.max_certificates",
                &r.max_certificates,
                1,
                10_000,
                base.caps.certificates,
            )?,
            signatures: self.int(
                "serve.max_signatures",
                &r.max_signatures,
                1,
                1_000,
                base.caps.signatures,
            )?,
        };
        let keystore_interval = self.dur(
            "serve.keystore_interval",
            &r.keystore_interval,
            Duration::from_secs(10),
            Duration::from_secs(86_400),
            base.keystore_interval,
        )?;
        let error_texts_per_round = self.int(
            "serve.error_texts_per_round",
            &r.error_texts_per_round,
            0,
            1000,
            base.error_texts_per_round,
        )?;
        let events = EventsConfig {
            queue: self.int(
                "serve.events.queue",
                &r.events.queue,
                16,
                1_000_000,
                base.events.queue,
            )?,
            write_timeout: self.dur(
                "serve.events.write_timeout",
                &r.events.write_timeout,
                Duration::from_secs(1),
                Duration::from_secs(600),
                base.events.write_timeout,
            )?,
        };
        let otlp = match r.otlp {
            None => None,
            Some(o) => Some(self.otlp(o)?),
        };
        Ok(ServeConfig {
            listen,
            token,
            caps,
            read_queue_messages: r.read_queue_messages.unwrap_or(base.read_queue_messages),
            keystore_interval,
            error_texts_per_round,
            events,
            otlp,
        })
    }

    fn otlp(&self, o: Spanned<RawOtlp>) -> Result<OtlpConfig, ConfigError> {
        let table_span = o.span();
        let o = o.into_inner();
        let Some(endpoint) = &o.endpoint else {
            return Err(ConfigError::InvalidValue {
                loc: self.loc(table_span),
                key_path: "serve.otlp.endpoint".into(),
                message: "missing: the collector's OTLP/HTTP base URL, e.g. \"http://127.0.0.1:4318\"".into(),
                allowed: Vec::new(),
                suggestion: None,
            });
        };
        let ep = parse_endpoint(endpoint.get_ref())
            .map_err(|m| self.invalid("serve.otlp.endpoint", endpoint.span(), m))?;
        let mut cfg = OtlpConfig::new(&ep);
        cfg.interval = self.dur(
            "serve.otlp.interval",
            &o.interval,
            Duration::from_secs(1),
            Duration::from_secs(3600),
            cfg.interval,
        )?;
        cfg.timeout = self.dur(
            "serve.otlp.timeout",
            &o.timeout,
            Duration::from_secs(1),
            Duration::from_secs(300),
            cfg.timeout,
        )?;
        cfg.max_buffered_pushes = self.int(
            "serve.otlp.max_buffered_pushes",
            &o.max_buffered_pushes,
            1,
            100_000,
            cfg.max_buffered_pushes,
        )?;
        cfg.max_buffered_logs = self.int(
            "serve.otlp.max_buffered_logs",
            &o.max_buffered_logs,
            1,
            10_000_000,
            cfg.max_buffered_logs,
        )?;
        cfg.max_batch = self.int("serve.otlp.max_batch", &o.max_batch, 1, 100_000, cfg.max_batch)?;
        for h in o.headers {
            let span = h.span();
            let h = h.into_inner();
            let Some(name) = h.name else {
                return Err(self.invalid("serve.otlp.headers", span, "a header needs a `name`"));
            };
            if http::HeaderName::from_bytes(name.get_ref().as_bytes()).is_err() {
                return Err(self.invalid(
                    "serve.otlp.headers.name",
                    name.span(),
                    format!("`{}` is not an HTTP header name", name.get_ref()),
                ));
            }
            let source = match (h.value, h.value_env, h.value_command) {
                (Some(v), None, None) => SecretSource::Inline(Secret::new(v)),
                (None, Some(v), None) if !v.trim().is_empty() => SecretSource::Env(v.trim().to_string()),
                (None, None, Some(c)) if !c.trim().is_empty() => SecretSource::Command(c),
                _ => {
                    return Err(self.invalid(
                        "serve.otlp.headers",
                        span,
                        format!(
                            "header `{}` needs exactly one of value, value_env, value_command (not empty)",
                            name.get_ref()
                        ),
                    ));
                }
            };
            cfg.headers.push((name.into_inner(), source));
        }
        Ok(cfg)
    }
}

/// One line for `cpitop config check`: where it listens, where the token comes from, OTLP.
pub fn describe(c: &ServeConfig) -> String {
    let src = |s: &SecretSource| match s {
        SecretSource::Env(v) => format!("${v}"),
        SecretSource::Command(c) => format!("command `{c}`"),
        SecretSource::Inline(_) => "inline".to_string(),
    };
    let token = match &c.token {
        Some(s) => format!("bearer token from {}", src(s)),
        None if c.listen.ip().is_loopback() => "no token (loopback)".to_string(),
        None => "no token: `cpitop serve` refuses a non-loopback address without one".to_string(),
    };
    let otlp = match &c.otlp {
        Some(o) => format!(
            "OTLP to {} every {} ({} header(s))",
            o.endpoint,
            format_duration(o.interval),
            o.headers.len()
        ),
        None => "no OTLP".to_string(),
    };
    format!(
        "listen {}, {token}, caps {} iFlows / {} queues / {} certificates / {} error signatures per \
         tenant, {otlp}",
        c.listen, c.caps.iflows, c.caps.queues, c.caps.certificates, c.caps.signatures
    )
}

/// `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`; a bare port means loopback.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse::<SocketAddr>().map_err(|_| {
        format!("`{s}` is not an address:port such as 127.0.0.1:9464, [::1]:9464 or 0.0.0.0:9464")
    })
}

/// The collector's base URL, checked: http(s), a host, no query; a path ending in `/v1/metrics`
/// or `/v1/logs` is refused with a hint (cpitop appends them).
pub fn parse_endpoint(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s.trim()).map_err(|e| format!("`{s}` is not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("`{s}` must be an http(s) URL with a host"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(format!("`{s}` must not have a query or fragment"));
    }
    let trimmed = s.trim().trim_end_matches('/');
    for suffix in ["/v1/metrics", "/v1/logs", "/v1/traces"] {
        if trimmed.ends_with(suffix) {
            return Err(format!(
                "give the collector's base URL without `{suffix}` (cpitop appends /v1/metrics and /v1/logs)"
            ));
        }
    }
    Ok(trimmed.to_string())
}

/// Resolve a secret of `[serve]` (the token, an OTLP header): the variable's value or the
/// command's trimmed output. Errors name the source, never the value.
pub fn resolve_secret(source: &SecretSource, what: &str) -> Result<Secret, String> {
    match source {
        SecretSource::Inline(s) => Ok(s.clone()),
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
            Ok(_) => Err(format!("the {what} variable ${var} is empty")),
            Err(_) => Err(format!("the {what} variable ${var} is not set")),
        },
        SecretSource::Command(cmd) => {
            let timeout = crate::config::secrets::secret_command_timeout(&|k| std::env::var(k).ok())?;
            crate::config::secrets::run_secret_command(cmd, timeout)
                .map_err(|why| format!("the {what} command `{cmd}` {why}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Result<ServeConfig, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let all: toml::Table = toml::from_str(text).unwrap();
        let table = all
            .get("serve")
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default();
        typed_serve(&table, Some(&path))
            .map_err(|e| e.to_string().replace(&path.display().to_string(), "/c.toml"))
    }

    #[test]
    fn defaults_and_values() {
        let d = typed("").unwrap();
        assert_eq!(d.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(d.caps, Caps::default());
        assert!(d.otlp.is_none() && d.token.is_none());
        let c = typed(
            "[serve]\nlisten = \"0.0.0.0:9000\"\ntoken_env = \"TOK\"\nmax_iflows = 5\nmax_signatures = 7\n\
             [serve.events]\nqueue = 64\n[serve.otlp]\nendpoint = \"http://127.0.0.1:4318/\"\n\
             interval = \"5s\"\nheaders = [{ name = \"Authorization\", value_env = \"A\" }, { name = \"X-Scope\", value = \"t1\" }]\n",
        )
        .unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert!(matches!(&c.token, Some(SecretSource::Env(v)) if v == "TOK"));
        assert_eq!(c.caps.iflows, 5);
        assert_eq!(c.caps.signatures, 7);
        assert_eq!(c.events.queue, 64);
        let o = c.otlp.unwrap();
        assert_eq!(o.endpoint, "http://127.0.0.1:4318");
        assert_eq!(o.interval, Duration::from_secs(5));
        assert_eq!(o.headers.len(), 2);
    }

    #[test]
    fn errors_are_located_and_precise() {
        let e = typed("[serve]\nlistn = \"x\"\n").unwrap_err();
        assert!(
            e.starts_with("/c.toml:2:1: unknown key `serve.listn`; did you mean `listen`?"),
            "{e}"
        );
        let e = typed("[serve]\nlisten = \"localhost\"\n").unwrap_err();
        assert!(
            e.starts_with("/c.toml:2:10: invalid value for `serve.listen`"),
            "{e}"
        );
        assert!(e.contains("address:port"), "{e}");
        let e = typed("[serve]\nmax_queues = 0\n").unwrap_err();
        assert!(
            e.contains("`serve.max_queues`: must be a whole number from 1 to 10000"),
            "{e}"
        );
        let e = typed("[serve]\nmax_iflows = 10\nmax_signatures = 0\n").unwrap_err();
        assert!(
            e.starts_with(
                "/c.toml:3:18: invalid value for `serve.max_signatures`: must be a whole number from 1 to 1000"
            ),
            "{e}"
        );
        let e = typed("[serve]\nmax_signatres = 5\n").unwrap_err();
        assert!(e.contains("did you mean `max_signatures`?"), "{e}");
        let e = typed("[serve]\ntoken_env = \"A\"\ntoken_command = \"b\"\n").unwrap_err();
        assert!(e.contains("only one of token_env, token_command"), "{e}");
        let e = typed("[serve.otlp]\nendpoint = \"http://c:4318/v1/metrics\"\n").unwrap_err();
        assert!(e.contains("without `/v1/metrics`"), "{e}");
        let e = typed("[serve.otlp]\ninterval = \"5s\"\n").unwrap_err();
        assert!(e.contains("`serve.otlp.endpoint`: missing"), "{e}");
        let e = typed("[serve.otlp]\nendpoint = \"http://c\"\nheaders = [{ name = \"A\", value = \"s3cr3t-value\", value_env = \"B\" }]\n")
            .unwrap_err();
        assert!(e.contains("exactly one of value"), "{e}");
        assert!(!e.contains("s3cr3t"), "a header value is never quoted: {e}");
        let e = typed("[serve.events]\nwrite_timeout = \"0s\"\n").unwrap_err();
        assert!(
            e.contains("`serve.events.write_timeout`: must be from 1s to 10m"),
            "{e}"
        );
    }

    #[test]
    fn the_example_config_has_a_valid_serve_section() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/cpitop.example.toml");
        let c = crate::config::Config::load_file(&path).unwrap();
        assert!(!c.serve.is_empty());
        let s = typed_serve(&c.serve, Some(&path)).unwrap();
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.events, EventsConfig::default());
        assert_eq!(s.caps, Caps::default());
    }

    #[test]
    fn without_the_file_errors_name_the_key_without_a_place() {
        let table: toml::Table = toml::from_str("max_queues = -1\n").unwrap();
        let e = typed_serve(&table, None).unwrap_err().to_string();
        assert!(e.starts_with("invalid value for `serve.max_queues`"), "{e}");
        let table: toml::Table = toml::from_str("listen = \"9000\"\n").unwrap();
        assert_eq!(
            typed_serve(&table, None).unwrap().listen.to_string(),
            "127.0.0.1:9000"
        );
    }

    #[test]
    fn listen_forms() {
        assert_eq!(parse_listen("9000").unwrap().to_string(), "127.0.0.1:9000");
        assert_eq!(parse_listen("[::1]:9").unwrap().to_string(), "[::1]:9");
        assert!(parse_listen("host:9").is_err());
    }
}
