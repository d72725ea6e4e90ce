//! The Errors pane's files: where a tenant's remembered error signatures are kept, read at start
//! and on a tenant switch (saving is `Effect::SaveErrorsSeen`, in the effect runner).

/// The Errors pane's start for `tenant`: `[errors]` of the config, and the tenant's remembered
/// signatures read from the state dir (none without one), with a notice when they could not be
/// used.
pub fn errors_launch(
    cfg: &crate::config::ErrorsConfig,
    tenant: &str,
    state_dir: Option<&std::path::Path>,
) -> (crate::panes::errors::ErrorsLaunch, Option<String>) {
    use crate::signature::{SeenSignatures, Signer};
    let (seen, seen_path, notice) = SeenSignatures::of_tenant(state_dir, tenant);
    let launch = crate::panes::errors::ErrorsLaunch {
        settings: crate::panes::errors::Settings {
            budget: cfg.budget,
            custom_statuses: cfg.custom_statuses.clone(),
            signer: std::sync::Arc::new(Signer::new(cfg.rules.clone())),
        },
        per_iflow: cfg.per_iflow,
        seen,
        seen_path,
    };
    (launch, notice)
}
