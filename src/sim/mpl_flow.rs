//! A message's iFlow and its custom status, as the message routes and the navigations show them.

use super::catalog::{FLOWS, Flow};
use super::mpl_gen::Gen;
use super::mpl_store::MsgState;

/// Salt of the hash that picks the COMPLETED messages with the custom status `ERROR` (the other
/// salts of a message row's realism are in `mpl_routes`).
const SALT_CUSTOM: u64 = 46;

pub fn flow(st: &MsgState) -> &'static Flow {
    &FLOWS[st.life.flow as usize]
}

/// `CustomStatus`: the status, except that one COMPLETED message in 30 carries `ERROR` (an iFlow
/// set `SAP_MessageProcessingLogCustomStatus`: a business error behind a technical success).
pub fn custom_status(mg: &Gen, st: &MsgState) -> &'static str {
    if st.real && st.status == super::mpl_gen::Status::Completed && mg.h(st.i, SALT_CUSTOM) % 30 == 0 {
        return "ERROR";
    }
    st.status.as_str()
}
