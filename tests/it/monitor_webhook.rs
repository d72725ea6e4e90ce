//! End to end on loopback: the notifier posts to a tiny hyper webhook receiver, exactly once per
//! transition, retries after a 500, keeps the minimum interval, and never leaks the URL.

use crate::hook;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpitop::monitor::eval::Status;
use cpitop::monitor::notify::{
    DeliveryError, NotifierInput, NotifyConfig, WebhookFormat, WebhookTarget, http_client, post_webhook,
    spawn_notifier,
};
use cpitop::monitor::{HumanDuration, Transition};
use cpitop::secret::Secret;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
struct Received {
    path: String,
    status: u16,
    body: serde_json::Value,
    at: Instant,
}

/// A webhook receiver on 127.0.0.1:0. `/flaky` answers 500 to its first request, `/gone` always
/// 404 echoing its query, everything else 200. It stops with the test's runtime.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let shared = log.clone();
    let addr = hook::serve(move |hit| {
        assert_eq!(hit.method, hyper::Method::POST);
        assert_eq!(hit.content_type.as_deref(), Some("application/json"));
        let body = serde_json::from_slice(&hit.body).unwrap_or(serde_json::Value::Null);
        let mut log = shared.lock().expect("lock");
        let earlier = log.iter().filter(|r| r.path == hit.path).count();
        let (status, reply) = match hit.path.as_str() {
            "/flaky" if earlier == 0 => (500, "temporarily broken".to_string()),
            "/gone" => (404, format!("no hook for {}", hit.query)),
            _ => (200, "ok".to_string()),
        };
        log.push(Received {
            path: hit.path,
            status,
            body,
            at: Instant::now(),
        });
        (status, reply)
    })
    .await;
    (format!("http://{addr}"), log)
}

fn target(base: &str, path: &str, format: WebhookFormat) -> WebhookTarget {
    WebhookTarget {
        name: String::new(),
        url: Secret::new(format!("{base}{path}?sig=SECRET-SIGNATURE-123")),
        format,
    }
}

fn tr(from: Status, to: Status) -> (Transition, bool) {
    let t = Transition {
        tenant: "prod".into(),
        monitor: "orders".into(),
        name: "Orders failing".into(),
        from,
        to,
        text: format!("now {to}"),
        evidence: vec![],
        at: 0,
        from_since: None,
    };
    (t, false)
}

fn ok_posts(log: &Arc<Mutex<Vec<Received>>>, path: &str) -> Vec<Received> {
    log.lock()
        .expect("lock")
        .iter()
        .filter(|r| r.path == path && r.status == 200)
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_notification_per_transition_with_retry_and_min_interval() {
    let (base, log) = receiver().await;
    let cfg = NotifyConfig {
        group_window: "100ms".parse().expect("duration"),
        min_interval: HumanDuration::from_secs(1),
        retries: 2,
        retry_backoff: "50ms".parse().expect("duration"),
        timeout: HumanDuration::from_secs(5),
        webhooks: vec![
            target(&base, "/flaky", WebhookFormat::Generic),
            target(&base, "/slack", WebhookFormat::Slack),
        ],
        commands: vec![],
    };
    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let (tx, handle) = spawn_notifier(cfg, Some(reports_tx), cancel.clone()).expect("notifier");
    let wait_report = async |reports: &mut mpsc::UnboundedReceiver<_>| {
        tokio::time::timeout(Duration::from_secs(10), reports.recv())
            .await
            .expect("a delivery within 10s")
            .expect("notifier alive")
    };

    // 1. ok → error: one notification per target; the flaky one after a retry.
    tx.send(NotifierInput::Transitions(vec![tr(Status::Ok, Status::Error)]))
        .expect("send");
    let r: cpitop::monitor::notify::DeliveryReport = wait_report(&mut reports).await;
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(r.delivered.len(), 2);
    let flaky = log
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| r.path == "/flaky")
        .count();
    assert_eq!(flaky, 2, "one 500, one retry");
    let first = ok_posts(&log, "/flaky");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].body["alerts"][0]["status"], "error");
    assert_eq!(first[0].body["alerts"][0]["previous_status"], "ok");
    assert_eq!(ok_posts(&log, "/slack").len(), 1);

    // 2. error → ok right away: held back until the minimum interval has passed.
    tx.send(NotifierInput::Transitions(vec![tr(Status::Error, Status::Ok)]))
        .expect("send");
    let r = wait_report(&mut reports).await;
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    let posts = ok_posts(&log, "/flaky");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].body["alerts"][0]["status"], "ok");
    assert_eq!(posts[1].body["alerts"][0]["previous_status"], "error");
    // The interval counts from when the first notification was dispatched (its first attempt).
    let first_attempt = log
        .lock()
        .expect("lock")
        .iter()
        .find(|r| r.path == "/flaky")
        .map(|r| r.at);
    let gap = posts[1].at.duration_since(first_attempt.expect("first attempt"));
    assert!(
        gap >= Duration::from_millis(900),
        "recovery sent after {gap:?}, before the 1s interval"
    );

    // 3. A flap within the interval (ok → error → ok) is not announced at all.
    tx.send(NotifierInput::Transitions(vec![tr(Status::Ok, Status::Error)]))
        .expect("send");
    tx.send(NotifierInput::Transitions(vec![tr(Status::Error, Status::Ok)]))
        .expect("send");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(ok_posts(&log, "/flaky").len(), 2, "no notification for the flap");
    assert_eq!(ok_posts(&log, "/slack").len(), 2);
    assert!(reports.try_recv().is_err());

    // Dropping the sender ends the task.
    drop(tx);
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("notifier stops when its sender is dropped")
        .expect("no panic");
    cancel.cancel();
}

#[tokio::test]
async fn failures_are_reported_without_the_url() {
    let (base, log) = receiver().await;
    let client = http_client(&NotifyConfig::default()).expect("client");
    let body = serde_json::json!({"x": 1});

    // 404 is not retried, and neither the URL nor its signature shows in the error.
    let t = target(&base, "/gone", WebhookFormat::Generic);
    let e = post_webhook(&client, &t, &body, 3, Duration::from_millis(10))
        .await
        .expect_err("404");
    let text = e.to_string();
    assert!(
        matches!(
            e,
            DeliveryError::Status {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!text.contains("SECRET-SIGNATURE"), "{text}");
    assert!(!text.contains(&base), "{text}");
    assert!(text.contains("webhook at 127.0.0.1"), "{text}");
    assert_eq!(log.lock().expect("lock").len(), 1);

    // A closed port: network error after 1 + 1 retries, again without the URL.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead_addr = dead.local_addr().expect("addr");
    drop(dead);
    let t = WebhookTarget {
        name: "ops".into(),
        url: Secret::new(format!("http://{dead_addr}/hook?sig=SECRET-SIGNATURE-123")),
        format: WebhookFormat::Teams,
    };
    let e = post_webhook(&client, &t, &body, 1, Duration::from_millis(10))
        .await
        .expect_err("refused");
    let text = e.to_string();
    assert!(matches!(e, DeliveryError::Network { attempts: 2, .. }), "{e:?}");
    assert!(text.starts_with("ops: "), "{text}");
    assert!(
        !text.contains("SECRET-SIGNATURE") && !text.contains("/hook"),
        "{text}"
    );
}
