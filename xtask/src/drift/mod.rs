//! `cargo xtask drift`: compares `openapi/dbss.yaml` with the official SDK's inventory
//! (`openapi/upstream/operations.tsv` and `models.json`), prints every difference, and fails unless
//! each one is explained in `openapi/upstream/allowlist.yaml` (and every allow-list entry still
//! explains something).
//!
//! The contract between the spec and the inventory:
//!
//! * operations: same `operationId`, method, path; `deprecated: true` iff the SDK deprecates it;
//!   a request body iff the SDK has a body model, as `$ref` to that model, under the SDK's content
//!   type (compared case-insensitively, as is `x-content-type` when present);
//! * parameters: every path, query and header parameter of the SDK, same `in`, `required`, type
//!   (and enum); credential headers (`x-credential: true`, `X-Auth-Token`) are ours and ignored;
//! * success response (the first 2xx): `json object` → `$ref` to `<OperationId>Response`;
//!   `json array` → that component is `{type: array, items}` matching the SDK's `body` field;
//!   `binary file` → `application/octet-stream`; `empty` → no content; `raw body (str)` → no
//!   content or `text/plain`;
//! * schemas reached from request bodies and success responses: exactly the SDK's fields, with
//!   the same types (string, integer/int32, integer/int64, number, boolean, `$ref`, free-form
//!   object, array, map) and enums; required-ness is `required` for schemas reachable from a
//!   request body, `x-sdk-required` for those reachable only from responses (the SDK's flags are
//!   no guarantee there, but drift must still notice when they change).
//!
//! One module a concern: `inventory` reads the SDK's side, `types` the type vocabulary both sides
//! are compared in, `comparison` (operations) and `schemas` (models) find the differences, `diff`
//! names them, `allowlist` judges them against the reviewed exceptions.

mod allowlist;
mod comparison;
mod diff;
#[cfg(test)]
mod fixture;
mod inventory;
mod schemas;
mod types;

use std::{fs, path::Path};

use self::{
    allowlist::{ALLOWLIST, judge, parse_allowlist},
    comparison::compare,
    inventory::{Inventory, MODELS, OPERATIONS},
};
use crate::{
    Result,
    spec::{SPEC, Spec},
};

/// `cargo xtask drift`.
pub fn run(root: &Path) -> Result<()> {
    let spec = Spec::load(&root.join(SPEC))?;
    let inventory = Inventory::parse(&read(root, OPERATIONS)?, &read(root, MODELS)?)?;
    let allowlist = parse_allowlist(&read(root, ALLOWLIST)?).map_err(|e| format!("{ALLOWLIST}: {e}"))?;
    let report = judge(&compare(&spec, &inventory), &allowlist);
    print!("{}", report.text);
    if report.passes() {
        Ok(())
    } else {
        Err(format!(
            "drift: {} difference(s) not allow-listed, {} stale allow-list entr{} (see {ALLOWLIST})",
            report.unallowed,
            report.stale,
            if report.stale == 1 { "y" } else { "ies" }
        ))
    }
}

fn read(root: &Path, relative: &str) -> Result<String> {
    fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{fixture::*, *};

    #[test]
    fn run_reads_the_files_of_a_project() {
        let root = std::env::temp_dir().join(format!("dbss-drift-test-{}", std::process::id()));
        fs::create_dir_all(root.join("openapi/upstream")).expect("scratch dir");
        fs::write(root.join(SPEC), SPEC_YAML).expect("write");
        fs::write(root.join(OPERATIONS), TSV.replace('|', "\t")).expect("write");
        fs::write(root.join(MODELS), models().to_string()).expect("write");
        fs::write(root.join(ALLOWLIST), "[]\n").expect("write");
        assert_eq!(run(&root), Ok(()));
        fs::write(
            root.join(ALLOWLIST),
            "- {kind: enum, target: Thing.state, reason: gone}\n",
        )
        .expect("write");
        let message = run(&root).expect_err("a stale entry fails");
        assert!(message.contains("1 stale allow-list entry"), "{message}");
        let _ = fs::remove_dir_all(&root);
    }

    /// `cargo xtask drift` inside `cargo test`: the spec and the upstream inventory agree, apart
    /// from the reviewed allow-list.
    #[test]
    fn the_spec_has_no_unexplained_drift_from_the_upstream_inventory() {
        if let Err(message) = run(&crate::project_root()) {
            panic!("{message}");
        }
    }
}
