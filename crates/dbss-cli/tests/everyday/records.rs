//! What an instance recorded: `dbss sql|alarms|reports ...`.

use serde_json::Value;

use crate::audited_instance;
use crate::require_full_sim;
use crate::support::{dbss, fails, golden, json, list, ok, sim, stderr, stdout, temp_dir, text};
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

    // The month of SQL records, exported to a file; each export names its format and paging.
    let export_sql = |out: &std::path::Path, flags: &[&str]| {
        let out = out.display().to_string();
        let common = [
            "sql",
            "export",
            "-i",
            instance.as_str(),
            "--since",
            "30d",
            "--out",
            out.as_str(),
        ];
        dbss(&sim, &[&common[..], flags].concat())
    };
    let jsonl = dir.join("sql.jsonl");
    let out = export_sql(&jsonl, &["--page-size", "37"]);
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
    ok(&export_sql(&csv, &["--format", "csv"]));
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
