//! Our signer and the invariants every signature must keep, whatever the request.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Utc};
use dbss_signing::{self as signing, SignableRequest};
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};

use crate::generators::case;
use crate::{Case, SEED};

/// Never used by a case (each sets `X-Sdk-Date`), but `sign` needs one.
pub(crate) fn now() -> DateTime<Utc> {
    signing::parse_date("20991231T235959Z").unwrap_or_default()
}

/// What our signer made of a case: the signature and the headers to send, or its refusal.
pub(crate) type Ours = Result<(signing::Signature, Vec<(String, String)>), signing::SigningError>;

/// Signs `case`; a panic is reported as an error message naming the case.
pub(crate) fn sign_ours(case: &Case) -> Result<Ours, String> {
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
pub(crate) fn check_invariants(case: &Case) -> Result<(), String> {
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

pub(crate) fn rng() -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &SEED)
}

/// `count` cases drawn from the fixed seed.
pub(crate) fn draw(count: usize) -> Vec<Case> {
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
