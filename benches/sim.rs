//! Page serving of the simulated tenant at 1,000,000 messages: a 1000-row lean page
//! (`$select` of `MPL_LIST_SELECT`) for a LogEnd range, rendered in process and over loopback
//! HTTP; plus a full-record page and a Status filter that scans.
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::hint::black_box;

use cpitop::cpi::mpl_row::MPL_LIST_SELECT;
use cpitop::cpi::odata::datetime_literal;
use cpitop::sim::mpl_gen::Gen;
use cpitop::sim::mpl_routes::render_page;
use cpitop::sim::mpl_store::MplStore;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const T0: i64 = 1_750_000_000_000;

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn pages(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim_1m");
    g.sample_size(20);
    g.bench_function("build_1m_window", |b| {
        b.iter(|| {
            black_box(MplStore::new(
                Gen::new(1, T0, 1_000_000, 86_400_000, 3.0),
                HashSet::new(),
            ))
            .index()
            .len()
        })
    });
    let store = MplStore::new(Gen::new(1, T0, 1_000_000, 86_400_000, 3.0), HashSet::new());
    let api = "http://127.0.0.1:8443/api/v1";
    let range = enc(&format!(
        "LogEnd ge {} and LogEnd lt {}",
        datetime_literal(T0 - 12 * 3_600_000),
        datetime_literal(T0 - 3_600_000)
    ));
    let lean =
        format!("$filter={range}&$orderby=LogEnd&$top=1000&$skiptoken=200000&$select={MPL_LIST_SELECT}");
    let full = format!("$filter={range}&$orderby=LogEnd&$top=1000&$skiptoken=200000");
    let status = format!(
        "$filter={}&$top=1000&$select={MPL_LIST_SELECT}",
        enc("Status eq 'FAILED'")
    );
    g.throughput(Throughput::Elements(1000));
    g.bench_function("lean_page_1000_rows", |b| {
        b.iter(|| black_box(render_page(&store, api, &lean).map(|p| p.len())))
    });
    g.bench_function("full_page_1000_rows", |b| {
        b.iter(|| black_box(render_page(&store, api, &full).map(|p| p.len())))
    });
    g.bench_function("status_filter_page_1000_rows", |b| {
        b.iter(|| black_box(render_page(&store, api, &status).map(|p| p.len())))
    });
    g.finish();

    // Over loopback HTTP, as a client sees it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (h, client, token) = rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let h = cpitop::sim::spawn(cpitop::sim::SimConfig {
            history_messages: Some(1_000_000),
            start_time_ms: None,
            ..Default::default()
        })
        .await
        .expect("sim");
        let c = reqwest::Client::new();
        let r = c
            .post(&h.token_url)
            .basic_auth(&h.client_id, Some(&h.client_secret))
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("token");
        let v: serde_json::Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
        let tok = v["access_token"].as_str().expect("token").to_string();
        (h, c, tok)
    });
    let now = rt.block_on(async { h.admin().now_ms() });
    let range = enc(&format!(
        "LogEnd ge {} and LogEnd lt {}",
        datetime_literal(now - 12 * 3_600_000),
        datetime_literal(now - 3_600_000)
    ));
    let url = format!(
        "{}/api/v1/MessageProcessingLogs?$filter={range}&$orderby=LogEnd&$top=1000&$skiptoken=200000&$select={MPL_LIST_SELECT}",
        h.base_url
    );
    let mut g = c.benchmark_group("sim_1m_http");
    g.sample_size(20);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("lean_page_1000_rows_loopback", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = client
                    .get(&url)
                    .bearer_auth(&token)
                    .header("accept", "application/json")
                    .send()
                    .await
                    .expect("get");
                black_box(r.bytes().await.expect("body").len())
            })
        })
    });
    g.finish();
    drop(h);
}

criterion_group!(benches, pages);
criterion_main!(benches);
