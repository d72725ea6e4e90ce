//! Footer hints: the commands a view declares for its footer, most useful first; the keys come
//! from the keymap.

use super::action::Action;

/// A command a view declares for its footer, with an optional view-specific label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint(pub Action, pub Option<&'static str>);

pub const fn h(a: Action) -> Hint {
    Hint(a, None)
}
