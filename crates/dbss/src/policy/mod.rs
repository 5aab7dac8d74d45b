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
//! | `risk_rules` | `ListAuditRuleRisksNew` (ranks), `ShowAuditRuleRiskNew` | `SwitchRiskRuleNew`, `CreateAuditRiskRule`, `SetRiskOperationPolicy`, `DeleteAuditRuleRisk`, `SetRiskRuleRank` |
//! | `audit_scopes` | `ListAuditRuleScopesNew` | `SetAuditScopeRuleSwitch`, `CreateAuditScopeRule`, `UpdateAuditScopeRule`, `DeleteAuditScope` |
//! | `sql_injection_rules` | `ListSqlInjectionRulesNew` (ranks) | `SetAuditSqlRuleSwitch`, `CreateAuditSqlRule`, `UpdateAuditSqlRule`, `DeleteAuditRuleSql`, `SetSqlRuleRank` |
//! | `masking_rules` | `ListAuditSensitiveMasksNew` | `SetSensitiveMaskRuleSwitch`, `CreateSensitiveMaskRule`, `UpdateSensitiveMaskRule`, `DeleteSensitiveRules` |
//! | `masking_switch` | `ShowSensitiveMaskSwitch` | `SetSensitiveSwitch` |
//! | `log_retention_days` | `ShowLogRetentionCommonSettings` | `UpdateLogRetentionCommonSettings` |
//! | `alarm_notification` | `ListAlarmTopicConfigInfoNew` | `SetAlarmTopicConfigInfoNew` |
//! | `tags` | `ListAuditTags` | `BatchAddResourceTag`, `BatchDeleteResourceTag` |
//! | `whitelists` | `ListWhitelists` | `BatchAddAuditWhitelist`, `UpdateAuditWhitelist`, `DeleteAuditWhitelist` |
//!
//! Ranks are order: the custom risk and SQL-injection rules are listed in rank order, and a
//! plan moves the rules the document lists into that relative order (`~ "name": rank 5 → 2`),
//! after its creations and deletions. Built-in rules and custom rules the document leaves out
//! keep their places; the listed rules take the places they hold between them.

mod apply;
mod document;
mod error;
mod export;
mod listed;
mod parse;
mod plan;
mod ranks;
mod rule_calls;
mod scopes;
mod settings;
mod whitelists;

pub use apply::Applied;
pub use document::{
    AlarmNotification, AlarmRisk, AuditScope, Comparison, MaskingRule, Policy, RiskLevel, RiskRule, RuleSet,
    SchemaObject, SqlInjectionRule, Switch, WhitelistEntry,
};
pub use error::PolicyError;
pub use plan::{Change, ChangeKind, Part, Plan, PlanOptions};
pub use rule_calls::{RuleKind, delete_rule, switch_rules};

/// The JSON Schema of the policy document, derived from its types (published as
/// `openapi/policy.schema.json` so that editors complete and check policy files).
#[cfg(feature = "policy-schema")]
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or_default()
}
