//! `cpitop serve`'s `/events`: a WebSocket client gets the current state first, then a failed
//! message (with its error signature, as `watch` reports it) and an iFlow stop triggered through
//! the sim's admin API, in order, and the tenant's
//! reachability; a plain HTTP client gets the same events as Server-Sent Events in the same
//! order; a client that does not read cannot stall the server (it loses the oldest events, is told
//! so, and is disconnected when it takes nothing for the write timeout).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_tungstenite::tungstenite::Message;

use crate::serve_util::{self, FLOW, MONITORS, admin, fast_tenant, get, setup, sim, start};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON text event (pings and pongs skipped), failing after `secs`.
async fn next_event(ws: &mut Ws, secs: u64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let m = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no event within {secs}s"))
            .expect("stream open")
            .expect("frame");
        match m {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("event is JSON"),
            Message::Close(_) => panic!("closed"),
            _ => {}
        }
    }
}

/// Read events until one matches `pred`; every event read is appended to `seen`.
async fn wait_for(ws: &mut Ws, seen: &mut Vec<Value>, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        assert!(
            Instant::now() < deadline,
            "no matching event within {secs}s: {seen:#?}"
        );
        let ev = next_event(ws, left).await;
        seen.push(ev.clone());
        if pred(&ev) {
            return ev;
        }
    }
}

fn kind(ev: &Value) -> &str {
    ev["event"].as_str().unwrap_or("")
}

/// A raw HTTP/1.1 client reading `/events` as Server-Sent Events: the `data:` payloads.
struct Sse {
    stream: tokio::net::TcpStream,
    buf: String,
}

impl Sse {
    async fn connect(addr: std::net::SocketAddr) -> Self {
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .await
            .expect("request");
        Self {
            stream,
            buf: String::new(),
        }
    }

    /// The `data:` events read so far plus those arriving within `secs`, until `pred` matches one.
    async fn until(&mut self, secs: u64, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let events: Vec<Value> = self
                .buf
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .filter_map(|d| serde_json::from_str(d).ok())
                .collect();
            if events.iter().any(&pred) {
                return events;
            }
            let mut chunk = [0u8; 8192];
            let n = tokio::time::timeout_at(deadline, self.stream.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("SSE: no matching event within {secs}s; got {}", self.buf))
                .expect("read");
            assert!(n > 0, "SSE stream closed: {}", self.buf);
            self.buf.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_and_sse_stream_state_then_failure_stop_and_reachability_in_order() {
    let sim = sim().await;
    let handle = start(setup(vec![fast_tenant(&sim, "simtest")], MONITORS)).await;
    let addr = handle.addr;
    serve_util::until(20, "first polls", || {
        handle.fleet.tenants[0].read().first_polls_done()
    })
    .await;
    // Let the first evaluation settle (the stopped monitor starts ok: not news).
    tokio::time::sleep(Duration::from_millis(800)).await;

    let (mut ws, resp) = tokio_tungstenite::connect_async(format!("ws://{addr}/events"))
        .await
        .expect("WebSocket handshake");
    assert_eq!(resp.status().as_u16(), 101);
    let mut sse = Sse::connect(addr).await;

    let state = next_event(&mut ws, 10).await;
    assert_eq!(kind(&state), "state", "{state}");
    assert_eq!(state["tenants"][0]["tenant"], "simtest");
    assert_eq!(state["tenants"][0]["reachable"], true);
    let monitors: Vec<&str> = state["tenants"][0]["monitors"]
        .as_array()
        .expect("monitors")
        .iter()
        .filter_map(|m| m["monitor"].as_str())
        .collect();
    assert!(monitors.contains(&"stopped"), "{state}");

    // A failure, then a stop, through the sim's admin API.
    let mut seen = vec![state];
    admin(
        &sim,
        &format!("iflows/{FLOW}/fail-next"),
        r#"{"count":1,"error":"HTTP 500 from receiver ERP"}"#,
    )
    .await;
    admin(&sim, "clock/advance", r#"{"ms":60000}"#).await;
    let failed = wait_for(&mut ws, &mut seen, 30, |e| {
        kind(e) == "message_failed" && e["iflow"] == FLOW
    })
    .await;
    assert_eq!(failed["tenant"], "simtest");
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["error"], "HTTP 500 from receiver ERP");
    assert!(failed["guid"].as_str().is_some_and(|g| !g.is_empty()), "{failed}");
    assert!(failed["time_ms"].as_i64().is_some() && failed["time"].as_str().is_some());
    // Its error signature, as `watch` reports it: the key /metrics counts it under.
    let sig = &failed["signature"];
    let key = sig["key"].as_str().unwrap_or_default();
    assert!(
        key.len() == 16 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{failed}"
    );
    assert!(
        sig["template"]
            .as_str()
            .is_some_and(|t| t.contains("from receiver ERP")),
        "{failed}"
    );
    assert!(sig["new"].is_boolean(), "{failed}");
    let (_, metrics) = get(addr, "/metrics", &[]).await;
    assert!(
        serve_util::sample(
            &metrics,
            "cpitop_error_signature_messages",
            &["tenant=\"simtest\"", &format!("signature=\"{key}\"")]
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );

    admin(&sim, &format!("iflows/{FLOW}/stop"), "{}").await;
    let stopped = wait_for(&mut ws, &mut seen, 30, |e| {
        kind(e) == "transition" && e["monitor"] == "stopped"
    })
    .await;
    assert_eq!(stopped["to"], "error", "{stopped}");
    assert_eq!(stopped["from"], "ok", "{stopped}");
    let pos = |p: &dyn Fn(&Value) -> bool| seen.iter().position(p).expect("seen");
    assert!(
        pos(&|e| kind(e) == "message_failed" && e["iflow"] == FLOW)
            < pos(&|e| kind(e) == "transition" && e["monitor"] == "stopped"),
        "in order: {seen:#?}"
    );

    // Reachability: the tenant goes down and comes back.
    admin(&sim, "tenant/down", r#"{"mode":"unavailable"}"#).await;
    let down = wait_for(&mut ws, &mut seen, 30, |e| kind(e) == "tenant").await;
    assert_eq!(down["reachable"], false, "{down}");
    assert!(down["error"].as_str().is_some(), "{down}");
    admin(&sim, "tenant/up", "{}").await;
    let up = wait_for(&mut ws, &mut seen, 30, |e| kind(e) == "tenant").await;
    assert_eq!(up["reachable"], true, "{up}");

    // The SSE client got the same events, in the same order.
    let is_up = |e: &Value| kind(e) == "tenant" && e["reachable"] == true;
    let mut sse_events = sse.until(20, is_up).await;
    let last = sse_events.iter().position(is_up).expect("up event");
    sse_events.truncate(last + 1);
    let names = |v: &[Value]| -> Vec<String> {
        v.iter()
            .filter(|e| kind(e) != "state")
            .map(|e| {
                format!(
                    "{}:{}",
                    kind(e),
                    e["guid"].as_str().or(e["monitor"].as_str()).unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(kind(&sse_events[0]), "state");
    assert_eq!(names(&sse_events), names(&seen[1..]), "SSE saw: {sse_events:#?}");
    assert!(sse.buf.starts_with("HTTP/1.1 200"), "{}", sse.buf);
    assert!(
        sse.buf
            .to_ascii_lowercase()
            .contains("content-type: text/event-stream")
    );

    // Event clients are counted; a stop closes the WebSocket with a Close frame.
    let (_, metrics) = get(addr, "/metrics", &[]).await;
    assert_eq!(
        serve_util::sample(&metrics, "cpitop_events_clients", &[]),
        Some(2.0),
        "{metrics}"
    );
    handle.shutdown().await;
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                _ => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the WebSocket is closed at shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_cannot_stall_the_server() {
    let mut s = setup(Vec::new(), "");
    s.config.events.queue = 16;
    s.config.events.write_timeout = Duration::from_secs(5);
    let handle = start(s).await;
    let addr = handle.addr;

    // Client A never reads; client B reads only later.
    let (mut a, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/events"))
        .await
        .expect("A connects");
    let (mut b, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/events"))
        .await
        .expect("B connects");
    serve_util::until(5, "two clients", || {
        handle.fleet.process.events_clients.load(Ordering::Relaxed) == 2
    })
    .await;

    // 600 events of 64 KiB (~38 MiB) is far more than the sockets buffer: publishing never waits.
    let pad = "x".repeat(64 * 1024);
    let started = Instant::now();
    for n in 0..600 {
        handle.hub.publish(Arc::from(format!(
            "{{\"event\":\"test\",\"n\":{n},\"pad\":\"{pad}\"}}"
        )));
        if n % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let publishing = started.elapsed();
    assert!(
        publishing < Duration::from_secs(2),
        "publishing waited: {publishing:?}"
    );

    // The server answers at once meanwhile.
    let t = Instant::now();
    let (status, metrics) = get(addr, "/metrics", &[]).await;
    assert_eq!(status, 200);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "scrape took {:?}",
        t.elapsed()
    );
    assert_eq!(get(addr, "/healthz", &[]).await.0, 200);
    drop(metrics);

    // B now reads: the state, what its socket held, then `dropped` with the count, then the
    // newest events in order.
    let mut ns = Vec::new();
    let mut dropped = 0u64;
    loop {
        let ev = next_event(&mut b, 20).await;
        match kind(&ev) {
            "state" => {}
            "dropped" => dropped += ev["count"].as_u64().expect("count"),
            "test" => {
                let n = ev["n"].as_u64().expect("n");
                ns.push(n);
                if n == 599 {
                    break;
                }
            }
            other => panic!("unexpected event {other}"),
        }
    }
    assert!(dropped > 0, "B lagged and was told");
    assert!(ns.windows(2).all(|w| w[0] < w[1]), "in order: {ns:?}");
    assert_eq!(
        ns.len() as u64 + dropped,
        600,
        "every event delivered or counted as dropped"
    );
    assert!(handle.fleet.process.events_dropped.load(Ordering::Relaxed) >= dropped);

    // Events keep coming; B keeps reading, A still takes nothing: once A's socket is full and
    // nothing moves for the write timeout, A is disconnected and counted (B is not).
    let reader = tokio::spawn(async move { while let Some(Ok(_)) = b.next().await {} });
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut n = 600;
    while handle
        .fleet
        .process
        .events_slow_disconnects
        .load(Ordering::Relaxed)
        == 0
    {
        assert!(Instant::now() < deadline, "A was never disconnected as slow");
        for _ in 0..20 {
            handle.hub.publish(Arc::from(format!(
                "{{\"event\":\"test\",\"n\":{n},\"pad\":\"{pad}\"}}"
            )));
            n += 1;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        handle
            .fleet
            .process
            .events_slow_disconnects
            .load(Ordering::Relaxed),
        1
    );
    serve_util::until(5, "one client left", || {
        handle.fleet.process.events_clients.load(Ordering::Relaxed) == 1
    })
    .await;
    // A's connection is gone: reading what it buffered ends in an error or end of stream.
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(_)) = a.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "A's stream ends");
    let (_, metrics) = get(addr, "/metrics", &[]).await;
    assert_eq!(
        serve_util::sample(&metrics, "cpitop_events_slow_disconnects_total", &[]),
        Some(1.0),
        "{metrics}"
    );
    handle.shutdown().await;
    reader.abort();
}
