//! Every stage of every signing vector of the official signer, one folder per case.
//!
//! `tests/vectors/<case>/` is written by `tests/oracle/sign_vectors.py --folders` (Huawei's own
//! `huaweicloudsdkcore` signer): the request, then each stage as its own file. A failure names
//! the case and the stage, so a regression points straight at the step that changed.

use std::{
    fs,
    path::{Path, PathBuf},
};

use dbss_signing::{SignableRequest, parse_date, sign, verify};
use serde_json::Value;

/// How our signature gives one stage.
type Stage = fn(&dbss_signing::Signature) -> &str;

/// A stage file and how our signature gives that stage.
const STAGES: &[(&str, Stage)] = &[
    ("canonical-request.txt", |s| &s.canonical_request),
    ("string-to-sign.txt", |s| &s.string_to_sign),
    ("signature.txt", |s| &s.signature),
    ("authorization.txt", |s| &s.authorization),
    ("signed-headers.txt", |s| &s.signed_headers),
    ("canonical-query.txt", |s| &s.canonical_query),
];

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn text<'a>(value: &'a Value, key: &str, case: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{case}: request.json has no string {key:?}"))
}

/// `[[name, value], ...]` as pairs.
fn pairs(value: &Value, case: &str) -> Vec<(String, String)> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{case}: expected a list of pairs"))
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(k), Value::String(v)]) => (k.clone(), v.clone()),
            _ => panic!("{case}: {pair} is not a [name, value] pair"),
        })
        .collect()
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(vectors_dir())
        .unwrap_or_else(|e| panic!("cannot list the vectors: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("request.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_stage_of_every_case_matches_the_official_signer() {
    let cases = case_dirs();
    // The edge-case table of signing.md plus the DBSS requests: fewer means folders went missing.
    assert!(cases.len() >= 24, "only {} vector folders", cases.len());
    // Every case pins X-Sdk-Date; a signer that used this date instead would show.
    let now = parse_date("20991231T235959Z").unwrap_or_else(|| panic!("test date"));

    let mut mismatches = Vec::new();
    for dir in &cases {
        let case = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let request = json(&dir.join("request.json"));
        let query = pairs(&request["query"], &case);
        let headers = pairs(&request["headers"], &case);
        let body = fs::read(dir.join("body.bin")).unwrap_or_default();
        let (ak, sk) = (text(&request, "ak", &case), text(&request, "sk", &case));
        let mut signable = SignableRequest {
            method: text(&request, "method", &case).into(),
            host: text(&request, "host", &case).into(),
            path: text(&request, "path", &case).into(),
            query: dbss_signing::pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            headers: dbss_signing::pairs(headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            body: body.as_slice().into(),
        };
        let ours = match sign(&mut signable, ak, sk, now) {
            Ok(signature) => signature,
            Err(error) => {
                mismatches.push(format!("{case}: our signer refused it: {error}"));
                continue;
            }
        };
        for (file, stage) in STAGES {
            let official = read(&dir.join(file));
            if official != stage(&ours) {
                mismatches.push(format!(
                    "{case}, {file}:\n  official: {official:?}\n  ours:     {:?}",
                    stage(&ours)
                ));
            }
        }
        // The headers sent, Authorization included; their order carries no meaning.
        let mut official = pairs(&json(&dir.join("sent-headers.json")), &case);
        official.sort();
        let mut sent: Vec<(String, String)> = signable
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        sent.push(("Authorization".to_owned(), ours.authorization.clone()));
        sent.sort();
        if official != sent {
            mismatches.push(format!(
                "{case}, sent-headers.json:\n  official: {official:?}\n  ours:     {sent:?}"
            ));
        }
        // What we signed, we accept; with another secret, we do not. A request carrying one
        // name twice in different cases cannot arrive as such (a server merges them), so
        // `verify`, which looks names up as a server does, is not asked about it.
        let mut names: Vec<String> = signable.headers.iter().map(|(n, _)| n.to_lowercase()).collect();
        names.sort();
        names.dedup();
        if names.len() == signable.headers.len() && !verify(&signable, &ours.signed_headers, sk, &ours.signature) {
            mismatches.push(format!("{case}: verify refuses our own signature"));
        }
        if names.len() == signable.headers.len()
            && verify(&signable, &ours.signed_headers, "another-secret", &ours.signature)
        {
            mismatches.push(format!("{case}: verify accepts a signature made with another secret"));
        }
    }
    // All at once: one case failing must not hide the others.
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es) with the official signer over {} cases:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
