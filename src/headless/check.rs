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
use crate::cpi::model::RuntimeArtifact;
use crate::cpi::odata::EpochMs;
use crate::landscape::{DriftTable, DriftTracker, Landscape, TenantRef};
use crate::monitor::headless::EXIT_UNKNOWN;
use crate::monitor::persist::{PersistError, read_json, tenant_file, write_atomic};
use crate::monitor::{
    ArtifactTracker, CheckFormat, CheckReport, Evaluation, MonitorSpec, Needs, TenantHealth, TenantMonitors,
    needs,
};
use std::time::Duration;

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
    let mut c = Checker::open(target)?;
    c.gather().await;
    if c.need.landscape {
        c.landscape = Some(read_landscape(target, c.g.parts().artifacts.as_deref()).await);
    }
    Ok(c.finish())
}

/// What a landscape read of one tenant's check found: every tenant's artifact list in the
/// landscape's order (`None`: not read, with why).
pub struct LandscapeRead {
    pub landscape: Landscape,
    pub lists: Vec<Option<Vec<RuntimeArtifact>>>,
    pub unread: Vec<String>,
}

/// How long one peer's artifact list may take.
const PEER_TIMEOUT: Duration = Duration::from_secs(60);

/// The artifact lists of `target`'s landscape: its own (`own`, already gathered) and its peers'
/// (read at once, each within its own time limit).
pub async fn read_landscape(target: &Target, own: Option<&[RuntimeArtifact]>) -> LandscapeRead {
    let landscape = target.landscape.clone().unwrap_or_else(|| Landscape {
        name: crate::config::DEFAULT_LANDSCAPE.into(),
        tenants: vec![TenantRef::new(
            &target.tenant,
            crate::config::Environment::Dev,
            crate::config::DEFAULT_LANDSCAPE,
        )],
    });
    let reads = target.peers.iter().map(|p| async move {
        let client = p.client().await?;
        match tokio::time::timeout(PEER_TIMEOUT, crate::resources::artifacts::list(&client)).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {}s", PEER_TIMEOUT.as_secs())),
        }
    });
    let results = futures_util::future::join_all(reads).await;
    let mut unread = Vec::new();
    let lists = landscape
        .tenants
        .iter()
        .map(|t| {
            if t.name == target.tenant {
                return own.map(<[RuntimeArtifact]>::to_vec);
            }
            let i = target.peers.iter().position(|p| p.tenant.name == t.name)?;
            match &results[i] {
                Ok(list) => Some(list.clone()),
                Err(e) => {
                    unread.push(format!("{}: {e}", t.name));
                    None
                }
            }
        })
        .collect();
    LandscapeRead {
        landscape,
        lists,
        unread,
    }
}

/// One tenant's check in steps (`check`; `check --all-tenants` reads the landscapes between
/// gathering and evaluating).
pub struct Checker<'t> {
    target: &'t Target,
    monitors: TenantMonitors,
    pub need: Needs,
    pub g: Gatherer,
    notes: Vec<String>,
    gather: GatherReport,
    /// The landscape's artifact lists, when a rule reads them.
    pub landscape: Option<LandscapeRead>,
}

impl<'t> Checker<'t> {
    pub fn open(target: &'t Target) -> Result<Self> {
        let mut notes = target.notes.clone();
        let monitors = TenantMonitors::open(&target.monitors, &target.tenant, target.state_dir.as_deref())
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
        Ok(Self {
            target,
            monitors,
            need,
            g,
            notes,
            gather: GatherReport::default(),
            landscape: None,
        })
    }

    /// Fetch what the monitors read (and group the failures' error texts).
    pub async fn gather(&mut self) {
        let now = self.g.now();
        self.gather = self.g.refresh(now).await;
        self.g.group_errors(now).await;
    }

    /// Evaluate, keep what is kept between runs, and report.
    pub fn finish(mut self) -> CheckOutcome {
        let target = self.target;
        let now = self.g.now();
        if let Some(read) = self.landscape.take() {
            self.g.landscape = Some(drift_of(read, target.state_dir.as_deref(), now, &mut self.notes));
        }
        let Self {
            mut monitors,
            mut g,
            mut notes,
            gather,
            ..
        } = self;
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
        CheckOutcome {
            report,
            gather,
            notes,
        }
    }
}

/// The landscape side by side from what was read, with its tracker after observing it; the
/// tenants whose lists could not be read become notes.
pub fn drift_of(
    read: LandscapeRead,
    state_dir: Option<&Path>,
    now: EpochMs,
    notes: &mut Vec<String>,
) -> (DriftTable, DriftTracker) {
    let table = crate::landscape::compare(
        &read.landscape,
        &read.lists.iter().map(|l| l.as_deref()).collect::<Vec<_>>(),
    );
    let tracker = observe_drift(state_dir, &table, now, notes);
    for u in &read.unread {
        notes.push(format!("landscape {}: artifacts of {u}", read.landscape.name));
    }
    (table, tracker)
}

/// The landscape's drift tracker after observing `table` (kept in the state dir between runs:
/// `version_drift`'s grace period spans cron runs).
fn observe_drift(
    state_dir: Option<&Path>,
    table: &DriftTable,
    now: EpochMs,
    notes: &mut Vec<String>,
) -> DriftTracker {
    let mut tracker = match state_dir {
        Some(dir) => DriftTracker::load(dir, &table.landscape).unwrap_or_else(|e| {
            notes.push(e.to_string());
            DriftTracker::default()
        }),
        None => DriftTracker::default(),
    };
    tracker.observe(table, now);
    if let Some(dir) = state_dir
        && let Err(e) = tracker.save(dir, &table.landscape)
    {
        notes.push(e.to_string());
    }
    tracker
}

/// `check --all-tenants`: every tenant's monitors evaluated once, all tenants at once (one that
/// does not answer delays nothing but its own report); `version_drift` compares the artifact
/// lists the tenants' own checks read (a tenant none of whose rules read artifacts is asked for
/// its list alone).
pub async fn check_all(
    targets: &[Result<Target, (String, String)>],
) -> Vec<Result<CheckOutcome, (String, String)>> {
    let mut checkers: Vec<Result<Checker<'_>, (String, String)>> = targets
        .iter()
        .map(|t| match t {
            Ok(t) => Checker::open(t).map_err(|e| (t.tenant.clone(), e.to_string())),
            Err(e) => Err(e.clone()),
        })
        .collect();
    futures_util::future::join_all(
        checkers
            .iter_mut()
            .filter_map(|c| c.as_mut().ok())
            .map(|c| c.gather()),
    )
    .await;
    // The landscapes a rule reads, each read once from what the checks gathered.
    let mut landscapes: Vec<Landscape> = Vec::new();
    for c in checkers.iter().filter_map(|c| c.as_ref().ok()) {
        if let (true, Some(l)) = (c.need.landscape, &c.target.landscape)
            && !landscapes.iter().any(|x| x.name == l.name)
        {
            landscapes.push(l.clone());
        }
    }
    for l in &landscapes {
        let read = read_gathered(l, &checkers).await;
        for c in checkers.iter_mut().filter_map(|c| c.as_mut().ok()) {
            if c.need.landscape && c.target.landscape.as_ref().is_some_and(|x| x.name == l.name) {
                c.landscape = Some(LandscapeRead {
                    landscape: read.landscape.clone(),
                    lists: read.lists.clone(),
                    unread: read.unread.clone(),
                });
            }
        }
    }
    checkers.into_iter().map(|c| c.map(Checker::finish)).collect()
}

/// A landscape's artifact lists from the checks' gathered data; a tenant whose check did not
/// read its artifacts is asked for them (a tenant that could not be set up is unread).
async fn read_gathered(l: &Landscape, checkers: &[Result<Checker<'_>, (String, String)>]) -> LandscapeRead {
    let find = |name: &str| {
        checkers.iter().find(|c| match c {
            Ok(c) => c.target.tenant == name,
            Err((n, _)) => n == name,
        })
    };
    let reads = l.tenants.iter().map(|t| async move {
        match find(&t.name) {
            None => Err("not configured".to_string()),
            Some(Err((_, e))) => Err(e.clone()),
            Some(Ok(c)) => match c.g.parts().artifacts.as_ref() {
                Some(a) => Ok(a.clone()),
                None if c.need.artifacts => Err(c
                    .gather
                    .failed
                    .iter()
                    .find(|f| f.part == "artifacts")
                    .map_or_else(|| "not read".to_string(), |f| f.error.clone())),
                None => match tokio::time::timeout(
                    PEER_TIMEOUT,
                    crate::resources::artifacts::list(&c.target.client),
                )
                .await
                {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(format!("no answer within {}s", PEER_TIMEOUT.as_secs())),
                },
            },
        }
    });
    let results = futures_util::future::join_all(reads).await;
    let mut unread = Vec::new();
    let lists = l
        .tenants
        .iter()
        .zip(results)
        .map(|(t, r)| match r {
            Ok(a) => Some(a),
            Err(e) => {
                unread.push(format!("{}: {e}", t.name));
                None
            }
        })
        .collect();
    LandscapeRead {
        landscape: l.clone(),
        lists,
        unread,
    }
}

/// The exit status over several tenants' checks: the worst by the check's precedence (error 2
/// over warning 1 over unknown 3 over ok 0). A tenant that could not be set up counts as
/// unknown; one without active monitors is left out (noted), unless no tenant has any.
pub fn worst_exit(outcomes: &[Result<CheckOutcome, (String, String)>]) -> i32 {
    use crate::monitor::headless::{EXIT_ERROR, EXIT_WARNING};
    let rank = |code: i32| match code {
        EXIT_ERROR => 3,
        EXIT_WARNING => 2,
        EXIT_UNKNOWN => 1,
        _ => 0,
    };
    let codes: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| match o {
            Ok(o) if o.report.monitors.is_empty() => None,
            Ok(o) => Some(o.report.exit_code),
            Err(_) => Some(EXIT_UNKNOWN),
        })
        .collect();
    codes.into_iter().max_by_key(|c| rank(*c)).unwrap_or(EXIT_UNKNOWN)
}

/// `check --all-tenants`'s output: each tenant's report (text: one after the other, a tenant
/// that could not be set up as one `UNKNOWN` line; JSON: `{"exit_code", "tenants": [...]}`).
pub fn render_all(outcomes: &[Result<CheckOutcome, (String, String)>], format: CheckFormat) -> String {
    let code = worst_exit(outcomes);
    match format {
        CheckFormat::Text => {
            let mut s = String::new();
            for o in outcomes {
                match o {
                    Ok(o) => s.push_str(&o.render(CheckFormat::Text)),
                    Err((tenant, e)) => s.push_str(&format!(
                        "{}: UNKNOWN (could not evaluate: {})\n",
                        crate::sanitize::one_line(tenant),
                        crate::sanitize::one_line(e)
                    )),
                }
                s.push('\n');
            }
            s.push_str(&format!(
                "{} tenant(s): {} (exit {code})\n",
                outcomes.len(),
                match code {
                    2 => "ERROR",
                    1 => "WARNING",
                    0 => "OK",
                    _ => "UNKNOWN",
                }
            ));
            s
        }
        CheckFormat::Json => {
            let tenants: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|o| match o {
                    Ok(o) => {
                        let mut v = o.report.to_json();
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("notes".into(), serde_json::json!(o.notes));
                            obj.insert("failed".into(), serde_json::json!(o.gather.failed));
                        }
                        v
                    }
                    Err((tenant, e)) => serde_json::json!({
                        "tenant": tenant,
                        "status": "not_calculated",
                        "exit_code": EXIT_UNKNOWN,
                        "error": e,
                    }),
                })
                .collect();
            let v = serde_json::json!({ "exit_code": code, "tenants": tenants });
            let mut s = crate::sanitize::to_json_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// `cpitop check` from the command line: prints the report and returns the exit code. Any
/// failure before evaluation (config, credentials) prints `UNKNOWN: …` to stderr and is exit 3,
/// so a monitoring system never mistakes it for a warning.
pub fn run_check(global: &GlobalArgs, args: &CheckArgs) -> i32 {
    let format: CheckFormat = args.format.parse().unwrap_or_default();
    match check_command(global, format, args.all_tenants) {
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

fn check_command(global: &GlobalArgs, format: CheckFormat, all: bool) -> Result<(String, i32)> {
    let paths = Paths::from_env(global.config.as_deref())?;
    let _log = crate::config::logging::init(&paths, global.log_level.as_deref())?;
    let rt = runtime()?;
    if all {
        return rt.block_on(async {
            let targets = super::setup::prepare_all(global, &paths).await?;
            let outcomes = check_all(&targets).await;
            let text = render_all(&outcomes, format);
            for t in targets.into_iter().flatten() {
                if let Some(sim) = t.sim {
                    sim.shutdown().await;
                }
            }
            Ok((text, worst_exit(&outcomes)))
        });
    }
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
