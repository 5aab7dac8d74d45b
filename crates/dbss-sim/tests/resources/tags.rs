//! Tags on instances, and instances filtered by them.

use dbss_sim::Simulator;
use serde_json::{Value, json};

use crate::support::{Answer, Request, path, send};
use crate::{call, error, ok, sim};
pub(crate) async fn tag(sim: &Simulator, resource: &str, action: &str, tags: Value) -> Answer {
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
