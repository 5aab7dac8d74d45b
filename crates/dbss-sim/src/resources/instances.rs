//! Audit instances: the three generations of listing, update, security group, lifecycle
//! (start, stop, reboot, delete), orders that create instances, jobs, time zone and quota.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Call, Ctx, Handler, Reply, count, no_such, offset_limit, ok};
use crate::{
    error::ApiError,
    state::{Instance, Transition, World, capacity},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("ListAuditInstances", list_v1),
    ("ListAuditInstancesNew", list_new),
    ("ListAuditInstancesLast", list_last),
    ("UpdateAuditInstance", update),
    ("UpdateAuditInstanceNew", update),
    ("UpdateAuditSecurityGroup", security_group),
    ("UpdateAuditSecurityGroupNew", security_group),
    ("StartAuditInstance", start),
    ("StartAuditInstanceNew", start),
    ("StopAuditInstance", stop),
    ("StopAuditInstanceNew", stop),
    ("RebootAuditInstance", reboot),
    ("RebootAuditInstanceNew", reboot),
    ("DeleteInstances", delete),
    ("DeleteInstancesNew", delete),
    ("CreateInstancesPeriodOrder", order),
    ("CreateInstancesPeriodOrderNew", order),
    ("ListAuditInstanceJobs", jobs),
    ("ListAuditInstanceJobsNew", jobs),
    ("SetAuditInstanceTimeZone", time_zone),
    ("ShowAuditQuota", quota),
    ("ShowAuditQuotaNew", quota),
];

/// Audit instances a project may have.
pub(crate) const INSTANCE_QUOTA: usize = 10;

/// The fields every generation of the instance list shares.
fn common(ctx: &Ctx<'_>, instance: &Instance, databases: usize) -> Map<String, Value> {
    let (cpu, ram, limit) = capacity(&instance.spec_code);
    let mut map = Map::new();
    let mut put = |k: &str, v: Value| {
        map.insert(k.to_owned(), v);
    };
    put("charge_model", json!(instance.charge_model));
    put("comment", json!(instance.comment));
    put("config_num", count(databases));
    put("connect_ip", json!(instance.connect_ip));
    put("cpu", json!(cpu));
    put("created", json!(instance.created));
    put("database_limit", count(limit));
    put("expired", json!(instance.expired));
    put("keep_days", json!("0"));
    put("name", json!(instance.name));
    put("new_version", json!(""));
    put("port_id", json!(instance.port_id));
    put("ram", json!(ram));
    put("region", json!(ctx.shared.facts.region));
    put("remain_days", json!("365"));
    put("resource_id", json!(instance.resource_id));
    put("resource_spec_code", json!(instance.spec_code));
    put("security_group_id", json!(instance.security_group_id));
    put("specification", json!(format!("{cpu}vCPUs | {}GB", ram / 1024)));
    put("status", json!(instance.status));
    put("subnet_id", json!(instance.subnet_id));
    put("task", json!(instance.task));
    put("version", json!(instance.version));
    put("vpc_id", json!(instance.vpc_id));
    put("zone", json!(instance.zone));
    if instance.status == "FROZEN" {
        // `effect` describes a freeze; an instance that is not frozen has none.
        put("effect", json!(1));
    }
    map
}

fn list_bean(ctx: &Ctx<'_>, instance: &Instance, databases: usize) -> Value {
    let mut map = common(ctx, instance, databases);
    map.insert("id".into(), json!(instance.id));
    map.insert("connect_ipv6".into(), json!(""));
    Value::Object(map)
}

fn audit_v2(ctx: &Ctx<'_>, instance: &Instance, databases: usize) -> Value {
    let mut map = common(ctx, instance, databases);
    map.insert("instance_id".into(), json!(instance.id));
    map.insert("connectIpv6".into(), json!(""));
    map.insert("binding_db_type".into(), json!(""));
    map.insert("enterprise_project_id".into(), json!(instance.enterprise_project_id));
    map.insert("failed_reason".into(), json!(""));
    map.insert("supported_feature".into(), json!([]));
    map.insert("timezone".into(), json!(instance.timezone));
    map.insert("upgrade_log".into(), json!(""));
    Value::Object(map)
}

fn audit_bean(ctx: &Ctx<'_>, instance: &Instance, databases: usize) -> Value {
    let mut map = common(ctx, instance, databases);
    map.insert("id".into(), json!(instance.id));
    map.insert("connect_ipv6".into(), json!(""));
    map.insert("supported_feature".into(), json!([]));
    Value::Object(map)
}

/// A page of instances with each one's database count, and the total.
fn page(ctx: &Ctx<'_>, call: &Call) -> (Vec<(Instance, usize)>, usize) {
    let (offset, limit) = offset_limit(call);
    let world = ctx.world();
    let rows = world
        .instances
        .values()
        .skip(offset)
        .take(limit)
        .map(|i| (i.clone(), world.audit.get(&i.id).map_or(0, |a| a.databases.len())))
        .collect();
    (rows, world.instances.len())
}

fn list_v1(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (rows, total) = page(ctx, call);
    let servers: Vec<Value> = rows.iter().map(|(i, n)| list_bean(ctx, i, *n)).collect();
    Ok(Reply::Json(json!({ "servers": servers, "total": count(total) })))
}

fn list_new(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (rows, total) = page(ctx, call);
    // The reference pages name the list `servers`, the official SDK `instances`: both are sent.
    let servers: Vec<Value> = rows.iter().map(|(i, n)| list_bean(ctx, i, *n)).collect();
    let instances: Vec<Value> = rows.iter().map(|(i, n)| audit_v2(ctx, i, *n)).collect();
    Ok(Reply::Json(
        json!({ "servers": servers, "instances": instances, "total": count(total) }),
    ))
}

fn list_last(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (rows, total) = page(ctx, call);
    let instances: Vec<Value> = rows.iter().map(|(i, n)| audit_bean(ctx, i, *n)).collect();
    Ok(Reply::Json(json!({ "instances": instances, "total": count(total) })))
}

fn instance_mut<'w>(world: &'w mut World, id: &str) -> Result<&'w mut Instance, ApiError> {
    world
        .instances
        .get_mut(id)
        .ok_or_else(|| no_such("an audit instance", "instance_id", id))
}

#[derive(Deserialize)]
struct UpdateBody {
    name: Option<String>,
    comment: Option<String>,
}

fn update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: UpdateBody = call.body_as()?;
    let mut world = ctx.world();
    let instance = instance_mut(&mut world, call.path("instance_id"))?;
    if let Some(name) = body.name {
        instance.name = name;
    }
    if let Some(comment) = body.comment {
        instance.comment = comment;
    }
    Ok(ok(ctx, "result"))
}

#[derive(Deserialize)]
struct SecurityGroupBody {
    instance_id: String,
    securitygroup_ids: Vec<String>,
}

fn security_group(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: SecurityGroupBody = call.body_as()?;
    let mut world = ctx.world();
    let instance = instance_mut(&mut world, &body.instance_id)?;
    // The schema admits exactly one id; `first` cannot miss after validation.
    if let Some(group) = body.securitygroup_ids.first() {
        instance.security_group_id = group.clone();
    }
    Ok(ok(ctx, "result"))
}

#[derive(Deserialize)]
struct ServerId {
    instance_id: String,
}

/// Moves an instance from `from` through `task` to `to`, as a job.
fn lifecycle(ctx: &Ctx<'_>, id: &str, from: &[&str], task: &str, to: &str, job: &str) -> Result<(), ApiError> {
    let mut world = ctx.world();
    let wall = ctx.wall_ms();
    let until = ctx.now + world.delay;
    let instance = instance_mut(&mut world, id)?;
    if instance.busy() {
        return Err(ApiError::invalid_state(format!(
            "instance {id} is busy ({}); try again when it is done",
            instance.task
        )));
    }
    if !from.contains(&instance.status.as_str()) {
        return Err(ApiError::invalid_state(format!(
            "instance {id} is {}; {job} needs it {}",
            instance.status,
            from.join(" or ")
        )));
    }
    let snapshot = instance.clone();
    let job_id = world.start_job(job, &snapshot, wall);
    let remove = task == "delete_wait";
    let status_now = if remove { "DELETING" } else { snapshot.status.as_str() };
    if let Some(instance) = world.instances.get_mut(id) {
        instance.begin(
            task,
            status_now,
            Transition {
                until,
                status: to.into(),
                remove,
                job_id: Some(job_id),
            },
        );
    }
    Ok(())
}

fn start(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: ServerId = call.body_as()?;
    lifecycle(
        ctx,
        &body.instance_id,
        &["SHUTOFF"],
        "powering-on",
        "ACTIVE",
        "startAuditInstance",
    )?;
    Ok(ok(ctx, "result"))
}

fn stop(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: ServerId = call.body_as()?;
    lifecycle(
        ctx,
        &body.instance_id,
        &["ACTIVE"],
        "powering-off",
        "SHUTOFF",
        "stopAuditInstance",
    )?;
    Ok(ok(ctx, "result"))
}

fn reboot(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: ServerId = call.body_as()?;
    lifecycle(
        ctx,
        &body.instance_id,
        &["ACTIVE"],
        "rebooting",
        "ACTIVE",
        "rebootAuditInstance",
    )?;
    Ok(ok(ctx, "result"))
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.body_str("id").unwrap_or_default();
    let any = ["ACTIVE", "SHUTOFF", "ERROR", "FROZEN", "BUILD"];
    lifecycle(ctx, id, &any, "delete_wait", "DELETED", "deleteAuditInstance")?;
    Ok(ok(ctx, "result"))
}

#[derive(Deserialize)]
struct OrderBody {
    name: String,
    vpc_id: String,
    availability_zone: String,
    #[serde(default)]
    enterprise_project_id: Option<String>,
    nics: Vec<Nic>,
    security_groups: Vec<IdOnly>,
    #[serde(default)]
    comment: Option<String>,
    region: String,
    charging_mode: i64,
    subscription_num: i64,
    product_infos: Vec<ProductInfo>,
    #[serde(default)]
    tags: Vec<KeyValue>,
}

#[derive(Deserialize)]
struct Nic {
    subnet_id: String,
    #[serde(default)]
    ip_address: Option<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct ProductInfo {
    resource_spec_code: String,
}

#[derive(Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

fn order(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: OrderBody = call.body_as()?;
    let region = &ctx.shared.facts.region;
    if &body.region != region {
        return Err(ApiError::bad_request(format!(
            "body.region: this endpoint serves {region}, not {}",
            body.region
        )));
    }
    let nic = body
        .nics
        .first()
        .ok_or_else(|| ApiError::bad_request("body.nics: expected at least 1 item, got 0"))?;
    let group = body
        .security_groups
        .first()
        .ok_or_else(|| ApiError::bad_request("body.security_groups: expected at least 1 item, got 0"))?;
    let spec_code = body
        .product_infos
        .first()
        .map(|p| p.resource_spec_code.clone())
        .ok_or_else(|| ApiError::bad_request("body.product_infos: expected at least 1 item, got 0"))?;
    let copies = usize::try_from(body.subscription_num)
        .ok()
        .filter(|n| (1..=INSTANCE_QUOTA).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "body.subscription_num: must be between 1 and {INSTANCE_QUOTA}, got {}",
                body.subscription_num
            ))
        })?;
    let mut world = ctx.world();
    if world.instances.len() + copies > INSTANCE_QUOTA {
        return Err(ApiError::bad_request(format!(
            "the project may have {INSTANCE_QUOTA} audit instances; it has {} and ordered {copies}",
            world.instances.len()
        )));
    }
    let order_id = world.ids.fresh();
    for n in 1..=copies {
        let name = if copies == 1 {
            body.name.clone()
        } else {
            format!("{}-{n}", body.name)
        };
        let mut instance = Instance::new(world.ids.fresh(), name);
        instance.resource_id = world.ids.fresh();
        instance.status = "BUILD".into();
        instance.spec_code = spec_code.clone();
        instance.zone = body.availability_zone.clone();
        instance.vpc_id = body.vpc_id.clone();
        instance.subnet_id = nic.subnet_id.clone();
        instance.connect_ip = nic
            .ip_address
            .clone()
            .unwrap_or_else(|| format!("192.168.0.{}", 100 + n));
        instance.security_group_id = group.id.clone();
        instance.comment = body.comment.clone().unwrap_or_default();
        instance.charge_model = if body.charging_mode == 1 { "Demand" } else { "Period" }.into();
        instance.enterprise_project_id = body.enterprise_project_id.clone().unwrap_or_else(|| "0".into());
        instance.created = ctx.wall.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        instance.tags = body
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone().unwrap_or_default()))
            .collect();
        let job_id = world.start_job("createAuditInstance", &instance, ctx.wall_ms());
        instance.pending = Some(Transition {
            until: ctx.now + world.delay,
            status: "ACTIVE".into(),
            remove: false,
            job_id: Some(job_id),
        });
        world.insert_instance(instance);
    }
    Ok(Reply::Json(json!({ "code": "200", "order_id": order_id })))
}

fn jobs(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.path("resource_id");
    let world = ctx.world();
    let jobs: Vec<Value> = world
        .jobs
        .iter()
        .filter(|j| j.resource_id == id || j.server_id == id)
        .map(|j| {
            json!({
                "job_id": j.job_id, "status": j.status, "job_type": j.job_type,
                "server_id": j.server_id, "server_name": j.server_name, "resource_id": j.resource_id,
                "begin_time": j.begin_ms, "end_time": j.end_ms, "charge_mode": j.charge_mode,
                "error_code": "", "fail_reason": "", "ha_id": "", "ha_name": "",
            })
        })
        .collect();
    let known = world.instances.values().any(|i| i.resource_id == id || i.id == id);
    if jobs.is_empty() && !known {
        return Err(no_such("an audit instance", "resource_id", id));
    }
    Ok(Reply::Json(json!({ "jobs": jobs })))
}

fn time_zone(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let zone = call.body_str("timezone").unwrap_or_default().to_owned();
    let mut world = ctx.world();
    instance_mut(&mut world, call.path("instance_id"))?.timezone = zone;
    Ok(ok(ctx, "status"))
}

fn quota(ctx: &Ctx<'_>, _call: &Call) -> Result<Reply, ApiError> {
    let world = ctx.world();
    let used = world.instances.len();
    let (cpu, ram) = world.instances.values().fold((0, 0), |(c, r), i| {
        let (cpu, ram, _) = capacity(&i.spec_code);
        (c + cpu, r + ram)
    });
    Ok(Reply::Json(json!({
        "project_id": ctx.shared.identity.project_id,
        "audit_quota": INSTANCE_QUOTA.saturating_sub(used),
        "cpu": 16 * INSTANCE_QUOTA as i64 - cpu,
        "ram": 65_536 * INSTANCE_QUOTA as i64 - ram,
    })))
}
