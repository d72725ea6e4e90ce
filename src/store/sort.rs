//! Sorting rows by any column: dictionary columns by the rank of their codes (the dictionary is
//! sorted once), times directly, ids by an 8-byte prefix key refined within ties. Ties are broken by
//! time, newest first, then by row, so the order is total and deterministic.

use std::cmp::Ordering;

use crate::cpi::model::MplStatus;

use super::columns::IdField;
use super::store::{MessageStore, RowId};

/// A sortable column of the message list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// `LogEnd` (else `LogStart`).
    Time,
    LogStart,
    Duration,
    Status,
    CustomStatus,
    IflowId,
    IflowName,
    Package,
    Sender,
    Receiver,
    AppMessageType,
    AppMessageId,
    CorrelationId,
    MessageGuid,
}

impl SortColumn {
    pub const ALL: [SortColumn; 14] = [
        Self::Time,
        Self::LogStart,
        Self::Duration,
        Self::Status,
        Self::CustomStatus,
        Self::IflowId,
        Self::IflowName,
        Self::Package,
        Self::Sender,
        Self::Receiver,
        Self::AppMessageType,
        Self::AppMessageId,
        Self::CorrelationId,
        Self::MessageGuid,
    ];
}

/// Column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortKey {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for SortKey {
    /// Newest first.
    fn default() -> Self {
        Self {
            column: SortColumn::Time,
            descending: true,
        }
    }
}

/// Below this many rows a sort runs on one thread. (Tiny under `cfg(test)`, so the unit tests
/// against the naive order go through the two-core path and its merge.)
#[cfg(not(test))]
const PAR_MIN: usize = 100_000;
#[cfg(test)]
const PAR_MIN: usize = 64;

/// Time as an order-preserving u64.
#[inline]
fn tkey(t: i64) -> u64 {
    (t as u64) ^ (1 << 63)
}

/// The order of one sort key over rows: a u64 key, refined for id columns by the full id.
pub(crate) struct RowOrder<'a> {
    key: Box<dyn Fn(RowId) -> u64 + Sync + 'a>,
    id: Option<(IdField, bool)>,
    store: &'a MessageStore,
}

impl RowOrder<'_> {
    /// The total order `sort_rows` produces.
    pub fn cmp(&self, a: RowId, b: RowId) -> Ordering {
        (self.key)(a).cmp(&(self.key)(b)).then_with(|| match self.id {
            Some((field, desc)) => id_cmp(self.store, field, desc, a, b),
            None => a.cmp(&b),
        })
    }
}

fn id_cmp(store: &MessageStore, field: IdField, desc: bool, a: RowId, b: RowId) -> Ordering {
    let c = &store.cols;
    let o = c.id_bytes(a, field).cmp(c.id_bytes(b, field));
    let o = if desc { o.reverse() } else { o };
    o.then_with(|| c.log_end[b as usize].cmp(&c.log_end[a as usize]))
        .then_with(|| a.cmp(&b))
}

/// Ranks of the iFlow codes by name or package name.
fn iflow_attr_ranks(store: &MessageStore, package: bool) -> Vec<u32> {
    let text = |code: usize| -> &str {
        let info = &store.iflow_info[code];
        if package { &info.package_name } else { &info.name }
    };
    let mut codes: Vec<usize> = (0..store.iflow_info.len()).collect();
    let lower: Vec<String> = codes.iter().map(|&i| text(i).to_lowercase()).collect();
    codes.sort_by(|&a, &b| lower[a].cmp(&lower[b]).then_with(|| text(a).cmp(text(b))));
    let mut rank = vec![0u32; codes.len()];
    let mut r = 0u32;
    for (k, &code) in codes.iter().enumerate() {
        if k > 0 && text(codes[k - 1]) != text(code) {
            r += 1;
        }
        rank[code] = r;
    }
    rank
}

fn status_ranks() -> Vec<u32> {
    let mut names: Vec<(usize, &str)> = MplStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.as_str()))
        .collect();
    names.sort_by_key(|&(_, n)| n);
    let mut rank = vec![0u32; 256];
    for (r, (i, _)) in names.into_iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

pub(crate) fn row_order(store: &MessageStore, key: SortKey) -> RowOrder<'_> {
    let c = &store.cols;
    let desc = key.descending;
    let flip = move |k: u64| if desc { !k } else { k };
    let ranked = |rank: Vec<u32>, col: fn(&super::columns::Columns, usize) -> u32| {
        Box::new(move |r: RowId| rank_key(store, desc, rank[col(c, r as usize) as usize], r))
            as Box<dyn Fn(RowId) -> u64 + Sync + '_>
    };
    let id = |field: IdField| {
        Box::new(move |r: RowId| id_chunk(store, r, field, desc, 0)) as Box<dyn Fn(RowId) -> u64 + Sync + '_>
    };
    let (k, idf): (Box<dyn Fn(RowId) -> u64 + Sync + '_>, Option<IdField>) = match key.column {
        SortColumn::Time => (Box::new(move |r| flip(tkey(c.log_end[r as usize]))), None),
        SortColumn::LogStart => (Box::new(move |r| flip(tkey(c.log_start(r as usize)))), None),
        SortColumn::Duration => (
            Box::new(move |r| flip(tkey(c.duration(r as usize).unwrap_or(i64::MIN)))),
            None,
        ),
        SortColumn::Status => (ranked(status_ranks(), |c, i| u32::from(c.status[i])), None),
        SortColumn::CustomStatus => (
            ranked(store.custom_statuses.ranks(), |c, i| c.custom_status[i]),
            None,
        ),
        SortColumn::IflowId => (ranked(store.iflows.ranks(), |c, i| c.iflow[i]), None),
        SortColumn::IflowName => (ranked(iflow_attr_ranks(store, false), |c, i| c.iflow[i]), None),
        SortColumn::Package => (ranked(iflow_attr_ranks(store, true), |c, i| c.iflow[i]), None),
        SortColumn::Sender => (ranked(store.senders.ranks(), |c, i| c.sender[i]), None),
        SortColumn::Receiver => (ranked(store.receivers.ranks(), |c, i| c.receiver[i]), None),
        SortColumn::AppMessageType => (ranked(store.app_types.ranks(), |c, i| c.app_type[i]), None),
        SortColumn::AppMessageId => (id(IdField::AppId), Some(IdField::AppId)),
        SortColumn::CorrelationId => (id(IdField::Correlation), Some(IdField::Correlation)),
        SortColumn::MessageGuid => (id(IdField::Guid), Some(IdField::Guid)),
    };
    RowOrder {
        key: k,
        id: idf.map(|f| (f, desc)),
        store,
    }
}

/// Sort `rows` of `store` by `key` (a total order: ties newest first, then by row).
pub fn sort_rows(store: &MessageStore, rows: &mut [RowId], key: SortKey) {
    if key.column == SortColumn::Time && sort_nearly_sorted_by_time(store, rows, key.descending) {
        return;
    }
    let order = row_order(store, key);
    let mut pairs: Vec<(u64, RowId)> = rows.iter().map(|&r| ((order.key)(r), r)).collect();
    par_sort(&mut pairs);
    if let Some((field, desc)) = order.id {
        refine_id_runs_par(store, &mut pairs, field, desc);
    }
    for (dst, (_, r)) in rows.iter_mut().zip(pairs) {
        *dst = r;
    }
}

/// Sort by time in place when `rows` are already nearly in (or against) that order — the usual
/// case: messages arrive oldest to newest, so the store's rows are in time order but for the
/// few updated since. An adaptive stable sort then merges the natural runs with a buffer of one
/// `RowId` per row, where the general path holds a 16-byte key pair per row (twice, while the
/// halves merge): at 1M messages that is 4 MB instead of 32 MB at the moment the app builds its
/// first view. Returns false (leaving `rows` alone) when the rows are not nearly sorted.
pub(crate) fn sort_nearly_sorted_by_time(store: &MessageStore, rows: &mut [RowId], desc: bool) -> bool {
    let t = &store.cols.log_end;
    let cmp = |a: &RowId, b: &RowId| {
        let o = t[*a as usize].cmp(&t[*b as usize]);
        (if desc { o.reverse() } else { o }).then(a.cmp(b))
    };
    let n = rows.len();
    let out_of_order = rows.windows(2).filter(|w| cmp(&w[0], &w[1]).is_gt()).count();
    if out_of_order * 16 <= n {
        rows.sort_by(cmp);
        true
    } else if (n - 1 - out_of_order) * 16 <= n {
        rows.reverse();
        rows.sort_by(cmp);
        true
    } else {
        false
    }
}

/// The 8 bytes of an id at `depth` (zero-padded; flipped for descending order).
#[inline]
fn id_chunk(store: &MessageStore, r: RowId, field: IdField, desc: bool, depth: usize) -> u64 {
    let b = store.cols.id_bytes(r, field);
    let from = (depth * 8).min(b.len());
    let n = (b.len() - from).min(8);
    let mut w = [0u8; 8];
    w[..n].copy_from_slice(&b[from..from + n]);
    let k = u64::from_be_bytes(w);
    if desc { !k } else { k }
}

/// `refine_id_runs` from the first depth, the two halves (split at a run boundary) on both
/// cores: ids with a common prefix (`PO-45…`) leave thousands of small runs, each refined on its
/// own.
fn refine_id_runs_par(store: &MessageStore, pairs: &mut [(u64, RowId)], field: IdField, desc: bool) {
    let mut mid = pairs.len() / 2;
    while mid > 0 && mid < pairs.len() && pairs[mid - 1].0 == pairs[mid].0 {
        mid += 1;
    }
    if pairs.len() < PAR_MIN || mid == 0 || mid >= pairs.len() {
        refine_id_runs(store, pairs, field, desc, 1);
        return;
    }
    let (a, b) = pairs.split_at_mut(mid);
    std::thread::scope(|s| {
        s.spawn(|| refine_id_runs(store, a, field, desc, 1));
        refine_id_runs(store, b, field, desc, 1);
    });
}

/// MSD refinement of runs of equal keys: by the next 8 bytes of the id, and once every id of a run
/// is used up, by time (newest first), then row — the order of `id_cmp`.
fn refine_id_runs(
    store: &MessageStore,
    pairs: &mut [(u64, RowId)],
    field: IdField,
    desc: bool,
    depth: usize,
) {
    let mut i = 0;
    while i < pairs.len() {
        let k = pairs[i].0;
        let mut j = i + 1;
        while j < pairs.len() && pairs[j].0 == k {
            j += 1;
        }
        if j - i > 1 {
            let run = &mut pairs[i..j];
            let exhausted = run
                .iter()
                .all(|&(_, r)| store.cols.id_bytes(r, field).len() <= depth * 8);
            if exhausted {
                par_keys(run, |r| !tkey(store.cols.log_end[r as usize]));
                par_sort(run);
            } else {
                par_keys(run, |r| id_chunk(store, r, field, desc, depth));
                par_sort(run);
                refine_id_runs(store, run, field, desc, depth + 1);
            }
        }
        i = j;
    }
}

/// Dictionary rank (< 2^20) packed above 44 bits of inverted time: ties newest first.
#[inline]
fn rank_key(store: &MessageStore, desc: bool, rank: u32, r: RowId) -> u64 {
    let mut rk = u64::from(rank).min((1 << 20) - 1);
    if desc {
        rk = (1 << 20) - 1 - rk;
    }
    // Clamped to 44 bits of milliseconds (until the year 2527).
    let t = store.cols.log_end[r as usize].clamp(0, (1 << 44) - 1) as u64;
    (rk << 44) | ((1 << 44) - 1 - t)
}

/// Set each pair's key to `key(row)`, on both cores when the run is large (the id lookups are
/// random reads into the arena, so this part is memory-bound).
fn par_keys(pairs: &mut [(u64, RowId)], key: impl Fn(RowId) -> u64 + Sync) {
    let fill = |part: &mut [(u64, RowId)]| {
        for p in part.iter_mut() {
            p.0 = key(p.1);
        }
    };
    if pairs.len() < PAR_MIN {
        fill(pairs);
        return;
    }
    let (a, b) = pairs.split_at_mut(pairs.len() / 2);
    std::thread::scope(|s| {
        s.spawn(|| fill(a));
        fill(b);
    });
}

/// Sort on both cores when large: the halves in parallel, then one merge. Used for the whole
/// column and for large runs of equal prefixes (e.g. the half of the rows with no application id,
/// re-sorted by time), which would otherwise take one core.
fn par_sort(pairs: &mut [(u64, RowId)]) {
    if pairs.len() < PAR_MIN {
        pairs.sort_unstable();
        return;
    }
    let mid = pairs.len() / 2;
    {
        let (a, b) = pairs.split_at_mut(mid);
        std::thread::scope(|s| {
            s.spawn(|| a.sort_unstable());
            b.sort_unstable();
        });
    }
    let mut out = Vec::with_capacity(pairs.len());
    let (a, b) = pairs.split_at(mid);
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    pairs.copy_from_slice(&out);
}
