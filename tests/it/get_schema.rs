//! Machine output is data (issue 15, item 1): each resource's record — a list row and its
//! detail — as `get -o json|ndjson|csv` and the TUI's export write it, snapshotted from fixed
//! data through the same code (`Table::record`, the detail builders); the README documents every
//! field of every record (`get::schema::RECORDS`); the table output shows the year of a time
//! that is not in the current one; `--demo` prints NDJSON and CSV of every list with the fields
//! of its record.

use std::sync::Arc;

use assert_cmd::Command;
use cpitop::cpi::artifact_error::ArtifactErrorInformation;
use cpitop::cpi::model::{
    ArtifactStatus, CustomHeaderProperty, JmsBroker, JmsMessage, MessageProcessingLog, MplAttachment, MplRun,
    MplRunStep, NameValue, Queue, RuntimeArtifact,
};
use cpitop::cpi::mpl_row::{DecodedMplPage, InFlightPage};
use cpitop::cpi::odata::EpochMs;
use cpitop::kit::format::TimeFmt;
use cpitop::kit::load::Fetch;
use cpitop::kit::print::{TableOpts, finish};
use cpitop::kit::table::{CellCx, Table};
use cpitop::monitor::{AlertControls, Evidence, MonitorStatus, Status, Transition};
use cpitop::panes::messages::{Attachments, Correlated, MessageDetail, Messages, NavPart, RunWithSteps};
use cpitop::resources::queues::{QueueRow, QueueStats};
use cpitop::signature::{FailedRow, GroupOptions, SeenSignatures, Signer, Text, Texts, group_window};
use cpitop::store::MplBatch;
use serde_json::Value;

/// 2025-01-01 00:10:00 UTC: a window reaching back into 2024.
const NOW: EpochMs = 1_735_690_200_000;
/// 2024-12-31 23:50:00 UTC.
const DEC31: EpochMs = 1_735_689_000_000;

fn cx() -> CellCx {
    CellCx {
        now: NOW,
        time: TimeFmt::default(),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

/// Every row's record of a table, in its order.
fn records(t: &mut dyn Table) -> Value {
    t.rebuild(&cx());
    Value::Array(t.export_records(&cx()))
}

fn artifact(id: &str, status: &str, deployed_on: EpochMs) -> RuntimeArtifact {
    RuntimeArtifact {
        id: id.into(),
        version: "1.0.7".into(),
        name: id.replace('_', " "),
        kind: "INTEGRATION_FLOW".into(),
        deployed_by: "ops.user@acme.com".into(),
        deployed_on: Some(deployed_on),
        status: ArtifactStatus::from(status.to_string()),
    }
}

#[test]
fn artifact_row_and_detail() {
    let mut pane = cpitop::panes::artifacts::Artifacts {
        items: vec![
            artifact("Orders_Inbound", "STARTED", DEC31 - 86_400_000),
            artifact("Payroll_Export", "ERROR", DEC31),
        ],
        ..Default::default()
    };
    insta::assert_snapshot!("artifact_rows", pretty(&records(&mut pane)));
    let info: ArtifactErrorInformation = serde_json::from_str(
        r#"{"message":{"subsystemName":"IntegrationRuntime","subsytemPartName":"RuntimeArtifactDeployment","messageId":"InstanceError","messageText":""},
            "parameter":["{\"messageId\":\"Error while starting the integration flow Payroll_Export\",\"parameters\":[],\"childMessageInstances\":[{\"messageId\":\"com.sap.it.api.keystore.KeyAliasNotFound\",\"parameters\":[\"Key alias payroll_key not found\"],\"childMessageInstances\":[]}]}",
                         "Plain text from the tenant"]}"#,
    )
    .unwrap();
    let detail = cpitop::panes::artifacts::get::detail_record(&pane.items[1], &Ok(Some(info)));
    let detail = cpitop::kit::schema::value(&detail);
    insta::assert_snapshot!("artifact_detail", pretty(&detail));
    assert_row_fields_lead(&records(&mut pane)[0], &detail, &["id", "name", "status"]);
    let unread =
        cpitop::panes::artifacts::get::detail_record(&pane.items[1], &Err("HTTP 500 from the tenant".into()));
    assert_eq!(unread.unread, ["deployment error: HTTP 500 from the tenant"]);
    assert!(unread.deployment_error.is_none());
}

/// A lean page of three messages: one ended in 2024 with a business error, one FAILED today,
/// one in flight (no `LogEnd`, no iFlow yet).
fn page() -> MplBatch {
    let body = format!(
        r#"{{"d":{{"results":[
 {{"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuV01","CorrelationId":"AGc1CorrelationOfOrder4711","ApplicationMessageId":"PO-4711","ApplicationMessageType":"ORDERS05",
   "LogStart":"/Date({s1})/","LogEnd":"/Date({e1})/","Sender":"S4HANA_PRD","Receiver":"A_SOAP,B_SOAP","IntegrationFlowName":"Orders_Inbound","Status":"COMPLETED","CustomStatus":"ERROR",
   "IntegrationArtifact":{{"Id":"Orders_Inbound","Name":"Orders Inbound","Type":"INTEGRATION_FLOW","PackageId":"Orders","PackageName":"Order Management"}}}},
 {{"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuV02","CorrelationId":"AGc2CorrelationOfInvoice99","ApplicationMessageId":null,"ApplicationMessageType":"INVOIC02",
   "LogStart":"/Date({s2})/","LogEnd":"/Date({e2})/","Sender":"S4HANA_PRD","Receiver":"Ariba","IntegrationFlowName":"Invoices_Out","Status":"FAILED","CustomStatus":"FAILED",
   "IntegrationArtifact":{{"Id":"Invoices_Out","Name":"Invoices Out","Type":"INTEGRATION_FLOW","PackageId":"Billing","PackageName":"Billing"}}}},
 {{"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuV03","CorrelationId":null,"ApplicationMessageId":null,"ApplicationMessageType":null,
   "LogStart":"/Date({s3})/","LogEnd":null,"Sender":"EventMesh","Receiver":"S4HANA_PRD","IntegrationFlowName":null,"Status":"PROCESSING","CustomStatus":"PROCESSING",
   "IntegrationArtifact":null}}
]}}}}"#,
        s1 = DEC31 - 1_500,
        e1 = DEC31,
        s2 = NOW - 125_000,
        e2 = NOW - 120_000,
        s3 = NOW - 42_000,
    );
    let mut b = MplBatch::decode(body.as_bytes()).unwrap();
    b.observed(NOW - 1_000, InFlightPage::Complete);
    b
}

fn messages() -> Messages {
    let mut pane = Messages::default();
    pane.merge(page());
    pane
}

#[test]
fn message_rows_and_the_year_in_the_table() {
    let mut pane = messages();
    insta::assert_snapshot!("message_rows", pretty(&records(&mut pane)));
    // The table (`get messages -o table`) keeps display formatting: END of a message of 2024
    // seen in 2025 shows its year; today's, the time of day; the one in flight, nothing.
    let rows = finish(&mut pane, &TableOpts::default(), &cx()).unwrap();
    let end: Vec<&str> = rows.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(end, ["", "00:08:00", "2024-12-31 23:50"]);
    assert_eq!(rows.rows[2][0], "COMPLETED/ERROR");
    assert_eq!(rows.records[2]["status"], "COMPLETED");
    assert_eq!(rows.records[2]["custom_status"], "ERROR");
    assert_eq!(rows.records[2]["end"], "2024-12-31T23:50:00.000Z");
    assert_eq!(rows.records[2]["duration_ms"], 1_500);
}

fn full_log() -> MessageProcessingLog {
    serde_json::from_str(&format!(
        r#"{{"MessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuV02","CorrelationId":"AGc2CorrelationOfInvoice99","ApplicationMessageId":null,"ApplicationMessageType":"INVOIC02",
   "PredecessorMessageGuid":"AGZ0aBcDeFgHiJkLmNoPqRsTuV00","LogStart":"/Date({s})/","LogEnd":"/Date({e})/","Sender":"S4HANA_PRD","Receiver":"Ariba",
   "IntegrationFlowName":"Invoices_Out","Status":"FAILED","CustomStatus":"FAILED","LogLevel":"INFO","ArchivingStatus":"NOT_RELEVANT",
   "ArchivingSenderChannelMessages":false,"ArchivingReceiverChannelMessages":"true","ArchivingLogAttachments":false,"ArchivingPersistedMessages":false,
   "TransactionId":"9f8e7d6c","LocalComponentName":"CPI_acme","OriginComponentName":"CPI_acme","PreviousComponentName":"CPI_acme",
   "AlternateWebLink":"https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com:443:443/shell/monitoring/Messages/x",
   "IntegrationArtifact":{{"Id":"Invoices_Out","Name":"Invoices Out","Type":"INTEGRATION_FLOW","PackageId":"Billing","PackageName":"Billing"}},
   "AdapterAttributes":{{"results":[{{"Id":"a1","AdapterId":"SOAP","AdapterMessageId":"urn:uuid:1","Name":"MessageId","Value":"urn:uuid:1"}}]}}}}"#,
        s = NOW - 125_000,
        e = NOW - 120_000,
    ))
    .unwrap()
}

#[test]
fn message_detail_holds_the_rows_fields_then_its_parts() {
    let guid = "AGZ0aBcDeFgHiJkLmNoPqRsTuV02";
    let mut d = MessageDetail::new(guid);
    d.log = Fetch::Done(full_log());
    d.headers = Fetch::Done(NavPart::Rows(vec![CustomHeaderProperty {
        id: "h1".into(),
        name: "InvoiceNumber".into(),
        value: "90001234".into(),
    }]));
    d.error = Fetch::Done(Some(
        "org.apache.camel.CamelExchangeException: Connection refused (Connection refused) to ariba.example.com"
            .into(),
    ));
    d.attachments = Fetch::Done(NavPart::Rows(vec![MplAttachment {
        id: "att1".into(),
        message_guid: guid.into(),
        timestamp: Some(NOW - 121_000),
        name: "payload before mapping".into(),
        content_type: "application/xml".into(),
        payload_size: 2_048,
    }]));
    d.runs = Fetch::Done(NavPart::Rows(vec![RunWithSteps {
        run: MplRun {
            id: "run1".into(),
            run_start: Some(NOW - 125_000),
            run_stop: Some(NOW - 120_000),
            log_level: "INFO".into(),
            overall_state: "FAILED".into(),
            process_id: "p1".into(),
        },
        steps: vec![MplRunStep {
            run_id: "run1".into(),
            child_count: 4,
            step_start: Some(NOW - 121_000),
            step_stop: Some(NOW - 120_000),
            step_id: "s4".into(),
            model_step_id: "CallActivity_3".into(),
            branch_id: "b1".into(),
            status: "FAILED".into(),
            error: "Connection refused".into(),
            activity: "Request Reply".into(),
            properties: vec![NameValue {
                name: "ReceiverAddress".into(),
                value: "https://ariba.example.com".into(),
            }],
        }],
    }]));
    let detail = cpitop::kit::schema::value(&d.record(NOW));
    insta::assert_snapshot!("message_detail", pretty(&detail));
    // The list row of the same message: the detail starts with its fields and values.
    let mut pane = messages();
    let rows = records(&mut pane);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["message_id"] == guid)
        .unwrap();
    let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    assert_row_fields_lead(row, &detail, &keys.iter().map(|k| k.as_str()).collect::<Vec<_>>());

    // Parts not read are null and named; a navigation the tenant lacks is null and said so.
    let mut partial = MessageDetail::new(guid);
    partial.log = Fetch::Failed("HTTP 500".into());
    partial.headers = Fetch::Done(NavPart::Rows(Vec::new()));
    partial.error = Fetch::Done(None);
    partial.attachments = Fetch::Failed("timed out".into());
    partial.runs = Fetch::Done(NavPart::NotOnTenant);
    let v = cpitop::kit::schema::value(&partial.record(NOW));
    assert_eq!(v["message_id"], guid);
    assert!(v["status"].is_null() && v["attachments"].is_null() && v["runs"].is_null());
    assert_eq!(v["custom_header_properties"], serde_json::json!([]));
    assert_eq!(v["not_available"], serde_json::json!(["runs"]));
    assert_eq!(
        v["unread"],
        serde_json::json!(["properties: HTTP 500", "attachments: timed out"])
    );

    // The detail's drill-downs: correlated messages are message records, attachments their own.
    let mut correlated = Correlated {
        correlation_id: "AGc2CorrelationOfInvoice99".into(),
        items: Fetch::Done(vec![full_log()]),
        ..Default::default()
    };
    let c = records(&mut correlated);
    assert_eq!(&c[0], row, "a correlated message is the list's record");
    let mut attachments = Attachments {
        guid: guid.into(),
        items: vec![MplAttachment {
            id: "att1".into(),
            message_guid: guid.into(),
            timestamp: Some(NOW - 121_000),
            name: "payload".into(),
            content_type: "text/plain".into(),
            payload_size: 12,
        }],
        ..Default::default()
    };
    insta::assert_snapshot!("attachment_rows", pretty(&records(&mut attachments)));
}

/// `detail` begins with `row`'s fields (in order) and has the same values for `same`.
fn assert_row_fields_lead(row: &Value, detail: &Value, same: &[&str]) {
    let row_keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    let detail_keys: Vec<&String> = detail.as_object().unwrap().keys().collect();
    assert_eq!(
        detail_keys[..row_keys.len()],
        row_keys[..],
        "the row's fields first"
    );
    for f in same {
        assert_eq!(row[f], detail[f], "{f}");
    }
}

fn queue(name: &str, depth: i64, active: bool) -> Queue {
    Queue {
        name: name.into(),
        numb_of_msgs: depth,
        size: depth * 2_048,
        kind: 0,
        state: 0,
        fill_grade: 0,
        active,
        exclusive: name.starts_with("ORDERS"),
    }
}

#[test]
fn queue_rows_broker_and_queue_messages() {
    let mut pane = cpitop::panes::queues::Queues {
        rows: vec![
            QueueRow {
                queue: queue("ORDERS_IN", 3, true),
                stats: Some(QueueStats {
                    failed: 1,
                    blocked: 1,
                    oldest: Some(NOW - 3_600_000),
                }),
                fill: Some(0),
                broker_only: false,
            },
            QueueRow {
                queue: queue("DLQ_ORDERS_IN", 2, true),
                stats: None,
                fill: Some(1),
                broker_only: false,
            },
            QueueRow {
                queue: queue("AUDIT", 0, false),
                stats: None,
                fill: None,
                broker_only: false,
            },
            QueueRow {
                queue: Queue {
                    name: "FROM_BROKER_ONLY".into(),
                    ..Queue::default()
                },
                stats: None,
                fill: Some(2),
                broker_only: true,
            },
        ],
        ..Default::default()
    };
    insta::assert_snapshot!("queue_rows", pretty(&records(&mut pane)));
    let broker = JmsBroker {
        key: "Broker1".into(),
        capacity: 8_190_227_756,
        max_capacity: 9_751_756_800,
        is_queues_high: Some(0),
        max_queue_number: 30,
        queue_number: 13,
        capacity_ok: 9,
        capacity_warning: 2,
        ..JmsBroker::default()
    };
    let broker = cpitop::kit::schema::value(&cpitop::panes::queues::schema::BrokerRecord::of(&broker));
    insta::assert_snapshot!("broker", pretty(&broker));

    let mut messages = cpitop::panes::queues::QueueMessages {
        queue: "DLQ_ORDERS_IN".into(),
        items: vec![
            JmsMessage {
                msgid: "ID:10.1.2.3a1b2c3d4e5f:17".into(),
                queue: "DLQ_ORDERS_IN".into(),
                failed: true,
                mplid: "AGZ0aBcDeFgHiJkLmNoPqRsTuV02".into(),
                created_at: Some(DEC31),
                retry_count: 5,
                next_retry: None,
                overdue_at: Some(NOW + 86_400_000),
                expiration_date: Some(NOW + 30 * 86_400_000),
                content_type: "application/xml".into(),
                sender: "S4HANA_PRD".into(),
                receiver: "A_SOAP,B_SOAP".into(),
                message_type: "ORDERS05".into(),
                application_id: "PO-4711".into(),
                correlation_id: "AGc1CorrelationOfOrder4711".into(),
                custom_status: "ERROR".into(),
                ..JmsMessage::default()
            },
            JmsMessage {
                msgid: "ID:10.1.2.3a1b2c3d4e5f:18".into(),
                retry_count: 0,
                created_at: Some(NOW - 60_000),
                next_retry: Some(NOW + 60_000),
                ..JmsMessage::default()
            },
        ],
        state_now: NOW,
        ..Default::default()
    };
    insta::assert_snapshot!("queue_message_rows", pretty(&records(&mut messages)));
}

#[test]
fn error_group_and_member_rows() {
    let row = |guid: &str, iflow: &str, status: &str, at: EpochMs| FailedRow {
        guid: guid.into(),
        iflow: iflow.into(),
        status: status.into(),
        at_ms: at,
        discarded: false,
    };
    let rows = vec![
        row(
            "AGZ0aBcDeFgHiJkLmNoPqRsTuV11",
            "Orders_Inbound",
            "FAILED",
            NOW - 60_000,
        ),
        row(
            "AGZ0aBcDeFgHiJkLmNoPqRsTuV12",
            "Invoices_Out",
            "FAILED",
            NOW - 30_000,
        ),
        row(
            "AGZ0aBcDeFgHiJkLmNoPqRsTuV13",
            "Orders_Inbound",
            "COMPLETED/ERROR",
            NOW - 20_000,
        ),
    ];
    let mut texts = Texts::new();
    let refused = |host: &str, ms: u32| {
        Text::of(Some(&format!(
            "org.apache.camel.CamelExchangeException: Connection refused to {host} after {ms} ms"
        )))
    };
    texts.insert(rows[0].guid.clone(), refused("erp-1.acme.example", 3000));
    texts.insert(rows[1].guid.clone(), refused("erp-2.acme.example", 1200));
    let opts = GroupOptions {
        per_iflow: false,
        from_ms: NOW - 3_600_000,
        to_ms: NOW,
        buckets: 12,
    };
    let grouped = group_window(
        rows.clone(),
        &texts,
        &Signer::new(Vec::new()),
        &SeenSignatures::default(),
        &opts,
    );
    let settings = cpitop::panes::errors::Settings {
        budget: 60,
        custom_statuses: vec!["ERROR".into()],
        signer: Arc::new(Signer::new(Vec::new())),
    };
    let mut pane = cpitop::panes::errors::Errors::new(settings, false, SeenSignatures::default());
    pane.grouped = Arc::new(grouped);
    pane.grouped_once = true;
    insta::assert_snapshot!("error_group_rows", pretty(&records(&mut pane)));
    let members: Vec<Value> = rows
        .iter()
        .map(|r| cpitop::kit::schema::value(&cpitop::panes::errors::schema::ErrorMemberRecord::of(r, &texts)))
        .collect();
    insta::assert_snapshot!("error_member_rows", pretty(&Value::Array(members)));
}

#[test]
fn monitor_evidence_and_transition_rows() {
    let evidence = vec![
        Evidence::Message {
            guid: "AGZ0aBcDeFgHiJkLmNoPqRsTuV02".into(),
            iflow: "Invoices_Out".into(),
        },
        Evidence::QueueMessage {
            queue: "DLQ_ORDERS_IN".into(),
            msgid: "ID:10.1.2.3a1b2c3d4e5f:17".into(),
        },
        Evidence::Certificate {
            alias: "sftp_partner".into(),
            hexalias: "736674705f706172746e6572".into(),
        },
    ];
    let status = MonitorStatus {
        key: "invoices".into(),
        name: "Invoices failing".into(),
        status: Status::Error,
        text: "1 FAILED in 15m; last: Connection refused".into(),
        evidence: evidence.clone(),
        last_evaluated: NOW - 5_000,
        since: NOW - 120_000,
    };
    let mut controls = AlertControls::default();
    controls.silence("invoices", NOW + 3_600_000, NOW, "known outage");
    let mut pane = cpitop::panes::alerts::Alerts {
        rows: vec![status],
        controls,
        ..Default::default()
    };
    insta::assert_snapshot!("monitor_rows", pretty(&records(&mut pane)));
    let mut table = cpitop::panes::alerts::EvidenceTable::of("invoices", &evidence);
    insta::assert_snapshot!("evidence_rows", pretty(&records(&mut table)));
    let mut history = cpitop::panes::alerts::HistoryTable {
        items: vec![Transition {
            tenant: "prod".into(),
            monitor: "invoices".into(),
            name: "Invoices failing".into(),
            from: Status::Ok,
            to: Status::Error,
            text: "1 FAILED in 15m".into(),
            evidence: evidence[..1].to_vec(),
            at: NOW - 120_000,
            from_since: Some(DEC31),
        }],
        ..Default::default()
    };
    insta::assert_snapshot!("transition_rows", pretty(&records(&mut history)));
}

/// A plugin's stdin (`[[plugins]]`) carries the same records: a list's selected row, an
/// artifact's and a message's detail — each record's fields with its values, then the variables.
#[test]
fn a_plugins_rows_are_the_records() {
    use cpitop::panes::pane::PaneState;
    let starts_with = |row: &Value, record: &Value| {
        for (k, v) in record.as_object().unwrap() {
            assert_eq!(&row[k], v, "{k} in {row}");
        }
    };
    let mut pane = cpitop::panes::artifacts::Artifacts {
        items: vec![artifact("Payroll_Export", "ERROR", DEC31)],
        ..Default::default()
    };
    pane.rebuild(&cx());
    let record = pane.record(0, &cx());
    let list = PaneState::subject(&pane, &cpitop::panes::artifacts::Route::List, &cx()).unwrap();
    starts_with(&list.rows[0], &record);
    assert_eq!(list.rows[0]["artifact"], "Payroll_Export", "the variables follow");
    let detail = cpitop::panes::artifacts::Route::Detail {
        id: "Payroll_Export".into(),
    };
    starts_with(
        &PaneState::subject(&pane, &detail, &cx()).unwrap().rows[0],
        &record,
    );

    let guid = "AGZ0aBcDeFgHiJkLmNoPqRsTuV02";
    let mut d = MessageDetail::new(guid);
    d.log = Fetch::Done(full_log());
    d.error = Fetch::Done(Some("Connection refused".into()));
    let mut messages = messages();
    messages.detail = Some(d.clone());
    let route = cpitop::panes::messages::Route::Detail { guid: guid.into() };
    let s = PaneState::subject(&messages, &route, &cx()).unwrap();
    starts_with(&s.rows[0], &cpitop::kit::schema::value(&d.record(NOW)));
    assert_eq!(s.rows[0]["error"], "Connection refused");
}

/// The Tenants pane's rows (`get tenants`, its export) and the drift view's (`get drift -o
/// ndjson|csv`, its export), and a landscape's document (`get drift -o json`).
#[test]
fn tenant_and_drift_rows() {
    use cpitop::config::Environment;
    use cpitop::cpi::CpiError;
    use cpitop::kit::cx::Cx;
    use cpitop::kit::tenant::{Intervals, TenantInfo};
    use cpitop::landscape::TenantRef;
    use cpitop::panes::tenants::schema::LandscapeDriftRecord;
    use cpitop::panes::tenants::{TenantSetup, Tenants};
    use cpitop::resources::FetchError;
    use cpitop::resources::overview::{OverviewFetched, OverviewQueues, QueueSummary};
    let setup = |name: &str, env: Environment| TenantSetup {
        tenant: TenantRef::new(name, env, "eu"),
        color: env.default_color().into(),
        read_only: env == Environment::Prod,
        host: Some(format!("{name}.example.com")),
        interval_ms: 60_000,
        specs: Vec::new(),
    };
    let mut pane = Tenants::new(
        vec![
            setup("eu-dev", Environment::Dev),
            setup("eu-prod", Environment::Prod),
            setup("eu-qa", Environment::Test),
        ],
        "eu-dev",
    );
    let info = TenantInfo::default();
    let cx = Cx {
        now: NOW,
        time: TimeFmt::default(),
        table_rows: 20,
        body_rows: 20,
        width: 160,
        intervals: Intervals::default(),
        tenant: &info,
    };
    let round = |artifacts: Vec<RuntimeArtifact>, failed: u64, dlq: u64| OverviewFetched {
        at: NOW - 30_000,
        artifacts: Some(Ok(artifacts)),
        failed: Some(Ok(failed)),
        queues: Some(Ok(OverviewQueues {
            summary: QueueSummary {
                queues: 2,
                dlq_messages: dlq,
                dlqs: usize::from(dlq > 0),
                dlq_oldest: (dlq > 0).then_some(DEC31),
                oldest_known: true,
                missing: None,
            },
            rows: Vec::new(),
        })),
        broker: Some(Ok(JmsBroker {
            capacity: 8_456,
            max_capacity: 10_000,
            ..JmsBroker::default()
        })),
        keystore: None,
    };
    let mut newer = artifact("Orders_Inbound", "STARTED", DEC31);
    newer.version = "1.1.0".into();
    pane.round(
        "eu-dev",
        round(vec![newer, artifact("Invoice_Outbound", "STARTED", DEC31)], 0, 0),
        4.0,
        &cx,
    );
    pane.round(
        "eu-prod",
        round(
            vec![
                artifact("Orders_Inbound", "STARTED", DEC31 - 86_400_000),
                artifact("Invoice_Outbound", "ERROR", DEC31),
            ],
            7,
            3,
        ),
        5.0,
        &cx,
    );
    let refused = FetchError::from(CpiError::Unauthorized {
        endpoint: "IntegrationRuntimeArtifacts".into(),
    });
    pane.round(
        "eu-qa",
        OverviewFetched {
            at: NOW - 10_000,
            artifacts: Some(Err(refused.clone())),
            failed: Some(Err(refused)),
            ..OverviewFetched::default()
        },
        1.0,
        &cx,
    );
    insta::assert_snapshot!("tenant_rows", pretty(&records(&mut pane)));
    pane.refresh_drift();
    insta::assert_snapshot!("drift_rows", pretty(&records(&mut pane.drift)));
    let doc = LandscapeDriftRecord::of(pane.drift.table.as_ref().unwrap());
    insta::assert_snapshot!("landscape_drift", pretty(&serde_json::to_value(doc).unwrap()));
}

/// Every field of every record is documented under the record's heading in the README.
#[test]
fn readme_documents_every_field_of_every_record() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut missing = Vec::new();
    for r in cpitop::get::schema::RECORDS {
        let heading = format!("#### `{}`\n", r.name);
        let Some(at) = readme.find(&heading) else {
            missing.push(format!("no section {heading:?}"));
            continue;
        };
        let body = &readme[at + heading.len()..];
        let end = body.find("\n#").unwrap_or(body.len());
        let section = &body[..end];
        for f in (r.fields)() {
            if !section.contains(&format!("\n| `{f}` |")) {
                missing.push(format!("{}.{f}", r.name));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented in the README: {missing:?}");
}

fn demo(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cpitop"))
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .args(["--demo", "get"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fields(name: &str) -> Vec<String> {
    let r = cpitop::get::schema::RECORDS
        .iter()
        .find(|r| r.name == name)
        .unwrap();
    (r.fields)()
}

/// NDJSON is one record per line and CSV the same fields as its header, for every list `get`
/// offers.
#[test]
fn every_list_prints_ndjson_and_csv_of_its_record() {
    for (args, record) in [
        (vec!["artifacts"], "artifact"),
        (vec!["messages", "--since", "15m", "--limit", "50"], "message"),
        (vec!["queues"], "queue"),
        (vec!["queue", "DLQ_ORDERS_IN"], "queue_message"),
        (vec!["errors", "--since", "15m", "--budget", "5"], "error_group"),
        (vec!["tenants"], "tenant"),
        (vec!["drift"], "drift"),
    ] {
        let want = fields(record);
        let ndjson = demo(&[&args[..], &["-o", "ndjson"]].concat());
        let lines: Vec<Value> = ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {e}: {l}")))
            .collect();
        assert!(!lines.is_empty(), "{args:?}");
        for l in &lines {
            let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
            assert_eq!(keys, want.iter().collect::<Vec<_>>(), "{args:?}");
        }
        let csv = demo(&[&args[..], &["-o", "csv"]].concat());
        assert_eq!(csv.lines().next().unwrap(), want.join(","), "{args:?}");
        assert!(csv.lines().count() > 1, "{args:?}: {csv}");
    }
    // Numbers are numbers and times RFC 3339, in NDJSON as in JSON.
    let q: Value = serde_json::from_str(demo(&["queues", "-o", "ndjson"]).lines().next().unwrap()).unwrap();
    assert!(q["depth"].is_i64() && q["size_bytes"].is_i64(), "{q}");
    let m: Value = serde_json::from_str(
        demo(&[
            "messages", "--since", "15m", "--status", "FAILED", "--limit", "1", "-o", "ndjson",
        ])
        .trim(),
    )
    .unwrap();
    assert!(m["duration_ms"].is_i64(), "{m}");
    let end = m["end"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(end).is_ok() && end.ends_with('Z'),
        "{m}"
    );
}
