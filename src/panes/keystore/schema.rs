//! The keystore entry and certificate records: what `cpitop get keystore|certificate -o
//! json|ndjson|csv` and the Keystore pane's exports write (conventions: `kit::schema`; fields:
//! README, "Machine output").

use serde::Serialize;

use crate::cpi::model::KeystoreEntry;
use crate::cpi::odata::EpochMs;
use crate::kit::schema::{Time, text};

/// A row of `get keystore` and of the pane's export.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeystoreRecord {
    /// `EXPIRED`, `EXPIRING` (within the configured `keystore.expiring`), `VALID`, or `NO_DATE`
    /// (the tenant sent no end of validity): the pane's STATUS column.
    pub status: String,
    pub alias: String,
    /// `Certificate`, `KeyPair`, … as the tenant names it.
    pub r#type: Option<String>,
    /// `RSA`, `EC`, …; the size in bits (`null` when the tenant sent none).
    pub key_type: Option<String>,
    pub key_size: Option<i64>,
    pub valid_from: Option<Time>,
    pub valid_until: Option<Time>,
    /// Whole days until the end of validity, rounded toward zero (negative: expired).
    pub days_left: Option<i64>,
    /// `SAP` or the tenant's own entries.
    pub owner: Option<String>,
}

impl KeystoreRecord {
    /// `status`: the pane's validity word (`Validity::word` of `state`, which imports this
    /// module: passed in, not looked up, so the two files form no import circle).
    pub fn of(e: &KeystoreEntry, status: &str, now: EpochMs) -> Self {
        Self {
            status: status.replace(' ', "_"),
            alias: e.alias.clone(),
            r#type: text(&e.kind),
            key_type: text(&e.key_type),
            key_size: (e.key_size > 0).then_some(e.key_size),
            valid_from: Time::of(e.valid_not_before),
            valid_until: Time::of(e.valid_not_after),
            days_left: days_left(e, now),
            owner: text(&e.owner),
        }
    }
}

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Whole days until the end of validity, rounded toward zero (negative: expired).
pub fn days_left(e: &KeystoreEntry, now: EpochMs) -> Option<i64> {
    e.valid_not_after.map(|end| (end - now) / DAY_MS)
}

/// `get certificate ALIAS`: the entry's row fields, then the certificate's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CertificateRecord {
    #[serde(flatten)]
    pub entry: KeystoreRecord,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub serial_number: Option<String>,
    pub signature_algorithm: Option<String>,
    /// `secp256r1` for EC keys.
    pub elliptic_curve: Option<String>,
    /// Colon-separated hex, as the tenant sends them.
    pub fingerprint_sha1: Option<String>,
    pub fingerprint_sha256: Option<String>,
    pub fingerprint_sha512: Option<String>,
    pub last_modified_by: Option<String>,
    pub last_modified: Option<Time>,
}

impl CertificateRecord {
    pub fn of(e: &KeystoreEntry, status: &str, now: EpochMs) -> Self {
        Self {
            entry: KeystoreRecord::of(e, status, now),
            subject: text(&e.subject_dn),
            issuer: text(&e.issuer_dn),
            serial_number: text(&e.serial_number),
            signature_algorithm: text(&e.signature_algorithm),
            elliptic_curve: text(&e.elliptic_curve),
            fingerprint_sha1: text(&e.fingerprint_sha1),
            fingerprint_sha256: text(&e.fingerprint_sha256),
            fingerprint_sha512: text(&e.fingerprint_sha512),
            last_modified_by: text(&e.last_modified_by),
            last_modified: Time::of(e.last_modified_time),
        }
    }
}
