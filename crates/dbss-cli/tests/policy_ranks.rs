//! Rule ranks in the policy document: the order of the custom risk and SQL-injection rules is
//! their rank order. A file that reorders them plans rank changes, apply makes them (last),
//! export shows the new order, and the next plan is empty; rules the file leaves out keep
//! their place.

mod support;

use dbss::policy::Policy;
use support::{
    dbss, fails, golden, ok,
    policy::{A, B, client, start, write},
    stdout, temp_dir,
};

fn risk(name: &str) -> String {
    format!(
        "    - name: {name}\n      risk_level: HIGH\n      status: \"ON\"\n      action: SELECT\n      \
         execution_symbol: NO_MATCH\n      execution_time: 0\n      affect_symbol: NO_MATCH\n      affect_rows: 0\n"
    )
}

fn sql(name: &str) -> String {
    format!("    - name: {name}\n      risk_level: LOW\n      status: \"ON\"\n      regex: {name}\\d+\n")
}

/// A policy with the custom risk and SQL-injection rules in the given orders.
fn document(risks: &[&str], sqls: &[&str]) -> String {
    let mut text = String::from("risk_rules:\n  custom:\n");
    for name in risks {
        text.push_str(&risk(name));
    }
    text.push_str("sql_injection_rules:\n  custom:\n");
    for name in sqls {
        text.push_str(&sql(name));
    }
    text
}

/// The names of the custom rules in the export, in the order it writes them.
async fn order(client: &dbss::Client, id: &str) -> (Vec<String>, Vec<String>) {
    let policy = Policy::export(client, id).await.unwrap_or_else(|e| panic!("{e}"));
    let risks = policy
        .risk_rules
        .map(|r| r.custom.into_iter().map(|c| c.name).collect());
    let sqls = policy
        .sql_injection_rules
        .map(|r| r.custom.into_iter().map(|c| c.name).collect());
    (risks.unwrap_or_default(), sqls.unwrap_or_default())
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reordering_rules_plans_rank_changes_and_apply_converges() {
    let sim = start(&[]).await;
    let client = client(&sim);
    let dir = temp_dir("policy-ranks");
    // Created in this order, so ranked in it (not by name).
    let first = write(
        &dir,
        "first.yaml",
        &document(&["zulu", "alpha", "mike"], &["s-two", "s-one"]),
    );
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &first.to_string_lossy(), "-i", A, "--yes"],
    ));
    assert_eq!(
        order(&client, A).await,
        (strings(&["zulu", "alpha", "mike"]), strings(&["s-two", "s-one"]))
    );
    let out = dbss(&sim, &["policy", "plan", "-f", &first.to_string_lossy(), "-i", A]);
    assert!(ok(&out).contains("no changes"));

    // The same rules, reordered: rank changes only.
    let second = write(
        &dir,
        "second.yaml",
        &document(&["mike", "zulu", "alpha"], &["s-one", "s-two"]),
    );
    let second = second.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &second, "-i", A]);
    let text = stdout(&out);
    fails(&out, 2);
    assert!(text.contains("\"mike\": rank "), "{text}");
    assert!(text.contains("\"s-one\": rank "), "{text}");
    assert!(!text.contains("+ ") && !text.contains("\u{2212} "), "{text}");
    golden("policy-plan-ranks.txt", &text);
    ok(&dbss(&sim, &["policy", "apply", "-f", &second, "-i", A, "--yes"]));
    assert_eq!(
        order(&client, A).await,
        (strings(&["mike", "zulu", "alpha"]), strings(&["s-one", "s-two"]))
    );
    let out = dbss(&sim, &["policy", "plan", "-f", &second, "-i", A]);
    assert_eq!(ok(&out).trim(), format!("instance {A}: no changes"));

    // The export of A, applied to a fresh B, gives B the same order: the round trip holds.
    let exported = Policy::export(&client, A)
        .await
        .and_then(|p| p.to_yaml())
        .unwrap_or_else(|e| panic!("{e}"));
    let file = write(&dir, "a.yaml", &exported);
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &file.to_string_lossy(), "-i", B, "--yes"],
    ));
    let out = dbss(&sim, &["policy", "export", "-i", B]);
    assert_eq!(ok(&out).trim_end(), exported.trim_end());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn ranks_are_planned_after_creations_and_absent_rules_keep_their_place() {
    let sim = start(&[]).await;
    let client = client(&sim);
    let dir = temp_dir("policy-ranks-absent");
    let first = write(&dir, "first.yaml", &document(&["one", "kept", "two"], &["s-one"]));
    ok(&dbss(
        &sim,
        &["policy", "apply", "-f", &first.to_string_lossy(), "-i", A, "--yes"],
    ));

    // `kept` is not in the file: it stays between the places of the others. `new` is created
    // (last) and ranked first among the listed rules, in the same apply.
    let second = write(
        &dir,
        "second.yaml",
        &document(&["new", "two", "one"], &["s-new", "s-one"]),
    );
    let second = second.to_string_lossy();
    let out = dbss(&sim, &["policy", "plan", "-f", &second, "-i", A]);
    let text = stdout(&out);
    fails(&out, 2);
    assert!(text.contains("+ \"new\""), "{text}");
    assert!(text.contains("\"new\": rank "), "{text}");
    golden("policy-plan-ranks-create.txt", &text);
    let created = text.find("+ \"new\"").unwrap_or(usize::MAX);
    let ranked = text.find("\"new\": rank ").unwrap_or(0);
    assert!(created < ranked, "rank changes come after the creations:\n{text}");
    ok(&dbss(&sim, &["policy", "apply", "-f", &second, "-i", A, "--yes"]));
    assert_eq!(
        order(&client, A).await,
        (strings(&["new", "kept", "two", "one"]), strings(&["s-new", "s-one"]))
    );
    let out = dbss(&sim, &["policy", "plan", "-f", &second, "-i", A]);
    assert_eq!(ok(&out).trim(), format!("instance {A}: no changes"));

    // With --prune, `kept` goes and the order still converges in one apply.
    let out = dbss(&sim, &["policy", "apply", "-f", &second, "-i", A, "--yes", "--prune"]);
    ok(&out);
    assert_eq!(
        order(&client, A).await,
        (strings(&["new", "two", "one"]), strings(&["s-new", "s-one"]))
    );
    let out = dbss(&sim, &["policy", "plan", "-f", &second, "-i", A, "--prune"]);
    assert_eq!(ok(&out).trim(), format!("instance {A}: no changes"));
    let _ = std::fs::remove_dir_all(dir);
}
