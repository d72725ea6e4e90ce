//! Authentication, CSRF, every fault kind and the admin scenario hooks of the sim.

use crate::sim_util;

use std::time::Duration;

use cpitop::sim::{DownMode, FaultKind, FaultRule, SimConfig};
use sim_util::{T, client, enc, results, small};

#[tokio::test]
async fn oauth_basic_and_token_expiry() {
    let t = T::new(SimConfig {
        token_lifetime: Duration::from_secs(60),
        ..small()
    })
    .await;
    let h = &t.h;
    // token reply shape
    let r = t
        .send(
            t.c.post(&h.token_url)
                .basic_auth(&h.client_id, Some(&h.client_secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials"),
        )
        .await;
    let v = r.json();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 60);
    // bad client credentials
    let r = t
        .send(
            t.c.post(&h.token_url)
                .basic_auth(&h.client_id, Some("wrong"))
                .body("grant_type=client_credentials"),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    let r = t
        .send(
            t.c.post(&h.token_url)
                .basic_auth(&h.client_id, Some(&h.client_secret))
                .body("grant_type=password"),
        )
        .await;
    assert_eq!(r.status, 400);
    // no auth, bad token, Basic user
    let url = t.url("/IntegrationRuntimeArtifacts?$top=1");
    let r = t.send(t.c.get(&url).header("accept", "application/json")).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error"]["message"]["value"].is_string());
    let r = t
        .send(
            t.c.get(&url)
                .bearer_auth("forged")
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = t
        .send(
            t.c.get(&url)
                .basic_auth(&h.username, Some(&h.password))
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = t
        .send(
            t.c.get(&url)
                .basic_auth(&h.username, Some("nope"))
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 401);
    // the token expires with (sim) time
    assert_eq!(t.get("/IntegrationRuntimeArtifacts?$top=1").await.status, 200);
    h.admin().advance_clock(Duration::from_secs(61));
    let r = t.get("/IntegrationRuntimeArtifacts?$top=1").await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("expired"), "{}", r.body);
    // forced expiry
    let tok = sim_util::token(&t.c, h).await;
    let ok = t
        .send(
            t.c.get(&url)
                .bearer_auth(&tok)
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(ok.status, 200);
    h.admin().expire_tokens();
    let r = t
        .send(
            t.c.get(&url)
                .bearer_auth(&tok)
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn csrf_is_required_for_writes() {
    let t = T::new(small()).await;
    let url = t.url("/Queues('ORDERS_IN')");
    let r = t
        .send(
            t.c.post(&url)
                .bearer_auth(&t.token)
                .header("x-http-method", "MERGE")
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.headers["x-csrf-token"], "Required");
    let r = t
        .send(
            t.c.post(&url)
                .bearer_auth(&t.token)
                .header("x-http-method", "MERGE")
                .header("x-csrf-token", "stale")
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 403);
    // fetch: header plus a session cookie
    let f = t
        .send(
            t.c.get(format!("{}/", t.api))
                .bearer_auth(&t.token)
                .header("x-csrf-token", "Fetch")
                .header("accept", "application/json"),
        )
        .await;
    assert!(f.headers.get("set-cookie").is_some());
    let tok = f.headers["x-csrf-token"].to_str().expect("ascii").to_string();
    let r = t
        .send(
            t.c.post(&url)
                .bearer_auth(&t.token)
                .header("x-http-method", "MERGE")
                .header("x-csrf-token", tok)
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    // a plain MERGE verb is rejected on CF
    let csrf = t.csrf().await;
    let r = t
        .send(
            t.c.request(reqwest::Method::from_bytes(b"MERGE").expect("m"), &url)
                .bearer_auth(&t.token)
                .header("x-csrf-token", csrf)
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 405);
    // without CSRF enforcement writes pass
    let t2 = T::new(SimConfig {
        require_csrf: false,
        ..small()
    })
    .await;
    let r = t2
        .send(
            t2.c.post(t2.url("/Queues('ORDERS_IN')"))
                .bearer_auth(&t2.token)
                .header("x-http-method", "MERGE")
                .body("{}"),
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn every_fault_kind() {
    let t = T::new(small()).await;
    let a = t.h.admin();
    let path = "/IntegrationRuntimeArtifacts?$top=2";
    let once = |k: FaultKind| FaultRule::new(k).count(1).path("IntegrationRuntimeArtifacts");

    a.add_fault(once(FaultKind::RateLimit { retry_after: 3 }));
    let r = t.get(path).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "3");
    assert_eq!(t.get(path).await.status, 200, "count=1: the next call passes");

    a.add_fault(once(FaultKind::Http500));
    let r = t.get(path).await;
    assert_eq!(r.status, 500);
    assert!(r.json()["error"]["message"]["value"].is_string());

    a.add_fault(once(FaultKind::Http503));
    assert_eq!(t.get(path).await.status, 503);

    a.add_fault(once(FaultKind::HtmlLogin));
    let r = t.get(path).await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(r.body.contains("<html"));

    a.add_fault(once(FaultKind::MalformedJson));
    let r = t.get(path).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_err());

    a.add_fault(once(FaultKind::TruncatedJson));
    let r = t.get(path).await;
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("{\"d\""));
    assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_err());

    a.add_fault(once(FaultKind::DropConnection));
    let e =
        t.c.get(t.url(path))
            .bearer_auth(&t.token)
            .header("accept", "application/json")
            .send()
            .await;
    assert!(e.is_err(), "connection dropped");

    a.add_fault(once(FaultKind::TokenExpiry));
    assert_eq!(t.get(path).await.status, 401);
    let t_new = sim_util::token(&t.c, &t.h).await;
    let r = t
        .send(
            t.c.get(t.url(path))
                .bearer_auth(&t_new)
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(r.status, 200);

    let t = T::new(small()).await;
    let a = t.h.admin();
    a.add_fault(once(FaultKind::TenantDown));
    assert_eq!(t.get(path).await.status, 503);

    a.add_fault(once(FaultKind::Latency { ms: 300 }));
    let started = std::time::Instant::now();
    assert_eq!(t.get(path).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // after_successes + method: fail the third POST only
    a.add_fault(
        FaultRule::new(FaultKind::Http500)
            .count(1)
            .after(2)
            .method("POST")
            .path("Queues"),
    );
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(t.merge("/Queues('ORDERS_IN')", "{}").await.status);
    }
    assert_eq!(codes, [204, 204, 500, 204]);
    assert!(
        a.faults()
            .iter()
            .any(|(_, r, fired)| r.kind == FaultKind::Http500 && *fired == 1)
    );
    a.clear_faults();
    assert!(a.faults().is_empty());

    // probability 0 never fires; the token endpoint is hit only when named
    a.add_fault(FaultRule::new(FaultKind::Http500).probability(0.0));
    assert_eq!(t.get(path).await.status, 200);
    a.clear_faults();
    a.add_fault(FaultRule::new(FaultKind::Http503).count(1).path("/oauth/token"));
    let r = t
        .send(
            t.c.post(&t.h.token_url)
                .basic_auth(&t.h.client_id, Some(&t.h.client_secret))
                .body("grant_type=client_credentials"),
        )
        .await;
    assert_eq!(r.status, 503);
}

#[tokio::test]
async fn faults_from_config_and_over_http_admin() {
    let cfg = SimConfig {
        faults: vec![FaultRule::parse_flag("rate_limit:1,count=1,path=Queues").expect("flag")],
        ..small()
    };
    let t = T::new(cfg).await;
    assert_eq!(t.get("/Queues").await.status, 429);
    assert_eq!(t.get("/Queues").await.status, 200);
    let c = client();
    let admin = format!("{}/sim/admin", t.h.base_url);
    let r = c
        .post(format!("{admin}/faults"))
        .body(r#"{"kind":"http503","count":1,"path_contains":"KeystoreEntries"}"#)
        .send()
        .await
        .expect("admin");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.get("/KeystoreEntries").await.status, 503);
    assert_eq!(t.get("/KeystoreEntries").await.status, 200);
    let r = c
        .post(format!("{admin}/faults"))
        .body(r#"{"kind":"nope"}"#)
        .send()
        .await
        .expect("admin");
    assert_eq!(r.status().as_u16(), 400);
    // tenant down / up
    c.post(format!("{admin}/tenant/down"))
        .body(r#"{"mode":"unavailable"}"#)
        .send()
        .await
        .expect("admin");
    assert_eq!(t.get("/Queues").await.status, 503);
    c.post(format!("{admin}/tenant/up")).send().await.expect("admin");
    assert_eq!(t.get("/Queues").await.status, 200);
    t.h.admin().tenant_down(DownMode::Drop);
    let fresh = client();
    assert!(
        fresh
            .get(t.url("/Queues"))
            .bearer_auth(&t.token)
            .send()
            .await
            .is_err()
    );
    t.h.admin().tenant_up();
    assert_eq!(t.get("/Queues").await.status, 200);
    // Down in drop mode over HTTP: API calls are dropped, the admin endpoint still answers, so
    // the tenant can be brought back up from outside the process (`cpitop sim` + curl).
    let r = c
        .post(format!("{admin}/tenant/down"))
        .body(r#"{"mode":"drop"}"#)
        .send()
        .await
        .expect("admin");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        client()
            .get(t.url("/Queues"))
            .bearer_auth(&t.token)
            .send()
            .await
            .is_err(),
        "API calls are dropped"
    );
    let r = client()
        .post(format!("{admin}/tenant/up"))
        .send()
        .await
        .expect("the admin endpoint answers while the tenant drops connections");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.get("/Queues").await.status, 200);
    // clock and truth over HTTP
    let v: serde_json::Value = serde_json::from_str(
        &c.get(format!("{admin}/clock"))
            .send()
            .await
            .expect("a")
            .text()
            .await
            .expect("t"),
    )
    .expect("json");
    let now = v["now_ms"].as_i64().expect("now");
    let r = c
        .post(format!("{admin}/clock/advance"))
        .body(r#"{"ms":60000}"#)
        .send()
        .await
        .expect("a");
    let v: serde_json::Value = serde_json::from_str(&r.text().await.expect("t")).expect("json");
    assert!(v["now_ms"].as_i64().expect("now") >= now + 60_000);
    let v: serde_json::Value = serde_json::from_str(
        &c.get(format!(
            "{admin}/truth/messages?from={}&to={}",
            now - 600_000,
            now
        ))
        .send()
        .await
        .expect("a")
        .text()
        .await
        .expect("t"),
    )
    .expect("json");
    assert!(v["guids"].as_array().is_some_and(|g| g.len() > 100));
    let v: serde_json::Value = serde_json::from_str(
        &c.get(format!("{admin}/stats"))
            .send()
            .await
            .expect("a")
            .text()
            .await
            .expect("t"),
    )
    .expect("json");
    assert!(v["requests"].as_u64().is_some_and(|n| n >= 8));
    let r = c.get(format!("{admin}/nope")).send().await.expect("a");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn scenario_hooks_stop_fail_fill_expire() {
    let t = T::new(SimConfig {
        message_rate: 20.0,
        ..small()
    })
    .await;
    let a = t.h.admin();
    // stop → ERROR with error info, start → STARTED
    a.stop_iflow("Orders_Inbound").expect("known iflow");
    let v = t.json("/IntegrationRuntimeArtifacts('Orders_Inbound')").await;
    assert_eq!(v["d"]["Status"], "ERROR");
    let ei = t
        .json("/IntegrationRuntimeArtifacts('Orders_Inbound')/ErrorInformation/$value")
        .await;
    assert!(
        ei["parameter"][0]
            .as_str()
            .is_some_and(|p| p.contains("Orders_Inbound"))
    );
    let before = a.now_ms();
    a.advance_clock(Duration::from_secs(120));
    let f = enc(&format!(
        "IntegrationFlowName eq 'Orders_Inbound' and LogStart gt {}",
        cpitop::cpi::odata::datetime_literal(before + 1000)
    ));
    let v = t.json(&format!("/MessageProcessingLogs?$filter={f}")).await;
    assert!(results(&v).is_empty(), "a stopped iFlow produces no messages");
    a.start_iflow("Orders_Inbound").expect("known");
    assert_eq!(
        a.truth_artifact_status("Orders_Inbound").as_deref(),
        Some("STARTED")
    );
    assert!(a.stop_iflow("Nope").is_err());
    // fail the next 3 messages of an iFlow
    a.fail_next("Shipment_Tracking", 3, "boom: receiver down")
        .expect("known");
    let from = a.now_ms();
    a.advance_clock(Duration::from_secs(600));
    let f = enc(&format!(
        "IntegrationFlowName eq 'Shipment_Tracking' and Status eq 'FAILED' and LogStart ge {}",
        cpitop::cpi::odata::datetime_literal(from)
    ));
    let v = t.json(&format!("/MessageProcessingLogs?$filter={f}")).await;
    let failed = results(&v);
    let injected: Vec<_> = {
        let mut out = Vec::new();
        for m in failed {
            let g = m["MessageGuid"].as_str().expect("guid");
            let r = t
                .get(&format!("/MessageProcessingLogs('{g}')/ErrorInformation/$value"))
                .await;
            if r.body == "boom: receiver down" {
                out.push(g.to_string());
            }
        }
        out
    };
    assert_eq!(
        injected.len(),
        3,
        "exactly the next three failed with the injected text"
    );
    // fill a queue
    a.fill_queue("DLQ_ORDERS_IN", 5, true);
    let q = t.json("/Queues('DLQ_ORDERS_IN')").await;
    assert_eq!(q["d"]["NumbOfMsgs"], "12");
    assert_eq!(a.truth_queue("DLQ_ORDERS_IN").expect("queue").len(), 12);
    // expire a certificate
    a.expire_certificate("ariba_network", None).expect("known alias");
    let hex: String = "ariba_network".bytes().map(|b| format!("{b:02x}")).collect();
    let k = t.json(&format!("/KeystoreEntries('{hex}')")).await;
    assert!(sim_util::date_ms(&k["d"]["ValidNotAfter"]) < a.now_ms());
}
