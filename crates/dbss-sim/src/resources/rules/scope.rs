//! Audit scope rules: which traffic is audited.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{builtin, id_list, switch_each, unique_name, with_data};
use crate::{
    error::ApiError,
    resources::{Call, Ctx, Handler, Reply, audit, count, no_such, offset_limit, ok, page},
    state::{AuditData, ScopeRule},
};

pub(in crate::resources) const HANDLERS: &[(&str, Handler)] = &[
    ("CreateAuditScopeRule", scope_create),
    ("UpdateAuditScopeRule", scope_update),
    ("ListAuditRuleScopes", scope_list),
    ("ListAuditRuleScopesNew", scope_list),
    ("DeleteAuditScope", scope_delete),
    ("BatchDeleteAuditScope", scope_delete_many),
    ("SetAuditScopeRuleSwitch", scope_switch),
];

#[derive(Deserialize)]
struct ScopeBody {
    #[serde(default)]
    action: Option<String>,
    db_ids: String,
    db_names: String,
    #[serde(default)]
    db_users: Option<String>,
    #[serde(default)]
    exception_ips: Option<String>,
    rule_name: String,
    #[serde(default)]
    source_ips: Option<String>,
    #[serde(default)]
    source_ports: Option<String>,
}

impl ScopeBody {
    fn apply(self, rule: &mut ScopeRule) {
        rule.name = self.rule_name;
        rule.action = self.action.unwrap_or_default();
        rule.db_ids = self.db_ids;
        rule.db_names = self.db_names;
        rule.db_users = self.db_users.unwrap_or_default();
        rule.exception_ips = self.exception_ips.unwrap_or_default();
        rule.source_ips = self.source_ips.unwrap_or_default();
        rule.source_ports = self.source_ports.unwrap_or_default();
    }
}

fn scope_create(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: ScopeBody = call.body_as()?;
    with_data(ctx, call, |data, id| {
        unique_name(
            data.scope_rules.iter().map(|r| r.name.as_str()),
            &body.rule_name,
            "scope rule",
        )?;
        let mut rule = ScopeRule {
            id,
            name: String::new(),
            action: String::new(),
            status: "ON".into(),
            exception_ips: String::new(),
            source_ips: String::new(),
            source_ports: String::new(),
            db_ids: String::new(),
            db_names: String::new(),
            db_users: String::new(),
            all_audit: false,
        };
        body.apply(&mut rule);
        data.scope_rules.push(rule);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn scope_update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: ScopeBody = call.body_as()?;
    let id = call.path("id");
    with_data(ctx, call, |data, _| {
        let others = data.scope_rules.iter().filter(|r| r.id != id).map(|r| r.name.as_str());
        unique_name(others, &body.rule_name, "scope rule")?;
        let rule = data
            .scope_rules
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a scope rule of the instance", "id", id))?;
        if rule.all_audit {
            return Err(builtin("scope rule", id));
        }
        body.apply(rule);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn scope_list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (offset, limit) = offset_limit(call);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let scopes: Vec<Value> = page(&data.scope_rules, offset, limit)
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "action": r.action, "status": r.status,
                "exception_ips": r.exception_ips, "source_ips": r.source_ips, "source_ports": r.source_ports,
                "db_ids": r.db_ids, "db_names": r.db_names, "db_users": r.db_users, "all_audit": r.all_audit,
            })
        })
        .collect();
    Ok(Reply::Json(
        json!({ "scopes": scopes, "total": count(data.scope_rules.len()) }),
    ))
}

fn remove_scopes(data: &mut AuditData, ids: &[String]) -> Result<(), ApiError> {
    for id in ids {
        match data.scope_rules.iter().find(|r| &r.id == id) {
            None => return Err(no_such("a scope rule of the instance", "id", id)),
            Some(rule) if rule.all_audit => return Err(builtin("scope rule", id)),
            Some(_) => {}
        }
    }
    data.scope_rules.retain(|r| !ids.contains(&r.id));
    Ok(())
}

fn scope_delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = [call.path("id").to_owned()];
    with_data(ctx, call, |data, _| remove_scopes(data, &ids))?;
    Ok(ok(ctx, "status"))
}

fn scope_delete_many(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("ids"));
    with_data(ctx, call, |data, _| remove_scopes(data, &ids))?;
    Ok(ok(ctx, "status"))
}

fn scope_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("ids"));
    let status = call.body_str("status").unwrap_or("ON").to_owned();
    with_data(ctx, call, |data, _| {
        switch_each(
            &mut data.scope_rules,
            &ids,
            "a scope rule of the instance",
            |r| &r.id,
            |r| r.status = status.clone(),
        )
    })?;
    Ok(ok(ctx, "status"))
}
