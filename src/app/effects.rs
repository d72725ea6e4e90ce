//! The effect runner: the only place `update`'s requests turn into I/O. Fetches run as tasks
//! whose owned results come back as `Msg`s; nothing here blocks the loop.

use std::io::Write;

use tokio::sync::mpsc;

use super::detail::{MessagePart, RunWithSteps};
use super::msg::{DataMsg, Effect, Msg};
use super::poll::Pollers;
use crate::cpi::client::CpiClient;

/// Attachment content shown as text up to this size.
const MAX_ATTACHMENT_TEXT: usize = 2 * 1024 * 1024;

pub struct EffectRunner {
    pub(crate) client: CpiClient,
    pub(crate) tx: mpsc::Sender<Msg>,
    pub pollers: Pollers,
    in_tmux: bool,
    /// Configured tenants and paths (switching, cache); `None` in `--demo`.
    pub(crate) tenants: Option<std::sync::Arc<super::ctx::TenantConfig>>,
    /// The current tenant's client, for tasks that outlive a tenant switch (header counters).
    pub(crate) client_tx: tokio::sync::watch::Sender<CpiClient>,
}

impl EffectRunner {
    pub fn new(client: CpiClient, tx: mpsc::Sender<Msg>) -> Self {
        Self {
            pollers: Pollers::new(client.clone(), tx.clone()),
            client_tx: tokio::sync::watch::Sender::new(client.clone()),
            client,
            tx,
            in_tmux: super::clipboard::in_tmux(),
            tenants: None,
        }
    }

    /// Follows the current tenant's client across `:ctx` switches.
    pub fn client_updates(&self) -> tokio::sync::watch::Receiver<CpiClient> {
        self.client_tx.subscribe()
    }

    /// Run one effect. `term` is the terminal's output (for OSC 52). Returns `false` on `Quit`.
    pub fn run(&mut self, e: Effect, term: &mut dyn Write) -> bool {
        match e {
            Effect::Quit => {
                self.pollers.stop_all();
                return false;
            }
            Effect::Poll(plan) => self.pollers.apply(&plan),
            Effect::RefreshNow => self.pollers.refresh_now(),
            Effect::FetchArtifactError { id } => {
                let c = self.client.clone();
                self.spawn(async move {
                    let result = c
                        .runtime_artifact_error(&id)
                        .await
                        .map(|o| o.map(|info| info.text()).filter(|t| !t.trim().is_empty()))
                        .map_err(|e| e.to_string());
                    DataMsg::ArtifactError { id, result }
                });
            }
            Effect::FetchMessage { guid } => self.fetch_message(guid),
            Effect::FetchCorrelated { correlation_id } => {
                let c = self.client.clone();
                self.spawn(async move {
                    let result = c
                        .mpls_by_correlation_id(&correlation_id)
                        .await
                        .map_err(|e| e.to_string());
                    DataMsg::Correlated {
                        correlation_id,
                        result,
                    }
                });
            }
            Effect::FetchAttachment { id } => {
                let c = self.client.clone();
                self.spawn(async move {
                    let result = c
                        .mpl_attachment_content(&id)
                        .await
                        .map_err(|e| e.to_string())
                        .map(|b| text_of(&b));
                    DataMsg::Attachment { id, result }
                });
            }
            Effect::Copy { text, what } => {
                let seq = super::clipboard::osc52(&text, self.in_tmux);
                if let Err(e) = term.write_all(seq.as_bytes()).and_then(|()| term.flush()) {
                    self.notify(format!("could not copy the {what}: {e}"), true);
                }
            }
            e @ (Effect::SaveCache(_)
            | Effect::LoadCache { .. }
            | Effect::SwitchTenant { .. }
            | Effect::UseTenant(_)) => self.tenant_effect(e),
            Effect::Export {
                path,
                format,
                columns,
                rows,
            } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let (text, error) = match super::export::write(&path, format, &columns, &rows) {
                        Ok(t) => (t, false),
                        Err(t) => (t, true),
                    };
                    let _ = tx.blocking_send(Msg::Notify { text, error });
                });
            }
        }
        true
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

    /// The detail's parts load concurrently; each shows as soon as it arrives.
    fn fetch_message(&self, guid: String) {
        let part = |guid: &str, part| DataMsg::Message {
            guid: guid.to_string(),
            part,
        };
        let (c, g) = (self.client.clone(), guid.clone());
        self.spawn(async move {
            let r = match c.mpl(&g).await {
                Ok(Some(m)) => Ok(m),
                Ok(None) => Err(format!(
                    "the tenant has no message {g} (it may have been deleted by retention)"
                )),
                Err(e) => Err(e.to_string()),
            };
            part(&g, MessagePart::Log(r))
        });
        let (c, g) = (self.client.clone(), guid.clone());
        self.spawn(async move {
            let r = c.mpl_error_text(&g).await.map_err(|e| e.to_string());
            part(&g, MessagePart::Error(r))
        });
        let (c, g) = (self.client.clone(), guid.clone());
        self.spawn(async move {
            let r = c.mpl_attachments(&g).await.map_err(|e| e.to_string());
            part(&g, MessagePart::Attachments(r))
        });
        let (c, g) = (self.client.clone(), guid);
        self.spawn(async move {
            let r = async {
                let runs = c.mpl_runs(&g).await.map_err(|e| e.to_string())?;
                let mut out = Vec::with_capacity(runs.len());
                for run in runs {
                    let steps = c.mpl_run_steps(&run.id).await.map_err(|e| e.to_string())?;
                    out.push(RunWithSteps { run, steps });
                }
                Ok(out)
            }
            .await;
            part(&g, MessagePart::Runs(r))
        });
    }
}

/// Attachment bytes as text; binary content is described, not dumped on the terminal.
pub fn text_of(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(MAX_ATTACHMENT_TEXT)];
    if shown.contains(&0) {
        return format!(
            "(binary content, {}; not shown)",
            super::format::bytes(bytes.len() as i64)
        );
    }
    let mut text = String::from_utf8_lossy(shown).into_owned();
    // Control characters other than newline and tab would be interpreted by the terminal.
    text.retain(|c| !c.is_control() || c == '\n' || c == '\t');
    if bytes.len() > shown.len() {
        text.push_str(&format!(
            "\n… ({} more not shown)",
            super::format::bytes((bytes.len() - shown.len()) as i64)
        ));
    }
    text
}
