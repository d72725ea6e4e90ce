//! Following a loaded MPL window with deltas that never download a held message again.
//!
//! # The problem with an overlap
//!
//! A delta that reads `LogEnd ge watermark` loses messages: a message becomes visible some time
//! after its `LogEnd` (commit lag; the simulated tenant models 0–1.5 s, SAP documents no bound
//! — **U**), so one whose `LogEnd` lies just below the previous watermark may have been
//! invisible to the previous request. Re-reading an overlap (`LogEnd ge watermark − overlap`)
//! catches it, but downloads every message of the overlap again: at 35 messages/s, a 3 s live
//! refresh and a 10 s overlap, three of every four rows of a delta were already held.
//!
//! # The check
//!
//! So a delta reads only `LogEnd ge watermark`, and every `check_every` (default 10 s; 0 = every
//! refresh) a refresh makes two requests:
//! 1. **the check** lists `[checked − overlap, watermark)` — `checked` being the watermark of the
//!    previous check (or of the load) — with `$select=MessageGuid,LogEnd` only (a tenth of a lean
//!    row's bytes), and compares it with what this follower has received (`seen`): a listed
//!    message not received, or received with an older `LogEnd`, became visible late;
//! 2. **the delta** reads the full rows of `LogEnd ge watermark` *or* one of those late messages
//!    by id: `(LogEnd ge datetime'…' or MessageGuid eq '…' or …)`. No held row is read again.
//!    At most `late_by_id` (default `MAX_LATE_BY_ID`) go into one delta, for the URL's length;
//!    the rest wait for the next refreshes' deltas. Only if more than `PENDING_DELTAS` deltas'
//!    worth wait are they read by range, from the oldest on, re-reading the held rows after it.
//!
//! Between checks a refresh is the delta alone. The price is latency for late messages only: one
//! that became visible after the delta past its `LogEnd` shows up with the next check (within
//! `check_every` plus a refresh or two) instead of with the next refresh. For the figures
//! (requests per minute, rows per refresh) see docs/benchmarks.md.
//!
//! **U**: `or` and `MessageGuid eq` are each documented for MPL filters; mixing a `LogEnd`
//! range and ids in one `or` is what the simulated tenant accepts, not something seen on a real
//! tenant. Should a tenant reject it (HTTP 400), the delta is read again by range at once and the
//! follower reads late messages by range from then on (`reject_ids`); `late_by_id = 0` does so
//! from the start.
//!
//! # Messages in flight
//!
//! Rows without a `LogEnd` (messages in flight) are in no `LogEnd` range, so neither the check
//! nor the delta can see them; they are never `observe`d here. They come with the in-flight
//! listing (`mpl_window`, "In-flight messages"), which a delta sends with the check's cadence
//! (`listed_at`, every `check_every`). When such a message ends, its final row carries a
//! `LogEnd` at or after the change — after the previous refresh began — so the next delta reads
//! it (or, if it commits late, the check finds it late), and it replaces the running row.
//!
//! A message whose status changes gets a later `LogEnd` (`mpl_window`'s watermark argument), so
//! it comes with a delta or, if its new state commits late, with the check's late list. What the
//! check cannot see is what the overlap never saw either: a message that becomes visible more
//! than `delta_overlap` after its `LogEnd`.

use std::collections::HashMap;

use super::odata::EpochMs;

/// The `$select` of the check: the key and what says whether the held copy is current.
pub(crate) const CHECK_SELECT: &str = "MessageGuid,LogEnd";

/// At most this many late messages are fetched by id in the delta's filter (each adds ~50
/// characters to the URL, 40 make ~2.3 KB); the rest wait for the next deltas (`plan_delta`).
pub(crate) const MAX_LATE_BY_ID: usize = 40;

/// Late messages waiting beyond this many deltas' worth are read by range instead.
const PENDING_DELTAS: usize = 4;

/// Where a followed window stands: the watermark of the next delta and the messages received
/// recently enough that the next check lists them. Returned by `fetch_mpl_window` and by each
/// `fetch_mpl_delta` (as `MplLoadOutcome::follow`); a failed delta leaves the previous one
/// valid. Holds the keys received since `overlap` before the last check: ≈ 700 at 35
/// messages/s with the default 10 s and 10 s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MplFollow {
    watermark: EpochMs,
    /// The watermark of the last check (or of the load): the next check starts `overlap`
    /// before it.
    checked: EpochMs,
    /// When (server time) the last check (or the load) ran: the next is due `check_every` later.
    checked_at: EpochMs,
    /// Message guid → the newest `LogEnd` received, for `LogEnd ≥ checked − overlap`.
    seen: HashMap<Box<str>, EpochMs>,
    /// Late messages found by a check and not fetched yet, oldest first.
    pending: Vec<(String, EpochMs)>,
    /// The tenant refused ids in a delta's filter: late messages are read by range.
    ids_rejected: bool,
    /// When (server time) the messages in flight were last listed (`mpl_window`, "In-flight
    /// messages"): the next listing is due `check_every` later, with the check.
    listed_at: EpochMs,
}

impl MplFollow {
    /// A follower that has received nothing: its first check will find every message of the
    /// overlap late (and fetch it), as an overlap re-read would.
    pub fn new(watermark: EpochMs) -> Self {
        Self {
            watermark,
            checked: watermark,
            checked_at: watermark,
            seen: HashMap::new(),
            pending: Vec::new(),
            ids_rejected: false,
            listed_at: watermark,
        }
    }

    /// When the messages in flight were last listed.
    pub fn listed_at(&self) -> EpochMs {
        self.listed_at
    }

    /// The messages in flight were listed at server time `at`.
    pub(crate) fn mark_listed(&mut self, at: EpochMs) {
        self.listed_at = at;
    }

    /// The watermark of the last check (or of the load).
    pub fn checked(&self) -> EpochMs {
        self.checked
    }

    /// When the last check ran.
    pub fn checked_at(&self) -> EpochMs {
        self.checked_at
    }

    /// A check at server time `at` listed everything up to the current watermark.
    pub(crate) fn mark_checked(&mut self, at: EpochMs) {
        self.checked = self.watermark;
        self.checked_at = at;
    }

    /// Where the next delta starts: the server time just before the load or delta this state
    /// follows began, or just past the newest row it read if that is later.
    pub fn watermark(&self) -> EpochMs {
        self.watermark
    }

    /// How many received messages are kept for the next check.
    pub fn tracked(&self) -> usize {
        self.seen.len()
    }

    /// A message was received with this `LogEnd`.
    pub(crate) fn observe(&mut self, guid: &str, log_end: EpochMs) {
        match self.seen.get_mut(guid) {
            Some(t) => *t = (*t).max(log_end),
            None => {
                self.seen.insert(guid.into(), log_end);
            }
        }
    }

    /// The listed messages (guid, `LogEnd`) that were not received in that state: never, or
    /// with an older `LogEnd`. Each guid once, with its newest listed `LogEnd`.
    pub(crate) fn late(&self, listed: &[(String, EpochMs)]) -> Vec<(String, EpochMs)> {
        let mut late: HashMap<&str, EpochMs> = HashMap::new();
        for (guid, log_end) in listed {
            if self.seen.get(guid.as_str()).is_some_and(|&t| t >= *log_end) {
                continue;
            }
            let e = late.entry(guid.as_str()).or_insert(*log_end);
            *e = (*e).max(*log_end);
        }
        let mut out: Vec<(String, EpochMs)> = late.into_iter().map(|(g, t)| (g.to_owned(), t)).collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Late messages not fetched yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Add what a check found late to the messages waiting, and drop the waiting ones that
    /// arrived meanwhile (a later state came with a delta).
    pub(crate) fn add_late(&mut self, late: Vec<(String, EpochMs)>) {
        let mut all: HashMap<String, EpochMs> = std::mem::take(&mut self.pending).into_iter().collect();
        for (guid, end) in late {
            let e = all.entry(guid).or_insert(end);
            *e = (*e).max(end);
        }
        let mut pending: Vec<(String, EpochMs)> = all
            .into_iter()
            .filter(|(g, end)| self.seen.get(g.as_str()).is_none_or(|&t| t < *end))
            .collect();
        pending.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        self.pending = pending;
    }

    /// The next delta for the waiting late messages (see `plan_delta`).
    pub(crate) fn plan(&self, max_by_id: usize) -> DeltaPlan {
        let max_by_id = if self.ids_rejected { 0 } else { max_by_id };
        plan_delta(self.watermark, &self.pending, max_by_id)
    }

    /// The tenant refused a delta's filter with late messages by id: read them by range from
    /// now on.
    pub(crate) fn reject_ids(&mut self) {
        self.ids_rejected = true;
    }

    /// Whether late messages are read by range because the tenant refused them by id.
    pub fn ids_rejected(&self) -> bool {
        self.ids_rejected
    }

    /// A delta following `plan` succeeded: what it fetched no longer waits.
    pub(crate) fn fetched(&mut self, plan: &DeltaPlan) {
        let taken = plan.by_id.len().min(self.pending.len());
        self.pending.drain(..taken);
        self.pending.retain(|p| p.1 < plan.from);
    }

    /// Move to a new watermark, forgetting what the next check (`LogEnd ≥ horizon`) will not
    /// list.
    pub(crate) fn advance(&mut self, watermark: EpochMs, horizon: EpochMs) {
        self.watermark = watermark;
        self.seen.retain(|_, t| *t >= horizon);
    }
}

/// How a delta reads after its check: from where, and which late messages by id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeltaPlan {
    pub from: EpochMs,
    pub by_id: Vec<String>,
}

/// Plan a delta for these waiting late messages (oldest first): the oldest `max_by_id` by id;
/// the rest wait for the next deltas, unless more than `PENDING_DELTAS` deltas' worth wait (or
/// none may go by id) — then they are read by range, from the oldest of them on (re-reading the
/// held rows after it; late rows crowd just below the watermark, so that range is short).
pub(crate) fn plan_delta(watermark: EpochMs, late: &[(String, EpochMs)], max_by_id: usize) -> DeltaPlan {
    let split = late.len().min(max_by_id);
    let too_many = late.len() > max_by_id * PENDING_DELTAS || max_by_id == 0;
    let from = match late.get(split) {
        Some(l) if too_many => l.1.min(watermark),
        _ => watermark,
    };
    DeltaPlan {
        from,
        by_id: late[..split].iter().map(|(g, _)| g.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[(&str, EpochMs)]) -> Vec<(String, EpochMs)> {
        r.iter().map(|(g, t)| ((*g).to_owned(), *t)).collect()
    }

    #[test]
    fn late_are_the_unseen_and_the_stale() {
        let mut f = MplFollow::new(1_000);
        f.observe("A", 900);
        f.observe("B", 950);
        f.observe("B", 940); // an older copy arriving later does not win
        f.observe("C", 990);
        let listed = rows(&[("A", 900), ("B", 960), ("C", 980), ("D", 995), ("D", 991)]);
        // A held as listed; B listed newer than held; C held newer than listed; D never received.
        assert_eq!(f.late(&listed), rows(&[("B", 960), ("D", 995)]));
        assert!(MplFollow::default().late(&[]).is_empty());
    }

    #[test]
    fn advance_forgets_what_the_next_check_does_not_list() {
        let mut f = MplFollow::new(1_000);
        f.observe("old", 100);
        f.observe("edge", 500);
        f.observe("new", 1_200);
        f.mark_checked(1_400);
        assert_eq!((f.checked(), f.checked_at()), (1_000, 1_400));
        f.advance(1_500, 500);
        assert_eq!(f.watermark(), 1_500);
        assert_eq!(f.checked(), 1_000);
        assert_eq!(f.tracked(), 2);
        assert_eq!(
            f.late(&rows(&[("edge", 500), ("new", 1_200), ("old", 100)])),
            rows(&[("old", 100)])
        );
    }

    #[test]
    fn late_by_id_a_few_per_delta_and_by_range_when_too_many_wait() {
        let ids = |v: &[&str]| v.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>();
        let late = rows(&[("Y", 650), ("X", 700), ("Z", 990)]);
        let plan = |max| plan_delta(1_000, &late, max);
        assert_eq!(
            plan(3),
            DeltaPlan {
                from: 1_000,
                by_id: ids(&["Y", "X", "Z"])
            }
        );
        // One by id, two wait (within PENDING_DELTAS deltas' worth).
        assert_eq!(
            plan(1),
            DeltaPlan {
                from: 1_000,
                by_id: ids(&["Y"])
            }
        );
        // None may go by id: all by range from the oldest.
        assert_eq!(
            plan(0),
            DeltaPlan {
                from: 650,
                by_id: vec![]
            }
        );
        // More than PENDING_DELTAS deltas' worth: the oldest by id, the rest by range.
        let many: Vec<(String, EpochMs)> = (0..9).map(|i| (format!("M{i}"), 900 + i)).collect();
        assert_eq!(
            plan_delta(1_000, &many, 2),
            DeltaPlan {
                from: 902,
                by_id: ids(&["M0", "M1"])
            }
        );
        assert_eq!(
            plan_delta(1_000, &[], 0),
            DeltaPlan {
                from: 1_000,
                by_id: vec![]
            }
        );
    }

    #[test]
    fn late_messages_wait_until_fetched_or_arrived() {
        let mut f = MplFollow::new(1_000);
        f.observe("A", 990);
        f.add_late(rows(&[("C", 980), ("B", 950), ("A", 985)]));
        // A arrived meanwhile (held at 990 ≥ 985): it does not wait.
        assert_eq!(f.pending(), 2);
        let plan = f.plan(1);
        assert_eq!(plan.by_id, vec!["B".to_owned()]);
        f.fetched(&plan);
        // Found again by the next check (overlapping ranges): still once.
        f.add_late(rows(&[("C", 980), ("D", 995)]));
        assert_eq!(f.plan(5).by_id, vec!["C".to_owned(), "D".to_owned()]);
        // C arrives with a later state before it is fetched.
        f.observe("C", 1_200);
        f.add_late(Vec::new());
        assert_eq!(f.plan(5).by_id, vec!["D".to_owned()]);
        // A range read from 990 on takes D too.
        f.fetched(&DeltaPlan {
            from: 990,
            by_id: vec![],
        });
        assert_eq!(f.pending(), 0);
    }
}
