//! Store benchmarks (issue 7): decode throughput, merge, filter and sort at 1,000,000 messages,
//! and the row access of one 60-row frame. `cargo bench --bench store`.
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use cpitop::kit::format::TimeFmt;
use cpitop::kit::table::{CellCx, Table};
use cpitop::panes::messages::Messages;
use cpitop::store::testgen::MplPageGen;
use cpitop::store::{
    MessageStore, MessageView, MplBatch, Query, RowId, SortColumn, SortKey, StoreLimits, filter_rows,
    sort_rows,
};

const MILLION: usize = 1_000_000;

fn pages(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut g = MplPageGen::new(seed, 1_763_000_000_000);
    g.update_per_mille = 20;
    (0..n).map(|_| g.page(1000)).collect()
}

/// A 1M-message store and its rows newest first (built once per process).
fn big() -> &'static (MessageStore, Vec<RowId>) {
    static BIG: OnceLock<(MessageStore, Vec<RowId>)> = OnceLock::new();
    BIG.get_or_init(|| {
        let mut g = MplPageGen::new(7, 1_763_000_000_000);
        g.update_per_mille = 20;
        let mut store = MessageStore::new(StoreLimits {
            max_messages: None,
            max_age: None,
        });
        while store.len() < MILLION {
            let page = g.page(1000.min(MILLION - store.len()));
            store.merge(MplBatch::decode(&page).expect("decodes"));
        }
        let mut order: Vec<RowId> = (0..store.len() as RowId).collect();
        sort_rows(&store, &mut order, SortKey::default());
        (store, order)
    })
}

fn decode(c: &mut Criterion) {
    let pages = pages(8, 1);
    let mut grp = c.benchmark_group("decode");
    grp.throughput(Throughput::Elements(1000));
    grp.bench_function("page_1000_rows_one_core", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % pages.len();
            black_box(MplBatch::decode(&pages[i]).expect("decodes"))
        })
    });
    grp.throughput(Throughput::Elements(8000));
    grp.bench_function("8_pages_both_cores", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let (a, bb) = pages.split_at(4);
                let h = s.spawn(|| {
                    a.iter()
                        .map(|p| MplBatch::decode(p).expect("decodes").len())
                        .sum::<usize>()
                });
                let n: usize = bb
                    .iter()
                    .map(|p| MplBatch::decode(p).expect("decodes").len())
                    .sum();
                black_box(n + h.join().unwrap_or(0))
            })
        })
    });
    grp.finish();
}

fn merge(c: &mut Criterion) {
    let batches: Vec<MplBatch> = pages(100, 2)
        .iter()
        .map(|p| MplBatch::decode(p).expect("decodes"))
        .collect();
    let mut grp = c.benchmark_group("merge");
    grp.sample_size(10).throughput(Throughput::Elements(100_000));
    grp.bench_function("100k_into_empty_store", |b| {
        b.iter_batched(
            || batches.clone(),
            |bs| {
                let mut s = MessageStore::new(StoreLimits {
                    max_messages: None,
                    max_age: None,
                });
                for batch in bs {
                    s.merge(batch);
                }
                black_box(s.len())
            },
            BatchSize::LargeInput,
        )
    });
    grp.finish();
}

fn filter(c: &mut Criterion) {
    let (store, order) = big();
    let mut grp = c.benchmark_group("filter_1M");
    grp.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let q = |t: &str| Query {
        text: t.into(),
        ..Query::default()
    };
    for first in ["a", "o", "7", "x"] {
        grp.bench_function(format!("first_keystroke_{first}"), |b| {
            b.iter(|| black_box(filter_rows(store, order, &q(first)).len()))
        });
    }
    for text in ["x", "agk"] {
        grp.bench_function(format!("decide_only_{text}"), |b| {
            b.iter(|| black_box(cpitop::store::decide_probe(store, text)))
        });
    }
    // Typing "order" / a guid prefix: each refinement filters the previous result.
    for (prev, next) in [("o", "or"), ("or", "ord"), ("s4", "s4h"), ("ag", "agk")] {
        let prev_rows = filter_rows(store, order, &q(prev));
        eprintln!(
            "refine {prev:?} -> {next:?}: {} candidates, {} results",
            prev_rows.len(),
            filter_rows(store, &prev_rows, &q(next)).len()
        );
        grp.bench_function(format!("refine_{prev}_to_{next}"), |b| {
            b.iter(|| black_box(filter_rows(store, &prev_rows, &q(next)).len()))
        });
    }
    // The filter language (issue 14): several words, a negation, a regular expression. A single
    // word (above) takes the same path as before.
    for (name, text) in [
        ("two_words", "orders failed"),
        ("negation", "!completed"),
        ("word_and_negation", "o !completed"),
        ("regex", "~^ord.*d$"),
        ("negated_regex", "!~^s4"),
    ] {
        eprintln!(
            "grammar {text:?}: {} results",
            filter_rows(store, order, &q(text)).len()
        );
        grp.bench_function(format!("grammar_{name}"), |b| {
            b.iter(|| black_box(filter_rows(store, order, &q(text)).len()))
        });
    }
    let failed = Query {
        statuses: cpitop::store::StatusSet::of(&[cpitop::cpi::model::MplStatus::Failed]),
        ..Query::default()
    };
    grp.bench_function("status_failed_only", |b| {
        b.iter(|| black_box(filter_rows(store, order, &failed).len()))
    });
    grp.bench_function("view_set_query_full_pass_a", |b| {
        let mut v = MessageView::new(SortKey::default(), Query::default());
        v.refresh(store);
        let mut flip = false;
        b.iter(|| {
            // Alternate between two unrelated texts: never a refinement.
            flip = !flip;
            v.set_query(store, q(if flip { "a" } else { "e" }));
            black_box(v.len())
        })
    });
    grp.finish();
}

/// A keystroke in the Messages pane as the app handles it: the view's filter pass plus the pane's
/// own work (table row list, selection kept on its message, FAILED count).
fn pane(c: &mut Criterion) {
    let (store, _) = big();
    let mut pane = Messages::default();
    pane.store = std::sync::Arc::new(store.clone());
    let cx = CellCx {
        now: 1_763_000_000_000,
        time: TimeFmt::default(),
    };
    pane.rebuild(&cx);
    let mut grp = c.benchmark_group("pane_1M");
    grp.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    // The filter pass as the pane would run it at once (what now runs on a blocking thread).
    pane.background_filter_min = usize::MAX;
    grp.bench_function("keystroke_full_pass", |b| {
        let mut flip = false;
        b.iter(|| {
            // Alternate between two unrelated texts: never a refinement.
            flip = !flip;
            pane.list.filter = if flip { "a" } else { "e" }.into();
            pane.rebuild(&cx);
            black_box(pane.list.view.len())
        })
    });
    // A keystroke as the pane handles it at 1M: it asks for a filter (off the input path) and
    // keeps the rows shown. No filter is running before it (the costlier case: the task is made).
    pane.background_filter_min = 100_000;
    pane.list.filter.clear();
    pane.rebuild(&cx);
    grp.bench_function("keystroke_off_path", |b| {
        let mut flip = false;
        b.iter(|| {
            flip = !flip;
            pane.filtering = None;
            pane.list.filter = if flip { "a" } else { "e" }.into();
            pane.rebuild(&cx);
            black_box(pane.take_filter_request().map(|(j, ..)| j.id))
        })
    });
    // The answer of a background filter applied: the rows installed in the view and the table
    // (not on a keystroke's path, but on the loop's).
    let task = |text: &str, pane: &mut Messages| {
        pane.filtering = None;
        pane.list.filter = text.into();
        pane.rebuild(&cx);
        pane.take_filter_request().expect("a filter")
    };
    grp.bench_function("filter_answer_applied_a", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                // Untimed: back to every row, then the filter `a` run as the effect runs it.
                pane.list.filter.clear();
                pane.filtering = None;
                pane.background_filter_min = usize::MAX;
                pane.rebuild(&cx);
                pane.background_filter_min = 100_000;
                let (job, task, store) = task("a", &mut pane);
                let done = task.run(&store);
                drop(store);
                let t = std::time::Instant::now();
                pane.filtered(job.id, done, &cx);
                black_box(pane.list.view.len());
                spent += t.elapsed();
            }
            spent
        })
    });
    grp.finish();
}

fn sort(c: &mut Criterion) {
    let (store, _) = big();
    let mut grp = c.benchmark_group("sort_1M");
    grp.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let all: Vec<RowId> = (0..store.len() as RowId).collect();
    for (name, column) in [
        ("time", SortColumn::Time),
        ("duration", SortColumn::Duration),
        ("status", SortColumn::Status),
        ("sender_dict", SortColumn::Sender),
        ("receiver_dict", SortColumn::Receiver),
        ("iflow_id", SortColumn::IflowId),
        ("iflow_name", SortColumn::IflowName),
        ("guid_id", SortColumn::MessageGuid),
        ("app_id", SortColumn::AppMessageId),
    ] {
        grp.bench_function(name, |b| {
            b.iter_batched(
                || all.clone(),
                |mut rows| {
                    sort_rows(
                        store,
                        &mut rows,
                        SortKey {
                            column,
                            descending: false,
                        },
                    );
                    black_box(rows.len())
                },
                BatchSize::LargeInput,
            )
        });
    }
    grp.finish();
}

fn frame(c: &mut Criterion) {
    let (store, _) = big();
    let mut v = MessageView::new(SortKey::default(), Query::default());
    v.refresh(store);
    c.bench_function("view_frame_60_rows_1M", |b| {
        let mut top = 0usize;
        b.iter(|| {
            top = (top + 977) % (v.len() - 60);
            let mut n = 0usize;
            for i in top..top + 60 {
                if let Some(r) = v.get(i) {
                    let m = store.row(r);
                    n += m.guid.len() + m.iflow_name.len() + m.sender.len() + m.status.as_str().len();
                }
            }
            black_box(n)
        })
    });
}

criterion_group!(benches, decode, merge, filter, pane, sort, frame);
criterion_main!(benches);
