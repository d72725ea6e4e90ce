//! The `/` filter of a large message window runs off the input path: a keystroke records the
//! text and asks for a filter (`Effect::FilterMessages`); the rows shown stay, marked
//! `filtering…`, until the newest filter's rows arrive (`Msg::MessagesFiltered`); a superseded
//! filter's rows are never shown. Through `update`, the effect runner's blocking task, and on
//! screen (snapshots at 80x24 and 160x45).

use crate::tui_support;

use std::time::Duration;

use cpitop::app::msg::{Effect, Msg, StoreSnapshot};
use cpitop::app::{State, apply};
use cpitop::store::{FilterTask, Filtered};
use crossterm::event::KeyCode;
use tui_support::*;

fn filter_effects(fx: &[Effect]) -> Vec<(u64, FilterTask, StoreSnapshot)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::FilterMessages { job, task, store } => Some((*job, task.clone(), store.clone())),
            _ => None,
        })
        .collect()
}

fn run((job, task, store): (u64, FilterTask, StoreSnapshot)) -> Msg {
    let done: Filtered = task.run(&store.0);
    drop(store);
    Msg::MessagesFiltered { job, done }
}

fn guids(s: &State) -> Vec<String> {
    s.messages
        .list
        .rows()
        .map(|r| s.messages.store.row(r as u32).guid.to_string())
        .collect()
}

/// The Messages pane with the fixture's messages, treated as a large window.
fn large(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    s.messages.background_filter_min = 1;
    s
}

#[test]
fn keystrokes_ask_for_a_filter_and_the_newest_answer_shows() {
    let mut s = large(160, 45);
    let all = guids(&s);
    assert_eq!(all.len(), 10);
    apply(&mut s, [key('/')]);
    let fx = apply(&mut s, typed("inv"));
    // `i` asked for a filter; `n` and `v` wait for it (one at a time).
    let mut asked = filter_effects(&fx);
    assert_eq!(asked.len(), 1, "{fx:?}");
    assert_eq!(asked[0].1.query().text, "i");
    assert_eq!(guids(&s), all, "the old rows stay while filtering");
    assert!(s.messages.is_filtering());
    let b = screen(&s);
    assert!(find(&b, "› filtering…").is_some(), "marked");
    assert!(find(&b, "/inv").is_some(), "the text as typed");

    // `i` answers: superseded; `inv` is asked for, refining `i`'s rows.
    let fx = apply(&mut s, [run(asked.remove(0))]);
    assert_eq!(guids(&s), all, "a superseded filter is not shown");
    let mut asked = filter_effects(&fx);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].1.query().text, "inv");
    apply(&mut s, [run(asked.remove(0))]);
    assert!(!s.messages.is_filtering());
    let shown = guids(&s);
    assert_eq!(
        shown,
        ["AGZ0aaaaaaaaaaaaaaaaaaaaaa02", "AGZ0aaaaaaaaaaaaaaaaaaaaaa05"],
        "the Invoice_Outbound messages"
    );
    assert!(find(&screen(&s), "filtering…").is_none());

    // Esc clears: asked for too (the rows stay until it answers), then everything again.
    let fx = apply(&mut s, [code(KeyCode::Esc)]);
    let mut asked = filter_effects(&fx);
    assert_eq!(asked.len(), 1);
    assert_eq!(guids(&s), shown);
    apply(&mut s, [run(asked.remove(0))]);
    assert_eq!(guids(&s), all);
}

#[test]
fn filtering_on_screen() {
    for (w, h) in [(80, 24), (160, 45)] {
        let mut s = large(w, h);
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("order"));
        apply(&mut s, [code(KeyCode::Enter)]);
        insta::assert_snapshot!(format!("messages_filtering_{w}x{h}"), screen(&s));
    }
}

/// The effect runner filters on a blocking thread and answers with the rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_filters_on_a_blocking_thread() {
    let sim = cpitop::sim::spawn(cpitop::sim::SimConfig {
        seed: 1,
        history: Duration::from_secs(60),
        history_messages: Some(5),
        ..cpitop::sim::SimConfig::default()
    })
    .await
    .expect("sim");
    let client = cpitop::cpi::CpiClient::new(sim.demo_conn("t")).expect("client");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(8);
    let mut runner = cpitop::tui::effects::EffectRunner::new(client, tx);
    let mut s = large(160, 45);
    apply(&mut s, [key('/')]);
    let fx = apply(&mut s, typed("escal"));
    let effect = fx
        .into_iter()
        .find(|e| matches!(e, Effect::FilterMessages { .. }))
        .expect("a filter effect");
    runner.run(effect, &mut Vec::new());
    let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("answered")
        .expect("open");
    assert!(matches!(msg, Msg::MessagesFiltered { .. }), "{msg:?}");
    // The first keystroke's filter (`e`), superseded by `escal`, which is asked for next.
    let fx = apply(&mut s, [msg]);
    let next = fx
        .into_iter()
        .find(|e| matches!(e, Effect::FilterMessages { .. }))
        .expect("the newest filter");
    runner.run(next, &mut Vec::new());
    let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("answered")
        .expect("open");
    apply(&mut s, [msg]);
    assert!(!s.messages.is_filtering());
    assert_eq!(
        guids(&s),
        ["AGZ0aaaaaaaaaaaaaaaaaaaaaa08"],
        "the ESCALATED message"
    );
    sim.shutdown().await;
}
