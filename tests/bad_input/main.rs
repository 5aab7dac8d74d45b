//! Bad input, generated from the spec: for the request bodies and path ids of a
//! representative set of operations, every required field missing (one at a time), every
//! field of the wrong JSON type, every string beyond its documented `maxLength`, every path id
//! outside its documented length, and `securitygroup_ids` of zero and two items.
//!
//! Each bad input is checked twice:
//!
//! * **the client refuses it before sending, naming the field**: the bad JSON does not decode
//!   into the operation's typed body (`dbss::from_json::<dbss::types::X>`, whose
//!   `Error::InvalidInput` gives the field's path), or the bad path id makes `.call()` fail with
//!   `dbss::Error::InvalidRequest` naming the parameter — and a catch-all mock server receives
//!   nothing (an input the typed body accepts is sent to it, so a gap shows as a hit);
//! * **the simulator refuses it**: the same JSON, signed by hand and sent raw, is answered
//!   `400` `DBSS.10000001` with an `error_msg` naming the field, and the simulator's state is
//!   unchanged.
//!
//! The spec is read through `dbss_sim::spec::Spec::embedded()`, which parses
//! `openapi/dbss.yaml` with serde_yaml (serde_yaml is not a dependency of this test crate);
//! cases start from each operation's request-body example and walk its schema. The counts per
//! category are printed (`-- --nocapture`).

mod cases;
mod simulator;
mod targets;

use std::{collections::BTreeMap, fmt};

use dbss::ServiceError;
use dbss_sim::spec::Spec;
use dbss_tests::send_operation;
use httpmock::MockServer;
use serde_json::Value;

use crate::cases::{Case, Category, cases_of, valid_params};
use crate::simulator::{fixtures, seeded_simulator, snapshot};
use crate::targets::{ClientVerdict, targets};

pub(crate) const SEED: u64 = 7;
/// The error code of a malformed request.
pub(crate) const BAD_REQUEST: &str = "DBSS.10000001";

// ---------------------------------------------------------------------------------------------
// Known gaps: bad inputs that are not refused as they should be. Each is asserted as it
// behaves today, so that the test fails when it changes (and the entry must go).

/// Which side lets a bad input through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Side {
    Client,
    Simulator,
}

/// `(operation, field, change, side)` of every known gap. None today: every generated bad
/// input is refused by both sides.
pub(crate) const KNOWN_GAPS: &[(&str, &str, &str, Side)] = &[];

/// A bad input one side let through, and what happened to it.
pub(crate) struct Gap {
    pub(crate) case: Case,
    pub(crate) side: Side,
    pub(crate) what: String,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}: {}", self.side, self.case, self.what)
    }
}

// ---------------------------------------------------------------------------------------------
// The test

#[derive(Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) cases: usize,
    pub(crate) client_refused: usize,
    /// Client refusals whose message names the field.
    pub(crate) client_named: usize,
    pub(crate) simulator_refused: usize,
}

/// Whether a client refusal names the field: by its path in the body, as `dbss::from_json`
/// reports it (`invalid input at rules[0].name: ...`), or by its last name, without array
/// indices, the way serde (`` missing field `name` ``) or progenitor (`for name failed`) would.
pub(crate) fn names_field(message: &str, field: &str) -> bool {
    let path = field.trim_start_matches("body.");
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    message.contains(&format!("at {path}:"))
        || message.contains(&format!("`{last}`"))
        || message.contains(&format!(" {last} "))
}

#[tokio::test]
async fn bad_input_is_refused_by_the_client_before_sending_and_by_the_simulator_with_a_400_naming_the_field() {
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let targets = targets();

    // Whatever the client sends lands here.
    let mock = MockServer::start_async().await;
    let catch_all = mock
        .mock_async(|_when, then| {
            then.status(200).header("content-type", "application/json").body("{}");
        })
        .await;
    let client = dbss_tests::client(&mock.base_url());

    let sim = seeded_simulator().await;
    let fixtures = fixtures(&sim);
    let http = reqwest::Client::new();

    // Controls: each example decodes, is sent by the client (one request each), and passes the
    // simulator's checks — so each refusal below is due to the one thing changed.
    let control_sim = seeded_simulator().await;
    for target in &targets {
        let op = spec
            .operation(target.operation)
            .unwrap_or_else(|| panic!("{}", target.operation));
        let example = op.body.as_ref().and_then(|b| b.example.clone()).unwrap_or(Value::Null);
        let params = valid_params(spec, target.operation, &fixtures);
        let verdict = (target.send)(client.clone(), params.clone(), example.clone()).await;
        assert!(
            matches!(&verdict, ClientVerdict::Sent(outcome) if outcome == "a success"),
            "{}: the example is not sent as is: {verdict:?}",
            target.operation
        );
        let (status, answer) = send_operation(
            &http,
            &control_sim,
            spec,
            target.operation,
            &params,
            &example.to_string(),
        )
        .await;
        let refusal = ServiceError::from_body("control", status, None, &answer);
        assert!(
            status < 400 || refusal.error_code.as_deref() != Some(BAD_REQUEST),
            "{}: the simulator refuses the example: {refusal}",
            target.operation
        );
    }
    assert_eq!(
        catch_all.calls_async().await,
        targets.len(),
        "the mock server sees what the client sends"
    );
    drop(control_sim);

    let mut cases = Vec::new();
    for target in &targets {
        cases.extend(cases_of(spec, target.operation, &fixtures));
    }

    let mut tally: BTreeMap<Category, Tally> = BTreeMap::new();
    // The first case of each category, with what the client and the simulator said.
    let mut samples: BTreeMap<Category, [String; 3]> = BTreeMap::new();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut before = snapshot(&sim);
    let mut hits = catch_all.calls_async().await;
    for case in &cases {
        let counts = tally.entry(case.category).or_default();
        counts.cases += 1;
        let target = targets
            .iter()
            .find(|t| t.operation == case.operation)
            .unwrap_or_else(|| panic!("{} has no target", case.operation));

        // (a) The client.
        let verdict = (target.send)(client.clone(), case.params.clone(), case.body.clone()).await;
        let now = catch_all.calls_async().await;
        let sent = now - hits;
        hits = now;
        let client_refused = match &verdict {
            ClientVerdict::Undecodable(_) => case.category != Category::PathId,
            ClientVerdict::Invalid(reason) => {
                case.category == Category::PathId && reason.contains(case.field.trim_start_matches("path."))
            }
            ClientVerdict::Sent(_) => false,
        };
        if client_refused && sent == 0 {
            counts.client_refused += 1;
            if let ClientVerdict::Undecodable(message) | ClientVerdict::Invalid(message) = &verdict
                && names_field(message, &case.field)
            {
                counts.client_named += 1;
            }
        } else {
            gaps.push(Gap {
                case: case.clone(),
                side: Side::Client,
                what: format!("{verdict:?}; requests sent: {sent}"),
            });
        }

        // (b) The simulator, sent the same JSON raw.
        let (status, answer) =
            send_operation(&http, &sim, spec, case.operation, &case.params, &case.body.to_string()).await;
        let refusal = ServiceError::from_body(case.operation, status, None, &answer);
        let names_the_field = refusal
            .error_msg
            .as_deref()
            .is_some_and(|m| m.split("; ").any(|v| v.starts_with(&format!("{}: ", case.field))));
        samples.entry(case.category).or_insert_with(|| {
            let client_said = match &verdict {
                ClientVerdict::Undecodable(message) => format!("serde: {message}"),
                ClientVerdict::Invalid(reason) => format!("Error::InvalidRequest: {reason}"),
                ClientVerdict::Sent(outcome) => format!("sent, got {outcome}"),
            };
            [case.to_string(), client_said, refusal.to_string()]
        });
        let unchanged = snapshot(&sim) == before;
        // Each case is judged by its own change only: whatever it started (an instance being
        // built) is completed now, not while the next case runs.
        sim.state().complete_pending();
        before = snapshot(&sim);
        if status == 400 && refusal.error_code.as_deref() == Some(BAD_REQUEST) && names_the_field && unchanged {
            counts.simulator_refused += 1;
        } else {
            let mut what = format!("HTTP {status}: {refusal}");
            if !unchanged {
                what.push_str("; the state changed");
            }
            gaps.push(Gap {
                case: case.clone(),
                side: Side::Simulator,
                what,
            });
        }
    }

    println!("{}", report(&tally, &samples, &gaps));

    // Enough cases, from every operation, in every category.
    for category in Category::ALL {
        let n = tally.get(&category).map_or(0, |t| t.cases);
        assert!(n > 0, "no case of {}", category.label());
    }
    for target in &targets {
        let of_it = cases.iter().filter(|c| c.operation == target.operation);
        let categories: Vec<Category> = of_it.map(|c| c.category).collect();
        assert!(
            categories.contains(&Category::MissingRequired) && categories.contains(&Category::WrongType)
                || target.operation == "BatchAddResourceTag" && categories.contains(&Category::WrongType),
            "{}: too few cases: {categories:?}",
            target.operation
        );
    }

    // Nothing slipped through but the known gaps, and every known gap is still there.
    let mut found: Vec<(&str, &str, &str, Side)> = gaps
        .iter()
        .map(|g| (g.case.operation, g.case.field.as_str(), g.case.change.as_str(), g.side))
        .collect();
    found.sort();
    let mut known = KNOWN_GAPS.to_vec();
    known.sort();
    assert_eq!(
        found,
        known,
        "bad inputs let through (left) differ from the known gaps (right):\n{}",
        gaps.iter().map(|g| format!("  {g}")).collect::<Vec<_>>().join("\n")
    );
    // Every refusal by the client says which field (through `dbss::from_json`'s path, or the
    // builder's own message for path ids).
    for (category, t) in &tally {
        assert_eq!(
            t.client_named, t.client_refused,
            "{category:?}: some client refusals do not name the field"
        );
    }
    // The mock saw the controls and nothing else.
    assert_eq!(
        catch_all.calls_async().await,
        targets.len() + gaps.iter().filter(|g| g.side == Side::Client).count()
    );
}

pub(crate) fn report(
    tally: &BTreeMap<Category, Tally>,
    samples: &BTreeMap<Category, [String; 3]>,
    gaps: &[Gap],
) -> String {
    let mut out = String::from(
        "| category                     | cases | client refused, nothing sent | client message names the field | simulator 400 DBSS.10000001 naming the field |\n\
         |------------------------------|-------|------------------------------|----------------------------------|----------------------------------------------|\n",
    );
    let mut total = Tally::default();
    let row = |label: &str, t: Tally| {
        format!(
            "| {label:28} | {:5} | {:28} | {:32} | {:44} |\n",
            t.cases, t.client_refused, t.client_named, t.simulator_refused
        )
    };
    for category in Category::ALL {
        let t = tally.get(&category).copied().unwrap_or_default();
        total.cases += t.cases;
        total.client_refused += t.client_refused;
        total.client_named += t.client_named;
        total.simulator_refused += t.simulator_refused;
        out.push_str(&row(category.label(), t));
    }
    out.push_str(&row("total", total));
    out.push_str("\nfor example:\n");
    for [case, client_said, simulator_said] in samples.values() {
        out.push_str(&format!(
            "  {case}\n    client:    {client_said}\n    simulator: {simulator_said}\n"
        ));
    }
    if gaps.is_empty() {
        out.push_str("\nno bad input slipped through\n");
    } else {
        out.push_str(&format!("\n{} gap(s):\n", gaps.len()));
        for gap in gaps {
            out.push_str(&format!("  {gap}\n"));
        }
    }
    out
}
