//! Documents: lines of toned segments, wrapped to the screen width at word boundaries. Detail
//! views build them (a pane's `doc.rs`), the app clamps scrolling to them, the doc widget draws
//! them, and `cpitop get` prints them as plain text.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::table::Tone;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub tone: Tone,
    pub bold: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocLine(pub Vec<Seg>);

impl DocLine {
    pub fn plain(text: impl Into<String>) -> Self {
        DocLine(vec![seg(text, Tone::Normal)])
    }
    pub fn heading(text: &str) -> Self {
        DocLine(vec![Seg {
            text: format!("── {text} "),
            tone: Tone::Busy,
            bold: true,
        }])
    }
    pub fn field(name: &str, value: impl Into<String>, tone: Tone) -> Self {
        DocLine(vec![seg(format!("{name:<13} "), Tone::Muted), seg(value, tone)])
    }
    pub fn text(&self) -> String {
        self.0.iter().map(|s| s.text.as_str()).collect()
    }
}

/// A plain (not bold) segment.
pub fn seg(text: impl Into<String>, tone: Tone) -> Seg {
    Seg {
        text: text.into(),
        tone,
        bold: false,
    }
}

/// An error of cpitop's own, every line in the bad tone.
pub fn error_lines(text: &str) -> Vec<DocLine> {
    text.lines().map(|l| DocLine(vec![seg(l, Tone::Bad)])).collect()
}

/// An error as the tenant sent it, with the first exception line and any HTTP status emphasised.
pub fn error_text(text: &str) -> Vec<DocLine> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("Exception") || l.contains("Error:") || l.contains("error:"))
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let base = if i == first { Tone::Bad } else { Tone::Normal };
            let mut segs = Vec::new();
            let mut at = 0;
            for r in http_statuses(l) {
                if r.start > at {
                    segs.push(Seg {
                        text: l[at..r.start].to_string(),
                        tone: base,
                        bold: i == first,
                    });
                }
                segs.push(Seg {
                    text: l[r.clone()].to_string(),
                    tone: Tone::Bad,
                    bold: true,
                });
                at = r.end;
            }
            if at < l.len() || segs.is_empty() {
                segs.push(Seg {
                    text: l[at..].to_string(),
                    tone: base,
                    bold: i == first,
                });
            }
            DocLine(segs)
        })
        .collect()
}

/// Ranges of HTTP status mentions: `statusCode: 401`, `status code 500`, `HTTP 503`,
/// `HTTP/1.1 404`, `HTTP status 429`.
pub fn http_statuses(line: &str) -> Vec<Range<usize>> {
    const NEEDLES: [&str; 5] = ["statuscode", "status code", "http status", "http/1.1", "http"];
    let lower = line.to_ascii_lowercase();
    if lower.len() != line.len() {
        return vec![];
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    for n in NEEDLES {
        let mut from = 0;
        while let Some(p) = lower[from..].find(n) {
            let start = from + p;
            let mut i = start + n.len();
            let b = lower.as_bytes();
            while i < b.len() && matches!(b[i], b':' | b' ' | b'=') {
                i += 1;
            }
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + digits;
            if digits == 3 && !out.iter().any(|r| r.start < end && start < r.end) {
                out.push(start..end);
            }
            from = start + n.len();
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Wrap lines to `width` display columns at word boundaries (spaces), keeping each segment's
/// tone. A word that fits on a line of its own is never split; only a token longer than a
/// whole line is cut. Spaces at a break are dropped; a line's leading indent is kept.
pub fn wrap(lines: &[DocLine], width: usize) -> Vec<DocLine> {
    let width = width.max(10);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        wrap_line(line, width, 0, &mut out);
    }
    out
}

/// One line wrapped to `width`, continuation lines indented by `hang` columns (at most half
/// the width). Hand-written: the wrapping crates work on plain strings and would lose the
/// segment tones, which this keeps by wrapping `(char, segment)` cells.
pub fn wrap_line(line: &DocLine, width: usize, hang: usize, out: &mut Vec<DocLine>) {
    let hang = hang.min(width / 2);
    // (char, display width, segment index); tabs as four spaces, controls shown as escapes.
    let mut cells: Vec<(char, usize, usize)> = Vec::new();
    for (i, s) in line.0.iter().enumerate() {
        // Tenant text (names, error texts): control and bidi characters shown as escapes
        // (`sanitize`), so neither the TUI nor `cpitop get message` passes them on.
        let text = crate::sanitize::one_line(&s.text.replace('\t', "    ")).into_owned();
        for ch in text.chars() {
            if ch == '\t' {
                cells.extend(std::iter::repeat_n((' ', 1, i), 4));
            } else if !ch.is_control() {
                cells.push((ch, ch.width().unwrap_or(0), i));
            }
        }
    }
    let mut rows: Vec<Vec<(char, usize)>> = Vec::new();
    let mut cur: Vec<(char, usize)> = Vec::new();
    let mut used = 0;
    let mut i = 0;
    while i < cells.len() {
        let space = cells[i].0 == ' ';
        let j = i + cells[i..].iter().take_while(|c| (c.0 == ' ') == space).count();
        let run_w: usize = cells[i..j].iter().map(|c| c.1).sum();
        let has_word = cur.iter().any(|c| c.0 != ' ');
        if used + run_w <= width {
            cur.extend(cells[i..j].iter().map(|c| (c.0, c.2)));
            used += run_w;
        } else if space {
            // The break falls here: the spaces go.
            rows.push(std::mem::take(&mut cur));
            used = hang;
        } else if run_w <= width - hang && has_word {
            // The word fits on the next line: break before it.
            while cur.last().is_some_and(|c| c.0 == ' ') {
                cur.pop();
            }
            rows.push(std::mem::take(&mut cur));
            cur.extend(cells[i..j].iter().map(|c| (c.0, c.2)));
            used = hang + run_w;
        } else {
            // Longer than a line: cut it where the line ends.
            for c in &cells[i..j] {
                if used + c.1 > width && used > hang {
                    rows.push(std::mem::take(&mut cur));
                    used = hang;
                }
                cur.push((c.0, c.2));
                used += c.1;
            }
        }
        i = j;
    }
    rows.push(cur);
    for (n, row) in rows.into_iter().enumerate() {
        let mut segs: Vec<Seg> = Vec::new();
        if n > 0 && hang > 0 {
            segs.push(seg(" ".repeat(hang), Tone::Normal));
        }
        let mut last: Option<usize> = None;
        for (ch, si) in row {
            match segs.last_mut() {
                Some(s) if last == Some(si) => s.text.push(ch),
                _ => segs.push(Seg {
                    text: ch.to_string(),
                    ..line.0[si].clone()
                }),
            }
            last = Some(si);
        }
        out.push(DocLine(segs));
    }
}

/// A document as plain lines for `cpitop get`, each neutralised (`sanitize::one_line`): the
/// texts in it come from the tenant.
pub fn plain_text(lines: &[DocLine]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(&crate::sanitize::one_line(line.text().trim_end()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_shows_control_and_bidi_characters_as_escapes() {
        let out = wrap(
            &[DocLine::plain("a\u{1b}]52;c;eA==\u{7}\u{9b}2J\u{202e}b\tc")],
            200,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text(), "a\\u{1b}]52;c;eA==\\u{7}\\u{9b}2J\\u{202e}b    c");
    }

    #[test]
    fn http_status_is_found() {
        let l = "AhcOperationFailedException: HTTP operation failed invoking https://x with statusCode: 401";
        let r = http_statuses(l);
        assert_eq!(r.len(), 1);
        assert_eq!(&l[r[0].clone()], "statusCode: 401");
        assert_eq!(http_statuses("HTTP/1.1 503 Service Unavailable").len(), 1);
        assert!(http_statuses("no status here 12345").is_empty());
    }

    #[test]
    fn first_exception_line_is_emphasised() {
        let doc =
            error_text("Message processing failed.\njava.net.SocketTimeoutException: Read timed out\n\tat x");
        assert_eq!(doc[1].0[0].tone, Tone::Bad);
        assert!(doc[1].0[0].bold);
        assert_eq!(doc[0].0[0].tone, Tone::Normal);
    }

    #[test]
    fn wrapping_breaks_at_spaces_never_mid_word() {
        let l = DocLine(vec![
            seg("Status        ", Tone::Muted),
            seg(
                "Secure Parameter not available for alias SFTP_PARTNER_KEY",
                Tone::Bad,
            ),
        ]);
        let w = wrap(std::slice::from_ref(&l), 24);
        let texts: Vec<String> = w.iter().map(DocLine::text).collect();
        assert_eq!(
            texts,
            [
                "Status        Secure",
                "Parameter not available",
                "for alias",
                "SFTP_PARTNER_KEY"
            ]
        );
        assert!(w.iter().all(|d| d.text().chars().count() <= 24));
        assert_eq!(w[1].0[0].tone, Tone::Bad, "tones survive the break");
        // A token longer than a line is cut, but only that one.
        let long = DocLine::plain("at https://tenant.example.com/very/long/path/without/spaces end");
        let texts: Vec<String> = wrap(&[long], 20).iter().map(DocLine::text).collect();
        assert_eq!(
            texts,
            [
                "at https://tenant.ex",
                "ample.com/very/long/",
                "path/without/spaces",
                "end"
            ]
        );
    }

    #[test]
    fn wrapping_keeps_all_text() {
        let l = DocLine(vec![
            seg("abcdefghij", Tone::Bad),
            seg("klmnopqrstuv", Tone::Good),
        ]);
        let w = wrap(std::slice::from_ref(&l), 10);
        assert_eq!(w.len(), 3);
        assert_eq!(w.iter().map(DocLine::text).collect::<String>(), l.text());
        assert_eq!(w[1].0[0].tone, Tone::Good);
    }
}
