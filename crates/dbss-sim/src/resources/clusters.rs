//! Database-encryption and O&M instances: list, order, rename, reset the password, security
//! groups, elastic IP, and the start/stop/reboot/delete lifecycle. Both product lines share
//! the handlers; the path says which one a request is for.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, no_such, ok};
use crate::{
    error::ApiError,
    state::{Cluster, ProductLine, Transition, World},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("ListDbEncryptInstances", list),
    ("ListInstances", list),
    ("CreateDbEncryptInstancePeriod", order),
    ("CreateDbOmInstancePeriod", order),
    ("UpdateDbEncryptInstanceName", rename),
    ("UpdateDbOmInstanceName", rename),
    ("ResetDbEncryptPassword", reset_password),
    ("ResetDbOmPassword", reset_password),
    ("ChangeDbEncryptSecurityGroup", security_groups),
    ("ChangeDbOmSecurityGroup", security_groups),
    ("BindDbEncryptEip", bind_eip),
    ("BindDbOmEip", bind_eip),
    ("UnbindDbEncryptEip", unbind_eip),
    ("UnbindDbOmEip", unbind_eip),
    ("StartDbEncryptInstance", start),
    ("StartDbOmInstance", start),
    ("StopDbEncryptInstance", stop),
    ("StopDbOmInstance", stop),
    ("RebootDbEncryptInstance", reboot),
    ("RebootDbOmInstance", reboot),
    ("DeleteDbEncryptInstance", delete),
    ("DeleteDbOmInstance", delete),
];

fn line(ctx: &Ctx<'_>) -> ProductLine {
    if ctx.op.path.contains("/db-om/") {
        ProductLine::Om
    } else {
        ProductLine::Encrypt
    }
}

fn cluster_mut<'w>(ctx: &Ctx<'_>, world: &'w mut World, call: &Call) -> Result<&'w mut Cluster, ApiError> {
    let id = call.path("instance_id");
    let line = line(ctx);
    world
        .clusters
        .get_mut(id)
        .filter(|c| c.line == line)
        .ok_or_else(|| no_such(&format!("a {} instance", line.name()), "instance_id", id))
}

fn cluster_json(ctx: &Ctx<'_>, c: &Cluster) -> Value {
    let server = json!({
        "connect_ip": c.float_ip, "cpu": "4", "created": c.created_ms.to_string(), "instance_id": c.id,
        "is_active": 1, "name": c.name, "ram": "8192", "region": ctx.shared.facts.region,
        "resource_spec_code": format!("dbss.{}.standard", c.line.name()),
        "security_group_id": c.security_group_ids.join(","), "specification": "4vCPUs | 8GB",
        "status": c.status, "subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de", "task_status": c.task,
        "update_status": "SUCCESS", "version": "23.02.27.181013", "vpc_id": "a2b4c6d8-0000-4000-8000-00000000c0de",
        "zone": c.zone, "server_id": c.id,
    });
    json!({
        "activate_info": {
            "dsc_proxy_domain_name": format!("{}.dbss-sim.invalid", c.id), "dsc_proxy_ip": c.float_ip,
            "dsc_proxy_port": 8443, "master_node_id": c.id, "slave_node_id": "",
        },
        "charge_model": c.charge_model, "comment": c.comment, "created": c.created_ms, "deploy_mode": "CLOUD",
        "detail": { "server": [server], "total": 1 }, "enterprise_project_id": "0",
        "expired": c.created_ms + 365 * 24 * 3_600_000, "float_ip": c.float_ip, "instance_id": c.id,
        "is_active_standby": false, "keep_days": "0", "name": c.name, "new_version": "",
        "public_ip": c.eip.as_ref().map(|(ip, _)| ip.clone()).unwrap_or_default(), "remain_days": "365",
    })
}

fn list(ctx: &Ctx<'_>, _call: &Call) -> Result<Reply, ApiError> {
    let line = line(ctx);
    let world = ctx.world();
    let clusters: Vec<Value> = world
        .clusters
        .values()
        .filter(|c| c.line == line)
        .map(|c| cluster_json(ctx, c))
        .collect();
    Ok(Reply::Json(json!({ "clusters": clusters })))
}

#[derive(Deserialize)]
struct OrderBody {
    name: String,
    availability_zone: String,
    charging_mode: i64,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    security_groups: Vec<IdOnly>,
    #[serde(default)]
    nics: Vec<Nic>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Nic {
    #[serde(default)]
    ip_address: Option<String>,
}

fn order(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: OrderBody = call.body_as()?;
    let mut world = ctx.world();
    let id = world.ids.fresh();
    let order_id = world.ids.fresh();
    let until = ctx.now + world.delay;
    world.clusters.insert(
        id.clone(),
        Cluster {
            id,
            line: line(ctx),
            name: body.name,
            comment: body.comment.unwrap_or_default(),
            status: "BUILD".into(),
            task: "NO_TASK".into(),
            security_group_ids: body.security_groups.into_iter().filter_map(|g| g.id).collect(),
            eip: None,
            float_ip: body
                .nics
                .into_iter()
                .find_map(|n| n.ip_address)
                .unwrap_or_else(|| "192.168.3.20".into()),
            created_ms: ctx.wall_ms(),
            charge_model: if body.charging_mode == 1 { "Demand" } else { "Period" }.into(),
            zone: body.availability_zone,
            password_resets: 0,
            pending: Some(Transition {
                until,
                status: "ACTIVE".into(),
                remove: false,
                job_id: None,
            }),
        },
    );
    Ok(Reply::Json(json!({ "code": "200", "order_id": order_id })))
}

fn rename(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let name = call.body_str("new_name").unwrap_or_default().to_owned();
    if name.trim().is_empty() || name.chars().count() > 64 {
        return Err(ApiError::bad_request("body.new_name: 1 to 64 characters, not blank"));
    }
    let mut world = ctx.world();
    cluster_mut(ctx, &mut world, call)?.name = name;
    Ok(ok(ctx, "result"))
}

fn reset_password(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    // The password itself is never stored or echoed: only that it changed.
    let length = call.body_str("new_password").map_or(0, |p| p.chars().count());
    if !(8..=32).contains(&length) {
        return Err(ApiError::bad_request(format!(
            "body.new_password: 8 to 32 characters, got {length}"
        )));
    }
    let mut world = ctx.world();
    let cluster = cluster_mut(ctx, &mut world, call)?;
    cluster.password_resets = cluster.password_resets.saturating_add(1);
    Ok(ok(ctx, "result"))
}

fn security_groups(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let groups: Vec<String> = call
        .body
        .get("security_group_ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if groups.is_empty() {
        return Err(ApiError::bad_request(
            "body.security_group_ids: expected at least 1 item, got 0",
        ));
    }
    let mut world = ctx.world();
    let task_id = world.ids.fresh();
    cluster_mut(ctx, &mut world, call)?.security_group_ids = groups;
    Ok(Reply::Json(json!({ "code": 200, "order_id": "", "task_id": task_id })))
}

fn bind_eip(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let eip = call.body_str("eip").unwrap_or_default().to_owned();
    let eip_id = call.body_str("eip_id").unwrap_or_default().to_owned();
    if eip.parse::<std::net::IpAddr>().is_err() {
        return Err(ApiError::bad_request(format!("body.eip: {eip:?} is not an IP address")));
    }
    let mut world = ctx.world();
    let cluster = cluster_mut(ctx, &mut world, call)?;
    if let Some((bound, _)) = &cluster.eip {
        return Err(ApiError::invalid_state(format!(
            "instance {} already has elastic IP {bound}; unbind it first",
            cluster.id
        )));
    }
    cluster.eip = Some((eip, eip_id));
    Ok(ok(ctx, "result"))
}

fn unbind_eip(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let mut world = ctx.world();
    let cluster = cluster_mut(ctx, &mut world, call)?;
    if cluster.eip.take().is_none() {
        return Err(ApiError::invalid_state(format!(
            "instance {} has no elastic IP",
            cluster.id
        )));
    }
    Ok(ok(ctx, "result"))
}

fn lifecycle(ctx: &Ctx<'_>, call: &Call, from: &[&str], task: &str, to: &str) -> Result<Reply, ApiError> {
    let mut world = ctx.world();
    let until = ctx.now + world.delay;
    let cluster = cluster_mut(ctx, &mut world, call)?;
    if cluster.pending.is_some() {
        return Err(ApiError::invalid_state(format!(
            "instance {} is busy ({})",
            cluster.id, cluster.task
        )));
    }
    if !from.contains(&cluster.status.as_str()) {
        return Err(ApiError::invalid_state(format!(
            "instance {} is {}; this needs it {}",
            cluster.id,
            cluster.status,
            from.join(" or ")
        )));
    }
    let remove = task == "delete_wait";
    cluster.task = task.into();
    if remove {
        cluster.status = "DELETING".into();
    }
    cluster.pending = Some(Transition {
        until,
        status: to.into(),
        remove,
        job_id: None,
    });
    Ok(ok(ctx, "result"))
}

fn start(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    lifecycle(ctx, call, &["SHUTOFF"], "powering-on", "ACTIVE")
}

fn stop(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    lifecycle(ctx, call, &["ACTIVE"], "powering-off", "SHUTOFF")
}

fn reboot(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    lifecycle(ctx, call, &["ACTIVE"], "rebooting", "ACTIVE")
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    lifecycle(ctx, call, &["ACTIVE", "SHUTOFF", "ERROR"], "delete_wait", "DELETED")
}
