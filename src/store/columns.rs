//! The columns of the store: one `Vec` per field, ids in one byte arena.

use std::collections::{HashMap, HashSet};

use crate::cpi::odata::EpochMs;

use super::batch::{ID_FIELDS, NO_TIME};

/// `start_gap` of a row without `LogStart`.
const GAP_NONE: u32 = u32::MAX;
/// `start_gap` of a row whose `LogStart` is kept in `far_start` (after `LogEnd`, or ≥ 49 days
/// before it).
const GAP_FAR: u32 = u32::MAX - 1;

/// Per-row storage. Row `r` is element `r` of every column.
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    /// `MessageGuid`, `CorrelationId`, `ApplicationMessageId` of each row, back to back at
    /// `id_start[r]`. Normally in row order; an update whose ids grew appends them at the end
    /// (the old bytes become garbage until the next compaction).
    pub ids: Vec<u8>,
    pub id_start: Vec<u32>,
    pub id_lens: Vec<[u16; ID_FIELDS]>,
    /// The character classes of each row's ids (`text::char_set`), for the text filter.
    pub id_chars: Vec<u64>,
    /// `LogEnd − LogStart` in ms (a processing time: 4 bytes instead of an 8-byte time), or
    /// `GAP_NONE`, or `GAP_FAR` with the start in `far_start`. Read through `log_start`.
    start_gap: Vec<u32>,
    /// The `LogStart` of the rare rows whose gap does not fit, by row.
    far_start: HashMap<u32, EpochMs>,
    /// Written only through `push_times`/`set_times`: `LogStart` is kept relative to it. For a
    /// row in `running` it is the time the row was observed, not a `LogEnd`.
    pub log_end: Vec<EpochMs>,
    /// The rows without a `LogEnd` (messages in flight): few at any time, so a set.
    pub running: HashSet<u32>,
    pub status: Vec<u8>,
    pub iflow: Vec<u32>,
    pub sender: Vec<u32>,
    pub receiver: Vec<u32>,
    pub app_type: Vec<u32>,
    pub custom_status: Vec<u32>,
}

/// Which id of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdField {
    Guid = 0,
    Correlation = 1,
    AppId = 2,
}

impl Columns {
    #[inline]
    pub fn len(&self) -> usize {
        self.id_start.len()
    }

    /// `LogStart` of row `r`, `NO_TIME` when missing.
    #[inline]
    pub fn log_start(&self, r: usize) -> EpochMs {
        self.duration(r).map_or(NO_TIME, |d| self.log_end[r] - d)
    }

    /// `LogEnd − LogStart` of row `r`, `None` without `LogStart`.
    #[inline]
    pub fn duration(&self, r: usize) -> Option<i64> {
        match self.start_gap[r] {
            GAP_NONE => None,
            GAP_FAR => self.far_start.get(&(r as u32)).map(|&s| self.log_end[r] - s),
            gap => Some(i64::from(gap)),
        }
    }

    /// The gap column's value for these times, recording a far start for row `r`.
    fn gap(&mut self, r: usize, start: EpochMs, end: EpochMs) -> u32 {
        if !self.far_start.is_empty() {
            self.far_start.remove(&(r as u32));
        }
        if start == NO_TIME {
            return GAP_NONE;
        }
        match u32::try_from(end.saturating_sub(start)) {
            Ok(g) if g < GAP_FAR => g,
            _ => {
                self.far_start.insert(r as u32, start);
                GAP_FAR
            }
        }
    }

    /// Append the times of a new row (its `log_end` goes in with them).
    pub fn push_times(&mut self, start: EpochMs, end: EpochMs) {
        let r = self.log_end.len();
        let g = self.gap(r, start, end);
        self.start_gap.push(g);
        self.log_end.push(end);
    }

    /// Set the times of row `r`.
    pub fn set_times(&mut self, r: usize, start: EpochMs, end: EpochMs) {
        self.start_gap[r] = self.gap(r, start, end);
        self.log_end[r] = end;
    }

    /// Whether row `r` has no `LogEnd` (a message in flight).
    #[inline]
    pub fn is_running(&self, r: usize) -> bool {
        !self.running.is_empty() && self.running.contains(&(r as u32))
    }

    pub fn set_running(&mut self, r: usize, running: bool) {
        if running {
            self.running.insert(r as u32);
        } else if !self.running.is_empty() {
            self.running.remove(&(r as u32));
        }
    }

    /// All ids of row `r`, back to back.
    #[inline]
    pub fn row_ids(&self, r: u32) -> &[u8] {
        let r = r as usize;
        let start = self.id_start[r] as usize;
        let l = self.id_lens[r];
        &self.ids[start..start + l[0] as usize + l[1] as usize + l[2] as usize]
    }

    #[inline]
    pub fn id_bytes(&self, r: u32, field: IdField) -> &[u8] {
        let r = r as usize;
        let l = self.id_lens[r];
        let mut start = self.id_start[r] as usize;
        for &x in &l[..field as usize] {
            start += x as usize;
        }
        &self.ids[start..start + l[field as usize] as usize]
    }

    #[inline]
    pub fn guid_bytes(&self, r: u32) -> &[u8] {
        let r = r as usize;
        let start = self.id_start[r] as usize;
        &self.ids[start..start + self.id_lens[r][0] as usize]
    }

    /// Id text (ids are stored from `&str`, so this never fails in practice).
    #[inline]
    pub fn id_str(&self, r: u32, field: IdField) -> &str {
        std::str::from_utf8(self.id_bytes(r, field)).unwrap_or("")
    }

    /// Keep only the rows whose `keep` flag is set, in order, compacting every column in place
    /// and the id arena (in place when it is in row order, else into a new arena). Frees the
    /// space of the dropped rows.
    pub fn retain(&mut self, keep: &[bool]) {
        debug_assert_eq!(keep.len(), self.len());
        fn compact<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut w = 0;
            for r in 0..v.len() {
                if keep[r] {
                    v[w] = v[r];
                    w += 1;
                }
            }
            v.truncate(w);
            shrink(v);
        }
        // Arena first: it needs the old starts and lengths.
        let in_order = self.id_start.windows(2).all(|w| w[0] <= w[1]);
        let mut new_arena = if in_order {
            None
        } else {
            Some(Vec::with_capacity(self.ids.len()))
        };
        let mut w = 0usize;
        for r in (0..self.len()).filter(|&r| keep[r]) {
            let start = self.id_start[r] as usize;
            let len: usize = self.id_lens[r].iter().map(|&x| x as usize).sum();
            match &mut new_arena {
                Some(a) => {
                    a.extend_from_slice(&self.ids[start..start + len]);
                }
                None => {
                    self.ids.copy_within(start..start + len, w);
                }
            }
            self.id_start[r] = w as u32;
            w += len;
        }
        match new_arena {
            Some(a) => self.ids = a,
            None => self.ids.truncate(w),
        }
        shrink(&mut self.ids);
        compact(&mut self.id_start, keep);
        compact(&mut self.id_lens, keep);
        compact(&mut self.id_chars, keep);
        if !self.far_start.is_empty() {
            let mut moved = HashMap::with_capacity(self.far_start.len());
            let mut w = 0u32;
            for (r, &k) in keep.iter().enumerate() {
                if k {
                    if let Some(&s) = self.far_start.get(&(r as u32)) {
                        moved.insert(w, s);
                    }
                    w += 1;
                }
            }
            self.far_start = moved;
        }
        if !self.running.is_empty() {
            let mut moved = HashSet::with_capacity(self.running.len());
            let mut w = 0u32;
            for (r, &k) in keep.iter().enumerate() {
                if k {
                    if self.running.contains(&(r as u32)) {
                        moved.insert(w);
                    }
                    w += 1;
                }
            }
            self.running = moved;
        }
        compact(&mut self.start_gap, keep);
        compact(&mut self.log_end, keep);
        compact(&mut self.status, keep);
        compact(&mut self.iflow, keep);
        compact(&mut self.sender, keep);
        compact(&mut self.receiver, keep);
        compact(&mut self.app_type, keep);
        compact(&mut self.custom_status, keep);
    }

    /// Heap bytes held by the columns (capacity).
    pub fn heap_bytes(&self) -> usize {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        b(&self.ids)
            + b(&self.id_start)
            + b(&self.id_lens)
            + b(&self.id_chars)
            + b(&self.start_gap)
            + self.far_start.capacity() * (std::mem::size_of::<(u32, EpochMs)>() + 1)
            + self.running.capacity() * (std::mem::size_of::<u32>() + 1)
            + b(&self.log_end)
            + b(&self.status)
            + b(&self.iflow)
            + b(&self.sender)
            + b(&self.receiver)
            + b(&self.app_type)
            + b(&self.custom_status)
    }
}

/// Give memory back after a compaction, keeping an eighth of headroom so that the next inserts do
/// not reallocate at once.
fn shrink<T>(v: &mut Vec<T>) {
    let want = v.len() + v.len() / 8 + 16;
    if v.capacity() > want + want / 4 {
        v.shrink_to(want);
    }
}
