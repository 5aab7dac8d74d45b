//! The policy document: the parts of an instance's audit configuration the API can both
//! read and write, keyed by names so that one file fits every instance of a fleet.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// An instance's audit policy. A part left out of the document is not managed: `plan` and
/// `apply` leave it alone, even with pruning.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Risk rules: statements that raise alarms (custom rules in rank order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_rules: Option<RuleSet<RiskRule>>,
    /// Audit scopes: which traffic is audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_scopes: Option<RuleSet<AuditScope>>,
    /// SQL-injection detection rules (custom rules in rank order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_injection_rules: Option<RuleSet<SqlInjectionRule>>,
    /// Privacy masking rules applied to audited statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking_rules: Option<RuleSet<MaskingRule>>,
    /// Whether masking rules are applied at all (the masking master switch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking_switch: Option<Switch>,
    /// Days audit logs are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_retention_days: Option<u32>,
    /// Alarm notifications through SMN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_notification: Option<AlarmNotification>,
    /// Tags of the instance, key to value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// SQL statements that never raise alarms, identified by the statement itself.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::whitelists::deserialize"
    )]
    #[cfg_attr(feature = "policy-schema", schemars(with = "Option<Vec<WhitelistEntry>>"))]
    pub whitelists: Option<Vec<WhitelistEntry>>,
}

/// The rules of one kind: built-in rules (which can only be switched) by name, and the
/// custom rules. Custom risk and SQL-injection rules are listed in rank order (the service
/// ranks every rule and renumbers them on each create and delete, so a rank is a position:
/// the list's order is the rules' rank order among themselves); other kinds are sorted by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "C: Deserialize<'de>", serialize = "C: Serialize")
)]
pub struct RuleSet<C> {
    /// Built-in rules by name, each `ON` or `OFF`. Built-in rules not named are left alone.
    #[serde(default)]
    pub builtin: BTreeMap<String, Switch>,
    /// Rules defined by the operator, identified by their unique name. For risk and
    /// SQL-injection rules the order is the rank order: export lists them by rank, and plan
    /// and apply move the listed rules into this relative order (rank changes come last, after
    /// the creations and deletions). Only the order among the listed rules is enforced: built-in
    /// rules and custom rules the document leaves out keep their places.
    #[serde(default)]
    pub custom: Vec<C>,
}

impl<C> Default for RuleSet<C> {
    fn default() -> Self {
        RuleSet {
            builtin: BTreeMap::new(),
            custom: Vec::new(),
        }
    }
}

/// Whether a rule is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
pub enum Switch {
    /// In force.
    #[serde(rename = "ON")]
    On,
    /// Not in force.
    #[serde(rename = "OFF")]
    Off,
}

impl Switch {
    /// `ON` or `OFF`, as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Switch::On => "ON",
            Switch::Off => "OFF",
        }
    }
}

/// How severe a rule's hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RiskLevel {
    /// High risk.
    High,
    /// Medium risk.
    Medium,
    /// Low risk.
    Low,
    /// Recorded without a risk (risk rules only).
    NoRisk,
}

impl RiskLevel {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::High => "HIGH",
            RiskLevel::Medium => "MEDIUM",
            RiskLevel::Low => "LOW",
            RiskLevel::NoRisk => "NO_RISK",
        }
    }
}

/// A comparison of a risk rule's criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Comparison {
    /// Greater than.
    Greater,
    /// Equal to.
    Equal,
    /// Less than.
    Less,
    /// Greater than or equal to.
    GreaterEqual,
    /// Less than or equal to.
    LessEqual,
    /// The criterion is not used.
    NoMatch,
}

impl Comparison {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Greater => "GREATER",
            Comparison::Equal => "EQUAL",
            Comparison::Less => "LESS",
            Comparison::GreaterEqual => "GREATER_EQUAL",
            Comparison::LessEqual => "LESS_EQUAL",
            Comparison::NoMatch => "NO_MATCH",
        }
    }
}

// The four custom rule types each open with `name` and `status` (and some `risk_level`). The
// fields are not moved into a shared struct: serde cannot `flatten` one into a type that also
// denies unknown fields, and the strict document (unknown keys refused with their line) needs
// the latter. What they share in behaviour is the `Named` trait below.

/// A custom risk rule and its criteria.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    /// Unique name of the rule on the instance.
    pub name: String,
    /// Severity of a hit.
    pub risk_level: RiskLevel,
    /// Whether the rule is in force.
    pub status: Switch,
    /// Operations the rule looks at, comma-separated (e.g. `LOGIN,SELECT`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// Database ids the rule applies to, comma-separated (empty: all).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub db_ids: String,
    /// Client addresses the rule applies to, comma-separated (empty: all).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_ips: String,
    /// Whether object names are matched without regard to case.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_case: bool,
    /// How the statement's execution time is compared with `execution_time`.
    pub execution_symbol: Comparison,
    /// Execution time threshold.
    pub execution_time: i64,
    /// How the number of affected rows is compared with `affect_rows`.
    pub affect_symbol: Comparison,
    /// Affected-rows threshold.
    pub affect_rows: i32,
    /// Database objects the rule looks at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<SchemaObject>,
}

/// A database object (schema, table, column; empty parts match any).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemaObject {
    /// Schema (database) name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub schema: String,
    /// Table name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub table: String,
    /// Column name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub column: String,
}

/// A custom SQL-injection rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SqlInjectionRule {
    /// Unique name of the rule on the instance.
    pub name: String,
    /// Severity of a hit.
    pub risk_level: RiskLevel,
    /// Whether the rule is in force.
    pub status: Switch,
    /// Regular expression matched against audited statements.
    pub regex: String,
}

/// An audit scope: traffic matching it is audited (empty fields match all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditScope {
    /// Unique name of the scope on the instance.
    pub name: String,
    /// Whether the scope is in force.
    pub status: Switch,
    /// Operations audited, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// Database ids, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub db_ids: String,
    /// Database names, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub db_names: String,
    /// Database users, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub db_users: String,
    /// Client addresses audited, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_ips: String,
    /// Client ports audited, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_ports: String,
    /// Client addresses never audited, comma-separated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exception_ips: String,
}

/// A custom masking rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MaskingRule {
    /// Unique name of the rule on the instance.
    pub name: String,
    /// Whether the rule is in force.
    pub status: Switch,
    /// Regular expression of the sensitive text.
    pub regex: String,
    /// What the sensitive text is replaced with.
    pub mask_value: String,
}

/// Alarm notification settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AlarmNotification {
    /// Whether alarms are sent.
    pub switch: Switch,
    /// URN of the SMN topic alarms go to (required when `switch` is `ON`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic_urn: String,
    /// Risk levels that send an alarm.
    #[serde(default)]
    pub risk_levels: BTreeSet<AlarmRisk>,
    /// CPU use, in percent, above which an alarm is sent.
    pub cpu_percent: u8,
    /// Memory use, in percent, above which an alarm is sent.
    pub memory_percent: u8,
    /// Disk use, in percent, above which an alarm is sent.
    pub disk_percent: u8,
    /// Most alarms sent a day.
    pub alarms_per_day: u32,
}

/// A risk level that can send an alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum AlarmRisk {
    /// High-risk hits.
    High,
    /// Medium-risk hits.
    Medium,
    /// Low-risk hits.
    Low,
}

impl AlarmRisk {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmRisk::High => "high",
            AlarmRisk::Medium => "medium",
            AlarmRisk::Low => "low",
        }
    }
}

/// A whitelisted SQL statement. The statement is the entry's key: the API cannot change it,
/// so a different statement is a different entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "policy-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WhitelistEntry {
    /// The SQL statement (unique in the document, not blank).
    #[serde(deserialize_with = "super::whitelists::statement")]
    pub sql: String,
    /// Whether the entry is in force.
    pub status: Switch,
    /// What the entry is for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Database ids the entry applies to (none: all), kept sorted so order never reads as a change.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub db_ids: BTreeSet<String>,
}

/// What a custom rule has in common with the others, for diffing and checks.
pub(crate) trait Named {
    fn name(&self) -> &str;
}

/// Rules whose key is their `name` field.
macro_rules! named_by_name {
    ($($rule:ty),+) => {$(
        impl Named for $rule {
            fn name(&self) -> &str {
                &self.name
            }
        }
    )+};
}

named_by_name!(RiskRule, SqlInjectionRule, AuditScope, MaskingRule);
