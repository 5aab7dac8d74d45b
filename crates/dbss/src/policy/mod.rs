//! Audit policy as code: an instance's audit configuration as one document that can be
//! exported, compared with an instance ([`Plan`]) and applied, to one instance or many.
//!
//! ```no_run
//! # async fn demo(client: dbss::Client) -> Result<(), dbss::policy::PolicyError> {
//! use dbss::policy::Policy;
//! let policy = Policy::export(&client, "062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
//! let plan = policy.plan(&client, "7f3a1c2e-0d4b-4e8f-9a6b-1c2d3e4f5a6b").await?;
//! print!("{plan}");
//! plan.apply(&client).await?;
//! # Ok(()) }
//! ```
//!
//! The parts, and the operations that serve them:
//!
//! | part | read | written by |
//! |---|---|---|
//! | `risk_rules` | `ListAuditRuleRisksNew`, `ShowAuditRuleRiskNew` | `SwitchRiskRuleNew`, `CreateAuditRiskRule`, `SetRiskOperationPolicy`, `DeleteAuditRuleRisk` |
//! | `audit_scopes` | `ListAuditRuleScopesNew` | `SetAuditScopeRuleSwitch`, `CreateAuditScopeRule`, `UpdateAuditScopeRule`, `DeleteAuditScope` |
//! | `sql_injection_rules` | `ListSqlInjectionRulesNew` | `SetAuditSqlRuleSwitch`, `CreateAuditSqlRule`, `UpdateAuditSqlRule`, `DeleteAuditRuleSql` |
//! | `masking_rules` | `ListAuditSensitiveMasksNew` | `SetSensitiveMaskRuleSwitch`, `CreateSensitiveMaskRule`, `UpdateSensitiveMaskRule`, `DeleteSensitiveRules` |
//! | `masking_switch` | `ShowSensitiveMaskSwitch` | `SetSensitiveSwitch` |
//! | `log_retention_days` | `ShowLogRetentionCommonSettings` | `UpdateLogRetentionCommonSettings` |
//! | `alarm_notification` | `ListAlarmTopicConfigInfoNew` | `SetAlarmTopicConfigInfoNew` |
//! | `tags` | `ListAuditTags` | `BatchAddResourceTag`, `BatchDeleteResourceTag` |

mod apply;
mod document;
mod error;
mod export;
mod parse;
mod plan;
mod scopes;
mod settings;

pub use apply::Applied;
pub use document::{
    AlarmNotification, AlarmRisk, AuditScope, Comparison, MaskingRule, Policy, RiskLevel, RiskRule, RuleSet,
    SchemaObject, SqlInjectionRule, Switch,
};
pub use error::PolicyError;
pub use plan::{Change, ChangeKind, Part, Plan, PlanOptions};

/// The JSON Schema of the policy document, derived from its types (published as
/// `openapi/policy.schema.json` so that editors complete and check policy files).
#[cfg(feature = "policy-schema")]
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or_default()
}
