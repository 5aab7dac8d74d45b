//! Risk rules: which operations raise alarms, and how severe they are.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{builtin, id_list, rule_id, switch_each, unique_name, with_data};
use crate::{
    error::ApiError,
    resources::{Call, Ctx, Handler, Reply, audit, count, no_such, offset_limit, ok},
    state::{RiskRule, renumber},
};

pub(in crate::resources) const HANDLERS: &[(&str, Handler)] = &[
    ("CreateAuditRiskRule", risk_create),
    ("SetRiskOperationPolicy", risk_update),
    ("ListAuditRuleRisks", risk_list),
    ("ListAuditRuleRisksNew", risk_list),
    ("ShowAuditRuleRisk", risk_show),
    ("ShowAuditRuleRiskNew", risk_show),
    ("DeleteAuditRuleRisk", risk_delete),
    ("SwitchRiskRule", risk_switch),
    ("SwitchRiskRuleNew", risk_switch),
    ("SetRiskRuleRank", risk_rank),
];

#[derive(Deserialize)]
struct RiskBody {
    #[serde(default)]
    action: Option<String>,
    affect_rows: i64,
    affect_symbol: String,
    #[serde(default)]
    client_ips: Option<String>,
    #[serde(default)]
    db_ids: Option<String>,
    #[serde(default)]
    exception_ips: Option<String>,
    execution_symbol: String,
    execution_time: i64,
    #[serde(default)]
    ignore_case: Option<bool>,
    risk_level: String,
    rule_name: String,
    #[serde(default)]
    schemas: Vec<SchemaBody>,
    status: String,
}

#[derive(Deserialize)]
struct SchemaBody {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    column: Option<String>,
}

impl RiskBody {
    fn apply(self, rule: &mut RiskRule) {
        let action = self.action.unwrap_or_default();
        rule.kind = if action.contains("LOGIN") { "LOGIN" } else { "OPERATE" }.into();
        rule.feature = format!(
            "{} on {} rows, {} {} s",
            action, self.affect_symbol, self.execution_symbol, self.execution_time
        );
        rule.action = action;
        rule.affect_rows = self.affect_rows;
        rule.affect_symbol = self.affect_symbol;
        rule.client_ips = self.client_ips.unwrap_or_default();
        rule.db_ids = self.db_ids.unwrap_or_default();
        rule.exception_ips = self.exception_ips.unwrap_or_default();
        rule.execution_symbol = self.execution_symbol;
        rule.execution_time = self.execution_time;
        rule.ignore_case = self.ignore_case.unwrap_or(false);
        rule.risk_level = self.risk_level;
        rule.name = self.rule_name;
        rule.status = self.status;
        rule.schemas = self
            .schemas
            .into_iter()
            .map(|s| {
                (
                    s.schema.unwrap_or_default(),
                    s.table.unwrap_or_default(),
                    s.column.unwrap_or_default(),
                )
            })
            .collect();
    }
}

fn risk_create(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: RiskBody = call.body_as()?;
    with_data(ctx, call, |data, id| {
        unique_name(
            data.risk_rules.iter().map(|r| r.name.as_str()),
            &body.rule_name,
            "risk rule",
        )?;
        let mut rule = RiskRule {
            id,
            name: String::new(),
            kind: String::new(),
            feature: String::new(),
            status: String::new(),
            rank: 0,
            risk_level: String::new(),
            rule_type: "CUSTOMIZE".into(),
            action: String::new(),
            db_ids: String::new(),
            client_ips: String::new(),
            exception_ips: String::new(),
            ignore_case: false,
            execution_symbol: String::new(),
            execution_time: 0,
            affect_symbol: String::new(),
            affect_rows: 0,
            schemas: Vec::new(),
        };
        body.apply(&mut rule);
        data.risk_rules.push(rule);
        renumber(&mut data.risk_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn risk_update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: RiskBody = call.body_as()?;
    let id = rule_id(call);
    with_data(ctx, call, |data, _| {
        let others = data.risk_rules.iter().filter(|r| r.id != id).map(|r| r.name.as_str());
        unique_name(others, &body.rule_name, "risk rule")?;
        let rule = data
            .risk_rules
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a risk rule of the instance", "id", id))?;
        if rule.rule_type == "SYSTEM" {
            return Err(builtin("risk rule", id));
        }
        body.apply(rule);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn risk_list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (offset, limit) = offset_limit(call);
    let name = call.query_str("name");
    let level = call.query_str("risk_levels");
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let matching: Vec<&RiskRule> = data
        .risk_rules
        .iter()
        .filter(|r| name.is_none_or(|n| r.name.contains(n)))
        .filter(|r| level.is_none_or(|l| r.risk_level == l))
        .collect();
    let rules: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "type": r.kind, "feature": r.feature, "status": r.status,
                "rank": r.rank, "risk_level": r.risk_level, "rule_type": r.rule_type,
            })
        })
        .collect();
    let customize = data.risk_rules.iter().filter(|r| r.rule_type == "CUSTOMIZE").count();
    Ok(Reply::Json(json!({
        "rules": rules, "total": count(matching.len()), "customize_total": count(customize),
    })))
}

fn risk_show(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = rule_id(call);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let r = data
        .risk_rules
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| no_such("a risk rule of the instance", "id", id))?;
    let schemas: Vec<Value> = r
        .schemas
        .iter()
        .map(|(schema, table, column)| json!({ "schema": schema, "table": table, "column": column }))
        .collect();
    Ok(Reply::Json(json!({
        "rule_id": r.id, "rule_name": r.name, "status": r.status, "action": r.action, "schemas": schemas,
        "rank": r.rank, "ignore_case": r.ignore_case, "risk_level": r.risk_level, "db_ids": r.db_ids,
        "execution_symbol": r.execution_symbol,
        "execution_time": i32::try_from(r.execution_time).unwrap_or(i32::MAX),
        "affect_symbol": r.affect_symbol,
        "affect_rows": i32::try_from(r.affect_rows).unwrap_or(i32::MAX),
        "client_ips": r.client_ips,
    })))
}

fn risk_delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = rule_id(call);
    with_data(ctx, call, |data, _| {
        let rule = data
            .risk_rules
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a risk rule of the instance", "id", id))?;
        if rule.rule_type == "SYSTEM" {
            return Err(builtin("risk rule", id));
        }
        data.risk_rules.retain(|r| r.id != id);
        renumber(&mut data.risk_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn risk_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("ids"));
    let status = call.body_str("status").unwrap_or("ON").to_owned();
    with_data(ctx, call, |data, _| {
        switch_each(
            &mut data.risk_rules,
            &ids,
            "a risk rule of the instance",
            |r| &r.id,
            |r| r.status = status.clone(),
        )
    })?;
    Ok(ok(ctx, "status"))
}

#[derive(Deserialize)]
struct RankBody {
    id: String,
    new_rank: i64,
}

fn risk_rank(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: RankBody = call.body_as()?;
    with_data(ctx, call, |data, _| {
        let from = data
            .risk_rules
            .iter()
            .position(|r| r.id == body.id)
            .ok_or_else(|| no_such("a risk rule of the instance", "id", &body.id))?;
        let rule = data.risk_rules.remove(from);
        let to = usize::try_from(body.new_rank.saturating_sub(1))
            .unwrap_or(0)
            .min(data.risk_rules.len());
        data.risk_rules.insert(to, rule);
        renumber(&mut data.risk_rules, |r| &mut r.rank);
        Ok(())
    })?;
    Ok(ok(ctx, "result"))
}
