//! A "not before" instant shared by every request of a client: when the service answers 429
//! with `Retry-After`, every worker of a concurrent export waits, not only the one that was told.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// The earliest instant the next attempt of any request may be sent.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    /// Whether any hold was ever set: until then every attempt passes without taking the lock
    /// (this is on every call's path).
    ever_held: AtomicBool,
    not_before: Mutex<Option<Instant>>,
}

impl Throttle {
    /// Holds every request back for `delay` from now (a later hold wins, an earlier one never
    /// shortens it).
    pub(crate) fn hold(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut slot = self.not_before.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none_or(|current| current < until) {
            *slot = Some(until);
        }
        // Set under the lock, after the instant: a waiter that sees the flag sees the instant.
        self.ever_held.store(true, Ordering::Release);
    }

    /// Waits until the shared instant has passed (at once when nothing holds requests back).
    pub(crate) async fn wait(&self) {
        if !self.ever_held.load(Ordering::Acquire) {
            return;
        }
        loop {
            let until = *self.not_before.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match until {
                // Checked again after waking: another 429 may have moved the instant later.
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until.into()).await,
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hold_delays_the_next_wait_and_never_shortens() {
        let throttle = Throttle::default();
        throttle.hold(Duration::from_millis(80));
        throttle.hold(Duration::from_millis(10));
        let started = Instant::now();
        throttle.wait().await;
        assert!(started.elapsed() >= Duration::from_millis(60));
        let again = Instant::now();
        throttle.wait().await;
        assert!(again.elapsed() < Duration::from_millis(50));
    }
}
