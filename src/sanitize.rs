//! Neutralising tenant text before it reaches a terminal or a file.
//!
//! Names, sender/receiver ids, error texts and OData error messages come from the tenant (and so
//! from whoever can deploy an iFlow or send a message). Written raw they reach the terminal's
//! parser: `ESC ] 52` sets the clipboard, `ESC [ 2J` clears the screen, C1 `U+009B` is a CSI on
//! its own, and the bidirectional overrides (`U+202E` …) make a text read differently from what it
//! is. Every path that prints or writes tenant text (`get` tables, CSV, JSON, errors, `check` and
//! `watch`, exports, notifications) goes through one of the functions here:
//!
//! - [`one_line`]: table and CSV cells, one-line errors; tab, CR and LF become a space.
//! - [`lines`]: multi-line documents; `\n` and `\t` stay, CRLF becomes LF.
//! - [`json`]: serde_json output; C1, DEL and bidi controls become `\uXXXX` (serde_json already
//!   escapes C0 but emits the others raw).
//!
//! A neutralised character is shown as its Rust escape, `\u{1b}` for ESC, so the text stays
//! readable and what the tenant sent can still be told (`ESC]52;…` reads `\u{1b}]52;…`).
//! Zero-width joiners and other format characters that no terminal acts on are kept: emoji and
//! scripts that need them still print.
//!
//! Hand-written rather than a crate: the set is a few ranges, and the crates for "strip ANSI"
//! parse escape sequences (which drops the evidence) and know nothing of bidi controls.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 controls, DEL, C1 controls, the bidi
/// marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–202E, U+2066–2069), and
/// the Unicode line and paragraph separators (U+2028/9, which break a "one-line" cell).
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `\u{1b}`: the visible form of a neutralised character.
fn escape(c: char, out: &mut String) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// Text for one line (a table or CSV cell, a one-line error): tab, CR, LF and CRLF become one
/// space; every other unsafe character becomes its escape.
pub fn one_line(s: &str) -> Cow<'_, str> {
    neutralise(s, &[], &['\t', '\n', '\r'])
}

/// A multi-line document (an error text, a report): `\n` and `\t` stay, CRLF becomes LF, every
/// other unsafe character (a lone CR too: it would overwrite the line) becomes its escape.
pub fn lines(s: &str) -> Cow<'_, str> {
    neutralise(s, &['\n', '\t'], &[])
}

/// The one loop behind [`one_line`] and [`lines`]: the CR of a CRLF is dropped, `kept` characters
/// stay, `to_space` ones become a space, every other unsafe character is escaped. Borrowed when
/// nothing changes.
fn neutralise<'a>(s: &'a str, kept: &[char], to_space: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_unsafe(c) && !kept.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if kept.contains(&c) || !is_unsafe(c) {
            out.push(c);
        } else if to_space.contains(&c) {
            out.push(' ');
        } else {
            escape(c, &mut out);
        }
    }
    Cow::Owned(out)
}

/// serde_json output with the unsafe characters serde_json leaves raw (DEL, C1, bidi controls,
/// U+2028/9) written as JSON escapes (`\u009b`); the document means exactly the same.
///
/// Post-processing is sound because none of these characters can occur in JSON outside a
/// string (structure and whitespace are ASCII), and inside a string `\uXXXX` is the same
/// character. C0 is left alone: serde_json escapes it in strings, and outside strings it is
/// the pretty printer's newlines.
pub fn json(s: &str) -> Cow<'_, str> {
    let raw = |c: char| is_unsafe(c) && c >= '\u{7f}';
    if !s.chars().any(raw) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if raw(c) {
            // Every such character is in the BMP: one `\uXXXX`.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `serde_json::to_string_pretty` through [`json`].
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(v: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(v).map(|s| json(&s).into_owned())
}

/// `serde_json::to_string` through [`json`].
pub fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> serde_json::Result<String> {
    serde_json::to_string(v).map(|s| json(&s).into_owned())
}

/// The error of a top-level command as the user sees it: one plain line (`error: what: why`),
/// neutralised (it may quote tenant text) and without colour, whatever the terminal. Each cause
/// gives its first line only (a config error's source snippet is detail). With `--verbose` every
/// cause follows in full.
pub fn error_report(error: &color_eyre::Report, verbose: bool) -> String {
    let mut text = format!("error: {}", error_line(error));
    if verbose {
        for (i, cause) in error.chain().enumerate() {
            let full = cause.to_string();
            let full = lines(&full);
            text.push_str(&format!("\n  {i}: {}", full.replace('\n', "\n     ")));
        }
    }
    text
}

/// An error and its causes on one neutral line, each cause by its first line.
pub fn error_line(error: &color_eyre::Report) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let first = text.lines().next().unwrap_or("").trim_end().to_string();
        // Wrappers that already quote their source (`cannot read X: <source>`) say it once.
        if first.is_empty() || parts.last().is_some_and(|p| p.ends_with(&first)) {
            continue;
        }
        parts.push(first);
    }
    one_line(&parts.join(": ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sim's control-character fault sends (`sim::faults::CONTROL_TEXT`), spelled out.
    const HOSTILE: &str = "\u{1b}]52;c;Y3BpdG9w\u{7}\u{1b}[2J\u{8}\u{9b}1m\u{202e}\u{2066}\u{200d}";

    #[test]
    fn every_class_is_escaped_byte_exact() {
        assert_eq!(
            one_line(HOSTILE),
            "\\u{1b}]52;c;Y3BpdG9w\\u{7}\\u{1b}[2J\\u{8}\\u{9b}1m\\u{202e}\\u{2066}\u{200d}"
        );
        let cases = [
            ("\u{0}", "\\u{0}"),
            ("\u{7}", "\\u{7}"),
            ("\u{8}", "\\u{8}"),
            ("\u{b}", "\\u{b}"),
            ("\u{c}", "\\u{c}"),
            ("\u{1b}", "\\u{1b}"),
            ("\u{1f}", "\\u{1f}"),
            ("\u{7f}", "\\u{7f}"),
            ("\u{80}", "\\u{80}"),
            ("\u{85}", "\\u{85}"),
            ("\u{9b}", "\\u{9b}"),
            ("\u{9d}", "\\u{9d}"),
            ("\u{9f}", "\\u{9f}"),
            ("\u{61c}", "\\u{61c}"),
            ("\u{200e}", "\\u{200e}"),
            ("\u{200f}", "\\u{200f}"),
            ("\u{2028}", "\\u{2028}"),
            ("\u{2029}", "\\u{2029}"),
            ("\u{202a}", "\\u{202a}"),
            ("\u{202e}", "\\u{202e}"),
            ("\u{2066}", "\\u{2066}"),
            ("\u{2069}", "\\u{2069}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(one_line(raw), shown, "{raw:?}");
            assert_eq!(lines(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_untouched() {
        for s in [
            "ORDERS_to_S4",
            "Größe ✓ 注文 👩‍💻",
            "a\u{a0}b\u{200b}c\u{200d}d\u{feff}",
            "",
        ] {
            assert!(matches!(one_line(s), Cow::Borrowed(_)), "{s:?}");
            assert!(matches!(lines(s), Cow::Borrowed(_)), "{s:?}");
            assert!(matches!(json(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn one_line_and_lines_treat_breaks_by_context() {
        assert_eq!(one_line("a\tb\nc\r\nd\re"), "a b c d e");
        assert_eq!(lines("a\tb\nc\r\nd\re\u{1b}[2J"), "a\tb\nc\nd\\u{d}e\\u{1b}[2J");
        assert!(matches!(lines("a\n\tb\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_c1_del_and_bidi_and_stays_the_same_document() {
        let v = serde_json::json!({ "name": format!("x{HOSTILE}\u{7f}\u{85}\u{2029}") });
        let s = to_json(&v).expect("json");
        assert_eq!(
            s,
            r#"{"name":"x\u001b]52;c;Y3BpdG9w\u0007\u001b[2J\b\u009b1m\u202e\u2066"#.to_owned()
                + "\u{200d}"
                + r#"\u007f\u0085\u2029"}"#
        );
        assert!(!s.chars().any(is_unsafe), "{s:?}");
        let back: serde_json::Value = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back, v);
        let pretty = to_json_pretty(&v).expect("json");
        assert!(
            pretty.contains('\n') && pretty.contains(r"\u009b1m\u202e"),
            "{pretty}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&pretty).expect("json"),
            v
        );
    }

    #[test]
    fn an_error_is_one_line_unless_verbose() {
        let e = color_eyre::eyre::eyre!("inner \u{1b}]52;c;x\u{7} cause\n  2 | url = 5\n    |       ^")
            .wrap_err("cannot read config.toml");
        let line = error_report(&e, false);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.starts_with("error: cannot read config.toml: inner"),
            "{line}"
        );
        assert!(line.ends_with("cause"), "the snippet is detail: {line}");
        assert!(!line.contains('\u{1b}') && !line.contains('\u{7}'), "{line}");
        let long = error_report(&e, true);
        assert_eq!(long.lines().count(), 5, "{long}");
        assert!(
            long.contains("\n  1: inner") && long.contains("url = 5"),
            "{long}"
        );
    }
}
