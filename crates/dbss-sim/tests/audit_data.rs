//! Generated audit data: SQL records, alarms, operation logs and statistics are coherent,
//! filtered and paginated as documented, deterministic for a seed, and a million rows are
//! served without being stored.

mod support;

use std::time::Instant;

use dbss_sim::Simulator;
use serde_json::{Value, json};
use support::{Answer, Request, first_instance, path, send};

async fn sim(seed: u64, rows: u64) -> (Simulator, String) {
    let sim = Simulator::builder()
        .seed(seed)
        .audit_rows(rows)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    (sim, id)
}

async fn post(sim: &Simulator, version: &str, rest: &str, body: Value) -> Answer {
    send(sim, Request::new("POST", path(sim, version, rest)).json(&body)).await
}

async fn sqls(sim: &Simulator, id: &str, body: Value) -> Value {
    let answer = post(sim, "v2", &format!("/audit/{id}/sqls"), body).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()
}

fn rows(page: &Value) -> Vec<Value> {
    page["sqls"]
        .as_array()
        .map(|l| l.iter().map(|s| s["sql"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_million_rows_page_by_index_without_being_stored() {
    let (sim, id) = sim(1, 1_000_000).await;
    let started = Instant::now();
    let first = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 1, "size": 100, "time_order": "DESC"}),
    )
    .await;
    assert_eq!((first["total"].as_u64(), rows(&first).len()), (Some(1_000_000), 100));
    let last = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 10_000, "size": 100, "time_order": "DESC"}),
    )
    .await;
    assert_eq!(rows(&last).len(), 100);
    let beyond = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 10_001, "size": 100, "time_order": "DESC"}),
    )
    .await;
    assert_eq!((beyond["total"].as_u64(), rows(&beyond).len()), (Some(1_000_000), 0));
    // Ascending order starts where descending order ends.
    let oldest = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 1, "size": 1, "time_order": "ASC"}),
    )
    .await;
    assert_eq!(rows(&oldest)[0], rows(&last)[99]);
    let newest = rows(&first);
    assert!(
        newest
            .windows(2)
            .all(|w| w[0]["start_time"].as_str() >= w[1]["start_time"].as_str())
    );
    // Unfiltered pages are index arithmetic: fast even at the far end.
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());

    let half_hour = sqls(
        &sim,
        &id,
        json!({"time": {"time_range": "HALF_HOUR"}, "page": 1, "size": 10, "time_order": "DESC"}),
    )
    .await;
    // 30 days over a million rows is one row every 2.592 s: 30 minutes hold about 694, fewer
    // as the clock moves on past the newest row.
    let total = half_hour["total"].as_u64().unwrap_or(0);
    assert!((600..=695).contains(&total), "{total}");
}

#[tokio::test]
async fn filters_and_windows_select_exactly_the_matching_rows() {
    let (sim, id) = sim(2, 3000).await;
    let all = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 1, "size": 3000, "time_order": "DESC"}),
    )
    .await;
    let every = rows(&all);
    assert_eq!(every.len(), 3000);
    let databases = sim.state().databases(&id);
    assert!(every.iter().all(|r| {
        databases
            .iter()
            .any(|d| d.ip == r["db_ip"].as_str().unwrap_or_default())
    }));

    // Per risk level, filtered totals are the rows of that level, and they add up.
    let mut sum = 0;
    for level in ["HIGH", "MEDIUM", "LOW", "NO_RISK"] {
        let expected = every.iter().filter(|r| r["risk_level"] == level).count() as u64;
        let mut seen = Vec::new();
        for page in 1.. {
            let body = json!({"time": {}, "page": page, "size": 97, "time_order": "DESC", "risk_levels": level});
            let answer = sqls(&sim, &id, body).await;
            assert_eq!(answer["total"].as_u64(), Some(expected), "{level}");
            let got = rows(&answer);
            if got.is_empty() {
                break;
            }
            seen.extend(got);
        }
        assert_eq!(seen.len() as u64, expected, "{level}: pages cover every row once");
        assert!(seen.iter().all(|r| r["risk_level"] == level));
        sum += expected;
        if level != "NO_RISK" {
            let rules: Vec<String> = sim.state().risk_rules(&id).into_iter().map(|r| r.name).collect();
            let injections: Vec<String> = sim.state().sql_rules(&id).into_iter().map(|r| r.name).collect();
            assert!(seen.iter().all(|r| {
                let rule = r["rule_name"].as_str().unwrap_or_default().to_owned();
                rules.contains(&rule) || injections.contains(&rule)
            }));
        }
    }
    assert_eq!(sum, 3000);

    let combined = json!({"time": {}, "page": 1, "size": 3000, "time_order": "DESC",
                          "query_type": "SELECT", "client_ip": "10.0.3.7", "sql_response": "SUCCESS"});
    let expected = every
        .iter()
        .filter(|r| r["query_type"] == "SELECT" && r["client_ip"] == "10.0.3.7" && r["sql_response"] == "SUCCESS")
        .count();
    assert_eq!(rows(&sqls(&sim, &id, combined).await).len(), expected);
    let text = json!({"time": {}, "page": 1, "size": 3000, "time_order": "DESC", "sql_statement": "FROM payments"});
    let matched = rows(&sqls(&sim, &id, text).await);
    assert!(
        !matched.is_empty()
            && matched.iter().all(|r| r["sql_statement"]
                .as_str()
                .unwrap_or_default()
                .contains("FROM payments"))
    );

    // An explicit window holds the rows whose time is inside it, bounds included.
    let (from, to) = (every[2000]["start_time"].clone(), every[1000]["start_time"].clone());
    let window = json!({"time": {"start_time": from, "end_time": to}, "page": 1, "size": 3000, "time_order": "DESC"});
    let inside = rows(&sqls(&sim, &id, window).await);
    assert_eq!(inside.first(), every.get(1000));
    assert_eq!(inside.last(), every.get(2000));
}

#[tokio::test]
async fn details_are_those_of_the_listed_statement_and_ids_are_checked() {
    let (sim, id) = sim(3, 1000).await;
    let listed = rows(
        &sqls(
            &sim,
            &id,
            json!({"time": {}, "page": 3, "size": 5, "time_order": "DESC"}),
        )
        .await,
    );
    let row = &listed[4];
    let sql_id = row["id"].as_str().unwrap_or_default();
    let detail = send(
        &sim,
        Request::new("GET", path(&sim, "v2", &format!("/audit/{id}/sqls/{sql_id}"))),
    )
    .await;
    assert_eq!(detail.status, 200, "{}", detail.text());
    let detail = detail.json()["sql"].clone();
    for field in [
        "id",
        "sql_statement",
        "client_ip",
        "db_ip",
        "db_user",
        "start_time",
        "rule_name",
    ] {
        assert_eq!(detail[field], row[field], "{field}");
    }
    assert_eq!(detail["level"], row["risk_level"]);
    let forged = format!("{}-000000000001", &sql_id[..23]);
    let refused = send(
        &sim,
        Request::new("GET", path(&sim, "v2", &format!("/audit/{id}/sqls/{forged}"))),
    )
    .await;
    assert_eq!(
        (refused.status, refused.json()["error"]["error_code"].as_str()),
        (400, Some("DBSS.10020021"))
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let body = json!({"time": {}, "page": 1, "size": 20, "time_order": "DESC"});
    let mut pages = Vec::new();
    for seed in [9, 9, 10] {
        let (sim, id) = sim(seed, 1000).await;
        let mut page = rows(&sqls(&sim, &id, body.clone()).await);
        for row in &mut page {
            // Times follow the start of each simulator.
            row["start_time"] = Value::Null;
        }
        pages.push(page);
    }
    assert_eq!(pages[0], pages[1]);
    assert_ne!(pages[0], pages[2]);
}

#[tokio::test]
async fn alarms_are_confirmed_and_deleted_and_the_list_follows() {
    let (sim, id) = sim(4, 2000).await;
    let list = |body: Value| {
        let sim = &sim;
        let id = id.clone();
        async move {
            let answer = post(sim, "v2", &format!("/audit/{id}/alarm-log"), body).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            answer.json()
        }
    };
    let all = list(json!({"time": {}, "page": 1, "size": 1000})).await;
    assert_eq!(all["total_num"], 100, "one alarm for every twenty statements");
    let undone: Vec<Value> = all["alarm_log"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["alarm_status"] == "UNDO")
        .collect();
    let undo_total = list(json!({"time": {}, "page": 1, "size": 1, "status": "UNDO"})).await["total_num"].clone();
    assert_eq!(undo_total, undone.len());
    let target = undone[0]["id"].as_str().unwrap_or_default().to_owned();
    let confirm = send(
        &sim,
        Request::new("PUT", path(&sim, "v1", &format!("/audit/{id}/alarm-log/{target}"))),
    )
    .await;
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    let undo_after = list(json!({"time": {}, "page": 1, "size": 1, "status": "UNDO"})).await;
    assert_eq!(undo_after["total_num"], undone.len() - 1);

    let others: Vec<&str> = undone[1..3].iter().filter_map(|a| a["id"].as_str()).collect();
    let refused = post(
        &sim,
        "v1",
        &format!("/audit/{id}/alarm-log/mark"),
        json!({"ids": [others[0], "nope"]}),
    )
    .await;
    assert_eq!(refused.status, 400);
    let unchanged = list(json!({"time": {}, "page": 1, "size": 1, "status": "UNDO"})).await;
    assert_eq!(
        unchanged["total_num"],
        undone.len() - 1,
        "a refused batch marks nothing"
    );
    assert_eq!(
        post(
            &sim,
            "v1",
            &format!("/audit/{id}/alarm-log/mark"),
            json!({"ids": others})
        )
        .await
        .status,
        200
    );

    let delete = send(
        &sim,
        Request::new("DELETE", path(&sim, "v1", &format!("/audit/{id}/alarm-log/{target}"))),
    )
    .await;
    assert_eq!(delete.status, 200);
    let old = post(
        &sim,
        "v1",
        &format!("/{id}/audit/alarm-log"),
        json!({"time": {}, "page": 1, "size": 1000}),
    )
    .await
    .json();
    assert_eq!(old["total_num"], 99);
    assert!(
        old["alarm_log"][0].get("alarmLife").is_some(),
        "the old operation keeps its field names"
    );
    let again = send(
        &sim,
        Request::new("DELETE", path(&sim, "v1", &format!("/audit/{id}/alarm-log/{target}"))),
    )
    .await;
    assert_eq!(again.status, 400);
    let high = list(json!({"time": {}, "page": 1, "size": 1000, "risk": ["HIGH"], "type": "RISK_RULE"})).await;
    assert!(high["alarm_log"].as_array().is_some_and(|l| {
        !l.is_empty()
            && l.iter()
                .all(|a| a["alarm_risk"] == "HIGH" && a["alarm_type"] == "RISK_RULE")
    }));
}

#[tokio::test]
async fn operation_logs_page_with_string_numbers_and_filter() {
    let (sim, id) = sim(5, 5000).await;
    let body = json!({"time": {}, "page": "2", "size": "10", "action": "CREATE"});
    let answer = post(&sim, "v1", &format!("/audit/{id}/operation-log"), body).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let logs = answer.json();
    assert!(logs["total_num"].as_u64().is_some_and(|n| n > 10 && n < 100), "{logs}");
    assert!(
        logs["operate_log"]
            .as_array()
            .is_some_and(|l| l.len() == 10 && l.iter().all(|x| x["action"] == "create"))
    );
    let refused = post(
        &sim,
        "v1",
        &format!("/{id}/dbss/audit/operate-log"),
        json!({"time": {}, "page": "0", "size": "10"}),
    )
    .await;
    assert_eq!(
        refused.json()["error"]["error_msg"],
        "body.page: pages count from 1, got 0"
    );
    let numbers = post(
        &sim,
        "v1",
        &format!("/audit/{id}/operation-log"),
        json!({"time": {}, "page": 1, "size": 10}),
    )
    .await;
    assert!(
        numbers.text().contains("body.page: expected a string"),
        "{}",
        numbers.text()
    );
}

#[tokio::test]
async fn statistics_count_the_same_rows_the_list_returns() {
    let (sim, id) = sim(6, 4000).await;
    let db = sim.state().databases(&id)[0].clone();
    let total = sqls(
        &sim,
        &id,
        json!({"time": {"time_range": "WEEK"}, "page": 1, "size": 1, "time_order": "DESC"}),
    )
    .await["total"]
        .as_u64()
        .unwrap_or(0);
    let stats = post(
        &sim,
        "v1",
        &format!("/audit/{id}/statistics/trend/sql-count"),
        json!({"regenerate": 0, "time": {"time_range": "WEEK"}}),
    )
    .await;
    assert_eq!(stats.status, 200, "{}", stats.text());
    let periods = stats.json()["count_statistics"].as_array().cloned().unwrap_or_default();
    assert_eq!(periods.len(), 12);
    let counted: u64 = periods.iter().filter_map(|p| p["sql_num"].as_u64()).sum();
    assert_eq!(counted, total);

    let risk = post(
        &sim,
        "v1",
        &format!("/audit/{id}/statistics/trend/risk-level"),
        json!({"regenerate": 1, "time": {"time_range": "WEEK"}, "db_id": db.id}),
    )
    .await
    .json();
    let high: u64 = risk["risk_statistics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["high_risk_num"].as_u64())
        .sum();
    let listed_high = sqls(&sim, &id, json!({"time": {"time_range": "WEEK"}, "page": 1, "size": 4000, "time_order": "DESC", "risk_levels": "HIGH", "db_ip": db.ip})).await;
    assert_eq!(Some(high), listed_high["total"].as_u64());

    let sessions = post(
        &sim,
        "v1",
        &format!("/audit/{id}/statistics/session/db-account"),
        json!({"time": {}, "db_id": [db.id]}),
    )
    .await
    .json();
    let logins: u64 = sessions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["session_num"].as_u64())
        .sum();
    let listed_logins = sqls(
        &sim,
        &id,
        json!({"time": {}, "page": 1, "size": 1, "time_order": "DESC", "query_type": "LOGIN", "db_ip": db.ip}),
    )
    .await;
    assert_eq!(Some(logins), listed_logins["total"].as_u64());
    let unknown = post(
        &sim,
        "v1",
        &format!("/audit/{id}/statistics/trend/session"),
        json!({"regenerate": 0, "time": {}, "db_id": "missing"}),
    )
    .await;
    assert_eq!(unknown.json()["error"]["error_code"], "DBSS.10020021");
}

#[tokio::test]
async fn an_instance_without_databases_has_nothing_to_audit() {
    let (sim, _) = sim(7, 1000).await;
    let archive = sim.state().list(0, 3).0[2].id.clone();
    let empty = sqls(
        &sim,
        &archive,
        json!({"time": {}, "page": 1, "size": 10, "time_order": "DESC"}),
    )
    .await;
    assert_eq!(empty["total"], 0);
}
