//! Error signatures against the simulated tenant over loopback (issue 16): the Errors pane's
//! error texts are fetched within the budget — counted on the wire per minute of the app's clock
//! (`/sim/admin/requests`) — newest first and never for DISCARDED messages; the sim's failures
//! vary per occurrence like a real tenant's, so a window of many failures makes a handful of
//! groups, one of them across several iFlows, the same for the same seed.

use std::time::Duration;

use cpitop::app::msg::{DataMsg, Effect, MessagesEvent, Msg};
use cpitop::app::state::{Environment, TenantInfo};
use cpitop::app::{Keymap, State, update};
use cpitop::cpi::client::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::cpi::model::MplStatus;
use cpitop::kit::format::TimeFmt;
use cpitop::kit::print::TableOpts;
use cpitop::kit::table::CellCx;
use cpitop::panes::errors::get::{ErrorsQuery, table};
use cpitop::panes::errors::{Errors, ErrorsLaunch, Settings};
use cpitop::signature::{GroupKind, SeenSignatures};
use cpitop::sim::{SimAdmin, SimConfig, SimHandle};
use cpitop::tui::effects::EffectRunner;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

fn limits() -> Limits {
    Limits {
        requests_per_second: 1000.0,
        burst: 1000,
        max_retries: 1,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        request_timeout: Duration::from_secs(10),
        ..Limits::default()
    }
}

async fn sim(seed: u64, start: Option<i64>, history: u64) -> (SimHandle, CpiClient) {
    cpitop::cpi::client::install_tls_provider();
    let sim = cpitop::sim::spawn(SimConfig {
        seed,
        message_rate: 0.0,
        history_messages: Some(history),
        start_time_ms: start,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let conn = TenantConn {
        limits: limits(),
        ..sim.demo_conn("sim")
    };
    let client = CpiClient::new(conn).expect("client");
    (sim, client)
}

/// The app against the sim: `update` and the effect runner, pollers not started (the window
/// is fed from the same client), the clock the test's.
struct H {
    _sim: SimHandle,
    admin: SimAdmin,
    client: CpiClient,
    s: State,
    runner: EffectRunner,
    rx: mpsc::Receiver<Msg>,
}

impl H {
    async fn new(budget: u32) -> H {
        let (sim, client) = sim(11, None, 4_000).await;
        let (tx, rx) = mpsc::channel(4096);
        let tenant = TenantInfo {
            name: "sim".into(),
            env: Some(Environment::Test),
            label: None,
            read_only: true,
            web_ui: None,
        };
        let mut s = State::new(tenant, Keymap::defaults(), client.server_now());
        s.messages.query.window_ms = 25 * 3_600_000;
        let launch = ErrorsLaunch {
            settings: Settings {
                budget,
                ..Settings::default()
            },
            ..ErrorsLaunch::default()
        };
        s.errors = Errors::launched(&launch, &s.errors);
        let runner = EffectRunner::new(client.clone(), tx);
        let mut h = H {
            admin: sim.admin(),
            _sim: sim,
            client,
            s,
            runner,
            rx,
        };
        h.send([Msg::Resize(160, 45)]);
        h
    }

    fn send(&mut self, msgs: impl IntoIterator<Item = Msg>) {
        let mut term = Vec::new();
        for m in msgs {
            for e in update(&mut self.s, m) {
                if !matches!(e, Effect::Poll(_)) {
                    self.runner.run(e, &mut term);
                }
            }
        }
    }

    /// Apply what the runner sends until nothing is under way (no grouping running, no text
    /// asked and unanswered).
    async fn settle(&mut self) {
        loop {
            if self.s.errors.running.is_none() && self.s.errors.in_flight.is_empty() {
                return;
            }
            let m = tokio::time::timeout(Duration::from_secs(30), self.rx.recv())
                .await
                .expect("the effects answer in time")
                .expect("channel open");
            self.send([m]);
        }
    }

    /// The message window, as the poller would deliver it.
    async fn load_window(&mut self) {
        let q = cpitop::resources::messages::mpl_query(&self.s.messages.query, self.client.server_now());
        let (_, batches) = cpitop::resources::messages::collect(&self.client, &q, None)
            .await
            .expect("window");
        let generation = self.s.messages.load.generation;
        let at = self.s.now;
        let mut msgs: Vec<Msg> = batches
            .into_iter()
            .map(|b| {
                Msg::Data(DataMsg::Messages {
                    generation,
                    at,
                    event: MessagesEvent::Page(b),
                })
            })
            .collect();
        msgs.push(Msg::Data(DataMsg::Messages {
            generation,
            at,
            event: MessagesEvent::Done,
        }));
        self.send(msgs);
    }

    /// Error-text requests the sim served since the last call, oldest first.
    fn text_requests(&self) -> Vec<String> {
        let r: Vec<String> = self
            .admin
            .recent_requests()
            .into_iter()
            .filter(|r| r.contains("/ErrorInformation"))
            .collect();
        self.admin.clear_requests();
        r
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The message id in `GET /api/v1/MessageProcessingLogs('<id>')/ErrorInformation/$value`.
fn guid_of(request: &str) -> String {
    request
        .split("MessageProcessingLogs('")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_texts_are_fetched_within_the_budget_per_minute() {
    const BUDGET: usize = 12;
    let mut h = H::new(BUDGET as u32).await;
    h.send([key('5')]);
    h.text_requests();
    h.load_window().await;
    h.settle().await;
    let failed = h.s.errors.grouped.rows.len();
    assert!(
        failed > 3 * BUDGET,
        "enough failures to need three minutes: {failed}"
    );
    let start = h.s.now;
    let mut per_minute = Vec::new();
    let mut asked = Vec::new();
    // Three minutes of the app's clock (the first began with the load), a tick a second; every
    // request answered before the next tick.
    for minute in 0..3i64 {
        for second in 0..60i64 {
            h.send([Msg::Tick(start + minute * 60_000 + second * 1_000)]);
            h.settle().await;
        }
        let reqs = h.text_requests();
        asked.push(reqs.iter().map(|r| guid_of(r)).collect::<Vec<_>>());
        per_minute.push(reqs.len());
    }
    assert_eq!(
        per_minute, [BUDGET; 3],
        "exactly the budget each minute (enough unread)"
    );
    // One request per message, never twice, never for a DISCARDED one; newest first (each
    // minute's texts are newer than the next minute's; within a minute they go out together).
    let mut unique: Vec<&String> = asked.iter().flatten().collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3 * BUDGET, "{asked:?}");
    let store = &h.s.messages.store;
    let times: Vec<(i64, i64)> = asked
        .iter()
        .map(|minute| {
            let t: Vec<i64> = minute
                .iter()
                .map(|g| {
                    let row = store.find(g).expect("a message of the window");
                    assert_ne!(store.status(row), MplStatus::Discarded);
                    assert!(matches!(
                        store.status(row),
                        MplStatus::Failed | MplStatus::Escalated
                    ));
                    store.time(row)
                })
                .collect();
            (
                t.iter().copied().min().unwrap_or(0),
                t.iter().copied().max().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        times.windows(2).all(|w| w[0].0 >= w[1].1),
        "newest first: {times:?}"
    );
    // What was read is grouped by signature; the rest waits, provisionally grouped.
    assert_eq!(h.s.errors.unfetched(), failed - 3 * BUDGET);
    let sigs =
        h.s.errors
            .grouped
            .groups
            .iter()
            .filter(|g| matches!(g.kind, GroupKind::Signature { .. }))
            .count();
    assert!(sigs >= 2, "{sigs}");
}

async fn groups_of(seed: u64, start: i64) -> (usize, Vec<(String, usize, usize)>, Vec<serde_json::Value>) {
    let (_sim, client) = sim(seed, Some(start), 20_000).await;
    // A fixed window of the history (the sim's clock runs on).
    let now = start;
    let q = ErrorsQuery {
        from: now - 4 * 3_600_000,
        to: Some(now),
        iflow: None,
        per_iflow: false,
        budget: 100_000,
        settings: Settings::default(),
        describe: "last 4h".into(),
    };
    let cx = CellCx {
        now,
        time: TimeFmt::default(),
    };
    let printed = table(&client, &q, SeenSignatures::default(), &TableOpts::default(), &cx)
        .await
        .expect("groups");
    let groups: Vec<(String, usize, usize)> = printed
        .records
        .iter()
        .map(|g| {
            (
                g["template"].as_str().unwrap_or_default().to_string(),
                g["count"].as_u64().unwrap_or(0) as usize,
                g["iflows"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    let failed = groups.iter().map(|g| g.1).sum();
    (failed, groups, printed.records)
}

/// The sim's failures vary their ids, hosts, ports and numbers per occurrence (every text
/// differs), yet a window of many failures makes a handful of groups, one of them across
/// several iFlows; the same seed gives the same groups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sims_failures_make_a_handful_of_groups_across_iflows() {
    let start = 1_767_000_000_000;
    let (failed, groups, json) = groups_of(1, start).await;
    assert!(failed >= 100, "many failures in 4h: {failed}");
    assert!(
        (4..=16).contains(&groups.len()),
        "a handful of groups: {groups:#?}"
    );
    assert!(
        groups.iter().any(|g| g.2 >= 3),
        "a group across several iFlows: {groups:#?}"
    );
    assert!(
        groups.iter().all(|g| !g.0.contains("not read yet")),
        "every text read"
    );
    // Occurrences differ (ids, hosts, ports, numbers vary) — also without the MPL-ID sentence.
    let (_sim, client) = sim(1, Some(start), 20_000).await;
    let members: Vec<String> = json
        .iter()
        .flat_map(|g| g["members"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m.as_str().map(str::to_string))
        .take(60)
        .collect();
    let mut heads = Vec::new();
    for m in &members {
        let text = client.mpl_error_text(m).await.expect("text").unwrap_or_default();
        assert!(
            text.ends_with(&format!("The MPL ID for the failed message is : {m}")),
            "{text}"
        );
        heads.push(cpitop::signature::normalise::head(&text).to_string());
    }
    let mut distinct = heads.clone();
    distinct.sort();
    distinct.dedup();
    assert!(
        distinct.len() * 10 >= heads.len() * 9,
        "{} distinct of {}: {distinct:#?}",
        distinct.len(),
        heads.len()
    );
    // Deterministic per seed; another seed, other data.
    let (_, again, _) = groups_of(1, start).await;
    assert_eq!(again, groups);
    let (_, other, _) = groups_of(2, start).await;
    assert_ne!(other, groups);
}
