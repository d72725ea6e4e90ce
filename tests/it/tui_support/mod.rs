//! Fixture data and helpers shared by the TUI tests: a fixed clock, a PROD tenant, and a handful
//! of artifacts, messages, queues and one failed message's detail.
#![allow(dead_code)]

use cpitop::app::msg::{DataMsg, MessagesEvent, Msg};
use cpitop::app::state::{Environment, TenantInfo};
use cpitop::app::{Keymap, State, apply};
use cpitop::cpi::model::*;
use cpitop::cpi::mpl_row::{MplArtifactRow, MplRow};
use cpitop::cpi::odata::format_date;
use cpitop::panes::messages::detail::{MessagePart, NavPart, RunWithSteps};
use cpitop::resources::queues::{QueueRow, QueueStats, QueuesSnapshot};
use cpitop::store::MplBatch;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2024-06-10 06:13:20 UTC.
pub const NOW: i64 = 1_718_000_000_000;
pub const MIN: i64 = 60_000;

pub fn tenant() -> TenantInfo {
    TenantInfo {
        name: "acme-prod".into(),
        env: Some(Environment::Prod),
        label: None,
        read_only: true,
        web_ui: Some("https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com".into()),
    }
}

pub fn state(w: u16, h: u16) -> State {
    let mut s = State::new(tenant(), Keymap::defaults(), NOW);
    s.export_dir = std::path::PathBuf::from("/tmp/cpitop-test-exports");
    apply(&mut s, [Msg::Resize(w, h)]);
    s
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
/// Typing a string, one key per char.
pub fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(key).collect()
}

pub fn artifact(
    id: &str,
    name: &str,
    status: &str,
    kind: &str,
    by: &str,
    on_min_ago: i64,
) -> RuntimeArtifact {
    RuntimeArtifact {
        id: id.into(),
        version: "1.0.7".into(),
        name: name.into(),
        kind: kind.into(),
        deployed_by: by.into(),
        deployed_on: Some(NOW - on_min_ago * MIN),
        status: ArtifactStatus::from(status.to_string()),
    }
}

pub fn artifacts() -> Vec<RuntimeArtifact> {
    vec![
        artifact(
            "Orders_Inbound",
            "Orders Inbound",
            "STARTED",
            "INTEGRATION_FLOW",
            "ops.user@acme.com",
            60 * 24 * 3,
        ),
        artifact(
            "Invoice_Outbound",
            "Invoice Outbound",
            "ERROR",
            "INTEGRATION_FLOW",
            "dev.lead@acme.com",
            45,
        ),
        artifact(
            "Customer_Replication",
            "Customer Replication",
            "STARTED",
            "INTEGRATION_FLOW",
            "ops.user@acme.com",
            600,
        ),
        artifact(
            "VM_Currency",
            "Currency Value Mapping",
            "STARTED",
            "VALUE_MAPPING",
            "ops.user@acme.com",
            9000,
        ),
        artifact(
            "Payment_Status",
            "Payment Status Sync",
            "STARTING",
            "INTEGRATION_FLOW",
            "ops.user@acme.com",
            2,
        ),
        artifact(
            "Script_Utils",
            "Shared Groovy Utils",
            "STARTED",
            "SCRIPT_COLLECTION",
            "dev.lead@acme.com",
            20000,
        ),
        artifact(
            "Material_Master",
            "Material Master to MDG",
            "ERROR",
            "INTEGRATION_FLOW",
            "dev.lead@acme.com",
            30,
        ),
    ]
}

pub fn mpl(guid: &str, iflow: &str, status: &str, end_min_ago: i64, dur_ms: i64) -> MessageProcessingLog {
    let end = NOW - end_min_ago * MIN;
    MessageProcessingLog {
        message_guid: guid.into(),
        correlation_id: format!("COR-{}", &guid[..6]),
        application_message_id: format!(
            "PO-{}",
            4500000000u64 + guid.len() as u64 * 7 + end_min_ago as u64
        ),
        log_start: Some(end - dur_ms),
        log_end: Some(end),
        sender: "S4HANA".into(),
        receiver: if iflow.starts_with("Invoice") {
            "ERP_FI".into()
        } else {
            "SFTP".into()
        },
        integration_flow_name: iflow.into(),
        status: status.into(),
        custom_status: status.into(),
        alternate_web_link: format!(
            "https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com:443/shell/monitoring/Messages/%7B%22identifier%22%3A%22{guid}%22%7D"
        ),
        integration_artifact: Some(MplArtifactRef {
            id: iflow.into(),
            name: iflow.replace('_', " "),
            kind: "INTEGRATION_FLOW".into(),
            package_id: "Sales".into(),
            package_name: "Sales Integration".into(),
        }),
        log_level: "INFO".into(),
        ..MessageProcessingLog::default()
    }
}

pub fn messages() -> Vec<MessageProcessingLog> {
    vec![
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa01",
            "Orders_Inbound",
            "COMPLETED",
            1,
            840,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa02",
            "Invoice_Outbound",
            "FAILED",
            2,
            2_345,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa03",
            "Orders_Inbound",
            "COMPLETED",
            3,
            410,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa04",
            "Customer_Replication",
            "RETRY",
            5,
            31_000,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa05",
            "Invoice_Outbound",
            "FAILED",
            8,
            1_200,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa06",
            "Payment_Status",
            "PROCESSING",
            9,
            120,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa07",
            "Orders_Inbound",
            "COMPLETED",
            12,
            530,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa08",
            "Customer_Replication",
            "ESCALATED",
            20,
            4_000,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa09",
            "Orders_Inbound",
            "DISCARDED",
            33,
            90,
        ),
        mpl(
            "AGZ0aaaaaaaaaaaaaaaaaaaaaa10",
            "Orders_Inbound",
            "COMPLETED",
            47,
            660,
        ),
    ]
}

pub fn queue(
    name: &str,
    depth: i64,
    active: bool,
    exclusive: bool,
    stats: Option<(usize, usize, i64)>,
) -> QueueRow {
    QueueRow {
        queue: Queue {
            name: name.into(),
            numb_of_msgs: depth,
            size: depth * 3_400,
            active,
            exclusive,
            ..Queue::default()
        },
        stats: stats.map(|(failed, blocked, oldest_min)| QueueStats {
            failed,
            blocked,
            oldest: Some(NOW - oldest_min * MIN),
        }),
        ..QueueRow::default()
    }
}

pub fn queues() -> QueuesSnapshot {
    let mut snap = queues_without_fill();
    // The broker's fill state (`QueueStates`) beside each listed queue.
    for r in &mut snap.queues {
        r.fill = Some(match r.queue.name.as_str() {
            "PAYMENT_RETRY" => 2,
            "DLQ_ORDERS_IN" => 1,
            _ => 0,
        });
    }
    snap
}

fn queues_without_fill() -> QueuesSnapshot {
    QueuesSnapshot {
        broker: Some(JmsBroker {
            key: "Broker1".into(),
            capacity: 8_200_000_000,
            max_capacity: 9_751_756_800,
            max_queue_number: 30,
            queue_number: 6,
            ..JmsBroker::default()
        }),
        queues: vec![
            queue("ORDERS_IN", 12, true, false, Some((0, 1, 42))),
            queue("DLQ_ORDERS_IN", 3, true, false, Some((3, 0, 300))),
            queue("INVOICE_OUT", 0, true, true, None),
            queue("DLQ_INVOICE_OUT", 0, true, false, None),
            queue("PAYMENT_RETRY", 1_250, false, false, Some((0, 0, 1_500))),
            queue("AUDIT_LOG", 4, true, false, Some((0, 0, 3))),
        ],
        missing: None,
    }
}

pub fn jms(
    id: u32,
    failed: bool,
    retries: i64,
    created_min_ago: i64,
    next_retry_min: Option<i64>,
) -> JmsMessage {
    JmsMessage {
        msgid: format!("ID:10.1.2.3a1b2c3d4e5f:{id}"),
        queue: "DLQ_ORDERS_IN".into(),
        failed,
        mplid: format!("AGZ0aaaaaaaaaaaaaaaaaaaaaa{id:02}"),
        created_at: Some(NOW - created_min_ago * MIN),
        retry_count: retries,
        next_retry: next_retry_min.map(|m| NOW + m * MIN),
        ..JmsMessage::default()
    }
}

pub fn queue_messages() -> Vec<JmsMessage> {
    vec![
        jms(2, true, 5, 300, None),
        jms(5, false, 2, 120, None),
        jms(8, false, 1, 30, Some(4)),
    ]
}

pub const ERROR_TEXT: &str = "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: HTTP operation failed invoking https://erp.acme.com:443/sap/bc/srt/invoice with statusCode: 401\nThe MPL ID for the failed message is : AGZ0aaaaaaaaaaaaaaaaaaaaaa02\n\tat com.sap.it.rt.adapter.http.common.HttpResponseHandler.handleResponse(HttpResponseHandler.java:88)";

pub fn detail_parts(guid: &str) -> Vec<MessagePart> {
    let mut log = mpl(guid, "Invoice_Outbound", "FAILED", 2, 2_345);
    let headers = vec![
        CustomHeaderProperty {
            id: "1".into(),
            name: "po_number".into(),
            value: "4500012345".into(),
        },
        CustomHeaderProperty {
            id: "2".into(),
            name: "company_code".into(),
            value: "1000".into(),
        },
    ];
    log.custom_header_properties = Nav::Expanded(headers.clone());
    log.transaction_id = "f116bfb5124f4f0cbda44f0e9fd33a11".into();
    let step = |id: &str, activity: &str, status: &str, error: &str| MplRunStep {
        run_id: "RUN1".into(),
        step_id: id.into(),
        model_step_id: id.into(),
        activity: activity.into(),
        status: status.into(),
        error: error.into(),
        step_start: Some(NOW - 2 * MIN - 2_000),
        step_stop: Some(NOW - 2 * MIN - 1_500),
        ..MplRunStep::default()
    };
    vec![
        MessagePart::Log(Ok(log)),
        // As `fetch::message_log` delivers them: the expanded headers as a part of their own.
        MessagePart::Headers(Ok(NavPart::Rows(headers))),
        MessagePart::Error(Ok(Some(ERROR_TEXT.into()))),
        MessagePart::Attachments(Ok(NavPart::Rows(vec![MplAttachment {
            id: "sap-it-res:msg:att1".into(),
            message_guid: guid.into(),
            timestamp: Some(NOW - 2 * MIN),
            name: "ErrorPayload".into(),
            content_type: "text/plain".into(),
            payload_size: 2_048,
        }]))),
        MessagePart::Runs(Ok(NavPart::Rows(vec![RunWithSteps {
            run: MplRun {
                id: "RUN1".into(),
                run_start: Some(NOW - 2 * MIN - 2_345),
                run_stop: Some(NOW - 2 * MIN),
                overall_state: "FAILED".into(),
                ..MplRun::default()
            },
            steps: vec![
                step("StartEvent_1", "StartEvent", "COMPLETED", ""),
                step("MessageMapping_3", "Invoice to IDoc mapping", "COMPLETED", ""),
                step(
                    "CallActivity_7",
                    "Request-Reply ERP",
                    "FAILED",
                    "HTTP operation failed with statusCode: 401",
                ),
                step("EndEvent_2", "Error End", "COMPLETED", ""),
            ],
        }]))),
    ]
}

// --- feeding data as the pollers would ------------------------------------------------------

/// Messages as the poller hands them over: a decoded columnar page.
pub fn batch(msgs: &[MessageProcessingLog]) -> MplBatch {
    use std::borrow::Cow;
    let mut b = MplBatch::default();
    let opt = |s: &str| (!s.is_empty()).then(|| Cow::Owned(s.to_string()));
    for m in msgs {
        let row = MplRow {
            message_guid: Cow::Owned(m.message_guid.clone()),
            correlation_id: opt(&m.correlation_id),
            application_message_id: opt(&m.application_message_id),
            application_message_type: opt(&m.application_message_type),
            log_start: m.log_start.map(|t| Cow::Owned(format_date(t))),
            log_end: m.log_end.map(|t| Cow::Owned(format_date(t))),
            sender: opt(&m.sender),
            receiver: opt(&m.receiver),
            integration_flow_name: opt(&m.integration_flow_name),
            status: opt(&m.status),
            custom_status: opt(&m.custom_status),
            integration_artifact: m.integration_artifact.as_ref().map(|a| MplArtifactRow {
                id: opt(&a.id),
                name: opt(&a.name),
                kind: opt(&a.kind),
                package_id: opt(&a.package_id),
                package_name: opt(&a.package_name),
            }),
        };
        b.push_row(&row).expect("fixture row");
    }
    b
}

pub fn page(s: &State, msgs: &[MessageProcessingLog]) -> Msg {
    Msg::Data(DataMsg::Messages {
        generation: s.messages.load.generation,
        at: NOW,
        event: MessagesEvent::Page(batch(msgs)),
    })
}

pub fn load_artifacts(s: &mut State, items: Vec<RuntimeArtifact>) {
    let generation = s.artifacts.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Artifacts {
            generation,
            at: NOW - 4_000,
            result: Ok(items),
        })],
    );
}
pub fn fail_artifacts(s: &mut State, e: &str) {
    let generation = s.artifacts.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Artifacts {
            generation,
            at: NOW,
            result: Err(e.into()),
        })],
    );
}
pub fn load_messages(s: &mut State, items: Vec<MessageProcessingLog>) {
    let generation = s.messages.load.generation;
    apply(
        s,
        [
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW - 2_000,
                event: MessagesEvent::Page(batch(&items)),
            }),
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW - 2_000,
                event: MessagesEvent::Done,
            }),
        ],
    );
}
pub fn fail_messages(s: &mut State, e: &str) {
    let generation = s.messages.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Messages {
            generation,
            at: NOW,
            event: MessagesEvent::Failed(e.into()),
        })],
    );
}
pub fn load_queues(s: &mut State, snap: QueuesSnapshot) {
    let generation = s.queues.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Queues {
            generation,
            at: NOW - 6_000,
            result: Ok(snap),
        })],
    );
}
pub fn fail_queues(s: &mut State, e: &str) {
    let generation = s.queues.load.generation;
    apply(
        s,
        [Msg::Data(DataMsg::Queues {
            generation,
            at: NOW,
            result: Err(e.into()),
        })],
    );
}
pub fn load_queue_messages(s: &mut State, items: Vec<JmsMessage>) {
    let generation = s.queues.messages.load.generation;
    let queue = s.queues.messages.queue.clone();
    apply(
        s,
        [Msg::Data(DataMsg::QueueMessages {
            generation,
            queue,
            at: NOW - 1_000,
            result: Ok(items),
        })],
    );
}
pub fn fail_queue_messages(s: &mut State, e: &str) {
    let generation = s.queues.messages.load.generation;
    let queue = s.queues.messages.queue.clone();
    apply(
        s,
        [Msg::Data(DataMsg::QueueMessages {
            generation,
            queue,
            at: NOW,
            result: Err(e.into()),
        })],
    );
}

/// Render the state as the terminal would show it.
pub fn screen(s: &State) -> TestBackend {
    let (w, h) = s.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    let theme = cpitop::kit::widgets::theme::Theme::new(cpitop::kit::widgets::theme::ColorLevel::Ansi16);
    term.draw(|f| cpitop::app::frame::render(f, s, &theme))
        .expect("draw");
    term.backend().clone()
}

/// The text of one screen row.
pub fn row_text(b: &TestBackend, y: u16) -> String {
    let buf = b.buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

/// Find the first cell whose row contains `needle`, returning (x, y) of its first character.
pub fn find(b: &TestBackend, needle: &str) -> Option<(u16, u16)> {
    for y in 0..b.buffer().area.height {
        let text = row_text(b, y);
        if let Some(byte) = text.find(needle) {
            let x = text[..byte].chars().count() as u16;
            return Some((x, y));
        }
    }
    None
}

// --- the Errors pane: failed messages, their texts, and its effects run as the runner would ---

pub const S4_REFUSED: &str = "org.apache.camel.CamelExchangeException: Connection refused (Connection refused) while connecting to s4hana-prd.internal:{port} via Cloud Connector location 'PRD' after {ms} ms";
pub const HTTP_401: &str = "org.apache.camel.component.ahc.AhcOperationFailedException: HTTP operation failed invoking https://erp.acme.com:443/sap/bc/srt/invoice/{n} with statusCode: 401";
pub const MAPPING: &str = "com.sap.xi.mapping.camel.XiMappingException: Cannot create target element /ns0:Order/Item[{n}]/Material. Values missing in queue context.";

/// 25 characters: with a three-character suffix, a 28-character message id.
pub const FAIL_PREFIX: &str = "AGZ0eeeeeeeeeeeeeeeeeeeee";

/// `template` with `{port}`, `{ms}`, `{n}` filled from `i`, and the MPL-ID sentence of `guid`.
pub fn error_text(template: &str, i: u64, guid: &str) -> String {
    let t = template
        .replace("{port}", &(44300 + i % 2).to_string())
        .replace("{ms}", &(1_000 + i * 137).to_string())
        .replace("{n}", &(4_711 + i * 13).to_string());
    format!("{t}\nThe MPL ID for the failed message is : {guid}")
}

/// Thirteen failed messages of four problems (the refused connection across three iFlows), two
/// completed ones, and each failure's error text (`None`: the tenant has no error information).
pub fn failures() -> (Vec<MessageProcessingLog>, Vec<(String, Option<String>)>) {
    let spec: &[(&str, &str, &str, i64, Option<&str>)] = &[
        ("f01", "Orders_Inbound", "FAILED", 3, Some(S4_REFUSED)),
        ("f02", "Material_Replication", "FAILED", 5, Some(S4_REFUSED)),
        ("f03", "Orders_Inbound", "FAILED", 9, Some(S4_REFUSED)),
        ("f04", "Shipment_Tracking", "FAILED", 14, Some(S4_REFUSED)),
        ("f05", "Orders_Inbound", "FAILED", 22, Some(S4_REFUSED)),
        ("f06", "Material_Replication", "FAILED", 31, Some(S4_REFUSED)),
        ("f07", "Orders_Inbound", "FAILED", 44, Some(S4_REFUSED)),
        ("f08", "Invoice_Outbound", "FAILED", 4, Some(HTTP_401)),
        ("f09", "Invoice_Outbound", "FAILED", 18, Some(HTTP_401)),
        ("f10", "Invoice_Outbound", "FAILED", 50, Some(HTTP_401)),
        ("f11", "Customer_Replication", "ESCALATED", 7, Some(MAPPING)),
        ("f12", "Customer_Replication", "FAILED", 27, Some(MAPPING)),
        ("f13", "Payment_Status", "FAILED", 11, None),
    ];
    let mut msgs = Vec::new();
    let mut texts = Vec::new();
    for (i, (id, iflow, status, ago, tpl)) in spec.iter().enumerate() {
        let guid = format!("{FAIL_PREFIX}{id}");
        msgs.push(mpl(&guid, iflow, status, *ago, 1_500));
        texts.push((guid.clone(), tpl.map(|t| error_text(t, i as u64, &guid))));
    }
    msgs.push(mpl(
        &format!("{FAIL_PREFIX}c01"),
        "Orders_Inbound",
        "COMPLETED",
        2,
        400,
    ));
    msgs.push(mpl(
        &format!("{FAIL_PREFIX}c02"),
        "Invoice_Outbound",
        "COMPLETED",
        6,
        700,
    ));
    (msgs, texts)
}

/// What answering a text fetch does: `Some(texts)` answers from them, `None` leaves every fetch
/// unanswered (the texts stay pending).
pub type Answers<'a> = Option<&'a [(String, Option<String>)]>;

/// Run the Errors pane's effects as the effect runner would, on this thread: groupings, and text
/// fetches answered from `answers`; follow-up effects too. Returns the guids asked for.
pub fn drive_errors(s: &mut State, mut fx: Vec<cpitop::app::msg::Effect>, answers: Answers) -> Vec<String> {
    use cpitop::app::msg::Effect;
    let mut asked = Vec::new();
    for _ in 0..50 {
        let mut next = Vec::new();
        for e in fx.drain(..) {
            match e {
                Effect::GroupErrors(job) => {
                    let grouped = cpitop::panes::errors::run_group(&job);
                    let id = job.id;
                    drop(job);
                    next.extend(apply(
                        s,
                        [Msg::ErrorsGrouped {
                            job: id,
                            grouped: Box::new(grouped),
                            took_ms: 3,
                        }],
                    ));
                }
                Effect::FetchErrorTexts { guids } => {
                    asked.extend(guids.iter().cloned());
                    let Some(texts) = answers else { continue };
                    for guid in guids {
                        let text = texts
                            .iter()
                            .find(|(g, _)| *g == guid)
                            .and_then(|(_, t)| t.clone());
                        next.extend(apply(
                            s,
                            [Msg::Data(DataMsg::ErrorText {
                                guid,
                                result: Ok(text),
                            })],
                        ));
                    }
                }
                _ => {}
            }
        }
        if next.is_empty() {
            break;
        }
        fx = next;
    }
    asked
}

/// The message window as the poller delivers it, with the Errors pane's effects driven.
pub fn load_failures(s: &mut State, msgs: &[MessageProcessingLog], answers: Answers) -> Vec<String> {
    let generation = s.messages.load.generation;
    let fx = apply(
        s,
        [
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW - 2_000,
                event: MessagesEvent::Page(batch(msgs)),
            }),
            Msg::Data(DataMsg::Messages {
                generation,
                at: NOW - 2_000,
                event: MessagesEvent::Done,
            }),
        ],
    );
    drive_errors(s, fx, answers)
}
