//! Runtime artifacts: the list the Artifacts pane, the monitors and `get artifacts` read, one
//! artifact's deployment error, and the cheap `$count` that times the tenant's reachability.

use crate::cpi::model::RuntimeArtifact;
use crate::cpi::{CpiClient, CpiError};

/// Every deployed runtime artifact.
pub async fn list(client: &CpiClient) -> Result<Vec<RuntimeArtifact>, CpiError> {
    client.runtime_artifacts().await
}

/// One artifact (`None`: not deployed).
pub async fn one(client: &CpiClient, id: &str) -> Result<Option<RuntimeArtifact>, CpiError> {
    client.runtime_artifact(id).await
}

/// An artifact's deployment error as readable text (the decoded `InstanceError` levels); `None`
/// when the tenant reports none.
pub async fn error_text(client: &CpiClient, id: &str) -> Result<Option<String>, CpiError> {
    Ok(client
        .runtime_artifact_error(id)
        .await?
        .map(|info| info.text())
        .filter(|t| !t.trim().is_empty()))
}

/// `IntegrationRuntimeArtifacts/$count`: one cheap call whose answer says the tenant is up.
pub async fn ping(client: &CpiClient) -> Result<u64, CpiError> {
    client.runtime_artifact_count().await
}
