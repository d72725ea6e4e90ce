//! The Tenants pane (`0`, `:tenants`, `:ctx`) and its version drift view in the TUI state, fed
//! as the overview runner feeds them (`Msg::Fleet`): every configured tenant in each state
//! (loading, up with problems, partial, UNAUTHORISED, DOWN with its last data kept and marked
//! stale, NOT CONNECTED), worst first; the drift of two landscapes side by side; what Enter, `d`,
//! `←/→`, `L` and `:drift` do. Pure `update` tests plus snapshots at 80x24 and 160x45 with a
//! fixed clock.

use crate::tui_support;

use cpitop::app::msg::{Effect, FleetMsg, Msg};
use cpitop::app::state::{Environment, Intervals, Pane, TenantInfo};
use cpitop::app::tenant::{ClientHandle, TenantMsg, TenantReady};
use cpitop::app::{Route, State, apply};
use cpitop::cpi::CpiError;
use cpitop::cpi::client::CpiClient;
use cpitop::cpi::conn::{Auth, Limits, TenantConn};
use cpitop::cpi::model::{ArtifactStatus, JmsBroker, KeystoreEntry, Queue, RuntimeArtifact};
use cpitop::kit::table::{Table, Tone};
use cpitop::landscape::TenantRef;
use cpitop::monitor::{MonitorSpec, QueueSnapshot};
use cpitop::panes::tenants::{Reach, TenantSetup};
use cpitop::resources::FetchError;
use cpitop::resources::overview::{OverviewFetched, OverviewQueues, QueueSummary};
use cpitop::secret::Secret;
use crossterm::event::KeyCode;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];
const DAY: i64 = 86_400_000;

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

fn setup(name: &str, env: Environment, landscape: &str, specs: Vec<MonitorSpec>) -> TenantSetup {
    TenantSetup {
        tenant: TenantRef::new(name, env, landscape),
        color: env.default_color().into(),
        read_only: env == Environment::Prod,
        host: Some(format!("{name}.it-cpi018.cfapps.eu10-003.hana.ondemand.com")),
        interval_ms: 60_000,
        specs,
    }
}

/// `version_drift` with a grace of one hour (acme-dev's monitor, evaluated by the overview).
fn drift_monitor() -> Vec<MonitorSpec> {
    let table: toml::Table = toml::from_str(
        "[[defaults]]\nkey = \"drift\"\nname = \"Version drift\"\nrules = [{ kind = \"version_drift\", for = \"1h\" }]\n",
    )
    .unwrap();
    let cfg = cpitop::headless::monitors_from_table(&table, None).unwrap();
    cfg.monitors_for("acme-dev").into_iter().cloned().collect()
}

/// Five configured tenants in two landscapes; acme-prod (the fixture's tenant) is open.
fn fleet_state(w: u16, h: u16) -> State {
    let mut s = state(w, h);
    let setups = vec![
        setup("acme-dev", Environment::Dev, "eu", drift_monitor()),
        setup("acme-qa", Environment::Test, "eu", Vec::new()),
        setup("acme-prod", Environment::Prod, "eu", Vec::new()),
        setup("us-dev", Environment::Dev, "us", Vec::new()),
        setup("us-prod", Environment::Prod, "us", Vec::new()),
    ];
    cpitop::app::tenant::install_fleet(&mut s, setups);
    s
}

fn art(id: &str, version: &str, status: &str, days_ago: i64) -> RuntimeArtifact {
    RuntimeArtifact {
        id: id.into(),
        version: version.into(),
        name: id.replace('_', " "),
        kind: "INTEGRATION_FLOW".into(),
        deployed_by: "ops.user@acme.com".into(),
        deployed_on: Some(NOW - days_ago * DAY),
        status: ArtifactStatus::from(status.to_string()),
    }
}

fn dev_artifacts() -> Vec<RuntimeArtifact> {
    vec![
        art("Orders_Inbound", "1.3.0", "STARTED", 2),
        art("Invoice_Outbound", "1.0.7", "STARTED", 9),
        art("Returns_Inbound", "1.1.0", "STARTED", 4),
        art("VM_Currency", "1.0.7", "STARTED", 30),
        art("PriceList_Sync", "2.0.0", "STARTED", 12),
    ]
}

fn prod_artifacts() -> Vec<RuntimeArtifact> {
    vec![
        art("Orders_Inbound", "1.2.0", "STARTED", 20),
        art("Invoice_Outbound", "1.0.7", "ERROR", 9),
        art("VM_Currency", "1.0.7", "STARTED", 30),
        art("PriceList_Sync", "2.0.0", "STARTED", 12),
    ]
}

fn queues(dlq: i64, oldest_min_ago: Option<i64>) -> OverviewQueues {
    let q = |name: &str, n: i64| QueueSnapshot {
        queue: Queue {
            name: name.into(),
            numb_of_msgs: n,
            ..Queue::default()
        },
        messages: None,
    };
    OverviewQueues {
        summary: QueueSummary {
            queues: 2,
            dlq_messages: dlq as u64,
            dlqs: usize::from(dlq > 0),
            dlq_oldest: oldest_min_ago.map(|m| NOW - m * MIN),
            oldest_known: true,
            missing: None,
        },
        rows: vec![q("ORDERS_IN", 4), q("DLQ_ORDERS_IN", dlq)],
    }
}

fn broker(percent: i64) -> JmsBroker {
    JmsBroker {
        key: "Broker1".into(),
        capacity: percent * 100,
        max_capacity: 10_000,
        ..JmsBroker::default()
    }
}

fn cert(alias: &str, days_left: i64) -> KeystoreEntry {
    KeystoreEntry {
        alias: alias.into(),
        valid_not_after: Some(NOW + days_left * DAY),
        ..KeystoreEntry::default()
    }
}

/// A full round that read everything.
fn good(at: i64, artifacts: Vec<RuntimeArtifact>, failed: u64, q: OverviewQueues, b: i64) -> OverviewFetched {
    OverviewFetched {
        at,
        artifacts: Some(Ok(artifacts)),
        failed: Some(Ok(failed)),
        queues: Some(Ok(q)),
        broker: Some(Ok(broker(b))),
        keystore: Some(Ok(vec![cert("partner_as2", 12), cert("bank_ebics", 400)])),
    }
}

/// A round in which every part failed with `e`.
fn failed(at: i64, e: CpiError) -> OverviewFetched {
    let e = FetchError::from(e);
    OverviewFetched {
        at,
        artifacts: Some(Err(e.clone())),
        failed: Some(Err(e.clone())),
        queues: Some(Err(e.clone())),
        broker: Some(Err(e.clone())),
        keystore: None,
    }
}

fn round(tenant: &str, fetched: OverviewFetched, per_minute: f64) -> Msg {
    Msg::Fleet(FleetMsg::Round {
        tenant: tenant.into(),
        fetched,
        per_minute,
    })
}

fn down() -> CpiError {
    CpiError::Unreachable {
        host: "us-dev.it-cpi018.cfapps.eu10-003.hana.ondemand.com".into(),
        detail: "connection refused".into(),
    }
}

/// Every tenant after its rounds: acme-dev up with a refused keystore (partial), acme-qa's
/// client refused (401), acme-prod up with problems, us-dev down after one good round 20
/// minutes ago, us-prod without a connection (its secret command failed).
fn fed(w: u16, h: u16) -> State {
    let mut s = fleet_state(w, h);
    let mut dev = good(NOW - 30_000, dev_artifacts(), 0, queues(0, None), 12);
    dev.keystore = Some(Err(FetchError::from(CpiError::Forbidden {
        endpoint: "KeystoreEntries".into(),
        message: None,
    })));
    let us_dev = vec![
        art("Orders_Inbound", "1.3.0", "STARTED", 2),
        art("Carrier_Label", "1.0.1", "STARTED", 40),
    ];
    apply(
        &mut s,
        [
            round("acme-dev", dev, 4.0),
            round(
                "acme-qa",
                failed(
                    NOW - 20_000,
                    CpiError::BadCredentials {
                        token_url: "https://acme-qa.authentication.eu10.hana.ondemand.com/oauth/token".into(),
                        status: 401,
                        error: Some("invalid_client".into()),
                    },
                ),
                1.0,
            ),
            round(
                "acme-prod",
                good(NOW - 10_000, prod_artifacts(), 17, queues(42, Some(95)), 86),
                5.0,
            ),
            round(
                "us-dev",
                good(NOW - 20 * MIN, us_dev, 3, queues(0, None), 20),
                4.0,
            ),
            round("us-dev", failed(NOW - 5_000, down()), 2.0),
            Msg::Fleet(FleetMsg::NotConnected {
                tenant: "us-prod".into(),
                error: "the password command of tenant us-prod failed: exit status 1".into(),
            }),
        ],
    );
    s
}

fn names_in_order(s: &State) -> Vec<String> {
    s.tenants
        .list
        .view
        .iter()
        .map(|&r| s.tenants.rows[r as usize].name().to_string())
        .collect()
}

#[test]
fn rows_are_every_configured_tenant_worst_first_with_their_state() {
    let mut s = fed(160, 45);
    apply(&mut s, [key('0')]);
    assert_eq!(s.pane(), Pane::Tenants);
    // Not reachable first (prod before dev), then alerts in error, then any problem, then fine.
    assert_eq!(
        names_in_order(&s),
        ["us-prod", "acme-qa", "us-dev", "acme-prod", "acme-dev"]
    );
    let row = |n: &str| s.tenants.row(n).unwrap();
    assert!(matches!(&row("acme-qa").reach, Reach::Unauthorised(r) if r.contains("invalid_client")));
    assert!(matches!(&row("us-dev").reach, Reach::Down(r) if r.contains("connection refused")));
    assert!(matches!(&row("us-prod").reach, Reach::NotConnected(r) if r.contains("password command")));
    assert_eq!(row("acme-dev").reach, Reach::Up);
    // The down tenant keeps its last data, marked stale; the others' cells are as read.
    let us_dev = row("us-dev");
    assert_eq!(us_dev.artifacts.as_ref().map(|(_, a)| a.len()), Some(2));
    assert!(us_dev.stale());
    let prod = row("acme-prod");
    assert_eq!(
        (
            prod.not_started(),
            prod.failed,
            prod.summary().map(|q| q.dlq_messages)
        ),
        (Some(1), Some(17), Some(42))
    );
    assert_eq!(
        prod.keystore_certs(),
        Some((1, 0)),
        "one certificate within 30 days"
    );
    // acme-dev's own monitor (version_drift, grace 1h) on the overview's data: Orders_Inbound
    // runs 1.3.0 there and 1.2.0 in prod since the dev deployment two days ago.
    assert_eq!(row("acme-dev").alerts.map(|c| c.warning), Some(1));
    assert_eq!(row("acme-dev").partial.len(), 1, "{:?}", row("acme-dev").partial);
    // Stale data is dimmed, never shown as current; a live row keeps its colours.
    let pos = |n: &str| s.tenants.rows.iter().position(|r| r.name() == n).unwrap();
    assert_eq!(s.tenants.tone(pos("us-dev"), 5), Tone::Muted);
    assert_eq!(s.tenants.tone(pos("us-dev"), 10), Tone::Warn);
    assert_eq!(s.tenants.tone(pos("acme-prod"), 5), Tone::Bad);
    // The tab counts the tenants needing attention.
    let b = screen(&s);
    assert!(row_text(&b, 1).contains("0 Tenants (3!)"), "{}", row_text(&b, 1));
    // The requests per minute of each tenant's client.
    assert_eq!(row("acme-dev").per_minute, 4.0);
}

fn select(s: &mut State, name: &str) {
    let pos = names_in_order(s).iter().position(|n| n == name).unwrap();
    s.tenants.select_position(pos);
}

#[test]
fn tenants_pane_snapshots() {
    for (w, h) in SIZES {
        // Before any round: every configured tenant is a row, loading.
        let mut s = fleet_state(w, h);
        apply(&mut s, [key('0')]);
        snap("tenants_loading", &s);
        // Every state; the down tenant selected (its reason and data age under the table).
        let mut s = fed(w, h);
        apply(&mut s, [key('0')]);
        select(&mut s, "us-dev");
        snap("tenants_data", &s);
        // `/` with no match.
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("zzz"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("tenants_no_match", &s);
    }
}

#[test]
fn filter_keeps_matching_tenants() {
    let mut s = fed(160, 45);
    apply(&mut s, [key('0'), key('/')]);
    apply(&mut s, typed("acme"));
    apply(&mut s, [code(KeyCode::Enter)]);
    assert_eq!(names_in_order(&s), ["acme-qa", "acme-prod", "acme-dev"]);
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
            env: Some(Environment::Dev),
            label: None,
            read_only: false,
            web_ui: None,
        },
        intervals: Intervals::default(),
        window_ms: 3_600_000,
        max_rows: 20_000,
        cache_rows: 0,
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
fn enter_switches_to_the_tenant_and_back_keeps_its_panes() {
    let mut s = fed(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('1'), key('j'), key('j')]);
    let before = s.artifacts.selected_key();
    apply(&mut s, [key('0')]);
    // acme-dev is the last row: G then Enter.
    let fx = apply(&mut s, [key('G'), code(KeyCode::Enter)]);
    assert!(
        fx.contains(&Effect::SwitchTenant {
            name: "acme-dev".into()
        }),
        "{fx:?}"
    );
    apply(
        &mut s,
        [Msg::Tenant(TenantMsg::Ready(Box::new(ready("acme-dev", 1))))],
    );
    assert_eq!(s.tenant.name, "acme-dev");
    assert_eq!(
        s.pane(),
        Pane::Artifacts,
        "from the overview, the tenant opens on its panes"
    );
    assert_eq!(s.tenants.current, "acme-dev");
    // Back to acme-prod: its panes as they were (the selection kept), not from scratch.
    apply(&mut s, [Msg::Command("ctx acme-prod".into())]);
    let mut back = ready("acme-prod", 2);
    back.info = tenant();
    apply(&mut s, [Msg::Tenant(TenantMsg::Ready(Box::new(back)))]);
    assert_eq!(s.tenant.name, "acme-prod");
    assert_eq!(s.artifacts.selected_key(), before);
    // Enter on the open tenant shows its panes without a switch.
    apply(&mut s, [key('0')]);
    select(&mut s, "acme-prod");
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SwitchTenant { .. })));
    assert_eq!(s.pane(), Pane::Artifacts);
}

fn drift_ids(s: &State) -> Vec<(String, String)> {
    let t = s.tenants.drift.table.as_ref().unwrap();
    s.tenants
        .drift
        .list
        .view
        .iter()
        .map(|&r| {
            let r = &t.rows[r as usize];
            (r.id.clone(), r.marks.label())
        })
        .collect()
}

#[test]
fn drift_lists_the_landscape_side_by_side_marked_rows_first() {
    let mut s = fed(160, 45);
    apply(&mut s, [key('0')]);
    // acme-prod is in landscape eu: `d` on it.
    select(&mut s, "acme-prod");
    apply(&mut s, [key('d')]);
    assert_eq!(s.route(), &Route::Tenants(cpitop::panes::tenants::Route::Drift));
    let t = s.tenants.drift.table.as_ref().unwrap();
    assert_eq!(t.landscape, "eu");
    let order: Vec<&str> = t.tenants.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(order, ["acme-dev", "acme-qa", "acme-prod"], "dev → test → prod");
    assert!(!t.known(1), "acme-qa's artifacts are not known (401)");
    assert_eq!(
        drift_ids(&s),
        [
            ("Invoice_Outbound".to_string(), "not started in PROD".to_string()),
            ("Returns_Inbound".into(), "missing in PROD".into()),
            ("Orders_Inbound".into(), "versions differ".into()),
            ("PriceList_Sync".into(), String::new()),
            ("VM_Currency".into(), String::new()),
        ]
    );
    // `L`: the next landscape, us (us-prod unknown: no connection).
    apply(&mut s, [key('L')]);
    let t = s.tenants.drift.table.as_ref().unwrap();
    assert_eq!(t.landscape, "us");
    assert!(t.known(0) && !t.known(1));
    // `:drift eu` goes back; an unknown landscape says which exist.
    apply(&mut s, [Msg::Command("drift eu".into())]);
    assert_eq!(s.tenants.drift_landscape().as_deref(), Some("eu"));
    apply(&mut s, [Msg::Command("drift emea".into())]);
    let t = s.toast.clone().unwrap().text;
    assert_eq!(t, "no landscape `emea` — landscapes: eu, us");
}

#[test]
fn enter_on_a_cell_opens_the_artifact_in_that_tenant() {
    let mut s = fed(160, 45);
    apply(&mut s, [Msg::Command("drift eu".into())]);
    // Returns_Inbound (second row) in acme-prod (third column): not deployed there.
    apply(&mut s, [key('j'), key('l'), key('l'), key('l')]);
    assert_eq!(s.tenants.drift.column, 2, "stops at the last column");
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.iter().all(|e| !matches!(e, Effect::SwitchTenant { .. })));
    let t = s.toast.clone().unwrap().text;
    assert!(
        t.starts_with("Returns_Inbound is not deployed in acme-prod"),
        "{t}"
    );
    // In acme-dev (first column): switch there, then its artifact's detail.
    apply(&mut s, [key('h'), key('h')]);
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(
        fx.contains(&Effect::SwitchTenant {
            name: "acme-dev".into()
        }),
        "{fx:?}"
    );
    apply(
        &mut s,
        [Msg::Tenant(TenantMsg::Ready(Box::new(ready("acme-dev", 1))))],
    );
    assert_eq!(s.tenant.name, "acme-dev");
    assert_eq!(
        s.route(),
        &Route::Artifacts(cpitop::panes::artifacts::Route::Detail {
            id: "Returns_Inbound".into()
        })
    );
    // In the open tenant's column: no switch, the detail at once.
    apply(&mut s, [Msg::Command("drift eu".into()), key('j')]);
    let fx = apply(&mut s, [code(KeyCode::Enter)]);
    assert!(fx.iter().all(|e| !matches!(e, Effect::SwitchTenant { .. })));
    assert!(matches!(s.route(), Route::Artifacts(_)), "{:?}", s.route());
}

#[test]
fn drift_snapshots() {
    for (w, h) in SIZES {
        // No artifact list read yet.
        let mut s = fleet_state(w, h);
        apply(&mut s, [Msg::Command("drift eu".into())]);
        snap("drift_waiting", &s);
        // Landscape eu: prod missing one, stopped one, one version behind; acme-qa unknown. The
        // third row and prod's column selected.
        let mut s = fed(w, h);
        apply(
            &mut s,
            [
                Msg::Command("drift eu".into()),
                key('j'),
                key('j'),
                key('l'),
                key('l'),
            ],
        );
        snap("drift_eu", &s);
        // Landscape us: us-dev's last data (down, marked stale; its cell selected), us-prod
        // never read.
        apply(&mut s, [key('L'), key('h')]);
        snap("drift_us", &s);
        // `/` with no match.
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("zzz"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("drift_no_match", &s);
    }
}

#[test]
fn a_landscape_wider_than_the_screen_shows_the_selected_tenant() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        let names = [
            ("wide-dev-a", Environment::Dev),
            ("wide-dev-b", Environment::Dev),
            ("wide-test-a", Environment::Test),
            ("wide-test-b", Environment::Test),
            ("wide-prod", Environment::Prod),
        ];
        let setups = names
            .iter()
            .map(|(n, e)| setup(n, *e, "wide", Vec::new()))
            .collect();
        cpitop::app::tenant::install_fleet(&mut s, setups);
        let msgs: Vec<Msg> = names
            .iter()
            .map(|(n, _)| {
                let arts = if n.contains("prod") {
                    prod_artifacts()
                } else {
                    dev_artifacts()
                };
                round(n, good(NOW - 10_000, arts, 0, queues(0, None), 10), 4.0)
            })
            .collect();
        apply(&mut s, msgs);
        // The last tenant's column (prod) selected: at 80 columns the first ones give way.
        apply(&mut s, [Msg::Command("drift wide".into())]);
        apply(&mut s, [key('l'), key('l'), key('l'), key('l')]);
        assert_eq!(s.tenants.drift.column, 4);
        let b = screen(&s);
        let titles = row_text(&b, 3);
        assert!(titles.contains("wide-prod PROD"), "{titles}");
        if w == 80 {
            assert!(titles.contains("ARTIFACT ‹2 more"), "{titles}");
            assert!(!titles.contains("wide-dev-a"), "{titles}");
        } else {
            assert!(titles.contains("wide-dev-a") && !titles.contains("‹"), "{titles}");
        }
        snap("drift_wide", &s);
    }
}
