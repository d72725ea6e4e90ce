//! How fresh a slice of polled data is: loading, loaded, failed — and whether what is shown is
//! stale (the last fetch failed, or it is older than three refresh intervals).

use crate::cpi::odata::EpochMs;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// When the data now held was fetched (`None`: nothing yet).
    pub loaded_at: Option<EpochMs>,
    /// A request is on its way.
    pub loading: bool,
    /// The last attempt failed with this text; the data held (if any) is kept.
    pub error: Option<String>,
    /// Generation of the poller whose results are accepted; older ones are dropped.
    pub generation: u64,
    /// What is held was read from the offline cache (`loaded_at` is when it was fetched then);
    /// shown stale until fresh data replaces it.
    pub from_cache: bool,
}

/// What a pane shows, in the order the views check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing yet, nothing requested.
    Idle,
    /// Nothing yet, first request on its way.
    Loading,
    /// Nothing held and the request failed.
    Failed,
    /// Data held and current.
    Fresh,
    /// Data held but the last refresh failed or it is old.
    Stale,
}

impl Load {
    pub fn phase(&self, now: EpochMs, interval_ms: i64) -> Phase {
        match (self.loaded_at, &self.error) {
            (None, Some(_)) => Phase::Failed,
            (None, None) if self.loading => Phase::Loading,
            (None, None) => Phase::Idle,
            (Some(_), Some(_)) => Phase::Stale,
            (Some(_), None) if self.from_cache => Phase::Stale,
            (Some(at), None) => {
                if now - at > 3 * interval_ms.max(1_000) + 5_000 {
                    Phase::Stale
                } else {
                    Phase::Fresh
                }
            }
        }
    }

    pub fn ok(&mut self, at: EpochMs) {
        self.loaded_at = Some(at);
        self.loading = false;
        self.error = None;
        self.from_cache = false;
    }

    /// The last attempt failed: keep what is held, show why.
    pub fn failed(&mut self, error: impl std::fmt::Display) {
        self.loading = false;
        self.error = Some(error.to_string());
    }

    /// Start over for new parameters: drop what was held and accept only generation `generation`.
    pub fn reset(&mut self, generation: u64) {
        *self = Load {
            generation,
            loading: true,
            ..Load::default()
        };
    }
}

/// A one-off fetch (a detail, an error text): not polled, no generation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fetch<T> {
    #[default]
    Pending,
    Done(T),
    Failed(String),
}

impl<T> Fetch<T> {
    pub fn done(&self) -> Option<&T> {
        match self {
            Fetch::Done(t) => Some(t),
            _ => None,
        }
    }
    /// A fetch's result, its error kept as the text shown.
    pub fn from_result<E: std::fmt::Display>(r: Result<T, E>) -> Self {
        match r {
            Ok(t) => Fetch::Done(t),
            Err(e) => Fetch::Failed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases() {
        let mut l = Load::default();
        assert_eq!(l.phase(0, 10_000), Phase::Idle);
        l.loading = true;
        assert_eq!(l.phase(0, 10_000), Phase::Loading);
        l.failed("down");
        assert_eq!(l.phase(0, 10_000), Phase::Failed);
        l.ok(1_000);
        assert_eq!(l.phase(2_000, 10_000), Phase::Fresh);
        assert_eq!(l.phase(1_000 + 36_000, 10_000), Phase::Stale);
        l.failed("500");
        assert_eq!(l.phase(2_000, 10_000), Phase::Stale);
        let mut c = Load {
            loaded_at: Some(1_000),
            from_cache: true,
            ..Load::default()
        };
        assert_eq!(
            c.phase(1_500, 10_000),
            Phase::Stale,
            "cached data is stale however young"
        );
        c.ok(2_000);
        assert!(!c.from_cache);
        assert_eq!(c.phase(2_500, 10_000), Phase::Fresh);
    }
}
