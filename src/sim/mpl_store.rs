//! The live MPL state: which messages are visible now and with which LogEnd. Messages themselves
//! are generated (`mpl_gen`); this keeps only
//! - `index`: `(visible LogEnd, message index)` of every visible message, sorted — a LogEnd range
//!   is two binary searches and a page is a slice (16 bytes per message),
//! - `pending`: future phase changes (arrivals becoming visible after their commit lag,
//!   PROCESSING → done, each RETRY attempt),
//! - `overrides`: messages changed by admin hooks or queue deletes.
//!
//! `advance(now)` applies everything due; every request calls it first, so the set moves under a
//! client exactly as a tenant's would (messages appear 0–1.5 s after their LogEnd, RETRY and
//! PROCESSING messages move to a later LogEnd).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

use super::mpl_gen::{Gen, Life, Status};

/// Salt of the hash that picks the RETRY messages whose rows hang without a `LogEnd`.
const SALT_HANG: u64 = 45;

/// A message whose state no longer follows its generated life.
#[derive(Debug, Clone)]
pub struct Override {
    /// Never visible (arrived while its iFlow was not started).
    pub absent: bool,
    pub status: Status,
    pub log_end: i64,
    pub visible_at: i64,
    pub error: Option<String>,
}

pub struct MplStore {
    pub mg: Gen,
    /// Visible messages with a `LogEnd`, by `(LogEnd, index)`.
    index: Vec<(i64, u32)>,
    /// Real-tenant behaviour (docs/sim.md, "Messages in flight"): PROCESSING phases, and the
    /// RETRY phases of a third of the retried messages, have no `LogEnd` and are kept here
    /// instead of in `index`. Off (`SimConfig::clean`): every phase has its `LogEnd`.
    realistic: bool,
    /// Visible messages without a `LogEnd` (only when `realistic`).
    in_flight: BTreeSet<u32>,
    /// Visible messages whose current phase is PROCESSING or RETRY (in `index` or `in_flight`):
    /// what an in-flight listing scans instead of every message.
    open: BTreeSet<u32>,
    pending: BinaryHeap<Reverse<(i64, u32, u8)>>,
    next_arrival: u32,
    overrides: HashMap<u32, Override>,
    /// "Fail the next N messages of this iFlow", per flow: `(remaining, error text)`.
    pub fail_next: HashMap<u16, (u32, String)>,
    /// Flows whose artifact is not STARTED: their arrivals never become visible.
    pub stopped: HashSet<u16>,
    now: i64,
    /// Message rows the list requests have answered with so far (tests count what a client
    /// downloads: `SimAdmin::mpl_rows_served`).
    pub rows_served: std::sync::atomic::AtomicU64,
}

/// Phase number of an override's own visibility event.
const OVERRIDE_PHASE: u8 = 255;

impl MplStore {
    /// Build the history visible at `mg.t0`, every phase with its `LogEnd` (a clean tenant).
    pub fn new(mg: Gen, stopped: HashSet<u16>) -> Self {
        Self::with_realism(mg, stopped, false)
    }

    /// Build the history visible at `mg.t0`; `realistic`: messages in flight have no `LogEnd`.
    pub fn with_realism(mg: Gen, stopped: HashSet<u16>, realistic: bool) -> Self {
        let now = mg.t0;
        let mut index = Vec::with_capacity(mg.hist_n as usize + 1024);
        let mut pending = BinaryHeap::new();
        let mut in_flight = BTreeSet::new();
        let mut open = BTreeSet::new();
        for i in 0..mg.hist_n {
            let life = mg.life(i);
            for (k, p) in life.phases().iter().enumerate() {
                if p.visible_at > now {
                    pending.push(Reverse((p.visible_at, i, k as u8)));
                }
            }
            if let Some(p) = life.at(now) {
                if is_open(p.status) {
                    open.insert(i);
                }
                if realistic && no_end(&mg, i, p.status) {
                    in_flight.insert(i);
                } else {
                    index.push((p.log_end, i));
                }
            }
        }
        index.sort_unstable();
        let mut s = Self {
            next_arrival: mg.hist_n,
            mg,
            index,
            realistic,
            in_flight,
            open,
            pending,
            overrides: HashMap::new(),
            fail_next: HashMap::new(),
            stopped,
            now,
            rows_served: std::sync::atomic::AtomicU64::new(0),
        };
        s.advance(now);
        s
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    /// Apply arrivals and phase changes up to `now` (time never goes back).
    pub fn advance(&mut self, now: i64) {
        if now > self.now {
            self.now = now;
        }
        let now = self.now;
        while self.next_arrival < self.mg.max_index && self.mg.log_start(self.next_arrival) <= now {
            let i = self.next_arrival;
            self.next_arrival += 1;
            self.arrive(i);
        }
        while let Some(&Reverse((t, i, k))) = self.pending.peek() {
            if t > now {
                break;
            }
            self.pending.pop();
            self.apply_event(i, k);
        }
    }

    fn arrive(&mut self, i: u32) {
        let life = self.mg.life(i);
        if self.stopped.contains(&life.flow) {
            self.overrides.insert(
                i,
                Override {
                    absent: true,
                    status: Status::Completed,
                    log_end: 0,
                    visible_at: 0,
                    error: None,
                },
            );
            return;
        }
        if let Some((left, text)) = self.fail_next.get_mut(&life.flow) {
            let p0 = life.phases[0];
            let o = Override {
                absent: false,
                status: Status::Failed,
                log_end: p0.log_end,
                visible_at: p0.visible_at,
                error: Some(text.clone()),
            };
            *left -= 1;
            if *left == 0 {
                self.fail_next.remove(&life.flow);
            }
            self.pending.push(Reverse((o.visible_at, i, OVERRIDE_PHASE)));
            self.overrides.insert(i, o);
            return;
        }
        for (k, p) in life.phases().iter().enumerate() {
            self.pending.push(Reverse((p.visible_at, i, k as u8)));
        }
    }

    fn apply_event(&mut self, i: u32, k: u8) {
        if k == OVERRIDE_PHASE {
            if let Some(o) = self.overrides.get(&i)
                && !o.absent
            {
                let key = (o.log_end, i);
                self.insert(key);
            }
            return;
        }
        if self.overrides.contains_key(&i) {
            return;
        }
        let life = self.mg.life(i);
        if k > 0 {
            let prev = life.phases[k as usize - 1];
            self.unplace(i, prev.log_end);
        }
        let p = life.phases[k as usize];
        self.place(i, p.log_end, p.status);
    }

    /// Make message `i` visible in a phase: in `in_flight` when it has no `LogEnd`, else in
    /// `index`; in `open` while PROCESSING or RETRY.
    fn place(&mut self, i: u32, log_end: i64, status: Status) {
        if is_open(status) {
            self.open.insert(i);
        } else {
            self.open.remove(&i);
        }
        if self.realistic && no_end(&self.mg, i, status) {
            self.in_flight.insert(i);
        } else {
            self.insert((log_end, i));
        }
    }

    /// Take message `i`'s current phase (with `log_end`) out of `index` or `in_flight`.
    fn unplace(&mut self, i: u32, log_end: i64) {
        if !self.in_flight.remove(&i) {
            self.remove((log_end, i));
        }
    }

    fn insert(&mut self, key: (i64, u32)) {
        // New keys are near the end: search from there.
        let pos = self.index.partition_point(|e| *e < key);
        if self.index.get(pos) != Some(&key) {
            self.index.insert(pos, key);
        }
    }

    fn remove(&mut self, key: (i64, u32)) {
        if let Ok(pos) = self.index.binary_search(&key) {
            self.index.remove(pos);
        } else {
            tracing::debug!(?key, "sim: index entry to move was not present");
        }
    }

    /// The state of message `i` as visible now: `(status, log_end)`, `None` if not visible.
    pub fn state(&self, i: u32) -> Option<MsgState> {
        if let Some(o) = self.overrides.get(&i) {
            if o.absent || o.visible_at > self.now {
                return None;
            }
            let life = self.mg.life(i);
            return Some(MsgState {
                i,
                life,
                status: o.status,
                log_end: o.log_end,
                in_flight: false,
                real: self.realistic,
                error: o.error.clone(),
            });
        }
        if i >= self.next_arrival {
            return None;
        }
        let life = self.mg.life(i);
        let p = life.at(self.now)?;
        Some(MsgState {
            i,
            life,
            status: p.status,
            log_end: p.log_end,
            in_flight: self.in_flight.contains(&i),
            real: self.realistic,
            error: None,
        })
    }

    /// The state of an index entry (already known visible); `(i64::MIN, i)` names a message
    /// in flight.
    pub fn state_of_entry(&self, (log_end, i): (i64, u32)) -> MsgState {
        if log_end == i64::MIN
            && let Some(st) = self.state(i)
        {
            return st;
        }
        match self.overrides.get(&i) {
            Some(o) => MsgState {
                i,
                life: self.mg.life(i),
                status: o.status,
                log_end,
                in_flight: false,
                real: self.realistic,
                error: o.error.clone(),
            },
            None => {
                let life = self.mg.life(i);
                let status = life.at(self.now).map_or(Status::Completed, |p| p.status);
                MsgState {
                    i,
                    life,
                    status,
                    log_end,
                    in_flight: !self.in_flight.is_empty() && self.in_flight.contains(&i),
                    real: self.realistic,
                    error: None,
                }
            }
        }
    }

    /// Visible messages without a `LogEnd` (in flight), in arrival order.
    pub fn in_flight(&self) -> impl DoubleEndedIterator<Item = u32> + '_ {
        self.in_flight.iter().copied()
    }

    /// How many visible messages have no `LogEnd`.
    pub fn in_flight_len(&self) -> usize {
        self.in_flight.len()
    }

    /// Visible messages that are PROCESSING or RETRY, in arrival order.
    pub fn open(&self) -> impl Iterator<Item = u32> + '_ {
        self.open.iter().copied()
    }

    /// Visible entries sorted by LogEnd.
    pub fn index(&self) -> &[(i64, u32)] {
        &self.index
    }

    /// Index range of entries with LogEnd in `[lo, hi)`.
    pub fn range(&self, lo: Option<i64>, hi: Option<i64>) -> std::ops::Range<usize> {
        let a = lo.map_or(0, |lo| self.index.partition_point(|e| e.0 < lo));
        let b = hi.map_or(self.index.len(), |hi| self.index.partition_point(|e| e.0 < hi));
        a..b.max(a)
    }

    /// Set a visible message's final state (e.g. CANCELLED when its queued JMS message is
    /// deleted, §5.4). Its LogEnd becomes `now`.
    pub fn set_final(&mut self, i: u32, status: Status, error: Option<String>) -> bool {
        let Some(cur) = self.state(i) else { return false };
        self.unplace(i, cur.log_end);
        self.open.remove(&i);
        let now = self.now;
        self.overrides.insert(
            i,
            Override {
                absent: false,
                status,
                log_end: now,
                visible_at: now,
                error,
            },
        );
        self.insert((now, i));
        true
    }

    /// Number of messages generated so far (history plus arrivals).
    pub fn arrived(&self) -> u32 {
        self.next_arrival
    }
}

#[derive(Debug, Clone)]
pub struct MsgState {
    pub i: u32,
    pub life: Life,
    pub status: Status,
    /// The phase's `LogEnd`; not sent when `in_flight`.
    pub log_end: i64,
    /// The message is in flight and its row has no `LogEnd` (docs/sim.md, "Messages in
    /// flight").
    pub in_flight: bool,
    /// The sim's realism is on (not `SimConfig::clean`): rows show real tenants' quirks.
    pub real: bool,
    /// Error text set by an override (else the generated one applies).
    pub error: Option<String>,
}

/// PROCESSING or RETRY: not final.
fn is_open(status: Status) -> bool {
    matches!(status, Status::Processing | Status::Retry)
}

/// Whether message `i` in `status` has no `LogEnd` on a real tenant: every PROCESSING row, and
/// the RETRY rows of a third of the retried messages (those that hang).
pub fn no_end(mg: &Gen, i: u32, status: Status) -> bool {
    match status {
        Status::Processing => true,
        Status::Retry => mg.h(i, SALT_HANG) % 3 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> MplStore {
        MplStore::new(
            Gen::new(7, 1_700_000_000_000, 20_000, 3_600_000, 5.0),
            HashSet::new(),
        )
    }

    fn assert_consistent(s: &MplStore) {
        assert!(
            s.index().windows(2).all(|w| w[0] < w[1]),
            "index sorted and unique"
        );
        for &(le, i) in s.index() {
            let st = s.state(i).expect("indexed messages are visible");
            assert_eq!(st.log_end, le, "message {i}");
        }
    }

    #[test]
    fn history_is_indexed_and_moves_with_time() {
        let mut s = store();
        let start = s.index().len();
        assert!(start > 19_000, "{start}");
        assert_consistent(&s);
        s.advance(s.now() + 20 * 60_000);
        assert!(
            s.index().len() >= start + 5 * 60 * 20 - 50,
            "arrivals: {}",
            s.index().len()
        );
        assert_consistent(&s);
        // A message in RETRY moved: its LogEnd is later than its first attempt's.
        let moved = s.index().iter().any(|&(le, i)| {
            let l = s.mg.life(i);
            l.n > 1 && le > l.phases[0].log_end
        });
        assert!(moved);
    }

    #[test]
    fn overrides_fail_next_and_stopped_flows() {
        let mut s = store();
        let i = s.index()[100].1;
        assert!(s.set_final(i, Status::Cancelled, None));
        assert_eq!(s.state(i).map(|m| m.status), Some(Status::Cancelled));
        assert_consistent(&s);
        let flow = s.mg.flow_of(s.arrived());
        s.stopped.insert(flow);
        let before = s.arrived();
        s.advance(s.now() + 60_000);
        let none_of_flow = (before..s.arrived())
            .filter(|&j| s.mg.flow_of(j) == flow)
            .all(|j| s.state(j).is_none());
        assert!(none_of_flow);
        s.stopped.clear();
        s.fail_next.insert(flow, (2, "boom".into()));
        let before = s.arrived();
        s.advance(s.now() + 600_000);
        let failed: Vec<_> = (before..s.arrived())
            .filter(|&j| s.mg.flow_of(j) == flow)
            .filter_map(|j| s.state(j))
            .filter(|m| m.error.as_deref() == Some("boom"))
            .collect();
        assert_eq!(failed.len(), 2);
        assert!(failed.iter().all(|m| m.status == Status::Failed));
        assert_consistent(&s);
    }
}
