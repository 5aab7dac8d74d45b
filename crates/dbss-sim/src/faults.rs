//! Faults on demand: error statuses, dropped connections, latency and slow bodies, per
//! operation, decided deterministically from the seed and the order of requests.
//!
//! The `--fault` syntax (also [`Fault::from_str`](std::str::FromStr)) is a comma-separated
//! list of `key=value`:
//!
//! | key | meaning |
//! |---|---|
//! | `op` | `operationId` the fault applies to, or `*` for every operation (required) |
//! | `rate` | probability in `0..=1` that a matching request is hit (default `1`) |
//! | `times` | hit at most this many requests (default: no limit) |
//! | `status` | answer this HTTP status instead of processing the request |
//! | `code` | the error code of that answer (default `APIGW.0308` for 429, `DBSS.11000000` for 5xx, else `DBSS.10000001`) |
//! | `retry-after` | with `status`: send `Retry-After: <seconds>` |
//! | `reset` | `before`: close the connection without answering or processing; `after`: process the request (its changes are kept), then close without answering |
//! | `slow-body-ms` | send the answer in chunks, waiting this long before each |
//! | `chunk` | with `slow-body-ms`: bytes per chunk (default 64) |
//! | `latency-ms` | wait this long before answering (combines with the others) |
//!
//! At most one of `status`, `reset` and `slow-body-ms` per fault. Examples:
//! `op=ListAuditSqlsNew,status=503,rate=0.5,retry-after=1`, `op=*,reset=after,times=1`,
//! `op=ListAuditInstances,latency-ms=200`.

use std::{
    str::FromStr,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use crate::rng;

/// What a fault does to the requests it hits.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultEffect {
    /// Nothing beyond the fault's latency.
    None,
    /// An error answer instead of processing.
    Status {
        /// HTTP status.
        status: u16,
        /// Error code in the body (a default for the status when `None`).
        code: Option<String>,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Close the connection without processing or answering.
    ResetBefore,
    /// Process the request, then close the connection without answering.
    ResetAfter,
    /// Answer normally, but slowly.
    SlowBody {
        /// Wait before each chunk.
        chunk_delay: Duration,
        /// Bytes per chunk.
        chunk_size: usize,
    },
}

/// One configured fault.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The `operationId` it applies to; `None` for every operation.
    pub operation: Option<String>,
    /// Probability that a matching request is hit.
    pub rate: f64,
    /// At most this many hits.
    pub times: Option<u64>,
    /// What a hit does.
    pub effect: FaultEffect,
    /// Added delay for every hit.
    pub latency: Duration,
}

impl Fault {
    fn new(operation: &str, effect: FaultEffect) -> Fault {
        Fault {
            operation: (operation != "*").then(|| operation.to_owned()),
            rate: 1.0,
            times: None,
            effect,
            latency: Duration::ZERO,
        }
    }

    /// Answer `status` to `operation` (`"*"`: every operation).
    pub fn status(operation: &str, status: u16) -> Fault {
        Fault::new(
            operation,
            FaultEffect::Status {
                status,
                code: None,
                retry_after: None,
            },
        )
    }

    /// Close the connection before processing.
    pub fn reset_before(operation: &str) -> Fault {
        Fault::new(operation, FaultEffect::ResetBefore)
    }

    /// Process, then close the connection without answering.
    pub fn reset_after(operation: &str) -> Fault {
        Fault::new(operation, FaultEffect::ResetAfter)
    }

    /// Send the answer in 64-byte chunks, `chunk_delay` apart.
    pub fn slow_body(operation: &str, chunk_delay: Duration) -> Fault {
        Fault::new(
            operation,
            FaultEffect::SlowBody {
                chunk_delay,
                chunk_size: 64,
            },
        )
    }

    /// Only delay answers by `latency`.
    pub fn latency(operation: &str, latency: Duration) -> Fault {
        Fault::new(operation, FaultEffect::None).with_latency(latency)
    }

    /// Hit matching requests with probability `rate` (clamped to `0..=1`).
    pub fn rate(mut self, rate: f64) -> Fault {
        self.rate = if rate.is_nan() { 0.0 } else { rate.clamp(0.0, 1.0) };
        self
    }

    /// Hit at most `times` requests.
    pub fn times(mut self, times: u64) -> Fault {
        self.times = Some(times);
        self
    }

    /// Also delay every hit by `latency`.
    pub fn with_latency(mut self, latency: Duration) -> Fault {
        self.latency = latency;
        self
    }

    /// With a status effect: send `Retry-After: seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Fault {
        if let FaultEffect::Status { retry_after, .. } = &mut self.effect {
            *retry_after = Some(seconds);
        }
        self
    }

    /// With a status effect: use this error code.
    pub fn code(mut self, error_code: impl Into<String>) -> Fault {
        if let FaultEffect::Status { code, .. } = &mut self.effect {
            *code = Some(error_code.into());
        }
        self
    }

    fn applies_to(&self, operation: &str) -> bool {
        self.operation.as_deref().is_none_or(|op| op == operation)
    }
}

/// Why a `--fault` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault {spec:?}: {reason}")]
pub struct FaultParseError {
    spec: String,
    reason: String,
}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(spec: &str) -> Result<Fault, FaultParseError> {
        let fail = |reason: String| FaultParseError {
            spec: spec.to_owned(),
            reason,
        };
        let mut operation = None;
        let (mut rate, mut times, mut latency) = (1.0, None, Duration::ZERO);
        let (mut status, mut code, mut retry_after, mut reset, mut slow, mut chunk) =
            (None, None, None, None, None, None);
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| fail(format!("{part:?} is not key=value")))?;
            let number = |what: &str| {
                value
                    .parse::<u64>()
                    .map_err(|_| fail(format!("{what} must be a non-negative integer, got {value:?}")))
            };
            match key.trim() {
                "op" => operation = Some(value.to_owned()),
                "rate" => {
                    rate = value
                        .parse::<f64>()
                        .ok()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or_else(|| fail(format!("rate must be a number from 0 to 1, got {value:?}")))?;
                }
                "times" => times = Some(number("times")?),
                "status" => {
                    let s = number("status")?;
                    if !(100..=599).contains(&s) {
                        return Err(fail(format!("status must be an HTTP status, got {s}")));
                    }
                    status = u16::try_from(s).ok();
                }
                "code" => code = Some(value.to_owned()),
                "retry-after" => retry_after = Some(number("retry-after")?),
                "reset" => match value {
                    "before" => reset = Some(FaultEffect::ResetBefore),
                    "after" => reset = Some(FaultEffect::ResetAfter),
                    _ => return Err(fail(format!("reset must be before or after, got {value:?}"))),
                },
                "slow-body-ms" => slow = Some(Duration::from_millis(number("slow-body-ms")?)),
                "chunk" => chunk = Some(number("chunk")?.max(1)),
                "latency-ms" => latency = Duration::from_millis(number("latency-ms")?),
                other => return Err(fail(format!("unknown key {other:?}"))),
            }
        }
        let operation = operation.ok_or_else(|| fail("op= is required (an operationId or *)".into()))?;
        let effects = usize::from(status.is_some()) + usize::from(reset.is_some()) + usize::from(slow.is_some());
        if effects > 1 {
            return Err(fail("choose one of status, reset and slow-body-ms".into()));
        }
        if (code.is_some() || retry_after.is_some()) && status.is_none() {
            return Err(fail("code and retry-after need status".into()));
        }
        if chunk.is_some() && slow.is_none() {
            return Err(fail("chunk needs slow-body-ms".into()));
        }
        let effect = match (status, reset, slow) {
            (Some(status), _, _) => FaultEffect::Status {
                status,
                code,
                retry_after,
            },
            (_, Some(reset), _) => reset,
            (_, _, Some(chunk_delay)) => FaultEffect::SlowBody {
                chunk_delay,
                chunk_size: usize::try_from(chunk.unwrap_or(64)).unwrap_or(64),
            },
            _ => FaultEffect::None,
        };
        let mut fault = Fault::new(&operation, effect).rate(rate).with_latency(latency);
        fault.times = times;
        Ok(fault)
    }
}

/// The faults of a running simulator, with their counters.
#[derive(Debug, Default)]
pub struct Faults {
    seed: u64,
    rules: Vec<(Fault, AtomicU64, AtomicU64)>,
    latency: Duration,
}

/// What happens to one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// Delay before answering.
    pub latency: Duration,
    /// The effect of the first fault that hit, if any.
    pub effect: Option<FaultEffect>,
}

impl Faults {
    /// `faults`, plus `latency` for every request.
    pub fn new(seed: u64, faults: Vec<Fault>, latency: Duration) -> Faults {
        Faults {
            seed,
            rules: faults
                .into_iter()
                .map(|f| (f, AtomicU64::new(0), AtomicU64::new(0)))
                .collect(),
            latency,
        }
    }

    /// Decides the fate of the next request for `operation`.
    pub fn decide(&self, operation: &str) -> Decision {
        let mut decision = Decision {
            latency: self.latency,
            effect: None,
        };
        for (index, (fault, seen, hits)) in self.rules.iter().enumerate() {
            if !fault.applies_to(operation) {
                continue;
            }
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let roll = rng::unit(rng::combine(rng::combine(self.seed, index as u64), n));
            if roll >= fault.rate {
                continue;
            }
            let limit = fault.times.unwrap_or(u64::MAX);
            let counted = hits
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |h| (h < limit).then_some(h + 1))
                .is_ok();
            if !counted {
                continue;
            }
            decision.latency += fault.latency;
            if decision.effect.is_none() && fault.effect != FaultEffect::None {
                decision.effect = Some(fault.effect.clone());
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_syntax_parses() {
        let fault: Fault = "op=ListAuditSqlsNew,status=503,rate=0.5,retry-after=1"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fault, Fault::status("ListAuditSqlsNew", 503).rate(0.5).retry_after(1));
        let reset: Fault = "op=*,reset=after,times=2".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reset, Fault::reset_after("*").times(2));
        let slow: Fault = "op=X,slow-body-ms=10,chunk=5,latency-ms=7"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            slow.effect,
            FaultEffect::SlowBody {
                chunk_delay: Duration::from_millis(10),
                chunk_size: 5
            }
        );
        assert_eq!(slow.latency, Duration::from_millis(7));
    }

    #[test]
    fn mistakes_are_explained() {
        for (spec, reason) in [
            ("status=503", "op= is required"),
            ("op=X,rate=2", "rate must be"),
            ("op=X,status=503,reset=before", "choose one"),
            ("op=X,reset=sometimes", "reset must be"),
            ("op=X,retry-after=1", "need status"),
            ("op=X,colour=red", "unknown key"),
            ("op=X,status=42", "HTTP status"),
            ("op=X,junk", "not key=value"),
        ] {
            let error = spec.parse::<Fault>().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains(reason), "{spec}: {error}");
        }
    }

    #[test]
    fn decisions_are_deterministic_and_counted() {
        let run = |seed| {
            let faults = Faults::new(seed, vec![Fault::status("A", 503).rate(0.5)], Duration::ZERO);
            (0..64).map(|_| faults.decide("A").effect.is_some()).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        let hits = run(1).iter().filter(|h| **h).count();
        assert!((16..=48).contains(&hits), "{hits} of 64 at rate 0.5");

        let faults = Faults::new(0, vec![Fault::reset_before("*").times(2)], Duration::from_millis(3));
        let effects: Vec<_> = (0..4).map(|_| faults.decide("B").effect).collect();
        assert_eq!(
            effects,
            [
                Some(FaultEffect::ResetBefore),
                Some(FaultEffect::ResetBefore),
                None,
                None
            ]
        );
        assert_eq!(faults.decide("B").latency, Duration::from_millis(3));
        assert_eq!(faults.decide("B").effect, None);
    }
}
