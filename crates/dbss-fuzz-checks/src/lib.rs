//! What each fuzz target of `crates/dbss/fuzz` checks: one function per target, taking the
//! fuzzer's raw bytes and panicking when a property fails (the panic is what libFuzzer reports
//! as a crash). The targets only hand their input to these functions, and
//! `tests/regressions.rs` replays every input kept in `crates/dbss/fuzz/regressions/<target>/`
//! through the same functions in a plain `cargo test`: one check, two drivers, and no
//! libFuzzer in the main workspace.

pub mod error_body;
pub mod responses;
pub mod signer;
pub mod sim_request;

/// A target's check: the fuzzer's bytes in, a panic when a property fails.
pub type Check = fn(&[u8]);

/// Every fuzz target: its name (of the target and of its regression directory) and its check.
pub const TARGETS: [(&str, Check); 4] = [
    ("signer", signer::check),
    ("error_body", error_body::check),
    ("responses", responses::check),
    ("sim_request", sim_request::check),
];
