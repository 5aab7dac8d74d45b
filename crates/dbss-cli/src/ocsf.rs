//! `--format ocsf`: audit records as OCSF 1.3.0 events of class Datastore Activity (6005), so
//! an OCSF-aware SIEM ingests them as they are.
//!
//! The structs below carry only the attributes we fill, named as the schema names them (the
//! `ocsf-types` crate has every class, but as one 2 MB generated file at version 0.2, a heavy
//! build for the eight objects used here).
//!
//! | DBSS SQL record | OCSF attribute |
//! |---|---|
//! | `id` | `metadata.uid` |
//! | `start_time` (UTC) | `time` (epoch ms), `start_time` |
//! | `query_type` | `activity_id`/`activity_name` (SELECT → 1 Read, UPDATE → 2 Update, LOGIN → 3 Connect, INSERT → 5 Write, CREATE_* → 6 Create, DELETE/DROP_* → 7 Delete, others → 99 Other) |
//! | `sql_statement` | `query_info.query_string` |
//! | `db_user` | `actor.user.name` |
//! | `client_ip`, `client_name` | `src_endpoint.ip`, `src_endpoint.name` |
//! | `db_ip`, `db_instance` | `dst_endpoint.ip`, `dst_endpoint.name` |
//! | `operated_obj_info[0].schema_name`, `.table_name` | `database.name`, `table.name` (and `type_id` 3 Table, else 1 Database) |
//! | `risk_level` | `severity_id` (HIGH 4, MEDIUM 3, LOW 2, NO_RISK 1), `risk_level`/`risk_level_id` |
//! | `sql_response` | `status_id` (SUCCESS 1, FAILED 2) |
//! | `rule_name` | `message` when set |
//! | everything else | `unmapped` |
//!
//! | DBSS alarm | OCSF attribute |
//! |---|---|
//! | `id` | `metadata.uid` |
//! | `alarm_time` | `time`, `start_time` |
//! | `alarm_description` | `message` |
//! | `alarm_risk` | `severity_id`, `risk_level`/`risk_level_id` |
//! | (always) | `activity_id` 99 Other, `activity_name` = `alarm_type`, `is_alert` true |
//! | everything else | `unmapped` |
//!
//! Every event has `class_uid` 6005, `category_uid` 6 (Application Activity),
//! `type_uid` = 600500 + `activity_id`, and `metadata.product` Huawei Cloud Database Security
//! Service, `cloud.provider` Huawei Cloud; the audit instance id goes to
//! `unmapped.instance_id`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::commands::audit::Kind;

/// The OCSF version the events follow.
pub const OCSF_VERSION: &str = "1.3.0";
/// Datastore Activity.
const CLASS_UID: i64 = 6005;
/// Application Activity.
const CATEGORY_UID: i64 = 6;

/// A Datastore Activity event.
#[derive(Serialize, Debug, Default)]
pub struct DatastoreActivity {
    activity_id: i64,
    activity_name: String,
    category_uid: i64,
    category_name: &'static str,
    class_uid: i64,
    class_name: &'static str,
    type_uid: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    type_id: Option<i64>,
    severity_id: i64,
    severity: &'static str,
    time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<i64>,
    metadata: Metadata,
    cloud: Cloud,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_alert: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk_level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk_level_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<NetworkEndpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_endpoint: Option<NetworkEndpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_info: Option<QueryInfo>,
    unmapped: Map<String, Value>,
}

/// `metadata`.
#[derive(Serialize, Debug, Default)]
struct Metadata {
    version: &'static str,
    product: Product,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
}

/// `metadata.product`.
#[derive(Serialize, Debug, Default)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
}

/// `cloud`.
#[derive(Serialize, Debug, Default)]
struct Cloud {
    provider: &'static str,
}

/// `actor` (only its `user`).
#[derive(Serialize, Debug)]
struct Actor {
    user: Named,
}

/// An object of which we know only the name (`user`, `database`, `table`).
#[derive(Serialize, Debug)]
struct Named {
    name: String,
}

/// `src_endpoint` / `dst_endpoint`.
#[derive(Serialize, Debug)]
struct NetworkEndpoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// `query_info`.
#[derive(Serialize, Debug)]
struct QueryInfo {
    query_string: String,
}

/// OCSF activity of a statement type.
fn activity(query_type: &str) -> (i64, &'static str) {
    match query_type {
        "SELECT" => (1, "Read"),
        "UPDATE" => (2, "Update"),
        "LOGIN" => (3, "Connect"),
        "INSERT" => (5, "Write"),
        t if t.starts_with("CREATE") => (6, "Create"),
        t if t == "DELETE" || t.starts_with("DROP") => (7, "Delete"),
        _ => (99, "Other"),
    }
}

/// Severity and risk level of a DBSS risk level.
fn severity(level: &str) -> (i64, &'static str, Option<(&'static str, i64)>) {
    match level.to_ascii_uppercase().as_str() {
        "HIGH" => (4, "High", Some(("High", 3))),
        "MEDIUM" => (3, "Medium", Some(("Medium", 2))),
        "LOW" => (2, "Low", Some(("Low", 1))),
        "NO_RISK" => (1, "Informational", Some(("Info", 0))),
        _ => (0, "Unknown", None),
    }
}

/// Epoch milliseconds of an API time.
fn millis(text: Option<&str>) -> Option<i64> {
    text.and_then(dbss::follow::parse_api_time)
        .map(|s| s.saturating_mul(1000))
}

fn text(record: &mut Map<String, Value>, key: &str) -> Option<String> {
    match record.remove(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::String(_)) | None => None,
        Some(other) => {
            // Not the documented shape: keep it, unmapped.
            record.insert(key.to_owned(), other);
            None
        }
    }
}

/// The event for one record as the API returns it (an SQL record is the `sql` object).
pub fn event(kind: Kind, instance_id: &str, record: &Value) -> DatastoreActivity {
    let mut rest = record.as_object().cloned().unwrap_or_default();
    let mut event = DatastoreActivity {
        category_uid: CATEGORY_UID,
        category_name: "Application Activity",
        class_uid: CLASS_UID,
        class_name: "Datastore Activity",
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product {
                name: "Database Security Service",
                vendor_name: "Huawei Cloud",
            },
            uid: text(&mut rest, "id"),
        },
        cloud: Cloud {
            provider: "Huawei Cloud",
        },
        ..DatastoreActivity::default()
    };
    match kind {
        Kind::Sql => sql(&mut event, &mut rest),
        Kind::Alarms => alarm(&mut event, &mut rest),
    }
    event.type_uid = CLASS_UID * 100 + event.activity_id;
    rest.insert("instance_id".into(), Value::String(instance_id.to_owned()));
    event.unmapped = rest;
    event
}

fn sql(event: &mut DatastoreActivity, rest: &mut Map<String, Value>) {
    let query_type = text(rest, "query_type").unwrap_or_default();
    let (id, name) = activity(&query_type);
    event.activity_id = id;
    event.activity_name = if id == 99 && !query_type.is_empty() {
        query_type
    } else {
        name.to_owned()
    };
    let time = millis(rest.get("start_time").and_then(Value::as_str));
    if time.is_some() {
        rest.remove("start_time");
    }
    event.time = time.unwrap_or_default();
    event.start_time = time;
    let level = text(rest, "risk_level").unwrap_or_default();
    let (severity_id, severity, risk) = severity(&level);
    (event.severity_id, event.severity) = (severity_id, severity);
    (event.risk_level, event.risk_level_id) = (risk.map(|r| r.0), risk.map(|r| r.1));
    match text(rest, "sql_response").as_deref() {
        Some("SUCCESS") => (event.status_id, event.status) = (Some(1), Some("Success")),
        Some("FAILED") => (event.status_id, event.status) = (Some(2), Some("Failure")),
        Some(other) => {
            rest.insert("sql_response".into(), Value::String(other.to_owned()));
        }
        None => {}
    }
    event.message = text(rest, "rule_name");
    event.actor = text(rest, "db_user").map(|name| Actor { user: Named { name } });
    let (ip, name) = (text(rest, "client_ip"), text(rest, "client_name"));
    event.src_endpoint = (ip.is_some() || name.is_some()).then_some(NetworkEndpoint { ip, name });
    let (ip, name) = (text(rest, "db_ip"), text(rest, "db_instance"));
    event.dst_endpoint = (ip.is_some() || name.is_some()).then_some(NetworkEndpoint { ip, name });
    event.query_info = text(rest, "sql_statement").map(|query_string| QueryInfo { query_string });
    // The first object the statement touched names the database and table.
    let first = rest
        .get("operated_obj_info")
        .and_then(Value::as_array)
        .and_then(|objects| objects.first())
        .and_then(Value::as_object);
    let field = |key: &str| {
        first
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    event.database = field("schema_name").map(|name| Named { name });
    event.table = field("table_name").map(|name| Named { name });
    event.type_id = Some(if event.table.is_some() { 3 } else { 1 });
}

fn alarm(event: &mut DatastoreActivity, rest: &mut Map<String, Value>) {
    event.activity_id = 99;
    event.activity_name = text(rest, "alarm_type").unwrap_or_else(|| "Other".to_owned());
    event.is_alert = Some(true);
    let time = millis(rest.get("alarm_time").and_then(Value::as_str));
    if time.is_some() {
        rest.remove("alarm_time");
    }
    event.time = time.unwrap_or_default();
    event.start_time = time;
    let level = text(rest, "alarm_risk").unwrap_or_default();
    let (severity_id, severity, risk) = severity(&level);
    (event.severity_id, event.severity) = (severity_id, severity);
    (event.risk_level, event.risk_level_id) = (risk.map(|r| r.0), risk.map(|r| r.1));
    event.message = text(rest, "alarm_description");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_sql_record_maps_to_datastore_activity() {
        let record = json!({
            "id": "r1", "start_time": "2026-01-02 03:04:05", "query_type": "DELETE",
            "sql_statement": "DELETE FROM orders WHERE id = 1", "db_user": "app", "client_ip": "10.0.0.1",
            "client_name": "svc", "db_ip": "10.0.0.2", "db_instance": "main", "risk_level": "HIGH",
            "sql_response": "FAILED", "rule_name": "mass delete",
            "operated_obj_info": [{"schema_name": "shop", "table_name": "orders"}], "extra": 5,
        });
        let event = serde_json::to_value(event(Kind::Sql, "inst", &record)).unwrap_or_default();
        assert_eq!(event["class_uid"], 6005);
        assert_eq!(event["type_uid"], 600507);
        assert_eq!(event["activity_name"], "Delete");
        assert_eq!(event["time"], 1_767_323_045_000i64);
        assert_eq!(event["severity_id"], 4);
        assert_eq!(event["status_id"], 2);
        assert_eq!(event["metadata"]["uid"], "r1");
        assert_eq!(event["actor"]["user"]["name"], "app");
        assert_eq!(event["src_endpoint"]["ip"], "10.0.0.1");
        assert_eq!(event["dst_endpoint"]["name"], "main");
        assert_eq!(event["database"]["name"], "shop");
        assert_eq!(event["table"]["name"], "orders");
        assert_eq!(event["query_info"]["query_string"], "DELETE FROM orders WHERE id = 1");
        assert_eq!(event["unmapped"]["extra"], 5);
        assert_eq!(event["unmapped"]["instance_id"], "inst");
        assert!(
            event["unmapped"].get("sql_statement").is_none(),
            "mapped fields leave unmapped"
        );
    }

    #[test]
    fn an_alarm_is_an_alert() {
        let record = json!({"id": "a1", "alarm_time": "2026-01-02 03:04:05", "alarm_type": "RISK_RULE",
            "alarm_risk": "LOW", "alarm_description": "matched", "alarm_status": "UNDO"});
        let event = serde_json::to_value(event(Kind::Alarms, "inst", &record)).unwrap_or_default();
        assert_eq!(event["activity_id"], 99);
        assert_eq!(event["activity_name"], "RISK_RULE");
        assert_eq!(event["is_alert"], true);
        assert_eq!(event["severity_id"], 2);
        assert_eq!(event["message"], "matched");
        assert_eq!(event["unmapped"]["alarm_status"], "UNDO");
    }
}
