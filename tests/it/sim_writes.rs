//! Writes against the sim: queue retry/move/delete in both queue APIs, deploy and undeploy.

use crate::sim_util;

use std::time::Duration;

use cpitop::sim::{QueueApi, SimConfig};
use sim_util::{T, enc, results, small};

fn enc_id(id: &str) -> String {
    enc(id)
}

#[tokio::test]
async fn classic_queue_api_retry_move_delete() {
    let t = T::new(small()).await;
    let a = t.h.admin();
    assert_eq!(
        t.get("/MessagingQueues").await.status,
        404,
        "the other variant is not served"
    );
    let qs = t.json("/Queues").await;
    let names: Vec<&str> = results(&qs).iter().filter_map(|q| q["Name"].as_str()).collect();
    assert!(names.contains(&"ORDERS_IN") && names.contains(&"DLQ_ORDERS_IN"));
    assert!(results(&qs).iter().any(|q| q["Active"] == "0"), "a stopped queue");
    assert!(results(&qs).iter().all(|q| q["NumbOfMsgs"].is_string()));
    let dlq = t.json("/Queues('DLQ_ORDERS_IN')/Messages").await;
    let msgs = results(&dlq).clone();
    assert_eq!(msgs.len(), 7);
    assert!(msgs.iter().all(|m| m["Failed"] == true && m["RetryCount"] == "5"));
    let blocked = t.json("/Queues('DELIVERY_3PL')/Messages").await;
    assert!(
        results(&blocked)
            .iter()
            .all(|m| m["Failed"] == false && m["NextRetry"].is_null() && m["RetryCount"] != "0")
    );
    let m0 = msgs[0]["Msgid"].as_str().expect("id").to_string();
    let key = format!(
        "/JmsMessages(Msgid='{}',Name='DLQ_ORDERS_IN',Failed=true)",
        enc_id(&m0)
    );
    assert_eq!(msgs[0]["__metadata"]["uri"], format!("{}{}", t.api, key));
    // single + $value
    let one = t.json(&key).await;
    assert_eq!(one["d"]["Msgid"], m0.as_str());
    assert_eq!(t.get(&format!("{key}/$value")).await.status, 200);
    // retry one message
    let r = t.merge(&key, "{}").await;
    assert_eq!(r.status, 204, "{}", r.body);
    let truth = a.truth_queue("DLQ_ORDERS_IN").expect("q");
    let m = truth.iter().find(|m| m.msgid == m0).expect("still there");
    assert!(!m.failed && m.next_retry.is_some());
    // the key now has Failed=false
    assert_eq!(t.get(&key).await.status, 404);
    // move one from the DLQ back to its source
    let m1 = msgs[1]["Msgid"].as_str().expect("id").to_string();
    let mv = format!(
        "/Queues('DLQ_ORDERS_IN')?operation=move&target_queue=ORDERS_IN&selector={}",
        enc(&format!("JMSMessageID='{m1}'"))
    );
    let r = t.merge(&mv, "{}").await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(
        a.truth_queue("DLQ_ORDERS_IN")
            .expect("q")
            .iter()
            .all(|m| m.msgid != m1)
    );
    assert!(
        a.truth_queue("ORDERS_IN")
            .expect("q")
            .iter()
            .any(|m| m.msgid == m1)
    );
    // move onto itself and into a missing queue fail
    assert_eq!(
        t.merge("/Queues('ORDERS_IN')?operation=move&target_queue=ORDERS_IN", "{}")
            .await
            .status,
        400
    );
    assert_eq!(
        t.merge("/Queues('ORDERS_IN')?operation=move&target_queue=NOPE", "{}")
            .await
            .status,
        404
    );
    // delete → MPL CANCELLED
    let m2 = &msgs[2];
    let mplid = m2["Mplid"].as_str().expect("mplid").to_string();
    let key2 = format!(
        "/JmsMessages(Msgid='{}',Name='DLQ_ORDERS_IN',Failed=true)",
        enc_id(m2["Msgid"].as_str().expect("id"))
    );
    let r = t.write("DELETE", &key2, None).await;
    assert_eq!(r.status, 204);
    assert_eq!(t.get(&key2).await.status, 404);
    let mpl = t.json(&format!("/MessageProcessingLogs('{mplid}')")).await;
    assert_eq!(mpl["d"]["Status"], "CANCELLED");
    // retry a whole queue
    let r = t.merge("/Queues('DLQ_INVOICES_OUT')", "{}").await;
    assert_eq!(r.status, 204);
    assert!(
        a.truth_queue("DLQ_INVOICES_OUT")
            .expect("q")
            .iter()
            .all(|m| !m.failed)
    );
    // move all
    let n = a.truth_queue("DLQ_WEBHOOKS_OUT").expect("q").len();
    assert_eq!(
        t.merge(
            "/Queues('DLQ_WEBHOOKS_OUT')?operation=move&target_queue=WEBHOOKS_OUT",
            "{}"
        )
        .await
        .status,
        204
    );
    assert!(a.truth_queue("DLQ_WEBHOOKS_OUT").expect("q").is_empty());
    assert_eq!(a.truth_queue("WEBHOOKS_OUT").expect("q").len(), 1 + n);
}

#[tokio::test]
async fn bulk_move_failing_half_way_is_observable() {
    let t = T::new(small()).await;
    let a = t.h.admin();
    a.fill_queue("BULK", 0, false);
    a.fill_queue("DLQ_BULK2", 6, true);
    a.add_fault(
        cpitop::sim::FaultRule::new(cpitop::sim::FaultKind::Http500)
            .after(3)
            .method("POST")
            .path("operation=move"),
    );
    let ids: Vec<String> = a
        .truth_queue("DLQ_BULK2")
        .expect("q")
        .into_iter()
        .map(|m| m.msgid)
        .collect();
    let mut moved = Vec::new();
    for id in &ids {
        let r = t
            .merge(
                &format!(
                    "/Queues('DLQ_BULK2')?operation=move&target_queue=BULK&selector={}",
                    enc(&format!("JMSMessageID='{id}'"))
                ),
                "{}",
            )
            .await;
        if r.status == 204 {
            moved.push(id.clone());
        }
    }
    assert_eq!(
        moved,
        ids[..3].to_vec(),
        "the first three moved, then the tenant failed"
    );
    let left: Vec<String> = a
        .truth_queue("DLQ_BULK2")
        .expect("q")
        .into_iter()
        .map(|m| m.msgid)
        .collect();
    assert_eq!(left, ids[3..].to_vec(), "none lost, none duplicated");
    let target: Vec<String> = a
        .truth_queue("BULK")
        .expect("q")
        .into_iter()
        .map(|m| m.msgid)
        .collect();
    assert_eq!(target, ids[..3].to_vec());
}

#[tokio::test]
async fn messaging_queue_api() {
    let t = T::new(SimConfig {
        queue_api: QueueApi::Messaging,
        ..small()
    })
    .await;
    let a = t.h.admin();
    assert_eq!(t.get("/Queues").await.status, 404);
    let qs = t.json("/MessagingQueues").await;
    let q = results(&qs)
        .iter()
        .find(|q| q["queueName"] == "DLQ_INVOICES_OUT")
        .expect("queue")
        .clone();
    assert_eq!(q["numberOfMessages"], "25");
    assert!(q["active"].is_boolean());
    let ms = t
        .json("/MessagingQueues('DLQ_INVOICES_OUT')/MessagingMessages?pageSize=10")
        .await;
    assert_eq!(results(&ms).len(), 10);
    let m0 = results(&ms)[0]["jmsMessageId"].as_str().expect("id").to_string();
    assert!(results(&ms)[0]["failed"] == true && results(&ms)[0]["retryCount"] == "5");
    // Function imports take their parameters as URL literals (OData V2).
    let r = t
        .write(
            "POST",
            &format!(
                "/RetryMessagingMessages?queueName='DLQ_INVOICES_OUT'&jmsMessageIds='{}'",
                enc(&m0)
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["d"]["RetryMessagingMessages"]["processedCount"], "1");
    assert!(
        !a.truth_queue("DLQ_INVOICES_OUT")
            .expect("q")
            .iter()
            .find(|m| m.msgid == m0)
            .expect("m")
            .failed
    );
    let ids: Vec<String> = results(&ms)[1..4]
        .iter()
        .map(|m| m["jmsMessageId"].as_str().expect("id").to_string())
        .collect();
    let mv = format!(
        "/MoveMessagingMessages?sourceQueue='DLQ_INVOICES_OUT'&targetQueue='INVOICES_OUT'&jmsMessageIds='{}'",
        enc(&ids.join(","))
    );
    let r = t.write("POST", &mv, None).await;
    assert_eq!(
        r.json(),
        serde_json::json!({"d":{"MoveMessagingMessages":{"operation":"MOVE","processedCount":"3"}}})
    );
    assert_eq!(a.truth_queue("INVOICES_OUT").expect("q").len(), 6);
    let key = format!(
        "/MessagingMessages(jmsMessageId='{}',queueName='DLQ_INVOICES_OUT')",
        enc(&m0)
    );
    assert_eq!(t.json(&key).await["d"]["jmsMessageId"], m0.as_str());
    assert_eq!(t.write("DELETE", &key, None).await.status, 204);
    assert_eq!(a.truth_queue("DLQ_INVOICES_OUT").expect("q").len(), 21);
    assert_eq!(
        t.write("POST", "/MoveMessagingMessages", Some("{bad"))
            .await
            .status,
        400,
        "a call without its URL parameters is refused"
    );
    let both = T::new(SimConfig {
        queue_api: QueueApi::Both,
        ..small()
    })
    .await;
    assert_eq!(both.get("/Queues").await.status, 200);
    assert_eq!(both.get("/MessagingQueues").await.status, 200);
}

#[tokio::test]
async fn undeploy_deploy_and_status_transitions() {
    let t = T::new(small()).await;
    let a = t.h.admin();
    let r = t
        .write("DELETE", "/IntegrationRuntimeArtifacts('Orders_Inbound')", None)
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(
        t.get("/IntegrationRuntimeArtifacts('Orders_Inbound')")
            .await
            .status,
        404
    );
    assert_eq!(a.truth_artifact_status("Orders_Inbound"), None);
    let r = t
        .write(
            "POST",
            "/DeployIntegrationDesigntimeArtifact?Id='Orders_Inbound'&Version='active'",
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    let task = r.body.trim().to_string();
    assert!(!task.is_empty());
    let v = t.json("/IntegrationRuntimeArtifacts('Orders_Inbound')").await;
    assert_eq!(v["d"]["Status"], "STARTING");
    let st = t.json(&format!("/BuildAndDeployStatus(TaskId='{task}')")).await;
    assert_eq!(st["d"]["TaskId"], task.as_str());
    assert_eq!(st["d"]["Status"], "DEPLOYING");
    a.advance_clock(Duration::from_secs(5));
    assert_eq!(
        t.json("/IntegrationRuntimeArtifacts('Orders_Inbound')").await["d"]["Status"],
        "STARTED"
    );
    assert_eq!(
        t.json(&format!("/BuildAndDeployStatus(TaskId='{task}')")).await["d"]["Status"],
        "SUCCESS"
    );
    // a broken artifact ends in ERROR again
    let r = t
        .write(
            "POST",
            "/DeployIntegrationDesigntimeArtifact?Id='Contract_Sync'&Version='active'",
            None,
        )
        .await;
    let task = r.body.trim().to_string();
    a.advance_clock(Duration::from_secs(5));
    assert_eq!(a.truth_artifact_status("Contract_Sync").as_deref(), Some("ERROR"));
    assert_eq!(
        t.json(&format!("/BuildAndDeployStatus(TaskId='{task}')")).await["d"]["Status"],
        "FAIL"
    );
    // the STARTING artifact of the scenario starts by itself
    a.advance_clock(Duration::from_secs(30));
    assert_eq!(
        a.truth_artifact_status("Vendor_Onboarding").as_deref(),
        Some("STARTED")
    );
    // errors
    assert_eq!(
        t.write(
            "POST",
            "/DeployIntegrationDesigntimeArtifact?Id='Nope'&Version='active'",
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        t.write("POST", "/DeployIntegrationDesigntimeArtifact", None)
            .await
            .status,
        400
    );
    assert_eq!(
        t.write("DELETE", "/IntegrationRuntimeArtifacts('Nope')", None)
            .await
            .status,
        404
    );
}
