//! Case-insensitive substring matching: over dictionary values (once per distinct value), over the
//! id arena (ASCII case folded into a per-chunk scratch buffer, searched with `memchr::memmem`), and
//! the match ranges of one cell for highlighting.

use std::ops::Range;

use memchr::memmem::Finder;

use super::columns::Columns;
use super::dict::Dict;

/// The needle as searched: lower-cased (Unicode for dictionary values; ids are folded ASCII-only,
/// so an id with non-ASCII capitals matches only in the case typed).
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    pub lower: String,
    finder: Finder<'static>,
}

impl Needle {
    pub fn new(text: &str) -> Self {
        let lower = text.replace(SEP as char, "").to_lowercase();
        let finder = Finder::new(lower.as_bytes()).into_owned();
        Self { lower, finder }
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

    /// `matches[code]` for every value of `dict`.
    pub fn match_dict(&self, dict: &Dict) -> Vec<bool> {
        dict.values()
            .map(|v| !v.is_empty() && self.matches_str(v))
            .collect()
    }
}

/// Scratch space of one id search pass (one per thread).
#[derive(Debug, Default)]
pub(crate) struct IdScratch {
    buf: Vec<u8>,
    /// End (exclusive) in `buf` of each candidate's ids.
    ends: Vec<u32>,
}

/// Separator written after each id in the scratch buffer, so that no match spans two ids. A NUL
/// byte cannot be typed into the filter (and is removed from the needle if it is).
const SEP: u8 = 0;

impl IdScratch {
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// Queue `row`'s ids for the next `search`.
    #[inline]
    pub fn push(&mut self, cols: &Columns, row: u32) {
        let r = row as usize;
        let start = cols.id_start[r] as usize;
        let lens = cols.id_lens[r];
        let mut pos = start;
        for l in lens {
            let l = l as usize;
            if l > 0 {
                let src = &cols.ids[pos..pos + l];
                let at = self.buf.len();
                self.buf.extend_from_slice(src);
                self.buf[at..].make_ascii_lowercase();
                self.buf.push(SEP);
                pos += l;
            }
        }
        self.ends.push(self.buf.len() as u32);
    }

    /// Number of rows queued.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Search the queued rows; call `hit(k)` with the queue index of each row that contains the
    /// needle, in queue order.
    pub fn search(&self, needle: &Needle, mut hit: impl FnMut(usize)) {
        let mut pos = 0usize;
        let mut seg = 0usize;
        let buf = &self.buf[..];
        while pos < buf.len() {
            let Some(p) = needle.finder.find(&buf[pos..]) else {
                break;
            };
            let abs = (pos + p) as u32;
            while self.ends[seg] <= abs {
                seg += 1;
            }
            hit(seg);
            pos = self.ends[seg] as usize;
            seg += 1;
        }
    }
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
