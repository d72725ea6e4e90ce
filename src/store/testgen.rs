//! Synthetic MPL list pages in exactly the wire shape a tenant sends (docs/cpi-api.md, "Message processing logs", lean
//! `$select` plus `__metadata` and `IntegrationArtifact`), for tests and benchmarks of the store
//! and the loader: ~200 iFlows, ~50 parties, 28-character guids, realistic status proportions,
//! nulls, escaped strings and both `/Date(…)/` spellings. Deterministic for a given seed.

use std::fmt::Write as _;

use crate::cpi::odata::EpochMs;

const HOST: &str = "https://t1.it-cpi018.cfapps.eu10.hana.ondemand.com:443/api/v1";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Status mix of a healthy busy tenant (per mille).
const STATUS_MIX: [(&str, u32); 8] = [
    ("COMPLETED", 900),
    ("FAILED", 40),
    ("PROCESSING", 20),
    ("RETRY", 15),
    ("DISCARDED", 10),
    ("ESCALATED", 5),
    ("CANCELLED", 5),
    ("ABANDONED", 5),
];

const APP_TYPES: [&str; 8] = [
    "ORDERS05", "INVOIC02", "DESADV01", "MATMAS05", "DEBMAS07", "WMMBXY", "SHPMNT05", "PAYEXT",
];

#[derive(Debug, Clone)]
struct Iflow {
    id: String,
    name: String,
    package_id: String,
    package_name: String,
}

/// A generator of MPL pages; messages advance in time by `step_ms` on average.
#[derive(Debug)]
pub struct MplPageGen {
    rng: fastrand::Rng,
    iflows: Vec<Iflow>,
    parties: Vec<String>,
    /// Time of the next message (epoch ms).
    pub now: EpochMs,
    /// Average gap between messages (ms).
    pub step_ms: i64,
    /// Share (per mille) of rows that re-send a recent PROCESSING message in a later state.
    pub update_per_mille: u32,
    recent_processing: Vec<String>,
    seq: u64,
}

impl MplPageGen {
    /// 200 iFlows, 50 parties, starting at `start` (epoch ms).
    pub fn new(seed: u64, start: EpochMs) -> Self {
        Self::with_shape(seed, start, 200, 50)
    }

    pub fn with_shape(seed: u64, start: EpochMs, iflows: usize, parties: usize) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let areas = [
            "Sales",
            "Finance",
            "Logistics",
            "HR",
            "Procurement",
            "Master Data",
        ];
        let objs = [
            "Orders", "Invoice", "Delivery", "Payment", "Employee", "Material", "Customer",
        ];
        let iflows = (0..iflows)
            .map(|i| {
                let area = areas[i % areas.len()];
                let obj = objs[rng.usize(..objs.len())];
                let dir = if rng.bool() { "Inbound" } else { "Outbound" };
                let area_id = area.replace(' ', "");
                Iflow {
                    id: format!("{obj}_{dir}_{area_id}_{i:03}"),
                    name: format!("{obj} {dir} ({area}) {i}"),
                    package_id: format!("{area_id}Integration"),
                    package_name: format!("{area} Integration"),
                }
            })
            .collect();
        let systems = [
            "S4HANA",
            "ECC",
            "SFSF",
            "Ariba",
            "Salesforce",
            "EDI",
            "WMS",
            "Bank",
        ];
        let parties = (0..parties)
            .map(|i| match i {
                // One value with characters JSON must escape.
                3 => "Partner \"ACME\" \\ EU".to_string(),
                7 => "Lieferant Müller".to_string(),
                _ => format!("{}_{}{:02}", systems[i % systems.len()], ["PRD", "QAS"][i % 2], i),
            })
            .collect();
        Self {
            rng,
            iflows,
            parties,
            now: start,
            step_ms: 30,
            update_per_mille: 0,
            recent_processing: Vec::new(),
            seq: 0,
        }
    }

    /// A 28-character MessageGuid like `AGk_xKgivsDaGSUpuvz-eEFzhKZO`.
    pub fn guid(&mut self) -> String {
        let mut s = String::with_capacity(28);
        s.push_str("AG");
        for _ in 0..26 {
            s.push(B64[self.rng.usize(..64)] as char);
        }
        s
    }

    fn status(&mut self) -> &'static str {
        let mut x = self.rng.u32(..1000);
        for (s, w) in STATUS_MIX {
            if x < w {
                return s;
            }
            x -= w;
        }
        "COMPLETED"
    }

    /// One page of `rows` messages: `{"d":{"results":[…]}}`.
    pub fn page(&mut self, rows: usize) -> Vec<u8> {
        let mut out = String::with_capacity(rows * 1400 + 64);
        out.push_str("{\"d\":{\"results\":[");
        for i in 0..rows {
            if i > 0 {
                out.push(',');
            }
            self.write_row(&mut out);
        }
        out.push_str("]}}");
        out.into_bytes()
    }

    fn write_row(&mut self, out: &mut String) {
        self.seq += 1;
        self.now += self.rng.i64(0..=self.step_ms * 2);
        let update = self.update_per_mille > 0
            && !self.recent_processing.is_empty()
            && self.rng.u32(..1000) < self.update_per_mille;
        let (guid, status) = if update {
            let k = self.rng.usize(..self.recent_processing.len());
            let g = self.recent_processing.swap_remove(k);
            (
                g,
                if self.rng.u32(..10) == 0 {
                    "FAILED"
                } else {
                    "COMPLETED"
                },
            )
        } else {
            let g = self.guid();
            let s = self.status();
            if s == "PROCESSING" && self.recent_processing.len() < 10_000 {
                self.recent_processing.push(g.clone());
            }
            (g, s)
        };
        let corr = self.guid();
        let iflow = self.rng.usize(..self.iflows.len());
        let duration = self.rng.i64(5..3_000);
        let end = self.now;
        let start = end - duration;
        let r = &mut self.rng;
        let date_form = r.u32(..10) == 0;
        let app_id = (r.u32(..2) == 0).then(|| format!("PO-45{:08}", r.u32(..100_000_000)));
        let app_type = (r.u32(..5) < 2).then(|| APP_TYPES[r.usize(..APP_TYPES.len())]);
        let sender = (r.u32(..5) != 0).then(|| r.usize(..self.parties.len()));
        let receiver = (r.u32(..5) != 0).then(|| r.usize(..self.parties.len()));
        let custom = if r.u32(..50) == 0 {
            "Order\\u0020rejected"
        } else {
            status
        };
        let no_artifact = r.u32(..20) == 0;
        let f = &self.iflows[iflow];
        let _ = write!(
            out,
            "{{\"__metadata\":{{\"id\":\"{HOST}/MessageProcessingLogs('{guid}')\",\"uri\":\"{HOST}/MessageProcessingLogs('{guid}')\",\
\"type\":\"com.sap.hci.api.MessageProcessingLog\"}},\"MessageGuid\":\"{guid}\",\"CorrelationId\":\"{corr}\","
        );
        opt(out, "ApplicationMessageId", app_id.as_deref());
        opt(out, "ApplicationMessageType", app_type);
        if date_form {
            let _ = write!(
                out,
                "\"LogStart\":\"\\/Date({start})\\/\",\"LogEnd\":\"\\/Date({end})\\/\","
            );
        } else {
            let _ = write!(
                out,
                "\"LogStart\":\"/Date({start})/\",\"LogEnd\":\"/Date({end})/\","
            );
        }
        opt_json(out, "Sender", sender.map(|i| self.parties[i].as_str()));
        opt_json(out, "Receiver", receiver.map(|i| self.parties[i].as_str()));
        let _ = write!(
            out,
            "\"IntegrationFlowName\":\"{}\",\"Status\":\"{status}\",\"CustomStatus\":\"{custom}\"",
            f.id
        );
        if !no_artifact {
            let _ = write!(
                out,
                ",\"IntegrationArtifact\":{{\"__metadata\":{{\"type\":\"com.sap.hci.api.IntegrationArtifact\"}},\
\"Id\":\"{}\",\"Name\":\"{}\",\"Type\":\"INTEGRATION_FLOW\",\"PackageId\":\"{}\",\"PackageName\":\"{}\"}}",
                f.id, f.name, f.package_id, f.package_name
            );
        }
        out.push('}');
    }
}

fn opt(out: &mut String, key: &str, v: Option<&str>) {
    match v {
        Some(v) => {
            let _ = write!(out, "\"{key}\":\"{v}\",");
        }
        None => {
            let _ = write!(out, "\"{key}\":null,");
        }
    }
}

/// A value that may need JSON escaping.
fn opt_json(out: &mut String, key: &str, v: Option<&str>) {
    match v {
        Some(v) => {
            let _ = write!(out, "\"{key}\":");
            out.push_str(&serde_json::Value::from(v).to_string());
            out.push(',');
        }
        None => {
            let _ = write!(out, "\"{key}\":null,");
        }
    }
}
