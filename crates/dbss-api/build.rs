//! Generates the DBSS client from the progenitor-ready form of the spec, at build time.
//!
//! `spec/dbss.progenitor.yaml` is derived from `openapi/dbss.yaml` by `cargo xtask codegen`
//! (progenitor cannot digest every shape of the faithful spec). With the `codegen` feature
//! (on in this workspace's own builds and tests), this script runs progenitor on it and the
//! crate includes the result (its client half: the types are `dbss-api-types`'); it reruns only
//! when that file or a generation step changes. Without the feature
//! (what a downstream user gets), nothing is generated here: the crate includes the same code
//! committed as `src/generated/client.rs`, so consumers never compile progenitor. `cargo xtask
//! codegen --check` proves the committed copy is what progenitor generates.

fn main() {
    #[cfg(feature = "codegen")]
    generate();
}

#[cfg(feature = "codegen")]
include!("codegen.rs");

#[cfg(feature = "codegen")]
fn generate() {
    // The client half; the types half is dbss-api-types' (its build script does the same).
    write_at_build_time("spec/dbss.progenitor.yaml", ".", "codegen.rs", |generated| {
        generated.client
    });
}
