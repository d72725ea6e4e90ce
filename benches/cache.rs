//! Cache speed: saving and loading a bounded message window (50,000 lean rows) must stay well
//! below what a user notices at start-up (target: load < 100 ms, save < 150 ms on a laptop).
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use cpitop::config::{Cache, Paths};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
struct Row {
    guid: String,
    iflow: String,
    status: String,
    sender: String,
    receiver: String,
    log_start_ms: i64,
    log_end_ms: i64,
}

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            guid: format!("AGZ{i:025}"),
            iflow: format!("Orders_Replicate_{}", i % 57),
            status: if i % 13 == 0 {
                "FAILED".into()
            } else {
                "COMPLETED".into()
            },
            sender: "S4HANA".into(),
            receiver: format!("ERP{}", i % 5),
            log_start_ms: 1_718_000_000_000 + i as i64 * 10,
            log_end_ms: 1_718_000_000_000 + i as i64 * 10 + 250,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::for_tenant(&Paths::under(dir.path()), "bench", "https://bench.example");
    let data = rows(50_000);
    let mut g = c.benchmark_group("cache_50k_rows");
    g.sample_size(10);
    g.bench_function("save", |b| {
        b.iter(|| cache.save("messages", black_box(&data)).expect("save"))
    });
    cache.save("messages", &data).expect("save");
    g.bench_function("load", |b| {
        b.iter(|| black_box(cache.load::<Vec<Row>>("messages").into_value().expect("cached")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
