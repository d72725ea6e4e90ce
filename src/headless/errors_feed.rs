//! The failed messages of a held message window grouped by error signature, round after round:
//! what `check`, `watch` and `serve` keep beside their message window for the signature monitor
//! rules, the signatures of their `message_failed` events (and `serve`'s OTLP log records and
//! error-signature metrics).
//!
//! A regrouping is two halves around the requests, so that a caller whose window sits behind a
//! lock (`serve`) never holds it across them: [`ErrorsFeed::plan`] takes the window's failed rows
//! and picks the error texts to read — newest first, none already read, none of a DISCARDED
//! message, within the `[errors] budget` per minute (kept across rounds); a caller may put some
//! messages first (`serve`'s newly failed ones) and keep part of the budget for them — then
//! [`ErrorsFeed::regroup`] takes what was read, lets go of the texts of messages that left the
//! window and groups the rows. [`ErrorsFeed::refresh`] runs both with the requests between them.
//! The signatures seen are remembered in the state dir (`SeenSignatures::path`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::ErrorsConfig;
use crate::cpi::CpiClient;
use crate::cpi::odata::EpochMs;
use crate::monitor::{EventSignature, MessageRef};
use crate::resources::FetchError;
use crate::signature::{
    Budget, FailedRow, GroupKind, GroupOptions, Grouped, SeenSignatures, Signer, Text, Texts, group_window,
};
use crate::store::MessageStore;

/// The failed messages grouped by error signature, round after round: the texts read so far
/// (one request each, at most `budget` per minute, newest first, none for DISCARDED messages),
/// the signatures remembered for the tenant, the last grouping.
pub struct ErrorsFeed {
    pub signer: Signer,
    pub custom_statuses: Vec<String>,
    pub budget: Budget,
    pub texts: Texts,
    pub seen: SeenSignatures,
    /// Where `seen` is kept (`None`: in memory only).
    pub seen_path: Option<PathBuf>,
    /// The last round's grouping.
    pub grouped: Option<Grouped>,
    /// Texts whose fetch failed in the last round (`guid: why`).
    pub failed: Vec<String>,
}

/// Which texts a regrouping reads before the others.
#[derive(Debug, Clone, Copy, Default)]
pub struct Priority<'a> {
    /// Messages whose texts are read first (`serve`'s newly failed messages), at most `cap` of
    /// them, newest first, as far as the budget allows.
    pub first: &'a [&'a str],
    pub cap: usize,
    /// Requests of the minute's budget the other failures leave unused, for the `first` of the
    /// rounds to come.
    pub reserve: usize,
}

/// The first half of a regrouping: the window's failed rows and the texts to read for them
/// (their requests already taken from the budget).
#[derive(Debug)]
pub struct Regroup {
    rows: Vec<FailedRow>,
    from: EpochMs,
    now: EpochMs,
    /// Message ids whose error texts are to be read, in the order picked.
    pub read: Vec<String>,
}

/// Error texts as read: one result per message id.
pub type TextsRead = Vec<(String, Result<Option<String>, FetchError>)>;

impl ErrorsFeed {
    /// `[errors]` of the config, and the signatures remembered for `tenant` in `state_dir`
    /// (with a notice when they could not be used).
    pub fn new(cfg: &ErrorsConfig, tenant: &str, state_dir: Option<&Path>) -> (Self, Option<String>) {
        let (seen, seen_path, notice) = SeenSignatures::of_tenant(state_dir, tenant);
        let feed = Self {
            signer: Signer::new(cfg.rules.clone()),
            custom_statuses: cfg.custom_statuses.clone(),
            budget: Budget::new(cfg.budget),
            texts: Texts::default(),
            seen,
            seen_path,
            grouped: None,
            failed: Vec::new(),
        };
        (feed, notice)
    }

    /// The first half: the failed messages of `store` from `from` on, and the texts to read at
    /// `now` — `first.first` before the others, then newest first, never one already read or of
    /// a DISCARDED message, within the budget (the requests are taken from it here).
    pub fn plan(
        &mut self,
        store: &MessageStore,
        from: EpochMs,
        now: EpochMs,
        first: &Priority<'_>,
    ) -> Regroup {
        let rows = crate::panes::errors::failed_rows(store, &self.custom_statuses, from);
        let mut unread: Vec<(i64, &str)> = rows
            .iter()
            .filter(|r| !r.discarded && !self.texts.contains_key(&r.guid))
            .map(|r| (r.at_ms, r.guid.as_str()))
            .collect();
        unread.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let wanted_first: HashSet<&str> = first.first.iter().copied().collect();
        let firsts: Vec<&str> = unread
            .iter()
            .map(|(_, g)| *g)
            .filter(|g| wanted_first.contains(g))
            .take(first.cap)
            .collect();
        let n = self.budget.take(firsts.len(), now);
        let mut read: Vec<String> = firsts[..n].iter().map(|g| g.to_string()).collect();
        let picked: HashSet<&str> = firsts[..n].iter().copied().collect();
        let allowance = self.budget.allowance(now).saturating_sub(first.reserve);
        let rest: Vec<String> = unread
            .iter()
            .map(|(_, g)| *g)
            .filter(|g| !picked.contains(g))
            .take(allowance)
            .map(str::to_string)
            .collect();
        self.budget.spend(rest.len(), now);
        read.extend(rest);
        Regroup {
            rows,
            from,
            now,
            read,
        }
    }

    /// The second half: keep the texts read (a failed read is noted in `failed` and tried again
    /// in a later round), let go of those of messages that left the window, group the rows.
    pub fn regroup(&mut self, plan: Regroup, read: TextsRead) {
        self.failed.clear();
        for (guid, r) in read {
            match r {
                Ok(t) => {
                    self.texts.insert(guid, Text::of(t.as_deref()));
                }
                Err(e) => self.failed.push(format!("{guid}: {e}")),
            }
        }
        let keep: HashSet<&str> = plan.rows.iter().map(|r| r.guid.as_str()).collect();
        self.texts.retain(|k, _| keep.contains(k.as_str()));
        let opts = GroupOptions {
            per_iflow: false,
            from_ms: plan.from,
            to_ms: plan.now,
            buckets: crate::panes::errors::state::TREND_BUCKETS,
        };
        self.grouped = Some(group_window(
            plan.rows,
            &self.texts,
            &self.signer,
            &self.seen,
            &opts,
        ));
    }

    /// A whole regrouping of the failures of `store` from `from` on at `now`, the texts read
    /// from `client` newest first within the budget.
    pub async fn refresh(&mut self, client: &CpiClient, store: &MessageStore, from: EpochMs, now: EpochMs) {
        let plan = self.plan(store, from, now, &Priority::default());
        let read = crate::resources::errors::texts(client, &plan.read).await;
        self.regroup(plan, read);
    }

    /// The signature of message `guid` in the last grouping, where `new` means none of its
    /// signatures was known before they were last remembered (and the memory began before).
    pub fn signature_of(&self, guid: &str) -> Option<EventSignature> {
        let g = self.grouped.as_ref()?;
        let row = g.rows.iter().position(|r| r.guid == guid)?;
        let group = g.group_of(row)?;
        if !matches!(group.kind, GroupKind::Signature { .. }) {
            return None;
        }
        let new =
            self.seen.since().is_some() && group.keys.iter().all(|k| self.seen.first_seen(k.key).is_none());
        Some(EventSignature {
            key: group.key.to_string(),
            template: group.template.clone(),
            new,
        })
    }

    /// A newly failed message as `watch` and `serve` report it: with the first line of its error
    /// text when it was read, and its signature (call before this round's signatures are
    /// remembered, so that `new` is true the first time only).
    pub fn report(&self, m: &MessageRef) -> (MessageRef, Option<EventSignature>) {
        let mut m = m.clone();
        if let Some(Text::Known(t)) = self.texts.get(&m.guid) {
            m.error = t.lines().next().map(str::to_string);
        }
        let sig = self.signature_of(&m.guid);
        (m, sig)
    }

    /// Remember the last grouping's signatures as of `now` (in memory; [`Self::save`] keeps
    /// them).
    pub fn observe(&mut self, now: EpochMs) {
        if let Some(g) = &self.grouped {
            self.seen.observe_groups(&g.groups, now);
        }
        self.seen.prune();
    }

    /// Keep the remembered signatures in the state dir (nothing without one); the error if not.
    pub fn save(&self) -> Option<String> {
        let path = self.seen_path.as_ref()?;
        self.seen.save(path).err()
    }

    /// Remember this round's signatures and keep them in the state dir.
    pub fn remember(&mut self, now: EpochMs) -> Option<String> {
        self.observe(now);
        self.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::mpl_row::MplRow;
    use crate::store::{MplBatch, StoreLimits};

    /// A store of failed messages `(guid, iflow, status, time)`.
    fn store(rows: &[(&str, &str, &str, i64)]) -> MessageStore {
        let mut b = MplBatch::default();
        for (guid, iflow, status, t) in rows {
            let json = serde_json::json!({
                "MessageGuid": guid,
                "Status": status,
                "LogStart": format!("/Date({t})/"),
                "LogEnd": format!("/Date({t})/"),
                "IntegrationFlowName": iflow,
            });
            let text = json.to_string();
            let row: MplRow<'_> = serde_json::from_str(&text).unwrap();
            b.push_row(&row).unwrap();
        }
        let mut s = MessageStore::new(StoreLimits {
            max_messages: None,
            max_age: None,
        });
        s.merge(b);
        s
    }

    fn feed(budget: u32) -> ErrorsFeed {
        let cfg = ErrorsConfig {
            budget,
            ..ErrorsConfig::default()
        };
        ErrorsFeed::new(&cfg, "t", None).0
    }

    fn ok(guids: &[String], text: &str) -> TextsRead {
        guids
            .iter()
            .map(|g| (g.clone(), Ok(Some(text.to_string()))))
            .collect()
    }

    #[test]
    fn firsts_go_first_and_the_rest_leaves_the_reserve() {
        let s = store(&[
            ("a", "F", "FAILED", 1_000),
            ("b", "F", "FAILED", 2_000),
            ("c", "F", "FAILED", 3_000),
            ("d", "F", "DISCARDED", 4_000),
            ("e", "F", "FAILED", 5_000),
            ("f", "F", "ESCALATED", 6_000),
            ("g", "F", "FAILED", 7_000),
        ]);
        let mut f = feed(5);
        // b and c first (c newest), then the newest of the rest, leaving 1 of the 5.
        let p = f.plan(
            &s,
            0,
            10_000,
            &Priority {
                first: &["b", "c", "zz"],
                cap: 2,
                reserve: 1,
            },
        );
        assert_eq!(p.read, ["c", "b", "g", "f"]);
        let read = ok(&p.read, "Read timed out after 12 ms");
        f.regroup(p, read);
        // The minute's last request goes to a first; the older failures wait for a new minute.
        let p = f.plan(
            &s,
            0,
            20_000,
            &Priority {
                first: &["e"],
                cap: 5,
                reserve: 3,
            },
        );
        assert_eq!(p.read, ["e"]);
        f.regroup(p, ok(&["e".to_string()], "Read timed out after 9 ms"));
        let p = f.plan(&s, 0, 30_000, &Priority::default());
        assert!(p.read.is_empty(), "the budget is spent: {:?}", p.read);
        f.regroup(p, Vec::new());
        let p = f.plan(&s, 0, 70_001, &Priority::default());
        assert_eq!(p.read, ["a"], "never d (DISCARDED), never one read before");
        f.regroup(p, ok(&["a".to_string()], "Read timed out after 1 ms"));
        let g = f.grouped.as_ref().unwrap();
        assert!(g.unread.is_empty());
        assert_eq!(g.groups[0].count, 6, "{:#?}", g.groups);
        assert_eq!(g.groups[0].template, "Read timed out after <n> ms");
    }

    #[test]
    fn texts_of_messages_that_left_the_window_are_let_go_and_failures_noted() {
        let s = store(&[("a", "F", "FAILED", 1_000), ("b", "F", "FAILED", 2_000)]);
        let mut f = feed(60);
        let p = f.plan(&s, 0, 3_000, &Priority::default());
        let read: TextsRead = vec![
            ("b".into(), Ok(Some("boom".into()))),
            ("a".into(), Err(FetchError::Other("HTTP 500".into()))),
        ];
        f.regroup(p, read);
        assert_eq!(f.failed.len(), 1, "{:?}", f.failed);
        assert!(f.failed[0].starts_with("a: "), "{:?}", f.failed);
        assert_eq!(
            f.grouped.as_ref().unwrap().unread.len(),
            1,
            "a is read again later"
        );
        // The window moves past a and b: their texts go.
        let p = f.plan(&s, 2_500, 4_000, &Priority::default());
        assert!(p.read.is_empty());
        f.regroup(p, Vec::new());
        assert!(f.texts.is_empty());
        assert!(f.grouped.as_ref().unwrap().rows.is_empty());
    }

    #[test]
    fn a_report_has_the_text_and_the_signature_new_until_remembered() {
        let s = store(&[("a", "F", "FAILED", 1_000), ("b", "G", "FAILED", 2_000)]);
        let mut f = feed(60);
        // Remembering began before.
        f.seen.begin(500);
        let p = f.plan(&s, 0, 3_000, &Priority::default());
        let read: TextsRead = vec![
            (
                "a".into(),
                Ok(Some(
                    "HTTP 401 from https://x.example.com: Unauthorized\nat line 2".into(),
                )),
            ),
            (
                "b".into(),
                Ok(Some(
                    "HTTP 401 from https://y.example.com: Unauthorized\nat line 9".into(),
                )),
            ),
        ];
        f.regroup(p, read);
        let m = MessageRef {
            guid: "a".into(),
            iflow: "F".into(),
            status: crate::cpi::model::MplStatus::Failed,
            time: 1_000,
            custom_status: None,
            error: None,
        };
        let (r, sig) = f.report(&m);
        assert_eq!(
            r.error.as_deref(),
            Some("HTTP 401 from https://x.example.com: Unauthorized")
        );
        let sig = sig.expect("a signature");
        assert!(sig.new);
        assert_eq!(sig.template, "HTTP 401 from <url>: Unauthorized at line <n>");
        assert_eq!(sig.key.len(), 16);
        assert_eq!(f.signature_of("b").map(|s| s.key), Some(sig.key.clone()));
        f.observe(3_000);
        assert_eq!(f.report(&m).1.map(|s| s.new), Some(false));
    }
}
