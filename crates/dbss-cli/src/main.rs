//! `dbss`: the command-line tool for Huawei Cloud Database Security Service.

mod api_support;
mod commands;
mod demo;
mod error;
mod export;
mod generated;
mod ocsf;
mod output;
mod progress;
mod query;
mod settings;
mod since;

use std::process::ExitCode;

use clap::{ArgMatches, Args, Command, FromArgMatches, Subcommand};

use crate::{
    api_support::ApiOutput,
    commands::{Ctx, Everyday},
    error::{CliError, exit},
    settings::Global,
};

fn cli() -> Command {
    let api = Command::new("api")
        .about("Call any DBSS operation directly: `dbss api <operation> --flag value --body JSON`")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(generated::api::commands())
        .arg(
            clap::Arg::new("body-template")
                .long("body-template")
                .help("Print an example request body of the operation instead of calling it")
                .action(clap::ArgAction::SetTrue)
                .global(true),
        );
    let completions = Command::new("completions")
        .about("Print a shell completion script: dbss completions bash > /etc/bash_completion.d/dbss")
        .arg(
            clap::Arg::new("shell")
                .required(true)
                .value_parser(clap::value_parser!(clap_complete::Shell)),
        );
    let command = Everyday::augment_subcommands(Global::augment_args(Command::new("dbss")))
        .subcommand(api)
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
    let matches = cli().get_matches();
    let global = match Global::from_arg_matches(&matches) {
        Ok(global) => global,
        Err(e) => e.exit(),
    };
    if global.debug {
        init_debug_log();
    }
    match run(global, &matches).await {
        Ok(()) => ExitCode::from(exit::OK),
        // `dbss ... | head`: the reader has what it wanted.
        Err(error) if error.is_broken_pipe() => ExitCode::from(exit::OK),
        Err(error) => {
            eprintln!("{}", error.report());
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(global: Global, matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("demo", _)) => demo::run().await,
        Some(("api", api)) => run_api(&global, api).await,
        Some(("completions", args)) => {
            let Some(shell) = args.get_one::<clap_complete::Shell>("shell").copied() else {
                return Err(CliError::Usage("name a shell".into()));
            };
            clap_complete::generate(shell, &mut cli(), "dbss", &mut std::io::stdout());
            Ok(())
        }
        _ => {
            let command = Everyday::from_arg_matches(matches).map_err(|e| CliError::Usage(e.to_string()))?;
            let printer = global.printer()?;
            commands::run(&Ctx { global, printer }, command).await
        }
    }
}

/// `--debug`: the client's tracing events (one per attempt: operation, status, duration,
/// request id) at DEBUG on stderr. The client redacts secrets before they reach a span.
fn init_debug_log() {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run_api(global: &Global, api: &ArgMatches) -> Result<(), CliError> {
    let Some((name, matches)) = api.subcommand() else {
        return Err(CliError::Usage(
            "name an operation; `dbss api --help` lists them".into(),
        ));
    };
    if matches.get_flag("body-template") {
        let template = generated::api::BODY_TEMPLATES
            .iter()
            .find(|(op, _)| *op == name)
            .and_then(|(_, t)| *t);
        println!("{}", template.unwrap_or("(this operation takes no body)"));
        return Ok(());
    }
    warn_if_deprecated(name);
    let client = global.client()?;
    let printer = global.printer()?;
    match generated::api::dispatch(&client, name, matches).await? {
        ApiOutput::Json(value) => printer.object(&value)?,
        ApiOutput::Binary(bytes) => eprintln!("{bytes} bytes written"),
    }
    Ok(())
}

fn warn_if_deprecated(kebab: &str) {
    let meta = dbss::OPERATIONS.iter().find(|m| kebab_case(m.id) == kebab);
    if let Some(meta) = meta.filter(|m| m.deprecated) {
        match meta.replaced_by {
            Some(next) => eprintln!(
                "warning: {} is being retired by the service; use `dbss api {}`",
                meta.id,
                kebab_case(next)
            ),
            None => eprintln!("warning: {} is being retired by the service", meta.id),
        }
    }
}

fn kebab_case(id: &str) -> String {
    heck::AsKebabCase(id).to_string()
}
