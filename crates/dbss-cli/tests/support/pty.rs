//! Running `dbss` in a real pseudo-terminal of a chosen width, as a person at a terminal
//! would: stdout is a terminal, so tables are the default and are fitted to the width.
//!
//! The same pseudo-terminal crate (expectrl) drives the interactive tests (configure.rs,
//! confirm.rs); here the terminal is only read to its end.

use std::time::Duration;

use expectrl::{Eof, Expect, Session, process::unix::WaitStatus};

/// Longest a command may take before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `dbss args...` with `env` in a terminal `columns` wide; what it wrote (stdout and
/// stderr share the terminal), with the terminal's `\r\n` turned into `\n`, and its exit code.
pub fn run_in_terminal(args: &[&str], env: &[(&str, &str)], columns: u16) -> (String, u32) {
    // The terminal must have its size before dbss starts. The pty crate sets 80x24 from the
    // parent after the child was started, so a size the child set itself could be overwritten
    // (it was, on a loaded CI machine). The parent sets the size once the spawn returned; the
    // shell waits (at most 10 s) until it sees it, then becomes dbss (`exec`).
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "i=0; while [ \"$(stty size)\" != \"50 {columns}\" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_dbss"))
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/nonexistent-home")
        .env("TERM", "xterm")
        .current_dir(std::env::temp_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut session = Session::spawn(command).unwrap_or_else(|e| panic!("cannot start dbss in a terminal: {e}"));
    session
        .get_process_mut()
        .set_window_size(columns, 50)
        .unwrap_or_else(|e| panic!("cannot size the terminal: {e}"));
    session.set_expect_timeout(Some(TIMEOUT));
    let output = match session.expect(Eof) {
        Ok(found) => found.as_bytes().to_vec(),
        Err(e) => {
            let _ = session.get_process_mut().exit(true);
            panic!("dbss {args:?} did not finish within {TIMEOUT:?}: {e}");
        }
    };
    let code = match session.get_process().wait() {
        Ok(WaitStatus::Exited(_, code)) => u32::try_from(code).unwrap_or(u32::MAX),
        other => panic!("dbss {args:?} did not exit normally: {other:?}"),
    };
    (String::from_utf8_lossy(&output).replace("\r\n", "\n"), code)
}
