//! Risk, audit-scope, SQL-injection and masking rules: create, list, show, update, rank,
//! switch, delete. Built-in rules can be switched and ranked, not changed or deleted. This
//! module holds what the four kinds share.

pub(super) mod mask;
pub(super) mod risk;
pub(super) mod scope;
pub(super) mod sql;

use serde_json::Value;

use super::{Call, Ctx, audit_mut, no_such};
use crate::{error::ApiError, state::AuditData};

pub(super) fn with_data<T>(
    ctx: &Ctx<'_>,
    call: &Call,
    change: impl FnOnce(&mut AuditData, String) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut world = ctx.world();
    let fresh_id = world.ids.fresh();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    change(data, fresh_id)
}

/// The rule's id: the `id` path parameter (or `risk_id` in the oldest paths).
pub(super) fn rule_id(call: &Call) -> &str {
    if call.path.contains_key("risk_id") {
        call.path("risk_id")
    } else {
        call.path("id")
    }
}

/// Checks a rule's expression. Rules are written for the service's engine, where a leading
/// inline flag group such as `(?i)` is common; the ECMAScript syntax `regress` checks has no
/// inline flags, so such a group is taken as flags.
pub(super) fn check_regex(field: &str, pattern: &str) -> Result<(), ApiError> {
    let (flags, body) = match pattern.strip_prefix("(?").and_then(|rest| rest.split_once(')')) {
        Some((flags, body)) if !flags.is_empty() && flags.chars().all(|c| "ims".contains(c)) => (flags, body),
        _ => ("", pattern),
    };
    regress::Regex::with_flags(body, flags)
        .map(|_| ())
        .map_err(|e| ApiError::bad_request(format!("body.{field}: not a valid regular expression: {e}")))
}

pub(super) fn unique_name<'a>(
    mut names: impl Iterator<Item = &'a str>,
    name: &str,
    what: &str,
) -> Result<(), ApiError> {
    if names.any(|n| n == name) {
        Err(ApiError::bad_request(format!(
            "body.rule_name: a {what} named {name:?} already exists"
        )))
    } else {
        Ok(())
    }
}

pub(super) fn builtin(what: &str, id: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{what} {id} is built in: it can be switched or ranked, not changed or deleted"
    ))
}

/// Ids joined with commas (risk rule switches) or listed.
pub(super) fn id_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// Sets `status` on the rules with the listed ids, refusing the whole batch if one is unknown.
pub(super) fn switch_each<T>(
    rules: &mut [T],
    ids: &[String],
    what: &str,
    id_of: fn(&T) -> &str,
    set: impl Fn(&mut T),
) -> Result<(), ApiError> {
    if let Some(unknown) = ids.iter().find(|id| !rules.iter().any(|r| id_of(r) == id.as_str())) {
        return Err(no_such(what, "ids", unknown));
    }
    for rule in rules.iter_mut().filter(|r| ids.iter().any(|id| id == id_of(r))) {
        set(rule);
    }
    Ok(())
}
