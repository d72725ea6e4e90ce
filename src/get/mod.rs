//! `cpitop get …`: the TUI's views without a terminal UI, for scripts and tickets.
//!
//! `get errors` groups the failed messages of a window by error signature (the Errors pane's
//! table plus the members' ids; error texts within the `[errors] budget` of one run).
//! `get artifacts|messages|queues|queue NAME` print the panes' tables (each pane's `get.rs`
//! fills the pane's own table), ordered and filtered the same way: for people the same columns
//! as aligned text, for scripts each row's record (`Table::record`, the fields of [`schema`]) as
//! JSON, NDJSON or CSV (`-o`). `get keystore` lists the keystore's entries (expired and expiring first, as the
//! Keystore pane). `get message GUID`, `get artifact ID` and `get certificate ALIAS` print the detail views'
//! documents, or the detail records. Message filters go to the server (`$filter`), and
//! `--limit` reads only the newest messages, so a large tenant is not downloaded in full.
//! `--demo` runs against the in-process simulated tenant, like the TUI.
//!
//! Exit status: 0 on success, 1 when something could not be read (the error says what and what
//! to check), 2 for invalid arguments (from clap).

pub mod filter;
pub mod fleet;
pub mod output;
pub mod schema;

use std::io::{IsTerminal, Write};

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::args::GlobalArgs;
use crate::config::{Config, Paths};
use crate::cpi::client::CpiClient;
use crate::cpi::conn::TenantConn;
use crate::cpi::model::MplStatus;
use crate::kit::format::TimeFmt;
use crate::kit::table::CellCx;

use crate::kit::print::{Printed, TableOpts};
use crate::panes::{artifacts, errors, keystore, messages, queues};
use filter::{MessageFilter, TimeArg};
pub use output::Output;

#[derive(Debug, clap::Args)]
pub struct GetArgs {
    #[command(subcommand)]
    pub what: What,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
}

/// The TUI's `/` filter, sort and a row limit.
#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    /// Keep rows whose shown cells contain TEXT (case-insensitive, like `/` in the TUI).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Sort by a column id (see the CSV header), `:desc` to reverse [default: the pane's order].
    #[arg(long, value_name = "COLUMN[:desc]")]
    pub sort: Option<String>,
    /// Print at most N rows (messages: only the newest N are read from the tenant, unless
    /// --sort needs the whole window).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl TableArgs {
    fn opts(&self) -> TableOpts {
        TableOpts {
            grep: self.grep.clone(),
            sort: self.sort.clone(),
            limit: self.limit,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Runtime artifacts; anything not STARTED first.
    Artifacts {
        /// Only these statuses, comma-separated (STARTED, STARTING, STOPPING, ERROR).
        #[arg(long, value_parser = filter::parse_artifact_statuses, value_name = "STATUS[,…]")]
        status: Option<filter::ArtifactStatuses>,
        /// Only artifacts that are not STARTED.
        #[arg(long)]
        not_started: bool,
        #[command(flatten)]
        table: TableArgs,
    },
    /// One artifact with its deployment error.
    Artifact {
        /// The artifact id (the ID column of `get artifacts`).
        id: String,
    },
    /// Message processing logs of a time window, newest first.
    Messages {
        /// Start of the window: a duration before now (15m, 1h, 4h, 24h) or a UTC time
        /// (2024-06-10T06:00:00Z, "2024-06-10 06:00") [default: 1h].
        #[arg(long, value_parser = filter::parse_time, value_name = "WHEN")]
        since: Option<TimeArg>,
        /// End of the window, same forms as --since [default: now].
        #[arg(long, value_parser = filter::parse_time, value_name = "WHEN")]
        until: Option<TimeArg>,
        /// Only these statuses, comma-separated (FAILED, RETRY, COMPLETED, …); asked of the server.
        #[arg(long, value_parser = filter::parse_status_arg, value_name = "STATUS[,…]")]
        status: Option<filter::Statuses>,
        /// Only FAILED and ESCALATED messages (the TUI's `f`); asked of the server.
        #[arg(long, conflicts_with = "status")]
        failed: bool,
        /// Only this iFlow (its id); asked of the server.
        #[arg(long, value_name = "ID")]
        iflow: Option<String>,
        /// Only this sender, also among several comma-joined senders; asked of the server.
        #[arg(long)]
        sender: Option<String>,
        /// Only this receiver, also among several comma-joined receivers (a message sent to
        /// `A_SOAP,B_SOAP` matches either); asked of the server.
        #[arg(long)]
        receiver: Option<String>,
        /// Only these custom statuses, comma-separated (e.g. ERROR: business errors of
        /// COMPLETED messages); asked of the server.
        #[arg(long, value_name = "STATUS[,…]")]
        custom_status: Option<String>,
        /// A message id (28 characters) or else an application message id; asked of the server.
        #[arg(long)]
        id: Option<String>,
        /// Only messages with this correlation id; asked of the server.
        #[arg(long, value_name = "ID")]
        correlation_id: Option<String>,
        #[command(flatten)]
        table: TableArgs,
    },
    /// One message: properties, error text, custom headers, attachments, runs and steps.
    Message {
        /// The message id (MESSAGE ID column of `get messages`).
        guid: String,
    },
    /// JMS queues with depth, failed/blocked counts and the DLQ beside its queue.
    Queues {
        /// Only queues with failed or blocked messages, stopped queues and non-empty DLQs.
        #[arg(long)]
        problems: bool,
        #[command(flatten)]
        table: TableArgs,
    },
    /// The messages of one JMS queue, oldest first.
    Queue {
        /// The queue name (QUEUE column of `get queues`).
        name: String,
        #[command(flatten)]
        table: TableArgs,
    },
    /// Failed messages grouped by error signature, with counts and the members' ids (the
    /// Errors pane). Error texts cost one request per message: at most `[errors] budget`
    /// (default 60) are read, newest first; the rest is grouped by iFlow and status.
    Errors {
        /// Start of the window: a duration before now (15m, 1h, 4h, 24h) or a UTC time
        /// [default: 1h].
        #[arg(long, value_parser = filter::parse_time, value_name = "WHEN")]
        since: Option<TimeArg>,
        /// End of the window, same forms as --since [default: now].
        #[arg(long, value_parser = filter::parse_time, value_name = "WHEN")]
        until: Option<TimeArg>,
        /// Only failed messages of this iFlow (its id); asked of the server.
        #[arg(long, value_name = "ID")]
        iflow: Option<String>,
        /// One group per signature and iFlow [default: `[errors] per_iflow`].
        #[arg(long)]
        per_iflow: bool,
        /// Error texts read at most in this run [default: `[errors] budget`].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        budget: Option<u32>,
        #[command(flatten)]
        table: TableArgs,
    },
    /// Keystore entries (certificates, key pairs) with their validity; expired and expiring first.
    #[command(visible_alias = "certs")]
    Keystore {
        /// Only entries that are expired or expiring (the TUI's `f`).
        #[arg(long)]
        expiring: bool,
        /// How long before its end an entry counts as expiring [default: the tenant's
        /// `keystore.expiring`, else 30d].
        #[arg(long, value_parser = filter::parse_within, value_name = "DURATION")]
        within: Option<std::time::Duration>,
        #[command(flatten)]
        table: TableArgs,
    },
    /// One keystore entry: validity, key, subject, issuer, serial, fingerprints.
    #[command(visible_alias = "cert")]
    Certificate {
        /// The alias (ALIAS column of `get keystore`).
        alias: String,
        /// How long before its end it counts as expiring [default: as `get keystore`].
        #[arg(long, value_parser = filter::parse_within, value_name = "DURATION")]
        within: Option<std::time::Duration>,
    },
    /// Every configured tenant at once (the Tenants pane): reachable / unauthorised / down with
    /// the reason, artifacts not started, failed messages of the last hour, DLQ messages and the
    /// oldest, broker, monitors, certificates expiring within 30 days; worst first.
    Tenants {
        #[command(flatten)]
        table: TableArgs,
    },
    /// Version drift: every runtime artifact of a landscape's tenants side by side (dev → test
    /// → prod), rows whose versions differ or that are missing or not started in PROD first.
    /// Exit 2 when some tenant's artifacts could not be read (printed as `?`, named on stderr).
    Drift {
        /// Only this landscape (`landscape = "NAME"` of the tenants in the config).
        #[arg(long, value_name = "NAME")]
        landscape: Option<String>,
    },
}

/// A client for the configured tenant (or `--demo`), and the simulated tenant to keep alive.
struct Target {
    client: CpiClient,
    /// The tenant's `keystore.expiring` (the default for `--demo`).
    keystore_expiring: std::time::Duration,
    _sim: Option<crate::sim::SimHandle>,
    /// `[errors]` of the config (defaults without one).
    errors: crate::config::ErrorsConfig,
    /// Where the tenant's remembered error signatures are (`None`: `--demo`, or no state dir).
    seen_path: Option<std::path::PathBuf>,
}

async fn connect(global: &GlobalArgs, seed: u64) -> Result<Target> {
    if global.demo {
        let sim = crate::sim::spawn(crate::sim::SimConfig {
            seed,
            ..crate::sim::SimConfig::default()
        })
        .await
        .map_err(|e| eyre!("cannot start the simulated tenant: {e}"))?;
        let conn = sim.demo_conn("demo");
        let client = CpiClient::new(conn).map_err(|e| eyre!("{e}"))?;
        // The config's `[errors]` applies to the demo too, when there is a config.
        let errors = Paths::from_env(global.config.as_deref())
            .ok()
            .and_then(|p| Config::load_or_empty(&p).ok())
            .map(|c| c.errors)
            .unwrap_or_default();
        return Ok(Target {
            client,
            keystore_expiring: crate::config::load::DEFAULT_KEYSTORE_EXPIRING,
            _sim: Some(sim),
            errors,
            seen_path: None,
        });
    }
    let paths = Paths::from_env(global.config.as_deref())?;
    // Resolving a secret may run a command: keep it off the async workers.
    let tenant = global.tenant.clone();
    let state_dir = paths.state_dir.clone();
    let (conn, keystore_expiring, errors) = tokio::task::spawn_blocking(
        move || -> Result<(TenantConn, std::time::Duration, crate::config::ErrorsConfig)> {
            let config = Config::load(&paths)?;
            // The last used tenant is the default, as in the TUI; `get` does not change it.
            let last = crate::config::state::last_tenant(&paths);
            let profile = config.select(tenant.as_deref(), last.as_deref())?;
            let (conn, warnings) = profile.to_conn()?;
            for w in config.warnings.iter().chain(&warnings) {
                tracing::warn!("{w}");
            }
            crate::config::load::eprint_warnings(config.warnings.iter().chain(&warnings));
            Ok((conn, profile.keystore_expiring, config.errors))
        },
    )
    .await
    .wrap_err("resolving the tenant failed")??;
    let name = conn.name.clone();
    let client = CpiClient::new(conn).map_err(|e| eyre!("tenant {name}: {e}"))?;
    Ok(Target {
        client,
        keystore_expiring,
        _sim: None,
        errors,
        seen_path: Some(crate::signature::SeenSignatures::path(&state_dir, &name)),
    })
}

/// Width detail documents wrap at: the terminal's, or no wrapping when piped.
fn doc_width() -> u16 {
    if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map(|(w, _)| w).unwrap_or(100)
    } else {
        u16::MAX
    }
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // `cpitop get … | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.wrap_err("cannot write to stdout"),
    }
}

/// `cpitop get …`: prints the result on stdout, or the error on stderr (one plain line: what
/// failed and what to check, no backtrace), and returns the exit status.
pub fn run_get(global: &GlobalArgs, args: &GetArgs) -> i32 {
    match run_get_inner(global, args) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("cpitop get failed: {e:#}");
            // The error can carry tenant text (an OData error message, a name): one neutral line.
            eprintln!("error: {}", crate::sanitize::error_line(&e));
            1
        }
    }
}

/// Exit status of `get message` when it printed what it read but some parts could not be read
/// (listed on stderr, and in `errors` of the JSON): scripts can tell "partial" from "nothing"
/// (1) and from "everything" (0).
pub const EXIT_PARTIAL: i32 = 2;

fn run_get_inner(global: &GlobalArgs, args: &GetArgs) -> Result<i32> {
    let _log = Paths::from_env(global.config.as_deref())
        .ok()
        .and_then(|p| crate::config::logging::init(&p, global.log_level.as_deref()).ok());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    rt.block_on(run_async(global, args))
}

async fn run_async(global: &GlobalArgs, args: &GetArgs) -> Result<i32> {
    // Every tenant at once: no single tenant to connect to first.
    if matches!(args.what, What::Tenants { .. } | What::Drift { .. }) {
        return run_fleet(global, args).await;
    }
    let target = connect(global, global.demo_seed()).await?;
    let client = &target.client;
    let tenant = if global.demo { "demo" } else { client.name() }.to_string();
    let cx = CellCx {
        now: chrono::Utc::now().timestamp_millis(),
        time: TimeFmt::default(),
    };
    let fail = |e: String| eyre!("{e} (tenant {tenant})");
    let table: Printed = match &args.what {
        What::Tenants { .. } | What::Drift { .. } => return run_fleet(global, args).await,
        What::Artifacts {
            status,
            not_started,
            table,
        } => {
            let statuses: Vec<String> = status.clone().map(|s| s.0).unwrap_or_default();
            artifacts::get::table(client, &statuses, *not_started, &table.opts(), &cx)
                .await
                .map_err(fail)?
        }
        What::Messages {
            since,
            until,
            status,
            failed,
            iflow,
            sender,
            receiver,
            custom_status,
            id,
            correlation_id,
            table,
        } => {
            let f = MessageFilter {
                since: *since,
                until: *until,
                statuses: match status {
                    Some(s) => s.0.clone(),
                    // `f` in the TUI filters what is held; here the server can do it.
                    None if *failed => vec![MplStatus::Failed, MplStatus::Escalated],
                    None => vec![],
                },
                iflow: iflow.clone(),
                sender: sender.clone(),
                receiver: receiver.clone(),
                custom_statuses: custom_status
                    .as_deref()
                    .map(filter::parse_custom_statuses)
                    .unwrap_or_default(),
                id: id.clone(),
                correlation_id: correlation_id.clone(),
            };
            let now = client.server_now();
            let query = f.to_query(now).map_err(fail)?;
            let pane_query = f.pane_query(query.from.map_or(0, |from| now - from));
            messages::get::table(
                client,
                &query,
                pane_query,
                &f.describe(now),
                *failed,
                &table.opts(),
                &cx,
            )
            .await
            .map_err(fail)?
        }
        What::Queues { problems, table } => {
            let q = queues::get::table(client, *problems, &table.opts(), &cx)
                .await
                .map_err(fail)?;
            // JSON carries the broker (and why rows may come from it alone), not only the rows.
            if args.output == Output::Json {
                return print(&q.json()).map(|()| 0);
            }
            q.table
        }
        What::Queue { name, table } => queues::get::queue_messages(client, name, &table.opts(), &cx)
            .await
            .map_err(fail)?,
        What::Message { guid } => {
            let read = messages::get::message(client, guid, args.output, &cx.time, doc_width())
                .await
                .map_err(fail)?;
            return finish_message(&read, &tenant);
        }
        What::Keystore {
            expiring,
            within,
            table,
        } => {
            let within = expiring_ms(within.unwrap_or(target.keystore_expiring));
            keystore::get::table(client, *expiring, within, &table.opts(), &cx)
                .await
                .map_err(fail)?
        }
        What::Certificate { alias, within } => {
            let within = expiring_ms(within.unwrap_or(target.keystore_expiring));
            let text = keystore::get::certificate(client, alias, args.output, within, &cx, doc_width())
                .await
                .map_err(fail)?;
            return print(&text).map(|()| 0);
        }
        What::Artifact { id } => {
            let (text, errors) = artifacts::get::detail(client, id, args.output, &cx, doc_width())
                .await
                .map_err(fail)?;
            return finish_detail(&text, errors, &tenant).map(|()| 0);
        }
        What::Errors {
            since,
            until,
            iflow,
            per_iflow,
            budget,
            table,
        } => {
            let f = MessageFilter {
                since: *since,
                until: *until,
                ..MessageFilter::default()
            };
            let now = client.server_now();
            let (from, to) = f.window(now).map_err(fail)?;
            let mut describe = f.describe(now);
            if let Some(i) = iflow {
                describe.push_str(&format!(", iflow={i}"));
            }
            let settings = errors::Settings {
                budget: target.errors.budget,
                custom_statuses: target.errors.custom_statuses.clone(),
                signer: std::sync::Arc::new(crate::signature::Signer::new(target.errors.rules.clone())),
            };
            // Remembered signatures make `new`; `get` reads them and changes nothing.
            let seen = match &target.seen_path {
                Some(p) => {
                    let (seen, notice) = crate::signature::SeenSignatures::load(p);
                    if let Some(n) = notice {
                        eprintln!("note: {}", crate::sanitize::one_line(&n));
                    }
                    seen
                }
                None => crate::signature::SeenSignatures::default(),
            };
            let q = errors::get::ErrorsQuery {
                from,
                to,
                iflow: iflow.clone(),
                per_iflow: *per_iflow || target.errors.per_iflow,
                budget: budget.unwrap_or(target.errors.budget),
                settings,
                describe,
            };
            let printed = errors::get::table(client, &q, seen, &table.opts(), &cx)
                .await
                .map_err(fail)?;
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let tones = colour.then_some(printed.tones.as_slice());
            print(&output::render(args.output, &printed, tones))?;
            // Always: the summary says how many texts were read within the budget.
            let summary = format!("{} · tenant {tenant}", printed.summary);
            eprintln!("{}", crate::sanitize::one_line(&summary));
            return Ok(0);
        }
    };
    // Colours as in the TUI, only for people at a terminal (and never with NO_COLOR).
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let tones = colour.then_some(table.tones.as_slice());
    print(&output::render(args.output, &table, tones))?;
    if args.output == Output::Table {
        let summary = format!("{} · tenant {tenant}", table.summary);
        eprintln!("{}", crate::sanitize::one_line(&summary));
    }
    Ok(0)
}

fn expiring_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `get tenants` and `get drift`: every tenant at once.
async fn run_fleet(global: &GlobalArgs, args: &GetArgs) -> Result<i32> {
    match &args.what {
        What::Drift { landscape } => {
            let (text, unread) = fleet::drift(global, landscape.as_deref(), args.output).await?;
            print(&text)?;
            if unread.is_empty() {
                return Ok(0);
            }
            for u in &unread {
                eprintln!(
                    "note: artifacts not read from tenant {}",
                    crate::sanitize::one_line(u)
                );
            }
            Ok(EXIT_PARTIAL)
        }
        What::Tenants { table } => {
            let (text, summary) = fleet::tenants(global, args.output, &table.opts()).await?;
            print(&text)?;
            if args.output == Output::Table {
                eprintln!("{}", crate::sanitize::one_line(&summary));
            }
            Ok(0)
        }
        What::Artifacts { .. }
        | What::Artifact { .. }
        | What::Messages { .. }
        | What::Message { .. }
        | What::Queues { .. }
        | What::Queue { .. }
        | What::Errors { .. }
        | What::Keystore { .. }
        | What::Certificate { .. } => Err(eyre!("not a command over every tenant")),
    }
}

/// Print what was read of a message; say on stderr what the tenant does not offer and what
/// could not be read. Exit 0 when every part was read, `EXIT_PARTIAL` when some were not.
fn finish_message(read: &messages::get::DetailRead, tenant: &str) -> Result<i32> {
    print(&read.text)?;
    if !read.not_on_tenant.is_empty() {
        eprintln!(
            "note: not available on tenant {tenant}: {}",
            read.not_on_tenant.join(", ")
        );
    }
    if read.unread.is_empty() {
        return Ok(0);
    }
    let line = format!(
        "not read from tenant {tenant}: {} (the rest is printed above)",
        read.unread.join("; ")
    );
    tracing::warn!("cpitop get message: {line}");
    eprintln!("note: {line}");
    Ok(EXIT_PARTIAL)
}

fn finish_detail(text: &str, errors: Vec<String>, tenant: &str) -> Result<()> {
    print(text)?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(eyre!(
            "part of the detail could not be read from tenant {tenant}: {}",
            errors.join("; ")
        ))
    }
}
