//! `dbss api`: the command tree built from the generated operation table, `dbss api list`,
//! and running one operation (looked up once in the table, by kebab name or PascalCase id).

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::stream;
use serde_json::json;

use crate::{
    api_support::{ApiOperation, ApiOutput},
    error::CliError,
    generated::api::{OPERATIONS, commands, dispatch},
    settings::Global,
};

/// Table columns of `dbss api list`.
const LIST_COLUMNS: &[&str] = &["name", "method", "path", "replaced_by", "summary"];

/// How many near names a mistyped operation gets, best first.
const MAX_SUGGESTIONS: usize = 3;

/// How close (normalized Damerau-Levenshtein similarity, 0 to 1) a name must be to be suggested.
const MIN_SIMILARITY: f64 = 0.7;

/// The `dbss api` command.
pub fn command() -> Command {
    let list = Command::new("list")
        .about("List the operations (name, method, path, replacement if deprecated, summary), optionally only those matching WORD")
        .arg(
            Arg::new("word")
                .value_name("WORD")
                .help("Keep operations whose name, id, path or summary contains WORD (any case; dashes optional)"),
        );
    Command::new("api")
        .about("Call any DBSS operation directly: `dbss api <operation> --flag value --body JSON`; `dbss api list` shows them")
        .subcommand_required(true)
        .arg_required_else_help(true)
        // Unknown names reach `run`, which suggests at most a few near names instead of clap's
        // long list.
        .allow_external_subcommands(true)
        .subcommand(list)
        .subcommands(commands())
        .arg(
            Arg::new("body-template")
                .long("body-template")
                .help("Print an example request body of the operation instead of calling it")
                .action(ArgAction::SetTrue)
                .global(true),
        )
}

/// Runs `dbss api ...`.
pub async fn run(global: &Global, api: &ArgMatches) -> Result<(), CliError> {
    let Some((name, matches)) = api.subcommand() else {
        return Err(CliError::Usage("name an operation; `dbss api list` lists them".into()));
    };
    if name == "list" {
        return list(global, matches.get_one::<String>("word").map(String::as_str)).await;
    }
    let Some(operation) = find(name) else {
        return Err(unknown(name));
    };
    if matches.get_flag("body-template") {
        return crate::output::write_stdout(operation.body_template.unwrap_or("(this operation takes no body)"));
    }
    warn_if_deprecated(operation);
    let meta = dbss::OPERATIONS.iter().find(|meta| meta.id == operation.id);
    if let Some(meta) = meta.filter(|meta| crate::confirm::is_destructive(meta)) {
        crate::confirm::destructive(global, &format!("call {}", meta.id))?;
    }
    // A bad --query is reported before anything is sent.
    let printer = global.printer()?;
    let client = global.client()?;
    match dispatch(&client, operation, matches).await? {
        ApiOutput::Json(value) => crate::api_support::print_response(&printer, &value).await?,
        ApiOutput::Binary(bytes) => eprintln!("{bytes} bytes written"),
    }
    Ok(())
}

/// The operation named `name`: its kebab name or its PascalCase id.
pub fn find(name: &str) -> Option<&'static ApiOperation> {
    OPERATIONS.iter().find(|op| op.name == name || op.id == name)
}

/// `dbss api list [WORD]`.
async fn list(global: &Global, word: Option<&str>) -> Result<(), CliError> {
    let printer = global.printer()?;
    let rows = matching(word).map(|op| {
        Ok(json!({
            "name": op.name,
            "id": op.id,
            "method": op.method,
            "path": op.path,
            "deprecated": op.deprecated,
            "replaced_by": op.replaced_by,
            "summary": op.summary,
        }))
    });
    let shown = printer
        .list(stream::iter(rows.collect::<Vec<_>>()), LIST_COLUMNS)
        .await?;
    if shown == 0 {
        eprintln!("no operation matches {:?}", word.unwrap_or_default());
    }
    Ok(())
}

/// The operations matching `word` (all without one).
fn matching(word: Option<&str>) -> impl Iterator<Item = &'static ApiOperation> {
    let word = word.map(squash).unwrap_or_default();
    OPERATIONS.iter().filter(move |op| {
        [op.name, op.id, op.path, op.summary]
            .iter()
            .any(|field| squash(field).contains(&word))
    })
}

/// Lower case without dashes, underscores or spaces: `update-audit-securitygroup`,
/// `UpdateAuditSecurityGroup` and `update_audit_security_group` all become the same.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The names closest to a mistyped `name`, best first, at most [`MAX_SUGGESTIONS`].
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let wanted = squash(name);
    let mut scored: Vec<(f64, &'static str)> = OPERATIONS
        .iter()
        .map(|op| {
            (
                strsim::normalized_damerau_levenshtein(&wanted, &squash(op.name)),
                op.name,
            )
        })
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .collect();
    // Best first; equal scores in name order, so the answer does not depend on the table's order.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, name)| name).collect()
}

/// The usage error for an operation that does not exist.
fn unknown(name: &str) -> CliError {
    let near = suggestions(name);
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", near.join(", "))
    };
    CliError::Usage(format!(
        "unknown operation {name:?}{hint}\n`dbss api list WORD` lists the operations whose name contains WORD"
    ))
}

/// Tells on stderr that the service is retiring `operation`, and what replaces it.
fn warn_if_deprecated(operation: &ApiOperation) {
    if !operation.deprecated {
        return;
    }
    match operation.replaced_by {
        Some(next) => eprintln!(
            "warning: {} is being retired by the service; use `dbss api {next}`",
            operation.id
        ),
        None => eprintln!("warning: {} is being retired by the service", operation.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_left_out_suggests_the_operation_first_and_at_most_three() {
        let near = suggestions("update-audit-securitygroup");
        assert_eq!(near.first(), Some(&"update-audit-security-group"));
        assert!(near.len() <= MAX_SUGGESTIONS, "{near:?}");
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        assert!(suggestions("make-me-a-sandwich-please").is_empty());
    }

    #[test]
    fn the_pascal_case_id_finds_the_same_operation() {
        let by_id = find("UpdateAuditSecurityGroupNew").map(|op| op.name);
        assert_eq!(by_id, Some("update-audit-security-group-new"));
    }

    #[test]
    fn every_name_and_id_is_unique_and_every_replacement_exists() {
        let mut names: Vec<&str> = OPERATIONS.iter().flat_map(|op| [op.name, op.id]).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a name or id is listed twice");
        for op in &OPERATIONS {
            if let Some(next) = op.replaced_by {
                assert!(find(next).is_some(), "{} is replaced by unknown {next}", op.name);
            }
        }
    }

    #[test]
    fn the_table_and_the_subcommands_agree() {
        let subcommands: Vec<String> = commands().iter().map(|c| c.get_name().to_owned()).collect();
        let table: Vec<&str> = OPERATIONS.iter().map(|op| op.name).collect();
        assert_eq!(subcommands, table);
    }
}
