//! `IntegrationRuntimeArtifacts('<Id>')/ErrorInformation/$value` as real
//! tenants send it, decoded into something a person can read.
//!
//! Two forms were recorded from tenants:
//! - `GenerationFailed` (and similar): `parameter` holds plain, often multi-line text.
//! - `InstanceError`: each `parameter` element is a JSON document *encoded as a string*, with a
//!   `messageId`, `parameters` (plural) and nested `childMessageInstances`, one per cause; the
//!   `message.messageText` next to it is empty.
//!
//! SAP misspells `subsytemPartName` and, in the recorded replies, `subsytemName` too; both
//! spellings are accepted. Every part is decoded tolerantly: a field of the wrong type or a
//! parameter that is not a JSON document falls back to its text, never to an error.
//!
//! [`ArtifactErrorInformation::text`] renders the decoded error as lines: an optional header
//! (`messageId (subsystem/part)`), then one line per level, indented two spaces per depth and
//! labelled `EXCEPTION` (the top) or `CAUSE` (each nested level). [`level_line`] reads such a line
//! back, so the detail views can colour the labels and indent wrapped lines under the text; the
//! text is what travels to the views and the cache, the format is defined only here.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::odata::de_string;

/// Label of the top level of a decoded error document.
pub const LABEL_EXCEPTION: &str = "EXCEPTION";
/// Label of every nested level (`childMessageInstances`).
pub const LABEL_CAUSE: &str = "CAUSE";
/// Between the parameters of one level.
const PARAM_SEP: &str = " · ";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArtifactErrorInformation {
    #[serde(default)]
    pub message: Option<ArtifactErrorMessage>,
    /// Plain texts, or JSON documents encoded as strings (`InstanceError`).
    #[serde(default, deserialize_with = "de_texts")]
    pub parameter: Vec<String>,
    /// The reference's nested form (U); real replies seen so far nest inside `parameter`.
    #[serde(rename = "childInstances", default)]
    pub child_instances: Vec<ArtifactErrorInformation>,
    /// The body exactly as the tenant sent it (set by the client, never decoded from it).
    #[serde(skip)]
    pub raw: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArtifactErrorMessage {
    #[serde(
        rename = "subsystemName",
        alias = "subsytemName",
        default,
        deserialize_with = "de_string"
    )]
    pub subsystem_name: String,
    #[serde(
        rename = "subsytemPartName",
        alias = "subsystemPartName",
        default,
        deserialize_with = "de_string"
    )]
    pub subsystem_part_name: String,
    #[serde(rename = "messageId", default, deserialize_with = "de_string")]
    pub message_id: String,
    #[serde(rename = "messageText", default, deserialize_with = "de_string")]
    pub message_text: String,
}

/// One level of a decoded `InstanceError` document: the exception, or one of its causes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorLevel {
    /// `EXCEPTION` at the top, `CAUSE` below.
    pub label: &'static str,
    pub message_id: String,
    /// The `parameters` as sent (trimmed, empty ones dropped).
    pub parameters: Vec<String>,
    /// The `childMessageInstances`, decoded the same way.
    pub causes: Vec<ErrorLevel>,
}

/// One `parameter` element: a decoded document, or plain text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorPart {
    Document(ErrorLevel),
    Text(String),
}

impl ArtifactErrorInformation {
    /// Every `parameter` element decoded.
    pub fn parts(&self) -> Vec<ErrorPart> {
        self.parameter
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| match document(p) {
                Some(level) => ErrorPart::Document(level),
                None => ErrorPart::Text(p.clone()),
            })
            .collect()
    }

    /// The human-readable error (see the module doc for the line format): the header, the
    /// decoded parameters, else `messageText`, then the reference's `childInstances`.
    pub fn text(&self) -> String {
        let mut lines: Vec<String> = Vec::new();
        let parts = self.parts();
        if let Some(m) = &self.message {
            if !m.message_id.is_empty() {
                let origin = [m.subsystem_name.as_str(), m.subsystem_part_name.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                let mut head = m.message_id.clone();
                if !origin.is_empty() {
                    head.push_str(&format!(" ({origin})"));
                }
                lines.push(head);
            }
            if !m.message_text.trim().is_empty() {
                lines.push(m.message_text.clone());
            }
        }
        for part in &parts {
            match part {
                ErrorPart::Document(level) => push_level(&mut lines, level, 0),
                ErrorPart::Text(t) => lines.push(t.clone()),
            }
        }
        for child in &self.child_instances {
            let t = child.text();
            if !t.is_empty() {
                lines.push(t);
            }
        }
        lines.join("\n")
    }
}

impl ErrorLevel {
    /// The level's text: its parameters joined (a `Caused by: ` prefix dropped under the `CAUSE`
    /// label, which says it already), or its message id when it has none.
    pub fn summary(&self) -> String {
        let params: Vec<&str> = self
            .parameters
            .iter()
            .map(|p| {
                if self.label == LABEL_CAUSE {
                    p.strip_prefix("Caused by:").map(str::trim_start).unwrap_or(p)
                } else {
                    p
                }
            })
            .filter(|p| !p.is_empty())
            .collect();
        if params.is_empty() {
            self.message_id.clone()
        } else {
            // One line per level: line breaks inside a parameter become spaces.
            params
                .join(PARAM_SEP)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

fn push_level(lines: &mut Vec<String>, level: &ErrorLevel, depth: usize) {
    lines.push(format!(
        "{:indent$}{} {}",
        "",
        level.label,
        level.summary(),
        indent = depth * 2
    ));
    for c in &level.causes {
        push_level(lines, c, depth + 1);
    }
}

/// A `parameter` element that is a JSON document of the `InstanceError` form, decoded.
fn document(text: &str) -> Option<ErrorLevel> {
    let t = text.trim();
    if !t.starts_with('{') {
        return None;
    }
    let v: Value = serde_json::from_str(t).ok()?;
    let o = v.as_object()?;
    if !["messageId", "parameters", "childMessageInstances"]
        .iter()
        .any(|k| o.contains_key(*k))
    {
        return None;
    }
    Some(level(&v, LABEL_EXCEPTION))
}

/// One level of the document. serde_json's recursion limit (128) bounds the depth.
fn level(v: &Value, label: &'static str) -> ErrorLevel {
    let params = v.get("parameters").or_else(|| v.get("parameter"));
    ErrorLevel {
        label,
        message_id: v.get("messageId").map(value_text).unwrap_or_default(),
        parameters: params.map(texts).unwrap_or_default(),
        causes: match v.get("childMessageInstances") {
            Some(Value::Array(children)) => children.iter().map(|c| level(c, LABEL_CAUSE)).collect(),
            Some(c @ Value::Object(_)) => vec![level(c, LABEL_CAUSE)],
            _ => vec![],
        },
    }
}

/// Strings as they are, `null` as nothing, anything else as its JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An array (or a single value) of texts, empty ones dropped.
fn texts(v: &Value) -> Vec<String> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(value_text)
        .filter(|s| !s.is_empty())
        .collect()
}

/// `parameter`: an array of strings as recorded; tolerates `null`, a single string and
/// non-string elements (kept as their JSON text).
fn de_texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    let items: Vec<Value> = match v {
        Value::Array(a) => a,
        Value::Null => vec![],
        other => vec![other],
    };
    Ok(items
        .into_iter()
        .map(|x| match x {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect())
}

/// A line of [`ArtifactErrorInformation::text`] that is a level: `(indent, label, text)`.
pub fn level_line(line: &str) -> Option<(usize, &'static str, &str)> {
    let rest = line.trim_start_matches(' ');
    let indent = line.len() - rest.len();
    if indent % 2 != 0 {
        return None;
    }
    [LABEL_EXCEPTION, LABEL_CAUSE].into_iter().find_map(|label| {
        let text = rest.strip_prefix(label)?.strip_prefix(' ')?;
        ((label == LABEL_EXCEPTION) == (indent == 0)).then_some((indent, label, text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `InstanceError` of the recorded shape: a missing SFTP credential at deploy.
    const INSTANCE_ERROR: &str = r#"{"message":{"subsytemName":"IntegrationRuntime","subsytemPartName":"RuntimeArtifactDeployment","messageId":"InstanceError","messageText":""},"parameter":["{\"messageId\":\"com.sap.it.op.agent.trm.IFlowStartError\",\"parameters\":[\"Error while starting the integration flow Supplier_Invoices_SFTP\"],\"childMessageInstances\":[{\"messageId\":\"com.sap.it.rt.adapter.ConsumerStartError\",\"parameters\":[\"Caused by: org.apache.camel.FailedToCreateRouteException: Failed to create route Process_1\",\"endpoint sftp://sftp.partner.example.com:22/outbound\"],\"childMessageInstances\":[{\"messageId\":\"com.sap.it.api.securestore.CredentialNotFound\",\"parameters\":[\"Caused by: com.sap.it.api.securestore.exception.SecureStoreException: Secure Parameter not available for alias SFTP_PARTNER_KEY\"],\"childMessageInstances\":[]}]}]}"],"additionalText":null}"#;

    #[test]
    fn instance_error_decodes_into_labelled_nested_lines() {
        let e: ArtifactErrorInformation = serde_json::from_str(INSTANCE_ERROR).expect("decodes");
        let m = e.message.as_ref().expect("message");
        assert_eq!(m.subsystem_name, "IntegrationRuntime");
        assert_eq!(m.subsystem_part_name, "RuntimeArtifactDeployment");
        let text = e.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "InstanceError (IntegrationRuntime/RuntimeArtifactDeployment)",
                "EXCEPTION Error while starting the integration flow Supplier_Invoices_SFTP",
                "  CAUSE org.apache.camel.FailedToCreateRouteException: Failed to create route \
                 Process_1 · endpoint sftp://sftp.partner.example.com:22/outbound",
                "    CAUSE com.sap.it.api.securestore.exception.SecureStoreException: Secure \
                 Parameter not available for alias SFTP_PARTNER_KEY",
            ]
        );
        assert!(!text.contains("childMessageInstances"), "no raw JSON: {text}");
        assert_eq!(level_line(lines[1]).map(|l| l.1), Some(LABEL_EXCEPTION));
        assert_eq!(level_line(lines[3]).map(|l| (l.0, l.1)), Some((4, LABEL_CAUSE)));
        assert_eq!(level_line(lines[0]), None);
        let parts = e.parts();
        let ErrorPart::Document(top) = &parts[0] else {
            panic!("a document: {parts:?}")
        };
        assert_eq!(
            top.causes[0].causes[0].message_id,
            "com.sap.it.api.securestore.CredentialNotFound"
        );
    }

    #[test]
    fn plain_text_and_odd_shapes_stay_text() {
        let e: ArtifactErrorInformation = serde_json::from_str(
            r#"{"message":{"subsystemName":"CONTENT","subsytemPartName":"CONTENT_DEPLOY","messageId":"GenerationFailed","messageText":null},
                "parameter":["The generation failed.\nScript file 'script1.groovy' not found", "{not json", 7, null]}"#,
        )
        .expect("decodes");
        let text = e.text();
        assert_eq!(
            text,
            "GenerationFailed (CONTENT/CONTENT_DEPLOY)\nThe generation failed.\nScript file \
             'script1.groovy' not found\n{not json\n7"
        );
        let single: ArtifactErrorInformation = serde_json::from_str(
            r#"{"parameter":"{\"messageId\":\"X\",\"childMessageInstances\":{\"messageId\":\"Y\"}}"}"#,
        )
        .expect("single string decodes");
        assert_eq!(single.text(), "EXCEPTION X\n  CAUSE Y");
        assert_eq!(
            level_line("  EXCEPTION x"),
            None,
            "EXCEPTION is the top level only"
        );
        assert_eq!(level_line(" CAUSE x"), None);
    }
}
