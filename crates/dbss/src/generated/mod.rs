//! Code derived from `openapi/dbss.yaml` by `cargo xtask codegen` (committed, checked for staleness).

#[allow(missing_docs, clippy::all)]
mod operations;

pub use operations::OPERATIONS;
pub(crate) use operations::position;
