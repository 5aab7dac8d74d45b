//! The credential kinds beyond AK/SK: an IAM user's password (exchanged for tokens by the
//! library) and a fixed IAM token. Secrets come from environment variables or a prompt without
//! echo on the terminal, never from a flag's value (which `ps` and shell history would show).

use std::io::{BufRead, IsTerminal, Write};

use crate::error::CliError;

/// A fixed IAM token (sent as `X-Auth-Token`).
pub const TOKEN_VAR: &str = "DBSS_IAM_TOKEN";
/// IAM user name, for password sign-in.
pub const USER_VAR: &str = "DBSS_IAM_USER";
/// Account (domain) name of the IAM user.
pub const DOMAIN_VAR: &str = "DBSS_IAM_DOMAIN";
/// The IAM user's password.
pub const PASSWORD_VAR: &str = "DBSS_IAM_PASSWORD";

/// Values of `--auth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthKind {
    /// Access keys, from the environment or the profile file (the default).
    Aksk,
    /// A fixed IAM token: $DBSS_IAM_TOKEN, else asked for without echo.
    Token,
    /// An IAM user's password, exchanged for tokens: $DBSS_IAM_USER, $DBSS_IAM_DOMAIN and
    /// $DBSS_IAM_PASSWORD, each asked for when not set (the password without echo).
    Password,
}

/// IAM credentials of the kind asked for, or implied by the variables set ($DBSS_IAM_TOKEN,
/// then $DBSS_IAM_PASSWORD); `None` for access keys, which the library finds itself.
pub fn iam_credentials(kind: Option<AuthKind>) -> Result<Option<dbss::Credentials>, CliError> {
    let kind = kind.or_else(|| {
        if var(TOKEN_VAR).is_some() {
            Some(AuthKind::Token)
        } else if var(PASSWORD_VAR).is_some() {
            Some(AuthKind::Password)
        } else {
            None
        }
    });
    match kind {
        None | Some(AuthKind::Aksk) => Ok(None),
        Some(AuthKind::Token) => {
            let token = secret(TOKEN_VAR, "IAM token: ")?;
            Ok(Some(dbss::Credentials::token(token)))
        }
        Some(AuthKind::Password) => {
            let user = line(USER_VAR, "IAM user name: ")?;
            let domain = line(DOMAIN_VAR, "Account (domain) name: ")?;
            let password = secret(PASSWORD_VAR, &format!("Password of {user}: "))?;
            Ok(Some(dbss::Credentials::password(user, password, domain)))
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A value that is not secret: the variable, else a line typed at the terminal.
fn line(name: &str, prompt: &str) -> Result<String, CliError> {
    if let Some(value) = var(name) {
        return Ok(value);
    }
    if !std::io::stdin().is_terminal() {
        return Err(not_set(name));
    }
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::file("stdin", e))?;
    non_empty(name, answer.trim_end_matches(['\r', '\n']).to_owned())
}

/// A secret: the variable, else typed at the terminal without echo.
fn secret(name: &str, prompt: &str) -> Result<String, CliError> {
    if let Some(value) = var(name) {
        return Ok(value);
    }
    // rpassword reads the controlling terminal, even when stdin is redirected.
    let answer = rpassword::prompt_password(prompt).map_err(|_| not_set(name))?;
    non_empty(name, answer)
}

fn non_empty(name: &str, value: String) -> Result<String, CliError> {
    if value.is_empty() {
        Err(CliError::Config(format!("nothing was typed for {name}")))
    } else {
        Ok(value)
    }
}

fn not_set(name: &str) -> CliError {
    CliError::Config(format!("{name} is not set and there is no terminal to ask on"))
}
