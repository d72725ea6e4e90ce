//! Client behaviour against canned replies on loopback: auth, CSRF, retries, error mapping,
//! paging links and queue-API detection — the exact wire cases the simulated tenant does not
//! produce on demand.

use crate::client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use client_support::*;
use cpitop::cpi::conn::{Auth, TenantConn};
use cpitop::cpi::{CpiClient, CpiError, JmsMessageKey, QueueApiKind};
use cpitop::secret::Secret;

const ARTIFACTS: &str = r#"{"d":{"results":[{"Id":"A","Version":"1.0.0","Name":"A","Type":"INTEGRATION_FLOW","DeployedBy":"u","DeployedOn":"/Date(1718000000000)/","Status":"STARTED"}]}}"#;

#[tokio::test]
async fn oauth_token_is_cached_and_sent_as_bearer() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("tok-1", 3600);
        }
        json(200, ARTIFACTS)
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    for _ in 0..3 {
        let a = c.runtime_artifacts().await.expect("artifacts");
        assert_eq!(a.len(), 1);
    }
    let reqs = server.requests();
    let token_reqs: Vec<_> = reqs.iter().filter(|r| r.path == "/oauth/token").collect();
    assert_eq!(token_reqs.len(), 1, "token fetched once and cached");
    let t = token_reqs[0];
    assert_eq!(t.method, "POST");
    assert_eq!(&t.body[..], b"grant_type=client_credentials");
    assert!(t.header("authorization").is_some_and(|h| h.starts_with("Basic ")));
    let api: Vec<_> = reqs.iter().filter(|r| r.path.starts_with("/api/v1/")).collect();
    assert_eq!(api.len(), 3);
    for r in api {
        assert_eq!(r.header("authorization").as_deref(), Some("Bearer tok-1"));
        assert_eq!(r.header("accept").as_deref(), Some("application/json"));
        assert!(r.path.contains("$select="), "{}", r.path);
    }
    let s = c.stats();
    assert_eq!(s.requests, 4);
    assert_eq!(s.in_flight, 0);
}

#[tokio::test]
async fn token_refreshed_before_expiry_and_once_on_401() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let server = serve(Arc::new(move |r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            let n = t2.fetch_add(1, Ordering::SeqCst) + 1;
            // The first token lives 1 s (refreshed early), later ones an hour.
            return token_reply(&format!("tok-{n}"), if n == 1 { 1 } else { 3600 });
        }
        // The API accepts only tokens from the third on: tok-2 gets a 401 (revoked).
        match r.header("authorization").as_deref() {
            Some("Bearer tok-1") | Some("Bearer tok-2") => json(
                401,
                r#"{"error":{"code":"Unauthorized","message":{"lang":"en","value":null}}}"#,
            ),
            _ => json(200, ARTIFACTS),
        }
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    // tok-1 (1 s) is fetched, used, 401 → refetch → tok-2 → 401 again → reported.
    let err = c.runtime_artifacts().await.expect_err("401 after one refresh");
    assert!(matches!(err, CpiError::Unauthorized { .. }), "{err:?}");
    assert_eq!(tokens.load(Ordering::SeqCst), 2, "exactly one refresh on 401");
    // Next call: tok-2 is cached for an hour but was rejected: 401 → refresh → tok-3 works.
    c.runtime_artifacts().await.expect("works after refresh");
    assert_eq!(tokens.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn short_lived_token_is_refreshed_before_it_expires() {
    let server = serve(Arc::new(|r: &Recorded, i| {
        if r.path.starts_with("/oauth/token") {
            return token_reply(&format!("tok-{i}"), 1);
        }
        json(200, ARTIFACTS)
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    c.runtime_artifacts().await.expect("first");
    tokio::time::sleep(Duration::from_millis(950)).await;
    c.runtime_artifacts().await.expect("second");
    assert_eq!(
        server.count(|r| r.path == "/oauth/token"),
        2,
        "refreshed within the safety margin"
    );
    assert_eq!(
        server.count(|r| r.path.starts_with("/api") && r.header("authorization").is_none()),
        0
    );
}

#[tokio::test]
async fn bad_credentials_at_token_endpoint_are_named_without_the_secret() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return json(
                401,
                &format!(r#"{{"error":"unauthorized","error_description":"Bad credentials for {SECRET}"}}"#),
            );
        }
        json(200, ARTIFACTS)
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.runtime_artifacts().await.expect_err("bad creds");
    let text = err.to_string();
    assert!(
        matches!(err, CpiError::BadCredentials { status: 401, .. }),
        "{err:?}"
    );
    assert!(text.contains("unauthorized"), "{text}");
    assert!(text.contains("client secret"), "{text}");
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    assert!(!format!("{err:?}").contains(SECRET));
}

#[tokio::test]
async fn basic_auth_is_sent() {
    let server = serve(Arc::new(|_r: &Recorded, _| json(200, ARTIFACTS))).await;
    let mut conn = oauth_conn(&server.base);
    conn.auth = Auth::Basic {
        username: "ops".into(),
        password: Secret::new("pw-123456"),
    };
    let c = CpiClient::new(conn).expect("client");
    c.runtime_artifacts().await.expect("artifacts");
    let r = &server.requests()[0];
    // base64("ops:pw-123456")
    assert_eq!(
        r.header("authorization").as_deref(),
        Some("Basic b3BzOnB3LTEyMzQ1Ng==")
    );
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        if N.fetch_add(1, Ordering::SeqCst) < 2 {
            with_header(
                json(
                    429,
                    r#"{"error":{"code":"TooMany","message":{"lang":"en","value":"slow down"}}}"#,
                ),
                "retry-after",
                "0.2",
            )
        } else {
            json(200, ARTIFACTS)
        }
    }))
    .await;
    let mut conn = oauth_conn(&server.base);
    conn.limits.max_backoff = Duration::from_secs(1);
    let c = CpiClient::new(conn).expect("client");
    let start = Instant::now();
    c.runtime_artifacts().await.expect("recovers");
    assert!(
        start.elapsed() >= Duration::from_millis(380),
        "waited Retry-After twice: {:?}",
        start.elapsed()
    );
    let s = c.stats();
    assert_eq!((s.throttled, s.retried, s.failed), (2, 2, 0));
}

#[tokio::test]
async fn rate_limited_after_retries_is_reported() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        with_header(json(429, "{}"), "retry-after", "0")
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.runtime_artifacts().await.expect_err("still 429");
    assert!(
        matches!(err, CpiError::RateLimited { attempts: 4, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("requests_per_second"));
    assert_eq!(server.count(|r| r.path.starts_with("/api")), 4);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_with_the_odata_message() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        json(
            503,
            r#"{"error":{"code":"ServiceUnavailable","message":{"lang":"en","value":"maintenance"}}}"#,
        )
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.runtime_artifacts().await.expect_err("503");
    match &err {
        CpiError::Server {
            status,
            message,
            attempts,
            ..
        } => {
            assert_eq!(
                (*status, message.as_deref(), *attempts),
                (503, Some("maintenance"), 4)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.stats().failed, 1);
}

#[tokio::test]
async fn writes_are_not_retried_on_5xx() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.method == "GET" {
            return with_header(json(200, "{}"), "x-csrf-token", "csrf-1");
        }
        json(
            500,
            r#"{"error":{"code":"x","message":{"lang":"en","value":null}}}"#,
        )
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.undeploy_artifact("A").await.expect_err("500");
    assert!(
        matches!(
            err,
            CpiError::Server {
                status: 500,
                attempts: 1,
                message: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(|r| r.method == "DELETE"), 1);
}

#[tokio::test]
async fn html_login_page_is_detected() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        reply(
            200,
            "text/html;charset=utf-8",
            "<!DOCTYPE html><html><body>Sign in</body></html>",
        )
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.runtime_artifacts().await.expect_err("html");
    assert!(matches!(err, CpiError::HtmlPage { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("HTML page")
            && text.contains("IntegrationRuntimeArtifacts")
            && text.contains("token URL"),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_and_truncated_json_name_the_endpoint() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        json(200, r#"{"d":{"results":[{"Id":"A","Sta"#)
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.runtime_artifacts().await.expect_err("truncated");
    assert!(matches!(err, CpiError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("IntegrationRuntimeArtifacts"), "{err}");
}

#[tokio::test]
async fn dropped_connections_are_retried_for_reads() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        if N.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::Drop
        } else {
            json(200, ARTIFACTS)
        }
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    assert_eq!(c.runtime_artifacts().await.expect("retried").len(), 1);
    assert_eq!(c.stats().retried, 1);
}

#[tokio::test]
async fn tenant_down_is_reported_as_unreachable_with_the_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut conn = oauth_conn(&format!("http://{addr}"));
    conn.auth = Auth::Basic {
        username: "u".into(),
        password: Secret::new("password-xyz"),
    };
    let c = CpiClient::new(conn).expect("client");
    let err = c.runtime_artifacts().await.expect_err("down");
    match &err {
        CpiError::Unreachable { host, .. } => assert_eq!(host, &addr.to_string()),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(&addr.to_string()));
    assert_eq!(c.stats().requests, 4, "retried: nothing was sent");
}

#[tokio::test]
async fn tls_failure_is_classified() {
    let server = serve(Arc::new(|_r: &Recorded, _| json(200, "{}"))).await;
    let https = server.base.replace("http://", "https://");
    let mut conn = oauth_conn(&https);
    conn.auth = Auth::Basic {
        username: "u".into(),
        password: Secret::new("password-xyz"),
    };
    let c = CpiClient::new(conn).expect("client");
    let err = c
        .runtime_artifacts()
        .await
        .expect_err("plain http on a TLS connection");
    assert!(matches!(err, CpiError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("ca_bundle"));
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        std::thread::sleep(Duration::from_millis(300));
        json(200, ARTIFACTS)
    }))
    .await;
    let mut conn = oauth_conn(&server.base);
    conn.limits.request_timeout = Duration::from_millis(100);
    conn.limits.max_retries = 1;
    let c = CpiClient::new(conn).expect("client");
    let err = c.runtime_artifacts().await.expect_err("timeout");
    assert!(matches!(err, CpiError::Timeout { attempts: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn csrf_is_fetched_replayed_and_refetched_on_required() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f2 = fetches.clone();
    let server = serve(Arc::new(move |r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.method == "GET" && r.path == "/api/v1/" {
            assert_eq!(r.header("x-csrf-token").as_deref(), Some("Fetch"));
            let n = f2.fetch_add(1, Ordering::SeqCst) + 1;
            let a = with_header(json(200, "{}"), "x-csrf-token", &format!("csrf-{n}"));
            return with_header(a, "set-cookie", &format!("JSESSIONID=s{n}; Path=/; HttpOnly"));
        }
        // Only the second token is valid (the first expired with its session).
        if r.header("x-csrf-token").as_deref() == Some("csrf-2") && r.header("cookie").as_deref() == Some("JSESSIONID=s2") {
            reply(202, "", "")
        } else {
            with_header(json(403, r#"{"error":{"code":"Forbidden","message":{"lang":"en","value":"CSRF token validation failed"}}}"#), "x-csrf-token", "Required")
        }
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    c.undeploy_artifact("Orders Inbound")
        .await
        .expect("undeploy after refetch");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    let deletes: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 2);
    assert_eq!(
        deletes[1].path,
        "/api/v1/IntegrationRuntimeArtifacts('Orders%20Inbound')"
    );
    // The token is reused for the next write.
    c.undeploy_artifact("B").await.expect("second write");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn csrf_rejected_twice_is_reported() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.method == "GET" {
            return with_header(json(200, "{}"), "x-csrf-token", "csrf");
        }
        with_header(json(403, "{}"), "x-csrf-token", "Required")
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let err = c.undeploy_artifact("A").await.expect_err("csrf");
    assert!(matches!(err, CpiError::Csrf { .. }), "{err:?}");
}

#[tokio::test]
async fn relative_next_links_are_followed() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.path.contains("skiptoken=1") {
            json(200, r#"{"d":{"results":[{"Id":"B","Status":"STARTED"}],"__next":"/api/v1/IntegrationRuntimeArtifacts?$skiptoken=2"}}"#)
        } else if r.path.contains("skiptoken=2") {
            json(200, r#"{"d":{"results":[{"Id":"C","Status":"ERROR"}]}}"#)
        } else {
            json(200, r#"{"d":{"results":[{"Id":"A","Status":"STARTED"}],"__next":"IntegrationRuntimeArtifacts?$skiptoken=1"}}"#)
        }
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    let ids: Vec<String> = c
        .runtime_artifacts()
        .await
        .expect("pages")
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["A", "B", "C"]);
}

#[tokio::test]
async fn artifact_error_information_204_is_none_and_not_found_is_none() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        assert_eq!(r.header("accept").as_deref(), Some("*/*"));
        if r.path.contains("('Good')") {
            reply(204, "", "")
        } else if r.path.contains("('Gone')") {
            json(404, r#"{"error":{"code":"Not Found","message":{"lang":"en","value":"Requested entity could not be found."}}}"#)
        } else {
            json(200, r#"{"message":{"subsystemName":"CONTENT","subsytemPartName":"CONTENT_DEPLOY","messageId":"GenerationFailed","messageText":""},"parameter":["Script file 'script1.groovy' not found"]}"#)
        }
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    assert_eq!(c.runtime_artifact_error("Good").await.expect("204"), None);
    assert_eq!(c.runtime_artifact_error("Gone").await.expect("404"), None);
    let e = c.runtime_artifact_error("Bad").await.expect("200").expect("some");
    assert!(e.text().contains("script1.groovy"));
}

#[tokio::test]
async fn queue_api_is_detected_and_remembered() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.path.starts_with("/api/v1/Queues") {
            return json(404, r#"{"error":{"code":"Not Found","message":{"lang":"en","value":"Resource not found for the segment 'Queues'."}}}"#);
        }
        if r.path.starts_with("/api/v1/MessagingQueues('ORDERS')/MessagingMessages") {
            return json(200, r#"{"d":{"results":[{"jmsMessageId":"ID:1","failed":true,"retryCount":"5"}]}}"#);
        }
        if r.path.starts_with("/api/v1/MessagingQueues") {
            return json(200, r#"{"d":{"results":[{"queueName":"ORDERS","numberOfMessages":"1","active":true,"exclusive":false}]}}"#);
        }
        if r.path == "/api/v1/" {
            return json(200, "{}");
        }
        if r.path.starts_with("/api/v1/RetryMessagingMessages?") {
            return json(200, r#"{"operation":"RETRY","processedCount":"1"}"#);
        }
        json(500, "{}")
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    assert_eq!(c.queue_api(), None);
    let q = c.queues().await.expect("queues");
    assert_eq!(
        (q[0].name.as_str(), q[0].numb_of_msgs, q[0].active),
        ("ORDERS", 1, true)
    );
    assert_eq!(c.queue_api(), Some(QueueApiKind::Messaging));
    let msgs = c.queue_messages("ORDERS").await.expect("messages");
    assert_eq!(
        (
            msgs[0].msgid.as_str(),
            msgs[0].queue.as_str(),
            msgs[0].retry_count
        ),
        ("ID:1", "ORDERS", 5)
    );
    c.retry_queue_message(&JmsMessageKey::from(&msgs[0]))
        .await
        .expect("retry");
    // Detection happened once.
    assert_eq!(server.count(|r| r.path.starts_with("/api/v1/Queues")), 1);
    let retry = server
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/api/v1/RetryMessagingMessages"))
        .expect("retry sent");
    // An OData V2 function import: the parameters are URL literals, the body is empty.
    assert_eq!(
        retry.path,
        "/api/v1/RetryMessagingMessages?queueName=%27ORDERS%27&jmsMessageIds=%27ID:1%27"
    );
    assert!(retry.body.is_empty());
}

#[tokio::test]
async fn partial_messaging_move_reports_exactly_which_moved() {
    let server = serve(Arc::new(|r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        if r.path == "/api/v1/" {
            return json(200, "{}");
        }
        if r.path.starts_with("/api/v1/MoveMessagingMessages?") {
            return json(200, r#"{"operation":"MOVE","processedCount":"2"}"#);
        }
        if r.path
            .starts_with("/api/v1/MessagingQueues('DLQ_ORDERS')/MessagingMessages")
        {
            // m2 is still in the source queue.
            return json(200, r#"{"d":{"results":[{"jmsMessageId":"m2","failed":true}]}}"#);
        }
        json(404, "{}")
    }))
    .await;
    let c = CpiClient::new(oauth_conn(&server.base)).expect("client");
    c.set_queue_api(QueueApiKind::Messaging);
    let ids: Vec<String> = ["m1", "m2", "m3"].iter().map(|s| s.to_string()).collect();
    let out = c
        .move_queue_messages("DLQ_ORDERS", "ORDERS", &ids)
        .await
        .expect("move");
    assert_eq!(out.succeeded, ["m1", "m3"]);
    assert_eq!(out.failed.len(), 1);
    assert_eq!(out.failed[0].msgid, "m2");
    assert!(
        out.failed[0].reason.contains("still in DLQ_ORDERS"),
        "{}",
        out.failed[0].reason
    );
    assert!(
        c.move_queue_messages("Q", "Q", &ids).await.is_err(),
        "no move onto itself"
    );
}

#[tokio::test]
async fn invalid_settings_are_config_errors() {
    let mut conn = oauth_conn("not a url");
    assert!(matches!(CpiClient::new(conn.clone()), Err(CpiError::Config(_))));
    conn = oauth_conn("http://127.0.0.1:1");
    conn.ca_bundle = Some("/nonexistent/ca.pem".into());
    let err = CpiClient::new(conn).expect_err("missing bundle");
    assert!(err.to_string().contains("/nonexistent/ca.pem"));
    let _unused: Option<TenantConn> = None;
}

#[tokio::test]
async fn request_rate_and_concurrency_limits_are_respected() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f2, p2) = (in_flight.clone(), peak.clone());
    let server = serve(Arc::new(move |r: &Recorded, _| {
        if r.path.starts_with("/oauth/token") {
            return token_reply("t", 3600);
        }
        // Count concurrency at arrival; the reply comes 50 ms later.
        let now = f2.fetch_add(1, Ordering::SeqCst) + 1;
        p2.fetch_max(now, Ordering::SeqCst);
        let f3 = f2.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(45)).await;
            f3.fetch_sub(1, Ordering::SeqCst);
        });
        later(Duration::from_millis(50), json(200, ARTIFACTS))
    }))
    .await;
    let mut conn = oauth_conn(&server.base);
    conn.limits.max_concurrency = 2;
    conn.limits.requests_per_second = 20.0;
    conn.limits.burst = 2;
    let c = CpiClient::new(conn).expect("client");
    let calls = (0..12).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.runtime_artifacts().await })
    });
    for h in calls.collect::<Vec<_>>() {
        h.await.expect("join").expect("call");
    }
    assert!(
        peak.load(Ordering::SeqCst) <= 2,
        "peak concurrency {}",
        peak.load(Ordering::SeqCst)
    );
    let api: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api"))
        .collect();
    assert_eq!(api.len(), 12);
    // 2 from the burst, then 10 more at 20/s: the last starts ≥ ~0.5 s after the first.
    let span = api[11].at.duration_since(api[0].at);
    assert!(span >= Duration::from_millis(450), "12 requests in {span:?}");
    // No sliding 1 s window holds more than rate + burst requests.
    for (i, r) in api.iter().enumerate() {
        let within = api[i..]
            .iter()
            .filter(|x| x.at.duration_since(r.at) < Duration::from_secs(1))
            .count();
        assert!(within <= 22, "{within} requests within one second");
    }
    assert_eq!(c.stats().requests_per_minute, 13);
}
