//! Keys: text input in command, filter and sort modes; everything else through the keymap.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::actions::{act, quit};
use super::command;
use super::msg::Effect;
use super::state::{Mode, State, ToastKind};
use crate::kit::action::Action;
use crate::kit::keymap::Key;

pub fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    if k.kind == KeyEventKind::Release {
        return;
    }
    // Ctrl-C always quits, whatever the mode.
    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
        quit(s, fx);
        return;
    }
    s.dirty = true;
    // An open write dialog (confirm, progress, result) takes every key.
    if s.writes.dialog.is_some() {
        super::writes::key(s, k, fx);
        return;
    }
    // So does a plugin's (confirmation, refusal, kept output).
    if s.ext.dialog.is_some() {
        super::extend::dialog_key(s, k, fx);
        return;
    }
    match s.mode.clone() {
        Mode::Command(mut buf) => match k.code {
            KeyCode::Esc => s.mode = Mode::Normal,
            KeyCode::Enter => {
                s.mode = Mode::Normal;
                command::run(s, &buf, fx);
            }
            KeyCode::Backspace => {
                if buf.pop().is_none() {
                    s.mode = Mode::Normal;
                } else {
                    s.mode = Mode::Command(buf);
                }
            }
            KeyCode::Tab => s.mode = Mode::Command(command::complete(&buf)),
            KeyCode::Char(c) => {
                buf.push(c);
                s.mode = Mode::Command(buf);
            }
            _ => {}
        },
        Mode::Filter => filter_key(s, k, fx),
        Mode::SortPending => {
            s.mode = Mode::Normal;
            if let KeyCode::Char(c) = k.code {
                let Some(t) = s.table_mut() else { return };
                let col = t
                    .columns()
                    .iter()
                    .position(|col| col.sort_key.eq_ignore_ascii_case(&c));
                match col {
                    Some(i) => {
                        t.list_mut().sort_by(i);
                        s.rebuild_focused();
                    }
                    None => {
                        let keys: String = t
                            .columns()
                            .iter()
                            .map(|c| format!("{} {}", c.sort_key, c.title.to_lowercase()))
                            .collect::<Vec<_>>()
                            .join(", ");
                        s.toast(format!("no column on `{c}`; sort keys: {keys}"), ToastKind::Info);
                    }
                }
            }
        }
        Mode::Help(scroll) => match k.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => s.mode = Mode::Normal,
            KeyCode::Down | KeyCode::Char('j') => s.mode = Mode::Help(scroll + 1),
            KeyCode::Up | KeyCode::Char('k') => s.mode = Mode::Help(scroll.saturating_sub(1)),
            KeyCode::PageDown => s.mode = Mode::Help(scroll + 10),
            KeyCode::PageUp => s.mode = Mode::Help(scroll.saturating_sub(10)),
            KeyCode::Home | KeyCode::Char('g') => s.mode = Mode::Help(0),
            _ => {}
        },
        Mode::Normal => {
            let Some(key) = Key::from_event(&k) else { return };
            let contexts = s.focus(s.route()).contexts();
            if let Some(a) = s.keymap.lookup(&contexts, key) {
                act(s, a, fx);
            } else if !super::extend::key(s, key, fx) {
                // Neither a built-in key nor one of the user's hotkeys and plugins.
                s.dirty = false;
            }
        }
    }
}

fn filter_key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    match k.code {
        KeyCode::Esc => {
            s.mode = Mode::Normal;
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.clear();
            }
            s.rebuild_focused();
        }
        KeyCode::Enter => s.mode = Mode::Normal,
        KeyCode::Backspace => {
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.pop();
            }
            s.rebuild_focused();
        }
        KeyCode::Up => act(s, Action::Up, fx),
        KeyCode::Down => act(s, Action::Down, fx),
        KeyCode::PageUp => act(s, Action::PageUp, fx),
        KeyCode::PageDown => act(s, Action::PageDown, fx),
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.push(c);
            }
            s.rebuild_focused();
        }
        _ => {}
    }
}
