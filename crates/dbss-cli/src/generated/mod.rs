//! Code derived from `openapi/dbss.yaml` by `cargo xtask codegen` (committed, checked for staleness).

// Operations without parameters or downloads leave some imports unused.
#[allow(clippy::all, unused_imports)]
pub mod api;
