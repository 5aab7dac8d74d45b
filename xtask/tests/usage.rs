//! `cargo xtask` run as a process: no task and `help` print the usage text listing every task
//! and flag; an unknown task fails and prints it too.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run xtask: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every task and flag `main` dispatches on.
const LISTED: [&str; 6] = [
    "codegen ",
    "codegen --check",
    "drift ",
    "test [ARGS...]",
    "oracle ",
    "help ",
];

#[test]
fn no_task_and_help_print_every_task_and_flag() {
    let no_task = xtask(&[]);
    for args in [&[][..], &["help"], &["--help"], &["-h"]] {
        let output = xtask(args);
        assert!(output.status.success(), "{args:?}: {:?}", output.status);
        assert_eq!(text(&output.stderr), "", "{args:?}");
        let usage = text(&output.stdout);
        assert!(usage.starts_with("usage: cargo xtask <task>"), "{usage}");
        for task in LISTED {
            assert!(usage.contains(&format!("  {task}")), "{task:?} missing from:\n{usage}");
        }
        assert_eq!(output.stdout, no_task.stdout);
    }
}

#[test]
fn an_unknown_task_fails_with_the_usage_text() {
    let output = xtask(&["codegen", "--fix"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "");
    let message = text(&output.stderr);
    assert!(message.starts_with("xtask: unknown task `codegen --fix`"), "{message}");
    assert!(message.contains(&text(&xtask(&["help"]).stdout)), "{message}");
}
