//! Making a plan's changes, one call (or two) per change, in order. A failure stops the run
//! and says what was done; since a plan is recomputed from the instance each time, running
//! the same apply again picks up where it stopped.

use dbss_api::types as api;

use super::{
    document::{MaskingRule, RiskRule, SqlInjectionRule, Switch},
    error::PolicyError,
    export::RESOURCE_TYPE,
    plan::{Action, Plan},
    rule_calls::{RuleKind, answered, delete_rule, switch_rules, wire},
    scopes, settings, whitelists,
};
use crate::{Client, Operation};

/// What an apply did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The changes made, as the plan prints them.
    pub changes: Vec<String>,
}

impl Plan {
    /// Makes the plan's changes on its instance, in order, stopping at the first failure
    /// ([`PolicyError::Apply`] lists what was done before it).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client, policy: dbss::policy::Policy) -> Result<(), dbss::policy::PolicyError> {
    /// let plan = policy.plan(&client, "062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// print!("{plan}");
    /// plan.apply(&client).await?;
    /// # Ok(()) }
    /// ```
    pub async fn apply(&self, client: &Client) -> Result<Applied, PolicyError> {
        let mut applied = Applied::default();
        for change in self.changes() {
            let line = format!("{}: {change}", change.part.title());
            if let Err(error) = run(client, self.instance(), &self.resource_id, &change.action).await {
                return Err(PolicyError::Apply {
                    instance: self.instance().to_owned(),
                    applied: applied.changes,
                    failed: line,
                    source: Box::new(error),
                });
            }
            applied.changes.push(line);
        }
        Ok(applied)
    }
}

/// Makes one change; the service's answer, for nobody but the compiler (a `FAILED` one is an error).
async fn run(
    client: &Client,
    instance: &str,
    resource_id: &str,
    action: &Action,
) -> Result<Option<String>, PolicyError> {
    let ops = client.ops();
    match action {
        Action::SwitchRule { kind, id, to } => switch_rules(client, instance, *kind, &[id.as_str()], *to).await,
        Action::DeleteRule { kind, id } => delete_rule(client, instance, *kind, id).await,
        Action::CreateRisk(rule) => {
            let call = ops.create_audit_risk_rule().instance_id(instance);
            answered(
                "CreateAuditRiskRule",
                call.body(risk_request(rule)?).call().await?.status,
            )
        }
        Action::UpdateRisk { id, rule } => {
            let call = ops.set_risk_operation_policy().instance_id(instance).id(id.as_str());
            let answer = call.body(risk_request(rule)?).call().await?;
            answered("SetRiskOperationPolicy", answer.status)
        }
        Action::CreateScope(scope) => scopes::create(client, instance, scope).await,
        Action::UpdateScope { id, scope } => scopes::update(client, instance, id, scope).await,
        Action::CreateSql(rule) => {
            let body = sql_request("CreateAuditSqlRule", rule)?;
            let answer = ops
                .create_audit_sql_rule()
                .instance_id(instance)
                .body(body)
                .call()
                .await?;
            answered("CreateAuditSqlRule", answer.status)
        }
        Action::UpdateSql { id, rule } => {
            let body = sql_request("UpdateAuditSqlRule", rule)?;
            let call = ops.update_audit_sql_rule().instance_id(instance).id(id.as_str());
            answered("UpdateAuditSqlRule", call.body(body).call().await?.status)
        }
        Action::CreateMask(rule) => {
            let answer = ops
                .create_sensitive_mask_rule()
                .instance_id(instance)
                .body(mask_request(rule))
                .call()
                .await?;
            answered("CreateSensitiveMaskRule", answer.status)?;
            // A new masking rule starts switched on; its status is a separate call.
            if rule.status == Switch::Off {
                let id = mask_id(client, instance, &rule.name).await?;
                return switch_rules(client, instance, RuleKind::Masking, &[id.as_str()], Switch::Off).await;
            }
            Ok(None)
        }
        Action::UpdateMask { id, rule } => {
            let call = ops.update_sensitive_mask_rule().instance_id(instance).id(id.as_str());
            answered(
                "UpdateSensitiveMaskRule",
                call.body(mask_request(rule)).call().await?.status,
            )?;
            switch_rules(client, instance, RuleKind::Masking, &[id.as_str()], rule.status).await
        }
        Action::SetMaskingSwitch(to) => answered(
            "SetSensitiveSwitch",
            settings::set_masking_switch(client, instance, *to).await?,
        ),
        Action::SetRetention(days) => answered(
            "UpdateLogRetentionCommonSettings",
            settings::set_retention(client, instance, *days).await?,
        ),
        Action::SetAlarm(alarm) => answered(
            "SetAlarmTopicConfigInfoNew",
            settings::set_alarm(client, instance, alarm).await?,
        ),
        Action::SetTag { key, value } => {
            let tags = client.tags(RESOURCE_TYPE, resource_id);
            tags.add(&[(key.as_str(), value.as_str())]).await?;
            Ok(None)
        }
        Action::DeleteTag { key } => {
            client.tags(RESOURCE_TYPE, resource_id).remove(&[key.as_str()]).await?;
            Ok(None)
        }
        Action::CreateWhitelist(entry) => answered(
            "BatchAddAuditWhitelist",
            whitelists::create(client, instance, entry).await?,
        ),
        Action::UpdateWhitelist { id, entry } => answered(
            "UpdateAuditWhitelist",
            whitelists::update(client, instance, id, entry).await?,
        ),
        Action::DeleteWhitelist { ids } => {
            answered("DeleteAuditWhitelist", whitelists::delete(client, instance, ids).await?)
        }
        Action::RankRisk { name, rank } => {
            const OP: &str = "SetRiskRuleRank";
            let (ids, _) = super::export::risk_ids(client, instance).await?;
            let body = api::RankRiskRuleNew {
                id: id_by_name(instance, &ids, "risk rule", name)?,
                new_rank: std::num::NonZeroU32::new(*rank).ok_or_else(|| {
                    PolicyError::Api(crate::Error::InvalidRequest {
                        operation: OP,
                        reason: "ranks start at 1".into(),
                    })
                })?,
            };
            let call = ops.set_risk_rule_rank().instance_id(instance);
            answered(OP, call.body(body).call().await?.result)
        }
        Action::RankSql { names } => {
            let (_, ids, _) = super::export::sql(client, instance).await?;
            let ids = names
                .iter()
                .map(|name| id_by_name(instance, &ids, "SQL-injection rule", name))
                .collect::<Result<Vec<_>, _>>()?;
            let call = ops.set_sql_rule_rank().instance_id(instance);
            let body = api::RuleSqlIdsRequestNew { ids };
            answered("SetSqlRuleRank", call.body(body).call().await?.status)
        }
    }
}

/// The id of the rule `name` (a rule the plan created has no id until it is listed again).
fn id_by_name(instance: &str, ids: &super::listed::Ids, what: &str, name: &str) -> Result<String, PolicyError> {
    ids.get(name).cloned().ok_or_else(|| PolicyError::Unexpected {
        instance: instance.to_owned(),
        message: format!("the {what} {name:?} to rank is not listed"),
    })
}

fn risk_request(rule: &RiskRule) -> Result<api::RuleAddRiskRuleRequest, PolicyError> {
    const OP: &str = "CreateAuditRiskRule";
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(api::RuleAddRiskRuleRequest {
        action: text(&rule.action),
        affect_rows: rule.affect_rows,
        affect_symbol: wire(OP, rule.affect_symbol.as_str())?,
        client_ips: text(&rule.client_ips),
        db_ids: text(&rule.db_ids),
        exception_ips: None,
        execution_symbol: wire(OP, rule.execution_symbol.as_str())?,
        execution_time: rule.execution_time,
        ignore_case: Some(rule.ignore_case),
        risk_level: wire(OP, rule.risk_level.as_str())?,
        rule_name: rule.name.clone(),
        schemas: rule
            .schemas
            .iter()
            .map(|s| api::SchemaBean {
                schema: text(&s.schema),
                table: text(&s.table),
                column: text(&s.column),
            })
            .collect(),
        status: wire(OP, rule.status.as_str())?,
    })
}

fn sql_request(operation: &'static str, rule: &SqlInjectionRule) -> Result<api::RuleAddSqlRequest, PolicyError> {
    Ok(api::RuleAddSqlRequest {
        risk_level: wire(operation, rule.risk_level.as_str())?,
        rule_name: rule.name.clone(),
        sql_regex: rule.regex.clone(),
        status: wire(operation, rule.status.as_str())?,
    })
}

fn mask_request(rule: &MaskingRule) -> api::MaskRuleRequest {
    api::MaskRuleRequest {
        mask_regex: rule.regex.clone(),
        mask_value: rule.mask_value.clone(),
        rule_name: rule.name.clone(),
    }
}

/// The id the service gave the masking rule `name` (creating one does not return it).
async fn mask_id(client: &Client, instance: &str, name: &str) -> Result<String, PolicyError> {
    let (_, ids) = super::export::masking(client, instance).await?;
    ids.get(name).cloned().ok_or_else(|| PolicyError::Unexpected {
        instance: instance.to_owned(),
        message: format!("the masking rule {name:?} just created is not listed"),
    })
}
