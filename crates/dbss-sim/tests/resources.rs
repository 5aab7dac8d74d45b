//! Resources kept in state: what is written is read back, by the old and the new operations
//! alike, and what the service refuses is refused with its code and the offending field.

mod support;

use dbss_sim::Simulator;
use serde_json::{Value, json};
use support::{Answer, Request, first_instance, path, send};

async fn sim() -> (Simulator, String) {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    (sim, id)
}

async fn call(sim: &Simulator, method: &str, version: &str, rest: &str, body: Option<Value>) -> Answer {
    let mut request = Request::new(method, path(sim, version, rest));
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(sim, request).await
}

async fn ok(sim: &Simulator, method: &str, version: &str, rest: &str, body: Option<Value>) -> Value {
    let answer = call(sim, method, version, rest, body).await;
    assert!(
        (200..300).contains(&answer.status),
        "{method} {rest}: {} {}",
        answer.status,
        answer.text()
    );
    answer.json()
}

fn error(answer: &Answer) -> (u16, String, String) {
    let body = answer.json();
    (
        answer.status,
        body["error"]["error_code"].as_str().unwrap_or_default().to_owned(),
        body["error"]["error_msg"].as_str().unwrap_or_default().to_owned(),
    )
}

fn database(name: &str) -> Value {
    json!({"database": {"db_classification": "ECS", "name": name, "type": "MYSQL", "version": "8.0",
                        "charset": "UTF8", "ip": "192.168.1.40", "port": "3306", "os": "LINUX64"}})
}

#[tokio::test]
async fn databases_are_added_switched_listed_deleted_and_limited() {
    let (sim, id) = sim().await;
    let added = ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/databases"),
        Some(database("shop")),
    )
    .await;
    let db = added["id"].as_str().unwrap_or_default().to_owned();
    // New databases start switched off; the old switch operation turns it on.
    let listed = ok(&sim, "GET", "v2", &format!("/audit/{id}/databases"), None).await;
    assert_eq!(listed["total"], 3);
    assert_eq!(listed["databases"][2]["database"]["status"], "OFF");
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/{id}/audit/databases/switch"),
        Some(json!({"id": db, "status": "ON"})),
    )
    .await;
    let on = send(
        &sim,
        Request::new("GET", path(&sim, "v1", &format!("/{id}/dbss/audit/databases"))).query("status", "ON"),
    )
    .await;
    let names: Vec<_> = on.json()["databases"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| d["database"]["name"].clone())
        .collect();
    assert_eq!(names, [json!("orders"), json!("shop")]);
    assert_eq!(on.json()["databases"][1]["database"]["audit_status"], "ACTIVE");

    // The low specification audits three databases.
    let full = call(
        &sim,
        "POST",
        "v1",
        &format!("/{id}/audit/databases"),
        Some(database("fourth")),
    )
    .await;
    let (status, code, message) = error(&full);
    assert_eq!((status, code.as_str()), (400, "DBSS.10020118"), "{message}");
    assert!(message.contains("3 databases"), "{message}");
    let rds = ok(
        &sim,
        "POST",
        "v3",
        &format!("/audit/{id}/databases/rds"),
        Some(json!({"databases": [{"id": "rds-1", "type": "MYSQL"}]})),
    )
    .await;
    assert_eq!(rds["ret_list"][0]["ret_status"], "FAILED");

    // Deleting makes room; its agents go with it.
    ok(&sim, "DELETE", "v3", &format!("/audit/{id}/databases/{db}"), None).await;
    let rds = ok(
        &sim,
        "POST",
        "v3",
        &format!("/audit/{id}/databases/rds"),
        Some(json!({"databases": [{"id": "rds-1", "type": "MARIADB"}]})),
    )
    .await;
    assert_eq!(rds["ret_list"][0]["ret_status"], "SUCCESS");
    let databases = sim.state().databases(&id);
    assert_eq!(databases.len(), 3);
    assert_eq!(
        (databases[2].classification.as_str(), databases[2].db_type.as_str()),
        ("RDS", "MYSQL")
    );
    let gone = call(&sim, "DELETE", "v3", &format!("/audit/{id}/databases/{db}"), None).await;
    assert_eq!(error(&gone).1, "DBSS.10020021");
}

#[tokio::test]
async fn agents_are_added_listed_switched_tuned_downloaded_and_deleted() {
    let (sim, id) = sim().await;
    let db = sim.state().databases(&id)[1].id.clone();
    let add = json!({"db_id": db, "mode": 0, "agent_type": "APP", "agent_os": "LINUX64_ARM", "agent_ip": "10.1.1.1"});
    ok(&sim, "POST", "v3", &format!("/audit/{id}/agents"), Some(add)).await;
    let listed = send(
        &sim,
        Request::new("GET", path(&sim, "v3", &format!("/audit/{id}/agents"))).query("db_id", &db),
    )
    .await
    .json();
    let agent = listed["agents"][0].clone();
    assert_eq!(
        (
            agent["agent_type"].as_str(),
            agent["agent_ip"].as_str(),
            agent["status"].as_i64()
        ),
        (Some("APP"), Some("10.1.1.1"), Some(1))
    );
    let agent_id = agent["agent_id"].as_str().unwrap_or_default().to_owned();

    ok(
        &sim,
        "POST",
        "v1",
        &format!("/{id}/audit/agent/switch"),
        Some(json!({"agent_id": agent_id, "status": 0})),
    )
    .await;
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/agents/{agent_id}"),
        Some(json!({"cpu_threshold": 50, "mem_threshold": 60})),
    )
    .await;
    let old = send(
        &sim,
        Request::new("GET", path(&sim, "v2", &format!("/{id}/audit/agents"))).query("db_id", &db),
    )
    .await
    .json();
    assert_eq!(
        (
            old["agents"][0]["status"].as_i64(),
            old["agents"][0]["cpu_threshold"].as_i64()
        ),
        (Some(0), Some(50))
    );

    let file = call(
        &sim,
        "GET",
        "v2",
        &format!("/audit/{id}/agents/{agent_id}/download"),
        None,
    )
    .await;
    assert_eq!(
        file.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/octet-stream")
    );
    assert_eq!(&file.body[..2], &[0x1f, 0x8b]);
    assert!(file.text().contains(&agent_id));

    let delete =
        Request::new("DELETE", path(&sim, "v3", &format!("/audit/{id}/agents/{agent_id}"))).query("db_id", &db);
    assert_eq!(send(&sim, delete).await.status, 200);
    assert!(sim.state().agents(&id).iter().all(|a| a.agent_id != agent_id));

    let unknown = json!({"db_id": "no-such-database", "mode": 0, "agent_type": "DB", "agent_os": "LINUX64_X86"});
    let refused = call(&sim, "POST", "v3", &format!("/audit/{id}/agents"), Some(unknown)).await;
    assert_eq!(error(&refused).1, "DBSS.10020021");
    assert!(error(&refused).2.contains("db_id no-such-database"));
}

fn risk_rule(name: &str) -> Value {
    json!({"rule_name": name, "risk_level": "HIGH", "status": "ON", "action": "DELETE", "affect_rows": 100,
           "affect_symbol": "GREATER", "execution_symbol": "GREATER", "execution_time": 5,
           "schemas": [{"schema": "shop", "table": "orders", "column": "id"}]})
}

#[tokio::test]
async fn risk_rules_are_created_ranked_switched_changed_and_deleted() {
    let (sim, id) = sim().await;
    let builtin = sim.state().risk_rules(&id).len();
    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/risk"),
        Some(risk_rule("mass delete")),
    )
    .await;
    let duplicate = call(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/risk"),
        Some(risk_rule("mass delete")),
    )
    .await;
    assert!(error(&duplicate).2.contains("already exists"), "{}", duplicate.text());

    let listed = ok(&sim, "GET", "v1", &format!("/audit/{id}/rule/risk"), None).await;
    assert_eq!(
        (listed["total"].as_u64(), listed["customize_total"].as_u64()),
        (Some(builtin as u64 + 1), Some(1))
    );
    let rule = listed["rules"][builtin].clone();
    let rule_id = rule["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        (rule["rank"].as_u64(), rule["rule_type"].as_str()),
        (Some(builtin as u64 + 1), Some("CUSTOMIZE"))
    );

    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/rule/risk/rank"),
        Some(json!({"id": rule_id, "new_rank": 1})),
    )
    .await;
    let first = ok(&sim, "GET", "v1", &format!("/{id}/dbss/audit/rule/risk"), None).await;
    assert_eq!(
        (first["rules"][0]["id"].as_str(), first["rules"][0]["rank"].as_u64()),
        (Some(rule_id.as_str()), Some(1))
    );

    let other = first["rules"][1]["id"].as_str().unwrap_or_default().to_owned();
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/rule/risk/switch"),
        Some(json!({"ids": format!("{rule_id},{other}"), "status": "OFF"})),
    )
    .await;
    let mut changed = risk_rule("mass delete");
    changed["risk_level"] = json!("LOW");
    ok(
        &sim,
        "PUT",
        "v2",
        &format!("/audit/{id}/rule/risk/{rule_id}"),
        Some(changed),
    )
    .await;
    let shown = ok(
        &sim,
        "GET",
        "v1",
        &format!("/{id}/dbss/audit/rule/risk/{rule_id}"),
        None,
    )
    .await;
    assert_eq!(
        (
            shown["risk_level"].as_str(),
            shown["status"].as_str(),
            shown["schemas"][0]["table"].as_str()
        ),
        (Some("LOW"), Some("ON"), Some("orders"))
    );
    let filtered = send(
        &sim,
        Request::new("GET", path(&sim, "v1", &format!("/audit/{id}/rule/risk"))).query("risk_levels", "LOW"),
    )
    .await
    .json();
    assert!(
        filtered["rules"]
            .as_array()
            .is_some_and(|r| r.iter().all(|r| r["risk_level"] == "LOW"))
    );

    let system = call(&sim, "DELETE", "v1", &format!("/audit/{id}/rule/risk/{other}"), None).await;
    assert!(error(&system).2.contains("built in"), "{}", system.text());
    ok(&sim, "DELETE", "v1", &format!("/audit/{id}/rule/risk/{rule_id}"), None).await;
    let ranks: Vec<i64> = sim.state().risk_rules(&id).iter().map(|r| r.rank).collect();
    assert_eq!(ranks, (1..=builtin as i64).collect::<Vec<_>>(), "ranks close up");
}

#[tokio::test]
async fn scope_sql_injection_and_masking_rules_round_trip() {
    let (sim, id) = sim().await;
    let scope = json!({"rule_name": "shop only", "db_ids": "a,b", "db_names": "shop", "source_ips": "10.0.0.1"});
    ok(&sim, "POST", "v1", &format!("/audit/{id}/rule/scopes"), Some(scope)).await;
    let scopes = ok(&sim, "GET", "v1", &format!("/{id}/dbss/audit/rule/scopes"), None).await;
    assert_eq!(scopes["total"], 2);
    let scope_id = scopes["scopes"][1]["id"].as_str().unwrap_or_default().to_owned();
    let builtin_scope = scopes["scopes"][0]["id"].as_str().unwrap_or_default().to_owned();
    ok(
        &sim,
        "POST",
        "v3",
        &format!("/audit/{id}/rule/scopes/{scope_id}"),
        Some(json!({"rule_name": "shop", "db_ids": "a", "db_names": "shop"})),
    )
    .await;
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/rule/scopes/switch"),
        Some(json!({"ids": [scope_id], "status": "OFF"})),
    )
    .await;
    let scope = sim.state().scope_rules(&id)[1].clone();
    assert_eq!(
        (scope.name.as_str(), scope.db_ids.as_str(), scope.status.as_str()),
        ("shop", "a", "OFF")
    );
    let refused = call(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/scopes/batch-delete"),
        Some(json!({"ids": [scope_id, builtin_scope]})),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(sim.state().scope_rules(&id).len(), 2, "a refused batch deletes nothing");
    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/scopes/batch-delete"),
        Some(json!({"ids": [scope_id]})),
    )
    .await;
    assert_eq!(sim.state().scope_rules(&id).len(), 1);

    let sql =
        json!({"rule_name": "sleep injection", "risk_level": "MEDIUM", "sql_regex": "(?i)sleep\\(", "status": "ON"});
    ok(&sim, "POST", "v1", &format!("/audit/{id}/rule/sql"), Some(sql)).await;
    let bad_regex = json!({"rule_name": "bad", "risk_level": "LOW", "sql_regex": "(unclosed", "status": "ON"});
    let refused = call(&sim, "POST", "v1", &format!("/audit/{id}/rule/sql"), Some(bad_regex)).await;
    assert!(
        error(&refused)
            .2
            .starts_with("body.sql_regex: not a valid regular expression"),
        "{}",
        refused.text()
    );
    let rules = ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/sqls"),
        Some(json!({"page": 1, "size": 2})),
    )
    .await;
    assert_eq!(
        (rules["total"].as_u64(), rules["rules"].as_array().map(Vec::len)),
        (Some(4), Some(2))
    );
    let custom = sim
        .state()
        .sql_rules(&id)
        .last()
        .map(|r| r.id.clone())
        .unwrap_or_default();
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/rule/sql/rank"),
        Some(json!({"ids": [custom]})),
    )
    .await;
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/rule/sql/switch"),
        Some(json!({"id": custom, "status": "OFF"})),
    )
    .await;
    let first = sim.state().sql_rules(&id)[0].clone();
    assert_eq!(
        (first.id.as_str(), first.rank, first.status.as_str()),
        (custom.as_str(), 1, "OFF")
    );
    let medium = ok(
        &sim,
        "POST",
        "v1",
        &format!("/{id}/dbss/audit/rule/sql-injections"),
        Some(json!({"risk_levels": "MEDIUM"})),
    )
    .await;
    assert_eq!(medium["total"], 2);
    ok(&sim, "DELETE", "v1", &format!("/audit/{id}/rule/sql/{custom}"), None).await;

    let mask = json!({"rule_name": "passport", "mask_regex": "[A-Z]\\d{8}", "mask_value": "*********"});
    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/sensitive/mask/rule"),
        Some(mask),
    )
    .await;
    let masks = ok(&sim, "GET", "v1", &format!("/audit/{id}/sensitive/mask/rule"), None).await;
    assert_eq!(masks["total"], 4);
    let mask_id = masks["rules"][3]["id"].as_str().unwrap_or_default().to_owned();
    ok(
        &sim,
        "POST",
        "v2",
        &format!("/audit/{id}/sensitive/mask/rule/switch"),
        Some(json!({"ids": [mask_id], "status": "OFF"})),
    )
    .await;
    let old = ok(&sim, "GET", "v1", &format!("/{id}/dbss/audit/sensitive/masks"), None).await;
    assert_eq!(
        (old["rules"][3]["status"].as_str(), old["rules"][3]["type"].as_str()),
        (Some("OFF"), Some("USER_DEFINE"))
    );
    ok(
        &sim,
        "DELETE",
        "v1",
        &format!("/audit/{id}/sensitive/mask/rule/{mask_id}"),
        None,
    )
    .await;
    assert_eq!(sim.state().mask_rules(&id).len(), 3);
}

#[tokio::test]
async fn whitelists_are_added_listed_updated_and_deleted() {
    let (sim, id) = sim().await;
    let entries: Vec<Value> = (0..3)
        .map(|n| json!({"sql": format!("SELECT {n}"), "desc": "ok"}))
        .collect();
    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/whitelists"),
        Some(json!({"whitelists": entries})),
    )
    .await;
    let page = send(
        &sim,
        Request::new("GET", path(&sim, "v1", &format!("/audit/{id}/whitelists")))
            .query("offset", "1")
            .query("limit", "1"),
    )
    .await
    .json();
    assert_eq!(
        (page["total"].as_u64(), page["whitelists"][0]["sql"].as_str()),
        (Some(3), Some("SELECT 1"))
    );
    let ids: Vec<String> = sim.state().whitelists(&id).into_iter().map(|w| w.id).collect();
    ok(
        &sim,
        "PUT",
        "v1",
        &format!("/audit/{id}/whitelists/{}", ids[0]),
        Some(json!({"enabled": false, "desc": "paused"})),
    )
    .await;
    let refused = call(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/whitelists/batch-delete"),
        Some(json!({"whitelists": [ids[1], "nope"]})),
    )
    .await;
    assert_eq!(error(&refused).1, "DBSS.10020021");
    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/whitelists/batch-delete"),
        Some(json!({"whitelists": [ids[1], ids[2]]})),
    )
    .await;
    let left = sim.state().whitelists(&id);
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].enabled, left[0].desc.as_str()), (false, "paused"));
    let bad = send(
        &sim,
        Request::new("GET", path(&sim, "v1", &format!("/audit/{id}/whitelists"))).query("limit", "0"),
    )
    .await;
    assert_eq!(error(&bad).2, "query.limit: must be at least 1, got 0");
}

#[tokio::test]
async fn alarm_topics_log_retention_and_switches_read_back_what_was_set() {
    let (sim, id) = sim().await;
    let topic = json!({"alarm_cpu": 90, "alarm_disk": 85, "alarm_memory": 70, "alarm_num": 5,
                       "alarm_risk": ["high", "medium"], "alarm_switch": "ON", "alarm_topic_urn": "urn:smn:x"});
    ok(&sim, "POST", "v2", &format!("/audit/{id}/alarm/topic"), Some(topic)).await;
    // Integers when set, strings when read; the old operation reads the same settings.
    let read = ok(&sim, "GET", "v1", &format!("/{id}/audit/alarm/topic"), None).await;
    assert_eq!(
        read,
        json!({"alarm_cpu": "90", "alarm_disk": "85", "alarm_memory": "70", "alarm_num": "5",
               "alarm_risk": ["high", "medium"], "alarm_switch": "ON", "alarm_topic_urn": "urn:smn:x",
               "smn_effective": true})
    );
    let no_topic = json!({"alarm_cpu": 90, "alarm_disk": 85, "alarm_memory": 70, "alarm_num": 5, "alarm_switch": "ON"});
    let refused = call(&sim, "POST", "v1", &format!("/{id}/audit/alarm/topic"), Some(no_topic)).await;
    assert_eq!(
        error(&refused).2,
        "body.alarm_topic_urn: required when alarm_switch is ON"
    );
    let strings =
        json!({"alarm_cpu": "90", "alarm_disk": 85, "alarm_memory": 70, "alarm_num": 5, "alarm_switch": "OFF"});
    let refused = call(&sim, "POST", "v2", &format!("/audit/{id}/alarm/topic"), Some(strings)).await;
    assert_eq!(
        error(&refused).2,
        "body.alarm_cpu: expected an integer, got the string \"90\""
    );

    ok(
        &sim,
        "PUT",
        "v1",
        &format!("/audit/{id}/settings/common-settings"),
        Some(json!({"retention_days": 30})),
    )
    .await;
    let settings = ok(
        &sim,
        "GET",
        "v1",
        &format!("/audit/{id}/settings/common-settings"),
        None,
    )
    .await;
    assert_eq!(settings["log_retention"]["retention_days"], 30);
    let refused = call(
        &sim,
        "PUT",
        "v1",
        &format!("/audit/{id}/settings/common-settings"),
        Some(json!({"retention_days": 5000})),
    )
    .await;
    assert!(error(&refused).2.contains("between 1 and 1095"), "{}", refused.text());

    ok(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/sensitive/mask/switch"),
        Some(json!({"status": "ON"})),
    )
    .await;
    let mask = ok(&sim, "GET", "v1", &format!("/audit/{id}/sensitive/mask/switch"), None).await;
    let result = ok(&sim, "GET", "v1", &format!("/audit/{id}/sensitive/result/switch"), None).await;
    assert_eq!(
        (mask["status"].as_str(), result["status"].as_str()),
        (Some("ON"), Some("OFF"))
    );
}

async fn tag(sim: &Simulator, resource: &str, action: &str, tags: Value) -> Answer {
    let method = if action == "create" { "POST" } else { "DELETE" };
    call(
        sim,
        method,
        "v1",
        &format!("/auditInstance/{resource}/tags/{action}"),
        Some(json!({ "tags": tags })),
    )
    .await
}

#[tokio::test]
async fn tags_are_added_deleted_listed_counted_and_filter_instances() {
    let (sim, _) = sim().await;
    let (instances, _) = sim.state().list(0, 3);
    let resource = |n: usize| instances[n].resource_id.clone();
    for (n, env) in [(0, "prod"), (1, "staging")] {
        let added = tag(
            &sim,
            &resource(n),
            "create",
            json!([{"key": "env", "value": env}, {"key": "team", "value": "db"}]),
        )
        .await;
        assert_eq!((added.status, added.body.len()), (204, 0));
    }
    let listed = ok(&sim, "GET", "v1", &format!("/auditInstance/{}/tags", resource(0)), None).await;
    assert_eq!(
        listed["tags"],
        json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "db"}])
    );
    let project = ok(&sim, "GET", "v1", "/auditInstance/tags", None).await;
    assert_eq!(
        project["tags"],
        json!([{"key": "env", "values": ["prod", "staging"]}, {"key": "team", "values": ["db"]}])
    );

    let count = |filter: Value| {
        let sim = &sim;
        async move {
            ok(
                sim,
                "POST",
                "v1",
                "/auditInstance/resource-instances/count",
                Some(filter),
            )
            .await["total_count"]
                .clone()
        }
    };
    assert_eq!(count(json!({"tags": [{"key": "team", "values": []}]})).await, 2);
    assert_eq!(count(json!({"tags": [{"key": "env", "values": ["prod"]}]})).await, 1);
    assert_eq!(
        count(json!({"tags_any": [{"key": "env", "values": ["prod", "staging"]}]})).await,
        2
    );
    assert_eq!(
        count(json!({"not_tags_any": [{"key": "env", "values": ["prod"]}]})).await,
        2
    );
    assert_eq!(count(json!({"without_any_tag": true})).await, 1);
    assert_eq!(
        count(json!({"matches": [{"key": "resource_name", "value": "STAGING"}]})).await,
        1
    );
    let filtered = send(
        &sim,
        Request::new("POST", path(&sim, "v1", "/auditInstance/resource-instances/filter"))
            .query("limit", "1")
            .json(&json!({"tags": [{"key": "team", "values": ["db"]}]})),
    )
    .await
    .json();
    assert_eq!(
        (
            filtered["total_count"].as_u64(),
            filtered["resources"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );
    assert_eq!(filtered["resources"][0]["resource_id"], resource(0).as_str());

    // A value that does not match leaves the tag; a key alone removes it.
    assert_eq!(
        tag(
            &sim,
            &resource(0),
            "delete",
            json!([{"key": "env", "value": "staging"}])
        )
        .await
        .status,
        204
    );
    assert_eq!(sim.state().tags(&instances[0].id).len(), 2);
    assert_eq!(
        tag(&sim, &resource(0), "delete", json!([{"key": "env"}])).await.status,
        204
    );
    assert_eq!(sim.state().tags(&instances[0].id).keys().collect::<Vec<_>>(), ["team"]);

    let many: Vec<Value> = (0..21).map(|n| json!({"key": format!("k{n}"), "value": "v"})).collect();
    let refused = tag(&sim, &resource(2), "create", json!(many)).await;
    assert!(error(&refused).2.contains("at most 20 tags"), "{}", refused.text());
    assert!(
        sim.state().tags(&instances[2].id).is_empty(),
        "a refused batch adds nothing"
    );
    let unknown = tag(
        &sim,
        "0123456789abcdef0123456789abcdef",
        "create",
        json!([{"key": "a", "value": "b"}]),
    )
    .await;
    assert_eq!(error(&unknown).1, "DBSS.10020021");
}

#[tokio::test]
async fn requests_are_checked_against_the_spec_before_anything_happens() {
    let (sim, id) = sim().await;
    let short = call(&sim, "GET", "v2", "/audit/short-id/databases", None).await;
    assert_eq!(
        error(&short),
        (
            400,
            "DBSS.10000001".into(),
            "path.instance_id: expected at least 32 characters, got 8".into()
        )
    );
    let query = send(
        &sim,
        Request::new("GET", path(&sim, "v1", "/audit/instances")).query("limit", "ten"),
    )
    .await;
    assert_eq!(error(&query).2, "query.limit: \"ten\" does not match ^[0-9]+$");
    let required = send(
        &sim,
        Request::new("GET", path(&sim, "v3", &format!("/audit/{id}/agents"))),
    )
    .await;
    assert_eq!(error(&required).2, "query.db_id: required");
    let no_body = call(&sim, "POST", "v1", &format!("/audit/{id}/rule/sql"), None).await;
    assert_eq!(error(&no_body).2, "request body: required");
    let several = call(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/sql"),
        Some(json!({"risk_level": "EXTREME", "status": "ON"})),
    )
    .await;
    assert_eq!(
        error(&several).2,
        "body.rule_name: required; body.sql_regex: required; \
         body.risk_level: \"EXTREME\" is not one of \"LOW\", \"MEDIUM\", \"HIGH\", \"NO_RISK\""
    );
    let unknown = call(&sim, "GET", "v1", "/audit/nothing-here", None).await;
    assert_eq!(
        (unknown.status, unknown.json()["error"]["error_code"].as_str()),
        (404, Some("DBSS.10021004"))
    );
    let other_project = send(&sim, Request::new("GET", format!("/v2/{}/audit/quota", "f".repeat(32)))).await;
    assert_eq!(error(&other_project).0, 403);
    assert_eq!(sim.state().databases(&id).len(), 2, "nothing changed");
}
