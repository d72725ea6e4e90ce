//! Resident memory of the message store at 1,000,000 messages (issue 7: ≤160 bytes/message, peak
//! RSS of the whole process). Builds the store the way the app does — page by page from generated
//! wire-shaped MPL pages (1000 rows each), decoded into batches and merged — and prints peak RSS
//! (`VmHWM`) of the whole process and above the baseline taken before the first page.
//!
//! Then hands the store to the Messages pane and builds its table the way the app does on the
//! first frame (sorted newest first, the view's rows, the table's row list) and filters it once,
//! and prints the peak again: the figure for the whole app holding the messages on screen.
//!
//! `cargo bench --bench store_memory` (optionally `-- <messages>`).
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cpitop::kit::format::TimeFmt;
use cpitop::kit::table::{CellCx, Table};
use cpitop::panes::messages::Messages;
use cpitop::store::testgen::MplPageGen;
use cpitop::store::{MessageStore, MplBatch, StoreLimits};

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut g = MplPageGen::new(42, 1_763_000_000_000);
    g.update_per_mille = 20;
    let mut store = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: None,
    });
    // Baseline: the process with the generator and one page decoded (code, allocator, buffers).
    let first = g.page(1000);
    let batch = MplBatch::decode(&first).expect("generated page decodes");
    drop(first);
    let base_kib = status_kib("VmHWM:").unwrap_or(0);
    store.merge(batch);
    let t = std::time::Instant::now();
    let mut pages = 1usize;
    while store.len() < n {
        let page = g.page(1000.min(n - store.len()).max(1));
        let batch = MplBatch::decode(&page).expect("generated page decodes");
        drop(page);
        store.merge(batch);
        pages += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    let hwm_kib = status_kib("VmHWM:").unwrap_or(0);
    let rss_kib = status_kib("VmRSS:").unwrap_or(0);
    let held = store.len();
    let total_b = hwm_kib as f64 * 1024.0 / held as f64;
    let above_b = hwm_kib.saturating_sub(base_kib) as f64 * 1024.0 / held as f64;
    println!(
        "store_memory: {held} messages from {pages} pages in {secs:.2} s (generate+decode+merge), heap held by the store {:.1} MiB ({:.1} bytes/message)",
        store.heap_bytes() as f64 / 1048576.0,
        store.heap_bytes() as f64 / held as f64
    );
    println!(
        "store_memory: baseline peak RSS {:.1} MiB, final RSS {:.1} MiB",
        base_kib as f64 / 1024.0,
        rss_kib as f64 / 1024.0
    );
    println!(
        "store_memory: {held} messages, peak RSS {:.1} MiB, {total_b:.1} bytes/message (whole process); {:.1} MiB, {above_b:.1} bytes/message above baseline",
        hwm_kib as f64 / 1024.0,
        hwm_kib.saturating_sub(base_kib) as f64 / 1024.0
    );

    let store_heap = store.heap_bytes();
    let mut pane = Messages::default();
    pane.store = std::sync::Arc::new(store);
    let cx = CellCx {
        now: 1_763_000_000_000,
        time: TimeFmt::default(),
    };
    pane.rebuild(&cx);
    pane.list.filter = "ord".into();
    pane.rebuild(&cx);
    let shown = pane.list.view.len();
    let hwm_kib = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "store_memory: with the Messages pane built (sorted view, table rows; {shown} shown after a filter): peak RSS {:.1} MiB, {:.1} bytes/message (whole process); store heap {:.1} bytes/message",
        hwm_kib as f64 / 1024.0,
        hwm_kib as f64 * 1024.0 / held as f64,
        store_heap as f64 / held as f64
    );
}
