//! The Errors pane tied to the others: its failed messages are the Messages pane's window (the
//! store, its freshness and its window, handed over here — no pane reads another), its error
//! texts come from the offline cache when it has them and else from the tenant within the
//! pane's budget, and what it remembers of the tenant's signatures is saved from here.
//!
//! After every `update`: mirror the window's freshness, start a grouping when its inputs changed
//! (one at a time, on a blocking thread: `Effect::GroupErrors`), ask for the texts due now
//! (`Effect::FetchErrorTexts`), and save the remembered signatures now and then.

use std::sync::Arc;

use super::msg::{Effect, FetchError};
use super::state::{Pane, State};
use crate::features::cache::data::CachedText;

/// Remembered signatures are written at most this often (and on quit).
pub const SAVE_SEEN_EVERY_MS: i64 = 60_000;

/// Whether the failed messages are grouped now: while the Errors pane is shown, or a monitor
/// needs signatures.
fn active(s: &State) -> bool {
    s.pane() == Pane::Errors || s.alerts.needs.error_signatures
}

/// The window grouped: the Messages pane's fixed range, or its last complete load's window.
fn window(s: &State) -> Option<(i64, i64)> {
    let q = &s.messages.query;
    match q.range {
        Some(r) => Some(r),
        None => s.messages.load.loaded_at.map(|at| (at - q.window_ms, at)),
    }
}

pub fn after_update(s: &mut State, fx: &mut Vec<Effect>) {
    // The window's freshness and name, as the Messages pane has them.
    if s.errors.load != s.messages.load {
        s.errors.load = s.messages.load.clone();
        s.dirty |= s.pane() == Pane::Errors;
    }
    let label = s.messages.window_label(&s.time);
    if s.errors.window_label != label {
        s.errors.window_label = label;
    }
    let quitting = fx.contains(&Effect::Quit);
    if active(s) && !quitting {
        group(s, fx);
        fetch(s, fx);
    }
    let due = s
        .errors
        .seen_saved_at
        .is_none_or(|t| s.now - t >= SAVE_SEEN_EVERY_MS);
    if s.errors.seen_dirty && (due || quitting) {
        s.errors.seen_dirty = false;
        s.errors.seen_saved_at = Some(s.now);
        let save = Effect::SaveErrorsSeen(Arc::clone(&s.errors.seen));
        match fx.iter().position(|e| *e == Effect::Quit) {
            Some(i) => fx.insert(i, save),
            None => fx.push(save),
        }
    }
}

/// The remembered signatures, now, if they changed (before a tenant switch).
pub fn flush(s: &mut State) -> Option<Effect> {
    if !s.errors.seen_dirty {
        return None;
    }
    s.errors.seen_dirty = false;
    s.errors.seen_saved_at = Some(s.now);
    Some(Effect::SaveErrorsSeen(Arc::clone(&s.errors.seen)))
}

/// Start a grouping when the window, the texts or the split changed.
fn group(s: &mut State, fx: &mut Vec<Effect>) {
    let Some((from, to)) = window(s) else { return };
    let stamp = s.errors.stamp(s.messages.store.generation(), from, to);
    if let Some(id) = s.errors.want_grouping(stamp) {
        let job = s.errors.job(id, Arc::clone(&s.messages.store), stamp);
        fx.push(Effect::GroupErrors(Box::new(job)));
        s.dirty = true;
    }
}

/// Ask for the texts due now (within the budget).
fn fetch(s: &mut State, fx: &mut Vec<Effect>) {
    if !s.errors.grouped_once {
        return;
    }
    let guids = s.errors.pick(s.now);
    if !guids.is_empty() {
        fx.push(Effect::FetchErrorTexts { guids });
        s.dirty |= s.pane() == Pane::Errors;
    }
}

/// A grouping returned.
pub fn grouped(s: &mut State, job: u64, grouped: crate::signature::Grouped, took_ms: u64) {
    let cx = s.cell_cx();
    let rows = s.table_rows();
    if s.errors.grouped(job, grouped, took_ms, s.now, &cx) {
        // Texts the offline cache has are taken from it (no request), once per grouping.
        let cache = &s.cache.errors.messages;
        if !cache.is_empty() {
            let lookup = |guid: &str| cache.get(guid).map(|t| t.text.clone());
            s.errors.take_cached(&lookup);
        }
        s.errors.list.scroll_into_view(rows);
        s.errors.members.list.scroll_into_view(rows);
        s.dirty = true;
    }
}

/// An error text arrived: kept by the pane and remembered in the offline cache; a failed fetch
/// takes the text fetched earlier, when the cache has one.
pub fn text(s: &mut State, guid: String, result: Result<Option<String>, FetchError>) {
    let cache_on = s.cache.tenant.is_some();
    let result = match result {
        Ok(t) => {
            if cache_on {
                remember(s, &guid, t.as_deref());
            }
            Ok(t)
        }
        Err(e) => match s.cache.errors.messages.get(&guid) {
            Some(t) => Ok(Some(t.text.clone())),
            None => Err(e.to_string()),
        },
    };
    s.errors.text_arrived(&guid, result, s.now);
    s.dirty |= s.pane() == Pane::Errors;
}

/// Keep a fetched text in the offline cache (the most recently fetched are kept).
fn remember(s: &mut State, guid: &str, text: Option<&str>) {
    let c = &mut s.cache;
    let map = &mut c.errors.messages;
    match text {
        Some(t) => {
            let cut = crate::signature::Text::of(Some(t));
            let t = match &cut {
                crate::signature::Text::Known(k) => k.as_ref(),
                crate::signature::Text::None => return,
            };
            map.insert(guid.to_string(), CachedText::new(t, s.now));
            if map.len() > super::cache::MAX_ERROR_TEXTS
                && let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, v)| v.fetched_at)
                    .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
            c.errors_dirty = true;
        }
        None => {
            if map.remove(guid).is_some() {
                c.errors_dirty = true;
            }
        }
    }
}
