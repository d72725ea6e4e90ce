//! The live event stream of `/events`: the JSON events of `cpitop watch` (a monitor's
//! `transition`, a newly failed message's `message_failed` with its error signature, each exactly
//! the line `watch` prints)
//! plus `tenant` (reachability changed), `state` (sent first: where every tenant and monitor
//! stands) and `dropped` (this client lost events).
//!
//! Publishing never waits for a client: events go into one ring of the last
//! `[serve.events] queue` events (a `tokio::sync::broadcast` channel); each client reads at its
//! own pace from its own position in it. Drop policy: a client that falls more than `queue`
//! events behind loses the oldest ones it has not read and is told so with
//! `{"event":"dropped","count":N}` before the next event it gets; a client whose connection
//! accepts nothing for `write_timeout` is disconnected (counted). Events are delivered to every
//! client in the order they were published.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::json;
use tokio::sync::broadcast;

use super::metrics::ProcessStats;
use super::state::TenantState;
use crate::cpi::odata::EpochMs;
use crate::monitor::notify::format::rfc3339;
use crate::monitor::{EventSignature, MessageRef, Transition, WatchEvent};

/// One event, already rendered: one line of JSON without the newline.
pub type Line = Arc<str>;

/// Where events are published; cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    tx: broadcast::Sender<Line>,
    process: Arc<ProcessStats>,
}

impl Hub {
    /// A hub whose clients may be `queue` events behind before they lose the oldest.
    pub fn new(queue: usize, process: Arc<ProcessStats>) -> Self {
        let (tx, _) = broadcast::channel(queue.max(1));
        Self { tx, process }
    }

    /// Publish one rendered event (never waits; without clients it goes nowhere).
    pub fn publish(&self, line: Line) {
        let _ = self.tx.send(line);
    }

    pub fn transition(&self, t: &Transition) {
        self.publish(render_watch(&WatchEvent::transition(t)));
    }

    /// A newly failed message, with its error signature when its text was read (the line
    /// `watch` prints for it).
    pub fn message_failed(&self, tenant: &str, m: &MessageRef, signature: Option<EventSignature>) {
        self.publish(render_watch(
            &WatchEvent::message_failed(tenant, m).with_signature(signature),
        ));
    }

    pub fn reachability(&self, tenant: &str, reachable: bool, error: Option<&str>, now: EpochMs) {
        let mut v = json!({
            "event": "tenant",
            "tenant": tenant,
            "reachable": reachable,
            "time": rfc3339(now),
            "time_ms": now,
        });
        if let (Some(e), Some(obj)) = (error, v.as_object_mut()) {
            obj.insert("error".into(), json!(e));
        }
        self.publish(render(&v));
    }

    /// A new client's place in the stream (taken before the state snapshot is rendered, so no
    /// event between the two is missed; one may be seen twice).
    pub fn subscribe(&self) -> broadcast::Receiver<Line> {
        self.tx.subscribe()
    }

    pub fn process(&self) -> &Arc<ProcessStats> {
        &self.process
    }

    /// Count `n` events lost by a slow client.
    pub fn count_dropped(&self, n: u64) {
        self.process.events_dropped.fetch_add(n, Ordering::Relaxed);
    }
}

/// One `watch` event as the line `cpitop watch` prints (C1 and bidi controls escaped), without
/// the newline.
pub fn render_watch(ev: &WatchEvent) -> Line {
    let line = crate::headless::watch::event_line(ev);
    Arc::from(line.trim_end_matches('\n'))
}

/// Any event object as one line (controls in tenant text escaped as `watch` does).
pub fn render(v: &serde_json::Value) -> Line {
    let text = serde_json::to_string(v).unwrap_or_default();
    Arc::from(crate::sanitize::json(&text).as_ref())
}

/// The `dropped` event a lagging client gets.
pub fn dropped(count: u64) -> Line {
    render(&json!({
        "event": "dropped",
        "count": count,
        "policy": "the oldest events this client had not read were dropped",
    }))
}

/// The `state` event each client gets first: every tenant's reachability and monitors.
pub fn state(tenants: &[Arc<TenantState>], now: EpochMs) -> Line {
    let tenants: Vec<serde_json::Value> = tenants
        .iter()
        .map(|t| {
            let h = t.read();
            let monitors: Vec<serde_json::Value> = h
                .monitors
                .iter()
                .map(|(key, name, status)| json!({ "monitor": &**key, "name": name, "status": status }))
                .collect();
            json!({
                "tenant": &*t.name,
                "reachable": h.reachable,
                "last_success": h.health.last_success.map(rfc3339),
                "last_error": h.health.last_error,
                "monitors": monitors,
            })
        })
        .collect();
    render(&json!({
        "event": "state",
        "tenants": tenants,
        "time": rfc3339(now),
        "time_ms": now,
    }))
}

/// What a client's pump does with the next thing from its receiver.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Send(Line),
    /// The hub is gone (shutting down).
    Closed,
}

/// The next line for a client: an event, or a `dropped` notice when it lagged (counted).
pub async fn next(rx: &mut broadcast::Receiver<Line>, hub: &Hub) -> Next {
    match rx.recv().await {
        Ok(line) => Next::Send(line),
        Err(broadcast::error::RecvError::Lagged(n)) => {
            hub.count_dropped(n);
            Next::Send(dropped(n))
        }
        Err(broadcast::error::RecvError::Closed) => Next::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lagging_client_is_told_what_it_lost_and_resumes_in_order() {
        let hub = Hub::new(4, Arc::new(ProcessStats::default()));
        let mut rx = hub.subscribe();
        for i in 0..10 {
            hub.publish(Arc::from(format!("{{\"n\":{i}}}")));
        }
        let first = next(&mut rx, &hub).await;
        assert_eq!(first, Next::Send(dropped(6)));
        let rest: Vec<Next> = vec![
            next(&mut rx, &hub).await,
            next(&mut rx, &hub).await,
            next(&mut rx, &hub).await,
            next(&mut rx, &hub).await,
        ];
        let want: Vec<Next> = (6..10)
            .map(|i| Next::Send(Arc::from(format!("{{\"n\":{i}}}"))))
            .collect();
        assert_eq!(rest, want);
        assert_eq!(hub.process().events_dropped.load(Ordering::Relaxed), 6);
    }
}
