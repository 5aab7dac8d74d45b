//! `dbss configure`: writes the profile file the official SDKs (and this client) read:
//! `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`; section `[basic]`,
//! or `[NAME]` with `--profile NAME`; keys `ak`, `sk`, `project_id`, `region` and, when one is
//! given, `endpoint`. Only those lines change: comments, other keys and sections, their order
//! and spelling are kept. Current values are offered (masked for the keys) and kept on Enter;
//! an empty project id is looked up through IAM. The secret key is never echoed or printed,
//! and the file is written as a secret (see [`crate::write`]).

use std::{
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
};

use clap::Args;
use serde_json::json;

use super::Ctx;
use crate::{error::CliError, profile, write::write_secret};

/// Flags of `dbss configure` (the project id, region, endpoint and profile are the global
/// `--project-id`, `--region`, `--endpoint` and `--profile`).
#[derive(Args, Debug)]
pub struct ConfigureArgs {
    /// Access key id (asked for if absent)
    #[arg(long)]
    ak: Option<String>,
    /// Read the secret key from the first line of stdin instead of asking (keeps it out of
    /// the process list and shell history)
    #[arg(long)]
    sk_stdin: bool,
    /// Write this file instead of $HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Runs `dbss configure`.
pub async fn run(ctx: &Ctx, args: ConfigureArgs) -> Result<(), CliError> {
    let Some(path) = args.file.clone().or_else(profile::default_path) else {
        return Err(CliError::Config("no home directory: pass --file".into()));
    };
    let section = ctx
        .global
        .profile
        .as_deref()
        .unwrap_or(profile::DEFAULT_SECTION)
        .to_owned();
    // Read (and so checked) before anything is asked.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(CliError::Usage(format!("{}: not a regular file", path.display())));
    }
    let file = profile::load(&path)?.unwrap_or_default();
    let current = |key: &str| file.section(&section).and_then(|s| s.get(key)).map(str::to_owned);
    let (old_ak, old_sk, old_project, old_region, old_endpoint) = (
        current("ak"),
        current("sk"),
        current("project_id"),
        current("region"),
        current("endpoint"),
    );

    let mut input = Input::new();
    // With --sk-stdin the secret is the first line; otherwise questions come in the natural
    // order: access key, secret key, region, project id.
    let piped_sk = if args.sk_stdin {
        Some(input.line("", None)?)
    } else {
        None
    };
    let ak = match args.ak {
        Some(ak) => ak,
        None => input.line("Access key (AK)", old_ak.as_deref().map(mask).as_deref())?,
    };
    let ak = keep_or_require(ak, old_ak, "access key")?;
    let sk = match piped_sk {
        Some(sk) => sk,
        None => input.secret("Secret key (SK)", old_sk.as_deref().map(mask).as_deref())?,
    };
    let sk = keep_or_require(sk, old_sk, "secret key")?;
    let endpoint = ctx.global.endpoint.clone().or(old_endpoint);
    let region = match &ctx.global.region {
        Some(region) => Some(region.clone()),
        None => {
            let typed = input.line("Region (e.g. cn-north-4)", old_region.as_deref())?;
            keep(typed, old_region)
        }
    };
    if region.is_none() && endpoint.is_none() {
        return Err(CliError::Usage(
            "a region is needed (or an endpoint, --endpoint); `dbss regions list` shows them".into(),
        ));
    }
    let project_id = match &ctx.global.project_id {
        Some(project) => Some(project.clone()),
        None => {
            let typed = input.line("Project id (Enter to look it up)", old_project.as_deref())?;
            keep(typed, old_project)
        }
    };
    let project_id = match project_id {
        Some(project) => project,
        None => look_up_project(&ak, &sk, region.as_deref(), endpoint.as_deref()).await?,
    };

    let settings: Vec<(&str, &str)> = [
        ("ak", Some(&ak)),
        ("sk", Some(&sk)),
        ("project_id", Some(&project_id)),
        ("region", region.as_ref()),
        ("endpoint", endpoint.as_ref()),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key, value?.as_str())))
    .collect();
    // Only the lines set change: comments, order and other sections stay as they are. A value
    // with a line break (which would write a line of its own) is refused.
    let edited = file.edit(&section, &settings).map_err(CliError::Usage)?;
    write_secret(&path, edited.as_bytes())?;
    ctx.printer.object(&json!({
        "file": path.display().to_string(),
        "section": section,
        "ak": ak,
        "project_id": project_id,
        "region": region,
        "endpoint": endpoint,
    }))
}

/// `[****6789]`: enough to recognise a key, not enough to use it.
fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let shown: String = chars.iter().skip(chars.len().saturating_sub(4)).collect();
    if chars.len() <= 4 {
        "****".to_owned()
    } else {
        format!("****{shown}")
    }
}

/// The typed value, or the current one on Enter.
fn keep(typed: String, current: Option<String>) -> Option<String> {
    let typed = typed.trim().to_owned();
    if typed.is_empty() { current } else { Some(typed) }
}

fn keep_or_require(typed: String, current: Option<String>, what: &str) -> Result<String, CliError> {
    keep(typed, current).ok_or_else(|| CliError::Usage(format!("the {what} is empty")))
}

/// The region's project id, asked of IAM with the keys just given.
async fn look_up_project(ak: &str, sk: &str, region: Option<&str>, endpoint: Option<&str>) -> Result<String, CliError> {
    let Some(region) = region else {
        return Err(CliError::Usage(
            "the project id can only be looked up for a region: give --region, or the project id".into(),
        ));
    };
    // Only the keys typed here: not a project id or keys from the environment or another profile.
    let ignored = [
        dbss::env::PROJECT_ID,
        dbss::env::AK,
        dbss::env::SK,
        dbss::env::SECURITY_TOKEN,
        dbss::env::CREDENTIALS_FILE,
        "HOME",
        "USERPROFILE",
    ];
    let mut builder = dbss::ClientBuilder::from_env()
        .environment(std::env::vars().filter(|(k, _)| !ignored.contains(&k.as_str())))
        .credentials(dbss::Credentials::ak_sk(ak, sk))
        .region(region);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build_async().await?;
    eprintln!("project id of {region}: {}", client.project_id());
    Ok(client.project_id().to_owned())
}

/// Answers typed at prompts on a terminal, or lines piped to stdin in the order asked.
struct Input {
    terminal: bool,
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Input {
    fn new() -> Input {
        Input {
            terminal: std::io::stdin().is_terminal(),
            lines: std::io::stdin().lock().lines(),
        }
    }

    fn prompt(question: &str, current: Option<&str>) -> String {
        match current {
            Some(current) => format!("{question} [{current}]: "),
            None => format!("{question}: "),
        }
    }

    /// A line: typed after a prompt showing `current` on a terminal, else the next line piped.
    fn line(&mut self, question: &str, current: Option<&str>) -> Result<String, CliError> {
        if self.terminal && !question.is_empty() {
            eprint!("{}", Input::prompt(question, current));
            std::io::stderr().flush()?;
        }
        match self.lines.next() {
            Some(line) => line.map_err(|e| CliError::file("stdin", e)),
            None => Err(CliError::Usage(format!("{question} is missing: stdin ended"))),
        }
    }

    /// A secret: typed without echo on a terminal, else the next line of stdin.
    fn secret(&mut self, question: &str, current: Option<&str>) -> Result<String, CliError> {
        if self.terminal {
            rpassword::prompt_password(Input::prompt(question, current)).map_err(|e| CliError::file("the terminal", e))
        } else {
            self.line(question, current)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_the_last_four_characters_at_most() {
        assert_eq!(mask("AKIAEXAMPLE6789"), "****6789");
        assert_eq!(mask("6789"), "****");
        assert_eq!(mask("é"), "****");
        assert_eq!(mask("ab€cdé"), "****€cdé");
    }

    #[test]
    fn enter_keeps_the_current_value() {
        assert_eq!(keep(String::new(), Some("old".into())), Some("old".into()));
        assert_eq!(keep(" new ".into(), Some("old".into())), Some("new".into()));
        assert_eq!(keep(String::new(), None), None);
        assert!(keep_or_require(String::new(), None, "secret key").is_err());
    }
}
