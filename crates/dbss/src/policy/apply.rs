//! Making a plan's changes, one call (or two) per change, in order. A failure stops the run
//! and says what was done; since a plan is recomputed from the instance each time, running
//! the same apply again picks up where it stopped.

use std::str::FromStr;

use dbss_api::types as api;

use super::{
    document::{MaskingRule, RiskRule, SqlInjectionRule, Switch},
    error::PolicyError,
    export::RESOURCE_TYPE,
    plan::{Action, Plan},
    scopes, settings,
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

/// A value of a generated enum from the API spelling of one of the document's.
fn wire<T: FromStr>(operation: &'static str, text: &str) -> Result<T, PolicyError> {
    text.parse().map_err(|_| {
        PolicyError::Api(crate::Error::InvalidRequest {
            operation,
            reason: format!("{text:?} is not accepted by this operation"),
        })
    })
}

/// Fails on a `FAILED` answer (the service's way of refusing with a 200).
fn answered(operation: &'static str, answer: Option<String>) -> Result<(), PolicyError> {
    match answer {
        Some(a) if a.eq_ignore_ascii_case("failed") => Err(PolicyError::Refused { operation, answer: a }),
        _ => Ok(()),
    }
}

async fn run(client: &Client, instance: &str, resource_id: &str, action: &Action) -> Result<(), PolicyError> {
    let ops = client.ops();
    match action {
        Action::SwitchRisk { id, to } => {
            let answer = client
                .risk_rules(instance)
                .switch(&[id.as_str()], *to == Switch::On)
                .await?;
            answered("SwitchRiskRuleNew", answer)
        }
        Action::CreateRisk(rule) => {
            let answer = client.risk_rules(instance).create(risk_request(rule)?).await?;
            answered("CreateAuditRiskRule", answer)
        }
        Action::UpdateRisk { id, rule } => {
            let call = ops.set_risk_operation_policy().instance_id(instance).id(id.as_str());
            let answer = call.body(risk_request(rule)?).call().await?;
            answered("SetRiskOperationPolicy", answer.status)
        }
        Action::DeleteRisk { id } => answered("DeleteAuditRuleRisk", client.risk_rules(instance).delete(id).await?),
        Action::SwitchScope { id, to } => answered(
            "SetAuditScopeRuleSwitch",
            scopes::switch(client, instance, id, *to).await?,
        ),
        Action::CreateScope(scope) => answered("CreateAuditScopeRule", scopes::create(client, instance, scope).await?),
        Action::UpdateScope { id, scope } => answered(
            "UpdateAuditScopeRule",
            scopes::update(client, instance, id, scope).await?,
        ),
        Action::DeleteScope { id } => answered("DeleteAuditScope", scopes::delete(client, instance, id).await?),
        Action::SwitchSql { id, to } => {
            let body = api::RuleSqlIdRequest {
                id: id.clone(),
                status: wire("SetAuditSqlRuleSwitch", to.as_str())?,
            };
            let answer = ops
                .set_audit_sql_rule_switch()
                .instance_id(instance)
                .body(body)
                .call()
                .await?;
            answered("SetAuditSqlRuleSwitch", answer.status)
        }
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
        Action::DeleteSql { id } => {
            let answer = ops
                .delete_audit_rule_sql()
                .instance_id(instance)
                .id(id.as_str())
                .call()
                .await?;
            answered("DeleteAuditRuleSql", answer.status)
        }
        Action::SwitchMask { id, to } => switch_mask(client, instance, id, *to).await,
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
                switch_mask(client, instance, &id, Switch::Off).await?;
            }
            Ok(())
        }
        Action::UpdateMask { id, rule } => {
            let call = ops.update_sensitive_mask_rule().instance_id(instance).id(id.as_str());
            answered(
                "UpdateSensitiveMaskRule",
                call.body(mask_request(rule)).call().await?.status,
            )?;
            switch_mask(client, instance, id, rule.status).await
        }
        Action::DeleteMask { id } => {
            let answer = ops
                .delete_sensitive_rules()
                .instance_id(instance)
                .id(id.as_str())
                .call()
                .await?;
            answered("DeleteSensitiveRules", answer.status)
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
        Action::SetTag { key, value } => Ok(client
            .tags(RESOURCE_TYPE, resource_id)
            .add(&[(key.as_str(), value.as_str())])
            .await?),
        Action::DeleteTag { key } => Ok(client.tags(RESOURCE_TYPE, resource_id).remove(&[key.as_str()]).await?),
    }
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

async fn switch_mask(client: &Client, instance: &str, id: &str, to: Switch) -> Result<(), PolicyError> {
    const OP: &str = "SetSensitiveMaskRuleSwitch";
    let body = api::BatchSwitchesRequestNew {
        ids: vec![id.to_owned()],
        status: wire(OP, to.as_str())?,
    };
    let call = client.ops().set_sensitive_mask_rule_switch().instance_id(instance);
    answered(OP, call.body(body).call().await?.status)
}

/// The id the service gave the masking rule `name` (creating one does not return it).
async fn mask_id(client: &Client, instance: &str, name: &str) -> Result<String, PolicyError> {
    let observed = super::export::observe(client, instance).await?;
    observed
        .mask_ids
        .get(name)
        .cloned()
        .ok_or_else(|| PolicyError::Unexpected {
            instance: instance.to_owned(),
            message: format!("the masking rule {name:?} just created is not listed"),
        })
}
