//! Global flags, and the client and printer they configure.

use std::io::IsTerminal;

use clap::Args;

use crate::{
    error::CliError,
    output::{Format, Printer},
    query::Query,
};

/// Flags every command accepts.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Endpoint URL (e.g. http://127.0.0.1:8080 for dbss-sim); wins over --region.
    #[arg(long, global = true, env = "DBSS_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Region id (e.g. cn-north-4, eu-west-101); `dbss regions list` shows them.
    #[arg(long, global = true, env = "HUAWEICLOUD_SDK_REGION")]
    pub region: Option<String>,
    /// Project id (default: $HUAWEICLOUD_SDK_PROJECT_ID, then the profile file).
    #[arg(long, global = true)]
    pub project_id: Option<String>,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, short = 'o', global = true, value_enum)]
    pub output: Option<Format>,
    /// Fields to print, as comma-separated paths: --query id,name,sql.client_ip
    #[arg(long, global = true, value_name = "PATHS")]
    pub query: Option<String>,
    /// Log every request attempt (method, URL, status, duration, request id, retry decision;
    /// never a secret) to stderr; DBSS_LOG or RUST_LOG set the filter.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Print the request that would be sent (credentials redacted) and send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Do not ask for confirmation before deleting, stopping or rebooting (needed without a terminal).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
}

impl Global {
    /// A client from the flags, then the official SDKs' environment variables and profile file.
    pub fn client(&self) -> Result<dbss::Client, CliError> {
        let mut builder = dbss::ClientBuilder::from_env().dry_run(self.dry_run);
        if let Some(endpoint) = &self.endpoint {
            builder = builder.endpoint(endpoint);
        }
        if let Some(region) = &self.region {
            builder = builder.region(region);
        }
        if let Some(project_id) = &self.project_id {
            builder = builder.project_id(project_id);
        }
        Ok(builder.build()?)
    }

    /// The format asked for, else a table for people and JSON for programs.
    pub fn format(&self) -> Format {
        self.output.unwrap_or(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        })
    }

    /// How results are printed.
    pub fn printer(&self) -> Result<Printer, CliError> {
        let query = self
            .query
            .as_deref()
            .map(Query::parse)
            .transpose()
            .map_err(CliError::Usage)?;
        Ok(Printer {
            format: self.format(),
            query,
        })
    }
}
