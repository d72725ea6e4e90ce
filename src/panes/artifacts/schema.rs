//! The artifact record: one runtime artifact as `cpitop get artifacts|artifact -o json|ndjson|csv`
//! and the Artifacts pane's export write it (conventions: `kit::schema`; fields: README,
//! "Machine output").

use serde::Serialize;

use crate::cpi::artifact_error::{ArtifactErrorInformation, ErrorLevel, ErrorPart};
use crate::cpi::model::RuntimeArtifact;
use crate::cpi::odata::EpochMs;
use crate::kit::schema::{Time, text};

/// A row of `get artifacts` and of the pane's export.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArtifactRecord {
    pub id: String,
    pub name: Option<String>,
    /// `INTEGRATION_FLOW`, `VALUE_MAPPING`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub version: Option<String>,
    /// `STARTED`, `STARTING`, `STOPPING`, `ERROR`, or what the tenant sent.
    pub status: String,
    pub deployed_by: Option<String>,
    pub deployed_on: Option<Time>,
    /// Since when the artifact is in its non-STARTED status as cpitop saw it (the TUI's SINCE;
    /// `null` when STARTED, and in `cpitop get`, which watches nothing).
    pub status_since: Option<Time>,
    /// `false` when the artifact was already so when cpitop started watching: `status_since` is
    /// then when it was first seen, not when it changed (`null` with `status_since`).
    pub status_since_exact: Option<bool>,
}

impl ArtifactRecord {
    /// `since`: since when the artifact is in its non-STARTED status, and whether that is when
    /// it changed (`true`) or when cpitop first saw it (`false`).
    pub fn of(a: &RuntimeArtifact, since: Option<(EpochMs, bool)>) -> Self {
        let (at, exact) = match since {
            Some((at, exact)) => (Some(Time(at)), Some(exact)),
            None => (None, None),
        };
        Self {
            id: a.id.clone(),
            name: text(&a.name),
            kind: text(&a.kind),
            version: text(&a.version),
            status: a.status.as_str().to_string(),
            deployed_by: text(&a.deployed_by),
            deployed_on: Time::of(a.deployed_on),
            status_since: at,
            status_since_exact: exact,
        }
    }
}

/// `get artifact ID -o json`: the row's fields, then the deployment error and what could not be
/// read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArtifactDetail {
    #[serde(flatten)]
    pub artifact: ArtifactRecord,
    /// The deployment error as the tenant reports it, decoded (`null`: none, or not read).
    pub deployment_error: Option<DeploymentError>,
    /// Parts that could not be read, each `what: why` (empty when everything was read).
    pub unread: Vec<String>,
}

/// An artifact's deployment error (`ErrorInformation`), decoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeploymentError {
    /// The tenant's `messageId` (`GenerationFailed`, `InstanceError`, …).
    pub code: Option<String>,
    pub subsystem: Option<String>,
    pub subsystem_part: Option<String>,
    /// The tenant's `messageText` (often empty: the parts say it).
    pub message_text: Option<String>,
    /// The whole error as readable lines (what the detail view shows).
    pub text: String,
    /// Each `parameter` element: a decoded error document, or plain text.
    pub parts: Vec<ErrorPartRecord>,
    /// The body exactly as the tenant sent it.
    pub raw: Option<String>,
}

/// One level of a deployment error: the exception, or one of its causes (nested under `causes`);
/// a plain-text parameter is a part with its text in `parameters` and no `label` or `code`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorPartRecord {
    /// `EXCEPTION` at the top, `CAUSE` below; `null` for plain text.
    pub label: Option<String>,
    pub code: Option<String>,
    pub parameters: Vec<String>,
    pub causes: Vec<ErrorPartRecord>,
}

impl ErrorPartRecord {
    fn of_level(l: &ErrorLevel) -> Self {
        Self {
            label: text(l.label),
            code: text(&l.message_id),
            parameters: l.parameters.clone(),
            causes: l.causes.iter().map(Self::of_level).collect(),
        }
    }
}

impl DeploymentError {
    pub fn of(info: &ArtifactErrorInformation) -> Self {
        let m = info.message.clone().unwrap_or_default();
        Self {
            code: text(&m.message_id),
            subsystem: text(&m.subsystem_name),
            subsystem_part: text(&m.subsystem_part_name),
            message_text: text(&m.message_text),
            text: info.text(),
            parts: info
                .parts()
                .iter()
                .map(|p| match p {
                    ErrorPart::Document(l) => ErrorPartRecord::of_level(l),
                    ErrorPart::Text(t) => ErrorPartRecord {
                        parameters: vec![t.clone()],
                        ..ErrorPartRecord::default()
                    },
                })
                .collect(),
            raw: text(&info.raw),
        }
    }
}
