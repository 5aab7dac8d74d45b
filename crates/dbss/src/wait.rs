//! Waiters: poll until asynchronous work (instance lifecycle, jobs, upgrades) is finished, with
//! backoff and a deadline, and say what was last seen when it does not finish.

use std::time::Duration;

use crate::Error;

/// How long and how often to poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// Give up after this long.
    pub deadline: Duration,
    /// Delay before the second poll; it doubles up to `max_delay`.
    pub first_delay: Duration,
    /// Longest delay between polls.
    pub max_delay: Duration,
}

impl Default for Waiter {
    fn default() -> Self {
        Waiter {
            deadline: Duration::from_secs(30 * 60),
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// The lifecycle state an instance waiter waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Running, with no operation in progress (after create, start, reboot).
    Active,
    /// Stopped, with no operation in progress.
    Stopped,
    /// Gone from the list, or listed as deleted.
    Deleted,
}

/// One observation of the polled resource.
pub(crate) enum Seen<T> {
    Done(T),
    Pending(String),
    Failed(String),
}

/// Polls `check` until it reports done or failed, or the deadline passes.
pub(crate) async fn poll<T, F, Fut>(what: String, waiter: &Waiter, mut check: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, Error>>,
{
    let started = tokio::time::Instant::now();
    let mut delay = waiter.first_delay;
    loop {
        let last = match check().await {
            Ok(Seen::Done(value)) => return Ok(value),
            Ok(Seen::Failed(state)) => {
                return Err(Error::Wait {
                    what,
                    last_state: state,
                    waited: started.elapsed(),
                    finished: true,
                });
            }
            Ok(Seen::Pending(state)) => state,
            // A failed poll is not the end: the service may be briefly unavailable.
            Err(error) => format!("poll failed: {error}"),
        };
        let left = waiter.deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(Error::Wait {
                what,
                last_state: last,
                waited: started.elapsed(),
                finished: false,
            });
        }
        tracing::debug!(what, state = last.as_str(), "waiting");
        tokio::time::sleep(delay.min(left)).await;
        delay = (delay * 2).min(waiter.max_delay);
    }
}
