//! Whitelists, alarm topics, log retention and switches.

use serde_json::{Value, json};

use crate::support::{Request, path, send};
use crate::{call, error, ok, sim};
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
