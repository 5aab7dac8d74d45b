//! What an audit instance holds: its databases and their agents, rules, whitelists, settings,
//! reports, and the marks users put on its (generated) alarms.

use std::collections::HashMap;

use super::rules::{MaskRule, RiskRule, ScopeRule, SqlRule, Whitelist};

/// A database attached to an audit instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Engine (`MYSQL`, `ORACLE`, ...).
    pub db_type: String,
    /// Engine version.
    pub version: String,
    /// `GBK` or `UTF8`.
    pub charset: String,
    /// Address.
    pub ip: String,
    /// Port.
    pub port: String,
    /// Host OS (`LINUX64`, ...).
    pub os: String,
    /// Audited (`ON`) or not (`OFF`).
    pub status: String,
    /// Instance name of the database service.
    pub instance_name: String,
    /// `RDS` (cloud database) or `ECS` (self-built).
    pub classification: String,
    /// The RDS instance id, for RDS databases.
    pub rds_id: String,
    /// Whether an SSL key was uploaded.
    pub ssl_key: bool,
}

/// An audit agent, installed for one database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    /// Agent id.
    pub agent_id: String,
    /// The database it captures.
    pub db_id: String,
    /// `DB` (on the database host) or `APP` (on an application host).
    pub agent_type: String,
    /// `LINUX64_X86`, `LINUX64_ARM` or `WINDOWS64`.
    pub agent_os: String,
    /// Address of its host.
    pub agent_ip: String,
    /// Capture NIC.
    pub agent_nic: String,
    /// CPU threshold, percent.
    pub cpu_threshold: i64,
    /// Memory threshold, percent.
    pub mem_threshold: i64,
    /// 1 on, 0 off.
    pub status: i64,
}

/// Alarm notification settings (`SetAlarmTopicConfigInfo`): thresholds are integers when set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlarmTopic {
    /// CPU threshold, percent.
    pub cpu: i64,
    /// Disk threshold, percent.
    pub disk: i64,
    /// Memory threshold, percent.
    pub memory: i64,
    /// Alarms per notification.
    pub num: i64,
    /// Risk levels notified (`high`, `medium`, `low`).
    pub risk: Vec<String>,
    /// `ON` or `OFF`.
    pub switch: String,
    /// SMN topic.
    pub topic_urn: String,
}

impl Default for AlarmTopic {
    fn default() -> Self {
        AlarmTopic {
            cpu: 80,
            disk: 80,
            memory: 80,
            num: 10,
            risk: vec!["high".into()],
            switch: "OFF".into(),
            topic_urn: String::new(),
        }
    }
}

/// An audit report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Id.
    pub id: String,
    /// Name (its template's).
    pub name: String,
    /// Template it was made from.
    pub template_id: String,
    /// Comma-separated database ids.
    pub db_ids: String,
    /// Covered period start.
    pub start_time: String,
    /// Covered period end.
    pub end_time: String,
    /// When it was requested (epoch milliseconds).
    pub created_ms: i64,
}

/// A user's mark on a generated alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmMark {
    /// Confirmed (`DONE`).
    Done,
    /// Deleted.
    Deleted,
}

/// Everything an audit instance holds besides its own fields.
#[derive(Clone, Debug)]
pub struct AuditData {
    /// Databases, in the order they were added.
    pub databases: Vec<Database>,
    /// Agents, in the order they were added.
    pub agents: Vec<Agent>,
    /// Risk rules, in rank order.
    pub risk_rules: Vec<RiskRule>,
    /// Audit scope rules.
    pub scope_rules: Vec<ScopeRule>,
    /// SQL-injection rules, in rank order.
    pub sql_rules: Vec<SqlRule>,
    /// Sensitive-data masking rules.
    pub mask_rules: Vec<MaskRule>,
    /// SQL whitelist, in the order entries were added.
    pub whitelists: Vec<Whitelist>,
    /// Alarm notification settings.
    pub alarm_topic: AlarmTopic,
    /// Days audit logs are kept.
    pub retention_days: i64,
    /// Sensitive-data masking switch.
    pub mask_switch: bool,
    /// Sensitive-data discovery result switch.
    pub result_switch: bool,
    /// Marks on generated alarms, by row.
    pub alarm_marks: HashMap<u64, AlarmMark>,
    /// Reports.
    pub reports: Vec<Report>,
}

/// Log retention the service accepts, in days.
pub const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 1..=1095;

impl AuditData {
    /// A new instance's data: the built-in rules and default settings.
    pub fn new(ids: &mut super::IdGen) -> AuditData {
        AuditData {
            databases: Vec::new(),
            agents: Vec::new(),
            risk_rules: super::rules::builtin_risk_rules(ids),
            scope_rules: super::rules::builtin_scope_rules(ids),
            sql_rules: super::rules::builtin_sql_rules(ids),
            mask_rules: super::rules::builtin_mask_rules(ids),
            whitelists: Vec::new(),
            alarm_topic: AlarmTopic::default(),
            retention_days: 180,
            mask_switch: false,
            result_switch: false,
            alarm_marks: HashMap::new(),
            reports: Vec::new(),
        }
    }

    /// The database `id`.
    pub fn database(&self, id: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.id == id)
    }

    /// The database `id`, to change it.
    pub fn database_mut(&mut self, id: &str) -> Option<&mut Database> {
        self.databases.iter_mut().find(|d| d.id == id)
    }
}
