//! How long to wait before the next attempt.

use std::time::Duration;

use rand::Rng;

use super::RetryPolicy;

/// The longest `Retry-After` honoured: a server asking for more is not waited on longer.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl RetryPolicy {
    /// Exponential backoff with full jitter: a random delay in `[0, min(max_delay, base * 2^(n-1)))`
    /// after attempt `n` (counted from 1). Full jitter spreads clients that failed together.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.backoff_ceiling(attempt);
        let nanos = ceiling.as_nanos().min(u128::from(u64::MAX)) as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(rand::rng().random_range(0..nanos))
    }

    /// The upper bound of [`RetryPolicy::backoff`] after attempt `n`.
    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        exp.min(self.max_delay)
    }
}

/// A `Retry-After` header value in whole seconds (the form the service sends), capped at
/// [`MAX_RETRY_AFTER`]; anything else (an HTTP date, garbage) is ignored and the backoff used.
pub(crate) fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn the_ceiling_doubles_from_the_base_up_to_the_maximum() {
        let p = policy(100, 1000);
        let ceilings: Vec<u64> = (1..=6).map(|n| p.backoff_ceiling(n).as_millis() as u64).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        // A huge attempt number saturates instead of overflowing.
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn every_delay_is_below_its_ceiling_and_they_vary() {
        let p = policy(100, 1000);
        for attempt in 1..=5 {
            let delays: Vec<Duration> = (0..200).map(|_| p.backoff(attempt)).collect();
            assert!(
                delays.iter().all(|d| *d < p.backoff_ceiling(attempt)),
                "attempt {attempt}"
            );
            // Full jitter: 200 draws from a range of millions of nanoseconds are not all equal.
            assert!(delays.iter().any(|d| *d != delays[0]), "attempt {attempt}");
        }
    }

    #[test]
    fn a_zero_base_means_no_wait() {
        assert_eq!(policy(0, 1000).backoff(3), Duration::ZERO);
    }

    #[test]
    fn retry_after_reads_whole_seconds_and_caps_them() {
        assert_eq!(retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(Some(" 0 ")), Some(Duration::ZERO));
        assert_eq!(retry_after(Some("3600")), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(Some("-1")), None);
        assert_eq!(retry_after(None), None);
    }
}
