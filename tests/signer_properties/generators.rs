//! Generators of requests: methods, hosts, paths, queries, headers, dates and bodies, with the
//! edge cases of the signing rules (escaping, case, spaces, Unicode) drawn often.

use dbss_signing::{self as signing};
use proptest::{prelude::*, sample::select};
use serde_json::Value;

use crate::Case;

pub(crate) fn chars_of(text: &'static str) -> impl Strategy<Value = char> {
    select(text.chars().collect::<Vec<_>>())
}

pub(crate) fn strings(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(items).prop_map(str::to_owned)
}

pub(crate) fn concat(parts: Vec<String>) -> String {
    parts.concat()
}

pub(crate) const ALNUM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const TCHAR: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

/// Non-ASCII characters that have tripped encoders: accented and CJK letters, characters whose
/// case mapping changes length, combining marks, a 4-byte emoji, U+FFFD, the last scalar value,
/// and characters that are whitespace to one definition or another (U+180E, U+200B and U+FEFF
/// are whitespace to neither Rust nor Python).
pub(crate) const UNICODE: &[&str] = &[
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
pub(crate) fn unicode_char() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => strings(UNICODE),
        2 => any::<char>().prop_filter_map("non-ASCII", |c| (!c.is_ascii()).then(|| c.to_string())),
    ]
}

pub(crate) fn token(lengths: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(chars_of(TCHAR), lengths).prop_map(|cs| cs.into_iter().collect())
}

/// `name` with its letters in another case: as given, lower, upper, or mixed.
pub(crate) fn case_variant(name: String) -> impl Strategy<Value = String> {
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

pub(crate) fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => strings(&["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
        2 => strings(&["get", "post", "Put", "dElEtE", "patch", "M-SEARCH", "PROPFIND"]),
        1 => token(1..=12),
    ]
}

pub(crate) fn host() -> impl Strategy<Value = String> {
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
pub(crate) fn escaped(text: &str, upper: bool) -> String {
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
pub(crate) fn path_atom() -> impl Strategy<Value = String> {
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

pub(crate) fn path() -> impl Strategy<Value = String> {
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
pub(crate) fn query_text() -> impl Strategy<Value = String> {
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

pub(crate) fn query() -> impl Strategy<Value = Vec<(String, String)>> {
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
pub(crate) const SPACES: &[&str] = &[
    " ", "\t", "\u{a0}", "\u{3000}", "\u{2003}", "\u{2028}", "\u{2029}", "\u{85}", "\u{1680}", "\u{202f}", "\u{205f}",
    "\u{180e}", "\u{200b}", "\u{feff}",
];

/// A header value a request can carry: no control character except HTAB.
pub(crate) fn header_value() -> impl Strategy<Value = String> {
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

pub(crate) fn header_name() -> impl Strategy<Value = String> {
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

pub(crate) fn content_type() -> impl Strategy<Value = (String, String)> {
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

pub(crate) fn content_sha256() -> impl Strategy<Value = (String, String)> {
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
pub(crate) fn date_value() -> impl Strategy<Value = String> {
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

pub(crate) fn date_header() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        6 => Just(signing::DATE_HEADER.to_owned()),
        1 => strings(&["x-sdk-date", "X-SDK-DATE"]),
    ];
    (name, date_value())
}

pub(crate) fn host_header() -> impl Strategy<Value = (String, String)> {
    (strings(&["Host", "host", "HOST"]), host())
}

pub(crate) fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
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

pub(crate) fn json_text() -> impl Strategy<Value = String> {
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

pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => json_text().prop_map(String::into_bytes),
        2 => prop::collection::vec(any::<u8>(), 1..300),
        1 => query_text().prop_map(String::into_bytes),
    ]
}

pub(crate) fn case() -> impl Strategy<Value = Case> {
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
