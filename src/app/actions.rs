//! What each `Action` does to the state, and which effects it asks for.

use super::detail::{AttachmentContent, Attachments, Correlated, MessageDetail};
use super::doc;
use super::messages::WINDOWS_MS;
use super::msg::{Effect, ExportFormat};
use super::queues::QueueMessages;
use super::state::{Mode, Pane, Route, State, ToastKind};
use crate::kit::action::Action;
use crate::kit::load::Fetch;
use crate::kit::table::Table;

pub fn act(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    s.dirty = true;
    match a {
        Action::Quit => {
            if s.stack.len() > 1 {
                back(s);
            } else {
                quit(s, fx);
            }
        }
        Action::Back => {
            let cleared = match s.table_mut() {
                Some(t) if !t.list().filter.is_empty() => {
                    t.list_mut().filter.clear();
                    true
                }
                _ => false,
            };
            if cleared {
                rebuild_focused(s);
            } else {
                back(s);
            }
        }
        Action::PaneArtifacts => switch_pane(s, Pane::Artifacts),
        Action::PaneMessages => switch_pane(s, Pane::Messages),
        Action::PaneQueues => switch_pane(s, Pane::Queues),
        Action::PaneAlerts => switch_pane(s, Pane::Alerts),
        Action::Acknowledge => super::alerts_actions::acknowledge(s, fx),
        Action::Silence => super::alerts_actions::silence_prompt(s),
        Action::AlertHistory => super::alerts_actions::history(s),
        Action::PaneNext | Action::PanePrev => {
            let n = Pane::ALL.len();
            let i = s.pane().index();
            let next = if a == Action::PaneNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            switch_pane(s, Pane::ALL[next]);
        }
        Action::Command => s.mode = Mode::Command(String::new()),
        Action::Help => s.mode = Mode::Help(0),
        Action::Refresh => refresh(s, fx),
        Action::ToggleTime => {
            s.time.utc = !s.time.utc;
            rebuild_focused(s);
            let zone = s.time.zone();
            s.toast(format!("times shown in {zone}"), ToastKind::Info);
        }
        Action::Up => move_or_scroll(s, -1),
        Action::Down => move_or_scroll(s, 1),
        Action::PageUp => {
            let page = s.table_rows() as isize;
            move_or_scroll(s, -page)
        }
        Action::PageDown => {
            let page = s.table_rows() as isize;
            move_or_scroll(s, page)
        }
        Action::Top => move_or_scroll(s, isize::MIN / 2),
        Action::Bottom => move_or_scroll(s, isize::MAX / 2),
        Action::Open => open(s, fx),
        Action::Filter => {
            if s.table().is_some() {
                s.mode = Mode::Filter;
            }
        }
        Action::Sort => {
            if s.table().is_some() {
                s.mode = Mode::SortPending;
            }
        }
        Action::SortPrev | Action::SortNext => {
            if let Some(t) = s.table_mut() {
                let n = t.columns().len();
                t.list_mut()
                    .shift_sort(if a == Action::SortNext { 1 } else { -1 }, n);
                rebuild_focused(s);
            }
        }
        Action::CopyId => copy_id(s, fx),
        Action::CopyLink => copy_link(s, fx),
        Action::Export => export(s, ExportFormat::Csv, None, fx),
        Action::ToggleFailed => {
            match s.route() {
                Route::Pane(Pane::Artifacts) => s.artifacts.not_started_only ^= true,
                Route::Pane(Pane::Messages) => s.messages.failed_only ^= true,
                Route::Pane(Pane::Queues) => s.queues.problems_only ^= true,
                _ => return,
            }
            rebuild_focused(s);
        }
        Action::Window => {
            let cur = s.messages.query.window_ms;
            let next = WINDOWS_MS
                .iter()
                .copied()
                .find(|w| *w > cur)
                .unwrap_or(WINDOWS_MS[0]);
            set_window(s, next, None);
        }
        Action::Live => {
            s.messages.live ^= true;
            if s.messages.live {
                s.messages.follow_newest();
            }
            let word = if s.messages.live {
                "on: following new messages"
            } else {
                "off"
            };
            s.toast(format!("live mode {word}"), ToastKind::Info);
        }
        Action::JumpArtifact => jump_artifact(s, fx),
        Action::Correlated => correlated(s, fx),
        Action::Attachments => attachments(s),
        Action::Mark
        | Action::MarkAll
        | Action::Retry
        | Action::Move
        | Action::Delete
        | Action::RetryAll
        | Action::MoveAll
        | Action::Restart
        | Action::Undeploy => super::write_plan::act(s, a, fx),
    }
    let rows = s.table_rows();
    if let Some(t) = s.table_mut() {
        t.list_mut().scroll_into_view(rows);
    }
}

pub fn quit(s: &mut State, fx: &mut Vec<Effect>) {
    s.quit = true;
    fx.push(Effect::Quit);
}

fn back(s: &mut State) {
    if s.stack.len() > 1 {
        s.stack.pop();
        rebuild_focused(s);
    }
}

pub fn switch_pane(s: &mut State, p: Pane) {
    s.stack = vec![Route::Pane(p)];
    s.mode = Mode::Normal;
    rebuild_focused(s);
}

/// Re-run filter and sort of the focused table (after its filter, sort or the clock changed).
pub fn rebuild_focused(s: &mut State) {
    let cx = s.cell_cx();
    let rows = s.table_rows();
    if let Some(t) = s.table_mut() {
        t.rebuild(&cx);
        t.list_mut().scroll_into_view(rows);
    }
    s.dirty = true;
}

pub fn set_window(s: &mut State, window_ms: i64, range: Option<(i64, i64)>) {
    s.messages.query.window_ms = window_ms;
    s.messages.query.range = range;
    let label = s.messages.window_label(&s.time);
    s.toast(format!("messages window: {label}"), ToastKind::Info);
}

fn refresh(s: &mut State, fx: &mut Vec<Effect>) {
    fx.push(Effect::RefreshNow);
    match s.route().clone() {
        Route::ArtifactDetail { id } => {
            s.artifacts.errors.remove(&id);
            fx.push(Effect::FetchArtifactError { id });
        }
        Route::MessageDetail { guid } => {
            s.message = Some(MessageDetail::new(&guid));
            fx.push(Effect::FetchMessage { guid });
        }
        Route::Correlated { correlation_id } => {
            s.correlated.items = Fetch::Pending;
            fx.push(Effect::FetchCorrelated { correlation_id });
        }
        Route::Pane(Pane::Alerts) | Route::AlertEvidence { .. } => {
            super::alerts_eval::start_round(s, fx);
        }
        _ => {}
    }
    s.toast("refreshing…", ToastKind::Info);
}

fn move_or_scroll(s: &mut State, delta: isize) {
    if let Some(t) = s.table_mut() {
        t.move_selection(delta);
        return;
    }
    let Some(scroll) = detail_scroll(s) else {
        return;
    };
    *scroll = (*scroll as isize).saturating_add(delta).max(0) as usize;
    clamp_scroll(s);
}

/// The scroll position of the focused text view, if the focus is one.
fn detail_scroll(s: &mut State) -> Option<&mut usize> {
    match s.route() {
        Route::ArtifactDetail { .. } => Some(&mut s.artifact_scroll),
        Route::MessageDetail { .. } => s.message.as_mut().map(|d| &mut d.scroll),
        Route::Attachment { .. } => s.attachment.as_mut().map(|a| &mut a.scroll),
        _ => None,
    }
}

/// Keep a detail view's scroll within its document.
pub fn clamp_scroll(s: &mut State) {
    let len = doc::current(s).len();
    let max = len.saturating_sub(s.body_rows());
    if let Some(scroll) = detail_scroll(s) {
        *scroll = (*scroll).min(max);
    }
}

fn open(s: &mut State, fx: &mut Vec<Effect>) {
    if super::alerts_actions::open(s, fx) {
        return;
    }
    match s.route().clone() {
        Route::Pane(Pane::Artifacts) => {
            if let Some(id) = s.artifacts.selected().map(|a| a.id.clone()) {
                open_artifact(s, id, fx);
            }
        }
        Route::Pane(Pane::Messages) => {
            if let Some(guid) = s.messages.selected_key() {
                open_message(s, guid, fx);
            }
        }
        Route::Pane(Pane::Queues) => {
            if let Some(name) = s.queues.selected().map(|q| q.queue.name.clone()) {
                open_queue(s, name);
            }
        }
        Route::QueueMessages { .. } => {
            let row = s.queue_messages.list.selected_row();
            match row
                .and_then(|r| s.queue_messages.items.get(r))
                .map(|m| m.mplid.clone())
            {
                Some(mpl) if !mpl.is_empty() => open_message(s, mpl, fx),
                Some(_) => s.toast("this queued message has no message log id", ToastKind::Error),
                None => {}
            }
        }
        Route::Correlated { .. } => {
            if let Some(guid) = s.correlated.selected_key() {
                open_message(s, guid, fx);
            }
        }
        Route::Attachments { .. } => {
            let row = s.attachments.list.selected_row();
            if let Some(a) = row.and_then(|r| s.attachments.items.get(r)).cloned() {
                s.attachment = Some(AttachmentContent {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    content: Fetch::Pending,
                    scroll: 0,
                });
                s.stack.push(Route::Attachment { id: a.id.clone() });
                fx.push(Effect::FetchAttachment { id: a.id });
            }
        }
        _ => {}
    }
}

/// Open a queue's message list (its generation keeps counting, so late results are dropped).
pub(crate) fn open_queue(s: &mut State, name: String) {
    let generation = s.queue_messages.load.generation;
    s.queue_messages = QueueMessages {
        queue: name.clone(),
        ..QueueMessages::default()
    };
    s.queue_messages.load.generation = generation;
    s.stack.push(Route::QueueMessages { queue: name });
}

pub(crate) fn open_artifact(s: &mut State, id: String, fx: &mut Vec<Effect>) {
    s.artifact_scroll = 0;
    if !matches!(s.artifacts.errors.get(&id), Some(Fetch::Done(_))) {
        s.artifacts.errors.insert(id.clone(), Fetch::Pending);
        fx.push(Effect::FetchArtifactError { id: id.clone() });
    }
    s.stack.push(Route::ArtifactDetail { id });
}

pub fn open_message(s: &mut State, guid: String, fx: &mut Vec<Effect>) {
    s.message = Some(MessageDetail::new(&guid));
    s.stack.push(Route::MessageDetail { guid: guid.clone() });
    fx.push(Effect::FetchMessage { guid });
}

fn jump_artifact(s: &mut State, fx: &mut Vec<Effect>) {
    let id = s
        .message
        .as_ref()
        .and_then(|d| d.log.done())
        .map(|m| m.iflow_id().to_string())
        .filter(|id| !id.is_empty());
    match id {
        Some(id) => open_artifact(s, id, fx),
        None => s.toast("the message's iFlow is not known yet", ToastKind::Error),
    }
}

fn correlated(s: &mut State, fx: &mut Vec<Effect>) {
    let id = s
        .message
        .as_ref()
        .and_then(|d| d.log.done())
        .map(|m| m.correlation_id.clone())
        .filter(|c| !c.is_empty());
    match id {
        Some(correlation_id) => {
            s.correlated = Correlated {
                correlation_id: correlation_id.clone(),
                ..Correlated::default()
            };
            s.stack.push(Route::Correlated {
                correlation_id: correlation_id.clone(),
            });
            fx.push(Effect::FetchCorrelated { correlation_id });
        }
        None => s.toast("this message has no correlation id", ToastKind::Error),
    }
}

fn attachments(s: &mut State) {
    let Some(d) = s.message.as_ref() else { return };
    match &d.attachments {
        Fetch::Done(super::detail::NavPart::NotOnTenant) => s.toast(
            "this tenant does not offer the attachments of a message",
            ToastKind::Info,
        ),
        Fetch::Done(list) if !list.rows().is_empty() => {
            s.attachments = Attachments {
                guid: d.guid.clone(),
                items: list.rows().to_vec(),
                ..Attachments::default()
            };
            let guid = d.guid.clone();
            s.stack.push(Route::Attachments { guid });
            rebuild_focused(s);
        }
        Fetch::Done(_) => s.toast("this message has no attachments", ToastKind::Info),
        Fetch::Pending => s.toast("attachments are still loading", ToastKind::Info),
        Fetch::Failed(e) => {
            let e = e.clone();
            s.toast(format!("attachments could not be read: {e}"), ToastKind::Error)
        }
    }
}

fn copy_id(s: &mut State, fx: &mut Vec<Effect>) {
    let (what, text) = match s.route() {
        Route::ArtifactDetail { id } => ("artifact id", Some(id.clone())),
        Route::MessageDetail { guid } => ("message id", Some(guid.clone())),
        Route::Attachment { id } => ("attachment id", Some(id.clone())),
        Route::Pane(Pane::Artifacts) => ("artifact id", s.artifacts.selected_key()),
        Route::Pane(Pane::Messages) | Route::Correlated { .. } => {
            ("message id", s.table().and_then(|t| t.selected_key()))
        }
        Route::Pane(Pane::Queues) => ("queue name", s.queues.selected_key()),
        Route::QueueMessages { .. } => ("JMS message id", s.queue_messages.selected_key()),
        Route::Attachments { .. } => ("attachment id", s.attachments.selected_key()),
        Route::Pane(Pane::Alerts) => ("monitor key", s.alerts.selected_key()),
        Route::AlertEvidence { .. } => ("evidence", s.alerts.evidence.selected_key()),
        Route::AlertHistory => ("transition", s.alerts.history.selected_key()),
        Route::Certificate { alias } => ("certificate alias", Some(alias.clone())),
    };
    match text {
        Some(text) => {
            s.toast(format!("copied {what} {text}"), ToastKind::Info);
            fx.push(Effect::Copy {
                text,
                what: what.to_string(),
            });
        }
        None => s.toast("nothing selected to copy", ToastKind::Info),
    }
}

fn copy_link(s: &mut State, fx: &mut Vec<Effect>) {
    let link = match s.route() {
        Route::MessageDetail { .. } => s
            .message
            .as_ref()
            .and_then(|d| d.log.done())
            .map(|m| crate::cpi::weblink::web_link(&m.alternate_web_link))
            .filter(|l| !l.is_empty()),
        Route::ArtifactDetail { id } => {
            let id = id.clone();
            s.artifacts
                .items
                .iter()
                .position(|a| a.id == id)
                .and_then(|r| s.artifacts.link(r))
        }
        _ => s
            .table()
            .and_then(|t| t.list().selected_row().and_then(|r| t.link(r))),
    };
    match link {
        Some(text) => {
            s.toast("copied web-UI link", ToastKind::Info);
            fx.push(Effect::Copy {
                text,
                what: "web-UI link".into(),
            });
        }
        None => s.toast(
            "no web-UI link known here (set web_ui_url in the tenant's config for artifact and queue links)",
            ToastKind::Info,
        ),
    }
}

/// Export the focused table's visible rows (after filter and sort). Holds no secrets: only the
/// cells shown.
pub fn export(s: &mut State, format: ExportFormat, path: Option<std::path::PathBuf>, fx: &mut Vec<Effect>) {
    let cx = s.cell_cx();
    let Some(t) = s.table() else {
        s.toast("export works on tables; open a list first", ToastKind::Info);
        return;
    };
    let columns: Vec<String> = t.columns().iter().map(|c| c.id.to_string()).collect();
    let rows = t.export_rows(&cx);
    let name = match s.route() {
        Route::Pane(p) => p.title().to_lowercase(),
        Route::QueueMessages { queue } => format!("queue-{queue}"),
        Route::Correlated { .. } => "correlated".into(),
        Route::Attachments { .. } => "attachments".into(),
        _ => "table".into(),
    };
    let ext = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    s.exports += 1;
    let stamp = chrono::DateTime::from_timestamp_millis(s.now)
        .map(|t| t.format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_default();
    let path = path.unwrap_or_else(|| {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        s.export_dir
            .join(format!("cpitop-{safe}-{stamp}-{}.{ext}", s.exports))
    });
    fx.push(Effect::Export {
        path,
        format,
        columns,
        rows,
    });
}
