//! List every audit instance of the project, page by page.
//!
//! Configuration comes from the official SDKs' environment variables
//! (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_PROJECT_ID`) and either
//! `HUAWEICLOUD_SDK_REGION` or `DBSS_ENDPOINT` (e.g. a local `dbss-sim`).
//!
//! ```sh
//! cargo run -p dbss --example list_instances
//! ```

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let mut instances = std::pin::pin!(client.instances().list());
    while let Some(instance) = instances.try_next().await? {
        println!(
            "{}  {:<20} {}",
            instance.id.unwrap_or_default(),
            instance.name.unwrap_or_default(),
            instance.status.unwrap_or_default()
        );
    }
    Ok(())
}
