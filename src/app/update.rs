//! `update(&mut State, Msg) -> Vec<Effect>`: the only place state changes. No I/O, no clock, no
//! tokio: tests drive it with hand-made messages.

use crossterm::event::MouseEventKind;

use super::msg::{DataMsg, Effect, MessagesEvent, Msg, PollKind, PollPlan, PollSpec};
use super::state::{Pane, Route, State, ToastKind};
use super::{actions, command, input};
use crate::kit::action::Action;
use crate::kit::table::Table;

pub fn update(s: &mut State, mut msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    super::cache_sync::observe(s, &mut msg);
    match msg {
        Msg::Key(k) => input::key(s, k, &mut fx),
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
            super::alerts_eval::tick(s, &mut fx);
        }
        Msg::Action(a) => actions::act(s, a, &mut fx),
        Msg::Terminate => actions::quit(s, &mut fx),
        Msg::Command(c) => command::run(s, &c, &mut fx),
        Msg::Data(DataMsg::Monitor(f)) => super::alerts_eval::fetched(s, *f, &mut fx),
        Msg::Data(d) => {
            super::alerts_eval::observe(s, &d);
            data(s, d)
        }
        Msg::Notify { text, error } => {
            let kind = if error { ToastKind::Error } else { ToastKind::Info };
            s.toast(text, kind);
        }
        Msg::Write(w) => super::write_actions::on_msg(s, w, &mut fx),
        Msg::Stats(st) => {
            if st != s.stats {
                s.stats = st;
                s.dirty = true;
            }
        }
        Msg::Cache(c) => super::cache_sync::apply_loaded(s, *c),
        Msg::Tenant(t) => super::ctx::on_msg(s, t, &mut fx),
        Msg::MessagesSorted { job, key, at, order } => {
            let cx = s.cell_cx();
            let rows_on_screen = s.table_rows();
            let m = &mut s.messages;
            m.sorted(job, key, at, order, &cx);
            m.list.scroll_into_view(rows_on_screen);
            s.dirty = true;
        }
    }
    if let Some(e) = s.messages.take_sort_request() {
        fx.push(e);
    }
    if let Some(plan) = sync_polling(s) {
        fx.push(Effect::Poll(plan));
    }
    super::cache_sync::after_update(s, &mut fx);
    fx
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

fn data(s: &mut State, d: DataMsg) {
    let cx = s.cell_cx();
    let rows = s.table_rows();
    let rows_on_screen = rows;
    match d {
        // Handled in `update` (it has effects).
        DataMsg::Monitor(_) => {}
        DataMsg::Started { kind, generation } => {
            let load = match kind {
                PollKind::Artifacts => &mut s.artifacts.load,
                PollKind::Messages => &mut s.messages.load,
                PollKind::Queues => &mut s.queues.load,
                PollKind::QueueMessages => &mut s.queue_messages.load,
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
                    s.artifacts.items = items;
                    s.artifacts.tracker = s.alerts.tracker.clone();
                    s.artifacts.load.ok(at);
                    s.artifacts.rebuild(&cx);
                    s.artifacts.list.scroll_into_view(rows);
                }
                Err(e) => s.artifacts.load.failed(e),
            }
            s.dirty = true;
        }
        DataMsg::ArtifactError { id, result } => {
            s.artifacts
                .errors
                .insert(id, crate::kit::load::Fetch::from_result(result));
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
                    s.queues.broker = snap.broker;
                    s.queues.missing = snap.missing;
                    s.queues.rows = snap.queues;
                    s.queues.load.ok(at);
                    s.queues.rebuild(&cx);
                    s.queues.list.scroll_into_view(rows);
                }
                Err(e) => s.queues.load.failed(e),
            }
            s.dirty = true;
        }
        DataMsg::QueueMessages {
            generation,
            queue,
            at,
            result,
        } => {
            let qm = &mut s.queue_messages;
            if generation != qm.load.generation || queue != qm.queue {
                return;
            }
            match result {
                Ok(items) => {
                    qm.items = items;
                    qm.state_now = at;
                    qm.load.ok(at);
                    qm.rebuild(&cx);
                    qm.list.scroll_into_view(rows);
                }
                Err(e) => qm.load.failed(e),
            }
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
                MessagesEvent::Page(rows) => {
                    // Live mode follows the newest message while the selection is on it; so
                    // does the first load of a window (its pages arrive oldest first within a
                    // slice). Otherwise the selection stays on its message.
                    let follow = (m.live && m.list.selected == 0) || m.load.loaded_at.is_none();
                    m.merge(rows);
                    m.rebuild(&cx);
                    if follow {
                        m.follow_newest();
                    }
                    m.list.scroll_into_view(rows_on_screen);
                }
                MessagesEvent::Done => m.load.ok(at),
                MessagesEvent::Failed(e) => m.load.failed(e),
            }
            s.dirty = true;
        }
        DataMsg::WebLink { probe, link } => super::ctx::web_link_sampled(s, probe, link.as_deref()),
        DataMsg::Message { guid, part } => {
            if let Some(d) = s.message.as_mut().filter(|d| d.guid == guid) {
                let link = match &part {
                    super::detail::MessagePart::Log(Ok(m)) => Some(m.alternate_web_link.clone()),
                    _ => None,
                };
                d.apply(part);
                s.dirty = true;
                // The tenant's own link teaches the links of list rows too.
                if let Some(link) = link {
                    super::ctx::learn_web_ui(s, &link);
                }
            }
        }
        DataMsg::Correlated {
            correlation_id,
            result,
        } => {
            if s.correlated.correlation_id == correlation_id {
                let link = result
                    .as_ref()
                    .ok()
                    .and_then(|items| items.first())
                    .map(|m| m.alternate_web_link.clone());
                if let Some(link) = link {
                    super::ctx::learn_web_ui(s, &link);
                }
                s.correlated.items = crate::kit::load::Fetch::from_result(result);
                s.correlated.rebuild(&cx);
                s.dirty = true;
            }
        }
        DataMsg::Attachment { id, result } => {
            if let Some(a) = s.attachment.as_mut().filter(|a| a.id == id) {
                a.content = crate::kit::load::Fetch::from_result(result);
                s.dirty = true;
            }
        }
    }
}

/// Which pollers the current view needs. Only what is on screen polls: the pane at the bottom
/// of the navigation stack (its list stays current under a drill-down), and a queue's
/// messages while they are shown.
fn wanted(s: &State) -> (bool, bool, Option<String>, bool) {
    let queue = match s.route() {
        Route::QueueMessages { queue } => Some(queue.clone()),
        _ => None,
    };
    match s.pane() {
        Pane::Artifacts => (true, false, None, false),
        Pane::Messages => (false, false, None, true),
        Pane::Queues => (false, queue.is_none(), queue, false),
        Pane::Alerts => (false, false, None, false),
    }
}

/// Compare what should poll with what was last asked for; bump generations where a poller
/// (re)starts or its parameters change, so results of the old one are dropped.
fn sync_polling(s: &mut State) -> Option<PollPlan> {
    let (arts, queues, queue, msgs) = wanted(s);
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
    if let Some(q) = queue {
        plan.queue_messages = Some(match &old.queue_messages {
            Some((spec, name)) if *name == q => (spec.clone(), q),
            _ => (restart(&mut s.queue_messages.load, s.intervals.queues, true), q),
        });
    }
    if msgs {
        let interval = if s.messages.live {
            s.intervals.messages_live
        } else {
            s.intervals.messages
        };
        let query = s.messages.query.clone();
        plan.messages = Some(match &old.messages {
            Some((spec, q)) if *q == query => (
                PollSpec {
                    interval_ms: interval,
                    ..spec.clone()
                },
                query,
            ),
            Some(_) => {
                // New window or server filter: what is held no longer answers the question.
                s.messages.clear();
                (restart(&mut s.messages.load, interval, true), query)
            }
            None => {
                let changed = s.messages.held_query.as_ref() != Some(&query);
                if changed {
                    s.messages.clear();
                }
                (restart(&mut s.messages.load, interval, changed), query)
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

fn restart(load: &mut crate::kit::load::Load, interval_ms: u64, reset: bool) -> PollSpec {
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
