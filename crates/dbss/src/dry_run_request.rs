//! What a dry run hands back: the request as it would have been sent, credentials redacted.
//! A leaf module, so that [`crate::Error`] can carry it without depending on the machinery
//! that intercepts requests (`dry_run`, which needs the operations table).

use std::fmt;

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

/// `url` without the user name and password an endpoint may carry: what logs and dry runs show.
pub(crate) fn without_credentials(url: &reqwest::Url) -> reqwest::Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// Shows a URL as [`without_credentials`] gives it, computed only when shown: a log field
/// that nobody reads then costs no copy of the URL.
pub(crate) struct Shown<'a>(pub(crate) &'a reqwest::Url);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.username().is_empty() && self.0.password().is_none() {
            f.write_str(self.0.as_str())
        } else {
            f.write_str(without_credentials(self.0).as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shown;

    #[test]
    fn a_shown_url_never_carries_credentials() {
        let parse = |text: &str| reqwest::Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let with = parse("https://bot:pw-TOP-SECRET@dbss.example.com:8443/v2/p/audit/instances?limit=1");
        assert_eq!(
            Shown(&with).to_string(),
            "https://dbss.example.com:8443/v2/p/audit/instances?limit=1"
        );
        let user_only = parse("https://bot@dbss.example.com/v1");
        assert_eq!(Shown(&user_only).to_string(), "https://dbss.example.com/v1");
        let plain = parse("http://127.0.0.1:18080/v2/p/audit/instances?offset=0");
        assert_eq!(Shown(&plain).to_string(), plain.as_str());
    }
}
