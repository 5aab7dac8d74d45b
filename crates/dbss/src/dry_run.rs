//! Dry runs: a client built with [`crate::ClientBuilder::dry_run`] prepares and signs each
//! request exactly as it would send it, then hands it back in [`crate::Error::DryRun`]
//! instead of sending it. Credentials in it are redacted.

use std::fmt;

use crate::operation::{OperationMeta, record};

/// Headers whose values are credentials: shown as [`REDACTED`].
const SECRET_HEADERS: &[&str] = &["authorization", "x-security-token", "x-auth-token"];

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// A request that a dry run prepared and signed but did not send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRunRequest {
    /// Operation id.
    pub operation: &'static str,
    /// HTTP method.
    pub method: String,
    /// The full URL, query included (without any user name or password of the endpoint).
    pub url: String,
    /// Headers in the order they would be sent; credentials are [`REDACTED`].
    pub headers: Vec<(String, String)>,
    /// The body as text; `None` when there is none, a note when it is not text.
    pub body: Option<String>,
}

impl DryRunRequest {
    /// The request as it stands, with its credentials redacted.
    pub(crate) fn of(request: &reqwest::Request, operation: &'static str) -> DryRunRequest {
        let url = without_credentials(request.url());
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let secret = value.is_sensitive() || SECRET_HEADERS.contains(&name.as_str());
                let shown = match value.to_str() {
                    _ if secret => REDACTED.to_owned(),
                    Ok(text) => text.to_owned(),
                    Err(_) => format!("<{} bytes, not text>", value.len()),
                };
                (name.as_str().to_owned(), shown)
            })
            .collect();
        let body = request.body().map(|body| match body.as_bytes() {
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => format!("<{} bytes, not text>", bytes.len()),
            },
            None => "<streamed body>".to_owned(),
        });
        DryRunRequest {
            operation,
            method: request.method().as_str().to_owned(),
            url: url.into(),
            headers,
            body,
        }
    }
}

/// As an HTTP request is written: request line, headers, blank line, body.
impl fmt::Display for DryRunRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            write!(f, "\n{body}")?;
        }
        Ok(())
    }
}

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

/// `url` without the user name and password an endpoint may carry: what logs and dry runs show.
pub(crate) fn without_credentials(url: &reqwest::Url) -> reqwest::Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}
