//! The Keystore pane: every entry of the tenant's keystore (certificates and key pairs) with its
//! validity, expired and expiring ones first; and one certificate's details (subject, issuer,
//! serial, fingerprints, validity), also opened from an alert's evidence (`Nav::OpenCertificate`).
//!
//! - [`state`]: the slice, its columns, its views (`Route`) and what its keys do.
//! - [`doc`]: the certificate's document. [`view`]: hints, breadcrumbs and drawing.
//! - [`get`]: `cpitop get keystore` and `cpitop get certificate ALIAS`; [`schema`]: their records.

pub mod doc;
pub mod get;
pub mod schema;
pub mod state;
pub mod view;

pub use state::{COLUMNS, Keystore, Route, Validity};
