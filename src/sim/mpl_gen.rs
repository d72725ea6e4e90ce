//! Procedural message generation: every message of the sim is a pure function of
//! `(seed, index)` plus the timeline, so a window of 1,000,000 messages costs no memory beyond
//! the LogEnd index of `mpl_store`. Ids (MessageGuid, run ids) encode the index so lookups by id
//! are O(1).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::catalog::{FLOWS, Flow};
use super::mpl_errors;

pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Status {
    Completed,
    Processing,
    Retry,
    Escalated,
    Failed,
    Cancelled,
    Discarded,
    Abandoned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "COMPLETED",
            Status::Processing => "PROCESSING",
            Status::Retry => "RETRY",
            Status::Escalated => "ESCALATED",
            Status::Failed => "FAILED",
            Status::Cancelled => "CANCELLED",
            Status::Discarded => "DISCARDED",
            Status::Abandoned => "ABANDONED",
        }
    }
    pub fn has_error(self) -> bool {
        matches!(self, Status::Failed | Status::Retry | Status::Escalated)
    }
}

/// One visible state of a message: from `visible_at` on (LogEnd plus the commit lag) it shows
/// `status` with `log_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    pub visible_at: i64,
    pub log_end: i64,
    pub status: Status,
}

/// The whole life of a message: arrival at `start`, then up to 7 phases (a RETRY message shows a
/// new LogEnd at each of its 5 retries with exponential backoff).
#[derive(Debug, Clone, Copy)]
pub struct Life {
    pub flow: u16,
    pub start: i64,
    pub phases: [Phase; 7],
    pub n: u8,
    /// The kind of failure (`mpl_errors::ERROR_KINDS`) for messages that fail.
    pub err: u8,
}

impl Life {
    pub fn phases(&self) -> &[Phase] {
        &self.phases[..self.n as usize]
    }
    /// The phase visible at `now`, if any.
    pub fn at(&self, now: i64) -> Option<Phase> {
        self.phases().iter().rev().find(|p| p.visible_at <= now).copied()
    }
}

/// Where message `i` sits in time: `hist_n` history messages spread evenly over
/// `[t0 - hist_span, t0)`, then live messages every `1/rate` seconds from `t0` on.
#[derive(Debug, Clone)]
pub struct Gen {
    pub seed: u64,
    pub t0: i64,
    pub hist_n: u32,
    pub hist_span: i64,
    /// Milliseconds between live arrivals; `None` = no live traffic.
    pub live_interval: Option<f64>,
    /// 1024 slots mapping a hash to a flow, by weight.
    flow_table: Vec<u16>,
    id_mask: u32,
    /// Last index ever generated (live arrivals stop here; ~4 billion messages).
    pub max_index: u32,
}

const SALT_FLOW: u64 = 1;
const SALT_KIND: u64 = 2;
const SALT_DUR: u64 = 3;
const SALT_LAG: u64 = 4;
const SALT_GUID: u64 = 5;
const SALT_CORR: u64 = 6;
const SALT_MISC: u64 = 7;
const SALT_JIT: u64 = 8;
/// What varies in a failed message's error text.
const SALT_ERR: u64 = 50;
pub const SALT_RUN: u64 = 9;

impl Gen {
    pub fn new(seed: u64, t0: i64, hist_n: u32, hist_span: i64, rate: f64) -> Self {
        let total: u32 = FLOWS.iter().map(|f| f.weight).sum();
        let mut flow_table = Vec::with_capacity(1024);
        let mut acc = 0u64;
        for (fi, f) in FLOWS.iter().enumerate() {
            acc += f.weight as u64;
            let upto = (acc * 1024 / total.max(1) as u64) as usize;
            while flow_table.len() < upto {
                flow_table.push(fi as u16);
            }
        }
        while flow_table.len() < 1024 {
            flow_table.push(0);
        }
        let live_interval = (rate > 0.0 && rate.is_finite()).then(|| 1000.0 / rate);
        Self {
            seed,
            t0,
            hist_n,
            hist_span: hist_span.max(1),
            live_interval,
            flow_table,
            id_mask: mix(seed ^ 0xC0FFEE) as u32,
            max_index: u32::MAX - 1,
        }
    }

    pub fn h(&self, i: u32, salt: u64) -> u64 {
        mix(self.seed ^ mix((i as u64) | (salt << 40)))
    }

    pub fn log_start(&self, i: u32) -> i64 {
        if i < self.hist_n {
            let slot = (self.hist_span / self.hist_n as i64).max(1);
            let base =
                self.t0 - self.hist_span + (i as i128 * self.hist_span as i128 / self.hist_n as i128) as i64;
            base + (self.h(i, SALT_JIT) % slot as u64) as i64
        } else {
            match self.live_interval {
                Some(iv) => {
                    let j = (i - self.hist_n) as f64;
                    self.t0 + (j * iv) as i64 + (self.h(i, SALT_JIT) % (iv.max(1.0) as u64)) as i64
                }
                None => i64::MAX,
            }
        }
    }

    pub fn flow_of(&self, i: u32) -> u16 {
        self.flow_table[(self.h(i, SALT_FLOW) % 1024) as usize]
    }

    pub fn flow(&self, fi: u16) -> &'static Flow {
        &FLOWS[fi as usize]
    }

    pub fn life(&self, i: u32) -> Life {
        let flow = self.flow_of(i);
        let start = self.log_start(i);
        let hk = self.h(i, SALT_KIND);
        let roll = hk % 10_000;
        let hd = self.h(i, SALT_DUR);
        let q = hd % 1000;
        let dur = 30 + (q * q / 400) as i64;
        let lag = (self.h(i, SALT_LAG) % 1500) as i64;
        let err = mpl_errors::kind_for(self.flow(flow), hk >> 20);
        let mut life = Life {
            flow,
            start,
            phases: [Phase {
                visible_at: 0,
                log_end: 0,
                status: Status::Completed,
            }; 7],
            n: 0,
            err,
        };
        let mut push = |log_end: i64, status: Status| {
            life.phases[life.n as usize] = Phase {
                visible_at: log_end + lag,
                log_end,
                status,
            };
            life.n += 1;
        };
        let simple = |s: Status| -> i64 {
            match s {
                Status::Failed => start + dur + ((hd >> 12) % 30_000) as i64,
                _ => start + dur,
            }
        };
        match roll {
            0..9150 => push(simple(Status::Completed), Status::Completed),
            9150..9450 => push(simple(Status::Failed), Status::Failed),
            9450..9600 => {
                // Retries after 1, 2, 4, 8, 16 minutes (JMS exponential backoff); either one
                // succeeds or the fifth fails and the message ends FAILED (and in a DLQ).
                let succeed_at = if (hk >> 32) % 10 < 6 {
                    1 + ((hk >> 36) % 5) as usize
                } else {
                    6
                };
                let mut t = start;
                for attempt in 0..6usize {
                    if attempt > 0 {
                        t += 60_000 << (attempt - 1);
                    }
                    let end = t + dur;
                    if attempt == succeed_at {
                        push(end, Status::Completed);
                        break;
                    } else if attempt == 5 {
                        push(end, Status::Failed);
                    } else {
                        push(end, Status::Retry);
                    }
                }
            }
            9600..9700 => {
                let first = start + 400;
                push(first, Status::Processing);
                let long = 60_000 + ((hd >> 16) % 840_000) as i64;
                let fin = if (hk >> 32) % 10 == 0 {
                    Status::Failed
                } else {
                    Status::Completed
                };
                push(start + long, fin);
            }
            9700..9750 => push(simple(Status::Escalated), Status::Escalated),
            9750..9850 => push(simple(Status::Discarded), Status::Discarded),
            9850..9900 => push(simple(Status::Cancelled), Status::Cancelled),
            9900..9930 => push(start + 3_600_000, Status::Abandoned),
            _ => push(simple(Status::Completed), Status::Completed),
        }
        life
    }

    /// A 28-character id in the style of CPI's MessageGuid (`AGk_xKgivsDaGSUpuvz-eEFzhKZO`,
    /// base64url of 21 bytes) that encodes `(i, k)` for the id kind `salt`.
    pub fn encode_id(&self, salt: u64, i: u32, k: u8) -> [u8; 28] {
        let h = self.h(i, salt);
        let h2 = mix(h);
        let mut raw = [0u8; 21];
        raw[0] = 0;
        raw[1] = 0x60 | (k & 0x0f);
        raw[2..6].copy_from_slice(&(i ^ self.id_mask ^ salt as u32).to_be_bytes());
        raw[6..14].copy_from_slice(&h.to_le_bytes());
        raw[14..21].copy_from_slice(&h2.to_le_bytes()[..7]);
        let mut out = [0u8; 28];
        // Encoding 21 bytes always yields exactly 28 characters.
        let n = URL_SAFE_NO_PAD.encode_slice(raw, &mut out).unwrap_or(0);
        debug_assert_eq!(n, 28);
        out
    }

    /// Decode an id made by `encode_id(salt, …)`; `None` for anything else.
    pub fn decode_id(&self, salt: u64, s: &str) -> Option<(u32, u8)> {
        if s.len() != 28 {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
        if raw.len() != 21 {
            return None;
        }
        let k = raw[1] & 0x0f;
        let i = u32::from_be_bytes([raw[2], raw[3], raw[4], raw[5]]) ^ self.id_mask ^ salt as u32;
        (self.encode_id(salt, i, k) == s.as_bytes()).then_some((i, k))
    }

    pub fn guid(&self, i: u32) -> [u8; 28] {
        self.encode_id(SALT_GUID, i, 0)
    }
    pub fn guid_index(&self, s: &str) -> Option<u32> {
        self.decode_id(SALT_GUID, s)
            .filter(|&(_, k)| k == 0)
            .map(|(i, _)| i)
    }
    pub fn correlation(&self, i: u32) -> [u8; 28] {
        self.encode_id(SALT_CORR, i, 0)
    }

    /// 32 lowercase hex characters.
    pub fn transaction_id(&self, i: u32) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 32];
        let a = self.h(i, SALT_MISC).to_le_bytes();
        let b = mix(self.h(i, SALT_MISC)).to_le_bytes();
        for (n, byte) in a.iter().chain(b.iter()).enumerate() {
            out[2 * n] = HEX[(byte >> 4) as usize];
            out[2 * n + 1] = HEX[(byte & 0xf) as usize];
        }
        out
    }

    /// ApplicationMessageId (`None` for flows without one and for ~30% of the others).
    pub fn app_id(&self, i: u32, flow: &Flow) -> Option<String> {
        if flow.app_id.is_empty() {
            return None;
        }
        let h = self.h(i, SALT_MISC);
        if h % 10 < 3 {
            return None;
        }
        let n = (h >> 8) % 1_000_000;
        Some(format!("{}{:06}", flow.app_id, n))
    }

    pub fn log_level(&self, i: u32) -> &'static str {
        match self.h(i, SALT_MISC) >> 40 & 0xff {
            0..=5 => "DEBUG",
            6 => "TRACE",
            _ => "INFO",
        }
    }

    /// The error text of message `i` (its `ErrorInformation/$value`): its iFlow's kind of failure
    /// with the ids, hosts and numbers of this occurrence (`mpl_errors`).
    pub fn error_text(&self, i: u32, life: &Life) -> String {
        let guid = self.guid(i);
        mpl_errors::text(
            life.err,
            self.flow(life.flow),
            self.h(i, SALT_ERR),
            std::str::from_utf8(&guid).unwrap_or_default(),
        )
    }
    pub fn error_step(&self, life: &Life) -> &'static str {
        mpl_errors::step(life.err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_forgeries() {
        let g = Gen::new(42, 1_700_000_000_000, 1000, 86_400_000, 3.0);
        for i in [0u32, 1, 999, 123_456, 4_000_000_000] {
            let id = g.guid(i);
            let s = std::str::from_utf8(&id).expect("ascii");
            assert!(s.starts_with('A'), "{s}");
            assert_eq!(g.guid_index(s), Some(i));
        }
        let mut bad = g.guid(7);
        bad[27] = if bad[27] == b'A' { b'B' } else { b'A' };
        assert_eq!(g.guid_index(std::str::from_utf8(&bad).expect("ascii")), None);
        assert_eq!(g.guid_index("short"), None);
        let other = Gen::new(43, 0, 10, 1000, 1.0);
        assert_eq!(
            other.guid_index(std::str::from_utf8(&g.guid(5)).expect("ascii")),
            None
        );
    }

    #[test]
    fn timeline_and_lives_are_plausible() {
        let g = Gen::new(1, 1_700_000_000_000, 10_000, 86_400_000, 3.0);
        assert!(g.log_start(0) >= g.t0 - 86_400_000);
        assert!(g.log_start(9_999) < g.t0);
        assert!(g.log_start(10_000) >= g.t0 && g.log_start(10_003) >= g.t0 + 1000);
        let mut failed = 0;
        let mut retry = 0;
        for i in 0..10_000 {
            let l = g.life(i);
            assert!(l.n >= 1);
            for w in l.phases().windows(2) {
                assert!(w[1].visible_at > w[0].visible_at && w[1].log_end > w[0].log_end);
            }
            let last = l.phases()[l.n as usize - 1].status;
            failed += (last == Status::Failed) as u32;
            retry += (l.phases()[0].status == Status::Retry) as u32;
        }
        assert!((200..700).contains(&failed), "{failed}");
        assert!((80..250).contains(&retry), "{retry}");
    }
}
