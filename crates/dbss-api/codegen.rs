// The one definition of how the DBSS client is generated from the progenitor-ready spec.
//
// Shared, by `include!`, between `build.rs` (generation at build time, with the `codegen`
// feature) and `cargo xtask codegen` (which commits the same output as
// `src/generated/client.rs`, so consumers build without progenitor). Keeping the settings in
// one place is what makes `cargo xtask codegen --check` a proof that both agree.

/// Generates the client's Rust source from the text of `spec/dbss.progenitor.yaml`.
pub fn generate_client(spec_text: &str) -> Result<String, String> {
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
            Ok((id, Gate::of(path, op.deprecated)))
        })
        .collect::<Result<HashMap<_, _>, String>>()?;
    gate_features(&mut file, &gates)?;
    Ok(prettyplease::unparse(&file))
}

// Last, because it ends with its tests.
include!("gates.rs");
