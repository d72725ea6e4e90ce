//! Notifications on status transitions: which to send and when ([`dispatch`], pure), what they
//! look like ([`format`](mod@format)), and delivery to webhooks and command hooks ([`deliver`](mod@deliver)).

pub mod config;
pub mod deliver;
pub mod dispatch;
pub mod format;

pub use config::{CommandHook, NotifyConfig, WebhookFormat, WebhookTarget};
pub use deliver::{
    DeliveryError, DeliveryReport, NotifierInput, alert_env, deliver, http_client, install_crypto_provider,
    post_webhook, run_command, spawn_notifier,
};
pub use dispatch::{Alert, Batch, Dispatcher, Policy};
