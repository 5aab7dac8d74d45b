//! `dbss policy export|plan|apply` and `dbss::policy` against the simulator: round trip,
//! idempotency, pruning, a failure mid-apply then a converging rerun, the plan's golden
//! output, fleets, and bad documents refused before any call.

mod support;

use std::path::PathBuf;

use dbss::policy::{PlanOptions, Policy, PolicyError};
use dbss_sim::{Fault, Simulator, State};
use support::{dbss, fails, golden, ok, stderr, stdout, temp_dir};

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccc";

/// A policy touching every part: built-in switches, custom rules of each kind, tags.
const POLICY: &str = r#"
risk_rules:
  builtin:
    Database slow SQL detection: "OFF"
  custom:
    - name: bulk export
      risk_level: HIGH
      status: "ON"
      action: SELECT
      client_ips: 10.0.0.0/8
      execution_symbol: GREATER
      execution_time: 5
      affect_symbol: GREATER_EQUAL
      affect_rows: 10000
      schemas:
        - schema: shop
          table: customers
    - name: night logins
      risk_level: MEDIUM
      status: "OFF"
      action: LOGIN
      execution_symbol: NO_MATCH
      execution_time: 0
      affect_symbol: NO_MATCH
      affect_rows: 0
audit_scopes:
  builtin:
    full audit rule: "ON"
  custom:
    - name: shop traffic
      status: "OFF"
      db_names: shop
      source_ips: 10.1.0.0/16
sql_injection_rules:
  builtin:
    Tautology injection: "OFF"
  custom:
    - name: sleep probe
      risk_level: HIGH
      status: "ON"
      regex: (?i)sleep\s*\(
masking_rules:
  builtin:
    E-mail address: "OFF"
  custom:
    - name: passport
      status: "OFF"
      regex: '[A-Z]\d{8}'
      mask_value: '#########'
masking_switch: "ON"
log_retention_days: 365
alarm_notification:
  switch: "ON"
  topic_urn: urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dbss-alarms
  risk_levels: [high, medium]
  cpu_percent: 90
  memory_percent: 85
  disk_percent: 75
  alarms_per_day: 20
tags:
  env: prod
  team: dba
"#;

fn scenario() -> State {
    let instance = |id: &str, name: &str| {
        format!(r#"{{"id": "{id}", "name": "{name}", "status": "ACTIVE", "resource_id": "{name:0>32}"}}"#)
    };
    let json = format!(
        r#"{{"instances": [{}, {}, {}]}}"#,
        instance(A, "alpha"),
        instance(B, "bravo"),
        instance(C, "charlie")
    );
    State::from_scenario_json(&json).unwrap_or_else(|e| panic!("scenario: {e}"))
}

async fn start(faults: &[&str]) -> Simulator {
    let mut builder = Simulator::builder().state(scenario());
    for fault in faults {
        builder = builder.fault(fault.parse::<Fault>().unwrap_or_else(|e| panic!("{fault}: {e}")));
    }
    builder.start().await.unwrap_or_else(|e| panic!("simulator: {e}"))
}

fn client(sim: &Simulator) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

fn policy() -> Policy {
    Policy::from_yaml(POLICY).unwrap_or_else(|e| panic!("{e}"))
}

async fn export(client: &dbss::Client, id: &str) -> String {
    Policy::export(client, id)
        .await
        .and_then(|p| p.to_yaml())
        .unwrap_or_else(|e| panic!("export {id}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn round_trip_export_apply_export_is_equal() {
    let sim = start(&[]).await;
    let client = client(&sim);
    let plan = policy().plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    plan.apply(&client).await.unwrap_or_else(|e| panic!("{e}"));
    let exported_a = export(&client, A).await;
    assert!(
        exported_a.contains("bulk export") && exported_a.contains("team: dba"),
        "{exported_a}"
    );

    // The CLI applies A's export to B; B's export is then A's, byte for byte.
    let dir = temp_dir("policy-round-trip");
    let file = write(&dir, "a.yaml", &exported_a);
    let file = file.to_string_lossy();
    ok(&dbss(&sim, &["policy", "apply", "-f", &file, "--instance", B, "--yes"]));
    let out = dbss(&sim, &["policy", "export", "--instance", B]);
    assert_eq!(ok(&out).trim_end(), exported_a.trim_end());

    // --out writes the same document to a file.
    let out_file = dir.join("b.yaml");
    ok(&dbss(
        &sim,
        &["policy", "export", "-i", B, "--out", &out_file.to_string_lossy()],
    ));
    let written = std::fs::read_to_string(&out_file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written, exported_a);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn applying_twice_leaves_the_second_plan_empty() {
    let sim = start(&[]).await;
    let dir = temp_dir("policy-idempotent");
    let file = write(&dir, "p.yaml", POLICY);
    let file = file.to_string_lossy();
    // Changes pending: exit 2.
    fails(&dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]), 2);
    ok(&dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]));
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]);
    assert_eq!(ok(&out).trim(), format!("instance {A}: no changes"));
    let out = dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]);
    assert!(ok(&out).contains("no changes"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn items_absent_from_the_file_are_deleted_only_with_prune() {
    let sim = start(&[]).await;
    let client = client(&sim);
    let first = policy().plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    first.apply(&client).await.unwrap_or_else(|e| panic!("{e}"));

    // A smaller file: one custom risk rule, no SQL rule, one tag.
    let smaller = r#"
risk_rules:
  custom:
    - name: bulk export
      risk_level: HIGH
      status: "ON"
      action: SELECT
      client_ips: 10.0.0.0/8
      execution_symbol: GREATER
      execution_time: 5
      affect_symbol: GREATER_EQUAL
      affect_rows: 10000
      schemas:
        - schema: shop
          table: customers
sql_injection_rules: {}
tags:
  env: prod
"#;
    let small = Policy::from_yaml(smaller).unwrap_or_else(|e| panic!("{e}"));
    let plan = small.plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.is_empty(), "without --prune nothing is deleted:\n{plan}");

    let dir = temp_dir("policy-prune");
    let file = write(&dir, "small.yaml", smaller);
    let file = file.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "-i", A, "--prune"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    for deleted in [
        "\u{2212} \"night logins\"",
        "\u{2212} \"sleep probe\"",
        "\u{2212} \"team\"",
    ] {
        assert!(text.contains(deleted), "{deleted} missing:\n{text}");
    }
    // Masking rules are not in the file, so not managed: nothing of them is deleted.
    assert!(!text.contains("passport"), "{text}");
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &file, "-i", A, "--prune", "--yes"],
    ));

    let after = Policy::export(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    let names = |p: &Policy| -> Vec<String> {
        p.risk_rules
            .iter()
            .flat_map(|r| r.custom.iter().map(|c| c.name.clone()))
            .collect()
    };
    assert_eq!(names(&after), ["bulk export"]);
    assert_eq!(after.sql_injection_rules.map(|s| s.custom.len()), Some(0));
    assert_eq!(after.masking_rules.map(|s| s.custom.len()), Some(1));
    assert_eq!(
        after.tags.map(|t| t.into_keys().collect::<Vec<_>>()),
        Some(vec!["env".to_owned()])
    );
    let pruned = small
        .plan_with(&client, A, PlanOptions { prune: true })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(pruned.is_empty(), "{pruned}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_mid_apply_stops_reports_and_a_rerun_converges() {
    // The first SQL-injection rule creation is refused; the risk-rule changes come before it.
    let sim = start(&["op=CreateAuditSqlRule,status=400,times=1"]).await;
    let client = client(&sim);
    let plan = policy().plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    match plan.apply(&client).await {
        Err(PolicyError::Apply { applied, failed, .. }) => {
            assert!(applied.iter().any(|c| c.contains("bulk export")), "{applied:?}");
            assert!(failed.contains("sleep probe"), "{failed}");
        }
        other => panic!("expected a stopped apply, got {other:?}"),
    }
    // The rerun (through the CLI) converges and the next plan is empty.
    let dir = temp_dir("policy-fault");
    let file = write(&dir, "p.yaml", POLICY);
    let file = file.to_string_lossy();
    ok(&dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]));
    let again = policy().plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(again.is_empty(), "{again}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_reports_what_was_applied_before_a_failure() {
    let sim = start(&["op=CreateSensitiveMaskRule,status=400,times=1"]).await;
    let dir = temp_dir("policy-fault-cli");
    let file = write(&dir, "p.yaml", POLICY);
    let file = file.to_string_lossy();
    let out = dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]);
    let err = fails(&out, 4);
    assert!(err.contains("done   risk rules: + \"bulk export\""), "{err}");
    assert!(err.contains("failed masking rules: + \"passport\""), "{err}");
    ok(&dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]));
    ok(&dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_output_is_grouped_and_stable() {
    let sim = start(&[]).await;
    let dir = temp_dir("policy-golden");
    let file = write(&dir, "p.yaml", POLICY);
    let file = file.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    golden("policy-plan.txt", &stdout(&out));

    // A change in place and a tag update read as such.
    let client = client(&sim);
    let plan = policy().plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    plan.apply(&client).await.unwrap_or_else(|e| panic!("{e}"));
    let changed = POLICY
        .replace("execution_time: 5", "execution_time: 9")
        .replace("team: dba", "team: sec");
    let file = write(&dir, "changed.yaml", &changed);
    let out = dbss(&sim, &["policy", "plan", "-f", &file.to_string_lossy(), "-i", A]);
    golden("policy-plan-update.txt", &stdout(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_file_on_a_fleet_reports_per_instance() {
    let sim = start(&[]).await;
    let dir = temp_dir("policy-fleet");
    let file = write(&dir, "p.yaml", "tags:\n  env: prod\n");
    let file = file.to_string_lossy();
    let list = format!("{A},{B}");
    let out = dbss(&sim, &["policy", "apply", "-f", &file, "--instances", &list, "--yes"]);
    let err = stderr(&out);
    ok(&out);
    assert!(err.contains(&format!("{A}: applied 1 change(s)")), "{err}");
    assert!(err.contains(&format!("{B}: applied 1 change(s)")), "{err}");
    // C still lacks the tag: the fleet plan says so and exits 2; after applying to all, 0.
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "--all-instances"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains(&format!("instance {A}: no changes")), "{text}");
    assert!(text.contains(&format!("instance {C}: 1 to create")), "{text}");
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &file, "--all-instances", "--yes"],
    ));
    ok(&dbss(&sim, &["policy", "plan", "-f", &file, "--all-instances"]));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_without_yes_off_a_terminal_changes_nothing() {
    let sim = start(&[]).await;
    let dir = temp_dir("policy-confirm");
    let file = write(&dir, "p.yaml", "tags:\n  env: prod\n");
    let out = dbss(&sim, &["policy", "apply", "-f", &file.to_string_lossy(), "-i", A]);
    let err = fails(&out, 2);
    assert!(err.contains("--yes"), "{err}");
    let tags = Policy::export(&client(&sim), A)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .tags;
    assert_eq!(tags.map(|t| t.contains_key("env")), Some(false));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_documents_are_refused_before_any_call() {
    // Every call would be refused with 403, so a call would show as exit 4, not 3.
    let sim = start(&["op=*,status=403"]).await;
    let dir = temp_dir("policy-bad");
    let cases = [
        (
            "unknown key",
            "tags:\n  env: prod\nrisk_rulez: {}\n",
            "line 3",
            "risk_rulez",
        ),
        (
            "wrong type",
            "risk_rules:\n  custom:\n    - name: x\n      risk_level: HIGH\n      status: \"ON\"\n      execution_symbol: GREATER\n      execution_time: soon\n      affect_symbol: EQUAL\n      affect_rows: 1\n",
            "line 7",
            "risk_rules.custom[0].execution_time",
        ),
        (
            "unknown level",
            "sql_injection_rules:\n  custom:\n    - name: x\n      risk_level: SEVERE\n      status: \"ON\"\n      regex: a\n",
            "line 4",
            "sql_injection_rules.custom[0].risk_level",
        ),
        (
            "duplicate name",
            "masking_rules:\n  custom:\n    - {name: x, status: \"ON\", regex: a, mask_value: b}\n    - {name: x, status: \"ON\", regex: a, mask_value: b}\n",
            "a second rule",
            "masking_rules.custom[1].name",
        ),
        (
            "percentage out of range",
            "alarm_notification:\n  switch: \"OFF\"\n  cpu_percent: 150\n  memory_percent: 80\n  disk_percent: 80\n  alarms_per_day: 1\n",
            "from 1 to 100",
            "alarm_notification.cpu_percent",
        ),
    ];
    for (what, text, location, field) in cases {
        let file = write(&dir, "bad.yaml", text);
        for verb in [&["plan"][..], &["apply", "--yes"]] {
            let file = file.to_string_lossy();
            let out = dbss(&sim, &[&["policy"], verb, &["-f", &file, "-i", A]].concat());
            let err = fails(&out, 3);
            assert!(
                err.contains(location) && err.contains(field),
                "{what} ({verb:?}):\n{err}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_builtin_rule_names_are_refused_before_any_write() {
    let sim = start(&[]).await;
    let client = client(&sim);
    let before = export(&client, A).await;
    let dir = temp_dir("policy-unknown-builtin");
    let text = "tags:\n  env: prod\nrisk_rules:\n  builtin:\n    No such rule: \"ON\"\n";
    let file = write(&dir, "p.yaml", text);
    let out = dbss(
        &sim,
        &["policy", "apply", "-f", &file.to_string_lossy(), "-i", A, "--yes"],
    );
    let err = fails(&out, 3);
    assert!(err.contains("risk_rules.builtin.\"No such rule\""), "{err}");
    // The tag, which comes later in the plan, was not written either.
    assert_eq!(export(&client, A).await, before);
    let _ = std::fs::remove_dir_all(dir);
}
