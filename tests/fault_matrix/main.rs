//! Faults end to end: every kind of fault the network or the service can throw at a call,
//! against every kind of call, as a table.
//!
//! Faults come from dbss-sim's fault injection (fixed seed, `times` for storms that end), from
//! a scripted TCP server for what the simulator cannot produce (truncated and non-JSON
//! answers, a proxy's HTML 502), and from requests signed by hand with a clock 20 minutes
//! off. Calls are an idempotent read, an idempotent setting and two non-idempotent creates.
//! Every cell has an expected outcome — how the call ended, after how many attempts, and what
//! the server's state shows afterwards — and the whole matrix is printed
//! (`cargo test --test fault_matrix -- --nocapture`) before the cells are compared.
//!
//! The invariants behind the expectations: an idempotent call succeeds within its retry
//! policy or fails with an error naming the status, kind and attempts; a non-idempotent call
//! is never sent twice once it may have reached the server, so what the server created never
//! exceeds one per call, and equals what the client acknowledged whenever the client got an
//! answer.

mod attempts;
mod calls;
mod cells;
mod faults;
mod outcomes;
mod scripted;

use std::{collections::BTreeMap, time::Duration};

use dbss::{OperationMeta, RetryPolicy};

use crate::calls::Call;
use crate::cells::{prepare, run};
use crate::faults::FaultKind;
use crate::outcomes::{Cell, Effect, Outcome, expected};

/// Seed of every simulator (ids, fault decisions).
pub(crate) const SEED: u64 = 7;
/// Attempts per call, the first included.
pub(crate) const ATTEMPTS: u32 = 4;
/// The attempt timeout of cells whose fault is not about time.
pub(crate) const PATIENT: Duration = Duration::from_secs(5);
/// The attempt timeout of cells whose fault outlasts it.
pub(crate) const IMPATIENT: Duration = Duration::from_secs(1);
/// The security group the setting binds.
pub(crate) const NEW_GROUP: &str = "5d0c1b8e-7f3a-4e29-9c61-2b8f4a7d3e10";
/// Instance id used against the scripted server (any id of a valid length).
pub(crate) const SCRIPTED_INSTANCE: &str = "a1b2c3d4-0000-4000-8000-00000000f00d";

pub(crate) fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: ATTEMPTS,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn the_fault_matrix_holds() {
    // The calls are what the spec says they are.
    for call in Call::ALL {
        let meta = OperationMeta::find(call.operation()).unwrap_or_else(|| panic!("{} is unknown", call.operation()));
        assert_eq!(meta.idempotent, call.idempotent(), "x-idempotent of {}", meta.id);
    }

    let mut prepared = Vec::new();
    for fault in FaultKind::ALL {
        for call in Call::ALL {
            prepared.push(((fault, call), prepare(fault, call).await));
        }
    }
    let cells = futures::future::join_all(
        prepared
            .into_iter()
            .map(|((fault, call), ready)| async move { ((fault, call), run(ready, call).await) }),
    )
    .await;
    let observed: BTreeMap<(usize, Call), Cell> = cells
        .into_iter()
        .map(|((fault, call), cell)| {
            let row = FaultKind::ALL.iter().position(|f| *f == fault).unwrap_or(usize::MAX);
            ((row, call), cell)
        })
        .collect();

    println!("{}", table(&observed));

    let mut mismatches = Vec::new();
    for (row, fault) in FaultKind::ALL.iter().enumerate() {
        for call in Call::ALL {
            let want = expected(*fault, call);
            match observed.get(&(row, call)) {
                Some(got) if *got == want => {}
                got => mismatches.push(format!(
                    "{} x {}:\n    expected {want}\n    observed {}",
                    fault.label(),
                    call.heading(),
                    got.map_or_else(|| "nothing".to_owned(), ToString::to_string)
                )),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cells differ:\n{}",
        mismatches.len(),
        observed.len(),
        mismatches.join("\n")
    );

    // The invariants, restated over the whole matrix.
    for ((row, call), cell) in &observed {
        if let Effect::Created { created, acknowledged } = cell.effect {
            assert!(created <= 1, "row {row}, {call:?}: a create was duplicated ({created})");
            if matches!(cell.outcome, Outcome::Succeeded { .. }) {
                assert_eq!(created, acknowledged, "row {row}, {call:?}");
            }
        }
        if !call.idempotent()
            && let Outcome::Failed { error, attempts } = &cell.outcome
            && !error.starts_with("HTTP 429")
        {
            assert_eq!(*attempts, 1, "row {row}, {call:?}: a create was retried after {error}");
        }
    }
}

pub(crate) fn table(observed: &BTreeMap<(usize, Call), Cell>) -> String {
    let first = FaultKind::ALL.iter().map(|f| f.label().len()).max().unwrap_or(0).max(5);
    let widths: Vec<usize> = Call::ALL
        .iter()
        .map(|call| {
            observed
                .iter()
                .filter(|((_, c), _)| c == call)
                .map(|(_, cell)| cell.to_string().len())
                .chain([call.heading().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = format!("| {:first$} |", "fault");
    for (call, width) in Call::ALL.iter().zip(&widths) {
        line.push_str(&format!(" {:width$} |", call.heading()));
    }
    out.push_str(&line);
    out.push('\n');
    let mut rule = format!("|{}|", "-".repeat(first + 2));
    for width in &widths {
        rule.push_str(&format!("{}|", "-".repeat(width + 2)));
    }
    out.push_str(&rule);
    out.push('\n');
    for (row, fault) in FaultKind::ALL.iter().enumerate() {
        let mut line = format!("| {:first$} |", fault.label());
        for (call, width) in Call::ALL.iter().zip(&widths) {
            let text = observed.get(&(row, *call)).map(ToString::to_string).unwrap_or_default();
            line.push_str(&format!(" {text:width$} |"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
