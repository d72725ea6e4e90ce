//! User extensions, as k9s users know them: `[[hotkeys]]` (a key that runs a `:` command) and
//! `[[plugins]]` (a key that runs a program on the selected row(s)). The pure part:
//!
//! - this module: what a hotkey and a plugin are (checked when the config is read, see
//!   `app::ui_config`), which one a key means in a view, the dialogs (confirmation, refusal, the
//!   kept output of background runs), and what a run asks of the shell ([`PluginRequest`]);
//! - [`args`]: arguments with variables, substituted per argument, never through a shell;
//! - [`view`]: drawing the dialogs.
//!
//! Flow: a key no keymap binding takes → [`Extensions::lookup`] → a hotkey runs its command; a
//! plugin is refused (dangerous on a read-only tenant, or no audit log), or its variables are
//! filled from the view's [`Subject`] ([`prepare`]) → confirmed if it asks → `PluginEffect::Run`
//! → the shell (`tui::plugins`) records the attempt in the audit log, runs the program in the
//! background (output captured) or in the terminal (the TUI steps aside and comes back), records
//! the result and answers with `PluginMsg::Done`.

pub mod args;
pub mod view;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use args::Arg;

use crate::kit::keymap::{Context, Key};
use crate::kit::subject::{Subject, Var};
use crate::kit::tenant::TenantInfo;

/// Where a hotkey or plugin works: the views it names (keymap contexts; `table` and `detail`
/// stand for every list and every text view), or every view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope(pub Vec<Context>);

impl Scope {
    pub fn global() -> Self {
        Self(Vec::new())
    }

    pub fn is_global(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether it works in a view with these keymap contexts (`Focus::contexts`).
    pub fn applies(&self, contexts: &[Context]) -> bool {
        self.0.is_empty() || self.0.iter().any(|c| contexts.contains(c))
    }

    /// Whether it works in the view whose own context is `view`.
    pub fn reaches(&self, view: Context) -> bool {
        self.applies(&view.chain())
    }

    /// `every view`, or the names.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            "every view".into()
        } else {
            self.0.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        }
    }
}

/// `[[hotkeys]]`: a key that runs a `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotkey {
    pub key: Key,
    /// The command line without its `:`.
    pub command: String,
    pub scope: Scope,
    pub description: String,
}

/// `[[plugins]]`: a key that runs a program on the selected row(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub name: String,
    pub key: Key,
    pub program: String,
    pub args: Vec<Arg>,
    pub scope: Scope,
    pub description: String,
    pub confirm: bool,
    pub background: bool,
    pub dangerous: bool,
    pub wait: bool,
}

impl Plugin {
    /// The variables its arguments name.
    pub fn needs(&self) -> BTreeSet<Var> {
        self.args.iter().flat_map(Arg::vars).collect()
    }

    /// The command as written (help).
    pub fn written(&self) -> String {
        std::iter::once(self.program.clone())
            .chain(self.args.iter().map(Arg::written))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a key means among the user's bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Hotkey(usize),
    Plugin(usize),
}

/// Background runs whose output is kept (`:plugins` shows them).
pub const KEPT_RUNS: usize = 20;
/// Output kept per run (each of stdout and stderr); the rest is counted, not kept.
pub const MAX_OUTPUT: usize = 256 * 1024;

/// The user's hotkeys and plugins, the open dialog and the kept runs; one field of `State`.
#[derive(Debug, Clone, Default)]
pub struct Extensions {
    pub hotkeys: Vec<Hotkey>,
    pub plugins: Vec<Plugin>,
    pub dialog: Option<Dialog>,
    /// Background runs, oldest first (at most [`KEPT_RUNS`]).
    pub runs: VecDeque<Run>,
    pub next_id: u64,
}

impl Extensions {
    pub fn new(hotkeys: Vec<Hotkey>, plugins: Vec<Plugin>) -> Self {
        Self {
            hotkeys,
            plugins,
            ..Self::default()
        }
    }

    /// The hotkey or plugin `key` runs in a view with `contexts`.
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Bound> {
        if let Some(i) = self
            .hotkeys
            .iter()
            .position(|h| h.key == key && h.scope.applies(contexts))
        {
            return Some(Bound::Hotkey(i));
        }
        self.plugins
            .iter()
            .position(|p| p.key == key && p.scope.applies(contexts))
            .map(Bound::Plugin)
    }

    /// A background run started.
    pub fn started(&mut self, req: &PluginRequest) {
        self.runs.push_back(Run {
            id: req.id,
            plugin: req.plugin.clone(),
            command: req.command_line(),
            status: RunStatus::Running,
            output: String::new(),
            truncated: false,
        });
        while self.runs.len() > KEPT_RUNS {
            self.runs.pop_front();
        }
    }

    /// A run ended: its output is kept (background) — `false` when it was not one of ours.
    pub fn finished(&mut self, o: &Outcome) -> bool {
        match self.runs.iter_mut().find(|r| r.id == o.id) {
            Some(r) => {
                r.status = RunStatus::Done(o.status.clone());
                r.output = o.output.clone();
                r.truncated = o.truncated;
                true
            }
            None => false,
        }
    }
}

/// A background run, kept with its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: u64,
    pub plugin: String,
    /// The program and its arguments as run.
    pub command: String,
    pub status: RunStatus,
    pub output: String,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Done(Exit),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// It could not be run (not found, not executable, the audit log refused it).
    NotRun(String),
}

impl Exit {
    pub fn ok(&self) -> bool {
        *self == Exit::Code(0)
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
            Exit::NotRun(why) => write!(f, "not run: {why}"),
        }
    }
}

/// Open dialogs (they take every key while open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// `confirm = true` or `dangerous = true`: asked before running.
    Confirm(PluginRequest),
    /// Refused: why, and how to allow it.
    Refused { title: String, lines: Vec<String> },
    /// The kept output of background runs, newest first, scrolled by this many lines.
    Output { scroll: usize },
}

/// A run asked of the shell: the program with its arguments already substituted (each one
/// argument, never a shell line), the variables as environment, the rows on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRequest {
    pub id: u64,
    pub plugin: String,
    pub tenant: String,
    /// The view's keymap context (`messages`, `message_detail`, …), for the audit log.
    pub view: String,
    pub program: String,
    pub args: Vec<String>,
    /// The variables the view has (`MESSAGE_ID=…`), set in the program's environment.
    pub env: Vec<(String, String)>,
    /// One JSON object per selected row, one per line.
    pub stdin: String,
    pub rows: usize,
    pub background: bool,
    pub wait: bool,
    pub dangerous: bool,
}

impl PluginRequest {
    /// `program arg…` as it runs (arguments with spaces quoted, for people; never executed).
    pub fn command_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(self.args.iter())
            .map(|a| {
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                    format!("'{}'", a.replace('\'', "'\\''"))
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginEffect {
    Run(PluginRequest),
    /// Record a refused run in the audit log; nothing runs.
    Refused {
        tenant: String,
        plugin: String,
        reason: String,
    },
}

/// The end of a run, from the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: u64,
    pub plugin: String,
    pub background: bool,
    pub status: Exit,
    /// Background runs: stdout, then stderr under a line saying so.
    pub output: String,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginMsg {
    Done(Outcome),
}

/// Why `plugin` may not run on this tenant now: a dangerous plugin on a read-only tenant (as the
/// built-in writes), or no audit log (every run is recorded).
pub fn refusal(
    plugin: &Plugin,
    writes: &crate::features::writes::Writes,
    tenant: &TenantInfo,
) -> Option<String> {
    if plugin.dangerous {
        return crate::features::writes::plan::refusal(writes, tenant);
    }
    writes.audit_error.as_ref().map(|e| {
        format!("Plugins are off because the audit log cannot be written: {e}. Fix the state directory (cpitop info shows it) and restart.")
    })
}

/// The request for running `plugin` on what the view offers: its variables filled (with
/// `$TENANT`), the rows for stdin. `Err`: what the view lacks.
pub fn prepare(
    plugin: &Plugin,
    subject: Option<Subject>,
    tenant: &TenantInfo,
    view: Context,
    id: u64,
) -> Result<PluginRequest, String> {
    let mut subject = subject.unwrap_or_default();
    let tenant_name = tenant.name.clone();
    subject.set(Var::Tenant, &tenant_name);
    let missing: Vec<Var> = plugin
        .needs()
        .into_iter()
        .filter(|v| !subject.vars.contains_key(v))
        .collect();
    if !missing.is_empty() {
        let what: Vec<String> = missing
            .iter()
            .map(|v| format!("the {} ({v})", v.what()))
            .collect();
        let rows = if subject.rows.is_empty() {
            " (no row is selected)"
        } else {
            ""
        };
        return Err(format!(
            "plugin {} needs {}, which this view does not have{rows}",
            plugin.name,
            what.join(" and ")
        ));
    }
    let values: &BTreeMap<Var, String> = &subject.vars;
    let args = plugin
        .args
        .iter()
        .map(|a| a.substitute(values))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|v| format!("plugin {} needs {v}", plugin.name))?;
    Ok(PluginRequest {
        id,
        plugin: plugin.name.clone(),
        tenant: tenant_name,
        view: view.name().to_string(),
        program: plugin.program.clone(),
        args,
        env: values
            .iter()
            .map(|(k, v)| (k.name().to_string(), v.clone()))
            .collect(),
        stdin: subject.stdin(),
        rows: subject.rows.len(),
        background: plugin.background,
        wait: plugin.wait,
        dangerous: plugin.dangerous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(args: &[&str]) -> Plugin {
        Plugin {
            name: "grep-logs".into(),
            key: Key::parse("ctrl-g").expect("key"),
            program: "/usr/bin/logsearch".into(),
            args: args.iter().map(|a| Arg::parse(a).expect("arg")).collect(),
            scope: Scope(vec![Context::Messages]),
            description: String::new(),
            confirm: false,
            background: true,
            dangerous: false,
            wait: false,
        }
    }

    fn tenant() -> TenantInfo {
        TenantInfo {
            name: "acme-prod".into(),
            env: None,
            label: None,
            read_only: true,
            web_ui: None,
        }
    }

    #[test]
    fn a_request_carries_arguments_environment_and_rows() {
        let subject = Subject {
            rows: vec![serde_json::json!({"status": "FAILED"})],
            ..Subject::default()
        }
        .with(Var::CorrelationId, "corr-1")
        .with(Var::Iflow, "Orders; rm -rf /");
        let p = plugin(&["--tenant=$TENANT", "--corr", "$CORRELATION_ID", "$IFLOW"]);
        let r = prepare(&p, Some(subject), &tenant(), Context::Messages, 7).expect("runs");
        assert_eq!(
            r.args,
            ["--tenant=acme-prod", "--corr", "corr-1", "Orders; rm -rf /"]
        );
        assert!(r.env.contains(&("IFLOW".into(), "Orders; rm -rf /".into())));
        assert!(r.env.contains(&("TENANT".into(), "acme-prod".into())));
        assert_eq!(r.rows, 1);
        assert!(r.stdin.contains("\"correlation_id\":\"corr-1\""), "{}", r.stdin);
        assert_eq!(
            r.command_line(),
            "/usr/bin/logsearch --tenant=acme-prod --corr corr-1 'Orders; rm -rf /'"
        );
        assert_eq!((r.view.as_str(), r.id), ("messages", 7));
    }

    #[test]
    fn a_variable_the_view_lacks_is_named_not_emptied() {
        let p = plugin(&["$QUEUE", "$MESSAGE_ID"]);
        let e = prepare(&p, None, &tenant(), Context::Messages, 1).unwrap_err();
        assert_eq!(
            e,
            "plugin grep-logs needs the message id ($MESSAGE_ID) and the queue ($QUEUE), which this view does not have (no row is selected)"
        );
    }

    #[test]
    fn dangerous_plugins_are_refused_on_read_only_tenants_and_every_plugin_without_audit() {
        let mut p = plugin(&[]);
        let mut w = crate::features::writes::Writes::default();
        let mut t = tenant();
        assert_eq!(refusal(&p, &w, &t), None, "not dangerous: runs on read-only");
        p.dangerous = true;
        assert!(refusal(&p, &w, &t).is_some_and(|r| r.contains("read-only")));
        t.read_only = false;
        assert_eq!(refusal(&p, &w, &t), None);
        w.audit_error = Some("disk full".into());
        p.dangerous = false;
        assert!(refusal(&p, &w, &t).is_some_and(|r| r.contains("audit log")));
    }

    #[test]
    fn lookup_by_scope() {
        let k = Key::parse("f2").expect("key");
        let ext = Extensions::new(
            vec![Hotkey {
                key: k,
                command: "iflow X".into(),
                scope: Scope(vec![Context::Table]),
                description: String::new(),
            }],
            vec![Plugin {
                key: k,
                scope: Scope::global(),
                ..plugin(&[])
            }],
        );
        let list = [Context::Messages, Context::Table, Context::Global];
        let detail = [Context::MessageDetail, Context::Detail, Context::Global];
        assert_eq!(ext.lookup(&list, k), Some(Bound::Hotkey(0)));
        assert_eq!(ext.lookup(&detail, k), Some(Bound::Plugin(0)));
        assert_eq!(ext.lookup(&detail, Key::parse("f3").expect("k")), None);
        assert!(Scope(vec![Context::Table]).reaches(Context::QueueMessages));
        assert!(!Scope(vec![Context::Table]).reaches(Context::Certificate));
    }
}
