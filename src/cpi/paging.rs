//! Following `__next` links: absolute (the usual form) or relative (reported once by a user of a
//! real tenant; uncertain) — relative links resolve against the service root. Every link passes
//! `Transport::reply_link` first: one outside the tenant's origin or service root is an error
//! and is not requested (the request would carry the bearer token).

use serde::de::DeserializeOwned;

use super::error::CpiError;
use super::http::{BodyKind, Req, Transport};
use super::odata::Collection;

/// Stop after this many pages: a tenant that keeps sending the same `__next` must not loop forever.
const MAX_PAGES: usize = 100_000;

/// Every row of a collection, following `__next` until the last page.
pub(crate) async fn get_all<T: DeserializeOwned>(t: &Transport, first: String) -> Result<Vec<T>, CpiError> {
    let mut out = Vec::new();
    let mut url = first;
    for _ in 0..MAX_PAGES {
        let reply = t.send(&Req::get(url.clone()).kind(BodyKind::Page)).await?;
        let page: Collection<T> = reply.json()?;
        out.extend(page.d.results);
        match page.d.next.filter(|n| !n.trim().is_empty()) {
            Some(next) => {
                let resolved = t.reply_link(&next, &reply.endpoint)?;
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
        .send(
            &Req::get(url)
                .accept("text/plain, application/json;q=0.5, */*;q=0.1")
                .kind(BodyKind::Text),
        )
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
