//! The signer on any request: `canonical_uri`, `canonical_query` and `sign` never panic, a
//! refusal is only ever a bad `X-Sdk-Date`, and what `sign` produces passes `verify` (and fails
//! it with another key).
//!
//! Header names are first made HTTP tokens and unique regardless of case, the only inputs a
//! receiver can see: a name with other characters cannot be sent, and one name sent twice in two
//! spellings is merged by HTTP. Everything else (method, host, path, query, values, body, keys,
//! clock) is taken as the fuzzer gives it.

use arbitrary::{Arbitrary, Unstructured};
use chrono::DateTime;
use dbss_signing::{self as signing, SignableRequest, SigningError};

/// The request, keys and clock, decoded from the fuzzer's bytes by `arbitrary`.
#[derive(Arbitrary, Debug)]
pub struct Input {
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// A caller-set `X-Sdk-Date` (otherwise the signer adds one from `now`).
    pub date: Option<String>,
    pub body: Vec<u8>,
    pub ak: String,
    pub sk: String,
    /// Seconds since the epoch, folded into years 1970..=9999.
    pub now: u64,
}

/// RFC 9110 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Checks the signer on the request `data` decodes to; panics when a property fails.
pub fn check(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    // Pure functions first: they take anything.
    let _ = signing::canonical_uri(&input.path);
    let _ = signing::canonical_query(&input.query);
    let _ = signing::parse_date(input.date.as_deref().unwrap_or_default());

    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in input.headers {
        let name: String = name.chars().filter(|c| is_tchar(*c)).collect();
        if !name.is_empty() && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            headers.push((name, value));
        }
    }
    if let Some(date) = input.date {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(signing::DATE_HEADER));
        headers.push((signing::DATE_HEADER.to_owned(), date));
    }
    let Some(now) = DateTime::from_timestamp((input.now % 253_402_300_800) as i64, 0) else {
        return;
    };
    let mut request = SignableRequest {
        method: input.method.into(),
        host: input.host.into(),
        path: input.path.into(),
        query: signing::pairs(input.query),
        headers: signing::pairs(headers),
        body: input.body.into(),
    };
    let given_date = signing::header(&request.headers, signing::DATE_HEADER).map(str::to_owned);
    let signature = match signing::sign(&mut request, &input.ak, &input.sk, now) {
        Ok(signature) => signature,
        Err(SigningError::BadDate(date)) => {
            // Only a caller's date can be refused; the signer's own always parses.
            assert_eq!(
                given_date.as_deref(),
                Some(date.as_str()),
                "refused a date it made itself"
            );
            return;
        }
    };
    // `sign` may add `X-Sdk-Content-Sha256` next to a caller's differently spelled one (as the
    // official signer does); no receiver gets both, so there is nothing to verify then.
    let mut lower: Vec<String> = request.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    lower.sort();
    if lower.windows(2).any(|w| w[0] == w[1]) {
        return;
    }
    assert!(
        signing::verify(&request, &signature.signed_headers, &input.sk, &signature.signature),
        "verify(sign(x)) failed: {request:?}\n{signature:?}"
    );
    let wrong = format!("{}x", input.sk);
    assert!(
        !signing::verify(&request, &signature.signed_headers, &wrong, &signature.signature),
        "verify accepted another secret key"
    );
}
