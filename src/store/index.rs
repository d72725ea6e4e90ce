//! The `MessageGuid` → row table: open addressing over `u32` row ids (4 bytes a slot, about 8 bytes
//! a message at the load factor kept), comparing candidate guids in the id arena.

use super::columns::Columns;

const EMPTY_SLOT: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub(crate) struct GuidIndex {
    slots: Vec<u32>,
    len: usize,
}

/// A fast non-cryptographic hash of an id (8-byte words, multiply-rotate).
#[inline]
pub(crate) fn hash_id(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

impl GuidIndex {
    /// An index sized for `rows` rows.
    pub fn with_rows(rows: usize) -> Self {
        let cap = (rows.max(512) * 2).next_power_of_two();
        Self {
            slots: vec![EMPTY_SLOT; cap],
            len: 0,
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The row holding `guid`.
    pub fn find(&self, guid: &[u8], cols: &Columns) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = hash_id(guid) as usize & mask;
        loop {
            let r = self.slots[i];
            if r == EMPTY_SLOT {
                return None;
            }
            if cols.guid_bytes(r) == guid {
                return Some(r);
            }
            i = (i + 1) & mask;
        }
    }

    /// Add `row`, the last row of `cols`, whose guid is not in the table yet.
    pub fn insert(&mut self, guid: &[u8], row: u32, cols: &Columns) {
        debug_assert_eq!(row as usize + 1, cols.len());
        if (self.len + 1) * 4 > self.slots.len() * 3 || self.slots.is_empty() {
            // The rebuild indexes every row of `cols`, `row` included.
            self.rebuild(cols, (self.len + 1) * 2);
            return;
        }
        let mask = self.mask();
        let mut i = hash_id(guid) as usize & mask;
        while self.slots[i] != EMPTY_SLOT {
            i = (i + 1) & mask;
        }
        self.slots[i] = row;
        self.len += 1;
    }

    /// Rebuild from all rows of `cols`, sized for at least `min_rows`.
    pub fn rebuild(&mut self, cols: &Columns, min_rows: usize) {
        let n = cols.len();
        // Free the old table before allocating the new one (peak memory).
        self.slots = Vec::new();
        *self = Self::with_rows(min_rows.max(n));
        let mask = self.mask();
        for r in 0..n as u32 {
            let mut i = hash_id(cols.guid_bytes(r)) as usize & mask;
            while self.slots[i] != EMPTY_SLOT {
                i = (i + 1) & mask;
            }
            self.slots[i] = r;
        }
        self.len = n;
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 4
    }
}
