//! Queues as real tenants serve them: a tenant without either queue list (trial: 501, an edition
//! without JMS: 404) still has a broker whose queue states are shown; the 2026 messaging API's
//! function imports take URL parameters and at most 100 messages per call.

use crate::client_support;
use crate::sim_util;

use std::collections::HashSet;

use client_support::sim_conn;
use cpitop::cpi::{CpiClient, JmsMessageKey, QueueApiKind, QueueListing};
use cpitop::kit::print::TableOpts;
use cpitop::kit::table::{CellCx, Table};
use cpitop::panes::queues::Queues;
use cpitop::panes::queues::get::table as get_queues;
use cpitop::sim::{QueueApi, SimConfig};
use serde_json::Value;
use sim_util::{T, enc, small};

fn quiet(api: QueueApi) -> SimConfig {
    SimConfig {
        seed: 5,
        message_rate: 0.0,
        history_messages: Some(300),
        queue_api: api,
        ..SimConfig::default()
    }
}

fn cx() -> CellCx {
    CellCx {
        now: chrono::Utc::now().timestamp_millis(),
        time: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_without_queue_lists_shows_the_brokers_queue_states() {
    let h = cpitop::sim::spawn(quiet(QueueApi::None)).await.expect("sim");
    let c = CpiClient::new(sim_conn(&h)).expect("client");

    // Both lists answer 501 (a trial tenant); the broker still answers.
    match c.queue_listing().await.expect("an answer") {
        QueueListing::Missing(m) => {
            assert_eq!((m.classic.status(), m.messaging.status()), (Some(501), Some(501)));
        }
        QueueListing::Listed(q) => panic!("no list expected, got {q:?}"),
    }
    let broker = c.jms_broker().await.expect("broker");
    assert!(
        broker.queue_number > broker.queue_states.len() as i64,
        "the broker counts more queues than it lists: {} vs {}",
        broker.queue_number,
        broker.queue_states.len()
    );

    let snap = cpitop::resources::queues::snapshot(&c)
        .await
        .expect("a snapshot, not an error");
    let why = snap.missing.clone().expect("says why");
    for part in [
        "Queues: HTTP 501",
        "MessagingQueues: HTTP 501",
        "Basic edition",
        "DataStoresAndQueuesRead",
        &format!(
            "({} of its {} queues)",
            broker.queue_states.len(),
            broker.queue_number
        ),
    ] {
        assert!(why.contains(part), "{part:?} in {why}");
    }
    let names: HashSet<&str> = snap.queues.iter().map(|r| r.queue.name.as_str()).collect();
    let states: HashSet<&str> = broker.queue_states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, states, "one row per listed queue state");
    assert!(snap.queues.iter().all(|r| r.fill.is_some()));

    // The pane shows what the broker does not know as unknown, never as 0.
    let mut pane = Queues {
        broker: snap.broker.clone(),
        rows: snap.queues.clone(),
        missing: snap.missing.clone(),
        ..Queues::default()
    };
    let cx = cx();
    pane.rebuild(&cx);
    let running = (0..pane.rows.len())
        .find(|&i| pane.rows[i].broker_only)
        .expect("a queue known only from the broker");
    assert_eq!(pane.cell(running, 1, &cx), "?", "depth unknown");
    assert_eq!(pane.cell(running, 2, &cx), "?", "failed unknown");
    assert_eq!(pane.cell(running, 5, &cx), "active");
    let stopped = (0..pane.rows.len())
        .find(|&i| !pane.rows[i].queue.active)
        .expect("the stopped queue (InactiveQueues)");
    assert_eq!(pane.cell(stopped, 5, &cx), "stopped");
    assert_ne!(
        pane.cell(stopped, 1, &cx),
        "?",
        "InactiveQueues carries its depth"
    );
    // Broker-only rows are not a queue listing for rules.
    pane.load.ok(1);
    assert_eq!(pane.loaded_at_listed(), None);

    // `get queues -o json` carries the broker and the reason.
    let printed = get_queues(&c, false, &TableOpts::default(), &cx)
        .await
        .expect("printed");
    assert!(
        printed.table.summary.contains("DataStoresAndQueuesRead"),
        "{}",
        printed.table.summary
    );
    let doc: Value = serde_json::from_str(&printed.json()).expect("JSON");
    assert_eq!(doc["broker"]["key"], "Broker1", "{doc}");
    assert_eq!(doc["broker"]["queues"], broker.queue_number);
    assert!(doc["broker"]["level"].is_string());
    assert!(doc["queue_list"].is_null());
    assert!(doc["missing"].as_str().is_some_and(|m| m.contains("HTTP 501")));
    let rows = doc["queues"].as_array().expect("rows");
    assert_eq!(rows.len(), states.len());
    // What the broker alone does not tell is null (the table shows `?`).
    assert!(rows.iter().any(|r| r["depth"].is_null() && r["fill"].is_string()));

    // Reading a queue's messages says the same instead of a bare 501.
    let e = c.queue_messages("ORDERS_IN").await.expect_err("no queue API");
    assert!(e.to_string().contains("no JMS queue list on this tenant"), "{e}");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_missing_status_is_configurable_and_a_listed_tenant_gets_fill_states() {
    let h = cpitop::sim::spawn(SimConfig {
        queue_api_absent_status: 404,
        ..quiet(QueueApi::None)
    })
    .await
    .expect("sim");
    let c = CpiClient::new(sim_conn(&h)).expect("client");
    let snap = cpitop::resources::queues::snapshot(&c).await.expect("snapshot");
    assert!(
        snap.missing
            .as_deref()
            .is_some_and(|m| m.contains("Queues: HTTP 404")),
        "{:?}",
        snap.missing
    );
    h.shutdown().await;

    // With a queue list: depths as listed, and the broker's fill state beside them.
    let h = cpitop::sim::spawn(quiet(QueueApi::Classic)).await.expect("sim");
    let c = CpiClient::new(sim_conn(&h)).expect("client");
    let snap = cpitop::resources::queues::snapshot(&c).await.expect("snapshot");
    assert!(snap.missing.is_none());
    let dlq = snap
        .queues
        .iter()
        .find(|r| r.queue.name == "DLQ_INVOICES_OUT")
        .expect("DLQ_INVOICES_OUT");
    assert_eq!(
        (dlq.queue.numb_of_msgs, dlq.fill, dlq.broker_only),
        (25, Some(1), false)
    );
    h.shutdown().await;
}

fn calls(h: &cpitop::sim::SimHandle, fi: &str) -> Vec<String> {
    h.admin()
        .recent_requests()
        .into_iter()
        .filter(|r| r.starts_with(&format!("POST /api/v1/{fi}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messaging_moves_and_retries_go_in_batches_of_at_most_100() {
    let h = cpitop::sim::spawn(quiet(QueueApi::Messaging)).await.expect("sim");
    let a = h.admin();
    a.fill_queue("BULK_SRC", 250, true);
    a.fill_queue("BULK_DST", 0, false);
    let c = CpiClient::new(sim_conn(&h)).expect("client");
    c.queues().await.expect("queues");
    assert_eq!(c.queue_api(), Some(QueueApiKind::Messaging));

    // Retry 150: two calls (100 + 50), every message confirmed.
    let msgs = c.queue_messages("BULK_SRC").await.expect("messages");
    assert_eq!(msgs.len(), 250);
    let keys: Vec<JmsMessageKey> = msgs.iter().take(150).map(JmsMessageKey::from).collect();
    a.clear_requests();
    let out = c.retry_queue_messages(&keys).await;
    assert_eq!(out.succeeded.len(), 150, "{:?}", out.failed.first());
    let retries = calls(&h, "RetryMessagingMessages");
    assert_eq!(retries.len(), 2, "{retries:?}");
    // (the quotes of the literal arrive percent-encoded)
    let first = retries[0].replace("%27", "'");
    assert!(
        first.contains("queueName='BULK_SRC'&jmsMessageIds='ID:"),
        "{first}"
    );
    let retried = a.truth_queue("BULK_SRC").expect("q");
    assert_eq!(retried.iter().filter(|m| !m.failed).count(), 150);

    // Move all 250: three calls (100, 100, 50).
    let ids: Vec<String> = msgs.iter().map(|m| m.msgid.clone()).collect();
    a.clear_requests();
    let out = c
        .move_queue_messages("BULK_SRC", "BULK_DST", &ids)
        .await
        .expect("move");
    assert_eq!(out.succeeded.len(), 250, "{:?}", out.failed.first());
    assert_eq!(calls(&h, "MoveMessagingMessages").len(), 3);
    assert_eq!(a.truth_queue("BULK_DST").expect("q").len(), 250);
    assert!(a.truth_queue("BULK_SRC").expect("q").is_empty());
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sim_refuses_more_than_100_messages_per_call_as_a_tenant_would() {
    let t = T::new(SimConfig {
        queue_api: QueueApi::Messaging,
        ..small()
    })
    .await;
    let a = t.h.admin();
    a.fill_queue("BIG", 101, true);
    let ids: Vec<String> = a
        .truth_queue("BIG")
        .expect("q")
        .iter()
        .map(|m| m.msgid.clone())
        .collect();
    let path = format!(
        "/MoveMessagingMessages?sourceQueue='BIG'&targetQueue='ORDERS_IN'&jmsMessageIds='{}'",
        enc(&ids.join(","))
    );
    let r = t.write("POST", &path, None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let v = r.json();
    assert_eq!(v["error"]["code"], "Bad Request");
    assert!(
        v["error"]["message"]["value"]
            .as_str()
            .is_some_and(|m| m.contains("must not exceed 100")),
        "{v}"
    );
    assert_eq!(a.truth_queue("BIG").expect("q").len(), 101, "nothing moved");

    // The new API's fields, with Int64 values as strings.
    let ms = t
        .json("/MessagingQueues('BIG')/MessagingMessages?pageSize=100")
        .await;
    let m = &sim_util::results(&ms)[0];
    for f in [
        "jmsMessageId",
        "queueName",
        "failed",
        "mplId",
        "createdAt",
        "retryCount",
        "nextRetry",
        "overdueAt",
        "expirationDate",
        "sender",
        "receiver",
        "messageType",
        "applicationId",
        "correlationId",
        "customStatus",
    ] {
        assert!(m.get(f).is_some(), "{f} in {m}");
    }
    assert!(
        m["createdAt"].is_string() && m["expirationDate"].is_string(),
        "{m}"
    );
    assert!(m["failed"].is_boolean());
}
