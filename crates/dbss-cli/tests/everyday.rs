//! The everyday commands (`dbss instances|databases|agents|rules|whitelists|sql|alarms|reports|
//! tags|quotas ...`) against the stateful simulator, as real processes. Each test skips (and
//! says so) on a simulator that does not serve these operations yet.

mod support;

use dbss_sim::Simulator;
use serde_json::Value;
use support::{dbss, fails, golden, json, ok, sim, stderr, stdout, temp_dir};

/// The list printed by `dbss <args> -o json`.
fn list(sim: &Simulator, args: &[&str]) -> Vec<Value> {
    let mut args = args.to_vec();
    args.extend(["-o", "json"]);
    match json(&dbss(sim, &args)) {
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

/// The named fields of `value` as YAML lines (what `--query` would print).
fn render_yaml(value: &Value, fields: &[&str]) -> String {
    fields.iter().map(|f| format!("{f}: {}\n", value[*f])).collect()
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no {field} in {value}"))
}

/// An ACTIVE seeded instance that has databases (the ones with audit records).
fn audited_instance(sim: &Simulator) -> String {
    for instance in list(sim, &["instances", "list", "--all"]) {
        let id = text(&instance, "id");
        if instance["status"] == "ACTIVE" && !list(sim, &["databases", "list", "-i", &id]).is_empty() {
            return id;
        }
    }
    panic!("no ACTIVE instance with databases in the seeded scenario");
}

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
    let created = json(&dbss(
        &sim,
        &[
            "instances",
            "create",
            "--name",
            "cli-made",
            "--flavor",
            "c6.xlarge.2",
            "--vpc",
            "b26086b0-8257-21c4-6b34-3c2486e643b7",
            "--subnet",
            "fe866fcb-2725-fcd8-0b02-4a7957795b65",
            "--security-group",
            "b80bb774-0288-fda1-f201-890375a60c8f",
            "--zone",
            "cn-north-4a",
            "--product-id",
            "9bea82de-f865-d4d0-e499-eb252805f127",
            "--region",
            "cn-north-4",
            "--tag",
            "env=test",
            "--wait",
            "--wait-timeout",
            "60",
        ],
    ));
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
async fn databases_add_list_disable_enable_delete() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = text(&list(&sim, &["instances", "list"])[0], "id");
    let added = json(&dbss(
        &sim,
        &[
            "databases",
            "add",
            "-i",
            &instance,
            "--name",
            "orders",
            "--type",
            "MYSQL",
            "--version",
            "8.0",
            "--ip",
            "192.168.0.30",
            "--port",
            "3306",
        ],
    ));
    let db = text(&added, "id");
    let listed = list(&sim, &["databases", "list", "-i", &instance, "--all"]);
    assert!(
        listed.iter().any(|d| d["id"] == db.as_str() && d["name"] == "orders"),
        "{listed:?}"
    );

    golden(
        "databases-list.table",
        &ok(&dbss(&sim, &["databases", "list", "-i", &instance, "-o", "table"])),
    );
    let off = json(&dbss(&sim, &["databases", "disable", "-i", &instance, &db]));
    assert_eq!(off["audit"], "OFF");
    golden(
        "databases-disable.json",
        &serde_json::to_string_pretty(&off).unwrap_or_default(),
    );
    let on = json(&dbss(&sim, &["databases", "enable", "-i", &instance, &db]));
    assert_eq!(on["audit"], "ON");
    ok(&dbss(&sim, &["databases", "delete", "-i", &instance, &db, "--yes"]));
    let listed = list(&sim, &["databases", "list", "-i", &instance, "--all"]);
    assert!(!listed.iter().any(|d| d["id"] == db.as_str()), "{listed:?}");

    let err = fails(&dbss(&sim, &["databases", "add", "-i", &instance, "--name", "x"]), 2);
    assert!(err.contains("--type") && err.contains("--port"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_add_list_switch_download_delete() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    let db = text(&list(&sim, &["databases", "list", "-i", &instance])[0], "id");
    ok(&dbss(
        &sim,
        &["agents", "add", "-i", &instance, "-d", &db, "--type", "DB"],
    ));
    let agents = list(&sim, &["agents", "list", "-i", &instance, "-d", &db]);
    let agent = agents.last().map(|a| text(a, "agent_id")).unwrap_or_default();
    assert!(!agent.is_empty(), "{agents:?}");
    golden(
        "agents-list.table",
        &ok(&dbss(&sim, &["agents", "list", "-i", &instance, "-o", "table"])),
    );
    let everywhere = list(&sim, &["agents", "list", "-i", &instance, "--all"]);
    assert!(
        everywhere
            .iter()
            .any(|a| a["agent_id"] == agent.as_str() && a["db_id"] == db.as_str())
    );

    assert_eq!(
        json(&dbss(&sim, &["agents", "disable", "-i", &instance, &agent]))["status"],
        "OFF"
    );
    assert_eq!(
        json(&dbss(&sim, &["agents", "enable", "-i", &instance, &agent]))["status"],
        "ON"
    );

    let dir = temp_dir("agent-download");
    let file = dir.join("agent.tar.gz");
    let path = file.display().to_string();
    let out = dbss(&sim, &["agents", "download", "-i", &instance, &agent, "--out", &path]);
    let saved = json(&out);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    assert!(size > 0 && saved["bytes"] == size, "{saved} vs {size}");
    assert!(!dir.join("agent.tar.gz.part").exists());
    assert!(
        stderr(&out).is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        stderr(&out)
    );

    ok(&dbss(
        &sim,
        &["agents", "delete", "-i", &instance, &agent, "-d", &db, "--yes"],
    ));
    let agents = list(&sim, &["agents", "list", "-i", &instance, "-d", &db]);
    assert!(!agents.iter().any(|a| a["agent_id"] == agent.as_str()), "{agents:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_of_every_kind_list_disable_enable_delete() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    for kind in ["risk", "scope", "sql-injection", "masking"] {
        let rules = list(&sim, &["rules", kind, "list", "-i", &instance, "--all"]);
        assert!(!rules.is_empty(), "{kind}: no rules");
        let table = ok(&dbss(&sim, &["rules", kind, "list", "-i", &instance, "-o", "table"]));
        assert!(table.starts_with("ID "), "{kind}: {table}");
        golden(&format!("rules-{kind}-list.table"), &table);
        // The last rule: built-in ones (listed first) may refuse to be deleted.
        let id = text(rules.last().unwrap_or(&Value::Null), "id");
        let off = json(&dbss(&sim, &["rules", kind, "disable", "-i", &instance, &id]));
        assert_eq!(off["status"], "OFF", "{kind}: {off}");
        let on = json(&dbss(&sim, &["rules", kind, "enable", "-i", &instance, &id]));
        assert_eq!(on["status"], "ON", "{kind}: {on}");
        let listed = list(&sim, &["rules", kind, "list", "-i", &instance, "--all"]);
        let rule = listed.iter().find(|r| r["id"] == id.as_str());
        assert_eq!(rule.map(|r| r["status"].clone()), Some(Value::from("ON")), "{kind}");
    }
    // Deleting needs a rule that may be deleted: a custom scope is turned off, then removed.
    let scopes = list(&sim, &["rules", "scope", "list", "-i", &instance, "--all"]);
    if let Some(custom) = scopes.iter().find(|s| s["all_audit"] != true) {
        let id = text(custom, "id");
        ok(&dbss(&sim, &["rules", "scope", "disable", "-i", &instance, &id]));
        ok(&dbss(
            &sim,
            &["rules", "scope", "delete", "-i", &instance, &id, "--yes"],
        ));
        let after = list(&sim, &["rules", "scope", "list", "-i", &instance, "--all"]);
        assert!(!after.iter().any(|s| s["id"] == id.as_str()));
    }
    // The other kinds: delete the last rule (user-defined ones come last) when the service allows it.
    for kind in ["risk", "sql-injection", "masking"] {
        let rules = list(&sim, &["rules", kind, "list", "-i", &instance, "--all"]);
        let id = text(rules.last().unwrap_or(&Value::Null), "id");
        let out = dbss(&sim, &["rules", kind, "delete", "-i", &instance, &id, "--yes"]);
        if out.status.success() {
            let after = list(&sim, &["rules", kind, "list", "-i", &instance, "--all"]);
            assert!(
                !after.iter().any(|r| r["id"] == id.as_str()),
                "{kind}: {id} still listed"
            );
        } else {
            // Built-in rules may be refused; that is the service's answer, exit 4.
            fails(&out, 4);
        }
    }
    fails(&dbss(&sim, &["rules", "risk", "delete", "-i", &instance]), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn whitelists_add_list_delete() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    let sql = "SELECT 1 FROM dual";
    ok(&dbss(
        &sim,
        &[
            "whitelists",
            "add",
            "-i",
            &instance,
            "--sql",
            sql,
            "--desc",
            "health check",
        ],
    ));
    let entries = list(&sim, &["whitelists", "list", "-i", &instance, "--all"]);
    let entry = entries
        .iter()
        .find(|e| e["sql"] == sql)
        .unwrap_or_else(|| panic!("{entries:?}"));
    let id = text(entry, "id");
    golden(
        "whitelists-list.table",
        &ok(&dbss(&sim, &["whitelists", "list", "-i", &instance, "-o", "table"])),
    );
    ok(&dbss(&sim, &["whitelists", "delete", "-i", &instance, &id, "--yes"]));
    let entries = list(&sim, &["whitelists", "list", "-i", &instance, "--all"]);
    assert!(!entries.iter().any(|e| e["id"] == id.as_str()), "{entries:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_and_alarms_list_windows() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    for since in ["30m", "1h", "24h", "7d", "2h", "90m"] {
        ok(&dbss(&sim, &["sql", "list", "-i", &instance, "--since", since]));
    }
    let week = list(&sim, &["sql", "list", "-i", &instance, "--since", "7d", "--limit", "5"]);
    assert_eq!(week.len(), 5, "the seeded instance has a week of statements");
    assert!(
        week[0]["sql_statement"].is_string(),
        "records are the sql objects: {}",
        week[0]
    );
    let table = ok(&dbss(
        &sim,
        &[
            "sql", "list", "-i", &instance, "--since", "7d", "--limit", "3", "-o", "table",
        ],
    ));
    assert!(table.starts_with("ID ") && table.lines().count() == 4, "{table}");
    golden("sql-list.table", &table);
    let high = list(
        &sim,
        &[
            "sql", "list", "-i", &instance, "--since", "30d", "--risk", "HIGH", "--all",
        ],
    );
    assert!(high.iter().all(|r| r["risk_level"] == "HIGH"), "{high:?}");

    let alarms = list(
        &sim,
        &["alarms", "list", "-i", &instance, "--since", "30d", "--limit", "3"],
    );
    assert!(alarms.iter().all(|a| a["alarm_type"].is_string()), "{alarms:?}");
    let table = ok(&dbss(
        &sim,
        &[
            "alarms", "list", "-i", &instance, "--since", "30d", "--limit", "3", "-o", "table",
        ],
    ));
    golden("alarms-list.table", &table);
    fails(
        &dbss(&sim, &["alarms", "list", "-i", &instance, "--risk", "NO_RISK"]),
        2,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_and_alarms_export_every_record_in_jsonl_and_csv() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    let dir = temp_dir("export");
    let every = list(
        &sim,
        &[
            "sql",
            "list",
            "-i",
            &instance,
            "--since",
            "30d",
            "--all",
            "--query",
            "[].{id: id}",
        ],
    );
    assert!(every.len() > 100, "enough rows to need several pages: {}", every.len());

    let jsonl = dir.join("sql.jsonl");
    let out = dbss(
        &sim,
        &[
            "sql",
            "export",
            "-i",
            &instance,
            "--since",
            "30d",
            "--out",
            &jsonl.display().to_string(),
            "--page-size",
            "37",
        ],
    );
    ok(&out);
    assert_eq!(stdout(&out), "", "records go to the file");
    assert!(
        stderr(&out).contains(&format!("{} records written", every.len())),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&jsonl).unwrap_or_default();
    assert_eq!(text.lines().count(), every.len());
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(record["id"].is_string(), "{line}");
    }

    let csv = dir.join("sql.csv");
    ok(&dbss(
        &sim,
        &[
            "sql",
            "export",
            "-i",
            &instance,
            "--since",
            "30d",
            "--format",
            "csv",
            "--out",
            &csv.display().to_string(),
        ],
    ));
    let text = std::fs::read_to_string(&csv).unwrap_or_default();
    assert!(
        text.starts_with("id,start_time,sql_statement,"),
        "{}",
        text.lines().next().unwrap_or("")
    );
    assert!(!dir.join("sql.csv.part").exists());

    // To stdout when no file is named, alarms as CSV.
    let out = dbss(
        &sim,
        &["alarms", "export", "-i", &instance, "--since", "30d", "--format", "csv"],
    );
    assert!(ok(&out).starts_with("id,alarm_time,alarm_type"), "{}", stdout(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_list_and_download() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = audited_instance(&sim);
    // A report is made through `dbss api`, then built by the service for a moment.
    let body = r#"{"start_time":"2025-06-01 00:00:00","end_time":"2025-06-02 00:00:00","template_id":"74f53564-53a6-9e43-8e0f-58ef93103cc0"}"#;
    ok(&dbss(
        &sim,
        &["api", "create-report", "--instance-id", &instance, "--body", body],
    ));
    let started = std::time::Instant::now();
    let report = loop {
        let reports = list(&sim, &["reports", "list", "-i", &instance, "--all"]);
        if let Some(done) = reports.iter().find(|r| r["percentum"] == 100) {
            break done.clone();
        }
        assert!(started.elapsed().as_secs() < 30, "no report finished: {reports:?}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let report = &report;
    let id = text(report, "id");
    let dir = temp_dir("report");
    let file = dir.join("report.pdf");
    let saved = json(&dbss(
        &sim,
        &[
            "reports",
            "download",
            "-i",
            &instance,
            &id,
            "--out",
            &file.display().to_string(),
        ],
    ));
    assert!(saved["bytes"].as_u64().unwrap_or(0) > 0, "{saved}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_add_list_remove_and_quotas() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = text(&list(&sim, &["instances", "list"])[0], "id");
    ok(&dbss(&sim, &["tags", "add", "-i", &instance, "env=prod", "team=db"]));
    let tags = list(&sim, &["tags", "list", "-i", &instance]);
    for (key, value) in [("env", "prod"), ("team", "db")] {
        assert!(tags.iter().any(|t| t["key"] == key && t["value"] == value), "{tags:?}");
    }
    golden(
        "tags-list.table",
        &ok(&dbss(&sim, &["tags", "list", "-i", &instance, "-o", "table"])),
    );
    ok(&dbss(&sim, &["tags", "remove", "-i", &instance, "team", "--yes"]));
    let tags = list(&sim, &["tags", "list", "-i", &instance]);
    assert!(!tags.iter().any(|t| t["key"] == "team"), "{tags:?}");
    fails(
        &dbss(&sim, &["tags", "list", "-i", "0123456789abcdef0123456789abcdef"]),
        4,
    );

    let quota = json(&dbss(&sim, &["quotas", "show"]));
    assert!(quota["audit_quota"].is_number(), "{quota}");
    golden(
        "quotas-show.table",
        &ok(&dbss(&sim, &["quotas", "show", "-o", "table"])),
    );
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
