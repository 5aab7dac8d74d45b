//! SQL-injection detection rules.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{builtin, check_regex, id_list, switch_each, unique_name, with_data};
use crate::{
    error::ApiError,
    resources::{Call, Ctx, Handler, Reply, audit, count, no_such, ok, page_size},
    state::{SqlRule, renumber},
};

pub(in crate::resources) const HANDLERS: &[(&str, Handler)] = &[
    ("CreateAuditSqlRule", sql_create),
    ("UpdateAuditSqlRule", sql_update),
    ("DeleteAuditRuleSql", sql_delete),
    ("ListSqlInjectionRules", sql_list),
    ("ListSqlInjectionRulesNew", sql_list),
    ("SetAuditSqlRuleSwitch", sql_switch),
    ("SetSqlRuleRank", sql_rank),
];

#[derive(Deserialize)]
struct SqlBody {
    risk_level: String,
    rule_name: String,
    sql_regex: String,
    status: String,
}

impl SqlBody {
    fn checked(self) -> Result<SqlBody, ApiError> {
        if self.risk_level == "NO_RISK" {
            // The rule list can only show HIGH, MEDIUM and LOW.
            return Err(ApiError::bad_request(
                "body.risk_level: a SQL-injection rule is HIGH, MEDIUM or LOW risk",
            ));
        }
        check_regex("sql_regex", &self.sql_regex)?;
        Ok(self)
    }
}

fn sql_create(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body = call.body_as::<SqlBody>()?.checked()?;
    with_data(ctx, call, |data, id| {
        unique_name(
            data.sql_rules.iter().map(|r| r.name.as_str()),
            &body.rule_name,
            "SQL-injection rule",
        )?;
        data.sql_rules.push(SqlRule {
            id,
            feature: format!("statements matching {}", body.sql_regex),
            name: body.rule_name,
            status: body.status,
            risk_level: body.risk_level,
            rule_type: "CUSTOMIZE".into(),
            rank: 0,
            regex: body.sql_regex,
        });
        renumber(&mut data.sql_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn sql_update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body = call.body_as::<SqlBody>()?.checked()?;
    let id = call.path("id");
    with_data(ctx, call, |data, _| {
        let others = data.sql_rules.iter().filter(|r| r.id != id).map(|r| r.name.as_str());
        unique_name(others, &body.rule_name, "SQL-injection rule")?;
        let rule = data
            .sql_rules
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a SQL-injection rule of the instance", "id", id))?;
        if rule.rule_type == "SYSTEM" {
            return Err(builtin("SQL-injection rule", id));
        }
        rule.feature = format!("statements matching {}", body.sql_regex);
        rule.name = body.rule_name;
        rule.status = body.status;
        rule.risk_level = body.risk_level;
        rule.regex = body.sql_regex;
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn sql_delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.path("id");
    with_data(ctx, call, |data, _| {
        let rule = data
            .sql_rules
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a SQL-injection rule of the instance", "id", id))?;
        if rule.rule_type == "SYSTEM" {
            return Err(builtin("SQL-injection rule", id));
        }
        data.sql_rules.retain(|r| r.id != id);
        renumber(&mut data.sql_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn sql_list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let level = call.body_str("risk_levels");
    let paged =
        call.body.get("page").is_some_and(|v| !v.is_null()) || call.body.get("size").is_some_and(|v| !v.is_null());
    let (skip, take) = if paged { page_size(call)? } else { (0, usize::MAX) };
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let matching: Vec<&SqlRule> = data
        .sql_rules
        .iter()
        .filter(|r| level.is_none_or(|l| r.risk_level == l))
        .collect();
    let rules: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "status": r.status, "risk_level": r.risk_level,
                "type": r.rule_type, "rank": r.rank, "feature": r.feature, "regex": r.regex,
            })
        })
        .collect();
    Ok(Reply::Json(json!({ "rules": rules, "total": count(matching.len()) })))
}

fn sql_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("id"));
    let status = call.body_str("status").unwrap_or("ON").to_owned();
    with_data(ctx, call, |data, _| {
        switch_each(
            &mut data.sql_rules,
            &ids,
            "a SQL-injection rule of the instance",
            |r| &r.id,
            |r| r.status = status.clone(),
        )
    })?;
    Ok(ok(ctx, "status"))
}

fn sql_rank(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("ids"));
    with_data(ctx, call, |data, _| {
        if let Some(unknown) = ids.iter().find(|id| !data.sql_rules.iter().any(|r| &r.id == *id)) {
            return Err(no_such("a SQL-injection rule of the instance", "ids", unknown));
        }
        // The listed rules come first, in the given order; the others keep theirs after them.
        let position = |r: &SqlRule| ids.iter().position(|id| *id == r.id).unwrap_or(usize::MAX);
        data.sql_rules.sort_by_key(position);
        renumber(&mut data.sql_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}
