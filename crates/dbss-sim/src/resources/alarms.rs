//! Alarms: the list (time window, risk, type and status filters, `page`/`size` in the body),
//! confirming one or many, and deleting.

use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, count, no_such, ok, page_size};
use crate::{
    error::ApiError,
    rows::{
        self, Timeline,
        alarm::{ALARMS_PER_SQL, AlarmData},
        requested_window,
    },
    state::{AlarmMark, AuditData},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("ListAuditAlarmLog", list),
    ("ListAuditAlarmLogNew", list),
    ("SetAuditAlarmLogStatus", confirm),
    ("BatchSetAuditAlarmLogStatus", confirm_many),
    ("DeleteAuditAlarmLog", delete),
];

/// How many alarms an instance has: one per [`ALARMS_PER_SQL`] statements, rounded up.
fn alarm_rows(ctx: &Ctx<'_>, data: &AuditData) -> u64 {
    if data.databases.is_empty() {
        0
    } else {
        ctx.shared.settings.audit_rows.div_ceil(ALARMS_PER_SQL)
    }
}

fn dataset(ctx: &Ctx<'_>, instance_id: &str) -> u64 {
    rows::dataset(ctx.shared.settings.seed, instance_id, "alarm")
}

fn alarm_data<'a>(ctx: &Ctx<'_>, instance_id: &str, data: &'a AuditData) -> AlarmData<'a> {
    AlarmData {
        dataset: dataset(ctx, instance_id),
        timeline: Timeline::new(ctx.shared.settings.anchor_ms, alarm_rows(ctx, data)),
        marks: &data.alarm_marks,
        rule_names: data.risk_rules.iter().map(|r| r.name.as_str()).collect(),
        // One alarm per ALARMS_PER_SQL statements of the live feed.
        live: super::sqls::live_feed(ctx, instance_id, "alarm", 1_000 * ALARMS_PER_SQL as i64)
            .filter(|_| !data.databases.is_empty()),
    }
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (skip, size) = page_size(call)?;
    let (from, to) = requested_window(call.body.get("time"), ctx.wall, "body.time")?;
    let risks: Vec<&str> = call
        .body
        .get("risk")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let kind = call.body_str("type");
    let status = call.body_str("status");
    let new_names = ctx.op.id == "ListAuditAlarmLogNew";
    let instance_id = call.path("instance_id");
    let world = ctx.world();
    let (_, audit_data) = audit(&world, instance_id)?;
    let data = alarm_data(ctx, instance_id, audit_data);
    let mut total = 0;
    let mut page = Vec::new();
    // Newest first: the live alarms, then the history.
    let live = data
        .live
        .map(|feed| feed.visible(from, to, ctx.wall_ms()))
        .unwrap_or_default();
    let matching = live
        .iter()
        .rev()
        .filter_map(|j| data.live_alarm(j))
        .chain(data.timeline.window(from, to).filter_map(|i| data.alarm(i)))
        .filter(|a| risks.is_empty() || risks.contains(&a.risk))
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .filter(|a| status.is_none_or(|s| a.status == s));
    for alarm in matching {
        if total >= skip && page.len() < size {
            page.push(data.json(&alarm, new_names));
        }
        total += 1;
    }
    Ok(Reply::Json(json!({ "total_num": count(total), "alarm_log": page })))
}

/// Marks the alarms `ids` (all must exist) under the lock.
fn mark(ctx: &Ctx<'_>, call: &Call, ids: &[&str], mark: AlarmMark) -> Result<(), ApiError> {
    let instance_id = call.path("instance_id");
    let dataset = dataset(ctx, instance_id);
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, instance_id)?;
    let rows = alarm_rows(ctx, data);
    let mut found = Vec::new();
    for id in ids {
        let row = rows::row_of(dataset, rows, id)
            .filter(|i| data.alarm_marks.get(i) != Some(&AlarmMark::Deleted))
            .ok_or_else(|| no_such("an alarm of the instance", "id", id))?;
        found.push(row);
    }
    for row in found {
        data.alarm_marks.insert(row, mark);
    }
    Ok(())
}

fn confirm(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    mark(ctx, call, &[call.path("id")], AlarmMark::Done)?;
    Ok(ok(ctx, "result"))
}

fn confirm_many(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids: Vec<&str> = call
        .body
        .get("ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    mark(ctx, call, &ids, AlarmMark::Done)?;
    Ok(ok(ctx, "result"))
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    mark(ctx, call, &[call.path("id")], AlarmMark::Deleted)?;
    Ok(ok(ctx, "result"))
}
