//! What `dbss` prints for scripts: `--query` as JMESPath, `-o text` read by a shell loop, the
//! `DBSS_OUTPUT` default, case-insensitive formats, and `dbss api` list responses as tables.

mod support;

use serde_json::{Value, json};
use support::{bare, command, dbss, fails, golden, json, ok, run, sim, stderr, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn query_is_jmespath_over_the_list_of_items() {
    let sim = sim().await;
    require_full_sim!(sim);
    let all = json(&dbss(&sim, &["instances", "list", "--all", "-o", "json"]));
    let items = all.as_array().cloned().unwrap_or_default();
    assert!(items.len() >= 2, "{all}");
    let ids: Vec<Value> = items.iter().map(|i| i["id"].clone()).collect();
    assert_eq!(
        json(&dbss(&sim, &["instances", "list", "--all", "--query", "[].id"])),
        Value::Array(ids)
    );

    let active: Vec<Value> = items
        .iter()
        .filter(|i| i["status"] == "ACTIVE")
        .map(|i| json!([i["id"], i["name"]]))
        .collect();
    assert!(!active.is_empty() && active.len() < items.len(), "{all}");
    let query = "[?status==`ACTIVE`].[id,name]";
    assert_eq!(
        json(&dbss(&sim, &["instances", "list", "--all", "--query", query])),
        Value::Array(active.clone())
    );
    // JSON lines: one line per element of the result, streamed item by item.
    let lines = ok(&dbss(
        &sim,
        &["instances", "list", "--all", "-o", "jsonl", "--query", query],
    ));
    assert_eq!(lines.lines().count(), active.len(), "{lines}");
    // A query over the whole list.
    assert_eq!(
        json(&dbss(&sim, &["instances", "list", "--all", "--query", "length(@)"])),
        json!(items.len())
    );
    // A single object: the query applies to it.
    let id = ids_first(&items);
    assert_eq!(
        json(&dbss(&sim, &["instances", "show", &id, "--query", "id"])),
        json!(id)
    );
}

fn ids_first(items: &[Value]) -> String {
    items[0]["id"].as_str().map(str::to_owned).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_field_is_noted_on_stderr() {
    let sim = sim().await;
    require_full_sim!(sim);
    let out = dbss(&sim, &["instances", "list", "--query", "[].idd"]);
    assert_eq!(json(&out), json!([]));
    let err = stderr(&out);
    assert!(err.contains("matched nothing") && err.contains("id, "), "{err}");
}

#[test]
fn a_query_syntax_error_exits_2_and_shows_where_before_anything_is_sent() {
    // No credentials: checking the query comes first (a credentials error would exit 3).
    let mut command = bare();
    command.args(["instances", "list", "--query", "instances.id,instances.status"]);
    let err = fails(&run(command), 2);
    golden("query-syntax.stderr", &err);
    let mut command = bare();
    command.args([
        "api",
        "list-audit-instances-new",
        "--query",
        "instances.id,instances.status",
    ]);
    assert_eq!(fails(&run(command), 2), err);
    let mut command = bare();
    command.args(["regions", "list", "--query", "[].foo(id)"]);
    let err = fails(&run(command), 2);
    assert!(err.contains("foo"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_is_read_by_a_shell_while_loop() {
    let sim = sim().await;
    require_full_sim!(sim);
    let all = json(&dbss(&sim, &["instances", "list", "--all", "-o", "json"]));
    let expected: String = all
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            format!(
                "{}={}\n",
                i["name"].as_str().unwrap_or(""),
                i["id"].as_str().unwrap_or("")
            )
        })
        .collect();
    let script = format!(
        "'{}' instances list --all -o text --query '[].[id,name]' | while read id name; do echo \"$name=$id\"; done",
        env!("CARGO_BIN_EXE_dbss")
    );
    let mut shell_command = std::process::Command::new("sh");
    shell_command
        .args(["-c", &script])
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", sim.sk())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_ENDPOINT", sim.url());
    assert_eq!(ok(&run(shell_command)), expected);

    // Without a query: the table's columns, no header, tab-separated.
    let text = ok(&dbss(&sim, &["instances", "list", "-o", "text"]));
    assert!(text.lines().all(|l| l.split('\t').count() == 7), "{text}");
    golden("instances-list.text", &text);
}

#[tokio::test(flavor = "multi_thread")]
async fn dbss_output_sets_the_default_format_and_formats_ignore_case() {
    let sim = sim().await;
    let mut text = command(
        &sim,
        &[
            "api",
            "list-audit-instances",
            "--limit",
            "1",
            "--query",
            "servers[].[id]",
        ],
    );
    text.env("DBSS_OUTPUT", "text");
    let line = ok(&run(text));
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(!line.contains(['[', '"']), "{line}");

    let mut flag_wins = command(&sim, &["api", "list-audit-instances", "--limit", "1", "-o", "JSON"]);
    flag_wins.env("DBSS_OUTPUT", "Yaml");
    assert!(json(&run(flag_wins))["servers"].is_array());

    let mut upper = command(&sim, &["api", "list-audit-instances", "--limit", "1"]);
    upper.env("DBSS_OUTPUT", "YAML");
    assert!(ok(&run(upper)).contains("servers:"));

    let mut bad = command(&sim, &["api", "list-audit-instances"]);
    bad.env("DBSS_OUTPUT", "xml");
    let err = fails(&run(bad), 2);
    assert!(err.contains("xml"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_list_responses_print_their_items_as_a_table() {
    let sim = sim().await;
    let out = dbss(&sim, &["api", "list-audit-instances", "--limit", "2", "-o", "table"]);
    let table = ok(&out);
    assert!(table.starts_with("ID "), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(!table.contains("servers") && !table.contains("total"), "{table}");
    // --query applies to the raw response.
    let ids = ok(&dbss(
        &sim,
        &[
            "api",
            "list-audit-instances",
            "--limit",
            "2",
            "-o",
            "text",
            "--query",
            "servers[].id",
        ],
    ));
    assert_eq!(ids.lines().count(), 2, "{ids}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_table_when_piped_keeps_stdout_to_the_header() {
    let sim = sim().await;
    require_full_sim!(sim);
    let out = dbss(
        &sim,
        &[
            "instances",
            "list",
            "-o",
            "table",
            "--query",
            "[?status==`NO-SUCH`].{id: id, name: name}",
        ],
    );
    assert_eq!(ok(&out), "ID  NAME\n");
    assert!(stderr(&out).contains("no instances"), "{}", stderr(&out));
    assert_eq!(
        stdout(&dbss(
            &sim,
            &["instances", "list", "-o", "text", "--query", "[?status==`NO-SUCH`]"]
        )),
        ""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_query_examples_work() {
    let sim = sim().await;
    require_full_sim!(sim);
    let pairs = json(&dbss(
        &sim,
        &[
            "api",
            "list-audit-instances-last",
            "--limit",
            "10",
            "--query",
            "instances[].[id,status]",
        ],
    ));
    let pairs = pairs.as_array().cloned().unwrap_or_default();
    assert!(!pairs.is_empty(), "no pairs");
    assert!(pairs.iter().all(|p| p[0].is_string() && p[1].is_string()), "{pairs:?}");
    let id = pairs[0][0].as_str().map(str::to_owned).unwrap_or_default();
    let picked = json(&dbss(
        &sim,
        &["instances", "show", &id, "--query", "{id: id, zone: zone}"],
    ));
    assert_eq!(picked["id"], json!(id), "{picked}");
    assert!(picked["zone"].is_string(), "{picked}");
}
