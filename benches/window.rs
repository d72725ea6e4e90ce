//! A window change on the demo tenant (issue 14, item 4: the newest rows of the new window on
//! screen ≤ 500 ms after the key): `w` on the Messages pane of the simulated tenant `--demo`
//! starts (seed 1, its default client limits), the real `State`/`update`/`Pollers`, a frame
//! drawn on a 160x45 `TestBackend` after every update (see `cpitop::loadbench::window`). Each
//! round cycles the windows once (1h → 4h → 24h → 15m → 1h), first pressing `w` after each
//! load has finished, then during the load (as soon as the previous change's rows are drawn).
//!
//! `cargo bench --bench window [-- --rounds 5]`
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use cpitop::cpi::CpiClient;
use cpitop::kit::widgets::theme::{ColorLevel, Theme};
use cpitop::loadbench::median;
use cpitop::loadbench::window::window_changes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another bench skips this one.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && a.parse::<f64>().is_err() && !"window".contains(a.as_str()))
    {
        return;
    }
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let theme = Theme::new(ColorLevel::Full);
    let mut term = Terminal::new(TestBackend::new(160, 45)).unwrap();
    let mut draw = |s: &cpitop::app::State| {
        term.draw(|f| cpitop::app::frame::render(f, s, &theme)).unwrap();
    };
    // (during the load, change) → times in ms
    let mut times: BTreeMap<(bool, String), Vec<f64>> = BTreeMap::new();
    rt.block_on(async {
        for during_load in [false, true] {
            for round in 0..rounds {
                // A fresh demo tenant each round, as `cpitop --demo --seed 1` starts it.
                let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
                    seed: 1,
                    ..cpitop::sim::SimConfig::default()
                })
                .await
                .expect("sim");
                let client = CpiClient::new(sim.demo_conn("demo")).expect("client");
                let changes = window_changes(client, 4, during_load, Duration::from_secs(300), &mut draw)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: {e}"));
                for c in changes {
                    println!(
                        "window: round {round} {} {}: {} rows kept on screen at once, newest rows of the new window drawn after {:.0} ms",
                        c.what,
                        if c.during_load { "during the load" } else { "after the load" },
                        c.kept,
                        c.newest.as_secs_f64() * 1000.0
                    );
                    times
                        .entry((c.during_load, c.what))
                        .or_default()
                        .push(c.newest.as_secs_f64() * 1000.0);
                }
            }
        }
    });
    for ((during, what), ms) in times {
        let n = ms.len();
        let max = ms.iter().copied().fold(0.0, f64::max);
        println!(
            "window: {what} {}: median {:.0} ms, max {max:.0} ms over {n}",
            if during {
                "during the load"
            } else {
                "after the load"
            },
            median(ms)
        );
    }
}
