//! A closed stdout (`dbss ... | head`) ends `dbss` quietly with status 0, as it ends `ls`.
//!
//! Output is written through fallible writes whose `BrokenPipe` error [`crate::main`] turns
//! into status 0 (after cleanups such as removing temporary files have run). This hook is the
//! net under that: a write that still panics on a closed pipe (a `println!` somewhere, or a
//! library that panics on write errors) also ends the program with status 0 and no backtrace.

/// Installs the hook, keeping the default one for every other panic.
pub fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if is_broken_pipe(message) {
            std::process::exit(i32::from(crate::error::exit::OK));
        }
        default(info);
    }));
}

/// Whether a panic message is about writing to a closed pipe: the standard library's
/// "failed printing to stdout: Broken pipe (os error 32)", or an `io::Error` shown with `{:?}`.
fn is_broken_pipe(message: &str) -> bool {
    message.contains("Broken pipe") || message.contains("BrokenPipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_standard_librarys_and_debug_forms_only() {
        assert!(is_broken_pipe("failed printing to stdout: Broken pipe (os error 32)"));
        assert!(is_broken_pipe(
            "write failed: Os { code: 32, kind: BrokenPipe, message: \"Broken pipe\" }"
        ));
        assert!(!is_broken_pipe("index out of bounds"));
    }
}
