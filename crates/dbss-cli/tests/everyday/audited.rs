//! What an instance audits: `dbss databases|agents|rules|whitelists ...`.

use serde_json::Value;

use crate::audited_instance;
use crate::require_full_sim;
use crate::support::{dbss, fails, golden, json, list, ok, sim, stderr, temp_dir, text};
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
