//! One test harness: every integration test is a module of this binary, so the crate and the
//! shared support are compiled and linked once (41 separate binaries took ~3 GB of disk and most
//! of CI's build time). `tests/security_files.rs` stays a binary of its own because it changes the
//! process-wide umask.
// Tests may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// Shared support, compiled once for every module below.
mod client_support;
#[path = "common/fsx.rs"]
mod fsx;
#[path = "common/hook.rs"]
mod hook;
#[path = "common/pty.rs"]
mod pty;
mod serve_util;
mod sim_util;
#[path = "common/svg.rs"]
mod svg;
mod tui_support;

mod actions_sim;
mod architecture;
mod cli_shell;
mod client_canned;
mod client_mpl_keyset;
mod client_sim;
mod client_sim_mpl;
mod config_cache;
mod config_check_sim;
mod config_cli;
mod config_load;
mod config_monitors;
mod config_no_leak;
mod config_secrets;
mod config_session;
mod config_ui;
mod e2e_oncall;
mod e2e_tui;
mod errors_sim;
mod get_cli;
mod get_keystore;
mod get_limit;
mod get_schema;
mod grammar;
mod headless_sim;
mod monitor_headless;
mod monitor_notify;
mod monitor_scenario;
mod monitor_spec;
mod monitor_state;
mod monitor_webhook;
mod real_artifacts;
mod real_checks;
mod real_links;
mod real_messages;
mod real_navs;
mod real_queues;
mod scale_steady_state;
mod screenshots;
mod security_net;
mod security_term;
mod serve_auth;
mod serve_errors;
mod serve_events;
mod serve_otlp;
mod serve_prometheus;
mod sim_api;
mod sim_auth_faults;
mod sim_cli;
mod sim_live;
mod sim_scale;
mod sim_writes;
mod tenants_cli;
mod tenants_sim;
mod tui_actions;
mod tui_alerts;
mod tui_alerts_io;
mod tui_alerts_sim;
mod tui_cache;
mod tui_cache_files;
mod tui_ctx_sim;
mod tui_errors;
mod tui_ext;
mod tui_filter_off_path;
mod tui_keystore;
mod tui_oncall;
mod tui_snapshots;
mod tui_tenants;
mod tui_update;
mod tui_views_more;
