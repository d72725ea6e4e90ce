//! Notification bodies (snapshots) and the command hook.

use cpitop::monitor::HumanDuration;
use cpitop::monitor::eval::{Evidence, Status};
use cpitop::monitor::notify::format::{generic_body, slack_body, summary, teams_body};
use cpitop::monitor::notify::{Alert, Batch, CommandHook, DeliveryError, alert_env, run_command};

const T0: i64 = 1_764_000_000_000; // 2025-11-24T16:00:00Z

fn alert(key: &str, name: &str, status: Status, previous: Status, text: &str) -> Alert {
    Alert {
        tenant: "prod".into(),
        monitor: key.into(),
        name: name.into(),
        status,
        previous,
        text: text.into(),
        evidence: vec![
            Evidence::Message {
                guid: "AGZ0aBcD".into(),
                iflow: "Orders_Inbound".into(),
            },
            Evidence::Artifact {
                id: "Orders_Inbound".into(),
            },
        ],
        at: T0,
    }
}

fn one() -> Batch {
    Batch {
        alerts: vec![alert(
            "orders-failing",
            "Orders failing",
            Status::Error,
            Status::Ok,
            "3 FAILED in 15m; last: HTTP 401 from receiver <ERP> & co",
        )],
        sent_at: T0 + 30_000,
    }
}

fn several() -> Batch {
    let mut ok = alert(
        "stopped",
        "iFlow not started",
        Status::Ok,
        Status::Error,
        "1 artifact STARTED",
    );
    ok.evidence.clear();
    Batch {
        alerts: vec![
            alert(
                "orders-failing",
                "Orders failing",
                Status::Error,
                Status::Ok,
                "3 FAILED in 15m",
            ),
            alert(
                "certs",
                "Certificates",
                Status::Warning,
                Status::Ok,
                "my_sftp_key expires in 5d (2025-11-29)",
            ),
            ok,
        ],
        sent_at: T0 + 30_000,
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

#[test]
fn summaries() {
    assert_eq!(
        summary(&one()),
        "ERROR prod / Orders failing: 3 FAILED in 15m; last: HTTP 401 from receiver <ERP> & co"
    );
    assert_eq!(
        summary(&several()),
        "3 cpitop alerts on prod: 1 error, 1 warning, 1 ok"
    );
}

#[test]
fn generic_json_body() {
    insta::assert_snapshot!("generic_one", pretty(&generic_body(&one())));
}

#[test]
fn teams_adaptive_card_body() {
    let body = teams_body(&several());
    assert_eq!(
        body["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(body["attachments"][0]["content"]["type"], "AdaptiveCard");
    insta::assert_snapshot!("teams_several", pretty(&body));
}

#[test]
fn slack_blocks_body() {
    let body = slack_body(&one());
    // mrkdwn special characters are escaped in blocks; `text` is the plain fallback.
    let section = body["blocks"][1]["text"]["text"].as_str().unwrap_or_default();
    assert!(section.contains("&lt;ERP&gt; &amp; co"), "{section}");
    insta::assert_snapshot!("slack_one", pretty(&body));
    insta::assert_snapshot!("slack_several", pretty(&slack_body(&several())));
}

#[test]
fn command_hook_environment() {
    let a = &one().alerts[0];
    let env: std::collections::BTreeMap<_, _> = alert_env(a).into_iter().collect();
    assert_eq!(env["CPITOP_ALERT_MONITOR"], "orders-failing");
    assert_eq!(env["CPITOP_ALERT_NAME"], "Orders failing");
    assert_eq!(env["CPITOP_ALERT_STATUS"], "error");
    assert_eq!(env["CPITOP_ALERT_PREVIOUS_STATUS"], "ok");
    assert_eq!(env["CPITOP_ALERT_TENANT"], "prod");
    assert_eq!(env["CPITOP_ALERT_TIME"], "2025-11-24T16:00:00Z");
    assert_eq!(env["CPITOP_ALERT_TIME_MS"], T0.to_string());
    assert!(env["CPITOP_ALERT_TEXT"].starts_with("3 FAILED in 15m"));
    let json: serde_json::Value = serde_json::from_str(&env["CPITOP_ALERT_JSON"]).expect("json");
    assert_eq!(json["monitor"], "orders-failing");
    let ev: serde_json::Value = serde_json::from_str(&env["CPITOP_ALERT_EVIDENCE"]).expect("json");
    assert_eq!(ev[0]["kind"], "message");
}

#[tokio::test]
async fn command_hook_runs_with_the_alert_and_reports_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("env.txt");
    let hook = CommandHook {
        program: "sh".into(),
        args: vec![
            "-c".into(),
            "env | grep '^CPITOP_ALERT_' | sort > \"$0\"".into(),
            out.display().to_string(),
        ],
        timeout: HumanDuration::from_secs(10),
    };
    let a = &one().alerts[0];
    run_command(&hook, a).await.expect("hook runs");
    let text = std::fs::read_to_string(&out).expect("hook wrote its environment");
    assert!(text.contains("CPITOP_ALERT_STATUS=error\n"), "{text}");
    assert!(text.contains("CPITOP_ALERT_PREVIOUS_STATUS=ok\n"), "{text}");
    assert!(text.contains("CPITOP_ALERT_TENANT=prod\n"), "{text}");

    let failing = CommandHook {
        program: "sh".into(),
        args: vec!["-c".into(), "echo 'pager down' >&2; exit 3".into()],
        timeout: HumanDuration::from_secs(10),
    };
    let e = run_command(&failing, a).await.expect_err("fails");
    assert!(matches!(e, DeliveryError::Command { .. }));
    assert!(e.to_string().contains("pager down"), "{e}");

    let slow = CommandHook {
        program: "sleep".into(),
        args: vec!["5".into()],
        timeout: "200ms".parse().expect("duration"),
    };
    let started = std::time::Instant::now();
    let e = run_command(&slow, a).await.expect_err("times out");
    assert!(e.to_string().contains("killed after 200ms"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));

    let missing = CommandHook {
        program: "/nonexistent/cpitop-hook".into(),
        args: vec![],
        timeout: HumanDuration::from_secs(1),
    };
    let e = run_command(&missing, a).await.expect_err("missing program");
    assert!(e.to_string().contains("could not start"), "{e}");
}
