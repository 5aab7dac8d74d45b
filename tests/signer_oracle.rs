//! Our AK/SK signer against Huawei's official Python signer, used as the oracle.
//!
//! `oracle/sign_vectors.py` runs the official `huaweicloudsdkcore` signer; its output is
//! committed as `oracle/vectors.json` so that the stage-by-stage comparison runs without
//! Python. The two other tests need the official SDK (`DBSS_ORACLE_PYTHON`, set by
//! `cargo xtask test`): one proves the committed vectors are what the official signer
//! produces today, the other has the official signer check requests our client really sent.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
};

use dbss_signing as signing;
use httpmock::{
    HttpMockRequest,
    Method::{GET, POST},
    MockServer,
};
use serde::Deserialize;
use serde_json::{Value, json};

const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
const AK: &str = "AKEXAMPLE0123456789";
const SK: &str = "SKEXAMPLEsecretKey0123456789abcdefghijkl";
const SECURITY_GROUP_PATH: &str = "/v1/0123456789abcdef0123456789abcdef/dbss/audit/security-group";
const INSTANCES_PATH: &str = "/v1/0123456789abcdef0123456789abcdef/dbss/audit/instances";

/// One output of the official signer (see `sign_vectors.py`).
#[derive(Debug, Deserialize)]
struct Vector {
    name: String,
    input: Input,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
    signed_headers: String,
    final_headers: Vec<(String, String)>,
    canonical_query: String,
}

/// The request a vector was made from. The body is also stored as byte values so that no
/// base64 decoder is needed here.
#[derive(Debug, Deserialize)]
struct Input {
    method: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body_bytes: Vec<u8>,
    ak: String,
    sk: String,
}

fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle")
}

fn committed_json() -> Value {
    let path = oracle_dir().join("vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn committed_vectors_match_our_signer_stage_by_stage() {
    let vectors: Vec<Vector> = serde_json::from_value(committed_json()).unwrap_or_else(|e| panic!("vectors.json: {e}"));
    // The edge-case table of signing.md plus the DBSS requests need at least this many.
    assert!(vectors.len() >= 24, "only {} vectors in vectors.json", vectors.len());
    // Irrelevant to the result: every vector pins X-Sdk-Date. A different date would show.
    let now = signing::parse_date("20991231T235959Z").unwrap_or_else(|| panic!("test date"));

    let mut mismatches = Vec::new();
    for vector in &vectors {
        let input = &vector.input;
        let mut request = dbss_tests::signable(
            &input.method,
            &input.host,
            &input.path,
            &input.query,
            &input.headers,
            &input.body_bytes,
        );
        let ours = match signing::sign(&mut request, &input.ak, &input.sk, now) {
            Ok(signature) => signature,
            Err(error) => {
                mismatches.push(format!("vector {}: our signer refused it: {error}", vector.name));
                continue;
            }
        };
        // Headers as they would be sent. The order of header lines carries no meaning, so
        // both lists are compared sorted.
        let mut our_headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        our_headers.push(("Authorization".to_owned(), ours.authorization.clone()));
        our_headers.sort();
        let mut official_headers = vector.final_headers.clone();
        official_headers.sort();

        let stages = [
            ("canonical_request", &vector.canonical_request, &ours.canonical_request),
            ("string_to_sign", &vector.string_to_sign, &ours.string_to_sign),
            ("signature", &vector.signature, &ours.signature),
            ("authorization", &vector.authorization, &ours.authorization),
            ("signed_headers", &vector.signed_headers, &ours.signed_headers),
            ("canonical_query", &vector.canonical_query, &ours.canonical_query),
        ];
        for (stage, official, our) in stages {
            if official != our {
                mismatches.push(format!(
                    "vector {}, stage {stage}:\n  official: {official:?}\n  ours:     {our:?}",
                    vector.name
                ));
            }
        }
        if official_headers != our_headers {
            mismatches.push(format!(
                "vector {}, stage final_headers:\n  official: {official_headers:?}\n  ours:     {our_headers:?}",
                vector.name
            ));
        }
    }
    // All mismatches at once: one vector failing must not hide the others.
    assert!(
        mismatches.is_empty(),
        "{} stage mismatch(es) with the official signer over {} vectors:\n{}",
        mismatches.len(),
        vectors.len(),
        mismatches.join("\n")
    );
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).unwrap_or_else(|e| panic!("cannot list {}: {e}", current.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                files.push((path.strip_prefix(dir).unwrap_or(&path).to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// The per-stage folders of `dbss-signing` are what the official signer writes today.
#[test]
fn vector_folders_are_fresh_from_the_official_signer() {
    let Some(python) = dbss_tests::oracle_python("vector_folders_are_fresh_from_the_official_signer") else {
        return;
    };
    let fresh_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signing-vector-folders");
    let output = Command::new(&python)
        .arg(oracle_dir().join("sign_vectors.py"))
        .arg("--folders")
        .arg(&fresh_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "sign_vectors.py --folders failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/dbss-signing/tests/vectors");
    let (fresh, committed) = (files_under(&fresh_dir), files_under(&committed_dir));
    let differing: Vec<String> = fresh
        .iter()
        .filter(|item| !committed.contains(item))
        .chain(committed.iter().filter(|item| !fresh.contains(item)))
        .map(|(path, _)| path.display().to_string())
        .collect();
    let _ = std::fs::remove_dir_all(&fresh_dir);
    assert!(
        differing.is_empty(),
        "crates/dbss-signing/tests/vectors is stale; regenerate it with sign_vectors.py --folders. Differing: {differing:?}"
    );
}

#[test]
fn vectors_are_fresh_from_the_official_signer() {
    let Some(python) = dbss_tests::oracle_python("vectors_are_fresh_from_the_official_signer") else {
        return;
    };
    let output = Command::new(&python)
        .arg(oracle_dir().join("sign_vectors.py"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "sign_vectors.py failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("sign_vectors.py printed no JSON: {e}"));
    let committed = committed_json();
    if fresh != committed {
        // Name the vectors that differ rather than dumping two large documents.
        let by_name = |doc: &Value| -> Vec<(String, Value)> {
            doc.as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|v| (v["name"].as_str().unwrap_or("?").to_owned(), v.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (fresh, committed) = (by_name(&fresh), by_name(&committed));
        let differing: Vec<&str> = fresh
            .iter()
            .filter(|item| !committed.contains(item))
            .chain(committed.iter().filter(|item| !fresh.contains(item)))
            .map(|(name, _)| name.as_str())
            .collect();
        panic!(
            "tests/oracle/vectors.json is stale; regenerate it with \
             `$DBSS_ORACLE_PYTHON tests/oracle/sign_vectors.py > tests/oracle/vectors.json`. \
             Differing vectors: {differing:?}"
        );
    }
}

/// A request as the mock server received it.
#[derive(Debug, PartialEq)]
struct Captured {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Captured {
    fn from_mock(request: &HttpMockRequest) -> Self {
        Captured {
            method: request.method_str().to_owned(),
            path: request.uri().path().to_owned(),
            // Decoded back to raw pairs, the form the signer takes. (Form decoding turns a bare
            // `+` into a space; our client always sends `+` as `%2B`.)
            query: request.query_params(),
            headers: request.headers_vec().clone(),
            body: request.body_vec(),
        }
    }

    /// The `--verify` input of `sign_vectors.py`.
    fn to_json(&self) -> Value {
        let host = self
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("host"))
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        json!({
            "name": format!("{} {}", self.method, self.path),
            "method": self.method,
            "host": host,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body_bytes": self.body,
            "ak": AK,
            "sk": SK,
        })
    }
}

/// Runs `sign_vectors.py --verify` on `requests`; returns its exit status and report.
fn official_verify(python: &Path, requests: &Value) -> (ExitStatus, Value) {
    let mut child = Command::new(python)
        .arg(oracle_dir().join("sign_vectors.py"))
        .arg("--verify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let input = serde_json::to_vec(requests).unwrap_or_else(|e| panic!("captured requests: {e}"));
    // Written then closed (the handle is dropped) so the script sees end of input.
    child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("no stdin pipe"))
        .write_all(&input)
        .unwrap_or_else(|e| panic!("writing to sign_vectors.py: {e}"));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("sign_vectors.py: {e}"));
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "sign_vectors.py --verify printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status, report)
}

fn results(report: &Value) -> &[Value] {
    report["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no results in {report}"))
}

#[tokio::test]
async fn official_signer_verifies_requests_our_client_sends() {
    let Some(python) = dbss_tests::oracle_python("official_signer_verifies_requests_our_client_sends") else {
        return;
    };
    let server = MockServer::start_async().await;
    // httpmock keeps its request history private, so a custom matcher that always agrees
    // records each request. It may run more than once per request, hence the de-duplication.
    let seen: Arc<Mutex<Vec<Captured>>> = Arc::default();
    let recorder = |seen: &Arc<Mutex<Vec<Captured>>>| {
        let seen = Arc::clone(seen);
        move |request: &HttpMockRequest| {
            let captured = Captured::from_mock(request);
            if let Ok(mut seen) = seen.lock()
                && !seen.contains(&captured)
            {
                seen.push(captured);
            }
            true
        }
    };
    let update = server
        .mock_async(|when, then| {
            when.method(POST).path(SECURITY_GROUP_PATH).is_true(recorder(&seen));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"result": "SUCCESS"}));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path(INSTANCES_PATH).is_true(recorder(&seen));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"servers": [], "total": 0}));
        })
        .await;

    let client = dbss::Client::builder()
        .endpoint(server.base_url())
        .project_id(PROJECT_ID)
        .credentials(dbss::Credentials::ak_sk(AK, SK))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    client
        .update_audit_security_group(
            "062212d8-8e30-4783-9671-43f3f1f3bb1e",
            "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd",
        )
        .await
        .unwrap_or_else(|e| panic!("update_audit_security_group: {e}"));
    client
        .list_audit_instances(0, 10)
        .await
        .unwrap_or_else(|e| panic!("list_audit_instances: {e}"));
    update.assert_calls_async(1).await;
    list.assert_calls_async(1).await;

    let captured: Vec<Value> = seen
        .lock()
        .unwrap_or_else(|e| panic!("capture lock: {e}"))
        .iter()
        .map(Captured::to_json)
        .collect();
    assert_eq!(captured.len(), 2, "expected the two calls, captured {captured:#?}");

    let (status, report) = official_verify(&python, &Value::from(captured.clone()));
    assert!(
        status.success() && results(&report).iter().all(|r| r["ok"] == true),
        "the official signer does not agree with our client's signatures ({status}):\n{report:#}"
    );
    assert_eq!(results(&report).len(), 2, "{report:#}");

    // The same check must be able to fail: one changed body byte has to be caught.
    let mut tampered = captured;
    let post = tampered
        .iter_mut()
        .find(|r| r["method"] == "POST")
        .unwrap_or_else(|| panic!("no POST captured"));
    let first = post["body_bytes"]
        .as_array_mut()
        .and_then(|body| body.first_mut())
        .unwrap_or_else(|| panic!("POST without body"));
    *first = json!(first.as_u64().unwrap_or_default() ^ 0x01);
    let (status, report) = official_verify(&python, &Value::from(tampered));
    assert!(!status.success(), "a tampered body still verified:\n{report:#}");
    let verdicts: Vec<(&str, bool)> = results(&report)
        .iter()
        .map(|r| (r["name"].as_str().unwrap_or("?"), r["ok"] == true))
        .collect();
    assert_eq!(
        verdicts,
        [
            (&*format!("POST {SECURITY_GROUP_PATH}"), false),
            (&*format!("GET {INSTANCES_PATH}"), true)
        ],
        "{report:#}"
    );
}
