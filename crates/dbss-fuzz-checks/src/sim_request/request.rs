//! Turns a decoded input into the request a client would send: method, path and query,
//! headers, body, and the credential (signed as `dbss_signing` signs, or a token).

use chrono::Utc;
use dbss_signing::{self as signing, SignableRequest};
use dbss_sim::defaults;
use http::{HeaderName, HeaderValue, Method, Request};
use percent_encoding::percent_encode;
use url::form_urlencoded;

use super::{
    input::{Credential, Input},
    route::{NOT_IN_TARGET, Route},
};

/// The `Host` a client of the simulator sends, unless the input has its own.
const HOST: &str = "dbss-sim.fuzz";
/// The IAM token the fuzzed simulator accepts.
pub const TOKEN: &str = "fuzz-token";
/// Byte 0 of an input picks one of these; past the end, the route's own method.
const METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::HEAD,
    Method::OPTIONS,
];

/// A request ready to hand to the simulator.
#[derive(Debug)]
pub struct Sent {
    pub request: Request<Vec<u8>>,
    /// Signed with the simulator's key now, and nothing of the input's own stands in the way
    /// of that signature: a distinct name per header, every value visible ASCII (what the
    /// simulator reads), and no `Authorization`, `X-Auth-Token` or `X-Sdk-Date` of the input's.
    pub cleanly_signed: bool,
}

/// The request `input` describes on `route`; `None` when no client could send it (a target
/// or header HTTP does not accept).
pub fn build(input: &Input<'_>, route: Route<'_>) -> Option<Sent> {
    let method = METHODS
        .get(usize::from(input.method))
        .cloned()
        .unwrap_or_else(|| route.method());
    let path = route.path(input.path, input.resource);
    let query = query(input, route);
    let body = if input.example && input.body.is_empty() {
        route.example_body()
    } else {
        input.body.to_vec()
    };

    let (mut headers, mut clean) = given_headers(input);
    if !body.is_empty() && signing::header(&headers, "Content-Type").is_none() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    match input.credential {
        Credential::Signed | Credential::WrongKey => {
            let sk = match input.credential {
                Credential::Signed => defaults::SK,
                _ => "not-the-simulator-secret-key",
            };
            let mut signable = SignableRequest {
                method: method.as_str().into(),
                host: HOST.into(),
                path: path.as_str().into(),
                // What the simulator reads from the query: the pairs it checks the signature of.
                query: form_urlencoded::parse(query.as_bytes()).collect(),
                headers: signing::pairs(headers),
                body: body.as_slice().into(),
            };
            match signing::sign(&mut signable, defaults::AK, sk, Utc::now()) {
                Ok(signature) => {
                    signable
                        .headers
                        .push(("Authorization".into(), signature.authorization.into()));
                    // The signer may add `X-Sdk-Content-Sha256` next to the input's own,
                    // differently spelled: HTTP would carry both.
                    let mut names: Vec<String> = signable.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
                    names.sort();
                    clean &= names.windows(2).all(|w| w[0] != w[1]);
                }
                // The input's own `X-Sdk-Date` is not a date: sent unsigned.
                Err(_) => clean = false,
            }
            headers = signable
                .headers
                .into_iter()
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            clean &= input.credential == Credential::Signed;
        }
        Credential::Token => {
            headers.push(("X-Auth-Token".into(), TOKEN.into()));
            clean = false;
        }
        Credential::AsGiven => clean = false,
    }
    if signing::header(&headers, "Host").is_none() {
        headers.push(("Host".into(), HOST.into()));
    }

    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut request = Request::builder().method(method).uri(target);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    Some(Sent {
        request: request.body(body).ok()?,
        cleanly_signed: clean,
    })
}

/// The input's query string, then (when asked) the spec's example query parameters: the
/// input's come first, and the simulator reads the first of a repeated name.
fn query(input: &Input<'_>, route: Route<'_>) -> String {
    let given = percent_encode(input.query, NOT_IN_TARGET).to_string();
    let examples = if input.example {
        route.example_query()
    } else {
        String::new()
    };
    [given, examples]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

/// The input's header lines that HTTP can carry, the first of each name (HTTP merges names
/// that differ in case); and whether they leave a signature visible (see [`Sent`]).
fn given_headers(input: &Input<'_>) -> (Vec<(String, String)>, bool) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut clean = true;
    for (name, value) in &input.headers {
        let (Ok(parsed), Ok(_), Ok(name), Ok(text)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value),
            std::str::from_utf8(name),
            std::str::from_utf8(value),
        ) else {
            continue;
        };
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        let authenticates = matches!(parsed.as_str(), "authorization" | "x-auth-token" | "x-sdk-date");
        clean &= !authenticates && text.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        headers.push((name.to_owned(), text.to_owned()));
    }
    (headers, clean)
}
