//! Shared fixtures of the contract and end-to-end tests.

pub mod flaky;

use std::time::Duration;

/// Project id used by every contract test.
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
/// Access key of the contract tests (the signing.md example key).
pub const AK: &str = "AKEXAMPLE0123456789";
/// Secret key of the contract tests.
pub const SK: &str = "SKEXAMPLEsecretKey0123456789abcdefghijkl";
/// The seed page's example instance id.
pub const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
/// The seed page's example security group id.
pub const SECURITY_GROUP: &str = "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd";

/// A client for `endpoint` with `credentials`, quick to give up (tests must not hang).
pub fn client_with(endpoint: &str, credentials: dbss::Credentials) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(endpoint)
        .project_id(PROJECT)
        .credentials(credentials)
        .attempt_timeout(Duration::from_secs(10))
        .retry(dbss::RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..dbss::RetryPolicy::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("test client: {e}"))
}

/// An AK/SK client for `endpoint`.
pub fn client(endpoint: &str) -> dbss::Client {
    client_with(endpoint, dbss::Credentials::ak_sk(AK, SK))
}

/// A client of an in-process simulator, with the simulator's credentials.
pub fn sim_client(sim: &dbss_sim::Simulator) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()
        .unwrap_or_else(|e| panic!("simulator client: {e}"))
}

/// Regex of a well-formed `Authorization` header signed by [`AK`] covering `signed`.
pub fn authorization_regex(signed: &str) -> String {
    format!(
        "^SDK-HMAC-SHA256 Access={AK}, SignedHeaders={}, Signature=[0-9a-f]{{64}}$",
        signed
    )
}

/// The official SDK's python (`DBSS_ORACLE_PYTHON`, which `cargo xtask test` sets), or `None`
/// with a notice naming what `skipped` describes, when this run has no oracle.
pub fn oracle_python(skipped: &str) -> Option<std::path::PathBuf> {
    match std::env::var_os("DBSS_ORACLE_PYTHON") {
        Some(python) if !python.is_empty() => Some(python.into()),
        _ => {
            eprintln!(
                "NOTICE: {skipped} is skipped: DBSS_ORACLE_PYTHON is not set. It needs the official \
                 Huawei SDK; run `cargo xtask test`, or set DBSS_ORACLE_PYTHON to the python \
                 printed by `cargo xtask oracle`."
            );
            None
        }
    }
}

/// A view, for signing, of a request held as owned strings (the form test inputs are read in).
pub fn signable<'a>(
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a [(String, String)],
    headers: &'a [(String, String)],
    body: &'a [u8],
) -> dbss_signing::SignableRequest<'a> {
    let borrowed =
        |pairs: &'a [(String, String)]| dbss_signing::pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    dbss_signing::SignableRequest {
        method: method.into(),
        host: host.into(),
        path: path.into(),
        query: borrowed(query),
        headers: borrowed(headers),
        body: body.into(),
    }
}

/// A request signed by hand with the simulator's keys, outside the client: for what the client
/// never sends (a skewed clock, a query changed after signing, a body it would refuse).
pub struct HandSigned<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path, project id included.
    pub path: &'a str,
    /// Raw query pairs.
    pub query: &'a [(&'a str, &'a str)],
    /// The `Content-Type` sent and signed.
    pub content_type: &'a str,
    /// The body, sent as it is.
    pub body: &'a str,
    /// The signing time.
    pub date: chrono::DateTime<chrono::Utc>,
    /// Sent instead of the signed query: a change after signing must be caught.
    pub sent_query: Option<&'a str>,
}

impl<'a> HandSigned<'a> {
    /// `method path` with `body`, signed now, without a query.
    pub fn new(method: &'a str, path: &'a str, content_type: &'a str, body: &'a str) -> HandSigned<'a> {
        HandSigned {
            method,
            path,
            query: &[],
            content_type,
            body,
            date: chrono::Utc::now(),
            sent_query: None,
        }
    }

    /// Signs the request, with `X-Project-Id` the simulator's project, and sends it on `http`.
    pub async fn send(&self, http: &reqwest::Client, sim: &dbss_sim::Simulator) -> reqwest::Result<reqwest::Response> {
        use dbss_signing as signing;
        let host = sim.addr().to_string();
        let mut request = signing::SignableRequest {
            method: self.method.into(),
            host: host.as_str().into(),
            path: self.path.into(),
            query: signing::pairs(self.query.iter().copied()),
            headers: signing::pairs([("Content-Type", self.content_type), ("X-Project-Id", sim.project_id())]),
            body: self.body.as_bytes().into(),
        };
        let signature =
            signing::sign(&mut request, sim.ak(), sim.sk(), self.date).unwrap_or_else(|e| panic!("signing: {e}"));
        let query = self.sent_query.unwrap_or(&signature.canonical_query);
        let url = if query.is_empty() {
            format!("{}{}", sim.url(), self.path)
        } else {
            format!("{}{}?{query}", sim.url(), self.path)
        };
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut outgoing = http.request(method, url).body(self.body.to_owned());
        for (name, value) in &request.headers {
            // reqwest writes Host from the URL, the same value.
            if !name.eq_ignore_ascii_case("host") {
                outgoing = outgoing.header(name.as_ref(), value.as_ref());
            }
        }
        outgoing.header("Authorization", signature.authorization).send().await
    }
}
