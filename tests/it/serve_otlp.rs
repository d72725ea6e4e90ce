//! `cpitop serve`'s OTLP/HTTP push, received by an in-test collector on loopback that decodes the
//! protobuf with the OpenTelemetry protocol types: the metric families (counters as cumulative
//! monotonic sums, gauges as gauges; error-signature counts too) and failed messages as log
//! records with their attributes (error signature included).
//! While the collector answers 503 everything is buffered and then delivered; beyond the buffer
//! the oldest is dropped and counted (`cpitop_otlp_dropped_total`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use cpitop::config::serve::OtlpConfig;
use cpitop::secret::Secret;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, metric, number_data_point};
use prost::Message as _;

use crate::serve_util::{self, FLOW, MONITORS, fast_tenant, get, setup, sim, start};

/// One request the collector took.
struct Got {
    path: String,
    content_type: Option<String>,
    authorization: Option<String>,
    body: Bytes,
}

/// An OTLP/HTTP collector on loopback: answers 503 while down, 200 (and records) while up.
struct Collector {
    up: AtomicBool,
    got: Mutex<Vec<Got>>,
    refused: std::sync::atomic::AtomicU64,
}

async fn collector() -> (SocketAddr, Arc<Collector>) {
    let c = Arc::new(Collector {
        up: AtomicBool::new(false),
        got: Mutex::new(Vec::new()),
        refused: std::sync::atomic::AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shared = c.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let c = shared.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let c = c.clone();
                    async move {
                        let header = |n: &str| {
                            req.headers()
                                .get(n)
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_string)
                        };
                        let path = req.uri().path().to_string();
                        let content_type = header("content-type");
                        let authorization = header("authorization");
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let status = if c.up.load(Ordering::SeqCst) {
                            c.got.lock().unwrap().push(Got {
                                path,
                                content_type,
                                authorization,
                                body,
                            });
                            200
                        } else {
                            c.refused.fetch_add(1, Ordering::SeqCst);
                            503
                        };
                        Ok::<_, Infallible>(
                            Response::builder()
                                .status(status)
                                .header("content-type", "application/x-protobuf")
                                .body(Full::new(Bytes::new()))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, c)
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        })
}

fn log_records(c: &Collector) -> Vec<LogRecord> {
    c.got
        .lock()
        .unwrap()
        .iter()
        .filter(|g| g.path == "/v1/logs")
        .flat_map(|g| {
            let req = ExportLogsServiceRequest::decode(g.body.as_ref()).expect("logs decode");
            req.resource_logs
                .into_iter()
                .flat_map(|r| r.scope_logs)
                .flat_map(|s| s.log_records)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The signature of the test's failed messages, from their log records.
fn ours_signature(c: &Collector) -> String {
    log_records(c)
        .iter()
        .find(|r| attr(&r.attributes, "cpi.iflow") == Some(FLOW))
        .and_then(|r| attr(&r.attributes, "cpi.error.signature"))
        .expect("a record of the flow with a signature")
        .to_string()
}

fn metric_pushes(c: &Collector) -> Vec<ExportMetricsServiceRequest> {
    c.got
        .lock()
        .unwrap()
        .iter()
        .filter(|g| g.path == "/v1/metrics")
        .map(|g| ExportMetricsServiceRequest::decode(g.body.as_ref()).expect("metrics decode"))
        .collect()
}

fn otlp_setup(
    sim: &cpitop::sim::SimHandle,
    endpoint: SocketAddr,
    cfg: impl FnOnce(&mut OtlpConfig),
) -> cpitop::serve::ServeSetup {
    let mut s = setup(vec![fast_tenant(sim, "simtest")], MONITORS);
    let mut o = OtlpConfig::new(&format!("http://{endpoint}"));
    o.interval = Duration::from_millis(500);
    o.timeout = Duration::from_secs(2);
    cfg(&mut o);
    s.config.otlp = Some(o);
    s.otlp_headers = vec![("Authorization".into(), Secret::new("Bearer otlp-test-key"))];
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_metrics_and_failed_messages_buffered_while_the_collector_is_down() {
    let sim = sim().await;
    let (addr, col) = collector().await;
    let handle = start(otlp_setup(&sim, addr, |_| {})).await;
    let otlp = handle.fleet.process.otlp.as_ref().expect("otlp stats");
    let mut events = handle.hub.subscribe();

    // The collector is down: pushes fail and wait in the buffer.
    let admin = sim.admin();
    serve_util::until(20, "first polls", || {
        handle.fleet.tenants[0].read().first_polls_done()
    })
    .await;
    admin.fail_next(FLOW, 2, "HTTP 500 from receiver ERP").unwrap();
    admin.advance_clock(Duration::from_secs(60));
    serve_util::until(30, "failed messages buffered and retries while down", || {
        otlp.logs.buffered.load(Ordering::Relaxed) >= 2
            && otlp.metrics.buffered.load(Ordering::Relaxed) > 0
            && otlp.metrics.failures.load(Ordering::Relaxed) >= 2
    })
    .await;
    assert!(col.refused.load(Ordering::SeqCst) >= 2);
    assert!(col.got.lock().unwrap().is_empty());
    let buffered_points = otlp.metrics.buffered.load(Ordering::Relaxed);

    // Back up: everything buffered is delivered, nothing dropped.
    col.up.store(true, Ordering::SeqCst);
    serve_util::until(30, "buffer delivered", || {
        otlp.metrics.exported.load(Ordering::Relaxed) >= buffered_points
            && log_records(&col)
                .iter()
                .filter(|r| attr(&r.attributes, "cpi.iflow") == Some(FLOW))
                .count()
                >= 2
    })
    .await;
    assert_eq!(otlp.metrics.dropped.load(Ordering::Relaxed), 0);
    assert_eq!(otlp.logs.dropped.load(Ordering::Relaxed), 0);

    for g in col.got.lock().unwrap().iter() {
        assert_eq!(
            g.content_type.as_deref(),
            Some("application/x-protobuf"),
            "{}",
            g.path
        );
        assert_eq!(
            g.authorization.as_deref(),
            Some("Bearer otlp-test-key"),
            "{}",
            g.path
        );
    }

    // Metrics: the families of /metrics, counters as cumulative monotonic sums.
    let pushes = metric_pushes(&col);
    assert!(
        pushes.len() >= 2,
        "the pushes made while down were delivered: {}",
        pushes.len()
    );
    let last = pushes.last().unwrap();
    let rm = &last.resource_metrics[0];
    let resource = rm.resource.as_ref().expect("resource");
    assert_eq!(attr(&resource.attributes, "service.name"), Some("cpitop"));
    let metrics = &rm.scope_metrics[0].metrics;
    let find = |name: &str| {
        metrics.iter().find(|m| m.name == name).unwrap_or_else(|| {
            panic!(
                "{name} not pushed: {:?}",
                metrics.iter().map(|m| &m.name).collect::<Vec<_>>()
            )
        })
    };
    let Some(metric::Data::Sum(sum)) = &find("cpitop_messages").data else {
        panic!("cpitop_messages is not a sum")
    };
    assert!(sum.is_monotonic);
    assert_eq!(
        sum.aggregation_temporality,
        AggregationTemporality::Cumulative as i32
    );
    let failed_flow = sum
        .data_points
        .iter()
        .find(|p| {
            attr(&p.attributes, "iflow") == Some(FLOW) && attr(&p.attributes, "status") == Some("FAILED")
        })
        .expect("FAILED counter of the flow");
    assert!(
        failed_flow.start_time_unix_nano > 0 && failed_flow.time_unix_nano > failed_flow.start_time_unix_nano
    );
    for name in [
        "cpitop_tenant_up",
        "cpitop_artifacts",
        "cpitop_queue_messages",
        "cpitop_certificate_expiry_seconds",
        "cpitop_broker_capacity_used_ratio",
        "cpitop_monitor_status",
        "cpitop_poll_last_success_timestamp_seconds",
    ] {
        assert!(
            matches!(find(name).data, Some(metric::Data::Gauge(_))),
            "{name} is a gauge"
        );
    }
    assert_eq!(find("cpitop_certificate_expiry_seconds").unit, "s");
    // Error signatures: failed messages of the window per signature, with its key and template.
    let Some(metric::Data::Gauge(sigs)) = &find("cpitop_error_signature_messages").data else {
        panic!("cpitop_error_signature_messages is not a gauge")
    };
    let ours = ours_signature(&col);
    let p = sigs
        .data_points
        .iter()
        .find(|p| attr(&p.attributes, "signature") == Some(ours.as_str()))
        .unwrap_or_else(|| panic!("no data point of {ours}: {sigs:#?}"));
    assert!(attr(&p.attributes, "template").is_some_and(|t| t.contains("from receiver ERP")));
    assert!(matches!(p.value, Some(number_data_point::Value::AsInt(n)) if n >= 2));
    let up = match &find("cpitop_tenant_up").data {
        Some(metric::Data::Gauge(g)) => g.data_points.clone(),
        _ => unreachable!(),
    };
    assert_eq!(attr(&up[0].attributes, "tenant"), Some("simtest"));

    // Logs: each failed message once, with its ids, iFlow, status and error text.
    let records = log_records(&col);
    let ours: Vec<&LogRecord> = records
        .iter()
        .filter(|r| attr(&r.attributes, "cpi.iflow") == Some(FLOW))
        .collect();
    assert_eq!(ours.len(), 2, "{ours:#?}");
    for r in &ours {
        assert_eq!(attr(&r.attributes, "cpi.tenant"), Some("simtest"));
        assert_eq!(attr(&r.attributes, "cpi.message.status"), Some("FAILED"));
        assert_eq!(
            attr(&r.attributes, "cpi.error.text"),
            Some("HTTP 500 from receiver ERP")
        );
        assert!(attr(&r.attributes, "cpi.message.id").is_some_and(|g| !g.is_empty()));
        // The error's signature: its stable key and template.
        assert!(
            attr(&r.attributes, "cpi.error.signature")
                .is_some_and(|k| k.len() == 16 && k.chars().all(|c| c.is_ascii_hexdigit())),
            "{r:#?}"
        );
        assert!(
            attr(&r.attributes, "cpi.error.template").is_some_and(|t| t.contains("from receiver ERP")),
            "{r:#?}"
        );
        assert_eq!(r.severity_text, "ERROR");
        assert_eq!(r.event_name, "cpi.message.failed");
        assert!(r.time_unix_nano > 0 && r.observed_time_unix_nano >= r.time_unix_nano);
    }
    let mut ids: Vec<&str> = records
        .iter()
        .filter_map(|r| attr(&r.attributes, "cpi.message.id"))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "each failed message once");

    // Every failed message event became a record (none dropped).
    let mut failed_events = 0u64;
    serve_util::until(15, "every failed message delivered", || {
        while let Ok(line) = events.try_recv() {
            if line.contains("\"event\":\"message_failed\"") {
                failed_events += 1;
            }
        }
        otlp.logs.buffered.load(Ordering::Relaxed) == 0
            && otlp.logs.exported.load(Ordering::Relaxed) == failed_events
            && log_records(&col).len() as u64 == failed_events
    })
    .await;
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_buffer_the_oldest_is_dropped_and_counted() {
    let sim = sim().await;
    let (addr, col) = collector().await;
    let handle = start(otlp_setup(&sim, addr, |o| {
        o.max_buffered_pushes = 2;
        o.max_buffered_logs = 1;
    }))
    .await;
    let otlp = handle.fleet.process.otlp.as_ref().expect("otlp stats");
    let mut events = handle.hub.subscribe();
    let admin = sim.admin();
    serve_util::until(20, "first polls", || {
        handle.fleet.tenants[0].read().first_polls_done()
    })
    .await;
    admin.fail_next(FLOW, 3, "HTTP 500 from receiver ERP").unwrap();
    admin.advance_clock(Duration::from_secs(60));
    serve_util::until(30, "drops while down", || {
        otlp.metrics.dropped.load(Ordering::Relaxed) > 0 && otlp.logs.dropped.load(Ordering::Relaxed) >= 2
    })
    .await;
    assert!(otlp.logs.buffered.load(Ordering::Relaxed) <= 1);

    // The drops are exported as metrics.
    let (_, text) = get(handle.addr, "/metrics", &[]).await;
    let dropped = |signal: &str| {
        serve_util::sample(
            &text,
            "cpitop_otlp_dropped_total",
            &[&format!("signal=\"{signal}\"")],
        )
        .unwrap_or(0.0)
    };
    assert!(dropped("metrics") > 0.0, "{text}");
    assert!(dropped("logs") >= 2.0, "{text}");

    // Back up: delivery resumes; every failed message is exported, dropped or still buffered.
    col.up.store(true, Ordering::SeqCst);
    serve_util::until(30, "delivery resumes", || {
        otlp.logs.buffered.load(Ordering::Relaxed) == 0 && !metric_pushes(&col).is_empty()
    })
    .await;
    let mut failed_events = 0u64;
    serve_util::until(15, "every failed message delivered, dropped or buffered", || {
        while let Ok(line) = events.try_recv() {
            if line.contains("\"event\":\"message_failed\"") {
                failed_events += 1;
            }
        }
        let accounted = otlp.logs.exported.load(Ordering::Relaxed)
            + otlp.logs.dropped.load(Ordering::Relaxed)
            + otlp.logs.buffered.load(Ordering::Relaxed);
        accounted == failed_events
            && log_records(&col).len() as u64 == otlp.logs.exported.load(Ordering::Relaxed)
    })
    .await;
    handle.shutdown().await;
}
