//! Case-insensitive substring matching: over dictionary values (once per distinct value), over the
//! id arena, and the match ranges of one cell for highlighting.
//!
//! Each row also has a [`char_set`] of its ids (8 bytes): a one-character needle is answered from
//! it, and a row lacking one of a longer needle's characters is never searched. The ids that do
//! need searching are searched in one of two ways:
//! - [`scan_ids`]: the arena front to back, in runs of rows whose ids lie back to back. A
//!   needle without ASCII letters is searched in the arena itself; otherwise each run is folded
//!   to lower case into a small scratch buffer (one vectorised copy) and searched there. Per row
//!   only a cheap step to find the runs, so a pass costs about as much as reading the searched
//!   part of the arena once. Used unless the candidates are a small part of the store.
//! - [`IdScratch`]: only the queued rows, copied and folded one by one (per-row overhead, but
//!   proportional to the candidates). Used to refine a small previous result.
//!
//! Both keep the arena as the only copy of the ids: a lower-cased copy would cost ~60 bytes per
//! message, more than the memory target (issue 7) allows.

use std::ops::Range;

use memchr::memmem::Finder;

use super::batch::ID_FIELDS;
use super::columns::Columns;
use super::dict::Dict;

/// The needle as searched: lower-cased. Dictionary values are lower-cased (Unicode) once each;
/// ids are folded ASCII-only in the fast paths, and the rare row whose ids hold a byte without a
/// class of its own ([`OTHER`]: non-ASCII, unusual punctuation) is checked with Unicode
/// lower-casing as well, so ids match like every other column.
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    pub lower: String,
    finder: Finder<'static>,
    /// The character classes of the needle ([`char_set`]): a row whose ids lack one of them
    /// cannot contain the needle.
    pub chars: u64,
}

impl Needle {
    pub fn new(text: &str) -> Self {
        let lower = text.to_lowercase();
        let finder = Finder::new(lower.as_bytes()).into_owned();
        let chars = char_set(lower.as_bytes());
        Self { lower, finder, chars }
    }

    /// Whether a row's ids contain the needle can be told from their character set alone: a
    /// one-byte needle of a class of its own.
    pub fn decided_by_chars(&self) -> bool {
        self.lower.len() == 1 && self.chars != OTHER
    }

    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Whether `value` contains the needle, ignoring case.
    pub fn matches_str(&self, value: &str) -> bool {
        if value.is_ascii() {
            // Fast path without allocation for short ASCII values.
            let mut buf = [0u8; 128];
            if value.len() <= buf.len() {
                let b = &mut buf[..value.len()];
                b.copy_from_slice(value.as_bytes());
                b.make_ascii_lowercase();
                return self.finder.find(b).is_some();
            }
        }
        self.finder.find(value.to_lowercase().as_bytes()).is_some()
    }

    /// Whether folding ASCII case can change a match: the (lower-cased) needle has an ASCII letter.
    /// If not, the ids can be searched as they are stored.
    pub fn has_ascii_letter(&self) -> bool {
        self.lower.bytes().any(|b| b.is_ascii_lowercase())
    }

    /// `matches[code]` for every value of `dict`.
    pub fn match_dict(&self, dict: &Dict) -> Vec<bool> {
        dict.values()
            .map(|v| !v.is_empty() && self.matches_str(v))
            .collect()
    }
}

/// Scratch space of one id search pass (one per thread): the queued rows' ids, ASCII-lower-cased,
/// back to back.
#[derive(Debug, Default)]
pub(crate) struct IdScratch {
    buf: Vec<u8>,
    /// End (exclusive) in `buf` of each queued row's ids.
    ends: Vec<u32>,
    /// The queued rows' id lengths (a match must lie inside one id).
    lens: Vec<[u16; ID_FIELDS]>,
}

impl IdScratch {
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.lens.clear();
    }

    /// Queue `row`'s ids for the next `search`.
    #[inline]
    pub fn push(&mut self, cols: &Columns, row: u32) {
        let src = cols.row_ids(row);
        let at = self.buf.len();
        self.buf.resize(at + src.len(), 0);
        fold_into(&mut self.buf[at..], src);
        self.ends.push(self.buf.len() as u32);
        self.lens.push(cols.id_lens[row as usize]);
    }

    /// Number of rows queued.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Search the queued rows; call `hit(k)` with the queue index of each row that has the needle
    /// inside one of its ids, in queue order.
    pub fn search(&self, needle: &Needle, mut hit: impl FnMut(usize)) {
        let n = needle.lower.len();
        let mut pos = 0usize;
        let mut seg = 0usize;
        let buf = &self.buf[..];
        while pos < buf.len() {
            let Some(p) = needle.finder.find(&buf[pos..]) else {
                break;
            };
            let abs = pos + p;
            while self.ends[seg] as usize <= abs {
                seg += 1;
            }
            let end = self.ends[seg] as usize;
            let l = &self.lens[seg];
            let row_start = end - (l[0] as usize + l[1] as usize + l[2] as usize);
            if within_one_id(l, row_start, abs, n) {
                hit(seg);
                pos = end;
                seg += 1;
            } else {
                pos = abs + 1;
            }
        }
    }
}

/// The class of every byte for [`char_set`]: ASCII letters (either case) 0..26, digits 26..36,
/// 27 punctuation characters common in ids 36..63, everything else (other ASCII, non-ASCII
/// bytes) 63.
const CLASS: [u8; 256] = {
    let punct = b"-_.:/ #@+=,;()[]{}<>!$%&*'\"";
    let mut t = [63u8; 256];
    let mut b = 0;
    while b < 26 {
        t[b'a' as usize + b] = b as u8;
        t[b'A' as usize + b] = b as u8;
        b += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 26 + d as u8;
        d += 1;
    }
    let mut p = 0;
    while p < punct.len() {
        t[punct[p] as usize] = 36 + p as u8;
        p += 1;
    }
    t
};

/// The set bit of class 63 (any byte without a class of its own).
pub(crate) const OTHER: u64 = 1 << 63;

/// The set of character classes in `bytes`, ignoring ASCII case (see [`CLASS`]). The store keeps
/// one per row (8 bytes) over its ids: a one-character filter is answered from it without
/// reading the ids, and a longer one skips the rows that lack one of its characters.
pub(crate) fn char_set(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |set, &b| set | 1 << CLASS[b as usize])
}

/// Bytes folded per scan step: big enough that `memmem`'s setup is amortised, small enough to stay
/// in L2.
const SCAN_STEP: usize = 64 * 1024;

/// ASCII lower case of `src` into `dst` (same length). One branch-free pass the compiler
/// vectorises: set bit 5 of 'A'..='Z'.
#[inline]
fn fold_into(dst: &mut [u8], src: &[u8]) {
    for (d, &b) in dst.iter_mut().zip(src) {
        *d = b | (u8::from(b.wrapping_sub(b'A') < 26) << 5);
    }
}

/// Search the ids of rows `rows` (in row order) for `needle`, ignoring ASCII case, and set bit
/// `r - rows.start` of `hit` for every row with the needle inside one of its ids. Rows whose bit
/// is set in `skip` are not searched (the caller has decided them already).
///
/// Walks the arena in runs of consecutive rows to search whose ids are stored back to back
/// (normally long: only a skipped row, or a row whose ids grew in an update and were appended to
/// the arena, ends a run), so the cost is one pass over the searched part of the arena plus the
/// hits, not a per-row copy:
/// - a one-byte needle: `memchr2` of its two cases, in the arena itself;
/// - a needle without ASCII letters: `memmem`, in the arena itself;
/// - otherwise: each run is folded to lower case into a scratch buffer (one vectorised copy) and
///   searched with `memmem` there.
pub(crate) fn scan_ids(
    cols: &Columns,
    rows: std::ops::Range<u32>,
    needle: &Needle,
    skip: &[u64],
    hit: &mut [u64],
) {
    let n = needle.lower.len();
    if n == 0 {
        return;
    }
    let nb = needle.lower.as_bytes();
    let one = (n == 1).then(|| (nb[0], nb[0].to_ascii_uppercase()));
    let fold = one.is_none() && needle.has_ascii_letter();
    let find = |hay: &[u8]| match one {
        Some((lo, up)) => memchr::memchr2(lo, up, hay),
        None => needle.finder.find(hay),
    };
    let mut scratch: Vec<u8> = Vec::new();
    let row_len = |r: usize| -> usize { cols.id_lens[r].iter().map(|&l| l as usize).sum() };
    let base = rows.start as usize;
    let end = rows.end as usize;
    let skipped = |r: usize| bit(skip, r - base);
    let mut r0 = base;
    while r0 < end {
        if skipped(r0) {
            r0 += 1;
            continue;
        }
        // The run: rows r0..r1 with ids back to back from `s0`, at most SCAN_STEP bytes (a row
        // longer than that is a run of its own).
        let s0 = cols.id_start[r0] as usize;
        let mut e = s0 + row_len(r0);
        let mut r1 = r0 + 1;
        while r1 < end && !skipped(r1) {
            let s = cols.id_start[r1] as usize;
            let l = row_len(r1);
            if s != e || e + l - s0 > SCAN_STEP {
                break;
            }
            e += l;
            r1 += 1;
        }
        let raw = &cols.ids[s0..e];
        let hay: &[u8] = if fold {
            if scratch.len() < raw.len() {
                scratch.resize(raw.len().max(SCAN_STEP), 0);
            }
            fold_into(&mut scratch[..raw.len()], raw);
            &scratch[..raw.len()]
        } else {
            raw
        };
        // Walk the hits and the rows together.
        let mut k = r0;
        let mut row_start = 0usize;
        let mut row_end = row_len(r0);
        let mut pos = 0usize;
        while pos + n <= hay.len() {
            let Some(p) = find(&hay[pos..]) else {
                break;
            };
            let abs = pos + p;
            while row_end <= abs {
                k += 1;
                row_start = row_end;
                row_end += row_len(k);
            }
            if within_one_id(&cols.id_lens[k], row_start, abs, n) {
                let i = k - base;
                hit[i / 64] |= 1 << (i % 64);
                pos = row_end;
            } else {
                pos = abs + 1;
            }
        }
        r0 = r1;
    }
}

/// Whether `n` bytes at offset `at` lie within one id of a row whose ids (lengths `lens`) start
/// at `row_start` — not across two ids, nor past the row.
#[inline]
fn within_one_id(lens: &[u16; ID_FIELDS], row_start: usize, at: usize, n: usize) -> bool {
    let mut field_end = row_start;
    for &len in lens {
        field_end += len as usize;
        if at < field_end {
            return at + n <= field_end;
        }
    }
    false
}

/// Bit `i` of a row bitset.
#[inline(always)]
pub(crate) fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Byte ranges of `haystack` where `needle` occurs, ignoring case (non-overlapping, left to right):
/// for highlighting the matches in one cell.
pub fn match_ranges(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    let hay: Vec<(usize, char)> = haystack.char_indices().collect();
    let mut i = 0;
    'outer: while i < hay.len() {
        // Compare lower-cased chars from position i.
        let mut j = i;
        let mut k = 0;
        while k < needle.len() {
            let Some(&(_, c)) = hay.get(j) else {
                break 'outer;
            };
            let mut ok = true;
            for lc in c.to_lowercase() {
                if needle.get(k) != Some(&lc) {
                    ok = false;
                    break;
                }
                k += 1;
            }
            if !ok {
                i += 1;
                continue 'outer;
            }
            j += 1;
        }
        let end = hay.get(j).map_or(haystack.len(), |&(b, _)| b);
        out.push(hay[i].0..end);
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_ignore_case_and_do_not_overlap() {
        assert_eq!(
            match_ranges("Orders_ORDERS_orders", "orders"),
            vec![0..6, 7..13, 14..20]
        );
        assert_eq!(match_ranges("aaaa", "aa"), vec![0..2, 2..4]);
        assert_eq!(match_ranges("Lieferant MÜLLER", "müll"), vec![10..15]);
        assert_eq!(match_ranges("abc", ""), Vec::<Range<usize>>::new());
        assert_eq!(match_ranges("abc", "abcd"), Vec::<Range<usize>>::new());
    }

    #[test]
    fn needle_matches_values() {
        let n = Needle::new("Hana");
        assert!(n.matches_str("S4HANA_PRD"));
        assert!(!n.matches_str("ECC"));
        assert!(Needle::new("MÜL").matches_str("Lieferant Müller"));
    }
}
