//! Finding and naming things: `dbss api list`, operation ids in either spelling, suggestions
//! for a typo, body templates, enum values in any case, time windows, `--all --limit`, names
//! where ids are asked, and removing a tag that is not there. The binary runs as a process
//! against a simulator on 127.0.0.1.

mod support;

use dbss_sim::Simulator;
use serde_json::Value;
use support::{bare, dbss, fails, golden, json, ok, run, sim, stderr};

/// The list printed by `dbss <args> -o json`.
fn list(sim: &Simulator, args: &[&str]) -> Vec<Value> {
    let mut args = args.to_vec();
    args.extend(["-o", "json"]);
    match json(&dbss(sim, &args)) {
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no {field} in {value}"))
}

/// `dbss <args>` without a simulator (commands that call nothing).
fn local(args: &[&str]) -> std::process::Output {
    let mut command = bare();
    command.args(args);
    run(command)
}

#[test]
fn api_list_shows_matching_operations_with_their_replacements() {
    let out = local(&["api", "list", "SecurityGroup", "-o", "json"]);
    let items = match serde_json::from_str::<Value>(&ok(&out)) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a list: {other:?}"),
    };
    let names: Vec<String> = items.iter().map(|op| text(op, "name")).collect();
    assert!(
        names.contains(&"update-audit-security-group-new".to_owned()),
        "{names:?}"
    );
    assert!(
        names.iter().all(|n| n.contains("security-group")),
        "only matching operations: {names:?}"
    );
    let old = items
        .iter()
        .find(|op| op["name"] == "update-audit-security-group")
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(old["deprecated"], true);
    assert_eq!(old["replaced_by"], "update-audit-security-group-new");
    assert_eq!(old["id"], "UpdateAuditSecurityGroup");
    assert_eq!(old["method"], "POST");
    golden(
        "api-list-security-group.table",
        &ok(&local(&["api", "list", "security-group", "-o", "table"])),
    );

    let every = local(&["api", "list", "-o", "jsonl"]);
    assert!(ok(&every).lines().count() > 100, "every operation without a word");
    let none = local(&["api", "list", "no-such-thing-at-all", "-o", "json"]);
    assert!(stderr(&none).contains("no operation matches"), "{}", stderr(&none));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pascal_case_id_works_like_the_kebab_name() {
    let sim = sim().await;
    let by_id = json(&dbss(&sim, &["api", "ListAuditInstances", "--limit", "1"]));
    let by_name = json(&dbss(&sim, &["api", "list-audit-instances", "--limit", "1"]));
    assert_eq!(by_id["servers"][0]["id"], by_name["servers"][0]["id"], "{by_id}");
    assert!(by_id["servers"][0]["id"].is_string(), "{by_id}");
    let template = ok(&local(&["api", "UpdateAuditSecurityGroupNew", "--body-template"]));
    assert!(template.contains("securitygroup_ids"), "{template}");
}

#[test]
fn a_typo_gets_at_most_three_suggestions_best_first() {
    let err = fails(&local(&["api", "update-audit-securitygroup"]), 2);
    golden("api-typo.stderr", &err);
    let suggested = err
        .split("did you mean ")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("no suggestion: {err}"));
    let names: Vec<&str> = suggested.split(", ").collect();
    assert_eq!(names.first(), Some(&"update-audit-security-group"), "{err}");
    assert!(names.len() <= 3, "{err}");

    let err = fails(&local(&["api", "nothing-resembles-this-name-at-all"]), 2);
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("dbss api list"), "{err}");
}

#[test]
fn body_template_needs_none_of_the_required_flags() {
    // add-audit-agent-new requires --instance-id and --body to be called.
    let template = ok(&local(&["api", "add-audit-agent-new", "--body-template"]));
    assert!(serde_json::from_str::<Value>(&template).is_ok(), "{template}");
    let err = fails(&local(&["api", "add-audit-agent-new", "--body", "{}"]), 2);
    assert!(err.contains("--instance-id"), "{err}");
}

#[test]
fn enum_values_are_listed_in_help_and_completions() {
    let help = ok(&local(&["databases", "add", "--help"]));
    assert!(help.contains("MYSQL") && help.contains("GAUSSDBOPENGAUSS"), "{help}");
    let help = ok(&local(&["api", "list-rds-databases", "--help"]));
    assert!(help.contains("MYSQL"), "{help}");
    let bash = ok(&local(&["completions", "bash"]));
    assert!(bash.contains("MYSQL ORACLE"), "completions offer the engines");
    let help = ok(&local(&["sql", "list", "--help"]));
    assert!(
        help.contains("NO_RISK") && help.contains("--start") && help.contains("--end"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_values_are_accepted_in_any_case_and_a_bad_one_names_its_flag() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = text(&list(&sim, &["instances", "list"])[0], "id");
    let high = list(
        &sim,
        &[
            "sql", "list", "-i", &instance, "--since", "30d", "--risk", "high", "--all",
        ],
    );
    assert!(high.iter().all(|r| r["risk_level"] == "HIGH"), "{high:?}");
    ok(&dbss(&sim, &["instances", "list", "-o", "JSON"]));

    let err = fails(&dbss(&sim, &["sql", "list", "-i", &instance, "--risk", "extreme"]), 2);
    assert!(err.contains("--risk"), "{err}");
    let err = fails(
        &dbss(
            &sim,
            &[
                "databases",
                "add",
                "-i",
                &instance,
                "--name",
                "n",
                "--type",
                "nosuchdb",
                "--version",
                "8",
                "--ip",
                "10.0.0.9",
                "--port",
                "3306",
            ],
        ),
        2,
    );
    assert!(err.contains("--type") && !err.contains("--body"), "{err}");

    let added = json(&dbss(
        &sim,
        &[
            "databases",
            "add",
            "-i",
            &instance,
            "--name",
            "lower",
            "--type",
            "mysql",
            "--version",
            "8.0",
            "--ip",
            "10.0.0.9",
            "--port",
            "3306",
            "--os",
            "linux64",
            "--charset",
            "utf8",
        ],
    ));
    let id = text(&added, "id");
    let databases = list(&sim, &["databases", "list", "-i", &instance, "--all"]);
    let made = databases
        .iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{databases:?}"));
    assert_eq!(made["type"], "MYSQL", "{made}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_and_alarms_take_start_and_end() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = text(&list(&sim, &["instances", "list"])[0], "id");
    let now = chrono::Utc::now();
    let start = (now - chrono::Duration::days(30)).to_rfc3339();
    let end = now.to_rfc3339();
    let month = list(
        &sim,
        &[
            "sql", "list", "-i", &instance, "--start", &start, "--end", &end, "--all",
        ],
    );
    let named = list(&sim, &["sql", "list", "-i", &instance, "--since", "30d", "--all"]);
    assert!(!month.is_empty(), "the seeded instance has statements");
    // Printed times say they are UTC.
    let first = text(&month[0], "start_time");
    assert!(chrono::DateTime::parse_from_rfc3339(&first).is_ok(), "{first}");
    assert_eq!(month.len(), named.len(), "the same month by times and by name");
    // An end a year back: nothing was audited then.
    let old_end = (now - chrono::Duration::days(300)).to_rfc3339();
    let old_start = (now - chrono::Duration::days(301)).to_rfc3339();
    let none = list(
        &sim,
        &[
            "alarms", "list", "-i", &instance, "--start", &old_start, "--end", &old_end,
        ],
    );
    assert!(none.is_empty(), "{none:?}");

    let dir = support::temp_dir("window");
    let out = dir.join("month.jsonl");
    let path = out.to_string_lossy();
    ok(&dbss(
        &sim,
        &["sql", "export", "-i", &instance, "--start", &start, "--out", &path],
    ));
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.lines().count(), month.len());

    for args in [
        &["sql", "list", "-i", &instance, "--start", "yesterday"][..],
        &["sql", "list", "-i", &instance, "--start", &end, "--end", &start],
        &["sql", "list", "-i", &instance, "--start", &start, "--since", "1h"],
    ] {
        let err = fails(&dbss(&sim, args), 2);
        assert!(err.contains("--start"), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_with_limit_stops_after_the_limit() {
    let sim = sim().await;
    require_full_sim!(sim);
    let every = list(&sim, &["instances", "list", "--all"]);
    assert!(every.len() >= 2, "{every:?}");
    let out = dbss(&sim, &["instances", "list", "--all", "--limit", "1", "-o", "jsonl"]);
    assert_eq!(ok(&out).lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_works_where_an_id_is_asked_and_an_ambiguous_one_lists_the_candidates() {
    let sim = sim().await;
    require_full_sim!(sim);
    let first = list(&sim, &["instances", "list"])[0].clone();
    let (id, name) = (text(&first, "id"), text(&first, "name"));
    let shown = json(&dbss(&sim, &["instances", "show", &name]));
    assert_eq!(shown["id"], id.as_str(), "{shown}");
    let tags = dbss(&sim, &["tags", "list", "-i", &name, "-o", "json"]);
    ok(&tags);

    let err = fails(&dbss(&sim, &["instances", "show", "no-instance-is-called-this"]), 4);
    assert!(err.contains("no-instance-is-called-this"), "{err}");

    let mut made = Vec::new();
    for _ in 0..2 {
        let created = json(&dbss(
            &sim,
            &[
                "instances",
                "create",
                "--name",
                "twin",
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
                "--wait",
                "--wait-timeout",
                "60",
            ],
        ));
        made.push(text(&created, "id"));
    }
    let err = fails(&dbss(&sim, &["instances", "show", "twin"]), 2);
    for id in &made {
        assert!(err.contains(id.as_str()), "the candidates are listed: {err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_tag_that_is_not_there_says_so() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = text(&list(&sim, &["instances", "list"])[0], "id");
    ok(&dbss(&sim, &["tags", "add", "-i", &instance, "env=prod"]));
    let err = fails(
        &dbss(&sim, &["tags", "remove", "-i", &instance, "env", "enz", "--yes"]),
        4,
    );
    assert!(err.contains("no tag enz") && err.contains("env"), "{err}");
    // Nothing was removed: the command refused as a whole.
    let tags = list(&sim, &["tags", "list", "-i", &instance]);
    assert!(tags.iter().any(|t| t["key"] == "env"), "{tags:?}");
    ok(&dbss(&sim, &["tags", "remove", "-i", &instance, "env", "--yes"]));
}
