//! Failures explained (issue 12, items 11–13 and 15): error replies in the shapes real tenants
//! send become one readable line; deterministic replies are not retried (and a 501 to `$select`
//! is asked again without it); `check` names the real cause of a part it could not read, with
//! what to check; package scopes take the package from the message rows and degrade per package.

use crate::client_support;
use client_support as support;

use std::sync::Arc;
use std::time::Duration;

use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::cpi::{CpiClient, CpiError};
use cpitop::headless::{Target, check, monitors_from_table};
use cpitop::monitor::{CheckFormat, Status};
use cpitop::sim::{FaultKind, FaultRule, SimConfig, SimHandle, spawn};
use support::{json, oauth_conn, reply, serve, token_reply};

async fn sim() -> SimHandle {
    spawn(SimConfig {
        seed: 12,
        message_rate: 1.0,
        history: Duration::from_secs(3600),
        history_messages: Some(2_000),
        ..SimConfig::default()
    })
    .await
    .expect("sim")
}

fn conn(sim: &SimHandle, retries: u32) -> TenantConn {
    TenantConn {
        limits: Limits {
            max_retries: retries,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            request_timeout: Duration::from_secs(5),
            ..Limits::default()
        },
        ..sim.demo_conn("simtest")
    }
}

// --- error bodies and the retry policy -----------------------------------------------------

/// Each shape real tenants (or proxies) send, as the sim sends it on request: the client's
/// error is one line with the status, the code and the message — never the raw `{` or `<` of
/// the body.
#[tokio::test]
async fn error_bodies_in_every_shape_become_one_readable_line() {
    use cpitop::sim::ErrorShape::*;
    let h = sim().await;
    let a = h.admin();
    let c = CpiClient::new(conn(&h, 0)).expect("client");
    for (shape, status, want) in [
        (Wrapped, 400, "Invalid filter expression"),
        (Unwrapped, 409, "Invalid filter expression"),
        (LangText, 400, "Invalid filter expression"),
        (Xml, 400, "Invalid filter expression"),
        (Bom, 400, "Invalid filter expression"),
        (Atom, 400, "an Atom feed instead of JSON"),
        (Html, 502, "an HTML page (Bad Gateway)"),
    ] {
        let id = a.add_fault(
            FaultRule::new(FaultKind::ErrorBody {
                status,
                shape,
                message: Some("Invalid filter expression".into()),
            })
            .path("IntegrationRuntimeArtifacts"),
        );
        let err = c.runtime_artifacts().await.expect_err("fails");
        a.remove_fault(id);
        let text = err.to_string();
        assert!(text.contains(want), "{shape:?}: {text}");
        assert!(
            text.contains(&status.to_string()),
            "{shape:?} names the status: {text}"
        );
        assert!(
            !text.contains('{')
                && !text.contains("<?xml")
                && !text.contains("<error")
                && !text.contains('\n'),
            "{shape:?}: one readable line: {text}"
        );
    }
    // The real 403: unwrapped, `value: null` — the code and what to check.
    let id = a.add_fault(FaultRule::new(FaultKind::Forbidden).path("Queues"));
    let err = c.queues().await.expect_err("403");
    a.remove_fault(id);
    assert!(matches!(err, CpiError::Forbidden { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("HTTP 403") && text.contains("DataStoresAndQueuesRead"),
        "{text}"
    );
    assert_eq!(
        err.what_to_check().as_deref(),
        Some(
            "the role DataStoresAndQueuesRead (retrying, moving and deleting need DataStoresAndQueuesDelete too)"
        )
    );
}

/// Before: every 5xx was retried five times and blamed on maintenance. Now a 500 with an
/// application error is asked once more and reported as what it says; 501, 400, 403 and 409
/// are never retried (404 is an answer: `None`); 503 still backs off.
#[tokio::test]
async fn deterministic_replies_are_not_retried_and_not_blamed_on_maintenance() {
    let server = serve(Arc::new(|r: &support::Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        // `IntegrationRuntimeArtifacts('S<status>')`: answer that status.
        let status = r
            .path
            .split("('S")
            .nth(1)
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        match status {
            500 => json(
                500,
                r#"{"error":{"code":"Internal Server Error","message":{"lang":"en","value":"Value 'X' of property Status is invalid"}}}"#,
            ),
            503 => reply(503, "text/html", "<html><head><title>Maintenance</title></head></html>"),
            s => json(s, r#"{"code":"Error","message":{"lang":"en","value":null}}"#),
        }
    }))
    .await;
    let mut conn = oauth_conn(&server.base);
    conn.limits = support::fast_limits();
    let c = CpiClient::new(conn).expect("client");
    let calls = |status: u16| server.count(|r| r.path.contains(&format!("('S{status}')")));
    for status in [400u16, 403, 409, 500, 501, 503] {
        let err = c
            .runtime_artifact(&format!("S{status}"))
            .await
            .expect_err("fails");
        let text = err.to_string();
        let want_calls = match status {
            500 => 2,
            503 => 1 + support::fast_limits().max_retries as usize,
            _ => 1,
        };
        assert_eq!(calls(status), want_calls, "HTTP {status}: {text}");
        match status {
            500 => {
                assert!(
                    text.contains("Value 'X' of property Status is invalid") && !text.contains("maintenance"),
                    "an application error is not maintenance: {text}"
                );
            }
            501 => assert!(
                text.contains("not offered by this tenant") && !text.contains("maintenance"),
                "{text}"
            ),
            503 => assert!(
                text.contains("maintenance") && text.contains("Maintenance"),
                "{text}"
            ),
            _ => assert!(!text.contains("maintenance"), "{text}"),
        }
    }
}

/// Real tenants answer 501 `$select is not supported` on IntegrationPackages (the realistic sim
/// does): asked once more without `$select`, and the set remembered — the next call goes
/// without it at once.
#[tokio::test]
async fn a_501_to_select_is_asked_again_without_it_and_remembered() {
    let h = sim().await;
    let a = h.admin();
    let c = CpiClient::new(conn(&h, 0)).expect("client");
    a.clear_requests();
    let first = c
        .designtime_artifacts("SalesIntegration")
        .await
        .expect("read without $select");
    assert!(!first.is_empty());
    let second = c.designtime_artifacts("FinanceIntegration").await.expect("again");
    assert!(!second.is_empty());
    let reqs: Vec<String> = a
        .recent_requests()
        .into_iter()
        .filter(|r| r.contains("IntegrationPackages"))
        .collect();
    assert_eq!(
        reqs.len(),
        3,
        "one refused, one without $select, then at once: {reqs:#?}"
    );
    assert!(reqs[0].contains("$select") && !reqs[1].contains("$select") && !reqs[2].contains("$select"));
}

// --- check ---------------------------------------------------------------------------------

fn target(sim: &SimHandle, monitors: &str) -> Target {
    let table: toml::Table = toml::from_str(monitors).expect("monitor toml");
    Target {
        tenant: "simtest".into(),
        client: CpiClient::new(conn(sim, 0)).expect("client"),
        monitors: monitors_from_table(&table, None).expect("valid monitors"),
        state_dir: None,
        notes: Vec::new(),
        sim: None,
        errors: Default::default(),
        landscape: None,
        peers: Vec::new(),
    }
}

/// A part that failed is reported with its cause (before: "JMS queues not loaded yet", "JMS
/// broker not loaded yet (is a broker provisioned?)", empty notes): the monitor's text, a note
/// in text output and `failed` in JSON carry the status, the tenant's message and what to check.
#[tokio::test]
async fn check_names_the_real_cause_and_what_to_check() {
    let h = sim().await;
    let a = h.admin();
    a.add_fault(FaultRule::new(FaultKind::Forbidden).path("Queues"));
    a.add_fault(FaultRule::new(FaultKind::Forbidden).path("JmsBrokers"));
    a.add_fault(FaultRule::new(FaultKind::Http500).path("KeystoreEntries"));
    let t = target(
        &h,
        r#"
[[defaults]]
key = "dlq"
name = "Dead letters"
rules = [{ kind = "dlq_not_empty" }]
[[defaults]]
key = "broker"
name = "Broker"
rules = [{ kind = "broker_capacity" }]
[[defaults]]
key = "cert"
name = "Certificates"
rules = [{ kind = "cert_expiry", within = "30d" }]
"#,
    );
    let out = check(&t).await.expect("check runs");
    let text_of = |key: &str| {
        let m = out
            .report
            .monitors
            .iter()
            .find(|m| m.key == key)
            .expect("monitor");
        assert_eq!(m.status, Status::NotCalculated, "{}", m.text);
        m.text.clone()
    };
    let dlq = text_of("dlq");
    assert!(
        dlq.starts_with("JMS queues could not be read:")
            && dlq.contains("HTTP 403")
            && dlq.contains("DataStoresAndQueuesRead"),
        "{dlq}"
    );
    let broker = text_of("broker");
    assert!(
        broker.contains("HTTP 403") && !broker.contains("provisioned"),
        "{broker}"
    );
    let cert = text_of("cert");
    assert!(
        cert.contains("HTTP 500") && cert.contains("injected by the simulated tenant"),
        "{cert}"
    );

    let text = out.render(CheckFormat::Text);
    assert!(
        text.contains("note: queues could not be read: the tenant refused"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&out.render(CheckFormat::Json)).expect("JSON");
    let failed = json["failed"].as_array().expect("failed parts");
    let queues = failed
        .iter()
        .find(|f| f["part"] == "queues")
        .expect("queues failed");
    assert_eq!(queues["status"], 403);
    assert!(
        queues["check"]
            .as_str()
            .unwrap_or("")
            .contains("DataStoresAndQueuesRead"),
        "{queues}"
    );
    let keystore = failed
        .iter()
        .find(|f| f["part"] == "keystore")
        .expect("keystore failed");
    assert_eq!(keystore["status"], 500);
    assert_eq!(keystore["check"], "what the tenant's message names");
}

/// Package scopes: `failures` takes each iFlow's package from its message rows (no design-time
/// call at all); `not_started` reads the design-time artifacts of its own package only; a
/// package whose listing fails leaves only its own monitor not calculated (before: one call per
/// package of the tenant, and every package monitor UNKNOWN when any failed).
#[tokio::test]
async fn package_scopes_read_rows_first_and_degrade_per_package() {
    let h = sim().await;
    let a = h.admin();
    a.add_fault(FaultRule::new(FaultKind::Forbidden).path("FinanceIntegration"));
    let t = target(
        &h,
        r#"
[[defaults]]
key = "sales-failures"
name = "Sales failing"
scope = { package = "SalesIntegration" }
rules = [{ kind = "failures", at_least = 1000, within = "1h" }]
[[defaults]]
key = "sales-stopped"
name = "Sales not started"
scope = { package = "SalesIntegration" }
rules = [{ kind = "not_started" }]
[[defaults]]
key = "finance-stopped"
name = "Finance not started"
scope = { package = "FinanceIntegration" }
rules = [{ kind = "not_started" }]
"#,
    );
    a.clear_requests();
    let out = check(&t).await.expect("check runs");
    let of = |key: &str| {
        out.report
            .monitors
            .iter()
            .find(|m| m.key == key)
            .map(|m| (m.status, m.text.clone()))
            .expect("monitor")
    };
    let (st, text) = of("sales-failures");
    assert_eq!(st, Status::Ok, "{text}");
    let (st, text) = of("sales-stopped");
    assert!(
        matches!(st, Status::Ok | Status::Error),
        "evaluated: {st:?} {text}"
    );
    let (st, text) = of("finance-stopped");
    assert_eq!(st, Status::NotCalculated, "{text}");
    assert!(
        text.contains("package FinanceIntegration could not be read") && text.contains("403"),
        "{text}"
    );
    let design: Vec<String> = a
        .recent_requests()
        .into_iter()
        .filter(|r| r.contains("IntegrationPackages"))
        .collect();
    assert!(
        design
            .iter()
            .all(|r| r.contains("IntegrationPackages('SalesIntegration')")
                || r.contains("IntegrationPackages('FinanceIntegration')")),
        "only the scoped packages, never the whole list: {design:#?}"
    );
}

/// The realistic sim's own 403: its key lacks MessagePayloadsRead, so a persisted payload is
/// refused in the unwrapped form with `value: null` — which the client reads as code and role.
#[tokio::test]
async fn the_sims_own_403_is_the_unwrapped_form() {
    let h = sim().await;
    let c = CpiClient::new(conn(&h, 0)).expect("client");
    let q = cpitop::cpi::MplQuery::last_hours(h.admin().now_ms(), 2);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<cpitop::cpi::GuidPage>(16);
    let (out, guids) = tokio::join!(
        c.fetch_mpl_window(&q, Arc::new(cpitop::cpi::decode_guid_page), tx, None),
        async {
            let mut v = Vec::new();
            while let Some(p) = rx.recv().await {
                v.extend(p.rows.into_iter().map(|(g, _)| g));
            }
            v
        }
    );
    out.expect("window");
    let mut entry = None;
    for g in guids {
        if let Some(e) = c
            .mpl_message_store_entries(&g)
            .await
            .expect("entries")
            .into_iter()
            .next()
        {
            entry = Some(e.id);
            break;
        }
    }
    let id = entry.expect("a message with a persisted payload");
    let url = format!(
        "{}/api/v1/MessageStoreEntries('{}')/$value",
        h.base_url,
        percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC)
    );
    let resp = support::raw_http()
        .get(url)
        .basic_auth(&h.username, Some(&h.password))
        .send()
        .await
        .expect("reply");
    assert_eq!(resp.status().as_u16(), 403);
    let body = resp.bytes().await.expect("body");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).expect("JSON"),
        serde_json::json!({"code":"Forbidden","message":{"lang":"en","value":null}})
    );
    let read = cpitop::cpi::error_body::parse(&body, false);
    assert_eq!((read.code.as_deref(), read.message), (Some("Forbidden"), None));
}

/// The rules see the messages in flight: every PROCESSING row of a real tenant (and of the
/// realistic sim) has no LogEnd, so before, a `failures` rule over PROCESSING never counted one
/// ("no PROCESSING in 1h"); their iFlow is not known yet, and the text says so.
#[tokio::test]
async fn rules_count_messages_in_flight() {
    let h = sim().await;
    let flying = h.admin().truth_in_flight().len();
    assert!(flying > 0, "the sim has messages in flight");
    let t = target(
        &h,
        r#"
[[defaults]]
key = "stuck"
name = "Messages in flight"
rules = [{ kind = "failures", at_least = 1, within = "1h", statuses = ["PROCESSING"] }]
"#,
    );
    let processing = || {
        h.admin()
            .truth_in_flight()
            .iter()
            .filter(|g| h.admin().truth_message_status(g).as_deref() == Some("PROCESSING"))
            .count()
    };
    let before = processing();
    let out = check(&t).await.expect("check runs");
    let after = processing();
    let m = &out.report.monitors[0];
    assert_eq!(m.status, Status::Error, "{}", m.text);
    assert!(m.text.contains("PROCESSING in 1h"), "{}", m.text);
    let n: usize = m
        .text
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    // The sim's clock runs while the check reads: between the counts before and after.
    assert!(
        (before.min(after)..=before.max(after)).contains(&n),
        "{n} counted, {before}..{after} in flight: {}",
        m.text
    );
}
