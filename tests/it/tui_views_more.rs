//! The view states `tui_snapshots` does not cover: correlated messages empty/failed/filtered, an
//! attachment that could not be read, a message without attachments, an artifact detail over
//! stale data, help in more views; and the mouse wheel in tables and detail views.

use crate::tui_support;

use cpitop::app::msg::{DataMsg, Msg};
use cpitop::app::{Route, State, apply};
use cpitop::panes::messages::detail::MessagePart;
use crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];
const GUID: &str = "AGZ0aaaaaaaaaaaaaaaaaaaaaa02";

fn snap(name: &str, s: &State) {
    let (w, h) = s.size;
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(s));
}

fn open_failed_message(s: &mut State, parts: Vec<MessagePart>) {
    apply(s, [key('2')]);
    load_messages(s, messages());
    apply(s, [key('j'), code(KeyCode::Enter)]);
    for p in parts {
        apply(
            s,
            [Msg::Data(DataMsg::Message {
                guid: GUID.into(),
                part: p,
            })],
        );
    }
}

fn correlated(s: &mut State, result: Result<Vec<cpitop::cpi::model::MessageProcessingLog>, String>) {
    let correlation_id = s.messages.correlated.correlation_id.clone();
    apply(
        s,
        [Msg::Data(DataMsg::Correlated {
            correlation_id,
            result: result.map_err(Into::into),
        })],
    );
}

#[test]
fn correlated_empty_error_and_filtered() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        open_failed_message(&mut s, detail_parts(GUID));
        apply(&mut s, [key('c')]);
        assert!(
            matches!(
                s.route(),
                Route::Messages(cpitop::panes::messages::Route::Correlated { .. })
            ),
            "{:?}",
            s.route()
        );
        correlated(&mut s, Ok(vec![]));
        snap("correlated_empty", &s);

        let mut s = state(w, h);
        open_failed_message(&mut s, detail_parts(GUID));
        apply(&mut s, [key('c')]);
        correlated(
            &mut s,
            Err(
                "GET /api/v1/MessageProcessingLogs?$filter=CorrelationId eq '…': 503 Service Unavailable"
                    .into(),
            ),
        );
        snap("correlated_error", &s);

        let mut s = state(w, h);
        open_failed_message(&mut s, detail_parts(GUID));
        apply(&mut s, [key('c')]);
        correlated(
            &mut s,
            Ok(vec![
                mpl(GUID, "Invoice_Outbound", "FAILED", 2, 2_345),
                mpl(
                    "AGZ0bbbbbbbbbbbbbbbbbbbbbb77",
                    "Invoice_Replay",
                    "COMPLETED",
                    1,
                    900,
                ),
                mpl(
                    "AGZ0cccccccccccccccccccccc11",
                    "Invoice_Archive",
                    "COMPLETED",
                    1,
                    300,
                ),
            ]),
        );
        apply(&mut s, [key('/')]);
        apply(&mut s, typed("replay"));
        apply(&mut s, [code(KeyCode::Enter)]);
        snap("correlated_filtered", &s);
        assert_eq!(s.messages.correlated.list.len(), 1);
    }
}

#[test]
fn attachment_unreadable_and_no_attachments() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        open_failed_message(&mut s, detail_parts(GUID));
        apply(&mut s, [key('v'), code(KeyCode::Enter)]);
        assert!(
            matches!(
                s.route(),
                Route::Messages(cpitop::panes::messages::Route::Attachment { .. })
            ),
            "{:?}",
            s.route()
        );
        apply(
            &mut s,
            [Msg::Data(DataMsg::Attachment {
                id: "sap-it-res:msg:att1".into(),
                result: Err("GET /api/v1/MessageProcessingLogAttachments('sap-it-res:msg:att1')/$value: 404 Requested entity could not be found.".into()),
            })],
        );
        snap("attachment_error", &s);
    }
    // Without attachments `v` stays on the detail and says why.
    let mut s = state(80, 24);
    let parts = detail_parts(GUID)
        .into_iter()
        .map(|p| match p {
            MessagePart::Attachments(_) => MessagePart::Attachments(Ok(vec![].into())),
            p => p,
        })
        .collect();
    open_failed_message(&mut s, parts);
    apply(&mut s, [key('v')]);
    assert!(matches!(
        s.route(),
        Route::Messages(cpitop::panes::messages::Route::Detail { .. })
    ));
    snap("message_detail_no_attachments", &s);
}

#[test]
fn artifact_detail_over_stale_data() {
    for (w, h) in SIZES {
        let mut s = state(w, h);
        load_artifacts(&mut s, artifacts());
        apply(&mut s, [code(KeyCode::Enter)]);
        let Route::Artifacts(cpitop::panes::artifacts::Route::Detail { id }) = s.route().clone() else {
            panic!("expected the artifact detail, got {:?}", s.route());
        };
        apply(
            &mut s,
            [Msg::Data(DataMsg::ArtifactError {
                id,
                result: Ok(Some(
                    "Failed to start the integration flow: keystore entry 'partner_as2_signing' not found"
                        .into(),
                )),
            })],
        );
        fail_artifacts(
            &mut s,
            "GET /api/v1/IntegrationRuntimeArtifacts: 429 Too Many Requests (retry in 30s)",
        );
        snap("artifact_detail_stale", &s);
    }
}

#[test]
fn help_in_more_views() {
    let mut s = state(160, 45);
    apply(&mut s, [key('3')]);
    load_queues(&mut s, queues());
    apply(&mut s, [key('?')]);
    snap("help_queues", &s);
    let mut s = state(80, 24);
    open_failed_message(&mut s, detail_parts(GUID));
    apply(&mut s, [key('?')]);
    snap("help_message_detail", &s);
}

fn wheel(kind: MouseEventKind) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn mouse_wheel_scrolls_tables_and_details() {
    let mut s = state(80, 24);
    apply(&mut s, [key('2')]);
    load_messages(&mut s, messages());
    assert_eq!(s.messages.list.selected, 0);
    apply(&mut s, [wheel(MouseEventKind::ScrollDown)]);
    assert_eq!(s.messages.list.selected, 3, "one notch moves three rows");
    apply(
        &mut s,
        [wheel(MouseEventKind::ScrollUp), wheel(MouseEventKind::ScrollUp)],
    );
    assert_eq!(s.messages.list.selected, 0, "and stops at the top");

    let mut s = state(80, 24);
    open_failed_message(&mut s, detail_parts(GUID));
    let scroll = |s: &State| s.messages.detail.as_ref().map(|d| d.scroll);
    assert_eq!(scroll(&s), Some(0));
    apply(&mut s, [wheel(MouseEventKind::ScrollDown)]);
    assert_eq!(scroll(&s), Some(3), "the detail scrolls too");
    apply(&mut s, [wheel(MouseEventKind::ScrollUp)]);
    assert_eq!(scroll(&s), Some(0));
}

#[test]
fn overlays_and_attachments_at_the_large_size() {
    let mut s = state(160, 45);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key(':')]);
    apply(&mut s, typed("window 4"));
    snap("command_mode", &s);
    let mut s = state(160, 45);
    load_artifacts(&mut s, artifacts());
    apply(&mut s, [key('s')]);
    snap("sort_pending", &s);

    for (w, h) in SIZES {
        let mut s = state(w, h);
        open_failed_message(&mut s, detail_parts(GUID));
        apply(&mut s, [key('v'), key('/')]);
        apply(&mut s, typed("nothing-like-this"));
        apply(&mut s, [code(KeyCode::Enter)]);
        assert!(matches!(
            s.route(),
            Route::Messages(cpitop::panes::messages::Route::Attachments { .. })
        ));
        assert_eq!(s.messages.attachments.list.len(), 0);
        snap("attachments_filtered_out", &s);
    }
}
