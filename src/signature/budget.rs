//! The request budget of error texts: at most `per_minute` requests in any minute (a sliding
//! window over the times requests were sent). Error texts cost one request per failed message;
//! SAP warns that frequent error queries load the tenant, so the TUI, `get errors`, `check` and
//! `watch` all fetch within it. Pure: the caller passes the time.

use std::collections::VecDeque;

/// The window the budget counts requests in.
pub const MINUTE_MS: i64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    per_minute: u32,
    /// When requests were sent within the last minute, oldest first.
    sent: VecDeque<i64>,
}

impl Budget {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            sent: VecDeque::new(),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// A new limit; what was sent in the last minute still counts.
    pub fn set_per_minute(&mut self, per_minute: u32) {
        self.per_minute = per_minute.max(1);
    }

    /// How many requests may be sent at `now`.
    pub fn allowance(&mut self, now: i64) -> usize {
        while self.sent.front().is_some_and(|&t| t <= now - MINUTE_MS) {
            self.sent.pop_front();
        }
        (self.per_minute as usize).saturating_sub(self.sent.len())
    }

    /// Record `n` requests sent at `now`.
    pub fn spend(&mut self, n: usize, now: i64) {
        self.sent.extend(std::iter::repeat_n(now, n));
    }

    /// Take up to `want` of the allowance at `now`: how many may be sent (recorded as sent).
    pub fn take(&mut self, want: usize, now: i64) -> usize {
        let n = want.min(self.allowance(now));
        self.spend(n, now);
        n
    }

    /// When the next request may be sent, at or after `now`.
    pub fn next_at(&mut self, now: i64) -> i64 {
        if self.allowance(now) > 0 {
            return now;
        }
        let over = self.sent.len() + 1 - self.per_minute as usize;
        self.sent.get(over - 1).map_or(now, |t| t + MINUTE_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_budget_in_any_minute() {
        let mut b = Budget::new(10);
        assert_eq!(b.take(4, 0), 4);
        assert_eq!(b.take(20, 30_000), 6, "the rest of this minute");
        assert_eq!(b.take(5, 59_999), 0);
        assert_eq!(b.next_at(59_999), 60_000);
        assert_eq!(b.take(5, 60_000), 4, "the first four have left the window");
        assert_eq!(b.take(5, 90_000), 5, "and the six of 30 s");
        // Any 60 s window holds at most ten.
        let mut b = Budget::new(7);
        let mut times = Vec::new();
        for t in (0..600_000).step_by(250) {
            let n = b.take(3, t);
            times.extend(std::iter::repeat_n(t, n));
        }
        for (i, &t) in times.iter().enumerate() {
            let in_window = times[i..].iter().take_while(|&&u| u < t + MINUTE_MS).count();
            assert!(in_window <= 7, "{in_window} from {t}");
        }
        assert_eq!(times.len(), 70, "seven a minute for ten minutes");
    }
}
