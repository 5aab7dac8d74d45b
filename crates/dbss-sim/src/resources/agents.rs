//! Audit agents: add (new, or an existing agent reused for another database), list per
//! database, switch, change thresholds, delete, download the package.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, no_such, offset_limit, ok};
use crate::{
    error::ApiError,
    state::{Agent, AuditData},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("AddAuditAgent", add),
    ("AddAuditAgentNew", add),
    ("ListAuditAgent", list),
    ("ListAuditAgentNew", list),
    ("SwitchAgent", switch),
    ("SwitchAgentNew", switch),
    ("DeleteAuditAgent", delete),
    ("DeleteAuditAgentNew", delete),
    ("DownloadAuditAgent", download_status),
    ("DownloadAuditAgentNew", download),
    ("CreateAuditDbAgent", thresholds),
];

/// The package an agent's download serves. Not a real package: a gzip magic number, then a
/// description, so downloads are recognisable and differ per agent.
fn package(agent: &Agent) -> Vec<u8> {
    let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00];
    bytes.extend_from_slice(
        format!(
            "dbss-sim audit agent {} ({}, {})\n",
            agent.agent_id, agent.agent_type, agent.agent_os
        )
        .as_bytes(),
    );
    bytes
}

/// The package's SHA-256, as the list gives it: clients check downloads against it.
fn package_sha256(agent: &Agent) -> String {
    dbss_signing::content_sha256(&package(agent))
}

fn agent_json(agent: &Agent, data: &AuditData) -> Value {
    let db_name = data.database(&agent.db_id).map(|d| d.name.clone()).unwrap_or_default();
    json!({
        "agent_id": agent.agent_id, "agent_type": agent.agent_type, "agent_os": agent.agent_os,
        "agent_ip": agent.agent_ip, "mem_threshold": agent.mem_threshold, "cpu_threshold": agent.cpu_threshold,
        "status": agent.status, "agent_nic": agent.agent_nic, "db_name": db_name,
        // 1: capturing, 2: not capturing (the agent is off).
        "datacap_status": if agent.status == 1 { 1 } else { 2 },
        "agent_url": format!("https://dbss-sim.invalid/agents/{}.tar.gz", agent.agent_id),
        "universal": false, "sha256": package_sha256(agent),
    })
}

#[derive(Deserialize)]
struct AddBody {
    db_id: String,
    mode: i64,
    #[serde(default)]
    agent_id: Option<String>,
    agent_type: String,
    agent_os: String,
    #[serde(default)]
    agent_ip: Option<String>,
    #[serde(default)]
    agent_nic: Option<String>,
    #[serde(default)]
    cpu_threshold: Option<i64>,
    #[serde(default)]
    mem_threshold: Option<i64>,
}

fn add(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: AddBody = call.body_as()?;
    let mut world = ctx.world();
    let fresh = world.ids.fresh();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    let db = data
        .database(&body.db_id)
        .ok_or_else(|| no_such("a database of the instance", "db_id", &body.db_id))?;
    let db_ip = db.ip.clone();
    let agent_id = if body.mode == 1 {
        let id = body
            .agent_id
            .ok_or_else(|| ApiError::bad_request("body.agent_id: required when mode is 1 (reuse an agent)"))?;
        if !data.agents.iter().any(|a| a.agent_id == id) {
            return Err(no_such("an agent of the instance", "agent_id", &id));
        }
        if data.agents.iter().any(|a| a.agent_id == id && a.db_id == body.db_id) {
            return Err(ApiError::bad_request(format!(
                "agent {id} already captures database {}",
                body.db_id
            )));
        }
        id
    } else {
        fresh
    };
    let agent_ip = match (body.agent_type.as_str(), body.agent_ip) {
        (_, Some(ip)) => ip,
        ("DB", None) => db_ip,
        _ => return Err(ApiError::bad_request("body.agent_ip: required for an APP agent")),
    };
    data.agents.push(Agent {
        agent_id,
        db_id: body.db_id,
        agent_type: body.agent_type,
        agent_os: body.agent_os,
        agent_ip,
        agent_nic: body.agent_nic.unwrap_or_else(|| "eth0".into()),
        cpu_threshold: body.cpu_threshold.unwrap_or(80),
        mem_threshold: body.mem_threshold.unwrap_or(80),
        status: 1,
    });
    Ok(ok(ctx, "result"))
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let db_id = call.query_str("db_id").unwrap_or_default();
    let (offset, limit) = offset_limit(call);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    if data.database(db_id).is_none() {
        return Err(no_such("a database of the instance", "db_id", db_id));
    }
    let agents: Vec<Value> = data
        .agents
        .iter()
        .filter(|a| a.db_id == db_id)
        .skip(offset)
        .take(limit)
        .map(|a| agent_json(a, data))
        .collect();
    Ok(Reply::Json(json!({ "agents": agents })))
}

/// Applies `change` to every database binding of `agent_id`.
fn each_binding(ctx: &Ctx<'_>, call: &Call, agent_id: &str, change: impl Fn(&mut Agent)) -> Result<(), ApiError> {
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    let mut found = false;
    for agent in data.agents.iter_mut().filter(|a| a.agent_id == agent_id) {
        change(agent);
        found = true;
    }
    if found {
        Ok(())
    } else {
        Err(no_such("an agent of the instance", "agent_id", agent_id))
    }
}

#[derive(Deserialize)]
struct SwitchBody {
    agent_id: String,
    status: i64,
}

fn switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: SwitchBody = call.body_as()?;
    each_binding(ctx, call, &body.agent_id, |a| a.status = body.status)?;
    Ok(ok(ctx, "result"))
}

#[derive(Deserialize)]
struct Thresholds {
    cpu_threshold: i64,
    mem_threshold: i64,
}

fn thresholds(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: Thresholds = call.body_as()?;
    each_binding(ctx, call, call.path("agent_id"), |a| {
        a.cpu_threshold = body.cpu_threshold;
        a.mem_threshold = body.mem_threshold;
    })?;
    Ok(ok(ctx, "result"))
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let agent_id = call.path("agent_id");
    let db_id = call.query_str("db_id").unwrap_or_default();
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    let before = data.agents.len();
    data.agents.retain(|a| !(a.agent_id == agent_id && a.db_id == db_id));
    if data.agents.len() == before {
        return Err(no_such(&format!("an agent of database {db_id}"), "agent_id", agent_id));
    }
    Ok(ok(ctx, "result"))
}

fn find_agent(ctx: &Ctx<'_>, call: &Call) -> Result<Agent, ApiError> {
    let agent_id = call.path("agent_id");
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    data.agents
        .iter()
        .find(|a| a.agent_id == agent_id)
        .cloned()
        .ok_or_else(|| no_such("an agent of the instance", "agent_id", agent_id))
}

fn download_status(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    find_agent(ctx, call)?;
    Ok(ok(ctx, "result"))
}

fn download(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let agent = find_agent(ctx, call)?;
    Ok(Reply::Bytes(package(&agent)))
}
