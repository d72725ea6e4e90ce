//! Artifact deployment errors as real tenants send them, end to end against the simulated
//! tenant over loopback: the `InstanceError` document inside `parameter` is decoded into
//! labelled levels (client, `get artifact` table and JSON), and `not_started` with `for` fires
//! at once for an iFlow that was already stopped when the check started.

use std::time::Duration;

use cpitop::cpi::CpiClient;
use cpitop::cpi::conn::{Limits, TenantConn};
use cpitop::get::Output;
use cpitop::headless::{Target, check, monitors_from_table};
use cpitop::monitor::Status;
use cpitop::sim::{SimConfig, SimHandle};

async fn sim() -> SimHandle {
    cpitop::sim::spawn(SimConfig {
        seed: 3,
        history: Duration::from_secs(600),
        history_messages: Some(200),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts")
}

fn client(sim: &SimHandle) -> CpiClient {
    let conn = TenantConn {
        limits: Limits {
            max_retries: 0,
            request_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
        ..sim.demo_conn("simtest")
    };
    CpiClient::new(conn).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_error_is_decoded_in_client_table_and_json() {
    let sim = sim().await;
    let c = client(&sim);
    let info = c
        .runtime_artifact_error("Payroll_Export")
        .await
        .expect("reads")
        .expect("has an error");
    assert!(
        info.raw.contains("childMessageInstances"),
        "raw kept: {}",
        info.raw
    );
    let text = info.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "InstanceError (IntegrationRuntime/RuntimeArtifactDeployment)"
    );
    assert!(lines[1].starts_with("EXCEPTION Error while starting the integration flow Payroll_Export"));
    assert!(lines[2].starts_with("  CAUSE org.apache.camel.FailedToCreateProducerException"));
    assert!(lines[3].starts_with("    CAUSE com.sap.it.api.keystore.exception.KeystoreException"));
    assert!(!text.contains('{'), "no JSON left in the text: {text}");

    // The table: the same levels, wrapped at words within 80 columns.
    let (table, errs) = cpitop::panes::artifacts::get::detail(
        &c,
        "Payroll_Export",
        Output::Table,
        &cpitop::kit::table::CellCx {
            now: 0,
            time: Default::default(),
        },
        80,
    )
    .await
    .expect("get artifact");
    assert!(errs.is_empty(), "{errs:?}");
    assert!(table.contains("EXCEPTION Error while starting"), "{table}");
    assert!(table.contains("    CAUSE com.sap.it.api.keystore"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    assert!(!table.contains("childMessageInstances"), "{table}");

    // JSON: a structured error with the nested levels and the raw body.
    let (json, _) = cpitop::panes::artifacts::get::detail(
        &c,
        "Payroll_Export",
        Output::Json,
        &cpitop::kit::table::CellCx {
            now: 0,
            time: Default::default(),
        },
        80,
    )
    .await
    .expect("get artifact json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["id"], "Payroll_Export", "the row's fields first: {v}");
    let e = &v["deployment_error"];
    assert_eq!(e["code"], "InstanceError");
    assert_eq!(e["subsystem_part"], "RuntimeArtifactDeployment");
    let top = &e["parts"][0];
    assert_eq!(top["label"], "EXCEPTION");
    assert_eq!(top["causes"][0]["label"], "CAUSE");
    assert_eq!(
        top["causes"][0]["causes"][0]["code"],
        "com.sap.it.api.keystore.KeyAliasNotFound"
    );
    assert!(e["raw"].as_str().is_some_and(|r| r.contains("subsytemPartName")));
    assert!(e["text"].as_str().is_some_and(|t| t.contains("  CAUSE ")));

    // GenerationFailed stays multi-line plain text.
    let gen_err = c
        .runtime_artifact_error("Contract_Sync")
        .await
        .expect("reads")
        .expect("has an error")
        .text();
    assert!(
        gen_err.starts_with("GenerationFailed (CONTENT/CONTENT_DEPLOY)\n"),
        "{gen_err}"
    );
    assert!(
        gen_err.contains("\nScript file 'script1.groovy' not found"),
        "{gen_err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_an_iflow_stopped_before_it_started_at_once_with_for() {
    let sim = sim().await;
    sim.admin().stop_iflow("Orders_Inbound").expect("stop");
    let toml = r#"
[[defaults]]
key = "stopped"
name = "Orders_Inbound not started"
scope = { iflow = "Orders_Inbound" }
rules = [{ kind = "not_started", for = "10m" }]
"#;
    let table: toml::Table = toml::from_str(toml).expect("monitor toml");
    let target = Target {
        tenant: "simtest".into(),
        client: client(&sim),
        monitors: monitors_from_table(&table, None).expect("valid monitors"),
        state_dir: None,
        notes: Vec::new(),
        sim: None,
        errors: Default::default(),
        landscape: None,
        peers: Vec::new(),
    };
    let out = check(&target).await.expect("check runs");
    let m = out
        .report
        .monitors
        .iter()
        .find(|m| m.key == "stopped")
        .expect("evaluated");
    assert_eq!(m.status, Status::Error, "{}", m.text);
    assert!(
        m.text.contains("Orders_Inbound is ERROR (seen since"),
        "{}",
        m.text
    );
    assert!(m.text.contains("; deployed "), "{}", m.text);
    assert!(!m.text.contains("for 0s"), "{}", m.text);
    // The sim's stop error is the recorded InstanceError form.
    let err = client(&sim)
        .runtime_artifact_error("Orders_Inbound")
        .await
        .expect("reads")
        .expect("has an error")
        .text();
    assert!(
        err.contains("    CAUSE com.sap.it.api.securestore.exception.SecureStoreException"),
        "{err}"
    );
}
