//! Filtering: status set, iFlow, time range and a case-insensitive text over the visible columns.
//!
//! The text is matched once against each dictionary's distinct values (a flag per code), then the
//! rows are scanned: a row matches when one of its codes is flagged, else its ids are searched
//! (`text::IdScratch`). Large inputs are split across both cores.

use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;

use super::columns::{Columns, IdField};
use super::store::{MessageStore, RowId};
use super::text::{IdScratch, Needle, OTHER, bit, scan_ids};

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
    /// Only messages whose `Receiver` names this one (exact, within a comma-joined list:
    /// `cpi::mpl_row::list_contains`); the local re-check of the server's `substringof`.
    pub receiver: Option<String>,
    /// The same for `Sender`.
    pub sender: Option<String>,
    /// Only messages with one of these custom statuses (case-insensitive); empty = all.
    pub custom_statuses: Vec<String>,
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
    /// Whether the query lets every row through.
    pub fn is_everything(&self) -> bool {
        self.text.is_empty()
            && self.statuses.is_empty()
            && self.iflow.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.receiver.is_none()
            && self.sender.is_none()
            && self.custom_statuses.is_empty()
    }

    /// Same filters except the text.
    pub fn same_structure(&self, other: &Query) -> bool {
        self.statuses == other.statuses
            && self.iflow == other.iflow
            && self.from == other.from
            && self.to == other.to
            && self.receiver == other.receiver
            && self.sender == other.sender
            && self.custom_statuses == other.custom_statuses
    }

    /// Whether every row matching `self` also matches `prev` (so `self` can refine `prev`'s
    /// result instead of scanning everything).
    pub fn refines(&self, prev: &Query) -> bool {
        self.same_structure(prev) && self.text.to_lowercase().contains(&prev.text.to_lowercase())
    }
}

/// Rows below which a pass stays on one thread.
#[cfg(not(test))]
const PAR_MIN: usize = 65_536;
/// Small in unit tests, so that they cover the two-thread path.
#[cfg(test)]
const PAR_MIN: usize = 64;
/// Rows per id-search chunk of the per-row path (keeps the scratch buffer in L2; at most 64 × 64
/// so that a chunk's hits fit one `[u64; 64]`).
const CHUNK: usize = 2048;

/// Whether to decide the candidates in row order with one pass over (their part of) the id arena
/// (`Matcher::decide_all`) rather than copying their ids one by one: unless they are a small
/// part of the store, the row-order pass is cheaper.
fn decide_in_row_order(store: &MessageStore, candidates: &[RowId]) -> bool {
    candidates.len() >= SCAN_MIN && candidates.len() * 16 >= store.len()
}

/// Candidates below which the per-row path is always taken.
#[cfg(not(test))]
const SCAN_MIN: usize = 4096;
#[cfg(test)]
const SCAN_MIN: usize = 16;

/// The subsequence of `candidates` (order kept) that matches `query`.
///
/// Two strategies for a text: unless the candidates are a small part of the store (a first
/// keystroke, or refining a large result), the candidate rows are decided once in row order —
/// dictionary codes, character sets, then one pass over the part of the id arena that still needs
/// searching ([`Matcher::decide_all`]) — and picked by a bit each; otherwise (refining a small
/// result) only the candidates are examined, their ids copied one by one
/// ([`Matcher::run_per_row`]).
pub fn filter_rows(store: &MessageStore, candidates: &[RowId], query: &Query) -> Vec<RowId> {
    let Some(m) = Matcher::new(store, query) else {
        return Vec::new();
    };
    let decided = match &m.text {
        Some(tm) if decide_in_row_order(store, candidates) => Some(m.decide_all(store, tm, candidates)),
        _ => None,
    };
    let decided = decided.as_deref();
    let run = |rows: &[RowId]| -> Vec<RowId> {
        // Room for every candidate up front: no re-allocation while 1M rows are pushed, and
        // no memory cost (untouched pages are never faulted in; the spare capacity is given
        // back below).
        let mut out = Vec::with_capacity(rows.len());
        match (&m.text, decided) {
            (None, _) => m.run_structural(store, rows, &mut out),
            (Some(_), Some(bits)) => {
                out.extend(rows.iter().copied().filter(|&r| bit(bits, r as usize)));
            }
            (Some(tm), None) => m.run_per_row(store, tm, rows, &mut out),
        }
        out
    };
    let mut out = if candidates.len() < PAR_MIN {
        run(candidates)
    } else {
        let mid = candidates.len() / 2;
        let (a, b) = candidates.split_at(mid);
        let (mut out, tail) = std::thread::scope(|s| {
            let h = s.spawn(|| run(b));
            (run(a), h.join())
        });
        // A panic in the worker is a bug; redo its half here rather than lose rows.
        let tail = tail.unwrap_or_else(|_| run(b));
        out.reserve_exact(tail.len());
        out.extend_from_slice(&tail);
        out
    };
    out.shrink_to_fit();
    out
}

/// Benchmark probe: the row-order decision pass of a first keystroke alone
/// ([`Matcher::decide_all`] over the whole store); returns the number of rows decided.
#[doc(hidden)]
pub fn decide_probe(store: &MessageStore, text: &str) -> usize {
    let q = Query {
        text: text.into(),
        ..Query::default()
    };
    let Some(m) = Matcher::new(store, &q) else {
        return 0;
    };
    let Some(tm) = &m.text else { return 0 };
    let all: Vec<RowId> = (0..store.len() as RowId).collect();
    m.decide_all(store, tm, &all)
        .iter()
        .map(|w| w.count_ones() as usize)
        .sum()
}

/// A compiled query.
struct Matcher {
    /// Whether any filter other than the text is set (else `pass` is true for every row).
    restricts: bool,
    statuses: [bool; 16],
    iflow: Option<u32>,
    from: EpochMs,
    to: EpochMs,
    /// Per receiver / sender / custom status code: whether it passes (`None`: no such filter).
    receiver: Option<Vec<bool>>,
    sender: Option<Vec<bool>>,
    custom: Option<Vec<bool>>,
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
    /// Whether `iflow`, `sender`, `receiver`, `app_type`, `custom` have any flag set.
    any: [bool; 5],
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
            let sender = needle.match_dict(&store.senders);
            let receiver = needle.match_dict(&store.receivers);
            let app_type = needle.match_dict(&store.app_types);
            let custom = needle.match_dict(&store.custom_statuses);
            let any = [&iflow, &sender, &receiver, &app_type, &custom].map(|f| f.contains(&true));
            TextMatch {
                status,
                iflow,
                sender,
                receiver,
                app_type,
                custom,
                any,
                needle,
            }
        });
        let member = |d: &super::dict::Dict, name: &Option<String>| {
            name.as_deref().map(|n| {
                d.values()
                    .map(|v| crate::cpi::mpl_row::list_contains(v, n))
                    .collect::<Vec<bool>>()
            })
        };
        let receiver = member(&store.receivers, &q.receiver);
        let sender = member(&store.senders, &q.sender);
        let custom = (!q.custom_statuses.is_empty()).then(|| {
            store
                .custom_statuses
                .values()
                .map(|v| {
                    q.custom_statuses
                        .iter()
                        .any(|c| c.trim().eq_ignore_ascii_case(v.trim()))
                })
                .collect::<Vec<bool>>()
        });
        Some(Self {
            restricts: !q.statuses.is_empty()
                || iflow.is_some()
                || q.from.is_some()
                || q.to.is_some()
                || receiver.is_some()
                || sender.is_some()
                || custom.is_some(),
            statuses,
            iflow,
            from: q.from.unwrap_or(EpochMs::MIN),
            to: q.to.unwrap_or(EpochMs::MAX),
            receiver,
            sender,
            custom,
            text,
        })
    }

    /// Whether row `i` passes the receiver, sender and custom-status filters.
    #[inline(always)]
    fn parties(&self, c: &Columns, i: usize) -> bool {
        let ok = |flags: &Option<Vec<bool>>, code: u32| {
            flags
                .as_ref()
                .is_none_or(|f| f.get(code as usize).copied().unwrap_or(false))
        };
        ok(&self.receiver, c.receiver[i])
            && ok(&self.sender, c.sender[i])
            && ok(&self.custom, c.custom_status[i])
    }

    /// Whether row `r` passes the filters other than the text.
    #[inline(always)]
    fn pass(&self, store: &MessageStore, r: RowId) -> bool {
        let c = &store.cols;
        let i = r as usize;
        let t = c.log_end[i];
        self.statuses[c.status[i] as usize & 15]
            && t >= self.from
            && t <= self.to
            && self.iflow.is_none_or(|f| c.iflow[i] == f)
            && self.parties(c, i)
    }

    /// Bit `j` set when row `from + j` (`j < len ≤ 64`) fails the filters other than the text.
    /// Branch-free over column slices, so the loads of a word's rows overlap.
    #[inline(always)]
    fn fail_word(&self, c: &Columns, from: usize, len: usize) -> u64 {
        let end = from + len;
        let (st, fl, t) = (&c.status[from..end], &c.iflow[from..end], &c.log_end[from..end]);
        let mut fail = 0u64;
        for j in 0..len {
            let ok = self.statuses[st[j] as usize & 15]
                & (t[j] >= self.from)
                & (t[j] <= self.to)
                & self.iflow.is_none_or(|f| fl[j] == f)
                & self.parties(c, from + j);
            fail |= u64::from(!ok) << j;
        }
        fail
    }

    /// Append the rows of `rows` that pass (no text), in order.
    fn run_structural(&self, store: &MessageStore, rows: &[RowId], out: &mut Vec<RowId>) {
        for &r in rows {
            if self.pass(store, r) {
                out.push(r);
            }
        }
    }

    /// Decide the candidate rows in row order, across both cores: bit `r` of the result is set
    /// when row `r` is a candidate, passes the other filters and matches the text (a dictionary
    /// code, else an id). `filter_rows` then picks the candidates whose bit is set.
    ///
    /// Per word of 64 rows: the rows that still `need` their ids searched are the candidates that
    /// pass, match no code and hold every character class of the needle. The id arena is read
    /// only for them — or, when they are most of the word, for the whole word (reading a few
    /// extra rows costs less than cutting the `memmem` runs short); hits outside `need` are
    /// dropped.
    fn decide_all(&self, store: &MessageStore, tm: &TextMatch, candidates: &[RowId]) -> Vec<u64> {
        let n = store.cols.len();
        let words = n.div_ceil(64);
        let cand = if candidates.len() == n {
            None // every row (a first keystroke from the full order)
        } else {
            let mut c = vec![0u64; words];
            for &r in candidates {
                c[r as usize / 64] |= 1 << (r % 64);
            }
            Some(c)
        };
        let cand = cand.as_deref();
        let mut hit = vec![0u64; words];
        let mut need = vec![0u64; words];
        let by_chars = tm.needle.decided_by_chars();
        let decide = |first_word: usize, hit: &mut [u64], need: &mut [u64]| {
            let start = first_word * 64;
            let mut odd = vec![0u64; hit.len()];
            for (w, (h, nd)) in hit.iter_mut().zip(need.iter_mut()).enumerate() {
                let from = start + w * 64;
                let len = (n - from).min(64);
                let all = u64::MAX >> (64 - len);
                let c = cand.map_or(all, |c| c[first_word + w]);
                if c == 0 {
                    continue;
                }
                let fail = if self.restricts {
                    self.fail_word(&store.cols, from, len)
                } else {
                    0
                };
                let live = c & !fail;
                let code = tm.code_word(&store.cols, from, len) & live;
                // The rows whose ids hold every character class of the needle: for a
                // one-character needle exactly those that contain it.
                // Rows with an unusual byte in their ids (`other`) get the Unicode check below.
                let chars = &store.cols.id_chars[from..from + len];
                let (mut has, mut other) = (0u64, 0u64);
                for (j, &set) in chars.iter().enumerate() {
                    has |= u64::from(set & tm.needle.chars == tm.needle.chars) << j;
                    other |= u64::from(set & OTHER != 0) << j;
                }
                odd[w] = live & other;
                if by_chars {
                    *h = code | (has & live);
                } else {
                    *h = code;
                    *nd = live & !code & has;
                }
            }
            let unicode = |hit: &mut [u64]| {
                for (w, (h, &o)) in hit.iter_mut().zip(&odd).enumerate() {
                    let mut rest = o & !*h;
                    while rest != 0 {
                        let j = rest.trailing_zeros();
                        if tm.unicode_id_hit(&store.cols, (start + w * 64) as RowId + j) {
                            *h |= 1 << j;
                        }
                        rest &= rest - 1;
                    }
                }
            };
            if by_chars {
                unicode(hit);
                return;
            }
            // `skip`: the rows whose ids are not read (outside `need`, small gaps filled);
            // `found`: the id hits.
            let mut found = vec![0u64; need.len()];
            let skip: Vec<u64> = need
                .iter()
                .map(|&nd| {
                    if nd.count_ones() >= 32 {
                        0
                    } else {
                        // Gaps of up to four rows are read rather than skipped: cutting a run
                        // costs a `memmem` call, more than reading a few rows' ids.
                        !(nd | nd << 1 | nd >> 1 | nd << 2 | nd >> 2)
                    }
                })
                .collect();
            let end = (start + need.len() * 64).min(n);
            scan_ids(
                &store.cols,
                start as u32..end as u32,
                &tm.needle,
                &skip,
                &mut found,
            );
            for ((h, &nd), &f) in hit.iter_mut().zip(need.iter()).zip(&found) {
                *h |= f & nd;
            }
            unicode(hit);
        };
        if n < PAR_MIN {
            decide(0, &mut hit, &mut need);
            return hit;
        }
        let mid = words / 2;
        let (h1, h2) = hit.split_at_mut(mid);
        let (n1, n2) = need.split_at_mut(mid);
        let worker = std::thread::scope(|s| {
            let w = s.spawn(|| decide(mid, &mut *h2, &mut *n2));
            decide(0, h1, n1);
            w.join()
        });
        if worker.is_err() {
            // A panic in the worker is a bug; redo its half here rather than miss rows.
            h2.fill(0);
            n2.fill(0);
            decide(mid, h2, n2);
        }
        hit
    }

    /// Append the rows of `rows` that match, in order, searching the ids of each row that needs
    /// it (copied and folded per row, in chunks).
    fn run_per_row(&self, store: &MessageStore, tm: &TextMatch, rows: &[RowId], out: &mut Vec<RowId>) {
        let c = &store.cols;
        let mut scratch = IdScratch::default();
        // The chunk positions that match (code or id), so the output keeps the candidates' order
        // without sorting.
        let mut hit = [0u64; CHUNK / 64];
        let mut queued: Vec<u32> = Vec::with_capacity(CHUNK);
        for chunk in rows.chunks(CHUNK) {
            scratch.clear();
            queued.clear();
            hit.fill(0);
            for (p, &r) in chunk.iter().enumerate() {
                if !self.pass(store, r) {
                    continue;
                }
                if tm.code_hit(store, r) {
                    hit[p / 64] |= 1 << (p % 64);
                } else if c.id_chars[r as usize] & OTHER != 0 {
                    if tm.unicode_id_hit(c, r) {
                        hit[p / 64] |= 1 << (p % 64);
                    }
                } else if c.id_chars[r as usize] & tm.needle.chars == tm.needle.chars {
                    scratch.push(c, r);
                    queued.push(p as u32);
                }
            }
            if scratch.len() > 0 {
                scratch.search(&tm.needle, |k| {
                    let p = queued[k] as usize;
                    hit[p / 64] |= 1 << (p % 64);
                });
            }
            for (w, &word) in hit.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let p = w * 64 + word.trailing_zeros() as usize;
                    out.push(chunk[p]);
                    word &= word - 1;
                }
            }
        }
    }
}

impl TextMatch {
    /// Bit `j` set when one of row `from + j`'s dictionary-coded cells contains the needle
    /// (`j < len ≤ 64`). Branch-free over column slices, like `Matcher::fail_word`.
    #[inline(always)]
    fn code_word(&self, c: &Columns, from: usize, len: usize) -> u64 {
        let end = from + len;
        let mut code = 0u64;
        // Only the columns with a matching value are read: most texts match few dictionaries.
        if self.status.iter().any(|&f| f) {
            for (j, &st) in c.status[from..end].iter().enumerate() {
                code |= u64::from(self.status[st as usize & 15]) << j;
            }
        }
        for (flags, any, col) in [
            (&self.iflow, self.any[0], &c.iflow),
            (&self.sender, self.any[1], &c.sender),
            (&self.receiver, self.any[2], &c.receiver),
            (&self.app_type, self.any[3], &c.app_type),
            (&self.custom, self.any[4], &c.custom_status),
        ] {
            if any {
                for (j, &v) in col[from..end].iter().enumerate() {
                    let f = flags.get(v as usize).copied().unwrap_or(false);
                    code |= u64::from(f) << j;
                }
            }
        }
        code
    }

    /// Whether one of row `r`'s ids contains the needle, lower-casing them the Unicode way: for
    /// the rare rows with bytes outside the character classes.
    fn unicode_id_hit(&self, c: &Columns, r: RowId) -> bool {
        [IdField::Guid, IdField::Correlation, IdField::AppId]
            .into_iter()
            .any(|f| c.id_str(r, f).to_lowercase().contains(&self.needle.lower))
    }

    /// Whether one of row `r`'s dictionary-coded cells contains the needle.
    #[inline(always)]
    fn code_hit(&self, store: &MessageStore, r: RowId) -> bool {
        let c = &store.cols;
        let i = r as usize;
        self.status[c.status[i] as usize & 15]
            || self.iflow[c.iflow[i] as usize]
            || self.sender[c.sender[i] as usize]
            || self.receiver[c.receiver[i] as usize]
            || self.app_type[c.app_type[i] as usize]
            || self.custom[c.custom_status[i] as usize]
    }
}
