//! Audit rules and the SQL whitelist, with the built-in rules every new instance starts with.

use super::IdGen;

/// A risk rule: which operations raise alarms, and how severe they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `LOGIN` or `OPERATE`.
    pub kind: String,
    /// What it detects, in words.
    pub feature: String,
    /// `ON` or `OFF`.
    pub status: String,
    /// Position in evaluation order, from 1.
    pub rank: i64,
    /// `LOW`, `MEDIUM`, `HIGH` or `NO_RISK`.
    pub risk_level: String,
    /// `SYSTEM` (built in) or `CUSTOMIZE`.
    pub rule_type: String,
    /// Operation types matched (comma-separated).
    pub action: String,
    /// Databases it applies to (comma-separated ids).
    pub db_ids: String,
    /// Client addresses matched.
    pub client_ips: String,
    /// Client addresses excluded.
    pub exception_ips: String,
    /// Case-insensitive matching.
    pub ignore_case: bool,
    /// Comparison on execution time.
    pub execution_symbol: String,
    /// Execution-time threshold.
    pub execution_time: i64,
    /// Comparison on affected rows.
    pub affect_symbol: String,
    /// Affected-rows threshold.
    pub affect_rows: i64,
    /// Objects matched: (schema, table, column).
    pub schemas: Vec<(String, String, String)>,
}

/// An audit scope rule: which traffic is audited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Operation types in scope.
    pub action: String,
    /// `ON` or `OFF`.
    pub status: String,
    /// Client addresses excluded.
    pub exception_ips: String,
    /// Source addresses in scope.
    pub source_ips: String,
    /// Source ports in scope.
    pub source_ports: String,
    /// Databases (comma-separated ids).
    pub db_ids: String,
    /// Database names.
    pub db_names: String,
    /// Database users.
    pub db_users: String,
    /// The built-in "audit everything" rule.
    pub all_audit: bool,
}

/// A SQL-injection detection rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `ON` or `OFF`.
    pub status: String,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub risk_level: String,
    /// `SYSTEM` or `CUSTOMIZE`.
    pub rule_type: String,
    /// Position in evaluation order, from 1.
    pub rank: i64,
    /// What it detects, in words.
    pub feature: String,
    /// The expression matched.
    pub regex: String,
}

/// A sensitive-data masking rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `BUILD_IN` or `USER_DEFINE`.
    pub rule_type: String,
    /// The expression matched.
    pub regex: String,
    /// What matches are replaced with.
    pub mask_value: String,
    /// `ON` or `OFF`.
    pub status: String,
    /// Last change (`YYYY-MM-DD HH:MM:SS`).
    pub operate_time: String,
}

/// A whitelisted SQL statement: it never raises alarms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Whitelist {
    /// Id.
    pub id: String,
    /// The statement.
    pub sql: String,
    /// Description.
    pub desc: String,
    /// Whether it applies.
    pub enabled: bool,
    /// Databases it applies to.
    pub db_ids: Vec<String>,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub updated_ms: i64,
}

/// Sets every rule's rank to its position, from 1.
pub fn renumber<T>(rules: &mut [T], rank: impl Fn(&mut T) -> &mut i64) {
    for (i, rule) in rules.iter_mut().enumerate() {
        *rank(rule) = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
    }
}

/// The system risk rules of a new instance.
pub fn builtin_risk_rules(ids: &mut IdGen) -> Vec<RiskRule> {
    let rules = [
        (
            "Database slow SQL detection",
            "OPERATE",
            "Statements running longer than 1 s",
            "LOW",
        ),
        (
            "Database mass data leakage",
            "OPERATE",
            "Queries returning more than 1000 rows",
            "HIGH",
        ),
        (
            "Database brute-force login",
            "LOGIN",
            "More than 5 failed logins in 1 minute",
            "MEDIUM",
        ),
        (
            "Database high-risk operation",
            "OPERATE",
            "DROP, TRUNCATE and GRANT statements",
            "HIGH",
        ),
    ];
    let mut out: Vec<RiskRule> = rules
        .into_iter()
        .map(|(name, kind, feature, level)| RiskRule {
            id: ids.fresh(),
            name: name.into(),
            kind: kind.into(),
            feature: feature.into(),
            status: "ON".into(),
            rank: 0,
            risk_level: level.into(),
            rule_type: "SYSTEM".into(),
            action: if kind == "LOGIN" {
                "LOGIN".into()
            } else {
                "SELECT,DELETE,DROP_TABLE".into()
            },
            db_ids: String::new(),
            client_ips: String::new(),
            exception_ips: String::new(),
            ignore_case: true,
            execution_symbol: "GREATER".into(),
            execution_time: 1,
            affect_symbol: "GREATER".into(),
            affect_rows: 1000,
            schemas: Vec::new(),
        })
        .collect();
    renumber(&mut out, |r| &mut r.rank);
    out
}

/// The default audit scope of a new instance: everything.
pub fn builtin_scope_rules(ids: &mut IdGen) -> Vec<ScopeRule> {
    vec![ScopeRule {
        id: ids.fresh(),
        name: "full audit rule".into(),
        action: "ALL".into(),
        status: "ON".into(),
        exception_ips: String::new(),
        source_ips: String::new(),
        source_ports: String::new(),
        db_ids: String::new(),
        db_names: String::new(),
        db_users: String::new(),
        all_audit: true,
    }]
}

/// The system SQL-injection rules of a new instance.
pub fn builtin_sql_rules(ids: &mut IdGen) -> Vec<SqlRule> {
    let rules = [
        (
            "UNION injection",
            "HIGH",
            "UNION SELECT appended to a query",
            r"(?i)union\s+(all\s+)?select",
        ),
        (
            "Tautology injection",
            "MEDIUM",
            "Always-true conditions such as OR 1=1",
            r"(?i)or\s+1\s*=\s*1",
        ),
        (
            "Stacked queries",
            "LOW",
            "Several statements in one request",
            r";\s*(drop|delete)\s",
        ),
    ];
    let mut out: Vec<SqlRule> = rules
        .into_iter()
        .map(|(name, level, feature, regex)| SqlRule {
            id: ids.fresh(),
            name: name.into(),
            status: "ON".into(),
            risk_level: level.into(),
            rule_type: "SYSTEM".into(),
            rank: 0,
            feature: feature.into(),
            regex: regex.into(),
        })
        .collect();
    renumber(&mut out, |r| &mut r.rank);
    out
}

/// The built-in masking rules of a new instance.
pub fn builtin_mask_rules(ids: &mut IdGen) -> Vec<MaskRule> {
    [
        ("Bank card number", r"\d{16,19}", "****"),
        ("Mobile number", r"1[3-9]\d{9}", "***********"),
        ("E-mail address", r"[\w.]+@[\w.]+", "***@***"),
    ]
    .into_iter()
    .map(|(name, regex, mask)| MaskRule {
        id: ids.fresh(),
        name: name.into(),
        rule_type: "BUILD_IN".into(),
        regex: regex.into(),
        mask_value: mask.into(),
        status: "ON".into(),
        operate_time: "2025-06-01 08:00:00".into(),
    })
    .collect()
}
