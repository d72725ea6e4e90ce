//! The effect runner: the only place `update`'s requests turn into I/O. Fetches run as tasks
//! whose owned results come back as `Msg`s; nothing here blocks the loop.

use std::io::Write;

use tokio::sync::mpsc;

use super::poll::Pollers;
use crate::app::msg::{DataMsg, Effect, FetchError, Msg};
use crate::cpi::client::CpiClient;
use crate::features::extend::PluginEffect;
use crate::resources;

pub struct EffectRunner {
    /// The current tenant's client; `None` while the tenant cannot be used (its secret is
    /// missing: nothing is asked of any tenant until `:ctx` switches to one that can).
    pub(crate) client: Option<CpiClient>,
    pub(crate) tx: mpsc::Sender<Msg>,
    pub pollers: Pollers,
    /// Guarded writes (retry/move/delete, restart/undeploy) and their audit log.
    pub writes: super::writes::WriteRunner,
    in_tmux: bool,
    /// The once-per-session clipboard hint has been given.
    clipboard_hinted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Saving alert state and sending notifications (`None`: monitors not set up).
    pub alerts: Option<super::alerts_io::AlertsIo>,
    /// The current tenant's client, for tasks that outlive a tenant switch (header counters).
    pub(crate) client_tx: tokio::sync::watch::Sender<Option<CpiClient>>,
    /// The offline cache's files and resolving tenants to switch to.
    pub(crate) cache_io: super::tenant_effects::CacheIo,
    /// Where the `:` line's history is kept (`None`: not kept).
    pub history_file: Option<std::path::PathBuf>,
    /// Every tenant's overview (the Tenants pane).
    pub fleet: super::fleet::Fleet,
    /// Where the current tenant's remembered error signatures are kept (`None`: not kept).
    pub errors_seen_path: Option<std::path::PathBuf>,
}

impl EffectRunner {
    pub fn new(client: CpiClient, tx: mpsc::Sender<Msg>) -> Self {
        Self::for_client(Some(client), tx)
    }

    /// A runner for `client`, or for a tenant that cannot be used (`None`: nothing is asked of
    /// any tenant until a `:ctx` switch brings one).
    pub fn for_client(client: Option<CpiClient>, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            pollers: Pollers::for_client(client.clone(), tx.clone()),
            writes: super::writes::WriteRunner::new(client.clone(), tx.clone()),
            cache_io: super::tenant_effects::CacheIo::new(tx.clone()),
            fleet: super::fleet::Fleet::new(tx.clone()),
            client_tx: tokio::sync::watch::Sender::new(client.clone()),
            client,
            tx,
            errors_seen_path: None,
            in_tmux: super::clipboard::in_tmux(),
            clipboard_hinted: Default::default(),
            alerts: None,
            history_file: None,
        }
    }

    /// Give the runner what switching tenants and the cache need (not in `--demo`).
    pub fn set_tenants(&mut self, tenants: Option<std::sync::Arc<crate::app::tenant::TenantConfig>>) {
        if let Some(tc) = &tenants {
            self.fleet
                .set_source(Some(super::fleet::Source::Config(tc.clone())));
        }
        self.cache_io.set_tenants(tenants);
        self.cache_io.set_fleet(self.fleet.source(), self.fleet.pool());
    }

    /// `--demo`'s simulated tenants: switching and the overview reach them (no cache).
    pub fn set_demo(&mut self, tenants: Vec<super::fleet::DemoTenant>) {
        self.fleet
            .set_source(Some(super::fleet::Source::Demo(std::sync::Arc::new(tenants))));
        self.cache_io.set_fleet(self.fleet.source(), self.fleet.pool());
    }

    /// Poll, write and notify through the new tenant's client from now on.
    fn use_tenant(&mut self, handle: crate::app::msg::ClientHandle) {
        self.pollers.stop_all();
        self.fleet
            .adopt(&handle.tenant, handle.client.clone(), handle.conn.clone());
        self.client = Some(handle.client.clone());
        self.pollers = Pollers::new(handle.client.clone(), self.tx.clone());
        // Guarded writes go to the new tenant, under its identity, from now on.
        self.writes
            .switch_tenant(handle.client.clone(), super::audit::Identity::of(&handle.conn));
        if let Some(errors) = &handle.errors {
            self.errors_seen_path = errors.seen_path.clone();
        }
        if let Some(launch) = &handle.alerts {
            // Dropping the old tenant's alert I/O stops its notifier.
            self.alerts = None;
            let (io, warnings) = super::alerts_io::AlertsIo::start(launch, &handle.tenant);
            self.alerts = Some(io);
            if let Some(w) = warnings.first() {
                self.notify(w.clone(), true);
            }
        }
        self.client_tx.send_replace(Some(handle.client));
    }

    /// Follows the current tenant's client across `:ctx` switches.
    pub fn client_updates(&self) -> tokio::sync::watch::Receiver<Option<CpiClient>> {
        self.client_tx.subscribe()
    }

    /// Run one effect. `term` is the terminal's output (for OSC 52). Returns `false` on `Quit`.
    pub fn run(&mut self, e: Effect, term: &mut dyn Write) -> bool {
        match e {
            Effect::FetchArtifactError { .. }
            | Effect::FetchMessage { .. }
            | Effect::FetchCorrelated { .. }
            | Effect::FetchAttachment { .. }
            | Effect::FetchCertificate { .. }
            | Effect::LearnWebUi { .. }
            | Effect::FetchErrorTexts { .. }
            | Effect::MonitorFetch(_) => {
                match self.client.clone() {
                    Some(c) => self.ask_tenant(c, e),
                    // The tenant cannot be used (its secret is missing): nothing is asked.
                    None => tracing::debug!("no usable tenant: {e:?} not run"),
                }
                true
            }
            other => self.run_local(other, term),
        }
    }

    /// The effects that ask the tenant something. What the operator opened (an error, a
    /// message, its correlated messages, an attachment) is asked in the foreground: ahead of the
    /// pollers' loads in the client's limiter.
    fn ask_tenant(&mut self, c: CpiClient, e: Effect) {
        match e {
            Effect::FetchArtifactError { id } => {
                self.spawn_foreground(async move {
                    let result = resources::artifacts::error_text(&c, &id)
                        .await
                        .map_err(FetchError::from);
                    DataMsg::ArtifactError { id, result }
                });
            }
            Effect::FetchMessage { guid } => self.fetch_message(&c, guid),
            Effect::FetchCorrelated { correlation_id } => {
                self.spawn_foreground(async move {
                    let result = resources::messages::correlated(&c, &correlation_id)
                        .await
                        .map_err(FetchError::from);
                    DataMsg::Correlated {
                        correlation_id,
                        result,
                    }
                });
            }
            Effect::FetchAttachment { id } => {
                self.spawn_foreground(async move {
                    let result = resources::message_detail::attachment_text(&c, &id).await;
                    DataMsg::Attachment { id, result }
                });
            }
            Effect::FetchCertificate { alias } => {
                self.spawn_foreground(async move {
                    let result = resources::keystore::one(&c, &alias)
                        .await
                        .map_err(FetchError::from);
                    DataMsg::Certificate { alias, result }
                });
            }
            Effect::LearnWebUi { probe } => {
                self.spawn(async move {
                    let link = c.mpl_web_link_sample().await.unwrap_or_else(|e| {
                        // Links then keep their guessed root; nothing the user must act on.
                        tracing::debug!("no web-UI link sampled: {e}");
                        None
                    });
                    DataMsg::WebLink { probe, link }
                });
            }
            Effect::MonitorFetch(plan) => {
                super::monitor_poll::spawn(c, plan, self.tx.clone());
            }
            // The Errors pane's texts: in the background (a budget of them, not one the
            // operator opened).
            Effect::FetchErrorTexts { guids } => {
                for guid in guids {
                    let c = c.clone();
                    self.spawn(async move {
                        let result = c.mpl_error_text(&guid).await.map_err(FetchError::from);
                        DataMsg::ErrorText { guid, result }
                    });
                }
            }
            other => tracing::debug!("not an effect that asks the tenant: {other:?}"),
        }
    }

    /// Every other effect (files, the terminal, pollers, switching).
    fn run_local(&mut self, e: Effect, term: &mut dyn Write) -> bool {
        match e {
            Effect::Quit => {
                self.pollers.stop_all();
                self.fleet.stop();
                return false;
            }
            Effect::Fleet(plan) => self.fleet.apply(&plan),
            Effect::FleetRefresh => self.fleet.refresh(),
            Effect::Poll(plan) => self.pollers.apply(&plan),
            Effect::RefreshNow => self.pollers.refresh_now(),
            Effect::Write(w) => self.writes.run(w),
            // Plugins that run in the terminal are taken by the loop (`run::suspend_for`).
            Effect::Plugin(PluginEffect::Run(req)) => {
                super::plugins::background(req, self.writes.audit(), self.tx.clone());
            }
            Effect::Plugin(PluginEffect::Refused {
                tenant,
                plugin,
                reason,
            }) => super::plugins::refused(&tenant, &plugin, &reason, &self.writes.audit()),
            Effect::Copy { text, what } => self.copy(text, what, term),
            Effect::SaveCache(save) => self.cache_io.save(save),
            Effect::LoadCache {
                tenant,
                url,
                message_rows,
            } => self.cache_io.load(tenant, url, message_rows),
            Effect::SwitchTenant { name } => {
                // The old tenant's pollers stop now; its results still on their way are dropped
                // by generation.
                self.pollers.stop_all();
                self.cache_io.switch(name);
            }
            Effect::UseTenant(handle) => self.use_tenant(handle),
            Effect::Export {
                path,
                format,
                fields,
                records,
            } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let (text, error) = match super::export::write(&path, format, &fields, &records) {
                        Ok(t) => (t, false),
                        Err(t) => (t, true),
                    };
                    let _ = tx.blocking_send(Msg::Notify { text, error });
                });
            }
            Effect::SortMessages { job, key, store } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let store = store.0;
                    let (at, order) = crate::panes::messages::sort_all(&store, key);
                    // Let go of the store before answering, so that the pane can change it again
                    // without copying it.
                    drop(store);
                    let _ = tx.blocking_send(Msg::MessagesSorted { job, key, at, order });
                });
            }
            Effect::SaveHistory(items) => {
                if let Some(path) = self.history_file.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = crate::config::history::save(&path, &items) {
                            tracing::warn!("command history {} not saved: {e}", path.display());
                        }
                    });
                }
            }
            Effect::FilterMessages { job, task, store } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let store = store.0;
                    let done = task.run(&store);
                    // Let go of the store first (as a sort does): pages wait while it is shared.
                    drop(store);
                    let _ = tx.blocking_send(Msg::MessagesFiltered { job, done });
                });
            }
            Effect::GroupErrors(job) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let started = std::time::Instant::now();
                    let grouped = crate::panes::errors::run_group(&job);
                    let took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    let id = job.id;
                    // Let go of the message store before answering (see `SortMessages`).
                    drop(job);
                    let _ = tx.blocking_send(Msg::ErrorsGrouped {
                        job: id,
                        grouped: Box::new(grouped),
                        took_ms,
                    });
                });
            }
            Effect::SaveErrorsSeen(seen) => {
                if let Some(path) = self.errors_seen_path.clone() {
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = seen.save(&path) {
                            tracing::warn!("error signatures not kept: {e}");
                        }
                    });
                }
            }
            Effect::SaveAlerts {
                state,
                controls,
                transitions,
            } => {
                if let Some(io) = &self.alerts {
                    io.save(state, controls, transitions, self.tx.clone());
                }
            }
            Effect::AlertNotify(transitions) => {
                if let Some(io) = &self.alerts {
                    io.notify(transitions);
                }
            }
            Effect::Bell => {
                // BEL: the terminal rings (or flashes, as its user configured).
                if let Err(e) = term.write_all(b"\x07").and_then(|()| term.flush()) {
                    tracing::debug!("bell not rung: {e}");
                }
            }
            Effect::FetchArtifactError { .. }
            | Effect::FetchMessage { .. }
            | Effect::FetchCorrelated { .. }
            | Effect::FetchAttachment { .. }
            | Effect::FetchCertificate { .. }
            | Effect::LearnWebUi { .. }
            | Effect::FetchErrorTexts { .. }
            | Effect::MonitorFetch(_) => return self.run(e, term),
        }
        true
    }

    /// `y`/`Y`: OSC 52 to the terminal; inside tmux also through tmux's client, whose answer says
    /// whether it worked (`clipboard`). Where it cannot be known, how to enable it is said once.
    fn copy(&mut self, text: String, what: String, term: &mut dyn Write) {
        use super::clipboard::{OSC52_HINT, TMUX_HINT, TmuxCopy};
        use std::sync::atomic::Ordering;
        let seq = super::clipboard::osc52(&text);
        let written = term.write_all(seq.as_bytes()).and_then(|()| term.flush());
        if !self.in_tmux {
            match written {
                Err(e) => self.notify(format!("could not copy the {what}: {e}"), true),
                Ok(()) if !self.clipboard_hinted.swap(true, Ordering::Relaxed) => {
                    self.notify(format!("copied the {what} — {OSC52_HINT}"), false);
                }
                Ok(()) => {}
            }
            return;
        }
        let (tx, hinted) = (self.tx.clone(), self.clipboard_hinted.clone());
        tokio::spawn(async move {
            let hint = || {
                if hinted.swap(true, Ordering::Relaxed) {
                    String::new()
                } else {
                    format!("; {TMUX_HINT}")
                }
            };
            let (text, error) = match super::clipboard::tmux_load_buffer(&text).await {
                // In tmux's buffer and sent on to the terminal's clipboard: "copied" stands.
                Ok(TmuxCopy::Clipboard) => return,
                Ok(TmuxCopy::BufferOnly) => (
                    format!("copied the {what} to tmux's paste buffer (prefix ]){}", hint()),
                    false,
                ),
                Err(e) => (
                    format!("could not copy the {what} through tmux: {e}{}", hint()),
                    true,
                ),
            };
            let _ = tx.send(Msg::Notify { text, error }).await;
        });
    }

    fn notify(&self, text: String, error: bool) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Msg::Notify { text, error }).await;
        });
    }

    fn spawn<F>(&self, fut: F)
    where
        F: std::future::Future<Output = DataMsg> + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let msg = fut.await;
            let _ = tx.send(Msg::Data(msg)).await;
        });
    }

    /// A fetch the operator waits for: in the foreground of the client's limiter.
    fn spawn_foreground<F>(&self, fut: F)
    where
        F: std::future::Future<Output = DataMsg> + Send + 'static,
    {
        self.spawn(crate::cpi::foreground(fut));
    }

    /// The detail's parts load concurrently (in the foreground); each shows as soon as it arrives.
    fn fetch_message(&self, client: &CpiClient, guid: String) {
        use crate::resources::message_detail as fetch;
        let part = |guid: String, part| DataMsg::Message { guid, part };
        let (c, g) = (client.clone(), guid.clone());
        let tx = self.tx.clone();
        tokio::spawn(crate::cpi::foreground(async move {
            // The record and its custom header properties come from one read (when expanded).
            let (log, headers) = fetch::message_log(&c, &g).await;
            for p in [log, headers] {
                let _ = tx.send(Msg::Data(part(g.clone(), p))).await;
            }
        }));
        let (c, g) = (client.clone(), guid.clone());
        self.spawn_foreground(async move { part(g.clone(), fetch::message_error(&c, &g).await) });
        let (c, g) = (client.clone(), guid.clone());
        self.spawn_foreground(async move { part(g.clone(), fetch::message_attachments(&c, &g).await) });
        let (c, g) = (client.clone(), guid);
        self.spawn_foreground(async move { part(g.clone(), fetch::message_runs(&c, &g).await) });
    }
}
