//! Operation logs of an instance: the list, with a time window, user, action and result
//! filters, and `page`/`size` (sent as strings) in the body.

use serde_json::json;

use super::{Call, Ctx, Handler, Reply, audit, count, page_size};
use crate::{
    error::ApiError,
    rows::{
        self, Timeline,
        oplog::{LOGS_PER_SQL, LogData},
        requested_window,
    },
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[("ListAuditOperateLogs", list), ("ListAuditOperateLogsNew", list)];

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (skip, size) = page_size(call)?;
    let (from, to) = requested_window(call.body.get("time"), ctx.wall, "body.time")?;
    let user = call.body_str("user_name").filter(|u| !u.is_empty());
    // The request spells actions in capitals, the answer in lower case.
    let action = call.body_str("action").map(str::to_lowercase);
    let result = call.body_str("result");
    let instance_id = call.path("instance_id");
    audit(&ctx.world(), instance_id)?;
    let settings = &ctx.shared.settings;
    let data = LogData {
        dataset: rows::dataset(settings.seed, instance_id, "oplog"),
        timeline: Timeline::new(settings.anchor_ms, settings.audit_rows.div_ceil(LOGS_PER_SQL)),
    };
    let mut total = 0;
    let mut page = Vec::new();
    let matching = data
        .timeline
        .window(from, to)
        .map(|i| data.log(i))
        .filter(|l| user.is_none_or(|u| l.user == u))
        .filter(|l| action.as_deref().is_none_or(|a| l.action == a))
        .filter(|l| result.is_none_or(|r| l.result == r));
    for log in matching {
        if total >= skip && page.len() < size {
            page.push(data.json(&log));
        }
        total += 1;
    }
    Ok(Reply::Json(json!({ "total_num": count(total), "operate_log": page })))
}
