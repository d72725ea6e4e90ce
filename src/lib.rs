//! cpitop: a terminal UI for operating SAP Cloud Integration tenants.
//!
//! Module boundaries (kept as strict as crate boundaries; `tests/it/architecture.rs` checks the
//! layering top-down and that no two files import each other in a circle):
//! - Entry points: `cli`/`args` (the command line), `shell` (completion scripts, the man page),
//!   `tui` (the I/O shell of the terminal UI: event loop, effect runner, pollers, files), `get`,
//!   `headless` (`check`/`watch`), `serve` (the headless fleet monitor: Prometheus, OTLP, live
//!   events), `loadbench`.
//! - `app`: the root of the state code, the only place that knows every pane: `State`, `update`
//!   (pure: messages in, effects out), keys and commands, applying the panes' replies and
//!   intents, the frame.
//! - `panes`: one folder per pane (state and keys, documents, view, `get` face) behind one
//!   contract (`panes::pane`); no pane imports another.
//! - `features`: what several panes use (guarded writes, the offline cache's forms, the `:ctx`
//!   list).
//! - `resources`: one fetcher per CPI resource, shared by the TUI, the monitors, `check`/`watch`,
//!   `get` and the load bench; failures carry the client's typed error.
//! - `kit`: pane-agnostic parts (tables, formats, documents, keymap, navigation, widgets).
//! - The domain: `cpi` (the async client and wire models; no ratatui/crossterm), `store` (the
//!   compact message store), `monitor` (alert rules), `landscape` (several tenants compared:
//!   landscapes and the version drift between their tenants), `config` (configuration, XDG paths,
//!   secrets, cache), `sim` (the simulated tenant), `grammar` (durations and statuses as people
//!   type them), `signature` (error texts grouped by versioned signature), `sanitize` (tenant
//!   text made safe for terminals and files; the one-line error report of every command),
//!   `secret`, `crash`.
pub mod app;
pub mod args;
pub mod cli;
pub mod config;
pub mod cpi;
pub mod crash;
pub mod features;
pub mod get;
pub mod grammar;
pub mod headless;
pub mod kit;
pub mod landscape;
pub mod loadbench;
pub mod monitor;
pub mod panes;
pub mod resources;
pub mod sanitize;
pub mod secret;
pub mod serve;
pub mod shell;
pub mod signature;
pub mod sim;
pub mod store;
pub mod tui;

/// Entry point behind `main`: dispatch the parsed command line.
pub fn run(cli: cli::Cli) -> color_eyre::Result<()> {
    match cli.command {
        None => tui::launch::launch(&cli.global),
        Some(cli::Command::Config(args)) => config::cli::run_config(&cli.global, args, &|c| {
            // The TUI's sections, and the colour depth this terminal gets.
            let mut checked = app::ui_config::check(c);
            let depth = kit::widgets::theme::ColorLevel::detect().describe();
            checked.summary.push_str(&format!("; colours here: {depth}"));
            checked
        }),
        Some(cli::Command::Info) => config::cli::run_info(&cli.global),
        Some(cli::Command::Cache(args)) => config::cli::run_cache(&cli.global, args),
        Some(cli::Command::Sim(mut args)) => {
            args.seed = cli.global.demo_seed();
            sim::run_cli(args)
        }
        Some(cli::Command::Check(args)) => std::process::exit(headless::run_check(&cli.global, &args)),
        Some(cli::Command::Watch(args)) => headless::run_watch(&cli.global, &args),
        Some(cli::Command::Get(args)) => std::process::exit(get::run_get(&cli.global, &args)),
        Some(cli::Command::Serve(args)) => std::process::exit(serve::run_serve(&cli.global, &args)),
        Some(cli::Command::Completions(args)) => shell::run_completions(&args),
        Some(cli::Command::Man(args)) => shell::run_man(&args),
        Some(cli::Command::LoadBench(args)) => loadbench::run_cli(args),
    }
}
