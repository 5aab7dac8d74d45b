//! Sensitive-data masking rules.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{builtin, check_regex, id_list, switch_each, unique_name, with_data};
use crate::{
    error::ApiError,
    resources::{Call, Ctx, Handler, Reply, audit, count, no_such, offset_limit, ok, page},
    state::MaskRule,
};

pub(in crate::resources) const HANDLERS: &[(&str, Handler)] = &[
    ("CreateSensitiveMaskRule", mask_create),
    ("UpdateSensitiveMaskRule", mask_update),
    ("DeleteSensitiveRules", mask_delete),
    ("ListAuditSensitiveMasks", mask_list),
    ("ListAuditSensitiveMasksNew", mask_list),
    ("SetSensitiveMaskRuleSwitch", mask_switch),
];

#[derive(Deserialize)]
struct MaskBody {
    mask_regex: String,
    mask_value: String,
    rule_name: String,
}

fn mask_create(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: MaskBody = call.body_as()?;
    check_regex("mask_regex", &body.mask_regex)?;
    let now = ctx.wall_text();
    with_data(ctx, call, |data, id| {
        unique_name(
            data.mask_rules.iter().map(|r| r.name.as_str()),
            &body.rule_name,
            "masking rule",
        )?;
        data.mask_rules.push(MaskRule {
            id,
            name: body.rule_name,
            rule_type: "USER_DEFINE".into(),
            regex: body.mask_regex,
            mask_value: body.mask_value,
            status: "ON".into(),
            operate_time: now,
        });
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn mask_update(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: MaskBody = call.body_as()?;
    check_regex("mask_regex", &body.mask_regex)?;
    let id = call.path("id");
    let now = ctx.wall_text();
    with_data(ctx, call, |data, _| {
        let others = data.mask_rules.iter().filter(|r| r.id != id).map(|r| r.name.as_str());
        unique_name(others, &body.rule_name, "masking rule")?;
        let rule = data
            .mask_rules
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a masking rule of the instance", "id", id))?;
        if rule.rule_type == "BUILD_IN" {
            return Err(builtin("masking rule", id));
        }
        rule.name = body.rule_name;
        rule.regex = body.mask_regex;
        rule.mask_value = body.mask_value;
        rule.operate_time = now;
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn mask_delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.path("id");
    with_data(ctx, call, |data, _| {
        let rule = data
            .mask_rules
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| no_such("a masking rule of the instance", "id", id))?;
        if rule.rule_type == "BUILD_IN" {
            return Err(builtin("masking rule", id));
        }
        data.mask_rules.retain(|r| r.id != id);
        Ok(())
    })?;
    Ok(ok(ctx, "status"))
}

fn mask_list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (offset, limit) = offset_limit(call);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let rules: Vec<Value> = page(&data.mask_rules, offset, limit)
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "type": r.rule_type, "regex": r.regex,
                "mask_value": r.mask_value, "status": r.status, "operate_time": r.operate_time,
            })
        })
        .collect();
    Ok(Reply::Json(
        json!({ "rules": rules, "total": count(data.mask_rules.len()) }),
    ))
}

fn mask_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let ids = id_list(call.body.get("ids"));
    let status = call.body_str("status").unwrap_or("ON").to_owned();
    let now = ctx.wall_text();
    with_data(ctx, call, |data, _| {
        switch_each(
            &mut data.mask_rules,
            &ids,
            "a masking rule of the instance",
            |r| &r.id,
            |r| {
                r.status = status.clone();
                r.operate_time = now.clone();
            },
        )
    })?;
    Ok(ok(ctx, "status"))
}
