//! On call (issue 14), through `update` with hand-made messages: the `:` line edited as in a shell
//! with its history and completion, Esc followed quickly by a key, pasted text, the keys that must
//! not surprise a k9s user, help per view, one key from an artifact to its failures, the view
//! starting at the newest row after a filter, sort or toggle, and the tab line at any width.

use crate::tui_support;

use cpitop::app::Action;
use cpitop::app::msg::{Effect, Msg};
use cpitop::app::state::{Mode, Pane, Route};
use cpitop::app::{State, apply};
use cpitop::kit::table::Table;
use cpitop::panes::{alerts, messages};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_support::*;

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
fn alt(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::ALT))
}
fn command_text(s: &State) -> String {
    match &s.mode {
        Mode::Command(l) => l.text().to_string(),
        other => panic!("not in command mode: {other:?}"),
    }
}

#[test]
fn the_command_line_edits_as_in_a_shell() {
    let mut s = state(80, 24);
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("iflow Orders_Inbound"));
    apply(&mut s, [alt(KeyCode::Backspace)]);
    assert_eq!(command_text(&s), "iflow Orders_", "alt-backspace deletes a word");
    apply(&mut s, [ctrl('w')]);
    assert_eq!(command_text(&s), "iflow ", "ctrl-w deletes back to the space");
    apply(&mut s, typed("X"));
    apply(&mut s, [code(KeyCode::Home)]);
    apply(&mut s, typed("r"));
    assert_eq!(command_text(&s), "riflow X", "home, then typed at the start");
    apply(&mut s, [code(KeyCode::Delete), code(KeyCode::End)]);
    apply(&mut s, typed("Y"));
    assert_eq!(command_text(&s), "rflow XY");
    apply(&mut s, [code(KeyCode::Left), ctrl('u')]);
    assert_eq!(command_text(&s), "Y", "ctrl-u deletes what is before the cursor");
    apply(&mut s, [ctrl('a'), ctrl('k')]);
    assert_eq!(command_text(&s), "", "ctrl-a home, ctrl-k to the end");
    assert!(matches!(s.mode, Mode::Command(_)), "still typing");
}

#[test]
fn history_is_recalled_with_up_and_down_and_saved() {
    let mut s = state(80, 24);
    let mut saved = Vec::new();
    for line in ["window 4h", "status FAILED"] {
        apply(&mut s, [key(':')]);
        let fx = apply(&mut s, typed(line).into_iter().chain([code(KeyCode::Enter)]));
        saved = fx
            .into_iter()
            .filter_map(|e| match e {
                Effect::SaveHistory(items) => Some(items),
                _ => None,
            })
            .last()
            .expect("the history is saved after each command");
    }
    assert_eq!(saved, vec!["window 4h", "status FAILED"]);
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("ifl"));
    apply(&mut s, [code(KeyCode::Up)]);
    assert_eq!(command_text(&s), "status FAILED");
    apply(&mut s, [code(KeyCode::Up)]);
    assert_eq!(command_text(&s), "window 4h");
    apply(&mut s, [code(KeyCode::Up)]);
    assert_eq!(command_text(&s), "window 4h", "the oldest stays");
    apply(&mut s, [code(KeyCode::Down), code(KeyCode::Down)]);
    assert_eq!(command_text(&s), "ifl", "past the newest: what was being typed");
    // A repeat of the newest is not saved again.
    apply(&mut s, [code(KeyCode::Esc), key(':')]);
    let fx = apply(
        &mut s,
        typed("status FAILED").into_iter().chain([code(KeyCode::Enter)]),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveHistory(_))));
}

#[test]
fn tab_completes_arguments_from_what_the_panes_hold() {
    let mut s = state(120, 30);
    load_artifacts(&mut s, artifacts());
    let complete = |s: &mut State, text: &str| {
        apply(s, [code(KeyCode::Esc), key(':')]);
        apply(s, typed(text));
        apply(s, [code(KeyCode::Tab)]);
        (command_text(s), s.completions.clone())
    };
    assert_eq!(complete(&mut s, "iflow Ord").0, "iflow Orders_Inbound ");
    let (line, candidates) = complete(&mut s, "iflow In");
    assert_eq!(
        line, "iflow Invoice_Outbound ",
        "one iFlow starts so: {candidates:?}"
    );
    let (line, candidates) = complete(&mut s, "iflow ");
    assert_eq!(line, "iflow ");
    assert!(
        candidates.contains(&"Orders_Inbound".to_string()) && candidates.contains(&"all".to_string()),
        "every iFlow listed: {candidates:?}"
    );
    assert!(
        !candidates.contains(&"VM_Currency".to_string()),
        "only integration flows: {candidates:?}"
    );
    assert_eq!(
        complete(&mut s, "w 2").0,
        "w 24h ",
        "window sizes, under an alias too"
    );
    assert_eq!(complete(&mut s, "status FAILED,re").0, "status FAILED,RETRY ");
    let (line, candidates) = complete(&mut s, "status E");
    assert_eq!((line.as_str(), candidates), ("status ESCALATED ", vec![]));
    apply(&mut s, [code(KeyCode::Esc)]);
    apply(&mut s, [key('1')]);
    let (line, candidates) = complete(&mut s, "sort deployed_");
    assert_eq!(line, "sort deployed_", "two columns start so");
    assert_eq!(candidates, vec!["deployed_by", "deployed_on"]);
    // Typing after a Tab clears the candidates.
    apply(&mut s, typed("o"));
    assert!(s.completions.is_empty());
}

/// Esc followed quickly by a key reaches cpitop as one `ESC x`, which reads as Alt+x: in the
/// filter, the `:` line and the lists it is taken as Esc, then x.
#[test]
fn esc_then_a_key_is_not_alt_key() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("ord"));
    apply(&mut s, [alt(KeyCode::Char('2'))]);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.artifacts.list.filter, "", "esc cleared the filter");
    assert_eq!(s.pane(), Pane::Messages, "then 2 switched panes");

    apply(&mut s, [key(':')]);
    apply(&mut s, typed("wind"));
    apply(&mut s, [alt(KeyCode::Char('3'))]);
    assert_eq!(s.mode, Mode::Normal, "esc left the : line");
    assert_eq!(s.pane(), Pane::Queues, "and 3 was a key");

    apply(&mut s, [key('1'), code(KeyCode::Enter)]);
    assert!(matches!(s.route(), Route::Artifacts(_)) && s.stack.len() == 2);
    apply(&mut s, [alt(KeyCode::Char('/'))]);
    assert_eq!(s.stack.len(), 1, "esc went back");
    assert_eq!(s.mode, Mode::Filter, "and / opened the filter");

    // Alt-Backspace in the filter is the shell's word delete, not Esc + Backspace.
    apply(&mut s, typed("orders in"));
    apply(&mut s, [alt(KeyCode::Backspace)]);
    assert_eq!(
        (s.mode.clone(), s.artifacts.list.filter.as_str()),
        (Mode::Filter, "orders ")
    );
    apply(&mut s, [ctrl('w')]);
    assert_eq!(s.artifacts.list.filter, "");
}

#[test]
fn pasted_text_is_never_read_as_keys() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    // Over a list: the pasted id filters it (not `O`, `r` refresh, `d`, `e` export, …).
    let fx = apply(&mut s, [Msg::Paste("Orders_Inbound\n".into())]);
    assert!(fx.is_empty(), "no effect: {fx:?}");
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.artifacts.list.filter, "Orders_Inbound");
    assert_eq!(s.artifacts.selected_key().as_deref(), Some("Orders_Inbound"));
    // In the `:` line: typed text at the cursor.
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("iflow "));
    apply(&mut s, [Msg::Paste("Invoice_Outbound".into())]);
    assert_eq!(command_text(&s), "iflow Invoice_Outbound");
    // A confirmation that wants only yes or no takes nothing from a paste.
    let mut s = state(80, 24);
    s.tenant.read_only = false;
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('R')]);
    assert!(s.writes.dialog.is_some(), "restart asks first");
    let fx = apply(&mut s, [Msg::Paste("y".into())]);
    assert!(
        fx.is_empty() && s.writes.running.is_none(),
        "a paste never confirms"
    );
}

/// `ctrl-r` is refresh in k9s: here too, and restart is the deliberate `R`; undeploy `U` (not a
/// pager's `ctrl-u`).
#[test]
fn k9s_habits_are_harmless() {
    let mut s = state(80, 24);
    s.tenant.read_only = false;
    load_artifacts(&mut s, artifacts());
    let fx = apply(&mut s, [ctrl('r')]);
    assert!(fx.contains(&Effect::RefreshNow), "{fx:?}");
    assert!(s.writes.dialog.is_none(), "no restart dialog");
    apply(&mut s, [ctrl('u')]);
    assert!(s.writes.dialog.is_none(), "no undeploy dialog");
    apply(&mut s, [key('U')]);
    assert!(s.writes.dialog.is_some(), "U asks to undeploy");
    // ctrl-c quits from a drill-down too (q goes back there).
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [code(KeyCode::Enter), key('q')]);
    assert!(!s.quit && s.stack.len() == 1, "q in a drill-down: back");
    apply(&mut s, [code(KeyCode::Enter), ctrl('c')]);
    assert!(s.quit);
}

fn help_text(s: &State) -> String {
    let theme = cpitop::kit::widgets::theme::Theme::new(cpitop::app::frame::ColorLevel::None);
    cpitop::app::help::lines(s, &theme)
        .iter()
        .map(|l| l.spans.iter().map(|sp| sp.content.as_ref()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Help says what each key does in the view it is shown for.
#[test]
fn help_is_right_for_each_view() {
    let mut s = state(120, 40);
    let line = |text: &str, key: &str| -> String {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .unwrap_or_default()
            .to_string()
    };
    let arts = help_text(&s);
    assert!(line(&arts, "f").contains("not started"), "{arts}");
    assert!(line(&arts, "R").contains("restart"), "{arts}");
    assert!(line(&arts, "F").contains("failed messages"), "{arts}");
    assert!(line(&arts, "G end").contains("bottom"), "{arts}");
    assert!(
        line(&arts, "ctrl-c").contains("from any view"),
        "ctrl-c is its own line: {arts}"
    );
    assert!(line(&arts, "q").contains("drill-down: back"), "{arts}");
    assert!(
        arts.contains("/!a") && arts.contains("/~re"),
        "the filter's words: {arts}"
    );
    apply(&mut s, [key('3')]);
    let queues = help_text(&s);
    assert!(line(&queues, "f").contains("queues with problems"), "{queues}");
    apply(&mut s, [key('2')]);
    let msgs = help_text(&s);
    assert!(line(&msgs, "f").contains("failed messages"), "{msgs}");
}

/// `F` on an artifact: its failed messages, newest first, on the Messages pane; `Enter` then
/// opens the newest one.
#[test]
fn from_an_artifact_to_its_failures_in_one_key() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    // A `/` filter left on the Messages pane from an earlier question does not hide the answer.
    s.messages.list.filter = "AGZ0-an-older-question".into();
    apply(&mut s, [Msg::Paste("Invoice_Outbound".into())]);
    apply(&mut s, [key('F')]);
    assert_eq!(s.pane(), Pane::Messages);
    assert_eq!(s.messages.list.filter, "");
    assert_eq!(s.messages.query.iflow.as_deref(), Some("Invoice_Outbound"));
    assert_eq!(s.messages.query.status.as_deref(), Some("FAILED"));
    load_messages(&mut s, messages_of("Invoice_Outbound", "FAILED"));
    assert_eq!(s.messages.list.selected, 0, "the newest is selected");
    let newest = s.messages.selected_key().expect("a row");
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(
        s.route(),
        &Route::Messages(messages::Route::Detail { guid: newest })
    );
    // An iFlow without failures: the empty list says what it looked for, and where.
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [Msg::Paste("Invoice_Outbound".into()), key('F')]);
    load_messages(&mut s, Vec::new());
    let b = screen(&s);
    assert!(
        find(
            &b,
            "No messages with status=FAILED, iflow=Invoice_Outbound in the last 1h."
        )
        .is_some(),
        "{}",
        (0..24).map(|y| row_text(&b, y)).collect::<Vec<_>>().join("\n")
    );
    // Not an iFlow: said so, nowhere to go.
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [Msg::Paste("VM_Currency".into()), key('F')]);
    assert_eq!(s.pane(), Pane::Artifacts);
    assert!(s.toast.expect("a word").text.contains("only integration flows"));
}

/// The evidence of an alert: `F` on a message or artifact row opens its iFlow's failures.
#[test]
fn from_an_alerts_evidence_to_its_failures() {
    use cpitop::monitor::Evidence;
    let mut s = state(80, 24);
    s.alerts.evidence = alerts::state::EvidenceTable::of(
        "failures",
        &[Evidence::Message {
            guid: "AGZ0aaaaaaaaaaaaaaaaaaaaaa02".into(),
            iflow: "Invoice_Outbound".into(),
        }],
    );
    s.stack = vec![
        Route::home(Pane::Alerts),
        Route::Alerts(alerts::Route::Evidence {
            key: "failures".into(),
        }),
    ];
    s.rebuild_focused();
    apply(&mut s, [key('F')]);
    assert_eq!(s.pane(), Pane::Messages);
    assert_eq!(s.messages.query.iflow.as_deref(), Some("Invoice_Outbound"));
}

/// Messages of one iFlow and status, newest first, a minute apart.
fn messages_of(iflow: &str, status: &str) -> Vec<cpitop::cpi::model::MessageProcessingLog> {
    (1..=30)
        .map(|i| {
            mpl(
                &format!("AGZ0bbbbbbbbbbbbbbbbbbbbbb{i:02}"),
                iflow,
                status,
                i,
                500,
            )
        })
        .collect()
}

/// After `f`, a sort or a `/` filter the view starts at the newest row, not at an old position
/// among older matches.
#[test]
fn a_filter_sort_or_toggle_starts_at_the_newest_row() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    let mut rows = messages_of("Orders_Inbound", "COMPLETED");
    rows.extend((31..=40).map(|i| {
        mpl(
            &format!("AGZ0ffffffffffffffffffffff{i:02}"),
            "Orders_Inbound",
            "FAILED",
            i,
            500,
        )
    }));
    load_messages(&mut s, rows);
    // Deep down the list, on a FAILED row.
    apply(&mut s, [Msg::Action(Action::Bottom)]);
    assert!(s.messages.list.offset > 0);
    apply(&mut s, [key('f')]);
    assert_eq!((s.messages.list.selected, s.messages.list.offset), (0, 0));
    assert_eq!(
        s.messages.selected_key().as_deref(),
        Some("AGZ0ffffffffffffffffffffff31")
    );
    apply(&mut s, [Msg::Action(Action::Bottom), key('/')]);
    apply(&mut s, typed("ffff"));
    assert_eq!(s.messages.list.selected, 0, "the filter starts at the top");
    apply(
        &mut s,
        [code(KeyCode::Enter), Msg::Action(Action::Bottom), key('>')],
    );
    assert_eq!(
        (s.messages.list.selected, s.messages.list.offset),
        (0, 0),
        "and a sort"
    );
}

/// Every pane keeps a tab at any width: titles and counts are abbreviated, never cut off.
#[test]
fn tabs_are_abbreviated_before_they_are_dropped() {
    for w in [80u16, 60, 40] {
        let mut s = state(w, 20);
        load_artifacts(&mut s, artifacts());
        load_messages(&mut s, messages());
        apply(&mut s, [key('2')]);
        let b = screen(&s);
        let tabs = row_text(&b, 1);
        for n in ["1", "2 Mes", "3", "4"] {
            assert!(tabs.contains(n), "{w}: {n} in {tabs:?}");
        }
        assert!(
            tabs.contains('!') || tabs.contains("failed"),
            "{w}: counts kept: {tabs:?}"
        );
        assert!(!tabs.trim_end().ends_with('…'), "{w}: {tabs:?}");
    }
    let s = state(60, 20);
    let tabs = row_text(&screen(&s), 1);
    assert!(tabs.contains("4 Ale"), "at 60 the Alerts tab is there: {tabs:?}");
    for n in ["0 Ten", "1 Art", "5 Err", "6 Key"] {
        assert!(
            tabs.contains(n),
            "at 60 every tab keeps three letters: {n} in {tabs:?}"
        );
    }
}

/// Narrow terminals show the ids before the secondary columns; `ctrl-w` shows every column.
#[test]
fn narrow_columns_put_the_ids_first_and_ctrl_w_shows_all() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    let titles = row_text(&screen(&s), 3);
    assert!(titles.contains("MESSAGE ID"), "{titles:?}");
    assert!(!titles.contains("SENDER"), "{titles:?}");
    apply(&mut s, [ctrl('w')]);
    let titles = row_text(&screen(&s), 3);
    for t in ["STATUS", "END", "IFLOW", "SEND", "RECE", "APP", "DUR", "MESS"] {
        assert!(titles.contains(t), "wide: {t} in {titles:?}");
    }
    assert!(s.messages.list.wide);
}

/// The `/` filter's language (several words, `!negation`, `~regex`) in the generic tables and
/// in the Messages pane's store; a regular expression that does not compile is said, not used.
#[test]
fn the_filter_language_works_in_every_table() {
    let mut s = state(120, 30);
    load_artifacts(&mut s, artifacts());
    let shown = |s: &State| -> Vec<String> {
        let t = s.table().expect("a table");
        let cx = s.cell_cx();
        t.list().rows().map(|r| t.cell(r, 0, &cx)).collect()
    };
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("!started"));
    assert_eq!(shown(&s), vec!["ERROR", "ERROR", "STARTING"]);
    apply(&mut s, [ctrl('u')]);
    apply(&mut s, typed("~^(error|starting)$ !payment"));
    assert_eq!(shown(&s), vec!["ERROR", "ERROR"]);
    apply(&mut s, [code(KeyCode::Esc), key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("invoice failed"));
    assert_eq!(shown(&s), vec!["FAILED", "FAILED"], "both words");
    apply(&mut s, [ctrl('u')]);
    apply(&mut s, typed("!completed"));
    assert!(!shown(&s).is_empty() && shown(&s).iter().all(|st| st != "COMPLETED"));
    apply(&mut s, [ctrl('u')]);
    apply(&mut s, typed("~^orders_in"));
    let rows = s.messages.list.len();
    assert!(rows > 0 && rows < 10, "{rows}");
    apply(&mut s, [ctrl('u')]);
    apply(&mut s, typed("~(ab"));
    let footer = row_text(&screen(&s), 29);
    assert!(
        footer.contains("regex ~(ab: unclosed group (left out)"),
        "{footer:?}"
    );
    assert_eq!(s.messages.list.len(), 10, "left out: every row");
}

fn crumb(s: &State) -> String {
    row_text(&screen(s), 2)
}

/// Outside live mode the selection stays on its message while rows arrive; the rows that came
/// above the viewport are counted in the breadcrumb, and `g` (top) goes there.
#[test]
fn rows_arriving_above_a_kept_position_are_counted() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages_of("Orders_Inbound", "COMPLETED"));
    apply(&mut s, [Msg::Action(Action::Bottom)]);
    let kept = s.messages.selected_key();
    assert!(!crumb(&s).contains("newer"), "{}", crumb(&s));
    let newer: Vec<_> = (1..=12)
        .map(|i| {
            mpl(
                &format!("AGZ0cccccccccccccccccccc{i:04}"),
                "Orders_Inbound",
                "FAILED",
                0,
                100,
            )
        })
        .collect();
    let m = page(&s, &newer);
    apply(&mut s, [m]);
    assert_eq!(
        s.messages.selected_key(),
        kept,
        "the selection stays on its message"
    );
    assert!(crumb(&s).contains("12 newer ↑"), "{}", crumb(&s));
    let footer = row_text(&screen(&s), 23);
    assert!(footer.contains("g newest"), "the key that goes there: {footer:?}");
    apply(&mut s, [key('g')]);
    assert!(!crumb(&s).contains("newer"), "{}", crumb(&s));
    assert!(
        s.messages
            .selected_key()
            .is_some_and(|k| k.starts_with("AGZ0cccc")),
        "the newest are on screen"
    );
}

/// A new window keeps what is held where it still belongs (a longer or shorter rolling window),
/// a narrower server filter shows the held rows that pass it at once, anything else keeps the
/// previous rows marked until the new query's first rows arrive; the breadcrumb says it loads.
#[test]
fn window_and_filter_changes_keep_the_screen() {
    let mut s = state(140, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('w')]);
    assert_eq!(s.messages.query.window_ms, 4 * 3_600_000);
    assert_eq!(s.messages.list.len(), 10, "the 1h rows belong to the 4h window");
    let b = screen(&s);
    assert!(crumb(&s).contains("loading… 0 rows"), "{}", crumb(&s));
    assert!(
        row_text(&b, 4).starts_with("COMPLETED"),
        "rows on screen, not a placeholder"
    );
    // The new window's first page: merged with what is held (upserted by id).
    let newer = [mpl(
        "AGZ0dddddddddddddddddddd0001",
        "Orders_Inbound",
        "FAILED",
        0,
        100,
    )];
    let m = page(&s, &newer);
    apply(&mut s, [m]);
    assert_eq!(s.messages.list.len(), 11);
    assert!(crumb(&s).contains("loading… 1 rows"), "{}", crumb(&s));
    assert_eq!(s.messages.list.selected, 0, "a window load follows the newest");
    load_messages(&mut s, vec![]);
    assert!(s.messages.loading.is_none() && !crumb(&s).contains("loading"));

    // Narrower: an iFlow added. The held rows of that iFlow show at once.
    apply(&mut s, [Msg::Command("iflow Orders_Inbound".into())]);
    let shown: Vec<String> = (0..s.messages.list.len())
        .map(|i| {
            let r = s.messages.list.row_at(i).expect("row");
            s.messages.cell(r, 2, &s.cell_cx())
        })
        .collect();
    assert!(
        !shown.is_empty() && shown.iter().all(|f| f == "Orders_Inbound"),
        "{shown:?}"
    );
    assert!(s.messages.previous.is_none());

    // Another iFlow: the rows held are the previous query's, marked, until the new ones arrive.
    apply(&mut s, [Msg::Command("iflow Invoice_Outbound".into())]);
    assert_eq!(s.messages.list.len(), shown.len(), "the previous rows stay");
    assert!(
        crumb(&s).contains("still showing iflow=Orders_Inbound › ◐ loading… 0 rows"),
        "{}",
        crumb(&s)
    );
    let r = s.messages.list.row_at(0).expect("a row");
    assert_eq!(s.messages.tone(r, 0), cpitop::kit::table::Tone::Muted, "dimmed");
    let invoices = [mpl(
        "AGZ0eeeeeeeeeeeeeeeeeeee0001",
        "Invoice_Outbound",
        "FAILED",
        1,
        100,
    )];
    let m = page(&s, &invoices);
    apply(&mut s, [m]);
    assert_eq!(s.messages.list.len(), 1, "replaced by the new query's rows");
    assert!(!crumb(&s).contains("still showing"));

    // A shorter rolling window drops the older rows at once.
    apply(&mut s, [Msg::Command("iflow all".into())]);
    load_messages(&mut s, messages());
    assert_eq!(
        s.messages.total(),
        10,
        "the first page of `all` replaced the invoices"
    );
    apply(&mut s, [Msg::Command("window 15m".into())]);
    assert!(
        s.messages.total() < 10 && s.messages.total() > 0,
        "only what the 15 minutes hold: {}",
        s.messages.total()
    );
}

/// A new window abandons the load under way: the 24 h load does not run to its end (half a
/// minute at the default rate limit) before the window asked for now starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_window_abandons_the_load_under_way() {
    use cpitop::app::msg::{DataMsg, MessageQuery, MessagesEvent, PollPlan, PollSpec};
    use cpitop::cpi::CpiClient;
    use cpitop::sim::SimConfig;
    use cpitop::tui::poll::Pollers;
    use std::time::Duration;
    let sim = cpitop::sim::spawn(SimConfig::default()).await.expect("sim");
    let client = CpiClient::new(sim.demo_conn("t")).expect("client");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4096);
    let mut pollers = Pollers::new(client, tx);
    let plan = |generation: u64, hours: i64| PollPlan {
        messages: Some((
            PollSpec {
                generation,
                interval_ms: 600_000,
            },
            MessageQuery {
                window_ms: hours * 3_600_000,
                ..MessageQuery::default()
            },
        )),
        ..PollPlan::default()
    };
    pollers.apply(&plan(1, 24));
    // The 24 h load is under way (its first pages came).
    let mut pages = 0;
    while pages < 3 {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Msg::Data(DataMsg::Messages {
                generation: 1,
                event: MessagesEvent::Page(_),
                ..
            }))) => pages += 1,
            Ok(Some(_)) => {}
            other => panic!("no pages of the 24 h load: {other:?}"),
        }
    }
    pollers.apply(&plan(2, 1));
    let mut old_pages_after = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(90), rx.recv()).await {
            Ok(Some(Msg::Data(DataMsg::Messages {
                generation, event, ..
            }))) => match (generation, event) {
                (1, MessagesEvent::Page(_)) => old_pages_after += 1,
                (2, MessagesEvent::Done) => break,
                (2, MessagesEvent::Failed(e)) => panic!("{e}"),
                _ => {}
            },
            Ok(Some(_)) => {}
            other => panic!("the 1 h window never completed: {other:?}"),
        }
    }
    pollers.stop_all();
    assert!(
        old_pages_after < 20,
        "the 24 h load was abandoned, not run to its end: {old_pages_after} more pages"
    );
}

/// A tenant whose secret is missing: nothing polls, the banner says why and how to switch, the
/// header says it is not connected, the panes say nothing is loaded (not "loading").
#[test]
fn a_tenant_that_cannot_be_used_asks_nothing_and_says_why() {
    use cpitop::app::Keymap;
    let mut s = State::new(tenant(), Keymap::defaults(), NOW);
    s.unusable = Some("the client secret variable $CPITOP_PROD_SECRET is not set".into());
    let fx = apply(&mut s, [Msg::Resize(80, 24), key('2'), key('3'), key('1')]);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Poll(_))),
        "no poller: {fx:?}"
    );
    let b = screen(&s);
    assert!(row_text(&b, 0).contains("not connected"), "{}", row_text(&b, 0));
    let banner = row_text(&b, 2);
    assert!(
        banner.contains("$CPITOP_PROD_SECRET is not set · :ctx switches"),
        "{banner}"
    );
    assert!(find(&b, "No artifacts loaded.").is_some(), "{b:?}");
}

/// The README's keys table names every key of the built-in keymap (src/kit/keys.toml), and no
/// key the keymap does not bind (a stale row, like `Ctrl-u` for undeploy, fails).
#[test]
fn the_readme_keys_table_is_the_keymap() {
    use std::collections::BTreeSet;
    let readme = include_str!("../../README.md");
    let section = readme.split("\n## Keys\n").nth(1).expect("a Keys section");
    let rows: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with("| key |"))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .collect();
    assert!(rows.len() > 10, "{rows:?}");
    // Names any case (`Ctrl-r`, `PgUp`), single characters as they are (`g` is not `G`).
    let norm = |k: &str| {
        if k.chars().count() > 1 {
            k.to_lowercase()
        } else {
            k.to_string()
        }
    };
    let listed: BTreeSet<String> = rows
        .iter()
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|keys| keys.split('`').skip(1).step_by(2).map(norm).collect::<Vec<_>>())
        .collect();
    let keymap = cpitop::app::Keymap::defaults();
    let bound: BTreeSet<String> = cpitop::kit::keymap::Context::ALL
        .iter()
        .flat_map(|ctx| keymap.context(*ctx).to_vec())
        .flat_map(|(_, keys)| keys.into_iter().map(|k| norm(&k.to_string())))
        .collect();
    let missing: Vec<&String> = bound.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&bound).collect();
    assert!(
        missing.is_empty(),
        "keys of keys.toml missing from README's table: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "keys in README's table the keymap does not bind: {stale:?}"
    );
}

/// `:status FAILD` is refused with the valid values, and nothing is fetched.
#[test]
fn a_status_that_is_not_one_is_refused_with_the_valid_ones() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    let generation = s.messages.load.generation;
    let fx = apply(&mut s, [Msg::Command("status FAILD".into())]);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Poll(_))),
        "nothing is fetched: {fx:?}"
    );
    assert_eq!(s.messages.query.status, None);
    assert_eq!(s.messages.load.generation, generation);
    let toast = s.toast.as_ref().map(|t| t.text.clone()).unwrap_or_default();
    assert!(
        toast.contains("FAILD") && toast.contains("COMPLETED") && toast.contains("FAILED"),
        "{toast}"
    );
}
