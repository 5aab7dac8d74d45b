//! The credentials (profile) file the official SDKs read, and its named sections.
//!
//! Without `--profile` the library reads `[basic]` (or `[basiccredentials]`) itself; the CLI
//! reads from it only what the library does not: `region` and `endpoint`, which
//! `dbss configure` saves. With `--profile NAME` (or `DBSS_PROFILE`) everything comes from
//! `[NAME]`: keys, project id, region, endpoint, IAM endpoint.

use std::path::{Path, PathBuf};

use configparser::ini::{Ini, IniDefault};

use crate::error::CliError;

/// Environment variable naming the profile, like `--profile`.
pub const PROFILE_VAR: &str = "DBSS_PROFILE";

/// The section `dbss configure` writes and the library reads when no profile is named.
pub const DEFAULT_SECTION: &str = "basic";

/// Sections the library reads when no profile is named, in order.
const DEFAULT_SECTIONS: [&str; 2] = [DEFAULT_SECTION, "basiccredentials"];

/// The profile file: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os(dbss::env::CREDENTIALS_FILE).filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".huaweicloud").join("credentials"))
}

/// An empty file's settings, with the reading rules of the library (and of Python's
/// `configparser`, which the official SDK uses): no inline comments, since a secret key may
/// contain `#` or `;`; names of sections and keys in any case (stored lower-case); indented
/// lines continue a value.
pub fn empty() -> Ini {
    let mut options = IniDefault::default();
    options.enable_inline_comments = false;
    // Where configparser keeps lines before any section header (refused by `load`). Its own
    // name for that place is "default", which would swallow a user's `[default]` section.
    options.default_section = NO_SECTION.to_owned();
    // An indented line continues the value above it, as in Python: kept whole on a rewrite.
    options.multiline = true;
    Ini::new_from_defaults(options)
}

/// A section name no file can spell (a header cannot hold a NUL).
const NO_SECTION: &str = "\0before any section";

/// Reads the file; `None` when it does not exist.
pub fn load(path: &Path) -> Result<Option<Ini>, CliError> {
    if !path.exists() {
        return Ok(None);
    }
    let invalid = |why: String| CliError::Config(format!("{} is not a valid credentials file: {why}", path.display()));
    let mut ini = empty();
    ini.load(path).map_err(invalid)?;
    // Python's reader refuses such a file too; rewriting it would mangle what it is.
    if ini.get_map_ref().contains_key(NO_SECTION) {
        return Err(invalid("a setting comes before the first [section]".into()));
    }
    Ok(Some(ini))
}

/// One section's settings, blanks treated as absent.
#[derive(Default)]
pub struct Section {
    values: Vec<(String, String)>,
}

impl Section {
    /// A value, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn of(ini: &Ini, name: &str) -> Option<Section> {
        ini.get_map_ref().get(&name.to_lowercase()).map(|props| Section {
            values: props
                .iter()
                .filter_map(|(k, v)| Some((k.to_owned(), v.clone()?)))
                .collect(),
        })
    }
}

/// The section to use: `[name]` when a profile is named (it must exist), else the library's
/// default section when there is one.
pub fn selected(name: Option<&str>) -> Result<Option<Section>, CliError> {
    let Some(path) = default_path() else {
        return match name {
            Some(name) => Err(CliError::Config(format!(
                "profile {name:?}: no home directory to find the credentials file in; set {}",
                dbss::env::CREDENTIALS_FILE
            ))),
            None => Ok(None),
        };
    };
    let ini = load(&path)?;
    match (name, ini) {
        (Some(name), Some(ini)) => Section::of(&ini, name)
            .map(Some)
            .ok_or_else(|| CliError::Config(format!("profile {name:?}: no [{name}] section in {}", path.display()))),
        (Some(name), None) => Err(CliError::Config(format!(
            "profile {name:?}: {} does not exist; `dbss configure --profile {name}` writes it",
            path.display()
        ))),
        (None, Some(ini)) => Ok(DEFAULT_SECTIONS.iter().find_map(|s| Section::of(&ini, s))),
        (None, None) => Ok(None),
    }
}

/// The keys of a named profile as credentials; a half pair is an error.
pub fn credentials(name: &str, section: &Section) -> Result<Option<dbss::Credentials>, CliError> {
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
    fn a_default_section_survives_a_rewrite_and_lines_before_any_section_are_refused() {
        let dir = std::env::temp_dir().join(format!("dbss-cli-profile-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("credentials");
        let _ = std::fs::write(&file, "[default]\nregion = r1\nnote = two\n  lines\n[basic]\nak = A\n");
        let mut ini = match load(&file) {
            Ok(Some(ini)) => ini,
            Ok(None) => panic!("not read"),
            Err(e) => panic!("{e}"),
        };
        ini.set("basic", "sk", Some("S".to_owned()));
        let written = ini.writes();
        let _ = std::fs::write(&file, &written);
        let again = match load(&file) {
            Ok(Some(ini)) => ini,
            Ok(None) => panic!("not read"),
            Err(e) => panic!("{e}"),
        };
        assert!(written.starts_with("[default]"), "{written}");
        assert_eq!(again.get("default", "region").as_deref(), Some("r1"), "{written}");
        assert_eq!(again.get("basic", "sk").as_deref(), Some("S"), "{written}");
        assert_eq!(again.get("default", "note").as_deref(), Some("two\nlines"), "{written}");

        // Not a credentials file (an export written there by mistake): refused, not rewritten.
        let _ = std::fs::write(&file, "{\"client_ip\":\"10.0.5.9\"}\n[basic]\nak = A\n");
        let refused = load(&file).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("before the first [section]"), "{refused}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
