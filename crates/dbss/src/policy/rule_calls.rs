//! Switching and deleting rules of any kind: the one piece of code for these calls, used by
//! `apply` and by the CLI's `dbss rules ... enable|disable|delete`.

use std::str::FromStr;

use dbss_api::types as api;

use super::{document::Switch, error::PolicyError};
use crate::{Client, Operation};

/// A kind of audit rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// Risk rules.
    Risk,
    /// Audit scopes.
    Scope,
    /// SQL-injection rules.
    SqlInjection,
    /// Masking rules.
    Masking,
}

impl RuleKind {
    /// The operation that turns rules of this kind on and off.
    pub fn switch_operation(self) -> &'static str {
        match self {
            RuleKind::Risk => "SwitchRiskRuleNew",
            RuleKind::Scope => "SetAuditScopeRuleSwitch",
            RuleKind::SqlInjection => "SetAuditSqlRuleSwitch",
            RuleKind::Masking => "SetSensitiveMaskRuleSwitch",
        }
    }

    /// The operation that deletes one rule of this kind.
    pub fn delete_operation(self) -> &'static str {
        match self {
            RuleKind::Risk => "DeleteAuditRuleRisk",
            RuleKind::Scope => "DeleteAuditScope",
            RuleKind::SqlInjection => "DeleteAuditRuleSql",
            RuleKind::Masking => "DeleteSensitiveRules",
        }
    }
}

/// A value of a generated enum from the API spelling of one of the document's.
pub(crate) fn wire<T: FromStr>(operation: &'static str, text: &str) -> Result<T, PolicyError> {
    text.parse().map_err(|_| {
        PolicyError::Api(crate::Error::InvalidRequest {
            operation,
            reason: format!("{text:?} is not accepted by this operation"),
        })
    })
}

/// The service's answer, or [`PolicyError::Refused`] when it is `FAILED` (the service's way
/// of refusing with a 200).
pub(crate) fn answered(operation: &'static str, answer: Option<String>) -> Result<Option<String>, PolicyError> {
    match answer {
        Some(a) if a.eq_ignore_ascii_case("failed") => Err(PolicyError::Refused { operation, answer: a }),
        answer => Ok(answer),
    }
}

/// Turns the rules `ids` of one kind on or off, in as few calls as the API allows (SQL-injection
/// rules take one call each), and returns the service's last answer. A `FAILED` answer stops
/// the run with [`PolicyError::Refused`].
///
/// ```no_run
/// # async fn demo(client: dbss::Client) -> Result<(), dbss::policy::PolicyError> {
/// use dbss::policy::{RuleKind, Switch, switch_rules};
/// let instance = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
/// switch_rules(&client, instance, RuleKind::Masking, &["b80bb774-0288-fda1-f201-890375a60c8f"], Switch::Off).await?;
/// # Ok(()) }
/// ```
pub async fn switch_rules(
    client: &Client,
    instance: &str,
    kind: RuleKind,
    ids: &[&str],
    to: Switch,
) -> Result<Option<String>, PolicyError> {
    let op = kind.switch_operation();
    let ops = client.ops();
    let owned = || ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
    let answer = match kind {
        RuleKind::Risk => {
            let body = api::BatchSwitchesRequest {
                ids: ids.join(","),
                status: wire(op, to.as_str())?,
            };
            let call = ops.switch_risk_rule_new().instance_id(instance);
            call.body(body).call().await?.status
        }
        RuleKind::Scope => {
            let body = api::AuditScopeSwitchRequestNew {
                ids: owned(),
                status: wire(op, to.as_str())?,
            };
            let call = ops.set_audit_scope_rule_switch().instance_id(instance);
            call.body(body).call().await?.status.map(|s| s.to_string())
        }
        RuleKind::SqlInjection => {
            let mut last = None;
            for id in ids {
                let body = api::RuleSqlIdRequest {
                    id: (*id).to_owned(),
                    status: wire(op, to.as_str())?,
                };
                let call = ops.set_audit_sql_rule_switch().instance_id(instance);
                last = answered(op, call.body(body).call().await?.status.map(|s| s.to_string()))?;
            }
            last
        }
        RuleKind::Masking => {
            let body = api::BatchSwitchesRequestNew {
                ids: owned(),
                status: wire(op, to.as_str())?,
            };
            let call = ops.set_sensitive_mask_rule_switch().instance_id(instance);
            call.body(body).call().await?.status.map(|s| s.to_string())
        }
    };
    answered(op, answer)
}

/// Deletes one rule and returns the service's answer; a `FAILED` answer is
/// [`PolicyError::Refused`]. Built-in rules cannot be deleted (the service refuses).
pub async fn delete_rule(
    client: &Client,
    instance: &str,
    kind: RuleKind,
    id: &str,
) -> Result<Option<String>, PolicyError> {
    let ops = client.ops();
    let answer = match kind {
        RuleKind::Risk => {
            let call = ops.delete_audit_rule_risk().instance_id(instance).id(id);
            call.call().await?.status
        }
        RuleKind::Scope => {
            let call = ops.delete_audit_scope().instance_id(instance).id(id);
            call.call().await?.status.map(|s| s.to_string())
        }
        RuleKind::SqlInjection => {
            let call = ops.delete_audit_rule_sql().instance_id(instance).id(id);
            call.call().await?.status.map(|s| s.to_string())
        }
        RuleKind::Masking => {
            let call = ops.delete_sensitive_rules().instance_id(instance).id(id);
            call.call().await?.status.map(|s| s.to_string())
        }
    };
    answered(kind.delete_operation(), answer)
}
