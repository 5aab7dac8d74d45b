//! Audit rules of every kind: risk, scope, SQL injection and masking.

use serde_json::{Value, json};

use crate::support::{Request, path, send};
use crate::{call, error, ok, sim};
pub(crate) fn risk_rule(name: &str) -> Value {
    json!({"rule_name": name, "risk_level": "HIGH", "status": "ON", "action": "DELETE", "affect_rows": 100,
           "affect_symbol": "GREATER", "execution_symbol": "GREATER", "execution_time": 5,
           "schemas": [{"schema": "shop", "table": "orders", "column": "id"}]})
}

#[tokio::test]
async fn risk_rules_are_created_ranked_switched_changed_and_deleted() {
    let (sim, id) = sim().await;
    let builtin = sim.state().risk_rules(&id).len();
    let risk_rules = format!("/audit/{id}/rule/risk");
    ok(&sim, "POST", "v1", &risk_rules, Some(risk_rule("mass delete"))).await;
    let duplicate = call(&sim, "POST", "v1", &risk_rules, Some(risk_rule("mass delete"))).await;
    assert!(error(&duplicate).2.contains("already exists"), "{}", duplicate.text());

    let listed = ok(&sim, "GET", "v1", &risk_rules, None).await;
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
    let batch_delete = format!("/audit/{id}/rule/scopes/batch-delete");
    let refused = call(
        &sim,
        "POST",
        "v1",
        &batch_delete,
        Some(json!({"ids": [scope_id, builtin_scope]})),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(sim.state().scope_rules(&id).len(), 2, "a refused batch deletes nothing");
    ok(&sim, "POST", "v1", &batch_delete, Some(json!({"ids": [scope_id]}))).await;
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
