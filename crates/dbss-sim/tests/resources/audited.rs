//! The audited side of an instance: databases and their agents.

use serde_json::json;

use crate::support::{Request, path, send};
use crate::{call, database, error, ok, sim};
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
    // RDS databases are added by id and type.
    let add_rds = format!("/audit/{id}/databases/rds");
    let rds_database = |db_type: &str| json!({"databases": [{"id": "rds-1", "type": db_type}]});
    let rds = ok(&sim, "POST", "v3", &add_rds, Some(rds_database("MYSQL"))).await;
    assert_eq!(rds["ret_list"][0]["ret_status"], "FAILED");

    // Deleting makes room; its agents go with it.
    ok(&sim, "DELETE", "v3", &format!("/audit/{id}/databases/{db}"), None).await;
    let rds = ok(&sim, "POST", "v3", &add_rds, Some(rds_database("MARIADB"))).await;
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
