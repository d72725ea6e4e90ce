//! The Tenants pane's overview runner (`tui::fleet`) against several simulated tenants at once:
//! a landscape dev → test → prod (one seed's artifacts, each its own messages, prod drifted),
//! one tenant down (503), one whose client is refused (401), one that answers only after 20
//! s. Every tenant's round arrives on its own — the slow one delays nobody — and, applied to the
//! TUI state, gives the pane's rows, the drift view and the `version_drift` rule; the request
//! budget of one overview row is asserted on the sims' request logs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tui_support;

use cpitop::app::msg::{FleetMsg, FleetPlan, Msg};
use cpitop::app::state::TenantInfo;
use cpitop::app::{State, apply};
use cpitop::config::Environment;
use cpitop::landscape::TenantRef;
use cpitop::monitor::{MonitorSpec, Status};
use cpitop::panes::tenants::{Reach, TenantSetup};
use cpitop::secret::Secret;
use cpitop::sim::{DownMode, FaultKind, FaultRule, SimConfig, SimHandle, Stage, spawn};
use cpitop::tui::fleet::{DemoTenant, Fleet, Source};
use tokio::sync::mpsc;

/// A quick tenant: one hour of history at one message a second.
fn quick(c: SimConfig) -> SimConfig {
    SimConfig {
        message_rate: 1.0,
        history: Duration::from_secs(3600),
        history_messages: Some(1_500),
        ..c
    }
}

fn demo_tenant(name: &str, env: Environment, sim: &SimHandle) -> DemoTenant {
    DemoTenant {
        info: TenantInfo {
            name: name.into(),
            env: Some(env),
            label: None,
            read_only: false,
            web_ui: None,
        },
        conn: sim.demo_conn(name),
        alerts: None,
        errors: None,
    }
}

fn drift_monitor() -> Vec<MonitorSpec> {
    let table: toml::Table = toml::from_str(
        "[[defaults]]\nkey = \"drift\"\nname = \"Version drift\"\nrules = [{ kind = \"version_drift\", for = \"1d\" }]\n",
    )
    .unwrap();
    let cfg = cpitop::headless::monitors_from_table(&table, None).unwrap();
    cfg.monitors_for("x").into_iter().cloned().collect()
}

fn setup(t: &DemoTenant, landscape: &str, specs: Vec<MonitorSpec>) -> TenantSetup {
    let env = t.info.env.unwrap();
    TenantSetup {
        tenant: TenantRef::new(&t.info.name, env, landscape),
        color: env.default_color().into(),
        read_only: false,
        host: Some("simulated".into()),
        interval_ms: 60_000,
        specs,
    }
}

/// Collect the runner's reports until every tenant of `want` has one (or `within` passes).
async fn rounds(
    rx: &mut mpsc::Receiver<Msg>,
    want: &[&str],
    within: Duration,
) -> (Vec<FleetMsg>, BTreeMap<String, Duration>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut when = BTreeMap::new();
    while want.iter().any(|w| !when.contains_key(*w)) && start.elapsed() < within {
        let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await else {
            continue;
        };
        let Msg::Fleet(f) = msg else { continue };
        match &f {
            FleetMsg::Round { tenant, .. } | FleetMsg::NotConnected { tenant, .. } => {
                when.entry(tenant.clone()).or_insert(start.elapsed());
            }
            FleetMsg::Rates(_) => continue,
        }
        got.push(f);
    }
    (got, when)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tenants_at_once_one_down_one_refused_one_slow_one_drifted() {
    let seed = 5;
    let dev = spawn(quick(SimConfig::landscape_stage(seed, Stage::Dev)))
        .await
        .unwrap();
    let test = spawn(quick(SimConfig::landscape_stage(seed, Stage::Test)))
        .await
        .unwrap();
    let prod = spawn(quick(SimConfig::landscape_stage(seed, Stage::Prod)))
        .await
        .unwrap();
    let down = spawn(quick(SimConfig {
        seed: 21,
        ..SimConfig::default()
    }))
    .await
    .unwrap();
    down.admin().tenant_down(DownMode::Unavailable);
    let refused = spawn(quick(SimConfig {
        seed: 22,
        ..SimConfig::default()
    }))
    .await
    .unwrap();
    let slow = spawn(quick(SimConfig {
        seed: 23,
        ..SimConfig::default()
    }))
    .await
    .unwrap();
    slow.admin()
        .add_fault(FaultRule::new(FaultKind::Latency { ms: 20_000 }));

    let mut wrong = demo_tenant("us-dev", Environment::Dev, &refused);
    if let cpitop::cpi::conn::Auth::OAuth { client_secret, .. } = &mut wrong.conn.auth {
        *client_secret = Secret::new("not-the-secret");
    }
    // The down tenant is configured not to retry (`[tenants.NAME.limits] max_retries = 0`), so
    // that its 503 is reported at once instead of after the client's backoff.
    let mut down_tenant = demo_tenant("us-prod", Environment::Prod, &down);
    down_tenant.conn.limits.max_retries = 0;
    let tenants = vec![
        demo_tenant("eu-dev", Environment::Dev, &dev),
        demo_tenant("eu-test", Environment::Test, &test),
        demo_tenant("eu-prod", Environment::Prod, &prod),
        down_tenant,
        wrong,
        demo_tenant("us-test", Environment::Test, &slow),
    ];
    let setups: Vec<TenantSetup> = tenants
        .iter()
        .map(|t| {
            let eu = t.info.name.starts_with("eu-");
            setup(
                t,
                if eu { "eu" } else { "us" },
                if t.info.name == "eu-prod" {
                    drift_monitor()
                } else {
                    Vec::new()
                },
            )
        })
        .collect();
    let plan = FleetPlan {
        on: true,
        current: "eu-dev".into(),
        skip_artifacts: false,
        skip_queues: false,
        window_ms: 3_600_000,
        tenants: setups
            .iter()
            .map(|s| (s.tenant.name.clone(), s.interval_ms))
            .collect(),
    };
    let (tx, mut rx) = mpsc::channel(256);
    let mut fleet = Fleet::new(tx);
    fleet.set_source(Some(Source::Demo(Arc::new(tenants))));
    fleet.apply(&plan);

    // Every tenant but the slow one reports, each on its own, long before the slow one answers.
    let fast = ["eu-dev", "eu-test", "eu-prod", "us-prod", "us-dev"];
    let (msgs, when) = rounds(&mut rx, &fast, Duration::from_secs(18)).await;
    for t in fast {
        assert!(
            when.get(t).is_some_and(|d| *d < Duration::from_secs(15)),
            "{t}: {when:?}"
        );
    }
    assert!(
        !when.contains_key("us-test"),
        "the slow tenant answers after 20s: {when:?}"
    );
    fleet.stop();

    // The reports applied to the TUI state, as the event loop does.
    // On the sims' clock (their deployment dates are relative to it).
    let mut s = State::new(
        tui_support::tenant(),
        cpitop::app::Keymap::defaults(),
        dev.admin().now_ms(),
    );
    apply(&mut s, [Msg::Resize(160, 45)]);
    cpitop::app::tenant::install_fleet(&mut s, setups);
    apply(&mut s, msgs.into_iter().map(Msg::Fleet));
    let row = |n: &str| s.tenants.row(n).unwrap().clone();
    for n in ["eu-dev", "eu-test", "eu-prod"] {
        assert_eq!(row(n).reach, Reach::Up, "{n}: {:?}", row(n).note());
        assert!(
            row(n).failed.is_some_and(|f| f > 0),
            "{n}: failed messages counted"
        );
        assert!(row(n).summary().is_some_and(|q| q.queues > 0), "{n}: queues read");
        assert!(row(n).broker_percent().is_some(), "{n}: broker read");
        assert!(
            row(n).keystore.is_some(),
            "{n}: the first round reads the keystore"
        );
    }
    assert!(
        matches!(row("us-prod").reach, Reach::Down(r) if r.contains("127.0.0.1")),
        "{:?}",
        row("us-prod").reach
    );
    assert!(
        matches!(row("us-dev").reach, Reach::Unauthorised(_)),
        "{:?}",
        row("us-dev").reach
    );
    assert_eq!(row("us-test").reach, Reach::Unknown, "still loading");
    // Prod as the sim has it: PriceList_Sync stopped, Returns_Inbound not deployed.
    let prod_arts = row("eu-prod").artifacts.unwrap().1;
    assert!(
        prod_arts
            .iter()
            .any(|a| a.id == "PriceList_Sync" && !a.status.is_started())
    );
    assert!(!prod_arts.iter().any(|a| a.id == "Returns_Inbound"));
    assert_eq!(
        row("eu-prod").not_started(),
        row("eu-dev").not_started().map(|n| n + 1),
        "prod has one more not started than dev"
    );
    // Worst first: the unreachable tenants on top.
    let order: Vec<String> = s
        .tenants
        .list
        .view
        .iter()
        .map(|&r| s.tenants.rows[r as usize].name().to_string())
        .collect();
    assert_eq!(&order[..2], ["us-prod", "us-dev"], "{order:?}");

    // The drift of landscape eu: what the sims' stages documented.
    let (table, _) = s.tenants.drift_of("eu-prod").unwrap();
    let marked: Vec<(&str, String)> = table
        .rows
        .iter()
        .filter(|r| r.marks.any())
        .map(|r| (r.id.as_str(), r.marks.label()))
        .collect();
    assert_eq!(
        marked,
        [
            ("PriceList_Sync", "not started in PROD".to_string()),
            ("Returns_Inbound", "missing in PROD".into()),
            ("Invoice_Outbound_EDI", "versions differ".into()),
            ("Orders_Inbound", "versions differ".into()),
            ("Quote_Request_CRM", "versions differ".into()),
            ("SupplierInvoice_Inbound", "versions differ".into()),
        ]
    );
    // version_drift on prod (grace 1d): the drift is older than a day (prod's deployments are a
    // week behind dev's), so it fires, naming what differs.
    let ev = {
        let (table, tracker) = s.tenants.drift_of("eu-prod").unwrap();
        let mut snap = cpitop::monitor::Snapshot::new("eu-prod");
        snap.drift = Some(&table);
        snap.drift_since = tracker;
        cpitop::monitor::evaluate(&drift_monitor()[0], &snap, s.now)
    };
    assert_eq!(ev.status, Status::Warning, "{}", ev.text);
    assert!(
        ev.text.contains("Orders_Inbound") && ev.text.contains("in eu-dev"),
        "{}",
        ev.text
    );
    // The pane evaluated it too (prod is not open): its ALERTS cell.
    assert_eq!(row("eu-prod").alerts.map(|c| c.warning), Some(1));

    // `d` on the Tenants pane shows eu side by side; us has the unreachable tenants unknown.
    apply(&mut s, [Msg::Command("drift us".into())]);
    let t = s.tenants.drift.table.as_ref().unwrap();
    assert_eq!(
        t.tenants.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["us-dev", "us-test", "us-prod"]
    );
    assert!((0..3).all(|i| !t.known(i)), "none of us has been read");
    for h in [dev, test, prod, down, refused, slow] {
        h.shutdown().await;
    }
}

/// What one round of the overview sent, by resource (the sim's request log).
fn classify(log: &[String]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for l in log {
        let kind = if l.contains("/oauth/token") {
            "token"
        } else if l.contains("IntegrationRuntimeArtifacts") {
            "artifacts"
        } else if l.contains("MessageProcessingLogs/$count") {
            "failed count"
        } else if l.contains("MessageProcessingLogs") {
            "message list"
        } else if l.contains("JmsBrokers") {
            "broker"
        } else if l.contains("Messages") && (l.contains("Queues(") || l.contains("MessagingQueues(")) {
            "dlq messages"
        } else if l.contains("Queues") {
            "queue list"
        } else if l.contains("KeystoreEntries") {
            "keystore"
        } else {
            "other"
        };
        *out.entry(kind).or_insert(0) += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_overview_row_costs_a_few_lean_requests_per_round() {
    let sim = spawn(quick(SimConfig::landscape_stage(3, Stage::Prod)))
        .await
        .unwrap();
    let dlqs = sim
        .admin()
        .truth_queue_names()
        .into_iter()
        .filter(|q| q.starts_with("DLQ_") && sim.admin().truth_queue(q).is_some_and(|m| !m.is_empty()))
        .count();
    assert!(dlqs > 0, "the sim has non-empty DLQs");
    let tenant = demo_tenant("prod", Environment::Prod, &sim);
    let other = demo_tenant("open", Environment::Dev, &sim);
    let (tx, mut rx) = mpsc::channel(256);
    let mut fleet = Fleet::new(tx);
    fleet.set_source(Some(Source::Demo(Arc::new(vec![tenant, other]))));
    sim.admin().clear_requests();
    // The overview open (the Tenants pane shown), rounds every 500 ms: eleven rounds of
    // tenant `prod` (rounds 0, 5 and 10 read the DLQs' messages, rounds 0 and 10 the keystore).
    fleet.apply(&FleetPlan {
        on: true,
        current: "elsewhere".into(),
        skip_artifacts: false,
        skip_queues: false,
        window_ms: 3_600_000,
        tenants: vec![("prod".into(), 500)],
    });
    let mut n = 0;
    let start = Instant::now();
    while n < 11 && start.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(Msg::Fleet(FleetMsg::Round { .. }))) =
            tokio::time::timeout(Duration::from_millis(200), rx.recv()).await
        {
            n += 1;
        }
    }
    fleet.stop();
    assert_eq!(n, 11);
    let log = sim.admin().recent_requests();
    let by = classify(&log);
    let get = |k: &str| by.get(k).copied().unwrap_or(0);
    // Per round: one artifact listing, one $count of the failed messages, the queue list, the
    // broker. No message window (no MPL listing) at all.
    assert_eq!(get("message list"), 0, "{log:#?}");
    assert_eq!(
        (get("artifacts"), get("failed count"), get("broker")),
        (11, 11, 11),
        "{by:?}"
    );
    assert!(
        (11..=12).contains(&get("queue list")),
        "one per round (+ the API's detection): {by:?}"
    );
    // Every fifth round one listing per non-empty DLQ (at most 8); the keystore every tenth.
    assert_eq!(get("dlq messages"), 3 * dlqs.min(8), "{by:?}");
    assert_eq!(get("keystore"), 2, "{by:?}");
    assert_eq!(get("other"), 0, "{log:#?}");
    assert!(get("token") <= 1, "{by:?}");
    // The artifact listing is the lean one; the count asks for FAILED in the window only.
    let artifacts = log
        .iter()
        .find(|l| l.contains("IntegrationRuntimeArtifacts"))
        .unwrap();
    assert!(
        artifacts.contains("%24select=") || artifacts.contains("$select="),
        "{artifacts}"
    );
    let count = log.iter().find(|l| l.contains("$count")).unwrap();
    assert!(count.contains("FAILED") && count.contains("LogEnd"), "{count}");
    // So at the default interval (one round a minute) a row costs 4 requests per minute, plus
    // one per non-empty DLQ every 5 minutes and the keystore every 10 (README).
    let per_minute = 4.0 + dlqs.min(8) as f64 / 5.0 + 0.1;
    assert!(per_minute < 6.0, "{per_minute}");

    // The open tenant's row leaves out what its panes poll (artifacts, queues and broker).
    sim.admin().clear_requests();
    let (tx, mut rx) = mpsc::channel(256);
    let mut fleet = Fleet::new(tx);
    fleet.set_source(Some(Source::Demo(Arc::new(vec![demo_tenant(
        "open",
        Environment::Dev,
        &sim,
    )]))));
    fleet.apply(&FleetPlan {
        on: true,
        current: "open".into(),
        skip_artifacts: true,
        skip_queues: true,
        window_ms: 3_600_000,
        tenants: vec![("open".into(), 500)],
    });
    let mut n = 0;
    while n < 2 && start.elapsed() < Duration::from_secs(90) {
        if let Ok(Some(Msg::Fleet(FleetMsg::Round { .. }))) =
            tokio::time::timeout(Duration::from_millis(200), rx.recv()).await
        {
            n += 1;
        }
    }
    fleet.stop();
    let by = classify(&sim.admin().recent_requests());
    let get = |k: &str| by.get(k).copied().unwrap_or(0);
    assert_eq!(
        (get("artifacts"), get("queue list"), get("broker")),
        (0, 0, 0),
        "{by:?}"
    );
    assert_eq!(get("failed count"), 2, "{by:?}");

    // The overview off (one tenant, the pane not shown): nothing is sent.
    sim.admin().clear_requests();
    let (tx, _rx) = mpsc::channel(256);
    let mut fleet = Fleet::new(tx);
    fleet.set_source(Some(Source::Demo(Arc::new(vec![demo_tenant(
        "open",
        Environment::Dev,
        &sim,
    )]))));
    fleet.apply(&FleetPlan {
        on: false,
        current: "open".into(),
        skip_artifacts: false,
        skip_queues: false,
        window_ms: 3_600_000,
        tenants: vec![("open".into(), 500)],
    });
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    fleet.stop();
    assert!(sim.admin().recent_requests().is_empty());
    sim.shutdown().await;
}

/// `cpitop watch` of a prod tenant with `version_drift`: the landscape's other tenant is read
/// each round; the drift starts as a warning and ends once prod runs dev's versions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reads_the_landscape_each_round_and_sees_a_promotion() {
    use cpitop::headless::{PeerConn, Target, WatchOptions, watch};
    use cpitop::monitor::WatchEvent;
    use tokio_util::sync::CancellationToken;
    let dev = spawn(quick(SimConfig::landscape_stage(9, Stage::Dev)))
        .await
        .unwrap();
    let prod = spawn(quick(SimConfig::landscape_stage(9, Stage::Prod)))
        .await
        .unwrap();
    let client = |h: &SimHandle, n: &str| cpitop::cpi::client::CpiClient::new(h.demo_conn(n)).unwrap();
    let refs = [
        TenantRef::new("dev", Environment::Dev, "eu"),
        TenantRef::new("prod", Environment::Prod, "eu"),
    ];
    let table: toml::Table = toml::from_str(
        "[[defaults]]\nkey = \"drift\"\nname = \"Version drift\"\nrules = [{ kind = \"version_drift\", for = \"1h\" }]\n",
    )
    .unwrap();
    let t = Target {
        tenant: "prod".into(),
        client: client(&prod, "prod"),
        monitors: cpitop::headless::monitors_from_table(&table, None).unwrap(),
        state_dir: None,
        notes: Vec::new(),
        sim: None,
        errors: Default::default(),
        landscape: cpitop::landscape::landscape_of(&refs, "prod"),
        peers: vec![cpitop::headless::Peer {
            tenant: refs[0].clone(),
            conn: PeerConn::Client(client(&dev, "dev")),
        }],
    };
    let opts = WatchOptions {
        interval: Duration::from_millis(300),
        heartbeat: None,
        ..WatchOptions::from_target(&t)
    };
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<WatchEvent>();
    let stop = cancel.clone();
    let task = tokio::spawn(async move {
        watch(&t, &opts, stop, |ev| {
            let _ = tx.send(ev.clone());
            Ok(())
        })
        .await
    });
    // The first round: prod runs older versions than dev, for longer than the grace.
    let first = loop {
        if let WatchEvent::State {
            monitor,
            status,
            text,
            ..
        } = next_event(&mut rx).await
            && monitor == "drift"
        {
            break (status, text);
        }
    };
    assert_eq!(first.0, Status::Warning, "{}", first.1);
    assert!(
        first.1.contains("here, ") && first.1.contains(" in dev"),
        "{}",
        first.1
    );
    // Promote: prod deploys dev's versions of every artifact that differs.
    let admin = prod.admin();
    for id in [
        "Orders_Inbound",
        "Invoice_Outbound_EDI",
        "SupplierInvoice_Inbound",
    ] {
        let v = dev.admin().truth_artifact_version(id).unwrap();
        admin.deploy_version(id, &v).unwrap();
    }
    let ended = loop {
        if let WatchEvent::Transition {
            monitor, to, text, ..
        } = next_event(&mut rx).await
            && monitor == "drift"
            && to != Status::Warning
        {
            break (to, text);
        }
    };
    assert_eq!(ended.0, Status::Ok, "{}", ended.1);
    assert!(ended.1.starts_with("same versions as dev"), "{}", ended.1);
    cancel.cancel();
    task.await.unwrap().unwrap();
    dev.shutdown().await;
    prod.shutdown().await;
}

async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<cpitop::monitor::WatchEvent>,
) -> cpitop::monitor::WatchEvent {
    match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
        Ok(Some(ev)) => ev,
        _ => panic!("no event within 20s"),
    }
}
