//! Code derived from `openapi/dbss.yaml` by `cargo xtask codegen` (committed, checked for staleness).

#[allow(missing_docs, clippy::all)]
mod operations;

pub use operations::OPERATIONS;
use operations::position;

use crate::operation::OperationMeta;

// The lookup lives beside the table it reads, so that `operation` (which the generated code
// builds on) does not depend back on the generated code.
impl OperationMeta {
    /// Looks an operation up by its id (`UpdateAuditSecurityGroup`) or snake id.
    pub fn find(id: &str) -> Option<&'static OperationMeta> {
        position(id).and_then(|index| OPERATIONS.get(index))
    }
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;

    /// The transport sends these with `HeaderValue::from_static`, which would panic on a value
    /// that cannot be a header: every one the spec gives must be sendable.
    #[test]
    fn every_content_type_is_a_valid_header_value() {
        for meta in &OPERATIONS {
            assert!(
                reqwest::header::HeaderValue::from_str(meta.content_type).is_ok(),
                "{}: {:?}",
                meta.id,
                meta.content_type
            );
        }
    }
}
