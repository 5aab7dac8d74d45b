//! What every example shares: a client configured like the official SDKs, and an instance.

use futures::TryStreamExt;

/// A client for `DBSS_ENDPOINT` (e.g. a local `dbss-sim`), else the region in
/// `HUAWEICLOUD_SDK_REGION` (default cn-north-4); credentials and project id come from the
/// environment (`HUAWEICLOUD_SDK_AK`, `_SK`, `_PROJECT_ID`) or the profile file.
pub fn connect() -> Result<dbss::Client, dbss::Error> {
    let builder = dbss::Client::builder();
    match std::env::var("DBSS_ENDPOINT") {
        Ok(endpoint) => builder.endpoint(endpoint),
        Err(_) => builder.region(std::env::var("HUAWEICLOUD_SDK_REGION").unwrap_or_else(|_| "cn-north-4".into())),
    }
    .build()
}

/// The instance named by the first argument, else the first listed one.
#[allow(dead_code, reason = "not every example takes an instance")]
pub async fn instance_argument(client: &dbss::Client) -> Result<String, dbss::Error> {
    if let Some(id) = std::env::args().nth(1) {
        return Ok(id);
    }
    let first = std::pin::pin!(client.instances().list()).try_next().await?;
    first
        .and_then(|i| i.id)
        .ok_or_else(|| dbss::Error::Config("no audit instance in the project".into()))
}
