//! What a caller may tune about retries.

use std::time::Duration;

/// How failed attempts are retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry; it doubles each retry, up to `max_delay`.
    pub base_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
    /// Also retry operations that are not idempotent (orders, deletes, ...) after a failure
    /// where the request may have reached the server. Off by default: such a retry could
    /// create or delete twice. Refused connections and 429s are retried regardless.
    pub retry_non_idempotent: bool,
    /// Retries one client may spend before it stops retrying: each retry costs
    /// `retry_cost`, each success gives one back. Stops a failing service from being hammered.
    pub budget: u32,
    /// What one retry costs from the budget.
    pub retry_cost: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            retry_non_idempotent: false,
            budget: 500,
            retry_cost: 5,
        }
    }
}
