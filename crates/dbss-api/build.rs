//! Generates the DBSS client from the progenitor-ready form of the spec.
//!
//! The committed file `spec/dbss.progenitor.yaml` is derived from `openapi/dbss.yaml` by
//! `cargo xtask codegen` (progenitor cannot digest every shape the faithful spec uses).
//! This script only turns that file into Rust, so it reruns only when that file changes.

use std::{env, fs, path::PathBuf};

const SPEC: &str = "spec/dbss.progenitor.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("cannot read {SPEC}: {e}"));
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{SPEC} is not OpenAPI 3.0: {e}"));

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // The hand-written `impl ClientHooks for Client` in lib.rs routes every request
        // through the transport installed by the `dbss` crate (signing, retries, metadata).
        .with_inner_type(quote_inner())
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq");
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor failed on {SPEC}: {e}"));
    let file = syn::parse2(tokens).unwrap_or_else(|e| panic!("generated code does not parse: {e}"));
    let code = prettyplease::unparse(&file);

    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("codegen.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

fn quote_inner() -> proc_macro2::TokenStream {
    "crate::Inner".parse().expect("a valid path")
}
