//! ARCHITECTURE.md is what a newcomer reads first; a path it names that no longer exists
//! sends them looking for code that moved. This test reads every backticked path in it.

use std::{collections::BTreeSet, fs, path::Path};

use crate::project_root;

/// Backticked words that look like a path: a folder prefix we own, or a file extension.
fn named_paths(text: &str) -> Vec<String> {
    const EXTENSIONS: [&str; 8] = [".rs", ".py", ".sh", ".yaml", ".json", ".md", ".toml", ".tsv"];
    const FOLDERS: [&str; 6] = ["crates/", "tests/", "xtask/", "openapi/", ".ci/", "docs/"];
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| !word.contains(char::is_whitespace) && !word.contains("::"))
        .filter(|word| !word.contains('<') && !word.contains('*'))
        .filter(|word| FOLDERS.iter().any(|f| word.starts_with(f)) || EXTENSIONS.iter().any(|e| word.ends_with(e)))
        .map(|word| word.trim_end_matches('/').to_owned())
        .collect()
}

/// Every file name of the tree, for names given without their folder (`auth.rs` right after
/// `crates/dbss-sim/src/server.rs` in the same sentence).
fn file_names(dir: &Path, names: &mut BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "target" || name.starts_with('.') && name != ".ci" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            file_names(&path, names);
        }
        names.insert(name);
    }
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = project_root();
    let text = fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md at the root");
    let mut names = BTreeSet::new();
    file_names(&root, &mut names);
    let paths = named_paths(&text);
    assert!(paths.len() > 20, "the path reader found only {paths:?}");
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| {
            if p.contains('/') {
                !root.join(p).exists()
            } else {
                !names.contains(p.as_str())
            }
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn the_path_reader_takes_paths_and_leaves_code() {
    let found = named_paths("see `crates/dbss/src/lib.rs`, `auth.rs`, `client.ops()`, `dbss::Client` and `tests/`");
    assert_eq!(found, ["crates/dbss/src/lib.rs", "auth.rs", "tests"]);
}
