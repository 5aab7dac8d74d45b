//! Audit instances over time: orders build them, lifecycle operations move them through
//! tasks, jobs track it, and the three generations of operations see one state. Also the
//! encryption and O&M instances' security groups and elastic IPs.

mod support;

use std::time::Duration;

use dbss_sim::{Simulator, state::ProductLine};
use serde_json::{Value, json};
use support::{Request, client_for, first_instance, path, send};

/// Long enough that a task is always seen in progress; tests complete tasks themselves.
const DELAY: Duration = Duration::from_secs(3600);

async fn sim() -> Simulator {
    Simulator::builder()
        .transition_delay(DELAY)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The instance `id` as each list operation shows it: (status, task) from all three.
async fn seen_by_every_list(sim: &Simulator, id: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for (version, rest, field, key) in [
        ("v1", "/dbss/audit/instances", "servers", "id"),
        ("v1", "/audit/instances", "servers", "id"),
        ("v1", "/audit/instances", "instances", "instance_id"),
        ("v2", "/audit/instances", "instances", "id"),
    ] {
        let answer = send(sim, Request::new("GET", path(sim, version, rest))).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let list = answer.json()[field].as_array().cloned().unwrap_or_default();
        if let Some(found) = list.iter().find(|i| i[key] == id) {
            seen.push((
                found["status"].as_str().unwrap_or_default().to_owned(),
                found["task"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    seen
}

fn all(state: (&str, &str)) -> Vec<(String, String)> {
    vec![(state.0.to_owned(), state.1.to_owned()); 4]
}

async fn post(sim: &Simulator, version: &str, rest: &str, body: Value) -> (u16, Value) {
    let answer = send(sim, Request::new("POST", path(sim, version, rest)).json(&body)).await;
    (answer.status, answer.json())
}

#[tokio::test]
async fn an_order_builds_an_instance_that_becomes_active_and_a_job_tracks_it() {
    let sim = sim().await;
    let order = json!({
        "name": "audit-new", "flavor_ref": "c6.large", "vpc_id": "vpc-1", "availability_zone": "cn-north-4b",
        "nics": [{"subnet_id": "subnet-1", "ip_address": "192.168.9.9"}], "security_groups": [{"id": "sg-new"}],
        "region": "cn-north-4", "cloud_service_type": "hws.service.type.dbss", "charging_mode": 0,
        "period_type": 2, "period_num": 1, "subscription_num": 1, "is_auto_renew": 0,
        "product_infos": [{"product_id": "p", "cloud_service_type": "hws.service.type.dbss",
                           "resource_type": "hws.resource.type.dbss", "resource_spec_code": "dbss.bypassaudit.medium"}],
        "tags": [{"key": "team", "value": "audit"}],
    });
    let (status, answer) = post(&sim, "v2", "/audit/charge/period/order", order).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["order_id"].as_str().is_some_and(|id| !id.is_empty()));
    let (instances, total) = sim.state().list(0, 10);
    assert_eq!(total, 4);
    let new = instances
        .iter()
        .find(|i| i.name == "audit-new")
        .cloned()
        .unwrap_or_else(|| panic!("no new instance"));
    assert_eq!(new.spec_code, "dbss.bypassaudit.medium");
    assert_eq!(new.tags.get("team").map(String::as_str), Some("audit"));
    assert_eq!(seen_by_every_list(&sim, &new.id).await, all(("BUILD", "NO_TASK")));

    let jobs_path = path(&sim, "v1", &format!("/audit/{}/jobs", new.resource_id));
    let jobs = send(&sim, Request::new("GET", jobs_path.clone())).await.json();
    assert_eq!(jobs["jobs"][0]["status"], "RUNNING", "{jobs}");
    assert_eq!(jobs["jobs"][0]["job_type"], "createAuditInstance");

    sim.state().complete_pending();
    assert_eq!(seen_by_every_list(&sim, &new.id).await, all(("ACTIVE", "NO_TASK")));
    let jobs = send(&sim, Request::new("GET", jobs_path)).await.json();
    assert_eq!(jobs["jobs"][0]["status"], "SUCCESS");
    assert!(jobs["jobs"][0]["end_time"].as_i64().unwrap_or(0) >= jobs["jobs"][0]["begin_time"].as_i64().unwrap_or(1));
    // The old job operation reads the same jobs.
    let old = send(
        &sim,
        Request::new(
            "GET",
            path(&sim, "v1", &format!("/dbss/audit/jobs/{}", new.resource_id)),
        ),
    )
    .await;
    assert_eq!(old.json()["jobs"][0]["status"], "SUCCESS");
}

#[tokio::test]
async fn stop_start_reboot_and_delete_move_through_their_tasks() {
    let sim = sim().await;
    let id = first_instance(&sim);
    let body = json!({ "instance_id": id });

    // The old operation stops; every generation of the list sees the task, then the state.
    let (status, answer) = post(&sim, "v1", "/dbss/audit/instance/stop", body.clone()).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("SUCCESS")));
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("ACTIVE", "powering-off")));
    let (status, busy) = post(&sim, "v1", "/audit/instance/start", body.clone()).await;
    assert_eq!(
        (status, busy["error"]["error_code"].as_str()),
        (400, Some("DBSS.10020004")),
        "{busy}"
    );
    sim.state().complete_pending();
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("SHUTOFF", "NO_TASK")));

    // A stopped instance cannot be rebooted; the new operation starts it.
    let (status, refused) = post(&sim, "v1", "/audit/instance/reboot", body.clone()).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]["error_msg"]
            .as_str()
            .unwrap_or_default()
            .contains("SHUTOFF")
    );
    let (status, answer) = post(&sim, "v1", "/audit/instance/start", body.clone()).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("success")));
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("SHUTOFF", "powering-on")));
    sim.state().complete_pending();

    let (status, _) = post(&sim, "v1", "/dbss/audit/instance/reboot", body.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("ACTIVE", "rebooting")));
    sim.state().complete_pending();
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("ACTIVE", "NO_TASK")));

    let delete = Request::new("DELETE", path(&sim, "v1", "/audit/instance")).json(&json!({ "id": id }));
    assert_eq!(send(&sim, delete).await.status, 200);
    assert_eq!(seen_by_every_list(&sim, &id).await, all(("DELETING", "delete_wait")));
    let database = json!({"database": {"db_classification": "ECS", "name": "late", "type": "MYSQL", "version": "8.0",
                                       "charset": "UTF8", "ip": "192.168.1.30", "port": "3306", "os": "LINUX64"}});
    let (status, refused) = post(&sim, "v2", &format!("/audit/{id}/databases"), database).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]["error_msg"]
            .as_str()
            .unwrap_or_default()
            .contains("being deleted"),
        "{refused}"
    );
    sim.state().complete_pending();
    assert!(
        seen_by_every_list(&sim, &id).await.is_empty(),
        "deleted instances disappear"
    );
    assert_eq!(sim.state().list(0, 10).1, 2);

    let jobs: Vec<String> = sim
        .state()
        .jobs()
        .into_iter()
        .map(|j| format!("{} {}", j.job_type, j.status))
        .collect();
    assert_eq!(
        jobs,
        [
            "stopAuditInstance SUCCESS",
            "startAuditInstance SUCCESS",
            "rebootAuditInstance SUCCESS",
            "deleteAuditInstance SUCCESS"
        ]
    );
}

#[tokio::test]
async fn renames_time_zones_and_security_groups_persist_across_generations() {
    let sim = sim().await;
    let id = first_instance(&sim);
    let (status, _) = post(
        &sim,
        "v1",
        "/audit/security-group",
        json!({"instance_id": id, "securitygroup_ids": ["sg-from-new"]}),
    )
    .await;
    assert_eq!(status, 200);
    let rename = Request::new("PUT", path(&sim, "v1", &format!("/dbss/audit/instances/{id}")))
        .json(&json!({"name": "renamed", "comment": "by the old operation"}));
    assert_eq!(send(&sim, rename).await.status, 200);
    let (status, _) = post(
        &sim,
        "v1",
        &format!("/audit/{id}/timezone"),
        json!({"timezone": "UTC+01:00"}),
    )
    .await;
    assert_eq!(status, 200);

    let last = send(&sim, Request::new("GET", path(&sim, "v2", "/audit/instances")))
        .await
        .json();
    let found = last["instances"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["id"] == id.as_str()).cloned())
        .unwrap_or_default();
    assert_eq!(found["security_group_id"], "sg-from-new");
    assert_eq!(found["name"], "renamed");
    assert_eq!(found["comment"], "by the old operation");
    let new = send(&sim, Request::new("GET", path(&sim, "v1", "/audit/instances")))
        .await
        .json();
    assert_eq!(new["instances"][0]["timezone"], "UTC+01:00");

    let update = Request::new("PUT", path(&sim, "v1", &format!("/audit/instance/{id}"))).json(&json!({"name": ""}));
    let refused = send(&sim, update).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.text().contains("body.name: expected at least 1 characters"),
        "{}",
        refused.text()
    );
}

#[tokio::test]
async fn elastic_ips_and_security_groups_of_encryption_and_om_instances_persist() {
    let sim = sim().await;
    let cluster = |line| {
        sim.state()
            .clusters()
            .into_iter()
            .find(|c| c.line == line)
            .map(|c| c.id)
            .unwrap_or_default()
    };
    let (encrypt, om) = (cluster(ProductLine::Encrypt), cluster(ProductLine::Om));
    let bind = json!({"eip": "100.64.0.7", "eip_id": "eip-7"});
    let (status, _) = post(&sim, "v1", &format!("/db-encrypt/{encrypt}/eip/bind"), bind.clone()).await;
    assert_eq!(status, 200);
    let (status, twice) = post(&sim, "v1", &format!("/db-encrypt/{encrypt}/eip/bind"), bind).await;
    assert_eq!(
        (status, twice["error"]["error_code"].as_str()),
        (400, Some("DBSS.10020004"))
    );
    let listed = send(&sim, Request::new("POST", path(&sim, "v2", "/db-encrypt/instances")))
        .await
        .json();
    assert_eq!(listed["clusters"][0]["public_ip"], "100.64.0.7", "{listed}");

    let groups = Request::new("PUT", path(&sim, "v1", &format!("/db-om/{om}/security-group")))
        .json(&json!({"security_group_ids": ["sg-a", "sg-b"]}));
    assert_eq!(send(&sim, groups).await.status, 200);
    let listed = send(&sim, Request::new("POST", path(&sim, "v2", "/db-om/instances")))
        .await
        .json();
    assert_eq!(
        listed["clusters"][0]["detail"]["server"][0]["security_group_id"],
        "sg-a,sg-b"
    );
    // An encryption instance is not an O&M one.
    let (status, wrong) = post(&sim, "v1", &format!("/db-om/{encrypt}/eip/unbind"), json!({})).await;
    assert_eq!(
        (status, wrong["error"]["error_code"].as_str()),
        (400, Some("DBSS.10020021"))
    );

    let (status, _) = post(&sim, "v1", &format!("/db-encrypt/{encrypt}/eip/unbind"), json!({})).await;
    assert_eq!(status, 200);
    let listed = send(&sim, Request::new("POST", path(&sim, "v2", "/db-encrypt/instances")))
        .await
        .json();
    assert_eq!(listed["clusters"][0]["public_ip"], "");
}

#[tokio::test]
async fn the_typed_client_pages_through_instances_and_sees_changes() {
    use futures::TryStreamExt;
    let sim = sim().await;
    let client = client_for(&sim).build().unwrap_or_else(|e| panic!("{e}"));
    let instances: Vec<_> = client
        .instances()
        .list()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instances.len(), 3);
    let id = instances[0].id.clone().unwrap_or_default();
    client
        .instances()
        .set_security_group(&id, "sg-typed")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sim.state().get(&id).map(|i| i.security_group_id).as_deref(),
        Some("sg-typed")
    );
}

#[tokio::test]
async fn tasks_finish_on_their_own_after_the_transition_delay() {
    let sim = Simulator::builder()
        .transition_delay(Duration::from_millis(100))
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    let (status, _) = post(&sim, "v1", "/audit/instance/stop", json!({ "instance_id": id })).await;
    assert_eq!(status, 200);
    let started = std::time::Instant::now();
    loop {
        if sim.state().get(&id).map(|i| i.status).as_deref() == Some("SHUTOFF") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the stop never completed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(90),
        "{:?}",
        started.elapsed()
    );
    let job = sim.state().jobs().pop().unwrap_or_else(|| panic!("no job"));
    assert_eq!(job.status, "SUCCESS");
    assert!(
        job.end_ms - job.begin_ms >= 90,
        "the job ended when it was due: {job:?}"
    );
}
