//! A 1,000,000-message window starts and serves pages (timings live in benches/sim.rs).

use crate::sim_util;

use cpitop::cpi::mpl_row::MPL_LIST_SELECT;
use cpitop::sim::SimConfig;
use sim_util::{T, results};

#[tokio::test]
async fn one_million_message_window() {
    let t = T::new(SimConfig {
        history_messages: Some(1_000_000),
        message_rate: 3.0,
        ..SimConfig::default()
    })
    .await;
    let total: usize = t
        .get("/MessageProcessingLogs/$count")
        .await
        .body
        .parse()
        .expect("n");
    assert!(total >= 999_000, "{total}");
    let v = t
        .json(&format!(
            "/MessageProcessingLogs?$orderby=LogEnd&$select={MPL_LIST_SELECT}&$skip=500000"
        ))
        .await;
    assert_eq!(results(&v).len(), 1000);
    assert!(
        v["d"]["__next"]
            .as_str()
            .is_some_and(|n| n.contains("skiptoken=1000"))
    );
}
