//! iFlow → package: which package each design-time artifact belongs to (package scopes of the
//! monitors).

use std::collections::HashMap;

use futures_util::StreamExt as _;
use futures_util::future::{BoxFuture, FutureExt as _};

use crate::cpi::{CpiClient, CpiError};

/// Artifact id → package id, from every package's design-time artifacts. All or nothing: a
/// partial map would put artifacts out of their package's scope.
pub async fn of_artifacts(client: &CpiClient) -> Result<HashMap<String, String>, CpiError> {
    let packages = client.packages().await?;
    // Boxed futures collected first: a closure or a borrowing `async` block inside the stream's
    // type makes the whole future not `Send` for every lifetime (rust-lang/rust#102211).
    let calls: Vec<BoxFuture<'_, _>> = packages
        .iter()
        .map(|p| client.designtime_artifacts(&p.id).boxed())
        .collect();
    let lists: Vec<_> = futures_util::stream::iter(calls)
        .buffer_unordered(super::PARALLEL)
        .collect()
        .await;
    let mut map = HashMap::new();
    for list in lists {
        for a in list? {
            map.insert(a.id, a.package_id);
        }
    }
    Ok(map)
}
