//! `cpitop serve` scrape cost (issue 18): `/metrics` for a fleet of 50 tenants × 200 iFlows from
//! held state (what the pollers would hold: per tenant 200 iFlows with COMPLETED/FAILED/ESCALATED
//! counters and a retry counter, 62 artifacts of which 4 not started, 20 queues, 20
//! certificates, 7 monitors).
//! - `serve_scrape/encode_openmetrics_50x200`: encoding the OpenMetrics text (what a scrape does
//!   besides HTTP);
//! - `serve_scrape/encode_text_50x200`: the Prometheus text format 0.0.4;
//! - `serve_scrape/http_get_metrics_50x200`: a whole `GET /metrics` over loopback from the real
//!   server (`serve::http::serve`), body read.
//!
//! Every tenant's client points at one simulated tenant; after the scrapes the bench checks and
//! prints the requests the tenants received during scraping (the sim's count and the clients'
//! counters): zero.
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use cpitop::config::serve::{Caps, EventsConfig};
use cpitop::cpi::CpiClient;
use cpitop::cpi::model::{ArtifactStatus, KeystoreEntry, MplStatus, RuntimeArtifact};
use cpitop::monitor::Status;
use cpitop::serve::http::App;
use cpitop::serve::metrics::{Format, encode, families, registry};
use cpitop::serve::state::{QueueMetric, Resource};
use cpitop::serve::{Fleet, Hub, ProcessStats, TenantState};
use criterion::{Criterion, criterion_group, criterion_main};

const TENANTS: usize = 50;
const IFLOWS: usize = 200;

fn fleet(sim: &cpitop::sim::SimHandle) -> Arc<Fleet> {
    let now = 1_800_000_000_000i64;
    let tenants = (0..TENANTS)
        .map(|t| {
            let name = format!("tenant-{t:02}");
            let client = CpiClient::new(sim.demo_conn(&name)).unwrap();
            let state = Arc::new(TenantState::new(&name, client, Caps::default()));
            {
                let mut h = state.write();
                let h = &mut *h;
                let artifacts: Vec<RuntimeArtifact> = (0..62)
                    .map(|i| RuntimeArtifact {
                        id: format!("Flow_{i:03}"),
                        version: "1.0.0".into(),
                        name: format!("Flow {i}"),
                        kind: "INTEGRATION_FLOW".into(),
                        deployed_by: "ops".into(),
                        deployed_on: Some(now),
                        status: if i % 16 == 3 {
                            ArtifactStatus::Error
                        } else {
                            ArtifactStatus::Started
                        },
                    })
                    .collect();
                h.set_artifacts(&artifacts);
                for i in 0..IFLOWS {
                    let label = h.iflow_labels.label(&format!("Integration_Flow_{i:03}"));
                    for (s, n) in [
                        (MplStatus::Completed, 12_345u64),
                        (MplStatus::Failed, 17),
                        (MplStatus::Escalated, 2),
                    ] {
                        h.messages.totals.insert((label.clone(), s), n + i as u64);
                    }
                    h.messages.retried.insert(label.clone(), 3);
                    h.messages.in_flight.insert((label, MplStatus::Processing), 1);
                }
                h.queues = Some(
                    (0..20)
                        .map(|q| QueueMetric {
                            label: h.queue_labels.label(&format!("QUEUE_{q:02}")),
                            depth: q,
                            oldest: Some(now - 60_000 * q),
                            dlq: q % 5 == 0,
                        })
                        .collect(),
                );
                let keystore: Vec<KeystoreEntry> = (0..20)
                    .map(|c| KeystoreEntry {
                        alias: format!("partner_{c:02}"),
                        valid_not_after: Some(now + 86_400_000 * c),
                        ..KeystoreEntry::default()
                    })
                    .collect();
                h.set_certificates(&keystore);
                h.monitors = (0..7)
                    .map(|m| {
                        (
                            Arc::from(format!("monitor_{m}").as_str()),
                            format!("Monitor {m}"),
                            Status::Ok,
                        )
                    })
                    .collect();
                for r in Resource::ALL {
                    h.record_poll(r, now, Ok(()));
                }
            }
            state
        })
        .collect();
    Arc::new(Fleet {
        tenants,
        process: Arc::new(ProcessStats::default()),
        started_at: now,
    })
}

fn bench(c: &mut Criterion) {
    cpitop::cpi::install_tls_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(cpitop::sim::spawn(cpitop::sim::SimConfig {
            message_rate: 0.0,
            history_messages: Some(10),
            ..cpitop::sim::SimConfig::default()
        }))
        .unwrap();
    let fleet = fleet(&sim);
    let series: usize = families(&fleet).iter().map(|f| f.series.len()).sum();
    let reg = registry(fleet.clone());
    let body = encode(&reg, Format::OpenMetrics).unwrap();
    println!(
        "fleet: {TENANTS} tenants x {IFLOWS} iFlows: {series} series, OpenMetrics body {} KiB",
        body.len() / 1024
    );
    let sim_before = sim.admin().request_count();

    let app = Arc::new(App {
        fleet: fleet.clone(),
        hub: Hub::new(16, fleet.process.clone()),
        registry: registry(fleet.clone()),
        token: None,
        events: EventsConfig::default(),
        scrapes: AtomicU64::new(0),
    });
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    rt.spawn(cpitop::serve::http::serve(listener, app.clone(), stop.clone()));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("http://{addr}/metrics");

    let mut g = c.benchmark_group("serve_scrape");
    g.sample_size(30);
    g.bench_function("encode_openmetrics_50x200", |b| {
        b.iter(|| black_box(encode(&reg, Format::OpenMetrics).unwrap().len()))
    });
    g.bench_function("encode_text_50x200", |b| {
        b.iter(|| black_box(encode(&reg, Format::Text).unwrap().len()))
    });
    g.bench_function("http_get_metrics_50x200", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = http
                    .get(&url)
                    .header("accept", "application/openmetrics-text; version=1.0.0")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                black_box(r.bytes().await.unwrap().len())
            })
        })
    });
    g.finish();

    let sim_requests = sim.admin().request_count() - sim_before;
    let client_requests: u64 = fleet.tenants.iter().map(|t| t.client.stats().requests).sum();
    let scrapes = app.scrapes.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "requests to the tenants during {scrapes} scrapes: {sim_requests} (simulated tenant), {client_requests} (cpitop's clients)"
    );
    assert_eq!(sim_requests, 0, "a scrape must never call a tenant");
    assert_eq!(client_requests, 0, "a scrape must never call a tenant");
    stop.cancel();
}

criterion_group!(benches, bench);
criterion_main!(benches);
