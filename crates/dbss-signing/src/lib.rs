//! AK/SK request signing, algorithm `SDK-HMAC-SHA256`, byte for byte as Huawei's official
//! SDKs sign (`huaweicloudsdkcore` 3.1.219, `signer/signer.py`).
//!
//! The module is pure: it turns a [`SignableRequest`] into the headers to send, and exposes
//! each stage (canonical request, string to sign, signature) so they can be compared with the
//! official signer one by one. The simulator verifies signatures with the same functions, and
//! the tests check them against vectors produced by the official Python signer.
//!
//! It is a crate of its own so that the simulator can verify signatures without depending on
//! the client, and so that its small dependency set (no HTTP, no async runtime) stays visible.

#![deny(missing_docs)]

mod hash;
mod python_date;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The algorithm name, as it appears in the string to sign and in `Authorization`.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Header carrying the signing time.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// Header that replaces the payload hash for bodies that are not JSON.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// Payload-hash value for bodies that are not hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Format of [`DATE_HEADER`]: UTC, no separators, no fraction (read and written as the official
/// signer does: see [`parse_date`] and [`format_date`]).
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// SHA-256 of the empty string: the payload hash of a request without a body.
pub const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Bytes kept as they are by [`encode`]: RFC 3986's unreserved set, `A-Z a-z 0-9 - _ . ~`.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A request about to be signed: what the official signer's `SdkRequest` holds.
///
/// Every part is a [`Cow`]: the client signs a view borrowed from the request it is about to
/// send, without copying it, while tests and tools may build one from owned values
/// (`"GET".into()`, `body.into()`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignableRequest<'a> {
    /// HTTP method, any case.
    pub method: Cow<'a, str>,
    /// `host[:port]` of the endpoint, used when no `Host` header is given.
    pub host: Cow<'a, str>,
    /// The path as sent on the wire (path parameters already percent-encoded).
    pub path: Cow<'a, str>,
    /// Query parameters as raw (unencoded) key/value pairs, repeated keys allowed.
    pub query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Headers to send, names in any case. Signing adds `X-Sdk-Date`, `Host` and, for
    /// non-JSON content, `X-Sdk-Content-Sha256`, and trims every value.
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The exact body bytes.
    pub body: Cow<'a, [u8]>,
}

/// Every stage of one signature, for sending and for comparison with the official signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The canonical request (stage 1).
    pub canonical_request: String,
    /// The string to sign (stage 2).
    pub string_to_sign: String,
    /// Lower-case hex HMAC-SHA256 of the string to sign (stage 3).
    pub signature: String,
    /// `;`-joined lower-case names of the signed headers.
    pub signed_headers: String,
    /// The canonical query string, which is also the query to send.
    pub canonical_query: String,
    /// The full `Authorization` header value.
    pub authorization: String,
}

/// Why a request could not be signed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigningError {
    /// The request carries an `X-Sdk-Date` that is not `YYYYMMDDTHHMMSSZ`.
    #[error("X-Sdk-Date {0:?} is not in the YYYYMMDDTHHMMSSZ format")]
    BadDate(String),
}

/// Signs `request` with the access key `ak` and secret key `sk` at time `now`.
///
/// Like the official signer, it first completes the headers (`X-Sdk-Date` unless present,
/// `Host` unless present, `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for a `Content-Type` that
/// is neither JSON nor BSON) and trims header values; `request.headers` is updated in place
/// with what must be sent: existing entries keep their positions, added ones come last. The
/// caller adds `Authorization` and sends the canonical query.
pub fn sign(
    request: &mut SignableRequest<'_>,
    ak: &str,
    sk: &str,
    now: DateTime<Utc>,
) -> Result<Signature, SigningError> {
    let caller_date = header(&request.headers, DATE_HEADER).is_some();
    complete_headers(request, now);
    // A caller's date is parsed before values are trimmed, as in the official signer; ours is
    // already written as it would write it back.
    let date = if caller_date {
        signing_date(&request.headers)?
    } else {
        format_date(now)
    };
    trim_values(&mut request.headers);
    let canonical = canonical_request(request);
    let string_to_sign = string_to_sign(&date, &canonical.text);
    let signature = hmac_hex(sk.as_bytes(), string_to_sign.as_bytes());
    // `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`, joined by hand (cheaper
    // than `format!`, on every request).
    let parts = [
        ALGORITHM,
        " Access=",
        ak,
        ", SignedHeaders=",
        &canonical.signed_headers,
        ", Signature=",
        &signature,
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    parts.iter().for_each(|part| authorization.push_str(part));
    Ok(Signature {
        canonical_request: canonical.text,
        string_to_sign,
        signature,
        signed_headers: canonical.signed_headers,
        canonical_query: canonical.query,
        authorization,
    })
}

/// Adds the headers the official signer adds before signing, in its order: the unsigned-payload
/// marker for a non-empty `Content-Type` that is neither JSON nor BSON (looked up by its exact
/// spelling, tested before trimming), then `X-Sdk-Date`, then `Host`.
pub fn complete_headers(request: &mut SignableRequest<'_>, now: DateTime<Utc>) {
    let content_type = request
        .headers
        .iter()
        .find(|(name, _)| name == "Content-Type")
        .map(|(_, v)| v.as_ref());
    let hashed = |ct: &str| ct.starts_with("application/json") || ct.starts_with("application/bson");
    if content_type.is_some_and(|ct| !ct.is_empty() && !hashed(ct)) {
        // Python assigns a dict key: an entry spelled exactly so is replaced, not repeated.
        match request
            .headers
            .iter_mut()
            .find(|(name, _)| name == CONTENT_SHA256_HEADER)
        {
            Some((_, value)) => *value = UNSIGNED_PAYLOAD.into(),
            None => request
                .headers
                .push((CONTENT_SHA256_HEADER.into(), UNSIGNED_PAYLOAD.into())),
        }
    }
    if header(&request.headers, DATE_HEADER).is_none() {
        request.headers.push((DATE_HEADER.into(), format_date(now).into()));
    }
    if header(&request.headers, "Host").is_none() {
        request.headers.push(("Host".into(), request.host.clone()));
    }
}

/// Trims header values as Python's `str.strip()` does (what the official SDK signs and sends);
/// a borrowed value stays borrowed.
fn trim_values(headers: &mut [(Cow<'_, str>, Cow<'_, str>)]) {
    for (_, value) in headers {
        match value {
            Cow::Borrowed(text) => *text = trim(text),
            Cow::Owned(text) => {
                let trimmed = trim(text);
                if trimmed.len() != text.len() {
                    *text = trimmed.to_owned();
                }
            }
        }
    }
}

/// Python's `str.strip()`: Unicode whitespace plus the separators U+001C..U+001F.
pub fn trim(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The signing time, re-formatted from the parsed `X-Sdk-Date` as the official signer does.
fn signing_date<K: AsRef<str>, V: AsRef<str>>(headers: &[(K, V)]) -> Result<String, SigningError> {
    let raw = header(headers, DATE_HEADER).unwrap_or_default();
    let parsed = parse_date(raw).ok_or_else(|| SigningError::BadDate(raw.to_owned()))?;
    Ok(format_date(parsed))
}

/// Parses an `X-Sdk-Date` value as the official signer does (Python's `strptime` with
/// [`DATE_FORMAT`]): besides plain `YYYYMMDDTHHMMSSZ`, that accepts lower-case `t`/`z`, fields
/// shorter than their width and other scripts' digits; it refuses dates that do not exist.
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    python_date::parse(value)
}

/// Writes a signing time as the official signer does (Python's `strftime` with
/// [`DATE_FORMAT`] on Linux: a year below 1000 loses its leading zeros).
pub fn format_date(time: DateTime<Utc>) -> String {
    python_date::format(time)
}

/// The canonical request and the pieces of it the signature header repeats.
pub struct CanonicalRequest {
    /// The whole canonical request.
    pub text: String,
    /// The signed header names.
    pub signed_headers: String,
    /// The canonical query string.
    pub query: String,
}

/// Builds the canonical request of an already completed request (see [`complete_headers`]).
pub fn canonical_request(request: &SignableRequest<'_>) -> CanonicalRequest {
    // Lower-cased once; a stable sort keeps the original order among names that differ only
    // in case, and each such line carries the value given last (as the official signer does).
    let mut entries: Vec<(Cow<'_, str>, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| (lower_case(name), value.as_ref()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut headers_block = String::with_capacity(256);
    let mut names: Vec<&str> = Vec::with_capacity(entries.len());
    let mut start = 0;
    while start < entries.len() {
        let name = &entries[start].0;
        let end = start + entries[start..].iter().take_while(|(n, _)| n == name).count();
        let value = last_value(&request.headers, name);
        for _ in start..end {
            headers_block.push_str(name);
            headers_block.push(':');
            headers_block.push_str(value);
            headers_block.push('\n');
            names.push(name);
        }
        start = end;
    }
    let signed_headers = names.join(";");
    let query = canonical_query(&request.query);
    let parts: [&str; 6] = [
        &upper_case(&request.method),
        &canonical_uri(&request.path),
        &query,
        &headers_block,
        &signed_headers,
        &payload_hash(request),
    ];
    // Joined by hand into one allocation: this runs for every request signed.
    let mut text = String::with_capacity(parts.iter().map(|part| part.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    CanonicalRequest {
        text,
        signed_headers,
        query,
    }
}

/// `name` in lower case (Unicode rules, as Python's `str.lower()` for header names), borrowed
/// when it already is: header names usually are.
fn lower_case(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.to_lowercase())
    }
}

/// `method` in upper case, borrowed when it already is.
fn upper_case(method: &str) -> Cow<'_, str> {
    if method.bytes().all(|b| b.is_ascii() && !b.is_ascii_lowercase()) {
        Cow::Borrowed(method)
    } else {
        Cow::Owned(method.to_uppercase())
    }
}

/// The value given last for a header name, compared case-insensitively (names with `_` included,
/// as the official signer's lookup does not skip them).
fn last_value<'a>(headers: &'a [(Cow<'_, str>, Cow<'_, str>)], lower: &str) -> &'a str {
    headers
        .iter()
        .rev()
        .find(|(name, _)| name.eq_ignore_ascii_case(lower))
        .map(|(_, v)| v.as_ref())
        .unwrap_or("")
}

/// Decodes the path once, re-encodes every segment, and ends it with `/`.
pub fn canonical_uri(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut uri = String::with_capacity(decoded.len() + 16);
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            uri.push('/');
        }
        uri.extend(utf8_percent_encode(segment, ENCODE_SET));
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Sorts the raw pairs by key then value, then encodes each as `key=value`, joined by `&`.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(query: &[(K, V)]) -> String {
    let mut pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    pairs.sort_unstable();
    // Written into one string: this runs for every request signed.
    let mut text = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            text.push('&');
        }
        text.extend(utf8_percent_encode(key, ENCODE_SET));
        text.push('=');
        text.extend(utf8_percent_encode(value, ENCODE_SET));
    }
    text
}

fn payload_hash<'a>(request: &'a SignableRequest<'_>) -> Cow<'a, str> {
    if request.body.is_empty() {
        return Cow::Borrowed(EMPTY_BODY_SHA256);
    }
    // The first header of that name in any case; an empty value counts as absent.
    match header(&request.headers, CONTENT_SHA256_HEADER).filter(|v| !v.is_empty()) {
        // Before it reads this value, the official signer replaces every header value by its
        // UTF-8 bytes taken as ISO-8859-1 characters: a non-ASCII value is signed encoded twice.
        Some(value) if !value.is_ascii() => Cow::Owned(value.bytes().map(char::from).collect()),
        Some(value) => Cow::Borrowed(value),
        None => Cow::Owned(content_sha256(&request.body)),
    }
}

/// The string to sign for `date` (`YYYYMMDDTHHMMSSZ`) and a canonical request.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    let mut text = String::with_capacity(ALGORITHM.len() + date.len() + 2 + 64);
    text.push_str(ALGORITHM);
    text.push('\n');
    text.push_str(date);
    text.push('\n');
    // Hex written in place, without a string of its own (64 digits for 32 bytes always fit).
    let mut hex = [0u8; 64];
    if hex::encode_to_slice(hash::sha256(canonical_request.as_bytes()), &mut hex).is_ok() {
        text.push_str(std::str::from_utf8(&hex).unwrap_or_default());
    }
    text
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    hex::encode(hash::hmac_sha256(key, message))
}

/// The SHA-256 of a body in lower-case hex, as `X-Sdk-Content-Sha256` carries it and as the
/// canonical request ends.
pub fn content_sha256(body: &[u8]) -> String {
    hex::encode(hash::sha256(body))
}

/// Percent-encodes UTF-8 text, keeping only the unreserved set, upper-case hex.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE_SET).to_string()
}

/// Query parameters or headers as [`SignableRequest`] holds them, from pairs of strings, owned or
/// borrowed.
pub fn pairs<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
}

/// Case-insensitive header lookup.
pub fn header<'a, K: AsRef<str>, V: AsRef<str>>(headers: &'a [(K, V)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// The parts of an `Authorization` header of this algorithm.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthorizationHeader<'a> {
    /// The access key.
    pub access: &'a str,
    /// `;`-joined signed header names.
    pub signed_headers: &'a str,
    /// Hex signature.
    pub signature: &'a str,
}

/// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`.
pub fn parse_authorization(value: &str) -> Option<AuthorizationHeader<'_>> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let mut parts = rest.split(", ");
    let access = parts.next()?.strip_prefix("Access=")?;
    let signed_headers = parts.next()?.strip_prefix("SignedHeaders=")?;
    let signature = parts.next()?.strip_prefix("Signature=")?;
    if parts.next().is_some() {
        return None;
    }
    Some(AuthorizationHeader {
        access,
        signed_headers,
        signature,
    })
}

/// Recomputes the signature of a received request and compares it in constant time.
///
/// `request.headers` must hold every header named in `signed_headers`, as received.
pub fn verify(request: &SignableRequest<'_>, signed_headers: &str, sk: &str, signature: &str) -> bool {
    let mut headers = Vec::new();
    for name in signed_headers.split(';') {
        match header(&request.headers, name) {
            Some(value) => headers.push((Cow::Borrowed(name), Cow::Borrowed(trim(value)))),
            None => return false,
        }
    }
    // The request with only its signed headers, borrowed from it: nothing is copied.
    let subset = SignableRequest {
        method: Cow::Borrowed(&request.method),
        host: Cow::Borrowed(&request.host),
        path: Cow::Borrowed(&request.path),
        query: pairs(request.query.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))),
        headers,
        body: Cow::Borrowed(&request.body),
    };
    let Ok(date) = signing_date(&subset.headers) else {
        return false;
    };
    let canonical = canonical_request(&subset);
    if canonical.signed_headers != signed_headers {
        return false;
    }
    let expected = hmac_hex(sk.as_bytes(), string_to_sign(&date, &canonical.text).as_bytes());
    constant_time_eq(expected.as_bytes(), signature.as_bytes())
}

/// Compares two byte strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> DateTime<Utc> {
        parse_date(date).unwrap_or_default()
    }

    /// The worked example of signing.md (vector #1 of the official signer).
    #[test]
    fn seed_operation_matches_the_official_worked_example() {
        let mut request = SignableRequest {
            method: "POST".into(),
            host: "dbss.cn-north-4.myhuaweicloud.com".into(),
            path: "/v1/0123456789abcdef0123456789abcdef/dbss/audit/security-group".into(),
            query: vec![],
            headers: vec![("Content-Type".into(), "application/json;charset=utf-8".into()), ("X-Sdk-Date".into(), "20240101T000000Z".into())],
            body: br#"{"instance_id":"062212d8-8e30-4783-9671-43f3f1f3bb1e","securitygroup_ids":["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"]}"#.as_slice().into(),
        };
        let signed = sign(
            &mut request,
            "AKEXAMPLE0123456789",
            "SKEXAMPLEsecretKey0123456789abcdefghijkl",
            at("20991231T000000Z"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            signed.string_to_sign,
            "SDK-HMAC-SHA256\n20240101T000000Z\n2f0d8ca5b59557a552e2c63bb5c637a590be4600ad9ec89b3b8303de76a5d343"
        );
        assert_eq!(
            signed.signature,
            "d6af97a0e0d10961dd2de3910b05797b05c95f0bf2e44c93dd57354512f5c004"
        );
        assert_eq!(signed.signed_headers, "content-type;host;x-sdk-date");
        assert!(verify(
            &request,
            &signed.signed_headers,
            "SKEXAMPLEsecretKey0123456789abcdefghijkl",
            &signed.signature
        ));
        assert!(!verify(
            &request,
            &signed.signed_headers,
            "wrong-secret",
            &signed.signature
        ));
    }

    #[test]
    fn canonical_uri_decodes_then_encodes_each_segment() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/v1/tags/"), "/v1/tags/");
        assert_eq!(canonical_uri("/a%2Fb/c%7E/%zz"), "/a/b/c~/%25zz/");
        assert_eq!(canonical_uri("/ü b"), "/%C3%BC%20b/");
    }

    #[test]
    fn query_sorts_raw_pairs_before_encoding() {
        let q = |pairs: &[(&str, &str)]| {
            canonical_query(
                &pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(q(&[("offset", "0"), ("limit", "10")]), "limit=10&offset=0");
        assert_eq!(q(&[("a/", "1"), ("a-", "2")]), "a-=2&a%2F=1");
        assert_eq!(q(&[("k", "2"), ("k", "10")]), "k=10&k=2");
        assert_eq!(q(&[("v", "a b+~*")]), "v=a%20b%2B~%2A");
        assert_eq!(q(&[("B", ""), ("a", "")]), "B=&a=");
    }

    #[test]
    fn authorization_header_round_trips() {
        let parsed = parse_authorization("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab12");
        assert_eq!(
            parsed,
            Some(AuthorizationHeader {
                access: "AK",
                signed_headers: "host;x-sdk-date",
                signature: "ab12"
            })
        );
        assert_eq!(parse_authorization("Bearer x"), None);
    }
}
