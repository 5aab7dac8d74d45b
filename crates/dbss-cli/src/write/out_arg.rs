//! The `--out FILE` flag of the download commands.

use std::{io::IsTerminal, path::PathBuf};

use clap::Args;
use serde_json::json;

use super::OutFile;
use crate::{commands::Ctx, error::CliError};

/// Where a download goes.
#[derive(Args, Debug, Clone)]
pub struct OutArg {
    /// File to write, or - for stdout. A symlink is followed; an existing device, FIFO or
    /// socket is written in place; any other file gets its name only once complete
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

impl OutArg {
    fn is_stdout(&self) -> bool {
        self.out.as_os_str() == "-"
    }

    /// Opens the output for binary data; a terminal as stdout is refused (it would print
    /// gibberish and could change the terminal's state).
    pub fn open_binary(&self) -> Result<OutFile, CliError> {
        if self.is_stdout() && std::io::stdout().is_terminal() {
            return Err(CliError::Usage(
                "--out -: stdout is a terminal; redirect it or name a file to write".into(),
            ));
        }
        OutFile::open(&self.out)
    }

    /// Prints what was written; nothing when stdout held the download itself.
    pub fn report(&self, ctx: &Ctx, bytes: u64) -> Result<(), CliError> {
        if self.is_stdout() {
            return Ok(());
        }
        ctx.printer
            .object(&json!({ "file": self.out.display().to_string(), "bytes": bytes }))
    }
}
