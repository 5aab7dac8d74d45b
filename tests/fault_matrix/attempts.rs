//! Counting attempts: the client opens a `dbss.attempt` span per attempt.

use std::sync::{
    Arc,
    atomic::{AtomicU32, AtomicU64, Ordering},
};

use dbss::Error;
use tracing::{
    Event, Metadata, Subscriber,
    instrument::WithSubscriber,
    span::{Attributes, Id, Record},
};

use crate::calls::{Call, invoke};
use crate::outcomes::{Outcome, name_error};

pub(crate) struct AttemptCounter {
    pub(crate) attempts: Arc<AtomicU32>,
    pub(crate) next_id: AtomicU64,
}

impl Subscriber for AttemptCounter {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        if span.metadata().name() == "dbss.attempt" {
            self.attempts.fetch_add(1, Ordering::SeqCst);
        }
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Runs the call, counting its attempts.
pub(crate) async fn counted(client: &dbss::Client, call: Call, instance: &str) -> (Result<usize, Error>, u32) {
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = AttemptCounter {
        attempts: attempts.clone(),
        next_id: AtomicU64::new(0),
    };
    let result = invoke(client, call, instance).with_subscriber(counter).await;
    (result, attempts.load(Ordering::SeqCst))
}

/// The outcome of a client call, checking that a transport error counts attempts truly.
pub(crate) fn outcome(result: &Result<usize, Error>, attempts: u32) -> Outcome {
    match result {
        Ok(_) => Outcome::Succeeded { attempts },
        Err(error) => {
            if let Error::Transport { attempts: told, .. } = error
                && *told != attempts
            {
                return Outcome::Failed {
                    error: format!("transport error claims {told} attempts: {error}"),
                    attempts,
                };
            }
            Outcome::Failed {
                error: name_error(error),
                attempts,
            }
        }
    }
}
