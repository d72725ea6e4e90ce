//! Transient notices at the right of the footer.

use crate::cpi::odata::EpochMs;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Error,
}

/// A notice shown until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub kind: ToastKind,
    pub until: EpochMs,
}

/// A notice a view or feature asks for (the app times it).
pub type Say = (String, ToastKind);

/// An informational notice.
pub fn info(text: impl Into<String>) -> Say {
    (text.into(), ToastKind::Info)
}

/// An error notice (shown longer).
pub fn error(text: impl Into<String>) -> Say {
    (text.into(), ToastKind::Error)
}
