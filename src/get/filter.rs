//! Command-line filters of `cpitop get`: times (`15m` ago or a UTC time), statuses, and the
//! server-side message query built from them through the TUI's own `mpl_query`.

use chrono::NaiveDate;

use crate::app::msg::MessageQuery;
use crate::cpi::model::MplStatus;
use crate::cpi::mpl_window::MplQuery;
use crate::cpi::odata::{EpochMs, parse_datetime_literal};
use crate::kit::format::parse_duration;
use crate::resources::messages::mpl_query;

/// A point in time as given on the command line: a duration before now, or a UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    /// This many ms before now (`15m`, `1h`, `4h30m`, `2d`).
    Ago(i64),
    /// An absolute UTC time (epoch ms).
    At(EpochMs),
}

impl TimeArg {
    pub fn resolve(self, now: EpochMs) -> EpochMs {
        match self {
            TimeArg::Ago(ms) => now - ms,
            TimeArg::At(t) => t,
        }
    }
}

/// Parse `15m`/`1h`/`4h`/`24h`/`2d`, or a UTC time: `2024-06-10T06:13:20[.123][Z]`,
/// `2024-06-10 06:13[:20]`, `2024-06-10`. CPI filters are UTC; an explicit offset is converted.
pub fn parse_time(text: &str) -> Result<TimeArg, String> {
    let t = text.trim();
    if let Some(ms) = parse_duration(t) {
        return Ok(TimeArg::Ago(ms));
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(TimeArg::At(dt.timestamp_millis()));
    }
    let bare = t.strip_suffix('Z').unwrap_or(t).replacen(' ', "T", 1);
    if let Some(ms) = parse_datetime_literal(&bare) {
        return Ok(TimeArg::At(ms));
    }
    if let Ok(d) = NaiveDate::parse_from_str(&bare, "%Y-%m-%d") {
        if let Some(dt) = d.and_hms_opt(0, 0, 0) {
            return Ok(TimeArg::At(dt.and_utc().timestamp_millis()));
        }
    }
    Err(format!(
        "{t:?} is neither a duration (15m, 1h, 4h, 24h, 2d) nor a UTC time (2024-06-10T06:13:20Z, \
         2024-06-10 06:13, 2024-06-10)"
    ))
}

/// An artifacts `--status` list (a newtype: clap reads a bare `Vec` as repeated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactStatuses(pub Vec<String>);

/// `--status` of `get artifacts`: the status grammar (`crate::grammar::status`).
pub fn parse_artifact_statuses(text: &str) -> Result<ArtifactStatuses, String> {
    crate::grammar::status::parse_artifact_statuses(text).map(ArtifactStatuses)
}

/// A `--status` list (a newtype: clap reads a bare `Vec` as repeated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses(pub Vec<MplStatus>);

/// `--within` of `get keystore`/`get certificate`: a duration of the one grammar, at least 1h
/// (as the config's `keystore.expiring`).
pub fn parse_within(text: &str) -> Result<std::time::Duration, String> {
    let d = crate::grammar::duration::parse_duration(text).map_err(|e| e.to_string())?;
    if d < std::time::Duration::from_secs(3600) {
        return Err(format!(
            "{text:?} is shorter than 1h: give how long before its end a certificate counts as expiring, e.g. 30d"
        ));
    }
    Ok(d)
}

/// `--status` of `get messages`: the status grammar (`crate::grammar::status`).
pub fn parse_status_arg(text: &str) -> Result<Statuses, String> {
    crate::grammar::status::parse_message_statuses(text).map(Statuses)
}

/// The message filters of `get messages`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageFilter {
    pub since: Option<TimeArg>,
    pub until: Option<TimeArg>,
    pub statuses: Vec<MplStatus>,
    pub iflow: Option<String>,
    pub sender: Option<String>,
    pub receiver: Option<String>,
    /// Message id if it looks like one, else application message id (as the TUI's `:id`).
    pub id: Option<String>,
    pub correlation_id: Option<String>,
    /// Custom statuses (any of).
    pub custom_statuses: Vec<String>,
}

/// `--custom-status ERROR,Rejected`: comma-separated, kept as given (custom statuses are free
/// text set by iFlows; matched case-insensitively when re-checked).
pub fn parse_custom_statuses(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Default window when `--since` is not given.
pub const DEFAULT_SINCE_MS: i64 = 3_600_000;

impl MessageFilter {
    /// The `(from, to)` window at server time `now`; an error when it is empty.
    pub fn window(&self, now: EpochMs) -> Result<(EpochMs, Option<EpochMs>), String> {
        let from = self.since.unwrap_or(TimeArg::Ago(DEFAULT_SINCE_MS)).resolve(now);
        let to = self.until.map(|u| u.resolve(now));
        if let Some(t) = to {
            if t <= from {
                return Err("--until must be later than --since".into());
            }
        }
        Ok((from, to))
    }

    /// The server-side query: the TUI's `mpl_query` (status, iFlow, id, sender, receiver,
    /// custom status) plus the filter only the command line has (correlation id) and the exact
    /// window.
    pub fn to_query(&self, now: EpochMs) -> Result<MplQuery, String> {
        let (from, to) = self.window(now)?;
        let tui = self.pane_query(now - from);
        let mut q = mpl_query(&tui, now);
        q.from = Some(from);
        q.to = to;
        q.correlation_id = self.correlation_id.clone();
        Ok(q)
    }

    /// The Messages pane's query for these filters (its table re-checks receivers, senders and
    /// custom statuses locally).
    pub fn pane_query(&self, window_ms: i64) -> MessageQuery {
        let statuses: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
        MessageQuery {
            window_ms,
            range: None,
            status: (!statuses.is_empty()).then(|| statuses.join(",")),
            iflow: self.iflow.clone(),
            id: self.id.clone(),
            sender: self.sender.clone(),
            receiver: self.receiver.clone(),
            custom: (!self.custom_statuses.is_empty()).then(|| self.custom_statuses.join(",")),
        }
    }

    /// `last 1h · status=FAILED · iflow=X`: the window and filters, for the summary line.
    pub fn describe(&self, now: EpochMs) -> String {
        let time = crate::kit::format::TimeFmt::default();
        let mut parts = Vec::new();
        match (self.since, self.until) {
            (None, None) => parts.push(format!(
                "last {}",
                crate::kit::format::window_label(DEFAULT_SINCE_MS)
            )),
            (Some(TimeArg::Ago(ms)), None) => {
                parts.push(format!("last {}", crate::kit::format::window_label(ms)))
            }
            _ => {
                let (from, to) = self.window(now).unwrap_or((now, None));
                parts.push(format!(
                    "{} – {} UTC",
                    time.datetime(Some(from)),
                    to.map(|t| time.datetime(Some(t))).unwrap_or_else(|| "now".into())
                ));
            }
        }
        if !self.statuses.is_empty() {
            let s: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
            parts.push(format!("status={}", s.join(",")));
        }
        if !self.custom_statuses.is_empty() {
            parts.push(format!("custom={}", self.custom_statuses.join(",")));
        }
        let named = [
            ("iflow", &self.iflow),
            ("sender", &self.sender),
            ("receiver", &self.receiver),
            ("id", &self.id),
            ("correlation", &self.correlation_id),
        ];
        for (name, v) in named {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_durations_or_utc() {
        assert_eq!(parse_time("15m"), Ok(TimeArg::Ago(900_000)));
        assert_eq!(parse_time("24h"), Ok(TimeArg::Ago(86_400_000)));
        let at = Ok(TimeArg::At(1_718_000_000_000));
        assert_eq!(parse_time("2024-06-10T06:13:20Z"), at);
        assert_eq!(parse_time("2024-06-10T08:13:20+02:00"), at);
        assert_eq!(parse_time("2024-06-10 06:13:20"), at);
        assert_eq!(parse_time("2024-06-10T06:13:20.000"), at);
        assert_eq!(
            parse_time("2024-06-10 06:13"),
            Ok(TimeArg::At(1_718_000_000_000 - 20_000))
        );
        assert_eq!(parse_time("2024-06-10"), Ok(TimeArg::At(1_717_977_600_000)));
        let e = parse_time("yesterday").unwrap_err();
        assert!(e.contains("\"yesterday\"") && e.contains("UTC time"), "{e}");
    }

    #[test]
    fn artifact_statuses_are_checked() {
        assert_eq!(
            parse_artifact_statuses("error, Starting"),
            Ok(ArtifactStatuses(vec!["ERROR".into(), "STARTING".into()]))
        );
        let e = parse_artifact_statuses("STARTD").unwrap_err();
        assert!(e.contains("\"STARTD\"") && e.contains("STOPPING"), "{e}");
    }

    #[test]
    fn statuses_are_checked() {
        assert_eq!(
            parse_status_arg("failed, RETRY,failed"),
            Ok(Statuses(vec![MplStatus::Failed, MplStatus::Retry]))
        );
        let e = parse_status_arg("FAILED,broken").unwrap_err();
        assert!(e.contains("\"broken\"") && e.contains("COMPLETED"), "{e}");
        assert!(parse_status_arg(" , ").is_err());
    }

    #[test]
    fn filters_become_a_server_query() {
        let now = 10 * 3_600_000;
        let f = MessageFilter {
            since: Some(TimeArg::Ago(3_600_000)),
            statuses: vec![MplStatus::Failed],
            iflow: Some("Orders".into()),
            sender: Some("ERP".into()),
            id: Some("PO-1".into()),
            ..MessageFilter::default()
        };
        let q = f.to_query(now).unwrap();
        assert_eq!((q.from, q.to), (Some(now - 3_600_000), None));
        assert_eq!(q.statuses, vec![MplStatus::Failed]);
        assert_eq!(q.any_id.as_deref(), Some("PO-1"));
        let filter = q.user_filter().unwrap();
        assert!(filter.contains("Status eq 'FAILED'"), "{filter}");
        assert!(filter.contains("IntegrationFlowName eq 'Orders'"), "{filter}");
        // Inside a comma-joined list of senders (re-checked locally).
        assert!(filter.contains("substringof('ERP',Sender)"), "{filter}");
        assert!(filter.contains("CorrelationId eq 'PO-1'"), "{filter}");
        assert_eq!(
            f.describe(now),
            "last 1h · status=FAILED · iflow=Orders · sender=ERP · id=PO-1"
        );

        let bad = MessageFilter {
            since: Some(TimeArg::Ago(60_000)),
            until: Some(TimeArg::Ago(3_600_000)),
            ..MessageFilter::default()
        };
        assert!(bad.to_query(now).unwrap_err().contains("--until"));
        let range = MessageFilter {
            since: Some(TimeArg::At(1_000)),
            until: Some(TimeArg::At(2_000)),
            ..MessageFilter::default()
        };
        assert_eq!(range.window(now), Ok((1_000, Some(2_000))));
    }
}
