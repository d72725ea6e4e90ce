//! The newest messages of a window, only as many as asked: `cpitop get messages --limit N`
//! reads N rows (and a little more), not the window (24 h of a busy tenant: millions of rows).
//!
//! Pages are read newest first — `$filter=<user filters> and LogEnd ge A [and LogEnd lt B] and
//! LogEnd le C&$orderby=LogEnd desc&$top=T&$select=<lean>` — starting at the window's end, each
//! next page at or before the oldest `LogEnd` of the one before (`le`: the rows sharing that
//! millisecond are read again, harmless since the store upserts by `MessageGuid`, and none is
//! missed). A page that does not fill its `$top` ends the window. After a page, every message
//! of the window with a `LogEnd` *after* the page's oldest has been handed over, so the caller
//! can tell when its first N rows (after its own filters) are final: it asks for no more then.
//!
//! The messages in flight sort above every ended message (their time is the listing's), so
//! the in-flight listing (`mpl_window`, "In-flight messages") goes with the first page, when
//! the query wants it — the same bounded request a window load sends.
//!
//! A full page within one millisecond (more than `$top` messages ended in it, in practice
//! never) would not move `le`: the same listing continues by `$skip` until it leaves that
//! millisecond.

use bytes::Bytes;

use super::client::CpiClient;
use super::error::CpiError;
use super::http::{BodyKind, Req};
use super::mpl_row::{DecodedMplPage, InFlightPage, MPL_LIST_SELECT};
use super::mpl_window::{MplDecoder, MplQuery};
use super::odata::{EpochMs, datetime_literal};
use super::query::url;

/// What a read of the newest messages cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewestOutcome {
    /// Pages of ended messages, and the rows they held.
    pub pages: u64,
    pub rows: u64,
    /// Messages the in-flight listing returned (`None`: not listed).
    pub in_flight: Option<u64>,
    /// The whole window was read (no page was left unasked).
    pub exhausted: bool,
}

/// One page as read: the decoded rows, how many, the oldest `LogEnd` among them, and whether it
/// filled its `$top` (else the window is exhausted below the cursor).
struct Page<D> {
    decoded: D,
    rows: usize,
    oldest: Option<EpochMs>,
    full: bool,
}

impl CpiClient {
    /// The newest messages of `query`'s window, newest first, page by page into `sink`, until
    /// `enough(complete_after)` says the caller has what it needs or the window is exhausted.
    /// `complete_after`: every message of the window whose `LogEnd` is after it has been handed
    /// to `sink` (and every message in flight, when the query wants those). `top`: rows asked of
    /// the first page (at most 1000); later pages ask for twice as many, up to the page size.
    pub async fn fetch_mpl_newest<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        top: u32,
        decoder: MplDecoder<D>,
        mut sink: impl FnMut(D),
        mut enough: impl FnMut(EpochMs) -> bool,
    ) -> Result<NewestOutcome, CpiError> {
        let max_top = self.mpl_options().page_size.clamp(1, 1000);
        let mut top = top.clamp(1, max_top);
        let mut q = self.in_dialect(query);
        let first = match self.newest_page(&q, None, top, 0, &decoder).await {
            Err(e) if self.refused_substringof(&q, &e) => {
                q = self.in_dialect(query);
                self.newest_page(&q, None, top, 0, &decoder).await?
            }
            r => r?,
        };
        let mut out = NewestOutcome {
            pages: 1,
            rows: first.rows as u64,
            ..NewestOutcome::default()
        };
        // The messages in flight sort first: they go with the first page.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<D>(2);
        let listed = self.fetch_in_flight(&q, &decoder, &tx).await?;
        drop(tx);
        out.in_flight = listed.map(|r| r.rows);
        let (mut oldest, mut full) = (first.oldest, first.full);
        sink(first.decoded);
        while let Some(page) = rx.recv().await {
            sink(page);
        }
        loop {
            let Some(o) = oldest.filter(|_| full) else {
                out.exhausted = true;
                return Ok(out);
            };
            if enough(o) {
                return Ok(out);
            }
            top = top.saturating_mul(2).min(max_top);
            let mut page = self.newest_page(&q, Some(o), top, 0, &decoder).await?;
            out.pages += 1;
            out.rows += page.rows as u64;
            // A full page within millisecond `o` would not move the cursor: the same listing
            // by offset until it leaves that millisecond.
            let mut skip = u64::from(top);
            while page.full && page.oldest == Some(o) {
                sink(page.decoded);
                page = self.newest_page(&q, Some(o), top, skip, &decoder).await?;
                out.pages += 1;
                out.rows += page.rows as u64;
                skip += u64::from(top);
            }
            (oldest, full) = (page.oldest, page.full);
            sink(page.decoded);
        }
    }

    /// One page of `query`'s window newest first: `LogEnd` at or before `at_most`, `$top` rows
    /// after `skip`.
    async fn newest_page<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        at_most: Option<EpochMs>,
        top: u32,
        skip: u64,
        decoder: &MplDecoder<D>,
    ) -> Result<Page<D>, CpiError> {
        let t = self.t();
        let mut filter: Vec<String> = query.filter(query.from, query.to).into_iter().collect();
        if let Some(m) = at_most {
            filter.push(format!("LogEnd le {}", datetime_literal(m)));
        }
        let mut opts: Vec<(&str, String)> = Vec::with_capacity(5);
        if !filter.is_empty() {
            opts.push(("$filter", filter.join(" and ")));
        }
        opts.push(("$orderby", "LogEnd desc".into()));
        opts.push(("$top", top.to_string()));
        if skip > 0 {
            opts.push(("$skip", skip.to_string()));
        }
        opts.push(("$select", MPL_LIST_SELECT.into()));
        let requested = self.server_now();
        let reply = t
            .send(&Req::get(url(&t.root, "MessageProcessingLogs", &opts)).kind(BodyKind::Page))
            .await?;
        let endpoint = reply.endpoint;
        let body: Bytes = reply.body;
        let mut decoded = super::mpl_window::decode_page(t, decoder, &endpoint, body).await?;
        let rows = decoded.row_count();
        let mut oldest: Option<EpochMs> = None;
        decoded.for_each_key(&mut |_, end| oldest = Some(oldest.map_or(end, |o| o.min(end))));
        // A row without a `LogEnd` in a range page is in flight as of this request.
        decoded.observed(requested, InFlightPage::No);
        Ok(Page {
            decoded,
            rows,
            oldest,
            full: rows >= top as usize,
        })
    }
}
