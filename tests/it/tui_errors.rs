//! The Errors pane (issue 16): snapshots in each state (loading, data, empty, error, stale,
//! filtered, provisional groups, the new marker, a group's members) at 80x24 and 160x45 with a
//! fixed clock, and what its keys do — members, a member's detail and the newest member's error
//! through `Nav` intents, the split per iFlow, texts asked newest first within the budget, the
//! message window polled for it.

use crate::tui_support;

use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::state::Route;
use cpitop::app::{State, apply};
use cpitop::panes::errors::{Errors, ErrorsLaunch, Settings};
use cpitop::panes::{errors, messages};
use cpitop::signature::{SeenSignatures, Signer};
use crossterm::event::KeyCode;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

/// The pane open (`5`) with `[errors]` settings and remembered signatures.
fn open(w: u16, h: u16, launch: &ErrorsLaunch) -> State {
    let mut s = state(w, h);
    s.errors = Errors::launched(launch, &s.errors);
    let fx = apply(&mut s, [key('5')]);
    drive_errors(&mut s, fx, None);
    s
}

fn launch() -> ErrorsLaunch {
    ErrorsLaunch::default()
}

/// The failures loaded and every text read.
fn loaded(w: u16, h: u16, launch: &ErrorsLaunch) -> State {
    let mut s = open(w, h, launch);
    let (msgs, texts) = failures();
    load_failures(&mut s, &msgs, Some(&texts));
    s
}

#[test]
fn errors_pane_in_each_state() {
    for (w, h) in SIZES {
        let s = open(w, h, &launch());
        snap("errors_loading", &s);

        let s = loaded(w, h, &launch());
        snap("errors_data", &s);

        // Failures without error information (the tenant answers none for each).
        let mut s = open(w, h, &launch());
        load_failures(&mut s, &messages(), Some(&[]));
        snap("errors_no_text", &s);

        let mut s = open(w, h, &launch());
        let completed: Vec<_> = messages()
            .into_iter()
            .filter(|m| m.status == "COMPLETED")
            .collect();
        load_failures(&mut s, &completed, Some(&[]));
        snap("errors_empty", &s);

        let mut s = open(w, h, &launch());
        fail_messages(
            &mut s,
            "GET /api/v1/MessageProcessingLogs: 503 Service Unavailable (retried 4 times)",
        );
        snap("errors_error", &s);

        let mut s = loaded(w, h, &launch());
        fail_messages(
            &mut s,
            "GET /api/v1/MessageProcessingLogs: 503 Service Unavailable (retried 4 times)",
        );
        snap("errors_stale", &s);

        let mut s = loaded(w, h, &launch());
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("refused"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("errors_filtered", &s);
    }
}

/// Until a text arrives its message is grouped by iFlow and status, shown as such; the line
/// above says how many texts are still to fetch within the budget.
#[test]
fn provisional_groups_until_the_texts_arrive() {
    for (w, h) in SIZES {
        let budget = ErrorsLaunch {
            settings: Settings {
                budget: 4,
                ..Settings::default()
            },
            ..launch()
        };
        let mut s = open(w, h, &budget);
        let (msgs, texts) = failures();
        let asked = load_failures(&mut s, &msgs, Some(&texts));
        assert_eq!(asked.len(), 4, "the budget of this minute: {asked:?}");
        snap("errors_provisional", &s);
    }
}

/// A signature seen days before the window is not new; the others are (kept across restarts:
/// what the launch read from the state dir).
#[test]
fn the_new_marker_is_relative_to_the_signatures_remembered() {
    let (_, texts) = failures();
    let text_401 = texts[7].1.clone().unwrap();
    let key = Signer::default()
        .sign(cpitop::signature::normalise::head(&text_401), None)
        .key;
    let mut seen = SeenSignatures::default();
    seen.begin(NOW - 10 * 86_400_000);
    seen.observe(key, NOW - 3 * 86_400_000);
    let remembered = ErrorsLaunch { seen, ..launch() };
    for (w, h) in SIZES {
        let s = loaded(w, h, &remembered);
        snap("errors_new_marker", &s);
        let (n, new) = s.errors.counts();
        assert_eq!((n, new), (3, 2), "the 401 is known");
    }
}

#[test]
fn a_groups_members_newest_first_and_a_members_detail() {
    for (w, h) in SIZES {
        let mut s = loaded(w, h, &launch());
        apply(&mut s, [code(KeyCode::Enter)]);
        assert!(
            matches!(s.route(), Route::Errors(errors::Route::Members { .. })),
            "{:?}",
            s.route()
        );
        snap("errors_members", &s);
        let newest = format!("{FAIL_PREFIX}f01");
        let fx = apply(&mut s, [code(KeyCode::Enter)]);
        assert_eq!(
            s.route(),
            &Route::Messages(messages::Route::Detail { guid: newest.clone() }),
            "Enter on a member opens its detail (a Nav intent)"
        );
        assert!(fx.contains(&Effect::FetchMessage { guid: newest }));
        apply(&mut s, [code(KeyCode::Esc)]);
        assert!(matches!(s.route(), Route::Errors(errors::Route::Members { .. })));
    }
}

#[test]
fn one_key_opens_the_newest_members_error() {
    let mut s = loaded(160, 45, &launch());
    // The second group: the 401s (three members, the newest 4 minutes ago).
    apply(&mut s, [key('j')]);
    let fx = apply(&mut s, [key('n')]);
    let newest = format!("{FAIL_PREFIX}f08");
    assert_eq!(
        s.route(),
        &Route::Messages(messages::Route::Detail { guid: newest.clone() })
    );
    assert!(fx.contains(&Effect::FetchMessage { guid: newest }));
}

#[test]
fn split_per_iflow_regroups_off_the_input_path() {
    let mut s = loaded(160, 45, &launch());
    assert_eq!(s.errors.counts().0, 3);
    let fx = apply(&mut s, [key('i')]);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::GroupErrors(_))),
        "the grouping is an effect: {fx:?}"
    );
    assert_eq!(s.errors.counts().0, 3, "the old groups stay until it returns");
    drive_errors(&mut s, fx, Some(&[]));
    // The refused connection in three iFlows, the 401 in one, the mapping in one.
    assert_eq!(s.errors.counts().0, 5);
    assert!(s.errors.grouped.per_iflow);
}

#[test]
fn the_pane_polls_the_message_window_and_answers_to_its_names() {
    let mut s = state(160, 45);
    let fx = apply(&mut s, [key('5')]);
    let polls_messages = fx
        .iter()
        .any(|e| matches!(e, Effect::Poll(p) if p.messages.is_some()));
    assert!(polls_messages, "{fx:?}");
    apply(&mut s, [key('1')]);
    apply(&mut s, [Msg::Command("e".into())]);
    assert_eq!(s.route(), &Route::Errors(errors::Route::List));
    apply(&mut s, [key('1')]);
    apply(&mut s, [Msg::Command("errors".into())]);
    assert_eq!(s.route(), &Route::Errors(errors::Route::List));
}

/// Texts are asked newest first, at most the budget in any minute, never twice, never for a
/// DISCARDED message (here one whose custom status counts as an error).
#[test]
fn texts_are_asked_newest_first_within_the_budget() {
    let launch = ErrorsLaunch {
        settings: Settings {
            budget: 3,
            custom_statuses: vec!["ERROR".into()],
            ..Settings::default()
        },
        ..launch()
    };
    let mut s = open(160, 45, &launch);
    let (mut msgs, _) = failures();
    let mut discarded = mpl(&format!("{FAIL_PREFIX}d01"), "Orders_Inbound", "DISCARDED", 1, 10);
    discarded.custom_status = "ERROR".into();
    msgs.push(discarded);
    let asked = load_failures(&mut s, &msgs, None);
    let id = |x: &str| format!("{FAIL_PREFIX}{x}");
    assert_eq!(asked, [id("f01"), id("f08"), id("f02")], "newest first");
    // Within the same minute nothing more; the next minute the next three.
    let fx = apply(&mut s, [Msg::Tick(NOW + 30_000)]);
    assert!(drive_errors(&mut s, fx, None).is_empty());
    let fx = apply(&mut s, [Msg::Tick(NOW + 60_000)]);
    assert_eq!(drive_errors(&mut s, fx, None), [id("f11"), id("f03"), id("f13")]);
    assert!(
        s.errors.grouped.rows.iter().any(|r| r.discarded),
        "the DISCARDED message counts (custom status ERROR)"
    );
    // An answer makes it a signature; a failed fetch is asked again only later.
    let fx = apply(
        &mut s,
        [Msg::Data(DataMsg::ErrorText {
            guid: id("f01"),
            result: Err(cpitop::resources::FetchError::Other("HTTP 500".into())),
        })],
    );
    drive_errors(&mut s, fx, None);
    let fx = apply(&mut s, [Msg::Tick(NOW + 120_000)]);
    let again = drive_errors(&mut s, fx, None);
    assert!(!again.contains(&id("f01")), "{again:?}");
    assert!(!again.contains(&id("d01")));
}

/// The signature rules in the TUI read the Errors pane's grouping of the message window (kept
/// polled in every pane while such rules exist): a signature above its count turns its monitor
/// to error with its newest messages as evidence.
#[test]
fn the_signature_rules_read_the_errors_panes_groups() {
    let toml_text = r#"
[[defaults]]
key = "big-error"
name = "A big error"
rules = [{ kind = "error_signature_count", above = 5, within = "1h" }]
"#;
    let table: toml::Table = toml::from_str(toml_text).unwrap();
    let cfg = cpitop::headless::monitors_from_table(&table, None).unwrap();
    let (launch, _) = cpitop::panes::alerts::AlertsLaunch::new(&cfg, "acme-prod", None, "/cfg".into());
    let mut s = state(160, 45);
    s.alerts = cpitop::panes::alerts::Alerts::new(launch.setup, "acme-prod", NOW);
    let fx = apply(&mut s, [key('4')]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(p) if p.messages.is_some())),
        "the message window polls on the Alerts pane too: {fx:?}"
    );
    let (msgs, texts) = failures();
    load_failures(&mut s, &msgs, Some(&texts));
    assert!(s.errors.grouped_once, "grouped while the rules need it");
    apply(&mut s, [Msg::Tick(NOW + 5_000)]);
    let m = s.alerts.state.get("big-error").expect("evaluated");
    assert_eq!(m.status, cpitop::monitor::Status::Error, "{}", m.text);
    assert!(
        m.text.contains("Connection refused") && m.text.contains("7 failed messages in 1h (> 5;"),
        "{}",
        m.text
    );
    assert_eq!(
        m.evidence.first(),
        Some(&cpitop::monitor::Evidence::Message {
            guid: format!("{FAIL_PREFIX}f01"),
            iflow: "Orders_Inbound".into()
        })
    );
}

/// Texts in the offline cache (fetched before, by this pane or a message's detail) are used
/// without a request; texts fetched are remembered there.
#[test]
fn the_offline_cache_of_error_texts_is_reused() {
    use cpitop::features::cache::CacheSync;
    use cpitop::features::cache::data::CachedText;
    let mut s = open(160, 45, &launch());
    s.cache = CacheSync::for_tenant("acme-prod", "https://acme.example.com", 0);
    let (msgs, texts) = failures();
    let f01 = format!("{FAIL_PREFIX}f01");
    let cached = texts[0].1.clone().unwrap();
    s.cache
        .errors
        .messages
        .insert(f01.clone(), CachedText::new(&cached, NOW - 3_600_000));
    let asked = load_failures(&mut s, &msgs, Some(&texts));
    assert!(!asked.contains(&f01), "taken from the cache: {asked:?}");
    assert_eq!(asked.len(), 12, "the others fetched");
    let f08 = format!("{FAIL_PREFIX}f08");
    assert!(
        s.cache.errors.messages.contains_key(&f08) && s.cache.errors_dirty,
        "fetched texts are remembered in the cache"
    );
    let row = s.errors.grouped.rows.iter().position(|r| r.guid == f01).unwrap();
    let g = s.errors.grouped.group_of(row).unwrap();
    assert!(g.template.contains("Connection refused"), "{}", g.template);
}
