//! `MessageView`: the message table's rows — the store's rows filtered by a `Query` and sorted by
//! a `SortKey` — kept up to date cheaply:
//! - the full sort order of the store is kept and, after a merge, patched with the changed rows
//!   (sorted on their own and merged in, O(n)) instead of re-sorted;
//! - a full filter pass walks that order, so its result is sorted without sorting;
//! - a text that extends the previous one filters the previous result only.

use super::query::{Query, filter_rows};
use super::sort::{SortKey, row_order, sort_rows};
use super::store::{MessageStore, RowId};

#[derive(Debug, Clone, Default)]
pub struct MessageView {
    sort: SortKey,
    /// Every row of the store in `sort` order, as of `order_at`.
    order: Vec<RowId>,
    order_at: Option<(u64, u64)>,
    query: Query,
    rows: Vec<RowId>,
    /// Whether the rows shown are `order` itself (no filter); `rows` is then empty.
    rows_are_order: bool,
    /// Store generation (and layout) `rows` was computed at, for `query` over `order`.
    rows_at: Option<(u64, u64)>,
}

impl MessageView {
    pub fn new(sort: SortKey, query: Query) -> Self {
        Self {
            sort,
            query,
            ..Self::default()
        }
    }

    pub fn query(&self) -> &Query {
        &self.query
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// Number of rows shown.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows().is_empty()
    }

    /// The row at display position `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<RowId> {
        self.rows().get(i).copied()
    }

    /// The rows in display order (slice a frame's worth: `&rows()[top..top + 60]`).
    pub fn rows(&self) -> &[RowId] {
        if self.rows_are_order {
            &self.order
        } else {
            &self.rows
        }
    }

    /// Display position of a row (for keeping the selection: look the selected guid up with
    /// `MessageStore::find` after `refresh`, then ask for its position).
    pub fn position(&self, row: RowId) -> Option<usize> {
        self.rows().iter().position(|&r| r == row)
    }

    /// Whether the view reflects the store as it is now.
    pub fn is_current(&self, store: &MessageStore) -> bool {
        self.rows_at == Some(Self::stamp(store))
    }

    /// Bring the view up to date with the store (after merges or evictions). Cheap when nothing
    /// changed. Returns whether the rows were recomputed.
    pub fn refresh(&mut self, store: &MessageStore) -> bool {
        if self.is_current(store) {
            return false;
        }
        self.update_order(store);
        self.full_pass(store);
        true
    }

    /// Show `query`. A text that extends the previous text (same other filters, store unchanged)
    /// filters the previous result only.
    pub fn set_query(&mut self, store: &MessageStore, query: Query) {
        let refine = self.is_current(store) && query.refines(&self.query);
        self.query = query;
        if refine {
            if !self.query.text.is_empty() {
                self.rows = filter_rows(store, self.rows(), &self.query);
                self.rows_are_order = false;
            }
        } else {
            self.update_order(store);
            self.full_pass(store);
        }
    }

    /// The store's state as the view records it: pass it along with an order sorted elsewhere.
    pub fn stamp(store: &MessageStore) -> (u64, u64) {
        (store.generation(), store.layout())
    }

    /// Show `order` — every row of the store as of `at` (`stamp`), sorted by `key` elsewhere
    /// (on a blocking thread). The next `refresh` patches in what changed since `at` and filters.
    pub fn install_order(&mut self, key: SortKey, order: Vec<RowId>, at: (u64, u64)) {
        self.sort = key;
        self.order = order;
        self.order_at = Some(at);
        self.rows_at = None;
    }

    /// Sort by `key` (re-sorts the whole store once, then filters from that order).
    pub fn set_sort(&mut self, store: &MessageStore, key: SortKey) {
        if key == self.sort && self.is_current(store) {
            return;
        }
        self.sort = key;
        self.order_at = None;
        self.update_order(store);
        self.full_pass(store);
    }

    fn full_pass(&mut self, store: &MessageStore) {
        let q = &self.query;
        // No filter: the rows are the order itself (not a copy: 4 bytes per message).
        self.rows_are_order = q.is_everything();
        self.rows = if self.rows_are_order {
            Vec::new()
        } else {
            filter_rows(store, &self.order, q)
        };
        self.rows_at = Some(Self::stamp(store));
    }

    /// Make `order` hold every row of the store in sort order.
    fn update_order(&mut self, store: &MessageStore) {
        let now = Self::stamp(store);
        if self.order_at == Some(now) {
            return;
        }
        let changed = self
            .order_at
            .and_then(|(g, l)| store.changed_since(g, l))
            .filter(|c| c.len() < store.len() / 4 + 1);
        match changed {
            Some(changed) => self.patch_order(store, changed),
            None => {
                self.order = (0..store.len() as RowId).collect();
                sort_rows(store, &mut self.order, self.sort);
            }
        }
        self.order_at = Some(now);
    }

    /// Take the changed rows out of `order`, sort them and merge them back in.
    fn patch_order(&mut self, store: &MessageStore, mut changed: Vec<RowId>) {
        if changed.is_empty() {
            return;
        }
        changed.sort_unstable();
        changed.dedup();
        let mut is_changed = vec![false; store.len()];
        for &r in &changed {
            is_changed[r as usize] = true;
        }
        self.order.retain(|&r| !is_changed[r as usize]);
        drop(is_changed);
        sort_rows(store, &mut changed, self.sort);
        let ord = row_order(store, self.sort);
        let old = std::mem::take(&mut self.order);
        let mut out = Vec::with_capacity(old.len() + changed.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < changed.len() {
            if ord.cmp(old[i], changed[j]).is_le() {
                out.push(old[i]);
                i += 1;
            } else {
                out.push(changed[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&old[i..]);
        out.extend_from_slice(&changed[j..]);
        self.order = out;
    }
}
