//! Project automation for dbss-rs, run as `cargo xtask <task>`.
//!
//! * `codegen [--check]`: regenerate (or verify) every artifact derived from `openapi/dbss.yaml`.
//! * `test`: prepare the official-SDK oracle (a Python venv) and run every test of the workspace.

mod codegen;
mod drift;
mod normalize;
mod oracle;
#[path = "../../crates/dbss-api/codegen.rs"]
mod progenitor_codegen;
mod render;
mod spec;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = project_root();
    let outcome = match args.as_slice() {
        ["codegen"] => codegen::write(&root),
        ["codegen", "--check"] => codegen::check(&root),
        ["test", rest @ ..] => oracle::run_tests(&root, rest),
        ["oracle"] => oracle::ensure(&root).map(|python| println!("{}", python.display())),
        ["drift"] => drift::run(&root),
        _ => Err(USAGE.to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <codegen [--check] | test [cargo test args] | oracle>";

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests;
