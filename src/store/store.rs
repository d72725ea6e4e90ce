//! `MessageStore`: upsert by `MessageGuid`, bounded window, row access.

use std::time::Duration;

use crate::cpi::model::MplStatus;
use crate::cpi::mpl_row::InFlightPage;
use crate::cpi::odata::EpochMs;

use super::batch::{ID_FIELDS, MplBatch, NO_TIME};
use super::columns::{Columns, IdField};
use super::dict::{Dict, IflowInfo};
use super::index::GuidIndex;
use super::text::char_set;

/// Index of a row in the store. Valid until the next compaction (eviction), which bumps
/// [`MessageStore::layout`]; find a row again by its guid after that.
pub type RowId = u32;

/// How much the store holds. `None` = no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// At most this many messages (the oldest by `LogEnd` are dropped).
    pub max_messages: Option<usize>,
    /// Drop messages whose time (`LogEnd`, else `LogStart`) is older than this before "now".
    pub max_age: Option<Duration>,
}

impl Default for StoreLimits {
    /// One million messages (about a third of a busy tenant's day), no age limit.
    fn default() -> Self {
        Self {
            max_messages: Some(1_000_000),
            max_age: None,
        }
    }
}

/// What one `merge` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// New messages.
    pub inserted: usize,
    /// Known messages whose row changed (status, `LogEnd`, …).
    pub updated: usize,
    /// Rows identical to (or older than) what the store holds.
    pub unchanged: usize,
    /// Messages dropped by the window limits during this merge.
    pub evicted: usize,
    /// Messages held as in flight that a complete in-flight listing no longer lists (they
    /// ended, or no longer match the query): dropped; their final row comes with a delta.
    pub retired: usize,
}

/// One message, borrowed from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef<'a> {
    pub row: RowId,
    pub guid: &'a str,
    pub correlation_id: &'a str,
    pub application_message_id: &'a str,
    pub application_message_type: &'a str,
    /// `LogStart`, if the tenant sent one.
    pub log_start: Option<EpochMs>,
    /// The message's time: `LogEnd`; for a message in flight (`running`) the time it was last
    /// listed, else `LogStart`.
    pub log_end: EpochMs,
    /// No `LogEnd`: the message is in flight (PROCESSING, a RETRY waiting) as last listed.
    pub running: bool,
    pub sender: &'a str,
    pub receiver: &'a str,
    pub iflow_id: &'a str,
    pub iflow_name: &'a str,
    pub artifact_type: &'a str,
    pub package_id: &'a str,
    pub package_name: &'a str,
    pub status: MplStatus,
    pub custom_status: &'a str,
}

impl MessageRef<'_> {
    /// `LogEnd − LogStart` in ms, when both are known (`None` for a message in flight).
    pub fn duration_ms(&self) -> Option<i64> {
        if self.running {
            return None;
        }
        self.log_start.map(|s| self.log_end.saturating_sub(s))
    }

    /// The `LogEnd`, `None` for a message in flight.
    pub fn end(&self) -> Option<EpochMs> {
        (!self.running).then_some(self.log_end)
    }

    /// How long a message in flight has been running at `now` (`None` when it is not in flight
    /// or its `LogStart` is unknown).
    pub fn running_for(&self, now: EpochMs) -> Option<i64> {
        if !self.running {
            return None;
        }
        self.log_start.map(|s| now.saturating_sub(s).max(0))
    }

    /// The custom status when it says something the status does not (`COMPLETED` with
    /// `ERROR`: a business error); `None` when it is empty or equals the status.
    pub fn custom_differs(&self) -> Option<&str> {
        let c = self.custom_status.trim();
        (!c.is_empty() && !c.eq_ignore_ascii_case(self.status.as_str())).then_some(c)
    }
}

/// The in-memory message store (see the module docs for layout and figures).
#[derive(Debug, Clone)]
pub struct MessageStore {
    pub(crate) cols: Columns,
    index: GuidIndex,
    pub(crate) iflows: Dict,
    pub(crate) iflow_info: Vec<IflowInfo>,
    pub(crate) senders: Dict,
    pub(crate) receivers: Dict,
    pub(crate) app_types: Dict,
    pub(crate) custom_statuses: Dict,
    limits: StoreLimits,
    generation: u64,
    layout: u64,
    /// Lower bound of the oldest message time (exact after a limit check).
    min_time: EpochMs,
    newest: Option<EpochMs>,
    /// Arena bytes no row points to any more.
    garbage: usize,
    /// Rows inserted or updated, with the generation that changed them (bounded; see
    /// `changed_since`).
    changes: Vec<(u64, RowId)>,
    /// Changes at or before this generation are no longer in `changes`.
    changes_floor: u64,
}

/// At most this many entries in the change log; beyond it views re-sort fully.
const CHANGE_LOG_CAP: usize = 1 << 17;

impl Default for MessageStore {
    fn default() -> Self {
        Self::new(StoreLimits::default())
    }
}

impl MessageStore {
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            cols: Columns::default(),
            index: GuidIndex::default(),
            iflows: Dict::default(),
            iflow_info: vec![IflowInfo::default()],
            senders: Dict::default(),
            receivers: Dict::default(),
            app_types: Dict::default(),
            custom_statuses: Dict::default(),
            limits,
            generation: 0,
            layout: 0,
            min_time: EpochMs::MAX,
            newest: None,
            garbage: 0,
            changes: Vec::new(),
            changes_floor: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.cols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cols.len() == 0
    }

    /// Changes on every merge that changed something and on every eviction: a view built at an
    /// older generation is stale.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Changes when rows move (eviction compacts the columns): `RowId`s from an older layout are
    /// invalid.
    pub fn layout(&self) -> u64 {
        self.layout
    }

    pub fn limits(&self) -> StoreLimits {
        self.limits
    }

    /// The newest message time held (`LogEnd`, else `LogStart`).
    pub fn newest_time(&self) -> Option<EpochMs> {
        self.newest
    }

    /// Change the window; applied at once (against the newest message time as "now").
    pub fn set_limits(&mut self, limits: StoreLimits) -> usize {
        self.limits = limits;
        let now = self.newest.unwrap_or(0);
        self.enforce_limits_with_slack(now, false)
    }

    /// Upsert a decoded page. A known guid is updated in place when the incoming row is at least as
    /// new (its `LogEnd`) and differs, never duplicated; an older version of a known row is
    /// ignored. Then the window limits are applied (amortised: eviction compacts only once the
    /// excess is worth it).
    pub fn merge(&mut self, batch: MplBatch) -> MergeStats {
        let mut stats = MergeStats::default();
        let mut remap = Remap::new(batch.strings.len());
        // Artifact properties first, so rows of a new iFlow find them.
        for (&bcode, info) in &batch.iflow_info {
            let code = remap.get(Col::Iflow, bcode, &batch.strings, self);
            self.iflow_info[code as usize] = info.clone();
        }
        let mut off = 0usize;
        let mut running = batch.running.iter().copied().peekable();
        for i in 0..batch.len() {
            let is_running = running.next_if_eq(&(i as u32)).is_some();
            let lens = batch.id_lens[i];
            let total: usize = lens.iter().map(|&l| l as usize).sum();
            let ids = &batch.ids[off..off + total];
            off += total;
            let guid = &ids[..lens[0] as usize];
            let row = Row {
                log_start: batch.log_start[i],
                log_end: batch.log_end[i],
                running: is_running,
                status: batch.status[i],
                iflow: remap.get(Col::Iflow, batch.iflow[i], &batch.strings, self),
                sender: remap.get(Col::Sender, batch.sender[i], &batch.strings, self),
                receiver: remap.get(Col::Receiver, batch.receiver[i], &batch.strings, self),
                app_type: remap.get(Col::AppType, batch.app_type[i], &batch.strings, self),
                custom_status: remap.get(Col::Custom, batch.custom_status[i], &batch.strings, self),
            };
            match self.index.find(guid, &self.cols) {
                Some(r) => {
                    if self.update_row(r, ids, lens, &row) {
                        self.log_change(r);
                        stats.updated += 1;
                    } else {
                        stats.unchanged += 1;
                    }
                }
                None => {
                    self.push_row(ids, lens, &row);
                    let r = (self.cols.len() - 1) as u32;
                    self.index.insert(guid, r, &self.cols);
                    self.log_change(r);
                    stats.inserted += 1;
                }
            }
        }
        if stats.inserted + stats.updated > 0 {
            self.generation += 1;
        }
        if let (InFlightPage::Complete, Some(at)) = (batch.in_flight, batch.observed_at) {
            stats.retired = self.retire_in_flight(&batch, at);
        }
        let now = self.newest.unwrap_or(0);
        stats.evicted = self.enforce_limits_with_slack(now, true);
        stats
    }

    /// After a complete in-flight listing requested at `at` (`batch`): drop the messages held
    /// as in flight — without a `LogEnd`, or PROCESSING — that it does not list and that were
    /// not seen after `at`. They ended or no longer match the query; an ended one comes back
    /// with its final row from a delta (its new `LogEnd` is after the change, so at or after
    /// the watermark), one that no longer matches must not stay on screen as running.
    fn retire_in_flight(&mut self, batch: &MplBatch, at: EpochMs) -> usize {
        let listed: std::collections::HashSet<RowId> = batch.guids().filter_map(|g| self.find(g)).collect();
        let processing = MplStatus::Processing as u8;
        let c = &self.cols;
        let stale = |r: usize| c.log_end[r] < at && !listed.contains(&(r as RowId));
        let mut gone: Vec<usize> = c
            .running
            .iter()
            .map(|&r| r as usize)
            .filter(|&r| stale(r))
            .collect();
        gone.extend(
            c.status
                .iter()
                .enumerate()
                .filter(|&(r, &st)| st == processing && !c.is_running(r) && stale(r))
                .map(|(r, _)| r),
        );
        if gone.is_empty() {
            return 0;
        }
        tracing::debug!(
            retired = gone.len(),
            "messages held as in flight are no longer listed as such"
        );
        let mut keep = vec![true; self.len()];
        for r in gone {
            keep[r] = false;
        }
        self.compact(&keep)
    }

    fn log_change(&mut self, r: RowId) {
        if self.changes.len() >= CHANGE_LOG_CAP {
            self.changes.clear();
            self.changes_floor = self.generation + 1;
            return;
        }
        if self.changes_floor <= self.generation {
            self.changes.push((self.generation + 1, r));
        }
    }

    /// Rows inserted or updated after generation `since` (may repeat a row), if the store still
    /// knows: `None` after an eviction moved rows or when the log has been cut (then rebuild).
    pub fn changed_since(&self, since: u64, layout: u64) -> Option<Vec<RowId>> {
        if layout != self.layout || since < self.changes_floor {
            return None;
        }
        let from = self.changes.partition_point(|&(g, _)| g <= since);
        Some(self.changes[from..].iter().map(|&(_, r)| r).collect())
    }

    fn push_row(&mut self, ids: &[u8], lens: [u16; ID_FIELDS], row: &Row) {
        let c = &mut self.cols;
        let start = c.ids.len();
        if start + ids.len() > u32::MAX as usize {
            // Over 4 GiB of ids (tens of millions of messages): drop garbage and the oldest
            // quarter rather than overflow the 32-bit offsets.
            tracing::warn!(
                rows = c.len(),
                "message store id arena full; dropping the oldest quarter"
            );
            let keep = self.len() - self.len() / 4;
            self.evict_to_count(keep);
            return self.push_row(ids, lens, row);
        }
        c.ids.extend_from_slice(ids);
        c.id_start.push(start as u32);
        c.id_lens.push(lens);
        c.id_chars.push(char_set(ids));
        c.push_times(row.log_start, row.log_end);
        if row.running {
            c.set_running(c.log_end.len() - 1, true);
        }
        c.status.push(row.status);
        c.iflow.push(row.iflow);
        c.sender.push(row.sender);
        c.receiver.push(row.receiver);
        c.app_type.push(row.app_type);
        c.custom_status.push(row.custom_status);
        self.note_time(row.log_end);
    }

    fn note_time(&mut self, t: EpochMs) {
        self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        self.min_time = self.min_time.min(t);
    }

    /// Returns whether the row changed.
    fn update_row(&mut self, r: RowId, ids: &[u8], lens: [u16; ID_FIELDS], row: &Row) -> bool {
        let i = r as usize;
        let c = &mut self.cols;
        let was_running = c.is_running(i);
        // A listing of messages in flight never rolls a row with a `LogEnd` back (it may have
        // been read before the message ended); a row with a `LogEnd` always replaces one in
        // flight (whose time is only when it was listed, not when it changed).
        if row.running && !was_running {
            return false;
        }
        let ends_running = was_running && !row.running;
        if !ends_running && row.log_end < c.log_end[i] {
            return false;
        }
        let same = was_running == row.running
            && c.log_start(i) == row.log_start
            && c.log_end[i] == row.log_end
            && c.status[i] == row.status
            && c.iflow[i] == row.iflow
            && c.sender[i] == row.sender
            && c.receiver[i] == row.receiver
            && c.app_type[i] == row.app_type
            && c.custom_status[i] == row.custom_status
            && c.id_lens[i] == lens
            && c.row_ids(r) == ids;
        if same {
            return false;
        }
        if c.id_lens[i] == lens {
            let start = c.id_start[i] as usize;
            c.ids[start..start + ids.len()].copy_from_slice(ids);
        } else {
            let old: usize = c.id_lens[i].iter().map(|&l| l as usize).sum();
            if c.ids.len() + ids.len() > u32::MAX as usize {
                tracing::warn!("message store id arena full; id change of a known message ignored");
            } else {
                self.garbage += old;
                c.id_start[i] = c.ids.len() as u32;
                c.ids.extend_from_slice(ids);
                c.id_lens[i] = lens;
            }
        }
        c.id_chars[i] = char_set(c.row_ids(r));
        c.set_times(i, row.log_start, row.log_end);
        c.set_running(i, row.running);
        c.status[i] = row.status;
        c.iflow[i] = row.iflow;
        c.sender[i] = row.sender;
        c.receiver[i] = row.receiver;
        c.app_type[i] = row.app_type;
        c.custom_status[i] = row.custom_status;
        self.note_time(row.log_end);
        true
    }

    /// Apply the window limits now, with `now` as the reference for `max_age` (the state owner
    /// calls this on its clock tick). Returns how many messages were dropped.
    pub fn enforce_limits(&mut self, now: EpochMs) -> usize {
        self.enforce_limits_with_slack(now, false)
    }

    fn enforce_limits_with_slack(&mut self, now: EpochMs, amortised: bool) -> usize {
        let n = self.len();
        let mut evicted = 0;
        if let Some(age) = self.limits.max_age {
            let age = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
            let cutoff = now.saturating_sub(age);
            if self.min_time < cutoff {
                let expired = self.cols.log_end.iter().filter(|&&t| t < cutoff).count();
                let slack = if amortised { (n / 64).max(256) } else { 0 };
                if expired > slack || (expired > 0 && !amortised) {
                    let keep: Vec<bool> = self.cols.log_end.iter().map(|&t| t >= cutoff).collect();
                    evicted += self.compact(&keep);
                } else {
                    self.min_time = self.cols.log_end.iter().copied().min().unwrap_or(EpochMs::MAX);
                }
            }
        }
        if let Some(max) = self.limits.max_messages {
            let slack = if amortised { (max / 16).max(1024) } else { 0 };
            if self.len() > max + slack {
                evicted += self.evict_to_count(max);
            }
        }
        if evicted == 0 && self.garbage > self.cols.ids.len() / 4 && self.garbage > 1 << 20 {
            let keep = vec![true; self.len()];
            self.compact(&keep);
        }
        evicted
    }

    /// Drop the oldest messages (by time, ties in row order) until `max` remain.
    fn evict_to_count(&mut self, max: usize) -> usize {
        let n = self.len();
        if n <= max {
            return 0;
        }
        let k = n - max;
        let mut times = self.cols.log_end.clone();
        let (_, &mut nth, _) = times.select_nth_unstable(k - 1);
        drop(times);
        let below = self.cols.log_end.iter().filter(|&&t| t < nth).count();
        let mut ties = k - below;
        let keep: Vec<bool> = self
            .cols
            .log_end
            .iter()
            .map(|&t| {
                if t < nth {
                    false
                } else if t == nth && ties > 0 {
                    ties -= 1;
                    false
                } else {
                    true
                }
            })
            .collect();
        self.compact(&keep)
    }

    /// Keep the flagged rows; rebuild the index. Returns how many rows were dropped.
    fn compact(&mut self, keep: &[bool]) -> usize {
        let before = self.len();
        self.cols.retain(keep);
        self.garbage = 0;
        self.index.rebuild(&self.cols, self.len());
        self.layout += 1;
        self.generation += 1;
        self.changes.clear();
        self.changes_floor = self.generation;
        self.min_time = self.cols.log_end.iter().copied().min().unwrap_or(EpochMs::MAX);
        self.newest = self.cols.log_end.iter().copied().max();
        let dropped = before - self.len();
        if dropped > 0 {
            tracing::debug!(dropped, held = self.len(), "message store: evicted");
        }
        dropped
    }

    /// The row of a message.
    pub fn find(&self, guid: &str) -> Option<RowId> {
        self.index.find(guid.as_bytes(), &self.cols)
    }

    /// One message. Panics if `row` is out of range (row ids come from this store's views).
    pub fn row(&self, row: RowId) -> MessageRef<'_> {
        let i = row as usize;
        let c = &self.cols;
        let iflow = c.iflow[i];
        let info = &self.iflow_info[iflow as usize];
        let start = c.log_start(i);
        MessageRef {
            row,
            guid: c.id_str(row, IdField::Guid),
            correlation_id: c.id_str(row, IdField::Correlation),
            application_message_id: c.id_str(row, IdField::AppId),
            application_message_type: self.app_types.get(c.app_type[i]),
            log_start: (start != NO_TIME).then_some(start),
            log_end: c.log_end[i],
            running: c.is_running(i),
            sender: self.senders.get(c.sender[i]),
            receiver: self.receivers.get(c.receiver[i]),
            iflow_id: self.iflows.get(iflow),
            iflow_name: &info.name,
            artifact_type: &info.kind,
            package_id: &info.package_id,
            package_name: &info.package_name,
            status: MplStatus::from_u8(c.status[i]),
            custom_status: self.custom_statuses.get(c.custom_status[i]),
        }
    }

    /// The status of a row (cheaper than `row`).
    #[inline]
    pub fn status(&self, row: RowId) -> MplStatus {
        MplStatus::from_u8(self.cols.status[row as usize])
    }

    /// The time (`LogEnd`, else `LogStart`) of a row.
    #[inline]
    pub fn time(&self, row: RowId) -> EpochMs {
        self.cols.log_end[row as usize]
    }

    /// Whether a row has no `LogEnd` (a message in flight; cheaper than `row`).
    #[inline]
    pub fn is_running(&self, row: RowId) -> bool {
        self.cols.is_running(row as usize)
    }

    /// How many messages held are in flight (no `LogEnd`).
    pub fn running(&self) -> usize {
        self.cols.running.len()
    }

    /// Messages sharing `correlation_id`, oldest first.
    pub fn rows_with_correlation(&self, correlation_id: &str) -> Vec<RowId> {
        let needle = correlation_id.as_bytes();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut rows: Vec<RowId> = (0..self.len() as u32)
            .filter(|&r| self.cols.id_bytes(r, IdField::Correlation) == needle)
            .collect();
        rows.sort_by_key(|&r| (self.cols.log_end[r as usize], r));
        rows
    }

    /// Distinct iFlow ids seen (index = iFlow code; code 0 is the empty id).
    pub fn iflow_ids(&self) -> impl ExactSizeIterator<Item = &str> {
        self.iflows.values()
    }

    /// Approximate heap bytes held by the store (columns, index, dictionaries).
    pub fn heap_bytes(&self) -> usize {
        let dict = |d: &Dict| d.values().map(|v| v.len() * 2 + 48).sum::<usize>();
        self.cols.heap_bytes()
            + self.index.heap_bytes()
            + dict(&self.iflows)
            + dict(&self.senders)
            + dict(&self.receivers)
            + dict(&self.app_types)
            + dict(&self.custom_statuses)
    }
}

/// One incoming row with codes already in the store's dictionaries.
struct Row {
    log_start: EpochMs,
    log_end: EpochMs,
    running: bool,
    status: u8,
    iflow: u32,
    sender: u32,
    receiver: u32,
    app_type: u32,
    custom_status: u32,
}

#[derive(Clone, Copy)]
enum Col {
    Iflow = 0,
    Sender = 1,
    Receiver = 2,
    AppType = 3,
    Custom = 4,
}

/// Batch code → store code, per column, filled lazily.
struct Remap {
    map: [Vec<u32>; 5],
}

impl Remap {
    fn new(n: usize) -> Self {
        Self {
            map: std::array::from_fn(|_| vec![u32::MAX; n]),
        }
    }

    #[inline]
    fn get(&mut self, col: Col, bcode: u32, strings: &Dict, store: &mut MessageStore) -> u32 {
        let slot = &mut self.map[col as usize][bcode as usize];
        if *slot == u32::MAX {
            let v = strings.get(bcode);
            *slot = match col {
                Col::Iflow => {
                    let c = store.iflows.intern(v);
                    if store.iflow_info.len() <= c as usize {
                        store.iflow_info.resize(c as usize + 1, IflowInfo::default());
                    }
                    c
                }
                Col::Sender => store.senders.intern(v),
                Col::Receiver => store.receivers.intern(v),
                Col::AppType => store.app_types.intern(v),
                Col::Custom => store.custom_statuses.intern(v),
            };
        }
        *slot
    }
}
