//! Webhook receivers on loopback for the notification tests. Bind 127.0.0.1 on a free port; stop
//! with the test's runtime.
#![allow(dead_code)] // each test binary uses part of it

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, body::Incoming, service::service_fn};
use hyper_util::rt::TokioIo;

/// One request as the receiver saw it.
pub struct Hit {
    pub method: hyper::Method,
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// Serve every request with `answer` (status and body of the reply).
pub async fn serve<F>(answer: F) -> SocketAddr
where
    F: Fn(Hit) -> (u16, String) + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let answer = answer.clone();
                    async move {
                        let method = req.method().clone();
                        let path = req.uri().path().to_string();
                        let query = req.uri().query().unwrap_or("").to_string();
                        let content_type = req
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let (status, reply) = answer(Hit {
                            method,
                            path,
                            query,
                            content_type,
                            body,
                        });
                        Ok::<_, Infallible>(
                            Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::from(reply)))
                                .expect("response"),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

/// A hook that answers 200 to everything: its URL and every POSTed body, parsed as JSON (`null`
/// if it is not), in arrival order.
pub async fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let log: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let shared = log.clone();
    let addr = serve(move |hit| {
        let body = serde_json::from_slice(&hit.body).unwrap_or(serde_json::Value::Null);
        shared.lock().expect("lock").push(body);
        (200, "ok".to_string())
    })
    .await;
    (format!("http://{addr}/hook"), log)
}
