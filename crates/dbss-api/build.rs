//! Generates the DBSS client from the progenitor-ready form of the spec, at build time.
//!
//! `spec/dbss.progenitor.yaml` is derived from `openapi/dbss.yaml` by `cargo xtask codegen`
//! (progenitor cannot digest every shape of the faithful spec). With the `codegen` feature
//! (on in this workspace's own builds and tests), this script runs progenitor on it and the
//! crate includes the result; it reruns only when that file changes. Without the feature
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
    const SPEC: &str = "spec/dbss.progenitor.yaml";
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=codegen.rs");
    println!("cargo:rustc-cfg=dbss_codegen");
    let text = std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("cannot read {SPEC}: {e}"));
    let code = generate_client(&text).unwrap_or_else(|e| panic!("{SPEC}: {e}"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}")))
        .join("codegen.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
