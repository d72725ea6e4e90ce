//! Snapshots of every pane and detail view in each state (loading, data, empty, error, stale,
//! filtered) at 80x24 and 160x45, with a fixed clock; plus cell-colour checks.

use crate::tui_support;

use cpitop::app::msg::{DataMsg, Msg};
use cpitop::app::{State, apply};
use cpitop::panes::messages::detail::MessagePart;
use crossterm::event::KeyCode;
use ratatui::style::Color;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

/// A pane in each of the six states. `open` switches to it; `load`/`fail` feed it.
fn six_states(
    pane: &str,
    open: &dyn Fn(&mut State),
    load: &dyn Fn(&mut State),
    empty: &dyn Fn(&mut State),
    fail: &dyn Fn(&mut State),
    filter: &str,
) {
    for (w, h) in SIZES {
        let fresh = || {
            let mut s = state(w, h);
            open(&mut s);
            s
        };
        let s = fresh();
        snap(&format!("{pane}_loading"), &s);
        let mut s = fresh();
        load(&mut s);
        snap(&format!("{pane}_data"), &s);
        let mut s = fresh();
        empty(&mut s);
        snap(&format!("{pane}_empty"), &s);
        let mut s = fresh();
        fail(&mut s);
        snap(&format!("{pane}_error"), &s);
        let mut s = fresh();
        load(&mut s);
        fail(&mut s);
        snap(&format!("{pane}_stale"), &s);
        let mut s = fresh();
        load(&mut s);
        apply(&mut s, [key('/')]);
        apply(&mut s, typed(filter));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap(&format!("{pane}_filtered"), &s);
    }
}

#[test]
fn artifacts_pane() {
    six_states(
        "artifacts",
        &|_| {},
        &|s| load_artifacts(s, artifacts()),
        &|s| load_artifacts(s, vec![]),
        &|s| {
            fail_artifacts(
                s,
                "Token request to acme.authentication.eu10.hana.ondemand.com failed: 401 invalid_client — check client id/secret of tenant acme-prod",
            )
        },
        "order",
    );
}

#[test]
fn messages_pane() {
    six_states(
        "messages",
        &|s| {
            apply(s, [key('2')]);
        },
        &|s| load_messages(s, messages()),
        &|s| load_messages(s, vec![]),
        &|s| {
            fail_messages(
                s,
                "GET /api/v1/MessageProcessingLogs: the tenant returned an HTML page; check the API URL and token URL",
            )
        },
        "invoice",
    );
}

#[test]
fn queues_pane() {
    six_states(
        "queues",
        &|s| {
            apply(s, [key('3')]);
        },
        &|s| load_queues(s, queues()),
        &|s| load_queues(s, Default::default()),
        &|s| fail_queues(s, "GET /api/v1/Queues: 503 Service Unavailable (retried 4 times)"),
        "orders",
    );
}

/// A tenant without a queue list: the broker's queue states under a notice that says why.
#[test]
fn queues_pane_from_the_broker_alone() {
    use cpitop::cpi::model::{JmsBroker, Queue, QueueState};
    use cpitop::resources::queues::{broker_only_notice, broker_rows};
    let broker = JmsBroker {
        key: "Broker1".into(),
        capacity: 2_000_000_000,
        max_capacity: 9_751_756_800,
        max_queue_number: 30,
        queue_number: 5,
        queue_states: ["ORDERS_IN", "DLQ_ORDERS_IN", "PAYMENT_RETRY"]
            .iter()
            .zip([0, 1, 2])
            .map(|(n, st)| QueueState {
                name: n.to_string(),
                state: st,
            })
            .collect(),
        inactive_queues: vec![Queue {
            name: "PAYMENT_RETRY".into(),
            numb_of_msgs: 1_250,
            ..Queue::default()
        }],
        ..JmsBroker::default()
    };
    let why = "no JMS queue list on this tenant (Queues: HTTP 501, MessagingQueues: HTTP 501): JMS is \
               not in Basic edition and trial tenants answer 501 — an edition or plan with JMS \
               provides the lists; reading them needs the role DataStoresAndQueuesRead";
    for (w, h) in SIZES {
        let mut s = state(w, h);
        apply(&mut s, [key('3')]);
        load_queues(
            &mut s,
            cpitop::resources::queues::QueuesSnapshot {
                missing: Some(broker_only_notice(why, &broker, 3)),
                queues: broker_rows(&broker),
                broker: Some(broker.clone()),
            },
        );
        snap("queues_broker_only", &s);
    }
}

fn open_dlq(s: &mut State) {
    apply(s, [key('3')]);
    load_queues(s, queues());
    // AUDIT_LOG, INVOICE_OUT, DLQ_INVOICE_OUT, ORDERS_IN, DLQ_ORDERS_IN, …
    apply(s, [key('j'), key('j'), key('j'), key('j'), code(KeyCode::Enter)]);
}

#[test]
fn queue_messages_view() {
    six_states(
        "queue_messages",
        &open_dlq,
        &|s| load_queue_messages(s, queue_messages()),
        &|s| load_queue_messages(s, vec![]),
        &|s| {
            fail_queue_messages(
                s,
                "GET /api/v1/Queues('DLQ_ORDERS_IN')/Messages: 500 Internal Server Error",
            )
        },
        ":5",
    );
}

fn open_failed_message(s: &mut State, parts: bool) {
    apply(s, [key('2')]);
    load_messages(s, messages());
    apply(s, [key('j'), code(KeyCode::Enter)]);
    if parts {
        let guid = "AGZ0aaaaaaaaaaaaaaaaaaaaaa02";
        for p in detail_parts(guid) {
            apply(
                s,
                [Msg::Data(DataMsg::Message {
                    guid: guid.into(),
                    part: p,
                })],
            );
        }
    }
}

#[test]
fn message_detail_view() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        open_failed_message(&mut s, false);
        snap("message_detail_loading", &s);
        let mut s = state(w, h);
        open_failed_message(&mut s, true);
        snap("message_detail_data", &s);
        apply(&mut s, [key('G')]);
        snap("message_detail_scrolled_end", &s);
        let mut s = state(w, h);
        open_failed_message(&mut s, false);
        let guid = "AGZ0aaaaaaaaaaaaaaaaaaaaaa02";
        apply(
            &mut s,
            [
                Msg::Data(DataMsg::Message {
                    guid: guid.into(),
                    part: MessagePart::Log(Err("404 Requested entity could not be found.".into())),
                }),
                Msg::Data(DataMsg::Message {
                    guid: guid.into(),
                    part: MessagePart::Error(Err("timed out after 30s".into())),
                }),
            ],
        );
        snap("message_detail_error", &s);
    }
}

#[test]
fn correlated_attachments_and_attachment_views() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        open_failed_message(&mut s, true);
        apply(&mut s, [key('c')]);
        snap("correlated_loading", &s);
        let cid = s.messages.correlated.correlation_id.clone();
        apply(
            &mut s,
            [Msg::Data(DataMsg::Correlated {
                correlation_id: cid,
                result: Ok(vec![
                    mpl(
                        "AGZ0aaaaaaaaaaaaaaaaaaaaaa02",
                        "Invoice_Outbound",
                        "FAILED",
                        2,
                        2_345,
                    ),
                    mpl(
                        "AGZ0bbbbbbbbbbbbbbbbbbbbbb77",
                        "Invoice_Replay",
                        "COMPLETED",
                        1,
                        900,
                    ),
                ]),
            })],
        );
        snap("correlated_data", &s);

        let mut s = state(w, h);
        open_failed_message(&mut s, true);
        apply(&mut s, [key('v')]);
        snap("attachments_data", &s);
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("attachment_loading", &s);
        apply(
            &mut s,
            [Msg::Data(DataMsg::Attachment {
                id: "sap-it-res:msg:att1".into(),
                result: Ok("<Invoice>\n  <Number>90001234</Number>\n  <Amount currency=\"EUR\">1250.00</Amount>\n</Invoice>".into()),
            })],
        );
        snap("attachment_data", &s);
    }
}

#[test]
fn artifact_detail_view() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        load_artifacts(&mut s, artifacts());
        apply(&mut s, [code(KeyCode::Enter)]); // first row: an ERROR artifact
        snap("artifact_detail_loading", &s);
        let id = match s.route() {
            cpitop::app::Route::Artifacts(cpitop::panes::artifacts::Route::Detail { id }) => id.clone(),
            r => panic!("expected artifact detail, got {r:?}"),
        };
        apply(
            &mut s,
            [Msg::Data(DataMsg::ArtifactError {
                id: id.clone(),
                result: Ok(Some("The generation and build of the artifact were unsuccessful.\nValidation of the artifact failed: Script file 'script/invoiceHelper.groovy' could not be found in the resources of integration flow Invoice_Outbound; check the Groovy Script step 'Set headers' and redeploy.".into())),
            })],
        );
        snap("artifact_detail_data", &s);
        apply(
            &mut s,
            [Msg::Data(DataMsg::ArtifactError {
                id,
                result: Err("GET ErrorInformation/$value: 500 Internal Server Error".into()),
            })],
        );
        snap("artifact_detail_error", &s);
    }
}

/// A recorded-shape `InstanceError` (a missing SFTP credential): decoded into labelled, indented
/// levels, wrapped at word boundaries; and an artifact seen turning to ERROR says for how long.
#[test]
fn artifact_detail_instance_error_and_since() {
    let body = r#"{"message":{"subsytemName":"IntegrationRuntime","subsytemPartName":"RuntimeArtifactDeployment","messageId":"InstanceError","messageText":""},"parameter":["{\"messageId\":\"com.sap.it.op.agent.trm.IFlowStartError\",\"parameters\":[\"Error while starting the integration flow Invoice_Outbound\"],\"childMessageInstances\":[{\"messageId\":\"com.sap.it.rt.adapter.sftp.ConsumerStartError\",\"parameters\":[\"Caused by: org.apache.camel.FailedToCreateRouteException: Failed to create route Process_1 at: >>> From[sftp://sftp.partner.example.com:22/outbound] <<<\",\"Sender SFTP_Partner\"],\"childMessageInstances\":[{\"messageId\":\"com.sap.it.api.securestore.CredentialNotFound\",\"parameters\":[\"Caused by: com.sap.it.api.securestore.exception.SecureStoreException: Secure Parameter not available for alias SFTP_PARTNER_KEY\"],\"childMessageInstances\":[]}]}]}"],"additionalText":null}"#;
    let info: cpitop::cpi::model::ArtifactErrorInformation =
        serde_json::from_str(body).expect("recorded shape decodes");
    for (w, h) in SIZES {
        let mut s = state(w, h);
        // Watched while STARTED, then seen turning to ERROR: the change is known.
        let mut arts = artifacts();
        let broken = arts
            .iter()
            .position(|a| a.id == "Invoice_Outbound")
            .expect("in the fixture");
        arts[broken].status = cpitop::cpi::model::ArtifactStatus::Started;
        let generation = s.artifacts.load.generation;
        apply(
            &mut s,
            [Msg::Data(DataMsg::Artifacts {
                generation,
                at: NOW - 16 * 60_000,
                result: Ok(arts),
            })],
        );
        load_artifacts(&mut s, artifacts());
        s.stack.push(cpitop::app::Route::Artifacts(
            cpitop::panes::artifacts::Route::Detail {
                id: "Invoice_Outbound".into(),
            },
        ));
        apply(
            &mut s,
            [Msg::Data(DataMsg::ArtifactError {
                id: "Invoice_Outbound".into(),
                result: Ok(Some(info.text())),
            })],
        );
        snap("artifact_detail_instance_error", &s);
        let b = screen(&s);
        let screen: String = (0..h).map(|y| row_text(&b, y) + "\n").collect();
        assert!(
            !screen.contains("childMessageInstances"),
            "decoded, not raw:\n{screen}"
        );
        assert!(screen.contains("ERROR for 4s (since 06:13)"), "{screen}");
    }
}

#[test]
fn overlays_help_command_and_sort() {
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('?')]);
    snap("help_artifacts", &s);
    let mut s = state(160, 45);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    apply(&mut s, [key('?')]);
    snap("help_messages", &s);
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("window 4"));
    snap("command_mode", &s);
    let mut s = state(80, 24);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('s')]);
    snap("sort_pending", &s);
    apply(&mut s, [key('o')]);
    snap("sorted_by_deployed_on", &s);
}

// --- colours ----------------------------------------------------------------------------------

fn fg_at(b: &ratatui::backend::TestBackend, needle: &str) -> Color {
    let (x, y) = find(b, needle).unwrap_or_else(|| panic!("`{needle}` not on screen:\n{b}"));
    b.buffer()[(x, y)].fg
}

#[test]
fn failed_is_red_and_completed_green() {
    let mut s = state(160, 45);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    let b = screen(&s);
    assert_eq!(fg_at(&b, "FAILED"), Color::Red);
    assert_eq!(fg_at(&b, "COMPLETED"), Color::Green);
    assert_eq!(fg_at(&b, "RETRY"), Color::Yellow);
    assert_eq!(fg_at(&b, "DISCARDED"), Color::DarkGray);
}

#[test]
fn error_artifact_is_red_and_sorted_first() {
    let mut s = state(160, 45);
    load_artifacts(&mut s, artifacts());
    let b = screen(&s);
    assert_eq!(fg_at(&b, "ERROR"), Color::Red);
    assert_eq!(
        fg_at(&b, "Invoice Outbound"),
        Color::Red,
        "a row needing attention is coloured"
    );
    assert_eq!(fg_at(&b, "STARTED"), Color::Green);
    let (_, first_error) = find(&b, "ERROR").expect("error row");
    let (_, first_started) = find(&b, "STARTED").expect("started row");
    assert!(first_error < first_started);
}

#[test]
fn prod_badge_stands_out_and_no_color_drops_colours() {
    let mut s = state(160, 45);
    load_artifacts(&mut s, artifacts());
    let b = screen(&s);
    let (x, y) = find(&b, "[PROD · READ-ONLY]").expect("badge");
    assert_eq!(b.buffer()[(x, y)].bg, Color::Red);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45)).expect("term");
    let plain = cpitop::kit::widgets::theme::Theme::new(cpitop::kit::widgets::theme::ColorLevel::None);
    term.draw(|f| cpitop::app::frame::render(f, &s, &plain))
        .expect("draw");
    let buf = term.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && (c.bg == Color::Reset)),
        "NO_COLOR: no colours at all"
    );
}

#[test]
fn filter_matches_are_highlighted() {
    let mut s = state(160, 45);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('/')]);
    apply(&mut s, typed("INVOICE"));
    let b = screen(&s);
    let (x, y) = find(&b, "Invoice Outbound").expect("match shown");
    assert_eq!(
        b.buffer()[(x, y)].bg,
        Color::Yellow,
        "the matched text is highlighted"
    );
    assert_eq!(
        b.buffer()[(x + 8, y)].bg,
        Color::Blue,
        "the rest of the selected row is not"
    );
}
