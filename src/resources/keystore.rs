//! The tenant's keystore entries (certificates and key pairs, with their validity).

use crate::cpi::model::KeystoreEntry;
use crate::cpi::{CpiClient, CpiError};

/// Every keystore entry.
pub async fn entries(client: &CpiClient) -> Result<Vec<KeystoreEntry>, CpiError> {
    client.keystore_entries().await
}
