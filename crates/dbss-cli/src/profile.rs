//! The credentials (profile) file the official SDKs read, and its named sections.
//!
//! Without `--profile` the library reads `[basic]` (or `[basiccredentials]`) itself; the CLI
//! reads from it only what the library does not: `region` and `endpoint`, which
//! `dbss configure` saves. With `--profile NAME` (or `DBSS_PROFILE`) everything comes from
//! `[NAME]`: keys, project id, region, endpoint, IAM endpoint.

use std::path::{Path, PathBuf};

use dbss::{ProfileFile, ProfileSection};

use crate::error::CliError;

/// Environment variable naming the profile, like `--profile`.
pub const PROFILE_VAR: &str = "DBSS_PROFILE";

/// The section `dbss configure` writes and the library reads when no profile is named.
pub const DEFAULT_SECTION: &str = "basic";

/// Sections the library reads when no profile is named, in order.
const DEFAULT_SECTIONS: [&str; 2] = [DEFAULT_SECTION, "basiccredentials"];

/// The profile file: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`
/// (the library's lookup, so that both read the same file).
pub fn default_path() -> Option<PathBuf> {
    ProfileFile::default_path()
}

/// The file, read by the library's rules (those of Python's `configparser`, the official
/// SDK's reader); `None` when it does not exist. A file those rules refuse is an error:
/// rewriting it would mangle whatever it is.
pub fn load(path: &Path) -> Result<Option<ProfileFile>, CliError> {
    ProfileFile::read(path).map_err(|e| match e {
        dbss::Error::Config(why) => CliError::Config(why),
        other => CliError::Api(other),
    })
}

/// The section to use: `[name]` when a profile is named (it must exist), else the library's
/// default section when there is one.
pub fn selected(name: Option<&str>) -> Result<Option<ProfileSection>, CliError> {
    let Some(path) = default_path() else {
        return match name {
            Some(name) => Err(CliError::Config(format!(
                "profile {name:?}: no home directory to find the credentials file in; set {}",
                dbss::env::CREDENTIALS_FILE
            ))),
            None => Ok(None),
        };
    };
    let file = load(&path)?;
    match (name, file) {
        (Some(name), Some(file)) => file
            .section(name)
            .cloned()
            .map(Some)
            .ok_or_else(|| CliError::Config(format!("profile {name:?}: no [{name}] section in {}", path.display()))),
        (Some(name), None) => Err(CliError::Config(format!(
            "profile {name:?}: {} does not exist; `dbss configure --profile {name}` writes it",
            path.display()
        ))),
        (None, Some(file)) => Ok(DEFAULT_SECTIONS.iter().find_map(|s| file.section(s)).cloned()),
        (None, None) => Ok(None),
    }
}

/// The keys of a named profile as credentials; a half pair is an error.
pub fn credentials(name: &str, section: &ProfileSection) -> Result<Option<dbss::Credentials>, CliError> {
    match (section.get("ak"), section.get("sk"), section.get("security_token")) {
        (Some(ak), Some(sk), Some(token)) => Ok(Some(dbss::Credentials::temporary(ak, sk, token))),
        (Some(ak), Some(sk), None) => Ok(Some(dbss::Credentials::ak_sk(ak, sk))),
        (None, None, _) => Ok(None),
        _ => Err(CliError::Config(format!(
            "profile {name:?} holds only one of ak and sk"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_the_official_reader_refuses_is_not_loaded() {
        let dir = std::env::temp_dir().join(format!("dbss-cli-profile-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("credentials");
        assert!(matches!(load(&file), Ok(None)));
        let _ = std::fs::write(&file, "[default]\nregion = r1\n[basic]\nak = A\n");
        let loaded = load(&file).ok().flatten();
        let region = loaded
            .as_ref()
            .and_then(|f| f.section("default"))
            .and_then(|s| s.get("region"));
        assert_eq!(region, Some("r1"));
        // Not a credentials file (an export written there by mistake): refused, not rewritten.
        let _ = std::fs::write(&file, "{\"client_ip\":\"10.0.5.9\"}\n[basic]\nak = A\n");
        let refused = load(&file).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("before the first [section]"), "{refused}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
