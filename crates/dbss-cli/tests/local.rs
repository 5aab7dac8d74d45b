//! Commands that need no service: regions, completions, configure (whose profile file is then
//! used against the simulator).

mod support;

use support::{bare, fails, golden, json, ok, run, run_with_stdin, sim, stderr, stdout, temp_dir};

#[test]
fn regions_list_in_every_format() {
    let mut command = bare();
    command.args(["regions", "list", "-o", "table"]);
    let table = ok(&run(command));
    assert!(table.starts_with("ID ") && table.contains("eu-west-101"), "{table}");
    golden("regions.table", &table);

    let mut command = bare();
    command.args(["regions", "list", "-o", "jsonl", "--query", "[].{id: id}"]);
    let lines = ok(&run(command));
    assert_eq!(lines.lines().next(), Some(r#"{"id":"af-north-1"}"#));
    assert_eq!(lines.lines().count(), dbss::REGIONS.len());

    let mut command = bare();
    command.args(["regions", "list"]);
    let value = json(&run(command));
    assert_eq!(
        value.as_array().map(Vec::len),
        Some(dbss::REGIONS.len()),
        "piped output is JSON"
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let mut command = bare();
        command.args(["completions", shell]);
        let script = ok(&run(command));
        assert!(
            script.contains("instances") && script.contains("security-group"),
            "{shell}"
        );
    }
    let mut command = bare();
    command.args(["completions", "tcsh"]);
    fails(&run(command), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_writes_the_profile_without_echoing_the_secret_and_the_client_reads_it() {
    let sim = sim().await;
    let dir = temp_dir("configure");
    let file = dir.join("credentials");
    std::fs::write(&file, "[other]\nkeep = me\n").unwrap_or_else(|e| panic!("{e}"));

    // Answers piped in the order asked: access key, secret key, region, project id.
    let mut command = bare();
    command
        .args(["configure", "-o", "json"])
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
    let out = run_with_stdin(
        command,
        &format!("{}\n{}\n{}\n{}\n", sim.ak(), sim.sk(), "cn-north-4", sim.project_id()),
    );
    let printed = format!("{}{}", ok(&out), stderr(&out));
    assert!(!printed.contains(sim.sk()), "the secret was shown:\n{printed}");
    golden("configure.stdout", &stdout(&out));
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        text.contains("[basic]") && text.contains(sim.sk()) && text.contains("keep"),
        "{text}"
    );

    // The official lookup finds the profile: no credentials in the environment.
    let mut command = bare();
    command
        .args(["api", "list-audit-instances", "--endpoint", &sim.url()])
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
    ok(&run(command));

    // Flags and --sk-stdin; --file wins over the variable.
    let other = dir.join("nested").join("profile");
    let mut command = bare();
    command
        .args([
            "configure",
            "--ak",
            "AK2",
            "--sk-stdin",
            "--project-id",
            "p2",
            "--region",
            "cn-north-4",
            "--file",
        ])
        .arg(&other);
    let out = run_with_stdin(command, "SECRET2\n");
    assert!(!format!("{}{}", ok(&out), stderr(&out)).contains("SECRET2"));
    let text = std::fs::read_to_string(&other).unwrap_or_default();
    assert!(
        text.contains("AK2") && text.contains("SECRET2") && text.contains("p2"),
        "{text}"
    );

    // Missing answers are a usage error, never a panic.
    let mut command = bare();
    command.args(["configure", "--file"]).arg(dir.join("third"));
    fails(&run_with_stdin(command, "only-the-ak\n"), 2);
    let _ = std::fs::remove_dir_all(dir);
}
