//! The everyday commands (`dbss instances|databases|agents|rules|whitelists|sql|alarms|reports|
//! tags|quotas ...`) against the stateful simulator, as real processes. Each test skips (and
//! says so) on a simulator that does not serve these operations yet.

#[path = "../support/mod.rs"]
mod support;

mod audited;
mod instances;
mod records;

use dbss_sim::Simulator;
use serde_json::Value;

use crate::support::{dbss, fails, golden, json, list, ok, sim, text};

/// The named fields of `value` as YAML lines (what `--query` would print).
pub(crate) fn render_yaml(value: &Value, fields: &[&str]) -> String {
    fields.iter().map(|f| format!("{f}: {}\n", value[*f])).collect()
}

/// An ACTIVE seeded instance that has databases (the ones with audit records).
pub(crate) fn audited_instance(sim: &Simulator) -> String {
    for instance in list(sim, &["instances", "list", "--all"]) {
        let id = text(&instance, "id");
        if instance["status"] == "ACTIVE" && !list(sim, &["databases", "list", "-i", &id]).is_empty() {
            return id;
        }
    }
    panic!("no ACTIVE instance with databases in the seeded scenario");
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
