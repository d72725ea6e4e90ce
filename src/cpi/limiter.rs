//! Per-tenant gentleness: a semaphore bounds the requests in flight and a token bucket bounds the
//! sustained request rate (`conn::Limits`). Every attempt — retries included — takes a permit and a
//! token, so a retry storm cannot exceed the configured rate either.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use super::conn::Limits;

/// Longest single sleep for a rate token; a longer wait (a tiny rate) loops.
const MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub(crate) struct Limiter {
    slots: Arc<Semaphore>,
    bucket: Mutex<Bucket>,
    rate: f64,
    burst: f64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Limiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        let burst = f64::from(limits.burst.max(1));
        Self {
            slots: Arc::new(Semaphore::new(limits.max_concurrency.max(1))),
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
            rate: if limits.requests_per_second.is_finite() && limits.requests_per_second > 0.0 {
                limits.requests_per_second
            } else {
                f64::INFINITY
            },
            burst,
        }
    }

    /// Wait for a concurrency slot, then for a rate token. Keep the permit for the request's life.
    /// (`None` only if the semaphore were closed, which this type never does: then no bound.)
    pub(crate) async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.slots.clone().acquire_owned().await.ok();
        if self.rate.is_infinite() {
            return permit;
        }
        loop {
            let wait = {
                let mut b = self.bucket.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * self.rate;
                b.tokens = (b.tokens + refill).min(self.burst);
                b.last = now;
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    None
                } else {
                    // Clamped, never a panic: a rate so low that the wait overflows a
                    // `Duration` is refused by config validation, and would wait in slices here.
                    let secs = ((1.0 - b.tokens) / self.rate).clamp(0.0, MAX_WAIT.as_secs_f64());
                    Some(Duration::try_from_secs_f64(secs).unwrap_or(MAX_WAIT))
                }
            };
            match wait {
                None => return permit,
                Some(w) => tokio::time::sleep(w).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rate_is_bounded_after_the_burst() {
        let limits = Limits {
            max_concurrency: 8,
            requests_per_second: 50.0,
            burst: 5,
            ..Limits::default()
        };
        let l = Limiter::new(&limits);
        let start = Instant::now();
        for _ in 0..15 {
            drop(l.acquire().await);
        }
        // 5 from the burst, 10 more at 50/s: at least ~200 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(180),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn a_tiny_rate_waits_instead_of_panicking() {
        let limits = Limits {
            requests_per_second: 1e-30,
            burst: 1,
            ..Limits::default()
        };
        let l = Limiter::new(&limits);
        drop(l.acquire().await);
        // The second token is 1e30 s away: the old code panicked computing that `Duration`.
        let second = tokio::time::timeout(Duration::from_millis(50), l.acquire()).await;
        assert!(second.is_err(), "must wait for a token");
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let limits = Limits {
            max_concurrency: 2,
            requests_per_second: 0.0,
            ..Limits::default()
        };
        let l = Limiter::new(&limits);
        let a = l.acquire().await;
        let _b = l.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(50), l.acquire()).await;
        assert!(third.is_err(), "a third permit must wait");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(50), l.acquire()).await;
        assert!(third.is_ok());
    }
}
