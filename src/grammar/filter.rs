//! The `/` filter's language, k9s-style, the same in every table (the generic list and the
//! Messages pane's store):
//!
//! - words are terms, all of which a row must match: `orders failed` (each case-insensitively,
//!   in any visible column);
//! - `!term` is a term a row must not match: `!COMPLETED`;
//! - `~re` is a regular expression (case-insensitive, `regex` crate syntax), `!~re` one a row
//!   must not match: `~^ORD.*IN$`;
//! - `"two words"` is one term with its space (`!"…"`, `~"…"` too); a quote left open while
//!   typing runs to the end.
//!
//! A plain text without any of these (`orders`) is one substring, exactly as before: the store
//! keeps its fast path for it ([`Filter::single_text`]). A regular expression that does not
//! compile is left out of the filter, and said so ([`Filter::error`]).

use std::ops::Range;

use regex::{Regex, RegexBuilder};

/// One term of a filter.
#[derive(Debug, Clone)]
pub struct Term {
    /// The row must not match it (`!`).
    pub negated: bool,
    pub kind: TermKind,
}

#[derive(Debug, Clone)]
pub enum TermKind {
    /// A case-insensitive substring (kept lower-cased).
    Text(String),
    /// A case-insensitive regular expression (`~`).
    Regex(Regex),
}

/// A parsed `/` filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
    /// What could not be used, for the filter line: `regex ~(ab: unclosed group`.
    pub error: Option<String>,
}

/// The largest compiled regular expression a filter may hold (a typed pattern is small; this
/// keeps a pathological one from taking memory).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One token as typed: `!`, `~` and the text (quotes removed).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    negated: bool,
    regex: bool,
    text: String,
}

/// Whether `text` is one plain substring (no space, no `!`, `~` or `"` in front): the common
/// case, matched as before.
pub fn is_plain(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && !t.contains(char::is_whitespace) && !t.starts_with(['!', '~', '"'])
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut t = Token {
            negated: false,
            regex: false,
            text: String::new(),
        };
        if chars.peek() == Some(&'!') {
            t.negated = true;
            chars.next();
        }
        if chars.peek() == Some(&'~') {
            t.regex = true;
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                t.text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                t.text.push(c);
                chars.next();
            }
        }
        out.push(t);
    }
    out
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let mut f = Filter::default();
        for t in tokens(text) {
            // A lone `!` or `~` while the term is being typed: nothing yet.
            if t.text.is_empty() {
                continue;
            }
            let kind = if t.regex {
                match RegexBuilder::new(&t.text)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                {
                    Ok(re) => TermKind::Regex(re),
                    Err(e) => {
                        let why = match e {
                            regex::Error::Syntax(s) => s
                                .lines()
                                .rev()
                                .find(|l| l.starts_with("error:"))
                                .map(|l| l.trim_start_matches("error:").trim().to_string())
                                .unwrap_or(s),
                            other => other.to_string(),
                        };
                        f.error
                            .get_or_insert(format!("regex ~{}: {why} (left out)", t.text));
                        continue;
                    }
                }
            } else {
                TermKind::Text(t.text.to_lowercase())
            };
            f.terms.push(Term {
                negated: t.negated,
                kind,
            });
        }
        f
    }

    /// Nothing to filter by.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The one positive text term, when that is the whole filter (the store's fast path).
    pub fn single_text(&self) -> Option<&str> {
        match self.terms.as_slice() {
            [
                Term {
                    negated: false,
                    kind: TermKind::Text(t),
                },
            ] => Some(t),
            _ => None,
        }
    }

    /// Whether a row whose visible cells are `cells` passes: every positive term matches some
    /// cell, no negated term matches any.
    pub fn matches_cells<S: AsRef<str>>(&self, cells: &[S]) -> bool {
        self.terms.iter().all(|t| {
            let hit = cells.iter().any(|c| t.matches(c.as_ref()));
            hit != t.negated
        })
    }

    /// Byte ranges of `cell` to highlight: where its positive terms match (sorted, merged).
    pub fn highlights(&self, cell: &str) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for t in self.terms.iter().filter(|t| !t.negated) {
            match &t.kind {
                TermKind::Text(s) => out.extend(match_ranges(cell, s)),
                TermKind::Regex(re) => {
                    out.extend(re.find_iter(cell).map(|m| m.range()).filter(|r| !r.is_empty()))
                }
            }
        }
        out.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(out.len());
        for r in out {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

impl Term {
    /// Whether the term (ignoring `!`) matches `cell`.
    pub fn matches(&self, cell: &str) -> bool {
        match &self.kind {
            TermKind::Text(s) => contains_ci(cell, s),
            TermKind::Regex(re) => re.is_match(cell),
        }
    }
}

/// Case-insensitive substring test; `needle` must already be lower-case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let h = hay.as_bytes();
        let n = needle.as_bytes();
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

/// Byte ranges of every case-insensitive occurrence of `needle` in `hay` (for highlighting).
pub fn match_ranges(hay: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let h = hay.as_bytes();
        let n = needle.as_bytes();
        let mut i = 0;
        while i + n.len() <= h.len() {
            if h[i..i + n.len()].eq_ignore_ascii_case(n) {
                out.push(i..i + n.len());
                i += n.len();
            } else {
                i += 1;
            }
        }
        return out;
    }
    // Non-ASCII: only highlight when lower-casing keeps byte positions (it usually does).
    let lower = hay.to_lowercase();
    let n = needle.to_lowercase();
    if lower.len() != hay.len() {
        return out;
    }
    let mut from = 0;
    while let Some(p) = lower[from..].find(&n) {
        let r = from + p..from + p + n.len();
        if hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end) {
            out.push(r.clone());
        }
        from = r.end;
    }
    out
}

/// Whether every row that passes filter text `new` also passes `old` (so `new` can filter
/// `old`'s result instead of every row): each term of `old` is implied by one of `new` — the
/// same term, or a positive text term that contains `old`'s positive text term.
/// (`orders` → `orders f` → `orders fa` refine; `!ab` → `!abc` does not.)
pub fn refines(new: &str, old: &str) -> bool {
    let new = tokens(new);
    tokens(old).iter().filter(|o| !o.text.is_empty()).all(|o| {
        new.iter().any(|n| {
            n == o
                || (!o.negated
                    && !o.regex
                    && !n.negated
                    && !n.regex
                    && n.text.to_lowercase().contains(&o.text.to_lowercase()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str], filter: &str) -> bool {
        Filter::parse(filter).matches_cells(cells)
    }

    #[test]
    fn terms_combine_negate_and_take_regular_expressions() {
        let r = ["FAILED", "Orders_Inbound", "WebShop"];
        assert!(row(&r, "orders failed"), "both words, in different columns");
        assert!(!row(&r, "orders completed"));
        assert!(row(&r, "!COMPLETED"));
        assert!(!row(&r, "!failed"), "case-insensitive negation");
        assert!(row(&r, "~^ORD.*D$"));
        assert!(!row(&r, "~^ORD.*IN$"));
        assert!(!row(&r, "!~^ord"));
        assert!(row(&r, "\"orders_in\" ~shop$ !retry"));
        assert!(!row(&r, "\"orders in\""), "a phrase keeps its space");
        assert!(row(&r, ""), "empty: everything");
        assert!(row(&r, "! ~"), "a lone ! or ~ while typing: nothing yet");
        assert!(row(&r, "\"web"), "an open quote runs to the end");
    }

    #[test]
    fn a_bad_regex_is_left_out_and_said() {
        let f = Filter::parse("orders ~(ab");
        assert_eq!(f.terms.len(), 1);
        let e = f.error.expect("an error");
        assert!(
            e.starts_with("regex ~(ab: ") && e.contains("unclosed group"),
            "{e}"
        );
        assert!(Filter::parse("~a{99999999}").error.is_some(), "too big");
    }

    #[test]
    fn plain_text_is_the_fast_path() {
        assert!(is_plain("orders") && is_plain("  orders "));
        for t in ["orders failed", "!x", "~x", "\"x", "", "  "] {
            assert!(!is_plain(t), "{t:?}");
        }
        assert_eq!(Filter::parse("Orders").single_text(), Some("orders"));
        assert_eq!(Filter::parse("a b").single_text(), None);
        assert_eq!(Filter::parse("!a").single_text(), None);
    }

    #[test]
    fn refinement_is_sound() {
        assert!(refines("orders", "ord"));
        assert!(refines("orders f", "orders"));
        assert!(refines("orders fa", "orders f"));
        assert!(refines("orders !x", "orders"));
        assert!(refines("!x orders", "!x"));
        assert!(!refines("!ab", "!a"), "a longer negation admits more rows");
        assert!(!refines("ord", "orders"));
        assert!(!refines("~ab", "~a"), "regular expressions only when unchanged");
        assert!(refines("~a b", "~a"));
        assert!(refines("x", ""));
    }

    #[test]
    fn highlights_merge_every_positive_term() {
        let f = Filter::parse("ord ~in.* !x");
        assert_eq!(f.highlights("Orders_Inbound"), vec![0..3, 7..14]);
        assert_eq!(
            Filter::parse("!ord").highlights("Orders"),
            Vec::<Range<usize>>::new()
        );
        assert_eq!(Filter::parse("or der").highlights("order"), vec![0..5]);
    }
}
