//! Error signatures (issue 16): grouping 100,000 failed messages with their error texts — every
//! text unique (message ids, numbers, hosts, paths vary as on a real tenant), 16 problems over
//! 40 iFlows. Target: ≤ 100 ms, off the input path. `cargo bench --bench signature`.
//!
//! - `group_100k_failures`: `signature::group` alone (sign → mine → group; two threads).
//! - `app_path/*`: what the Errors pane's blocking thread runs (`panes::errors::run_group`): the
//!   failed messages read out of the Messages pane's store (100k FAILED among 1M messages, the
//!   store's default limit, and among 100k), sorted newest first, their texts looked up by id,
//!   then `group`.
//! - `input_path/pane_takes_grouping`: what the input path does with the answer
//!   (`Errors::grouped`: remember the signatures, rebuild the table, drop the previous grouping).
//! - `parts/*`: the stages on one thread, to see where the time goes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use cpitop::kit::format::TimeFmt;
use cpitop::kit::table::CellCx;
use cpitop::panes::errors::{Errors, GroupJob, Settings, run_group};
use cpitop::signature::mine::mine;
use cpitop::signature::normalise::{head, normalise};
use cpitop::signature::testgen::error_texts;
use cpitop::signature::{ErrorText, Failure, GroupOptions, SeenSignatures, Signer, Text, Texts, group};
use cpitop::store::{MessageStore, MplBatch, StoreLimits};

const N: usize = 100_000;
const IFLOWS: usize = 40;
/// One failure every 36 ms: 100k span one hour.
const STEP_MS: i64 = 36;

/// A 28-character message id, unique per `i`.
fn guid(i: usize) -> String {
    format!("AGm{i:025}")
}

/// A store of `total` messages, one hour, of which every `total / N`-th is FAILED (message `i`
/// has id `guid(i)` and iFlow `Flow_{i % 40}`), the rest COMPLETED; merged page by page as the
/// MPL fetcher does.
fn store_with(total: usize) -> MessageStore {
    let every = total / N;
    let step = (N as i64 * STEP_MS) / total as i64;
    let mut store = MessageStore::new(StoreLimits::default());
    let mut failed = 0usize;
    let mut page = String::new();
    for start in (0..total).step_by(1000) {
        page.clear();
        page.push_str("{\"d\":{\"results\":[");
        for k in start..(start + 1000).min(total) {
            if k > start {
                page.push(',');
            }
            let end = k as i64 * step.max(1);
            let (id, iflow, status) = if k % every == 0 {
                failed += 1;
                (guid(failed - 1), (failed - 1) % IFLOWS, "FAILED")
            } else {
                (format!("AGok{k:024}"), k % IFLOWS, "COMPLETED")
            };
            page.push_str(&format!(
                "{{\"MessageGuid\":\"{id}\",\"LogStart\":\"/Date({})/\",\"LogEnd\":\"/Date({end})/\",\
\"IntegrationFlowName\":\"Flow_{iflow:02}\",\"Status\":\"{status}\",\"CustomStatus\":\"{status}\"}}",
                end - 5
            ));
        }
        page.push_str("]}}");
        store.merge(MplBatch::decode(page.as_bytes()).expect("generated page decodes"));
    }
    assert_eq!(store.len(), total, "the store holds every message");
    store
}

/// CPU time of this process so far (user + system, every thread), ms: what a grouping costs
/// whatever else the shared machine runs meanwhile (its wall time depends on that).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let field = |i: usize| {
        after
            .split_whitespace()
            .nth(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, fields 14 and 15 of the line (12 and 13 after the command), in ticks of
    // 10 ms (USER_HZ is 100 on Linux).
    (field(11) + field(12)) * 10.0
}

/// Wall and CPU time per run of `f`, over `runs` runs, ms.
fn per_run(runs: u32, mut f: impl FnMut()) -> (f64, f64) {
    let (cpu, wall) = (cpu_ms(), std::time::Instant::now());
    for _ in 0..runs {
        f();
    }
    (
        wall.elapsed().as_secs_f64() * 1e3 / f64::from(runs),
        (cpu_ms() - cpu) / f64::from(runs),
    )
}

/// Whether benchmarks of `group` were asked for: the stores of `app_path` take seconds to build,
/// so they are built only when the filter given on the command line (if any) may select them.
fn selected(group: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err())
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .any(|f| f.contains(group) || group.contains(f.as_str()))
}

fn bench(c: &mut Criterion) {
    let texts = error_texts(N);
    let ids: Vec<String> = (0..N).map(guid).collect();
    let iflows: Vec<String> = (0..IFLOWS).map(|i| format!("Flow_{i:02}")).collect();
    let failures: Vec<Failure> = (0..N)
        .map(|i| Failure {
            message_id: &ids[i],
            iflow: &iflows[i % iflows.len()],
            status: "FAILED",
            at_ms: i as i64 * STEP_MS,
            error: ErrorText::Known {
                text: &texts[i],
                error_type: None,
            },
        })
        .collect();
    let opts = GroupOptions {
        per_iflow: false,
        from_ms: 0,
        to_ms: N as i64 * STEP_MS,
        buckets: 24,
    };
    let signer = Signer::default();
    let seen = SeenSignatures::default();
    let started = std::time::Instant::now();
    let groups = group(&failures, &signer, &seen, &opts);
    let heads: Vec<&str> = texts.iter().map(|t| head(t)).collect();
    let distinct: std::collections::HashSet<&str> = heads.iter().copied().collect();
    let templates: Vec<String> = heads.iter().map(|h| normalise(h)).collect();
    let distinct_templates: std::collections::HashSet<&str> = templates.iter().map(String::as_str).collect();
    eprintln!(
        "{N} failures ({} distinct texts, {} distinct templates) → {} groups, first run {:?}",
        distinct.len(),
        distinct_templates.len(),
        groups.len(),
        started.elapsed()
    );
    let (wall, cpu) = per_run(20, || {
        black_box(group(&failures, &signer, &seen, &opts));
    });
    eprintln!("group: {wall:.1} ms wall, {cpu:.1} ms CPU (both threads) per run, mean of 20");
    let mut g = c.benchmark_group("signature");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("group_100k_failures", |b| {
        b.iter(|| black_box(group(black_box(&failures), &signer, &seen, &opts)))
    });
    g.bench_function("sign_one_text", |b| {
        b.iter(|| black_box(signer.sign(black_box(&texts[0]), None)))
    });
    g.finish();

    // The stages on one thread.
    let mut g = c.benchmark_group("parts");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("head_100k", |b| {
        b.iter(|| black_box(&texts).iter().map(|t| head(t).len()).sum::<usize>())
    });
    g.bench_function("normalise_100k_one_thread", |b| {
        b.iter(|| {
            black_box(&heads)
                .iter()
                .map(|h| normalise(h).len())
                .sum::<usize>()
        })
    });
    let mut mine_input: Vec<&str> = distinct_templates.iter().copied().collect();
    mine_input.sort_unstable();
    g.bench_function("mine_distinct_templates", |b| {
        b.iter(|| black_box(mine(black_box(&mine_input))))
    });
    g.finish();

    if !selected("app_path") && !selected("input_path") {
        return;
    }
    // The app's path: the store → rows → texts by id → group, on the blocking thread.
    let mut text_map = Texts::with_capacity(N);
    for (id, t) in ids.iter().zip(&texts) {
        text_map.insert(id.clone(), Text::of(Some(t)));
    }
    let text_map = Arc::new(text_map);
    let job = |store: MessageStore| GroupJob {
        id: 1,
        store: Arc::new(store),
        texts: Arc::clone(&text_map),
        signer: Arc::new(Signer::default()),
        seen: Arc::new(SeenSignatures::default()),
        custom_statuses: Vec::new(),
        opts: GroupOptions {
            per_iflow: false,
            from_ms: 0,
            to_ms: N as i64 * STEP_MS,
            buckets: cpitop::panes::errors::state::TREND_BUCKETS,
        },
    };
    let small = job(store_with(N));
    let grouped = run_group(&small);
    assert_eq!(grouped.rows.len(), N);
    assert!(grouped.unread.is_empty(), "every text is known");
    assert_eq!(
        grouped
            .groups
            .iter()
            .map(|g| g.template.as_str())
            .collect::<Vec<_>>(),
        groups.iter().map(|g| g.template.as_str()).collect::<Vec<_>>(),
        "the app's path groups as `group` does"
    );
    let (wall, cpu) = per_run(20, || {
        black_box(run_group(&small));
    });
    eprintln!("run_group, 100k of 100k: {wall:.1} ms wall, {cpu:.1} ms CPU per run, mean of 20");
    let mut g = c.benchmark_group("app_path");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("run_group_100k_failed_of_100k", |b| {
        b.iter(|| black_box(run_group(black_box(&small))))
    });
    drop(small);
    let large = job(store_with(10 * N));
    assert_eq!(run_group(&large).rows.len(), N);
    g.bench_function("run_group_100k_failed_of_1M", |b| {
        b.iter(|| black_box(run_group(black_box(&large))))
    });
    g.finish();
    drop(large);

    // The input path: the pane takes the answer (the previous one is dropped there too).
    let cx = CellCx {
        now: N as i64 * STEP_MS,
        time: TimeFmt::default(),
    };
    let mut pane = Errors::new(Settings::default(), false, SeenSignatures::default());
    let mut stamp = pane.stamp(0, 0, N as i64 * STEP_MS);
    let mut g = c.benchmark_group("input_path");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("pane_takes_grouping_100k", |b| {
        b.iter_batched(
            || grouped.clone(),
            |answer| {
                // A new stamp each time: the pane starts one grouping at a time.
                stamp.store += 1;
                let id = pane.want_grouping(stamp).expect("no grouping runs");
                assert!(pane.grouped(id, answer, 0, cx.now, &cx));
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
