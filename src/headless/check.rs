//! `cpitop check`: evaluate every active monitor once and exit 0 ok / 1 warning / 2 error /
//! 3 could not evaluate. Between runs (cron) the artifact tracker (for `not_started` with `for`),
//! the tenant health (for `tenant_unreachable`) and the monitor state and history are kept in the
//! state dir.

use std::io::Write as _;
use std::path::Path;

use color_eyre::eyre::{Result, eyre};

use super::CheckArgs;
use super::gather::{GatherReport, Gatherer};
use super::setup::{Target, prepare, runtime};
use crate::args::GlobalArgs;
use crate::config::Paths;
use crate::monitor::headless::EXIT_UNKNOWN;
use crate::monitor::persist::{PersistError, read_json, tenant_file, write_atomic};
use crate::monitor::{
    ArtifactTracker, CheckFormat, CheckReport, Evaluation, MonitorSpec, TenantHealth, TenantMonitors, needs,
};

/// The saved tenant health of `tenant` (`tenant-health-<tenant>.json`), or a fresh one.
pub fn load_health(state_dir: &Path, tenant: &str) -> Result<TenantHealth, PersistError> {
    Ok(read_json(&tenant_file(state_dir, "tenant-health", tenant, "json"))?.unwrap_or_default())
}

pub fn save_health(state_dir: &Path, tenant: &str, h: &TenantHealth) -> Result<(), PersistError> {
    let path = tenant_file(state_dir, "tenant-health", tenant, "json");
    let bytes = serde_json::to_vec(h).map_err(|source| PersistError::Corrupt {
        path: path.clone(),
        source,
    })?;
    write_atomic(&path, &bytes)
}

/// Tracker and health from the state dir; a corrupt file is reported and started afresh.
pub(crate) fn load_persisted(target: &Target, notes: &mut Vec<String>) -> (ArtifactTracker, TenantHealth) {
    let Some(dir) = &target.state_dir else {
        return Default::default();
    };
    let tracker = ArtifactTracker::load(dir, &target.tenant).unwrap_or_else(|e| {
        notes.push(e.to_string());
        ArtifactTracker::default()
    });
    let health = load_health(dir, &target.tenant).unwrap_or_else(|e| {
        notes.push(e.to_string());
        TenantHealth::default()
    });
    (tracker, health)
}

pub(crate) fn save_persisted(target: &Target, g: &Gatherer, notes: &mut Vec<String>) {
    let Some(dir) = &target.state_dir else {
        return;
    };
    if let Err(e) = g.tracker.save(dir, &target.tenant) {
        notes.push(e.to_string());
    }
    if let Err(e) = save_health(dir, &target.tenant, &g.health) {
        notes.push(e.to_string());
    }
}

/// The result of one check.
#[derive(Debug)]
pub struct CheckOutcome {
    pub report: CheckReport,
    pub gather: GatherReport,
    pub notes: Vec<String>,
}

impl CheckOutcome {
    /// The report in `format`, with the notes (text: `note:` lines; JSON: a `notes` array) and
    /// the parts that could not be read (text: a note each; JSON: a `failed` array of
    /// `{part, status, error, check}`).
    /// Monitor texts and notes carry tenant text (iFlow names, error texts): control and bidi
    /// characters are neutralised (`sanitize`), each note is one line.
    pub fn render(&self, format: CheckFormat) -> String {
        match format {
            CheckFormat::Text => {
                let mut s = crate::sanitize::lines(&self.report.to_text()).into_owned();
                for n in &self.notes {
                    s.push_str(&format!("note: {}\n", crate::sanitize::one_line(n)));
                }
                for f in &self.gather.failed {
                    s.push_str(&format!(
                        "note: {} could not be read: {}\n",
                        f.part,
                        crate::sanitize::one_line(&f.error)
                    ));
                }
                s
            }
            CheckFormat::Json => {
                let mut v = self.report.to_json();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("notes".into(), serde_json::json!(self.notes));
                    obj.insert("failed".into(), serde_json::json!(self.gather.failed));
                }
                let mut s = crate::sanitize::to_json_pretty(&v).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }
}

/// Evaluate every active monitor of `target` once.
pub async fn check(target: &Target) -> Result<CheckOutcome> {
    let mut notes = target.notes.clone();
    let mut monitors = TenantMonitors::open(&target.monitors, &target.tenant, target.state_dir.as_deref())
        .map_err(|e| eyre!("{e}"))?;
    let need = needs(monitors.specs());
    let (tracker, health) = load_persisted(target, &mut notes);
    let mut g = Gatherer::new(
        target.client.clone(),
        &target.tenant,
        need.clone(),
        need.message_window,
        tracker,
        health,
    );
    if need.error_signatures {
        // The signature rules: the window's failures grouped, their texts read newest first
        // within one minute's budget.
        let (feed, notice) =
            super::gather::ErrorsFeed::new(&target.errors, &target.tenant, target.state_dir.as_deref());
        notes.extend(notice);
        g = g.with_errors(feed);
    }
    let gather = g.refresh(g.now()).await;
    let now = g.now();
    g.group_errors(now).await;
    let round = g.with_snapshot(|snap| monitors.evaluate(snap, now));
    if let Some(feed) = g.errors.as_mut() {
        if let Some(f) = feed.failed.first() {
            notes.push(format!(
                "{} error text(s) could not be read (first: {f})",
                feed.failed.len()
            ));
        }
        if let Some(e) = feed.remember(now) {
            notes.push(format!("error signatures not kept: {e}"));
        }
    }
    notes.extend(round.errors.iter().map(|e| e.to_string()));
    save_persisted(target, &g, &mut notes);
    let specs = monitors.specs();
    let evaluations: Vec<(&MonitorSpec, Evaluation)> = round
        .evaluations
        .into_iter()
        .filter_map(|(key, ev)| specs.iter().find(|s| s.key == key).map(|s| (s, ev)))
        .collect();
    let report = CheckReport::new(&target.tenant, &evaluations, now);
    Ok(CheckOutcome {
        report,
        gather,
        notes,
    })
}

/// `cpitop check` from the command line: prints the report and returns the exit code. Any
/// failure before evaluation (config, credentials) prints `UNKNOWN: …` to stderr and is exit 3,
/// so a monitoring system never mistakes it for a warning.
pub fn run_check(global: &GlobalArgs, args: &CheckArgs) -> i32 {
    let format: CheckFormat = args.format.parse().unwrap_or_default();
    match check_command(global, format) {
        Ok((text, code)) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                return EXIT_UNKNOWN;
            }
            code
        }
        Err(e) => {
            eprintln!(
                "UNKNOWN: cpitop check could not evaluate: {}",
                crate::sanitize::error_line(&e)
            );
            EXIT_UNKNOWN
        }
    }
}

fn check_command(global: &GlobalArgs, format: CheckFormat) -> Result<(String, i32)> {
    let paths = Paths::from_env(global.config.as_deref())?;
    let _log = crate::config::logging::init(&paths, global.log_level.as_deref())?;
    let rt = runtime()?;
    rt.block_on(async {
        let target = prepare(global, &paths).await?;
        let outcome = check(&target).await?;
        if let Some(sim) = target.sim {
            sim.shutdown().await;
        }
        Ok((outcome.render(format), outcome.report.exit_code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_and_notes_are_neutralised_in_text_and_json() {
        let outcome = CheckOutcome {
            report: CheckReport::new("t\u{1b}]0;x\u{7}", &[], 0),
            gather: GatherReport::default(),
            notes: vec!["artifact Flow\u{202e}\u{9b}2J failed:\r\nsecond line".into()],
        };
        let text = outcome.render(CheckFormat::Text);
        assert!(text.starts_with("t\\u{1b}]0;x\\u{7} at "), "{text}");
        assert!(
            text.ends_with("note: artifact Flow\\u{202e}\\u{9b}2J failed: second line\n"),
            "{text}"
        );
        assert!(
            !text.chars().any(|c| crate::sanitize::is_unsafe(c) && c != '\n'),
            "{text:?}"
        );
        let json = outcome.render(CheckFormat::Json);
        assert!(
            json.contains(r"Flow\u202e\u009b2J failed:\r\nsecond line"),
            "{json}"
        );
        assert!(
            !json.chars().any(|c| crate::sanitize::is_unsafe(c) && c != '\n'),
            "{json:?}"
        );
    }
}
