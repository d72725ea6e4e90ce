//! Per-tenant gentleness: a semaphore bounds the requests in flight and a token bucket bounds the
//! sustained request rate (`conn::Limits`). Every attempt — retries included — takes a permit and a
//! token, so a retry storm cannot exceed the configured rate either.
//!
//! What the operator waits for (a detail just opened: [`foreground`]) goes ahead of background
//! loading: background requests leave the last [`RESERVE`] tokens of the bucket to it, and a
//! request takes its token before its slot, so a background request waiting for a token never
//! holds a slot. A message's detail (four requests) then starts at once even while a long
//! window load has used up the rate; the sustained rate and the burst stay as configured.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use super::conn::Limits;

/// Longest single sleep for a rate token; a longer wait (a tiny rate) loops.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Tokens of the bucket that only [`foreground`] requests may take (fewer when the burst is
/// smaller): a message's detail is four requests.
pub(crate) const RESERVE: u32 = 4;

tokio::task_local! {
    static FOREGROUND: ();
}

/// Run `fut` as something the operator is waiting for: its requests go ahead of background loads
/// (pollers, monitor rounds). Applies to requests made within `fut`'s own task.
pub async fn foreground<F: std::future::Future>(fut: F) -> F::Output {
    FOREGROUND.scope((), fut).await
}

fn is_foreground() -> bool {
    FOREGROUND.try_with(|()| ()).is_ok()
}

#[derive(Debug)]
pub(crate) struct Limiter {
    slots: Arc<Semaphore>,
    bucket: Mutex<Bucket>,
    rate: f64,
    burst: f64,
    /// Tokens left to foreground requests.
    reserve: f64,
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
            reserve: f64::from(RESERVE.min(limits.burst.max(1) - 1)),
        }
    }

    /// Wait for a rate token, then for a concurrency slot. Keep the permit for the request's life.
    /// (`None` only if the semaphore were closed, which this type never does: then no bound.)
    pub(crate) async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        if self.rate.is_finite() {
            self.token(is_foreground()).await;
        }
        self.slots.clone().acquire_owned().await.ok()
    }

    /// Take a rate token; a background request leaves the reserve.
    async fn token(&self, foreground: bool) {
        let needed = if foreground { 1.0 } else { 1.0 + self.reserve };
        loop {
            let wait = {
                let mut b = self.bucket.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * self.rate;
                b.tokens = (b.tokens + refill).min(self.burst);
                b.last = now;
                if b.tokens >= needed {
                    b.tokens -= 1.0;
                    None
                } else {
                    // Clamped, never a panic: a rate so low that the wait overflows a
                    // `Duration` is refused by config validation, and would wait in slices here.
                    let secs = ((needed - b.tokens) / self.rate).clamp(0.0, MAX_WAIT.as_secs_f64());
                    Some(Duration::try_from_secs_f64(secs).unwrap_or(MAX_WAIT))
                }
            };
            match wait {
                None => return,
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

    /// A long background load has used the rate up; a detail the operator opens (four requests)
    /// does not queue behind it, and the background load keeps its sustained rate.
    #[tokio::test]
    async fn foreground_requests_go_ahead_of_a_background_load() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let limits = Limits {
            max_concurrency: 8,
            requests_per_second: 10.0,
            burst: 20,
            ..Limits::default()
        };
        let l = Arc::new(Limiter::new(&limits));
        let start = Instant::now();
        // The burst, all but the reserve, goes to the background at once.
        for _ in 0..16 {
            drop(l.acquire().await);
        }
        // Five more background requests wait for tokens at 10/s …
        let done = Arc::new(AtomicUsize::new(0));
        let background = {
            let (l, done) = (Arc::clone(&l), Arc::clone(&done));
            tokio::spawn(async move {
                for _ in 0..5 {
                    drop(l.acquire().await);
                    done.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // … and the detail's four requests do not wait behind them (the old limiter served
        // them after the background's five).
        foreground(async {
            for _ in 0..4 {
                drop(l.acquire().await);
            }
        })
        .await;
        let behind = done.load(Ordering::SeqCst);
        assert!(behind < 3, "{behind} background requests went first");
        background.await.unwrap();
        // The background's five took their tokens at the sustained rate.
        assert!(
            start.elapsed() >= Duration::from_millis(450),
            "{:?}",
            start.elapsed()
        );
    }

    /// A request waiting for a token holds no slot: a foreground request finds one free.
    #[tokio::test]
    async fn a_request_waiting_for_a_token_holds_no_slot() {
        let limits = Limits {
            max_concurrency: 1,
            requests_per_second: 1.0,
            burst: 2,
            ..Limits::default()
        };
        let l = Arc::new(Limiter::new(&limits));
        drop(l.acquire().await);
        // The next background request waits for a token (a second away) …
        let waiting = {
            let l = Arc::clone(&l);
            tokio::spawn(async move { drop(l.acquire().await) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // … without the only slot: the foreground request takes it and the reserved token.
        let got = tokio::time::timeout(Duration::from_millis(500), foreground(l.acquire())).await;
        assert!(got.is_ok(), "the foreground request waited");
        waiting.abort();
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
