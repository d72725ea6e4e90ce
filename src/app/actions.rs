//! What each `Action` does: the generic ones here (moving, scrolling, filter and sort modes,
//! copy, export, panes, help, refresh, time), everything a view owns by asking the focused view
//! (`State::focus_mut`), and a word where an action does not work.

use super::msg::{Effect, ExportFormat};
use super::nav;
use super::state::{Mode, Pane, State, ToastKind};
use crate::features::writes::plan::where_it_works;
use crate::kit::action::Action;
use crate::kit::nav::Nav;

pub fn act(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    s.dirty = true;
    match a {
        Action::QuitNow => quit(s, fx),
        Action::Quit => {
            if s.stack.len() > 1 {
                s.back();
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
                s.rebuild_focused_from_top();
            } else {
                s.back();
            }
        }
        Action::PaneTenants => s.switch_pane(Pane::Tenants),
        Action::PaneArtifacts => s.switch_pane(Pane::Artifacts),
        Action::PaneMessages => s.switch_pane(Pane::Messages),
        Action::PaneQueues => s.switch_pane(Pane::Queues),
        Action::PaneAlerts => s.switch_pane(Pane::Alerts),
        Action::PaneKeystore => s.switch_pane(Pane::Keystore),
        Action::PaneErrors => s.switch_pane(Pane::Errors),
        Action::PaneNext | Action::PanePrev => {
            let n = Pane::ALL.len();
            let i = s.pane().index();
            let next = if a == Action::PaneNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            s.switch_pane(Pane::ALL[next]);
        }
        Action::Command => s.mode = Mode::Command(Default::default()),
        Action::Help => s.mode = Mode::Help(0),
        Action::Refresh => refresh(s, fx),
        Action::ToggleTime => {
            s.time.utc = !s.time.utc;
            s.rebuild_focused();
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
                s.rebuild_focused_from_top();
            }
        }
        Action::CopyId => copy_id(s, fx),
        Action::CopyLink => copy_link(s, fx),
        Action::Export => export(s, ExportFormat::Csv, None, fx),
        // The message window is the Messages pane's, whatever the view (as `:window`, `:live`).
        Action::Window => {
            let next = s.messages.next_window();
            let say = s.messages.set_window(next, None, &s.time);
            s.toast(say.0, say.1);
        }
        Action::Live => {
            let say = s.messages.toggle_live();
            s.toast(say.0, say.1);
        }
        Action::Open
        | Action::ToggleFailed
        | Action::JumpArtifact
        | Action::Correlated
        | Action::Attachments
        | Action::Acknowledge
        | Action::Silence
        | Action::AlertHistory
        | Action::Mark
        | Action::MarkAll
        | Action::Retry
        | Action::Move
        | Action::Delete
        | Action::RetryAll
        | Action::MoveAll
        | Action::Restart
        | Action::Undeploy
        | Action::Failures
        | Action::Drift
        | Action::ColumnPrev
        | Action::ColumnNext
        | Action::NextLandscape
        | Action::NewestError
        | Action::SplitIflow => view_action(s, a, fx),
        Action::Wide => {
            if let Some(t) = s.table_mut() {
                let l = t.list_mut();
                l.wide = !l.wide;
                let word = if l.wide {
                    "wide: every column"
                } else {
                    "narrow: the columns that fit"
                };
                s.toast(word, ToastKind::Info);
            }
        }
    }
    let rows = s.table_rows();
    if let Some(t) = s.table_mut() {
        t.list_mut().scroll_into_view(rows);
    }
}

/// An action the focused view owns; where it does nothing, say where it works (writes) or what
/// it needs.
fn view_action(s: &mut State, a: Action, fx: &mut Vec<Effect>) {
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    if let Some(r) = s.focus_mut().act(a, &cx) {
        nav::reply(s, r, fx);
        return;
    }
    match a {
        a if a.is_write() => s.toast(
            format!("{} works in {}", a.hint(), where_it_works(a)),
            ToastKind::Info,
        ),
        Action::Acknowledge => s.toast("select a monitor to acknowledge", ToastKind::Info),
        Action::Silence => s.toast("select a monitor to silence", ToastKind::Info),
        Action::AlertHistory => nav::go(s, Nav::OpenAlertHistory, fx),
        Action::Failures => s.toast(
            "F works on an artifact (Artifacts pane) and on an alert's evidence",
            ToastKind::Info,
        ),
        _ => {}
    }
}

pub fn quit(s: &mut State, fx: &mut Vec<Effect>) {
    s.quit = true;
    fx.push(Effect::Quit);
}

/// `r`: poll every running poller now, and read the focused view's one-off data again.
fn refresh(s: &mut State, fx: &mut Vec<Effect>) {
    fx.push(Effect::RefreshNow);
    let r = s.focus_mut().refresh();
    nav::reply(s, r, fx);
    s.toast("refreshing…", ToastKind::Info);
}

fn move_or_scroll(s: &mut State, delta: isize) {
    if let Some(t) = s.table_mut() {
        t.move_selection(delta);
        return;
    }
    let Some(scroll) = s.focus_mut().scroll_mut() else {
        return;
    };
    *scroll = (*scroll as isize).saturating_add(delta).max(0) as usize;
    clamp_scroll(s);
}

/// Keep a text view's scroll within its document.
pub fn clamp_scroll(s: &mut State) {
    let len = s.focus(s.route()).doc(&s.cx()).len();
    let max = len.saturating_sub(s.body_rows());
    if let Some(scroll) = s.focus_mut().scroll_mut() {
        *scroll = (*scroll).min(max);
    }
}

fn copy_id(s: &mut State, fx: &mut Vec<Effect>) {
    let (what, text) = { s.focus(s.route()).copy_id() };
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
    let link = s.focus(s.route()).link();
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

/// Export the focused table's visible rows (after filter and sort) as their resource's records
/// (`kit::schema`: the fields `cpitop get -o json|csv|ndjson` writes). Holds no secrets: only what
/// the records hold.
pub fn export(s: &mut State, format: ExportFormat, path: Option<std::path::PathBuf>, fx: &mut Vec<Effect>) {
    let cx = s.cell_cx();
    let table = {
        let focus = s.focus(s.route());
        focus
            .table()
            .map(|t| (t.fields(), t.export_records(&cx), focus.export_name()))
    };
    let Some((fields, records, name)) = table else {
        s.toast("export works on tables; open a list first", ToastKind::Info);
        return;
    };
    let ext = format.ext();
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
        fields,
        records,
    });
}
