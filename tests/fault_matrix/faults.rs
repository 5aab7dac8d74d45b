//! The faults of the matrix and where each comes from: the simulator's fault injection, the
//! scripted server, or a request signed by hand with a skewed clock.

use std::time::Duration;

use dbss_sim::Fault;

use crate::scripted::Reply;
use crate::{IMPATIENT, PATIENT};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultKind {
    ResetBefore,
    ResetAfter,
    Storm503,
    Storm503Endless,
    Storm429RetryAfter0,
    Storm429RetryAfter1,
    SlowBody,
    SlowBodyBeyondTimeout,
    LatencyBeyondTimeout,
    TruncatedHead,
    TruncatedBody,
    NonJson,
    ProxyHtml502,
    ClockBehind,
    ClockAhead,
}

/// Where a fault comes from.
pub(crate) enum Source {
    /// dbss-sim's fault injection.
    Simulator(Fault),
    /// The scripted server: these replies, then a good answer.
    Scripted(Vec<Reply>),
    /// A request signed by hand with the clock this many minutes off.
    Skew(i64),
}

impl FaultKind {
    pub(crate) const ALL: [FaultKind; 15] = [
        FaultKind::ResetBefore,
        FaultKind::ResetAfter,
        FaultKind::Storm503,
        FaultKind::Storm503Endless,
        FaultKind::Storm429RetryAfter0,
        FaultKind::Storm429RetryAfter1,
        FaultKind::SlowBody,
        FaultKind::SlowBodyBeyondTimeout,
        FaultKind::LatencyBeyondTimeout,
        FaultKind::TruncatedHead,
        FaultKind::TruncatedBody,
        FaultKind::NonJson,
        FaultKind::ProxyHtml502,
        FaultKind::ClockBehind,
        FaultKind::ClockAhead,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            FaultKind::ResetBefore => "reset before processing (x1)",
            FaultKind::ResetAfter => "reset after processing (x1)",
            FaultKind::Storm503 => "503 storm (x2, then ok)",
            FaultKind::Storm503Endless => "503 storm (every attempt)",
            FaultKind::Storm429RetryAfter0 => "429 storm, Retry-After: 0 (x2)",
            FaultKind::Storm429RetryAfter1 => "429, Retry-After: 1 (x1)",
            FaultKind::SlowBody => "slow body (2 ms per 64 B)",
            FaultKind::SlowBodyBeyondTimeout => "slow body beyond attempt timeout (x1)",
            FaultKind::LatencyBeyondTimeout => "latency beyond attempt timeout (x1)",
            FaultKind::TruncatedHead => "truncated head (x1, scripted)",
            FaultKind::TruncatedBody => "truncated body (x1, scripted)",
            FaultKind::NonJson => "200 with non-JSON body (x1, scripted)",
            FaultKind::ProxyHtml502 => "proxy HTML 502 (x1, scripted)",
            FaultKind::ClockBehind => "clock skew -20 min (hand-signed)",
            FaultKind::ClockAhead => "clock skew +20 min (hand-signed)",
        }
    }

    pub(crate) fn attempt_timeout(self) -> Duration {
        match self {
            FaultKind::SlowBodyBeyondTimeout | FaultKind::LatencyBeyondTimeout => IMPATIENT,
            _ => PATIENT,
        }
    }

    pub(crate) fn source(self, operation: &str) -> Source {
        let fault = |text: String| text.parse::<Fault>().unwrap_or_else(|e| panic!("{e}"));
        match self {
            FaultKind::ResetBefore => Source::Simulator(Fault::reset_before(operation).times(1)),
            FaultKind::ResetAfter => Source::Simulator(Fault::reset_after(operation).times(1)),
            FaultKind::Storm503 => Source::Simulator(Fault::status(operation, 503).rate(1.0).times(2)),
            FaultKind::Storm503Endless => Source::Simulator(Fault::status(operation, 503).rate(1.0)),
            FaultKind::Storm429RetryAfter0 => Source::Simulator(Fault::status(operation, 429).retry_after(0).times(2)),
            FaultKind::Storm429RetryAfter1 => Source::Simulator(Fault::status(operation, 429).retry_after(1).times(1)),
            FaultKind::SlowBody => Source::Simulator(Fault::slow_body(operation, Duration::from_millis(2))),
            // Two bytes every 500 ms: even the shortest answer (20 bytes) takes five seconds,
            // five times the attempt timeout, while its head is sent at once.
            FaultKind::SlowBodyBeyondTimeout => {
                Source::Simulator(fault(format!("op={operation},slow-body-ms=500,chunk=2,times=1")))
            }
            // Far beyond the attempt timeout: the request is not processed while the cell runs.
            FaultKind::LatencyBeyondTimeout => {
                Source::Simulator(fault(format!("op={operation},latency-ms=30000,times=1")))
            }
            FaultKind::TruncatedHead => Source::Scripted(vec![Reply::TruncatedHead]),
            FaultKind::TruncatedBody => Source::Scripted(vec![Reply::TruncatedBody]),
            FaultKind::NonJson => Source::Scripted(vec![Reply::NonJson]),
            FaultKind::ProxyHtml502 => Source::Scripted(vec![Reply::ProxyHtml502]),
            FaultKind::ClockBehind => Source::Skew(-20),
            FaultKind::ClockAhead => Source::Skew(20),
        }
    }
}
