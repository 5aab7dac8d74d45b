//! Starting states: the seeded default, and JSON scenarios (`--state FILE`).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::{Agent, Cluster, Database, Instance, ProductLine, State, World};

/// Why a scenario was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scenario: {0}")]
pub struct ScenarioError(String);

impl ScenarioError {
    pub(super) fn new(message: String) -> ScenarioError {
        ScenarioError(message)
    }
}

/// Instance ids outside this length range cannot be used in the API's `instance_id` paths.
const INSTANCE_ID_LEN: std::ops::RangeInclusive<usize> = 32..=64;
/// Nor database and agent ids outside this one.
const CHILD_ID_LEN: std::ops::RangeInclusive<usize> = 16..=64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[serde(default)]
    instances: Vec<ScenarioInstance>,
    #[serde(default)]
    databases: Vec<ScenarioDatabase>,
    #[serde(default)]
    agents: Vec<ScenarioAgent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioInstance {
    id: String,
    name: String,
    status: Option<String>,
    security_group_id: Option<String>,
    zone: Option<String>,
    spec_code: Option<String>,
    created: Option<String>,
    resource_id: Option<String>,
    comment: Option<String>,
    charge_model: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioDatabase {
    instance_id: String,
    id: String,
    name: String,
    #[serde(rename = "type")]
    db_type: Option<String>,
    version: Option<String>,
    charset: Option<String>,
    ip: Option<String>,
    port: Option<String>,
    os: Option<String>,
    status: Option<String>,
    instance_name: Option<String>,
    classification: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioAgent {
    instance_id: String,
    db_id: String,
    agent_id: String,
    agent_type: Option<String>,
    agent_os: Option<String>,
    agent_ip: Option<String>,
    agent_nic: Option<String>,
    cpu_threshold: Option<i64>,
    mem_threshold: Option<i64>,
    status: Option<i64>,
}

/// The database engines the API can list, as the spec enumerates them.
fn database_types() -> Vec<&'static str> {
    crate::spec::Spec::embedded()
        .ok()
        .and_then(|spec| spec.pointer("#/components/schemas/DataBase/properties/type/enum"))
        .and_then(serde_json::Value::as_array)
        .map(|types| types.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default()
}

fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<(), ScenarioError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ScenarioError(format!(
            "{what} {value:?} is not one of {}",
            allowed.join(", ")
        )))
    }
}

fn id_length(what: &str, id: &str, range: std::ops::RangeInclusive<usize>) -> Result<(), ScenarioError> {
    if range.contains(&id.chars().count()) {
        Ok(())
    } else {
        Err(ScenarioError(format!(
            "{what} {id:?} must be {} to {} characters long, as the API's paths require",
            range.start(),
            range.end()
        )))
    }
}

pub(super) fn from_json(text: &str) -> Result<State, ScenarioError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| ScenarioError(format!("at {}: {}", e.path(), e.inner())))?;
    let mut world = World::new();
    for spec in scenario.instances {
        id_length("instance id", &spec.id, INSTANCE_ID_LEN)?;
        if world.instances.contains_key(&spec.id) {
            return Err(ScenarioError(format!("instance id {:?} appears twice", spec.id)));
        }
        let mut instance = Instance::new(spec.id, spec.name);
        if let Some(status) = spec.status {
            one_of("instance status", &status, &["ACTIVE", "SHUTOFF", "ERROR", "FROZEN"])?;
            instance.status = status;
        }
        if let Some(spec_code) = spec.spec_code {
            let allowed = [
                "dbss.bypassaudit.low",
                "dbss.bypassaudit.medium",
                "dbss.bypassaudit.high",
            ];
            one_of("spec_code", &spec_code, &allowed)?;
            instance.spec_code = spec_code;
        }
        if let Some(charge_model) = spec.charge_model {
            one_of("charge_model", &charge_model, &["Period", "Demand"])?;
            instance.charge_model = charge_model;
        }
        let fields = [
            (&mut instance.security_group_id, spec.security_group_id),
            (&mut instance.zone, spec.zone),
            (&mut instance.created, spec.created),
            (&mut instance.resource_id, spec.resource_id),
            (&mut instance.comment, spec.comment),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                *field = value;
            }
        }
        instance.tags = spec.tags;
        world.insert_instance(instance);
    }
    let mut database_ids = HashSet::new();
    for spec in scenario.databases {
        id_length("database id", &spec.id, CHILD_ID_LEN)?;
        if !database_ids.insert(spec.id.clone()) {
            return Err(ScenarioError(format!("database id {:?} appears twice", spec.id)));
        }
        let limit = world
            .instances
            .get(&spec.instance_id)
            .map(Instance::database_limit)
            .ok_or_else(|| ScenarioError(format!("database {:?}: no instance {:?}", spec.id, spec.instance_id)))?;
        let status = spec.status.unwrap_or_else(|| "ON".into());
        one_of("database status", &status, &["ON", "OFF"])?;
        let db_type = spec.db_type.unwrap_or_else(|| "MYSQL".into());
        one_of("database type", &db_type, &database_types())?;
        let charset = spec.charset.unwrap_or_else(|| "UTF8".into());
        one_of("database charset", &charset, &["GBK", "UTF8"])?;
        let classification = spec.classification.unwrap_or_else(|| "ECS".into());
        one_of("database classification", &classification, &["RDS", "ECS"])?;
        let db = Database {
            id: spec.id.clone(),
            name: spec.name,
            db_type,
            version: spec.version.unwrap_or_else(|| "8.0".into()),
            charset,
            ip: spec.ip.unwrap_or_else(|| "192.168.0.20".into()),
            port: spec.port.unwrap_or_else(|| "3306".into()),
            os: spec.os.unwrap_or_else(|| "LINUX64".into()),
            status,
            instance_name: spec.instance_name.unwrap_or_default(),
            classification,
            rds_id: String::new(),
            ssl_key: false,
        };
        let data = world
            .audit
            .get_mut(&spec.instance_id)
            .ok_or_else(|| ScenarioError(format!("database {:?}: no instance {:?}", spec.id, spec.instance_id)))?;
        if data.databases.len() >= limit {
            return Err(ScenarioError(format!(
                "instance {:?} can audit at most {limit} databases",
                spec.instance_id
            )));
        }
        data.databases.push(db);
    }
    for spec in scenario.agents {
        id_length("agent id", &spec.agent_id, CHILD_ID_LEN)?;
        let data = world
            .audit
            .get_mut(&spec.instance_id)
            .ok_or_else(|| ScenarioError(format!("agent {:?}: no instance {:?}", spec.agent_id, spec.instance_id)))?;
        if data.database(&spec.db_id).is_none() {
            return Err(ScenarioError(format!(
                "agent {:?}: instance {:?} has no database {:?}",
                spec.agent_id, spec.instance_id, spec.db_id
            )));
        }
        let agent_type = spec.agent_type.unwrap_or_else(|| "DB".into());
        one_of("agent_type", &agent_type, &["DB", "APP"])?;
        let agent_status = spec.status.unwrap_or(1);
        if !(0..=1).contains(&agent_status) {
            return Err(ScenarioError(format!(
                "agent status {agent_status} is not 0 (off) or 1 (on)"
            )));
        }
        data.agents.push(Agent {
            agent_id: spec.agent_id,
            db_id: spec.db_id,
            agent_type,
            agent_os: spec.agent_os.unwrap_or_else(|| "LINUX64_X86".into()),
            agent_ip: spec.agent_ip.unwrap_or_else(|| "192.168.0.20".into()),
            agent_nic: spec.agent_nic.unwrap_or_else(|| "eth0".into()),
            cpu_threshold: spec.cpu_threshold.unwrap_or(80),
            mem_threshold: spec.mem_threshold.unwrap_or(80),
            status: agent_status,
        });
    }
    Ok(State {
        world: std::sync::Mutex::new(world),
    })
}

pub(super) fn seeded() -> State {
    let mut world = World::new();
    let instance = |n: u32, name: &str, status: &str| {
        let mut i = Instance::new(format!("0622{n:04}-8e30-4783-9671-43f3f1f3bb1e"), name);
        i.status = status.to_owned();
        i.security_group_id = format!("sg-{n:04}-bcf6-4c7e-99fa-f0ddfbb1d9bd");
        i.created = format!("2025-06-{:02}T08:00:00Z", n + 1);
        i.connect_ip = format!("192.168.0.{}", 10 + n);
        i
    };
    let first = instance(1, "audit-prod", "ACTIVE");
    let second = instance(2, "audit-staging", "ACTIVE");
    let (first_id, second_id) = (first.id.clone(), second.id.clone());
    for i in [first, second, instance(3, "audit-archive", "SHUTOFF")] {
        world.insert_instance(i);
    }
    let mut database = |name: &str, db_type: &str, version: &str, ip: &str, port: &str, status: &str| Database {
        id: world.ids.fresh(),
        name: name.into(),
        db_type: db_type.into(),
        version: version.into(),
        charset: "UTF8".into(),
        ip: ip.into(),
        port: port.into(),
        os: "LINUX64".into(),
        status: status.into(),
        instance_name: format!("{name}-instance"),
        classification: "ECS".into(),
        rds_id: String::new(),
        ssl_key: false,
    };
    let orders = database("orders", "MYSQL", "8.0", "192.168.1.21", "3306", "ON");
    let billing = database("billing", "POSTGRESQL", "14", "192.168.1.22", "5432", "OFF");
    let staging = database("staging", "MYSQL", "5.7", "192.168.2.21", "3306", "ON");
    let agent = Agent {
        agent_id: world.ids.fresh(),
        db_id: orders.id.clone(),
        agent_type: "DB".into(),
        agent_os: "LINUX64_X86".into(),
        agent_ip: orders.ip.clone(),
        agent_nic: "eth0".into(),
        cpu_threshold: 80,
        mem_threshold: 80,
        status: 1,
    };
    if let Some(data) = world.audit.get_mut(&first_id) {
        data.databases.extend([orders, billing]);
        data.agents.push(agent);
    }
    if let Some(data) = world.audit.get_mut(&second_id) {
        data.databases.push(staging);
    }
    for (line, name) in [(ProductLine::Encrypt, "encrypt-prod"), (ProductLine::Om, "om-prod")] {
        let id = world.ids.fresh();
        world.clusters.insert(
            id.clone(),
            Cluster {
                id,
                line,
                name: name.into(),
                comment: String::new(),
                status: "ACTIVE".into(),
                task: "NO_TASK".into(),
                security_group_ids: vec!["sg-0001-bcf6-4c7e-99fa-f0ddfbb1d9bd".into()],
                eip: None,
                float_ip: "192.168.3.10".into(),
                created_ms: 1_748_764_800_000,
                charge_model: "Period".into(),
                zone: "cn-north-4a".into(),
                password_resets: 0,
                pending: None,
            },
        );
    }
    State {
        world: std::sync::Mutex::new(world),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_scenario_builds_instances_databases_and_agents() {
        let text = format!(
            r#"{{"instances":[{{"id":"{ID}","name":"lab","status":"SHUTOFF","tags":{{"env":"lab"}}}}],
                "databases":[{{"instance_id":"{ID}","id":"db00000000000001","name":"shop","type":"ORACLE"}}],
                "agents":[{{"instance_id":"{ID}","db_id":"db00000000000001","agent_id":"ag00000000000001"}}]}}"#
        );
        let state = from_json(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(state.get(ID).map(|i| i.status), Some("SHUTOFF".into()));
        assert_eq!(state.tags(ID).get("env").map(String::as_str), Some("lab"));
        assert_eq!(state.databases(ID)[0].db_type, "ORACLE");
        assert_eq!(state.agents(ID)[0].db_id, "db00000000000001");
        assert!(
            !state.risk_rules(ID).is_empty(),
            "built-in rules come with every instance"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (r#"{"instances":[{"id":"short","name":"x"}]}"#.to_owned(), "32 to 64"),
            (r#"{"instance":[]}"#.to_owned(), "unknown field"),
            (
                format!(r#"{{"instances":[{{"id":"{ID}","name":"x","status":"SLEEPY"}}]}}"#),
                "SLEEPY",
            ),
            (
                format!(
                    r#"{{"instances":[{{"id":"{ID}","name":"x"}}],"databases":[{{"instance_id":"{ID}","id":"db00000000000001","name":"x","type":"FOO"}}]}}"#
                ),
                "database type \"FOO\" is not one of MYSQL",
            ),
            (
                format!(r#"{{"databases":[{{"instance_id":"{ID}","id":"db00000000000001","name":"x"}}]}}"#),
                "no instance",
            ),
            (
                format!(
                    r#"{{"instances":[{{"id":"{ID}","name":"x"}}],"agents":[{{"instance_id":"{ID}","db_id":"db00000000000009","agent_id":"ag00000000000001"}}]}}"#
                ),
                "has no database",
            ),
        ];
        for (text, expected) in cases {
            let error = from_json(&text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let four = (1..=4)
            .map(|n| format!(r#"{{"instance_id":"{ID}","id":"db0000000000000{n}","name":"x"}}"#))
            .collect::<Vec<_>>()
            .join(",");
        let text = format!(r#"{{"instances":[{{"id":"{ID}","name":"x"}}],"databases":[{four}]}}"#);
        let error = from_json(&text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("at most 3 databases"), "{error}");
    }

    #[test]
    fn the_seeded_state_keeps_its_three_instances() {
        let state = seeded();
        let (instances, total) = state.list(0, 10);
        assert_eq!(total, 3);
        assert_eq!(instances[2].status, "SHUTOFF");
        assert_eq!(state.databases(&instances[0].id).len(), 2);
        assert_eq!(state.clusters().len(), 2);
    }
}
