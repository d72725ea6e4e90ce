//! What the pollers hold for the scrapes, the OTLP pushes and `/events`: per tenant, the last
//! answer of each resource reduced to what the metrics need, the message counters (from the
//! deltas, never re-counted), the monitors' statuses and the polls' own outcomes. Scrapes only
//! read this; they never call a tenant.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::cpi::CpiClient;
use crate::cpi::model::{ArtifactStatus, JmsBroker, KeystoreEntry, MplStatus, RuntimeArtifact};
use crate::cpi::odata::EpochMs;
use crate::monitor::{Status, TenantHealth};
use crate::signature::{Group, GroupKind, Grouped};
use crate::store::MplBatch;

/// The label value shared by everything beyond a cardinality cap.
pub const OTHER: &str = "other";

/// `signature` of the failed messages whose error text is not read yet (grouped provisionally).
pub const SIG_PROVISIONAL: &str = "provisional";
/// `signature` of the failed messages the tenant has no error information for (DISCARDED, an
/// empty text).
pub const SIG_NO_TEXT: &str = "no_error_information";
/// The longest `template` label value, in characters; a longer template is cut, ending in `…`.
pub const TEMPLATE_LABEL_MAX: usize = 120;

/// The resources a tenant's pollers fetch, in the order metrics list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Artifacts,
    Messages,
    Queues,
    Keystore,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Artifacts,
        Resource::Messages,
        Resource::Queues,
        Resource::Keystore,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Artifacts => "artifacts",
            Resource::Messages => "messages",
            Resource::Queues => "queues",
            Resource::Keystore => "keystore",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// A poller's own record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollRecord {
    pub polls: u64,
    pub errors: u64,
    /// Wall clock of the last successful poll.
    pub last_success: Option<EpochMs>,
    /// The last poll's error (secret-free), cleared by a success.
    pub last_error: Option<String>,
    /// Whether the tenant answered the last poll (an HTTP 4xx is an answer).
    pub answered: Option<bool>,
}

/// Label values admitted under a cap, first come first served: once a value has its own series
/// it keeps it (series do not jump between a name and `other`); values beyond the cap map to
/// [`OTHER`].
#[derive(Debug, Clone)]
pub struct LabelCap {
    cap: usize,
    admitted: HashMap<Arc<str>, ()>,
    other: Arc<str>,
}

impl LabelCap {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            admitted: HashMap::new(),
            other: Arc::from(OTHER),
        }
    }
    /// The label value for `value`: itself while there is room (or it already has a series),
    /// else `other`.
    pub fn label(&mut self, value: &str) -> Arc<str> {
        if let Some((k, _)) = self.admitted.get_key_value(value) {
            return k.clone();
        }
        if self.admitted.len() < self.cap && value != OTHER {
            let k: Arc<str> = Arc::from(value);
            self.admitted.insert(k.clone(), ());
            return k;
        }
        self.other.clone()
    }
    pub fn len(&self) -> usize {
        self.admitted.len()
    }
    pub fn is_empty(&self) -> bool {
        self.admitted.is_empty()
    }
}

/// One queue as the metrics show it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMetric {
    pub label: Arc<str>,
    pub depth: i64,
    /// Oldest message's creation time, when the messages were read.
    pub oldest: Option<EpochMs>,
    pub dlq: bool,
}

/// One certificate as the metrics show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CertMetric {
    pub label: Arc<str>,
    pub valid_until: EpochMs,
}

/// Message counters of one tenant, from the message deltas.
///
/// A message is counted once, when it is first seen in a final status (COMPLETED, FAILED,
/// ESCALATED, CANCELLED, DISCARDED, ABANDONED); a message first seen in RETRY counts once in
/// `retried`. The first complete window load is the baseline: what it holds is remembered but not
/// counted, so a (re)start does not count an hour of history as new. Remembered ids older than
/// the retention are forgotten (a delta never returns them again).
#[derive(Debug, Default)]
pub struct MessageCounters {
    baseline_done: bool,
    /// guid → the message's time when it was counted (final) or seen in RETRY.
    counted: HashMap<Box<str>, EpochMs>,
    retried_seen: HashMap<Box<str>, EpochMs>,
    /// (iflow label, status) → messages.
    pub totals: HashMap<(Arc<str>, MplStatus), u64>,
    /// iflow label → messages seen in RETRY.
    pub retried: HashMap<Arc<str>, u64>,
    /// (iflow label, status) → messages in PROCESSING or RETRY now (from the held window).
    pub in_flight: HashMap<(Arc<str>, MplStatus), u64>,
}

impl MessageCounters {
    /// Take in the pages of one load (the window's first load or a delta).
    pub fn observe(&mut self, batches: &[MplBatch], iflows: &mut LabelCap) {
        let baseline = !self.baseline_done;
        for b in batches {
            for (i, guid) in b.guids().enumerate() {
                let status = b
                    .status
                    .get(i)
                    .map_or(MplStatus::Unknown, |s| MplStatus::from_u8(*s));
                let time = b.log_end.get(i).copied().unwrap_or(0);
                let iflow = b.iflow.get(i).map_or("", |c| b.strings.get(*c));
                self.known(iflow, iflows);
                // Each sighting renews the remembered time: an id is forgotten only once the
                // deltas can no longer return it.
                if status == MplStatus::Retry {
                    match self.retried_seen.get_mut(guid) {
                        Some(t) => *t = (*t).max(time),
                        None => {
                            self.retried_seen.insert(guid.into(), time);
                            if !baseline {
                                *self.retried.entry(iflows.label(iflow)).or_default() += 1;
                            }
                        }
                    }
                } else if status.is_final() {
                    match self.counted.get_mut(guid) {
                        Some(t) => *t = (*t).max(time),
                        None => {
                            self.counted.insert(guid.into(), time);
                            if !baseline {
                                *self.totals.entry((iflows.label(iflow), status)).or_default() += 1;
                            }
                        }
                    }
                }
            }
        }
        self.baseline_done = true;
    }

    /// An iFlow's counters exist (at 0) from its first message on, so `rate()` and alerts see
    /// its first failure as an increase and every counter family has series from the start.
    fn known(&mut self, iflow: &str, iflows: &mut LabelCap) {
        let label = iflows.label(iflow);
        for s in [MplStatus::Completed, MplStatus::Failed] {
            self.totals.entry((label.clone(), s)).or_insert(0);
        }
        self.retried.entry(label).or_insert(0);
    }

    /// Forget ids whose time is before `before` (the deltas' overlap never reaches back there).
    pub fn forget_before(&mut self, before: EpochMs) {
        self.counted.retain(|_, t| *t >= before);
        self.retried_seen.retain(|_, t| *t >= before);
    }

    /// Ids remembered (for tests and the memory figure).
    pub fn remembered(&self) -> usize {
        self.counted.len() + self.retried_seen.len()
    }

    pub fn baseline_done(&self) -> bool {
        self.baseline_done
    }
}

/// The failed messages of the window in one error-signature group, as the metrics show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMetric {
    /// The group's stable key (hex), or [`OTHER`], [`SIG_PROVISIONAL`], [`SIG_NO_TEXT`].
    pub signature: Arc<str>,
    /// The template (the error text with what varies masked), one line, at most
    /// [`TEMPLATE_LABEL_MAX`] characters.
    pub template: Arc<str>,
    pub messages: u64,
}

/// A template as a label value: one line (controls escaped as on screen), at most
/// [`TEMPLATE_LABEL_MAX`] characters.
pub fn template_label(template: &str) -> Arc<str> {
    let line = crate::sanitize::one_line(template);
    let line = line.trim();
    match line.char_indices().nth(TEMPLATE_LABEL_MAX - 1) {
        Some((cut, _)) if line.chars().count() > TEMPLATE_LABEL_MAX => {
            Arc::from(format!("{}…", line[..cut].trim_end()))
        }
        _ => Arc::from(line),
    }
}

/// The window's failed messages per error-signature group as series: the `cap` largest
/// signature groups (equal counts: the lower key first) with their own, the rest summed as
/// [`OTHER`]; the messages whose text is not read yet as [`SIG_PROVISIONAL`] (always there, 0 when
/// every text is read) and those without error information as [`SIG_NO_TEXT`].
pub fn signature_metrics(grouped: &Grouped, cap: usize) -> Vec<SignatureMetric> {
    let mut sigs: Vec<&Group> = grouped
        .groups
        .iter()
        .filter(|g| matches!(g.kind, GroupKind::Signature { .. }))
        .collect();
    sigs.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    let count = |kind: fn(&GroupKind) -> bool| -> u64 {
        grouped
            .groups
            .iter()
            .filter(|g| kind(&g.kind))
            .map(|g| g.count as u64)
            .sum()
    };
    let mut out: Vec<SignatureMetric> = sigs
        .iter()
        .take(cap)
        .map(|g| SignatureMetric {
            signature: Arc::from(g.key.to_string()),
            template: template_label(&g.template),
            messages: g.count as u64,
        })
        .collect();
    if sigs.len() > cap {
        out.push(SignatureMetric {
            signature: Arc::from(OTHER),
            template: Arc::from("(other signatures, beyond [serve] max_signatures)"),
            messages: sigs[cap..].iter().map(|g| g.count as u64).sum(),
        });
    }
    out.push(SignatureMetric {
        signature: Arc::from(SIG_PROVISIONAL),
        template: Arc::from("(error text not read yet)"),
        messages: count(|k| matches!(k, GroupKind::Pending)),
    });
    let none = count(|k| matches!(k, GroupKind::NoText));
    if none > 0 {
        out.push(SignatureMetric {
            signature: Arc::from(SIG_NO_TEXT),
            template: Arc::from("(no error information)"),
            messages: none,
        });
    }
    out
}

/// Everything the metrics of one tenant read.
#[derive(Debug)]
pub struct Held {
    /// Artifact count per status (`None` before the first successful poll).
    pub artifacts_by_status: Option<Vec<(ArtifactStatus, u64)>>,
    /// (artifact label, status) of each artifact that is not STARTED.
    pub not_started: Vec<(Arc<str>, ArtifactStatus)>,
    pub queues: Option<Vec<QueueMetric>>,
    pub broker: Option<JmsBroker>,
    pub certificates: Option<Vec<CertMetric>>,
    pub messages: MessageCounters,
    /// The window's failed messages per error-signature group (`None` before the first
    /// grouping).
    pub signatures: Option<Vec<SignatureMetric>>,
    /// (key, name, status) of each active monitor, in configuration order.
    pub monitors: Vec<(Arc<str>, String, Status)>,
    pub health: TenantHealth,
    /// Whether the tenant answers (any resource's latest poll got an answer); `None` before
    /// the first poll ended.
    pub reachable: Option<bool>,
    polls: [PollRecord; 4],
    pub iflow_labels: LabelCap,
    pub queue_labels: LabelCap,
    pub cert_labels: LabelCap,
}

impl Held {
    pub fn new(caps: crate::config::serve::Caps) -> Self {
        Self {
            artifacts_by_status: None,
            not_started: Vec::new(),
            queues: None,
            broker: None,
            certificates: None,
            messages: MessageCounters::default(),
            signatures: None,
            monitors: Vec::new(),
            health: TenantHealth::default(),
            reachable: None,
            polls: Default::default(),
            iflow_labels: LabelCap::new(caps.iflows),
            queue_labels: LabelCap::new(caps.queues),
            cert_labels: LabelCap::new(caps.certificates),
        }
    }

    pub fn poll(&self, r: Resource) -> &PollRecord {
        &self.polls[r.index()]
    }

    /// Record a poll's outcome; returns the new reachability when it changed.
    pub fn record_poll(
        &mut self,
        r: Resource,
        now: EpochMs,
        outcome: Result<(), (String, bool)>,
    ) -> Option<bool> {
        let p = &mut self.polls[r.index()];
        p.polls += 1;
        match outcome {
            Ok(()) => {
                p.last_success = Some(now);
                p.last_error = None;
                p.answered = Some(true);
                self.health.record(now, Ok(()));
            }
            Err((e, answered)) => {
                p.errors += 1;
                p.last_error = Some(e.clone());
                p.answered = Some(answered);
                if answered {
                    self.health.record(now, Ok(()));
                } else {
                    self.health.record(now, Err(e));
                }
            }
        }
        let reachable = self.polls.iter().any(|p| p.answered == Some(true));
        let changed = self.reachable != Some(reachable);
        self.reachable = Some(reachable);
        changed.then_some(reachable)
    }

    /// Whether every resource has had its first poll (successful or not).
    pub fn first_polls_done(&self) -> bool {
        self.polls.iter().all(|p| p.polls > 0)
    }

    /// Reduce an artifact list to counts per status and the not-started ones.
    pub fn set_artifacts(&mut self, artifacts: &[RuntimeArtifact]) {
        let mut by: Vec<(ArtifactStatus, u64)> = Vec::new();
        let mut not_started = Vec::new();
        for a in artifacts {
            match by.iter_mut().find(|(s, _)| *s == a.status) {
                Some((_, n)) => *n += 1,
                None => by.push((a.status.clone(), 1)),
            }
            if !a.status.is_started() {
                not_started.push((self.iflow_labels.label(&a.id), a.status.clone()));
            }
        }
        by.sort_by(|a, b| a.0.cmp(&b.0));
        self.artifacts_by_status = Some(by);
        self.not_started = not_started;
    }

    pub fn set_certificates(&mut self, entries: &[KeystoreEntry]) {
        let mut certs = Vec::new();
        for e in entries {
            if let Some(until) = e.valid_not_after {
                let label = self.cert_labels.label(&e.alias);
                certs.push(CertMetric {
                    label,
                    valid_until: until,
                });
            }
        }
        self.certificates = Some(certs);
    }
}

/// One tenant: its client (for the request counters) and what its pollers hold.
#[derive(Debug)]
pub struct TenantState {
    pub name: Arc<str>,
    pub client: CpiClient,
    held: RwLock<Held>,
}

impl TenantState {
    pub fn new(name: &str, client: CpiClient, caps: crate::config::serve::Caps) -> Self {
        Self {
            name: Arc::from(name),
            client,
            held: RwLock::new(Held::new(caps)),
        }
    }
    /// Read access (a poisoned lock is recovered: the data is plain values).
    pub fn read(&self) -> RwLockReadGuard<'_, Held> {
        self.held.read().unwrap_or_else(|p| p.into_inner())
    }
    pub fn write(&self) -> RwLockWriteGuard<'_, Held> {
        self.held.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpi::mpl_row::MplRow;

    fn batch(rows: &[(&str, &str, &str, i64)]) -> MplBatch {
        let mut b = MplBatch::default();
        for (guid, iflow, status, t) in rows {
            let json = serde_json::json!({
                "MessageGuid": guid,
                "Status": status,
                "LogEnd": format!("/Date({t})/"),
                "IntegrationFlowName": iflow,
            });
            let text = json.to_string();
            let row: MplRow<'_> = serde_json::from_str(&text).unwrap();
            b.push_row(&row).unwrap();
        }
        b
    }

    #[test]
    fn counted_once_from_deltas_after_the_baseline() {
        let mut c = MessageCounters::default();
        let mut cap = LabelCap::new(10);
        c.observe(
            &[batch(&[
                ("a", "F", "COMPLETED", 1),
                ("b", "F", "PROCESSING", 2),
                ("r", "F", "RETRY", 2),
            ])],
            &mut cap,
        );
        assert!(
            c.totals.values().chain(c.retried.values()).all(|n| *n == 0),
            "the baseline is not counted"
        );
        assert_eq!(c.totals.len(), 2, "COMPLETED and FAILED of F exist at 0");
        // b completes, a is delivered again (overlap), c fails, r is still retrying.
        c.observe(
            &[batch(&[
                ("a", "F", "COMPLETED", 1),
                ("b", "F", "COMPLETED", 5),
                ("c", "G", "FAILED", 6),
                ("r", "F", "RETRY", 7),
            ])],
            &mut cap,
        );
        c.observe(
            &[batch(&[("c", "G", "FAILED", 6), ("d", "G", "RETRY", 8)])],
            &mut cap,
        );
        let get = |f: &str, s| c.totals.get(&(Arc::from(f), s)).copied().unwrap_or(0);
        assert_eq!(get("F", MplStatus::Completed), 1);
        assert_eq!(get("G", MplStatus::Failed), 1);
        assert_eq!(c.retried.get("G").copied(), Some(1));
        assert_eq!(c.retried.get("F"), Some(&0), "r was retrying at the baseline");
        c.forget_before(6);
        assert_eq!(c.remembered(), 3, "c, r, d remain");
    }

    #[test]
    fn caps_map_the_rest_to_other_and_keep_admitted_values() {
        let mut cap = LabelCap::new(2);
        assert_eq!(&*cap.label("a"), "a");
        assert_eq!(&*cap.label("b"), "b");
        assert_eq!(&*cap.label("c"), OTHER);
        assert_eq!(&*cap.label("a"), "a");
        assert_eq!(cap.len(), 2);
    }

    fn grouped(texts: &[(&str, Option<&str>)]) -> Grouped {
        use crate::signature::{FailedRow, GroupOptions, SeenSignatures, Signer, Text, Texts, group_window};
        let mut rows = Vec::new();
        let mut read = Texts::new();
        for (i, (guid, text)) in texts.iter().enumerate() {
            let discarded = *text == Some("");
            rows.push(FailedRow {
                guid: guid.to_string(),
                iflow: format!("F{}", i % 3),
                status: if discarded { "DISCARDED" } else { "FAILED" }.into(),
                at_ms: 1_000 + i as i64,
                discarded,
            });
            if let Some(t) = text.filter(|t| !t.is_empty()) {
                read.insert(guid.to_string(), Text::of(Some(t)));
            }
        }
        let opts = GroupOptions {
            per_iflow: false,
            from_ms: 0,
            to_ms: 10_000,
            buckets: 4,
        };
        group_window(rows, &read, &Signer::default(), &SeenSignatures::default(), &opts)
    }

    #[test]
    fn signature_series_are_capped_largest_first_with_the_rest_as_other() {
        let g = grouped(&[
            ("a", Some("Read timed out after 3000 ms")),
            ("b", Some("Read timed out after 12 ms")),
            ("c", Some("Read timed out after 7 ms")),
            ("d", Some("HTTP 401 from https://x.example.com: Unauthorized")),
            ("e", Some("HTTP 401 from https://y.example.com: Unauthorized")),
            ("f", Some("java.lang.NullPointerException")),
            ("g", None),
            ("h", None),
            ("i", Some("")),
        ]);
        let key = |t: &str| {
            g.groups
                .iter()
                .find(|x| x.template == t)
                .map(|x| x.key.to_string())
                .unwrap_or_else(|| panic!("no `{t}`: {:#?}", g.groups))
        };
        let m = signature_metrics(&g, 2);
        let got: Vec<(&str, &str, u64)> = m
            .iter()
            .map(|s| (&*s.signature, &*s.template, s.messages))
            .collect();
        assert_eq!(
            got,
            [
                (
                    key("Read timed out after <n> ms").as_str(),
                    "Read timed out after <n> ms",
                    3
                ),
                (
                    key("HTTP 401 from <url>: Unauthorized").as_str(),
                    "HTTP 401 from <url>: Unauthorized",
                    2
                ),
                (OTHER, "(other signatures, beyond [serve] max_signatures)", 1),
                (SIG_PROVISIONAL, "(error text not read yet)", 2),
                (SIG_NO_TEXT, "(no error information)", 1),
            ]
        );
        // Without a cap hit there is no `other`; provisional is there at 0 when all is read.
        let m = signature_metrics(&grouped(&[("a", Some("boom"))]), 50);
        let got: Vec<(&str, u64)> = m.iter().map(|s| (&*s.signature, s.messages)).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], (SIG_PROVISIONAL, 0));
        assert_eq!(m.iter().map(|s| s.messages).sum::<u64>(), 1);
    }

    #[test]
    fn template_labels_are_one_bounded_line() {
        assert_eq!(&*template_label("a\tb\nc"), "a b c");
        assert_eq!(&*template_label("x\u{1b}[2Jy"), "x\\u{1b}[2Jy");
        let long = "é".repeat(500);
        let l = template_label(&long);
        assert_eq!(l.chars().count(), TEMPLATE_LABEL_MAX);
        assert!(l.ends_with('…'));
        let exact = "x".repeat(TEMPLATE_LABEL_MAX);
        assert_eq!(&*template_label(&exact), exact);
    }

    #[test]
    fn reachability_changes_are_reported_once() {
        let mut h = Held::new(crate::config::serve::Caps::default());
        assert_eq!(h.record_poll(Resource::Artifacts, 1, Ok(())), Some(true));
        assert_eq!(
            h.record_poll(Resource::Queues, 2, Err(("HTTP 403".into(), true))),
            None
        );
        assert_eq!(
            h.record_poll(Resource::Artifacts, 3, Err(("timeout".into(), false))),
            None,
            "queues still answered"
        );
        assert_eq!(
            h.record_poll(Resource::Queues, 4, Err(("reset".into(), false))),
            Some(false)
        );
        assert_eq!(h.health.last_error.as_deref(), Some("reset"));
        assert!(!h.first_polls_done());
    }
}
