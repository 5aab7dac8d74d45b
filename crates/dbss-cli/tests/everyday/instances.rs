//! `dbss instances ...`: listing, the lifecycle, security groups and EIPs.

use crate::render_yaml;
use crate::require_full_sim;
use crate::support::{SEEDED_ORDER_FLAGS, dbss, fails, golden, json, list, ok, sim, stderr, text};
#[tokio::test(flavor = "multi_thread")]
async fn instances_list_show_and_security_group() {
    let sim = sim().await;
    require_full_sim!(sim);
    let all = list(&sim, &["instances", "list", "--all"]);
    assert!(all.len() >= 2, "{all:?}");
    let table = ok(&dbss(&sim, &["instances", "list", "-o", "table"]));
    assert!(table.starts_with("ID ") && table.contains("STATUS"), "{table}");
    golden("instances-list.table", &table);

    // --limit shows fewer and says so on stderr; --all streams JSON lines.
    let out = dbss(&sim, &["instances", "list", "--limit", "1", "-o", "jsonl"]);
    assert_eq!(ok(&out).lines().count(), 1);
    assert!(stderr(&out).contains("--all for every item"), "{}", stderr(&out));
    let lines = ok(&dbss(
        &sim,
        &["instances", "list", "--all", "-o", "jsonl", "--query", "[].[id,status]"],
    ));
    assert_eq!(lines.lines().count(), all.len());

    let id = text(&all[0], "id");
    let shown = json(&dbss(&sim, &["instances", "show", &id]));
    assert_eq!(shown["id"], id.as_str());
    let yaml = ok(&dbss(
        &sim,
        &[
            "instances",
            "show",
            &id,
            "-o",
            "yaml",
            "--query",
            "{id: id, name: name}",
        ],
    ));
    assert!(yaml.starts_with(&format!("id: {id}")), "{yaml}");

    let result = json(&dbss(
        &sim,
        &["instances", "security-group", "set", &id, "sg-new-group"],
    ));
    assert_eq!(result["security_group_id"], "sg-new-group");
    let shown = json(&dbss(&sim, &["instances", "show", &id]));
    assert_eq!(shown["security_group_id"], "sg-new-group", "{shown}");

    let err = fails(
        &dbss(&sim, &["instances", "show", "0123456789abcdef0123456789abcdef"]),
        4,
    );
    golden("instances-show-missing.stderr", &err);
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_create_wait_stop_start_reboot_delete() {
    let sim = sim().await;
    require_full_sim!(sim);
    let order = [
        &["instances", "create", "--name", "cli-made"],
        SEEDED_ORDER_FLAGS,
        &["--tag", "env=test", "--wait", "--wait-timeout", "60"],
    ];
    let created = json(&dbss(&sim, &order.concat()));
    assert_eq!(created["status"], "ACTIVE", "{created}");
    golden(
        "instances-create-wait.yaml",
        &render_yaml(
            &created,
            &[
                "name",
                "status",
                "task",
                "resource_spec_code",
                "zone",
                "security_group_id",
                "charge_model",
            ],
        ),
    );
    assert_eq!(created["name"], "cli-made");
    assert!(created["order_id"].is_string(), "{created}");
    let id = text(&created, "id");

    let stopped = json(&dbss(
        &sim,
        &["instances", "stop", &id, "--yes", "--wait", "--wait-timeout", "60"],
    ));
    assert_eq!(stopped["status"], "SHUTOFF", "{stopped}");
    let started = json(&dbss(
        &sim,
        &["instances", "start", &id, "--wait", "--wait-timeout", "60"],
    ));
    assert_eq!(started["status"], "ACTIVE", "{started}");
    let rebooting = json(&dbss(&sim, &["instances", "reboot", &id, "--yes"]));
    assert_eq!(rebooting["action"], "reboot", "{rebooting}");
    let settled = json(&dbss(
        &sim,
        &["instances", "wait", &id, "--for", "active", "--wait-timeout", "60"],
    ));
    assert_eq!(settled["status"], "ACTIVE", "{settled}");
    let err = fails(
        &dbss(
            &sim,
            &["instances", "wait", &id, "--for", "stopped", "--wait-timeout", "1"],
        ),
        5,
    );
    assert!(err.contains("deadline reached") && err.contains("ACTIVE"), "{err}");

    // Without --wait the order is only placed.
    let body = r#"{"name":"from-body","flavor_ref":"c6.xlarge.2","vpc_id":"b26086b0-8257-21c4-6b34-3c2486e643b7",
        "availability_zone":"cn-north-4a","region":"cn-north-4","nics":[{"subnet_id":"fe866fcb-2725-fcd8-0b02-4a7957795b65"}],
        "security_groups":[{"id":"b80bb774-0288-fda1-f201-890375a60c8f"}],
        "product_infos":[{"product_id":"9bea82de-f865-d4d0-e499-eb252805f127","cloud_service_type":"hws.service.type.dbss",
        "resource_type":"hws.resource.type.dbss","resource_spec_code":"dbss.bypassaudit.medium"}]}"#;
    let order = json(&dbss(&sim, &["instances", "create", "--body", body]));
    assert!(order["order_id"].is_string(), "{order}");

    let deleted = json(&dbss(
        &sim,
        &["instances", "delete", &id, "--yes", "--wait", "--wait-timeout", "60"],
    ));
    assert_eq!(deleted["result"], "DELETED", "{deleted}");
    fails(&dbss(&sim, &["instances", "show", &id]), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_eip_bind_and_unbind_on_an_encryption_instance() {
    let sim = sim().await;
    require_full_sim!(sim);
    let clusters = json(&dbss(&sim, &["api", "list-db-encrypt-instances", "-o", "json"]));
    let id = clusters["clusters"][0]["instance_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!id.is_empty(), "{clusters}");
    let bound = json(&dbss(
        &sim,
        &[
            "instances",
            "eip",
            "bind",
            &id,
            "--eip",
            "203.0.113.7",
            "--eip-id",
            "4b8c0b9f-2d6e-4a3c-8f1e-0a9b8c7d6e5f",
            "--product",
            "encrypt",
            "-o",
            "json",
        ],
    ));
    assert_eq!(bound["result"], "success", "{bound}");
    let after = json(&dbss(&sim, &["api", "list-db-encrypt-instances", "-o", "json"]));
    assert!(after.to_string().contains("203.0.113.7"), "{after}");
    let unbound = json(&dbss(
        &sim,
        &[
            "instances",
            "eip",
            "unbind",
            &id,
            "--product",
            "encrypt",
            "-o",
            "json",
            "--yes",
        ],
    ));
    assert_eq!(unbound["result"], "success", "{unbound}");
    // An id outside the documented length is refused before sending, as a usage error.
    fails(
        &dbss(
            &sim,
            &["instances", "eip", "unbind", "nope", "--product", "om", "--yes"],
        ),
        2,
    );
}
