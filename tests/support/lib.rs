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

/// A request to sign and the keys to sign it with, held as owned values: the form the signing
/// tests draw their cases in and read the committed vectors in.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct SigningInput {
    /// HTTP method.
    pub method: String,
    /// `Host`, as signed.
    pub host: String,
    /// The path, not yet escaped.
    pub path: String,
    /// Query pairs, not yet escaped.
    pub query: Vec<(String, String)>,
    /// Header lines, in the order given.
    pub headers: Vec<(String, String)>,
    /// The body (`body_bytes` in the vectors: byte values, so that no base64 decoder is needed).
    #[serde(rename = "body_bytes")]
    pub body: Vec<u8>,
    /// Access key.
    pub ak: String,
    /// Secret key.
    pub sk: String,
}

impl SigningInput {
    /// A view of the request for the signer.
    pub fn signable(&self) -> dbss_signing::SignableRequest<'_> {
        dbss_signing::SignableRequest {
            method: self.method.as_str().into(),
            host: self.host.as_str().into(),
            path: self.path.as_str().into(),
            query: borrowed(&self.query),
            headers: borrowed(&self.headers),
            body: self.body.as_slice().into(),
        }
    }
}

/// Owned pairs, borrowed for the signer.
fn borrowed(pairs: &[(String, String)]) -> Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> {
    dbss_signing::pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
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

/// Sends `operation` of `spec` raw to `sim`, signed by hand like the official SDK signs it:
/// `{name}` placeholders of its path filled from `params` (the project id from `sim`), the
/// `Content-Type` its spec declares, and `body` as it is. The answer's status and body.
pub async fn send_operation<K: AsRef<str>, V: AsRef<str>>(
    http: &reqwest::Client,
    sim: &dbss_sim::Simulator,
    spec: &dbss_sim::spec::Spec,
    operation: &str,
    params: impl IntoIterator<Item = (K, V)>,
    body: &str,
) -> (u16, Vec<u8>) {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    let mut path = op.path.replace("{project_id}", sim.project_id());
    for (name, value) in params {
        path = path.replace(&format!("{{{}}}", name.as_ref()), value.as_ref());
    }
    let content_type = op
        .body
        .as_ref()
        .map_or("application/json".to_owned(), |b| b.content_type.clone());
    let response = HandSigned::new(op.method.as_str(), &path, &content_type, body)
        .send(http, sim)
        .await
        .unwrap_or_else(|e| panic!("{operation}: the simulator did not answer: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    (status, bytes.to_vec())
}

/// One page of the first-generation `ListAuditInstances`, the listing the contract tests'
/// mocks answer. It is deprecated, so the facade does not offer it: it goes through `ops()`.
pub async fn v1_instances(
    client: &dbss::Client,
    offset: u64,
    limit: u64,
) -> Result<dbss::Page<dbss::types::AuditInstanceListBean>, dbss::Error> {
    #[allow(deprecated)]
    let call = client
        .ops()
        .list_audit_instances()
        .offset(offset.to_string())
        .limit(limit.to_string());
    let response = dbss::Operation::call(call).await?;
    Ok(dbss::Page {
        items: response.servers,
        total: response.total.and_then(|t| u64::try_from(t).ok()),
        offset,
    })
}

/// The pages of the first-generation `ListAuditInstances`, `page_size` at a time.
pub fn v1_instance_pages(
    client: &dbss::Client,
    page_size: u64,
) -> impl futures::Stream<Item = Result<dbss::Page<dbss::types::AuditInstanceListBean>, dbss::Error>> + '_ {
    use dbss::paging::Paged;
    #[allow(deprecated)]
    let call = client.ops().list_audit_instances();
    call.pages(page_size)
}
