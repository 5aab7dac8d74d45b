//! Audited SQL statements: the list (time window, filters, `page`/`size` in the body, either
//! order) and one statement's detail.

use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, count, no_such, page_size};
use crate::{
    error::ApiError,
    rows::{
        self, requested_window,
        sql::{CLIENTS, SqlData, SqlKey, USERS},
    },
    state::AuditData,
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("ListAuditSqls", list),
    ("ListAuditSqlsNew", list),
    ("ShowSqlDetail", detail),
];

/// The SQL dataset of an instance.
pub(crate) fn sql_data<'a>(ctx: &Ctx<'_>, instance_id: &str, data: &'a AuditData) -> SqlData<'a> {
    let settings = &ctx.shared.settings;
    SqlData::new(
        rows::dataset(settings.seed, instance_id, "sql"),
        settings.anchor_ms,
        settings.audit_rows,
        &data.databases,
        &data.risk_rules,
        &data.sql_rules,
    )
}

/// The list's filters; `None` lets everything through.
struct Filters<'a> {
    risk_level: Option<&'a str>,
    client_ip: Option<&'a str>,
    client_name: Option<&'a str>,
    db_ip: Option<&'a str>,
    db_user: Option<&'a str>,
    query_type: Option<&'a str>,
    rule_name: Option<&'a str>,
    statement: Option<&'a str>,
    response: Option<&'a str>,
}

impl<'a> Filters<'a> {
    fn from(call: &'a Call) -> Filters<'a> {
        let text = |name: &str| call.body_str(name).filter(|s| !s.is_empty());
        Filters {
            risk_level: text("risk_levels"),
            client_ip: text("client_ip"),
            client_name: text("client_name"),
            db_ip: text("db_ip"),
            db_user: text("db_user"),
            query_type: text("query_type").filter(|q| *q != "ALL"),
            rule_name: text("rule_name"),
            statement: text("sql_statement"),
            response: text("sql_response"),
        }
    }

    fn none(&self) -> bool {
        [
            self.risk_level,
            self.client_ip,
            self.client_name,
            self.db_ip,
            self.db_user,
            self.query_type,
            self.rule_name,
            self.statement,
            self.response,
        ]
        .iter()
        .all(Option::is_none)
    }

    fn admit(&self, data: &SqlData<'_>, key: &SqlKey) -> bool {
        let (ip, name) = CLIENTS[key.client % CLIENTS.len()];
        let is = |want: Option<&str>, have: &str| want.is_none_or(|w| w == have);
        is(self.risk_level, data.risk_level(key))
            && is(self.client_ip, ip)
            && is(self.client_name, name)
            && is(self.db_user, USERS[key.user % USERS.len()])
            && is(self.query_type, data.query_type(key))
            && is(self.rule_name, data.rule_name(key))
            && is(self.response, if key.failed { "FAILED" } else { "SUCCESS" })
            && is(self.db_ip, data.database(key).map_or("", |d| d.ip.as_str()))
            && self.statement.is_none_or(|s| data.statement(key).contains(s))
    }
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (skip, size) = page_size(call)?;
    let (from, to) = requested_window(call.body.get("time"), ctx.wall, "body.time")?;
    let ascending = call.body_str("time_order") == Some("ASC");
    let filters = Filters::from(call);
    let instance_id = call.path("instance_id");
    let world = ctx.world();
    let (_, audit_data) = audit(&world, instance_id)?;
    let data = sql_data(ctx, instance_id, audit_data);
    let window = data.timeline.window(from, to);
    let order: Box<dyn Iterator<Item = u64>> = if ascending {
        Box::new(window.clone().rev())
    } else {
        Box::new(window.clone())
    };
    let (rows, total): (Vec<Value>, usize) = if filters.none() {
        // Without filters a page is a slice of the window: no scan.
        let total = usize::try_from(window.end - window.start).unwrap_or(usize::MAX);
        let rows = order
            .skip(skip)
            .take(size)
            .map(|i| data.summary(&data.key(i)))
            .collect();
        (rows, total)
    } else {
        let mut total = 0;
        let mut rows = Vec::new();
        for key in order.map(|i| data.key(i)).filter(|k| filters.admit(&data, k)) {
            if total >= skip && rows.len() < size {
                rows.push(data.summary(&key));
            }
            total += 1;
        }
        (rows, total)
    };
    Ok(Reply::Json(
        json!({ "total": count(total), "count": count(rows.len()), "sqls": rows }),
    ))
}

fn detail(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let instance_id = call.path("instance_id");
    let id = call.path("id");
    let world = ctx.world();
    let (_, audit_data) = audit(&world, instance_id)?;
    let data = sql_data(ctx, instance_id, audit_data);
    let i = rows::row_of(data.dataset, data.timeline.rows, id)
        .ok_or_else(|| no_such("an audited statement of the instance", "id", id))?;
    Ok(Reply::Json(data.detail(&data.key(i))))
}
