//! `cpitop sim`: run the simulated tenant standalone. This is the one place that prints the
//! sim's URL and demo credentials (they protect only the sim itself).

use std::time::Duration;

use super::{FaultRule, QueueApi, SimConfig, WebLinkForm, spawn};

#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Seed of the generated data: the global `--seed` (`cpitop sim --seed 3`).
    #[arg(skip = 1u64)]
    pub seed: u64,
    /// Live messages per second.
    #[arg(long, default_value_t = 3.0)]
    pub rate: f64,
    /// Hours of history at startup (history × rate messages).
    #[arg(long, default_value_t = 24.0, conflicts_with = "messages")]
    pub history_hours: f64,
    /// Exact number of history messages (spread over 24 hours), e.g. 1000000.
    #[arg(long)]
    pub messages: Option<u64>,
    /// OAuth token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_lifetime: u64,
    /// Which queue API to serve.
    #[arg(long, value_enum, default_value_t = QueueApi::Classic)]
    pub queue_api: QueueApi,
    /// HTTP status of the queue APIs not offered (e.g. 404 or 501) [default: 501 with
    /// `--queue-api none`, else 404].
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(400..600))]
    pub queue_api_absent_status: Option<u16>,
    /// Form of the messages' `AlternateWebLink` (web-UI links).
    #[arg(long, value_enum, default_value_t = WebLinkForm::IntegrationSuite)]
    pub web_link: WebLinkForm,
    /// Accept writes without a CSRF token.
    #[arg(long)]
    pub no_csrf: bool,
    /// Fault rule, repeatable: `kind[:param][,count=N][,prob=P][,path=S][,method=M][,after=N]`
    /// or JSON. Kinds: latency:MS, rate_limit:SECS, http500, http503, html_login,
    /// malformed_json, truncated_json, drop_connection, token_expiry, tenant_down,
    /// control_chars[:error].
    #[arg(long = "fault", value_parser = FaultRule::parse_flag)]
    pub faults: Vec<FaultRule>,
    /// A tenant as clean as the spec: none of the real-tenant behaviours of docs/sim.md.
    #[arg(long)]
    pub clean: bool,
    /// Share of messages (0–1) whose `Runs` answers 404 (1 = a tenant without runs).
    #[arg(long, default_value_t = 0.05)]
    pub runs_404: f64,
    /// A tenant of the simulated landscape `cpitop --demo` runs: `dev` (the plain sim of the
    /// seed), `test` or `prod` (the same artifacts with some drift; messages from the next
    /// seeds). Start one sim per stage to try the Tenants pane against configured tenants.
    #[arg(long, value_enum)]
    pub stage: Option<super::Stage>,
}

impl SimArgs {
    pub fn config(&self) -> Result<SimConfig, String> {
        if !(self.history_hours >= 0.0 && self.history_hours.is_finite()) {
            return Err(format!(
                "--history-hours must be >= 0, got {}",
                self.history_hours
            ));
        }
        let base = match self.stage {
            Some(stage) => SimConfig::landscape_stage(self.seed, stage),
            None => SimConfig {
                seed: self.seed,
                ..SimConfig::default()
            },
        };
        Ok(SimConfig {
            port: self.port,
            message_rate: self.rate,
            history: Duration::from_secs_f64(
                if self.messages.is_some() {
                    24.0
                } else {
                    self.history_hours
                } * 3600.0,
            ),
            history_messages: self.messages,
            token_lifetime: Duration::from_secs(self.token_lifetime.max(1)),
            queue_api: self.queue_api,
            queue_api_absent_status: self.queue_api_absent_status.unwrap_or(0),
            require_csrf: !self.no_csrf,
            faults: self.faults.clone(),
            start_time_ms: None,
            clean: self.clean,
            runs_404: self.runs_404,
            web_link: self.web_link,
            ..base
        })
    }
}

/// Run until Ctrl-C.
pub fn run_cli(args: SimArgs) -> color_eyre::Result<()> {
    let cfg = args.config().map_err(|e| color_eyre::eyre::eyre!(e))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let started = std::time::Instant::now();
        let h = spawn(cfg).await?;
        println!(
            "cpitop simulated CPI tenant (seed {}) ready in {:.1?}",
            args.seed,
            started.elapsed()
        );
        println!("  API:           {}/api/v1", h.base_url);
        println!("  service url:   {}", h.base_url);
        println!("  token url:     {}", h.token_url);
        println!("  client id:     {}", h.client_id);
        println!("  client secret: {}", h.client_secret);
        println!("  basic user:    {} / {}", h.username, h.password);
        println!("  admin:         {}/sim/admin", h.base_url);
        println!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c().await?;
        h.shutdown().await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn stage_makes_a_tenant_of_the_landscape_and_keeps_the_other_flags() {
        // The seed is the global `--seed`, set by the caller.
        let with_seed = |args: &[&str]| {
            let mut a = Cli::parse_from(args).sim;
            a.seed = 4;
            a.config().unwrap()
        };
        let c = with_seed(&["sim", "--stage", "prod", "--rate", "2"]);
        let want = SimConfig::landscape_stage(4, super::super::Stage::Prod);
        assert_eq!((c.seed, c.artifact_seed), (want.seed, Some(4)));
        assert_eq!(c.artifact_changes, want.artifact_changes);
        assert_eq!(c.message_rate, 2.0);
        // Without --stage: the plain sim of the seed.
        let c = with_seed(&["sim"]);
        assert_eq!((c.seed, c.artifact_seed), (4, None));
        assert!(c.artifact_changes.is_empty());
    }
}
