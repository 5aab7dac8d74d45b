//! Dry runs: a client built with [`crate::ClientBuilder::dry_run`] prepares and signs each
//! request exactly as it would send it, then hands it back in [`crate::Error::DryRun`]
//! instead of sending it. Credentials in it are redacted.

use crate::operation::{OperationMeta, record};

use crate::dry_run_request::DryRunRequest;
// The transport shows URLs without credentials in its logs, as a dry run does.
pub(crate) use crate::dry_run_request::Shown;

/// Keeps `request` for the caller (see [`crate::operation`]'s `run`) and answers in its
/// place, so that nothing leaves the client. The answer is a refusal, so that a caller of the
/// generated client without this crate's `run` does not take it for a success either.
pub(crate) fn intercept(request: &reqwest::Request, operation: &'static str) -> reqwest::Response {
    // The transport knows the generated client's snake_case id; people know the official one.
    let operation = OperationMeta::find(operation).map_or(operation, |meta| meta.id);
    let kept = DryRunRequest::of(request, operation);
    record(|r| r.dry_run = Some(Box::new(kept)));
    let answer = http::Response::builder()
        .status(http::StatusCode::BAD_REQUEST)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(r#"{"error_code":"DRYRUN","error_msg":"dry run: the request was not sent"}"#);
    match answer {
        Ok(answer) => reqwest::Response::from(answer),
        // The parts above are constants and valid.
        Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(Vec::new()))),
    }
}

/// The token header of password credentials during a dry run: no token is fetched from IAM
/// (that would be a request), and the header is redacted anyway.
pub(crate) fn placeholder_token() -> reqwest::header::HeaderValue {
    let mut value = reqwest::header::HeaderValue::from_static("issued-by-iam");
    value.set_sensitive(true);
    value
}
