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

use std::{
    collections::BTreeMap,
    panic::{AssertUnwindSafe, catch_unwind},
    path::Path,
    process::Command,
};

use chrono::{DateTime, Utc};
use dbss_signing::{self as signing, SignableRequest};
use proptest::{
    prelude::*,
    sample::select,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner},
};
use serde_json::{Value, json};

/// The fixed seed of every draw.
const SEED: [u8; 32] = *b"dbss-rs signer property seed 001";
/// Requests compared with the official signer, unless `DBSS_SIGNER_PROPERTY_CASES` says otherwise.
const DEFAULT_CASES: usize = 10_000;
/// Mismatches printed in full when the comparison fails.
const SHOWN: usize = 5;

/// One generated request and the keys it is signed with.
#[derive(Clone, Debug)]
struct Case {
    method: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
}

impl Case {
    fn signable(&self) -> SignableRequest<'_> {
        dbss_tests::signable(
            &self.method,
            &self.host,
            &self.path,
            &self.query,
            &self.headers,
            &self.body,
        )
    }

    /// The input of `batch_sign.py`.
    fn to_json(&self) -> Value {
        json!({
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body_hex": hex(&self.body),
            "ak": self.ak,
            "sk": self.sk,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

fn chars_of(text: &'static str) -> impl Strategy<Value = char> {
    select(text.chars().collect::<Vec<_>>())
}

fn strings(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(items).prop_map(str::to_owned)
}

fn concat(parts: Vec<String>) -> String {
    parts.concat()
}

const ALNUM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const TCHAR: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

/// Non-ASCII characters that have tripped encoders: accented and CJK letters, characters whose
/// case mapping changes length, combining marks, a 4-byte emoji, U+FFFD, the last scalar value,
/// and characters that are whitespace to one definition or another (U+180E, U+200B and U+FEFF
/// are whitespace to neither Rust nor Python).
const UNICODE: &[&str] = &[
    "é",
    "ü",
    "数",
    "据",
    "库",
    "ß",
    "İ",
    "ﬃ",
    "Σ",
    "ς",
    "\u{301}",
    "😀",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{1680}",
    "\u{2003}",
    "\u{202f}",
    "\u{205f}",
    "\u{180e}",
    "\u{200b}",
    "\u{feff}",
    "\u{7ff}",
    "\u{800}",
    "\u{ffff}",
    "\u{10000}",
];

/// Any non-ASCII character, or one from [`UNICODE`].
fn unicode_char() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => strings(UNICODE),
        2 => any::<char>().prop_filter_map("non-ASCII", |c| (!c.is_ascii()).then(|| c.to_string())),
    ]
}

fn token(lengths: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(chars_of(TCHAR), lengths).prop_map(|cs| cs.into_iter().collect())
}

/// `name` with its letters in another case: as given, lower, upper, or mixed.
fn case_variant(name: String) -> impl Strategy<Value = String> {
    let mixed = name.clone();
    prop_oneof![
        4 => Just(name.clone()),
        1 => Just(name.to_ascii_lowercase()),
        1 => Just(name.to_ascii_uppercase()),
        1 => any::<u64>().prop_map(move |bits| {
            mixed
                .chars()
                .enumerate()
                .map(|(i, c)| if bits >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect()
        }),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => strings(&["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
        2 => strings(&["get", "post", "Put", "dElEtE", "patch", "M-SEARCH", "PROPFIND"]),
        1 => token(1..=12),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => strings(&[
            "dbss.cn-north-4.myhuaweicloud.com",
            "dbss.ap-southeast-1.myhuaweicloud.com",
            "127.0.0.1:8080",
            "[::1]:8443",
            "localhost",
        ]),
        1 => (prop::collection::vec(chars_of("abcdefghijklmnopqrstuvwxyz0123456789-"), 1..12), prop::option::of(1u16..))
            .prop_map(|(label, port)| {
                let label: String = label.into_iter().collect();
                match port {
                    Some(port) => format!("{label}.example.com:{port}"),
                    None => format!("{label}.example.com"),
                }
            }),
    ]
}

/// `%XX` escapes of the UTF-8 bytes of `text`, upper or lower case hex.
fn escaped(text: &str, upper: bool) -> String {
    text.bytes()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// One piece of a path segment.
fn path_atom() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => chars_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~").prop_map(String::from),
        2 => chars_of(":@!$&'()*+,;=").prop_map(String::from),
        1 => chars_of(" \"<>[]\\^`{|}?#%").prop_map(String::from),
        2 => unicode_char(),
        // Any byte escaped, so the decoded path may be invalid UTF-8 or hold control characters.
        2 => (any::<u8>(), any::<bool>()).prop_map(|(b, upper)| if upper { format!("%{b:02X}") } else { format!("%{b:02x}") }),
        1 => strings(&["%", "%z", "%4", "%zz", "%G1", "%%", "%%41", "%4g", "%-1", "%+5"]),
        1 => strings(&["%2F", "%2f", "%25", "%20", "+", "%7E", "%2B", "%3F", "%23", "%2E", "%2e%2E", "%00"]),
        // A whole character escaped, or its UTF-8 cut short.
        1 => (unicode_char(), any::<bool>()).prop_map(|(c, upper)| escaped(&c, upper)),
        1 => (unicode_char(), any::<bool>()).prop_map(|(c, upper)| {
            let full = escaped(&c, upper);
            full[..full.len() - 3].to_owned()
        }),
    ]
}

fn path() -> impl Strategy<Value = String> {
    let segment = prop::collection::vec(path_atom(), 0..6).prop_map(concat);
    prop_oneof![
        1 => strings(&["/", "//", "/v1/", "/v1//x", "/%2F", "/%", "/%FF%FE/x%E2%82"]),
        8 => (prop::collection::vec(segment, 0..6), any::<bool>()).prop_map(|(segments, trailing)| {
            let mut path = format!("/{}", segments.join("/"));
            if trailing && !path.ends_with('/') {
                path.push('/');
            }
            path
        }),
    ]
}

/// Raw (unencoded) query text: anything, since a query travels %-encoded.
fn query_text() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        6 => chars_of(ALNUM).prop_map(String::from),
        2 => chars_of("!#$&'()*+,/:;=?@[] -._~%\"<>\\^`{|}").prop_map(String::from),
        1 => strings(&["%20", "%zz", "%", "+", "a+b", "%2B", "&", "=", "==", "&&"]),
        2 => unicode_char(),
        1 => any::<char>().prop_map(String::from),
        1 => (0u8..0x20).prop_map(|b| char::from(b).to_string()),
    ];
    prop::collection::vec(atom, 0..8).prop_map(concat)
}

fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    // Small pools of keys and values make repeated keys and repeated pairs common.
    let key = prop_oneof![
        3 => strings(&["limit", "offset", "k", "a", "A", "B", "name", "name[]", "a-", "a/", "k:", "k0", "é", ""]),
        2 => query_text(),
    ];
    let value = prop_oneof![
        3 => strings(&["", "0", "1", "10", "2", "a b", "x", "true", "é"]),
        2 => query_text(),
    ];
    prop::collection::vec((key, value), 0..10)
}

/// Whitespace that may surround a header value, by Unicode's, Rust's or Python's definition, and
/// look-alikes that are whitespace to neither (U+180E, U+200B, U+FEFF).
const SPACES: &[&str] = &[
    " ", "\t", "\u{a0}", "\u{3000}", "\u{2003}", "\u{2028}", "\u{2029}", "\u{85}", "\u{1680}", "\u{202f}", "\u{205f}",
    "\u{180e}", "\u{200b}", "\u{feff}",
];

/// A header value a request can carry: no control character except HTAB.
fn header_value() -> impl Strategy<Value = String> {
    let spaces = || prop::collection::vec(strings(SPACES), 0..3).prop_map(concat);
    let atom = prop_oneof![
        8 => (0x21u8..0x7f).prop_map(|b| char::from(b).to_string()),
        2 => strings(&[" ", "\t", "  "]),
        2 => unicode_char(),
        1 => any::<char>().prop_filter_map("carriable", |c| (!c.is_ascii_control()).then(|| c.to_string())),
    ];
    let inner = prop::collection::vec(atom, 0..14).prop_map(concat);
    (spaces(), inner, spaces()).prop_map(|(before, inner, after)| format!("{before}{inner}{after}"))
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => strings(&[
            "X-Project-Id", "X-Domain-Id", "User-Agent", "api-version", "X-Security-Token", "Accept", "X-Custom",
            "X-Request-Id", "X-A", "Content-Length", "Authorization",
        ]),
        2 => token(1..=16),
        1 => (token(0..=6), token(0..=6)).prop_map(|(a, b)| format!("X_{a}_{b}")),
    ]
    .prop_flat_map(case_variant)
}

fn content_type() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        6 => Just("Content-Type".to_owned()),
        1 => strings(&["content-type", "CONTENT-TYPE", "Content-type"]),
    ];
    let value = prop_oneof![
        6 => strings(&[
            "application/json",
            "application/json;charset=UTF-8",
            "application/json; charset=utf-8",
            "application/bson",
            "application/octet-stream",
            "text/plain",
            "multipart/form-data; boundary=xyz",
            "application/x-www-form-urlencoded",
            "",
            " ",
            " application/json",
            "Application/JSON",
            "application/jsonx",
            "application/bson+x",
        ]),
        1 => header_value(),
    ];
    (name, value)
}

fn content_sha256() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        4 => Just(signing::CONTENT_SHA256_HEADER.to_owned()),
        1 => strings(&["x-sdk-content-sha256", "X-SDK-CONTENT-SHA256"]),
    ];
    let value = prop_oneof![
        4 => strings(&[
            "UNSIGNED-PAYLOAD",
            "",
            "   ",
            " UNSIGNED-PAYLOAD ",
            "caller-chosen-hash",
            signing::EMPTY_BODY_SHA256,
        ]),
        1 => header_value(),
    ];
    (name, value)
}

/// `X-Sdk-Date` values: mostly well-formed (every year from 1 to 9999), also dates that the
/// format's digits allow but the calendar does not, unpadded fields, and junk.
fn date_value() -> impl Strategy<Value = String> {
    let well_formed = (2000u32..2100, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60)
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z"));
    let any_year = (1u32..10000, 1u32..=12, 1u32..=31, 0u32..24, 0u32..60, 0u32..60)
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z"));
    let unpadded = (1000u32..10000, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60)
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y}{mo}{d}T{h}{mi}{s}Z"));
    prop_oneof![
        12 => well_formed,
        2 => any_year,
        1 => unpadded,
        1 => strings(&[
            "2024111T000000Z",
            "20240101t000000z",
            " 20240101T000000Z",
            "20240101T000000Z ",
            "20240101T000000",
            "2024-01-01T00:00:00Z",
            "",
            "20241301T000000Z",
            "20240230T000000Z",
            "20240101T240000Z",
            "20240101T235960Z",
            "+20240101T000000Z",
            "\u{662}\u{660}\u{662}\u{664}0101T000000Z",
            "20240101T000000Z\u{a0}",
        ]),
        1 => header_value(),
    ]
}

fn date_header() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        6 => Just(signing::DATE_HEADER.to_owned()),
        1 => strings(&["x-sdk-date", "X-SDK-DATE"]),
    ];
    (name, date_value())
}

fn host_header() -> impl Strategy<Value = (String, String)> {
    (strings(&["Host", "host", "HOST"]), host())
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        date_header(),
        // A second X-Sdk-Date in another spelling: the first one counts.
        prop::option::weighted(0.05, date_header()),
        prop::option::weighted(0.6, content_type()),
        prop::option::weighted(0.2, content_sha256()),
        prop::option::weighted(0.15, host_header()),
        prop::collection::vec((header_name(), header_value()), 0..7),
    )
        .prop_flat_map(|(date, date2, ct, sha, host, others)| {
            let mut all = vec![date];
            all.extend(date2);
            all.extend(ct);
            all.extend(sha);
            all.extend(host);
            all.extend(others);
            Just(all).prop_shuffle()
        })
        .prop_map(|all| {
            // One exact spelling at most (the official SdkRequest is a dict); the first one stays.
            let mut seen = std::collections::HashSet::new();
            all.into_iter().filter(|(name, _)| seen.insert(name.clone())).collect()
        })
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        query_text().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((query_text(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    });
    (value, any::<bool>()).prop_map(|(v, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&v).unwrap_or_default()
        } else {
            v.to_string()
        }
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => json_text().prop_map(String::into_bytes),
        2 => prop::collection::vec(any::<u8>(), 1..300),
        1 => query_text().prop_map(String::into_bytes),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let ak = prop::collection::vec(chars_of(ALNUM), 1..=24).prop_map(|cs| cs.into_iter().collect::<String>());
    let sk = prop_oneof![
        // HMAC keys longer than SHA-256's 64-byte block are hashed first: lengths on both sides.
        3 => prop::collection::vec(chars_of(ALNUM), 1..=100).prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => prop::collection::vec(any::<char>(), 1..40).prop_map(|cs| cs.into_iter().collect::<String>()),
    ];
    (method(), host(), path(), query(), headers(), body(), ak, sk).prop_map(
        |(method, host, path, query, headers, body, ak, sk)| Case {
            method,
            host,
            path,
            query,
            headers,
            body,
            ak,
            sk,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Our signer and its invariants
// ---------------------------------------------------------------------------------------------

/// Never used by a case (each sets `X-Sdk-Date`), but `sign` needs one.
fn now() -> DateTime<Utc> {
    signing::parse_date("20991231T235959Z").unwrap_or_default()
}

/// What our signer made of a case: the signature and the headers to send, or its refusal.
type Ours = Result<(signing::Signature, Vec<(String, String)>), signing::SigningError>;

/// Signs `case`; a panic is reported as an error message naming the case.
fn sign_ours(case: &Case) -> Result<Ours, String> {
    let mut request = case.signable();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        signing::sign(&mut request, &case.ak, &case.sk, now())
    }));
    match outcome {
        Ok(result) => Ok(result.map(|signature| {
            let sent = request
                .headers
                .into_iter()
                .map(|(n, v)| (n.into_owned(), v.into_owned()));
            (signature, sent.collect())
        })),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("signing panicked: {message}"))
        }
    }
}

/// Our own invariants on one case; `Err` says which one failed.
fn check_invariants(case: &Case) -> Result<(), String> {
    let (signature, headers) = match sign_ours(case)? {
        Ok(signed) => signed,
        // The only refusal is a date our parser does not accept; it must say so.
        Err(signing::SigningError::BadDate(date)) => {
            let given = signing::header(&case.headers, signing::DATE_HEADER);
            return if given == Some(date.as_str()) && signing::parse_date(&date).is_none() {
                Ok(())
            } else {
                Err(format!("refused with BadDate({date:?}) but the request has {given:?}"))
            };
        }
    };
    // Every value is sent trimmed; X-Sdk-Date and Host are always there.
    if let Some((name, value)) = headers.iter().find(|(_, v)| signing::trim(v) != v) {
        return Err(format!("header {name} is sent untrimmed: {value:?}"));
    }
    for required in [signing::DATE_HEADER, "Host"] {
        if signing::header(&headers, required).is_none() {
            return Err(format!("{required} is not sent"));
        }
    }
    // The signed names are sorted, lower-case, without `_`, and name sent headers.
    let names: Vec<&str> = signature.signed_headers.split(';').collect();
    if names.windows(2).any(|w| w[0] > w[1])
        || names.iter().any(|n| n.contains('_') || *n != n.to_ascii_lowercase())
        || names.iter().any(|n| signing::header(&headers, n).is_none())
    {
        return Err(format!("bad signed header list {:?}", signature.signed_headers));
    }
    // The Authorization header parses back into what was signed.
    let parsed = signing::parse_authorization(&signature.authorization)
        .ok_or_else(|| format!("Authorization does not parse: {:?}", signature.authorization))?;
    if (parsed.access, parsed.signed_headers, parsed.signature)
        != (
            case.ak.as_str(),
            signature.signed_headers.as_str(),
            signature.signature.as_str(),
        )
    {
        return Err(format!(
            "Authorization {:?} does not repeat the signature",
            signature.authorization
        ));
    }
    // The canonical query does not depend on the order of the pairs.
    let mut reversed = case.query.clone();
    reversed.reverse();
    if signing::canonical_query(&reversed) != signature.canonical_query {
        return Err("the canonical query depends on the order of the pairs".to_owned());
    }
    // The canonical path is a fixed point.
    let uri = signing::canonical_uri(&case.path);
    if signing::canonical_uri(&uri) != uri {
        return Err(format!("canonical_uri is not idempotent on {uri:?}"));
    }
    // The receiver's check accepts what was signed, and only with the right key. When one name
    // is sent in two spellings the signature covers the last value under both, as the official
    // signer does, while `verify` reads the first: no receiver sees such a request (HTTP
    // merges the two), so the check is left out there.
    let sent = SignableRequest {
        headers: signing::pairs(headers),
        ..case.signable()
    };
    let mut lower: Vec<String> = sent.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    lower.sort();
    let unique = lower.windows(2).all(|w| w[0] != w[1]);
    if unique {
        if !signing::verify(&sent, &signature.signed_headers, &case.sk, &signature.signature) {
            return Err("verify(sign(x)) does not hold".to_owned());
        }
        let wrong = format!("{}x", case.sk);
        if signing::verify(&sent, &signature.signed_headers, &wrong, &signature.signature) {
            return Err("verify accepts a wrong secret key".to_owned());
        }
    }
    Ok(())
}

fn rng() -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &SEED)
}

/// `count` cases drawn from the fixed seed.
fn draw(count: usize) -> Vec<Case> {
    // Filters reject some draws; the runner counts rejects over all draws, not per case.
    let config = Config {
        max_local_rejects: u32::MAX,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng());
    let strategy = case();
    (0..count)
        .map(|i| {
            strategy
                .new_tree(&mut runner)
                .unwrap_or_else(|e| panic!("drawing case {i}: {e}"))
                .current()
        })
        .collect()
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

// ---------------------------------------------------------------------------------------------
// The official signer, in batch
// ---------------------------------------------------------------------------------------------

fn cases_wanted() -> usize {
    std::env::var("DBSS_SIGNER_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Signs every case with the official signer in one run of `batch_sign.py`.
fn official_batch(python: &Path, cases: &[Case]) -> Vec<Value> {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("signer-properties-{}.json", std::process::id()));
    let input = json!({ "cases": cases.iter().map(Case::to_json).collect::<Vec<_>>() });
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
struct Difference {
    stage: &'static str,
    official: String,
    ours: String,
}

/// Every stage where our result differs from the official one.
fn differences(official: &Value, ours: &Ours) -> Vec<Difference> {
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

fn show(i: usize, case: &Case, found: &[Difference]) -> String {
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
        serde_json::to_string_pretty(&case.to_json()).unwrap_or_default()
    )
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
