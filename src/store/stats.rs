//! Aggregates for the header and the alert rules, computed from the columns without copying rows:
//! one pass over time, status and iFlow code (about 13 bytes a message).
//!
//! A message's time is its `LogEnd`, else its `LogStart`; ranges are inclusive at both ends (the
//! convention of `monitor::snapshot::MessageStats`, which these methods mirror).

use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;

use super::query::StatusSet;
use super::store::{MessageStore, RowId};

const NSTATUS: usize = MplStatus::ALL.len();

/// Counts by status (index = `MplStatus as usize`).
pub type StatusCounts = [u64; NSTATUS];

/// Everything the header and the alert rules read about one time window, from a single pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowStats {
    pub from: EpochMs,
    pub to: EpochMs,
    /// All messages in the window, by status.
    pub totals: StatusCounts,
    /// Per iFlow code (see `MessageStore::iflow_ids`), by status, in the window.
    pub by_iflow: Vec<StatusCounts>,
    /// Per iFlow code: time of its newest COMPLETED message held (any time, not only the window).
    pub last_completed: Vec<Option<EpochMs>>,
    /// Per iFlow code: its newest FAILED message in the window.
    pub newest_failed: Vec<Option<RowId>>,
}

impl WindowStats {
    /// Messages of `iflow` in the window with a status in `statuses` (all if empty).
    pub fn count(&self, store: &MessageStore, iflow: &str, statuses: StatusSet) -> u64 {
        store
            .iflows
            .code_of(iflow)
            .and_then(|c| self.by_iflow.get(c as usize))
            .map_or(0, |counts| sum(counts, statuses))
    }

    /// All messages in the window with a status in `statuses` (all if empty).
    pub fn total(&self, statuses: StatusSet) -> u64 {
        sum(&self.totals, statuses)
    }
}

fn sum(counts: &StatusCounts, statuses: StatusSet) -> u64 {
    MplStatus::ALL
        .iter()
        .filter(|&&s| statuses.admits(s))
        .map(|&s| counts[s as usize])
        .sum()
}

impl MessageStore {
    /// One pass: counts per status and iFlow in `[from, to]`, newest FAILED per iFlow in the window,
    /// newest COMPLETED per iFlow overall.
    pub fn window_stats(&self, from: EpochMs, to: EpochMs) -> WindowStats {
        let c = &self.cols;
        let n_iflows = self.iflows.len();
        let mut s = WindowStats {
            from,
            to,
            totals: [0; NSTATUS],
            by_iflow: vec![[0; NSTATUS]; n_iflows],
            last_completed: vec![None; n_iflows],
            newest_failed: vec![None; n_iflows],
        };
        let completed = MplStatus::Completed as u8;
        let failed = MplStatus::Failed as u8;
        for i in 0..c.len() {
            let t = c.log_end[i];
            let st = c.status[i];
            let f = c.iflow[i] as usize;
            if st == completed && s.last_completed[f].is_none_or(|l| l < t) {
                s.last_completed[f] = Some(t);
            }
            if t < from || t > to {
                continue;
            }
            let k = (st as usize).min(NSTATUS - 1);
            s.totals[k] += 1;
            s.by_iflow[f][k] += 1;
            if st == failed && s.newest_failed[f].is_none_or(|r| c.log_end[r as usize] < t) {
                s.newest_failed[f] = Some(i as RowId);
            }
        }
        s
    }

    /// Oldest and newest message time held.
    pub fn time_range(&self) -> Option<(EpochMs, EpochMs)> {
        let c = &self.cols.log_end;
        let min = c.iter().copied().min()?;
        Some((min, self.newest_time().unwrap_or(min)))
    }

    /// Counts by status of every message held.
    pub fn status_totals(&self) -> StatusCounts {
        let mut counts = [0u64; NSTATUS];
        for &st in &self.cols.status {
            counts[(st as usize).min(NSTATUS - 1)] += 1;
        }
        counts
    }

    /// Distinct iFlow ids with at least one message in `[from, to]`.
    pub fn iflows_in(&self, from: EpochMs, to: EpochMs) -> Vec<&str> {
        let c = &self.cols;
        let mut seen = vec![false; self.iflows.len()];
        for i in 0..c.len() {
            let t = c.log_end[i];
            if t >= from && t <= to {
                seen[c.iflow[i] as usize] = true;
            }
        }
        seen.iter()
            .enumerate()
            .filter(|&(_, &s)| s)
            .map(|(code, _)| self.iflows.get(code as u32))
            .collect()
    }

    /// Messages of `iflow` in `[from, to]` with a status in `statuses` (all if empty).
    pub fn count(&self, iflow: &str, statuses: StatusSet, from: EpochMs, to: EpochMs) -> u64 {
        let Some(code) = self.iflows.code_of(iflow) else {
            return 0;
        };
        let c = &self.cols;
        let mut admit = [false; 256];
        for s in MplStatus::ALL {
            admit[s as usize] = statuses.admits(s);
        }
        (0..c.len())
            .filter(|&i| {
                c.iflow[i] == code
                    && admit[c.status[i] as usize]
                    && c.log_end[i] >= from
                    && c.log_end[i] <= to
            })
            .count() as u64
    }

    /// Per custom-status code: whether it is one of `custom` (case-insensitive).
    fn custom_flags(&self, custom: &[String]) -> Vec<bool> {
        self.custom_statuses
            .values()
            .map(|v| {
                let v = v.trim();
                !v.is_empty() && custom.iter().any(|c| c.trim().eq_ignore_ascii_case(v))
            })
            .collect()
    }

    /// Messages of `iflow` in `[from, to]` whose custom status is one of `custom`
    /// (case-insensitive) and whose status is not in `except` (counted otherwise).
    pub fn count_custom(
        &self,
        iflow: &str,
        custom: &[String],
        except: StatusSet,
        from: EpochMs,
        to: EpochMs,
    ) -> u64 {
        let Some(code) = self.iflows.code_of(iflow) else {
            return 0;
        };
        if custom.is_empty() {
            return 0;
        }
        let flags = self.custom_flags(custom);
        let c = &self.cols;
        (0..c.len())
            .filter(|&i| {
                c.iflow[i] == code
                    && flags[c.custom_status[i] as usize]
                    && !except.contains(MplStatus::from_u8(c.status[i]))
                    && c.log_end[i] >= from
                    && c.log_end[i] <= to
            })
            .count() as u64
    }

    /// Up to `limit` newest messages as `count_custom` selects them, of `iflow` (all if
    /// `None`), newest first (ties by guid).
    pub fn newest_custom(
        &self,
        iflow: Option<&str>,
        custom: &[String],
        except: StatusSet,
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<RowId> {
        let code = match iflow {
            Some(id) => match self.iflows.code_of(id) {
                Some(c) => Some(c),
                None => return Vec::new(),
            },
            None => None,
        };
        if custom.is_empty() || limit == 0 {
            return Vec::new();
        }
        let flags = self.custom_flags(custom);
        let c = &self.cols;
        let mut rows: Vec<RowId> = (0..c.len())
            .filter(|&i| {
                code.is_none_or(|f| c.iflow[i] == f)
                    && flags[c.custom_status[i] as usize]
                    && !except.contains(MplStatus::from_u8(c.status[i]))
                    && c.log_end[i] >= from
                    && c.log_end[i] <= to
            })
            .map(|i| i as RowId)
            .collect();
        rows.sort_by(|a, b| {
            c.log_end[*b as usize]
                .cmp(&c.log_end[*a as usize])
                .then_with(|| c.guid_bytes(*a).cmp(c.guid_bytes(*b)))
        });
        rows.truncate(limit);
        rows
    }

    /// The package of `iflow` as its messages carry it (`IntegrationArtifact/PackageId`);
    /// `None` when no message of it said (messages in flight carry none).
    pub fn package_of(&self, iflow: &str) -> Option<&str> {
        let code = self.iflows.code_of(iflow)?;
        let p: &str = &self.iflow_info.get(code as usize)?.package_id;
        (!p.is_empty()).then_some(p)
    }

    /// Time of the newest COMPLETED message of `iflow` held.
    pub fn last_completed(&self, iflow: &str) -> Option<EpochMs> {
        let code = self.iflows.code_of(iflow)?;
        let c = &self.cols;
        let completed = MplStatus::Completed as u8;
        (0..c.len())
            .filter(|&i| c.iflow[i] == code && c.status[i] == completed)
            .map(|i| c.log_end[i])
            .max()
    }

    /// Up to `limit` newest messages in `[from, to]` with a status in `statuses` (all if empty),
    /// of `iflow` (all if `None`), newest first (ties by guid).
    pub fn newest(
        &self,
        iflow: Option<&str>,
        statuses: StatusSet,
        from: EpochMs,
        to: EpochMs,
        limit: usize,
    ) -> Vec<RowId> {
        let code = match iflow {
            Some(id) => match self.iflows.code_of(id) {
                Some(c) => Some(c),
                None => return Vec::new(),
            },
            None => None,
        };
        let c = &self.cols;
        let mut admit = [false; 256];
        for s in MplStatus::ALL {
            admit[s as usize] = statuses.admits(s);
        }
        let mut rows: Vec<RowId> = (0..c.len())
            .filter(|&i| {
                code.is_none_or(|f| c.iflow[i] == f)
                    && admit[c.status[i] as usize]
                    && c.log_end[i] >= from
                    && c.log_end[i] <= to
            })
            .map(|i| i as RowId)
            .collect();
        let cmp = |a: &RowId, b: &RowId| {
            c.log_end[*b as usize]
                .cmp(&c.log_end[*a as usize])
                .then_with(|| c.guid_bytes(*a).cmp(c.guid_bytes(*b)))
        };
        if rows.len() > limit && limit > 0 {
            rows.select_nth_unstable_by(limit - 1, cmp);
            rows.truncate(limit);
        } else if limit == 0 {
            rows.clear();
        }
        rows.sort_by(cmp);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MplBatch;
    use crate::store::tests::{wire_page, wire_row};

    fn row(guid: &str, status: &str, t: i64, iflow: &str) -> String {
        wire_row(guid, status, t, "").replace(
            "\"IntegrationFlowName\":\"Orders_Inbound\"",
            &format!("\"IntegrationFlowName\":\"{iflow}\""),
        )
    }

    #[test]
    fn aggregates_match_the_rows() {
        let mut store = MessageStore::default();
        let page = wire_page(&[
            row("A", "COMPLETED", 100, "F1"),
            row("B", "FAILED", 200, "F1"),
            row("C", "FAILED", 300, "F1"),
            row("D", "COMPLETED", 400, "F2"),
            row("E", "FAILED", 500, "F2"),
            row("F", "RETRY", 600, "F1"),
            row("G", "COMPLETED", 50, "F2"),
        ]);
        store.merge(MplBatch::decode(&page).expect("decodes"));
        let w = store.window_stats(150, 500);
        let failed = StatusSet::of(&[MplStatus::Failed]);
        assert_eq!(w.count(&store, "F1", failed), 2);
        assert_eq!(w.count(&store, "F2", failed), 1);
        assert_eq!(w.count(&store, "F2", StatusSet::empty()), 2);
        assert_eq!(w.count(&store, "F3", StatusSet::empty()), 0);
        assert_eq!(w.total(StatusSet::empty()), 4);
        let f1 = store.iflows.code_of("F1").expect("known") as usize;
        let f2 = store.iflows.code_of("F2").expect("known") as usize;
        assert_eq!(w.last_completed[f1], Some(100));
        assert_eq!(w.last_completed[f2], Some(400));
        assert_eq!(w.newest_failed[f1].map(|r| store.row(r).guid), Some("C"));
        // The direct methods agree with the one-pass form.
        assert_eq!(store.count("F1", failed, 150, 500), 2);
        assert_eq!(store.count("F1", StatusSet::empty(), 0, 1000), 4);
        assert_eq!(store.last_completed("F2"), Some(400));
        assert_eq!(store.last_completed("nope"), None);
        let mut flows = store.iflows_in(450, 700);
        flows.sort_unstable();
        assert_eq!(flows, ["F1", "F2"]);
        let newest: Vec<&str> = store
            .newest(None, failed, 0, 1000, 2)
            .into_iter()
            .map(|r| store.row(r).guid)
            .collect();
        assert_eq!(newest, ["E", "C"]);
        let newest: Vec<&str> = store
            .newest(Some("F1"), StatusSet::empty(), 0, 1000, 10)
            .into_iter()
            .map(|r| store.row(r).guid)
            .collect();
        assert_eq!(newest, ["F", "C", "B", "A"]);
        assert_eq!(store.status_totals()[MplStatus::Completed as usize], 3);
        assert_eq!(store.time_range(), Some((50, 600)));
    }
}
