//! Audited SQL statements. A row is first made as a compact [`SqlKey`] (indices into small
//! pools, one hash), which is all filters need; text is only built for the rows returned.
//!
//! The data is coherent with the instance: statements run against its databases, a risky
//! statement names one of its risk rules (and has that rule's level), an injection attempt
//! names one of its SQL-injection rules.

use serde_json::{Value, json};

use super::{Timeline, format_time, live::LiveFeed, row_id};
use crate::{
    rng,
    state::{Database, RiskRule, SqlRule},
};

/// Client hosts and the applications on them.
pub const CLIENTS: [(&str, &str); 6] = [
    ("10.0.1.15", "order-service"),
    ("10.0.1.16", "order-service"),
    ("10.0.2.30", "billing-job"),
    ("10.0.3.7", "bi-dashboard"),
    ("10.0.4.2", "dba-console"),
    ("10.0.5.9", "etl-worker"),
];
/// Database accounts.
pub const USERS: [&str; 5] = ["app_user", "billing", "report", "admin", "etl"];
/// Tables.
pub const TABLES: [&str; 5] = ["orders", "customers", "payments", "inventory", "audit_log"];
/// Statement types and their share, in thousandths.
pub const QUERY_TYPES: [(&str, u64); 8] = [
    ("SELECT", 520),
    ("INSERT", 150),
    ("UPDATE", 140),
    ("DELETE", 50),
    ("LOGIN", 100),
    ("CREATE_TABLE", 15),
    ("DROP_TABLE", 10),
    ("GRANT", 15),
];

/// What makes a statement risky.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// Nothing.
    None,
    /// It matched this risk rule (index into [`SqlData::risk_rules`]).
    Rule(usize),
    /// It is an injection attempt, caught by this SQL-injection rule.
    Injection(usize),
}

/// One row, as indices.
#[derive(Clone, Copy, Debug)]
pub struct SqlKey {
    /// Row index.
    pub i: u64,
    /// Its hash.
    pub h: u64,
    /// Index into the instance's databases.
    pub db: usize,
    /// Index into [`CLIENTS`].
    pub client: usize,
    /// Index into [`USERS`].
    pub user: usize,
    /// Index into [`QUERY_TYPES`].
    pub query: usize,
    /// Index into [`TABLES`].
    pub table: usize,
    /// Why it is risky.
    pub risk: Risk,
    /// The statement failed.
    pub failed: bool,
    /// A record of the live feed (`--audit-rate`), not of the history.
    pub live: bool,
}

/// The SQL dataset of one instance.
pub struct SqlData<'a> {
    /// Dataset hash.
    pub dataset: u64,
    /// Where rows sit in time.
    pub timeline: Timeline,
    /// The instance's databases.
    pub databases: &'a [Database],
    /// Its risk rules that raise risks (switched on, not `NO_RISK`).
    pub risk_rules: Vec<&'a RiskRule>,
    /// Its SQL-injection rules that are switched on.
    pub injection_rules: Vec<&'a SqlRule>,
    /// Records made while the simulator runs, if it makes any.
    pub live: Option<LiveFeed>,
}

impl<'a> SqlData<'a> {
    /// The dataset of an instance with these databases and rules; `rows` rows when it has
    /// databases, none when it has none (there is nothing to audit).
    pub fn new(
        dataset: u64,
        anchor_ms: i64,
        rows: u64,
        databases: &'a [Database],
        risk_rules: &'a [RiskRule],
        sql_rules: &'a [SqlRule],
    ) -> SqlData<'a> {
        let rows = if databases.is_empty() { 0 } else { rows };
        SqlData {
            dataset,
            timeline: Timeline::new(anchor_ms, rows),
            databases,
            risk_rules: risk_rules
                .iter()
                .filter(|r| r.status == "ON" && r.risk_level != "NO_RISK")
                .collect(),
            injection_rules: sql_rules.iter().filter(|r| r.status == "ON").collect(),
            live: None,
        }
    }

    /// The same dataset, plus the records `feed` makes (none for an instance without databases).
    pub fn with_live(mut self, feed: Option<LiveFeed>) -> Self {
        self.live = feed.filter(|_| !self.databases.is_empty());
        self
    }

    /// Row `i` of the history, as indices.
    pub fn key(&self, i: u64) -> SqlKey {
        self.key_from(i, rng::combine(self.dataset, i), false)
    }

    /// Record `j` of the live feed, as indices.
    pub fn live_key(&self, j: u64) -> SqlKey {
        let dataset = self.live.map_or(self.dataset, |f| f.dataset);
        self.key_from(j, rng::combine(dataset, j), true)
    }

    /// When a row happened (epoch milliseconds).
    pub fn time_of(&self, key: &SqlKey) -> i64 {
        match self.live.filter(|_| key.live) {
            Some(feed) => feed.time_of(key.i),
            None => self.timeline.time_of(key.i),
        }
    }

    fn key_from(&self, i: u64, h: u64, live: bool) -> SqlKey {
        let pick = |bits: u32, n: usize| usize::try_from((h >> bits) % n.max(1) as u64).unwrap_or(0);
        let share = (h >> 40) % 1000;
        let mut acc = 0;
        let query = QUERY_TYPES
            .iter()
            .position(|(_, s)| {
                acc += s;
                share < acc
            })
            .unwrap_or(0);
        let roll = (h >> 50) % 100;
        let risk = if roll == 0 && !self.injection_rules.is_empty() {
            Risk::Injection(pick(24, self.injection_rules.len()))
        } else if roll < 15 && !self.risk_rules.is_empty() {
            Risk::Rule(pick(24, self.risk_rules.len()))
        } else {
            Risk::None
        };
        SqlKey {
            i,
            h,
            db: pick(0, self.databases.len()),
            client: pick(8, CLIENTS.len()),
            user: pick(16, USERS.len()),
            query: if matches!(risk, Risk::Injection(_)) { 0 } else { query },
            table: pick(32, TABLES.len()),
            risk,
            failed: (h >> 58).is_multiple_of(32),
            live,
        }
    }

    /// The database a row ran against.
    pub fn database(&self, key: &SqlKey) -> Option<&Database> {
        self.databases.get(key.db)
    }

    /// `HIGH`, `MEDIUM`, `LOW` or `NO_RISK`.
    pub fn risk_level(&self, key: &SqlKey) -> &str {
        match key.risk {
            Risk::None => "NO_RISK",
            Risk::Rule(r) => self.risk_rules.get(r).map_or("NO_RISK", |r| r.risk_level.as_str()),
            Risk::Injection(r) => self.injection_rules.get(r).map_or("HIGH", |r| r.risk_level.as_str()),
        }
    }

    /// The rule a row matched (empty when none).
    pub fn rule_name(&self, key: &SqlKey) -> &str {
        match key.risk {
            Risk::None => "",
            Risk::Rule(r) => self.risk_rules.get(r).map_or("", |r| r.name.as_str()),
            Risk::Injection(r) => self.injection_rules.get(r).map_or("", |r| r.name.as_str()),
        }
    }

    /// The rule's id (empty when none).
    pub fn rule_id(&self, key: &SqlKey) -> &str {
        match key.risk {
            Risk::None => "",
            Risk::Rule(r) => self.risk_rules.get(r).map_or("", |r| r.id.as_str()),
            Risk::Injection(r) => self.injection_rules.get(r).map_or("", |r| r.id.as_str()),
        }
    }

    /// The statement's text.
    pub fn statement(&self, key: &SqlKey) -> String {
        let table = TABLES[key.table % TABLES.len()];
        let n = (key.h >> 12) % 100_000;
        let user = USERS[key.user % USERS.len()];
        match (key.risk, QUERY_TYPES[key.query % QUERY_TYPES.len()].0) {
            (Risk::Injection(_), _) => format!("SELECT * FROM {table} WHERE id = '{n}' OR 1=1 --'"),
            (_, "SELECT") => format!("SELECT * FROM {table} WHERE id = {n}"),
            (_, "INSERT") => format!("INSERT INTO {table} (id, note) VALUES ({n}, 'row {n}')"),
            (_, "UPDATE") => format!("UPDATE {table} SET note = 'row {n}' WHERE id = {n}"),
            (_, "DELETE") => format!("DELETE FROM {table} WHERE id = {n}"),
            (_, "LOGIN") => format!("CONNECT {user}"),
            (_, "CREATE_TABLE") => format!("CREATE TABLE {table}_{n} (id BIGINT PRIMARY KEY)"),
            (_, "DROP_TABLE") => format!("DROP TABLE {table}_{n}"),
            _ => format!("GRANT SELECT ON {table} TO {user}"),
        }
    }

    /// The statement type.
    pub fn query_type(&self, key: &SqlKey) -> &'static str {
        QUERY_TYPES[key.query % QUERY_TYPES.len()].0
    }

    /// The row's id.
    pub fn id(&self, key: &SqlKey) -> String {
        match self.live.filter(|_| key.live) {
            Some(feed) => row_id(feed.dataset, key.i),
            None => row_id(self.dataset, key.i),
        }
    }

    /// The row as the SQL list shows it (`{"sql": {...}}`).
    pub fn summary(&self, key: &SqlKey) -> Value {
        let (client_ip, client_name) = CLIENTS[key.client % CLIENTS.len()];
        let db = self.database(key);
        let table = TABLES[key.table % TABLES.len()];
        json!({ "sql": {
            "id": self.id(key),
            "sql_statement": self.statement(key),
            "client_ip": client_ip,
            "client_name": client_name,
            "db_ip": db.map(|d| d.ip.as_str()).unwrap_or_default(),
            "db_user": USERS[key.user % USERS.len()],
            "query_type": self.query_type(key),
            "operated_obj_info": [{
                "column_name": "", "object_type": "TABLE", "schema_name": db.map(|d| d.name.as_str()).unwrap_or_default(),
                "sql_type": self.query_type(key), "sys_name": "", "table_name": table,
            }],
            "rule_name": self.rule_name(key),
            "risk_level": self.risk_level(key),
            "start_time": format_time(self.time_of(key)),
            "sql_response": if key.failed { "FAILED" } else { "SUCCESS" },
            "db_instance": db.map(|d| d.instance_name.as_str()).unwrap_or_default(),
        }})
    }

    /// The row as the SQL detail shows it.
    pub fn detail(&self, key: &SqlKey) -> Value {
        let (client_ip, client_name) = CLIENTS[key.client % CLIENTS.len()];
        let db = self.database(key);
        let start = self.time_of(key);
        let duration = i64::try_from((key.h >> 20) % 500 + 1).unwrap_or(1);
        let db_port = db.and_then(|d| d.port.parse::<i32>().ok()).unwrap_or(3306);
        let client_port = 40_000 + i32::try_from((key.h >> 28) % 20_000).unwrap_or(0);
        let session = format!("{:08x}", (key.h >> 8) & 0xffff_ffff);
        json!({ "sql": {
            "audit_result": "", "client_port": client_port, "client_ip": client_ip,
            "client_mac": format!("fa:16:3e:00:00:{:02x}", key.client), "client_name": client_name,
            "client_os_name": "Linux", "client_os_user": "app", "client_port_str": client_port.to_string(),
            "client_tool": "JDBC", "db_port": db_port,
            "db_instance": db.map(|d| d.instance_name.as_str()).unwrap_or_default(),
            "db_ip": db.map(|d| d.ip.as_str()).unwrap_or_default(), "db_mac": "fa:16:3e:00:01:01",
            "db_port_str": db_port.to_string(), "db_service_name": db.map(|d| d.name.as_str()).unwrap_or_default(),
            "db_session_id": session, "db_type": db.map(|d| d.db_type.as_str()).unwrap_or("MYSQL"),
            "db_user": USERS[key.user % USERS.len()], "end_time": format_time(start + duration),
            "execute_time": duration, "field": "", "id": self.id(key), "level": self.risk_level(key),
            "lines": "1", "log_result": "", "object": TABLES[key.table % TABLES.len()], "object_type": "TABLE",
            "query_id": format!("{:016x}", key.h), "query_type": self.query_type(key),
            "response_length": i32::try_from((key.h >> 36) % 4096).unwrap_or(0),
            "response_status": if key.failed { "FAILED" } else { "SUCCESS" },
            "rule_id": self.rule_id(key), "rule_name": self.rule_name(key),
            "rule_type": match key.risk { Risk::None => "", Risk::Rule(_) => "RISK", Risk::Injection(_) => "INJECTION" },
            "schema": db.map(|d| d.name.as_str()).unwrap_or_default(), "scope_id": "", "scope_name": "full audit rule",
            "sql_response": if key.failed { "FAILED" } else { "SUCCESS" }, "sql_result": "",
            "sql_statement": self.statement(key), "start_time": format_time(start), "tcp_session_id": session,
        }})
    }
}
