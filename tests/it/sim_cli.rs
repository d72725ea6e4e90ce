//! `cpitop sim` runs standalone, prints where it listens and the demo credentials, and serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn cpitop_sim_prints_url_and_credentials_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cpitop"))
        .args([
            "sim",
            "--port",
            "0",
            "--seed",
            "3",
            "--history-hours",
            "0.2",
            "--fault",
            "latency:1,count=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cpitop sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut field = |name: &str| -> String {
        for line in lines.by_ref() {
            let line = line.expect("line");
            if let Some(v) = line.trim().strip_prefix(name) {
                return v.trim().to_string();
            }
        }
        panic!("cpitop sim did not print '{name}'");
    };
    let base = field("service url:");
    let token_url = field("token url:");
    let id = field("client id:");
    let secret = field("client secret:");
    let result = std::panic::catch_unwind(|| {
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        assert_eq!(token_url, format!("{base}/oauth/token"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let c = reqwest::Client::new();
            let r = c
                .post(&token_url)
                .basic_auth(&id, Some(&secret))
                .body("grant_type=client_credentials")
                .send()
                .await
                .expect("token");
            assert_eq!(r.status().as_u16(), 200);
            let v: serde_json::Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
            let tok = v["access_token"].as_str().expect("token").to_string();
            let r = c
                .get(format!("{base}/api/v1/IntegrationRuntimeArtifacts/$count"))
                .bearer_auth(&tok)
                .send()
                .await
                .expect("count");
            assert_eq!(r.status().as_u16(), 200);
            assert!(r.text().await.expect("body").parse::<usize>().expect("n") >= 60);
        });
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
