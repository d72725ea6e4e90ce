//! Request counters the UI header shows. Updating is a few atomic adds; the sliding one-minute
//! request rate keeps one counter per second in a 60-slot ring.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

/// A cheap, copyable snapshot of a client's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent to the tenant (every attempt, token requests included).
    pub requests: u64,
    /// Replies with HTTP 429.
    pub throttled: u64,
    /// Requests that ended in an error reported to the caller.
    pub failed: u64,
    /// Attempts repeated after a retryable failure.
    pub retried: u64,
    /// Response body bytes received.
    pub bytes: u64,
    /// Requests in flight right now.
    pub in_flight: u64,
    /// Requests sent during the last 60 seconds.
    pub requests_per_minute: u64,
    /// Replies whose invalid UTF-8 was replaced by U+FFFD (the rows show the replacement
    /// character; each repair is also logged with its endpoint).
    pub repaired: u64,
}

#[derive(Debug)]
pub(crate) struct Stats {
    requests: AtomicU64,
    throttled: AtomicU64,
    failed: AtomicU64,
    retried: AtomicU64,
    bytes: AtomicU64,
    repaired: AtomicU64,
    in_flight: AtomicI64,
    ring: Mutex<Ring>,
    origin: Instant,
}

#[derive(Debug)]
struct Ring {
    /// Second (since `origin`) each slot counts.
    second: [u64; 60],
    count: [u64; 60],
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            repaired: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            ring: Mutex::new(Ring {
                second: [u64::MAX; 60],
                count: [0; 60],
            }),
            origin: Instant::now(),
        }
    }
}

impl Stats {
    pub(crate) fn request_started(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        let sec = self.origin.elapsed().as_secs();
        if let Ok(mut ring) = self.ring.lock() {
            let slot = (sec % 60) as usize;
            if ring.second[slot] != sec {
                ring.second[slot] = sec;
                ring.count[slot] = 0;
            }
            ring.count[slot] += 1;
        }
    }
    pub(crate) fn request_finished(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn retried(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn repaired(&self) {
        self.repaired.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn bytes(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        let now = self.origin.elapsed().as_secs();
        let per_minute = self
            .ring
            .lock()
            .map(|ring| {
                (0..60)
                    .filter(|&i| ring.second[i] != u64::MAX && now - ring.second[i] < 60)
                    .map(|i| ring.count[i])
                    .sum()
            })
            .unwrap_or(0);
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed).max(0) as u64,
            requests_per_minute: per_minute,
            repaired: self.repaired.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_rate() {
        let s = Stats::default();
        for _ in 0..5 {
            s.request_started();
        }
        s.request_finished();
        s.throttled();
        s.retried();
        s.failed();
        s.bytes(100);
        let snap = s.snapshot();
        assert_eq!(snap.requests, 5);
        assert_eq!(snap.in_flight, 4);
        assert_eq!(snap.requests_per_minute, 5);
        assert_eq!(
            (snap.throttled, snap.retried, snap.failed, snap.bytes),
            (1, 1, 1, 100)
        );
    }
}
