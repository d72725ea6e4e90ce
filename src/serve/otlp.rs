//! OTLP/HTTP push (`application/x-protobuf`, the `opentelemetry-proto` message types encoded
//! with `prost`) of the same metric families `/metrics` serves, every `[serve.otlp] interval`,
//! and of each newly failed message as a log record (with its error text and signature), to
//! `<endpoint>/v1/metrics` and
//! `<endpoint>/v1/logs`, with the configured headers (whose values may be secrets: read from the
//! environment or a command, never logged).
//!
//! Delivery: one sender task sends what is buffered, oldest first (log records in batches of at
//! most `max_batch`). While the collector is unreachable or answers 429/5xx, it retries with
//! exponential backoff (0.5 s doubling to 30 s, with jitter; a `Retry-After` is honoured up to a
//! minute) and everything new waits in the buffer: at most `max_buffered_pushes` metric pushes
//! and `max_buffered_logs` log records. Beyond that the oldest are dropped, and a request the
//! collector refuses (another 4xx) is dropped too; drops are counted in data points and records
//! (`cpitop_otlp_dropped_total{signal}`) and logged. Nothing is lost while the collector is
//! briefly down within the bounds.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, metric,
    number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message as _;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::metrics::{Family, Fleet, Kind, OtlpStats, SignalStats, Value, families};
use crate::config::serve::OtlpConfig;
use crate::cpi::odata::EpochMs;
use crate::monitor::EventSignature;
use crate::secret::Secret;

/// A newly failed message, as one log record.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedMessage {
    pub tenant: Arc<str>,
    pub guid: String,
    pub iflow: String,
    pub status: &'static str,
    pub error: Option<String>,
    /// The error's signature, when its text was read.
    pub signature: Option<EventSignature>,
    /// The message's time (`LogEnd`), epoch ms.
    pub time: EpochMs,
    /// When cpitop saw it failed, epoch ms on the tenant's clock (as `time`).
    pub observed: EpochMs,
}

struct MetricsPush {
    body: Bytes,
    points: u64,
}

#[derive(Default)]
struct Buffer {
    metrics: VecDeque<MetricsPush>,
    logs: VecDeque<(u64, FailedMessage)>,
    next_seq: u64,
}

/// The exporter: a bounded buffer and the tasks that fill and drain it.
pub struct Otlp {
    cfg: OtlpConfig,
    /// Resolved header values (secrets), sent with every request.
    headers: Vec<(http::HeaderName, Secret)>,
    http: reqwest::Client,
    buffer: Mutex<Buffer>,
    wake: Notify,
    stats: Arc<super::metrics::ProcessStats>,
}

impl std::fmt::Debug for Otlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Otlp")
            .field("endpoint", &self.cfg.endpoint)
            .finish_non_exhaustive()
    }
}

/// Why a request did not deliver.
enum SendError {
    /// Try again later (no answer, 429, 5xx); `Some` wait the collector asked for.
    Retry(String, Option<Duration>),
    /// The collector refused it for good.
    Refused(String),
}

impl Otlp {
    /// Build the exporter; `headers` are the configured headers with their values resolved.
    /// `process.otlp` must be set (its counters are the exporter's).
    pub fn new(
        cfg: OtlpConfig,
        headers: Vec<(String, Secret)>,
        stats: Arc<super::metrics::ProcessStats>,
    ) -> Result<Self, String> {
        crate::cpi::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("cpitop/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the OTLP client: {e}"))?;
        let headers = headers
            .into_iter()
            .map(|(n, v)| {
                http::HeaderName::from_bytes(n.as_bytes())
                    .map(|n| (n, v))
                    .map_err(|_| format!("`{n}` is not an HTTP header name"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            cfg,
            headers,
            http,
            buffer: Mutex::new(Buffer::default()),
            wake: Notify::new(),
            stats,
        })
    }

    fn buf(&self) -> MutexGuard<'_, Buffer> {
        self.buffer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn signal(&self, logs: bool) -> Option<&SignalStats> {
        self.stats
            .otlp
            .as_ref()
            .map(|o: &OtlpStats| if logs { &o.logs } else { &o.metrics })
    }

    fn count(&self, logs: bool, f: impl FnOnce(&SignalStats)) {
        if let Some(s) = self.signal(logs) {
            f(s);
        }
    }

    fn update_buffered(&self, b: &Buffer) {
        let points: u64 = b.metrics.iter().map(|m| m.points).sum();
        self.count(false, |s| s.buffered.store(points, Ordering::Relaxed));
        self.count(true, |s| s.buffered.store(b.logs.len() as u64, Ordering::Relaxed));
    }

    /// Buffer one failed message for the next log batch (the oldest is dropped beyond the bound).
    pub fn push_log(&self, m: FailedMessage) {
        let mut b = self.buf();
        let seq = b.next_seq;
        b.next_seq += 1;
        b.logs.push_back((seq, m));
        let mut dropped = 0;
        while b.logs.len() > self.cfg.max_buffered_logs {
            b.logs.pop_front();
            dropped += 1;
        }
        self.update_buffered(&b);
        drop(b);
        if dropped > 0 {
            self.count(true, |s| {
                s.dropped.fetch_add(dropped, Ordering::Relaxed);
            });
            tracing::warn!(dropped, "OTLP log buffer full: oldest log records dropped");
        }
        self.wake.notify_one();
    }

    /// Buffer one metrics push of `fams` (the oldest push is dropped beyond the bound).
    pub fn push_metrics(&self, fams: &[Family], start: EpochMs, now: EpochMs) {
        let (req, points) = metrics_request(fams, start, now);
        let body = Bytes::from(req.encode_to_vec());
        let mut b = self.buf();
        b.metrics.push_back(MetricsPush { body, points });
        let mut dropped = 0;
        while b.metrics.len() > self.cfg.max_buffered_pushes {
            if let Some(m) = b.metrics.pop_front() {
                dropped += m.points;
            }
        }
        self.update_buffered(&b);
        drop(b);
        if dropped > 0 {
            self.count(false, |s| {
                s.dropped.fetch_add(dropped, Ordering::Relaxed);
            });
            tracing::warn!(dropped, "OTLP metrics buffer full: oldest push dropped");
        }
        self.wake.notify_one();
    }

    async fn post(&self, path: &str, body: Bytes) -> Result<(), SendError> {
        let url = format!("{}{path}", self.cfg.endpoint);
        let mut req = self
            .http
            .post(&url)
            .header(http::header::CONTENT_TYPE, "application/x-protobuf");
        for (name, value) in &self.headers {
            let mut v = http::HeaderValue::from_str(value.expose()).map_err(|_| {
                SendError::Refused(format!("header {name} has a value that is not valid in HTTP"))
            })?;
            v.set_sensitive(true);
            req = req.header(name.clone(), v);
        }
        let resp = match req.body(body).send().await {
            Ok(r) => r,
            // reqwest's error names the URL, never the headers.
            Err(e) => return Err(SendError::Retry(format!("{url}: {e}"), None)),
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = resp
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(60)));
        let text = format!("{url}: HTTP {}", status.as_u16());
        match status.as_u16() {
            429 | 502 | 503 | 504 => Err(SendError::Retry(text, retry_after)),
            _ => Err(SendError::Refused(text)),
        }
    }

    /// Send the oldest log batch; `Ok(false)` when there was nothing to send.
    async fn send_logs(&self) -> Result<bool, SendError> {
        let batch: Vec<(u64, FailedMessage)> = {
            let b = self.buf();
            b.logs.iter().take(self.cfg.max_batch.max(1)).cloned().collect()
        };
        let Some(last) = batch.last().map(|(s, _)| *s) else {
            return Ok(false);
        };
        let records: Vec<&FailedMessage> = batch.iter().map(|(_, m)| m).collect();
        let body = Bytes::from(logs_request(&records).encode_to_vec());
        let n = batch.len() as u64;
        let outcome = self.post("/v1/logs", body).await;
        let mut b = self.buf();
        let before = b.logs.len();
        match &outcome {
            Ok(()) | Err(SendError::Refused(_)) => {
                // Those of the batch still buffered (the bound may have dropped some meanwhile).
                while b.logs.front().is_some_and(|(s, _)| *s <= last) {
                    b.logs.pop_front();
                }
            }
            Err(SendError::Retry(..)) => {}
        }
        let removed = (before - b.logs.len()) as u64;
        self.update_buffered(&b);
        drop(b);
        match outcome {
            Ok(()) => {
                self.count(true, |s| {
                    s.exported.fetch_add(removed, Ordering::Relaxed);
                });
                Ok(true)
            }
            Err(SendError::Refused(why)) => {
                self.count(true, |s| {
                    s.failures.fetch_add(1, Ordering::Relaxed);
                    s.dropped.fetch_add(removed, Ordering::Relaxed);
                });
                tracing::warn!(records = n, "OTLP collector refused log records; dropped: {why}");
                Ok(true)
            }
            Err(e @ SendError::Retry(..)) => {
                self.count(true, |s| {
                    s.failures.fetch_add(1, Ordering::Relaxed);
                });
                Err(e)
            }
        }
    }

    /// Send the oldest metrics push; `Ok(false)` when there was nothing to send.
    async fn send_metrics(&self) -> Result<bool, SendError> {
        let Some((body, points)) = self.buf().metrics.front().map(|m| (m.body.clone(), m.points)) else {
            return Ok(false);
        };
        let outcome = self.post("/v1/metrics", body.clone()).await;
        let remove = |this: &Self| {
            let mut b = this.buf();
            // Still the same push (the bound may have dropped it meanwhile).
            if b.metrics.front().is_some_and(|m| m.body == body) {
                b.metrics.pop_front();
            }
            this.update_buffered(&b);
        };
        match outcome {
            Ok(()) => {
                remove(self);
                self.count(false, |s| {
                    s.exported.fetch_add(points, Ordering::Relaxed);
                });
                Ok(true)
            }
            Err(SendError::Refused(why)) => {
                remove(self);
                self.count(false, |s| {
                    s.failures.fetch_add(1, Ordering::Relaxed);
                    s.dropped.fetch_add(points, Ordering::Relaxed);
                });
                tracing::warn!(points, "OTLP collector refused a metrics push; dropped: {why}");
                Ok(true)
            }
            Err(e) => {
                self.count(false, |s| {
                    s.failures.fetch_add(1, Ordering::Relaxed);
                });
                Err(e)
            }
        }
    }

    /// Drain the buffer until empty or a retryable failure; `Err(wait)` to back off.
    async fn drain(&self) -> Result<(), Option<Duration>> {
        loop {
            let logs = self.send_logs().await;
            let metrics = match &logs {
                Ok(_) => self.send_metrics().await,
                Err(_) => Ok(false),
            };
            match (logs, metrics) {
                (Err(SendError::Retry(why, wait)), _) | (_, Err(SendError::Retry(why, wait))) => {
                    tracing::warn!("OTLP export failed, will retry: {why}");
                    return Err(wait);
                }
                (Ok(false), Ok(false)) => return Ok(()),
                _ => {}
            }
        }
    }

    /// The sender: drains the buffer whenever something is pushed, backing off while the
    /// collector is unreachable. On `cancel` it tries once more (within `timeout`) and ends.
    async fn sender(self: Arc<Self>, cancel: CancellationToken) {
        let mut failures = 0u32;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = self.wake.notified() => {}
            }
            // Let a burst of failed messages gather into one batch.
            tokio::time::sleep(Duration::from_millis(100)).await;
            loop {
                match self.drain().await {
                    Ok(()) => {
                        failures = 0;
                        break;
                    }
                    Err(wait) => {
                        failures += 1;
                        let pause = wait.unwrap_or_else(|| retry_backoff(failures));
                        tokio::select! {
                            _ = cancel.cancelled() => {
                                self.final_flush().await;
                                return;
                            }
                            _ = tokio::time::sleep(pause) => {}
                        }
                    }
                }
            }
        }
        self.final_flush().await;
    }

    async fn final_flush(&self) {
        if tokio::time::timeout(self.cfg.timeout, self.drain())
            .await
            .is_err()
        {
            tracing::warn!("OTLP: buffered data not delivered before shutdown");
        }
    }

    /// Start the metrics ticker and the sender. The ticker pushes [`families`] of `fleet` every
    /// interval, the first one after one interval, a last one on `cancel`.
    pub fn spawn(self: &Arc<Self>, fleet: Arc<Fleet>, cancel: CancellationToken) -> Vec<JoinHandle<()>> {
        let sender = tokio::spawn(self.clone().sender(cancel.child_token()));
        let this = self.clone();
        let ticker = tokio::spawn(async move {
            let mut tick = tokio::time::interval(this.cfg.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tick.tick() => {}
                }
                this.push_metrics(&families(&fleet), fleet.started_at, crate::resources::now_ms());
            }
        });
        vec![ticker, sender]
    }
}

/// 0.5 s doubling per failure up to 30 s, with jitter (half to full).
fn retry_backoff(failures: u32) -> Duration {
    let base = Duration::from_millis(500)
        .saturating_mul(1 << failures.saturating_sub(1).min(6))
        .min(Duration::from_secs(30));
    let half = base / 2;
    half + half.mul_f64(fastrand::f64())
}

fn nanos(ms: EpochMs) -> u64 {
    u64::try_from(ms).unwrap_or(0).saturating_mul(1_000_000)
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.to_string())),
        }),
        ..KeyValue::default()
    }
}

fn resource() -> Resource {
    Resource {
        attributes: vec![
            kv("service.name", "cpitop"),
            kv("service.version", env!("CARGO_PKG_VERSION")),
        ],
        ..Resource::default()
    }
}

fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "cpitop".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ..InstrumentationScope::default()
    }
}

/// The metric name in OTLP: the Prometheus name without `_total` (a monotonic sum gets it back
/// in a Prometheus exporter), with the unit suffix.
pub fn otlp_name(f: &Family) -> String {
    let n = f.sample_name();
    n.strip_suffix("_total").map(str::to_string).unwrap_or(n)
}

/// One push of `fams`: counters as cumulative monotonic sums starting at `start`, gauges as
/// gauges; labels become data point attributes. Returns the data point count.
pub fn metrics_request(fams: &[Family], start: EpochMs, now: EpochMs) -> (ExportMetricsServiceRequest, u64) {
    let mut points = 0u64;
    let metrics: Vec<Metric> = fams
        .iter()
        .filter(|f| !f.series.is_empty())
        .map(|f| {
            let data_points: Vec<NumberDataPoint> = f
                .series
                .iter()
                .map(|s| NumberDataPoint {
                    attributes: s.labels.iter().map(|(k, v)| kv(k, v)).collect(),
                    start_time_unix_nano: match f.kind {
                        Kind::Counter => nanos(start),
                        Kind::Gauge => 0,
                    },
                    time_unix_nano: nanos(now),
                    value: Some(match s.value {
                        Value::Int(i) => number_data_point::Value::AsInt(i),
                        Value::Float(x) => number_data_point::Value::AsDouble(x),
                    }),
                    ..NumberDataPoint::default()
                })
                .collect();
            points += data_points.len() as u64;
            let data = match f.kind {
                Kind::Counter => metric::Data::Sum(Sum {
                    data_points,
                    aggregation_temporality: AggregationTemporality::Cumulative as i32,
                    is_monotonic: true,
                }),
                Kind::Gauge => metric::Data::Gauge(Gauge { data_points }),
            };
            Metric {
                name: otlp_name(f),
                description: f.help.to_string(),
                unit: f.unit.ucum().to_string(),
                data: Some(data),
                ..Metric::default()
            }
        })
        .collect();
    let req = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource()),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(scope()),
                metrics,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    };
    (req, points)
}

/// One log batch: each failed message a record with severity ERROR, its ids, iFlow, status,
/// error text and error signature (key, template, whether new) as attributes (`cpi.*`), event name
/// `cpi.message.failed`.
pub fn logs_request(msgs: &[&FailedMessage]) -> ExportLogsServiceRequest {
    let log_records = msgs
        .iter()
        .map(|m| {
            let mut attributes = vec![
                kv("cpi.tenant", &m.tenant),
                kv("cpi.message.id", &m.guid),
                kv("cpi.iflow", &m.iflow),
                kv("cpi.message.status", m.status),
            ];
            if let Some(e) = &m.error {
                attributes.push(kv("cpi.error.text", e));
            }
            if let Some(sig) = &m.signature {
                attributes.push(kv("cpi.error.signature", &sig.key));
                attributes.push(kv("cpi.error.template", &sig.template));
                attributes.push(KeyValue {
                    key: "cpi.error.signature.new".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::BoolValue(sig.new)),
                    }),
                    ..KeyValue::default()
                });
            }
            let body = match &m.error {
                Some(e) => format!("message {} of iFlow {} {}: {e}", m.guid, m.iflow, m.status),
                None => format!("message {} of iFlow {} {}", m.guid, m.iflow, m.status),
            };
            LogRecord {
                time_unix_nano: nanos(m.time),
                observed_time_unix_nano: nanos(m.observed),
                severity_number: SeverityNumber::Error as i32,
                severity_text: "ERROR".into(),
                body: Some(AnyValue {
                    value: Some(any_value::Value::StringValue(body)),
                }),
                attributes,
                event_name: "cpi.message.failed".into(),
                ..LogRecord::default()
            }
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(resource()),
            scope_logs: vec![ScopeLogs {
                scope: Some(scope()),
                log_records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::metrics::{Series, Unit};

    #[test]
    fn counters_are_cumulative_monotonic_sums_and_gauges_gauges() {
        let fams = vec![
            Family {
                base: "cpitop_messages",
                help: "h",
                kind: Kind::Counter,
                unit: Unit::None,
                series: vec![Series {
                    labels: vec![("tenant", Arc::from("t")), ("iflow", Arc::from("F"))],
                    value: Value::Int(4),
                }],
            },
            Family {
                base: "cpitop_certificate_expiry",
                help: "h",
                kind: Kind::Gauge,
                unit: Unit::Seconds,
                series: vec![Series {
                    labels: vec![],
                    value: Value::Float(1.5),
                }],
            },
        ];
        let (req, points) = metrics_request(&fams, 1_000, 2_000);
        assert_eq!(points, 2);
        let bytes = req.encode_to_vec();
        let back = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
        let m = &back.resource_metrics[0].scope_metrics[0].metrics;
        assert_eq!(m[0].name, "cpitop_messages");
        let Some(metric::Data::Sum(sum)) = &m[0].data else {
            panic!("{m:?}")
        };
        assert!(sum.is_monotonic);
        assert_eq!(
            sum.aggregation_temporality,
            AggregationTemporality::Cumulative as i32
        );
        assert_eq!(sum.data_points[0].start_time_unix_nano, 1_000_000_000);
        assert_eq!(sum.data_points[0].value, Some(number_data_point::Value::AsInt(4)));
        assert_eq!(m[1].name, "cpitop_certificate_expiry_seconds");
        assert_eq!(m[1].unit, "s");
    }

    #[test]
    fn a_failed_message_record_carries_its_signature() {
        let m = FailedMessage {
            tenant: Arc::from("t"),
            guid: "AG1".into(),
            iflow: "Orders".into(),
            status: "FAILED",
            error: Some("HTTP 401 from https://x.example.com: Unauthorized".into()),
            signature: Some(EventSignature {
                key: "0123456789abcdef".into(),
                template: "HTTP 401 from <host>: Unauthorized".into(),
                new: true,
            }),
            time: 1_000,
            observed: 2_000,
        };
        let without = FailedMessage {
            signature: None,
            error: None,
            ..m.clone()
        };
        let req = logs_request(&[&m, &without]);
        let back = ExportLogsServiceRequest::decode(req.encode_to_vec().as_slice()).unwrap();
        let records = &back.resource_logs[0].scope_logs[0].log_records;
        let attr = |i: usize, k: &str| {
            records[i]
                .attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.clone()?.value)
        };
        let s = |v: &str| Some(any_value::Value::StringValue(v.into()));
        assert_eq!(attr(0, "cpi.error.signature"), s("0123456789abcdef"));
        assert_eq!(
            attr(0, "cpi.error.template"),
            s("HTTP 401 from <host>: Unauthorized")
        );
        assert_eq!(
            attr(0, "cpi.error.signature.new"),
            Some(any_value::Value::BoolValue(true))
        );
        assert_eq!(attr(1, "cpi.error.signature"), None);
        assert_eq!(attr(1, "cpi.error.text"), None);
        assert_eq!(attr(1, "cpi.message.id"), s("AG1"));
    }
}
