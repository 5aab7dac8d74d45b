//! Databases attached to an audit instance: add (self-built, RDS, RDS without agent), list,
//! switch auditing on and off, delete, SSL key. An instance audits at most as many databases
//! as its specification allows (`DBSS.10020118`).

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, count, no_such, offset_limit, ok};
use crate::{
    error::{ApiError, codes},
    state::{AuditData, Database, Instance},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("AddAuditDatabase", add),
    ("AddAuditDatabaseNew", add),
    ("AddRdsDatabase", add_rds),
    ("AddRdsDatabaseNew", add_rds),
    ("AddRdsNoAgentDatabase", add_rds_no_agent),
    ("ListAuditDatabases", list),
    ("ListAuditDatabasesNew", list),
    ("SwitchAuditDatabase", switch),
    ("SwitchAuditDatabaseNew", switch),
    ("DeleteAuditDatabase", delete),
    ("DeleteAuditDatabaseNew", delete),
    ("AddDatabaseSslKey", ssl_key),
];

/// The id of the instance an operation addresses.
fn instance_id(call: &Call) -> &str {
    call.path("instance_id")
}

fn room(instance: &Instance, data: &AuditData) -> Result<(), ApiError> {
    let limit = instance.database_limit();
    if data.databases.len() >= limit {
        return Err(ApiError::dbss(
            StatusCode::BAD_REQUEST,
            codes::DATABASE_LIMIT,
            format!(
                "instance {} already audits {limit} databases, the most its specification {} allows",
                instance.id, instance.spec_code
            ),
        ));
    }
    Ok(())
}

pub(crate) fn database_json(db: &Database, instance: &Instance, data: &AuditData) -> Value {
    let audit_status = match (instance.status.as_str(), db.status.as_str()) {
        ("ACTIVE", "ON") => "ACTIVE",
        ("ERROR", _) => "ERROR",
        _ => "SHUTOFF",
    };
    let agent_url: Vec<String> = data
        .agents
        .iter()
        .filter(|a| a.db_id == db.id)
        .map(|a| format!("https://dbss-sim.invalid/agents/{}.tar.gz", a.agent_id))
        .collect();
    json!({ "database": {
        "id": db.id, "name": db.name, "type": db.db_type, "version": db.version, "charset": db.charset,
        "ip": db.ip, "port": db.port, "os": db.os, "status": db.status, "instance_name": db.instance_name,
        "audit_status": audit_status, "agent_url": agent_url, "db_classification": db.classification,
        "rds_audit_switch_mismatch": false, "rds_id": db.rds_id, "rds_obj_info": "", "dws_obj_info": "",
        "clouddb_obj_info": "",
    }})
}

#[derive(Deserialize)]
struct AddBody {
    database: NewDatabase,
}

#[derive(Deserialize)]
struct NewDatabase {
    db_classification: String,
    name: String,
    #[serde(rename = "type")]
    db_type: String,
    version: String,
    charset: String,
    ip: String,
    port: String,
    os: String,
    #[serde(default)]
    instance_name: Option<String>,
}

fn add(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: AddBody = call.body_as()?;
    let mut world = ctx.world();
    let id = world.ids.fresh();
    let (instance, data) = audit_mut(&mut world, instance_id(call))?;
    room(instance, data)?;
    let new = body.database;
    data.databases.push(Database {
        id: id.clone(),
        name: new.name,
        db_type: new.db_type,
        version: new.version,
        charset: new.charset,
        ip: new.ip,
        port: new.port,
        os: new.os,
        // A new database is audited once switched on.
        status: "OFF".into(),
        instance_name: new.instance_name.unwrap_or_default(),
        classification: new.db_classification,
        rds_id: String::new(),
        ssl_key: false,
    });
    Ok(Reply::Json(json!({ "id": id })))
}

fn default_port(db_type: &str) -> &'static str {
    match db_type {
        "POSTGRESQL" | "GAUSSDBOPENGAUSS" | "KINGBASE" => "5432",
        "SQLSERVER" => "1433",
        "ORACLE" => "1521",
        "DAMENG" => "5236",
        "DWS" => "8000",
        _ => "3306",
    }
}

#[derive(Deserialize)]
struct RdsBody {
    databases: Vec<RdsRef>,
}

#[derive(Deserialize)]
struct RdsRef {
    id: String,
    #[serde(rename = "type")]
    db_type: String,
}

fn add_rds(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: RdsBody = call.body_as()?;
    let mut world = ctx.world();
    let new_ids: Vec<String> = body.databases.iter().map(|_| world.ids.fresh()).collect();
    let (instance, data) = audit_mut(&mut world, instance_id(call))?;
    let mut results = Vec::new();
    for (rds, id) in body.databases.iter().zip(new_ids) {
        let (status, message) = match room(instance, data) {
            Err(refusal) => ("FAILED", refusal.message().to_owned()),
            Ok(()) if data.databases.iter().any(|d| d.rds_id == rds.id) => {
                ("FAILED", format!("RDS instance {} is already audited", rds.id))
            }
            Ok(()) => {
                let n = data.databases.len() + 1;
                // The database list has no MARIADB type: RDS for MariaDB is listed as the
                // MySQL-compatible engine it is.
                let db_type = if rds.db_type == "MARIADB" {
                    "MYSQL".to_owned()
                } else {
                    rds.db_type.clone()
                };
                data.databases.push(Database {
                    id,
                    name: format!("rds-{}", rds.id.chars().take(8).collect::<String>()),
                    db_type,
                    version: String::new(),
                    charset: "UTF8".into(),
                    ip: format!("192.168.10.{n}"),
                    port: default_port(&rds.db_type).into(),
                    os: "LINUX64".into(),
                    status: "OFF".into(),
                    instance_name: rds.id.clone(),
                    classification: "RDS".into(),
                    rds_id: rds.id.clone(),
                    ssl_key: false,
                });
                ("SUCCESS", "added".to_owned())
            }
        };
        results.push(json!({ "id": rds.id, "ret_status": status, "ret_message": message }));
    }
    Ok(Reply::Json(json!({ "ret_list": results })))
}

#[derive(Deserialize)]
struct NoAgentBody {
    databases: Vec<NoAgentDatabase>,
}

#[derive(Deserialize)]
struct NoAgentDatabase {
    id: String,
    db_name: String,
    status: String,
    port: String,
    ip: String,
    instance_name: String,
    version: String,
    #[serde(rename = "type")]
    db_type: String,
}

fn add_rds_no_agent(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: NoAgentBody = call.body_as()?;
    let mut world = ctx.world();
    let new_ids: Vec<String> = body.databases.iter().map(|_| world.ids.fresh()).collect();
    let (instance, data) = audit_mut(&mut world, instance_id(call))?;
    let (mut legal, mut illegal) = (Vec::new(), Vec::new());
    for (db, id) in body.databases.into_iter().zip(new_ids) {
        if room(instance, data).is_err() || data.databases.iter().any(|d| d.rds_id == db.id) {
            illegal.push(db.id);
            continue;
        }
        legal.push(db.id.clone());
        data.databases.push(Database {
            id,
            name: db.db_name,
            db_type: db.db_type,
            version: db.version,
            charset: "UTF8".into(),
            ip: db.ip,
            port: db.port,
            os: "LINUX64".into(),
            status: db.status,
            instance_name: db.instance_name,
            classification: "RDS".into(),
            rds_id: db.id,
            ssl_key: false,
        });
    }
    Ok(Reply::Json(json!({ "legal_db_id": legal, "illegal_db_id": illegal })))
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (offset, limit) = offset_limit(call);
    let status = call.query_str("status");
    let world = ctx.world();
    let (instance, data) = audit(&world, instance_id(call))?;
    let matching: Vec<&Database> = data
        .databases
        .iter()
        .filter(|d| status.is_none_or(|s| d.status == s))
        .collect();
    let databases: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|d| database_json(d, instance, data))
        .collect();
    Ok(Reply::Json(
        json!({ "databases": databases, "total": count(matching.len()) }),
    ))
}

#[derive(Deserialize)]
struct SwitchBody {
    id: String,
    status: String,
}

fn switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: SwitchBody = call.body_as()?;
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, instance_id(call))?;
    let db = data
        .database_mut(&body.id)
        .ok_or_else(|| no_such("a database of the instance", "id", &body.id))?;
    db.status = body.status;
    Ok(ok(ctx, "status"))
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (name, id) = if call.path.contains_key("db_id") {
        ("db_id", call.path("db_id"))
    } else {
        ("id", call.path("id"))
    };
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, instance_id(call))?;
    let before = data.databases.len();
    data.databases.retain(|d| d.id != id);
    if data.databases.len() == before {
        return Err(no_such("a database of the instance", name, id));
    }
    data.agents.retain(|a| a.db_id != id);
    let field = if ctx.op.id == "DeleteAuditDatabase" {
        "result"
    } else {
        "status"
    };
    Ok(ok(ctx, field))
}

fn ssl_key(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let db_id = call.path("db_id");
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, instance_id(call))?;
    data.database_mut(db_id)
        .ok_or_else(|| no_such("a database of the instance", "db_id", db_id))?
        .ssl_key = true;
    Ok(ok(ctx, "result"))
}
