//! Backoff policy: exponential with full jitter, capped, and `Retry-After` honoured (seconds or an
//! HTTP date) when the tenant sends it.

use std::time::{Duration, SystemTime};

use super::conn::Limits;

/// The delay before retry number `attempt` (1 = first retry): a random point in
/// `[base/2, base]` where `base = initial * 2^(attempt-1)`, capped at `max_backoff`.
pub(crate) fn backoff(limits: &Limits, attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let base = limits
        .initial_backoff
        .saturating_mul(1u32 << exp)
        .min(limits.max_backoff);
    let half = base / 2;
    half + base.saturating_sub(half).mul_f64(fastrand::f64())
}

/// Parse `Retry-After`: delta seconds, or an IMF-fixdate. Honoured up to `max_backoff` (default
/// 30 s), so a wild value cannot park a view for hours; a still-throttled retry just waits again.
/// Total: the number is clamped *before* it becomes a `Duration` (`Duration::from_secs_f64(1e20)`
/// panics), and the date is added with `checked_add`.
pub(crate) fn retry_after(value: Option<&str>, limits: &Limits) -> Option<Duration> {
    let v = value?.trim();
    let d = if let Ok(secs) = v.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        Duration::try_from_secs_f64(secs.min(limits.max_backoff.as_secs_f64())).ok()?
    } else {
        let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        let when = SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_millis(u64::try_from(when.timestamp_millis()).ok()?))?;
        when.duration_since(SystemTime::now()).unwrap_or_default()
    };
    Some(d.min(limits.max_backoff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let l = Limits {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..Limits::default()
        };
        for _ in 0..50 {
            let b1 = backoff(&l, 1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = backoff(&l, 3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400));
            assert!(backoff(&l, 30) <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_forms() {
        let l = Limits::default();
        assert_eq!(retry_after(Some("2"), &l), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some("0.5"), &l), Some(Duration::from_millis(500)));
        assert_eq!(retry_after(Some("99999"), &l), Some(l.max_backoff));
        assert_eq!(retry_after(Some("soon"), &l), None);
        assert_eq!(
            retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT"), &l),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(None, &l), None);
        // Absurd values are clamped, never a panic (`Duration::from_secs_f64(1e20)` panics).
        assert_eq!(retry_after(Some("1e20"), &l), Some(l.max_backoff));
        assert_eq!(retry_after(Some("1e308"), &l), Some(l.max_backoff));
        assert_eq!(retry_after(Some("18446744073709551616"), &l), Some(l.max_backoff));
        assert_eq!(retry_after(Some("inf"), &l), None);
        assert_eq!(retry_after(Some("NaN"), &l), None);
        assert_eq!(retry_after(Some("-1"), &l), None);
        assert_eq!(retry_after(Some("1e-320"), &l), Some(Duration::ZERO));
        assert!(retry_after(Some("Fri, 31 Dec 9999 23:59:59 GMT"), &l).is_some());
    }
}
