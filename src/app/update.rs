//! `update(&mut State, Msg) -> Vec<Effect>`: the only place state changes. No I/O, no clock, no
//! tokio: tests drive it with hand-made messages.
//!
//! After each message, in this order: a sort the Messages pane asked for, the poll plan (which
//! pollers the view needs), and the cache's debounced save (`cache::after_update`). Before it,
//! the cache remembers or recalls error texts (`cache::observe`); monitor health sees every poll
//! result (`monitors::observe`).

use crossterm::event::MouseEventKind;

use super::msg::{
    DataMsg, Effect, FleetPlan, MessageQuery, MessagesEvent, Msg, PollKind, PollPlan, PollSpec, StoreSnapshot,
};
use super::state::{Pane, Route, State, ToastKind};
use super::{actions, cache, command, errors, extend, input, monitors, tenant, writes};
use crate::kit::action::Action;
use crate::kit::load::Load;
use crate::kit::table::Table;
use crate::panes::queues;

pub fn update(s: &mut State, mut msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    cache::observe(s, &mut msg);
    match msg {
        Msg::Key(k) => input::key(s, k, &mut fx),
        Msg::Paste(text) => input::paste(s, &text),
        Msg::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => {
                for _ in 0..3 {
                    actions::act(s, Action::Down, &mut fx);
                }
            }
            MouseEventKind::ScrollUp => {
                for _ in 0..3 {
                    actions::act(s, Action::Up, &mut fx);
                }
            }
            _ => {}
        },
        Msg::Resize(w, h) => {
            s.size = (w, h);
            let rows = s.table_rows();
            if let Some(t) = s.table_mut() {
                t.list_mut().scroll_into_view(rows);
            }
            actions::clamp_scroll(s);
            s.dirty = true;
        }
        Msg::Tick(now) => {
            tick(s, now);
            monitors::tick(s, &mut fx);
        }
        Msg::Action(a) => actions::act(s, a, &mut fx),
        Msg::Terminate => actions::quit(s, &mut fx),
        Msg::Command(c) => command::run(s, &c, &mut fx),
        Msg::Data(DataMsg::Monitor(f)) => monitors::fetched(s, *f, &mut fx),
        Msg::Data(d) => {
            monitors::observe(s, &d);
            data(s, d)
        }
        Msg::Notify { text, error } => {
            let kind = if error { ToastKind::Error } else { ToastKind::Info };
            s.toast(text, kind);
        }
        Msg::Write(w) => writes::on_msg(s, w, &mut fx),
        Msg::Stats(st) => {
            if st != s.stats {
                s.stats = st;
                s.dirty = true;
            }
            // The open tenant's client is the one the header counts.
            let current = s.tenant.name.clone();
            if s.tenants.rates(&[(current, st.per_minute)]) && s.pane() == Pane::Tenants {
                s.dirty = true;
            }
        }
        Msg::Fleet(f) => tenant::fleet_msg(s, f),
        Msg::Cache(c) => cache::apply_loaded(s, *c),
        Msg::Tenant(t) => {
            tenant::on_msg(s, t, &mut fx);
            // Where to go once the switch is done (an artifact opened in another tenant).
            if s.ctx.switching.is_none()
                && let Some(nav) = s.ctx.after_switch.take()
            {
                super::nav::go(s, nav, &mut fx);
            }
        }
        Msg::Plugin(m) => extend::on_msg(s, m),
        Msg::ErrorsGrouped {
            job,
            grouped,
            took_ms,
        } => errors::grouped(s, job, *grouped, took_ms),
        Msg::MessagesSorted { job, key, at, order } => {
            let cx = s.cell_cx();
            let rows_on_screen = s.table_rows();
            let m = &mut s.messages;
            m.sorted(job, key, at, order, &cx);
            m.list.scroll_into_view(rows_on_screen);
            s.dirty = true;
        }
        Msg::MessagesFiltered { job, done } => {
            let cx = s.cell_cx();
            let rows_on_screen = s.table_rows();
            let m = &mut s.messages;
            m.filtered(job, done, &cx);
            m.list.scroll_into_view(rows_on_screen);
            s.dirty = true;
        }
    }
    if let Some((job, store)) = s.messages.take_sort_request() {
        fx.push(Effect::SortMessages {
            job: job.id,
            key: job.key,
            store: StoreSnapshot(store),
        });
    }
    if let Some((job, task, store)) = s.messages.take_filter_request() {
        fx.push(Effect::FilterMessages {
            job: job.id,
            task,
            store: StoreSnapshot(store),
        });
    }
    if let Some(plan) = sync_polling(s) {
        fx.push(Effect::Poll(plan));
    }
    if let Some(plan) = sync_fleet(s) {
        fx.push(Effect::Fleet(plan));
    }
    // The open tenant's row counts its monitors as the Alerts pane does.
    let counts = s
        .alerts
        .configured()
        .then(|| crate::monitor::StatusCounts::of(s.alerts.rows.iter().map(|m| &m.status)));
    if s.tenants.open_alerts(counts) && s.pane() == Pane::Tenants {
        s.dirty = true;
    }
    errors::after_update(s, &mut fx);
    cache::after_update(s, &mut fx);
    fx
}

/// What the overview runner should do now: every tenant's overview while several are configured
/// (or the Tenants pane is shown), the open tenant's without what its panes poll.
fn sync_fleet(s: &mut State) -> Option<FleetPlan> {
    if s.tenants.rows.is_empty() {
        return None;
    }
    let current = if s.ctx.current.is_empty() {
        s.tenant.name.clone()
    } else {
        s.ctx.current.clone()
    };
    let plan = FleetPlan {
        on: s.tenants.rows.len() > 1 || s.pane() == Pane::Tenants,
        current,
        skip_artifacts: s.polling.artifacts.is_some(),
        skip_queues: s.polling.queues.is_some(),
        window_ms: s.tenants.window_ms,
        tenants: s
            .tenants
            .rows
            .iter()
            .map(|r| (r.name().to_string(), r.setup.interval_ms))
            .collect(),
    };
    if s.fleet.as_ref() == Some(&plan) {
        return None;
    }
    s.fleet = Some(plan.clone());
    Some(plan)
}

/// Apply messages in order and collect the effects (headless use and tests).
pub fn apply(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(s, m)).collect()
}

fn tick(s: &mut State, now: crate::cpi::odata::EpochMs) {
    // Pages that waited for a cache save to let go of the message store.
    if s.messages.flush() {
        let cx = s.cell_cx();
        s.messages.rebuild(&cx);
        s.dirty = true;
    }
    // The clock shows seconds: redraw when the second changes (and for ages, staleness).
    if now / 1000 != s.now / 1000 {
        s.dirty = true;
    }
    s.now = now;
    if s.toast.as_ref().is_some_and(|t| t.until <= now) {
        s.toast = None;
        s.dirty = true;
    }
}

/// A poller's or a fetch's result into the pane it belongs to (stale generations dropped).
fn data(s: &mut State, d: DataMsg) {
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    match d {
        // Handled in `update` (it has effects).
        DataMsg::Monitor(_) => {}
        DataMsg::Started { kind, generation } => {
            let load = match kind {
                PollKind::Artifacts => &mut s.artifacts.load,
                PollKind::Messages => &mut s.messages.load,
                PollKind::Queues => &mut s.queues.load,
                PollKind::QueueMessages => &mut s.queues.messages.load,
                PollKind::Keystore => &mut s.keystore.load,
            };
            if load.generation == generation && !load.loading {
                load.loading = true;
                s.dirty = true;
            }
        }
        DataMsg::Artifacts {
            generation,
            at,
            result,
        } => {
            if generation != s.artifacts.load.generation {
                return;
            }
            match result {
                Ok(items) => {
                    s.tenants.open_artifacts(&items, at, &cx);
                    s.artifacts.loaded(items, s.alerts.tracker.clone(), at, &cx)
                }
                Err(e) => {
                    s.tenants.open_failed(&e, &cx);
                    s.artifacts.load.failed(e)
                }
            }
            s.dirty = true;
        }
        DataMsg::ArtifactError { id, result } => {
            s.artifacts.error_fetched(id, result);
            s.dirty = true;
        }
        DataMsg::Queues {
            generation,
            at,
            result,
        } => {
            if generation != s.queues.load.generation {
                return;
            }
            match result {
                Ok(snap) => {
                    let q = crate::resources::overview::OverviewQueues::of_rows(
                        &snap.queues,
                        snap.missing.clone(),
                    );
                    s.tenants.open_queues(q, snap.broker.clone(), at, &cx);
                    s.queues.loaded(snap, at, &cx)
                }
                Err(e) => {
                    s.tenants.open_failed(&e, &cx);
                    s.queues.load.failed(e)
                }
            }
            s.dirty = true;
        }
        DataMsg::QueueMessages {
            generation,
            queue,
            at,
            result,
        } => {
            if generation != s.queues.messages.load.generation {
                return;
            }
            s.queues.messages_loaded(&queue, result, at, &cx);
            s.dirty = true;
        }
        DataMsg::Messages {
            generation,
            at,
            event,
        } => {
            let m = &mut s.messages;
            if generation != m.load.generation {
                return;
            }
            match event {
                MessagesEvent::Page(rows) => m.page(rows, &cx),
                MessagesEvent::Done => m.loaded(at),
                MessagesEvent::Failed(e) => {
                    m.load.failed(e);
                    m.loading = None;
                }
            }
            s.dirty = true;
        }
        DataMsg::WebLink { probe, link } => tenant::web_link_sampled(s, probe, link.as_deref()),
        DataMsg::Message { guid, part } => {
            if s.messages.detail.as_ref().is_some_and(|d| d.guid == guid) {
                let link = s.messages.detail_part(&guid, part);
                s.dirty = true;
                // The tenant's own link teaches the links of list rows too.
                if let Some(link) = link {
                    tenant::learn_web_ui(s, &link);
                }
            }
        }
        DataMsg::Correlated {
            correlation_id,
            result,
        } => {
            if let Some(link) = s.messages.correlated_loaded(&correlation_id, result, &cx) {
                if let Some(link) = link {
                    tenant::learn_web_ui(s, &link);
                }
                s.dirty = true;
            }
        }
        DataMsg::Attachment { id, result } => {
            if s.messages.attachment_loaded(&id, result) {
                s.dirty = true;
            }
        }
        DataMsg::ErrorText { guid, result } => errors::text(s, guid, result),
        DataMsg::Keystore {
            generation,
            at,
            result,
        } => {
            if generation != s.keystore.load.generation {
                return;
            }
            match result {
                Ok(items) => s.keystore.loaded(items, at, &cx),
                Err(e) => s.keystore.load.failed(e),
            }
            s.dirty = true;
        }
        DataMsg::Certificate { alias, result } => {
            s.keystore.certificate_fetched(alias, result);
            s.dirty = true;
        }
    }
}

/// Which pollers the current view needs: `(artifacts, queues, a queue's messages, messages,
/// keystore)`. Only what is on screen polls: the pane at the bottom of the navigation stack (its
/// list stays current under a drill-down), and a queue's messages while they are shown.
fn wanted(s: &State) -> (bool, bool, Option<String>, bool, bool) {
    let queue = match s.route() {
        Route::Queues(queues::Route::Messages { queue }) => Some(queue.clone()),
        Route::Queues(queues::Route::List)
        | Route::Tenants(_)
        | Route::Artifacts(_)
        | Route::Messages(_)
        | Route::Alerts(_)
        | Route::Errors(_)
        | Route::Keystore(_) => None,
    };
    // The signature rules read the Errors pane's grouping of the message window: it is kept
    // fresh in every pane while they exist.
    let signatures = s.alerts.needs.error_signatures;
    match s.pane() {
        Pane::Tenants => (false, false, None, signatures, false),
        Pane::Artifacts => (true, false, None, signatures, false),
        Pane::Messages => (false, false, None, true, false),
        Pane::Queues => (false, queue.is_none(), queue, signatures, false),
        Pane::Alerts => (false, false, None, signatures, false),
        // The Errors pane groups the Messages pane's window.
        Pane::Errors => (false, false, None, true, false),
        Pane::Keystore => (false, false, None, signatures, true),
    }
}

/// Compare what should poll with what was last asked for; bump generations where a poller
/// (re)starts or its parameters change, so results of the old one are dropped.
fn sync_polling(s: &mut State) -> Option<PollPlan> {
    if s.unusable.is_some() {
        // Nothing to ask of a tenant that cannot be used.
        return None;
    }
    let (arts, queues, queue, msgs, keystore) = wanted(s);
    let old = s.polling.clone();
    let mut plan = PollPlan::default();
    if arts {
        plan.artifacts = Some(match &old.artifacts {
            Some(spec) => PollSpec {
                interval_ms: s.intervals.artifacts,
                ..spec.clone()
            },
            None => restart(&mut s.artifacts.load, s.intervals.artifacts, false),
        });
    }
    if queues {
        plan.queues = Some(match &old.queues {
            Some(spec) => PollSpec {
                interval_ms: s.intervals.queues,
                ..spec.clone()
            },
            None => restart(&mut s.queues.load, s.intervals.queues, false),
        });
    }
    if keystore {
        plan.keystore = Some(match &old.keystore {
            Some(spec) => PollSpec {
                interval_ms: s.intervals.keystore,
                ..spec.clone()
            },
            None => restart(&mut s.keystore.load, s.intervals.keystore, false),
        });
    }
    if let Some(q) = queue {
        plan.queue_messages = Some(match &old.queue_messages {
            Some((spec, name)) if *name == q => (spec.clone(), q),
            _ => (restart(&mut s.queues.messages.load, s.intervals.queues, true), q),
        });
    }
    if msgs {
        let interval = if s.messages.live {
            s.intervals.messages_live
        } else {
            s.intervals.messages
        };
        let query = s.messages.query.clone();
        // A new window or server filter: what is held stays on screen where it still answers
        // (or marked as the previous query's) until the new rows arrive (`Messages::requery`).
        let requery = |s: &mut State, held: Option<MessageQuery>| -> PollSpec {
            let shown = held.is_some_and(|h| s.messages.requery(&h));
            if !shown {
                s.messages.clear();
                s.messages.loading = Some(Default::default());
            }
            let spec = restart(&mut s.messages.load, interval, !shown);
            s.messages.load.loading = true;
            s.messages.load.error = None;
            let cx = s.cell_cx();
            s.messages.rebuild(&cx);
            spec
        };
        plan.messages = Some(match &old.messages {
            Some((spec, q)) if *q == query => (
                PollSpec {
                    interval_ms: interval,
                    ..spec.clone()
                },
                query,
            ),
            Some((_, q)) => {
                let held = Some(q.clone());
                (requery(s, held), query)
            }
            None => {
                let held = s.messages.held_query.clone();
                if held.as_ref() != Some(&query) {
                    (requery(s, held), query)
                } else {
                    (restart(&mut s.messages.load, interval, false), query)
                }
            }
        });
        s.messages.held_query = Some(s.messages.query.clone());
    }
    if plan == old {
        return None;
    }
    s.polling = plan.clone();
    s.dirty = true;
    Some(plan)
}

fn restart(load: &mut Load, interval_ms: u64, reset: bool) -> PollSpec {
    let generation = load.generation + 1;
    if reset {
        load.reset(generation);
    } else {
        load.generation = generation;
        load.loading = load.loaded_at.is_none();
    }
    PollSpec {
        generation,
        interval_ms,
    }
}
