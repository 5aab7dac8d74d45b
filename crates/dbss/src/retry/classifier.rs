//! Whether one attempt's outcome deserves another attempt: a pure function of the outcome and
//! of how safe it is to send the request twice. Limits that depend on the whole call (attempts
//! left, budget, total timeout, a body that cannot be replayed) are the attempt loop's.

use std::time::Duration;

use crate::error::TransportKind;

/// What one attempt came back with, reduced to what the decision needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server answered with this status.
    Answered {
        /// The HTTP status.
        status: u16,
        /// The server's `Retry-After`, when it gave a usable one.
        retry_after: Option<Duration>,
        /// The head arrived but the body was cut off.
        body_lost: bool,
    },
    /// No answer: the request failed in this way.
    Failed(TransportKind),
}

/// What the attempt loop should do next, and why (for `--debug` readers and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again after the policy's backoff.
    Retry(&'static str),
    /// Try again after the delay the server asked for.
    RetryAfter(Duration, &'static str),
    /// Stop: the outcome is final.
    GiveUp(&'static str),
}

/// Decides on one outcome. `idempotent` says whether the operation may run twice without harm;
/// `retry_non_idempotent` is the caller's consent to retry it anyway.
pub(crate) fn classify(outcome: Outcome, idempotent: bool, retry_non_idempotent: bool) -> Verdict {
    let repeatable = idempotent || retry_non_idempotent;
    match outcome {
        // Throttled: the request was refused before being acted on, so even a create is safe.
        Outcome::Answered {
            status: 429,
            retry_after: Some(delay),
            ..
        } => Verdict::RetryAfter(delay, "throttled, the server said when"),
        Outcome::Answered { status: 429, .. } => Verdict::Retry("throttled"),
        Outcome::Answered { status: 502..=504, .. } if repeatable => Verdict::Retry("gateway error"),
        Outcome::Answered { status: 502..=504, .. } => {
            Verdict::GiveUp("gateway error on an operation that is not idempotent")
        }
        // The server may have acted on it: like a lost connection.
        Outcome::Answered { body_lost: true, .. } if repeatable => Verdict::Retry("answer cut off"),
        Outcome::Answered { body_lost: true, .. } => {
            Verdict::GiveUp("answer cut off on an operation that is not idempotent")
        }
        Outcome::Answered { .. } => Verdict::GiveUp("final answer"),
        // A refused connection never reached the server: always safe to retry.
        Outcome::Failed(TransportKind::Connect) => Verdict::Retry("connection failed"),
        // Anything else may have been processed, so only repeatable calls retry.
        Outcome::Failed(_) if repeatable => Verdict::Retry("request failed"),
        Outcome::Failed(_) => Verdict::GiveUp("request failed on an operation that is not idempotent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(7);

    fn answered(status: u16) -> Outcome {
        Outcome::Answered {
            status,
            retry_after: None,
            body_lost: false,
        }
    }

    fn cut_off(status: u16) -> Outcome {
        Outcome::Answered {
            status,
            retry_after: None,
            body_lost: true,
        }
    }

    /// What the table expects in each of the three idempotency columns.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Want {
        Retry,
        After(Duration),
        GiveUp,
    }

    fn kind(verdict: Verdict) -> Want {
        match verdict {
            Verdict::Retry(_) => Want::Retry,
            Verdict::RetryAfter(delay, _) => Want::After(delay),
            Verdict::GiveUp(_) => Want::GiveUp,
        }
    }

    /// Every outcome kind, and the verdict for: an idempotent operation; one that is not;
    /// one that is not but with `retry_non_idempotent` set.
    #[test]
    fn every_outcome_against_every_idempotency() {
        use Want::{After, GiveUp, Retry};
        let throttled_with_wait = Outcome::Answered {
            status: 429,
            retry_after: Some(WAIT),
            body_lost: false,
        };
        let rows: &[(&str, Outcome, [Want; 3])] = &[
            ("200", answered(200), [GiveUp, GiveUp, GiveUp]),
            ("204", answered(204), [GiveUp, GiveUp, GiveUp]),
            ("400", answered(400), [GiveUp, GiveUp, GiveUp]),
            ("401", answered(401), [GiveUp, GiveUp, GiveUp]),
            ("404", answered(404), [GiveUp, GiveUp, GiveUp]),
            ("429", answered(429), [Retry, Retry, Retry]),
            (
                "429 + Retry-After",
                throttled_with_wait,
                [After(WAIT), After(WAIT), After(WAIT)],
            ),
            ("500", answered(500), [GiveUp, GiveUp, GiveUp]),
            ("501", answered(501), [GiveUp, GiveUp, GiveUp]),
            ("502", answered(502), [Retry, GiveUp, Retry]),
            ("503", answered(503), [Retry, GiveUp, Retry]),
            ("504", answered(504), [Retry, GiveUp, Retry]),
            ("505", answered(505), [GiveUp, GiveUp, GiveUp]),
            ("200, body lost", cut_off(200), [Retry, GiveUp, Retry]),
            ("400, body lost", cut_off(400), [Retry, GiveUp, Retry]),
            ("429, body lost", cut_off(429), [Retry, Retry, Retry]),
            ("503, body lost", cut_off(503), [Retry, GiveUp, Retry]),
            (
                "connect",
                Outcome::Failed(TransportKind::Connect),
                [Retry, Retry, Retry],
            ),
            (
                "timeout",
                Outcome::Failed(TransportKind::Timeout),
                [Retry, GiveUp, Retry],
            ),
            ("other", Outcome::Failed(TransportKind::Other), [Retry, GiveUp, Retry]),
        ];
        let columns = [
            ("idempotent", true, false),
            ("not idempotent", false, false),
            ("forced", false, true),
        ];
        for (name, outcome, wants) in rows {
            for ((column, idempotent, force), want) in columns.iter().zip(wants) {
                let verdict = classify(*outcome, *idempotent, *force);
                assert_eq!(kind(verdict), *want, "{name}, {column}: {verdict:?}");
            }
        }
    }

    #[test]
    fn an_idempotent_operation_is_not_changed_by_the_override() {
        for outcome in [answered(503), cut_off(200), Outcome::Failed(TransportKind::Timeout)] {
            assert_eq!(classify(outcome, true, false), classify(outcome, true, true));
        }
    }

    #[test]
    fn every_verdict_gives_a_reason() {
        for outcome in [
            answered(200),
            answered(429),
            answered(503),
            Outcome::Failed(TransportKind::Other),
        ] {
            let reason = match classify(outcome, false, false) {
                Verdict::Retry(r) | Verdict::RetryAfter(_, r) | Verdict::GiveUp(r) => r,
            };
            assert!(!reason.is_empty(), "{outcome:?}");
        }
    }
}
