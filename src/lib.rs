//! cpitop: a terminal UI for operating SAP Cloud Integration tenants.
//!
//! Module boundaries (kept as strict as crate boundaries):
//! - `cpi`: the async client and wire models; no ratatui/crossterm.
//! - `sim`: the simulated tenant (HTTP server on loopback).
//! - `store`: the compact in-memory message store (columnar, dictionary-coded).
//! - `config`: configuration, XDG paths, secrets, cache.
//! - `app`: state, `update`, effects and pollers; testable without a terminal.
//! - `ui`: views rendering `&State`.
//! - `serve`: `cpitop serve`, the headless fleet monitor (Prometheus, OTLP, live events).
//! - `sanitize`: tenant text made safe for terminals and files (control and bidi characters).
pub mod app;
pub mod cli;
pub mod config;
pub mod cpi;
pub mod crash;
pub mod get;
pub mod grammar;
pub mod headless;
pub mod kit;
pub mod loadbench;
pub mod monitor;
pub mod resources;
pub mod sanitize;
pub mod secret;
pub mod serve;
pub mod sim;
pub mod store;
pub mod tui;
pub mod ui;

/// Entry point behind `main`: dispatch the parsed command line.
pub fn run(cli: cli::Cli) -> color_eyre::Result<()> {
    match cli.command {
        None => match cli.seed {
            Some(seed) => tui::launch::launch_demo(&cli.global, seed),
            None => tui::launch::launch(&cli.global),
        },
        Some(cli::Command::Config(args)) => config::cli::run_config(&cli.global, args),
        Some(cli::Command::Info) => config::cli::run_info(&cli.global),
        Some(cli::Command::Cache(args)) => config::cli::run_cache(&cli.global, args),
        Some(cli::Command::Sim(args)) => sim::run_cli(args),
        Some(cli::Command::Check(args)) => std::process::exit(headless::run_check(&cli.global, &args)),
        Some(cli::Command::Watch(args)) => headless::run_watch(&cli.global, &args),
        Some(cli::Command::Get(args)) => std::process::exit(get::run_get(&cli.global, &args)),
        Some(cli::Command::Serve(args)) => std::process::exit(serve::run_serve(&cli.global, &args)),
        Some(cli::Command::LoadBench(args)) => loadbench::run_cli(args),
    }
}
