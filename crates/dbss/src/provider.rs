//! Where credentials and the project id come from when the caller does not give them, in the
//! official SDKs' order: explicit settings, then the environment, then the profile file.

use crate::{Error, credentials::Credentials, env, profile_file::ProfileFile};

/// What one source provided.
#[derive(Clone, Debug, Default)]
pub(crate) struct Found {
    pub credentials: Option<Credentials>,
    pub project_id: Option<String>,
    pub iam_endpoint: Option<String>,
}

/// Reads environment variables; the process environment unless the builder was given others.
pub(crate) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `HUAWEICLOUD_SDK_AK` / `_SK` / `_SECURITY_TOKEN` / `_PROJECT_ID`. Half a key pair is an error,
/// not a silent fall-through to the next source.
///
/// Values are trimmed: whitespace around a key (a pasted newline, a stray space) would
/// otherwise sign every request wrongly, and the service's 401 does not say why. A value that
/// is nothing but whitespace counts as unset.
pub(crate) fn from_env(var: Lookup<'_>) -> Result<Found, String> {
    let trimmed = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    // Why a variable gave nothing: unset (or empty), or blank.
    let missing = |name: &str| match var(name) {
        Some(_) => format!("{name} holds only whitespace"),
        None => format!("{name} is not set"),
    };
    let credentials = match (trimmed(env::AK), trimmed(env::SK), trimmed(env::SECURITY_TOKEN)) {
        (Some(ak), Some(sk), Some(token)) => Some(Credentials::temporary(ak, sk, token)),
        (Some(ak), Some(sk), None) => Some(Credentials::ak_sk(ak, sk)),
        (Some(_), None, _) => return Err(format!("{} is set but {}", env::AK, missing(env::SK))),
        (None, Some(_), _) => return Err(format!("{} is set but {}", env::SK, missing(env::AK))),
        (None, None, _) => None,
    };
    Ok(Found {
        credentials,
        project_id: trimmed(env::PROJECT_ID),
        iam_endpoint: trimmed(env::IAM_ENDPOINT),
    })
}

/// Sections read, in order: `[basic]` (the SDKs' documented name) and `[basiccredentials]`
/// (what their client builders actually look up).
const SECTIONS: [&str; 2] = ["basic", "basiccredentials"];

/// Reads the profile file; `Ok(None)` when it does not exist. Values are trimmed, like those
/// of the environment, and one that is only whitespace counts as absent.
pub(crate) fn from_profile(path: &std::path::Path) -> Result<Option<Found>, Error> {
    let Some(file) = ProfileFile::read(path)? else {
        return Ok(None);
    };
    let Some(section) = SECTIONS.into_iter().find_map(|name| file.section(name)) else {
        return Err(Error::Config(format!(
            "{} has no [basic] or [basiccredentials] section",
            path.display()
        )));
    };
    let get = |key: &str| section.get(key).map(str::to_owned);
    let credentials = match (get("ak"), get("sk"), get("security_token")) {
        (Some(ak), Some(sk), Some(token)) => Some(Credentials::temporary(ak, sk, token)),
        (Some(ak), Some(sk), None) => Some(Credentials::ak_sk(ak, sk)),
        (None, None, _) => None,
        _ => return Err(Error::Config(format!("{} holds only one of ak and sk", path.display()))),
    };
    Ok(Some(Found {
        credentials,
        project_id: get("project_id"),
        iam_endpoint: get("iam_endpoint"),
    }))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn environment_gives_keys_token_and_project() {
        let found = from_env(&vars(&[
            (env::AK, "AK"),
            (env::SK, "SK"),
            (env::SECURITY_TOKEN, "T"),
            (env::PROJECT_ID, "p"),
        ]));
        let found = found.unwrap_or_default();
        assert_eq!(found.credentials.as_ref().and_then(Credentials::access_key), Some("AK"));
        assert!(matches!(found.credentials, Some(Credentials::AkSk(ref k)) if k.security_token.is_some()));
        assert_eq!(found.project_id.as_deref(), Some("p"));
        assert!(
            from_env(&vars(&[(env::AK, "AK")])).is_err(),
            "half a key pair is an error"
        );
    }

    #[test]
    fn environment_values_are_trimmed_and_blank_ones_are_unset() {
        let found = from_env(&vars(&[
            (env::AK, " AK\t"),
            (env::SK, "SK\n"),
            (env::SECURITY_TOKEN, "  "),
            (env::PROJECT_ID, " p "),
        ]))
        .unwrap_or_default();
        let Some(Credentials::AkSk(keys)) = &found.credentials else {
            panic!("AK/SK credentials expected")
        };
        assert_eq!((keys.ak.as_str(), keys.sk.expose_secret()), ("AK", "SK"));
        assert!(keys.security_token.is_none(), "a blank token is no token");
        assert_eq!(found.project_id.as_deref(), Some("p"));
        let blank_sk = from_env(&vars(&[(env::AK, "AK"), (env::SK, " \n ")]));
        assert_eq!(
            blank_sk.err().as_deref(),
            Some("HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK holds only whitespace")
        );
    }

    #[test]
    fn profile_sections_and_errors() {
        let dir = std::env::temp_dir().join(format!("dbss-profile-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("credentials");
        let _ = std::fs::write(&file, "[basiccredentials]\nak = AKP\nsk = SKP\nproject_id = pp\n");
        let found = from_profile(&file).ok().flatten().unwrap_or_default();
        assert_eq!(
            found.credentials.as_ref().and_then(Credentials::access_key),
            Some("AKP")
        );
        assert_eq!(found.project_id.as_deref(), Some("pp"));
        let _ = std::fs::write(&file, "[other]\nak = x\n");
        assert!(from_profile(&file).is_err());
        assert!(matches!(from_profile(&dir.join("absent")), Ok(None)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// What Python's `configparser` (the official SDK's reader) accepts is read the same way.
    #[test]
    fn profile_is_read_like_pythons_configparser() {
        let dir = std::env::temp_dir().join(format!("dbss-profile-py-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("credentials");
        let text = "# written by hand\n; another comment\n[basic]\nAK: AKX\nSk = se#cr;et\n\
                    project_id=p1  \n\n[other]\nak = no\n";
        let _ = std::fs::write(&file, text);
        let found = from_profile(&file).ok().flatten().unwrap_or_default();
        let Some(Credentials::AkSk(keys)) = &found.credentials else {
            panic!("AK/SK credentials expected, got {found:?}")
        };
        assert_eq!((keys.ak.as_str(), keys.sk.expose_secret()), ("AKX", "se#cr;et"));
        assert_eq!(found.project_id.as_deref(), Some("p1"));
        let _ = std::fs::write(&file, "[basic]\nak = A\n[broken\n");
        let err = from_profile(&file).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("is not a valid credentials file"), "{err}");
        let _ = std::fs::write(&file, "ak = A\n[basic]\nak = B\nsk = S\n");
        let err = from_profile(&file).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("before the first [section]"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
