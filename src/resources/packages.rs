//! iFlow → package: which package each design-time artifact of the scoped packages belongs to
//! (package scopes of the monitors; message rows tell the package of every iFlow that logged).

use futures_util::StreamExt as _;
use futures_util::future::{BoxFuture, FutureExt as _};

use crate::cpi::{CpiClient, CpiError};
use crate::monitor::PackageMap;

/// The design-time artifacts of the scoped packages (`ids`), one call per package — only what
/// message rows cannot tell (their `IntegrationArtifact/PackageId` names the package of every
/// iFlow that logged). Degrades per package: a package whose listing fails is named in
/// `PackageMap::failed` and the others are still known. `Err` only when none answered and the
/// tenant did not answer at all (a timeout, 5xx), so that reachability is not misjudged.
pub async fn of_scoped(client: &CpiClient, ids: &[String]) -> Result<PackageMap, CpiError> {
    // Boxed futures collected first: a closure or a borrowing `async` block inside the stream's
    // type makes the whole future not `Send` for every lifetime (rust-lang/rust#102211).
    let calls: Vec<BoxFuture<'_, _>> = ids
        .iter()
        .map(|p| async move { (p.clone(), client.designtime_artifacts(p).await) }.boxed())
        .collect();
    let lists: Vec<_> = futures_util::stream::iter(calls)
        .buffer_unordered(super::PARALLEL)
        .collect()
        .await;
    let mut map = PackageMap::default();
    let mut silent: Option<CpiError> = None;
    for (pkg, list) in lists {
        match list {
            Ok(arts) => {
                for a in arts {
                    map.artifacts.insert(a.id, pkg.clone());
                }
                map.listed.insert(pkg);
            }
            Err(e) => {
                tracing::warn!(package = %pkg, error = %e, "design-time artifacts of a package not read");
                if !super::tenant_answered(&e) {
                    silent.get_or_insert(e.clone());
                }
                map.failed.insert(pkg, e.to_string());
            }
        }
    }
    match silent {
        Some(e) if map.listed.is_empty() && map.failed.len() == ids.len() => Err(e),
        _ => Ok(map),
    }
}
