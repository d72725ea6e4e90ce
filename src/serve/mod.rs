//! `cpitop serve`: a headless fleet monitor. Per served tenant it runs the pollers (artifacts,
//! message deltas, queues with the broker, keystore), groups the held window's failed messages by
//! error signature (as `watch` does) and runs the alert monitors with the same client, budgets and
//! state dir as the TUI, and feeds what they hold to
//! - `GET /metrics` (OpenMetrics for Prometheus; [`metrics`]),
//! - OTLP/HTTP pushes of the same metrics and of failed messages as log records ([`otlp`]),
//! - `GET /events`, the live events of `cpitop watch` over WebSocket or SSE ([`events`], [`http`]),
//!
//! and answers `GET /healthz` and `GET /readyz`. One poller per tenant and resource however many
//! consumers there are; scrapes, pushes and event clients never call a tenant.
//!
//! - [`config`]: `[serve]` typed and validated; [`state`]: what the pollers hold;
//!   [`tenant`]: one tenant's pollers and monitor evaluator.

pub mod events;
pub mod http;
pub mod metrics;
pub mod otlp;
pub mod state;
pub mod tenant;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::args::GlobalArgs;
use crate::config::{Config, ErrorsConfig, Paths};
use crate::cpi::CpiClient;
use crate::monitor::MonitorsConfig;
use crate::monitor::notify::{NotifierInput, spawn_notifier};
use crate::sanitize::one_line;
use crate::secret::Secret;

pub use crate::config::serve::{ServeConfig, typed_serve};
pub use events::Hub;
pub use metrics::{Fleet, ProcessStats};
pub use state::TenantState;
pub use tenant::TenantSetup;

/// `cpitop serve`
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: `[serve] listen`, else 127.0.0.1:9464]. A non-loopback
    /// address needs a bearer token (`[serve] token_env` or `token_command`).
    #[arg(long, value_name = "ADDR", value_parser = crate::config::serve::parse_listen)]
    pub listen: Option<SocketAddr>,
    /// Tenants to serve, besides `--tenant NAME` [default: every configured tenant]. Split a
    /// large fleet over several `serve` processes by naming their tenants.
    #[arg(value_name = "TENANT")]
    pub tenants: Vec<String>,
}

/// Everything one `serve` runs with.
pub struct ServeSetup {
    pub tenants: Vec<TenantSetup>,
    pub config: ServeConfig,
    /// The resolved bearer token (required for a non-loopback `listen`).
    pub token: Option<Secret>,
    /// The resolved OTLP header values, in `config.otlp.headers` order.
    pub otlp_headers: Vec<(String, Secret)>,
    pub monitors: MonitorsConfig,
    /// `[errors]`: how failed messages are grouped by error signature and how many error texts
    /// are read per minute (per tenant).
    pub errors: ErrorsConfig,
    /// Monitor state, history, artifact tracker, tenant health, error signatures seen (`None`:
    /// in memory, `--demo`).
    pub state_dir: Option<PathBuf>,
    /// Deliver `[monitors.notify]` notifications (webhooks, commands), as `watch` does (only
    /// started when a target is configured; at a stop what is due is still sent, within one
    /// group window).
    pub notify: bool,
    /// How far back newly failed messages are looked for.
    pub failure_lookback: Duration,
}

/// A running `serve`.
pub struct ServeHandle {
    pub addr: SocketAddr,
    pub fleet: Arc<Fleet>,
    pub hub: Hub,
    pub app: Arc<http::App>,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    notifier: Option<Notifier>,
}

/// The notifier's input, task, stop token and grace period at shutdown.
type Notifier = (
    tokio::sync::mpsc::UnboundedSender<NotifierInput>,
    JoinHandle<()>,
    CancellationToken,
    Duration,
);

/// Whether `addr` may be served without a token.
pub fn loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// The one-line refusal for a non-loopback address without a token.
pub fn refusal(addr: &SocketAddr) -> String {
    format!(
        "refusing to listen on {addr} without a bearer token: a non-loopback address needs \
         [serve] token_env or token_command in the config (or listen on 127.0.0.1)"
    )
}

impl ServeHandle {
    /// Stop everything: pollers, evaluators, connections (WebSocket clients get a Close frame),
    /// the OTLP exporter (one last delivery attempt) and the notifier (what is due is sent).
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let started = std::time::Instant::now();
        for t in self.tasks {
            if tokio::time::timeout(Duration::from_secs(15), t).await.is_err() {
                tracing::warn!("serve: a task did not stop in time");
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "serve: pollers, exporter and server stopped");
        if let Some((tx, handle, stop, grace)) = self.notifier {
            drop(tx);
            let mut handle = handle;
            if tokio::time::timeout(grace, &mut handle).await.is_err() {
                stop.cancel();
                let _ = handle.await;
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "serve: notifier stopped");
    }

    /// Cancelled when the server stops.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// Start serving on the current tokio runtime: bind, spawn every tenant's pollers and monitors,
/// the OTLP exporter and the HTTP server. Refuses a non-loopback `listen` without a token.
pub async fn start(setup: ServeSetup) -> Result<ServeHandle, String> {
    let cfg = &setup.config;
    if !loopback(&cfg.listen) && setup.token.is_none() {
        return Err(refusal(&cfg.listen));
    }
    let mut process = ProcessStats::default();
    if cfg.otlp.is_some() {
        process.otlp = Some(metrics::OtlpStats::default());
    }
    let process = Arc::new(process);
    let tenants: Vec<Arc<TenantState>> = setup
        .tenants
        .iter()
        .map(|t| Arc::new(TenantState::new(&t.name, t.client.clone(), cfg.caps)))
        .collect();
    let fleet = Arc::new(Fleet {
        tenants: tenants.clone(),
        process: process.clone(),
        started_at: crate::resources::now_ms(),
    });
    let hub = Hub::new(cfg.events.queue, process.clone());
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let cancel = CancellationToken::new();
    let mut tasks = Vec::new();

    let otlp = match &cfg.otlp {
        Some(o) => {
            let exporter = Arc::new(otlp::Otlp::new(
                o.clone(),
                setup.otlp_headers.clone(),
                process.clone(),
            )?);
            tasks.extend(exporter.spawn(fleet.clone(), cancel.child_token()));
            Some(exporter)
        }
        None => None,
    };
    // Without a target there is nothing to deliver (and nothing to wait for at shutdown).
    let targets = !setup.monitors.notify.webhooks.is_empty() || !setup.monitors.notify.commands.is_empty();
    let notifier = if setup.notify && targets {
        let stop = CancellationToken::new();
        let (tx, handle) = spawn_notifier(setup.monitors.notify.clone(), None, stop.clone())
            .map_err(|e| format!("notifications cannot start: {e}"))?;
        let grace = setup.monitors.notify.group_window.0 + setup.monitors.notify.timeout.0;
        Some((tx, handle, stop, grace))
    } else {
        None
    };
    let shared = tenant::Shared {
        hub: hub.clone(),
        otlp,
        notify: notifier.as_ref().map(|(tx, ..)| tx.clone()),
        monitors: Arc::new(setup.monitors.clone()),
        errors: Arc::new(setup.errors.clone()),
        max_signatures: cfg.caps.signatures,
        keystore_every: cfg.keystore_interval,
        error_texts_per_round: cfg.error_texts_per_round,
        read_queue_messages: cfg.read_queue_messages.clone(),
        state_dir: setup.state_dir.clone(),
        failure_lookback: setup.failure_lookback,
    };
    for (t, state) in setup.tenants.into_iter().zip(tenants) {
        let name = t.name.clone();
        let handles = tenant::spawn(t, state, shared.clone(), cancel.child_token())
            .map_err(|e| format!("tenant {name}: {e}"))?;
        tasks.extend(handles);
    }
    let app = Arc::new(http::App {
        fleet: fleet.clone(),
        hub: hub.clone(),
        registry: metrics::registry(fleet.clone()),
        token: setup.token,
        events: cfg.events,
        scrapes: AtomicU64::new(0),
    });
    tasks.push(tokio::spawn(http::serve(
        listener,
        app.clone(),
        cancel.child_token(),
    )));
    tracing::info!(%addr, tenants = fleet.tenants.len(), "cpitop serve listening");
    Ok(ServeHandle {
        addr,
        fleet,
        hub,
        app,
        cancel,
        tasks,
        notifier,
    })
}

/// `cpitop serve` from the command line: the exit code (0 after a clean stop on SIGTERM/SIGINT,
/// 2 when it cannot start; the reason is one line on stderr).
pub fn run_serve(global: &GlobalArgs, args: &ServeArgs) -> i32 {
    match serve_command(global, args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cpitop serve: {}", one_line(&e));
            2
        }
    }
}

fn serve_command(global: &GlobalArgs, args: &ServeArgs) -> Result<(), String> {
    let paths = Paths::from_env(global.config.as_deref()).map_err(|e| e.to_string())?;
    let _log =
        crate::config::logging::init(&paths, global.log_level.as_deref()).map_err(|e| e.to_string())?;
    let config = if global.demo {
        Config::load_or_empty(&paths)
    } else {
        Config::load(&paths)
    }
    .map_err(|e| e.to_string())?;
    let mut cfg = typed_serve(&config.serve, config.file.as_deref()).map_err(|e| e.to_string())?;
    if let Some(l) = args.listen {
        cfg.listen = l;
    }
    // Refuse before anything is resolved or started.
    if !loopback(&cfg.listen) && cfg.token.is_none() {
        return Err(refusal(&cfg.listen));
    }
    let token = cfg
        .token
        .as_ref()
        .map(|s| crate::config::serve::resolve_secret(s, "[serve] token"))
        .transpose()?;
    let otlp_headers = match &cfg.otlp {
        Some(o) => o
            .headers
            .iter()
            .map(|(name, src)| {
                crate::config::serve::resolve_secret(src, &format!("[serve.otlp] header {name}"))
                    .map(|v| (name.clone(), v))
            })
            .collect::<Result<Vec<_>, String>>()?,
        None => Vec::new(),
    };
    let rt = crate::headless::setup::runtime().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let mut sim = None;
        let (tenants, monitors, state_dir) = if global.demo {
            let (t, m, s) = demo(&config).await?;
            sim = Some(s);
            (t, m, None)
        } else {
            let (t, m) = configured(&config, global, args)?;
            (t, m, Some(paths.state_dir.clone()))
        };
        let names: Vec<String> = tenants.iter().map(|t| t.name.clone()).collect();
        let handle = start(ServeSetup {
            tenants,
            config: cfg,
            token,
            otlp_headers,
            monitors,
            errors: config.errors.clone(),
            state_dir,
            notify: true,
            failure_lookback: Duration::from_secs(15 * 60),
        })
        .await?;
        if let Some(s) = &sim {
            eprintln!(
                "cpitop serve: demo tenant simulated at {} (scenario controls: {}/sim/admin)",
                s.base_url, s.base_url
            );
        }
        eprintln!(
            "cpitop serve: listening on http://{} for {} tenant(s): {} (logs: {})",
            handle.addr,
            names.len(),
            names.join(", "),
            paths.log_dir().display()
        );
        wait_for_signal().await;
        tracing::info!("cpitop serve stopping");
        handle.shutdown().await;
        if let Some(s) = sim {
            s.shutdown().await;
        }
        Ok(())
    })
}

/// The served tenants of the config: those named (positional names and `--tenant`), else all.
fn configured(
    config: &Config,
    global: &GlobalArgs,
    args: &ServeArgs,
) -> Result<(Vec<TenantSetup>, MonitorsConfig), String> {
    let mut names: Vec<&str> = args.tenants.iter().map(String::as_str).collect();
    if let Some(t) = global.tenant.as_deref()
        && !names.contains(&t)
    {
        names.push(t);
    }
    let profiles: Vec<&crate::config::Profile> = if names.is_empty() {
        config.tenants.iter().collect()
    } else {
        names
            .iter()
            .map(|n| config.tenant(n))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?
    };
    if profiles.is_empty() {
        return Err(format!(
            "no tenants are configured in {}; add a [tenants.NAME] table, or try `cpitop serve --demo`",
            config
                .file
                .as_deref()
                .map(|f| f.display().to_string())
                .unwrap_or_default()
        ));
    }
    for w in &config.warnings {
        tracing::warn!("{w}");
        eprintln!("cpitop serve: warning: {}", one_line(&w.to_string()));
    }
    let monitors = crate::headless::monitors_from_table(&config.monitors, config.file.as_deref())
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for p in profiles {
        let (conn, warnings) = p.to_conn().map_err(|e| e.to_string())?;
        for w in warnings {
            tracing::warn!("{w}");
            eprintln!("cpitop serve: warning: {}", one_line(&w.to_string()));
        }
        let client = CpiClient::new(conn).map_err(|e| format!("tenant {}: {e}", p.name))?;
        out.push(TenantSetup {
            name: p.name.clone(),
            client,
            artifacts_every: p.poll.artifacts,
            messages_every: p.poll.messages,
            queues_every: p.poll.queues,
            window: p.messages.window,
            max_rows: p.messages.max_rows,
        });
    }
    Ok((out, monitors))
}

/// `--demo`: one simulated tenant (`demo`), the config's monitors or the demo set.
async fn demo(config: &Config) -> Result<(Vec<TenantSetup>, MonitorsConfig, crate::sim::SimHandle), String> {
    let configured = crate::headless::monitors_from_table(&config.monitors, config.file.as_deref())
        .map_err(|e| e.to_string())?;
    let monitors = if configured.monitors_for("demo").iter().any(|m| m.active) {
        configured
    } else {
        let table: toml::Table = toml::from_str(crate::headless::DEMO_MONITORS)
            .map_err(|e| format!("built-in demo monitors: {e}"))?;
        crate::headless::monitors_from_table(&table, None).map_err(|e| e.to_string())?
    };
    let sim = crate::sim::spawn(crate::sim::SimConfig {
        history: Duration::from_secs(2 * 3600),
        ..crate::sim::SimConfig::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let client = CpiClient::new(sim.demo_conn("demo")).map_err(|e| e.to_string())?;
    let poll = crate::config::PollIntervals::default();
    let window = crate::config::MessageWindow::default();
    let t = TenantSetup {
        name: "demo".into(),
        client,
        artifacts_every: poll.artifacts,
        messages_every: poll.messages,
        queues_every: poll.queues,
        window: window.window,
        max_rows: window.max_rows,
    };
    Ok((vec![t], monitors, sim))
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM handler not installed; Ctrl-C still stops");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
