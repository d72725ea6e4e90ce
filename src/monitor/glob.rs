//! A tiny glob matcher for monitor scopes (`Orders_*`, `DLQ_??_IN`): `*` matches any run of
//! characters (also none), `?` exactly one character, everything else itself, case-sensitively
//! (iFlow ids and queue names are case-sensitive in CPI).
//!
//! Why no crate: `glob`/`globset` are built for file paths (separators, `**`, character classes,
//! a regex engine behind globset); ids have no separators and need only `*` and `?`. Twenty lines
//! with an iterative, non-exponential algorithm cover it without a dependency.

/// Whether `text` matches `pattern` as a whole.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` seen and the text position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some('?') => {
                pi += 1;
                ti += 1;
            }
            Some(c) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last star absorb one more character and retry after it.
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a pattern contains a wildcard (otherwise it is an exact id).
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything", true),
            ("", "", true),
            ("", "x", false),
            ("Orders_*", "Orders_Inbound", true),
            ("Orders_*", "Orders_", true),
            ("Orders_*", "orders_Inbound", false),
            ("Orders_*", "MyOrders_Inbound", false),
            ("*_Inbound", "Orders_Inbound", true),
            ("*_Inbound", "Orders_Outbound", false),
            ("DLQ_??_IN", "DLQ_AB_IN", true),
            ("DLQ_??_IN", "DLQ_ABC_IN", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("a*b", "abab", true),
            ("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("?", "é", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("**x", "x", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob_match(p, t), *want, "pattern {p:?} text {t:?}");
        }
        assert!(is_glob("a*"));
        assert!(!is_glob("abc"));
    }
}
