//! Credentials: AK/SK (optionally temporary, with a security token) or an IAM token.
//!
//! Secrets are held in [`secrecy::SecretString`]: they never appear in `Debug` output,
//! and are only exposed at the moment a request is signed.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// How requests prove who sends them.
#[derive(Clone)]
pub enum Credentials {
    /// Access key / secret key: every request is signed with `SDK-HMAC-SHA256`.
    AkSk(AkSk),
    /// An IAM token, sent as `X-Auth-Token` (obtained from IAM's `POST /v3/auth/tokens`).
    Token(SecretString),
    /// An IAM user's password: exchanged at IAM for a project-scoped token before the first
    /// call, and exchanged again before that token expires.
    Password(PasswordAuth),
}

/// An IAM user's name, password and account (domain) name.
#[derive(Clone)]
pub struct PasswordAuth {
    pub(crate) user: String,
    pub(crate) password: SecretString,
    pub(crate) domain: String,
}

/// An access key pair, and the security token of temporary keys.
#[derive(Clone)]
pub struct AkSk {
    pub(crate) ak: String,
    pub(crate) sk: SecretString,
    pub(crate) security_token: Option<SecretString>,
}

impl Credentials {
    /// Permanent access keys.
    ///
    /// ```
    /// let credentials = dbss::Credentials::ak_sk("AK", "SK");
    /// assert!(!format!("{credentials:?}").contains("SK\""));
    /// ```
    pub fn ak_sk(ak: impl Into<String>, sk: impl Into<String>) -> Credentials {
        Credentials::AkSk(AkSk {
            ak: ak.into(),
            sk: SecretString::from(sk.into()),
            security_token: None,
        })
    }

    /// Temporary access keys (from STS, an agency or ECS metadata) with their security token,
    /// which is sent, signed, as `X-Security-Token`.
    pub fn temporary(ak: impl Into<String>, sk: impl Into<String>, security_token: impl Into<String>) -> Credentials {
        Credentials::AkSk(AkSk {
            ak: ak.into(),
            sk: SecretString::from(sk.into()),
            security_token: Some(SecretString::from(security_token.into())),
        })
    }

    /// An IAM token.
    pub fn token(token: impl Into<String>) -> Credentials {
        Credentials::Token(SecretString::from(token.into()))
    }

    /// An IAM user and password, exchanged for tokens (`POST /v3/auth/tokens`) as needed.
    ///
    /// ```
    /// let credentials = dbss::Credentials::password("ops-bot", "s3cret", "my-account");
    /// assert!(!format!("{credentials:?}").contains("s3cret"));
    /// ```
    pub fn password(user: impl Into<String>, password: impl Into<String>, domain: impl Into<String>) -> Credentials {
        Credentials::Password(PasswordAuth {
            user: user.into(),
            password: SecretString::from(password.into()),
            domain: domain.into(),
        })
    }

    /// The access key id, when these are AK/SK credentials (it is not a secret).
    pub fn access_key(&self) -> Option<&str> {
        match self {
            Credentials::AkSk(keys) => Some(&keys.ak),
            Credentials::Token(_) | Credentials::Password(_) => None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let header_safe = |what: &str, value: &str| {
            if value.is_empty() {
                Err(format!("the {what} is empty"))
            } else if value.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
                Err(format!(
                    "the {what} contains characters that cannot go in an HTTP header"
                ))
            } else {
                Ok(())
            }
        };
        match self {
            Credentials::AkSk(keys) => {
                header_safe("access key", &keys.ak)?;
                if keys.sk.expose_secret().is_empty() {
                    return Err("the secret key is empty".into());
                }
                if let Some(token) = &keys.security_token {
                    header_safe("security token", token.expose_secret())?;
                }
                Ok(())
            }
            Credentials::Token(token) => header_safe("IAM token", token.expose_secret()),
            Credentials::Password(auth) => {
                if auth.user.is_empty() || auth.domain.is_empty() || auth.password.expose_secret().is_empty() {
                    Err("password credentials need a user, a password and a domain".into())
                } else {
                    Ok(())
                }
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::AkSk(keys) => f
                .debug_struct("AkSk")
                .field("ak", &keys.ak)
                .field("sk", &"[redacted]")
                .field("security_token", &keys.security_token.as_ref().map(|_| "[redacted]"))
                .finish(),
            Credentials::Token(_) => f.debug_tuple("Token").field(&"[redacted]").finish(),
            Credentials::Password(auth) => f
                .debug_struct("Password")
                .field("user", &auth.user)
                .field("password", &"[redacted]")
                .field("domain", &auth.domain)
                .finish(),
        }
    }
}

impl fmt::Debug for AkSk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Credentials::AkSk(self.clone()), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        for credentials in [
            Credentials::ak_sk("AKVISIBLE", "sk-very-secret"),
            Credentials::temporary("AKVISIBLE", "sk-very-secret", "token-very-secret"),
            Credentials::token("token-very-secret"),
            Credentials::password("user", "pw-very-secret", "domain"),
        ] {
            let text = format!("{credentials:?} {credentials:#?}");
            assert!(!text.contains("very-secret"), "{text}");
        }
    }

    #[test]
    fn header_unsafe_values_are_refused() {
        assert!(Credentials::ak_sk("AK with space", "sk").validate().is_err());
        assert!(Credentials::ak_sk("AK", "").validate().is_err());
        assert!(Credentials::token("tok\nen").validate().is_err());
        assert!(Credentials::ak_sk("AK", "sk").validate().is_ok());
    }
}
