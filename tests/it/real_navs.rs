//! Message detail as real tenants answer it (issue 12, items 5–6): navigations deferred despite
//! `$expand` are read by the message's own key, a deferred URI outside the tenant is refused
//! (nothing sent there), a navigation answering 404 is "not available on this tenant", and a
//! failing main record still shows every part that was read.

use crate::client_support;
use client_support as support;

use std::sync::Arc;

use cpitop::cpi::client::CpiClient;
use cpitop::cpi::model::{CustomHeaderProperty, Nav};
use cpitop::cpi::{GuidPage, MplQuery, decode_guid_page};
use cpitop::get::output::Output;
use cpitop::kit::load::Fetch;
use cpitop::panes::messages::detail::NavPart;
use cpitop::panes::messages::get::message_detail;
use cpitop::sim::{FaultKind, FaultRule, SimConfig, SimHandle, spawn};
use support::{json, oauth_conn, serve, token_reply};

fn cfg() -> SimConfig {
    SimConfig {
        message_rate: 0.0,
        history_messages: Some(400),
        ..SimConfig::default()
    }
}

fn client(h: &SimHandle) -> CpiClient {
    let mut conn = h.demo_conn("sim");
    conn.limits = support::fast_limits();
    CpiClient::new(conn).expect("client")
}

/// Every message id of the last two days, newest last (as the message list loads them).
async fn guids(c: &CpiClient, h: &SimHandle) -> Vec<String> {
    let q = MplQuery::last_hours(h.admin().now_ms(), 48);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<GuidPage>(16);
    let collect = async move {
        let mut v = Vec::new();
        while let Some(p) = rx.recv().await {
            v.extend(p.rows.into_iter().map(|(g, _)| g));
        }
        v
    };
    let (out, v) = tokio::join!(
        c.fetch_mpl_window(&q, Arc::new(decode_guid_page), tx, None),
        collect
    );
    out.expect("window loads");
    v
}

/// The realistic sim defers some messages' navigations despite `$expand`, naming another message
/// in the URI. The detail must show that message's own headers, read by its key — before, it said
/// "none" (the deferred marker decoded as an empty list).
#[tokio::test]
async fn deferred_despite_expand_is_read_by_the_messages_own_key() {
    let h = spawn(cfg()).await.expect("sim");
    let c = client(&h);
    let mut checked = 0;
    for g in guids(&c, &h).await {
        let Ok(Some(m)) = c.mpl(&g).await else { continue };
        let Nav::Deferred(Some(uri)) = &m.custom_header_properties else {
            continue;
        };
        assert!(
            !uri.contains(&g),
            "the sim's deferred URI names another message: {uri}"
        );
        let own: Vec<CustomHeaderProperty> = c
            .mpl_navigation(&g, "CustomHeaderProperties", None)
            .await
            .expect("own headers")
            .expect("offered");
        assert!(!own.is_empty(), "every sim message has SAP_Sender");
        let d = message_detail(&c, &g).await;
        assert_eq!(d.headers, Fetch::Done(NavPart::Rows(own)), "{g}");
        checked += 1;
        if checked == 3 {
            break;
        }
    }
    assert!(checked > 0, "the sim defers some navigations despite $expand");
}

/// A tenant without `Runs` (404): the detail says "not available on this tenant" and `get
/// message` succeeds (before: "Could not read the runs: … 404" and exit 1).
#[tokio::test]
async fn runs_404_is_not_available_not_an_error() {
    let h = spawn(SimConfig {
        runs_404: 1.0,
        ..cfg()
    })
    .await
    .expect("sim");
    let c = client(&h);
    let g = guids(&c, &h).await.into_iter().next().expect("a message");
    let d = message_detail(&c, &g).await;
    assert_eq!(d.runs, Fetch::Done(NavPart::NotOnTenant));
    assert!(
        !d.unread().iter().any(|u| u.starts_with("runs")),
        "{:?}",
        d.unread()
    );
    let read = cpitop::panes::messages::get::message(&c, &g, Output::Table, &Default::default(), 100)
        .await
        .expect("printed");
    assert!(
        read.text.contains("not available on this tenant"),
        "{}",
        read.text
    );
    assert_eq!(read.not_on_tenant, vec!["runs"]);
    let json = cpitop::panes::messages::get::message(&c, &g, Output::Json, &Default::default(), 100)
        .await
        .expect("printed");
    let v: serde_json::Value = serde_json::from_str(&json.text).expect("json");
    assert_eq!(v["not_available"], serde_json::json!(["runs"]));
    assert!(v["runs"].is_null());
}

/// The main record fails (HTTP 500) while the parts answer: `get message` prints the parts and
/// names what was not read (before: nothing printed, only an error).
#[tokio::test]
async fn failing_record_still_prints_what_was_read() {
    let h = spawn(cfg()).await.expect("sim");
    let c = client(&h);
    let all = guids(&c, &h).await;
    // A failed message: it has an error text and an attachment to show.
    let mut target = None;
    for g in &all {
        if let Ok(Some(t)) = c.mpl_error_text(g).await {
            target = Some((g.clone(), t));
            break;
        }
    }
    let (g, error_text) = target.expect("a failed message");
    // Only the record (`…('<guid>')?$expand=…`), not its navigations (`…('<guid>')/…`).
    h.admin()
        .add_fault(FaultRule::new(FaultKind::Http500).path(&format!("MessageProcessingLogs('{g}')?")));
    let read = cpitop::panes::messages::get::message(&c, &g, Output::Table, &Default::default(), 200)
        .await
        .expect("the parts are printed");
    assert!(
        read.text.contains(&format!("Could not read message {g}")),
        "{}",
        read.text
    );
    // The start of the text (a long first line wraps in the document).
    let first: String = error_text
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(80)
        .collect();
    assert!(read.text.contains(&first), "error text shown:\n{}", read.text);
    assert!(read.text.contains("Attachments ("), "{}", read.text);
    assert!(
        read.text.contains("SAP_Sender"),
        "headers read on their own:\n{}",
        read.text
    );
    assert_eq!(read.unread.len(), 1, "{:?}", read.unread);
    assert!(read.unread[0].starts_with("properties:"), "{:?}", read.unread);
}

/// A message that does not exist still fails as a whole (nothing useful was read).
#[tokio::test]
async fn missing_message_fails() {
    let h = spawn(cfg()).await.expect("sim");
    let c = client(&h);
    let r = cpitop::panes::messages::get::message(
        &c,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        Output::Table,
        &Default::default(),
        100,
    )
    .await;
    assert!(r.is_err_and(|e| e.contains("has no message")));
}

/// A deferred URI pointing at another origin is refused and reported; the token never goes
/// there and the navigation is not read from anywhere.
#[tokio::test]
async fn deferred_uri_of_another_origin_is_refused() {
    let foreign = serve(Arc::new(|_, _| json(200, r#"{"d":{"results":[]}}"#))).await;
    let foreign_base = foreign.base.clone();
    let g = "AGZ0aBcDeFgHiJkLmNoPqRsTuVwX";
    let tenant = serve(Arc::new(move |r, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("tok", 3600);
        }
        if r.path.contains("/ErrorInformation") {
            return json(404, r#"{"error":{"code":"Not Found","message":{"lang":"en","value":"no"}}}"#);
        }
        if r.path.contains("')/") {
            return json(200, r#"{"d":{"results":[]}}"#);
        }
        json(
            200,
            &format!(
                r#"{{"d":{{"MessageGuid":"{g}","Status":"COMPLETED","CustomHeaderProperties":{{"__deferred":{{"uri":"{foreign_base}/api/v1/MessageProcessingLogs('{g}')/CustomHeaderProperties"}}}}}}}}"#
            ),
        )
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&tenant.base)).expect("client");
    let d = message_detail(&c, g).await;
    assert!(matches!(d.log, Fetch::Done(_)));
    let Fetch::Failed(e) = &d.headers else {
        panic!("refused, got {:?}", d.headers)
    };
    assert!(e.contains(&foreign.base) && e.contains("outside"), "{e}");
    assert!(
        foreign.requests().is_empty(),
        "nothing sent to the foreign origin"
    );
    assert!(
        !tenant
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/CustomHeaderProperties")),
        "the navigation is not read after a refused link"
    );
}

/// Decoding of navigation markers.
#[test]
fn nav_markers_decode() {
    let de = |s: &str| serde_json::from_str::<Nav<CustomHeaderProperty>>(s).expect("decodes");
    assert_eq!(
        de(r#"{"__deferred":{"uri":"u"}}"#),
        Nav::Deferred(Some("u".into()))
    );
    assert_eq!(de(r#"{"results":[]}"#), Nav::Expanded(vec![]));
    assert_eq!(de(r#"{"other":1}"#), Nav::Missing);
    assert_eq!(de("null"), Nav::Missing);
    assert_eq!(
        serde_json::to_string(&Nav::<CustomHeaderProperty>::Deferred(None)).expect("ser"),
        "null"
    );
}
