//! A message's iFlow and its custom status, as the message routes and the navigations show them.

use super::catalog::{FLOWS, Flow};
use super::mpl_store::MsgState;

pub fn flow(st: &MsgState) -> &'static Flow {
    &FLOWS[st.life.flow as usize]
}

pub fn custom_status(st: &MsgState) -> &'static str {
    st.status.as_str()
}
