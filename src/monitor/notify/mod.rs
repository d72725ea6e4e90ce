//! Notifications on status transitions: which to send and when ([`dispatch`], pure), what they
//! look like ([`format`]), and delivery to webhooks and command hooks ([`deliver`]).

pub mod config;

pub use config::{CommandHook, NotifyConfig, WebhookFormat, WebhookTarget};
