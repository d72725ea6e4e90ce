//! The tenant's keystore entries (certificates and key pairs, with their validity): the list the
//! Keystore pane, the monitors and `get keystore` read, and one entry by alias (the certificate
//! view opened from an alert, `get certificate`).

use crate::cpi::model::KeystoreEntry;
use crate::cpi::{CpiClient, CpiError};

/// Every keystore entry of the `system` keystore.
pub async fn entries(client: &CpiClient) -> Result<Vec<KeystoreEntry>, CpiError> {
    client.keystore_entries().await
}

/// One entry by its alias (`None`: the keystore has no such alias).
pub async fn one(client: &CpiClient, alias: &str) -> Result<Option<KeystoreEntry>, CpiError> {
    client.keystore_entry(alias).await
}
