//! CLI failures and the exit codes scripts can rely on: the one place that maps a failure to
//! its exit code and to the report printed on stderr.

/// Exit codes of `dbss` (documented in the README; scripts depend on them).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Bad flags or arguments (also clap's own usage errors), invalid input, local files
    /// that cannot be read or written.
    pub const USAGE: u8 = 2;
    /// Missing or invalid configuration or credentials.
    pub const CONFIG: u8 = 3;
    /// The service refused the request (HTTP 4xx), or named something that does not exist.
    pub const REFUSED: u8 = 4;
    /// The service failed (HTTP 5xx), answered something unreadable, or a resource being
    /// waited for failed or did not settle in time.
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
    /// The request was malformed on our side (bad `--body`, bad flag combination, ...).
    #[error("{0}")]
    Usage(String),
    /// Configuration is missing or unusable (the profile file, `dbss configure`).
    #[error("{0}")]
    Config(String),
    /// Something named on the command line does not exist at the service.
    #[error("{0}")]
    NotFound(String),
    /// The service answered, but reports that the action failed, or a waited-for resource
    /// did not get where it should.
    #[error("{0}")]
    Failed(String),
    /// `dbss api` was given an operation that does not exist.
    #[error("unknown operation {0:?}; `dbss api --help` lists them")]
    UnknownOperation(String),
    /// A local file given on the command line could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Writing to stdout or stderr failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// A local-file error for `path`.
    pub fn file(path: impl AsRef<std::path::Path>, source: std::io::Error) -> CliError {
        CliError::File {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// Whether this is stdout closing early (`dbss ... | head`): not a failure worth reporting.
    /// The broken pipe may be wrapped (the CSV writer wraps the I/O errors it meets).
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            CliError::Io(e) => is_broken_pipe(e),
            _ => false,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::UnknownOperation(_) | CliError::File { .. } => exit::USAGE,
            CliError::Config(_) => exit::CONFIG,
            CliError::NotFound(_) => exit::REFUSED,
            // Writing the output failed: a local file (stdout redirected to one) not written.
            CliError::Io(_) => exit::USAGE,
            CliError::Failed(_) => exit::SERVER,
            CliError::Api(error) if is_credentials_refusal(error) => exit::CONFIG,
            CliError::Api(error) => match error {
                dbss::Error::Config(_) | dbss::Error::Credentials(_) => exit::CONFIG,
                // Not a failure: `main` prints the request.
                dbss::Error::DryRun(_) => exit::OK,
                dbss::Error::InvalidRequest { .. } | dbss::Error::Io(_) => exit::USAGE,
                dbss::Error::Transport { .. } | dbss::Error::Timeout { .. } => exit::NETWORK,
                _ => match error.status() {
                    Some(status) if (400..500).contains(&status) => exit::REFUSED,
                    _ => exit::SERVER,
                },
            },
        }
    }

    /// A report for stderr: for service errors the status, DBSS code, message and request id
    /// on lines of their own, so people can read them and support can be quoted the id.
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

/// Error codes that mean the credentials were refused, whatever the status: the API
/// gateway's wrong signature or key (`APIGW.0301`), wrong or missing app credentials
/// (`APIGW.0303`, `APIGW.0305`), and DBSS's rejected token (`DBSS.10020100`).
const CREDENTIAL_CODES: &[&str] = &["APIGW.0301", "APIGW.0303", "APIGW.0305", "DBSS.10020100"];

/// Whether the service refused who we are rather than what we asked: HTTP 401, or an error
/// code that says so. A credentials problem (exit 3), not a refused request (exit 4).
fn is_credentials_refusal(error: &dbss::Error) -> bool {
    error.status() == Some(401) || error.error_code().is_some_and(|code| CREDENTIAL_CODES.contains(&code))
}

/// Whether `error`, or an error it wraps, is a broken pipe.
fn is_broken_pipe(error: &std::io::Error) -> bool {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    // `io::Error::source` skips the wrapped error itself, so start from it.
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.get_ref().map(|e| e as _);
    while let Some(inner) = next {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return is_broken_pipe(io);
        }
        // The CSV writer's error has no `source`, but keeps the I/O error.
        if let Some(csv) = inner.downcast_ref::<csv::Error>() {
            return matches!(csv.kind(), csv::ErrorKind::Io(io) if is_broken_pipe(io));
        }
        // serde_json's `source` skips its I/O error, but tells its kind.
        if let Some(json) = inner.downcast_ref::<serde_json::Error>() {
            return json.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe);
        }
        next = inner.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_failure_has_its_documented_code() {
        let service = |status| {
            CliError::Api(dbss::Error::Service(Box::new(dbss::ServiceError {
                operation: "Op",
                status,
                error_code: Some("DBSS.1".into()),
                error_msg: Some("no".into()),
                request_id: Some("r-1".into()),
                body: String::new(),
            })))
        };
        assert_eq!(service(404).exit_code(), exit::REFUSED);
        assert_eq!(service(503).exit_code(), exit::SERVER);
        assert_eq!(CliError::Usage("x".into()).exit_code(), exit::USAGE);
        assert_eq!(CliError::Config("x".into()).exit_code(), exit::CONFIG);
        assert_eq!(CliError::NotFound("x".into()).exit_code(), exit::REFUSED);
        assert_eq!(CliError::Api(dbss::Error::Config("x".into())).exit_code(), exit::CONFIG);
        assert_eq!(
            CliError::Api(dbss::Error::Transport {
                operation: "Op",
                kind: dbss::TransportKind::Connect,
                attempts: 1,
                message: "refused".into()
            })
            .exit_code(),
            exit::NETWORK
        );
        let refused_credentials = |status, code: &str| {
            CliError::Api(dbss::Error::Service(Box::new(dbss::ServiceError {
                operation: "Op",
                status,
                error_code: Some(code.into()),
                error_msg: None,
                request_id: None,
                body: String::new(),
            })))
        };
        assert_eq!(refused_credentials(401, "APIGW.0301").exit_code(), exit::CONFIG);
        assert_eq!(refused_credentials(403, "APIGW.0301").exit_code(), exit::CONFIG);
        assert_eq!(refused_credentials(401, "DBSS.10020100").exit_code(), exit::CONFIG);
        assert_eq!(refused_credentials(403, "DBSS.10020021").exit_code(), exit::REFUSED);
        let report = service(400).report();
        for part in ["HTTP 400", "DBSS.1", "no", "r-1"] {
            assert!(report.contains(part), "{report}");
        }
    }

    #[test]
    fn a_broken_pipe_is_found_inside_wrapping_errors() {
        use std::io::{Error, ErrorKind};
        let pipe = || Error::from(ErrorKind::BrokenPipe);
        assert!(CliError::Io(pipe()).is_broken_pipe());
        // As the CSV writer hands it on: its own error, inside an `io::Error`.
        let wrapped = Error::from(csv::Error::from(pipe()));
        assert!(CliError::Io(wrapped).is_broken_pipe());
        // As the JSON lines writer hands it on.
        let json = serde_json::to_writer(Closed, &1).err().map(Error::other);
        assert!(json.is_some_and(|wrapped| CliError::Io(wrapped).is_broken_pipe()));
        assert!(!CliError::Io(Error::other("disk full")).is_broken_pipe());
        assert!(!CliError::Usage("broken pipe".into()).is_broken_pipe());
    }

    /// A writer whose reader has gone.
    struct Closed;

    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }
}
