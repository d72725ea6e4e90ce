//! The TUI's monitor rounds against the simulated tenant over loopback: the state plans a round,
//! the monitor poller fetches it from the sim, the state evaluates. A stopped iFlow, a filled
//! dead-letter queue and an expired certificate each turn their monitor to error in one round;
//! the certificate's evidence opens its details.

use std::time::Duration;

use cpitop::app::msg::{DataMsg, Effect, Msg};
use cpitop::app::state::{Environment, Pane, Route, TenantInfo};
use cpitop::app::{Keymap, State, apply};
use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::monitor::Status;
use cpitop::panes::alerts::Alerts;
use cpitop::panes::alerts::AlertsLaunch;
use cpitop::sim::SimConfig;
use cpitop::tui::monitor_poll::{FetchPlan, fetch};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const FLOW: &str = "Orders_Inbound";
const DLQ: &str = "DLQ_DELIVERY_3PL";
const CERT: &str = "sap_cloudintegrationcertificate";

fn monitors() -> String {
    format!(
        r#"
[[defaults]]
key = "stopped"
name = "{FLOW} not started"
scope = {{ iflow = "{FLOW}" }}
rules = [{{ kind = "not_started" }}]
[[defaults]]
key = "dlq"
name = "Dead letters"
rules = [{{ kind = "dlq_not_empty", queues = "{DLQ}" }}]
[[defaults]]
key = "cert"
name = "Tenant certificate"
rules = [{{ kind = "cert_expiry", aliases = "{CERT}", within = "30d" }}]
[[defaults]]
key = "tenant"
name = "Tenant reachable"
rules = [{{ kind = "tenant_unreachable", for = "5m" }}]
"#
    )
}

fn enter() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

/// Run the next round: tick to when it is due, fetch what it asks for, hand the result back.
async fn round(s: &mut State, client: &CpiClient) {
    let due = s.alerts.next_due.max(s.now);
    let fx = apply(s, [Msg::Tick(due)]);
    let plans: Vec<FetchPlan> = fx
        .into_iter()
        .filter_map(|e| match e {
            Effect::MonitorFetch(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(plans.len(), 1, "one fetch per round");
    let fetched = fetch(client, &plans[0]).await;
    apply(s, [Msg::Data(DataMsg::Monitor(Box::new(fetched)))]);
}

fn status(s: &State, key: &str) -> Status {
    s.alerts
        .state
        .get(key)
        .map(|m| m.status)
        .unwrap_or_else(|| panic!("{key} not evaluated: {:?}", s.alerts.state))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_rounds_against_the_sim_turn_to_error_and_show_the_certificate() {
    let sim = cpitop::sim::spawn(SimConfig {
        seed: 5,
        history: Duration::from_secs(600),
        history_messages: Some(200),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let admin = sim.admin();
    let client = CpiClient::new(TenantConn {
        limits: Limits {
            max_retries: 0,
            request_timeout: Duration::from_secs(3),
            ..Limits::default()
        },
        ..sim.demo_conn("simtest")
    })
    .expect("client");

    let table: toml::Table = toml::from_str(&monitors()).expect("toml");
    let cfg = cpitop::headless::monitors_from_table(&table, None).expect("valid");
    let (launch, _) = AlertsLaunch::new(&cfg, "simtest", None, "test".into());
    let now = client.server_now();
    let tenant = TenantInfo {
        name: "simtest".into(),
        env: Some(Environment::Test),
        label: None,
        read_only: true,
        web_ui: None,
    };
    let mut s = State::new(tenant, Keymap::defaults(), now);
    s.alerts = Alerts::new(launch.setup, "simtest", now);
    apply(&mut s, [Msg::Resize(100, 30)]);
    apply(
        &mut s,
        [Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE))],
    );
    assert_eq!(s.pane(), Pane::Alerts);

    round(&mut s, &client).await;
    for key in ["stopped", "dlq", "cert", "tenant"] {
        assert_eq!(status(&s, key), Status::Ok, "{key}: {:?}", s.alerts.state);
    }

    admin.stop_iflow(FLOW).expect("stop");
    admin.fill_queue(DLQ, 2, true);
    round(&mut s, &client).await;
    assert_eq!(status(&s, "stopped"), Status::Error);
    assert_eq!(status(&s, "dlq"), Status::Error);
    assert!(s.alerts.flashing(s.now));

    // The keystore is re-read after its refresh interval.
    admin.expire_certificate(CERT, None).expect("expire");
    s.alerts.next_due = s.now + 11 * 60_000;
    round(&mut s, &client).await;
    assert_eq!(status(&s, "cert"), Status::Error, "{:?}", s.alerts.state);

    // Evidence → certificate details.
    let pos = s
        .alerts
        .list
        .rows()
        .position(|r| s.alerts.rows[r].key == "cert")
        .expect("cert listed");
    use cpitop::kit::table::Table;
    s.alerts.select_position(pos);
    apply(&mut s, [enter(), enter()]);
    assert_eq!(
        s.route(),
        &Route::Keystore(cpitop::panes::keystore::Route::Certificate { alias: CERT.into() })
    );
    // The Keystore pane holds no list: the entry is read by alias, as the runner would.
    let entry = cpitop::resources::keystore::one(&client, CERT)
        .await
        .map_err(Into::into);
    apply(
        &mut s,
        [Msg::Data(DataMsg::Certificate {
            alias: CERT.into(),
            result: entry,
        })],
    );
    let doc: Vec<String> = s.focus(s.route()).doc(&s.cx()).iter().map(|l| l.text()).collect();
    assert!(doc.iter().any(|l| l.contains("EXPIRED")), "{doc:#?}");

    // Recovery.
    admin.start_iflow(FLOW).expect("start");
    round(&mut s, &client).await;
    assert_eq!(status(&s, "stopped"), Status::Ok);
    sim.shutdown().await;
}
