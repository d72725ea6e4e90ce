//! The metric families of `cpitop serve`, built from what the pollers hold ([`families`]), and
//! their encodings: OpenMetrics text or the Prometheus text format 0.0.4 through the
//! `prometheus-client` crate (a `Collector` over the held state), and OTLP (`super::otlp`), so
//! Prometheus and an OpenTelemetry Collector see the same numbers. Nothing here calls a tenant.
//!
//! Label cardinality is bounded: no message ids in labels; iFlows, queues and certificate aliases
//! are capped per tenant (`[serve] max_iflows`, `max_queues`, `max_certificates`), the rest share
//! the value `other` (see `state::LabelCap`); error signatures too (`max_signatures`: the largest
//! groups of the window, see `state::signature_metrics`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit as PromUnit};

use super::state::{Resource, TenantState};
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;
use crate::monitor::Status;

/// Counter or gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
}

/// The unit of a family: a suffix of its name (OpenMetrics `# UNIT`) and the OTLP unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    Seconds,
    Bytes,
    Ratio,
}

impl Unit {
    fn suffix(self) -> Option<&'static str> {
        match self {
            Unit::None => None,
            Unit::Seconds => Some("seconds"),
            Unit::Bytes => Some("bytes"),
            Unit::Ratio => Some("ratio"),
        }
    }
    /// UCUM, as OTLP wants it.
    pub fn ucum(self) -> &'static str {
        match self {
            Unit::None => "1",
            Unit::Seconds => "s",
            Unit::Bytes => "By",
            Unit::Ratio => "1",
        }
    }
}

/// A number: counters are whole, gauges may not be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
}

impl Value {
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Int(v) => v as f64,
            Value::Float(v) => v,
        }
    }
}

/// One series: label pairs and a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Vec<(&'static str, Arc<str>)>,
    pub value: Value,
}

/// One metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// Without the unit suffix and, for counters, without `_total`.
    pub base: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub unit: Unit,
    pub series: Vec<Series>,
}

impl Family {
    fn new(base: &'static str, help: &'static str, kind: Kind, unit: Unit) -> Self {
        Self {
            base,
            help,
            kind,
            unit,
            series: Vec::new(),
        }
    }
    fn push(&mut self, labels: Vec<(&'static str, Arc<str>)>, value: Value) {
        self.series.push(Series { labels, value });
    }
    /// The name Prometheus stores the samples under (`_seconds`, `_total` appended).
    pub fn sample_name(&self) -> String {
        let mut n = self.base.to_string();
        if let Some(s) = self.unit.suffix() {
            n.push('_');
            n.push_str(s);
        }
        if self.kind == Kind::Counter {
            n.push_str("_total");
        }
        n
    }
}

/// Counters of `cpitop serve` itself (event clients, OTLP export), shared by the tasks.
#[derive(Debug, Default)]
pub struct ProcessStats {
    pub events_clients: AtomicU64,
    pub events_dropped: AtomicU64,
    pub events_slow_disconnects: AtomicU64,
    /// Set when OTLP is configured.
    pub otlp: Option<OtlpStats>,
}

/// Per signal (`metrics`, `logs`): what was exported, dropped, is buffered, failed.
#[derive(Debug, Default)]
pub struct OtlpStats {
    pub metrics: SignalStats,
    pub logs: SignalStats,
}

#[derive(Debug, Default)]
pub struct SignalStats {
    /// Data points (metrics) or log records delivered.
    pub exported: AtomicU64,
    /// Data points or records dropped: beyond the buffer, or refused by the collector.
    pub dropped: AtomicU64,
    /// Requests that failed (each retry counts).
    pub failures: AtomicU64,
    /// Data points or records waiting.
    pub buffered: AtomicU64,
}

/// The tenants served and the process's own counters.
#[derive(Debug)]
pub struct Fleet {
    pub tenants: Vec<Arc<TenantState>>,
    pub process: Arc<ProcessStats>,
    /// Wall clock when serving began (the start of every cumulative counter, for OTLP).
    pub started_at: EpochMs,
}

fn l(v: &str) -> Arc<str> {
    Arc::from(v)
}

fn seconds(ms: EpochMs) -> f64 {
    ms as f64 / 1000.0
}

fn int(v: u64) -> Value {
    Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

/// Every family, from the held state (locks each tenant's state briefly for reading).
pub fn families(fleet: &Fleet) -> Vec<Family> {
    use Kind::{Counter, Gauge};
    let mut up = Family::new(
        "cpitop_tenant_up",
        "Whether the tenant answers cpitop's polls (1) or not (0; also before the first answer).",
        Gauge,
        Unit::None,
    );
    let mut artifacts = Family::new(
        "cpitop_artifacts",
        "Deployed runtime artifacts by status.",
        Gauge,
        Unit::None,
    );
    let mut not_started = Family::new(
        "cpitop_artifact_not_started",
        "Artifacts that are not STARTED (1 each; artifact=\"other\" counts those beyond the iFlow cap).",
        Gauge,
        Unit::None,
    );
    let mut messages = Family::new(
        "cpitop_messages",
        "Messages that reached a final status while cpitop serve ran, per iFlow and status, counted once each from the message deltas.",
        Counter,
        Unit::None,
    );
    let mut retried = Family::new(
        "cpitop_messages_retried",
        "Messages seen in RETRY while cpitop serve ran, once each, per iFlow.",
        Counter,
        Unit::None,
    );
    let mut in_flight = Family::new(
        "cpitop_messages_in_flight",
        "Messages of the held window in PROCESSING or RETRY now.",
        Gauge,
        Unit::None,
    );
    let mut queue_depth = Family::new(
        "cpitop_queue_messages",
        "Messages in a JMS queue (queue=\"other\": the sum beyond the queue cap).",
        Gauge,
        Unit::None,
    );
    let mut queue_age = Family::new(
        "cpitop_queue_oldest_message_age",
        "Age of the oldest message in a JMS queue, when its messages were read (queue=\"other\": the oldest beyond the cap).",
        Gauge,
        Unit::Seconds,
    );
    let mut dlq = Family::new(
        "cpitop_dlq_messages",
        "Messages in dead-letter queues (names starting with DLQ_).",
        Gauge,
        Unit::None,
    );
    let mut broker_ratio = Family::new(
        "cpitop_broker_capacity_used",
        "Share of the JMS broker's capacity in use (0 to 1).",
        Gauge,
        Unit::Ratio,
    );
    let mut broker_used = Family::new(
        "cpitop_broker_capacity_used",
        "JMS broker capacity in use.",
        Gauge,
        Unit::Bytes,
    );
    let mut broker_max = Family::new(
        "cpitop_broker_capacity_limit",
        "JMS broker capacity.",
        Gauge,
        Unit::Bytes,
    );
    let mut certs = Family::new(
        "cpitop_certificate_expiry",
        "Seconds until a keystore entry's certificate expires (negative: expired; alias=\"other\": the soonest beyond the cap).",
        Gauge,
        Unit::Seconds,
    );
    let mut monitor = Family::new(
        "cpitop_monitor_status",
        "Alert monitor status: 1 for the monitor's current status, 0 for the others.",
        Gauge,
        Unit::None,
    );
    let mut signatures = Family::new(
        "cpitop_error_signature_messages",
        "Failed messages of the held window per error signature, grouped as the Errors pane and cpitop get errors group them (signature=\"provisional\": error text not read yet; \"no_error_information\": none to read; \"other\": beyond [serve] max_signatures).",
        Gauge,
        Unit::None,
    );
    let mut requests = Family::new(
        "cpitop_requests",
        "HTTP requests cpitop sent to the tenant (every attempt, token requests included).",
        Counter,
        Unit::None,
    );
    let mut throttled = Family::new(
        "cpitop_requests_throttled",
        "Replies with HTTP 429 from the tenant.",
        Counter,
        Unit::None,
    );
    let mut errors = Family::new(
        "cpitop_request_errors",
        "Requests to the tenant that ended in an error.",
        Counter,
        Unit::None,
    );
    let mut retries = Family::new(
        "cpitop_request_retries",
        "Request attempts repeated after a retryable failure.",
        Counter,
        Unit::None,
    );
    let mut req_in_flight = Family::new(
        "cpitop_requests_in_flight",
        "Requests to the tenant in flight now.",
        Gauge,
        Unit::None,
    );
    let mut bytes = Family::new(
        "cpitop_response",
        "Response body bytes received from the tenant.",
        Counter,
        Unit::Bytes,
    );
    let mut polls = Family::new(
        "cpitop_polls",
        "Polls per tenant and resource.",
        Counter,
        Unit::None,
    );
    let mut poll_errors = Family::new(
        "cpitop_poll_errors",
        "Polls that failed, per tenant and resource.",
        Counter,
        Unit::None,
    );
    let mut last_success = Family::new(
        "cpitop_poll_last_success_timestamp",
        "When a resource was last polled successfully (Unix time).",
        Gauge,
        Unit::Seconds,
    );

    for t in &fleet.tenants {
        let tenant = t.name.clone();
        let tl = || vec![("tenant", tenant.clone())];
        let now = t.client.server_now();
        let stats = t.client.stats();
        let h = t.read();
        up.push(tl(), Value::Int(i64::from(h.reachable == Some(true))));
        if let Some(by) = &h.artifacts_by_status {
            for (status, n) in by {
                artifacts.push(
                    vec![("tenant", tenant.clone()), ("status", l(status.as_str()))],
                    int(*n),
                );
            }
        }
        let mut other_not_started: Vec<(&str, u64)> = Vec::new();
        for (label, status) in &h.not_started {
            if &**label == super::state::OTHER {
                match other_not_started.iter_mut().find(|(s, _)| *s == status.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => other_not_started.push((status.as_str(), 1)),
                }
            } else {
                not_started.push(
                    vec![
                        ("tenant", tenant.clone()),
                        ("artifact", label.clone()),
                        ("status", l(status.as_str())),
                    ],
                    Value::Int(1),
                );
            }
        }
        for (status, n) in other_not_started {
            not_started.push(
                vec![
                    ("tenant", tenant.clone()),
                    ("artifact", l(super::state::OTHER)),
                    ("status", l(status)),
                ],
                int(n),
            );
        }
        let mut totals: Vec<(&Arc<str>, &MplStatus, &u64)> =
            h.messages.totals.iter().map(|((i, s), n)| (i, s, n)).collect();
        totals.sort_by(|a, b| a.0.cmp(b.0).then(a.1.as_str().cmp(b.1.as_str())));
        for (iflow, status, n) in totals {
            messages.push(
                vec![
                    ("tenant", tenant.clone()),
                    ("iflow", iflow.clone()),
                    ("status", l(status.as_str())),
                ],
                int(*n),
            );
        }
        let mut r: Vec<(&Arc<str>, &u64)> = h.messages.retried.iter().collect();
        r.sort();
        for (iflow, n) in r {
            retried.push(
                vec![("tenant", tenant.clone()), ("iflow", iflow.clone())],
                int(*n),
            );
        }
        if h.messages.baseline_done() {
            for status in [MplStatus::Processing, MplStatus::Retry] {
                let n: u64 = h
                    .messages
                    .in_flight
                    .iter()
                    .filter(|((_, s), _)| *s == status)
                    .map(|(_, n)| *n)
                    .sum();
                in_flight.push(
                    vec![("tenant", tenant.clone()), ("status", l(status.as_str()))],
                    int(n),
                );
            }
        }
        if let Some(queues) = &h.queues {
            let mut other_depth: Option<i64> = None;
            let mut other_oldest: Option<EpochMs> = None;
            let mut dlq_total = 0i64;
            for q in queues {
                if q.dlq {
                    dlq_total += q.depth.max(0);
                }
                if &*q.label == super::state::OTHER {
                    other_depth = Some(other_depth.unwrap_or(0) + q.depth.max(0));
                    if let Some(o) = q.oldest {
                        other_oldest = Some(other_oldest.map_or(o, |p| p.min(o)));
                    }
                    continue;
                }
                queue_depth.push(
                    vec![("tenant", tenant.clone()), ("queue", q.label.clone())],
                    Value::Int(q.depth.max(0)),
                );
                if let Some(o) = q.oldest {
                    queue_age.push(
                        vec![("tenant", tenant.clone()), ("queue", q.label.clone())],
                        Value::Float(seconds(now.saturating_sub(o).max(0))),
                    );
                }
            }
            if let Some(d) = other_depth {
                queue_depth.push(
                    vec![("tenant", tenant.clone()), ("queue", l(super::state::OTHER))],
                    Value::Int(d),
                );
            }
            if let Some(o) = other_oldest {
                queue_age.push(
                    vec![("tenant", tenant.clone()), ("queue", l(super::state::OTHER))],
                    Value::Float(seconds(now.saturating_sub(o).max(0))),
                );
            }
            dlq.push(tl(), Value::Int(dlq_total));
        }
        if let Some(b) = &h.broker {
            broker_ratio.push(tl(), Value::Float(b.used_fraction()));
            broker_used.push(tl(), Value::Int(b.capacity.max(0)));
            broker_max.push(tl(), Value::Int(b.max_capacity.max(0)));
        }
        if let Some(cs) = &h.certificates {
            let mut other: Option<EpochMs> = None;
            for c in cs {
                if &*c.label == super::state::OTHER {
                    other = Some(other.map_or(c.valid_until, |o| o.min(c.valid_until)));
                    continue;
                }
                certs.push(
                    vec![("tenant", tenant.clone()), ("alias", c.label.clone())],
                    Value::Float(seconds(c.valid_until.saturating_sub(now))),
                );
            }
            if let Some(o) = other {
                certs.push(
                    vec![("tenant", tenant.clone()), ("alias", l(super::state::OTHER))],
                    Value::Float(seconds(o.saturating_sub(now))),
                );
            }
        }
        for sig in h.signatures.iter().flatten() {
            signatures.push(
                vec![
                    ("tenant", tenant.clone()),
                    ("signature", sig.signature.clone()),
                    ("template", sig.template.clone()),
                ],
                int(sig.messages),
            );
        }
        for (key, _name, status) in &h.monitors {
            for s in [Status::Ok, Status::Warning, Status::Error, Status::NotCalculated] {
                monitor.push(
                    vec![
                        ("tenant", tenant.clone()),
                        ("monitor", key.clone()),
                        ("status", l(s.as_str())),
                    ],
                    Value::Int(i64::from(*status == s)),
                );
            }
        }
        requests.push(tl(), int(stats.requests));
        throttled.push(tl(), int(stats.throttled));
        errors.push(tl(), int(stats.failed));
        retries.push(tl(), int(stats.retried));
        req_in_flight.push(tl(), int(stats.in_flight));
        bytes.push(tl(), int(stats.bytes));
        for r in Resource::ALL {
            let p = h.poll(r);
            let labels = || vec![("tenant", tenant.clone()), ("resource", l(r.as_str()))];
            polls.push(labels(), int(p.polls));
            poll_errors.push(labels(), int(p.errors));
            if let Some(at) = p.last_success {
                last_success.push(labels(), Value::Float(seconds(at)));
            }
        }
    }

    let mut out = vec![
        up,
        artifacts,
        not_started,
        messages,
        retried,
        in_flight,
        queue_depth,
        queue_age,
        dlq,
        broker_ratio,
        broker_used,
        broker_max,
        certs,
        monitor,
        signatures,
        requests,
        throttled,
        errors,
        retries,
        req_in_flight,
        bytes,
        polls,
        poll_errors,
        last_success,
    ];
    out.extend(process_families(&fleet.process));
    out
}

fn process_families(p: &ProcessStats) -> Vec<Family> {
    use Kind::{Counter, Gauge};
    let mut build = Family::new("cpitop_build_info", "cpitop's version.", Gauge, Unit::None);
    build.push(vec![("version", l(env!("CARGO_PKG_VERSION")))], Value::Int(1));
    let mut clients = Family::new(
        "cpitop_events_clients",
        "Clients connected to /events.",
        Gauge,
        Unit::None,
    );
    clients.push(Vec::new(), int(p.events_clients.load(Ordering::Relaxed)));
    let mut dropped = Family::new(
        "cpitop_events_dropped",
        "Events slow /events clients lost (the oldest, each client told with a `dropped` event).",
        Counter,
        Unit::None,
    );
    dropped.push(Vec::new(), int(p.events_dropped.load(Ordering::Relaxed)));
    let mut slow = Family::new(
        "cpitop_events_slow_disconnects",
        "/events clients disconnected because they took nothing for [serve.events] write_timeout.",
        Counter,
        Unit::None,
    );
    slow.push(Vec::new(), int(p.events_slow_disconnects.load(Ordering::Relaxed)));
    let mut out = vec![build, clients, dropped, slow];
    if let Some(o) = &p.otlp {
        let mut exported = Family::new(
            "cpitop_otlp_exported",
            "Metric data points and log records delivered to the OTLP collector.",
            Counter,
            Unit::None,
        );
        let mut odropped = Family::new(
            "cpitop_otlp_dropped",
            "Metric data points and log records dropped: beyond the buffer while the collector was unreachable, or refused by it.",
            Counter,
            Unit::None,
        );
        let mut failures = Family::new(
            "cpitop_otlp_export_failures",
            "OTLP export requests that failed (each retry counts).",
            Counter,
            Unit::None,
        );
        let mut buffered = Family::new(
            "cpitop_otlp_buffered",
            "Metric data points and log records waiting for the collector.",
            Gauge,
            Unit::None,
        );
        for (signal, s) in [("metrics", &o.metrics), ("logs", &o.logs)] {
            let lab = || vec![("signal", l(signal))];
            exported.push(lab(), int(s.exported.load(Ordering::Relaxed)));
            odropped.push(lab(), int(s.dropped.load(Ordering::Relaxed)));
            failures.push(lab(), int(s.failures.load(Ordering::Relaxed)));
            buffered.push(lab(), int(s.buffered.load(Ordering::Relaxed)));
        }
        out.extend([exported, odropped, failures, buffered]);
    }
    out
}

/// The `prometheus-client` collector: encodes [`families`] at each scrape.
#[derive(Debug)]
pub struct FleetCollector(pub Arc<Fleet>);

impl Collector for FleetCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for f in families(&self.0) {
            // An empty family is left out (no samples: nothing to describe).
            if f.series.is_empty() {
                continue;
            }
            let unit = match f.unit {
                Unit::None => None,
                Unit::Seconds => Some(PromUnit::Seconds),
                Unit::Bytes => Some(PromUnit::Bytes),
                Unit::Ratio => Some(PromUnit::Other("ratio".into())),
            };
            let ty = match f.kind {
                Kind::Counter => MetricType::Counter,
                Kind::Gauge => MetricType::Gauge,
            };
            let mut m = encoder.encode_descriptor(f.base, f.help, unit.as_ref(), ty)?;
            for s in &f.series {
                let labels: Vec<(&str, &str)> = s.labels.iter().map(|(k, v)| (*k, &**v)).collect();
                let mut e = m.encode_family(&labels)?;
                match (f.kind, s.value) {
                    (Kind::Counter, v) => {
                        let n = u64::try_from(match v {
                            Value::Int(i) => i,
                            Value::Float(x) => x as i64,
                        })
                        .unwrap_or(0);
                        e.encode_counter::<NoLabelSet, u64, u64>(&n, None)?;
                    }
                    (Kind::Gauge, Value::Int(i)) => e.encode_gauge(&i)?,
                    (Kind::Gauge, Value::Float(x)) => e.encode_gauge(&x)?,
                }
            }
        }
        Ok(())
    }
}

/// The registry scrapes encode: the fleet collector only.
pub fn registry(fleet: Arc<Fleet>) -> Registry {
    let mut r = Registry::default();
    r.register_collector(Box::new(FleetCollector(fleet)));
    r
}

/// The exposition format of a scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/openmetrics-text; version=1.0.0` (what Prometheus asks for first).
    OpenMetrics,
    /// `text/plain; version=0.0.4` (curl, older scrapers).
    Text,
}

impl Format {
    /// From the request's `Accept` header.
    pub fn negotiate(accept: Option<&str>) -> Self {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Text,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
        }
    }
}

/// One scrape's body.
pub fn encode(registry: &Registry, format: Format) -> Result<String, std::fmt::Error> {
    let mut out = String::with_capacity(64 * 1024);
    match format {
        Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, registry)?,
        Format::Text => prometheus_client::encoding::prometheus_text::encode(&mut out, registry)?,
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::serve::Caps;
    use crate::cpi::CpiClient;
    use crate::cpi::conn::{Auth, Limits, TenantConn};

    fn tenant(name: &str) -> Arc<TenantState> {
        let conn = TenantConn {
            name: name.into(),
            base_url: "http://127.0.0.1:9".into(),
            auth: Auth::Basic {
                username: "u".into(),
                password: crate::secret::Secret::new("p"),
            },
            limits: Limits::default(),
            ca_bundle: None,
        };
        Arc::new(TenantState::new(
            name,
            CpiClient::new(conn).unwrap(),
            Caps::default(),
        ))
    }

    #[test]
    fn both_formats_name_counters_and_units_the_prometheus_way() {
        let t = tenant("prod\"x");
        t.write()
            .messages
            .totals
            .insert((Arc::from("Orders"), MplStatus::Failed), 3);
        let fleet = Arc::new(Fleet {
            tenants: vec![t],
            process: Arc::new(ProcessStats::default()),
            started_at: 0,
        });
        let reg = registry(fleet);
        let om = encode(&reg, Format::OpenMetrics).unwrap();
        assert!(om.contains("# TYPE cpitop_messages counter"), "{om}");
        assert!(
            om.contains("cpitop_messages_total{tenant=\"prod\\\"x\",iflow=\"Orders\",status=\"FAILED\"} 3"),
            "{om}"
        );
        assert!(om.ends_with("# EOF\n"), "{om}");
        let text = encode(&reg, Format::Text).unwrap();
        assert!(text.contains("# TYPE cpitop_messages_total counter"), "{text}");
        assert!(!text.contains("# EOF"), "{text}");
        assert!(
            text.contains("cpitop_tenant_up{tenant=\"prod\\\"x\"} 0"),
            "{text}"
        );
    }

    #[test]
    fn error_signatures_are_a_gauge_with_escaped_templates_and_absent_before_grouping() {
        use super::super::state::{SignatureMetric, template_label};
        let grouped = tenant("a");
        let never = tenant("b");
        grouped.write().signatures = Some(vec![
            SignatureMetric {
                signature: Arc::from("0123456789abcdef"),
                template: template_label("No such property: \"x\" in C:\\Script<n>\nat line 2"),
                messages: 4,
            },
            SignatureMetric {
                signature: Arc::from("provisional"),
                template: Arc::from("(error text not read yet)"),
                messages: 0,
            },
        ]);
        let fleet = Arc::new(Fleet {
            tenants: vec![grouped, never],
            process: Arc::new(ProcessStats::default()),
            started_at: 0,
        });
        let om = encode(&registry(fleet), Format::OpenMetrics).unwrap();
        assert!(
            om.contains("# TYPE cpitop_error_signature_messages gauge"),
            "{om}"
        );
        assert!(
            om.contains(
                "cpitop_error_signature_messages{tenant=\"a\",signature=\"0123456789abcdef\",template=\"No such property: \\\"x\\\" in C:\\\\Script<n> at line 2\"} 4"
            ),
            "{om}"
        );
        assert!(
            om.contains("cpitop_error_signature_messages{tenant=\"a\",signature=\"provisional\",template=\"(error text not read yet)\"} 0"),
            "{om}"
        );
        assert!(
            !om.contains("cpitop_error_signature_messages{tenant=\"b\""),
            "no series before the first grouping: {om}"
        );
    }
}
