//! The official-SDK oracle: a Python venv with Huawei's SDK, pinned, used by the tests that
//! compare our signer with theirs. `cargo xtask test` makes it, then runs every test.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use crate::Result;

const REQUIREMENTS: &str = "tests/oracle/requirements.txt";
const VENV: &str = "target/oracle-venv";

/// Creates the venv (once per requirements file content) and returns its python.
pub fn ensure(root: &Path) -> Result<PathBuf> {
    let venv = root.join(VENV);
    let python = venv.join("bin/python");
    let requirements = fs::read_to_string(root.join(REQUIREMENTS)).map_err(|e| format!("{REQUIREMENTS}: {e}"))?;
    let stamp = venv.join("requirements.installed");
    if python.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str()) {
        return Ok(python);
    }
    let host_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(Command::new(&host_python).args(["-m", "venv", "--clear"]).arg(&venv))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(root.join(REQUIREMENTS)))?;
    fs::write(&stamp, requirements).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(python)
}

/// `cargo xtask test`: the oracle, then `cargo test --workspace` with it in the environment.
pub fn run_tests(root: &Path, extra: &[&str]) -> Result<()> {
    let python = ensure(root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Every target, then the doc tests, which `--all-targets` leaves out.
    for targets in ["--all-targets", "--doc"] {
        run(Command::new(&cargo)
            .current_dir(root)
            .env("DBSS_ORACLE_PYTHON", &python)
            .args(["test", "--workspace", targets])
            .args(extra))?;
    }
    Ok(())
}

fn run(command: &mut Command) -> Result<()> {
    let status = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}
