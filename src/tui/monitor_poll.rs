//! The monitor poller: fetches what the active monitors read and no pane provides fresh
//! (keystore, packages, queue messages; artifacts, queues and the broker while their pane is not
//! polling; messages while the Messages pane holds no unfiltered window). The state decides what
//! a round needs (`FetchPlan`, see `panes::alerts::eval::plan`); one task per round fetches the parts in
//! parallel (`resources::monitor_data`, as `check`/`watch` do) and sends the owned result back
//! as `DataMsg::Monitor`. At most one round is in flight (the state holds its generation).

use tokio::sync::mpsc;

use crate::app::msg::{DataMsg, Msg};
use crate::cpi::CpiClient;
pub use crate::resources::monitor_data::{FetchPlan, MessagesFetch, MonitorFetched, fetch};

/// Run one round and send the result to the state owner.
/// A round someone waits for (`FetchPlan::foreground`) runs in the limiter's foreground.
pub fn spawn(client: CpiClient, plan: FetchPlan, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let fetched = if plan.foreground {
            crate::cpi::foreground(fetch(&client, &plan)).await
        } else {
            fetch(&client, &plan).await
        };
        let _ = tx.send(Msg::Data(DataMsg::Monitor(Box::new(fetched)))).await;
    });
}
