//! One request to the handler of its entity set: authentication (token endpoint, Basic or
//! Bearer, CSRF for writes), faults, then the resource's `route`.

use bytes::Bytes;
use http::{Method, StatusCode};
use percent_encoding::percent_decode_str;

use super::json::Json;
use super::query;
use super::resp::{Resp, bad_request, odata_error};
use super::routing::{Ctx, parse_path};
use super::world::{Sim, World};
use super::{artifacts, auth, jms, keystore, mpl_routes};

fn is_write(m: &Method) -> bool {
    !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS")
}

pub fn dispatch(sim: &Sim, parts: &http::request::Parts, body: &Bytes) -> Resp {
    let raw_path = parts.uri.path();
    let now = sim.now();
    if raw_path == "/oauth/token" {
        let mut w = sim.world();
        return auth::token_endpoint(
            &mut w.auth,
            &sim.creds,
            &parts.method,
            &parts.headers,
            body,
            now,
            sim.cfg.token_lifetime.as_secs(),
        );
    }
    let Some(rest) = raw_path.strip_prefix("/api/v1") else {
        return Resp::text(
            StatusCode::NOT_FOUND,
            format!("No service at {raw_path}; the API root is /api/v1"),
        );
    };
    let decoded = percent_decode_str(rest).decode_utf8_lossy().into_owned();
    let mut w = sim.world();
    if let Err(r) = auth::check(&mut w.auth, &sim.creds, &parts.headers, now) {
        return r;
    }
    let mut method = parts.method.clone();
    if method.as_str() == "MERGE" {
        return odata_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            "The HTTP method MERGE is not allowed; send POST with the header X-HTTP-Method: MERGE.",
        );
    }
    if method == Method::POST
        && let Some(tunnel) = parts.headers.get("x-http-method").and_then(|v| v.to_str().ok())
    {
        match Method::from_bytes(tunnel.trim().to_ascii_uppercase().as_bytes()) {
            Ok(m) => method = m,
            Err(_) => return bad_request(&format!("invalid X-HTTP-Method '{tunnel}'")),
        }
    }
    if is_write(&method)
        && sim.cfg.require_csrf
        && let Err(r) = auth::check_csrf(&w.auth, &parts.headers)
    {
        return r;
    }
    let q = match query::parse(parts.uri.query()) {
        Ok(q) => q,
        Err(e) => return bad_request(&e),
    };
    let segs = match parse_path(&decoded) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let last = segs.last().map(|s| s.name.as_str()).unwrap_or("");
    let first = segs.first().map(|s| s.name.as_str()).unwrap_or("");
    if first == "KeystoreEntries" && q.format_json.is_some() {
        // The Security Content API rejects `$format` (docs/cpi-api.md, "Conventions", uncertain) and needs Accept.
        // Its errors come with `@lang`/`#text` (docs/sim.md, "Error replies"), unless clean.
        return super::resp::error_shaped(
            StatusCode::BAD_REQUEST,
            if sim.cfg.clean {
                super::resp::ErrorShape::Wrapped
            } else {
                super::resp::ErrorShape::LangText
            },
            "Bad Request",
            Some(
                "The system query option $format is not supported for KeystoreEntries; send Accept: application/json.",
            ),
        );
    }
    // JSON only when asked (`Accept: application/json` or `$format=json`). Real tenants answer
    // Atom/XML otherwise; the sim speaks JSON only and says so with 406 instead.
    if method == Method::GET && last != "$value" && last != "$count" && !segs.is_empty() {
        let accept = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let json = q.format_json.unwrap_or(false) || accept.contains("application/json");
        if !json {
            return odata_error(
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable",
                "The simulated tenant answers only JSON: send 'Accept: application/json' or '$format=json' (a real tenant would answer Atom/XML).",
            );
        }
    }
    let ctx = Ctx {
        api: &sim.api,
        path: rest.to_string(),
        method,
        headers: &parts.headers,
        q,
        body,
        now,
        cfg: &sim.cfg,
    };
    let w: &mut World = &mut w;
    if segs.is_empty() {
        let resp = service_document(&ctx);
        return auth::maybe_issue_csrf(&mut w.auth, &parts.headers, resp);
    }
    let resp = match first {
        "IntegrationRuntimeArtifacts"
        | "DeployIntegrationDesigntimeArtifact"
        | "BuildAndDeployStatus"
        | "IntegrationPackages"
        | "IntegrationDesigntimeArtifacts" => artifacts::route(&ctx, w, &segs),
        "MessageProcessingLogs"
        | "MessageProcessingLogRuns"
        | "MessageProcessingLogAttachments"
        | "MessageStoreEntries" => mpl_routes::route(&ctx, w, &segs),
        "JmsBrokers"
        | "Queues"
        | "JmsMessages"
        | "MessagingQueues"
        | "MessagingMessages"
        | "RetryMessagingMessages"
        | "MoveMessagingMessages" => jms::route(&ctx, w, &segs),
        "KeystoreEntries" => keystore::route(&ctx, w, &segs),
        _ => odata_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Resource not found for the segment '{first}'."),
        ),
    };
    if ctx.method == Method::GET {
        auth::maybe_issue_csrf(&mut w.auth, &parts.headers, resp)
    } else {
        resp
    }
}

const ENTITY_SETS: &[&str] = &[
    "IntegrationRuntimeArtifacts",
    "IntegrationPackages",
    "IntegrationDesigntimeArtifacts",
    "MessageProcessingLogs",
    "JmsBrokers",
    "Queues",
    "JmsMessages",
    "MessagingQueues",
    "MessagingMessages",
    "KeystoreEntries",
];

fn service_document(_ctx: &Ctx) -> Resp {
    let mut j = Json::default();
    j.obj().key("d").obj().key("EntitySets").arr();
    for s in ENTITY_SETS {
        j.str(s);
    }
    j.end_arr().end_obj().end_obj();
    Resp::json_ok(j)
}
