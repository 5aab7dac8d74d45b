//! What the generated `dbss api` commands share: the row type of the operation table, the
//! `--body` flag, enum flag values and output of results.

use std::io::Write;

use clap::{Arg, ArgMatches, Command, builder::TypedValueParser};
use dbss::Operation;
use futures::TryStreamExt;

use crate::{
    error::CliError,
    output::{Format, Printer},
};

/// What an operation produced.
pub enum ApiOutput {
    /// A JSON response body (`null` for operations that return none).
    Json(serde_json::Value),
    /// A downloaded file, already written to stdout; its size.
    #[allow(dead_code, reason = "constructed once the spec holds a download operation")]
    Binary(u64),
}

/// One operation of the spec, as the generated table `OPERATIONS` lists it.
#[derive(Debug)]
pub struct ApiOperation {
    /// The subcommand name, kebab case (`update-audit-security-group-new`).
    pub name: &'static str,
    /// The official operation id, PascalCase (`UpdateAuditSecurityGroupNew`), as KooCLI spells it.
    pub id: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// Whether the service is retiring it.
    pub deprecated: bool,
    /// The kebab name of the operation replacing it, if the spec names one.
    pub replaced_by: Option<&'static str>,
    /// The spec's example request body, pretty JSON, for operations that take a body.
    pub body_template: Option<&'static str>,
}

impl ApiOperation {
    /// The subcommand's name, its PascalCase alias and its one-line help.
    pub fn command(&self) -> Command {
        Command::new(self.name).alias(self.id).about(self.summary)
    }
}

/// A flag value parser accepting `values` in any letter case and yielding the spelling the
/// service expects (`--risk high` sends `HIGH`); clap lists the values in help and completions.
pub fn one_of(values: &'static [&'static str]) -> impl TypedValueParser<Value = String> {
    clap::builder::PossibleValuesParser::new(values.iter().copied()).map(move |given: String| {
        values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(&given))
            .map_or(given, |v| (*v).to_owned())
    })
}

/// The `--body <json|@file>` flag.
pub fn body_arg() -> Arg {
    Arg::new("body")
        .long("body")
        .value_name("JSON|@FILE")
        .help("Request body: inline JSON, or @path to a JSON file (@- for stdin)")
        .required_unless_present("body-template")
}

/// Reads `--body` and decodes it into the operation's request type, strictly.
pub fn parse_body<T: serde::de::DeserializeOwned>(matches: &ArgMatches) -> Result<T, CliError> {
    let raw = matches
        .get_one::<String>("body")
        .ok_or_else(|| CliError::Usage("--body is required".into()))?;
    decode_body("--body", read_json_arg("--body", raw)?)
}

/// Reads a JSON flag value: inline JSON, `@path` to a file, or `@-` for stdin.
pub fn read_json_arg(flag: &str, raw: &str) -> Result<serde_json::Value, CliError> {
    let text = match raw.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).map_err(|e| CliError::file("stdin", e))?,
        Some(path) => std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("{flag} @{path}: {e}")))?,
        None => raw.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{flag}: not JSON: {e}")))
}

/// Decodes JSON into a request type, naming the offending field on failure.
pub fn decode_body<T: serde::de::DeserializeOwned>(flag: &str, value: serde_json::Value) -> Result<T, CliError> {
    dbss::from_json(value).map_err(|e| match e {
        dbss::Error::InvalidInput { path, reason } if path.is_empty() => CliError::Usage(format!("{flag}: {reason}")),
        dbss::Error::InvalidInput { path, reason } => CliError::Usage(format!("{flag} at {path}: {reason}")),
        other => CliError::Usage(format!("{flag}: {other}")),
    })
}

/// Prints a response of `dbss api`. `--query` applies to the response as it is; without one,
/// a table or text shows the items of a list response (`{"servers": [...], "total": 2}`)
/// rather than the wrapper object.
pub async fn print_response(printer: &Printer, value: &serde_json::Value) -> Result<(), CliError> {
    let tabular = matches!(printer.format, Format::Table | Format::Text);
    match listed_items(value) {
        Some((name, items)) if tabular && printer.query.is_none() => {
            let printer = printer.clone().listing(Some(name));
            let items = futures::stream::iter(items.iter().cloned().map(Ok));
            printer.list(items, &[]).await.map(|_| ())
        }
        _ => printer.object(value),
    }
}

/// The one list field of a response whose other fields are scalars (a total, a count), and
/// its name.
fn listed_items(value: &serde_json::Value) -> Option<(&str, &Vec<serde_json::Value>)> {
    let map = value.as_object()?;
    let mut lists = map.iter().filter_map(|(k, v)| v.as_array().map(|a| (k.as_str(), a)));
    let found = lists.next()?;
    let only_scalars_besides = map.values().filter(|v| v.is_array() || v.is_object()).count() == 1;
    (lists.next().is_none() && only_scalars_besides).then_some(found)
}

/// Runs a JSON operation and returns its body as JSON.
pub async fn finish_json<O>(call: O) -> Result<ApiOutput, CliError>
where
    O: Operation,
    O::Output: serde::Serialize,
{
    let output = call.call().await?;
    let value =
        serde_json::to_value(output).map_err(|e| CliError::Usage(format!("cannot render the response: {e}")))?;
    Ok(ApiOutput::Json(value))
}

/// Runs a download operation, streaming the file to stdout.
#[allow(dead_code, reason = "called once the spec holds a download operation")]
pub async fn finish_binary<O>(call: O) -> Result<ApiOutput, CliError>
where
    O: Operation<Output = dbss_api::ByteStream>,
{
    let mut stream = call.call().await?.into_inner();
    let mut stdout = std::io::stdout().lock();
    let mut written = 0u64;
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| CliError::Usage(format!("download interrupted: {e}")))?
    {
        stdout.write_all(&chunk)?;
        written += chunk.len() as u64;
    }
    stdout.flush()?;
    Ok(ApiOutput::Binary(written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_responses_are_recognised_by_their_one_list() {
        let listed = json!({"servers": [{"id": 1}], "total": 1});
        assert_eq!(
            listed_items(&listed).map(|(name, items)| (name, items.len())),
            Some(("servers", 1))
        );
        assert!(listed_items(&json!({"a": [], "b": []})).is_none());
        assert!(listed_items(&json!({"a": [], "nested": {"x": 1}})).is_none());
        assert!(listed_items(&json!({"result": "SUCCESS"})).is_none());
        assert!(listed_items(&json!([1, 2])).is_none());
    }
}
