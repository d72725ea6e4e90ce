//! Delivery: webhook POSTs with retries and backoff, the command hook, and the notifier task that
//! runs a [`Dispatcher`] against the clock.

use std::process::Stdio;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::{CommandHook, NotifyConfig, WebhookTarget};
use super::dispatch::{Alert, Batch, Dispatcher, Policy};
use super::format::{self, rfc3339};
use crate::cpi::odata::EpochMs;
use crate::monitor::status::{MonitorState, Transition};

/// Longest wait between two attempts (also caps `Retry-After`).
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error(
        "{target}: HTTP {status} after {attempts} attempt(s){detail}; check the webhook URL and its format setting"
    )]
    Status {
        target: String,
        status: u16,
        attempts: u32,
        detail: String,
    },
    #[error("{target}: {error} after {attempts} attempt(s); check the network, proxy and the webhook host")]
    Network {
        target: String,
        error: String,
        attempts: u32,
    },
    #[error("could not set up the HTTP client for notifications: {0}")]
    Client(String),
    #[error("command hook {program}: {reason}")]
    Command { program: String, reason: String },
}

/// Install rustls' ring provider for the process (idempotent: "already installed" is fine).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client for webhooks.
pub fn http_client(cfg: &NotifyConfig) -> Result<reqwest::Client, DeliveryError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(cfg.timeout.as_duration())
        .connect_timeout(cfg.timeout.as_duration().min(Duration::from_secs(10)))
        .user_agent(concat!("cpitop/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DeliveryError::Client(e.without_url().to_string()))
}

fn retryable(status: reqwest::StatusCode) -> bool {
    status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408
}

/// Wait before attempt `n + 1` (n ≥ 1): `backoff · 2^(n-1)`, or the server's `Retry-After`
/// seconds, capped at one minute.
fn delay(backoff: Duration, attempt: u32, retry_after: Option<u64>) -> Duration {
    let exp = backoff.saturating_mul(1u32 << (attempt - 1).min(16));
    retry_after
        .map(Duration::from_secs)
        .unwrap_or(exp)
        .min(MAX_BACKOFF)
}

/// Remove the webhook URL and its secret-bearing parts (path, query) from a text that a receiver
/// or the HTTP stack produced.
fn redact(target: &WebhookTarget, text: &str) -> String {
    let mut out = target.url.redact_in(text);
    if let Ok(u) = url::Url::parse(target.url.expose()) {
        for part in [u.query().unwrap_or(""), u.path()] {
            if part.len() >= 8 {
                out = out.replace(part, "***");
            }
        }
    }
    out
}

/// The JSON a webhook gets: C1 and bidi controls in tenant text escaped like every JSON cpitop
/// writes (`sanitize::json`; serde_json escapes only C0), so a receiver that logs or prints the
/// body raw is not driven by the tenant either.
fn webhook_bytes(body: &serde_json::Value) -> Vec<u8> {
    crate::sanitize::to_json(body)
        .map(String::into_bytes)
        .unwrap_or_default()
}

/// POST `body` to the target, retrying 5xx/429/408 and network errors up to `retries` times.
/// Returns the number of attempts made. Errors never contain the URL.
pub async fn post_webhook(
    client: &reqwest::Client,
    target: &WebhookTarget,
    body: &serde_json::Value,
    retries: u32,
    backoff: Duration,
) -> Result<u32, DeliveryError> {
    let bytes = webhook_bytes(body);
    let label = target.label();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let sent = client
            .post(target.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes.clone())
            .send()
            .await;
        let (error, retry_after) = match sent {
            Ok(resp) if resp.status().is_success() => {
                tracing::debug!(webhook = %label, attempt, "webhook delivered");
                return Ok(attempt);
            }
            Ok(resp) => {
                let status = resp.status();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                let text = resp.text().await.unwrap_or_default();
                let text = redact(target, text.trim());
                let detail = if text.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", text.chars().take(200).collect::<String>())
                };
                let err = DeliveryError::Status {
                    target: label.clone(),
                    status: status.as_u16(),
                    attempts: attempt,
                    detail,
                };
                if !retryable(status) {
                    return Err(err);
                }
                (err, retry_after)
            }
            Err(e) => (
                DeliveryError::Network {
                    target: label.clone(),
                    error: redact(target, &e.without_url().to_string()),
                    attempts: attempt,
                },
                None,
            ),
        };
        if attempt > retries {
            return Err(error);
        }
        let wait = delay(backoff, attempt, retry_after);
        tracing::info!(webhook = %label, attempt, error = %error, wait_ms = wait.as_millis() as u64, "webhook failed, retrying");
        tokio::time::sleep(wait).await;
    }
}

/// The environment a command hook gets for one alert. Values carry tenant text and typically
/// end up in a terminal or a log (`echo "$CPITOP_ALERT_TEXT"`): control and bidi characters are
/// neutralised (`sanitize`; the text keeps its line breaks, the JSON values stay JSON).
pub fn alert_env(a: &Alert) -> Vec<(&'static str, String)> {
    use crate::sanitize::{lines, one_line, to_json};
    vec![
        ("CPITOP_ALERT_MONITOR", one_line(&a.monitor).into_owned()),
        ("CPITOP_ALERT_NAME", one_line(&a.name).into_owned()),
        ("CPITOP_ALERT_STATUS", a.status.as_str().to_string()),
        ("CPITOP_ALERT_PREVIOUS_STATUS", a.previous.as_str().to_string()),
        ("CPITOP_ALERT_TEXT", lines(&a.text).into_owned()),
        ("CPITOP_ALERT_TENANT", one_line(&a.tenant).into_owned()),
        ("CPITOP_ALERT_TIME", rfc3339(a.at)),
        ("CPITOP_ALERT_TIME_MS", a.at.to_string()),
        ("CPITOP_ALERT_EVIDENCE", to_json(&a.evidence).unwrap_or_default()),
        (
            "CPITOP_ALERT_JSON",
            to_json(&format::alert_json(a)).unwrap_or_default(),
        ),
    ]
}

/// Run the hook for one alert: no shell, no stdin, killed after its timeout.
pub async fn run_command(hook: &CommandHook, alert: &Alert) -> Result<(), DeliveryError> {
    let fail = |reason: String| DeliveryError::Command {
        program: hook.program.clone(),
        reason,
    };
    let mut cmd = tokio::process::Command::new(&hook.program);
    cmd.args(&hook.args)
        .envs(alert_env(alert))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| {
        fail(format!(
            "could not start ({e}); check that the program exists and is executable"
        ))
    })?;
    match tokio::time::timeout(hook.timeout.as_duration(), child.wait_with_output()).await {
        Err(_) => Err(fail(format!("killed after {}", hook.timeout))),
        Ok(Err(e)) => Err(fail(format!("could not be waited for: {e}"))),
        Ok(Ok(out)) if out.status.success() => Ok(()),
        Ok(Ok(out)) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr: String = stderr.trim().chars().take(200).collect();
            Err(fail(format!("exited with {}; stderr: {stderr}", out.status)))
        }
    }
}

/// What happened to one batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryReport {
    pub alerts: usize,
    /// Labels of the webhooks that accepted the batch.
    pub delivered: Vec<String>,
    pub failures: Vec<DeliveryError>,
}

/// Send a batch to every webhook (concurrently) and run every command hook for every alert.
pub async fn deliver(batch: &Batch, cfg: &NotifyConfig, client: &reqwest::Client) -> DeliveryReport {
    let backoff = cfg.retry_backoff.as_duration();
    let posts = cfg.webhooks.iter().map(|t| async move {
        let body = format::body(t.format, batch);
        (
            t.label(),
            post_webhook(client, t, &body, cfg.retries, backoff).await,
        )
    });
    let runs = cfg
        .commands
        .iter()
        .flat_map(|h| batch.alerts.iter().map(move |a| run_command(h, a)));
    let (posted, ran) = tokio::join!(join_all(posts), join_all(runs));
    let mut report = DeliveryReport {
        alerts: batch.alerts.len(),
        ..DeliveryReport::default()
    };
    for (label, r) in posted {
        match r {
            Ok(_) => report.delivered.push(label),
            Err(e) => report.failures.push(e),
        }
    }
    report.failures.extend(ran.into_iter().filter_map(Result::err));
    for f in &report.failures {
        tracing::warn!(error = %f, "alert notification failed");
    }
    report
}

/// Input of the notifier task.
#[derive(Debug, Clone)]
pub enum NotifierInput {
    /// A restored state: its statuses count as already announced.
    Seed(MonitorState),
    /// Transitions of one evaluation round, each with whether its monitor is silenced now.
    Transitions(Vec<(Transition, bool)>),
}

pub fn now_ms() -> EpochMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Run notifications in the background: feed it transitions through the returned sender
/// (unbounded: transitions are few, and the state owner must never block on them). Batches are
/// delivered in order; each delivery's report goes to `reports` if given. The task ends on
/// `cancel`, or when the sender is dropped after sending what is due within one group window.
pub fn spawn_notifier(
    cfg: NotifyConfig,
    reports: Option<mpsc::UnboundedSender<DeliveryReport>>,
    cancel: CancellationToken,
) -> Result<(mpsc::UnboundedSender<NotifierInput>, JoinHandle<()>), DeliveryError> {
    let client = http_client(&cfg)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<NotifierInput>();
    let policy = Policy::from_config(&cfg);
    let handle = tokio::spawn(async move {
        let mut dispatcher = Dispatcher::new(policy);
        let mut closed = false;
        loop {
            let due = dispatcher.next_due();
            if closed && due.is_none_or(|d| d > now_ms() + policy.group_window_ms) {
                break;
            }
            let wait = due.map(|d| Duration::from_millis(u64::try_from(d - now_ms()).unwrap_or(0)));
            tokio::select! {
                _ = cancel.cancelled() => break,
                input = rx.recv(), if !closed => match input {
                    None => closed = true,
                    Some(NotifierInput::Seed(state)) => dispatcher.seed(&state),
                    Some(NotifierInput::Transitions(ts)) => {
                        let now = now_ms();
                        for (t, silenced) in &ts {
                            dispatcher.offer(t, *silenced, now);
                        }
                    }
                },
                _ = tokio::time::sleep(wait.unwrap_or(Duration::ZERO)), if wait.is_some() => {
                    if let Some(batch) = dispatcher.poll(now_ms()) {
                        let report = tokio::select! {
                            _ = cancel.cancelled() => break,
                            r = deliver(&batch, &cfg, &client) => r,
                        };
                        if let Some(r) = &reports {
                            let _ = r.send(report);
                        }
                    }
                }
            }
        }
    });
    Ok((tx, handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile_alert() -> Alert {
        Alert {
            tenant: "t\u{9b}2J".into(),
            monitor: "failed".into(),
            name: "Orders\u{1b}]52;c;eA==\u{7}".into(),
            status: crate::monitor::eval::Status::Error,
            previous: crate::monitor::eval::Status::Ok,
            text: "2 failed in Flow\u{202e}gpj\r\nsecond\u{8} line".into(),
            evidence: vec![crate::monitor::eval::Evidence::Artifact {
                id: "A\u{85}\u{2066}".into(),
            }],
            at: 0,
        }
    }

    #[test]
    fn command_environment_is_neutralised() {
        let env = alert_env(&hostile_alert());
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("CPITOP_ALERT_NAME"), Some("Orders\\u{1b}]52;c;eA==\\u{7}"));
        assert_eq!(get("CPITOP_ALERT_TENANT"), Some("t\\u{9b}2J"));
        assert_eq!(
            get("CPITOP_ALERT_TEXT"),
            Some("2 failed in Flow\\u{202e}gpj\nsecond\\u{8} line")
        );
        assert_eq!(
            get("CPITOP_ALERT_EVIDENCE"),
            Some(r#"[{"kind":"artifact","id":"A\u0085\u2066"}]"#)
        );
        for (k, v) in &env {
            assert!(
                !v.chars().any(|c| crate::sanitize::is_unsafe(c) && c != '\n'),
                "{k}={v:?}"
            );
        }
        let j: serde_json::Value =
            serde_json::from_str(get("CPITOP_ALERT_JSON").unwrap_or_default()).expect("json");
        assert_eq!(
            j["name"], "Orders\u{1b}]52;c;eA==\u{7}",
            "the JSON still means the same"
        );
    }

    #[test]
    fn webhook_body_escapes_c1_and_bidi() {
        let a = hostile_alert();
        let body = format::generic_body(&Batch {
            alerts: vec![a],
            sent_at: 0,
        });
        let bytes = webhook_bytes(&body);
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.contains(r#""tenant":"t\u009b2J""#), "{text}");
        assert!(text.contains(r"Flow\u202egpj\r\nsecond\b line"), "{text}");
        assert!(!text.chars().any(crate::sanitize::is_unsafe), "{text:?}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).expect("json"),
            body
        );
    }

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        let b = Duration::from_millis(100);
        assert_eq!(delay(b, 1, None), Duration::from_millis(100));
        assert_eq!(delay(b, 2, None), Duration::from_millis(200));
        assert_eq!(delay(b, 3, None), Duration::from_millis(400));
        assert_eq!(delay(b, 30, None), MAX_BACKOFF);
        assert_eq!(delay(b, 1, Some(3)), Duration::from_secs(3));
        assert_eq!(delay(b, 1, Some(3600)), MAX_BACKOFF);
    }
}
