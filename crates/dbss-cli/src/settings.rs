//! Global flags, and the client and printer they configure.

use std::io::IsTerminal;

use clap::Args;

use crate::{
    auth::{self, AuthKind},
    error::CliError,
    output::{Format, Printer},
    profile,
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
    /// Output format, any case [default: $DBSS_OUTPUT, else table on a terminal, json otherwise].
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        ignore_case = true,
        env = "DBSS_OUTPUT"
    )]
    pub output: Option<Format>,
    /// JMESPath over the output: the list of items for list commands ('[].id',
    /// '[?status==`ACTIVE`].[id,name]'), the object itself for others and for `dbss api`
    /// ('servers[0].id').
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    /// Tables show whole values instead of fitting the terminal width.
    #[arg(long, global = true)]
    pub wide: bool,
    /// Named section of the credentials file to use (and for `configure`, to write)
    #[arg(long, global = true, env = profile::PROFILE_VAR, value_name = "NAME")]
    pub profile: Option<String>,
    /// Kind of credentials: access keys (default), an IAM token ($DBSS_IAM_TOKEN or asked for),
    /// or an IAM user's password ($DBSS_IAM_USER, $DBSS_IAM_DOMAIN, $DBSS_IAM_PASSWORD, or asked for)
    #[arg(long, global = true, env = "DBSS_AUTH", value_enum, value_name = "KIND")]
    pub auth: Option<AuthKind>,
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
    /// A client from the flags, then the official SDKs' environment variables and profile file
    /// (or the profile named by `--profile`, whose keys win over the variables), with IAM
    /// credentials when `--auth` or the `DBSS_IAM_*` variables ask for them.
    pub fn client(&self) -> Result<dbss::Client, CliError> {
        let mut builder = dbss::ClientBuilder::from_env().dry_run(self.dry_run);
        let section = profile::selected(self.profile.as_deref())?.unwrap_or_default();
        let endpoint = self.endpoint.as_deref().or(section.get("endpoint"));
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint(endpoint);
        }
        if let Some(region) = self.region.as_deref().or(section.get("region")) {
            builder = builder.region(region);
        }
        if let Some(name) = &self.profile {
            if let Some(credentials) = profile::credentials(name, &section)? {
                builder = builder.credentials(credentials);
            }
            if let Some(project_id) = section.get("project_id") {
                builder = builder.project_id(project_id);
            }
            if let Some(iam) = section.get("iam_endpoint") {
                builder = builder.iam_endpoint(iam);
            }
        }
        if let Some(project_id) = &self.project_id {
            builder = builder.project_id(project_id);
        }
        match auth::iam_credentials(self.auth)? {
            // A password or token may leave the project id to be found through IAM.
            Some(credentials) => build_async(builder.credentials(credentials)),
            None => Ok(builder.build()?),
        }
    }

    /// The format asked for, else a table for people and JSON for programs.
    pub fn format(&self) -> Format {
        self.output.unwrap_or(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        })
    }

    /// How results are printed; a `--query` that is not valid JMESPath is a usage error.
    pub fn printer(&self) -> Result<Printer, CliError> {
        let query = self.query.as_deref().map(Query::parse).transpose()?;
        let terminal = std::io::stdout().is_terminal();
        // Only a terminal has a width to fit; a pipe or a file gets whole values.
        let width = if terminal && !self.wide {
            console::Term::stdout()
                .size_checked()
                .map(|(_rows, columns)| usize::from(columns))
                .filter(|columns| *columns > 0)
        } else {
            None
        };
        Ok(Printer {
            format: self.format(),
            query,
            width,
            terminal,
            things: None,
        })
    }
}

/// Builds a client that may need IAM to find its project id, from synchronous code running on
/// the multi-threaded runtime of `main`.
fn build_async(builder: dbss::ClientBuilder) -> Result<dbss::Client, CliError> {
    let handle = tokio::runtime::Handle::try_current()
        .ok()
        .filter(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
        .ok_or_else(|| CliError::Config("IAM credentials need the multi-threaded runtime".into()))?;
    Ok(tokio::task::block_in_place(|| handle.block_on(builder.build_async()))?)
}
