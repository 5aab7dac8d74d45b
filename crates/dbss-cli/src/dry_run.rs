//! `--dry-run`: the client prepares and signs the first request of the command, then hands it
//! back unsent (see `dbss::ClientBuilder::dry_run`); it is printed here, credentials redacted.

use std::io::Write;

use crate::error::CliError;

/// Prints the request on stdout, and on stderr that nothing was sent.
pub fn print(request: &dbss::DryRunRequest) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{request}")?;
    out.flush()?;
    eprintln!(
        "dry run: {} was not sent (a command that needs its answer to go on stops here)",
        request.operation
    );
    Ok(())
}
