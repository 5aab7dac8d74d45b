//! The simulator the raw requests go to: seeded, with the ids a case fills its path with.

use dbss_sim::Simulator;

use crate::SEED;
use crate::cases::Fixtures;
/// A snapshot of everything the simulator holds.
pub(crate) fn snapshot(sim: &Simulator) -> String {
    format!("{:?}", *sim.state().world())
}

pub(crate) async fn seeded_simulator() -> Simulator {
    Simulator::builder()
        .seed(SEED)
        .start()
        .await
        .unwrap_or_else(|e| panic!("simulator: {e}"))
}

pub(crate) fn fixtures(sim: &Simulator) -> Fixtures {
    let world = sim.state().world();
    let first = world
        .instances
        .values()
        .next()
        .unwrap_or_else(|| panic!("no seeded instance"));
    Fixtures {
        instance_id: first.id.clone(),
        resource_id: first.resource_id.clone(),
    }
}
