//! The official signer, run once over a batch of cases, and the stage-by-stage comparison with
//! ours.

use std::{path::Path, process::Command};

use serde_json::{Value, json};

use crate::invariants::Ours;
use crate::{Case, DEFAULT_CASES, batch_input};

pub(crate) fn cases_wanted() -> usize {
    std::env::var("DBSS_SIGNER_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Signs every case with the official signer in one run of `batch_sign.py`.
pub(crate) fn official_batch(python: &Path, cases: &[Case]) -> Vec<Value> {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("signer-properties-{}.json", std::process::id()));
    let input = json!({ "cases": cases.iter().map(batch_input).collect::<Vec<_>>() });
    std::fs::write(&file, input.to_string()).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("oracle")
        .join("batch_sign.py");
    let output = Command::new(python)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "batch_sign.py failed ({}); its input is kept in {}:\n{}",
        output.status,
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_file(&file);
    let results: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("batch_sign.py printed {line:?}: {e}")))
        .collect();
    assert_eq!(
        results.len(),
        cases.len(),
        "batch_sign.py answered {} of {} cases",
        results.len(),
        cases.len()
    );
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["index"], json!(i), "batch_sign.py answered out of order");
    }
    results
}

/// One stage where our result differs from the official one.
#[derive(Debug)]
pub(crate) struct Difference {
    pub(crate) stage: &'static str,
    pub(crate) official: String,
    pub(crate) ours: String,
}

/// Every stage where our result differs from the official one.
pub(crate) fn differences(official: &Value, ours: &Ours) -> Vec<Difference> {
    let text = |key: &str| official[key].as_str().unwrap_or_default().to_owned();
    let outcome = |official: String, ours: String| {
        vec![Difference {
            stage: "outcome",
            official,
            ours,
        }]
    };
    match (official.get("error"), ours) {
        (Some(_), Err(_)) => Vec::new(),
        (Some(error), Ok(_)) => outcome(
            format!("refused: {}", error.as_str().unwrap_or("?")),
            "signed".to_owned(),
        ),
        (None, Err(error)) => outcome("signed".to_owned(), format!("refused: {error}")),
        (None, Ok((signature, headers))) => {
            let stages = [
                ("canonical_request", &signature.canonical_request),
                ("string_to_sign", &signature.string_to_sign),
                ("signature", &signature.signature),
                ("signed_headers", &signature.signed_headers),
                ("authorization", &signature.authorization),
                ("canonical_query", &signature.canonical_query),
            ];
            let mut found: Vec<Difference> = stages
                .into_iter()
                .filter(|(stage, our)| text(stage) != **our)
                .map(|(stage, our)| Difference {
                    stage,
                    official: text(stage),
                    ours: our.clone(),
                })
                .collect();
            // The other headers to send (`authorization` above compares the one the signer sets,
            // replacing a caller's of that exact spelling), sorted: their order carries no meaning.
            let mut our_headers = headers.clone();
            our_headers.retain(|(name, _)| name != "Authorization");
            our_headers.sort();
            let mut official_headers: Vec<(String, String)> =
                serde_json::from_value(official["final_headers"].clone()).unwrap_or_default();
            official_headers.retain(|(name, _)| name != "Authorization");
            official_headers.sort();
            if official_headers != our_headers {
                found.push(Difference {
                    stage: "final_headers",
                    official: format!("{official_headers:?}"),
                    ours: format!("{our_headers:?}"),
                });
            }
            found
        }
    }
}

pub(crate) fn show(i: usize, case: &Case, found: &[Difference]) -> String {
    let stages: Vec<String> = found
        .iter()
        .map(|d| {
            format!(
                "  stage {}:\n    official: {:?}\n    ours:     {:?}",
                d.stage, d.official, d.ours
            )
        })
        .collect();
    format!(
        "case {i}:\n{}\n  input: {}",
        stages.join("\n"),
        serde_json::to_string_pretty(&batch_input(case)).unwrap_or_default()
    )
}
