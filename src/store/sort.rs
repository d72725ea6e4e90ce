//! Sorting rows by any column: dictionary columns by the rank of their codes (the dictionary is
//! sorted once), times directly, ids by an 8-byte prefix key refined within ties. Ties are broken by
//! time, newest first, then by row, so the order is total and deterministic.

use std::cmp::Ordering;

use crate::cpi::model::MplStatus;

use super::batch::NO_TIME;
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

/// Below this many rows a sort runs on one thread.
const PAR_MIN: usize = 100_000;

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
        Box::new(move |r: RowId| {
            let b = c.id_bytes(r, field);
            let mut w = [0u8; 8];
            let n = b.len().min(8);
            w[..n].copy_from_slice(&b[..n]);
            flip(u64::from_be_bytes(w))
        }) as Box<dyn Fn(RowId) -> u64 + Sync + '_>
    };
    let (k, idf): (Box<dyn Fn(RowId) -> u64 + Sync + '_>, Option<IdField>) = match key.column {
        SortColumn::Time => (Box::new(move |r| flip(tkey(c.log_end[r as usize]))), None),
        SortColumn::LogStart => (Box::new(move |r| flip(tkey(c.log_start[r as usize]))), None),
        SortColumn::Duration => (
            Box::new(move |r| {
                let s = c.log_start[r as usize];
                let d = if s == NO_TIME {
                    i64::MIN
                } else {
                    c.log_end[r as usize] - s
                };
                flip(tkey(d))
            }),
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
    let order = row_order(store, key);
    sort_by_u64(rows, &order.key);
    if let Some((field, desc)) = order.id {
        // Finish each run of equal 8-byte prefixes with the full comparison.
        let mut i = 0;
        while i < rows.len() {
            let k = (order.key)(rows[i]);
            let mut j = i + 1;
            while j < rows.len() && (order.key)(rows[j]) == k {
                j += 1;
            }
            if j - i > 1 {
                rows[i..j].sort_unstable_by(|&a, &b| id_cmp(store, field, desc, a, b));
            }
            i = j;
        }
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

/// Sort by a u64 key, then row. On both cores for large inputs (two halves, then a merge).
fn sort_by_u64(rows: &mut [RowId], key: &(dyn Fn(RowId) -> u64 + Sync)) {
    let mut pairs: Vec<(u64, RowId)> = rows.iter().map(|&r| (key(r), r)).collect();
    par_sort(&mut pairs);
    for (dst, (_, r)) in rows.iter_mut().zip(pairs) {
        *dst = r;
    }
}

fn par_sort(pairs: &mut Vec<(u64, RowId)>) {
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
    *pairs = out;
}
