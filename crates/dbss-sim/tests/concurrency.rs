//! Many clients at once: thousands of concurrent adds and deletes, and afterwards the state
//! is exactly what was acknowledged, nothing lost and nothing extra.

mod support;

use std::{collections::BTreeSet, sync::Arc};

use dbss_sim::Simulator;
use serde_json::json;
use support::{Request, first_instance, path, send_with};
use tokio::task::JoinSet;

const CLIENTS: usize = 50;

async fn sim() -> (Arc<Simulator>, String, Vec<reqwest::Client>) {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    let clients = (0..CLIENTS).map(|_| reqwest::Client::new()).collect();
    (Arc::new(sim), id, clients)
}

/// Adds one whitelist entry per statement, each from one of the clients, all at once;
/// returns the statements whose add was acknowledged.
async fn add_all(sim: &Arc<Simulator>, id: &str, clients: &[reqwest::Client], sqls: Vec<String>) -> Vec<String> {
    let mut tasks = JoinSet::new();
    for (n, sql) in sqls.into_iter().enumerate() {
        let (sim, http) = (sim.clone(), clients[n % clients.len()].clone());
        let rest = format!("/audit/{id}/whitelists");
        tasks.spawn(async move {
            let request = Request::new("POST", path(&sim, "v1", &rest)).json(&json!({"whitelists": [{"sql": sql}]}));
            let answer = send_with(&http, &sim, request).await;
            assert!(answer.status < 500, "{}", answer.text());
            (answer.status == 200).then_some(sql)
        });
    }
    let mut acknowledged = Vec::new();
    while let Some(done) = tasks.join_next().await {
        acknowledged.extend(done.unwrap_or_else(|e| panic!("{e}")));
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_concurrent_whitelist_adds_and_deletes_lose_nothing() {
    let (sim, id, clients) = sim().await;
    let first: Vec<String> = (0..2000).map(|n| format!("SELECT {n} FROM t")).collect();
    let added = add_all(&sim, &id, &clients, first).await;
    assert_eq!(added.len(), 2000, "every add is acknowledged");
    let stored = sim.state().whitelists(&id);
    let stored_sqls: BTreeSet<String> = stored.iter().map(|w| w.sql.clone()).collect();
    assert_eq!(stored_sqls, added.iter().cloned().collect::<BTreeSet<_>>());
    assert_eq!(stored.len(), 2000, "no entry twice");
    let unique_ids: BTreeSet<&str> = stored.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(unique_ids.len(), 2000, "ids are unique");

    // Now delete every other entry while 1000 new ones are added, all concurrently.
    let doomed: Vec<(String, String)> = stored
        .iter()
        .step_by(2)
        .map(|w| (w.id.clone(), w.sql.clone()))
        .collect();
    let mut deletes = JoinSet::new();
    for (n, (entry, sql)) in doomed.into_iter().enumerate() {
        let (sim, http, id) = (sim.clone(), clients[n % CLIENTS].clone(), id.clone());
        deletes.spawn(async move {
            let rest = format!("/audit/{id}/whitelists/batch-delete");
            let request = Request::new("POST", path(&sim, "v1", &rest)).json(&json!({"whitelists": [entry]}));
            let answer = send_with(&http, &sim, request).await;
            assert!(answer.status < 500, "{}", answer.text());
            (answer.status == 200).then_some(sql)
        });
    }
    let more: Vec<String> = (2000..3000).map(|n| format!("SELECT {n} FROM t")).collect();
    let added_later = add_all(&sim, &id, &clients, more).await;
    let mut deleted = BTreeSet::new();
    while let Some(done) = deletes.join_next().await {
        deleted.extend(done.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(deleted.len(), 1000, "every delete is acknowledged");
    assert_eq!(added_later.len(), 1000);

    let expected: BTreeSet<String> = added
        .into_iter()
        .chain(added_later)
        .filter(|sql| !deleted.contains(sql))
        .collect();
    let finally: Vec<String> = sim.state().whitelists(&id).into_iter().map(|w| w.sql).collect();
    assert_eq!(finally.len(), 2000);
    assert_eq!(finally.into_iter().collect::<BTreeSet<_>>(), expected);

    // And the API agrees with the state.
    let listed = send_with(
        &clients[0],
        &sim,
        Request::new("GET", path(&sim, "v1", &format!("/audit/{id}/whitelists"))).query("limit", "10000"),
    )
    .await
    .json();
    assert_eq!(listed["total"], 2000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_tag_adds_respect_the_limit_and_the_state_is_what_was_acknowledged() {
    let (sim, id, clients) = sim().await;
    let resource = sim.state().get(&id).map(|i| i.resource_id).unwrap_or_default();
    let tag_call = |n: usize, key: String, action: &'static str| {
        let (sim, http, resource) = (sim.clone(), clients[n % CLIENTS].clone(), resource.clone());
        async move {
            let method = if action == "create" { "POST" } else { "DELETE" };
            let rest = format!("/auditInstance/{resource}/tags/{action}");
            let request =
                Request::new(method, path(&sim, "v1", &rest)).json(&json!({"tags": [{"key": key, "value": "v"}]}));
            let answer = send_with(&http, &sim, request).await;
            assert!(
                answer.status == 204 || answer.status == 400,
                "{} {}",
                answer.status,
                answer.text()
            );
            (answer.status == 204).then_some(key)
        }
    };
    // 60 keys race for 20 places; then every acknowledged key with an even number is
    // deleted while 60 more race for the places that frees.
    let mut adds = JoinSet::new();
    for n in 0..60 {
        adds.spawn(tag_call(n, format!("k{n:02}"), "create"));
    }
    let mut kept = BTreeSet::new();
    while let Some(done) = adds.join_next().await {
        kept.extend(done.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(kept.len(), 20, "exactly the limit was acknowledged");
    assert_eq!(sim.state().tags(&id).keys().cloned().collect::<BTreeSet<_>>(), kept);

    let mut tasks = JoinSet::new();
    let doomed: Vec<String> = kept
        .iter()
        .filter(|k| k.ends_with(['0', '2', '4', '6', '8']))
        .cloned()
        .collect();
    for (n, key) in doomed.iter().enumerate() {
        tasks.spawn(tag_call(n, key.clone(), "delete"));
    }
    for n in 60..120 {
        tasks.spawn(tag_call(n, format!("k{n:03}"), "create"));
    }
    let mut acknowledged = Vec::new();
    while let Some(done) = tasks.join_next().await {
        acknowledged.extend(done.unwrap_or_else(|e| panic!("{e}")));
    }
    let (deleted, added): (Vec<String>, Vec<String>) = acknowledged.into_iter().partition(|k| doomed.contains(k));
    assert_eq!(deleted.len(), doomed.len(), "deletes are always acknowledged");
    let expected: BTreeSet<String> = kept.into_iter().filter(|k| !deleted.contains(k)).chain(added).collect();
    let tags: BTreeSet<String> = sim.state().tags(&id).keys().cloned().collect();
    assert!(tags.len() <= 20, "{}", tags.len());
    assert_eq!(tags, expected);
}
