//! Client benchmarks (issue 2 / issue 7):
//! - `mpl_decode/lean_page_1000`: decoding one 1000-record lean MPL page (the `$select` of
//!   `mpl_row`) with `mpl_row::decode_page`; throughput in records/s.
//! - `mpl_load/client_window_100k`: the full load of 100,000 messages from the simulated tenant
//!   over loopback through `CpiClient::fetch_mpl_window` (keyset paging, time slices, decoding on
//!   the blocking pool with `mpl_row::decode_page`), limiter opened up (the sim is local).
//! - `mpl_load/raw_sequential_100k`: the baseline — the same 100 lean pages downloaded one after
//!   the other by following `__next`, no decoding (what `curl` in a loop does).
//!
//! The steady-state tenant load (requests and rows per live refresh) is `benches/tenant_load.rs`.
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A realistic lean page as the tenant sends it: `__metadata` with absolute URIs, nulls for empty
/// strings, the nested `IntegrationArtifact`.
fn lean_page(n: usize) -> Bytes {
    let host = "https://t1.it-cpi018.cfapps.eu10.hana.ondemand.com:443/api/v1";
    let statuses = [
        "COMPLETED",
        "COMPLETED",
        "COMPLETED",
        "FAILED",
        "RETRY",
        "PROCESSING",
    ];
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let guid = format!("AGZ0aBcDeFgHiJkLm{i:011}");
        let flow = format!("Orders_Inbound_{}", i % 40);
        let status = statuses[i % statuses.len()];
        let end = 1_718_000_000_000i64 + i as i64 * 37;
        rows.push(format!(
            r#"{{"__metadata":{{"id":"{host}/MessageProcessingLogs('{guid}')","uri":"{host}/MessageProcessingLogs('{guid}')","type":"com.sap.hci.api.MessageProcessingLog"}},"MessageGuid":"{guid}","CorrelationId":"AGZ0aBc1xYz2wVu3{i:012}","ApplicationMessageId":{app},"ApplicationMessageType":null,"LogStart":"/Date({start})/","LogEnd":"/Date({end})/","Sender":"S4HANA_{s}","Receiver":{recv},"IntegrationFlowName":"{flow}","Status":"{status}","CustomStatus":"{status}","IntegrationArtifact":{{"__metadata":{{"type":"com.sap.hci.api.IntegrationArtifact"}},"Id":"{flow}","Name":"Orders Inbound {f}","Type":"INTEGRATION_FLOW","PackageId":"SalesIntegration","PackageName":"Sales Integration"}}}}"#,
            app = if i % 3 == 0 { "null".to_string() } else { format!("\"PO-{i:08}\"") },
            start = end - 1234,
            s = i % 7,
            recv = if i % 5 == 0 { "null".to_string() } else { format!("\"SFTP_{}\"", i % 11) },
            f = i % 40,
        ));
    }
    Bytes::from(format!(
        r#"{{"d":{{"results":[{}],"__next":"{host}/MessageProcessingLogs?$skiptoken=1000"}}}}"#,
        rows.join(",")
    ))
}

fn bench_decode(c: &mut Criterion) {
    let page = lean_page(1000);
    let mut g = c.benchmark_group("mpl_decode");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("lean_page_1000", |b| {
        b.iter(|| {
            let p = cpitop::cpi::mpl_row::decode_page(black_box(&page)).expect("decodes");
            assert_eq!(p.d.results.len(), 1000);
            black_box(p.d.results.len())
        })
    });
    g.bench_function("lean_page_1000_guid_page", |b| {
        b.iter(|| {
            let p = cpitop::cpi::decode_guid_page(black_box(page.clone())).expect("decodes");
            black_box(p.rows.len())
        })
    });
    g.finish();
}

/// The client-side cost of a page without a store: decode borrowed, count, max LogEnd.
struct CountPage {
    rows: usize,
    max: Option<i64>,
}

impl cpitop::cpi::mpl_row::DecodedMplPage for CountPage {
    fn row_count(&self) -> usize {
        self.rows
    }
    fn max_log_end(&self) -> Option<i64> {
        self.max
    }
    /// No keys kept: this page type serves window loads only (a delta following such a load
    /// would find every row of its overlap late).
    fn for_each_key(&self, _: &mut dyn FnMut(&str, i64)) {}
}

fn count_page(b: Bytes) -> Result<CountPage, String> {
    let p = cpitop::cpi::mpl_row::decode_page(&b).map_err(|e| e.to_string())?;
    Ok(CountPage {
        rows: p.d.results.len(),
        max: p
            .d
            .results
            .iter()
            .filter_map(|r| r.log_end.as_deref().and_then(cpitop::cpi::odata::parse_date))
            .max(),
    })
}

fn bench_load(c: &mut Criterion) {
    use std::sync::Arc;
    use std::time::Duration;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = rt
        .block_on(cpitop::sim::spawn(cpitop::sim::SimConfig {
            seed: 11,
            message_rate: 0.0,
            history: Duration::from_secs(24 * 3600),
            history_messages: Some(100_000),
            ..cpitop::sim::SimConfig::default()
        }))
        .expect("sim");
    let conn = cpitop::cpi::conn::TenantConn {
        name: "bench".into(),
        base_url: sim.base_url.clone(),
        auth: cpitop::cpi::conn::Auth::OAuth {
            token_url: sim.token_url.clone(),
            client_id: sim.client_id.clone(),
            client_secret: cpitop::secret::Secret::new(sim.client_secret.clone()),
        },
        limits: cpitop::cpi::conn::Limits {
            max_concurrency: 4,
            requests_per_second: 10_000.0,
            burst: 10_000,
            ..cpitop::cpi::conn::Limits::default()
        },
        ca_bundle: None,
    };
    let client = cpitop::cpi::CpiClient::new(conn).expect("client");
    let now = sim.admin().now_ms();
    let query = cpitop::cpi::MplQuery::last_hours(now, 25);

    let mut g = c.benchmark_group("mpl_load");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("client_window_100k", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (tx, mut rx) = tokio::sync::mpsc::channel::<CountPage>(16);
                let drain = async move {
                    let mut n = 0;
                    while let Some(p) = rx.recv().await {
                        n += p.rows;
                    }
                    n
                };
                let (out, n) = tokio::join!(
                    client.fetch_mpl_window(&query, Arc::new(count_page), tx, None),
                    drain
                );
                let out = out.expect("load");
                assert!(n >= 100_000 && out.rows as usize == n, "{n} rows");
                black_box(n)
            })
        })
    });

    cpitop::cpi::install_tls_provider();
    let http = reqwest::Client::new();
    let first = format!(
        "{}/api/v1/MessageProcessingLogs?$select={}&$orderby=LogEnd%20asc",
        sim.base_url,
        cpitop::cpi::mpl_row::MPL_LIST_SELECT
    );
    g.bench_function("raw_sequential_100k", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut url = Some(first.clone());
                let mut bytes = 0usize;
                while let Some(u) = url.take() {
                    let body = http
                        .get(&u)
                        .basic_auth(&sim.username, Some(&sim.password))
                        .header("accept", "application/json")
                        .send()
                        .await
                        .expect("get")
                        .bytes()
                        .await
                        .expect("body");
                    bytes += body.len();
                    // Only the tail holds `__next`.
                    let tail = &body[body.len().saturating_sub(400)..];
                    if let Some(i) = memchr::memmem::find(tail, b"\"__next\":\"") {
                        let rest = &tail[i + 10..];
                        if let Some(end) = memchr::memchr(b'"', rest) {
                            url = Some(String::from_utf8_lossy(&rest[..end]).into_owned());
                        }
                    }
                }
                black_box(bytes)
            })
        })
    });
    g.finish();
    drop(sim);
}

criterion_group!(benches, bench_decode, bench_load);
criterion_main!(benches);
