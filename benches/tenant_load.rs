//! Tenant load of the TUI in steady state (issue 7): requests per minute its pollers cause with
//! the Messages pane open on a 24 h window in live mode, against the simulated tenant writing
//! 35 messages/s (≈3 M a day), and whether the deltas re-download messages the TUI holds.
//! The real `State`/`update` and `Pollers` with the client's default limits and options (see
//! `cpitop::loadbench::tenant`). Three runs: the default (a check of the overlap by id every
//! 10 s, late messages fetched by id), a check with every refresh, and the former design
//! without a check (every delta re-reads the 10 s overlap in full rows).
//!
//! `cargo bench --bench tenant_load [-- --secs 20 --rate 35 --history 100000]`
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cpitop::cpi::{CpiClient, MplLoadOptions};
use cpitop::loadbench::tenant::steady_state;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another bench skips this one.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && a.parse::<f64>().is_err() && !"tenant_load".contains(a.as_str()))
    {
        return;
    }
    let secs = arg("--secs", 20.0);
    let rate = arg("--rate", 35.0);
    let history = arg("--history", 100_000.0) as u64;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
            seed: 21,
            message_rate: rate,
            history: Duration::from_secs(24 * 3600),
            history_messages: Some(history),
            ..cpitop::sim::SimConfig::default()
        })
        .await
        .expect("sim");
        let admin = sim.admin();
        // Live messages start with the sim; its history is spread thinly over the day. Two
        // minutes of live traffic at once make the recent past (what a delta's overlap re-reads)
        // as dense as steady state, without waiting for it.
        admin.advance_clock(Duration::from_secs(120));
        let modes: [(&str, MplLoadOptions); 3] = [
            ("default: check every 10 s", MplLoadOptions::default()),
            (
                "check every refresh",
                MplLoadOptions {
                    check_every: Duration::ZERO,
                    ..MplLoadOptions::default()
                },
            ),
            (
                "no check, overlap re-read",
                MplLoadOptions {
                    overlap_check: false,
                    ..MplLoadOptions::default()
                },
            ),
        ];
        for (mode, opts) in modes {
            let client = CpiClient::with_options(sim.demo_conn("bench"), opts).expect("client");
            let r = steady_state(
                client,
                &admin,
                24 * 3_600_000,
                true,
                Duration::from_secs(300),
                Duration::from_secs_f64(secs),
            )
            .await
            .expect("steady state");
            let all_lean = r
                .mpl_requests
                .iter()
                .all(|u| u.contains("$select=") && u.contains("$top=1000"));
            let max_per_refresh = r.requests_per_refresh.iter().max().copied().unwrap_or(0);
            let per_refresh = r.rows as f64 / f64::from(r.refreshes.max(1));
            println!(
                "tenant_load: {mode}: first load {} rows in {} requests, {:.1} s; \
                 steady state {:.0} s, {} refreshes (live, every 3 s)",
                r.initial_rows,
                r.initial_requests,
                r.initial.as_secs_f64(),
                r.observed.as_secs_f64(),
                r.refreshes
            );
            println!(
                "tenant_load: {mode}: {:.1} requests/minute (tenant-side count), \
                 client header shows {}/min; requests per refresh max {max_per_refresh} \
                 {:?}; all {} MPL requests with $select and $top=1000: {all_lean}",
                r.requests_per_minute(),
                r.client_requests_per_minute,
                r.requests_per_refresh,
                r.mpl_requests.len()
            );
            println!(
                "tenant_load: {mode}: rows per refresh {per_refresh:.0}: new {}, changed {}, \
                 re-downloaded unchanged {} ({:.0}% of rows); {} messages held; {:.0} KB/minute",
                r.inserted,
                r.updated,
                r.unchanged,
                100.0 * r.unchanged as f64 / r.rows.max(1) as f64,
                r.held,
                r.bytes_per_minute() / 1024.0
            );
        }
        drop(sim);
    });
}
