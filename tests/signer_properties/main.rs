//! Property tests of our `SDK-HMAC-SHA256` signer (`dbss_signing`), with Huawei's official Python
//! signer as the oracle, checked in batch.
//!
//! The generators (fixed seed, so every run draws the same requests) cover what a request can
//! carry: methods of any token spelling; paths with unicode, reserved characters, valid and
//! invalid %-escapes, empty segments and trailing slashes; repeated and odd query parameters
//! (empty values, unicode, reserved and control characters, which travel %-encoded); header
//! sets with names in several cases, names with `_`, values with surrounding Unicode
//! whitespace; `Content-Type`, `X-Sdk-Content-Sha256`, `X-Sdk-Date` and `Host` set by the caller
//! in several spellings; binary, JSON, text and empty bodies.
//!
//! Restricted to what HTTP can carry, on purpose:
//! * header names are RFC 9110 tokens (`!#$%&'*+-.^_\`|~`, digits, letters): nothing else can
//!   be a field name on the wire, and both signers lower-case names, which for non-ASCII names
//!   follows each language's Unicode tables;
//! * header values hold no control characters other than HTAB (no NUL, CR, LF, U+001C..U+001F,
//!   DEL): `http::HeaderValue` refuses them and a server could not receive them. Non-ASCII
//!   characters (including U+0085 and U+00A0) are allowed: they travel as UTF-8 bytes
//!   (`obs-text`);
//! * a header name appears at most once in one exact spelling, because the official
//!   `SdkRequest` keeps headers in a dict; spellings that differ in case are generated;
//! * paths start with `/` (the official signer fails with an `IndexError` on an empty path, a
//!   request line always has one), and hold no raw ASCII control characters (they travel
//!   %-escaped, and escapes of every byte are generated);
//! * the access key is ASCII alphanumeric and non-empty (as issued by IAM; the official signer
//!   refuses an empty one), the secret key is any non-empty text;
//! * every case sets `X-Sdk-Date` (otherwise each signer would read its own clock).
//!
//! `signer_matches_the_official_signer` draws 10,000 requests (`DBSS_SIGNER_PROPERTY_CASES`
//! to change), checks our own invariants on each, then writes them to one JSON file, runs
//! `$DBSS_ORACLE_PYTHON tests/oracle/batch_sign.py FILE` once and compares every stage. Without
//! `DBSS_ORACLE_PYTHON` (set by `cargo xtask test`) the comparison is skipped with a notice.
//! `our_invariants_hold` runs the invariants through proptest's runner, which shrinks a failure
//! to a minimal request.

mod generators;
mod invariants;
mod official;

use std::{collections::BTreeMap, path::Path};

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::generators::case;
use crate::invariants::{Ours, check_invariants, draw, rng, sign_ours};
use crate::official::{cases_wanted, differences, official_batch, show};
/// The fixed seed of every draw.
pub(crate) const SEED: [u8; 32] = *b"dbss-rs signer property seed 001";
/// Requests compared with the official signer, unless `DBSS_SIGNER_PROPERTY_CASES` says otherwise.
pub(crate) const DEFAULT_CASES: usize = 10_000;
/// Mismatches printed in full when the comparison fails.
pub(crate) const SHOWN: usize = 5;

/// One generated request and the keys it is signed with.
pub(crate) type Case = dbss_tests::SigningInput;

/// The input of `batch_sign.py` for `case`.
pub(crate) fn batch_input(case: &Case) -> Value {
    json!({
        "method": case.method,
        "host": case.host,
        "path": case.path,
        "query": case.query,
        "headers": case.headers,
        "body_hex": hex(&case.body),
        "ak": case.ak,
        "sk": case.sk,
    })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn our_invariants_hold() {
    let config = Config {
        cases: 2_000,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng());
    let result = runner.run(&case(), |case| check_invariants(&case).map_err(TestCaseError::fail));
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn signer_matches_the_official_signer() {
    let cases = draw(cases_wanted());
    let ours: Vec<Ours> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| sign_ours(case).unwrap_or_else(|panic| panic!("case {i}: {panic}\n{case:#?}")))
        .collect();

    // Our invariants on every case first: they need no Python.
    let broken: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            check_invariants(case)
                .err()
                .map(|why| format!("case {i}: {why}\n{case:#?}"))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} of {} cases break an invariant of our signer; the first ones:\n{}",
        broken.len(),
        cases.len(),
        broken.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("\n")
    );

    let Some(python) = dbss_tests::oracle_python(
        "signer_matches_the_official_signer: the comparison with the official signer (our own invariants still ran)",
    ) else {
        return;
    };
    let official = official_batch(&python, &cases);

    let (mut identical, mut refused_by_both) = (0, 0);
    let mut mismatches = Vec::new();
    let mut first_stages: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, ((case, ours), official)) in cases.iter().zip(&ours).zip(&official).enumerate() {
        let found = differences(official, ours);
        match found.first() {
            None if ours.is_ok() => identical += 1,
            None => refused_by_both += 1,
            Some(first) => {
                *first_stages.entry(first.stage).or_default() += 1;
                mismatches.push(show(i, case, &found));
            }
        }
    }
    eprintln!(
        "signer_matches_the_official_signer: {} requests: {identical} signed identically at every stage, \
         {refused_by_both} refused by both, {} mismatches",
        cases.len(),
        mismatches.len()
    );
    let report = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signer-properties-mismatches.txt");
    if !mismatches.is_empty() {
        let _ = std::fs::write(&report, mismatches.join("\n\n"));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} generated requests are not signed as the official signer signs them (first stage that \
         differs: {first_stages:?}); all of them are in {}, the first {}:\n\n{}",
        mismatches.len(),
        cases.len(),
        report.display(),
        mismatches.len().min(SHOWN),
        mismatches[..mismatches.len().min(SHOWN)].join("\n\n")
    );
}
