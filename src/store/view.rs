//! `MessageView`: the message table's rows — the store's rows filtered by a `Query` and sorted by
//! a `SortKey` — kept up to date cheaply:
//! - the full sort order of the store is kept and, after a merge, patched with the changed rows
//!   (sorted on their own and merged in, O(n)) instead of re-sorted;
//! - a full filter pass walks that order, so its result is sorted without sorting;
//! - a text that extends the previous one filters the previous result only;
//! - a filter pass can run elsewhere ([`MessageView::filter_task`] → [`FilterTask::run`] on a
//!   blocking thread → [`MessageView::install`]): the order and the rows are shared (`Arc`), so
//!   handing them to the pass copies nothing.

use std::sync::Arc;

use super::query::{Query, filter_rows};
use super::sort::{SortKey, row_order, sort_rows};
use super::store::{MessageStore, RowId};

#[derive(Debug, Clone, Default)]
pub struct MessageView {
    sort: SortKey,
    /// Every row of the store in `sort` order, as of `order_at`.
    order: Arc<Vec<RowId>>,
    order_at: Option<(u64, u64)>,
    query: Query,
    rows: Arc<Vec<RowId>>,
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
                self.rows = Arc::new(filter_rows(store, self.rows(), &self.query));
                self.rows_are_order = false;
            }
        } else {
            self.update_order(store);
            self.full_pass(store);
        }
    }

    /// The pass `set_query(store, query)` would run, to run elsewhere ([`FilterTask::run`]) and
    /// show with [`install`](Self::install): a refinement of the rows shown, else a full pass
    /// over the order (brought up to date with the store first). Nothing is copied.
    pub fn filter_task(&mut self, store: &MessageStore, query: Query) -> FilterTask {
        let refine = self.is_current(store) && query.refines(&self.query) && !query.text.is_empty();
        let candidates = if refine {
            if self.rows_are_order {
                Arc::clone(&self.order)
            } else {
                Arc::clone(&self.rows)
            }
        } else {
            self.update_order(store);
            Arc::clone(&self.order)
        };
        FilterTask {
            query,
            candidates,
            at: Self::stamp(store),
            sort: self.sort,
        }
    }

    /// Whether `done` was filtered from the store as it is and in the order shown: then a text
    /// extending its query can refine its rows ([`Filtered::refine`]).
    pub fn fits(&self, store: &MessageStore, done: &Filtered) -> bool {
        done.at == Self::stamp(store) && done.sort == self.sort && self.order_at == Some(done.at)
    }

    /// Show the result of a pass run elsewhere, if it still fits: the store has not changed since
    /// its task was made, nor the sort. Returns whether it was shown.
    pub fn install(&mut self, store: &MessageStore, done: Filtered) -> bool {
        if !self.fits(store, &done) {
            return false;
        }
        self.rows_are_order = done.query.is_everything();
        self.rows = if self.rows_are_order {
            Arc::default()
        } else {
            Arc::new(done.rows)
        };
        self.query = done.query;
        self.rows_at = Some(done.at);
        true
    }

    /// The store's state as the view records it: pass it along with an order sorted elsewhere.
    pub fn stamp(store: &MessageStore) -> (u64, u64) {
        (store.generation(), store.layout())
    }

    /// Show `order` — every row of the store as of `at` (`stamp`), sorted by `key` elsewhere
    /// (on a blocking thread). The next `refresh` patches in what changed since `at` and filters.
    pub fn install_order(&mut self, key: SortKey, order: Vec<RowId>, at: (u64, u64)) {
        self.sort = key;
        self.order = Arc::new(order);
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
            Arc::default()
        } else {
            Arc::new(filter_rows(store, &self.order, q))
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
                let mut order: Vec<RowId> = (0..store.len() as RowId).collect();
                sort_rows(store, &mut order, self.sort);
                self.order = Arc::new(order);
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
        // Shared with a filter pass running elsewhere: that pass keeps its copy.
        let mut old = Arc::unwrap_or_clone(std::mem::take(&mut self.order));
        old.retain(|&r| !is_changed[r as usize]);
        drop(is_changed);
        sort_rows(store, &mut changed, self.sort);
        let ord = row_order(store, self.sort);
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
        self.order = Arc::new(out);
    }
}

/// A filter pass made by [`MessageView::filter_task`], to run on another thread.
#[derive(Debug, Clone)]
pub struct FilterTask {
    query: Query,
    /// The rows to filter, in display order (the whole order, or the rows of the query refined).
    candidates: Arc<Vec<RowId>>,
    at: (u64, u64),
    sort: SortKey,
}

/// Equal when it is the same pass: the same query over the same (shared) candidates.
impl PartialEq for FilterTask {
    fn eq(&self, o: &Self) -> bool {
        self.query == o.query
            && Arc::ptr_eq(&self.candidates, &o.candidates)
            && self.at == o.at
            && self.sort == o.sort
    }
}

impl FilterTask {
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Filter. `store` must be the store the task was made from (a shared snapshot of it).
    pub fn run(self, store: &MessageStore) -> Filtered {
        let rows = if self.query.is_everything() {
            Arc::unwrap_or_clone(self.candidates)
        } else {
            filter_rows(store, &self.candidates, &self.query)
        };
        Filtered {
            query: self.query,
            rows,
            at: self.at,
            sort: self.sort,
        }
    }
}

/// The result of a [`FilterTask`]: `query`'s rows, in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct Filtered {
    pub query: Query,
    rows: Vec<RowId>,
    at: (u64, u64),
    sort: SortKey,
}

impl Filtered {
    pub fn rows(&self) -> &[RowId] {
        &self.rows
    }

    /// A pass refining this result with `query` (which must refine `self.query`): for a result
    /// superseded before it was shown, when the newest text extends it.
    pub fn refine(self, query: Query) -> FilterTask {
        FilterTask {
            query,
            candidates: Arc::new(self.rows),
            at: self.at,
            sort: self.sort,
        }
    }
}
