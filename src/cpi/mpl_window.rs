//! Loading MPL windows and deltas — without losing or duplicating a message while the tenant
//! keeps writing.
//!
//! # Why keyset paging on `LogEnd`
//!
//! The obvious way to read a window is `$orderby=LogEnd desc&$skip=0,1000,2000…`. Over a set that
//! changes while it is read, offsets drift: every message that arrives (or whose `LogEnd` moves
//! because its status changed) between two page requests shifts the rows below it, so a row is
//! read twice at a page boundary or, when a row leaves the part already read, another one slides
//! past the boundary unseen. Both happen on a busy tenant during a multi-second load.
//!
//! Instead each page is chosen by *value*: `$filter=<user filters> and LogEnd ge datetime'A' and
//! LogEnd lt datetime'B'&$orderby=LogEnd asc&$top=1000&$select=…`, and the next page starts at the
//! page's largest `LogEnd` (`DecodedMplPage::max_log_end`), again with `ge`. A message whose
//! `LogEnd` does not change during the load sits at a fixed point of the ordering and is on some
//! page, whatever else is inserted or moved. Using `ge` (not `gt`) re-reads the rows sharing the
//! boundary millisecond; they are harmless duplicates because the store upserts by `MessageGuid`.
//! If a *full* page holds a single `LogEnd` value (more than 1000 messages in one millisecond,
//! in practice never), `ge` would not advance, so that millisecond alone is read with `$skip`
//! (`LogEnd ge datetime'T' and LogEnd lt datetime'T+1ms'`) and the cursor moves to `T+1ms`.
//!
//! # Why the watermark is the load's start time
//!
//! A message that changes during the load (PROCESSING → COMPLETED, a retry) gets a new `LogEnd`,
//! which is at or after the moment of the change, hence at or after the moment the load started.
//! The load may or may not see its new state, but the next delta — `LogEnd ge watermark` —
//! certainly does. So the load returns as watermark the server-clock time just before its first
//! request (local clock corrected by the `Date` header skew), not the largest `LogEnd` it saw
//! (which would miss messages that changed below it). Messages that become visible a little after
//! their `LogEnd` (commit lag) and residual clock skew are what the periodic check covers: it
//! lists what may have arrived late, from `overlap` before the previous check (or the load) up to
//! the watermark, by id only, and the deltas fetch the ones not yet received (`mpl_follow`;
//! `MplLoadOptions::delta_overlap`, default 10 s, and `check_every`, default 10 s).
//!
//! # In-flight messages
//!
//! `LogEnd` is nullable (`Nullable="true"` in `$metadata`): real tenants send PROCESSING rows, and
//! RETRY rows that wait, with `LogEnd: null` (often `LogStart`, `IntegrationFlowName`,
//! `CorrelationId` and the `IntegrationArtifact` fields null too). No `LogEnd ge …` range ever
//! lists them, and a long-running PROCESSING message (an aggregation can run for days) may have a
//! `LogEnd` older than any window. So with every load and delta of an open-ended window (live:
//! `MplQuery::to` is `None`) the client sends one more, bounded request — the *in-flight
//! listing*:
//!
//! `$filter=<user filters> and (LogEnd eq null or Status eq 'PROCESSING')&$orderby=LogStart desc&$top=1000&$select=<lean>`
//!
//! after the window's or delta's own pages, into the same sink: with every window load, and with
//! a delta every `check_every` (default 10 s, the check's cadence; `MplFollow::listed_at`). Its
//! cost is one request per `check_every` whose rows are the messages in flight (tens on a busy
//! tenant; at most one page — more are shown as far as they fit and logged, and then nothing is
//! retired, see below): +6 requests a minute at the defaults. A message that starts shows within
//! `check_every` plus a refresh; one that ends shows at once (its final row comes with the next
//! delta). It is left out for a fixed range (`to` set: history) and when the status filter
//! admits neither PROCESSING nor RETRY. **U**: `eq null` is standard OData V2 but not documented for this API;
//! a tenant that refuses it (400/501) is listed by status from then on —
//! `(Status eq 'PROCESSING' or Status eq 'RETRY')` — remembered per client.
//!
//! The listing's page is marked (`DecodedMplPage::observed`): rows without a `LogEnd` take the
//! request's server time as their time (they sort as current and stay in a rolling window while
//! listed), and a complete listing lets the store retire the messages it held as in flight that
//! are no longer listed (`store::MessageStore::merge`). A message that ends gets a `LogEnd` at or
//! after the change, so a later delta (or the check) brings its final row, which replaces the
//! running one by `MessageGuid`; a row in flight never replaces a row with a `LogEnd`.
//!
//! # Speed and gentleness
//!
//! A large window is split into time slices fetched concurrently (within the client's limiter),
//! newest slice first so the newest messages reach the screen first. Each page's bytes are handed
//! to the caller's decoder in `spawn_blocking`, so decoding runs on the blocking pool while other
//! slices download: downloads and decoding overlap across both cores. Within a slice the next
//! page needs the decoded `max_log_end`, so a slice waits for its own decode. In steady state a
//! refresh is one delta request that returns the rows (or none) new since the watermark, and
//! every `check_every` a lean check before it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use super::client::CpiClient;
use super::error::CpiError;
use super::http::{BodyKind, Req, endpoint_of};
use super::model::MplStatus;
use super::mpl_follow::{CHECK_SELECT, DeltaPlan, MplFollow};
use super::mpl_row::{DecodedMplPage, InFlightPage, MPL_LIST_SELECT};
use super::odata::{EpochMs, datetime_literal};
use super::query::{lit, url};

/// Server-side filters of a message list. Times are epoch ms (UTC), `from` inclusive, `to`
/// exclusive, both on `LogEnd`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MplQuery {
    pub from: Option<EpochMs>,
    pub to: Option<EpochMs>,
    /// Any of these statuses (empty = all).
    pub statuses: Vec<MplStatus>,
    /// `IntegrationFlowName eq` (the iFlow id; mapped by CPI to `IntegrationArtifact/Id`).
    pub iflow_id: Option<String>,
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub application_message_id: Option<String>,
    pub correlation_id: Option<String>,
    pub message_guid: Option<String>,
    /// Any of message id, correlation id or application message id (what an operator pastes
    /// without knowing which one it is): one parenthesised `or` of the three.
    pub any_id: Option<String>,
    /// Any of these custom statuses (`CustomStatus eq`; empty = all). **U**: filtering by
    /// `CustomStatus` is not documented; callers re-check locally.
    pub custom_statuses: Vec<String>,
    /// Match `sender`/`receiver` with `eq` only. Real tenants send several names comma-joined
    /// (`"A_SOAP,B_SOAP"`), so by default the name is matched inside the list with
    /// `substringof('X',Receiver)` (callers re-check list membership locally, see
    /// `mpl_row::list_contains`). The client sets this when a tenant refuses `substringof`.
    pub parties_by_eq: bool,
}

impl MplQuery {
    /// The last `hours` up to now (open-ended: live mode).
    pub fn last_hours(now: EpochMs, hours: u32) -> Self {
        Self {
            from: Some(now - i64::from(hours) * 3_600_000),
            ..Self::default()
        }
    }

    /// The user filters without the time window, as an OData expression.
    pub fn user_filter(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .filter(|s| **s != MplStatus::Unknown)
            .map(|s| format!("Status eq {}", lit(s.as_str())))
            .collect();
        match statuses.len() {
            0 => {}
            1 => parts.extend(statuses),
            _ => parts.push(format!("({})", statuses.join(" or "))),
        }
        for (field, value) in [("Sender", &self.sender), ("Receiver", &self.receiver)] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                parts.push(if self.parties_by_eq {
                    format!("{field} eq {}", lit(v))
                } else {
                    // U: `substringof` is standard OData V2, not documented for this API.
                    format!("substringof({},{field})", lit(v))
                });
            }
        }
        let customs: Vec<String> = self
            .custom_statuses
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| format!("CustomStatus eq {}", lit(c)))
            .collect();
        match customs.len() {
            0 => {}
            1 => parts.extend(customs),
            _ => parts.push(format!("({})", customs.join(" or "))),
        }
        let eqs = [
            ("IntegrationFlowName", &self.iflow_id),
            ("ApplicationMessageId", &self.application_message_id),
            ("CorrelationId", &self.correlation_id),
            ("MessageGuid", &self.message_guid),
        ];
        for (field, value) in eqs {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                parts.push(format!("{field} eq {}", lit(v)));
            }
        }
        if let Some(v) = self.any_id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let v = lit(v);
            parts.push(format!(
                "(MessageGuid eq {v} or CorrelationId eq {v} or ApplicationMessageId eq {v})"
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }

    /// Whether the in-flight listing can hold anything for this query: an open-ended window
    /// whose status filter (if any) admits PROCESSING or RETRY.
    pub fn wants_in_flight(&self) -> bool {
        self.to.is_none()
            && (self.statuses.is_empty()
                || self
                    .statuses
                    .iter()
                    .any(|s| matches!(s, MplStatus::Processing | MplStatus::Retry)))
    }

    /// The filter of the in-flight listing: the user filters and the messages without a
    /// `LogEnd` or PROCESSING — or, `by_status`, PROCESSING or RETRY (for tenants that refuse
    /// `eq null`). No time bound: a message in flight is current whenever it started.
    pub(crate) fn in_flight_filter(&self, by_status: bool) -> String {
        let in_flight = if by_status {
            "(Status eq 'PROCESSING' or Status eq 'RETRY')"
        } else {
            "(LogEnd eq null or Status eq 'PROCESSING')"
        };
        match self.user_filter() {
            Some(u) => format!("{u} and {in_flight}"),
            None => in_flight.to_owned(),
        }
    }

    /// User filters and `LogEnd ge from and LogEnd lt to`.
    pub(crate) fn filter(&self, from: Option<EpochMs>, to: Option<EpochMs>) -> Option<String> {
        self.filter_with(from, to, &[])
    }

    /// User filters and `LogEnd ge from and LogEnd lt to`, where the lower bound also admits the
    /// messages `by_id` (`(LogEnd ge … or MessageGuid eq … or …)`; see `mpl_follow`).
    pub(crate) fn filter_with(
        &self,
        from: Option<EpochMs>,
        to: Option<EpochMs>,
        by_id: &[String],
    ) -> Option<String> {
        let mut parts: Vec<String> = self.user_filter().into_iter().collect();
        if let Some(f) = from {
            let ge = format!("LogEnd ge {}", datetime_literal(f));
            if by_id.is_empty() {
                parts.push(ge);
            } else {
                let ids: Vec<String> = by_id
                    .iter()
                    .map(|g| format!("MessageGuid eq {}", lit(g)))
                    .collect();
                parts.push(format!("({ge} or {})", ids.join(" or ")));
            }
        }
        if let Some(t) = to {
            parts.push(format!("LogEnd lt {}", datetime_literal(t)));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }
}

/// Progress of a load, reported after every page.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoadProgress {
    pub pages: u64,
    pub rows: u64,
    pub bytes: u64,
    pub slices_done: u32,
    pub slices: u32,
    pub elapsed: Duration,
}

impl LoadProgress {
    /// Rows per second so far.
    pub fn rows_per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.rows as f64 / s } else { 0.0 }
    }
}

/// Called after every decoded page (from whichever task finished it).
pub type ProgressFn = Arc<dyn Fn(LoadProgress) + Send + Sync>;
/// Turns one page's bytes into the caller's batch (run on the blocking pool).
pub type MplDecoder<D> = Arc<dyn Fn(Bytes) -> Result<D, String> + Send + Sync>;

/// Decode one page on the blocking pool (a large page is tens of milliseconds of CPU); a
/// decoder's message may quote the reply, so it is redacted and bounded like every reply text.
pub(crate) async fn decode_page<D: Send + 'static>(
    t: &super::http::Transport,
    decoder: &MplDecoder<D>,
    endpoint: &str,
    body: Bytes,
) -> Result<D, CpiError> {
    let decoder = Arc::clone(decoder);
    tokio::task::spawn_blocking(move || decoder(body))
        .await
        .map_err(|e| CpiError::Decode {
            endpoint: endpoint.to_string(),
            detail: format!("decoder task failed: {e}"),
        })?
        .map_err(|detail| CpiError::Decode {
            endpoint: endpoint.to_string(),
            detail: super::http::one_line(&t.redact(&detail), super::http::MAX_ERROR_TEXT),
        })
}

/// The result of a window load or a delta.
#[derive(Debug, Clone, PartialEq)]
pub struct MplLoadOutcome {
    /// The server time just before this load began: the window is complete up to here (late
    /// messages aside). `follow.watermark()` may be a little later (past rows already read).
    pub watermark: EpochMs,
    /// Pass to the next `fetch_mpl_delta`.
    pub follow: MplFollow,
    /// Full rows: pages, rows and bytes.
    pub pages: u64,
    pub rows: u64,
    pub bytes: u64,
    /// A delta's check: pages and rows listed (by id only), and how many were late.
    pub check_pages: u64,
    pub checked: u64,
    pub late: u64,
    /// Messages the in-flight listing returned (`None`: not listed, e.g. a fixed range); its
    /// request is not in `pages`/`rows`/`bytes`.
    pub in_flight: Option<u64>,
    pub elapsed: Duration,
}

struct Counters {
    pages: AtomicU64,
    rows: AtomicU64,
    bytes: AtomicU64,
    slices_done: AtomicU32,
    slices: u32,
    started: Instant,
    progress: Option<ProgressFn>,
}

impl Counters {
    fn snapshot(&self) -> LoadProgress {
        LoadProgress {
            pages: self.pages.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            slices_done: self.slices_done.load(Ordering::Relaxed),
            slices: self.slices,
            elapsed: self.started.elapsed(),
        }
    }
    fn report(&self) {
        if let Some(p) = &self.progress {
            p(self.snapshot());
        }
    }
}

/// What one load reads: the filters, which fields, the late messages fetched by id with its
/// first page, and (for window loads and deltas) where to keep the keys of recent rows.
struct Spec<'a> {
    query: &'a MplQuery,
    select: &'static str,
    by_id: &'a [String],
    keep: Option<&'a Keep>,
}

/// The keys of received rows with `LogEnd ≥ horizon` (what the next check will list), and the
/// newest `LogEnd` received.
struct Keep {
    horizon: EpochMs,
    kept: std::sync::Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    rows: Vec<(Box<str>, EpochMs)>,
    newest: Option<EpochMs>,
}

impl Keep {
    fn new(horizon: EpochMs) -> Self {
        Self {
            horizon,
            kept: std::sync::Mutex::default(),
        }
    }

    fn page<D: DecodedMplPage>(&self, page: &D) {
        let Some(max) = page.max_log_end() else {
            return;
        };
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.newest = Some(kept.newest.map_or(max, |m| m.max(max)));
        if max < self.horizon {
            return;
        }
        page.for_each_key(&mut |guid, end| {
            if end >= self.horizon {
                kept.rows.push((guid.into(), end));
            }
        });
    }

    /// A follower that has received the kept rows, at `watermark` or just past the newest row
    /// received if that is later (a row newer than the request's start that was already visible
    /// is not read again; one that was not is below the new watermark, where the check sees it).
    /// At most `MAX_AHEAD_MS` past `watermark`: a message stamped in the future (a tenant clock
    /// gone wrong) must not move the deltas past everything to come.
    fn into_follow(self, mut follow: MplFollow, watermark: EpochMs) -> MplFollow {
        let Kept { rows, newest } = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        for (guid, end) in rows {
            follow.observe(&guid, end);
        }
        let ahead = |n: EpochMs| n.saturating_add(1).min(watermark.saturating_add(MAX_AHEAD_MS));
        let next = newest.map_or(watermark, |n| watermark.max(ahead(n)));
        follow.advance(next, self.horizon);
        follow
    }
}

/// How far past the request's start a delta's newest row may move the next watermark (the
/// `Date`-header clock correction leaves ≤ 2.5 s of skew; a request takes well under a second).
const MAX_AHEAD_MS: EpochMs = 5_000;

struct Load<'a, D> {
    spec: Spec<'a>,
    decoder: &'a MplDecoder<D>,
    sink: &'a mpsc::Sender<D>,
    counters: &'a Counters,
    page_size: u32,
}

/// Pages, rows and bytes of one `run_slices` (or of the in-flight listing).
pub(crate) struct Ran {
    pub(crate) pages: u64,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
}

impl CpiClient {
    /// Load every message of `query`'s window (lean rows, `$select` of `mpl_row`), streaming each
    /// decoded page into `sink` as soon as it is decoded. Returns the watermark and the state
    /// for deltas.
    pub async fn fetch_mpl_window<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        decoder: MplDecoder<D>,
        sink: mpsc::Sender<D>,
        progress: Option<ProgressFn>,
    ) -> Result<MplLoadOutcome, CpiError> {
        let q = self.in_dialect(query);
        match self
            .window_in_dialect(&q, decoder.clone(), sink.clone(), progress.clone())
            .await
        {
            Err(e) if self.refused_substringof(&q, &e) => {
                self.window_in_dialect(&self.in_dialect(query), decoder, sink, progress)
                    .await
            }
            r => r,
        }
    }

    /// `query` as this tenant takes it: `parties_by_eq` once it refused `substringof`.
    pub(crate) fn in_dialect(&self, query: &MplQuery) -> MplQuery {
        let mut q = query.clone();
        q.parties_by_eq |= self.inner.parties_by_eq.load(Ordering::Relaxed);
        q
    }

    /// Whether `e` is the tenant refusing `substringof` in `q` (400/501 on a query that used
    /// it); if so, sender and receiver are matched with `eq` from now on.
    pub(crate) fn refused_substringof(&self, q: &MplQuery, e: &CpiError) -> bool {
        let used = !q.parties_by_eq && (q.sender.is_some() || q.receiver.is_some());
        if used && matches!(e.status(), Some(400 | 501)) {
            tracing::warn!(
                error = %e,
                "the tenant refused substringof(); matching sender and receiver with eq (lists of several names are missed)"
            );
            self.inner.parties_by_eq.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    async fn window_in_dialect<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        decoder: MplDecoder<D>,
        sink: mpsc::Sender<D>,
        progress: Option<ProgressFn>,
    ) -> Result<MplLoadOutcome, CpiError> {
        let started = Instant::now();
        let watermark = self.server_now();
        let slices = self.slices(query, watermark);
        let keep = Keep::new(watermark.saturating_sub(self.overlap_ms()));
        let spec = Spec {
            query,
            select: MPL_LIST_SELECT,
            by_id: &[],
            keep: Some(&keep),
        };
        let ran = self
            .run_slices(spec, decoder.clone(), sink.clone(), progress, slices)
            .await?;
        let flying = self.fetch_in_flight(query, &decoder, &sink).await?;
        let in_flight = flying.map(|f| f.rows);
        Ok(MplLoadOutcome {
            watermark,
            follow: keep.into_follow(MplFollow::new(watermark), watermark),
            pages: ran.pages,
            rows: ran.rows,
            bytes: ran.bytes,
            check_pages: 0,
            checked: 0,
            late: 0,
            in_flight,
            elapsed: started.elapsed(),
        })
    }

    /// Everything that changed since a previous load or delta (`follow`), within `query`'s
    /// filters and window: when due, the check by id of what may have become visible late
    /// (`mpl_follow`), then the full rows of `LogEnd ge watermark` and of the messages the
    /// check found late. Returns the next state in `MplLoadOutcome::follow`; `follow` itself
    /// stays valid if this fails.
    pub async fn fetch_mpl_delta<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        follow: &MplFollow,
        decoder: MplDecoder<D>,
        sink: mpsc::Sender<D>,
        progress: Option<ProgressFn>,
    ) -> Result<MplLoadOutcome, CpiError> {
        let q = self.in_dialect(query);
        match self
            .delta_in_dialect(&q, follow, decoder.clone(), sink.clone(), progress.clone())
            .await
        {
            Err(e) if self.refused_substringof(&q, &e) => {
                self.delta_in_dialect(&self.in_dialect(query), follow, decoder, sink, progress)
                    .await
            }
            r => r,
        }
    }

    async fn delta_in_dialect<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        follow: &MplFollow,
        decoder: MplDecoder<D>,
        sink: mpsc::Sender<D>,
        progress: Option<ProgressFn>,
    ) -> Result<MplLoadOutcome, CpiError> {
        let started = Instant::now();
        let next = self.server_now();
        let overlap = self.overlap_ms();
        let opts = self.mpl_options();
        let w = follow.watermark();
        let at_least = |t: EpochMs| query.from.map_or(t, |f| f.max(t));
        let mut base = follow.clone();
        let every = i64::try_from(opts.check_every.as_millis()).unwrap_or(i64::MAX);
        let (mut checked, mut late, mut check_pages) = (0, 0, 0);
        let page = opts.page_size.clamp(1, 1000) as usize;
        let mut plan = if !opts.overlap_check {
            // The behaviour before the check: the whole overlap again, in full rows.
            DeltaPlan {
                from: at_least(w.saturating_sub(overlap)),
                by_id: Vec::new(),
            }
        } else {
            if next.saturating_sub(follow.checked_at()) >= every {
                let since = at_least(follow.checked().saturating_sub(overlap));
                let until = query.to.map_or(w, |t| t.min(w));
                let (listed, pages) = self.check_overlap(query, since, until).await?;
                let found = follow.late(&listed);
                (checked, late, check_pages) = (listed.len() as u64, found.len() as u64, pages);
                base.add_late(found);
                base.mark_checked(next);
            }
            base.plan(opts.late_by_id.min(page / 2))
        };
        // Kept for the next check, which starts `overlap` before the last check.
        let keep = Keep::new(base.checked().saturating_sub(overlap));
        let read = |plan: DeltaPlan| {
            let (decoder, sink, progress, keep) = (decoder.clone(), sink.clone(), progress.clone(), &keep);
            async move {
                let spec = Spec {
                    query,
                    select: MPL_LIST_SELECT,
                    by_id: &plan.by_id,
                    keep: Some(keep),
                };
                let slices = vec![(Some(at_least(plan.from)), query.to)];
                self.run_slices(spec, decoder, sink, progress, slices).await
            }
        };
        let ran = match read(plan.clone()).await {
            // U: ids and a `LogEnd` range in one `or` (see `mpl_follow`). The ids go with the
            // first page, so nothing was delivered: read the delta again by range.
            Err(e) if !plan.by_id.is_empty() && e.status() == Some(400) => {
                tracing::warn!(
                    error = %e,
                    "the tenant refused late messages by id in a delta's filter; reading them by range"
                );
                base.reject_ids();
                plan = base.plan(0);
                read(plan.clone()).await?
            }
            r => r?,
        };
        base.fetched(&plan);
        // The in-flight listing goes with the check's cadence: every `check_every`.
        let flying = if next.saturating_sub(follow.listed_at()) >= every {
            let listed = self.fetch_in_flight(query, &decoder, &sink).await?;
            base.mark_listed(next);
            listed
        } else {
            None
        };
        let in_flight = flying.map(|f| f.rows);
        Ok(MplLoadOutcome {
            watermark: next,
            follow: keep.into_follow(base, next),
            pages: ran.pages,
            rows: ran.rows,
            bytes: ran.bytes,
            check_pages,
            checked,
            late,
            in_flight,
            elapsed: started.elapsed(),
        })
    }

    /// The in-flight listing (module docs, "In-flight messages"): one page into `sink`, marked
    /// as such. Returns its page, rows and bytes; `None` when not wanted for `query`.
    pub(crate) async fn fetch_in_flight<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        decoder: &MplDecoder<D>,
        sink: &mpsc::Sender<D>,
    ) -> Result<Option<Ran>, CpiError> {
        if !self.mpl_options().in_flight || !query.wants_in_flight() {
            return Ok(None);
        }
        let by_status = self.inner.in_flight_by_status.load(Ordering::Relaxed);
        match self.in_flight_page(query, by_status, decoder, sink).await {
            // U: `LogEnd eq null` (module docs). Nothing was delivered: list by status instead.
            Err(e) if !by_status && matches!(e.status(), Some(400 | 501)) => {
                tracing::warn!(
                    error = %e,
                    "the tenant refused `LogEnd eq null`; listing messages in flight by status"
                );
                self.inner.in_flight_by_status.store(true, Ordering::Relaxed);
                self.in_flight_page(query, true, decoder, sink).await.map(Some)
            }
            r => r.map(Some),
        }
    }

    async fn in_flight_page<D: DecodedMplPage>(
        &self,
        query: &MplQuery,
        by_status: bool,
        decoder: &MplDecoder<D>,
        sink: &mpsc::Sender<D>,
    ) -> Result<Ran, CpiError> {
        let t = self.t();
        let top = self.mpl_options().page_size.clamp(1, 1000);
        let at = self.server_now();
        let opts: Vec<(&str, String)> = vec![
            ("$filter", query.in_flight_filter(by_status)),
            ("$orderby", "LogStart desc".into()),
            ("$top", top.to_string()),
            ("$select", MPL_LIST_SELECT.into()),
        ];
        let reply = t
            .send(&Req::get(url(&t.root, "MessageProcessingLogs", &opts)).kind(BodyKind::Page))
            .await?;
        let endpoint = reply.endpoint;
        let body = reply.body;
        let n_bytes = body.len() as u64;
        let has_next = memchr::memmem::rfind(&body, b"\"__next\"").is_some();
        let mut decoded = decode_page(t, decoder, &endpoint, body).await?;
        let rows = decoded.row_count();
        let complete = !has_next && rows < top as usize;
        if !complete {
            tracing::warn!(
                listed = rows,
                "more messages in flight than one page; showing these, none retired this time"
            );
        }
        let kind = if complete {
            InFlightPage::Complete
        } else {
            InFlightPage::Partial
        };
        decoded.observed(at, kind);
        sink.send(decoded).await.map_err(|_| CpiError::Cancelled)?;
        Ok(Ran {
            pages: 1,
            rows: rows as u64,
            bytes: n_bytes,
        })
    }

    /// The check: `[since, until)` listed by id and `LogEnd` only, keyset-paged like a load.
    /// Returns the listed rows and the number of pages.
    async fn check_overlap(
        &self,
        query: &MplQuery,
        since: EpochMs,
        until: EpochMs,
    ) -> Result<(Vec<(String, EpochMs)>, u64), CpiError> {
        if since >= until {
            return Ok((Vec::new(), 0));
        }
        let (tx, mut rx) = mpsc::channel::<GuidPage>(4);
        let spec = Spec {
            query,
            select: CHECK_SELECT,
            by_id: &[],
            keep: None,
        };
        let decoder: MplDecoder<GuidPage> = Arc::new(decode_guid_page);
        let run = self.run_slices(spec, decoder, tx, None, vec![(Some(since), Some(until))]);
        let collect = async {
            let mut listed = Vec::new();
            while let Some(page) = rx.recv().await {
                listed.extend(page.rows);
            }
            listed
        };
        let (ran, listed) = tokio::join!(run, collect);
        Ok((listed, ran?.pages))
    }

    fn overlap_ms(&self) -> EpochMs {
        i64::try_from(self.mpl_options().delta_overlap.as_millis()).unwrap_or(i64::MAX)
    }

    /// Split the window into time slices, newest first (see [`window_slices`]).
    fn slices(&self, query: &MplQuery, now: EpochMs) -> Vec<(Option<EpochMs>, Option<EpochMs>)> {
        let opts = self.mpl_options();
        let min_slice = i64::try_from(opts.min_slice.as_millis()).unwrap_or(i64::MAX);
        window_slices(query.from, query.to, now, min_slice, opts.max_slices)
    }

    async fn run_slices<D: DecodedMplPage>(
        &self,
        spec: Spec<'_>,
        decoder: MplDecoder<D>,
        sink: mpsc::Sender<D>,
        progress: Option<ProgressFn>,
        slices: Vec<(Option<EpochMs>, Option<EpochMs>)>,
    ) -> Result<Ran, CpiError> {
        let counters = Counters {
            pages: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            slices_done: AtomicU32::new(0),
            slices: slices.len() as u32,
            started: Instant::now(),
            progress,
        };
        let load = Load {
            spec,
            decoder: &decoder,
            sink: &sink,
            counters: &counters,
            page_size: self.mpl_options().page_size.clamp(1, 1000),
        };
        let concurrency = self.t().conn.limits.max_concurrency.clamp(1, slices.len().max(1));
        let mut running = futures_util::stream::iter(slices)
            .map(|(from, to)| self.fetch_slice(&load, from, to))
            .buffer_unordered(concurrency);
        while let Some(result) = running.next().await {
            result?;
            counters.slices_done.fetch_add(1, Ordering::Relaxed);
            counters.report();
        }
        let p = counters.snapshot();
        tracing::debug!(
            pages = p.pages,
            rows = p.rows,
            bytes = p.bytes,
            ms = p.elapsed.as_millis() as u64,
            select = load.spec.select,
            "MPL load done"
        );
        Ok(Ran {
            pages: p.pages,
            rows: p.rows,
            bytes: p.bytes,
        })
    }

    /// Keyset-page one slice `[from, to)` in `LogEnd` order. The spec's late messages by id
    /// come with the first page (they sort before `from`, and are fewer than half a page, so a
    /// full first page still reaches `from`); later pages continue by value without them.
    async fn fetch_slice<D: DecodedMplPage>(
        &self,
        load: &Load<'_, D>,
        from: Option<EpochMs>,
        to: Option<EpochMs>,
    ) -> Result<(), CpiError> {
        let mut cursor = from;
        let mut by_id = load.spec.by_id;
        loop {
            let (rows, max, has_next) = self.fetch_page(load, cursor, to, None, by_id).await?;
            if rows < load.page_size as usize && !has_next {
                return Ok(());
            }
            if rows == 0 {
                // `__next` on an empty page: nothing more to read by value.
                return Ok(());
            }
            let Some(max) = max else {
                return Err(CpiError::Malformed {
                    endpoint: endpoint_of(&format!("{}/MessageProcessingLogs", self.t().root)),
                    detail: "a page of messages carries no LogEnd".into(),
                });
            };
            if !by_id.is_empty() {
                by_id = &[];
                if cursor.is_some_and(|c| max <= c) {
                    // Late rows filled the page below `from` (a page size below twice the
                    // late count): read the slice again by value alone.
                    continue;
                }
            }
            match cursor {
                Some(c) if max < c => {
                    return Err(CpiError::Malformed {
                        endpoint: endpoint_of(&format!("{}/MessageProcessingLogs", self.t().root)),
                        detail:
                            "the tenant ignored the LogEnd filter or the order (a page went back in time)"
                                .into(),
                    });
                }
                Some(c) if max == c => {
                    // A full page within one millisecond: read the rest of it by offset. A
                    // `LogEnd` at the end of `i64` (a hostile reply) has no next millisecond.
                    let Some(next) = c.checked_add(1) else {
                        return Err(CpiError::Malformed {
                            endpoint: endpoint_of(&format!("{}/MessageProcessingLogs", self.t().root)),
                            detail: format!("a LogEnd beyond any date ({c} ms)"),
                        });
                    };
                    self.fetch_millisecond(load, c).await?;
                    cursor = Some(next);
                }
                _ => cursor = Some(max),
            }
            if to.is_some_and(|t| cursor.is_some_and(|c| c >= t)) {
                return Ok(());
            }
        }
    }

    /// The rows of millisecond `ms` beyond the first full page, by `$skip`.
    async fn fetch_millisecond<D: DecodedMplPage>(
        &self,
        load: &Load<'_, D>,
        ms: EpochMs,
    ) -> Result<(), CpiError> {
        let mut skip = u64::from(load.page_size);
        loop {
            let (rows, _, _) = self
                .fetch_page(load, Some(ms), Some(ms.saturating_add(1)), Some(skip), &[])
                .await?;
            if rows < load.page_size as usize {
                return Ok(());
            }
            skip += u64::from(load.page_size);
        }
    }

    /// One page: download, decode on the blocking pool, hand to the sink. Returns the row count,
    /// the page's max `LogEnd` and whether the reply carried a `__next` link.
    async fn fetch_page<D: DecodedMplPage>(
        &self,
        load: &Load<'_, D>,
        from: Option<EpochMs>,
        to: Option<EpochMs>,
        skip: Option<u64>,
        by_id: &[String],
    ) -> Result<(usize, Option<EpochMs>, bool), CpiError> {
        let t = self.t();
        let mut opts: Vec<(&str, String)> = Vec::with_capacity(5);
        if let Some(f) = load.spec.query.filter_with(from, to, by_id) {
            opts.push(("$filter", f));
        }
        opts.push(("$orderby", "LogEnd asc".into()));
        opts.push(("$top", load.page_size.to_string()));
        if let Some(s) = skip {
            opts.push(("$skip", s.to_string()));
        }
        opts.push(("$select", load.spec.select.into()));
        let requested = self.server_now();
        let reply = t
            .send(&Req::get(url(&t.root, "MessageProcessingLogs", &opts)).kind(BodyKind::Page))
            .await?;
        let endpoint = reply.endpoint;
        let body = reply.body;
        let n_bytes = body.len() as u64;
        let has_next = memchr::memmem::rfind(&body, b"\"__next\"").is_some();
        let mut decoded = decode_page(t, load.decoder, &endpoint, body).await?;
        let rows = decoded.row_count();
        let max = decoded.max_log_end();
        // A row without a `LogEnd` in a range page (a tenant that lists it anyway) is in
        // flight as of this request.
        decoded.observed(requested, InFlightPage::No);
        if let Some(keep) = load.spec.keep {
            keep.page(&decoded);
        }
        load.sink.send(decoded).await.map_err(|_| CpiError::Cancelled)?;
        let c = load.counters;
        c.pages.fetch_add(1, Ordering::Relaxed);
        c.rows.fetch_add(rows as u64, Ordering::Relaxed);
        c.bytes.fetch_add(n_bytes, Ordering::Relaxed);
        c.report();
        Ok((rows, max, has_next))
    }
}

/// A plain decoder for tests, benches and simple callers: the lean rows' guid and `LogEnd`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuidPage {
    pub rows: Vec<(String, EpochMs)>,
    /// Rows that could not be placed (no `MessageGuid` or no `LogEnd`).
    pub skipped: usize,
}

impl DecodedMplPage for GuidPage {
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn max_log_end(&self) -> Option<EpochMs> {
        self.rows.iter().map(|r| r.1).max()
    }
    fn for_each_key(&self, f: &mut dyn FnMut(&str, EpochMs)) {
        for (guid, end) in &self.rows {
            f(guid, *end);
        }
    }
}

/// Decode a lean MPL page into a `GuidPage` (with `mpl_row::decode_page`). A row that cannot be
/// placed in the `LogEnd` order — no `MessageGuid`, no readable `LogEnd` (a message in flight:
/// real tenants send `null`) — is kept aside: counted in `skipped` and logged, never an error
/// that would fail the page (a check that fails leaves the pane stale for good).
pub fn decode_guid_page(bytes: Bytes) -> Result<GuidPage, String> {
    let page = super::mpl_row::decode_page(&bytes).map_err(|e| format!("MPL page: {e}"))?;
    let mut out = GuidPage::default();
    for r in &page.d.results {
        let guid = r.message_guid.trim();
        match r.log_end.as_deref().and_then(super::odata::parse_date) {
            Some(end) if !guid.is_empty() => out.rows.push((guid.to_owned(), end)),
            _ => out.skipped += 1,
        }
    }
    if out.skipped > 0 {
        tracing::debug!(
            skipped = out.skipped,
            "MPL check page: rows without a MessageGuid or LogEnd kept aside"
        );
    }
    Ok(out)
}

/// Split the window `[from, to or now)` into at most `max_slices` time slices of at least
/// `min_slice` ms, newest first. The newest slice keeps the query's own upper bound (open-ended
/// in live mode) and is the shortest (`min_slice`, a page or a few on most tenants), so that the
/// newest messages reach the screen first; the rest of the window is split evenly.
fn window_slices(
    from: Option<EpochMs>,
    to: Option<EpochMs>,
    now: EpochMs,
    min_slice: i64,
    max_slices: usize,
) -> Vec<(Option<EpochMs>, Option<EpochMs>)> {
    let Some(from) = from else {
        return vec![(None, to)];
    };
    let end = to.unwrap_or(now).max(from);
    let min_slice = min_slice.max(1);
    let n = ((end - from) / min_slice).clamp(1, max_slices.max(1) as i64);
    let (head, older) = if n >= 3 {
        (end - min_slice, n - 1)
    } else {
        (from + (end - from) / n * (n - 1), n - 1)
    };
    let mut out = Vec::with_capacity(n as usize);
    out.push((Some(head), to));
    let step = ((head - from) / older.max(1)).max(1);
    for i in (0..older).rev() {
        let lo = from + i * step;
        let hi = if i == older - 1 {
            head
        } else {
            from + (i + 1) * step
        };
        out.push((Some(lo), Some(hi)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slices cover the window without gap or overlap, newest first, the newest the shortest.
    #[test]
    fn the_newest_slice_is_short_and_fetched_first() {
        const MIN: i64 = 60_000;
        let now = 1_704_067_200_000;
        for (window, max) in [(24 * 60, 8), (60, 8), (15, 8), (9, 8), (4, 8), (60, 1)] {
            let from = now - window * MIN;
            let s = window_slices(Some(from), None, now, 5 * MIN, max);
            assert!(s.len() <= max, "{window}m: {s:?}");
            assert_eq!(s[0].1, None, "the newest is open-ended");
            assert_eq!(s.last().and_then(|x| x.0), Some(from), "{window}m starts at from");
            for w in s.windows(2) {
                assert_eq!(w[1].1, w[0].0, "{window}m: contiguous, newest first: {s:?}");
            }
            if s.len() >= 3 {
                assert_eq!(s[0].0, Some(now - 5 * MIN), "{window}m: the newest is 5 min");
            }
        }
        let fixed = window_slices(Some(now - 3_600_000), Some(now), now + 99, 5 * MIN, 8);
        assert_eq!(
            fixed[0],
            (Some(now - 5 * MIN), Some(now)),
            "a fixed range keeps its end"
        );
        assert_eq!(
            window_slices(None, Some(now), now, 5 * MIN, 8),
            vec![(None, Some(now))]
        );
    }

    #[test]
    fn filter_expression() {
        let q = MplQuery {
            from: Some(1_704_067_200_000),
            to: None,
            statuses: vec![MplStatus::Failed, MplStatus::Retry],
            iflow_id: Some("Orders_Inbound".into()),
            sender: Some("O'Neil".into()),
            ..MplQuery::default()
        };
        assert_eq!(
            q.filter(q.from, Some(1_704_070_800_000)).as_deref(),
            Some(
                "(Status eq 'FAILED' or Status eq 'RETRY') and substringof('O''Neil',Sender) and \
                 IntegrationFlowName eq 'Orders_Inbound' and LogEnd ge datetime'2024-01-01T00:00:00.000' and \
                 LogEnd lt datetime'2024-01-01T01:00:00.000'"
            )
        );
        // Receivers inside a comma-joined list; `eq` for tenants that refuse `substringof`;
        // custom statuses.
        let parties = MplQuery {
            receiver: Some("B_SOAP".into()),
            custom_statuses: vec!["ERROR".into(), "Rejected".into()],
            ..MplQuery::default()
        };
        assert_eq!(
            parties.user_filter().as_deref(),
            Some(
                "substringof('B_SOAP',Receiver) and (CustomStatus eq 'ERROR' or CustomStatus eq 'Rejected')"
            )
        );
        let by_eq = MplQuery {
            parties_by_eq: true,
            ..parties
        };
        assert!(
            by_eq
                .user_filter()
                .is_some_and(|f| f.starts_with("Receiver eq 'B_SOAP' and"))
        );
        // The in-flight listing: no time bound; by status for tenants that refuse `eq null`.
        assert_eq!(
            q.in_flight_filter(false),
            "(Status eq 'FAILED' or Status eq 'RETRY') and substringof('O''Neil',Sender) and \
             IntegrationFlowName eq 'Orders_Inbound' and (LogEnd eq null or Status eq 'PROCESSING')"
        );
        assert!(
            MplQuery::default().in_flight_filter(true) == "(Status eq 'PROCESSING' or Status eq 'RETRY')"
        );
        assert!(q.wants_in_flight());
        let failed_only = MplQuery {
            statuses: vec![MplStatus::Failed],
            ..MplQuery::default()
        };
        assert!(!failed_only.wants_in_flight());
        let history = MplQuery {
            to: Some(1),
            ..MplQuery::default()
        };
        assert!(!history.wants_in_flight());
        assert_eq!(MplQuery::default().filter(None, None), None);
        // Late messages by id widen the lower bound only.
        let late = ["A'1".to_owned(), "B".to_owned()];
        assert_eq!(
            q.filter_with(Some(1_704_067_200_000), None, &late).as_deref(),
            Some(
                "(Status eq 'FAILED' or Status eq 'RETRY') and substringof('O''Neil',Sender) and \
                 IntegrationFlowName eq 'Orders_Inbound' and (LogEnd ge datetime'2024-01-01T00:00:00.000' or \
                 MessageGuid eq 'A''1' or MessageGuid eq 'B')"
            )
        );
    }

    #[test]
    fn the_next_watermark_passes_rows_already_read_but_not_a_future_stamp() {
        let page = |rows: &[(&str, EpochMs)]| GuidPage {
            rows: rows.iter().map(|(g, t)| ((*g).to_owned(), *t)).collect(),
            skipped: 0,
        };
        let keep = Keep::new(900);
        keep.page(&page(&[("old", 100), ("A", 950), ("B", 1_200)]));
        let f = keep.into_follow(MplFollow::new(0), 1_000);
        // B (after the request's start, already visible) is not asked for again.
        assert_eq!(f.watermark(), 1_201);
        // Only rows the next check lists are kept.
        assert_eq!(f.tracked(), 2);
        let keep = Keep::new(900);
        keep.page(&page(&[("skewed", 1_000 + 86_400_000)]));
        assert_eq!(
            keep.into_follow(MplFollow::new(0), 1_000).watermark(),
            1_000 + MAX_AHEAD_MS
        );
        assert_eq!(
            Keep::new(0).into_follow(MplFollow::new(0), 1_000).watermark(),
            1_000
        );
    }

    #[test]
    fn guid_page_decoder() {
        let body = Bytes::from_static(
            br#"{"d":{"results":[{"MessageGuid":"A","LogEnd":"/Date(5)/"},{"MessageGuid":"B","LogEnd":"/Date(9)/"}]}}"#,
        );
        let p = decode_guid_page(body).expect("decodes");
        assert_eq!(p.row_count(), 2);
        assert_eq!(p.max_log_end(), Some(9));
        assert!(decode_guid_page(Bytes::from_static(b"{\"d\":{\"resu")).is_err());
    }
}
