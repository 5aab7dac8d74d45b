//! `dbss configure`: writes the profile file the official SDKs (and this client) read:
//! `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`, section `[basic]`
//! with `ak`, `sk` and `project_id`. Other sections and keys are kept. The secret key is
//! never echoed or printed.

use std::{
    io::{BufRead, IsTerminal, Write},
    path::{Path, PathBuf},
};

use clap::Args;
use ini::Ini;
use serde_json::json;

use super::Ctx;
use crate::error::CliError;

/// Flags of `dbss configure` (the project id is the global `--project-id`).
#[derive(Args, Debug)]
pub struct ConfigureArgs {
    /// Access key id (prompted for if absent)
    #[arg(long)]
    ak: Option<String>,
    /// Read the secret key from the first line of stdin instead of prompting (keeps it out of
    /// the process list and shell history)
    #[arg(long)]
    sk_stdin: bool,
    /// Write this file instead of $HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Runs `dbss configure`.
pub fn run(ctx: &Ctx, args: ConfigureArgs) -> Result<(), CliError> {
    let path = match args.file.clone().or_else(default_path) {
        Some(path) => path,
        None => return Err(CliError::Config("no home directory: pass --file".into())),
    };
    let mut input = Input::new();
    // With --sk-stdin the secret is the first line; otherwise questions come in the natural order.
    let piped_sk = if args.sk_stdin { Some(input.line("")?) } else { None };
    let ak = match args.ak {
        Some(ak) => ak,
        None => input.line("Access key (AK): ")?,
    };
    let sk = match piped_sk {
        Some(sk) => sk,
        None => input.secret("Secret key (SK): ")?,
    };
    let project_id = match &ctx.global.project_id {
        Some(p) => p.clone(),
        None => input.line("Project id: ")?,
    };
    for (name, value) in [("access key", &ak), ("secret key", &sk), ("project id", &project_id)] {
        if value.trim().is_empty() {
            return Err(CliError::Usage(format!("the {name} is empty")));
        }
    }
    write_profile(&path, ak.trim(), sk.trim(), project_id.trim())?;
    ctx.printer.object(&json!({
        "file": path.display().to_string(),
        "section": "basic",
        "ak": ak.trim(),
        "project_id": project_id.trim(),
    }))
}

fn default_path() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os(dbss::env::CREDENTIALS_FILE).filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".huaweicloud").join("credentials"))
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

    fn line(&mut self, prompt: &str) -> Result<String, CliError> {
        if self.terminal && !prompt.is_empty() {
            eprint!("{prompt}");
            std::io::stderr().flush()?;
        }
        match self.lines.next() {
            Some(line) => line.map_err(|e| CliError::file("stdin", e)),
            None => Err(CliError::Usage(format!(
                "{} is missing: stdin ended",
                prompt.trim_end_matches([':', ' '])
            ))),
        }
    }

    /// A secret: typed without echo on a terminal, else the next line of stdin.
    fn secret(&mut self, prompt: &str) -> Result<String, CliError> {
        if self.terminal {
            rpassword::prompt_password(prompt).map_err(|e| CliError::file("the terminal", e))
        } else {
            self.line(prompt)
        }
    }
}

/// Sets `[basic]` ak, sk and project_id in the profile file, keeping everything else, and
/// makes it readable by its owner only (it holds a secret).
fn write_profile(path: &Path, ak: &str, sk: &str, project_id: &str) -> Result<(), CliError> {
    let mut ini = if path.exists() {
        Ini::load_from_file(path)
            .map_err(|e| CliError::Config(format!("{} is not a valid credentials file: {e}", path.display())))?
    } else {
        Ini::new()
    };
    ini.with_section(Some("basic"))
        .set("ak", ak)
        .set("sk", sk)
        .set("project_id", project_id);
    let mut text = Vec::new();
    ini.write_to(&mut text).map_err(|e| CliError::file(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::file(dir, e))?;
    }
    // Written beside the target and renamed, so a failure never leaves half a file.
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial).map_err(|e| CliError::file(&partial, e))?;
    file.write_all(&text)
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::file(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| CliError::file(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_sections_and_keys_survive() {
        let dir = std::env::temp_dir().join(format!("dbss-configure-{}", std::process::id()));
        let path = dir.join("nested").join("credentials");
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(&dir));
        let _ = std::fs::write(&path, "[basic]\nak = OLD\niam_endpoint = https://iam\n[other]\nx = 1\n");
        write_profile(&path, "AK1", "SK1", "p1").unwrap_or_else(|e| panic!("{e}"));
        let ini = Ini::load_from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let basic = ini.section(Some("basic"));
        assert_eq!(basic.and_then(|s| s.get("ak")), Some("AK1"));
        assert_eq!(basic.and_then(|s| s.get("iam_endpoint")), Some("https://iam"));
        assert_eq!(ini.section(Some("other")).and_then(|s| s.get("x")), Some("1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
