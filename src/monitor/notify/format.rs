//! Notification bodies: cpitop's generic JSON, Microsoft Teams (Adaptive Card, as accepted by
//! Teams Workflows webhooks) and Slack (`text` + Block Kit blocks). Pure; snapshot-tested.

use chrono::{SecondsFormat, TimeZone, Utc};
use serde_json::{Value, json};

use super::config::WebhookFormat;
use super::dispatch::{Alert, Batch};
use crate::cpi::odata::EpochMs;
use crate::monitor::eval::{Evidence, Status};

/// Alerts listed in one chat message at most (Slack allows 50 blocks).
const MAX_LISTED: usize = 20;

/// RFC 3339 UTC, seconds precision: `2026-11-23T12:05:09Z`.
pub fn rfc3339(ms: EpochMs) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// `ERROR`, `WARNING`, `OK`, `UNKNOWN`.
pub fn label(s: Status) -> &'static str {
    match s {
        Status::Error => "ERROR",
        Status::Warning => "WARNING",
        Status::Ok => "OK",
        Status::NotCalculated => "UNKNOWN",
    }
}

/// One line for a whole batch.
pub fn summary(batch: &Batch) -> String {
    match batch.alerts.as_slice() {
        [a] => format!("{} {} / {}: {}", label(a.status), a.tenant, a.name, a.text),
        alerts => {
            let mut counts: Vec<String> = Vec::new();
            for s in [Status::Error, Status::Warning, Status::Ok] {
                let n = alerts.iter().filter(|a| a.status == s).count();
                if n > 0 {
                    counts.push(format!("{n} {}", s.as_str()));
                }
            }
            let mut tenants: Vec<&str> = alerts.iter().map(|a| a.tenant.as_str()).collect();
            tenants.dedup();
            format!(
                "{} cpitop alerts on {}: {}",
                alerts.len(),
                tenants.join(", "),
                counts.join(", ")
            )
        }
    }
}

fn worst(batch: &Batch) -> Status {
    batch.alerts.iter().map(|a| a.status).max().unwrap_or(Status::Ok)
}

/// The body for a webhook of the given format.
pub fn body(format: WebhookFormat, batch: &Batch) -> Value {
    match format {
        WebhookFormat::Generic => generic_body(batch),
        WebhookFormat::Teams => teams_body(batch),
        WebhookFormat::Slack => slack_body(batch),
    }
}

/// cpitop's own JSON: every field of every alert, machine-readable.
pub fn generic_body(batch: &Batch) -> Value {
    json!({
        "source": "cpitop",
        "summary": summary(batch),
        "status": worst(batch),
        "sent_at": rfc3339(batch.sent_at),
        "alerts": batch.alerts.iter().map(alert_json).collect::<Vec<_>>(),
    })
}

/// One alert as JSON (also used by the command hook's `CPITOP_ALERT_JSON`).
pub fn alert_json(a: &Alert) -> Value {
    json!({
        "tenant": a.tenant,
        "monitor": a.monitor,
        "name": a.name,
        "status": a.status,
        "previous_status": a.previous,
        "text": a.text,
        "time": rfc3339(a.at),
        "evidence": a.evidence,
    })
}

fn teams_color(s: Status) -> &'static str {
    match s {
        Status::Error => "Attention",
        Status::Warning => "Warning",
        Status::Ok => "Good",
        Status::NotCalculated => "Default",
    }
}

/// Microsoft Teams: a `message` with one Adaptive Card (what a Teams Workflows "post to a
/// channel when a webhook request is received" flow accepts).
pub fn teams_body(batch: &Batch) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock",
        "size": "Medium",
        "weight": "Bolder",
        "wrap": true,
        "color": teams_color(worst(batch)),
        "text": summary(batch),
    })];
    for a in batch.alerts.iter().take(MAX_LISTED) {
        let mut facts = vec![
            json!({"title": "Tenant", "value": a.tenant}),
            json!({"title": "Monitor", "value": a.monitor}),
            json!({"title": "Status", "value": format!("{} (was {})", label(a.status), label(a.previous))}),
            json!({"title": "Since", "value": rfc3339(a.at)}),
        ];
        if !a.evidence.is_empty() {
            let list: Vec<String> = a.evidence.iter().take(5).map(Evidence::label).collect();
            facts.push(json!({"title": "Evidence", "value": list.join(", ")}));
        }
        body.push(json!({
            "type": "Container",
            "separator": true,
            "items": [
                {"type": "TextBlock", "weight": "Bolder", "wrap": true, "color": teams_color(a.status),
                 "text": format!("{} {}", label(a.status), a.name)},
                {"type": "TextBlock", "wrap": true, "spacing": "None", "text": a.text},
                {"type": "FactSet", "facts": facts},
            ],
        }));
    }
    if batch.alerts.len() > MAX_LISTED {
        body.push(json!({"type": "TextBlock", "isSubtle": true, "wrap": true,
            "text": format!("and {} more", batch.alerts.len() - MAX_LISTED)}));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body,
            },
        }],
    })
}

/// Slack mrkdwn needs `&`, `<`, `>` escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    }
}

/// Slack incoming webhook: `text` (notification fallback) plus blocks.
pub fn slack_body(batch: &Batch) -> Value {
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(&summary(batch), 150)},
    })];
    for a in batch.alerts.iter().take(MAX_LISTED) {
        let mut text = format!(
            "*{}* {} / *{}* (was {})\n{}",
            label(a.status),
            slack_escape(&a.tenant),
            slack_escape(&a.name),
            label(a.previous).to_lowercase(),
            slack_escape(&a.text)
        );
        if !a.evidence.is_empty() {
            let list: Vec<String> = a.evidence.iter().take(5).map(Evidence::label).collect();
            text.push_str(&format!("\n_Evidence:_ {}", slack_escape(&list.join(", "))));
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate(&text, 3000)}}));
    }
    if batch.alerts.len() > MAX_LISTED {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn",
            "text": format!("and {} more", batch.alerts.len() - MAX_LISTED)}}));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!("cpitop · {}", rfc3339(batch.sent_at))}],
    }));
    // `text` is the notification fallback; Slack parses it as mrkdwn too.
    json!({"text": slack_escape(&summary(batch)), "blocks": blocks})
}
