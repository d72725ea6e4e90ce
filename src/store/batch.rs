//! One decoded MPL page in columnar form: what the fetcher produces on a blocking thread and the
//! state owner merges into the store. Self-contained and `Send`: its own id bytes and its own small
//! dictionary, so that merging is a remap of a few hundred codes plus column appends.

use std::collections::HashMap;

use crate::cpi::model::MplStatus;
use crate::cpi::mpl_row::{DecodedMplPage, InFlightPage, MplRow, decode_page};
use crate::cpi::odata::{EpochMs, parse_date};

use super::dict::{Dict, IflowInfo};

/// Sentinel for a missing `LogStart`.
pub(crate) const NO_TIME: EpochMs = i64::MIN;

/// Ids longer than this are cut (at a character boundary). CPI ids are at most a few hundred
/// characters; the cap keeps the per-row length fields at 16 bits.
pub(crate) const MAX_ID_LEN: usize = u16::MAX as usize;

/// The message ids of one row, in the order they are laid out in an id arena.
pub(crate) const ID_FIELDS: usize = 3;

/// A decoded page of lean MPL rows (`mpl_row::MPL_LIST_SELECT`).
#[derive(Debug, Clone, Default)]
pub struct MplBatch {
    /// `MessageGuid`, `CorrelationId`, `ApplicationMessageId` of every row, concatenated.
    pub(crate) ids: Vec<u8>,
    pub(crate) id_lens: Vec<[u16; ID_FIELDS]>,
    /// `LogStart`, `NO_TIME` when missing.
    pub(crate) log_start: Vec<EpochMs>,
    /// The message's time: `LogEnd`; for a row without one (in flight), the time the page was
    /// requested once `observed` is known, else `LogStart`, else 0.
    pub(crate) log_end: Vec<EpochMs>,
    /// Rows without a `LogEnd` (messages in flight), by index in the batch.
    pub(crate) running: Vec<u32>,
    pub(crate) status: Vec<u8>,
    /// Codes into `strings`.
    pub(crate) iflow: Vec<u32>,
    pub(crate) sender: Vec<u32>,
    pub(crate) receiver: Vec<u32>,
    pub(crate) app_type: Vec<u32>,
    pub(crate) custom_status: Vec<u32>,
    pub(crate) strings: Dict,
    /// Artifact properties per iFlow code (last row of the page that carried them).
    pub(crate) iflow_info: HashMap<u32, IflowInfo>,
    max_log_end: Option<EpochMs>,
    /// Rows that could not be placed (no `MessageGuid`): kept aside, counted and logged.
    pub(crate) skipped: usize,
    /// When (server time) the page was requested, if the fetcher said.
    pub(crate) observed_at: Option<EpochMs>,
    /// Whether the page is a listing of the messages in flight, and a complete one.
    pub(crate) in_flight: InFlightPage,
}

impl MplBatch {
    /// Decode one page as the tenant sends it: `{"d":{"results":[…]}}` with the lean `$select`
    /// fields, `__metadata` and the `IntegrationArtifact` complex property. The error names what
    /// is wrong and where (serde's line/column, or the row index).
    pub fn decode(bytes: &[u8]) -> Result<MplBatch, String> {
        let page = decode_page(bytes).map_err(|e| {
            format!(
                "MPL page ({} bytes) is not a message list of the expected shape \
                 {{\"d\":{{\"results\":[…]}}}}: {e}",
                bytes.len()
            )
        })?;
        let rows = &page.d.results;
        let mut b = MplBatch::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            b.push_row(row).map_err(|e| format!("MPL page row {i}: {e}"))?;
        }
        if b.skipped > 0 {
            tracing::warn!(
                skipped = b.skipped,
                rows = rows.len(),
                "MPL page: rows without a MessageGuid kept aside"
            );
        }
        Ok(b)
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n * 64),
            id_lens: Vec::with_capacity(n),
            log_start: Vec::with_capacity(n),
            log_end: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            iflow: Vec::with_capacity(n),
            sender: Vec::with_capacity(n),
            receiver: Vec::with_capacity(n),
            app_type: Vec::with_capacity(n),
            custom_status: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    /// Append one decoded row. A row without a `MessageGuid` cannot be placed (the store keys
    /// by it): it is kept aside and counted (`skipped`), never an error that would fail the
    /// page. A row without a (readable) `LogEnd` is a message in flight.
    pub fn push_row(&mut self, row: &MplRow<'_>) -> Result<(), String> {
        let guid = row.message_guid.as_ref().trim();
        if guid.is_empty() {
            self.skipped += 1;
            tracing::debug!(
                status = row.status.as_deref().unwrap_or(""),
                "MPL row without a MessageGuid kept aside"
            );
            return Ok(());
        }
        let ids = [
            guid,
            row.correlation_id.as_deref().unwrap_or(""),
            row.application_message_id.as_deref().unwrap_or(""),
        ];
        let mut lens = [0u16; ID_FIELDS];
        for (len, id) in lens.iter_mut().zip(ids) {
            let id = cap_id(id);
            self.ids.extend_from_slice(id.as_bytes());
            *len = id.len() as u16;
        }
        self.id_lens.push(lens);

        let date = |field: &str, text: Option<&str>| -> Option<EpochMs> {
            let t = text?;
            let v = parse_date(t);
            if v.is_none() {
                tracing::debug!(guid, field, text = t, "MPL row: unparsable date ignored");
            }
            v
        };
        let start = date("LogStart", row.log_start.as_deref());
        let end = date("LogEnd", row.log_end.as_deref());
        if let Some(e) = end {
            self.max_log_end = Some(self.max_log_end.map_or(e, |m| m.max(e)));
        }
        self.log_start.push(start.unwrap_or(NO_TIME));
        if end.is_none() {
            self.running.push(self.log_end.len() as u32);
        }
        self.log_end.push(end.or(self.observed_at).or(start).unwrap_or(0));
        let status = row.status.as_deref().map_or(MplStatus::Unknown, MplStatus::parse);
        self.status.push(status as u8);

        let iflow = self.strings.intern(row.iflow_id());
        self.iflow.push(iflow);
        if let Some(a) = &row.integration_artifact {
            let info = IflowInfo {
                name: a.name.as_deref().unwrap_or("").into(),
                kind: a.kind.as_deref().unwrap_or("").into(),
                package_id: a.package_id.as_deref().unwrap_or("").into(),
                package_name: a.package_name.as_deref().unwrap_or("").into(),
            };
            if !info.is_empty() && self.iflow_info.get(&iflow) != Some(&info) {
                self.iflow_info.insert(iflow, info);
            }
        }
        let mut code =
            |v: &Option<std::borrow::Cow<'_, str>>| self.strings.intern(v.as_deref().unwrap_or(""));
        let sender = code(&row.sender);
        let receiver = code(&row.receiver);
        let app_type = code(&row.application_message_type);
        let custom = code(&row.custom_status);
        self.sender.push(sender);
        self.receiver.push(receiver);
        self.app_type.push(app_type);
        self.custom_status.push(custom);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.id_lens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id_lens.is_empty()
    }

    /// Rows kept aside because they could not be placed (no `MessageGuid`).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Whether this page is the listing of the messages in flight (`cpi::mpl_window`).
    pub fn is_in_flight_listing(&self) -> bool {
        self.in_flight != InFlightPage::No
    }

    /// Rows without a `LogEnd` (messages in flight).
    pub fn running(&self) -> usize {
        self.running.len()
    }

    /// Whether row `i` of the batch has no `LogEnd`.
    pub(crate) fn is_running(&self, i: usize) -> bool {
        self.running.binary_search(&(i as u32)).is_ok()
    }

    /// The `MessageGuid`s of the batch, in page order.
    pub fn guids(&self) -> impl Iterator<Item = &str> + '_ {
        let mut off = 0usize;
        self.id_lens.iter().map(move |l| {
            let start = off;
            off += l.iter().map(|&x| x as usize).sum::<usize>();
            std::str::from_utf8(&self.ids[start..start + l[0] as usize]).unwrap_or("")
        })
    }
}

/// Cut an id to `MAX_ID_LEN` bytes at a character boundary.
fn cap_id(id: &str) -> &str {
    if id.len() <= MAX_ID_LEN {
        return id;
    }
    let mut end = MAX_ID_LEN;
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    &id[..end]
}

impl DecodedMplPage for MplBatch {
    fn row_count(&self) -> usize {
        self.len()
    }
    /// The newest `LogEnd` as sent (rows without `LogEnd` do not count: keyset paging continues
    /// on `LogEnd`).
    fn max_log_end(&self) -> Option<EpochMs> {
        self.max_log_end
    }
    /// The rows with a `LogEnd` (a row in flight has none to compare).
    fn for_each_key(&self, f: &mut dyn FnMut(&str, EpochMs)) {
        for (i, (guid, &end)) in self.guids().zip(&self.log_end).enumerate() {
            if !self.is_running(i) {
                f(guid, end);
            }
        }
    }
    /// Rows without a `LogEnd` take the time the page was requested: they sort as current and
    /// stay within a rolling window while they keep being listed.
    fn observed(&mut self, at: EpochMs, in_flight: InFlightPage) {
        self.observed_at = Some(at);
        self.in_flight = in_flight;
        for &i in &self.running {
            self.log_end[i as usize] = at;
        }
    }
}
