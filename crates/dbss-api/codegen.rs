// The one definition of how the DBSS client is generated from the progenitor-ready spec.
//
// Shared, by `include!`, between the build scripts of `dbss-api` and `dbss-api-types`
// (generation at build time, with the `codegen` feature) and `cargo xtask codegen` (which
// commits the same output as `src/generated/client.rs` and `../dbss-api-types/src/generated/
// types.rs`, so consumers build without progenitor). Keeping the settings in one place is what
// makes `cargo xtask codegen --check` a proof that they all agree.

/// progenitor's output, in the two crates it is compiled as.
pub struct GeneratedClient {
    /// `pub mod types { ... }`: every schema of the spec (crate `dbss-api-types`).
    pub types: String,
    /// The client and its operation builders, which use `dbss_api_types::types` (crate
    /// `dbss-api`).
    pub client: String,
}

/// Generates the client's Rust source from the text of `spec/dbss.progenitor.yaml`.
///
/// The types are split off into their own crate because they are most of the compile time of
/// the generated code (serde's derives over every schema), and they depend on serde only:
/// cargo builds them while the HTTP stack (rustls, reqwest) is still compiling, instead of after
/// it, on the critical path of every consumer's build.
pub fn generate_client(spec_text: &str) -> Result<GeneratedClient, String> {
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(spec_text).map_err(|e| format!("the progenitor spec is not OpenAPI 3.0: {e}"))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // The hand-written `impl ClientHooks for Client` in src/hooks.rs routes every request
        // through the transport installed by the `dbss` crate (signing, retries, metadata).
        .with_inner_type("crate::Inner".parse().map_err(|e| format!("inner type: {e}"))?)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq");
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor failed: {e}"))?;
    let mut file = syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    // Cargo features per product line (see gates.rs): a program compiles what it uses.
    let gates = spec
        .operations()
        .map(|(path, _, op)| {
            let id = op
                .operation_id
                .clone()
                .ok_or_else(|| format!("{path}: an operation has no operationId"))?;
            let gate = Gate::of(&id, path, op.deprecated);
            Ok((id, gate))
        })
        .collect::<Result<HashMap<_, _>, String>>()?;
    gate_features(&mut file, &gates)?;
    // Numeric-string patterns checked without a regex engine (see patterns.rs).
    plain_pattern_checks(&mut file)?;
    let at = file
        .items
        .iter()
        .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or("the generated code has no `mod types`")?;
    let types = file.items.remove(at);
    file.items.insert(
        at,
        syn::parse_quote!(
            pub use dbss_api_types::types;
        ),
    );
    let types: syn::File = syn::parse_quote!(#types);
    Ok(GeneratedClient {
        types: prettyplease::unparse(&types),
        client: prettyplease::unparse(&file),
    })
}

/// The build scripts' part (with the `codegen` feature): generates from the spec at `spec`,
/// writes the half `pick` chooses to `$OUT_DIR/{out_file}`, and tells cargo when to run again
/// and that the crate must include the generated file (`cfg(dbss_codegen)`). `steps` is the
/// directory of this file, for the rerun triggers.
#[allow(dead_code)] // Called by the build scripts; xtask includes this file for `generate_client`.
pub fn write_at_build_time(spec: &str, steps: &str, out_file: &str, pick: fn(GeneratedClient) -> String) {
    println!("cargo:rerun-if-changed={spec}");
    for step in ["codegen.rs", "gates.rs", "patterns.rs"] {
        println!("cargo:rerun-if-changed={steps}/{step}");
    }
    println!("cargo:rustc-cfg=dbss_codegen");
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("cannot read {spec}: {e}"));
    let generated = generate_client(&text).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let out =
        std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join(out_file);
    std::fs::write(&out, pick(generated)).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

// Last, because they end with their tests.
include!("patterns.rs");
include!("gates.rs");
