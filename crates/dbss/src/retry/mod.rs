//! Retries as three separate pieces: the [`RetryPolicy`] a caller tunes, the backoff that turns
//! it into delays, and the classifier that says whether one attempt's outcome is worth another.
//! The transport only runs the attempt loop and asks these; nothing here does I/O, so every rule
//! is tested without a server.

mod backoff;
mod classifier;
mod policy;

pub(crate) use backoff::retry_after;
pub(crate) use classifier::{Outcome, Verdict, classify};
pub use policy::RetryPolicy;
