//! The codegen check runs inside plain `cargo test` (rust-analyzer's pattern), so drift
//! between the spec and the committed artifacts cannot land.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::{codegen, project_root, spec::SPEC};

#[test]
fn committed_artifacts_match_the_spec() {
    if let Err(message) = codegen::check(&project_root()) {
        panic!("{message}");
    }
}

#[test]
fn check_names_the_stale_file_when_the_spec_is_edited_without_regenerating() {
    let scratch = copy_of_project("edited-spec");
    let spec_path = scratch.join(SPEC);
    let spec = fs::read_to_string(&spec_path).expect("spec readable");
    let edited = spec.replacen("Replaces the security group bound", "Swaps the security group bound", 1);
    assert_ne!(spec, edited, "the edit must change the spec");
    fs::write(&spec_path, edited).expect("spec writable");

    let message = codegen::check(&scratch).expect_err("a stale artifact must fail the check");
    assert!(
        message.contains("crates/dbss/src/generated/operations.rs is stale"),
        "{message}"
    );
    assert!(
        message.contains("+        /// Swaps the security group bound") || message.contains("Swaps the security group"),
        "{message}"
    );

    codegen::write(&scratch).expect("regenerating succeeds");
    codegen::check(&scratch).expect("regenerated artifacts are fresh");
    let _ = fs::remove_dir_all(&scratch);
}

#[test]
fn an_operation_without_examples_is_refused() {
    let scratch = copy_of_project("no-example");
    let spec_path = scratch.join(SPEC);
    let text = fs::read_to_string(&spec_path).expect("spec readable");
    let mut spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("spec parses");
    let media = spec["paths"]["/v1/{project_id}/dbss/audit/security-group"]["post"]["responses"]["200"]["content"]
        ["application/json"]
        .as_mapping_mut()
        .expect("the seed operation documents a JSON 200");
    assert!(
        media.remove("example").is_some(),
        "the seed operation has an example to remove"
    );
    fs::write(&spec_path, serde_yaml::to_string(&spec).expect("spec serialises")).expect("spec writable");
    let message = codegen::check(&scratch).expect_err("missing example must fail");
    assert!(
        message.contains("UpdateAuditSecurityGroup: response 200 has no example"),
        "{message}"
    );
    let _ = fs::remove_dir_all(&scratch);
}

/// A scratch copy of the spec and of every artifact, for tests that edit them.
fn copy_of_project(name: &str) -> PathBuf {
    let root = project_root();
    let scratch = root.join("target/xtask-tests").join(name);
    let _ = fs::remove_dir_all(&scratch);
    let mut files = vec![PathBuf::from(SPEC)];
    files.extend(
        codegen::artifacts(&root)
            .expect("spec loads")
            .into_iter()
            .map(|a| a.path),
    );
    for file in files {
        copy(&root.join(&file), &scratch.join(&file));
    }
    scratch
}

fn copy(from: &Path, to: &Path) {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).expect("scratch dir");
    }
    fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}
