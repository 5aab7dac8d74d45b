//! AK/SK signing of a `reqwest` request: the bridge between [`dbss_signing`], which signs a
//! borrowed view of a request, and the requests the transport and the IAM calls send. Its own
//! module so that both can sign without depending on each other.

use std::borrow::Cow;

use chrono::Utc;
use reqwest::header::{HeaderName, HeaderValue};

use crate::signing::{self, SignableRequest};

/// The header naming the project of an AK/SK-signed request.
pub(crate) const PROJECT_HEADER: &str = "X-Project-Id";

/// Signs a reqwest request in place, as the official SDK would sign it, after adding `extra`
/// headers. The query is rewritten to the canonical query, exactly as the official SDK sends it.
pub(crate) fn sign_request(request: &mut reqwest::Request, ak: &str, sk: &str, extra: &[(&str, &str)]) {
    let Some(signed) = signature_of(request, ak, sk, extra) else {
        return;
    };
    let query = (!signed.query.is_empty()).then_some(signed.query.as_str());
    if request.url().query() != query {
        request.url_mut().set_query(query);
    }
    let headers = request.headers_mut();
    for (name, value) in signed.headers {
        headers.insert(name, value);
    }
    if let Ok(mut value) = HeaderValue::from_str(&signed.authorization) {
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
}

/// What signing changes on a request: its query, the headers signing added or trimmed, and
/// the `Authorization` value.
struct Signed {
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    authorization: String,
}

/// Signs a view of `request` borrowed from it (nothing is copied but what signing adds), and
/// says what must change on it.
fn signature_of(request: &reqwest::Request, ak: &str, sk: &str, extra: &[(&str, &str)]) -> Option<Signed> {
    let url = request.url();
    // `host[:port]`, which is the URL's authority unless that carries credentials.
    let host: Cow<'_, str> = match url.port() {
        _ if url.username().is_empty() && url.password().is_none() => url.authority().into(),
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()).into(),
        None => url.host_str().unwrap_or_default().into(),
    };
    let mut signable = SignableRequest {
        method: request.method().as_str().into(),
        host,
        path: url.path().into(),
        query: query_pairs(url),
        // Room for what signing adds: date, host, and the payload-hash marker.
        headers: Vec::with_capacity(request.headers().len() + extra.len() + 3),
        body: request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(Cow::Borrowed)
            .unwrap_or_default(),
    };
    // The request's own values, to tell afterwards which of them signing left as they were.
    let mut own: Vec<&str> = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        // Headers already on the request are what progenitor set (content type, api-version,
        // user agent, accept). The official SDK signs every header it sets itself, and leaves
        // out `Accept`, which its HTTP library adds after signing: we sign the same set. A
        // date is always the signer's own.
        if name == reqwest::header::ACCEPT || name.as_str().eq_ignore_ascii_case(signing::DATE_HEADER) {
            continue;
        }
        if let Ok(value) = value.to_str() {
            signable
                .headers
                .push((canonical_case(name.as_str()).into(), value.into()));
            own.push(value);
        }
    }
    for (name, value) in extra {
        signable.headers.push(((*name).into(), (*value).into()));
    }

    let signature = signing::sign(&mut signable, ak, sk, Utc::now()).ok()?;
    // `sign` updates values in place and appends what it adds, so the first entries are still
    // the request's own: those that hold the very same text need no writing back; trimmed or
    // replaced ones, and everything after them, do.
    let headers = signable
        .headers
        .iter()
        .enumerate()
        .filter(|(i, (_, value))| own.get(*i).is_none_or(|own| !std::ptr::eq(*own, value.as_ref())))
        // reqwest writes Host from the URL, the same value.
        .filter(|(_, (name, _))| !name.eq_ignore_ascii_case("host"))
        .filter_map(|(_, (name, value))| {
            let name = header_name(name)?;
            let mut value = HeaderValue::from_str(value).ok()?;
            if name.as_str() == "x-security-token" {
                value.set_sensitive(true);
            }
            Some((name, value))
        })
        .collect();
    Some(Signed {
        query: signature.canonical_query,
        headers,
        authorization: signature.authorization,
    })
}

/// `X-Sdk-Date`, checked once by the compiler rather than on every request.
const DATE_NAME: HeaderName = HeaderName::from_static("x-sdk-date");

/// The header naming the project, as a `HeaderName`.
pub(crate) const PROJECT_NAME: HeaderName = HeaderName::from_static("x-project-id");

/// The `HeaderName` of a header signing writes, without parsing the two it writes every time.
fn header_name(name: &str) -> Option<HeaderName> {
    if name == signing::DATE_HEADER {
        Some(DATE_NAME)
    } else if name == PROJECT_HEADER {
        Some(PROJECT_NAME)
    } else {
        HeaderName::from_bytes(name.as_bytes()).ok()
    }
}

/// The query's pairs, decoded. A query with nothing encoded in it (no `%`, no `+`: the usual
/// case, numbers and ids) decodes to itself, so its pairs are borrowed as they stand, split as
/// `application/x-www-form-urlencoded` splits them; any other goes through the URL's decoder.
fn query_pairs(url: &reqwest::Url) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let Some(query) = url.query() else {
        return Vec::new();
    };
    if query.bytes().any(|b| b == b'%' || b == b'+') {
        return url.query_pairs().collect();
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.into(), value.into()),
            None => (pair.into(), "".into()),
        })
        .collect()
}

/// `Content-Type` is looked up by its exact spelling by the official signer; give it that.
fn canonical_case(name: &str) -> &str {
    match name {
        "content-type" => "Content-Type",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::query_pairs;

    /// The borrowed split gives what the URL's own decoder gives, for every shape of query.
    #[test]
    fn plain_queries_split_as_the_url_decoder_splits_them() {
        for query in [
            "",
            "?",
            "?limit=10&offset=0",
            "?a=1&&b=&c&=d&e==f&",
            "?name=x%20y&other=1",
            "?q=a+b",
            "?sql=select%3B&time=2026-12-07T10:00:00Z",
        ] {
            let url = reqwest::Url::parse(&format!("https://dbss.example.com/v1{query}"))
                .unwrap_or_else(|e| panic!("{query}: {e}"));
            let expected: Vec<_> = url.query_pairs().collect();
            assert_eq!(query_pairs(&url), expected, "{query}");
        }
    }
}
