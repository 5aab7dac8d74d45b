//! The simulator's in-memory DBSS for one project: audit instances and everything they hold,
//! the encryption and O&M instances, and jobs. All of it sits behind one lock, so every
//! operation sees and leaves a consistent world and no acknowledged write is lost.

mod audit;
mod cluster;
mod instance;
mod rules;
mod scenario;

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

pub use audit::{Agent, AlarmMark, AlarmTopic, AuditData, Database, RETENTION_DAYS, Report};
pub use cluster::{Cluster, ProductLine};
pub use instance::{Instance, Transition, capacity};
pub use rules::{MaskRule, RiskRule, ScopeRule, SqlRule, Whitelist, renumber};
pub use scenario::ScenarioError;

use crate::rng;

/// An asynchronous job (instance creation, start, stop, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub job_id: String,
    /// What it does (`createAuditInstance`, `startAuditInstance`, ...).
    pub job_type: String,
    /// The instance.
    pub server_id: String,
    /// Its name.
    pub server_name: String,
    /// Its billing resource id.
    pub resource_id: String,
    /// `RUNNING` until done, then `SUCCESS`.
    pub status: String,
    /// Start, epoch milliseconds.
    pub begin_ms: i64,
    /// End, epoch milliseconds (0 while running).
    pub end_ms: i64,
    /// `Period` or `Demand`.
    pub charge_mode: String,
}

/// Makes ids: unique (a counter), and determined by the seed.
#[derive(Clone, Debug)]
pub struct IdGen {
    seed: u64,
    counter: u64,
}

impl IdGen {
    /// The next id, UUID-shaped.
    pub fn fresh(&mut self) -> String {
        self.counter += 1;
        let high = rng::combine(self.seed, self.counter);
        // The low 48 bits are the counter itself: ids never collide.
        let low = (rng::mix(high) & !0xffff_ffff_ffff) | (self.counter & 0xffff_ffff_ffff);
        rng::uuid_like(high, low)
    }
}

/// Everything the lock protects.
#[derive(Debug)]
pub struct World {
    /// Audit instances by id.
    pub instances: BTreeMap<String, Instance>,
    /// What each audit instance holds, by instance id.
    pub audit: HashMap<String, AuditData>,
    /// Encryption and O&M instances by id.
    pub clusters: BTreeMap<String, Cluster>,
    /// Jobs, oldest first.
    pub jobs: Vec<Job>,
    /// Id maker.
    pub ids: IdGen,
    /// How long lifecycle tasks take.
    pub delay: Duration,
}

impl World {
    fn new() -> World {
        World {
            instances: BTreeMap::new(),
            audit: HashMap::new(),
            clusters: BTreeMap::new(),
            jobs: Vec::new(),
            ids: IdGen { seed: 0, counter: 0 },
            delay: Duration::from_secs(2),
        }
    }

    /// Adds an audit instance with the built-in rules and default settings.
    pub fn insert_instance(&mut self, instance: Instance) {
        let data = AuditData::new(&mut self.ids);
        self.audit.insert(instance.id.clone(), data);
        self.instances.insert(instance.id.clone(), instance);
    }

    /// Completes every change whose time has come.
    pub fn advance(&mut self, now: Instant, wall_ms: i64) {
        // Changes complete when they are next looked at; a job's end is when it was due.
        let ended = |until: Instant| {
            let late = i64::try_from(now.saturating_duration_since(until).as_millis()).unwrap_or(0);
            wall_ms.saturating_sub(late)
        };
        let mut finished = Vec::new();
        let mut removed = Vec::new();
        for instance in self.instances.values_mut() {
            if let Some(done) = instance.settle(now) {
                finished.extend(done.job_id.clone().map(|job| (job, ended(done.until))));
                if done.remove {
                    removed.push(instance.id.clone());
                }
            }
        }
        for id in removed {
            self.instances.remove(&id);
            self.audit.remove(&id);
        }
        let mut gone = Vec::new();
        for cluster in self.clusters.values_mut() {
            let due = cluster.pending.as_ref().is_some_and(|t| t.until <= now);
            if let Some(done) = cluster.pending.take_if(|_| due) {
                cluster.status = done.status.clone();
                cluster.task = "NO_TASK".into();
                finished.extend(done.job_id.map(|job| (job, ended(done.until))));
                if done.remove {
                    gone.push(cluster.id.clone());
                }
            }
        }
        for id in gone {
            self.clusters.remove(&id);
        }
        for (job_id, end_ms) in finished {
            if let Some(job) = self.jobs.iter_mut().find(|j| j.job_id == job_id) {
                job.status = "SUCCESS".into();
                job.end_ms = end_ms;
            }
        }
    }

    /// Starts a job for `instance`, returning its id.
    pub fn start_job(&mut self, job_type: &str, instance: &Instance, wall_ms: i64) -> String {
        let job_id = self.ids.fresh();
        self.jobs.push(Job {
            job_id: job_id.clone(),
            job_type: job_type.into(),
            server_id: instance.id.clone(),
            server_name: instance.name.clone(),
            resource_id: instance.resource_id.clone(),
            status: "RUNNING".into(),
            begin_ms: wall_ms,
            end_ms: 0,
            charge_mode: instance.charge_model.clone(),
        });
        job_id
    }
}

/// All mutable state, behind one lock: writes are serialised and never lost.
#[derive(Debug)]
pub struct State {
    world: Mutex<World>,
}

impl Default for State {
    fn default() -> Self {
        State {
            world: Mutex::new(World::new()),
        }
    }
}

impl State {
    /// A state holding `instances` (each with the built-in rules and no databases).
    pub fn with_instances(instances: impl IntoIterator<Item = Instance>) -> State {
        let mut world = World::new();
        for instance in instances {
            world.insert_instance(instance);
        }
        State {
            world: Mutex::new(world),
        }
    }

    /// The default scenario: three audit instances in different states, databases and an
    /// agent on the first, one encryption and one O&M instance.
    pub fn seeded() -> State {
        scenario::seeded()
    }

    /// A state from a JSON scenario (see the crate documentation for its format).
    pub fn from_scenario_json(text: &str) -> Result<State, ScenarioError> {
        scenario::from_json(text)
    }

    /// A state from a JSON scenario file.
    pub fn from_scenario_file(path: &std::path::Path) -> Result<State, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::new(format!("{}: {e}", path.display())))?;
        scenario::from_json(&text)
    }

    /// Applies the simulator's seed (for new ids) and lifecycle delay.
    pub(crate) fn configure(&self, seed: u64, delay: Duration) {
        let mut world = self.lock_raw();
        world.ids.seed = seed;
        world.delay = delay;
    }

    /// The world, with every due change applied.
    pub fn world(&self) -> MutexGuard<'_, World> {
        let mut world = self.lock_raw();
        world.advance(Instant::now(), chrono::Utc::now().timestamp_millis());
        world
    }

    /// Completes every task in progress (builds, starts, stops, reboots, deletions) now, for
    /// tests that would rather not wait for the transition delay.
    pub fn complete_pending(&self) {
        let now = Instant::now();
        let mut guard = self.lock_raw();
        let world = &mut *guard;
        let pending = world
            .instances
            .values_mut()
            .filter_map(|i| i.pending.as_mut())
            .chain(world.clusters.values_mut().filter_map(|c| c.pending.as_mut()));
        for transition in pending {
            transition.until = transition.until.min(now);
        }
        world.advance(now, chrono::Utc::now().timestamp_millis());
    }

    fn lock_raw(&self) -> MutexGuard<'_, World> {
        // Handlers validate before they write and never panic, so a poisoned lock can only
        // come from a bug elsewhere; the world it guards is still usable.
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A page of instances, in id order, and the total.
    pub fn list(&self, offset: usize, limit: usize) -> (Vec<Instance>, usize) {
        let world = self.world();
        let page = world.instances.values().skip(offset).take(limit).cloned().collect();
        (page, world.instances.len())
    }

    /// One instance.
    pub fn get(&self, id: &str) -> Option<Instance> {
        self.world().instances.get(id).cloned()
    }

    /// Binds a security group; `None` when the instance does not exist.
    pub fn set_security_group(&self, id: &str, security_group_id: &str) -> Option<Instance> {
        let mut world = self.world();
        let instance = world.instances.get_mut(id)?;
        instance.security_group_id = security_group_id.to_owned();
        Some(instance.clone())
    }

    fn audit<T>(&self, instance_id: &str, read: impl FnOnce(&AuditData) -> T) -> Option<T> {
        self.world().audit.get(instance_id).map(read)
    }

    /// The databases of an instance.
    pub fn databases(&self, instance_id: &str) -> Vec<Database> {
        self.audit(instance_id, |a| a.databases.clone()).unwrap_or_default()
    }

    /// The agents of an instance.
    pub fn agents(&self, instance_id: &str) -> Vec<Agent> {
        self.audit(instance_id, |a| a.agents.clone()).unwrap_or_default()
    }

    /// The risk rules of an instance, in rank order.
    pub fn risk_rules(&self, instance_id: &str) -> Vec<RiskRule> {
        self.audit(instance_id, |a| a.risk_rules.clone()).unwrap_or_default()
    }

    /// The audit scope rules of an instance.
    pub fn scope_rules(&self, instance_id: &str) -> Vec<ScopeRule> {
        self.audit(instance_id, |a| a.scope_rules.clone()).unwrap_or_default()
    }

    /// The SQL-injection rules of an instance, in rank order.
    pub fn sql_rules(&self, instance_id: &str) -> Vec<SqlRule> {
        self.audit(instance_id, |a| a.sql_rules.clone()).unwrap_or_default()
    }

    /// The masking rules of an instance.
    pub fn mask_rules(&self, instance_id: &str) -> Vec<MaskRule> {
        self.audit(instance_id, |a| a.mask_rules.clone()).unwrap_or_default()
    }

    /// The SQL whitelist of an instance.
    pub fn whitelists(&self, instance_id: &str) -> Vec<Whitelist> {
        self.audit(instance_id, |a| a.whitelists.clone()).unwrap_or_default()
    }

    /// The reports of an instance.
    pub fn reports(&self, instance_id: &str) -> Vec<Report> {
        self.audit(instance_id, |a| a.reports.clone()).unwrap_or_default()
    }

    /// The alarm notification settings of an instance.
    pub fn alarm_topic(&self, instance_id: &str) -> Option<AlarmTopic> {
        self.audit(instance_id, |a| a.alarm_topic.clone())
    }

    /// The tags of an instance.
    pub fn tags(&self, instance_id: &str) -> BTreeMap<String, String> {
        self.get(instance_id).map(|i| i.tags).unwrap_or_default()
    }

    /// Every job, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        self.world().jobs.clone()
    }

    /// The encryption and O&M instances.
    pub fn clusters(&self) -> Vec<Cluster> {
        self.world().clusters.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_seeded() {
        let mut a = IdGen { seed: 1, counter: 0 };
        let mut b = IdGen { seed: 1, counter: 0 };
        let mut c = IdGen { seed: 2, counter: 0 };
        let first = a.fresh();
        assert_eq!(first, b.fresh());
        assert_ne!(first, c.fresh());
        let many: std::collections::HashSet<_> = (0..10_000).map(|_| a.fresh()).collect();
        assert_eq!(many.len(), 10_000);
    }
}
