//! The `whitelists` part of a policy against the simulator: entries keyed by their statement,
//! a status change planned as a switch, other changes in place, repeats on the instance pruned,
//! a failure mid-apply then a converging rerun, and bad entries refused before any call with
//! their line and field. (Round trip, idempotency and the golden plan of the whole document,
//! whitelists included, are in `policy.rs`.)

mod support;

use dbss::{
    Operation,
    policy::{PlanOptions, Policy, PolicyError, Switch},
};
use support::{
    dbss, fails, golden, ok,
    policy::{A, client, start, write},
    stderr, stdout, temp_dir,
};

const WHITELIST: &str = r#"
whitelists:
  - sql: SELECT 1
    status: "ON"
    description: load balancer health check
  - sql: SELECT version()
    status: "ON"
    description: driver probe
    db_ids: [db-1]
"#;

fn parse(text: &str) -> Policy {
    Policy::from_yaml(text).unwrap_or_else(|e| panic!("{e}"))
}

async fn apply(client: &dbss::Client, policy: &Policy, options: PlanOptions) {
    let plan = policy
        .plan_with(client, A, options)
        .await
        .unwrap_or_else(|e| panic!("plan: {e}"));
    plan.apply(client).await.unwrap_or_else(|e| panic!("apply: {e}"));
}

/// The instance's whitelist as the service lists it: (statement, enabled) per entry, repeats kept.
async fn listed(client: &dbss::Client) -> Vec<(String, bool)> {
    let listed = client
        .ops()
        .list_whitelists()
        .instance_id(A)
        .call()
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    let mut entries: Vec<_> = listed
        .whitelists
        .into_iter()
        .map(|w| (w.sql.unwrap_or_default(), w.enabled.unwrap_or(true)))
        .collect();
    entries.sort();
    entries
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_change_is_a_switch_and_other_changes_are_in_place() {
    let sim = start(&[]).await;
    let client = client(&sim);
    apply(&client, &parse(WHITELIST), PlanOptions::default()).await;
    assert_eq!(
        listed(&client).await,
        [("SELECT 1".to_owned(), true), ("SELECT version()".to_owned(), true)]
    );

    // One entry switched off, the other given another database and no description, a new one.
    let changed = WHITELIST
        .replacen("status: \"ON\"", "status: \"OFF\"", 1)
        .replace("    description: driver probe\n", "")
        .replace("[db-1]", "[db-2, db-1]")
        + "  - sql: SHOW TABLES\n    status: \"OFF\"\n";
    let dir = temp_dir("policy-whitelists-plan");
    let file = write(&dir, "changed.yaml", &changed);
    let file = file.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    golden("policy-plan-whitelists.txt", &stdout(&out));

    ok(&dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]));
    ok(&dbss(&sim, &["policy", "plan", "-f", &file, "-i", A]));
    let exported = Policy::export(&client, A)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .whitelists
        .unwrap_or_default();
    let first = exported.iter().find(|e| e.sql == "SELECT 1");
    let first = first.map(|e| (e.status, e.description.as_str()));
    assert_eq!(first, Some((Switch::Off, "load balancer health check")));
    let version = exported.iter().find(|e| e.sql == "SELECT version()");
    let version = version.map(|e| (e.db_ids.len(), e.description.as_str()));
    assert_eq!(version, Some((2, "")));
    assert_eq!(exported.len(), 3, "{exported:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_held_twice_loses_its_repeat_only_with_prune() {
    let sim = start(&[]).await;
    let client = client(&sim);
    // The service does not refuse a statement twice: add it twice, and one more entry.
    for sql in ["SELECT 1", "SELECT 1", "SELECT 2"] {
        ok(&dbss(&sim, &["whitelists", "add", "-i", A, "--sql", sql]));
    }
    let exported = Policy::export(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    let statements: Vec<_> = exported.whitelists.iter().flatten().map(|e| e.sql.as_str()).collect();
    assert_eq!(
        statements,
        ["SELECT 1", "SELECT 2"],
        "the export shows a statement once"
    );

    let only_first = "whitelists:\n  - {sql: SELECT 1, status: \"ON\"}\n";
    let plan = parse(only_first)
        .plan(&client, A)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.is_empty(), "without pruning nothing is deleted:\n{plan}");

    let dir = temp_dir("policy-whitelists-prune");
    let file = write(&dir, "p.yaml", only_first);
    let file = file.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &file, "-i", A, "--prune"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    assert!(text.contains("\u{2212} \"SELECT 2\""), "{text}");
    assert!(text.contains("\u{2212} \"SELECT 1\": 1 repeated entr(ies)"), "{text}");
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &file, "-i", A, "--prune", "--yes"],
    ));
    assert_eq!(listed(&client).await, [("SELECT 1".to_owned(), true)]);
    ok(&dbss(&sim, &["policy", "plan", "-f", &file, "-i", A, "--prune"]));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_adding_an_entry_stops_the_apply_and_a_rerun_converges() {
    let sim = start(&["op=BatchAddAuditWhitelist,status=400,times=1"]).await;
    let client = client(&sim);
    let policy = parse(&format!("tags: {{env: prod}}\n{WHITELIST}"));
    let plan = policy.plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    match plan.apply(&client).await {
        Err(PolicyError::Apply { applied, failed, .. }) => {
            assert_eq!(applied, ["tags: + \"env\": \"prod\""]);
            assert!(failed.contains("SELECT 1"), "{failed}");
        }
        other => panic!("expected a stopped apply, got {other:?}"),
    }
    assert!(listed(&client).await.is_empty());
    let again = policy.plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    again.apply(&client).await.unwrap_or_else(|e| panic!("rerun: {e}"));
    let last = policy.plan(&client, A).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(last.is_empty(), "{last}");
    assert_eq!(listed(&client).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_whitelist_entries_are_refused_before_any_call_with_line_and_field() {
    // Every call would be refused with 403, so a call would show as exit 4, not 3.
    let sim = start(&["op=*,status=403"]).await;
    let dir = temp_dir("policy-whitelists-bad");
    let cases = [
        (
            "blank statement",
            "tags: {}\nwhitelists:\n  - sql: \"  \"\n    status: \"ON\"\n",
            "line 3",
            "whitelists[0].sql",
        ),
        (
            "statement twice",
            "whitelists:\n  - {sql: SELECT 1, status: \"ON\"}\n  - sql: SELECT 1\n    status: \"OFF\"\n",
            "line 3",
            "whitelists[1]: sql: a second entry",
        ),
        (
            "unknown key",
            "whitelists:\n  - sql: SELECT 1\n    status: \"ON\"\n    desc: old name\n",
            "line 4",
            "whitelists[0].desc",
        ),
        (
            "wrong type",
            "whitelists:\n  - sql: SELECT 1\n    status: \"ON\"\n    db_ids: 5\n",
            "line 4",
            "whitelists[0].db_ids",
        ),
        (
            "unknown status",
            "whitelists:\n  - sql: SELECT 1\n    status: enabled\n",
            "line 3",
            "whitelists[0].status",
        ),
        ("missing status", "whitelists:\n  - sql: SELECT 1\n", "line 2", "status"),
    ];
    for (what, text, location, field) in cases {
        let file = write(&dir, "bad.yaml", text);
        let file = file.to_string_lossy();
        let out = dbss(&sim, &["policy", "apply", "-f", &file, "-i", A, "--yes"]);
        let err = fails(&out, 3);
        assert!(err.contains(location) && err.contains(field), "{what}:\n{err}");
        // The position is said once, not again by the parser's own message.
        assert_eq!(err.matches("line ").count(), 1, "{what}:\n{err}");
    }

    // A policy built in code is checked too, before the plan reads anything.
    let mut policy = parse(WHITELIST);
    if let Some(entries) = policy.whitelists.as_mut() {
        let first = entries[0].clone();
        entries.push(first);
    }
    match policy.plan(&client(&sim), A).await {
        Err(PolicyError::Document { field, .. }) => assert_eq!(field, "whitelists[2].sql"),
        other => panic!("expected a refused document, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(dir);
}
