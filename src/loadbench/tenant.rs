//! What the TUI's pollers cost a tenant in steady state (issue 7, the tenant-load target): the
//! real state machine (`State` + `update`) on the Messages pane with a window and live mode, its
//! `Effect::Poll` plans executed by the real `Pollers`, against the simulated tenant. After the
//! window's first load, every request the tenant sees is counted (the sim's own counter and its
//! request log, i.e. what went over the wire) and every row the deltas bring is classified
//! against what the TUI already holds: new, changed, or a re-download of a message held
//! unchanged. Used by `benches/tenant_load.rs` (figures) and `tests/it/scale_steady_state.rs`
//! (the per-refresh request shape).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

use crate::app::msg::{DataMsg, Effect, MessagesEvent, Msg};
use crate::app::state::TenantInfo;
use crate::app::{Keymap, State, apply};
use crate::cpi::CpiClient;
use crate::sim::SimAdmin;
use crate::store::{MessageStore, StoreLimits};
use crate::tui::poll::Pollers;

/// What `steady_state` observed.
#[derive(Debug, Clone, Default)]
pub struct SteadyReport {
    /// The window's first load (rows, requests the tenant served, time).
    pub initial_rows: u64,
    pub initial_requests: u64,
    pub initial: Duration,
    /// Steady state, observed after the first load and the catch-up delta that follows it.
    pub observed: Duration,
    /// Message refreshes completed in steady state.
    pub refreshes: u32,
    /// API requests the tenant served in steady state (every pane's poller, token included).
    pub requests: u64,
    /// API requests served per refresh (between two completed refreshes).
    pub requests_per_refresh: Vec<u64>,
    /// `MessageProcessingLogs` list requests as received, in order.
    pub mpl_requests: Vec<String>,
    /// Rows the listings of the messages in flight brought (every `check_every`; they re-read
    /// the messages in flight on purpose, see `cpi::mpl_window`), not counted below.
    pub in_flight_rows: u64,
    /// Rows the deltas brought.
    pub rows: u64,
    /// … of which new messages, messages whose state changed, and messages held unchanged.
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The request rate the client reports (what the header shows), at the end.
    pub client_requests_per_minute: u64,
    /// Response bytes the client received in steady state (every pane).
    pub bytes: u64,
    /// Messages held at the end.
    pub held: usize,
}

impl SteadyReport {
    pub fn requests_per_minute(&self) -> f64 {
        self.requests as f64 * 60.0 / self.observed.as_secs_f64().max(1e-9)
    }

    pub fn bytes_per_minute(&self) -> f64 {
        self.bytes as f64 * 60.0 / self.observed.as_secs_f64().max(1e-9)
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn run_effects(pollers: &mut Pollers, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::Poll(plan) => pollers.apply(&plan),
            Effect::RefreshNow => pollers.refresh_now(),
            _ => {}
        }
    }
}

/// Open the Messages pane with a `window_ms` window (one of `panes::messages::WINDOWS_MS`), live
/// mode on or off, let the first load and the catch-up delta after it finish (at most
/// `load_timeout`), then observe `observe` of steady state.
pub async fn steady_state(
    client: CpiClient,
    admin: &SimAdmin,
    window_ms: i64,
    live: bool,
    load_timeout: Duration,
    observe: Duration,
) -> Result<SteadyReport, String> {
    let tenant = TenantInfo {
        name: "tenant-load".into(),
        env: None,
        label: Some("sim".into()),
        read_only: true,
        web_ui: None,
    };
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let mut pollers = Pollers::new(client.clone(), tx);
    let mut s = State::new(tenant, Keymap::defaults(), crate::resources::now_ms());
    let mut keys = vec![Msg::Resize(200, 60), key('2')];
    if live {
        keys.push(key('l'));
    }
    let fx = apply(&mut s, keys);
    run_effects(&mut pollers, fx);
    let mut cycles = 0;
    while s.messages.query.window_ms != window_ms {
        cycles += 1;
        if cycles > 8 {
            return Err(format!("window {window_ms} ms is not one the `w` key offers"));
        }
        let fx = apply(&mut s, [key('w')]);
        run_effects(&mut pollers, fx);
    }
    if s.messages.live != live {
        return Err("live mode did not switch".into());
    }

    // Mirror of what the state holds, to classify every row a delta brings.
    let mut shadow = MessageStore::new(StoreLimits {
        max_messages: None,
        max_age: None,
    });
    let started = Instant::now();
    let requests_at_start = admin.request_count();
    let gen_at_start = s.messages.load.generation;
    let mut initial_rows = 0u64;
    let mut report = SteadyReport::default();
    // First load until its `Done`, then the catch-up delta (what arrived during the load, from
    // the load's start watermark) until its `Done`: steady state begins after that.
    let mut dones = 0;
    loop {
        let left = load_timeout.saturating_sub(started.elapsed());
        let msg = tokio::time::timeout(left, rx.recv())
            .await
            .map_err(|_| format!("the first load did not finish within {load_timeout:?}"))?
            .ok_or("the pollers stopped")?;
        let done = match &msg {
            Msg::Data(DataMsg::Messages {
                event, generation, ..
            }) if *generation >= gen_at_start => match event {
                MessagesEvent::Page(b) => {
                    initial_rows += b.len() as u64;
                    shadow.merge(b.clone());
                    false
                }
                MessagesEvent::Done => true,
                MessagesEvent::Failed(e) => return Err(format!("the first load failed: {e}")),
            },
            _ => false,
        };
        let fx = apply(&mut s, [msg]);
        run_effects(&mut pollers, fx);
        if done {
            dones += 1;
            if dones == 1 {
                report.initial = started.elapsed();
                report.initial_rows = initial_rows;
                report.initial_requests = admin.request_count() - requests_at_start;
            } else {
                break;
            }
        }
    }

    // Steady state.
    admin.clear_requests();
    let base = admin.request_count();
    let bytes_at = client.stats().bytes;
    let mut last_done = base;
    let steady = Instant::now();
    while steady.elapsed() < observe {
        let left = observe.saturating_sub(steady.elapsed());
        let Ok(msg) = tokio::time::timeout(left, rx.recv()).await else {
            break;
        };
        let msg = msg.ok_or("the pollers stopped")?;
        if let Msg::Data(DataMsg::Messages { event, .. }) = &msg {
            match event {
                MessagesEvent::Page(b) if b.is_in_flight_listing() => {
                    report.in_flight_rows += b.len() as u64;
                    shadow.merge(b.clone());
                }
                MessagesEvent::Page(b) => {
                    report.rows += b.len() as u64;
                    let m = shadow.merge(b.clone());
                    report.inserted += m.inserted as u64;
                    report.updated += m.updated as u64;
                    report.unchanged += m.unchanged as u64;
                }
                MessagesEvent::Done => {
                    report.refreshes += 1;
                    let now = admin.request_count();
                    report.requests_per_refresh.push(now - last_done);
                    last_done = now;
                }
                MessagesEvent::Failed(e) => return Err(format!("a refresh failed: {e}")),
            }
        }
        let fx = apply(&mut s, [msg, Msg::Tick(crate::resources::now_ms())]);
        run_effects(&mut pollers, fx);
    }
    report.observed = steady.elapsed();
    report.requests = admin.request_count() - base;
    report.mpl_requests = admin
        .recent_requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /api/v1/MessageProcessingLogs?"))
        .collect();
    report.client_requests_per_minute = client.stats().requests_per_minute;
    report.bytes = client.stats().bytes - bytes_at;
    report.held = s.messages.total();
    pollers.stop_all();
    Ok(report)
}
