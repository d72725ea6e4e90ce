//! A window's failed messages, owned, with what is known of their error texts, grouped: what the
//! Errors pane shows, `cpitop get errors` prints, `watch` reports and the signature monitor rules
//! read. [`group_window`] is pure; callers run it off the input path (the TUI on a blocking
//! thread, latest wins).

use std::collections::HashMap;

use super::Signer;
use super::group::{ErrorText, Failure, Group, GroupOptions, group};
use super::seen::SeenSignatures;

/// Error texts kept per message at most (the head names the problem; a response body or a stack
/// trace after it is not needed to group, and a tenant can send megabytes).
pub const MAX_TEXT: usize = 8 << 10;

/// One failed message of the window (or one whose custom status counts as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    pub guid: String,
    pub iflow: String,
    /// `FAILED`, `ESCALATED`, or `COMPLETED/ERROR` for a custom status counted as an error.
    pub status: String,
    /// When it failed (`LogEnd`, else `LogStart`), epoch ms.
    pub at_ms: i64,
    /// DISCARDED: the tenant keeps no error information for it; its text is never fetched.
    pub discarded: bool,
}

/// What the tenant answered for a message's error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// The text (at most [`MAX_TEXT`] bytes of it).
    Known(Box<str>),
    /// No error information (204/404, an empty text).
    None,
}

impl Text {
    /// A fetched text as kept: `None` for none, else at most [`MAX_TEXT`] bytes.
    pub fn of(text: Option<&str>) -> Self {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Text::None,
            Some(t) => {
                let mut end = t.len().min(MAX_TEXT);
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                Text::Known(t[..end].into())
            }
        }
    }

    /// The first line, for a table cell.
    pub fn first_line(&self) -> &str {
        match self {
            Text::Known(t) => t.lines().next().unwrap_or_default(),
            Text::None => "",
        }
    }
}

/// Message id → its text as read; a message not in it is not read yet.
pub type Texts = HashMap<String, Text>;

/// The window grouped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grouped {
    /// Newest first; the groups' members index into it.
    pub rows: Vec<FailedRow>,
    pub groups: Vec<Group>,
    /// Rows whose text is not read yet (grouped provisionally by iFlow and status), newest
    /// first: what to fetch next. DISCARDED rows are never in it.
    pub unread: Vec<u32>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub per_iflow: bool,
}

impl Grouped {
    /// The group with key `key`.
    pub fn group(&self, key: super::SigKey) -> Option<&Group> {
        self.groups.iter().find(|g| g.key == key)
    }

    /// The group holding row `row`.
    pub fn group_of(&self, row: usize) -> Option<&Group> {
        self.groups.iter().find(|g| g.members.contains(&row))
    }
}

/// Group `rows` (any order; sorted newest first here) with the texts known, as of the window
/// `opts.from_ms..opts.to_ms`.
pub fn group_window(
    mut rows: Vec<FailedRow>,
    texts: &Texts,
    signer: &Signer,
    seen: &SeenSignatures,
    opts: &GroupOptions,
) -> Grouped {
    rows.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| a.guid.cmp(&b.guid)));
    let mut unread = Vec::new();
    let failures: Vec<Failure<'_>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let error = if r.discarded {
                ErrorText::None
            } else {
                match texts.get(&r.guid) {
                    Some(Text::Known(t)) => ErrorText::Known {
                        text: t,
                        error_type: None,
                    },
                    Some(Text::None) => ErrorText::None,
                    None => {
                        unread.push(i as u32);
                        ErrorText::Pending
                    }
                }
            };
            Failure {
                message_id: &r.guid,
                iflow: &r.iflow,
                status: &r.status,
                at_ms: r.at_ms,
                error,
            }
        })
        .collect();
    let groups = group(&failures, signer, seen, opts);
    drop(failures);
    Grouped {
        rows,
        groups,
        unread,
        from_ms: opts.from_ms,
        to_ms: opts.to_ms,
        per_iflow: opts.per_iflow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::GroupKind;

    fn row(guid: &str, iflow: &str, at: i64, discarded: bool) -> FailedRow {
        FailedRow {
            guid: guid.into(),
            iflow: iflow.into(),
            status: if discarded { "DISCARDED" } else { "FAILED" }.into(),
            at_ms: at,
            discarded,
        }
    }

    #[test]
    fn rows_newest_first_unread_are_pending_and_discarded_never_unread() {
        let rows = vec![
            row("a", "F", 10, false),
            row("b", "F", 30, false),
            row("c", "G", 20, true),
            row("d", "G", 40, false),
        ];
        let mut texts = Texts::new();
        texts.insert("a".into(), Text::of(Some("Read timed out after 3000 ms")));
        texts.insert("d".into(), Text::of(Some("Read timed out after 12 ms")));
        let g = group_window(
            rows,
            &texts,
            &Signer::default(),
            &SeenSignatures::default(),
            &GroupOptions {
                per_iflow: false,
                from_ms: 0,
                to_ms: 100,
                buckets: 4,
            },
        );
        let order: Vec<&str> = g.rows.iter().map(|r| r.guid.as_str()).collect();
        assert_eq!(order, ["d", "b", "c", "a"]);
        assert_eq!(g.unread, [1], "b only: c is DISCARDED");
        let timeout = &g.groups[0];
        assert_eq!(timeout.template, "Read timed out after <n> ms");
        assert_eq!(timeout.members, [0, 3]);
        assert!(
            g.groups
                .iter()
                .any(|x| x.kind == GroupKind::Pending && x.members == [1])
        );
        assert!(
            g.groups
                .iter()
                .any(|x| x.kind == GroupKind::NoText && x.members == [2])
        );
        assert_eq!(g.group_of(3).map(|x| x.key), Some(timeout.key));
    }

    #[test]
    fn texts_are_kept_bounded_and_empty_is_none() {
        assert_eq!(Text::of(Some("  ")), Text::None);
        assert_eq!(Text::of(None), Text::None);
        let long = "é".repeat(MAX_TEXT);
        match Text::of(Some(&long)) {
            Text::Known(t) => assert!(t.len() <= MAX_TEXT && t.len() > MAX_TEXT - 2),
            Text::None => panic!("a text"),
        }
        assert_eq!(Text::of(Some("a\nb")).first_line(), "a");
    }
}
