//! Filtering: status set, iFlow, time range and a case-insensitive text over the visible columns.
//!
//! The text is matched once against each dictionary's distinct values (a flag per code), then the
//! rows are scanned: a row matches when one of its codes is flagged, else its ids are searched
//! (`text::IdScratch`). Large inputs are split across both cores.

use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;

use super::store::{MessageStore, RowId};
use super::text::{IdScratch, Needle};

/// A set of statuses (empty = every status).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StatusSet(u16);

impl StatusSet {
    pub const fn empty() -> Self {
        Self(0)
    }
    pub fn of(statuses: &[MplStatus]) -> Self {
        statuses.iter().fold(Self(0), |s, &st| s.with(st))
    }
    pub fn with(self, s: MplStatus) -> Self {
        Self(self.0 | 1 << (s as u8))
    }
    pub fn without(self, s: MplStatus) -> Self {
        Self(self.0 & !(1 << (s as u8)))
    }
    pub fn contains(self, s: MplStatus) -> bool {
        self.0 & (1 << (s as u8)) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether a row with status `s` passes (an empty set passes all).
    pub fn admits(self, s: MplStatus) -> bool {
        self.0 == 0 || self.contains(s)
    }
    pub fn iter(self) -> impl Iterator<Item = MplStatus> {
        MplStatus::ALL.into_iter().filter(move |&s| self.contains(s))
    }
}

/// What the message table shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Query {
    /// Statuses to show; empty = all.
    pub statuses: StatusSet,
    /// Only this iFlow id (exact).
    pub iflow: Option<String>,
    /// Message time (`LogEnd`, else `LogStart`) at or after this.
    pub from: Option<EpochMs>,
    /// Message time at or before this.
    pub to: Option<EpochMs>,
    /// Case-insensitive substring over the text columns (see [`TEXT_COLUMNS`]).
    pub text: String,
}

/// The columns the text filter looks at.
pub const TEXT_COLUMNS: &[&str] = &[
    "MessageGuid",
    "CorrelationId",
    "ApplicationMessageId",
    "ApplicationMessageType",
    "iFlow id",
    "iFlow name",
    "Sender",
    "Receiver",
    "Status",
    "CustomStatus",
];

impl Query {
    /// Same filters except the text.
    pub fn same_structure(&self, other: &Query) -> bool {
        self.statuses == other.statuses
            && self.iflow == other.iflow
            && self.from == other.from
            && self.to == other.to
    }

    /// Whether every row matching `self` also matches `prev` (so `self` can refine `prev`'s
    /// result instead of scanning everything).
    pub fn refines(&self, prev: &Query) -> bool {
        self.same_structure(prev) && self.text.to_lowercase().contains(&prev.text.to_lowercase())
    }
}

/// Rows below which a pass stays on one thread.
const PAR_MIN: usize = 65_536;
/// Rows per id-search chunk (keeps the scratch buffer in L2).
const CHUNK: usize = 2048;

/// The subsequence of `candidates` (order kept) that matches `query`.
pub fn filter_rows(store: &MessageStore, candidates: &[RowId], query: &Query) -> Vec<RowId> {
    let Some(m) = Matcher::new(store, query) else {
        return Vec::new();
    };
    if candidates.len() < PAR_MIN {
        let mut out = Vec::new();
        m.run(store, candidates, &mut out);
        return out;
    }
    let mid = candidates.len() / 2;
    let (a, b) = candidates.split_at(mid);
    let (mut out, tail) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut o = Vec::new();
            m.run(store, b, &mut o);
            o
        });
        let mut o = Vec::new();
        m.run(store, a, &mut o);
        (o, h.join())
    });
    match tail {
        Ok(t) => out.extend_from_slice(&t),
        // A panic in the worker is a bug; redo its half here rather than lose rows.
        Err(_) => m.run(store, b, &mut out),
    }
    out
}

/// A compiled query.
struct Matcher {
    statuses: [bool; 16],
    iflow: Option<u32>,
    from: EpochMs,
    to: EpochMs,
    text: Option<TextMatch>,
}

struct TextMatch {
    needle: Needle,
    status: [bool; 16],
    iflow: Vec<bool>,
    sender: Vec<bool>,
    receiver: Vec<bool>,
    app_type: Vec<bool>,
    custom: Vec<bool>,
}

impl Matcher {
    /// `None` when nothing can match (unknown iFlow).
    fn new(store: &MessageStore, q: &Query) -> Option<Self> {
        let mut statuses = [false; 16];
        for s in MplStatus::ALL {
            statuses[s as usize] = q.statuses.admits(s);
        }
        let iflow = match &q.iflow {
            Some(id) => Some(store.iflows.code_of(id)?),
            None => None,
        };
        let needle = Needle::new(&q.text);
        let text = (!needle.is_empty()).then(|| {
            let mut status = [false; 16];
            for s in MplStatus::ALL {
                status[s as usize] = needle.matches_str(s.as_str());
            }
            let mut iflow = needle.match_dict(&store.iflows);
            for (code, info) in store.iflow_info.iter().enumerate() {
                if let Some(f) = iflow.get_mut(code) {
                    *f = *f || (!info.name.is_empty() && needle.matches_str(&info.name));
                }
            }
            TextMatch {
                status,
                iflow,
                sender: needle.match_dict(&store.senders),
                receiver: needle.match_dict(&store.receivers),
                app_type: needle.match_dict(&store.app_types),
                custom: needle.match_dict(&store.custom_statuses),
                needle,
            }
        });
        Some(Self {
            statuses,
            iflow,
            from: q.from.unwrap_or(EpochMs::MIN),
            to: q.to.unwrap_or(EpochMs::MAX),
            text,
        })
    }

    fn run(&self, store: &MessageStore, rows: &[RowId], out: &mut Vec<RowId>) {
        let c = &store.cols;
        let pass = |r: RowId| {
            let i = r as usize;
            let t = c.log_end[i];
            self.statuses[c.status[i] as usize & 15]
                && t >= self.from
                && t <= self.to
                && self.iflow.is_none_or(|f| c.iflow[i] == f)
        };
        let Some(tm) = &self.text else {
            out.extend(rows.iter().copied().filter(|&r| pass(r)));
            return;
        };
        let mut scratch = IdScratch::default();
        // Rows matched by a code and rows matched in their ids are collected per chunk with their
        // position, so the output keeps the candidates' order.
        let mut hits: Vec<(u32, RowId)> = Vec::with_capacity(CHUNK);
        let mut queued: Vec<u32> = Vec::with_capacity(CHUNK);
        for chunk in rows.chunks(CHUNK) {
            scratch.clear();
            hits.clear();
            queued.clear();
            for (p, &r) in chunk.iter().enumerate() {
                if !pass(r) {
                    continue;
                }
                let i = r as usize;
                if tm.status[c.status[i] as usize & 15]
                    || tm.iflow[c.iflow[i] as usize]
                    || tm.sender[c.sender[i] as usize]
                    || tm.receiver[c.receiver[i] as usize]
                    || tm.app_type[c.app_type[i] as usize]
                    || tm.custom[c.custom_status[i] as usize]
                {
                    hits.push((p as u32, r));
                } else {
                    scratch.push(c, r);
                    queued.push(p as u32);
                }
            }
            let code_hits = hits.len();
            if scratch.len() > 0 {
                scratch.search(&tm.needle, |k| {
                    let p = queued[k];
                    hits.push((p, chunk[p as usize]));
                });
            }
            if code_hits > 0 && hits.len() > code_hits {
                hits.sort_unstable_by_key(|&(p, _)| p);
            }
            out.extend(hits.iter().map(|&(_, r)| r));
        }
    }
}
