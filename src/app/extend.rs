//! The user's hotkeys and plugins in the views: a key the keymap does not take runs the hotkey
//! or plugin bound to it there; a plugin's dialogs take every key while open; the shell's answer
//! keeps a background run's output (`:plugins` shows it again). `features::extend` has the model.

use crossterm::event::{KeyCode, KeyEvent};

use super::msg::Effect;
use super::state::{State, ToastKind};
use crate::features::extend::{Bound, Dialog, PluginEffect, PluginMsg, PluginRequest, prepare, refusal};
use crate::kit::keymap::Key;

/// A key in normal mode that no keymap binding of the view took: `true` when a hotkey or plugin
/// did.
pub fn key(s: &mut State, key: Key, fx: &mut Vec<Effect>) -> bool {
    let contexts = s.focus(s.route()).contexts();
    match s.ext.lookup(&contexts, key) {
        Some(Bound::Hotkey(i)) => {
            let command = s.ext.hotkeys[i].command.clone();
            super::command::run(s, &command, fx);
            true
        }
        Some(Bound::Plugin(i)) => {
            plugin(s, i, fx);
            true
        }
        None => false,
    }
}

/// Plugin `i` on the focused view: refused, its confirmation, or run.
fn plugin(s: &mut State, i: usize, fx: &mut Vec<Effect>) {
    s.dirty = true;
    let Some(p) = s.ext.plugins.get(i).cloned() else {
        return;
    };
    if let Some(reason) = refusal(&p, &s.writes, &s.tenant) {
        fx.push(Effect::Plugin(PluginEffect::Refused {
            tenant: s.tenant.name.clone(),
            plugin: p.name.clone(),
            reason: reason.clone(),
        }));
        s.ext.dialog = Some(Dialog::Refused {
            title: format!("Plugin {} refused", p.name),
            lines: vec![format!("Nothing was run: {}", p.written()), reason],
        });
        return;
    }
    let (view, subject) = {
        let focus = s.focus(s.route());
        (focus.contexts()[0], focus.subject(&s.cell_cx()))
    };
    let id = s.ext.next_id + 1;
    match prepare(&p, subject, &s.tenant, view, id) {
        Err(e) => s.toast(e, ToastKind::Error),
        Ok(req) => {
            s.ext.next_id = id;
            if p.confirm {
                s.ext.dialog = Some(Dialog::Confirm(req));
            } else {
                start(s, req, fx);
            }
        }
    }
}

fn start(s: &mut State, req: PluginRequest, fx: &mut Vec<Effect>) {
    if req.background {
        s.ext.started(&req);
        s.toast(format!("plugin {} running…", req.plugin), ToastKind::Info);
    }
    fx.push(Effect::Plugin(PluginEffect::Run(req)));
}

/// Keys while a plugin dialog is open.
pub fn dialog_key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    s.dirty = true;
    let Some(d) = s.ext.dialog.take() else { return };
    match d {
        Dialog::Confirm(req) => match k.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => start(s, req, fx),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                s.toast(format!("plugin {} not run", req.plugin), ToastKind::Info);
            }
            _ => s.ext.dialog = Some(Dialog::Confirm(req)),
        },
        Dialog::Refused { .. } => {}
        Dialog::Output { scroll } => {
            let scroll = match k.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => return,
                KeyCode::Down | KeyCode::Char('j') => scroll + 1,
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll + 10,
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Home | KeyCode::Char('g') => 0,
                _ => scroll,
            };
            s.ext.dialog = Some(Dialog::Output { scroll });
        }
    }
}

/// The shell's answer: a background run's output is kept and shown (unless another dialog is
/// open); a foreground run is said in a toast (the screen has just been redrawn in full).
pub fn on_msg(s: &mut State, m: PluginMsg) {
    s.dirty = true;
    let PluginMsg::Done(o) = m;
    let kind = if o.status.ok() {
        ToastKind::Info
    } else {
        ToastKind::Error
    };
    if o.background && s.ext.finished(&o) {
        let free = s.ext.dialog.is_none() && s.writes.dialog.is_none();
        if free && s.mode == super::state::Mode::Normal {
            s.ext.dialog = Some(Dialog::Output { scroll: 0 });
        }
        s.toast(
            format!("plugin {}: {} (:plugins shows its output)", o.plugin, o.status),
            kind,
        );
    } else {
        s.toast(format!("plugin {}: {}", o.plugin, o.status), kind);
    }
}
