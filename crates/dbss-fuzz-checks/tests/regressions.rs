//! Every input kept in `crates/dbss/fuzz/regressions/<target>/` (what the fuzzer found, crashes
//! once fixed, and corpus entries worth keeping) passes its target's check, the very function
//! the fuzz target runs.

use std::{fs, path::PathBuf};

use dbss_fuzz_checks::TARGETS;

fn files(dir: &PathBuf) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path())
        .filter(|path| !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_input_passes_its_targets_check() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dbss/fuzz/regressions");
    let mut directories: Vec<String> = files(&root)
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let mut targets: Vec<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    directories.sort();
    targets.sort();
    assert_eq!(directories, targets, "one directory of kept inputs per fuzz target");
    for (target, check) in TARGETS {
        let inputs = files(&root.join(target));
        assert!(!inputs.is_empty(), "{target}: no kept input");
        for input in inputs {
            let data = fs::read(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
            // Printed before the check: a failing check's panic names the input through it.
            eprintln!("{target}: {}", input.display());
            check(&data);
        }
    }
}
