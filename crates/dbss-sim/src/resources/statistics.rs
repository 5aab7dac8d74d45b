//! Statistics over the audited statements of a time window: trends (risk, risky operations,
//! sessions, statement counts, injections, statement types) in twelve periods, and sessions
//! per database account and per database. They are counted from the same rows the SQL list
//! returns, so the two always agree.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, no_such, sqls::sql_data};
use crate::{
    error::ApiError,
    rows::{
        SPAN_MS, format_time, requested_window,
        sql::{Risk, SqlData, USERS},
    },
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("CountRiskTrendStatistics", trend),
    ("CountOperationStatistics", trend),
    ("CountSessionStatistics", trend),
    ("CountSqlTrendStatistics", trend),
    ("CountInjectionStatistics", trend),
    ("CountSqlStatistics", trend),
    ("CountDbAccountSession", sessions),
    ("CountDbClientSession", sessions),
];

/// Periods a trend is cut into.
const PERIODS: i64 = 12;

#[derive(Default, Clone)]
struct Counts {
    statements: i64,
    by_level: BTreeMap<&'static str, i64>,
    risky: i64,
    injections: i64,
    logins: i64,
    failed_logins: i64,
    clients: u64,
    by_type: BTreeMap<&'static str, i64>,
}

/// The databases a request restricts statistics to (all when it names none).
fn databases(call: &Call, data: &SqlData<'_>) -> Result<Vec<usize>, ApiError> {
    let named: Vec<&str> = match call.body.get("db_id") {
        Some(Value::String(id)) if !id.is_empty() => vec![id.as_str()],
        Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).collect(),
        _ => return Ok((0..data.databases.len()).collect()),
    };
    named
        .into_iter()
        .map(|id| {
            data.databases
                .iter()
                .position(|d| d.id == id)
                .ok_or_else(|| no_such("a database of the instance", "db_id", id))
        })
        .collect()
}

/// The request's window, within the data.
fn window(ctx: &Ctx<'_>, call: &Call) -> Result<(i64, i64), ApiError> {
    let (from, to) = requested_window(call.body.get("time"), ctx.wall, "body.time")?;
    let anchor = ctx.shared.settings.anchor_ms;
    Ok((from.max(anchor - SPAN_MS), to.min(ctx.wall_ms().max(anchor))))
}

fn trend(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (from, to) = window(ctx, call)?;
    let instance_id = call.path("instance_id");
    let world = ctx.world();
    let (_, audit_data) = audit(&world, instance_id)?;
    let data = sql_data(ctx, instance_id, audit_data);
    let dbs = databases(call, &data)?;
    let span = (to - from + 1).max(1);
    let mut periods = vec![Counts::default(); usize::try_from(PERIODS).unwrap_or(12)];
    for i in data.timeline.window(from, to) {
        let key = data.key(i);
        if !dbs.contains(&key.db) {
            continue;
        }
        let slot = usize::try_from((data.timeline.time_of(i) - from) * PERIODS / span).unwrap_or(0);
        let Some(c) = periods.get_mut(slot) else { continue };
        c.statements += 1;
        *c.by_level.entry(level(&data, &key)).or_default() += 1;
        c.risky += i64::from(key.risk != Risk::None);
        c.injections += i64::from(matches!(key.risk, Risk::Injection(_)));
        let login = data.query_type(&key) == "LOGIN";
        c.logins += i64::from(login);
        c.failed_logins += i64::from(login && key.failed);
        c.clients |= 1 << key.client;
        *c.by_type.entry(data.query_type(&key)).or_default() += 1;
    }
    let rows: Vec<Value> = periods
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let period = format_time(from + span * i64::try_from(n).unwrap_or(0) / PERIODS);
            let of = |map: &BTreeMap<&str, i64>, k: &str| map.get(k).copied().unwrap_or(0);
            match ctx.op.id.as_str() {
                "CountRiskTrendStatistics" => json!({
                    "period": period, "high_risk_num": of(&c.by_level, "HIGH"),
                    "middle_risk_num": of(&c.by_level, "MEDIUM"), "low_risk_num": of(&c.by_level, "LOW"),
                    "no_risk_num": of(&c.by_level, "NO_RISK"),
                }),
                "CountOperationStatistics" => json!({ "period": period, "risk_operation_num": c.risky }),
                "CountSessionStatistics" => json!({
                    "period": period, "active_session_num": c.clients.count_ones(),
                    "fail_session_num": c.failed_logins, "new_session_num": c.logins,
                }),
                "CountSqlTrendStatistics" => json!({ "period": period, "sql_num": c.statements }),
                "CountInjectionStatistics" => json!({ "period": period, "injection_num": c.injections }),
                _ => {
                    let known = ["SELECT", "INSERT", "UPDATE", "DELETE"].iter().map(|t| of(&c.by_type, t)).sum::<i64>();
                    json!({
                        "period": period, "select_num": of(&c.by_type, "SELECT"), "insert_num": of(&c.by_type, "INSERT"),
                        "update_num": of(&c.by_type, "UPDATE"), "delete_num": of(&c.by_type, "DELETE"),
                        "other_num": c.statements - known,
                    })
                }
            }
        })
        .collect();
    let field = match ctx.op.id.as_str() {
        "CountRiskTrendStatistics" => "risk_statistics",
        "CountOperationStatistics" => "operation_statistics",
        "CountSessionStatistics" => "session_statistics",
        "CountSqlTrendStatistics" => "count_statistics",
        "CountInjectionStatistics" => "injection_statistics",
        _ => "sql_statistics",
    };
    Ok(Reply::Json(
        json!({ field: rows, "generate_time": ctx.wall_text(), "status": "FINISHED" }),
    ))
}

fn level(data: &SqlData<'_>, key: &crate::rows::sql::SqlKey) -> &'static str {
    match data.risk_level(key) {
        "HIGH" => "HIGH",
        "MEDIUM" => "MEDIUM",
        "LOW" => "LOW",
        _ => "NO_RISK",
    }
}

fn sessions(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (from, to) = window(ctx, call)?;
    let per_account = ctx.op.id == "CountDbAccountSession";
    let instance_id = call.path("instance_id");
    let world = ctx.world();
    let (_, audit_data) = audit(&world, instance_id)?;
    let data = sql_data(ctx, instance_id, audit_data);
    let dbs = databases(call, &data)?;
    // (database, account) → logins; the account is ignored per database.
    let mut logins: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    for i in data.timeline.window(from, to) {
        let key = data.key(i);
        if dbs.contains(&key.db) && data.query_type(&key) == "LOGIN" {
            let account = if per_account { key.user } else { 0 };
            *logins.entry((key.db, account)).or_default() += 1;
        }
    }
    let rows: Vec<Value> = logins
        .into_iter()
        .filter_map(|((db, user), n)| {
            let d = data.databases.get(db)?;
            let mut row = json!({ "db_id": d.id, "db_ip": d.ip, "db_name": d.name, "session_num": n });
            if per_account && let Some(map) = row.as_object_mut() {
                map.insert("db_user".into(), json!(USERS[user % USERS.len()]));
            }
            Some(row)
        })
        .collect();
    Ok(Reply::Json(Value::Array(rows)))
}
