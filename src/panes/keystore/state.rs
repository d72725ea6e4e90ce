//! The Keystore pane's state: the keystore's entries, expired and expiring first; one
//! certificate's details; the keys of both views.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::cpi::model::KeystoreEntry;
use crate::cpi::odata::EpochMs;
use crate::kit::action::Action;
use crate::kit::cx::Cx;
use crate::kit::keymap::Context;
use crate::kit::list::{Column, ListState, Width};
use crate::kit::load::{Fetch, Load};
use crate::kit::table::{CellCx, Table, Tone};
use crate::kit::tenant::Intervals;
use crate::panes::pane::{Out, PaneState, Reply};
use crate::resources::FetchError;

/// The list's columns, most needed first (a narrow terminal drops them from the right).
pub const COLUMNS: &[Column] = &[
    Column::new("status", "STATUS", Width::Fixed(8), 's'),
    Column::new("alias", "ALIAS", Width::Fill(22), 'a'),
    Column::new("type", "TYPE", Width::Fixed(11), 't'),
    Column::new("key", "KEY", Width::Fixed(8), 'k'),
    Column::new("valid_until", "VALID UNTIL", Width::Fixed(11), 'u'),
    Column::new("days_left", "DAYS LEFT", Width::Fixed(9), 'd').right(),
    Column::new("owner", "OWNER", Width::Fill(14), 'o'),
    Column::new("valid_from", "VALID FROM", Width::Fixed(10), 'f'),
];

/// Where an entry stands at a given time, given how long before its end it counts as expiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Validity {
    Expired,
    Expiring,
    Valid,
    /// The tenant reports no end date.
    Undated,
}

impl Validity {
    pub fn of(e: &KeystoreEntry, now: EpochMs, expiring_ms: i64) -> Self {
        match e.valid_not_after {
            None => Validity::Undated,
            Some(end) if end <= now => Validity::Expired,
            Some(end) if end - now <= expiring_ms => Validity::Expiring,
            Some(_) => Validity::Valid,
        }
    }
    /// The status word (colour is never alone).
    pub fn word(self) -> &'static str {
        match self {
            Validity::Expired => "EXPIRED",
            Validity::Expiring => "EXPIRING",
            Validity::Valid => "VALID",
            Validity::Undated => "NO DATE",
        }
    }
    pub fn tone(self) -> Tone {
        match self {
            Validity::Expired => Tone::Bad,
            Validity::Expiring => Tone::Warn,
            Validity::Valid => Tone::Good,
            Validity::Undated => Tone::Muted,
        }
    }
    /// Needs attention: expired or expiring.
    pub fn is_due(self) -> bool {
        matches!(self, Validity::Expired | Validity::Expiring)
    }
}

/// Whole days from `now` to the entry's end, rounded toward zero as the certificate view's ages
/// are (`-3`: expired three days ago, `4`: ends in four days and some hours; `0`: within a day
/// either way); `None` without an end date.
pub fn days_left(e: &KeystoreEntry, now: EpochMs) -> Option<i64> {
    super::schema::days_left(e, now)
}

/// `RSA 2048`, `EC 256`.
pub fn key_text(e: &KeystoreEntry) -> String {
    match (e.key_type.is_empty(), e.key_size) {
        (true, _) => String::new(),
        (false, n) if n > 0 => format!("{} {n}", e.key_type),
        (false, _) => e.key_type.clone(),
    }
}

#[derive(Debug)]
pub struct Keystore {
    pub items: Vec<KeystoreEntry>,
    pub load: Load,
    pub list: ListState,
    /// `f`: only entries that are expired or expiring.
    pub due_only: bool,
    /// How long before its end an entry counts as expiring (`keystore.expiring`), in ms.
    pub expiring_ms: i64,
    /// The clock of the last rebuild: the order and the colours stand on it.
    pub at: EpochMs,
    /// Entries read one by one, by alias: a certificate opened from elsewhere (an alert's
    /// evidence) while the list is not held, or read again with `r`. `None` in `Done`: the
    /// keystore has no such alias.
    pub fetched: HashMap<String, Fetch<Option<KeystoreEntry>>>,
    /// Scroll of the certificate view.
    pub scroll: usize,
}

impl Default for Keystore {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            load: Load::default(),
            list: ListState::default(),
            due_only: false,
            expiring_ms: i64::try_from(Intervals::default().keystore_expiring).unwrap_or(i64::MAX),
            at: 0,
            fetched: HashMap::new(),
            scroll: 0,
        }
    }
}

/// The pane's views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    List,
    /// One entry's certificate details.
    Certificate {
        alias: String,
    },
}

impl Keystore {
    /// A poll's entries.
    pub fn loaded(&mut self, items: Vec<KeystoreEntry>, at: EpochMs, cx: &Cx) {
        self.items = items;
        self.expiring_ms = i64::try_from(cx.intervals.keystore_expiring).unwrap_or(i64::MAX);
        self.load.ok(at);
        self.rebuild(&cx.cell());
        self.list.scroll_into_view(cx.table_rows);
    }

    /// One entry read by alias arrived.
    pub fn certificate_fetched(&mut self, alias: String, result: Result<Option<KeystoreEntry>, FetchError>) {
        self.fetched.insert(alias, Fetch::from_result(result));
    }

    /// Open an entry's certificate view: read it unless the list holds it.
    pub fn open_certificate(&mut self, alias: &str) -> Vec<Out> {
        self.scroll = 0;
        if self.items.iter().any(|e| e.alias == alias)
            || matches!(self.fetched.get(alias), Some(Fetch::Done(_)))
        {
            return Vec::new();
        }
        self.fetched.insert(alias.to_string(), Fetch::Pending);
        vec![Out::FetchCertificate {
            alias: alias.to_string(),
        }]
    }

    /// The entry shown for `alias`: the one read by alias, else the list's.
    pub fn entry(&self, alias: &str) -> Option<&KeystoreEntry> {
        match self.fetched.get(alias) {
            Some(Fetch::Done(Some(e))) => Some(e),
            _ => self.items.iter().find(|e| e.alias == alias),
        }
    }

    pub fn validity(&self, e: &KeystoreEntry) -> Validity {
        Validity::of(e, self.at, self.expiring_ms)
    }

    /// Entries expired or expiring (the tab's count).
    pub fn due(&self) -> usize {
        self.items.iter().filter(|e| self.validity(e).is_due()).count()
    }

    pub fn selected(&self) -> Option<&KeystoreEntry> {
        self.list.selected_row().and_then(|r| self.items.get(r))
    }
}

impl Table for Keystore {
    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }
    fn row_count(&self) -> usize {
        self.items.len()
    }
    fn cell(&self, row: usize, col: usize, cx: &CellCx) -> String {
        let Some(e) = self.items.get(row) else {
            return String::new();
        };
        let day = |t: Option<EpochMs>| cx.time.datetime(t).get(..10).unwrap_or_default().to_string();
        match col {
            0 => Validity::of(e, cx.now, self.expiring_ms).word().to_string(),
            1 => e.alias.clone(),
            2 => e.kind.clone(),
            3 => key_text(e),
            4 => day(e.valid_not_after),
            5 => days_left(e, cx.now).map(|d| d.to_string()).unwrap_or_default(),
            6 => e.owner.clone(),
            7 => day(e.valid_not_before),
            _ => String::new(),
        }
    }
    fn record(&self, row: usize, cx: &CellCx) -> serde_json::Value {
        let r = self
            .items
            .get(row)
            .map(|e| {
                let status = Validity::of(e, cx.now, self.expiring_ms).word();
                super::schema::KeystoreRecord::of(e, status, cx.now)
            })
            .unwrap_or_default();
        crate::kit::schema::value(&r)
    }
    fn fields(&self) -> Vec<String> {
        crate::kit::schema::fields_of::<super::schema::KeystoreRecord>()
    }
    fn key(&self, row: usize) -> String {
        self.items.get(row).map(|e| e.alias.clone()).unwrap_or_default()
    }
    /// Expired first, then expiring, then the rest; each by its end, soonest first.
    fn natural(&self, a: usize, b: usize) -> Ordering {
        let (x, y) = (&self.items[a], &self.items[b]);
        self.validity(x)
            .cmp(&self.validity(y))
            .then_with(|| x.valid_not_after.cmp(&y.valid_not_after))
            .then_with(|| x.alias.to_lowercase().cmp(&y.alias.to_lowercase()))
            .then_with(|| x.alias.cmp(&y.alias))
    }
    fn tone(&self, row: usize, col: usize) -> Tone {
        let Some(e) = self.items.get(row) else {
            return Tone::Normal;
        };
        let v = self.validity(e);
        // The status word always; the whole row when it needs attention.
        if col == 0 || v.is_due() {
            v.tone()
        } else {
            Tone::Normal
        }
    }
    fn list(&self) -> &ListState {
        &self.list
    }
    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }
    fn rebuild(&mut self, cx: &CellCx) {
        self.at = cx.now;
        let mut list = std::mem::take(&mut self.list);
        {
            let this = &*self;
            list.rebuild(
                this.items.len(),
                COLUMNS.len(),
                |r, c| this.cell(r, c, cx),
                |r| this.key(r),
                |a, b| this.natural(a, b),
            );
            if this.due_only {
                list.retain_rows(|r| this.validity(&this.items[r]).is_due());
                list.reselect(|r| this.key(r));
            }
        }
        self.list = list;
    }
}

impl PaneState for Keystore {
    type Route = Route;

    fn contexts(route: &Route) -> [Context; 3] {
        match route {
            Route::List => [Context::Keystore, Context::Table, Context::Global],
            Route::Certificate { .. } => [Context::Certificate, Context::Detail, Context::Global],
        }
    }
    fn table(&self, route: &Route) -> Option<&dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Certificate { .. } => None,
        }
    }
    fn table_mut(&mut self, route: &Route) -> Option<&mut dyn Table> {
        match route {
            Route::List => Some(self),
            Route::Certificate { .. } => None,
        }
    }
    fn load<'a>(&'a self, route: &Route, intervals: &Intervals) -> Option<(&'a Load, u64)> {
        match route {
            Route::List => Some((&self.load, intervals.keystore)),
            // A one-off read (over whatever view it was opened from).
            Route::Certificate { .. } => None,
        }
    }
    fn scroll_mut(&mut self, route: &Route) -> Option<&mut usize> {
        match route {
            Route::List => None,
            Route::Certificate { .. } => Some(&mut self.scroll),
        }
    }
    fn copy_id(&self, route: &Route) -> (&'static str, Option<String>) {
        match route {
            Route::List => ("alias", self.selected_key()),
            Route::Certificate { alias } => ("alias", Some(alias.clone())),
        }
    }
    fn export_name(&self, _route: &Route) -> String {
        "keystore".into()
    }
    fn act(&mut self, route: &Route, a: Action, cx: &Cx) -> Option<Reply<Route>> {
        match (route, a) {
            (Route::List, Action::Open) => Some(match self.selected().map(|e| e.alias.clone()) {
                Some(alias) => {
                    let out = self.open_certificate(&alias);
                    Reply::push(Route::Certificate { alias }, out)
                }
                None => Reply::none(),
            }),
            (Route::List, Action::ToggleFailed) => {
                self.due_only ^= true;
                self.rebuild(&cx.cell());
                self.list.scroll_into_view(cx.table_rows);
                Some(Reply::none())
            }
            _ => None,
        }
    }
    fn refresh(&mut self, route: &Route) -> Reply<Route> {
        match route {
            Route::List => Reply::none(),
            Route::Certificate { alias } => {
                // What is shown stays until the new read arrives.
                self.fetched.entry(alias.clone()).or_insert(Fetch::Pending);
                Reply::out(Out::FetchCertificate { alias: alias.clone() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panes::keystore::schema::DAY_MS;

    fn entry(alias: &str, end: Option<EpochMs>) -> KeystoreEntry {
        KeystoreEntry {
            alias: alias.into(),
            valid_not_after: end,
            ..KeystoreEntry::default()
        }
    }

    #[test]
    fn validity_and_days_left_at_the_edges() {
        let now = 1_000 * DAY_MS;
        let within = 30 * DAY_MS;
        let at = |end| Validity::of(&entry("x", end), now, within);
        assert_eq!(at(Some(now)), Validity::Expired, "ends now: expired");
        assert_eq!(at(Some(now + 1)), Validity::Expiring);
        assert_eq!(at(Some(now + within)), Validity::Expiring, "exactly the horizon");
        assert_eq!(at(Some(now + within + 1)), Validity::Valid);
        assert_eq!(at(None), Validity::Undated);
        assert_eq!(days_left(&entry("x", Some(now - 3 * DAY_MS)), now), Some(-3));
        assert_eq!(
            days_left(&entry("x", Some(now - 1)), now),
            Some(0),
            "whole days, as the certificate view's `EXPIRED 0s ago` counts them"
        );
        assert_eq!(days_left(&entry("x", Some(now - 3 * DAY_MS - 5)), now), Some(-3));
        assert_eq!(days_left(&entry("x", Some(now + DAY_MS - 1)), now), Some(0));
        assert_eq!(days_left(&entry("x", None), now), None);
    }

    #[test]
    fn expired_then_expiring_then_the_rest_each_soonest_first() {
        let now = 1_000 * DAY_MS;
        let mut k = Keystore {
            items: vec![
                entry("later", Some(now + 400 * DAY_MS)),
                entry("undated", None),
                entry("soon", Some(now + 5 * DAY_MS)),
                entry("gone", Some(now - 3 * DAY_MS)),
                entry("next_month", Some(now + 21 * DAY_MS)),
                entry("long_gone", Some(now - 30 * DAY_MS)),
                entry("sooner_than_later", Some(now + 60 * DAY_MS)),
            ],
            ..Keystore::default()
        };
        let cx = CellCx {
            now,
            time: Default::default(),
        };
        k.rebuild(&cx);
        let order: Vec<&str> = k.list.rows().map(|r| k.items[r].alias.as_str()).collect();
        assert_eq!(
            order,
            [
                "long_gone",
                "gone",
                "soon",
                "next_month",
                "sooner_than_later",
                "later",
                "undated"
            ]
        );
        assert_eq!(k.due(), 4);
        k.expiring_ms = 7 * DAY_MS;
        k.due_only = true;
        k.rebuild(&cx);
        let order: Vec<&str> = k.list.rows().map(|r| k.items[r].alias.as_str()).collect();
        assert_eq!(
            order,
            ["long_gone", "gone", "soon"],
            "a shorter horizon: fewer expiring"
        );
        let row = k.list.row_at(2).unwrap();
        assert_eq!(k.tone(row, 1), Tone::Warn, "an expiring row is coloured whole");
        assert_eq!(k.cell(row, 5, &cx), "5");
    }

    #[test]
    fn opening_reads_an_entry_only_when_the_list_lacks_it() {
        let mut k = Keystore {
            items: vec![entry("held", Some(1))],
            ..Keystore::default()
        };
        assert!(k.open_certificate("held").is_empty());
        assert_eq!(
            k.open_certificate("other"),
            [Out::FetchCertificate {
                alias: "other".into()
            }]
        );
        assert_eq!(k.fetched.get("other"), Some(&Fetch::Pending));
        k.certificate_fetched("other".into(), Ok(Some(entry("other", Some(2)))));
        assert_eq!(k.entry("other").and_then(|e| e.valid_not_after), Some(2));
        assert!(k.open_certificate("other").is_empty(), "read once");
    }
}
