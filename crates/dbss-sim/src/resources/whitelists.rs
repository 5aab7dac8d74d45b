//! The SQL whitelist of an audit instance: add in batches, list, update, delete in batches.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, count, no_such, offset_limit, ok, page};
use crate::{error::ApiError, state::Whitelist};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("BatchAddAuditWhitelist", add),
    ("ListWhitelists", list),
    ("UpdateAuditWhitelist", update),
    ("DeleteAuditWhitelist", delete),
];

#[derive(Deserialize)]
struct AddBody {
    whitelists: Vec<NewEntry>,
}

#[derive(Deserialize)]
struct NewEntry {
    sql: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    db_ids: Vec<String>,
}

fn add(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: AddBody = call.body_as()?;
    let now = ctx.wall_ms();
    let mut world = ctx.world();
    let ids: Vec<String> = body.whitelists.iter().map(|_| world.ids.fresh()).collect();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    for (entry, id) in body.whitelists.into_iter().zip(ids) {
        data.whitelists.push(Whitelist {
            id,
            sql: entry.sql,
            desc: entry.desc.unwrap_or_default(),
            enabled: entry.enabled.unwrap_or(true),
            db_ids: entry.db_ids,
            created_ms: now,
            updated_ms: now,
        });
    }
    Ok(ok(ctx, "status"))
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (offset, limit) = offset_limit(call);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let whitelists: Vec<Value> = page(&data.whitelists, offset, limit)
        .iter()
        .map(|w| {
            json!({
                "id": w.id, "sql": w.sql, "desc": w.desc, "enabled": w.enabled, "db_ids": w.db_ids,
                "create_timestamp_ms": w.created_ms, "update_timestamp_ms": w.updated_ms,
            })
        })
        .collect();
    Ok(Reply::Json(
        json!({ "whitelists": whitelists, "total": count(data.whitelists.len()) }),
    ))
}

#[derive(Deserialize)]
struct UpdateBody {
    enabled: bool,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    db_ids: Option<Vec<String>>,
}

fn update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: UpdateBody = call.body_as()?;
    let id = call.path("id");
    let now = ctx.wall_ms();
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    let entry = data
        .whitelists
        .iter_mut()
        .find(|w| w.id == id)
        .ok_or_else(|| no_such("a whitelist entry of the instance", "id", id))?;
    entry.enabled = body.enabled;
    if let Some(desc) = body.desc {
        entry.desc = desc;
    }
    if let Some(db_ids) = body.db_ids {
        entry.db_ids = db_ids;
    }
    entry.updated_ms = now;
    Ok(ok(ctx, "status"))
}

#[derive(Deserialize)]
struct DeleteBody {
    whitelists: Vec<String>,
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: DeleteBody = call.body_as()?;
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    // All or nothing: one unknown id refuses the batch, so a retry cannot half-apply.
    if let Some(unknown) = body
        .whitelists
        .iter()
        .find(|id| !data.whitelists.iter().any(|w| &w.id == *id))
    {
        return Err(no_such("a whitelist entry of the instance", "whitelists", unknown));
    }
    data.whitelists.retain(|w| !body.whitelists.contains(&w.id));
    Ok(ok(ctx, "status"))
}
