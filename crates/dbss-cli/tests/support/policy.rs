//! What the policy tests share: a simulator with three empty audit instances, a client for
//! it, and policy files written to a test's directory.

use std::path::{Path, PathBuf};

use dbss_sim::{Fault, Simulator, State};

/// The instances of the scenario.
pub const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const C: &str = "cccccccccccccccccccccccccccccccc";

/// Three active instances, `alpha`, `bravo` and `charlie`, with no custom rules yet.
pub fn scenario() -> State {
    let instance = |id: &str, name: &str| {
        format!(r#"{{"id": "{id}", "name": "{name}", "status": "ACTIVE", "resource_id": "{name:0>32}"}}"#)
    };
    let json = format!(
        r#"{{"instances": [{}, {}, {}]}}"#,
        instance(A, "alpha"),
        instance(B, "bravo"),
        instance(C, "charlie")
    );
    State::from_scenario_json(&json).unwrap_or_else(|e| panic!("scenario: {e}"))
}

/// The simulator on that scenario, with `faults` (in `dbss-sim --fault` syntax).
pub async fn start(faults: &[&str]) -> Simulator {
    let mut builder = Simulator::builder().state(scenario());
    for fault in faults {
        builder = builder.fault(fault.parse::<Fault>().unwrap_or_else(|e| panic!("{fault}: {e}")));
    }
    builder.start().await.unwrap_or_else(|e| panic!("simulator: {e}"))
}

/// A library client of the simulator.
pub fn client(sim: &Simulator) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}
