//! Guarded writes in the TUI without a tenant: marking and selection, the confirmation rules,
//! the effects `update` asks for, and snapshots of the dialogs (confirm plain and typed, move
//! target, progress, result, refusal) at 80x24 and 160x45.

use crate::tui_support;

use cpitop::app::msg::{Effect, Msg};
use cpitop::app::{State, apply};
use cpitop::cpi::queues::BulkFailure;
use cpitop::features::writes::{ArtifactOp, Dialog, Job, QueueOp, Report, Selection, WriteEffect, WriteMsg};
use cpitop::kit::table::Table;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// A writable tenant with DLQ_ORDERS_IN open (3 messages).
fn writable(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    s.tenant.read_only = false;
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    // AUDIT_LOG, INVOICE_OUT, DLQ_INVOICE_OUT, ORDERS_IN, DLQ_ORDERS_IN, …
    apply(
        &mut s,
        [key('j'), key('j'), key('j'), key('j'), code(KeyCode::Enter)],
    );
    assert_eq!(s.queues.messages.queue, "DLQ_ORDERS_IN");
    load_queue_messages(&mut s, queue_messages());
    s
}

fn run_job(fx: &[Effect]) -> Option<&Job> {
    fx.iter().find_map(|e| match e {
        Effect::Write(WriteEffect::Run(r)) => Some(&r.job),
        _ => None,
    })
}

#[test]
fn space_marks_and_moves_down_ctrl_a_marks_the_filtered_rows() {
    let mut s = writable(80, 24);
    apply(&mut s, [key(' ')]);
    assert_eq!(s.queues.messages.marks.len(), 1);
    assert_eq!(s.queues.messages.list.selected, 1, "space moves to the next row");
    apply(&mut s, [key('k'), key(' ')]);
    assert!(s.queues.messages.marks.is_empty(), "space again unmarks");
    // Filter to one row, mark all: only the shown row is marked.
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("Blocked"));
    apply(&mut s, [code(KeyCode::Enter), ctrl('a')]);
    assert_eq!(
        s.queues.messages.marks.iter().collect::<Vec<_>>(),
        ["ID:10.1.2.3a1b2c3d4e5f:5"]
    );
    apply(&mut s, [ctrl('a')]);
    assert!(s.queues.messages.marks.is_empty(), "mark all again unmarks");
    apply(&mut s, [ctrl('a'), code(KeyCode::Esc), ctrl('a')]);
    assert_eq!(s.queues.messages.marks.len(), 3);
    // Marks survive a refresh of the same messages.
    load_queue_messages(&mut s, queue_messages());
    assert_eq!(s.queues.messages.marks.len(), 3);
    let b = screen(&s);
    assert!(
        row_text(&b, 2).contains("DLQ_ORDERS_IN › 3 marked"),
        "{}",
        row_text(&b, 2)
    );
    assert!(find(&b, "● Failed").is_some(), "marked rows show ●");
    // Opening another queue starts without marks.
    apply(&mut s, [code(KeyCode::Esc), key('k'), code(KeyCode::Enter)]);
    assert!(s.queues.messages.marks.is_empty());
}

#[test]
fn retry_acts_on_the_marked_else_the_selected_and_is_confirmed_with_y() {
    let mut s = writable(80, 24);
    let fx = apply(&mut s, [key('R')]);
    assert!(run_job(&fx).is_none(), "nothing runs before confirmation");
    let fx = apply(&mut s, [key('y')]);
    match run_job(&fx) {
        Some(Job::Queue {
            op: QueueOp::Retry,
            queue,
            selection: Selection::Messages(m),
        }) => {
            assert_eq!(queue, "DLQ_ORDERS_IN");
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].msgid, "ID:10.1.2.3a1b2c3d4e5f:2");
            assert!(m[0].failed, "the key keeps the Failed part");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(s.writes.dialog, Some(Dialog::Progress)));
    // A second write while one runs shows the running one instead.
    apply(&mut s, [code(KeyCode::Esc)]);
    assert!(s.writes.dialog.is_none() && s.writes.running.is_some());
    let fx = apply(&mut s, [key('R')]);
    assert!(run_job(&fx).is_none());
    assert!(matches!(s.writes.dialog, Some(Dialog::Progress)));
    // Cancel asks the runner once.
    let fx = apply(&mut s, [key('c'), key('c')]);
    let cancels = fx
        .iter()
        .filter(|e| matches!(e, Effect::Write(WriteEffect::Cancel { .. })))
        .count();
    assert_eq!(cancels, 1);
}

#[test]
fn esc_and_n_cancel_without_effects_and_delete_needs_the_word() {
    let mut s = writable(80, 24);
    for cancel in [code(KeyCode::Esc), key('n')] {
        apply(&mut s, [key('R')]);
        let fx = apply(&mut s, [cancel]);
        assert!(fx.iter().all(|e| !matches!(e, Effect::Write(_))));
        assert!(s.writes.dialog.is_none());
    }
    apply(&mut s, [ctrl('d')]);
    let fx = apply(&mut s, [key('y'), code(KeyCode::Enter)]);
    assert!(run_job(&fx).is_none(), "y is not the word");
    apply(&mut s, [code(KeyCode::Backspace)]);
    let fx = apply(&mut s, typed("delete").into_iter().chain([code(KeyCode::Enter)]));
    assert!(matches!(
        run_job(&fx),
        Some(Job::Queue {
            op: QueueOp::Delete,
            ..
        })
    ));
}

#[test]
fn move_targets_the_source_queue_never_itself_and_warns_on_a_dlq() {
    let mut s = writable(80, 24);
    apply(&mut s, [key('M')]);
    match &s.writes.dialog {
        Some(Dialog::Confirm { plan, .. }) => {
            assert_eq!(
                plan.job,
                Job::Queue {
                    op: QueueOp::Move {
                        to: "ORDERS_IN".into()
                    },
                    queue: "DLQ_ORDERS_IN".into(),
                    selection: match &plan.job {
                        Job::Queue { selection, .. } => selection.clone(),
                        _ => unreachable!(),
                    },
                }
            );
            assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
            assert_eq!(plan.confirm_word, None, "one of three: not a move all");
        }
        other => panic!("{other:?}"),
    }
    // Tab: change the target. Onto itself is refused; into a DLQ warns.
    apply(&mut s, [code(KeyCode::Tab)]);
    apply(&mut s, (0..9).map(|_| code(KeyCode::Backspace)));
    apply(&mut s, typed("DLQ_ORDERS_IN"));
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(run_job(&fx).is_none());
    match &s.writes.dialog {
        Some(Dialog::Target { error: Some(e), .. }) => assert!(e.contains("already"), "{e}"),
        other => panic!("{other:?}"),
    }
    apply(&mut s, (0..13).map(|_| code(KeyCode::Backspace)));
    apply(&mut s, typed("DLQ_INVOICE_OUT"));
    apply(&mut s, [code(KeyCode::Enter)]);
    match &s.writes.dialog {
        Some(Dialog::Confirm { plan, .. }) => {
            assert!(plan.warnings.iter().any(|w| w.contains("dead-letter queue")));
        }
        other => panic!("{other:?}"),
    }
    // Not a DLQ: no default target, the user types one; unknown names warn.
    let mut s = writable(80, 24);
    apply(&mut s, [code(KeyCode::Esc), key('k'), code(KeyCode::Enter)]);
    load_queue_messages(&mut s, queue_messages());
    apply(&mut s, [key('M')]);
    assert!(matches!(s.writes.dialog, Some(Dialog::Target { .. })));
    apply(&mut s, typed("ORDRES_IN"));
    apply(&mut s, [code(KeyCode::Enter)]);
    match &s.writes.dialog {
        Some(Dialog::Confirm { plan, .. }) => {
            assert!(plan.warnings.iter().any(|w| w.contains("not among the queues")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn marking_every_message_makes_a_move_all_with_the_queue_name_typed() {
    let mut s = writable(80, 24);
    apply(&mut s, [ctrl('a'), key('M')]);
    match &s.writes.dialog {
        Some(Dialog::Confirm { plan, .. }) => {
            assert_eq!(plan.confirm_word.as_deref(), Some("DLQ_ORDERS_IN"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn result_refreshes_and_unmarks_what_succeeded() {
    let mut s = writable(80, 24);
    apply(&mut s, [ctrl('a'), key('R'), key('y')]);
    let id = s.writes.running.as_ref().expect("running").id;
    apply(
        &mut s,
        [Msg::Write(WriteMsg::Progress {
            id,
            done: 2,
            total: 3,
            note: "retrying: 1 ok, 1 failed".into(),
        })],
    );
    assert_eq!(s.writes.running.as_ref().map(|r| r.done), Some(2));
    let fx = apply(&mut s, [Msg::Write(WriteMsg::Done(report(id)))]);
    assert!(fx.contains(&Effect::RefreshNow));
    assert!(s.writes.running.is_none());
    assert!(matches!(s.writes.dialog, Some(Dialog::Result { .. })));
    assert_eq!(
        s.queues.messages.marks.iter().collect::<Vec<_>>(),
        ["ID:10.1.2.3a1b2c3d4e5f:5"],
        "the failed one stays marked"
    );
}

#[test]
fn read_only_refuses_with_how_to_allow_and_records_it() {
    let mut s = writable(80, 24);
    s.tenant.read_only = true;
    let fx = apply(&mut s, [key('R')]);
    assert!(run_job(&fx).is_none());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Write(WriteEffect::Refused { .. })))
    );
    match &s.writes.dialog {
        Some(Dialog::Notice { lines, .. }) => {
            let t = lines.join(" ");
            assert!(
                t.contains("read_only = false") && t.contains("[tenants.acme-prod]"),
                "{t}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Without an audit log, writes are refused too.
    let mut s = writable(80, 24);
    s.writes.audit_error = Some("cannot open /x/audit.log: permission denied".into());
    apply(&mut s, [key('R')]);
    assert!(matches!(s.writes.dialog, Some(Dialog::Notice { .. })));
}

#[test]
fn artifacts_restart_plain_undeploy_typed() {
    let mut s = state(80, 24);
    s.tenant.read_only = false;
    load_artifacts(&mut s, artifacts());
    let id = s.artifacts.selected_key().expect("row");
    let fx = apply(&mut s, [ctrl('r'), key('y')]);
    assert_eq!(
        run_job(&fx),
        Some(&Job::Artifact {
            op: ArtifactOp::Restart,
            id: id.clone(),
            name: s.artifacts.by_id(&id).expect("a").name.clone()
        })
    );
    let mut s = state(80, 24);
    s.tenant.read_only = false;
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [ctrl('u')]);
    let fx = apply(&mut s, typed(&id).into_iter().chain([code(KeyCode::Enter)]));
    assert!(matches!(
        run_job(&fx),
        Some(Job::Artifact {
            op: ArtifactOp::Undeploy,
            ..
        })
    ));
}

fn report(id: u64) -> Report {
    Report {
        id,
        title: "move 3 messages DLQ_ORDERS_IN → ORDERS_IN".into(),
        ok: false,
        headline: "2 of 3 moved, 1 not".into(),
        succeeded: vec![
            "ID:10.1.2.3a1b2c3d4e5f:2".into(),
            "ID:10.1.2.3a1b2c3d4e5f:8".into(),
        ],
        failed: vec![BulkFailure {
            msgid: "ID:10.1.2.3a1b2c3d4e5f:5".into(),
            reason: "POST /api/v1/Queues('DLQ_ORDERS_IN'): 500 Internal Server Error — the tenant failed (retried once)".into(),
        }],
        notes: vec!["Read back: 1 of the 1 not moved are still in DLQ_ORDERS_IN.".into()],
    }
}

#[test]
fn dialog_snapshots() {
    for (w, h) in SIZES {
        // Plain confirmation (retry one).
        let mut s = writable(w, h);
        apply(&mut s, [key('R')]);
        snap("confirm_retry", &s);
        // Typed confirmation (delete two, one hidden by the filter), half typed.
        let mut s = writable(w, h);
        apply(&mut s, [key(' '), key(' '), key('/')]);
        apply(&mut s, typed("Waiting"));
        apply(&mut s, [code(KeyCode::Enter), ctrl('d')]);
        apply(&mut s, typed("del"));
        snap("confirm_delete_typed", &s);
        // Move all from the Queues pane, into a DLQ typed by the user: typed + warning.
        let mut s = writable(w, h);
        apply(&mut s, [code(KeyCode::Esc), key('M'), code(KeyCode::Tab)]);
        snap("move_target", &s);
        apply(&mut s, (0..9).map(|_| code(KeyCode::Backspace)));
        apply(&mut s, typed("DLQ_INVOICE_OUT"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("confirm_move_all_into_dlq", &s);
        // Progress of a bulk move.
        let mut s = writable(w, h);
        apply(&mut s, [ctrl('a'), key('M')]);
        apply(&mut s, typed("DLQ_ORDERS_IN"));
        apply(&mut s, [code(KeyCode::Enter)]);
        let id = s.writes.running.as_ref().expect("running").id;
        apply(
            &mut s,
            [Msg::Write(WriteMsg::Progress {
                id,
                done: 2,
                total: 3,
                note: "moving: 1 ok, 1 failed".into(),
            })],
        );
        snap("progress", &s);
        // Hidden progress: one line above the footer.
        apply(&mut s, [code(KeyCode::Esc)]);
        snap("progress_hidden", &s);
        // Result with a failure.
        apply(&mut s, [Msg::Write(WriteMsg::Done(report(id)))]);
        s.toast = None;
        snap("result_partial", &s);
        // Refusal on a read-only tenant.
        let mut s = writable(w, h);
        s.tenant.read_only = true;
        s.writes.config_file = Some("/home/op/.config/cpitop/config.toml".into());
        apply(&mut s, [key('R')]);
        snap("refused_read_only", &s);
        // Undeploy (typed, artifact id).
        let mut s = state(w, h);
        s.tenant.read_only = false;
        load_artifacts(&mut s, artifacts());
        apply(&mut s, [ctrl('u')]);
        snap("confirm_undeploy", &s);
        // Restart: following the status (no n-of-m gauge for one artifact).
        let mut s = state(w, h);
        s.tenant.read_only = false;
        load_artifacts(&mut s, artifacts());
        apply(&mut s, [ctrl('r'), key('y')]);
        let id = s.writes.running.as_ref().expect("running").id;
        s.now += 7_000;
        apply(
            &mut s,
            [Msg::Write(WriteMsg::Progress {
                id,
                done: 0,
                total: 0,
                note: "status STARTING · task DEPLOYING".into(),
            })],
        );
        snap("progress_restart", &s);
    }
}

#[test]
fn dangerous_keys_are_marked_in_footer_and_help() {
    let mut s = writable(160, 45);
    let b = screen(&s);
    let (x, y) = find(&b, "ctrl-d delete").expect("footer hint");
    assert_eq!(b.buffer()[(x + 1, y)].fg, Color::Red, "dangerous key in red");
    let (x, y) = find(&b, "space mark").expect("footer hint");
    assert_ne!(b.buffer()[(x + 1, y)].fg, Color::Red);
    apply(&mut s, [key('?')]);
    let b = screen(&s);
    assert!(find(&b, "delete the marked (or selected) messages ⚠ dangerous").is_some());
    assert!(find(&b, "mark / unmark the message ⚠").is_none());
}
