//! `dbss`: the command-line tool for Huawei Cloud Database Security Service.

mod api_run;
mod api_support;
mod auth;
mod closed_output;
mod commands;
mod confirm;
mod demo;
mod dry_run;
mod error;
mod export;
mod generated;
mod logging;
mod ocsf;
mod output;
mod profile;
mod progress;
mod query;
mod settings;
mod since;
mod write;

use std::{io::Write, process::ExitCode};

use clap::{ArgMatches, Args, Command, FromArgMatches, Subcommand};

use crate::{
    commands::{Ctx, Everyday},
    error::{CliError, exit},
    settings::Global,
};

fn cli() -> Command {
    let completions = Command::new("completions")
        .about("Print a shell completion script: dbss completions bash > /etc/bash_completion.d/dbss")
        .arg(
            clap::Arg::new("shell")
                .required(true)
                .value_parser(clap::value_parser!(clap_complete::Shell)),
        );
    let command = Everyday::augment_subcommands(Global::augment_args(Command::new("dbss")))
        .subcommand(api_run::command())
        .subcommand(Command::new("demo").about("A tour of DBSS on a local simulator started in-process"))
        .subcommand(completions);
    // After the flags: their struct's doc comment would otherwise become the tool's description.
    command
        .version(env!("CARGO_PKG_VERSION"))
        .about("Huawei Cloud Database Security Service from the command line")
        .subcommand_required(true)
        .arg_required_else_help(true)
}

#[tokio::main]
async fn main() -> ExitCode {
    closed_output::install();
    let matches = cli().get_matches();
    let global = match Global::from_arg_matches(&matches) {
        Ok(global) => global,
        Err(e) => e.exit(),
    };
    logging::init(global.debug);
    match run(global, &matches).await {
        Ok(()) => ExitCode::from(exit::OK),
        Err(CliError::Api(dbss::Error::DryRun(request))) => match dry_run::print(&request) {
            Ok(()) => ExitCode::from(exit::OK),
            Err(error) => report(&error),
        },
        Err(error) => report(&error),
    }
}

/// The exit code of a failure, after its report on stderr.
fn report(error: &CliError) -> ExitCode {
    // `dbss ... | head`: the reader has what it wanted.
    if error.is_broken_pipe() {
        return ExitCode::from(exit::OK);
    }
    eprintln!("{}", error.report());
    ExitCode::from(error.exit_code())
}

async fn run(global: Global, matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("demo", _)) => demo::run().await,
        Some(("api", api)) => api_run::run(&global, api).await,
        Some(("completions", args)) => {
            let Some(shell) = args.get_one::<clap_complete::Shell>("shell").copied() else {
                return Err(CliError::Usage("name a shell".into()));
            };
            // Into memory first: clap_complete panics when a write fails (a closed stdout).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli(), "dbss", &mut script);
            let mut out = std::io::stdout().lock();
            out.write_all(&script)?;
            out.flush()?;
            Ok(())
        }
        _ => {
            let command = Everyday::from_arg_matches(matches).map_err(|e| CliError::Usage(e.to_string()))?;
            let printer = global.printer()?;
            commands::run(&Ctx::new(global, printer), command).await
        }
    }
}
