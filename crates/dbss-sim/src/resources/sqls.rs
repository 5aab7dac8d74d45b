//! Audited SQL statements: the list (time window, filters, `page`/`size` in the body, either
//! order) and one statement's detail.

use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, count, no_such, page_size};
use crate::{
    error::ApiError,
    rows::{
        self,
        live::{LiveFeed, LiveRows},
        requested_window,
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
    .with_live(live_feed(ctx, instance_id, "sql", 1_000))
}

/// The records `--audit-rate` makes for an instance: the rate every `period_ms`.
pub(crate) fn live_feed(ctx: &Ctx<'_>, instance_id: &str, kind: &str, period_ms: i64) -> Option<LiveFeed> {
    let settings = &ctx.shared.settings;
    (settings.audit_rate > 0).then(|| LiveFeed {
        dataset: rows::dataset(settings.seed, instance_id, &format!("{kind}-live")),
        anchor_ms: settings.anchor_ms,
        per_period: settings.audit_rate,
        period_ms,
    })
}

/// One row of a list: from the history or from the live feed.
#[derive(Clone, Copy)]
enum Row {
    Past(u64),
    Live(u64),
}

/// The rows of a window in the order asked for: the history (`past`, newest first by index)
/// and the live records, which are all newer.
struct Rows {
    past: std::ops::Range<u64>,
    live: LiveRows,
    ascending: bool,
}

impl Rows {
    fn len(&self) -> usize {
        usize::try_from(self.past.end - self.past.start).unwrap_or(usize::MAX) + self.live.len()
    }

    /// The `p`-th row, without walking the ones before it.
    fn nth(&self, p: usize) -> Option<Row> {
        let past = usize::try_from(self.past.end - self.past.start).unwrap_or(usize::MAX);
        if self.ascending {
            if p < past {
                Some(Row::Past(self.past.end - 1 - p as u64))
            } else {
                self.live.ascending(p - past).map(Row::Live)
            }
        } else if p < self.live.len() {
            self.live.descending(p).map(Row::Live)
        } else {
            let q = (p - self.live.len()) as u64;
            (q < self.past.end - self.past.start).then_some(Row::Past(self.past.start + q))
        }
    }
}

fn key(data: &SqlData<'_>, row: Row) -> SqlKey {
    match row {
        Row::Past(i) => data.key(i),
        Row::Live(j) => data.live_key(j),
    }
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
    let window = Rows {
        past: data.timeline.window(from, to),
        live: data
            .live
            .map(|feed| feed.visible(from, to, ctx.wall_ms()))
            .unwrap_or_default(),
        ascending,
    };
    let (rows, total): (Vec<Value>, usize) = if filters.none() {
        // Without filters a page is a slice of the window: no scan.
        let rows = (skip..skip.saturating_add(size))
            .map_while(|p| window.nth(p))
            .map(|row| data.summary(&key(&data, row)))
            .collect();
        (rows, window.len())
    } else {
        let mut total = 0;
        let mut page = Vec::new();
        let all = (0..window.len())
            .filter_map(|p| window.nth(p))
            .map(|row| key(&data, row));
        for key in all.filter(|k| filters.admit(&data, k)) {
            if total >= skip && page.len() < size {
                page.push(data.summary(&key));
            }
            total += 1;
        }
        (page, total)
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
    let key = match rows::row_of(data.dataset, data.timeline.rows, id) {
        Some(i) => data.key(i),
        None => data
            .live
            .and_then(|feed| feed.row_of(id, ctx.wall_ms()))
            .map(|j| data.live_key(j))
            .ok_or_else(|| no_such("an audited statement of the instance", "id", id))?,
    };
    Ok(Reply::Json(data.detail(&key)))
}
