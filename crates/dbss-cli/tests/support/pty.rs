//! Running `dbss` in a real pseudo-terminal of a chosen width, as a person at a terminal
//! would: stdout is a terminal, so tables are the default and are fitted to the width.

use std::{io::Read, sync::mpsc, time::Duration};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Longest a command may take before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `dbss args...` with `env` in a terminal `columns` wide; what it wrote (stdout and
/// stderr share the terminal), with the terminal's `\r\n` turned into `\n`, and its exit code.
pub fn run_in_terminal(args: &[&str], env: &[(&str, &str)], columns: u16) -> (String, u32) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: columns,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap_or_else(|e| panic!("cannot open a pseudo-terminal: {e}"));
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_dbss"));
    command.args(args);
    command.env_clear();
    command.env("HOME", "/nonexistent-home");
    command.env("TERM", "xterm");
    command.cwd(std::env::temp_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = pair
        .slave
        .spawn_command(command)
        .unwrap_or_else(|e| panic!("cannot start dbss in the terminal: {e}"));
    // Only the child keeps the terminal's other end open: reading ends when it exits.
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .unwrap_or_else(|e| panic!("cannot read the terminal: {e}"));
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        // Linux reports EIO once the child is gone; what was read before is kept.
        let _ = reader.read_to_end(&mut output);
        let _ = sender.send(output);
    });
    let output = match receiver.recv_timeout(TIMEOUT) {
        Ok(output) => output,
        Err(_) => {
            let _ = child.kill();
            panic!("dbss {args:?} did not finish within {TIMEOUT:?}");
        }
    };
    let status = child.wait().unwrap_or_else(|e| panic!("dbss: {e}"));
    drop(pair.master);
    (
        String::from_utf8_lossy(&output).replace("\r\n", "\n"),
        status.exit_code(),
    )
}
