//! Renderers of the Rust artifacts derived from the spec.

pub mod cli;
pub mod ops;

use proc_macro2::TokenStream;

/// Formats generated tokens as a Rust file with the "do not edit" header.
pub fn rust_file(header: &str, tokens: TokenStream) -> crate::Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated Rust does not parse: {e}"))?;
    Ok(format!("{header}\n{}", prettyplease::unparse(&file)))
}

/// Doc text for an operation: summary, then description.
pub fn doc_text(summary: &str, description: &str) -> String {
    match (summary.is_empty(), description.is_empty()) {
        (false, false) => format!("{summary}.\n\n{description}"),
        (false, true) => format!("{summary}."),
        (true, _) => description.to_owned(),
    }
}
