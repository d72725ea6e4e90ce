//! The landscape `--demo` runs (the TUI, `cpitop get tenants|drift --demo`, `cpitop check
//! --demo --all-tenants`): three simulated tenants, dev → test → prod, sharing their artifacts
//! with some drift between them (`SimConfig::landscape_stage`).

use super::TenantRef;
use crate::config::Environment;
use crate::sim::{SimConfig, SimError, SimHandle, Stage};

/// The landscape's name.
pub const LANDSCAPE: &str = "demo";

/// The demo's tenants: name, the sim's stage, environment. The first is the one opened.
pub const TENANTS: [(&str, Stage, Environment); 3] = [
    ("demo-dev", Stage::Dev, Environment::Dev),
    ("demo-test", Stage::Test, Environment::Test),
    ("demo-prod", Stage::Prod, Environment::Prod),
];

/// One running tenant of the demo landscape.
pub struct DemoMember {
    pub tenant: TenantRef,
    pub sim: SimHandle,
}

/// Start the demo landscape's simulated tenants; `seed` is the dev tenant's (`--seed`), the
/// others' messages come from the next seeds. `shape` adjusts each sim's config (the headless
/// commands keep a shorter history).
pub async fn spawn(seed: u64, shape: impl Fn(SimConfig) -> SimConfig) -> Result<Vec<DemoMember>, SimError> {
    let mut out = Vec::new();
    for (name, stage, env) in TENANTS {
        let sim = crate::sim::spawn(shape(SimConfig::landscape_stage(seed, stage))).await?;
        tracing::info!(url = %sim.base_url, tenant = name, "demo: simulated tenant started");
        out.push(DemoMember {
            tenant: TenantRef::new(name, env, LANDSCAPE),
            sim,
        });
    }
    Ok(out)
}
