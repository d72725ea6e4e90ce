//! Template mining for what the masking rules do not know (after Drain): templates of the same
//! length and first word that differ only in a few value-like words are one problem, and the
//! words that differ become `<*>` (`Error in Orders_Inbound` + `Error in Invoice_Out` →
//! `Error in <*>`).
//!
//! Unlike Drain's streaming tree, the result does not depend on the order the texts arrived in:
//! templates are joined when they are close (connected components), and a component's template
//! keeps exactly the words all its members share. Only value-like words may differ — a
//! placeholder, a word with a digit, `_`, an inner capital or a non-ASCII letter — so
//! `Connection refused` and `Connection reset` stay apart.

use std::collections::HashMap;

/// Buckets larger than this are not mined (pairwise comparison): their templates stay as the
/// rules made them. Real windows have far fewer distinct templates per length and first word.
const MAX_BUCKET: usize = 2_000;

/// The mined templates and, for each input template, the index of its mined one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    pub templates: Vec<String>,
    pub of: Vec<usize>,
}

/// Merge close templates. Equal inputs get the same output.
pub fn mine(templates: &[&str]) -> Mined {
    let tokens: Vec<Vec<&str>> = templates.iter().map(|t| t.split(' ').collect()).collect();
    let mut parent: Vec<usize> = (0..templates.len()).collect();
    let mut buckets: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, t) in tokens.iter().enumerate() {
        buckets.entry((t.len(), t[0])).or_default().push(i);
    }
    for members in buckets.values() {
        if members.len() < 2 || members.len() > MAX_BUCKET {
            continue;
        }
        for (a_at, &a) in members.iter().enumerate() {
            for &b in &members[a_at + 1..] {
                if close(&tokens[a], &tokens[b]) {
                    union(&mut parent, a, b);
                }
            }
        }
    }
    // One output template per component, in the order components first appear.
    let mut out_of_root: HashMap<usize, usize> = HashMap::new();
    let mut merged: Vec<Vec<String>> = Vec::new();
    let mut of = Vec::with_capacity(templates.len());
    for (i, words) in tokens.iter().enumerate() {
        let root = find(&mut parent, i);
        let k = *out_of_root.entry(root).or_insert_with(|| {
            merged.push(words.iter().map(|s| (*s).to_string()).collect());
            merged.len() - 1
        });
        for (slot, tok) in merged[k].iter_mut().zip(words) {
            if slot != tok {
                *slot = widen(slot, tok);
            }
        }
        of.push(k);
    }
    Mined {
        templates: merged.into_iter().map(|t| t.join(" ")).collect(),
        of,
    }
}

/// Same length (the caller's bucket), few differing positions, each of them value-like.
fn close(a: &[&str], b: &[&str]) -> bool {
    let allowed = (a.len() / 4).max(1);
    let mut differ = 0;
    for (x, y) in a.iter().zip(b) {
        if x != y {
            differ += 1;
            if differ > allowed || !value_like(x) || !value_like(y) {
                return false;
            }
        }
    }
    differ > 0
}

fn is_punct(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | ',' | ';' | ':' | '.' | '"' | '\'')
}

/// Two different words as one: `<*>`, keeping the punctuation both have around them
/// (`Orders_Inbound:` + `Invoice_Out:` → `<*>:`).
fn widen(a: &str, b: &str) -> String {
    let lead = |w: &str| w.len() - w.trim_start_matches(is_punct).len();
    let trail = |w: &str| w.len() - w.trim_end_matches(is_punct).len();
    let l = if a[..lead(a)] == b[..lead(b)] {
        &a[..lead(a)]
    } else {
        ""
    };
    let t = if a[a.len() - trail(a)..] == b[b.len() - trail(b)..] {
        &a[a.len() - trail(a)..]
    } else {
        ""
    };
    format!("{l}<*>{t}")
}

fn value_like(word: &str) -> bool {
    let core = word.trim_matches(is_punct);
    // A bare number is one the masking kept on purpose (an HTTP status after `HTTP`, `status`,
    // `code`): it names the problem (`statusCode: 401` is not `statusCode: 500`).
    if !core.is_empty() && core.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    core.contains('<')
        || core.contains('_')
        || core.bytes().any(|c| c.is_ascii_digit())
        || core.chars().skip(1).any(char::is_uppercase)
        || !core.is_ascii()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // The smaller index wins, so the result does not depend on the pair order.
    if ra < rb {
        parent[rb] = ra;
    } else {
        parent[ra] = rb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_like_differences_merge_words_do_not() {
        let m = mine(&[
            "Error in Orders_Inbound: receiver down",
            "Connection refused",
            "Error in Invoice_Outbound: receiver down",
            "Connection reset",
            "Error in Orders_Inbound: receiver down",
        ]);
        assert_eq!(
            m.templates,
            [
                "Error in <*>: receiver down",
                "Connection refused",
                "Connection reset"
            ]
        );
        assert_eq!(m.of, [0, 1, 0, 2, 0]);
    }

    #[test]
    fn the_result_does_not_depend_on_the_order() {
        let texts = [
            "No such property: <name> for class: Script<n> in Flow_A",
            "No such property: <name> for class: Script<n> in Flow_B",
            "Mapping failed at Step_1",
            "Mapping failed at Step_2",
            "Mapping failed at node",
        ];
        let forward = mine(&texts);
        let mut rev = texts;
        rev.reverse();
        let backward = mine(&rev);
        let tpl = |m: &Mined, i: usize| m.templates[m.of[i]].clone();
        for i in 0..texts.len() {
            assert_eq!(
                tpl(&forward, i),
                tpl(&backward, texts.len() - 1 - i),
                "{}",
                texts[i]
            );
        }
        assert_eq!(tpl(&forward, 2), "Mapping failed at <*>");
        assert_eq!(
            tpl(&forward, 4),
            "Mapping failed at node",
            "a plain word is not a value"
        );
    }

    #[test]
    fn status_codes_kept_by_the_masking_stay_apart() {
        let m = mine(&[
            "HTTP operation failed invoking <url> with statusCode: 401",
            "HTTP operation failed invoking <url> with statusCode: 500",
            "Error in Flow_A: status 503",
            "Error in Flow_B: status 503",
        ]);
        assert_eq!(
            m.templates,
            [
                "HTTP operation failed invoking <url> with statusCode: 401",
                "HTTP operation failed invoking <url> with statusCode: 500",
                "Error in <*>: status 503"
            ]
        );
    }

    #[test]
    fn too_many_differences_stay_apart() {
        let m = mine(&["a B_1 C_1 d", "a B_2 C_2 d"]);
        assert_eq!(
            m.templates.len(),
            2,
            "two of four words differ: more than a quarter"
        );
    }
}
