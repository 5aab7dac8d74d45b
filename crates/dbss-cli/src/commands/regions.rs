//! `dbss regions list`: where DBSS is offered (the client's built-in table).

use clap::Subcommand;
use futures::stream;
use serde_json::json;

use super::{Ctx, ListArgs, print_values};
use crate::error::CliError;

/// `dbss regions`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the regions and their DBSS endpoints
    List,
}

/// Runs `dbss regions ...`; needs no credentials.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::List => {
            let rows = dbss::REGIONS
                .iter()
                .map(|r| Ok(json!({ "id": r.id, "endpoint": r.endpoint })));
            print_values(ctx, &ListArgs::EVERY, stream::iter(rows), &["id", "endpoint"]).await
        }
    }
}
