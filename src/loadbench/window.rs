//! A window change as the operator makes it (issue 14, item 4): `w` on the Messages pane of the
//! demo tenant, and how long until the new window's newest rows are on screen. The real
//! `State`/`update` and `Pollers` with the demo's client (its default limits), against the
//! simulated tenant `--demo` starts. Two ways to press it: after the previous window's load has
//! finished, and during it (the next `w` as soon as the previous change's first rows are shown,
//! which abandons a load under way). Used by `benches/window.rs`.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

use crate::app::msg::{DataMsg, Effect, MessagesEvent, Msg};
use crate::app::state::TenantInfo;
use crate::app::{Keymap, State, apply};
use crate::cpi::CpiClient;
use crate::tui::poll::Pollers;

/// One window change.
#[derive(Debug, Clone)]
pub struct Change {
    /// `1h → 4h`.
    pub what: String,
    /// The previous window's load was still under way when `w` was pressed.
    pub during_load: bool,
    /// Rows on screen at once after the key (what the previous window held that belongs to the
    /// new one; 0: the pane was empty until the first page).
    pub kept: usize,
    /// From the key to the new load's first page of the window's newest rows, merged and drawn.
    pub newest: Duration,
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

fn label(ms: i64) -> String {
    crate::kit::format::window_label(ms)
}

/// Open the Messages pane (its default window), let the first load finish, then press `w`
/// `changes` times, each after the previous window's load finished (`during_load` false) or as
/// soon as its newest rows were drawn (true). `draw` is called after every update (a frame).
pub async fn window_changes(
    client: CpiClient,
    changes: usize,
    during_load: bool,
    timeout: Duration,
    mut draw: impl FnMut(&State),
) -> Result<Vec<Change>, String> {
    let tenant = TenantInfo {
        name: "window-bench".into(),
        env: None,
        label: Some("demo".into()),
        read_only: true,
        web_ui: None,
    };
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let mut pollers = Pollers::new(client, tx);
    let mut s = State::new(tenant, Keymap::defaults(), crate::resources::now_ms());
    let fx = apply(&mut s, [Msg::Resize(160, 45), key('2')]);
    run_effects(&mut pollers, fx);
    let started = Instant::now();
    let recv = async |rx: &mut mpsc::Receiver<Msg>| -> Result<Msg, String> {
        let left = timeout.saturating_sub(started.elapsed());
        tokio::time::timeout(left, rx.recv())
            .await
            .map_err(|_| format!("no result within {timeout:?}"))?
            .ok_or_else(|| "the pollers stopped".to_string())
    };
    // The current window's load has finished.
    let mut load_done = false;
    let mut out = Vec::new();
    while out.len() < changes {
        if !during_load {
            while !load_done {
                let msg = recv(&mut rx).await?;
                let generation = s.messages.load.generation;
                if let Msg::Data(DataMsg::Messages {
                    generation: g, event, ..
                }) = &msg
                {
                    match event {
                        MessagesEvent::Done if *g == generation => load_done = true,
                        MessagesEvent::Failed(e) => return Err(format!("a load failed: {e}")),
                        _ => {}
                    }
                }
                let fx = apply(&mut s, [msg, Msg::Tick(crate::resources::now_ms())]);
                run_effects(&mut pollers, fx);
                draw(&s);
            }
        }
        let was = s.messages.query.window_ms;
        let was_loading = s.messages.loading.is_some() || !load_done;
        let pressed = Instant::now();
        let fx = apply(&mut s, [key('w')]);
        run_effects(&mut pollers, fx);
        draw(&s);
        let kept = s.messages.total();
        let generation = s.messages.load.generation;
        load_done = false;
        let newest = loop {
            let msg = recv(&mut rx).await?;
            let first_rows = match &msg {
                Msg::Data(DataMsg::Messages {
                    generation: g, event, ..
                }) if *g == generation => match event {
                    // The messages in flight come with every load; the window's rows are the rest.
                    MessagesEvent::Page(b) => !b.is_in_flight_listing(),
                    MessagesEvent::Done => {
                        load_done = true;
                        false
                    }
                    MessagesEvent::Failed(e) => return Err(format!("a load failed: {e}")),
                },
                _ => false,
            };
            let fx = apply(&mut s, [msg, Msg::Tick(crate::resources::now_ms())]);
            run_effects(&mut pollers, fx);
            draw(&s);
            if first_rows || load_done {
                break pressed.elapsed();
            }
        };
        out.push(Change {
            what: format!("{} → {}", label(was), label(s.messages.query.window_ms)),
            during_load: was_loading,
            kept,
            newest,
        });
    }
    pollers.stop_all();
    Ok(out)
}
