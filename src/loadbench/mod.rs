//! `cpitop load-bench` (hidden): the client half of `scripts/load_vs_curl.sh` (issue 7, the load
//! target). Loads one fixed MPL window from a tenant into the in-memory `MessageStore` exactly as
//! the TUI does (`CpiClient::fetch_mpl_window`: keyset pages with `$select`, decoded into
//! `MplBatch`es on the blocking pool, merged by the receiver), several times, and prints the
//! time of each load and the median.
//!
//! With `--curl-config FILE` it first makes one untimed load against the *simulated* tenant and
//! writes the page URLs that load requested — as the sim recorded them on the wire
//! (`/sim/admin/requests`), in request order — as a curl config file, so `curl --config FILE`
//! downloads the very same pages in sequence. The window is fixed (`from`/`to` computed once from
//! the tenant clock), so every load of the run requests the same URLs on a sim with `--rate 0`.
//!
//! Printing to stdout is this command's purpose; the client secret comes from an environment
//! variable, never from the command line, and is never printed.

pub mod tenant;
pub mod window;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use color_eyre::eyre::{WrapErr, bail, eyre};

use crate::cpi::conn::{Auth, Limits, TenantConn};
use crate::cpi::{CpiClient, MplQuery};
use crate::secret::Secret;
use crate::store::{MessageStore, StoreLimits};

#[derive(Debug, Clone, clap::Args)]
pub struct LoadBenchArgs {
    /// Service URL of the tenant (the sim prints it as `service url`).
    #[arg(long)]
    pub url: String,
    /// OAuth token URL.
    #[arg(long)]
    pub token_url: String,
    /// OAuth client id.
    #[arg(long)]
    pub client_id: String,
    /// Environment variable holding the OAuth client secret.
    #[arg(long, default_value = "CPITOP_BENCH_SECRET")]
    pub secret_env: String,
    /// The window: the last H hours before the tenant's clock at start, up to an hour after it
    /// (fixed for every run).
    #[arg(long, default_value_t = 25)]
    pub hours: u32,
    /// The window's start, epoch ms (instead of `--hours`; with `--to-ms`), to repeat the exact
    /// URLs of an earlier run.
    #[arg(long, requires = "to_ms")]
    pub from_ms: Option<i64>,
    /// The window's end, epoch ms (exclusive).
    #[arg(long, requires = "from_ms")]
    pub to_ms: Option<i64>,
    /// Timed loads after the untimed first one.
    #[arg(long, default_value_t = 5)]
    pub runs: u32,
    /// Write the first load's page URLs (recorded by the simulated tenant) as a curl config.
    #[arg(long, value_name = "FILE")]
    pub curl_config: Option<PathBuf>,
    /// Client rate limit (requests/s); the profile default is 10 (`Limits::default`).
    #[arg(long, default_value_t = 10_000.0)]
    pub rps: f64,
    /// Burst of the client's token bucket; the profile default is 20.
    #[arg(long, default_value_t = 10_000)]
    pub burst: u32,
    /// Requests in flight at once (the profile default is 4).
    #[arg(long, default_value_t = Limits::default().max_concurrency)]
    pub concurrency: usize,
}

/// One load into a fresh store.
#[derive(Debug, Clone, Copy)]
pub struct LoadRun {
    pub elapsed: Duration,
    pub held: usize,
    pub pages: u64,
    pub bytes: u64,
    pub requests: u64,
}

/// Load `query` into a fresh `MessageStore` (default limits, as the TUI) and time it until the
/// last page is merged.
pub async fn load_into_store(
    client: &CpiClient,
    query: &MplQuery,
) -> color_eyre::Result<(LoadRun, MessageStore)> {
    let before = client.stats().requests;
    let started = Instant::now();
    let mut store = MessageStore::new(StoreLimits::default());
    let (outcome, _) = crate::resources::messages::into_store(client, query, None, &mut store)
        .await
        .wrap_err("loading the message window failed")?;
    let run = LoadRun {
        elapsed: started.elapsed(),
        held: store.len(),
        pages: outcome.pages,
        bytes: outcome.bytes,
        requests: client.stats().requests - before,
    };
    Ok((run, store))
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The MPL page requests of a sim request log as absolute URLs, in order.
pub fn page_urls(base: &str, log: &[String]) -> Vec<String> {
    log.iter()
        .filter_map(|l| l.strip_prefix("GET "))
        .filter(|t| t.starts_with("/api/v1/MessageProcessingLogs?"))
        .map(|t| format!("{}{t}", base.trim_end_matches('/')))
        .collect()
}

/// A curl config that downloads `urls` in sequence, discarding the bodies. Quotes and
/// backslashes cannot occur in a request target as received (they would be percent-encoded),
/// but are escaped anyway.
pub fn curl_config(urls: &[String]) -> String {
    let mut out = String::with_capacity(urls.len() * 400);
    for u in urls {
        let u = u.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!("url = \"{u}\"\noutput = \"/dev/null\"\n"));
    }
    out
}

async fn sim_request_log(http: &reqwest::Client, base: &str, clear: bool) -> color_eyre::Result<Vec<String>> {
    let url = format!("{}/sim/admin/requests", base.trim_end_matches('/'));
    let req = if clear { http.delete(&url) } else { http.get(&url) };
    let resp = req
        .send()
        .await
        .wrap_err_with(|| format!("cannot reach the simulated tenant's admin endpoint {url}"))?;
    if !resp.status().is_success() {
        bail!(
            "{url} answered {}: --curl-config needs the simulated tenant (`cpitop sim`)",
            resp.status()
        );
    }
    if clear {
        return Ok(Vec::new());
    }
    let body = resp
        .bytes()
        .await
        .wrap_err("reading the sim request log failed")?;
    let v: serde_json::Value = serde_json::from_slice(&body).wrap_err("sim request log is not JSON")?;
    let list = v["requests"]
        .as_array()
        .ok_or_else(|| eyre!("sim request log has no `requests` list"))?;
    Ok(list
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect())
}

pub fn run_cli(args: LoadBenchArgs) -> color_eyre::Result<()> {
    let secret = std::env::var(&args.secret_env).map_err(|_| {
        eyre!(
            "set the OAuth client secret in ${} (never on the command line)",
            args.secret_env
        )
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let conn = TenantConn {
            name: "load-bench".into(),
            base_url: args.url.clone(),
            auth: Auth::OAuth {
                token_url: args.token_url.clone(),
                client_id: args.client_id.clone(),
                client_secret: Secret::new(secret),
            },
            limits: Limits {
                max_concurrency: args.concurrency.max(1),
                requests_per_second: args.rps,
                burst: args.burst.max(1),
                ..Limits::default()
            },
            ca_bundle: None,
        };
        let client = CpiClient::new(conn)?;
        // One cheap request fetches the token and corrects the clock by the tenant's `Date`.
        client
            .runtime_artifacts()
            .await
            .wrap_err("first request to the tenant failed")?;
        // A fixed window that also covers the next hour: with the sim's `--rate 0` nothing
        // arrives, and the few history messages that still complete (their LogEnd moves
        // forward) stay inside it, so every load holds the same messages with the same URLs.
        let now = client.server_now();
        let query = MplQuery {
            from: Some(args.from_ms.unwrap_or(now - i64::from(args.hours) * 3_600_000)),
            to: Some(args.to_ms.unwrap_or(now + 3_600_000)),
            ..MplQuery::default()
        };
        let http = reqwest::Client::new();
        if args.curl_config.is_some() {
            sim_request_log(&http, &args.url, true).await?;
        }
        let (first, _) = load_into_store(&client, &query).await?;
        println!(
            "load-bench: first (untimed) load: {} messages held, {} pages, {:.1} MiB, {:.1} ms",
            first.held,
            first.pages,
            first.bytes as f64 / 1_048_576.0,
            first.elapsed.as_secs_f64() * 1000.0
        );
        if let Some(path) = &args.curl_config {
            let log = sim_request_log(&http, &args.url, false).await?;
            let urls = page_urls(&args.url, &log);
            if urls.len() as u64 != first.pages {
                bail!(
                    "the sim recorded {} page requests but the load made {} (another client using the sim?)",
                    urls.len(),
                    first.pages
                );
            }
            std::fs::write(path, curl_config(&urls))
                .wrap_err_with(|| format!("cannot write {}", path.display()))?;
            println!("load-bench: {} page URLs written to {}", urls.len(), path.display());
        }
        let mut ms = Vec::new();
        for i in 1..=args.runs {
            let (run, store) = load_into_store(&client, &query).await?;
            // Nothing leaves this window; a history message may become visible (commit lag).
            if run.held < first.held {
                bail!("load {i} holds {} messages, the first load {}", run.held, first.held);
            }
            if run.pages != first.pages {
                println!(
                    "load-bench: note: load {i} made {} page requests, the first {} (messages moved)",
                    run.pages, first.pages
                );
            }
            println!(
                "load-bench: run {i}: {} messages held ({:.0} bytes/message in the store), {} pages, {} requests, {:.1} ms",
                run.held,
                store.heap_bytes() as f64 / run.held.max(1) as f64,
                run.pages,
                run.requests,
                run.elapsed.as_secs_f64() * 1000.0
            );
            ms.push(run.elapsed.as_secs_f64() * 1000.0);
        }
        println!(
            "load-bench: median_ms={:.1} runs={} held={} pages={} window_from={} window_to={}",
            median(ms),
            args.runs,
            first.held,
            first.pages,
            query.from.unwrap_or(0),
            query.to.unwrap_or(0)
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_config() {
        let log = vec![
            "POST /oauth/token".to_string(),
            "GET /api/v1/IntegrationRuntimeArtifacts".to_string(),
            "GET /api/v1/MessageProcessingLogs?$filter=LogEnd%20ge%20datetime'2026-01-01T00:00:00.000'&$top=1000".to_string(),
            "GET /api/v1/MessageProcessingLogs/$count".to_string(),
            "GET /api/v1/MessageProcessingLogs?$top=1000&$skip=1000".to_string(),
        ];
        let urls = page_urls("http://127.0.0.1:9/", &log);
        assert_eq!(
            urls,
            vec![
                "http://127.0.0.1:9/api/v1/MessageProcessingLogs?$filter=LogEnd%20ge%20datetime'2026-01-01T00:00:00.000'&$top=1000",
                "http://127.0.0.1:9/api/v1/MessageProcessingLogs?$top=1000&$skip=1000",
            ]
        );
        let cfg = curl_config(&urls[1..]);
        assert_eq!(
            cfg,
            "url = \"http://127.0.0.1:9/api/v1/MessageProcessingLogs?$top=1000&$skip=1000\"\noutput = \"/dev/null\"\n"
        );
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
