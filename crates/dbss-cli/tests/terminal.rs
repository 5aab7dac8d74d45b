//! `dbss` at a real terminal (a pseudo-terminal 60 or 160 columns wide): tables are the
//! default, fitted to the width by shortening the widest columns with `…`, aligned by display
//! width (CJK characters take two columns), and an empty list says so.
#![cfg(unix)]

mod support;

use dbss_sim::Simulator;
use support::{dbss, json, ok, pty::run_in_terminal, sim};
use unicode_width::UnicodeWidthStr;

fn env(sim: &Simulator) -> Vec<(&'static str, String)> {
    vec![
        ("HUAWEICLOUD_SDK_AK", sim.ak().to_owned()),
        ("HUAWEICLOUD_SDK_SK", sim.sk().to_owned()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id().to_owned()),
        ("DBSS_ENDPOINT", sim.url().to_owned()),
    ]
}

fn in_terminal(sim: &Simulator, args: &[&str], columns: u16) -> String {
    let env = env(sim);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (output, code) = run_in_terminal(args, &env, columns);
    assert_eq!(code, 0, "dbss {args:?} failed in the terminal:\n{output}");
    output
}

fn first_instance(sim: &Simulator) -> String {
    let ids = json(&dbss(sim, &["instances", "list", "--all", "--query", "[].id"]));
    ids[0]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no instance: {ids}"))
}

/// The display column where each line's `nth` cell (0-based) starts, cells being separated by
/// two or more spaces.
fn cell_starts(table: &str, nth: usize) -> Vec<usize> {
    table
        .lines()
        .map(|line| {
            let mut at = 0;
            let mut rest = line;
            for _ in 0..nth {
                let gap = rest.find("  ").unwrap_or_else(|| panic!("too few cells in {line:?}"));
                let skipped = gap + rest[gap..].len() - rest[gap..].trim_start().len();
                at += rest[..skipped].width();
                rest = &rest[skipped..];
            }
            at
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_fit_60_and_160_columns_and_wide_keeps_whole_values() {
    let sim = sim().await;
    require_full_sim!(sim);
    let piped = ok(&dbss(&sim, &["instances", "list", "-o", "table"]));
    let natural = piped.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
    assert!(
        natural > 60 && natural <= 160,
        "the seeded table is {natural} wide:\n{piped}"
    );

    let narrow = in_terminal(&sim, &["instances", "list"], 60);
    assert!(narrow.lines().all(|l| l.width() <= 60), "wider than 60:\n{narrow}");
    assert!(narrow.contains('…') && narrow.starts_with("ID "), "{narrow}");
    assert_eq!(
        narrow.lines().count(),
        piped.lines().count(),
        "one line per row:\n{narrow}"
    );

    let roomy = in_terminal(&sim, &["instances", "list"], 160);
    assert_eq!(roomy, piped, "a table that fits is not cut");

    let wide = in_terminal(&sim, &["instances", "list", "--wide"], 60);
    assert_eq!(wide, piped, "--wide keeps whole values");
}

#[tokio::test(flavor = "multi_thread")]
async fn cjk_rows_stay_aligned() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = first_instance(&sim);
    ok(&dbss(
        &sim,
        &[
            "tags",
            "add",
            "-i",
            &instance,
            "负责人=张三",
            "env=prod",
            "项目=审计平台",
        ],
    ));
    for columns in [60, 160] {
        let table = in_terminal(&sim, &["tags", "list", "-i", &instance], columns);
        assert!(table.contains("负责人  张三"), "{table}");
        let starts = cell_starts(&table, 1);
        assert!(
            starts.iter().all(|s| *s == starts[0]),
            "VALUE does not line up:\n{table}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_list_shows_the_header_and_says_so() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = first_instance(&sim);
    let query = "[?id=='no-such'].{id: id, sql: sql}";
    let shown = in_terminal(&sim, &["whitelists", "list", "-i", &instance, "--query", query], 80);
    assert!(shown.starts_with("ID  SQL\nno whitelists\n"), "{shown}");
    let query = "[?key=='no-such']";
    let shown = in_terminal(&sim, &["tags", "list", "-i", &instance, "--query", query], 80);
    assert!(shown.contains("no tags"), "{shown}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_at_a_terminal_shows_its_progress_and_clears_it() {
    // Each page takes 300 ms, so the counter is drawn several times before the export ends.
    let sim = Simulator::builder()
        .fault(dbss_sim::Fault::latency(
            "ListAuditSqlsNew",
            std::time::Duration::from_millis(300),
        ))
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"));
    require_full_sim!(sim);
    let instance = support::audited_instance_in_state(&sim);
    let dir = support::temp_dir("terminal-progress");
    let file = dir.join("sql.jsonl").display().to_string();
    let args = [
        "sql",
        "export",
        "-i",
        &instance,
        "--since",
        "30d",
        "--page-size",
        "20",
        "--out",
        &file,
    ];
    let shown = in_terminal(&sim, &args, 80);

    let written = std::fs::read_to_string(&file).unwrap_or_default().lines().count();
    assert!(written > 60, "several pages were exported: {written}");
    assert!(shown.contains(" records ("), "a record counter was drawn:\n{shown:?}");
    assert!(
        shown.contains("\u{1b}["),
        "the counter redraws itself in place:\n{shown:?}"
    );
    let last_line = shown.trim_end().rsplit('\n').next().unwrap_or_default();
    assert!(
        last_line.ends_with(&format!("{written} records written to {file}")),
        "the counter is cleared and the summary stays:\n{shown:?}"
    );

    // Piped, the same export draws nothing.
    let piped = dbss(&sim, &args);
    assert_eq!(
        support::stderr(&piped).trim(),
        format!("{written} records written to {file}")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_at_a_terminal_shows_a_spinner() {
    let sim = sim().await;
    require_full_sim!(sim);
    let instance = support::audited_instance_in_state(&sim);
    let shown = in_terminal(&sim, &["instances", "stop", &instance, "--yes", "--wait"], 80);
    assert!(
        shown.contains(&format!("waiting for instance {instance}")),
        "a spinner names what is awaited:\n{shown:?}"
    );
}
