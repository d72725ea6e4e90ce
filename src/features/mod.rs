//! Building blocks more than one pane uses, below the panes: guarded writes ([`writes`]: the
//! model, planning, dialogs and their drawing), the offline cache's forms and bookkeeping
//! ([`cache`]), the configured tenants for switching ([`ctx`]), the user's hotkeys and plugins
//! ([`extend`]). What ties them to every pane (when to save the
//! cache, what a tenant switch resets) is the app's.

pub mod cache;
pub mod ctx;
pub mod extend;
pub mod writes;
