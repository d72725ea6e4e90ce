//! Every record of machine output, by the name the README documents it under (README,
//! "Machine output"): the one list a test checks the README against, field by field. A new
//! resource's record is added here (see the README's "Adding a resource's record").

use serde::Serialize;

use crate::kit::schema::fields_of;
use crate::panes::alerts::schema as alerts;
use crate::panes::artifacts::schema as artifacts;
use crate::panes::errors::schema as errors;
use crate::panes::keystore::schema as keystore;
use crate::panes::messages::schema as messages;
use crate::panes::queues::schema as queues;
use crate::panes::tenants::schema as tenants;

/// A record type as documented: its name (the README's `#### \`name\`` heading) and its own
/// fields in order (a detail record lists only what it adds to its row's fields).
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub name: &'static str,
    pub fields: fn() -> Vec<String>,
}

/// The fields `D` adds to the fields of the row `R` it flattens.
fn added<D: Serialize + Default, R: Serialize + Default>() -> Vec<String> {
    let row = fields_of::<R>();
    fields_of::<D>()
        .into_iter()
        .filter(|f| !row.contains(f))
        .collect()
}

pub const RECORDS: &[Record] = &[
    Record {
        name: "keystore_entry",
        fields: fields_of::<keystore::KeystoreRecord>,
    },
    Record {
        name: "certificate",
        fields: added::<keystore::CertificateRecord, keystore::KeystoreRecord>,
    },
    Record {
        name: "artifact",
        fields: fields_of::<artifacts::ArtifactRecord>,
    },
    Record {
        name: "artifact_detail",
        fields: added::<artifacts::ArtifactDetail, artifacts::ArtifactRecord>,
    },
    Record {
        name: "deployment_error",
        fields: fields_of::<artifacts::DeploymentError>,
    },
    Record {
        name: "error_part",
        fields: fields_of::<artifacts::ErrorPartRecord>,
    },
    Record {
        name: "message",
        fields: fields_of::<messages::MessageRecord>,
    },
    Record {
        name: "message_detail",
        fields: added::<messages::MessageDetailRecord, messages::MessageRecord>,
    },
    Record {
        name: "adapter_attribute",
        fields: fields_of::<messages::AdapterAttributeRecord>,
    },
    Record {
        name: "name_value",
        fields: fields_of::<messages::NameValueRecord>,
    },
    Record {
        name: "attachment",
        fields: fields_of::<messages::AttachmentRecord>,
    },
    Record {
        name: "run",
        fields: fields_of::<messages::RunRecord>,
    },
    Record {
        name: "step",
        fields: fields_of::<messages::StepRecord>,
    },
    Record {
        name: "queue",
        fields: fields_of::<queues::QueueRecord>,
    },
    Record {
        name: "queues_document",
        fields: fields_of::<queues::QueuesDocument>,
    },
    Record {
        name: "broker",
        fields: fields_of::<queues::BrokerRecord>,
    },
    Record {
        name: "queue_message",
        fields: fields_of::<queues::QueueMessageRecord>,
    },
    Record {
        name: "error_group",
        fields: fields_of::<errors::ErrorGroupRecord>,
    },
    Record {
        name: "iflow_count",
        fields: fields_of::<errors::IflowCount>,
    },
    Record {
        name: "error_member",
        fields: fields_of::<errors::ErrorMemberRecord>,
    },
    Record {
        name: "monitor",
        fields: fields_of::<alerts::MonitorRecord>,
    },
    Record {
        name: "evidence",
        fields: fields_of::<alerts::EvidenceRecord>,
    },
    Record {
        name: "transition",
        fields: fields_of::<alerts::TransitionRecord>,
    },
    Record {
        name: "tenant",
        fields: fields_of::<tenants::TenantRecord>,
    },
    Record {
        name: "drift",
        fields: fields_of::<tenants::DriftRecord>,
    },
    Record {
        name: "drift_cell",
        fields: fields_of::<tenants::DriftCellRecord>,
    },
    Record {
        name: "landscape_drift",
        fields: fields_of::<tenants::LandscapeDriftRecord>,
    },
    Record {
        name: "drift_tenant",
        fields: fields_of::<tenants::DriftTenantRecord>,
    },
];
