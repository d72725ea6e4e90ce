//! Guarded writes, tied to the views: a view asks for a write (`Out::Write`), the confirmation
//! dialog takes every key while open, and the runner's results unmark what the tenant confirmed
//! and refresh what is shown (`features::writes` has the model, planning and dialogs).

use crossterm::event::KeyEvent;

use super::msg::Effect;
use super::state::State;
use crate::features::writes::{Job, Known, WriteMsg, dialog, plan};

/// A view asked for `job`: refused (recorded), told to wait, or its confirmation opens.
pub fn propose(s: &mut State, job: Job, known: Known, fx: &mut Vec<Effect>) {
    let (effect, say) = plan::propose(&mut s.writes, job, known, &s.tenant);
    fx.extend(effect.map(Effect::Write));
    if let Some((text, kind)) = say {
        s.toast(text, kind);
    }
}

/// Keys while a dialog is open.
pub fn key(s: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let out = dialog::key(&mut s.writes, k, &s.tenant, s.now);
    fx.extend(out.effects.into_iter().map(Effect::Write));
    if let Some((text, kind)) = out.say {
        s.toast(text, kind);
    }
}

/// Progress and results from the runner.
pub fn on_msg(s: &mut State, m: WriteMsg, fx: &mut Vec<Effect>) {
    s.dirty = true;
    if let Some(done) = dialog::on_msg(&mut s.writes, m) {
        // What the tenant confirmed is no longer marked.
        for id in &done.succeeded {
            s.queues.messages.marks.remove(id);
        }
        s.toast(done.say.0, done.say.1);
        // The tenant changed: read it again.
        fx.push(Effect::RefreshNow);
    }
}
