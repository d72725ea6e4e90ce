//! The offline cache and tenant switching in the TUI state: cached data shown at once and marked
//! stale with its age, replaced by fresh data, still readable while the tenant is unreachable;
//! debounced saves; `:ctx` listing and switching. Pure `update` tests plus snapshots at 80x24 and
//! 160x45 with a fixed clock.

use crate::tui_support;

use cpitop::app::cache::{CacheLoaded, CacheSave, CacheSync};
use cpitop::app::msg::{DataMsg, Effect, MessagesEvent, Msg};
use cpitop::app::state::{Environment, Intervals, Mode, Pane, TenantInfo};
use cpitop::app::tenant::{ClientHandle, CtxEntry, TenantMsg, TenantReady};
use cpitop::app::{Route, State, apply};
use cpitop::config::Environment as Env;
use cpitop::cpi::client::CpiClient;
use cpitop::cpi::conn::{Auth, Limits, TenantConn};
use cpitop::kit::load::Phase;
use cpitop::secret::Secret;
use crossterm::event::KeyCode;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];
const TWO_HOURS: i64 = 2 * 3_600_000;

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

/// A state whose tenant has a cache (as after `ctx::install`).
fn cached_state(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    s.cache = CacheSync::for_tenant(
        "acme-prod",
        "https://acme.it-cpi018.cfapps.eu10.hana.ondemand.com",
        1_000,
    );
    s
}

fn loaded(tenant: &str) -> CacheLoaded {
    CacheLoaded {
        tenant: tenant.into(),
        artifacts: Some((NOW - TWO_HOURS, artifacts())),
        queues: Some((NOW - TWO_HOURS, queues())),
        messages: Some((NOW - TWO_HOURS, batch(&messages()))),
        errors: None,
        warnings: Vec::new(),
    }
}

fn header(s: &State) -> String {
    row_text(&screen(s), 0)
}

fn saves(fx: &[Effect]) -> Vec<&CacheSave> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::SaveCache(s) => Some(&**s),
            _ => None,
        })
        .collect()
}

#[test]
fn cached_data_is_shown_stale_with_its_age_and_replaced_by_fresh_data() {
    let mut s = cached_state(160, 45);
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
    assert_eq!(s.artifacts.items.len(), artifacts().len());
    assert!(s.artifacts.load.from_cache);
    assert_eq!(s.artifacts.load.phase(s.now, 30_000), Phase::Stale);
    let h = header(&s);
    assert!(h.contains("cached data 2h old (STALE)"), "{h}");
    assert!(h.contains("connecting"), "{h}");
    assert!(!h.contains("connected"), "{h}");

    // Fresh data replaces the cached list.
    let fresh: Vec<_> = artifacts().into_iter().take(2).collect();
    load_artifacts(&mut s, fresh);
    assert!(!s.artifacts.load.from_cache);
    assert_eq!(s.artifacts.items.len(), 2);
    assert_eq!(s.artifacts.load.phase(s.now, 30_000), Phase::Fresh);
    let h = header(&s);
    assert!(
        h.contains("data 4s old") && !h.contains("STALE") && !h.contains("cached"),
        "{h}"
    );
    assert!(h.contains("● connected"), "{h}");

    // The cached messages survive the messages poller starting for the same window ...
    apply(&mut s, [key('2')]);
    assert_eq!(s.messages.store.len(), messages().len());
    assert!(s.messages.load.from_cache);
    assert!(header(&s).contains("cached data 2h old (STALE)"));
    // ... and fresh pages upsert into them; `Done` makes them current.
    load_messages(&mut s, messages().into_iter().take(3).collect());
    assert!(!s.messages.load.from_cache);
    assert_eq!(
        s.messages.store.len(),
        messages().len(),
        "upserted, not duplicated"
    );
}

#[test]
fn cache_never_overrides_fresh_data_nor_another_tenant() {
    let mut s = cached_state(80, 24);
    let fresh: Vec<_> = artifacts().into_iter().take(1).collect();
    load_artifacts(&mut s, fresh);
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
    assert_eq!(s.artifacts.items.len(), 1, "fresh data kept");
    assert!(!s.artifacts.load.from_cache);
    assert_eq!(
        s.queues.rows.len(),
        queues().queues.len(),
        "queues had nothing yet"
    );

    let mut s = cached_state(80, 24);
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-dev")))]);
    assert!(
        s.artifacts.items.is_empty(),
        "the cache of another tenant is dropped"
    );
}

#[test]
fn unreachable_tenant_still_shows_what_was_last_seen() {
    let mut s = cached_state(160, 45);
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
    fail_artifacts(
        &mut s,
        "connection refused: acme-prod.it-cpi018.cfapps.eu10.hana.ondemand.com",
    );
    let b = screen(&s);
    assert!(
        row_text(&b, 2).contains("showing data from 2h ago"),
        "{}",
        row_text(&b, 2)
    );
    assert!(
        find(&b, "Invoice Outbound").is_some(),
        "the cached rows stay visible"
    );
    assert_eq!(s.artifacts.load.phase(s.now, 30_000), Phase::Stale);
}

#[test]
fn cache_warnings_are_shown() {
    let mut s = cached_state(160, 45);
    let c = CacheLoaded {
        tenant: "acme-prod".into(),
        warnings: vec![
            "cached artifacts of tenant `acme-prod` ignored: /c/artifacts.json is corrupt (invalid JSON at line 1, column 3); it will be rebuilt from the tenant".into(),
            "cached queues of tenant `acme-prod` ignored: /c/queues.json is truncated; it will be rebuilt from the tenant".into(),
        ],
        ..CacheLoaded::default()
    };
    apply(&mut s, [Msg::Cache(Box::new(c))]);
    let t = s.toast.as_ref().expect("toast");
    assert!(
        t.text.contains("is corrupt") && t.text.contains("(and 1 more in the log)"),
        "{}",
        t.text
    );
    assert!(s.artifacts.items.is_empty());
}

#[test]
fn saves_follow_fresh_data_debounced_and_flush_on_quit() {
    let mut s = cached_state(80, 24);
    let g = s.artifacts.load.generation;
    let fx = apply(
        &mut s,
        [Msg::Data(DataMsg::Artifacts {
            generation: g,
            at: NOW,
            result: Ok(artifacts()),
        })],
    );
    let sv = saves(&fx);
    assert_eq!(sv.len(), 1);
    assert_eq!(sv[0].tenant, "acme-prod");
    assert!(!sv[0].wait);
    assert_eq!(
        sv[0].artifacts.as_ref().map(|(at, a)| (*at, a.len())),
        Some((NOW, artifacts().len()))
    );
    assert!(sv[0].queues.is_none() && sv[0].messages.is_none());

    // Within the debounce interval nothing is written ...
    apply(&mut s, [key('3')]);
    let g = s.queues.load.generation;
    let fx = apply(
        &mut s,
        [Msg::Data(DataMsg::Queues {
            generation: g,
            at: NOW + 1_000,
            result: Ok(queues()),
        })],
    );
    assert!(saves(&fx).is_empty());
    // ... then only what changed.
    let fx = apply(&mut s, [Msg::Tick(NOW + 15_000)]);
    let sv = saves(&fx);
    assert_eq!(sv.len(), 1);
    assert!(sv[0].artifacts.is_none());
    assert_eq!(
        sv[0].queues.as_ref().map(|(at, q)| (*at, q.queues.len())),
        Some((NOW + 1_000, queues().queues.len()))
    );
    // A refresh right after a save waits for the interval ...
    let g = s.queues.load.generation;
    let fx = apply(
        &mut s,
        [Msg::Data(DataMsg::Queues {
            generation: g,
            at: NOW + 16_000,
            result: Ok(queues()),
        })],
    );
    assert!(saves(&fx).is_empty());
    // ... but quitting writes it at once, and waits for it, before the loop ends.
    let fx = apply(&mut s, [Msg::Command("quit".into())]);
    let save = fx
        .iter()
        .position(|e| matches!(e, Effect::SaveCache(s) if s.wait && s.queues.is_some()));
    let quit = fx.iter().position(|e| *e == Effect::Quit);
    assert!(save.is_some() && save < quit, "{fx:?}");
    // Nothing new: nothing written.
    assert!(saves(&apply(&mut s, [Msg::Tick(NOW + 120_000)])).is_empty());
}

#[test]
fn cached_data_is_not_written_back_and_filtered_windows_are_not_cached() {
    let mut s = cached_state(80, 24);
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
    assert!(saves(&apply(&mut s, [Msg::Tick(NOW + 60_000)])).is_empty());

    let mut s = cached_state(80, 24);
    apply(&mut s, [Msg::Command("status FAILED".into())]);
    let g = s.messages.load.generation;
    let fx = apply(
        &mut s,
        [
            Msg::Data(DataMsg::Messages {
                generation: g,
                at: NOW,
                event: MessagesEvent::Page(batch(&messages())),
            }),
            Msg::Data(DataMsg::Messages {
                generation: g,
                at: NOW,
                event: MessagesEvent::Done,
            }),
        ],
    );
    assert!(
        saves(&fx).iter().all(|sv| sv.messages.is_none()),
        "a server-filtered window is not the tenant's newest messages"
    );
    assert!(!s.messages.store.is_empty());
}

#[test]
fn fetched_error_texts_answer_a_failed_refetch() {
    let mut s = cached_state(160, 45);
    load_artifacts(&mut s, artifacts());
    let text =
        "Validation of the artifact failed: Script file 'script/invoiceHelper.groovy' could not be found";
    apply(
        &mut s,
        [Msg::Data(DataMsg::ArtifactError {
            id: "Invoice_Outbound".into(),
            result: Ok(Some(text.into())),
        })],
    );
    let fx = apply(&mut s, [Msg::Tick(NOW + 20_000)]);
    assert!(saves(&fx).iter().any(|sv| {
        sv.errors
            .as_ref()
            .is_some_and(|e| e.artifacts["Invoice_Outbound"].text == text)
    }));
    apply(
        &mut s,
        [Msg::Data(DataMsg::ArtifactError {
            id: "Invoice_Outbound".into(),
            result: Err("GET ErrorInformation/$value: connection refused".into()),
        })],
    );
    match s.artifacts.errors.get("Invoice_Outbound") {
        Some(cpitop::kit::load::Fetch::Done(Some(t))) => {
            assert!(t.starts_with(text), "{t}");
            assert!(t.contains("[cached: fetched 20s ago — fetching it again failed: GET ErrorInformation/$value: connection refused]"), "{t}");
        }
        other => panic!("{other:?}"),
    }
}

// --- :ctx -----------------------------------------------------------------------------------

fn entries() -> Vec<CtxEntry> {
    let e = |name: &str, environment, color: &str, read_only, host: Option<&str>| CtxEntry {
        name: name.into(),
        environment,
        color: color.into(),
        read_only,
        host: host.map(str::to_string),
    };
    vec![
        e(
            "acme-dev",
            Env::Dev,
            "green",
            false,
            Some("acme-dev.it-cpi018.cfapps.eu10-003.hana.ondemand.com"),
        ),
        e(
            "acme-qa",
            Env::Test,
            "lightblue",
            false,
            Some("acme-qa.it-cpi018.cfapps.eu10-003.hana.ondemand.com"),
        ),
        e("acme-prod", Env::Prod, "red", true, None),
    ]
}

fn ctx_state(w: u16, h: u16) -> State {
    let mut s = cached_state(w, h);
    s.ctx.entries = entries();
    s.ctx.current = "acme-prod".into();
    let setups = entries()
        .into_iter()
        .map(|e| cpitop::panes::tenants::TenantSetup {
            tenant: cpitop::landscape::TenantRef::new(&e.name, e.environment, "default"),
            color: e.color.clone(),
            read_only: e.read_only,
            host: e.host.clone(),
            interval_ms: 60_000,
            specs: Vec::new(),
        })
        .collect();
    cpitop::app::tenant::install_fleet(&mut s, setups);
    s
}

fn ready(name: &str, serial: u64) -> TenantReady {
    let conn = TenantConn {
        name: name.into(),
        base_url: "http://127.0.0.1:9".into(),
        auth: Auth::Basic {
            username: "u".into(),
            password: Secret::new("p"),
        },
        limits: Limits::default(),
        ca_bundle: None,
    };
    TenantReady {
        name: name.into(),
        info: TenantInfo {
            name: name.into(),
            env: Some(Environment::Test),
            label: None,
            read_only: false,
            web_ui: None,
        },
        intervals: Intervals::default(),
        window_ms: 4 * 3_600_000,
        max_rows: 20_000,
        cache_rows: 500,
        client: ClientHandle {
            alerts: None,
            errors: None,
            client: CpiClient::new(conn.clone()).expect("client"),
            conn,
            tenant: name.into(),
            serial,
        },
        warnings: Vec::new(),
    }
}

#[test]
fn switching_saves_the_old_tenant_clears_the_data_and_starts_the_new_one() {
    let mut s = ctx_state(160, 45);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [code(KeyCode::Enter)]);
    assert!(matches!(
        s.route(),
        Route::Messages(cpitop::panes::messages::Route::Detail { .. })
    ));
    let old_gen = (s.artifacts.load.generation, s.messages.load.generation);

    let fx = apply(&mut s, [Msg::Command("ctx acme-qa".into())]);
    let save = fx.iter().position(
        |e| matches!(e, Effect::SaveCache(sv) if sv.tenant == "acme-prod" && sv.messages.is_some()),
    );
    let switch = fx.iter().position(|e| {
        *e == Effect::SwitchTenant {
            name: "acme-qa".into(),
        }
    });
    assert!(save.is_some() && save < switch, "old tenant saved first: {fx:?}");
    assert_eq!(s.ctx.switching.as_deref(), Some("acme-qa"));
    assert_eq!(
        s.tenant.name, "acme-prod",
        "nothing changes before the new tenant is ready"
    );

    let fx = apply(
        &mut s,
        [Msg::Tenant(TenantMsg::Ready(Box::new(ready("acme-qa", 7))))],
    );
    assert_eq!(s.tenant.name, "acme-qa");
    assert_eq!(s.tenant.env, Some(Environment::Test));
    assert_eq!(s.ctx.current, "acme-qa");
    assert_eq!(s.ctx.switching, None);
    assert!(s.artifacts.items.is_empty() && s.messages.store.is_empty() && s.messages.detail.is_none());
    assert_eq!(
        s.stack,
        vec![Route::home(Pane::Messages)],
        "same pane, drill-down closed"
    );
    assert_eq!(s.messages.query.window_ms, 4 * 3_600_000);
    assert_eq!(
        s.messages.store.limits().max_messages,
        Some(20_000),
        "messages.max_rows"
    );
    assert_eq!(s.cache.tenant.as_deref(), Some("acme-qa"));
    let use_at = fx
        .iter()
        .position(|e| matches!(e, Effect::UseTenant(h) if h.tenant == "acme-qa" && h.serial == 7));
    let poll_at = fx.iter().position(|e| matches!(e, Effect::Poll(_)));
    assert!(
        use_at.is_some() && use_at < poll_at,
        "client first, then pollers: {fx:?}"
    );
    assert!(fx.contains(&Effect::LoadCache {
        tenant: "acme-qa".into(),
        // The new tenant's own URL: with the name, it keys the cache.
        url: "http://127.0.0.1:9/api/v1".into(),
        message_rows: 500
    }));
    match fx.iter().find(|e| matches!(e, Effect::Poll(_))) {
        Some(Effect::Poll(plan)) => {
            let (spec, _) = plan.messages.as_ref().expect("messages poll");
            assert!(spec.generation > old_gen.1);
        }
        _ => unreachable!(),
    }
    let h = header(&s);
    assert!(h.contains("acme-qa [TEST]"), "{h}");

    // Results of the old tenant's pollers still on their way are dropped.
    apply(
        &mut s,
        [Msg::Data(DataMsg::Artifacts {
            generation: old_gen.0,
            at: NOW,
            result: Ok(artifacts()),
        })],
    );
    assert!(s.artifacts.items.is_empty());
    // Its cache is not the new tenant's.
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
    assert!(s.queues.rows.is_empty());
    apply(&mut s, [Msg::Cache(Box::new(loaded("acme-qa")))]);
    assert_eq!(s.queues.rows.len(), queues().queues.len());
}

#[test]
fn unknown_tenant_gets_a_suggestion() {
    let mut s = ctx_state(80, 24);
    let fx = apply(&mut s, [Msg::Command("ctx acme-prd".into())]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SwitchTenant { .. })));
    let t = &s.toast.as_ref().expect("toast").text;
    assert_eq!(
        t,
        "no tenant `acme-prd` in the config — did you mean `acme-prod`? configured: acme-dev, acme-qa, acme-prod"
    );
    apply(&mut s, [Msg::Command("ctx acme-prod".into())]);
    assert_eq!(s.toast.as_ref().unwrap().text, "already on tenant acme-prod");
}

#[test]
fn failed_switch_stays_and_polls_again() {
    let mut s = ctx_state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [Msg::Command("ctx acme-dev".into())]);
    let fx = apply(
        &mut s,
        [Msg::Tenant(TenantMsg::Failed {
            name: "acme-dev".into(),
            error: "environment variable CPITOP_ACME_DEV_SECRET is not set".into(),
        })],
    );
    assert_eq!(s.tenant.name, "acme-prod");
    assert_eq!(s.artifacts.items.len(), artifacts().len(), "data kept");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(p) if p.artifacts.is_some()))
    );
    assert!(s.toast.as_ref().unwrap().text.starts_with(
        "cannot switch to tenant acme-dev: environment variable CPITOP_ACME_DEV_SECRET is not set — still on acme-prod"
    ));
}

#[test]
fn ctx_opens_the_tenants_pane_and_enter_switches() {
    let mut s = ctx_state(80, 24);
    apply(&mut s, [Msg::Command("ctx".into())]);
    assert_eq!(s.pane(), Pane::Tenants, "`:ctx` is the Tenants pane");
    assert_eq!(s.mode, Mode::Normal);
    // Nothing read yet: production first, the open tenant selected.
    assert_eq!(
        s.tenants.selected().map(|r| r.name().to_string()).as_deref(),
        Some("acme-prod")
    );
    apply(&mut s, [key('j')]);
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.contains(&Effect::SwitchTenant {
        name: "acme-qa".into()
    }));
    // Enter on the open tenant shows its panes.
    let mut s = ctx_state(80, 24);
    apply(&mut s, [Msg::Command("ctx".into())]);
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SwitchTenant { .. })));
    assert_eq!(s.pane(), Pane::Artifacts);
}

#[test]
fn without_configured_tenants_ctx_says_so() {
    let mut s = state(80, 24);
    let fx = apply(&mut s, [Msg::Command("ctx other".into())]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SwitchTenant { .. })));
    assert!(
        s.toast
            .as_ref()
            .unwrap()
            .text
            .starts_with("no tenants are configured to switch to")
    );
    snap("ctx_no_tenants", &s);
}

// --- snapshots ------------------------------------------------------------------------------

#[test]
fn ctx_pane_snapshots() {
    for (w, h) in SIZES {
        let mut s = ctx_state(w, h);
        load_artifacts(&mut s, artifacts());
        apply(&mut s, [Msg::Command("ctx".into()), key('j')]);
        snap("ctx_tenants_pane", &s);
    }
}

#[test]
fn cached_pane_snapshots() {
    for (w, h) in SIZES {
        let mut s = cached_state(w, h);
        apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod")))]);
        snap("artifacts_cached", &s);
        fail_artifacts(
            &mut s,
            "connection refused: acme-prod.it-cpi018.cfapps.eu10.hana.ondemand.com:443",
        );
        snap("artifacts_cached_unreachable", &s);
        let mut s = cached_state(w, h);
        apply(&mut s, [Msg::Cache(Box::new(loaded("acme-prod"))), key('2')]);
        snap("messages_cached", &s);
    }
}

#[test]
fn the_message_window_is_written_at_most_every_minute_but_always_on_quit() {
    let mut s = cached_state(80, 24);
    apply(&mut s, [key('2')]);
    let window = |s: &mut State, at: i64, n: usize| {
        let g = s.messages.load.generation;
        apply(
            s,
            [
                Msg::Tick(at),
                Msg::Data(DataMsg::Messages {
                    generation: g,
                    at,
                    event: MessagesEvent::Page(batch(&messages()[..n])),
                }),
                Msg::Data(DataMsg::Messages {
                    generation: g,
                    at,
                    event: MessagesEvent::Done,
                }),
            ],
        )
    };
    let with_messages = |fx: &[Effect]| saves(fx).iter().filter(|sv| sv.messages.is_some()).count();
    assert_eq!(
        with_messages(&window(&mut s, NOW, 3)),
        1,
        "first window written at once"
    );
    assert_eq!(
        with_messages(&window(&mut s, NOW + 20_000, 5)),
        0,
        "not again within a minute"
    );
    assert_eq!(with_messages(&window(&mut s, NOW + 61_000, 7)), 1);
    window(&mut s, NOW + 70_000, 9);
    let fx = apply(&mut s, [Msg::Command("quit".into())]);
    let sv = saves(&fx);
    let (_, store, rows) = sv[0].messages.as_ref().expect("written on quit");
    assert_eq!((store.len(), *rows), (9, 1_000));
}

#[test]
fn ctx_list_colours_environments_from_the_config() {
    use ratatui::style::Color;
    let mut s = ctx_state(160, 45);
    apply(&mut s, [Msg::Command("ctx".into())]);
    let b = screen(&s);
    let bg_at = |needle: &str| {
        let (x, y) = find(&b, needle).unwrap_or_else(|| panic!("{needle} shown"));
        b.buffer()[(x, y)].bg
    };
    assert_eq!(bg_at(" PROD "), Color::Red);
    assert_eq!(bg_at(" TEST "), Color::LightBlue);
    assert_eq!(bg_at(" DEV  "), Color::Green);
}

#[test]
fn switching_replaces_the_alert_monitors_with_the_new_tenants() {
    let monitors = r#"
[[tenants.acme-qa]]
key = "qa_orders"
name = "QA orders stopped"
scope = { iflow = "Orders_Inbound" }
rules = [{ kind = "not_started" }]
"#;
    let table: toml::Table = toml::from_str(monitors).expect("monitors toml");
    let cfg = cpitop::headless::monitors_from_table(&table, None).expect("valid monitors");
    let (launch, warnings) = cpitop::panes::alerts::AlertsLaunch::new(&cfg, "acme-qa", None, "test".into());
    assert!(warnings.is_empty(), "{warnings:?}");

    let mut s = ctx_state(80, 24);
    assert!(s.alerts.specs.iter().all(|m| m.key != "qa_orders"));
    apply(&mut s, [Msg::Command("ctx acme-qa".into())]);
    let mut r = ready("acme-qa", 9);
    r.client.alerts = Some(std::sync::Arc::new(launch));
    apply(&mut s, [Msg::Tenant(TenantMsg::Ready(Box::new(r)))]);
    assert_eq!(s.alerts.state.tenant, "acme-qa", "alert state is per tenant");
    assert_eq!(
        s.alerts.specs.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        ["qa_orders"],
        "the new tenant's monitors"
    );
}
