//! The one grammar of statuses as people type them: message statuses (`cpitop get messages
//! --status`, the TUI's `:status`, a monitor's `statuses`) and artifact statuses (`cpitop get
//! artifacts --status`). Case-insensitive; lists are comma-separated.

use crate::cpi::model::MplStatus;

/// The message statuses the tenant reports (`UNKNOWN` is cpitop's own bucket, never typed).
pub fn message_statuses() -> impl Iterator<Item = MplStatus> {
    MplStatus::ALL.into_iter().filter(|s| *s != MplStatus::Unknown)
}

/// One message status (`failed`, `RETRY`).
pub fn parse_message_status(word: &str) -> Result<MplStatus, String> {
    let s = MplStatus::parse(&word.trim().to_ascii_uppercase());
    if s == MplStatus::Unknown {
        let known: Vec<&str> = message_statuses().map(MplStatus::as_str).collect();
        return Err(format!(
            "unknown message status {:?}; use one or more of {}",
            word.trim(),
            known.join(", ")
        ));
    }
    Ok(s)
}

/// Message statuses, comma-separated (`failed,retry`); each once, in the order given.
pub fn parse_message_statuses(text: &str) -> Result<Vec<MplStatus>, String> {
    let mut out = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let s = parse_message_status(word)?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err("no status given".into());
    }
    Ok(out)
}

/// The canonical text of a status list (`FAILED,RETRY`), as the TUI shows and keeps it.
pub fn message_statuses_text(statuses: &[MplStatus]) -> String {
    statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// Artifact statuses the tenant reports (docs/cpi-api.md, "Runtime artifacts").
pub const ARTIFACT_STATUSES: [&str; 4] = ["STARTED", "STARTING", "STOPPING", "ERROR"];

/// Artifact statuses, comma-separated and case-insensitive (`error,starting`).
pub fn parse_artifact_statuses(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let up = word.to_ascii_uppercase();
        if !ARTIFACT_STATUSES.contains(&up.as_str()) {
            return Err(format!(
                "unknown artifact status {word:?}; use one or more of {}",
                ARTIFACT_STATUSES.join(", ")
            ));
        }
        if !out.contains(&up) {
            out.push(up);
        }
    }
    if out.is_empty() {
        return Err("no status given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_statuses_one_grammar() {
        assert_eq!(
            parse_message_statuses(" failed, Retry ,FAILED"),
            Ok(vec![MplStatus::Failed, MplStatus::Retry])
        );
        let e = parse_message_statuses("FAILD").unwrap_err();
        assert!(
            e.starts_with("unknown message status \"FAILD\"; use one or more of COMPLETED"),
            "{e}"
        );
        assert!(
            parse_message_status("unknown").is_err(),
            "cpitop's own bucket is not typed"
        );
        assert!(parse_message_statuses(" , ").is_err());
        assert_eq!(
            message_statuses_text(&[MplStatus::Failed, MplStatus::Retry]),
            "FAILED,RETRY"
        );
    }

    #[test]
    fn artifact_statuses() {
        assert_eq!(
            parse_artifact_statuses("error,Started"),
            Ok(vec!["ERROR".into(), "STARTED".into()])
        );
        assert!(
            parse_artifact_statuses("broken")
                .unwrap_err()
                .contains("STARTED, STARTING")
        );
    }
}
