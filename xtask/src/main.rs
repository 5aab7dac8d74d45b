//! Project automation for dbss-rs, run as `cargo xtask <task>`; `cargo xtask help` lists the
//! tasks (`tasks.rs` holds that list).
//!
//! Layout, after rust-analyzer's xtask: `codegen.rs` lists every artifact derived from the spec
//! and writes or checks them, with one module a generator (`normalize.rs` for the progenitor
//! form of the spec, `render/` for the Rust files); `drift/` compares the spec with the official
//! SDK's inventory; `oracle.rs` prepares the official SDK the tests compare the signer with;
//! `spec.rs` reads the spec for all of them.

mod codegen;
mod drift;
mod normalize;
mod oracle;
#[path = "../../crates/dbss-api/codegen.rs"]
mod progenitor_codegen;
mod render;
mod spec;
mod tasks;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use tasks::Task;

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = project_root();
    let outcome = Task::parse(&args).and_then(|task| match task {
        Task::Codegen { check: false } => codegen::write(&root),
        Task::Codegen { check: true } => codegen::check(&root),
        Task::Drift => drift::run(&root),
        Task::Test(rest) => oracle::run_tests(&root, rest),
        Task::Oracle => oracle::ensure(&root).map(|python| println!("{}", python.display())),
        Task::Help => {
            print!("{}", tasks::usage());
            Ok(())
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod doc_paths;
#[cfg(test)]
mod tests;
