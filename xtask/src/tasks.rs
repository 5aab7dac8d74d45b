//! The tasks `cargo xtask` runs, how each is spelt, and the usage text that lists them all.

use crate::spec::SPEC;

/// A task, with its arguments.
#[derive(Debug, PartialEq, Eq)]
pub enum Task<'a> {
    /// Regenerate the artifacts derived from the spec, or (`check`) verify them.
    Codegen { check: bool },
    /// Compare the spec with the official SDK's inventory.
    Drift,
    /// Prepare the oracle, then run every test; the arguments go to `cargo test`.
    Test(&'a [&'a str]),
    /// Prepare the oracle and print its python.
    Oracle,
    /// Print the usage text.
    Help,
}

/// Every way to call a task, and what it does. The usage text is made from this table; the
/// tests parse every line of it and make sure every task has one.
const TASKS: [(&str, &str); 6] = [
    ("codegen", "regenerate every artifact derived from the spec"),
    (
        "codegen --check",
        "fail, with a diff, when a committed artifact is stale",
    ),
    (
        "drift",
        "compare the spec with the official SDK's inventory; fail on a difference the\n\
         allow-list does not explain, or on an allow-list entry that explains none",
    ),
    (
        "test [ARGS...]",
        "prepare the official-SDK oracle, then run every test of the workspace\n\
         (ARGS go to `cargo test`)",
    ),
    (
        "oracle",
        "prepare the official-SDK oracle (a Python venv) and print its python",
    ),
    ("help", "print this text (also: no task, --help, -h)"),
];

/// How wide the column of task synopses is.
const SYNOPSIS_WIDTH: usize = 18;

impl<'a> Task<'a> {
    /// The task the command-line arguments (after `cargo xtask`) ask for.
    pub fn parse(args: &'a [&'a str]) -> Result<Task<'a>, String> {
        match args {
            [] | ["help" | "--help" | "-h"] => Ok(Task::Help),
            ["codegen"] => Ok(Task::Codegen { check: false }),
            ["codegen", "--check"] => Ok(Task::Codegen { check: true }),
            ["drift"] => Ok(Task::Drift),
            ["test", rest @ ..] => Ok(Task::Test(rest)),
            ["oracle"] => Ok(Task::Oracle),
            _ => Err(format!("unknown task `{}`\n\n{}", args.join(" "), usage())),
        }
    }
}

/// The usage text: every task and flag, one line (or more) each.
pub fn usage() -> String {
    let mut text = format!("usage: cargo xtask <task>\n\nThe spec is {SPEC}.\n\ntasks:\n");
    for (synopsis, about) in TASKS {
        let mut lines = about.lines();
        let first = lines.next().unwrap_or_default();
        text.push_str(&format!("  {synopsis:SYNOPSIS_WIDTH$}  {first}\n"));
        for line in lines {
            text.push_str(&format!("  {:SYNOPSIS_WIDTH$}  {line}\n", ""));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a synopsis, without its optional parts (`[...]`).
    fn words(synopsis: &str) -> Vec<&str> {
        synopsis.split(' ').filter(|w| !w.starts_with('[')).collect()
    }

    #[test]
    fn every_line_of_the_usage_text_is_a_task_that_parses() {
        for (synopsis, _) in TASKS {
            let args = words(synopsis);
            assert!(Task::parse(&args).is_ok(), "`{synopsis}` does not parse");
            assert!(synopsis.len() <= SYNOPSIS_WIDTH, "`{synopsis}` overflows its column");
        }
        assert_eq!(
            Task::parse(&["test", "-p", "dbss", "--", "--nocapture"]),
            Ok(Task::Test(&["-p", "dbss", "--", "--nocapture"]))
        );
    }

    #[test]
    fn every_task_is_in_the_usage_text() {
        // A new task fails to compile here until it is given the synopsis the table must list.
        let synopsis = |task: &Task| match task {
            Task::Codegen { check: false } => "codegen",
            Task::Codegen { check: true } => "codegen --check",
            Task::Drift => "drift",
            Task::Test(_) => "test [ARGS...]",
            Task::Oracle => "oracle",
            Task::Help => "help",
        };
        let all = [
            Task::Codegen { check: false },
            Task::Codegen { check: true },
            Task::Drift,
            Task::Test(&[]),
            Task::Oracle,
            Task::Help,
        ];
        let text = usage();
        for task in &all {
            let synopsis = synopsis(task);
            assert_eq!(Task::parse(&words(synopsis)).as_ref(), Ok(task));
            assert!(
                text.contains(&format!("  {synopsis} ")),
                "{synopsis} missing from:\n{text}"
            );
        }
        assert_eq!(all.len(), TASKS.len());
    }

    #[test]
    fn no_task_or_a_help_flag_asks_for_the_usage_text_and_anything_else_is_refused_with_it() {
        for args in [&[][..], &["help"], &["--help"], &["-h"]] {
            assert_eq!(Task::parse(args), Ok(Task::Help), "{args:?}");
        }
        for args in [
            &["codegen", "--fix"][..],
            &["drift", "--check"],
            &["oracles"],
            &["help", "me"],
        ] {
            let message = Task::parse(args).expect_err("refused");
            assert!(
                message.starts_with(&format!("unknown task `{}`", args.join(" "))),
                "{message}"
            );
            assert!(message.ends_with(&usage()), "{message}");
        }
    }
}
