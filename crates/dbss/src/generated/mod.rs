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
