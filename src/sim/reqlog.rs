//! The most recent API requests the sim served (`METHOD /path?query`), for tests and benches that
//! check what a client really sends on the wire (issue 7: the exact page URLs of a window load,
//! one `$select`/`$top=1000` delta per refresh). A bounded ring: a sim left running under a TUI
//! for days holds at most `CAP` entries.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Entries kept; older ones are dropped.
pub const CAP: usize = 20_000;

#[derive(Debug, Default)]
pub struct RequestLog {
    ring: Mutex<VecDeque<String>>,
}

impl RequestLog {
    pub fn record(&self, method: &str, target: &str) {
        let mut r = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        if r.len() >= CAP {
            r.pop_front();
        }
        r.push_back(format!("{method} {target}"));
    }

    /// Oldest first.
    pub fn snapshot(&self) -> Vec<String> {
        let r = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        r.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.ring.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_ordered() {
        let log = RequestLog::default();
        for i in 0..CAP + 3 {
            log.record("GET", &format!("/api/v1/X?{i}"));
        }
        let s = log.snapshot();
        assert_eq!(s.len(), CAP);
        assert_eq!(s[0], "GET /api/v1/X?3");
        assert_eq!(s[CAP - 1], format!("GET /api/v1/X?{}", CAP + 2));
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
