//! Global flags, and the client they configure.

use clap::Args;

use crate::output::Format;

/// Flags every command accepts.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Endpoint URL (e.g. http://127.0.0.1:8080 for dbss-sim); wins over --region.
    #[arg(long, global = true, env = "DBSS_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Region id (e.g. cn-north-4, eu-west-101).
    #[arg(long, global = true, env = "HUAWEICLOUD_SDK_REGION")]
    pub region: Option<String>,
    /// Project id (default: $HUAWEICLOUD_SDK_PROJECT_ID).
    #[arg(long, global = true)]
    pub project_id: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Json)]
    pub output: Format,
}

impl Global {
    /// A client from the flags, then the official SDKs' environment variables.
    pub fn client(&self) -> Result<dbss::Client, dbss::Error> {
        let mut builder = dbss::ClientBuilder::from_env();
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint(endpoint);
        }
        if let Some(region) = &self.region {
            builder = builder.region(region);
        }
        if let Some(project_id) = &self.project_id {
            builder = builder.project_id(project_id);
        }
        builder.build()
    }
}
