//! Packages, design-time artifacts and keystore entries (docs/cpi-api.md, "Other entity sets").

use super::client::CpiClient;
use super::error::CpiError;
use super::model::{DesigntimeArtifact, IntegrationPackage, KeystoreEntry};
use super::paging::{get_all, get_one};
use super::query::{key, url};

pub const PACKAGE_LIST_SELECT: &str =
    "Id,Name,Description,ShortText,Version,Vendor,Mode,CreatedBy,CreationDate,ModifiedBy,ModifiedDate";
/// Never `ArtifactContent` (a base64 zip) in lists.
pub const DESIGNTIME_LIST_SELECT: &str =
    "Id,Version,PackageId,Name,Description,Sender,Receiver,CreatedBy,CreatedAt,ModifiedBy,ModifiedAt";

impl CpiClient {
    /// `IntegrationPackages` (no `$inlinecount`: 501 on some tenants, §1 U).
    pub async fn packages(&self) -> Result<Vec<IntegrationPackage>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                "IntegrationPackages",
                &[("$select", PACKAGE_LIST_SELECT.into())],
            ),
        )
        .await
    }

    /// The design-time artifacts (iFlows) of one package.
    pub async fn designtime_artifacts(&self, package_id: &str) -> Result<Vec<DesigntimeArtifact>, CpiError> {
        let t = self.t();
        get_all(
            t,
            url(
                &t.root,
                &format!(
                    "IntegrationPackages({})/IntegrationDesigntimeArtifacts",
                    key(package_id)
                ),
                &[("$select", DESIGNTIME_LIST_SELECT.into())],
            ),
        )
        .await
    }

    /// `KeystoreEntries` of the `system` keystore (needs the JSON Accept header; no `$format`).
    pub async fn keystore_entries(&self) -> Result<Vec<KeystoreEntry>, CpiError> {
        let t = self.t();
        get_all(t, url(&t.root, "KeystoreEntries", &[])).await
    }

    /// One keystore entry by alias (`KeystoreEntries('<Hexalias>')`); `None` when there is none
    /// (404).
    pub async fn keystore_entry(&self, alias: &str) -> Result<Option<KeystoreEntry>, CpiError> {
        let t = self.t();
        let u = url(
            &t.root,
            &format!("KeystoreEntries({})", key(&KeystoreEntry::hex_of(alias))),
            &[],
        );
        match get_one(t, u).await {
            Ok(e) => Ok(Some(e)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}
