//! Renderers of the Rust artifacts derived from the spec.

pub mod cli;
pub mod contract;
pub mod ops;

use std::{
    io::Write,
    process::{Command, Stdio},
};

use proc_macro2::TokenStream;

/// Formats generated tokens as a Rust file with the "do not edit" header.
///
/// The text goes through prettyplease, then rustfmt with the project's settings, so that
/// `cargo fmt` leaves committed artifacts exactly as the generator wrote them.
pub fn rust_file(header: &str, tokens: TokenStream) -> crate::Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated Rust does not parse: {e}"))?;
    // The header goes on after formatting: rustfmt leaves files marked `@generated` alone.
    Ok(format!("{header}\n{}", rustfmt(&prettyplease::unparse(&file))?))
}

fn rustfmt(code: &str) -> crate::Result<String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet", "--config-path"])
        .arg(crate::project_root().join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {rustfmt}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = code.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked")?
        .map_err(|e| format!("rustfmt stdin: {e}"))?;
    if !output.status.success() {
        return Err(format!("rustfmt failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Doc attributes, one per line, so they print as `///` comments (a multi-line `#[doc]`
/// prints as a block comment, which rustfmt re-indents).
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote::quote!(#(#[doc = #lines])*)
}

/// Doc text for an operation: summary, then description.
pub fn doc_text(summary: &str, description: &str) -> String {
    match (summary.is_empty(), description.is_empty()) {
        (false, false) => format!("{summary}.\n\n{description}"),
        (false, true) => format!("{summary}."),
        (true, _) => description.to_owned(),
    }
}
