//! Following `__next` links: absolute (the usual form) or relative (reported once, U in
//! shared/cpi-api.md §1) — relative links resolve against the service root.

use serde::de::DeserializeOwned;

use super::error::CpiError;
use super::http::{Req, Transport};
use super::odata::Collection;

/// Stop after this many pages: a tenant that keeps sending the same `__next` must not loop forever.
const MAX_PAGES: usize = 100_000;

/// Resolve a `__next` link against the service root (`…/api/v1`).
pub(crate) fn resolve_next(root: &str, next: &str) -> Result<String, CpiError> {
    let next = next.trim();
    if next.starts_with("http://") || next.starts_with("https://") {
        return Ok(next.to_string());
    }
    let base = url::Url::parse(&format!("{root}/"))
        .map_err(|e| CpiError::Config(format!("service root {root}: {e}")))?;
    base.join(next)
        .map(String::from)
        .map_err(|e| CpiError::Malformed {
            endpoint: root.to_string(),
            detail: format!("unusable __next link {next:?}: {e}"),
        })
}

/// Every row of a collection, following `__next` until the last page.
pub(crate) async fn get_all<T: DeserializeOwned>(t: &Transport, first: String) -> Result<Vec<T>, CpiError> {
    let mut out = Vec::new();
    let mut url = first;
    for _ in 0..MAX_PAGES {
        let reply = t.send(&Req::get(url.clone())).await?;
        let page: Collection<T> = reply.json()?;
        out.extend(page.d.results);
        match page.d.next.filter(|n| !n.trim().is_empty()) {
            Some(next) => {
                let resolved = resolve_next(&t.root, &next)?;
                if resolved == url {
                    return Err(CpiError::Malformed {
                        endpoint: reply.endpoint,
                        detail: "the __next link points to the page itself".into(),
                    });
                }
                url = resolved;
            }
            None => return Ok(out),
        }
    }
    Err(CpiError::Malformed {
        endpoint: super::http::endpoint_of(&url),
        detail: format!("more than {MAX_PAGES} pages"),
    })
}

/// One entity: `{"d":{…}}`.
pub(crate) async fn get_one<T: DeserializeOwned>(t: &Transport, url: String) -> Result<T, CpiError> {
    let reply = t.send(&Req::get(url)).await?;
    let one: super::odata::Single<T> = reply.json()?;
    Ok(one.d)
}

/// `…/$count`: a plain integer (content type U), tolerated with whitespace or quotes.
pub(crate) async fn get_count(t: &Transport, url: String) -> Result<u64, CpiError> {
    let reply = t
        .send(&Req::get(url).accept("text/plain, application/json;q=0.5, */*;q=0.1"))
        .await?;
    let text = String::from_utf8_lossy(&reply.body);
    text.trim()
        .trim_matches('"')
        .parse::<u64>()
        .map_err(|_| CpiError::Malformed {
            endpoint: reply.endpoint.clone(),
            detail: format!(
                "expected a number, got {:?}",
                text.chars().take(60).collect::<String>()
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_absolute_and_relative() {
        let root = "https://t1.example.com/api/v1";
        assert_eq!(
            resolve_next(
                root,
                "https://t1.example.com:443/api/v1/MessageProcessingLogs?$skiptoken=1000"
            )
            .ok()
            .as_deref(),
            Some("https://t1.example.com:443/api/v1/MessageProcessingLogs?$skiptoken=1000")
        );
        assert_eq!(
            resolve_next(root, "MessageProcessingLogs?$skiptoken=1000")
                .ok()
                .as_deref(),
            Some("https://t1.example.com/api/v1/MessageProcessingLogs?$skiptoken=1000")
        );
        assert_eq!(
            resolve_next(root, "/api/v1/Queues?$skiptoken=2000")
                .ok()
                .as_deref(),
            Some("https://t1.example.com/api/v1/Queues?$skiptoken=2000")
        );
    }
}
