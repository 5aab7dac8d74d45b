// String patterns of the generated types, checked without a regular-expression engine.
//
// Included by `codegen.rs` (so by both `build.rs` and `cargo xtask codegen`). typify checks a
// `pattern` of the spec with the `regress` crate: a lazily compiled regex per type, matched on
// every conversion. This spec has two patterns: `^[0-9]+$` (numeric strings such as `offset`
// and `limit`) and a comma list of risk levels, which plain string tests say exactly; `regress`
// then costs every consumer a
// dependency (about 3 s of a cold build) and every call a regex match per parameter. This step
// rewrites each known pattern into its plain check, with the same error, and refuses a pattern
// it does not know: a new one must be taught here (or `regress` brought back) on purpose.

/// The patterns this step knows, each with the Rust condition (over `value: &str`) that is
/// true when the value does NOT match. ECMAScript semantics, as regress: without the `m` flag,
/// `$` matches only at the end of the input, and `[0-9]` is the ASCII digits.
const KNOWN_PATTERNS: &[(&str, &str)] = &[
    (
        "^[0-9]+$",
        "value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit())",
    ),
    (
        "^(HIGH|MEDIUM|LOW|NO_RISK)(,(HIGH|MEDIUM|LOW|NO_RISK))*$",
        r#"!value.split(',').all(|level| matches!(level, "HIGH" | "MEDIUM" | "LOW" | "NO_RISK"))"#,
    ),
];

/// The literal of `regress::Regex::new("...")` inside a `static PATTERN` item, if `stmt` is one.
fn regex_static(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Item(syn::Item::Static(item)) = stmt else { return None };
    let tokens = item.to_token_stream().to_string();
    if item.ident != "PATTERN" || !tokens.contains("regress") {
        return None;
    }
    let expr = item.expr.to_token_stream();
    find_string_literal(expr)
}

fn find_string_literal(tokens: proc_macro2::TokenStream) -> Option<String> {
    for tree in tokens {
        match tree {
            proc_macro2::TokenTree::Literal(literal) => {
                if let Ok(syn::Lit::Str(text)) = syn::parse_str::<syn::Lit>(&literal.to_string()) {
                    return Some(text.value());
                }
            }
            proc_macro2::TokenTree::Group(group) => {
                if let Some(found) = find_string_literal(group.stream()) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// Rewrites, in one block, each `static PATTERN` + `if PATTERN.find(value).is_none()` pair.
fn rewrite_block(block: &mut syn::Block) -> Result<usize, String> {
    let mut rewritten = 0;
    let mut index = 0;
    while index < block.stmts.len() {
        let Some(pattern) = regex_static(&block.stmts[index]) else {
            index += 1;
            continue;
        };
        let (_, mismatch) = KNOWN_PATTERNS
            .iter()
            .find(|(known, _)| *known == pattern)
            .ok_or_else(|| format!("the spec has the pattern {pattern:?}, which patterns.rs cannot check yet"))?;
        let Some(syn::Stmt::Expr(syn::Expr::If(check), _)) = block.stmts.get_mut(index + 1) else {
            return Err(format!("the check of pattern {pattern:?} is not where typify puts it"));
        };
        if !check.cond.to_token_stream().to_string().contains("PATTERN") {
            return Err(format!("the check of pattern {pattern:?} does not use it"));
        }
        *check.cond = syn::parse_str(mismatch).map_err(|e| format!("{pattern:?}: {e}"))?;
        block.stmts.remove(index);
        rewritten += 1;
    }
    Ok(rewritten)
}

/// Replaces every regex pattern check of the generated types with its plain check (see
/// [`KNOWN_PATTERNS`]). Fails if any use of `regress` would remain.
pub fn plain_pattern_checks(file: &mut syn::File) -> Result<(), String> {
    let types = module_items(&mut file.items, "types")?;
    for item in types.iter_mut() {
        let syn::Item::Impl(implementation) = item else { continue };
        for member in implementation.items.iter_mut() {
            if let syn::ImplItem::Fn(function) = member {
                rewrite_block(&mut function.block)?;
            }
        }
    }
    if file.to_token_stream().to_string().contains("regress") {
        return Err("a use of `regress` is left in the generated code after plain_pattern_checks".into());
    }
    Ok(())
}

#[cfg(test)]
mod pattern_tests {
    use super::*;

    fn from_str_with(pattern: &str) -> syn::File {
        let code = format!(
            r#"pub mod types {{
                impl ::std::str::FromStr for Offset {{
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {{
                        static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
                        {{ ::regress::Regex::new({pattern:?}).unwrap() }});
                        if PATTERN.find(value).is_none() {{
                            return Err("doesn't match pattern".into());
                        }}
                        Ok(Self(value.to_string()))
                    }}
                }}
            }}"#
        );
        syn::parse_str(&code).expect("test input parses")
    }

    #[test]
    fn the_numeric_pattern_becomes_a_digit_check_with_the_same_error() {
        let mut file = from_str_with("^[0-9]+$");
        plain_pattern_checks(&mut file).expect("known pattern");
        let text = file.to_token_stream().to_string();
        assert!(!text.contains("regress") && !text.contains("PATTERN"), "{text}");
        assert!(text.contains("is_ascii_digit"), "{text}");
        assert!(text.contains("doesn't match pattern"), "{text}");
    }

    #[test]
    fn an_unknown_pattern_is_refused_by_name() {
        let mut file = from_str_with("^[a-z]+$");
        let error = plain_pattern_checks(&mut file).expect_err("unknown pattern");
        assert!(error.contains("^[a-z]+$"), "{error}");
    }

    /// Each plain check says what regress says, on the inputs that tell them apart.
    #[test]
    fn the_plain_checks_agree_with_the_regex() {
        // The same expressions as KNOWN_PATTERNS, which the first assertion pins.
        type Mismatch = fn(&str) -> bool;
        let checks: [(&str, Mismatch); 2] = [
            (
                "value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit())",
                |value| value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()),
            ),
            (
                r#"!value.split(',').all(|level| matches!(level, "HIGH" | "MEDIUM" | "LOW" | "NO_RISK"))"#,
                |value| !value.split(',').all(|level| matches!(level, "HIGH" | "MEDIUM" | "LOW" | "NO_RISK")),
            ),
        ];
        let inputs = [
            "0", "0123456789", "", "12\n", "\n12", "1 2", "-1", "+1", "12a", "a12",
            "\u{661}\u{662}", // Arabic-Indic digits
            "\u{ff11}\u{ff12}", // full-width digits
            "1\u{0}", "99999999999999999999999999",
            "HIGH", "HIGH,LOW", "NO_RISK,MEDIUM,HIGH,LOW", "HIGH,", ",HIGH", "HIGH,,LOW", "high",
            "HIGH, LOW", "HIGHLOW", "HIGH\n", "NO", "LOW,NO_RISKS", "MEDIUM,MEDIUM",
        ];
        assert_eq!(checks.len(), KNOWN_PATTERNS.len());
        for ((pattern, condition), (text, mismatch)) in KNOWN_PATTERNS.iter().zip(checks) {
            assert_eq!(*condition, text);
            let regex = regress::Regex::new(pattern).expect("the pattern compiles");
            for value in inputs {
                assert_eq!(!mismatch(value), regex.find(value).is_some(), "{pattern} on {value:?}");
            }
        }
    }
}
