//! CLI failures and the exit codes scripts can rely on.

/// Exit codes of `dbss`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Bad flags or arguments (also clap's own usage errors).
    pub const USAGE: u8 = 2;
    /// Missing or invalid configuration or credentials.
    pub const CONFIG: u8 = 3;
    /// The service refused the request (HTTP 4xx).
    pub const REFUSED: u8 = 4;
    /// The service failed (HTTP 5xx) or answered something unreadable.
    pub const SERVER: u8 = 5;
    /// The service could not be reached.
    pub const NETWORK: u8 = 6;
}

/// What can stop a `dbss` command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A DBSS call failed.
    #[error(transparent)]
    Api(#[from] dbss::Error),
    /// The request was malformed on our side (bad `--body`, ...).
    #[error("{0}")]
    Usage(String),
    /// `dbss api` was given an operation that does not exist.
    #[error("unknown operation {0:?}; `dbss api --help` lists them")]
    UnknownOperation(String),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::UnknownOperation(_) => exit::USAGE,
            CliError::Io(_) => exit::SERVER,
            CliError::Api(error) => match error {
                dbss::Error::Config(_) => exit::CONFIG,
                dbss::Error::InvalidRequest { .. } => exit::USAGE,
                dbss::Error::Transport { .. } | dbss::Error::Timeout { .. } => exit::NETWORK,
                _ => match error.status() {
                    Some(status) if (400..500).contains(&status) => exit::REFUSED,
                    _ => exit::SERVER,
                },
            },
        }
    }

    /// A multi-line report for stderr: status, DBSS code, message and request id.
    pub fn report(&self) -> String {
        match self {
            CliError::Api(dbss::Error::Service(e)) => {
                let mut lines = vec![format!("error: {} failed with HTTP {}", e.operation, e.status)];
                if let Some(code) = &e.error_code {
                    lines.push(format!("  code:       {code}"));
                }
                if let Some(message) = &e.error_msg {
                    lines.push(format!("  message:    {message}"));
                } else if !e.body.is_empty() {
                    lines.push(format!("  body:       {}", e.body));
                }
                if let Some(id) = &e.request_id {
                    lines.push(format!("  request id: {id}"));
                }
                lines.join("\n")
            }
            other => format!("error: {other}"),
        }
    }
}
