//! Operations answered from state. Each module serves one kind of resource and lists its
//! handlers in a `HANDLERS` table (`operationId` → function); operations in no table are
//! answered from their response schema by [`crate::synth`].
//!
//! A handler runs after the request passed authentication and the spec's checks, so it may
//! rely on required parameters being present and well typed; it still never panics on them.

mod agents;
mod alarms;
mod clusters;
mod databases;
mod instances;
mod oplogs;
mod reports;
mod rules;
mod settings;
mod sqls;
mod statistics;
mod tags;
mod whitelists;

use std::{collections::BTreeMap, time::Instant};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    Shared,
    error::ApiError,
    spec::Operation,
    state::{AuditData, Instance, World},
};

/// What a handler sees of the simulator and the moment.
pub(crate) struct Ctx<'a> {
    pub shared: &'a Shared,
    pub op: &'a Operation,
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

/// A request that passed the spec's checks.
#[derive(Debug, Default)]
pub(crate) struct Call {
    /// Path parameters, decoded.
    pub path: BTreeMap<String, String>,
    /// Query parameters, typed by their schema.
    pub query: BTreeMap<String, Value>,
    /// The JSON body (`Null` without one).
    pub body: Value,
}

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    Empty,
    Bytes(Vec<u8>),
}

pub(crate) type Handler = fn(&Ctx<'_>, &Call) -> Result<Reply, ApiError>;

/// Every module's table.
const TABLES: &[&[(&str, Handler)]] = &[
    instances::HANDLERS,
    databases::HANDLERS,
    agents::HANDLERS,
    rules::risk::HANDLERS,
    rules::scope::HANDLERS,
    rules::sql::HANDLERS,
    rules::mask::HANDLERS,
    whitelists::HANDLERS,
    settings::HANDLERS,
    tags::HANDLERS,
    clusters::HANDLERS,
    sqls::HANDLERS,
    alarms::HANDLERS,
    oplogs::HANDLERS,
    statistics::HANDLERS,
    reports::HANDLERS,
];

/// The handler of an operation that has state, if it has.
pub(crate) fn handler(operation: &str) -> Option<Handler> {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .find(|(id, _)| *id == operation)
        .map(|(_, handler)| *handler)
}

/// Every operation answered from state (the others are synthesised from their schema).
pub fn stateful_operations() -> Vec<&'static str> {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .map(|(id, _)| *id)
        .collect()
}

impl Call {
    /// A path parameter (empty when absent, which the router never allows).
    pub fn path(&self, name: &str) -> &str {
        self.path.get(name).map(String::as_str).unwrap_or_default()
    }

    /// A query parameter as text.
    pub fn query_str(&self, name: &str) -> Option<&str> {
        self.query.get(name).and_then(Value::as_str)
    }

    /// A query parameter holding an integer, typed or carried as a string.
    pub fn query_int(&self, name: &str) -> Option<i64> {
        match self.query.get(name)? {
            Value::String(s) => s.parse().ok(),
            other => other.as_i64(),
        }
    }

    /// The body as the operation's request type.
    pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_path_to_error::deserialize(&self.body).map_err(|e| {
            let path = e.path().to_string();
            ApiError::bad_request(format!("body.{path}: {}", e.into_inner()))
        })
    }

    /// A string field of the body.
    pub fn body_str(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }
}

impl Ctx<'_> {
    /// The world, every due change applied.
    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.shared.state.world()
    }

    /// Now, in epoch milliseconds.
    pub fn wall_ms(&self) -> i64 {
        self.wall.timestamp_millis()
    }

    /// Now, as DBSS writes times (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub fn wall_text(&self) -> String {
        self.wall.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// `{"result": "SUCCESS"}`-style answers: the value is whatever the operation's schema
/// allows for `field` (`SUCCESS`, `success`), so every answer stays valid.
pub(crate) fn ok(ctx: &Ctx<'_>, field: &str) -> Reply {
    let allowed = match &ctx.op.success {
        crate::spec::SuccessBody::Json(schema) => ctx
            .shared
            .spec
            .resolve(schema)
            .pointer(&format!("/properties/{field}/enum/0"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    Reply::Json(serde_json::json!({ field: allowed.unwrap_or_else(|| "SUCCESS".into()) }))
}

/// An unknown-id refusal naming the parameter and value.
pub(crate) fn no_such(what: &str, name: &str, id: &str) -> ApiError {
    ApiError::invalid_id(format!("{name} {id} does not name {what}"))
}

/// The audit instance `id` and what it holds; refused while it is being deleted.
pub(crate) fn audit_mut<'w>(world: &'w mut World, id: &str) -> Result<(&'w mut Instance, &'w mut AuditData), ApiError> {
    let instance = world
        .instances
        .get_mut(id)
        .ok_or_else(|| no_such("an audit instance", "instance_id", id))?;
    if instance.status == "DELETING" {
        return Err(ApiError::invalid_state(format!("instance {id} is being deleted")));
    }
    let data = world
        .audit
        .get_mut(id)
        .ok_or_else(|| no_such("an audit instance", "instance_id", id))?;
    Ok((instance, data))
}

/// Read-only [`audit_mut`].
pub(crate) fn audit<'w>(world: &'w World, id: &str) -> Result<(&'w Instance, &'w AuditData), ApiError> {
    let instance = world
        .instances
        .get(id)
        .ok_or_else(|| no_such("an audit instance", "instance_id", id))?;
    let data = world
        .audit
        .get(id)
        .ok_or_else(|| no_such("an audit instance", "instance_id", id))?;
    Ok((instance, data))
}

/// `offset`/`limit` query paging: (offset, limit), with the documented default limit.
pub(crate) fn offset_limit(call: &Call) -> (usize, usize) {
    let offset = call
        .query_int("offset")
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let limit = call
        .query_int("limit")
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(100);
    (offset, limit)
}

/// Largest page a `page`/`size` body may ask for.
pub(crate) const MAX_PAGE_SIZE: i64 = 10_000;

/// `page`/`size` body paging (numbers, or strings as in the operation-log requests):
/// (records to skip, page size). Pages count from 1.
pub(crate) fn page_size(call: &Call) -> Result<(usize, usize), ApiError> {
    let read = |name: &str| -> Result<Option<i64>, ApiError> {
        match call.body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("body.{name}: expected an integer, got {s:?}"))),
            Some(other) => Ok(other.as_i64()),
        }
    };
    let page = read("page")?.unwrap_or(1);
    let size = read("size")?.unwrap_or(10);
    if page < 1 {
        return Err(ApiError::bad_request(format!(
            "body.page: pages count from 1, got {page}"
        )));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(ApiError::bad_request(format!(
            "body.size: must be between 1 and {MAX_PAGE_SIZE}, got {size}"
        )));
    }
    let size = usize::try_from(size).unwrap_or(1);
    let skip = usize::try_from(page - 1).unwrap_or(usize::MAX).saturating_mul(size);
    Ok((skip, size))
}

/// A page of `items`.
pub(crate) fn page<T: Clone>(items: &[T], skip: usize, take: usize) -> Vec<T> {
    items.iter().skip(skip).take(take).cloned().collect()
}

/// An `i32` count for a response.
pub(crate) fn count(n: usize) -> Value {
    Value::from(i32::try_from(n).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use crate::spec::Spec;

    #[test]
    fn every_handler_names_an_operation_of_the_spec_once() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        let ids = super::stateful_operations();
        for id in &ids {
            assert!(spec.operation(id).is_some(), "{id} is not in the spec");
        }
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "an operation has two handlers");
    }
}
