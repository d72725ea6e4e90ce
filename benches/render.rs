//! Render benchmark (issue 7: one frame of the messages pane at 200x60 in at most 2 ms,
//! independent of how many messages are held). The state is built the way the TUI builds it —
//! the Messages pane, a 24 h window, pages of wire-shaped MPL rows merged into the store, one
//! rebuild of the view — with 10,000 and 1,000,000 messages; then one whole frame (header, tabs,
//! breadcrumb, the 200-column table, footer) is drawn:
//! - `draw_buffer`: `ui::draw` into a reset 200x60 buffer (the view code alone);
//! - `terminal_draw`: `Terminal::draw` on a `TestBackend` (adds ratatui's diff against the
//!   previous frame and the backend write), the selection moving one row per frame so every
//!   frame differs from the last.
//!
//! `cargo bench --bench render`.
// Benchmarks may unwrap and panic: the no-panic lints (Cargo.toml) are for shipped code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use cpitop::app::msg::{DataMsg, MessagesEvent, Msg};
use cpitop::app::state::{Environment, TenantInfo};
use cpitop::app::{Keymap, State, apply};
use cpitop::kit::widgets::theme::{ColorLevel, Theme};
use cpitop::store::MplBatch;
use cpitop::store::testgen::MplPageGen;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// 2024-06-10 06:13:20 UTC.
const NOW: i64 = 1_718_000_000_000;
const DAY: i64 = 86_400_000;
const W: u16 = 200;
const H: u16 = 60;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The Messages pane over a 24 h window holding `n` messages spread over that day.
fn state_with(n: usize) -> State {
    let tenant = TenantInfo {
        name: "acme-prod".into(),
        env: Some(Environment::Prod),
        label: None,
        read_only: true,
        web_ui: Some("https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com".into()),
    };
    let mut s = State::new(tenant, Keymap::defaults(), NOW);
    apply(&mut s, [Msg::Resize(W, H), key('2')]);
    // `w` cycles 15m → 1h → 4h → 24h; the default is 1h.
    while s.messages.query.window_ms != DAY {
        apply(&mut s, [key('w')]);
    }
    let mut g = MplPageGen::new(42, NOW - DAY);
    // A little denser than n per day: updates add no message, and nothing may age out.
    g.step_ms = (DAY / (n as i64 + n as i64 / 10)).max(1);
    g.update_per_mille = 20;
    let generation = s.messages.load.generation;
    // All but the last page go straight into the store (as `merge` does for every page); the
    // last one goes through `update`, which rebuilds the view once, as after a load. About 2%
    // of the generated rows update an earlier message, so pages continue until `n` are held.
    while s.messages.total() + 50 < n {
        let page = g.page(1000.min(n - 50 - s.messages.total()).max(1));
        s.messages
            .merge(MplBatch::decode(&page).expect("generated page decodes"));
    }
    let page = g.page(50);
    let last = MplBatch::decode(&page).expect("generated page decodes");
    apply(
        &mut s,
        [
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW,
                event: MessagesEvent::Page(last),
            }),
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW,
                event: MessagesEvent::Done,
            }),
        ],
    );
    assert!(
        s.messages.total() + 100 >= n && s.messages.list.view.len() == s.messages.total(),
        "{} held, {} in view",
        s.messages.total(),
        s.messages.list.view.len()
    );
    s
}

fn render(c: &mut Criterion) {
    let theme = Theme::new(ColorLevel::Full);
    let area = Rect::new(0, 0, W, H);
    let mut g = c.benchmark_group("render_messages_200x60");
    g.sample_size(50)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    for (label, n) in [("10k", 10_000usize), ("1M", 1_000_000)] {
        let mut s = state_with(n);
        let held = s.messages.total();
        // Somewhere in the middle of the list, as after scrolling.
        let mid = held / 2;
        s.messages.list.selected = mid;
        s.messages.list.offset = mid.saturating_sub(20);
        let mut buf = Buffer::empty(area);
        g.bench_function(format!("draw_buffer_{label}"), |b| {
            b.iter(|| {
                buf.reset();
                cpitop::app::frame::draw(&mut buf, area, &s, &theme);
                black_box(&buf);
            })
        });
        let mut term = Terminal::new(TestBackend::new(W, H)).expect("test terminal");
        g.bench_function(format!("terminal_draw_{label}"), |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % 40;
                s.messages.list.selected = mid + i;
                term.draw(|f| cpitop::app::frame::render(f, &s, &theme))
                    .expect("draw");
            })
        });
        eprintln!("render: {label}: {held} messages held");
        // Keystroke → next frame, the filter off the input path: a key typed in `/` (the pane
        // asks for a filter and keeps its rows) and the frame drawn after it. `idle`: no filter
        // runs before the key (the task is made); `busy`: one runs (the text is only recorded).
        apply(&mut s, [key('/')]);
        for (mode, idle) in [("idle", true), ("busy", false)] {
            g.bench_function(format!("keystroke_then_frame_{mode}_{label}"), |b| {
                let mut flip = false;
                b.iter(|| {
                    flip = !flip;
                    if idle {
                        s.messages.filtering = None;
                    }
                    let msg = if flip {
                        key('o')
                    } else {
                        Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))
                    };
                    black_box(apply(&mut s, [msg]));
                    buf.reset();
                    cpitop::app::frame::draw(&mut buf, area, &s, &theme);
                    black_box(&buf);
                })
            });
        }
        apply(
            &mut s,
            [Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))],
        );
    }
    g.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
