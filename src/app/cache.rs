//! The TUI side of the offline cache (issue 4): what the state owner asks to save and what it
//! does with a cache read back, for every pane. No I/O here — saving and loading are effects run
//! on blocking threads (`tui::tenant_effects`); this module only decides *when* and *what*.
//!
//! - Save: after fresh data arrived, at most every [`SAVE_EVERY_MS`] per tenant (debounced; the
//!   message window at most every [`SAVE_MESSAGES_EVERY_MS`]), and
//!   once more on quit and before switching tenants. The effect carries owned copies (the message
//!   store is cloned, a few memcpys of its columns; rows are picked and serialised off the loop).
//! - Load: at start and after `:ctx NAME`, in a task; each slice that has no fresh data yet is
//!   filled from the cache, marked `from_cache` (stale, with the age of the data), and replaced
//!   by the first successful poll. Unusable cache files come back as warnings, shown as a toast.
//! - Error texts fetched from the tenant are remembered and shown (marked as cached) when fetching
//!   them again fails.

use std::sync::Arc;

use super::msg::{DataMsg, Effect, FetchError, Msg};
use super::state::{State, ToastKind};
use crate::cpi::odata::EpochMs;
use crate::features::cache::data::{CachedQueues, CachedText};
use crate::kit::table::Table;
use crate::resources::message_detail::MessagePart;

pub use crate::features::cache::{
    CacheLoaded, CacheSave, CacheSync, MAX_ERROR_TEXTS, SAVE_EVERY_MS, SAVE_MESSAGES_EVERY_MS,
};

/// The effect that reads the current tenant's cache (start, tenant switch).
pub fn load_effect(s: &mut State) -> Option<Effect> {
    let tenant = s.cache.tenant.clone()?;
    s.cache.loading = true;
    Some(Effect::LoadCache {
        tenant,
        url: s.cache.url.clone(),
        message_rows: s.cache.message_rows,
    })
}

/// Messages are cached only for the plain rolling window: a window narrowed by server-side
/// filters or a fixed range is not "the newest messages of the tenant".
fn messages_cacheable(s: &State) -> bool {
    let q = &s.messages.query;
    q.range.is_none() && !q.is_filtered()
}

/// What changed since the last save, as an owned save request. `force`: messages too, however
/// recently they were written.
fn collect(s: &mut State, wait: bool, force: bool) -> Option<CacheSave> {
    let tenant = s.cache.tenant.clone()?;
    let fresh = |l: &crate::kit::load::Load| l.loaded_at.filter(|_| !l.from_cache);
    let mut save = CacheSave {
        tenant,
        url: s.cache.url.clone(),
        wait,
        artifacts: None,
        queues: None,
        messages: None,
        errors: None,
    };
    if let Some(at) = fresh(&s.artifacts.load)
        && s.cache.saved_artifacts != Some(at)
    {
        save.artifacts = Some((at, s.artifacts.items.clone()));
        s.cache.saved_artifacts = Some(at);
    }
    if let Some(at) = fresh(&s.queues.load)
        && s.cache.saved_queues != Some(at)
    {
        save.queues = Some((
            at,
            CachedQueues::of(
                s.queues.broker.as_ref(),
                &s.queues.rows,
                s.queues.missing.as_deref(),
            ),
        ));
        s.cache.saved_queues = Some(at);
    }
    let messages_due = force
        || s.cache
            .last_messages_save
            .is_none_or(|t| s.now - t >= SAVE_MESSAGES_EVERY_MS);
    if let Some(at) = fresh(&s.messages.load)
        && s.cache.message_rows > 0
        && messages_due
        && messages_cacheable(s)
    {
        let key = (at, s.messages.store.generation());
        if s.cache.saved_messages != Some(key) {
            save.messages = Some((at, Arc::clone(&s.messages.store), s.cache.message_rows));
            s.cache.saved_messages = Some(key);
            s.cache.last_messages_save = Some(s.now);
        }
    }
    if s.cache.errors_dirty {
        save.errors = Some(s.cache.errors.clone());
        s.cache.errors_dirty = false;
    }
    let any =
        save.artifacts.is_some() || save.queues.is_some() || save.messages.is_some() || save.errors.is_some();
    any.then_some(save)
}

/// After every `update`: a debounced save when fresh data arrived, and a final, waited-for save
/// right before quitting.
pub fn after_update(s: &mut State, fx: &mut Vec<Effect>) {
    if s.cache.tenant.is_none() {
        return;
    }
    if let Some(i) = fx.iter().position(|e| *e == Effect::Quit) {
        // Even with nothing new: the runner then waits for background saves still under way.
        let tenant = s.cache.tenant.clone().unwrap_or_default();
        let save = collect(s, true, true).unwrap_or(CacheSave {
            tenant,
            url: s.cache.url.clone(),
            wait: true,
            artifacts: None,
            queues: None,
            messages: None,
            errors: None,
        });
        fx.insert(i, Effect::SaveCache(Box::new(save)));
        return;
    }
    let due = s.cache.last_save.is_none_or(|t| s.now - t >= SAVE_EVERY_MS);
    if due && let Some(save) = collect(s, false, false) {
        s.cache.last_save = Some(s.now);
        fx.push(Effect::SaveCache(Box::new(save)));
    }
}

/// Everything not yet saved, now (before a tenant switch).
pub fn flush(s: &mut State) -> Option<Effect> {
    collect(s, false, true).map(|save| Effect::SaveCache(Box::new(save)))
}

/// Fill what has no fresh data yet from the cache read back.
pub fn apply_loaded(s: &mut State, c: CacheLoaded) {
    if s.cache.tenant.as_deref() != Some(c.tenant.as_str()) {
        return; // the user switched tenants meanwhile
    }
    s.cache.loading = false;
    s.dirty = true;
    let cx = s.cell_cx();
    let rows = s.table_rows();
    if let Some((at, items)) = c.artifacts
        && s.artifacts.load.loaded_at.is_none()
    {
        s.artifacts.items = items;
        cached(&mut s.artifacts.load, at);
        s.cache.saved_artifacts = Some(at);
        s.artifacts.rebuild(&cx);
        s.artifacts.list.scroll_into_view(rows);
    }
    if let Some((at, snap)) = c.queues
        && s.queues.load.loaded_at.is_none()
    {
        s.queues.broker = snap.broker;
        s.queues.missing = snap.missing;
        s.queues.rows = snap.queues;
        cached(&mut s.queues.load, at);
        s.cache.saved_queues = Some(at);
        s.queues.rebuild(&cx);
        s.queues.list.scroll_into_view(rows);
    }
    if let Some((at, batch)) = c.messages
        && s.messages.load.loaded_at.is_none()
        && s.messages.store.is_empty()
        && messages_cacheable(s)
    {
        let m = &mut s.messages;
        m.merge(batch);
        // Held for the current query: a poller (re)starting for it keeps them and upserts.
        m.held_query = Some(m.query.clone());
        cached(&mut m.load, at);
        m.rebuild(&cx);
        m.follow_newest();
        s.cache.saved_messages = Some((at, s.messages.store.generation()));
    }
    if let Some(errors) = c.errors {
        for (id, t) in errors.artifacts {
            s.cache.errors.artifacts.entry(id).or_insert(t);
        }
        for (id, t) in errors.messages {
            s.cache.errors.messages.entry(id).or_insert(t);
        }
    }
    if let Some(first) = c.warnings.first() {
        let more = match c.warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more in the log)", n - 1),
        };
        s.toast(format!("{first}{more}"), ToastKind::Error);
    }
}

fn cached(load: &mut crate::kit::load::Load, at: EpochMs) {
    load.loaded_at = Some(at);
    load.from_cache = true;
}

/// Before `update` handles a message: remember fetched error texts, and answer a failed fetch
/// with the text fetched earlier (marked as such) when there is one. Only with a cache.
pub fn observe(s: &mut State, msg: &mut Msg) {
    if s.cache.tenant.is_none() {
        return;
    }
    let now = s.now;
    match msg {
        Msg::Data(DataMsg::ArtifactError { id, result }) => {
            remember_or_recall(&mut s.cache, true, id, result, now);
        }
        Msg::Data(DataMsg::Message {
            guid,
            part: MessagePart::Error(result),
        }) => {
            remember_or_recall(&mut s.cache, false, guid, result, now);
        }
        _ => {}
    }
}

fn remember_or_recall(
    c: &mut CacheSync,
    artifact: bool,
    id: &str,
    result: &mut Result<Option<String>, FetchError>,
    now: EpochMs,
) {
    let map = if artifact {
        &mut c.errors.artifacts
    } else {
        &mut c.errors.messages
    };
    match result {
        Ok(Some(text)) => {
            let t = CachedText::new(text, now);
            if map.get(id).map(|o| &o.text) != Some(&t.text) {
                map.insert(id.to_string(), t);
                if map.len() > MAX_ERROR_TEXTS
                    && let Some(oldest) = map
                        .iter()
                        .min_by_key(|(_, v)| v.fetched_at)
                        .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
                c.errors_dirty = true;
            }
        }
        Ok(None) => {
            if map.remove(id).is_some() {
                c.errors_dirty = true;
            }
        }
        Err(e) => {
            if let Some(t) = map.get(id) {
                *result = Ok(Some(format!(
                    "{}\n\n[cached: fetched {} ago — fetching it again failed: {e}]",
                    t.text,
                    crate::kit::format::age(now - t.fetched_at),
                )));
            }
        }
    }
}
