//! Validation of single settings (URLs, auth, secret sources, intervals, limits) for `load.rs`,
//! each error located at the offending key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::duration::ConfigDuration;
use super::error::ConfigError;
use super::load::{Credentials, Ctx, MessageWindow, PollIntervals, SecretSource};
use super::schema::{AuthKind, RawAuth, RawDefaults, RawTenant};
use crate::cpi::conn::Limits;
use crate::secret::Secret;

impl Ctx<'_> {
    pub(super) fn url(&self, at: &[&str], u: &str) -> Result<String, ConfigError> {
        let parsed = url::Url::parse(u).map_err(|e| {
            self.invalid(
                at,
                format!("`{u}` is not a URL ({e})"),
                &["https://HOST", "http://HOST"],
            )
        })?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
            return Err(self.invalid(
                at,
                format!("`{u}` must be an http(s) URL with a host"),
                &["https://HOST", "http://HOST"],
            ));
        }
        Ok(normalize_base_url(u))
    }

    /// `web_ui_url`: any page of the tenant's web UI; its root is kept.
    pub(super) fn web_ui_url(&self, at: &[&str], u: &str) -> Result<String, ConfigError> {
        crate::cpi::weblink::root_of_config(u).map_err(|message| {
            self.invalid(
                at,
                message,
                &["https://<sub>.integrationsuite.cfapps.<region>.hana.ondemand.com"],
            )
        })
    }

    pub(super) fn auth(&self, tenant: &str, a: RawAuth) -> Result<Credentials, ConfigError> {
        let at = ["tenants", tenant, "auth"];
        let oauth_keys = a.client_id.is_some()
            || a.token_url.is_some()
            || a.client_secret.is_some()
            || a.client_secret_env.is_some()
            || a.client_secret_command.is_some();
        let basic_keys = a.username.is_some()
            || a.password.is_some()
            || a.password_env.is_some()
            || a.password_command.is_some();
        let kind = match (a.kind, oauth_keys, basic_keys) {
            (_, true, true) => {
                return Err(self.invalid(
                    &at,
                    "mixes OAuth keys (client_id, token_url, client_secret*) with Basic keys \
                     (username, password*); keep one kind",
                    &[],
                ));
            }
            (Some(AuthKind::Oauth), _, true) | (Some(AuthKind::Basic), true, _) => {
                return Err(self.invalid(
                    &[&at[..], &["type"]].concat(),
                    "does not match the keys given (OAuth uses client_id/token_url/client_secret*, \
                     Basic uses username/password*)",
                    &["oauth", "basic"],
                ));
            }
            (Some(k), _, _) => k,
            (None, true, false) => AuthKind::Oauth,
            (None, false, true) => AuthKind::Basic,
            (None, false, false) => {
                return Err(self.missing(
                    tenant,
                    &at,
                    "auth.client_id",
                    "the auth table is empty; give client_id, token_url and client_secret_env \
                     (OAuth) or username and password_env (Basic)",
                ));
            }
        };
        match kind {
            AuthKind::Oauth => {
                let client_id = a.client_id.ok_or_else(|| {
                    self.missing(
                        tenant,
                        &at,
                        "auth.client_id",
                        "the OAuth client id (service key `clientid`)",
                    )
                })?;
                let token_url = a.token_url.ok_or_else(|| {
                    self.missing(
                        tenant,
                        &at,
                        "auth.token_url",
                        "the OAuth token endpoint (service key `tokenurl`), e.g. \
                         \"https://sub.authentication.eu10.hana.ondemand.com/oauth/token\"",
                    )
                })?;
                let token_url = self.url(&[&at[..], &["token_url"]].concat(), &token_url)?;
                let secret = self.secret_source(
                    tenant,
                    "client_secret",
                    a.client_secret,
                    a.client_secret_env,
                    a.client_secret_command,
                )?;
                Ok(Credentials::OAuth {
                    client_id,
                    token_url,
                    secret,
                })
            }
            AuthKind::Basic => {
                let username = a.username.ok_or_else(|| {
                    self.missing(
                        tenant,
                        &at,
                        "auth.username",
                        "the user for HTTP Basic authentication",
                    )
                })?;
                let password =
                    self.secret_source(tenant, "password", a.password, a.password_env, a.password_command)?;
                Ok(Credentials::Basic { username, password })
            }
        }
    }

    fn secret_source(
        &self,
        tenant: &str,
        key: &str,
        inline: Option<String>,
        env: Option<String>,
        command: Option<String>,
    ) -> Result<SecretSource, ConfigError> {
        let at = ["tenants", tenant, "auth"];
        let choices = [format!("{key}_env"), format!("{key}_command"), key.to_string()];
        let allowed: Vec<&str> = choices.iter().map(String::as_str).collect();
        match (inline, env, command) {
            (Some(s), None, None) => Ok(SecretSource::Inline(Secret::new(s))),
            (None, Some(v), None) if v.trim().is_empty() => Err(self.invalid(
                &[&at[..], &[allowed[0]]].concat(),
                "must name an environment variable",
                &[],
            )),
            (None, Some(v), None) => Ok(SecretSource::Env(v)),
            (None, None, Some(c)) if c.trim().is_empty() => Err(self.invalid(
                &[&at[..], &[allowed[1]]].concat(),
                "must be a shell command that prints the secret",
                &[],
            )),
            (None, None, Some(c)) => Ok(SecretSource::Command(c)),
            (None, None, None) => Err(self.missing(
                tenant,
                &at,
                &format!("auth.{key}_env"),
                &format!("set one of {}", allowed.join(", ")),
            )),
            _ => Err(self.invalid(&at, format!("give only one of {}", allowed.join(", ")), &[])),
        }
    }

    pub(super) fn poll(
        &self,
        tenant: &str,
        t: &RawTenant,
        d: &RawDefaults,
    ) -> Result<PollIntervals, ConfigError> {
        let base = PollIntervals::default();
        let pick = |key: &str,
                    own: Option<ConfigDuration>,
                    def: Option<ConfigDuration>,
                    fallback: Duration|
         -> Result<Duration, ConfigError> {
            let (v, at) = match (own, def) {
                (Some(v), _) => (v.0, vec!["tenants", tenant, "poll", key]),
                (None, Some(v)) => (v.0, vec!["defaults", "poll", key]),
                (None, None) => return Ok(fallback),
            };
            if v < Duration::from_secs(1) {
                return Err(self.invalid(&at, "a poll interval must be at least 1s", &[]));
            }
            Ok(v)
        };
        Ok(PollIntervals {
            artifacts: pick("artifacts", t.poll.artifacts, d.poll.artifacts, base.artifacts)?,
            messages: pick("messages", t.poll.messages, d.poll.messages, base.messages)?,
            queues: pick("queues", t.poll.queues, d.poll.queues, base.queues)?,
            alerts: pick("alerts", t.poll.alerts, d.poll.alerts, base.alerts)?,
            keystore: pick("keystore", t.poll.keystore, d.poll.keystore, base.keystore)?,
            overview: {
                let v = pick("overview", t.poll.overview, d.poll.overview, base.overview)?;
                if v < Duration::from_secs(10) {
                    let at = match t.poll.overview {
                        Some(_) => vec!["tenants", tenant, "poll", "overview"],
                        None => vec!["defaults", "poll", "overview"],
                    };
                    return Err(self.invalid(
                        &at,
                        "the overview of a tenant is polled at most every 10s (it runs for every \
                         tenant at once)",
                        &[],
                    ));
                }
                v
            },
        })
    }

    /// `keystore.expiring`: from one hour to ten years (a certificate counts as expiring this
    /// long before its end).
    pub(super) fn keystore_expiring(
        &self,
        tenant: &str,
        t: &RawTenant,
        d: &RawDefaults,
    ) -> Result<Duration, ConfigError> {
        let (v, at) = match (t.keystore.expiring, d.keystore.expiring) {
            (Some(v), _) => (v.0, vec!["tenants", tenant, "keystore", "expiring"]),
            (None, Some(v)) => (v.0, vec!["defaults", "keystore", "expiring"]),
            (None, None) => return Ok(super::load::DEFAULT_KEYSTORE_EXPIRING),
        };
        if !(KEYSTORE_EXPIRING_MIN..=KEYSTORE_EXPIRING_MAX).contains(&v) {
            return Err(self.invalid(
                &at,
                format!(
                    "`{}` is not from 1h to 3650d: it is how long before its end a certificate \
                     counts as expiring",
                    super::duration::format_duration(v)
                ),
                &["30d", "14d", "8w"],
            ));
        }
        Ok(v)
    }

    pub(super) fn messages(
        &self,
        tenant: &str,
        t: &RawTenant,
        d: &RawDefaults,
    ) -> Result<MessageWindow, ConfigError> {
        let base = MessageWindow::default();
        let window = t
            .messages
            .window
            .or(d.messages.window)
            .map_or(base.window, |w| w.0);
        if window < Duration::from_secs(60) {
            let at = if t.messages.window.is_some() {
                vec!["tenants", tenant, "messages", "window"]
            } else {
                vec!["defaults", "messages", "window"]
            };
            return Err(self.invalid(&at, "the message window must be at least 1m", &[]));
        }
        let max_rows = match (t.messages.max_rows, d.messages.max_rows) {
            (Some(0), _) => {
                return Err(self.invalid(
                    &["tenants", tenant, "messages", "max_rows"],
                    "must be at least 1",
                    &[],
                ));
            }
            (None, Some(0)) => {
                return Err(self.invalid(&["defaults", "messages", "max_rows"], "must be at least 1", &[]));
            }
            (Some(n), _) | (None, Some(n)) => usize::try_from(n).unwrap_or(usize::MAX),
            (None, None) => base.max_rows,
        };
        let cache_rows = t
            .messages
            .cache_rows
            .or(d.messages.cache_rows)
            .map_or(base.cache_rows, |n| usize::try_from(n).unwrap_or(usize::MAX))
            .min(max_rows);
        Ok(MessageWindow {
            window,
            max_rows,
            cache_rows,
        })
    }

    pub(super) fn limits(&self, tenant: &str, t: &RawTenant, d: &RawDefaults) -> Result<Limits, ConfigError> {
        let base = Limits::default();
        let (o, df) = (&t.limits, &d.limits);
        // Which table a value came from, for the error location.
        let at = |key: &'static str, own: bool| -> Vec<String> {
            if own {
                vec!["tenants".into(), tenant.into(), "limits".into(), key.into()]
            } else {
                vec!["defaults".into(), "limits".into(), key.into()]
            }
        };
        let bad = |key: &'static str, own: bool, msg: &str| {
            let p = at(key, own);
            let p: Vec<&str> = p.iter().map(String::as_str).collect();
            self.invalid(&p, msg, &[])
        };
        // Upper bounds keep every limit a value the client can turn into a `Duration`, a
        // semaphore size or a sleep without overflow (`int_max`, `MAX_LIMIT_DURATION`, `MIN_RPS`).
        let int = |key: &'static str, own: Option<u64>, def: Option<u64>, fallback: u64, min: u64| {
            let max = int_max(key);
            match own.map(|v| (v, true)).or(def.map(|v| (v, false))) {
                None => Ok(fallback),
                Some((v, o)) if v < min => Err(bad(key, o, &format!("must be at least {min}"))),
                Some((v, o)) if v > max => Err(bad(key, o, &format!("must be at most {max}"))),
                Some((v, _)) => Ok(v),
            }
        };
        let dur = |key: &'static str,
                   own: Option<ConfigDuration>,
                   def: Option<ConfigDuration>,
                   fallback: Duration| {
            match own.map(|v| (v.0, true)).or(def.map(|v| (v.0, false))) {
                None => Ok(fallback),
                Some((v, o)) if v.is_zero() => Err(bad(key, o, "must be greater than 0")),
                Some((v, o)) if v > MAX_LIMIT_DURATION => Err(bad(
                    key,
                    o,
                    &format!(
                        "must be at most {} (e.g. \"30s\")",
                        super::duration::format_duration(MAX_LIMIT_DURATION)
                    ),
                )),
                Some((v, _)) => Ok(v),
            }
        };
        let rps = match o
            .requests_per_second
            .map(|v| (v, true))
            .or(df.requests_per_second.map(|v| (v, false)))
        {
            None => base.requests_per_second,
            Some((v, own)) if !(v.is_finite() && (MIN_RPS..=MAX_RPS).contains(&v)) => {
                return Err(bad(
                    "requests_per_second",
                    own,
                    &format!("must be a number from {MIN_RPS} to {MAX_RPS} (requests per second)"),
                ));
            }
            Some((v, _)) => v,
        };
        let limits = Limits {
            max_concurrency: int(
                "max_concurrency",
                o.max_concurrency,
                df.max_concurrency,
                base.max_concurrency as u64,
                1,
            )? as usize,
            requests_per_second: rps,
            burst: int("burst", o.burst, df.burst, u64::from(base.burst), 1)?.min(u64::from(u32::MAX)) as u32,
            request_timeout: dur(
                "request_timeout",
                o.request_timeout,
                df.request_timeout,
                base.request_timeout,
            )?,
            connect_timeout: dur(
                "connect_timeout",
                o.connect_timeout,
                df.connect_timeout,
                base.connect_timeout,
            )?,
            max_retries: int(
                "max_retries",
                o.max_retries,
                df.max_retries,
                u64::from(base.max_retries),
                0,
            )? as u32,
            initial_backoff: dur(
                "initial_backoff",
                o.initial_backoff,
                df.initial_backoff,
                base.initial_backoff,
            )?,
            max_backoff: dur("max_backoff", o.max_backoff, df.max_backoff, base.max_backoff)?,
        };
        Ok(limits)
    }
}

/// Slowest accepted request rate: one request per 100 s. Below it the token bucket's waits grow
/// without bound (`1e-30` used to pass and panic the limiter).
const MIN_RPS: f64 = 0.01;
/// Fastest accepted request rate (far above SAP's documented 100 req/s per user).
const MAX_RPS: f64 = 10_000.0;
/// The shortest and longest `keystore.expiring` accepted.
const KEYSTORE_EXPIRING_MIN: Duration = Duration::from_secs(3600);
const KEYSTORE_EXPIRING_MAX: Duration = Duration::from_secs(3650 * 86_400);
/// Longest timeout or backoff accepted.
const MAX_LIMIT_DURATION: Duration = Duration::from_secs(3600);

/// The largest accepted value of an integer limit.
fn int_max(key: &str) -> u64 {
    match key {
        "max_concurrency" => 256,
        "burst" => 100_000,
        "max_retries" => 100,
        _ => u64::MAX,
    }
}

/// `https://host/api/v1/` → `https://host` (the client appends `/api/v1` itself).
pub fn normalize_base_url(u: &str) -> String {
    let mut s = u.trim().trim_end_matches('/').to_string();
    if let Some(stripped) = s.strip_suffix("/api/v1") {
        s = stripped.trim_end_matches('/').to_string();
    }
    s
}

/// Expand `~/` and make relative paths relative to `base`.
pub fn expand_path(p: &Path, base: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}
