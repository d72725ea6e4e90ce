//! The sim's resources as the world holds them: runtime artifacts (with deploy tasks), JMS queues
//! and their messages, keystore entries. Their behaviour and routes are in `artifacts`, `jms`
//! and `keystore`; `world` owns one of each.

#[derive(Debug, Clone)]
pub struct Artifact {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub package: usize,
    pub version: String,
    pub deployed_by: String,
    pub deployed_on: i64,
    pub status: &'static str,
    /// `(messageId, parameter)` of `ErrorInformation/$value`; for an `InstanceError` the
    /// parameter is the JSON document (see [`instance_error`]).
    pub error: Option<(String, String)>,
    pub deployed: bool,
    /// A deploy in progress: `(finishes at, succeeds)`.
    pub pending: Option<(i64, bool)>,
    pub flow: Option<u16>,
    /// Redeploying does not help (the design-time content is broken).
    pub broken: bool,
    pub created_at: i64,
}

pub(super) struct Task {
    pub(super) id: String,
    pub(super) done_at: i64,
    pub(super) ok: bool,
}

pub struct Artifacts {
    pub list: Vec<Artifact>,
    pub(super) tasks: Vec<Task>,
    pub(super) seed: u64,
}

#[derive(Debug, Clone)]
pub struct QMsg {
    pub msgid: String,
    pub mplid: Option<String>,
    pub mpl_index: Option<u32>,
    pub failed: bool,
    pub created_at: i64,
    pub retry_count: i64,
    pub next_retry: Option<i64>,
    pub overdue_at: Option<i64>,
    pub expiration: i64,
}

#[derive(Debug, Clone)]
pub struct Queue {
    pub name: String,
    pub active: bool,
    pub exclusive: bool,
    pub msgs: Vec<QMsg>,
}

pub struct Jms {
    pub queues: Vec<Queue>,
    pub(super) counter: u64,
    pub(super) host: String,
    pub(super) seed: u64,
}

#[derive(Debug, Clone)]
pub struct Cert {
    pub alias: String,
    pub kind: &'static str,
    pub key_type: &'static str,
    pub key_size: i64,
    pub not_before: i64,
    pub not_after: i64,
    pub subject: String,
    pub issuer: &'static str,
    pub owner: &'static str,
}

pub struct Keystore {
    pub certs: Vec<Cert>,
}
