//! Keys: text input in command, filter and sort modes; everything else through the keymap.
//!
//! Two terminal habits are handled here, before the keymap:
//! - Esc followed quickly by a key arrives as one `Alt+key` (the terminal sends `ESC x`, which
//!   reads the same). Where no `Alt` binding exists, it is taken for what it was typed as: Esc,
//!   then the key — in the `:` line and the filter as much as in the lists (`Alt-Backspace` in the
//!   `:` line and the filter is the shell's word delete).
//! - Pasted text (bracketed paste) is never read as keys: in the `:` line and the filter it is
//!   typed text; over a list it becomes the list's `/` filter (paste an id, see its rows); in a
//!   dialog it fills the typed field, never a yes.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::actions::{act, quit};
use super::command;
use super::msg::Effect;
use super::state::{Mode, State, ToastKind};
use crate::kit::action::Action;
use crate::kit::keymap::Key;
use crate::kit::line::LineEdit;

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
    // `ESC x` read as Alt+x: Esc, then x (see the module docs).
    if let Some(plain) = esc_then(s, &k) {
        key(s, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), fx);
        key(s, plain, fx);
        return;
    }
    match s.mode.clone() {
        Mode::Command(line) => command_key(s, line, k, fx),
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
                        s.rebuild_focused_from_top();
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
            KeyCode::End | KeyCode::Char('G') => s.mode = Mode::Help(usize::MAX / 2),
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

/// `Some(key without Alt)` when `k` is an `ESC x` pair to be taken as Esc, then x: an Alt+key
/// that nothing binds in this mode (the `:` line and the filter keep Alt-Backspace).
fn esc_then(s: &State, k: &KeyEvent) -> Option<KeyEvent> {
    let m = k.modifiers;
    if !m.contains(KeyModifiers::ALT) || m.contains(KeyModifiers::CONTROL) {
        return None;
    }
    let plain = KeyEvent::new(k.code, m - KeyModifiers::ALT);
    match s.mode {
        Mode::Command(_) | Mode::Filter => (k.code != KeyCode::Backspace).then_some(plain),
        Mode::Normal => {
            let key = Key::from_event(k)?;
            let contexts = s.focus(s.route()).contexts();
            s.keymap.lookup(&contexts, key).is_none().then_some(plain)
        }
        Mode::SortPending | Mode::Help(_) => Some(plain),
    }
}

/// Keys of the `:` line: shell editing, history (Up/Down), completion (Tab).
fn command_key(s: &mut State, mut line: LineEdit, k: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let mut edited = true;
    match k.code {
        KeyCode::Esc => {
            s.history.reset();
            s.completions.clear();
            s.mode = Mode::Normal;
            return;
        }
        KeyCode::Enter => {
            s.completions.clear();
            s.mode = Mode::Normal;
            if s.history.push(line.text()) {
                fx.push(Effect::SaveHistory(s.history.items.clone()));
            }
            command::run(s, line.text(), fx);
            return;
        }
        KeyCode::Backspace if alt => line.delete_word(),
        KeyCode::Backspace => {
            if line.is_empty() {
                s.history.reset();
                s.completions.clear();
                s.mode = Mode::Normal;
                return;
            }
            line.backspace();
        }
        KeyCode::Delete => line.delete(),
        KeyCode::Left => line.left(),
        KeyCode::Right => line.right(),
        KeyCode::Home => line.home(),
        KeyCode::End => line.end(),
        KeyCode::Char('a') if ctrl => line.home(),
        KeyCode::Char('e') if ctrl => line.end(),
        KeyCode::Char('b') if ctrl => line.left(),
        KeyCode::Char('f') if ctrl => line.right(),
        KeyCode::Char('w') if ctrl => line.delete_word_ws(),
        KeyCode::Char('u') if ctrl => line.kill_to_start(),
        KeyCode::Char('k') if ctrl => line.kill_to_end(),
        KeyCode::Char('h') if ctrl => {
            line.backspace();
        }
        KeyCode::Up | KeyCode::Char('p') if k.code == KeyCode::Up || ctrl => {
            edited = false;
            if let Some(older) = s.history.older(line.text()) {
                line.set(older);
            }
        }
        KeyCode::Down | KeyCode::Char('n') if k.code == KeyCode::Down || ctrl => {
            edited = false;
            if let Some(newer) = s.history.newer() {
                line.set(newer);
            }
        }
        KeyCode::Tab => {
            edited = false;
            let done = command::complete(s, line.text());
            line.set(&done.line);
            s.completions = done.candidates;
        }
        KeyCode::Char(c) if !ctrl => line.insert(c),
        _ => edited = false,
    }
    if edited {
        s.history.reset();
        s.completions.clear();
    }
    s.mode = Mode::Command(line);
}

/// Keys of the `/` filter: typing filters as you go; Ctrl-W, Alt-Backspace and Ctrl-U delete a
/// word or everything, as in a shell.
fn filter_key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let edit = |s: &mut State, f: &dyn Fn(&mut LineEdit)| {
        if let Some(t) = s.table_mut() {
            let mut line = LineEdit::from(std::mem::take(&mut t.list_mut().filter));
            f(&mut line);
            t.list_mut().filter = line.text().to_string();
        }
        s.rebuild_focused_from_top();
    };
    match k.code {
        KeyCode::Esc => {
            s.mode = Mode::Normal;
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.clear();
            }
            s.rebuild_focused_from_top();
        }
        KeyCode::Enter => s.mode = Mode::Normal,
        KeyCode::Backspace if alt => edit(s, &|l| l.delete_word()),
        KeyCode::Backspace => edit(s, &|l| {
            l.backspace();
        }),
        KeyCode::Char('w') if ctrl => edit(s, &|l| l.delete_word_ws()),
        KeyCode::Char('u') if ctrl => edit(s, &|l| l.kill_to_start()),
        KeyCode::Char('h') if ctrl => edit(s, &|l| {
            l.backspace();
        }),
        KeyCode::Up => act(s, Action::Up, fx),
        KeyCode::Down => act(s, Action::Down, fx),
        KeyCode::PageUp => act(s, Action::PageUp, fx),
        KeyCode::PageDown => act(s, Action::PageDown, fx),
        KeyCode::Char(c) if !ctrl => {
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.push(c);
            }
            s.rebuild_focused_from_top();
        }
        _ => {}
    }
}

/// Pasted text (bracketed paste): typed text in the `:` line and the filter; over a list, the
/// list's `/` filter (kept, as after Enter); in a write dialog, its typed field only. Never keys.
pub fn paste(s: &mut State, text: &str) {
    s.dirty = true;
    // One line: a trailing newline (copied with the id) is not part of it.
    let text = text.trim();
    let text = text.lines().next().unwrap_or("").trim();
    if s.writes.dialog.is_some() {
        crate::features::writes::dialog::paste(&mut s.writes, text);
        return;
    }
    match s.mode.clone() {
        Mode::Command(mut line) => {
            line.insert_str(text);
            s.history.reset();
            s.completions.clear();
            s.mode = Mode::Command(line);
        }
        Mode::Filter => {
            if let Some(t) = s.table_mut() {
                t.list_mut().filter.push_str(text);
            }
            s.rebuild_focused_from_top();
        }
        Mode::Normal => {
            let Some(t) = s.table_mut() else {
                s.toast(
                    "pasted text filters a list: paste it over a list (or after : for a command)",
                    ToastKind::Info,
                );
                return;
            };
            t.list_mut().filter = text.to_string();
            s.rebuild_focused_from_top();
        }
        Mode::SortPending | Mode::Help(_) => {}
    }
}
