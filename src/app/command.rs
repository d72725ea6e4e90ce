//! `:` command mode, k9s style: pane names with short aliases, and a few verbs with arguments.

use super::actions::{act, export, quit};
use super::msg::{Effect, ExportFormat};
use super::state::{Mode, Pane, Route, State, ToastKind};
use crate::cpi::odata::parse_datetime_literal;
use crate::kit::action::Action;
use crate::kit::format::parse_duration;
use crate::kit::nav::Nav;

/// (name, aliases, usage) — what `:help` and completion know.
pub const COMMANDS: &[(&str, &[&str], &str)] = &[
    (
        "tenants",
        &["ten"],
        "tenants pane: every configured tenant at once",
    ),
    (
        "drift",
        &["dr"],
        "drift [LANDSCAPE] — version drift between a landscape's tenants",
    ),
    ("artifacts", &["a", "art"], "artifacts pane"),
    ("messages", &["m", "msg", "mpl"], "messages pane"),
    ("queues", &["q", "jms"], "queues pane"),
    ("alerts", &["al", "alert"], "alerts pane"),
    (
        "errors",
        &["e", "err"],
        "errors pane: failed messages grouped by error signature",
    ),
    (
        "keystore",
        &["certs", "ks"],
        "keystore pane (certificates, expired and expiring first)",
    ),
    (
        "silence",
        &[],
        "silence 1h|4h|24h|<duration>|off — the selected monitor",
    ),
    ("history", &["hist"], "history of alert transitions"),
    (
        "ctx",
        &["tenant"],
        "ctx [NAME] — the tenants pane, or switch to tenant NAME",
    ),
    (
        "window",
        &["w"],
        "window 15m|1h|4h|24h|<dur>|<from>..<to> (UTC, 2024-06-10T06:00)",
    ),
    (
        "status",
        &[],
        "status FAILED[,RETRY…]|all — server-side status filter",
    ),
    ("iflow", &[], "iflow <id>|all — server-side iFlow filter"),
    (
        "receiver",
        &[],
        "receiver <name>|all — server-side, also inside comma-joined lists",
    ),
    (
        "sender",
        &[],
        "sender <name>|all — server-side, also inside comma-joined lists",
    ),
    (
        "custom",
        &[],
        "custom ERROR[,…]|all — server-side custom status filter",
    ),
    (
        "id",
        &[],
        "id <message/correlation/application id>|all — server-side id filter",
    ),
    ("live", &[], "live [on|off]"),
    ("failed", &["f"], "toggle failed only"),
    ("export", &["x"], "export [csv|json|ndjson] [path]"),
    ("sort", &[], "sort <column> [asc|desc]"),
    ("filter", &[], "filter <text>"),
    ("refresh", &["r"], "refresh now"),
    ("utc", &[], "show times in UTC"),
    ("local", &[], "show times in local time"),
    (
        "plugins",
        &["plugin"],
        "plugins — the kept output of background plugins",
    ),
    ("help", &["h"], "help"),
    ("quit", &["exit", "q!"], "quit"),
];

fn resolve(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    COMMANDS
        .iter()
        .find(|(n, aliases, _)| *n == w || aliases.contains(&w.as_str()))
        .map(|(n, _, _)| *n)
}

/// What Tab made of the `:` line: the completed line, and the candidates when several fit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    pub line: String,
    pub candidates: Vec<String>,
}

/// Tab: complete the command word, or the argument of the command (iFlow ids, window sizes,
/// tenant names, statuses, columns, …, from what the panes hold). One candidate is completed
/// with a space after it; several are completed to their common prefix and listed.
pub fn complete(s: &State, buf: &str) -> Completion {
    let (cmd, arg) = match buf.split_once(' ') {
        None => {
            let names: Vec<String> = COMMANDS.iter().map(|(n, _, _)| n.to_string()).collect();
            return extend("", buf, &names);
        }
        Some((c, a)) => (c, a),
    };
    let Some(name) = resolve(cmd) else {
        return Completion {
            line: buf.to_string(),
            candidates: Vec::new(),
        };
    };
    // A comma-separated list (`:status FAILED,RE`) completes its last item.
    let (head, word) = match name {
        "status" | "custom" => match arg.rfind(',') {
            Some(i) => arg.split_at(i + 1),
            None => ("", arg),
        },
        _ => ("", arg),
    };
    let head = format!("{cmd} {}", head.trim_start());
    extend(&head, word.trim_start(), &arguments(s, name))
}

/// The values `:name` takes (sorted, each once).
pub fn arguments(s: &State, name: &str) -> Vec<String> {
    use crate::store::Distinct;
    let distinct = |d: Distinct| -> Vec<String> {
        s.messages
            .store
            .distinct(d)
            .into_iter()
            // A receiver can be several names joined by commas: each is one to complete.
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<String>>();
    let mut out: Vec<String> = match name {
        "iflow" => {
            let mut ids: Vec<String> = s
                .artifacts
                .items
                .iter()
                .filter(|a| a.kind == "INTEGRATION_FLOW")
                .map(|a| a.id.clone())
                .collect();
            ids.extend(distinct(Distinct::Iflow));
            ids.push("all".into());
            ids
        }
        "sender" => [distinct(Distinct::Sender), words(&["all"])].concat(),
        "receiver" => [distinct(Distinct::Receiver), words(&["all"])].concat(),
        "custom" => [distinct(Distinct::CustomStatus), words(&["all"])].concat(),
        "status" => crate::grammar::status::message_statuses()
            .map(|st| st.as_str().to_string())
            .chain(["all".to_string()])
            .collect(),
        "window" => words(&["15m", "1h", "4h", "24h"]),
        "ctx" => s.ctx.entries.iter().map(|e| e.name.clone()).collect(),
        "sort" => s
            .table()
            .map(|t| t.columns().iter().map(|c| c.id.to_string()).collect())
            .unwrap_or_default(),
        "live" => words(&["on", "off"]),
        "export" => words(&["csv", "json"]),
        "silence" => words(&["1h", "4h", "24h", "off"]),
        _ => Vec::new(),
    };
    out.sort_by_key(|v| v.to_lowercase());
    out.dedup();
    out
}

/// Complete `word` (typed after `head`) among `values`: those starting with it (ignoring case),
/// else those containing it.
fn extend(head: &str, word: &str, values: &[String]) -> Completion {
    let lower = word.to_lowercase();
    let mut hits: Vec<&String> = values
        .iter()
        .filter(|v| v.to_lowercase().starts_with(&lower))
        .collect();
    if hits.is_empty() && !word.is_empty() {
        hits = values
            .iter()
            .filter(|v| v.to_lowercase().contains(&lower))
            .collect();
    }
    let sep = if head.is_empty() || head.ends_with(' ') || head.ends_with(',') {
        ""
    } else {
        " "
    };
    match hits.as_slice() {
        [] => Completion {
            line: format!("{head}{sep}{word}"),
            candidates: Vec::new(),
        },
        [one] => Completion {
            line: format!("{head}{sep}{one} "),
            candidates: Vec::new(),
        },
        many => {
            let common = common_prefix(many);
            // Only a prefix of every hit extends what was typed (a substring match does not).
            let done = if common.len() >= word.len() && common.to_lowercase().starts_with(&lower) {
                common
            } else {
                word.to_string()
            };
            Completion {
                line: format!("{head}{sep}{done}"),
                candidates: many.iter().map(|v| v.to_string()).collect(),
            }
        }
    }
}

/// The longest common prefix (ignoring case, spelled as the first value).
fn common_prefix(values: &[&String]) -> String {
    let Some(first) = values.first() else {
        return String::new();
    };
    let mut end = first.len();
    for v in &values[1..] {
        let n = first
            .chars()
            .zip(v.chars())
            .take_while(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
            .map(|(a, _)| a.len_utf8())
            .sum::<usize>();
        end = end.min(n);
    }
    first[..end].to_string()
}

pub fn run(s: &mut State, line: &str, fx: &mut Vec<Effect>) {
    s.dirty = true;
    s.mode = Mode::Normal;
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let Some(word) = words.next() else { return };
    let args: Vec<&str> = words.collect();
    let Some(cmd) = resolve(word) else {
        s.toast(format!("unknown command `{word}` — try :help"), ToastKind::Error);
        return;
    };
    let arg = args.first().copied();
    match cmd {
        "tenants" => s.switch_pane(Pane::Tenants),
        "drift" => drift(s, arg),
        "artifacts" => s.switch_pane(Pane::Artifacts),
        "messages" => s.switch_pane(Pane::Messages),
        "queues" => s.switch_pane(Pane::Queues),
        "alerts" => s.switch_pane(Pane::Alerts),
        "errors" => s.switch_pane(Pane::Errors),
        "keystore" => s.switch_pane(Pane::Keystore),
        "silence" => silence(s, &args.join(" "), fx),
        "history" => {
            s.switch_pane(Pane::Alerts);
            super::nav::go(s, Nav::OpenAlertHistory, fx);
        }
        "ctx" => super::tenant::command(s, arg, fx),
        "window" => window(s, arg),
        "status" => {
            let list = args.join(" ");
            status_filter(s, (!list.is_empty()).then_some(list.as_str()))
        }
        "iflow" => server_filter(s, arg, |q, v| q.iflow = v, "iFlow"),
        "receiver" => server_filter(s, arg, |q, v| q.receiver = v, "receiver"),
        "sender" => server_filter(s, arg, |q, v| q.sender = v, "sender"),
        "custom" => server_filter(s, arg, |q, v| q.custom = v, "custom"),
        "id" => server_filter(s, arg, |q, v| q.id = v, "id"),
        "live" => {
            let want = match arg {
                Some("on") => true,
                Some("off") => false,
                _ => !s.messages.live,
            };
            if want != s.messages.live {
                act(s, Action::Live, fx);
            }
        }
        "failed" => act(s, Action::ToggleFailed, fx),
        "export" => {
            let mut format = ExportFormat::Csv;
            let mut path = None;
            for a in &args {
                match a.to_ascii_lowercase().as_str() {
                    "csv" => format = ExportFormat::Csv,
                    "json" => format = ExportFormat::Json,
                    "ndjson" => format = ExportFormat::Ndjson,
                    _ => path = Some(std::path::PathBuf::from(a)),
                }
            }
            export(s, format, path, fx);
        }
        "sort" => sort(s, &args),
        "filter" => {
            let text = args.join(" ");
            if let Some(t) = s.table_mut() {
                t.list_mut().filter = text;
                s.rebuild_focused_from_top();
            }
        }
        "refresh" => act(s, Action::Refresh, fx),
        "utc" | "local" if s.time.utc != (cmd == "utc") => act(s, Action::ToggleTime, fx),
        "plugins" => s.ext.dialog = Some(crate::features::extend::Dialog::Output { scroll: 0 }),
        "help" => s.mode = Mode::Help(0),
        "quit" => quit(s, fx),
        _ => {}
    }
}

/// `:drift [LANDSCAPE]`: the drift view of a landscape (the open tenant's by default).
fn drift(s: &mut State, arg: Option<&str>) {
    let name = match arg {
        Some(a) => a.to_string(),
        None => s
            .tenants
            .row(&s.ctx.current)
            .or_else(|| s.tenants.row(&s.tenant.name))
            .map(|r| r.setup.tenant.landscape.clone())
            .unwrap_or_default(),
    };
    if let Err(known) = s.tenants.show_landscape(&name) {
        if arg.is_some() || s.tenants.rows.is_empty() {
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known
            };
            s.toast(
                format!("no landscape `{name}` — landscapes: {known}"),
                ToastKind::Error,
            );
            return;
        }
        s.tenants.refresh_drift();
    }
    s.switch_pane(Pane::Tenants);
    s.stack.push(Route::Tenants(crate::panes::tenants::Route::Drift));
    s.rebuild_focused();
}

/// Ask the tenant for another message window.
fn set_window(s: &mut State, window_ms: i64, range: Option<(i64, i64)>) {
    let (text, kind) = s.messages.set_window(window_ms, range, &s.time);
    s.toast(text, kind);
}

/// `:silence <duration>|off` for the monitor of the view (the Alerts pane's list or evidence).
fn silence(s: &mut State, arg: &str, fx: &mut Vec<Effect>) {
    let key = match s.route() {
        Route::Alerts(r) => s.alerts.focused_key(r),
        Route::Tenants(_)
        | Route::Artifacts(_)
        | Route::Messages(_)
        | Route::Queues(_)
        | Route::Errors(_)
        | Route::Keystore(_) => None,
    };
    let tenant = s.tenant.clone();
    let cx = s.cx_with(&tenant);
    let (out, (text, kind)) = s.alerts.silence(key, arg, &cx);
    super::nav::outs(s, out, fx);
    s.toast(text, kind);
}

fn window(s: &mut State, arg: Option<&str>) {
    let Some(arg) = arg else {
        s.toast(
            "usage: :window 15m|1h|4h|24h|<dur>|<from>..<to>",
            ToastKind::Error,
        );
        return;
    };
    if let Some((from, to)) = arg.split_once("..") {
        match (parse_datetime_literal(from), parse_datetime_literal(to)) {
            (Some(f), Some(t)) if f < t => {
                set_window(s, t - f, Some((f, t)));
                s.switch_pane(Pane::Messages);
            }
            _ => s.toast(
                format!(
                    "cannot read window `{arg}`: use FROM..TO as 2024-06-10T06:00..2024-06-10T08:00 (UTC)"
                ),
                ToastKind::Error,
            ),
        }
        return;
    }
    match parse_duration(arg) {
        Some(ms) => {
            set_window(s, ms, None);
            s.switch_pane(Pane::Messages);
        }
        None => s.toast(
            format!("cannot read window `{arg}`: use e.g. 15m, 1h, 4h, 24h, 2d or 4h30m"),
            ToastKind::Error,
        ),
    }
}

fn server_filter(
    s: &mut State,
    arg: Option<&str>,
    set: impl Fn(&mut crate::panes::messages::state::MessageQuery, Option<String>),
    what: &str,
) {
    let value = match arg {
        None => {
            s.toast(
                format!("usage: :{} <value>|all", what.to_lowercase()),
                ToastKind::Error,
            );
            return;
        }
        Some(a) if a.eq_ignore_ascii_case("all") || a == "-" => None,
        Some(a) => Some(a.to_string()),
    };
    let shown = value.clone().unwrap_or_else(|| "all".into());
    set(&mut s.messages.query, value);
    s.switch_pane(Pane::Messages);
    s.toast(
        format!("messages: {what} = {shown} (asked of the tenant)"),
        ToastKind::Info,
    );
}

/// `:status FAILED[,RETRY…]|all`: statuses read with the status grammar, kept as its canonical
/// text (`FAILED,RETRY`); a word it does not know is refused, nothing asked of the tenant.
fn status_filter(s: &mut State, arg: Option<&str>) {
    let canonical = match arg {
        Some(a) if !(a.eq_ignore_ascii_case("all") || a == "-") => {
            match crate::grammar::status::parse_message_statuses(a) {
                Ok(list) => Some(crate::grammar::status::message_statuses_text(&list)),
                Err(e) => {
                    s.toast(format!(":status {a}: {e}"), ToastKind::Error);
                    return;
                }
            }
        }
        other => other.map(str::to_string),
    };
    server_filter(s, canonical.as_deref(), |q, v| q.status = v, "status");
}

/// `:sort COLUMN [asc|desc]`: the sort-spec grammar (`COLUMN[:asc|:desc]`, `list::parse_sort`).
fn sort(s: &mut State, args: &[&str]) {
    let Some(t) = s.table_mut() else { return };
    let Some(name) = args.first() else { return };
    let spec = match args.get(1) {
        Some(dir) => format!("{name}:{dir}"),
        None => name.to_string(),
    };
    match crate::kit::list::parse_sort(&spec, t.columns()) {
        Ok(sort) => {
            t.list_mut().sort = Some(sort);
            s.rebuild_focused_from_top();
        }
        Err(e) => s.toast(e, ToastKind::Error),
    }
}

/// Whether `line` is a `:` command that can run (`[[hotkeys]]` are checked with it when the
/// config is read): its name known, and the argument a command needs present and readable.
/// `Err`: what is wrong, and the closest command name when the name is unknown.
pub fn check(line: &str) -> Result<(), (String, Option<String>)> {
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let Some(word) = words.next() else {
        return Err(("an empty command".into(), None));
    };
    let args: Vec<&str> = words.collect();
    let Some(cmd) = resolve(word) else {
        let names = COMMANDS
            .iter()
            .flat_map(|(n, aliases, _)| std::iter::once(*n).chain(aliases.iter().copied()));
        return Err((
            format!("unknown command `{word}` (the commands are listed under `:help`)"),
            crate::config::error::did_you_mean(word, names),
        ));
    };
    let usage = || COMMANDS.iter().find(|(n, ..)| *n == cmd).map_or("", |(.., u)| *u);
    let arg = args.first().copied();
    let needs_arg = matches!(
        cmd,
        "window" | "status" | "iflow" | "receiver" | "sender" | "custom" | "id" | "sort" | "silence"
    );
    if needs_arg && arg.is_none() {
        return Err((format!("`:{cmd}` needs an argument: {}", usage()), None));
    }
    let bad = |why: String| Err((format!("`:{line}`: {why}"), None));
    match (cmd, arg) {
        ("window", Some(a)) => match a.split_once("..") {
            Some((from, to)) => match (parse_datetime_literal(from), parse_datetime_literal(to)) {
                (Some(f), Some(t)) if f < t => Ok(()),
                _ => bad("use FROM..TO as 2024-06-10T06:00..2024-06-10T08:00 (UTC)".into()),
            },
            None if parse_duration(a).is_some() => Ok(()),
            None => bad(format!(
                "cannot read window `{a}`: use e.g. 15m, 1h, 4h, 24h, 2d or 4h30m"
            )),
        },
        ("status", Some(a)) if !(a.eq_ignore_ascii_case("all") || a == "-") => {
            crate::grammar::status::parse_message_statuses(&args.join(" "))
                .map(|_| ())
                .or_else(bad)
        }
        ("live", Some(a)) if !matches!(a, "on" | "off") => bad("use `live`, `live on` or `live off`".into()),
        ("silence", Some(a)) if a != "off" && parse_duration(a).is_none() => bad(format!(
            "cannot read `{a}`: use 1h, 4h, 24h, another duration or off"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod check_tests {
    use super::check;

    #[test]
    fn commands_hotkeys_may_run() {
        for ok in [
            "iflow Orders_Inbound",
            ":messages",
            "q",
            "window 4h",
            "window 2024-06-10T06:00..2024-06-10T08:00",
            "status FAILED,RETRY",
            "status all",
            "live on",
            "ctx",
            "export json /tmp/x.json",
            "silence 4h",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check("iflw Orders_Inbound"),
            Err((
                "unknown command `iflw` (the commands are listed under `:help`)".into(),
                Some("iflow".into())
            ))
        );
        assert_eq!(
            check("iflow").unwrap_err().0,
            "`:iflow` needs an argument: iflow <id>|all — server-side iFlow filter"
        );
        assert!(
            check("window soon")
                .unwrap_err()
                .0
                .contains("cannot read window `soon`")
        );
        assert!(
            check("status FIALED")
                .unwrap_err()
                .0
                .starts_with("`:status FIALED`: ")
        );
        assert!(check("live maybe").is_err());
        assert!(check("  ").is_err());
    }
}
