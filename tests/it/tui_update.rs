//! `update` without a terminal: navigation, panes, command mode, filter, sort, selection
//! stability across refreshes, back stack, polling plan, export and copy effects.

use crate::tui_support;

use cpitop::app::msg::{DataMsg, Effect, ExportFormat, MessagesEvent, Msg};
use cpitop::app::state::{Mode, Pane, Route};
use cpitop::app::{Action, apply};
use cpitop::kit::table::Table;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_support::*;

fn selected_guid(s: &cpitop::app::State) -> Option<String> {
    s.messages.selected_key()
}

#[test]
fn panes_switch_by_number_tab_and_command() {
    let mut s = state(80, 24);
    assert_eq!(s.pane(), Pane::Artifacts);
    apply(&mut s, [key('2')]);
    assert_eq!(s.pane(), Pane::Messages);
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.pane(), Pane::Queues);
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.pane(), Pane::Alerts);
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.pane(), Pane::Errors);
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.pane(), Pane::Keystore);
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(
        s.pane(),
        Pane::Tenants,
        "tab wraps around to the first tab, Tenants"
    );
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.pane(), Pane::Artifacts);
    apply(&mut s, [code(KeyCode::BackTab), code(KeyCode::BackTab)]);
    assert_eq!(s.pane(), Pane::Keystore);
    apply(&mut s, [key('5')]);
    assert_eq!(s.pane(), Pane::Errors);
    apply(&mut s, [key('6')]);
    assert_eq!(s.pane(), Pane::Keystore);
    apply(&mut s, [key('0')]);
    assert_eq!(s.pane(), Pane::Tenants, "0 is the Tenants pane");
    apply(&mut s, [key('3')]);
    assert_eq!(s.pane(), Pane::Queues);
    apply(&mut s, [key('4')]);
    assert_eq!(s.pane(), Pane::Alerts);
    for (cmd, pane) in [
        ("a", Pane::Artifacts),
        ("m", Pane::Messages),
        ("q", Pane::Queues),
        ("al", Pane::Alerts),
        ("artifacts", Pane::Artifacts),
        ("alerts", Pane::Alerts),
        ("tenants", Pane::Tenants),
        ("ctx", Pane::Tenants),
        ("e", Pane::Errors),
        ("errors", Pane::Errors),
    ] {
        apply(&mut s, [key(':')]);
        apply(&mut s, typed(cmd));
        apply(&mut s, [code(KeyCode::Enter)]);
        assert_eq!(s.pane(), pane, ":{cmd}");
        assert_eq!(s.mode, Mode::Normal);
    }
}

#[test]
fn unknown_commands_say_so() {
    let mut s = state(80, 24);
    apply(&mut s, [Msg::Command("alertz".into())]);
    let t = s.toast.clone().expect("toast");
    assert!(t.text.contains("unknown command `alertz`"), "{}", t.text);
    assert_eq!(s.pane(), Pane::Artifacts);
    apply(&mut s, [Msg::Command("window 3x".into())]);
    assert!(
        s.toast
            .clone()
            .expect("toast")
            .text
            .contains("cannot read window `3x`")
    );
}

#[test]
fn command_mode_edits_and_cancels() {
    let mut s = state(80, 24);
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("mez"));
    apply(&mut s, [code(KeyCode::Backspace)]);
    assert_eq!(s.mode, Mode::Command("me".into()));
    apply(&mut s, [code(KeyCode::Tab)]);
    assert_eq!(s.mode, Mode::Command("messages ".into()), "tab completes");
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.pane(), Pane::Artifacts, "esc cancels");
}

#[test]
fn window_command_and_w_change_the_query_and_drop_stale_pages() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    assert_eq!(s.messages.total(), 10);
    let old_gen = s.messages.load.generation;
    let fx = apply(&mut s, [Msg::Command("window 4h".into())]);
    assert_eq!(s.messages.query.window_ms, 4 * 3_600_000);
    assert_eq!(
        s.messages.total(),
        10,
        "a longer window keeps what is held (it belongs to it) while it loads"
    );
    assert!(s.messages.loading.is_some(), "and says it is loading");
    let plan = fx.iter().find_map(|e| match e {
        Effect::Poll(p) => p.messages.clone(),
        _ => None,
    });
    let (spec, query) = plan.expect("messages poller retuned");
    assert!(spec.generation > old_gen);
    assert_eq!(query.window_ms, 4 * 3_600_000);
    // A late page of the old window is dropped.
    apply(
        &mut s,
        [Msg::Data(DataMsg::Messages {
            generation: old_gen,
            at: NOW,
            event: MessagesEvent::Page(batch(&messages())),
        })],
    );
    assert_eq!(s.messages.total(), 10, "the old window's late page is dropped");
    apply(&mut s, [key('w')]);
    assert_eq!(
        s.messages.query.window_ms,
        24 * 3_600_000,
        "w cycles to the next window"
    );
    apply(&mut s, [key('w')]);
    assert_eq!(s.messages.query.window_ms, 15 * 60_000, "and wraps");
    apply(
        &mut s,
        [
            Msg::Command("status failed".into()),
            Msg::Command("iflow Orders_Inbound".into()),
        ],
    );
    assert_eq!(s.messages.query.status.as_deref(), Some("FAILED"));
    assert_eq!(s.messages.query.iflow.as_deref(), Some("Orders_Inbound"));
    apply(
        &mut s,
        [Msg::Command("window 2024-06-10T04:00..2024-06-10T06:00".into())],
    );
    assert_eq!(
        s.messages.query.range,
        Some((1_717_992_000_000, 1_717_999_200_000))
    );
}

#[test]
fn filter_as_you_type_enter_keeps_esc_clears() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('/')]);
    assert_eq!(s.mode, Mode::Filter);
    apply(&mut s, typed("ord"));
    let names: Vec<String> = s
        .artifacts
        .list
        .rows()
        .map(|r| s.artifacts.items[r].id.clone())
        .collect();
    for id in &names {
        let a = s.artifacts.by_id(id).expect("row");
        let hay = format!("{} {} {} {} {}", a.name, a.id, a.kind, a.deployed_by, a.status).to_lowercase();
        assert!(hay.contains("ord"), "{id} matches");
    }
    assert!(names.contains(&"Orders_Inbound".to_string()));
    assert!(!names.contains(&"Invoice_Outbound".to_string()));
    apply(&mut s, typed("ers"));
    assert_eq!(s.artifacts.list.len(), 1);
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.artifacts.list.filter, "orders", "enter keeps the filter");
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.artifacts.list.filter, "", "esc clears a kept filter");
    assert_eq!(s.artifacts.list.len(), 7);
    apply(&mut s, [key('/'), key('x'), code(KeyCode::Esc)]);
    assert_eq!(s.artifacts.list.len(), 7, "esc while typing clears");
}

#[test]
fn toggles_filter_locally() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('f')]);
    assert_eq!(s.artifacts.list.len(), 3, "not started only");
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('f')]);
    let st: Vec<&str> = s
        .messages
        .list
        .rows()
        .map(|r| s.messages.store.row(r as u32).status.as_str())
        .collect();
    assert_eq!(st, ["FAILED", "FAILED", "ESCALATED"]);
}

#[test]
fn sort_by_letter_flips_and_shifts() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('s'), key('n')]);
    let names = |s: &cpitop::app::State| -> Vec<String> {
        s.artifacts
            .list
            .rows()
            .map(|r| s.artifacts.items[r].name.clone())
            .collect()
    };
    let asc = names(&s);
    let mut sorted = asc.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(asc, sorted);
    apply(&mut s, [key('s'), key('n')]);
    let desc = names(&s);
    assert_eq!(desc, sorted.iter().rev().cloned().collect::<Vec<_>>());
    apply(&mut s, [key('>')]);
    assert_eq!(
        s.artifacts.list.sort.map(|x| x.column),
        Some(2),
        "> moves to the next column"
    );
    apply(&mut s, [key('s'), key('!')]);
    assert!(s.toast.clone().expect("toast").text.contains("no column on `!`"));
}

#[test]
fn selection_stays_on_the_same_message_when_new_ones_arrive() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('j'), key('j'), key('j')]);
    let before = selected_guid(&s).expect("selected");
    assert_eq!(before, "AGZ0aaaaaaaaaaaaaaaaaaaaaa04");
    let generation = s.messages.load.generation;
    let newer = vec![
        mpl(
            "AGZ0cccccccccccccccccccccc01",
            "Orders_Inbound",
            "COMPLETED",
            0,
            100,
        ),
        mpl(
            "AGZ0cccccccccccccccccccccc02",
            "Invoice_Outbound",
            "FAILED",
            0,
            100,
        ),
    ];
    apply(
        &mut s,
        [Msg::Data(DataMsg::Messages {
            generation,
            at: NOW,
            event: MessagesEvent::Page(batch(&newer)),
        })],
    );
    assert_eq!(s.messages.total(), 12);
    assert_eq!(
        selected_guid(&s).as_deref(),
        Some(before.as_str()),
        "selection follows the message"
    );
    assert_eq!(s.messages.list.selected, 5, "which moved down by two rows");
    // A status update of a held message replaces it, it is not added twice.
    let mut upd = mpl(
        "AGZ0aaaaaaaaaaaaaaaaaaaaaa04",
        "Customer_Replication",
        "COMPLETED",
        5,
        31_000,
    );
    upd.custom_status = "COMPLETED".into();
    apply(
        &mut s,
        [Msg::Data(DataMsg::Messages {
            generation,
            at: NOW,
            event: MessagesEvent::Page(batch(&[upd])),
        })],
    );
    assert_eq!(s.messages.total(), 12);
    assert_eq!(selected_guid(&s).as_deref(), Some(before.as_str()));
}

#[test]
fn live_mode_follows_the_newest_while_on_top() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('l')]);
    assert!(s.messages.live);
    let generation = s.messages.load.generation;
    apply(
        &mut s,
        [Msg::Data(DataMsg::Messages {
            generation,
            at: NOW,
            event: MessagesEvent::Page(batch(&[mpl(
                "AGZ0dddddddddddddddddddddd01",
                "Orders_Inbound",
                "COMPLETED",
                0,
                10,
            )])),
        })],
    );
    assert_eq!(selected_guid(&s).as_deref(), Some("AGZ0dddddddddddddddddddddd01"));
    assert_eq!(
        s.polling.messages.as_ref().map(|(p, _)| p.interval_ms),
        Some(s.intervals.messages_live)
    );
}

#[test]
fn drill_down_and_back_with_breadcrumb_stack() {
    let mut s = state(80, 24);
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    apply(&mut s, [key('j'), key('j'), key('j'), key('j')]);
    assert_eq!(s.queues.selected_key().as_deref(), Some("DLQ_ORDERS_IN"));
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Queues(cpitop::panes::queues::Route::Messages {
            queue: "DLQ_ORDERS_IN".into()
        })
    );
    load_queue_messages(&mut s, queue_messages());
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Messages(cpitop::panes::messages::Route::Detail {
            guid: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into()
        })
    );
    assert!(fx.contains(&Effect::FetchMessage {
        guid: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into()
    }));
    for p in detail_parts("AGZ0aaaaaaaaaaaaaaaaaaaaaa02") {
        apply(
            &mut s,
            [Msg::Data(DataMsg::Message {
                guid: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into(),
                part: p,
            })],
        );
    }
    let fx = apply(&mut s, [key('a')]);
    assert_eq!(
        s.route(),
        &Route::Artifacts(cpitop::panes::artifacts::Route::Detail {
            id: "Invoice_Outbound".into()
        })
    );
    assert!(fx.contains(&Effect::FetchArtifactError {
        id: "Invoice_Outbound".into()
    }));
    assert_eq!(s.stack.len(), 4);
    apply(&mut s, [code(KeyCode::Esc)]);
    assert!(matches!(
        s.route(),
        Route::Messages(cpitop::panes::messages::Route::Detail { .. })
    ));
    apply(&mut s, [key('q')]);
    assert!(
        matches!(
            s.route(),
            Route::Queues(cpitop::panes::queues::Route::Messages { .. })
        ),
        "q in a detail view goes back"
    );
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.route(), &Route::home(Pane::Queues));
    assert_eq!(
        s.queues.selected_key().as_deref(),
        Some("DLQ_ORDERS_IN"),
        "selection kept"
    );
    apply(&mut s, [code(KeyCode::Esc)]);
    assert_eq!(s.stack.len(), 1, "the pane is the bottom of the stack");
    let fx = apply(&mut s, [key('q')]);
    assert!(s.quit && fx.contains(&Effect::Quit));
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    let mut s = state(80, 24);
    apply(&mut s, [key(':'), key('x')]);
    let fx = apply(
        &mut s,
        [Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))],
    );
    assert!(fx.contains(&Effect::Quit));
}

#[test]
fn a_termination_signal_quits_from_any_view_and_mode() {
    let mut s = state(80, 24);
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    // In a drill-down with the command line open: `q` would only go back, a signal quits.
    apply(&mut s, [code(KeyCode::Enter), key(':'), key('x')]);
    assert!(s.stack.len() > 1, "in a drill-down");
    let fx = apply(&mut s, [Msg::Terminate]);
    assert!(s.quit && fx.contains(&Effect::Quit), "{fx:?}");
}

#[test]
fn only_the_visible_pane_polls() {
    let mut s = state(80, 24);
    assert!(s.polling.artifacts.is_some());
    assert!(s.polling.messages.is_none() && s.polling.queues.is_none());
    apply(&mut s, [key('2')]);
    assert!(s.polling.artifacts.is_none());
    assert!(s.polling.messages.is_some());
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    apply(&mut s, [code(KeyCode::Enter)]);
    assert!(
        s.polling.queues.is_none(),
        "the queue list rests while one queue is open"
    );
    assert_eq!(
        s.polling.queue_messages.as_ref().map(|(_, q)| q.as_str()),
        Some("AUDIT_LOG")
    );
    // Coming back to a pane restarts its poller with a new generation; the data stays.
    let g = s.polling.artifacts.clone();
    apply(&mut s, [key('1')]);
    assert!(s.polling.artifacts.as_ref().map(|p| p.generation) > g.map(|p| p.generation));
}

#[test]
fn export_effect_holds_the_filtered_view() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("error"));
    apply(&mut s, [code(KeyCode::Enter)]);
    let fx = apply(&mut s, [key('e')]);
    let Some(Effect::Export {
        path,
        format,
        fields,
        records,
    }) = fx.into_iter().find(|e| matches!(e, Effect::Export { .. }))
    else {
        panic!("no export effect");
    };
    assert_eq!(format, ExportFormat::Csv);
    assert!(path.starts_with("/tmp/cpitop-test-exports"), "{path:?}");
    assert!(path.to_string_lossy().ends_with(".csv"));
    // The artifact record (`get artifacts -o json`'s fields), not the cells shown.
    assert_eq!(fields[..2], ["id", "name"]);
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r["status"] == "ERROR"), "{records:?}");
    let fx = apply(&mut s, [Msg::Command("export json /tmp/x.json".into())]);
    assert!(fx.iter().any(|e| matches!(e, Effect::Export { format: ExportFormat::Json, path, .. } if path.to_str() == Some("/tmp/x.json"))));
    let fx = apply(&mut s, [Msg::Command("export ndjson".into())]);
    assert!(fx.iter().any(|e| matches!(e, Effect::Export { format: ExportFormat::Ndjson, path, .. } if path.to_string_lossy().ends_with(".ndjson"))));
}

#[test]
fn copy_effects_for_id_and_link() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('j')]);
    let fx = apply(&mut s, [key('y')]);
    assert!(fx.contains(&Effect::Copy {
        text: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into(),
        what: "message id".into()
    }));
    let fx = apply(&mut s, [key('Y')]);
    let link = fx.iter().find_map(|e| match e {
        Effect::Copy { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert!(
        link.expect("link")
            .ends_with("%7B%22identifier%22%3A%22AGZ0aaaaaaaaaaaaaaaaaaaaaa02%22%7D")
    );
    apply(&mut s, [key('1')]);
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [key('Y')]);
    let link = fx.iter().find_map(|e| match e {
        Effect::Copy { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert!(
        link.expect("artifact link")
            .contains("/shell/monitoring/Artifacts/")
    );
}

#[test]
fn detail_scroll_is_clamped_to_the_document() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('j'), code(KeyCode::Enter)]);
    for p in detail_parts("AGZ0aaaaaaaaaaaaaaaaaaaaaa02") {
        apply(
            &mut s,
            [Msg::Data(DataMsg::Message {
                guid: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into(),
                part: p,
            })],
        );
    }
    apply(&mut s, [key('G')]);
    let bottom = s.messages.detail.as_ref().map(|d| d.scroll).expect("detail");
    assert!(bottom > 0);
    apply(&mut s, [key('j')]);
    assert_eq!(
        s.messages.detail.as_ref().map(|d| d.scroll),
        Some(bottom),
        "no scrolling past the end"
    );
    apply(&mut s, [key('k')]);
    assert_eq!(s.messages.detail.as_ref().map(|d| d.scroll), Some(bottom - 1));
}

#[test]
fn user_keymap_changes_what_keys_do() {
    let (km, warnings) = cpitop::app::Keymap::with_overrides("[messages]\ntoggle_failed = [\"F\"]\n", "test");
    assert!(warnings.is_empty());
    let mut s = cpitop::app::State::new(tenant(), km, NOW);
    apply(&mut s, [Msg::Action(Action::PaneMessages)]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('f')]);
    assert!(!s.messages.failed_only);
    apply(&mut s, [key('F')]);
    assert!(s.messages.failed_only);
}

#[test]
fn first_load_keeps_the_newest_on_top_while_pages_arrive() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    let all = messages();
    // Pages of a window arrive oldest first within a slice.
    let p1 = page(&s, &all[5..]);
    apply(&mut s, [p1]);
    let p2 = page(&s, &all[..5]);
    apply(&mut s, [p2]);
    assert_eq!(s.messages.list.selected, 0);
    assert_eq!(selected_guid(&s).as_deref(), Some("AGZ0aaaaaaaaaaaaaaaaaaaaaa01"));
    assert_eq!(s.messages.list.offset, 0);
}

/// Sorting a large message window goes to a blocking thread (`Effect::SortMessages`) instead of
/// holding up the next keystroke; its answer (`Msg::MessagesSorted`) shows the new order.
#[test]
fn large_message_sorts_are_effects_and_their_answer_applies() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    s.messages.background_sort_min = 1;
    let before: Vec<usize> = s.messages.list.rows().collect();
    let fx = apply(&mut s, [key('s'), key('n')]);
    let sort = fx
        .iter()
        .find_map(|e| match e {
            Effect::SortMessages { job, key, store } => Some((*job, *key, store.0.clone())),
            _ => None,
        })
        .expect("a sort effect");
    assert!(s.messages.sorting.is_some());
    assert_eq!(
        s.messages.list.rows().collect::<Vec<_>>(),
        before,
        "old order meanwhile"
    );
    let (job, key, store) = sort;
    let (at, order) = cpitop::panes::messages::sort_all(&store, key);
    drop(store);
    apply(&mut s, [Msg::MessagesSorted { job, key, at, order }]);
    assert!(s.messages.sorting.is_none());
    let senders: Vec<String> = s
        .messages
        .list
        .rows()
        .map(|r| s.messages.store.row(r as u32).sender.to_lowercase())
        .collect();
    let mut want = senders.clone();
    want.sort();
    assert_eq!(senders, want, "sorted by sender");
}
