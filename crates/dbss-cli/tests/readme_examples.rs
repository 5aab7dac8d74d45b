//! Every `dbss ...` command line of the fenced shell blocks of README.md and
//! crates/dbss-cli/README.md is run, as a shell would run it, against `dbss-sim` on 127.0.0.1.
//!
//! The placeholders of the examples (`062212d8-...`, `I`, `V`, ...) are replaced by ids the
//! simulator knows. Each example must have an entry in [`PLANS`]: how it is run and what its
//! output must show, or why it is skipped. An example added to a README without an entry fails
//! this test, and so does an entry whose example is no longer in a README.
#![cfg(unix)]

mod support;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use support::{sim, stderr, stdout, temp_dir};

/// The READMEs whose examples are run, relative to the workspace root.
const READMES: &[&str] = &["README.md", "crates/dbss-cli/README.md"];

/// How one example is checked.
enum Plan {
    /// Run it; it must exit with one of `codes` and its stdout must contain `shows`.
    Run { codes: &'static [i32], shows: &'static str },
    /// Run it; it must exit 0 and leave `file` (in its working directory) containing `holds`.
    Writes { file: &'static str, holds: &'static str },
    /// Run it with `--yes` added: without a terminal, a destructive command asks for it (the
    /// question itself is tested in tests/confirm.rs); its stdout must contain `shows`.
    Confirmed { shows: &'static str, undo: &'static str },
    /// Run it until `file` holds something, then SIGTERM it: it must end with exit 0.
    Follows { file: &'static str },
    /// Not run, for the reason given.
    Skip(&'static str),
}

/// Every example, as written in the README (continuation lines joined with one space), and
/// its plan. Examples that are the same command in both READMEs share one entry.
const PLANS: &[(&str, Plan)] = &[
    (
        "dbss configure",
        Plan::Skip("asks questions on a terminal; tests/configure.rs drives it in a pseudo-terminal"),
    ),
    (
        "dbss --region cn-north-4 instances list",
        Plan::Run {
            codes: &[0],
            shows: "\"id\"",
        },
    ),
    (
        "dbss instances create --name audit-1 --flavor c6.xlarge.2 --vpc V --subnet S --security-group G --zone cn-north-4a --product-id P --region cn-north-4 --wait",
        Plan::Run {
            codes: &[0],
            shows: "audit-1",
        },
    ),
    (
        "dbss sql export --instance I --since 24h --format csv --out sql.csv",
        Plan::Writes {
            file: "sql.csv",
            holds: "sql_statement",
        },
    ),
    ("dbss demo", Plan::Run { codes: &[0], shows: "" }),
    (
        "dbss instances stop 062212d8-... --wait",
        Plan::Confirmed {
            shows: "\"status\"",
            undo: "dbss instances start {id} --wait",
        },
    ),
    (
        "dbss databases list --instance 062212d8-... -o yaml",
        Plan::Run {
            codes: &[0],
            shows: "  id: ",
        },
    ),
    (
        "dbss sql export --instance 062212d8-... --since 24h --format csv --out sqls.csv",
        Plan::Writes {
            file: "sqls.csv",
            holds: "sql_statement",
        },
    ),
    (
        "dbss instances list --query '[?status==`ACTIVE`].[id,name]'",
        Plan::Run {
            codes: &[0],
            shows: "[",
        },
    ),
    (
        "dbss instances list -o text --query '[].[id,name]' | while read id name; do echo \"$name $id\"; done",
        Plan::Run {
            codes: &[0],
            shows: "{name} {id}",
        },
    ),
    (
        "dbss api list-audit-instances-last --limit 10 --query 'instances[].[id,status]'",
        Plan::Run {
            codes: &[0],
            shows: "{id}",
        },
    ),
    (
        "dbss --endpoint http://127.0.0.1:8080 api update-audit-security-group --body '{\"instance_id\":\"…\",\"securitygroup_ids\":[\"…\"]}'",
        Plan::Run { codes: &[0], shows: "" },
    ),
    (
        "dbss api update-audit-security-group --body-template",
        Plan::Run {
            codes: &[0],
            shows: "securitygroup_ids",
        },
    ),
    (
        "dbss --profile lab instances list",
        Plan::Run {
            codes: &[0],
            shows: "{id}",
        },
    ),
    (
        "dbss completions bash",
        Plan::Run {
            codes: &[0],
            shows: "complete",
        },
    ),
    (
        "dbss sql tail --instance 062212d8-... --follow --since 1h --format ocsf --checkpoint /var/lib/dbss/sql.checkpoint --out /var/log/dbss/sql.ocsf.jsonl",
        Plan::Follows {
            file: "var/log/dbss/sql.ocsf.jsonl",
        },
    ),
    (
        "dbss policy export --instance I --out policy.yaml",
        Plan::Writes {
            file: "policy.yaml",
            holds: "risk_rules",
        },
    ),
    (
        "dbss policy plan -f policy.yaml --instance I",
        // Just after the export the instance matches its own policy.
        Plan::Run { codes: &[0], shows: "" },
    ),
    (
        "dbss policy apply -f policy.yaml --instance I --yes",
        Plan::Run { codes: &[0], shows: "" },
    ),
    (
        "dbss policy apply -f policy.yaml --instance I --yes --prune",
        Plan::Run { codes: &[0], shows: "" },
    ),
    (
        "dbss policy plan -f policy.yaml --instances I1,I2",
        // 2: the second instance's policy differs from the first one's (changes to review).
        Plan::Run {
            codes: &[0, 2],
            shows: "instance",
        },
    ),
];

/// The `dbss` command lines of the fenced shell blocks of `markdown`, continuation lines
/// joined, in order; several commands on one line (`dbss a; dbss b`) are separate examples.
fn examples(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut shell = None::<bool>;
    let mut pending = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            shell = match shell {
                Some(_) => None,
                None => Some(matches!(info.trim(), "sh" | "bash" | "shell" | "console")),
            };
            pending.clear();
            continue;
        }
        if shell != Some(true) {
            continue;
        }
        let (part, continued) = match trimmed.strip_suffix('\\') {
            Some(part) => (part.trim(), true),
            None => (trimmed, false),
        };
        if !pending.is_empty() {
            pending.push(' ');
        }
        pending.push_str(part);
        if continued {
            continue;
        }
        let logical = std::mem::take(&mut pending);
        for command in logical
            .split("; dbss ")
            .enumerate()
            .map(|(i, c)| if i == 0 { c.to_owned() } else { format!("dbss {c}") })
        {
            let command = without_comment(&command);
            if command.starts_with("dbss ") || command == "dbss" {
                found.push(command);
            }
        }
    }
    found
}

/// `line` without a trailing shell comment (` # ...` outside quotes).
fn without_comment(line: &str) -> String {
    let mut quote = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return line[..at].trim_end().to_owned(),
            _ => {}
        }
        previous = c;
    }
    line.trim_end().to_owned()
}

/// Ids of the simulator that the placeholders stand for.
struct Ids {
    instance: String,
    name: String,
    other: String,
    endpoint: String,
}

/// `example` with its placeholders replaced by `ids` and its absolute paths moved under `dir`.
fn substituted(example: &str, ids: &Ids, dir: &Path) -> String {
    let words: Vec<String> = example
        .split(' ')
        .map(|word| match word {
            "062212d8-..." | "I" => ids.instance.clone(),
            "I1,I2" => format!("{},{}", ids.instance, ids.other),
            // The network, subnet, security group and product the simulator's seed knows.
            "V" => "b26086b0-8257-21c4-6b34-3c2486e643b7".to_owned(),
            "S" => "fe866fcb-2725-fcd8-0b02-4a7957795b65".to_owned(),
            "G" => "b80bb774-0288-fda1-f201-890375a60c8f".to_owned(),
            "P" => "9bea82de-f865-d4d0-e499-eb252805f127".to_owned(),
            "http://127.0.0.1:8080" => ids.endpoint.clone(),
            _ if word.starts_with("/var/") => format!("{}{word}", dir.display()),
            _ => word.to_owned(),
        })
        .collect();
    words
        .join(" ")
        .replace(
            "\"instance_id\":\"…\"",
            &format!("\"instance_id\":\"{}\"", ids.instance),
        )
        .replace("[\"…\"]", "[\"b80bb774-0288-fda1-f201-890375a60c8f\"]")
}

/// A shell running `line` in `dir`, with `dbss` on its PATH and the simulator's credentials.
fn shell(sim: &dbss_sim::Simulator, line: &str, dir: &Path) -> Command {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_dbss"));
    let bin_dir = binary.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", dir)
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", sim.sk())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_ENDPOINT", sim.url())
        .stdin(Stdio::null());
    command
}

/// Runs `command` with its output in files of `dir`, killing it past two minutes (an example
/// that hangs fails; it does not stop the suite).
fn run(mut command: Command, dir: &Path) -> Output {
    let capture = |name: &str| std::fs::File::create(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    command
        .stdout(capture(".example.stdout"))
        .stderr(capture(".example.stderr"));
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > Duration::from_secs(120) => {
                let _ = child.kill();
                panic!("an example ran for more than two minutes");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("sh: {e}"),
        }
    };
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_default();
    Output {
        status,
        stdout: read(".example.stdout"),
        stderr: read(".example.stderr"),
    }
}

/// Runs a following example until `file` holds a record, then SIGTERMs it.
fn follow(mut command: Command, file: &Path) -> Option<i32> {
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    // `exec`: the signal must reach dbss itself, not the shell that started it.
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    let started = Instant::now();
    while std::fs::metadata(file).map(|m| m.len()).unwrap_or(0) == 0 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap_or(0);
    // SAFETY: kill(2) with a pid of our own child and a valid signal.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let status = child.wait().unwrap_or_else(|e| panic!("sh: {e}"));
    status.code()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_readme_example_runs_against_the_simulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut all = Vec::new();
    for readme in READMES {
        let text = std::fs::read_to_string(root.join(readme)).unwrap_or_else(|e| panic!("{readme}: {e}"));
        all.extend(examples(&text).into_iter().map(|e| (*readme, e)));
    }
    assert!(all.len() >= 15, "the READMEs' examples were not found: {all:?}");
    for (example, _) in PLANS {
        assert!(
            all.iter().any(|(_, e)| e == example),
            "{example:?} has a plan but is in no README: remove its entry"
        );
    }

    let sim = sim().await;
    let dir = temp_dir("readme");
    std::fs::create_dir_all(dir.join("var/lib/dbss")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join("var/log/dbss")).unwrap_or_else(|e| panic!("{e}"));
    // The profile file `dbss configure` writes, and a `[lab]` section for `--profile lab`.
    let section = format!(
        "ak = {}\nsk = {}\nproject_id = {}\nendpoint = {}\n",
        sim.ak(),
        sim.sk(),
        sim.project_id(),
        sim.url()
    );
    let profile = format!("[basic]\n{section}\n[lab]\n{section}");
    std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(".huaweicloud/credentials"), profile).unwrap_or_else(|e| panic!("{e}"));
    let listed = run(shell(&sim, "dbss instances list -o json", &dir), &dir);
    let instances: serde_json::Value =
        serde_json::from_slice(&listed.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&listed)));
    let field = |i: usize, key: &str| instances[i][key].as_str().unwrap_or_default().to_owned();
    let ids = Ids {
        instance: field(0, "id"),
        name: field(0, "name"),
        other: field(1, "id"),
        endpoint: sim.url(),
    };
    assert!(!ids.instance.is_empty() && !ids.other.is_empty(), "{instances}");

    let mut skipped = Vec::new();
    for (readme, example) in &all {
        let Some((_, plan)) = PLANS.iter().find(|(e, _)| e == example) else {
            panic!("{readme}: the example {example:?} has no entry in PLANS of {}", file!());
        };
        let line = substituted(example, &ids, &dir);
        let expect = |shows: &str| shows.replace("{id}", &ids.instance).replace("{name}", &ids.name);
        match plan {
            Plan::Skip(reason) => skipped.push(format!("{example}: {reason}")),
            Plan::Run { codes, shows } => {
                let out = run(shell(&sim, &line, &dir), &dir);
                let code = out.status.code().unwrap_or(-1);
                assert!(
                    codes.contains(&code),
                    "{readme}: {line}\nexit {code}\nstdout:\n{}\nstderr:\n{}",
                    stdout(&out),
                    stderr(&out)
                );
                let printed = stdout(&out);
                assert!(!printed.trim().is_empty(), "{readme}: {line} printed nothing");
                assert!(printed.contains(&expect(shows)), "{readme}: {line}\n{printed}");
            }
            Plan::Confirmed { shows, undo } => {
                let out = run(shell(&sim, &format!("{line} --yes"), &dir), &dir);
                assert!(out.status.success(), "{readme}: {line} --yes\n{}", stderr(&out));
                assert!(stdout(&out).contains(shows), "{readme}: {line}\n{}", stdout(&out));
                // The examples after it use the instance running.
                let undo = run(shell(&sim, &expect(undo), &dir), &dir);
                assert!(undo.status.success(), "undoing the stop: {}", stderr(&undo));
            }
            Plan::Writes { file, holds } => {
                let out = run(shell(&sim, &line, &dir), &dir);
                assert!(out.status.success(), "{readme}: {line}\n{}", stderr(&out));
                let written = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
                assert!(written.contains(holds), "{readme}: {line} wrote {file}:\n{written}");
            }
            Plan::Follows { file } => {
                let code = follow(shell(&sim, &format!("exec {line}"), &dir), &dir.join(file));
                assert_eq!(code, Some(0), "{readme}: {line} ends with 0 on SIGTERM");
                let written = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
                assert!(written.contains("\"class_uid\""), "{readme}: {line} wrote:\n{written}");
            }
        }
    }
    eprintln!("skipped, with their reasons:\n{}", skipped.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn examples_are_found_in_shell_blocks_only_joined_split_and_without_comments() {
    let markdown = "text `dbss inline`\n```sh\ndbss a --x \\\n    --y   # note\nexport X=1\ndbss b; dbss c\n```\n```yaml\nrun: dbss d\n```\n";
    assert_eq!(examples(markdown), ["dbss a --x --y", "dbss b", "dbss c"]);
    assert_eq!(without_comment("dbss q '#x' # c"), "dbss q '#x'");
}
