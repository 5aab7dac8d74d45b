//! `dbss`: the command-line tool for Huawei Cloud Database Security Service.

mod api_support;
mod demo;
mod error;
mod generated;
mod output;
mod settings;

use std::process::ExitCode;

use clap::{ArgMatches, Args, Command, FromArgMatches};

use crate::{
    api_support::ApiOutput,
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
    let command = Command::new("dbss")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Huawei Cloud Database Security Service from the command line")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(api)
        .subcommand(Command::new("demo").about("A tour of DBSS on a local simulator started in-process"));
    Global::augment_args(command)
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = cli().get_matches();
    let global = match Global::from_arg_matches(&matches) {
        Ok(global) => global,
        Err(e) => e.exit(),
    };
    let outcome = match matches.subcommand() {
        Some(("demo", _)) => demo::run(global.output).await,
        Some(("api", api)) => run_api(&global, api).await,
        _ => Err(CliError::Usage("unknown command".into())),
    };
    match outcome {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            eprintln!("{}", error.report());
            ExitCode::from(error.exit_code())
        }
    }
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
    match generated::api::dispatch(&client, name, matches).await? {
        ApiOutput::Json(value) => println!("{}", output::render(&value, global.output)),
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
