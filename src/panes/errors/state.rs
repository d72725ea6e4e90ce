//! The Errors pane's state: the failed messages of the message window grouped by error signature
//! (`signature`), the error texts read so far and the budget they are read within, the
//! signatures remembered for this tenant, one group's member messages; the keys of both views.
//!
//! Nothing heavy runs here. Grouping runs on a blocking thread ([`GroupJob`], answered by
//! [`Errors::grouped`]; the latest job wins, one at a time, a change meanwhile starts the next);
//! the app hands the job the Messages pane's store (`app::errors`). Texts are fetched newest
//! first within [`Budget`]: [`Errors::pick`] says which now.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::schema::{ErrorGroupRecord, ErrorMemberRecord};
use crate::cpi::model::MplStatus;
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::Load;
use crate::kit::nav::Nav;
use crate::kit::subject::{Subject, Var};
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::kit::toast;
use crate::panes::pane::{PaneState, Reply};
use crate::signature::{
    Budget, FailedRow, Group, GroupKind, GroupOptions, Grouped, SeenSignatures, SigKey, Signer, Text, Texts,
    group_window,
};
use crate::store::{MessageStore, RowId};

pub const COLUMNS: &[Column] = &[
    Column::new("count", "COUNT", Width::Fixed(6), 'c').right(),
    Column::new("signature", "SIGNATURE", Width::Fill(28), 's'),
    Column::new("iflows", "IFLOWS", Width::Fill(14), 'i'),
    Column::new("trend", "TREND", Width::Fixed(12), 't'),
    Column::new("new", "NEW", Width::Fixed(3), 'n'),
    Column::new("last", "LAST", Width::Fixed(8), 'l'),
    Column::new("first", "FIRST", Width::Fixed(8), 'f'),
    Column::new("sample", "SAMPLE", Width::Fixed(28), 'm'),
];

pub const MEMBER_COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(10), 's'),
    Column::new("end", "END", Width::Fixed(8), 'e'),
    Column::new("guid", "MESSAGE ID", Width::Fixed(28), 'm'),
    Column::new("iflow", "IFLOW", Width::Fill(12), 'i'),
    Column::new("error", "ERROR", Width::Fill(15), 'r'),
];

/// Trend buckets over the window (the TREND column's width).
pub const TREND_BUCKETS: usize = 12;
/// A text whose fetch failed is asked again after this long.
pub const RETRY_FAILED_MS: i64 = 5 * 60_000;

/// How failed messages are grouped (`[errors]` of the config).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Error texts fetched per minute at most.
    pub budget: u32,
    /// Custom statuses that count as errors.
    pub custom_statuses: Vec<String>,
    pub signer: Arc<Signer>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            budget: crate::config::load::DEFAULT_ERROR_BUDGET,
            custom_statuses: Vec::new(),
            signer: Arc::default(),
        }
    }
}

/// What the pane starts with for a tenant: `[errors]` of the config, and the signatures
/// remembered for the tenant (read by the shell) with where they are kept.
#[derive(Debug, Clone, Default)]
pub struct ErrorsLaunch {
    pub settings: Settings,
    pub per_iflow: bool,
    pub seen: SeenSignatures,
    /// Where `seen` is kept (`None`: nowhere — the demo's tenant is new on every run).
    pub seen_path: Option<std::path::PathBuf>,
}

/// Where a text fetched before may be found (the offline cache): message id → its text.
pub type CachedText<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// What a grouping depends on: when it changes, the window is grouped again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The store's generation.
    pub store: u64,
    pub texts: u64,
    pub per_iflow: bool,
    pub from_ms: EpochMs,
    pub to_ms: EpochMs,
}

/// One grouping, run on a blocking thread (`run_group`); equal when it is the same job.
#[derive(Debug, Clone)]
pub struct GroupJob {
    pub id: u64,
    pub store: Arc<MessageStore>,
    pub texts: Arc<Texts>,
    pub signer: Arc<Signer>,
    pub seen: Arc<SeenSignatures>,
    pub custom_statuses: Vec<String>,
    pub opts: GroupOptions,
}

impl PartialEq for GroupJob {
    fn eq(&self, o: &Self) -> bool {
        self.id == o.id
    }
}

/// The failed messages of `store` within the window (FAILED, ESCALATED, and those whose custom
/// status is one of `custom`), as rows to group.
pub fn failed_rows(store: &MessageStore, custom: &[String], from_ms: EpochMs) -> Vec<FailedRow> {
    let custom_matches = |c: &str| !c.is_empty() && custom.iter().any(|x| x.eq_ignore_ascii_case(c));
    let mut out = Vec::new();
    for r in 0..store.len() as RowId {
        let status = store.status(r);
        let failed = matches!(status, MplStatus::Failed | MplStatus::Escalated);
        if !failed && custom.is_empty() {
            continue;
        }
        if store.time(r) < from_ms {
            continue;
        }
        let m = store.row(r);
        let custom_error = m.custom_differs().filter(|c| custom_matches(c));
        if !failed && custom_error.is_none() {
            continue;
        }
        out.push(FailedRow {
            guid: m.guid.to_string(),
            iflow: m.iflow_id.to_string(),
            status: match custom_error {
                Some(c) => format!("{}/{c}", status.as_str()),
                None => status.as_str().to_string(),
            },
            at_ms: m.log_end,
            discarded: status == MplStatus::Discarded,
        });
    }
    out
}

/// What the blocking thread computes for a job: the window's failures grouped.
pub fn run_group(job: &GroupJob) -> Grouped {
    let rows = failed_rows(&job.store, &job.custom_statuses, job.opts.from_ms);
    group_window(rows, &job.texts, &job.signer, &job.seen, &job.opts)
}

/// One group's member messages (`Enter` on a group), newest first.
#[derive(Debug, Default)]
pub struct Members {
    pub key: Option<SigKey>,
    pub grouped: Arc<Grouped>,
    pub texts: Arc<Texts>,
    /// Indexes into `grouped.rows`.
    pub rows: Vec<usize>,
    pub list: ListState,
    /// The group is no longer in the window (its messages were regrouped or left the window).
    pub gone: bool,
}

impl Members {
    /// Follow a new grouping: the group with the same key, else keep what was shown, marked gone.
    fn refresh(&mut self, grouped: &Arc<Grouped>, texts: &Arc<Texts>, cx: &CellCx) {
        let Some(key) = self.key else { return };
        match grouped.group(key) {
            Some(g) => {
                self.rows = g.members.clone();
                self.grouped = Arc::clone(grouped);
                self.texts = Arc::clone(texts);
                self.gone = false;
            }
            None => self.gone = true,
        }
        self.rebuild(cx);
    }

    fn row(&self, row: usize) -> Option<&FailedRow> {
        self.rows.get(row).and_then(|&i| self.grouped.rows.get(i))
    }
}

impl Table for Members {
    fn columns(&self) -> &'static [Column] {
        MEMBER_COLUMNS
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(r) = self.row(row) else {
            return String::new();
        };
        match col {
            0 => r.status.clone(),
            1 => cx.time.short(Some(r.at_ms), cx.now),
            2 => r.guid.clone(),
            3 => r.iflow.clone(),
            4 => match (r.discarded, self.texts.get(&r.guid)) {
                (true, _) => "(DISCARDED: no error information)".into(),
                (false, Some(Text::Known(t))) => short_classes(first_line(t)),
                (false, Some(Text::None)) => "(no error information)".into(),
                (false, None) => "(error text not read yet)".into(),
            },
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = self
            .row(row)
            .map(|r| ErrorMemberRecord::of(r, &self.texts))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<ErrorMemberRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.row(row).map(|r| r.guid.clone()).unwrap_or_default()
    }
    /// Newest first, as grouped.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        a.cmp(&b)
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        match (col, self.row(row)) {
            (0, Some(r)) if r.discarded => Tone::Muted,
            (0, Some(_)) => Tone::Bad,
            (4, Some(r)) if !matches!(self.texts.get(&r.guid), Some(Text::Known(_))) => Tone::Muted,
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

/// The first line of an error text, without the MPL-ID sentence's line break noise.
fn first_line(t: &str) -> &str {
    t.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// Java class names without their package, as a cell shows them (a table column is narrow and
/// `org.apache.camel.` says less than `CamelExchangeException`):
/// `org.apache.camel.CamelExchangeException: x` → `CamelExchangeException: x`. A word counts as
/// a class name when it has three segments or more, every one before the last lowercase, and
/// the last starts with a capital; hosts, paths and masks are left alone.
pub fn short_classes(text: &str) -> String {
    let package = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let class = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'$')
    };
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = word.trim_end_matches([':', ',', ';', '.', ')']);
        let tail = &word[core.len()..];
        let segments: Vec<&str> = core.split('.').collect();
        match segments.split_last() {
            Some((last, pkg)) if pkg.len() >= 2 && pkg.iter().all(|s| package(s)) && class(last) => {
                out.push_str(last);
                out.push_str(tail);
            }
            _ => out.push_str(word),
        }
    }
    out
}

#[derive(Debug)]
pub struct Errors {
    /// The message window's freshness: the Messages pane's, copied by the app.
    pub load: Load,
    /// `last 1h` or the custom range (copied by the app).
    pub window_label: String,
    pub list: ListState,
    /// `i`: one group per signature and iFlow.
    pub per_iflow: bool,
    pub settings: Settings,
    /// The groups shown (the last grouping that returned).
    pub grouped: Arc<Grouped>,
    /// The window has been grouped at least once.
    pub grouped_once: bool,
    /// How long the last grouping took on its thread, in ms.
    pub took_ms: Option<u64>,
    /// Error texts read so far (only messages of the window are kept).
    pub texts: Arc<Texts>,
    texts_version: u64,
    /// Unread messages of the grouping shown whose text has not arrived (see `unfetched`).
    unfetched: usize,
    /// Signatures seen on this tenant (kept in the state dir by the app).
    pub seen: Arc<SeenSignatures>,
    /// `seen` changed since it was last saved.
    pub seen_dirty: bool,
    /// When `seen` was last handed over to be saved.
    pub seen_saved_at: Option<EpochMs>,
    /// Error texts fetched per minute at most.
    pub budget: Budget,
    /// Texts asked for, not answered yet.
    pub in_flight: HashSet<String>,
    /// Texts whose fetch failed: when, and why (asked again after [`RETRY_FAILED_MS`]).
    pub failed: HashMap<String, (EpochMs, String)>,
    jobs: u64,
    /// The grouping running on a blocking thread.
    pub running: Option<u64>,
    /// What the last job started grouped.
    last_stamp: Option<Stamp>,
    /// The open group's members.
    pub members: Members,
}

impl Default for Errors {
    fn default() -> Self {
        let settings = Settings::default();
        Self {
            load: Load::default(),
            window_label: String::new(),
            list: ListState::default(),
            per_iflow: false,
            budget: Budget::new(settings.budget),
            settings,
            grouped: Arc::default(),
            grouped_once: false,
            took_ms: None,
            texts: Arc::default(),
            texts_version: 0,
            unfetched: 0,
            seen: Arc::default(),
            seen_dirty: false,
            seen_saved_at: None,
            in_flight: HashSet::new(),
            failed: HashMap::new(),
            jobs: 0,
            running: None,
            last_stamp: None,
            members: Members::default(),
        }
    }
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// One group's member messages, newest first.
    Members {
        key: SigKey,
    },
}

impl Errors {
    /// The pane with `[errors]` of the config and the signatures remembered for the tenant.
    pub fn new(settings: Settings, per_iflow: bool, seen: SeenSignatures) -> Self {
        Self {
            budget: Budget::new(settings.budget),
            settings,
            per_iflow,
            seen: Arc::new(seen),
            ..Self::default()
        }
    }

    /// The pane for a tenant's launch; job ids continue after `previous`'s (a grouping of the
    /// tenant before may still return and must not be taken for one of this tenant's).
    pub fn launched(launch: &ErrorsLaunch, previous: &Errors) -> Self {
        Self {
            jobs: previous.jobs,
            ..Self::new(launch.settings.clone(), launch.per_iflow, launch.seen.clone())
        }
    }

    /// Forget everything of the window (a new tenant, a new window): texts stay (they are the
    /// tenant's, and the window may hold the same messages again) unless `texts` is false.
    pub fn reset(&mut self, texts: bool) {
        self.grouped = Arc::default();
        self.grouped_once = false;
        self.took_ms = None;
        self.last_stamp = None;
        self.running = None;
        self.list.view.clear();
        self.list.selected = 0;
        self.list.offset = 0;
        if !texts {
            self.texts = Arc::default();
            self.texts_version += 1;
            self.in_flight.clear();
            self.failed.clear();
        }
    }

    pub fn texts_version(&self) -> u64 {
        self.texts_version
    }

    /// The stamp of a grouping of the window `from..to` of a store at `generation`.
    pub fn stamp(&self, generation: u64, from_ms: EpochMs, to_ms: EpochMs) -> Stamp {
        Stamp {
            store: generation,
            texts: self.texts_version,
            per_iflow: self.per_iflow,
            from_ms,
            to_ms,
        }
    }

    /// Whether to start a grouping for `stamp`: not while one runs (when it returns, the
    /// latest inputs start the next: changes meanwhile coalesce into one), not for what was
    /// grouped last. Returns the new job's id.
    pub fn want_grouping(&mut self, stamp: Stamp) -> Option<u64> {
        if self.running.is_some() || self.last_stamp == Some(stamp) {
            return None;
        }
        self.jobs += 1;
        self.running = Some(self.jobs);
        self.last_stamp = Some(stamp);
        Some(self.jobs)
    }

    /// The job for id `id` over `store`.
    pub fn job(&self, id: u64, store: Arc<MessageStore>, stamp: Stamp) -> GroupJob {
        GroupJob {
            id,
            store,
            texts: Arc::clone(&self.texts),
            signer: Arc::clone(&self.settings.signer),
            seen: Arc::clone(&self.seen),
            custom_statuses: self.settings.custom_statuses.clone(),
            opts: GroupOptions {
                per_iflow: stamp.per_iflow,
                from_ms: stamp.from_ms,
                to_ms: stamp.to_ms,
                buckets: TREND_BUCKETS,
            },
        }
    }

    /// A grouping returned: shown if it is the job running (a stale one is dropped); its
    /// signatures are remembered; texts of messages no longer in the window are let go.
    pub fn grouped(&mut self, id: u64, grouped: Grouped, took_ms: u64, now: EpochMs, cx: &CellCx) -> bool {
        if self.running != Some(id) {
            return false;
        }
        self.running = None;
        self.took_ms = Some(took_ms);
        if !grouped.per_iflow {
            // Per-iFlow keys name (signature, iFlow) pairs: the memory keeps signatures.
            Arc::make_mut(&mut self.seen).observe_groups(&grouped.groups, now);
            self.seen_dirty = true;
        }
        if self.texts.len() > 2 * grouped.rows.len() + 1_000 {
            let keep: HashSet<&str> = grouped.rows.iter().map(|r| r.guid.as_str()).collect();
            Arc::make_mut(&mut self.texts).retain(|k, _| keep.contains(k.as_str()));
        }
        // The selected group may dissolve (a provisional group whose texts arrived): follow its
        // newest message into the group that holds it now.
        let follow = self
            .selected_group()
            .and_then(Group::newest)
            .and_then(|i| self.grouped.rows.get(i))
            .map(|r| r.guid.clone());
        let first = !self.grouped_once;
        let old_key = self.list.selected_key.clone();
        self.unfetched = grouped
            .unread
            .iter()
            .filter(|&&i| {
                grouped
                    .rows
                    .get(i as usize)
                    .is_some_and(|r| !self.texts.contains_key(&r.guid))
            })
            .count();
        self.grouped = Arc::new(grouped);
        self.grouped_once = true;
        self.rebuild(cx);
        if first {
            self.select_position(0);
        } else if let Some(k) = old_key
            && !self.list.rows().any(|r| self.key(r) == k)
        {
            let holder = follow.and_then(|guid| {
                let row = self.grouped.rows.iter().position(|r| r.guid == guid)?;
                let g = self.grouped.group_of(row)?.key.to_string();
                self.list.rows().position(|r| self.key(r) == g)
            });
            if let Some(pos) = holder {
                self.select_position(pos);
            }
        }
        let (grouped, texts) = (Arc::clone(&self.grouped), Arc::clone(&self.texts));
        self.members.refresh(&grouped, &texts, cx);
        true
    }

    /// Take the texts `cached` knows for unread messages (no request, no budget): once after a
    /// grouping, over every unread message. Returns how many.
    pub fn take_cached(&mut self, cached: &CachedText) -> usize {
        let grouped = Arc::clone(&self.grouped);
        let mut found = Vec::new();
        for &i in &grouped.unread {
            let Some(r) = grouped.rows.get(i as usize) else {
                continue;
            };
            if r.discarded || self.texts.contains_key(&r.guid) || self.in_flight.contains(&r.guid) {
                continue;
            }
            if let Some(text) = cached(&r.guid) {
                found.push((r.guid.clone(), text));
            }
        }
        for (guid, text) in &found {
            self.text_known(guid, Text::of(Some(text)));
        }
        found.len()
    }

    /// Messages whose text to fetch now, newest first: not read, not asked, not failed
    /// recently; as many as the budget allows at `now` (counted as asked).
    pub fn pick(&mut self, now: EpochMs) -> Vec<String> {
        let mut allowance = self.budget.allowance(now);
        if allowance == 0 {
            return Vec::new();
        }
        let grouped = Arc::clone(&self.grouped);
        let mut fetch = Vec::new();
        for &i in &grouped.unread {
            if allowance == 0 {
                break;
            }
            let Some(r) = grouped.rows.get(i as usize) else {
                continue;
            };
            if r.discarded || self.texts.contains_key(&r.guid) || self.in_flight.contains(&r.guid) {
                continue;
            }
            if self
                .failed
                .get(&r.guid)
                .is_some_and(|(t, _)| now - *t < RETRY_FAILED_MS)
            {
                continue;
            }
            allowance -= 1;
            fetch.push(r.guid.clone());
        }
        self.budget.spend(fetch.len(), now);
        self.in_flight.extend(fetch.iter().cloned());
        fetch
    }

    fn text_known(&mut self, guid: &str, text: Text) {
        self.failed.remove(guid);
        if Arc::make_mut(&mut self.texts)
            .insert(guid.to_string(), text)
            .is_none()
        {
            self.unfetched = self.unfetched.saturating_sub(1);
        }
        self.texts_version += 1;
    }

    /// A text fetch answered: `Ok(None)` when the message has no error information.
    pub fn text_arrived(&mut self, guid: &str, result: Result<Option<String>, String>, now: EpochMs) {
        self.in_flight.remove(guid);
        match result {
            Ok(text) => self.text_known(guid, Text::of(text.as_deref())),
            Err(e) => {
                self.failed.insert(guid.to_string(), (now, e));
            }
        }
    }

    /// Failed messages of the window whose text is still to be read (counted at each grouping,
    /// less the texts that arrived since: drawing reads it every frame).
    pub fn unfetched(&self) -> usize {
        self.unfetched
    }

    /// New limits from the config.
    pub fn set_settings(&mut self, settings: Settings) {
        self.budget.set_per_minute(settings.budget);
        self.settings = settings;
        self.last_stamp = None;
    }

    fn group_at(&self, row: usize) -> Option<&Group> {
        self.grouped.groups.get(row)
    }

    fn selected_group(&self) -> Option<&Group> {
        self.list.selected_row().and_then(|r| self.group_at(r))
    }

    /// `Enter`: the group's members.
    fn open_members(&mut self, cx: &CellCx) -> Reply<Route> {
        let Some(g) = self.selected_group() else {
            return Reply::none();
        };
        let key = g.key;
        self.members = Members {
            key: Some(key),
            grouped: Arc::clone(&self.grouped),
            texts: Arc::clone(&self.texts),
            rows: g.members.clone(),
            list: ListState::default(),
            gone: false,
        };
        self.members.rebuild(cx);
        Reply::push(Route::Members { key }, Vec::new())
    }

    /// `n`: the newest member's error (its message's detail).
    fn newest_error(&self, route: &Route) -> Reply<Route> {
        let guid = match route {
            Route::List => self
                .selected_group()
                .and_then(Group::newest)
                .and_then(|i| self.grouped.rows.get(i))
                .map(|r| r.guid.clone()),
            Route::Members { .. } => self
                .members
                .rows
                .first()
                .and_then(|&i| self.members.grouped.rows.get(i))
                .map(|r| r.guid.clone()),
        };
        match guid {
            Some(g) => Reply::nav(Nav::OpenMessage(g)),
            None => Reply::say(toast::info("no group selected")),
        }
    }

    /// Signature groups (not the provisional ones) and how many of them are new.
    pub fn counts(&self) -> (usize, usize) {
        let sig = self
            .grouped
            .groups
            .iter()
            .filter(|g| matches!(g.kind, GroupKind::Signature { .. }));
        let (mut n, mut new) = (0, 0);
        for g in sig {
            n += 1;
            new += usize::from(g.new);
        }
        (n, new)
    }
}

/// `▁▂▃▅▇` over a group's trend, scaled to its own peak.
pub fn sparkline(trend: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = trend.iter().copied().max().unwrap_or(0);
    trend
        .iter()
        .map(|&v| {
            if v == 0 {
                ' '
            } else {
                let (v, max) = (u64::from(v), u64::from(max.max(1)));
                let i = ((v * 8).div_ceil(max)).saturating_sub(1) as usize;
                BARS[i.min(7)]
            }
        })
        .collect()
}

/// `3: Orders_Inbound, Invoice_Out, …` (one iFlow: its name).
pub fn iflows_cell(g: &Group) -> String {
    match g.iflows.as_slice() {
        [] => String::new(),
        [(one, _)] => one.clone(),
        many => format!(
            "{}: {}",
            many.len(),
            many.iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Table for Errors {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.grouped.groups.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(g) = self.group_at(row) else {
            return String::new();
        };
        match col {
            0 => crate::kit::format::thousands(g.count as u64),
            1 => short_classes(&g.template),
            2 => iflows_cell(g),
            3 => sparkline(&g.trend),
            4 => if g.new { "new" } else { "" }.into(),
            5 => cx.time.short(Some(g.last_ms), cx.now),
            6 => cx.time.short(Some(g.first_ms), cx.now),
            7 => g
                .newest()
                .and_then(|i| self.grouped.rows.get(i))
                .map(|r| r.guid.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, _cx: &CellCx) -> serde_json::Value {
        let r = self
            .group_at(row)
            .map(|g| ErrorGroupRecord::of(g, &self.grouped))
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<ErrorGroupRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.group_at(row).map(|g| g.key.to_string()).unwrap_or_default()
    }
    /// By count, then most recent (as grouped).
    fn natural(&self, a: usize, b: usize) -> Ordering {
        a.cmp(&b)
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(g) = self.group_at(row) else {
            return Tone::Normal;
        };
        match (&g.kind, col) {
            (GroupKind::Pending | GroupKind::NoText, _) => Tone::Muted,
            (_, 0) => Tone::Bad,
            (_, 4) if g.new => Tone::Warn,
            (_, 3) => Tone::Bad,
            _ => Tone::Normal,
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
}

impl PaneState for Errors {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Errors, Context::Table, Context::Global],
            Route::Members { .. } => [Context::ErrorMembers, Context::Table, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Members { .. } => Some(&self.members),
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Members { .. } => Some(&mut self.members),
        }
    }
    fn load<'a>(&'a self, route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        match route {
            Route::List | Route::Members { .. } => Some((&self.load, intervals.messages)),
        }
    }
    fn scroll_mut(&mut self, route: &Route) -> Option<&mut usize> {
        match route {
            Route::List | Route::Members { .. } => None,
        }
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("signature", self.selected_group().map(|g| g.template.clone())),
            Route::Members { .. } => ("message id", self.members.selected_key()),
        }
    }
    fn export_name(&self, route: &Route) -> String {
        match route {
            Route::List => "errors",
            Route::Members { .. } => "error-members",
        }
        .into()
    }
    /// A group: its newest member's ids (and `$IFLOW` when it fails in one iFlow); a member: its
    /// message.
    fn subject(&self, route: &Route, cx: &CellCx) -> Option<Subject> {
        let s = self.table(route).and_then(|t| Subject::from_table(t, cx))?;
        let row = match route {
            Route::List => {
                let g = self.selected_group()?;
                let newest = g.members.first().and_then(|&i| self.grouped.rows.get(i));
                let s = match g.iflows.as_slice() {
                    [(one, _)] => s.with(Var::Iflow, one).with(Var::Artifact, one),
                    _ => s,
                };
                return Some(match newest {
                    Some(r) => s.with(Var::MessageId, &r.guid),
                    None => s,
                });
            }
            Route::Members { .. } => self.members.row(self.members.list.selected_row()?)?,
        };
        Some(
            s.with(Var::MessageId, &row.guid)
                .with(Var::Iflow, &row.iflow)
                .with(Var::Artifact, &row.iflow),
        )
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        Some(match (route, a) {
            (Route::List, Action::Open) => self.open_members(&cx.cell()),
            (Route::Members { .. }, Action::Open) => match self.members.selected_key() {
                Some(guid) => Reply::nav(Nav::OpenMessage(guid)),
                None => Reply::none(),
            },
            (Route::List | Route::Members { .. }, Action::NewestError) => self.newest_error(route),
            (Route::List, Action::SplitIflow) => {
                self.per_iflow ^= true;
                let word = if self.per_iflow {
                    "one group per signature and iFlow"
                } else {
                    "one group per signature across iFlows"
                };
                Reply::say(toast::info(format!("errors: {word} (grouping…)")))
            }
            _ => return None,
        })
    }
    /// `r`: texts whose fetch failed are asked again at once.
    fn refresh(&mut self, route: &Route) -> Reply<Route> {
        match route {
            Route::List | Route::Members { .. } => {
                self.failed.clear();
                Reply::none()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::format::TimeFmt;

    fn cx() -> CellCx {
        CellCx {
            now: 10_000_000,
            time: TimeFmt::default(),
        }
    }

    fn row(guid: &str, at: i64, discarded: bool) -> FailedRow {
        FailedRow {
            guid: guid.into(),
            iflow: "F".into(),
            status: "FAILED".into(),
            at_ms: at,
            discarded,
        }
    }

    fn grouped_of(e: &Errors, rows: Vec<FailedRow>) -> Grouped {
        group_window(
            rows,
            &e.texts,
            &e.settings.signer,
            &e.seen,
            &GroupOptions {
                per_iflow: e.per_iflow,
                from_ms: 0,
                to_ms: 10_000_000,
                buckets: TREND_BUCKETS,
            },
        )
    }

    #[test]
    fn texts_are_picked_newest_first_within_the_budget_and_cached_ones_for_free() {
        let mut e = Errors::new(
            Settings {
                budget: 2,
                ..Settings::default()
            },
            false,
            SeenSignatures::default(),
        );
        let rows = vec![
            row("old", 100, false),
            row("gone", 500, true),
            row("mid", 200, false),
            row("new", 300, false),
            row("cached", 250, false),
        ];
        let g = grouped_of(&e, rows.clone());
        let id = e.want_grouping(e.stamp(1, 0, 10_000_000)).unwrap();
        assert!(e.grouped(id, g, 3, 0, &cx()));
        let lookup = |guid: &str| (guid == "cached").then(|| "Read timed out".to_string());
        assert_eq!(e.unfetched(), 4);
        assert_eq!(e.take_cached(&lookup), 1);
        assert!(
            matches!(e.texts.get("cached"), Some(Text::Known(_))),
            "taken from the cache"
        );
        assert_eq!(e.unfetched(), 3);
        assert_eq!(e.pick(1_000), ["new", "mid"], "newest first, DISCARDED never");
        assert!(e.pick(2_000).is_empty(), "the budget of this minute is spent");
        e.text_arrived("new", Ok(Some("Connection refused".into())), 3_000);
        e.text_arrived("mid", Err("HTTP 500".into()), 3_000);
        assert_eq!(e.unfetched(), 2);
        assert_eq!(e.pick(61_000), ["old"], "a failed fetch waits");
        assert_eq!(
            e.pick(61_000 + RETRY_FAILED_MS),
            ["mid"],
            "and is asked again later"
        );
    }

    /// A provisional group dissolves as its texts arrive: the selection follows its newest
    /// message into the group that holds it now.
    #[test]
    fn the_selection_follows_a_dissolving_group() {
        let mut e = Errors::default();
        let mut rows = vec![row("a", 10, false), row("b", 20, false)];
        rows[1].iflow = "G".into();
        rows.push(row("c", 30, false));
        let g = grouped_of(&e, rows.clone());
        let id = e.want_grouping(e.stamp(1, 0, 1)).unwrap();
        e.grouped(id, g, 1, 0, &cx());
        // Pending groups: F (a, c) first, then G (b). Select G's.
        e.move_selection(1);
        assert_eq!(e.selected_group().map(|g| g.members.clone()), Some(vec![1]));
        e.text_arrived("a", Ok(Some("Read timed out".into())), 0);
        e.text_arrived("b", Ok(Some("Read timed out".into())), 0);
        e.text_arrived("c", Ok(Some("Connection refused".into())), 0);
        let g = grouped_of(&e, rows);
        let id = e.want_grouping(e.stamp(1, 0, 2)).unwrap();
        e.grouped(id, g, 1, 0, &cx());
        let sel = e.selected_group().expect("a selection");
        assert_eq!(
            (sel.template.as_str(), e.list.selected),
            ("Read timed out", 0),
            "b's group now (a position kept would show c's)"
        );
    }

    #[test]
    fn one_grouping_at_a_time_and_only_for_changed_inputs() {
        let mut e = Errors::default();
        let s1 = e.stamp(1, 0, 100);
        let a = e.want_grouping(s1).expect("a first job");
        assert_eq!(e.want_grouping(e.stamp(2, 0, 100)), None, "one runs");
        assert!(
            !e.grouped(a + 7, Grouped::default(), 1, 0, &cx()),
            "not the job running"
        );
        assert!(e.grouped(a, Grouped::default(), 1, 0, &cx()));
        assert_eq!(e.want_grouping(s1), None, "nothing changed");
        let b = e.want_grouping(e.stamp(2, 0, 100)).expect("changed");
        assert!(b > a);
    }

    #[test]
    fn cells_show_class_names_without_their_package() {
        assert_eq!(
            short_classes("org.apache.camel.CamelExchangeException: Connection refused to <host>"),
            "CamelExchangeException: Connection refused to <host>"
        );
        assert_eq!(
            short_classes("javax.script.ScriptException: java.lang.NullPointerException: x, in a.b"),
            "ScriptException: NullPointerException: x, in a.b"
        );
        assert_eq!(
            short_classes("see api.partner.com and /a/b.c and HTTP/1.1 and groovy.lang.X$Y."),
            "see api.partner.com and /a/b.c and HTTP/1.1 and X$Y."
        );
    }

    #[test]
    fn sparkline_scales_to_the_peak() {
        assert_eq!(sparkline(&[0, 1, 4, 8]), " ▁▄█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(sparkline(&[3]), "█");
    }
}
