//! The event loop: the one owner of `State`. Producers (terminal input, a 4 Hz tick, client
//! counters, pollers and fetches) send `Msg`s on one bounded channel; the loop drains them in
//! batches, runs `update`, executes the effects, and draws when something changed — at most
//! once per 16 ms, inside a synchronized update.

use std::io::{Write, stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event, EventStream,
    KeyEventKind,
};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures_util::StreamExt as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::effects::EffectRunner;
use super::poll::now_ms;
use crate::app::msg::{ApiStats, Msg};
use crate::app::state::{Intervals, State, TenantInfo};
use crate::app::update::update;
use crate::cpi::client::CpiClient;
use crate::features::extend::PluginEffect;
use crate::kit::keymap::Keymap;
use crate::kit::widgets::theme::Theme;

/// Everything the loop needs, prepared by `launch` from the config or the demo tenant.
pub struct Session {
    /// The tenant's client; `None` when it cannot be used (see `unusable`).
    pub client: Option<CpiClient>,
    pub tenant: TenantInfo,
    pub keymap: Keymap,
    pub intervals: Intervals,
    /// Default message window in ms.
    pub window_ms: i64,
    /// Shown once at start (keymap and config warnings).
    pub warnings: Vec<String>,
    pub theme: Theme,
    pub export_dir: std::path::PathBuf,
    /// The tenant's alert monitors (`None`: none set up).
    pub alerts: Option<crate::panes::alerts::AlertsLaunch>,
    /// Audit log, identity and read-only origin for guarded writes.
    pub writes: super::writes::WriteSetup,
    /// Configured tenants (`:ctx`) and the offline cache; `None` in `--demo`.
    pub tenants: Option<std::sync::Arc<crate::app::tenant::TenantConfig>>,
    /// Where the `:` line's history is kept (`None`: not kept).
    pub history_file: Option<std::path::PathBuf>,
    /// The tenant cannot be used (its secret is missing): why, and its API URL as configured.
    /// The TUI opens anyway, says so under the header, asks nothing of any tenant and offers
    /// `:ctx` to switch.
    pub unusable: Option<(String, String)>,
    /// The open tenant's connection (its client also serves its overview).
    pub conn: Option<crate::cpi::conn::TenantConn>,
    /// Every tenant the Tenants pane shows (empty: no Tenants pane rows).
    pub fleet: Vec<crate::panes::tenants::TenantSetup>,
    /// `--demo`'s simulated tenants (switching between them; no cache).
    pub demo: Option<Vec<super::fleet::DemoTenant>>,
    /// The Errors pane's settings and the tenant's remembered signatures.
    pub errors: crate::panes::errors::ErrorsLaunch,
    /// The user's hotkeys and plugins (`[[hotkeys]]`, `[[plugins]]`).
    pub ext: crate::features::extend::Extensions,
}

/// What the terminal is drawn through: held until ratatui flushes a frame, then written at once
/// — on a 16-colour terminal with the 16 colours as plain SGR codes (`theme::sgr16`), which
/// terminals without the 256-colour palette understand.
pub struct TermOut {
    out: std::io::Stdout,
    buf: Vec<u8>,
    sixteen: bool,
}

impl TermOut {
    pub fn new(level: crate::kit::widgets::theme::ColorLevel) -> Self {
        Self {
            out: stdout(),
            buf: Vec::with_capacity(64 * 1024),
            sixteen: level == crate::kit::widgets::theme::ColorLevel::Ansi16,
        }
    }
}

impl Write for TermOut {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.sixteen {
            let bytes = crate::kit::widgets::theme::sgr16(&self.buf);
            self.out.write_all(&bytes)?;
        } else {
            self.out.write_all(&self.buf)?;
        }
        self.buf.clear();
        self.out.flush()
    }
}

/// The terminal cpitop draws on.
pub type Term = ratatui::Terminal<ratatui::backend::CrosstermBackend<TermOut>>;

/// Restores the terminal when dropped: on quit and on error. On a panic anywhere in the process
/// the hook of `crate::crash` restores it (it knows the TUI is active) and ends the process.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        crate::crash::set_tui_active(false);
        let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Run the TUI until the user quits or a signal ends it; returns the signal number in that case
/// (the caller exits with `128 + signal` once everything is torn down).
pub async fn run(session: Session) -> color_eyre::Result<Option<i32>> {
    let _guard = TerminalGuard;
    crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let mut terminal = Term::new(ratatui::backend::CrosstermBackend::new(TermOut::new(
        session.theme.level,
    )))?;
    crate::crash::set_tui_active(true);
    // Bracketed paste: pasted text arrives as one event, never as a stream of keys.
    execute!(stdout(), EnableMouseCapture, EnableBracketedPaste)?;

    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let cancel = CancellationToken::new();
    let mut keys = InputTask::start(tx.clone(), &cancel);
    tokio::spawn(ticks(tx.clone(), cancel.clone()));
    let signalled = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
    tokio::spawn(signals(tx.clone(), signalled.clone(), cancel.clone()));

    let mut state = State::new(session.tenant, session.keymap, now_ms());
    state.ext = session.ext;
    state.intervals = session.intervals;
    state.messages.query.window_ms = session.window_ms;
    state.export_dir = session.export_dir;
    state.time.local_offset_secs = chrono::Local::now().offset().local_minus_utc();
    state.errors = crate::panes::errors::Errors::launched(&session.errors, &state.errors);
    let mut runner = EffectRunner::for_client(session.client, tx.clone());
    runner.errors_seen_path = session.errors.seen_path.clone();
    if let Some(path) = session.history_file {
        state.history = crate::kit::line::History::new(crate::config::history::load(&path));
        runner.history_file = Some(path);
    }
    let mut warnings = session.warnings;
    if let Some(launch) = session.alerts {
        let (io, w) = super::alerts_io::AlertsIo::start(&launch, &state.tenant.name);
        warnings.extend(w);
        runner.alerts = Some(io);
        state.alerts = crate::panes::alerts::Alerts::new(launch.setup, &state.tenant.name, state.now);
    }
    let audit = super::writes::install(&session.writes, &mut state, &mut runner.writes);
    tokio::spawn(stats(runner.client_updates(), tx.clone(), cancel.clone()));
    let current = state.tenant.name.clone();
    let api_url = match (&runner.client, &session.unusable) {
        (Some(c), _) => c.service_root().to_string(),
        (None, Some((_, url))) => url.clone(),
        (None, None) => String::new(),
    };
    if let Some((why, _)) = &session.unusable {
        state.unusable = Some(why.clone());
        // Nothing can be written to a tenant that cannot be reached.
        state.tenant.read_only = true;
    }
    let start = crate::app::tenant::install(&mut state, session.tenants.as_ref(), &current, &api_url);
    runner.set_tenants(session.tenants);
    if let Some(demo) = session.demo {
        runner.set_demo(demo);
    }
    // A tenant that cannot be used has no client: the overview reads it on its own (and says
    // why it cannot).
    if let (Some(conn), Some(client)) = (session.conn, runner.client.clone()) {
        runner.fleet.adopt(&current, client, conn);
    }
    crate::app::tenant::install_fleet(&mut state, session.fleet);
    for e in start {
        runner.run(e, &mut stdout());
    }

    let size = terminal.size()?;
    let mut first = vec![Msg::Resize(size.width, size.height), Msg::Tick(now_ms())];
    if !warnings.is_empty() {
        let more = match warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more in the log)", n - 1),
        };
        first.push(Msg::Notify {
            text: format!("{}{more}", warnings[0]),
            error: true,
        });
        for w in &warnings {
            tracing::warn!("{w}");
        }
    }
    if crate::crash::crash_test_requested() {
        // Test hook (see `crash_test_requested`): a background task panics after the first frame.
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            crash_test_panic();
        });
    }
    let theme = session.theme;
    let mut batch = Vec::with_capacity(256);
    batch.extend(first);
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    const FRAME: Duration = Duration::from_millis(16);
    let mut answers = Vec::new();
    'outer: loop {
        for msg in batch.drain(..) {
            for effect in update(&mut state, msg) {
                // A plugin that runs in the terminal: the TUI steps aside until it ends.
                if let crate::app::msg::Effect::Plugin(PluginEffect::Run(req)) = &effect
                    && !req.background
                {
                    let audit = runner.writes.audit();
                    let o = suspend_for(&mut terminal, &mut keys, (&tx, &cancel), req, audit).await?;
                    let size = terminal.size()?;
                    answers.push(Msg::Resize(size.width, size.height));
                    answers.push(Msg::Plugin(crate::features::extend::PluginMsg::Done(o)));
                    continue;
                }
                if !runner.run(effect, &mut stdout()) {
                    break 'outer;
                }
            }
        }
        if !answers.is_empty() {
            batch.append(&mut answers);
            continue;
        }
        if state.quit {
            break;
        }
        if state.dirty && last_draw.elapsed() >= FRAME {
            execute!(stdout(), BeginSynchronizedUpdate)?;
            terminal.draw(|f| crate::app::frame::render(f, &state, &theme))?;
            execute!(stdout(), EndSynchronizedUpdate)?;
            state.dirty = false;
            last_draw = Instant::now();
        }
        let wait = if state.dirty {
            FRAME.saturating_sub(last_draw.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        tokio::select! {
            n = rx.recv_many(&mut batch, 256) => if n == 0 { break },
            _ = tokio::time::sleep(wait) => {}
        }
    }
    cancel.cancel();
    runner.pollers.stop_all();
    runner.fleet.stop();
    if let Some(log) = audit {
        log.sink().flush(Duration::from_secs(2));
    }
    let _ = stdout().flush();
    let signal = signalled.load(std::sync::atomic::Ordering::SeqCst);
    if signal != 0 {
        tracing::info!(signal, "ended by a signal; terminal restored");
    }
    Ok((signal != 0).then_some(signal))
}

/// The task reading the terminal's keys; stopped while a plugin has the terminal (it must not
/// read the program's input).
struct InputTask {
    stop: CancellationToken,
    handle: tokio::task::JoinHandle<()>,
}

impl InputTask {
    fn start(tx: mpsc::Sender<Msg>, cancel: &CancellationToken) -> Self {
        let stop = cancel.child_token();
        let handle = tokio::spawn(input(tx, stop.clone()));
        Self { stop, handle }
    }

    /// Stop reading (the event stream is dropped before this returns).
    async fn stop(&mut self) {
        self.stop.cancel();
        let _ = (&mut self.handle).await;
    }
}

/// Run a plugin in the terminal: stop reading keys, record the attempt (a run that cannot be
/// recorded does not happen), leave the alternate screen and raw mode, run it, then take the
/// terminal back (raw mode, alternate screen, mouse) and clear it so the next frame redraws
/// everything; read keys again.
async fn suspend_for(
    terminal: &mut Term,
    keys: &mut InputTask,
    (tx, cancel): (&mpsc::Sender<Msg>, &CancellationToken),
    req: &crate::features::extend::PluginRequest,
    audit: super::plugins::Audit,
) -> color_eyre::Result<crate::features::extend::Outcome> {
    use crossterm::terminal::{
        EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
    };
    let started = Instant::now();
    if let Err(why) = super::plugins::attempt(req, &audit).await {
        return Ok(super::plugins::not_run(req, why));
    }
    keys.stop().await;
    // Ctrl-C while the program runs is for the program: from now on SIGINT no longer ends
    // cpitop (in raw mode Ctrl-C is a key anyway).
    let _sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )?;
    disable_raw_mode()?;
    let o = super::plugins::in_terminal(req);
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    terminal.hide_cursor()?;
    // The screen is blank now: an empty frame makes ratatui's idea of it blank too, so the next
    // frame is drawn in full. (`Terminal::clear` would ask the terminal for the cursor position
    // and wait for an answer.)
    terminal.draw(|_| {})?;
    *keys = InputTask::start(tx.clone(), cancel);
    super::plugins::result(req, &audit, &o, super::plugins::millis_since(started));
    Ok(o)
}

/// The crash test's panic in a background task (see `crash::crash_test_requested`).
#[expect(clippy::panic, reason = "the crash test exists to panic in a task")]
fn crash_test_panic() {
    panic!("crash test: a background task panicked");
}

/// SIGTERM (`timeout`, `kill`), SIGHUP (the SSH session closed) and SIGQUIT end cpitop the way `q`
/// does — final cache save, pollers stopped, terminal restored — instead of leaving the terminal in
/// raw mode on the alternate screen. A second signal while quitting is ignored; the quit path is
/// bounded by itself.
async fn signals(
    tx: mpsc::Sender<Msg>,
    signalled: std::sync::Arc<std::sync::atomic::AtomicI32>,
    cancel: CancellationToken,
) {
    use tokio::signal::unix::{SignalKind, signal};
    let (term, hup, quit) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::quit()),
    ) {
        (Ok(t), Ok(h), Ok(q)) => (t, h, q),
        _ => {
            tracing::warn!("cannot listen for SIGTERM/SIGHUP/SIGQUIT; they will end cpitop abruptly");
            return;
        }
    };
    let (mut term, mut hup, mut quit) = (term, hup, quit);
    let number = tokio::select! {
        _ = cancel.cancelled() => return,
        _ = term.recv() => 15,
        _ = hup.recv() => 1,
        _ = quit.recv() => 3,
    };
    signalled.store(number, std::sync::atomic::Ordering::SeqCst);
    let _ = tx.send(Msg::Terminate).await;
}

async fn input(tx: mpsc::Sender<Msg>, cancel: CancellationToken) {
    let mut events = EventStream::new();
    loop {
        let ev = tokio::select! {
            _ = cancel.cancelled() => return,
            ev = events.next() => ev,
        };
        let msg = match ev {
            Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Msg::Key(k),
            Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
            Some(Ok(Event::Paste(text))) => Msg::Paste(text),
            Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
            Some(Ok(_)) => continue,
            Some(Err(e)) => {
                tracing::error!("terminal input failed: {e}");
                return;
            }
            None => return,
        };
        if tx.send(msg).await.is_err() {
            return;
        }
    }
}

async fn ticks(tx: mpsc::Sender<Msg>, cancel: CancellationToken) {
    let mut every = tokio::time::interval(Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = every.tick() => {}
        }
        // A full channel means the loop is busy: skip this tick rather than queue it.
        if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send(Msg::Tick(now_ms())) {
            return;
        }
    }
}

async fn stats(
    client: tokio::sync::watch::Receiver<Option<CpiClient>>,
    tx: mpsc::Sender<Msg>,
    cancel: CancellationToken,
) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = every.tick() => {}
        }
        let Some(s) = client.borrow().as_ref().map(CpiClient::stats) else {
            continue;
        };
        let msg = Msg::Stats(ApiStats {
            requests: s.requests,
            throttled: s.throttled,
            failed: s.failed,
            per_minute: s.requests_per_minute as f64,
        });
        if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send(msg) {
            return;
        }
    }
}
