//! The profile (credentials) file of the official SDKs, `~/.huaweicloud/credentials`, read the
//! way their Python reader, `configparser`, reads it: `[section]` headers matched exactly, key
//! names in any case (compared lower-case), `=` or `:` between key and value, whole-line `#`
//! and `;` comments, indented lines continuing a value, and no inline comments (a secret key
//! may contain `#` or `;`). Files Python refuses for a setting before the first section, or
//! for one key given twice in different case, are refused here too rather than read some
//! other way (a key or section repeated with the very same spelling: the last one counts).
//!
//! This module reads; `dbss configure` (the CLI) edits the file's text in place, so that what
//! it does not change (comments, order, spelling) stays as the user wrote it.

use std::path::Path;

use configparser::ini::{Ini, IniDefault};

use crate::Error;

/// A profile (credentials) file's sections, read as the official SDK's Python reader reads
/// them: section names exact, key names in any case, no inline comments (see the module
/// documentation of `profile_file` in the source for the rules in full).
///
/// ```no_run
/// # fn demo() -> Result<(), dbss::Error> {
/// let path = std::path::Path::new("/home/me/.huaweicloud/credentials");
/// if let Some(file) = dbss::ProfileFile::read(path)? {
///     let region = file.section("Prod").and_then(|s| s.get("region"));
///     println!("{region:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProfileFile {
    sections: Vec<ProfileSection>,
}

/// One `[section]` of a profile file.
#[derive(Clone, Default)]
pub struct ProfileSection {
    name: String,
    /// Lower-case key, value.
    values: Vec<(String, String)>,
}

// Values are secrets (`sk`): only the section's name and its keys are shown.
impl std::fmt::Debug for ProfileSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileSection")
            .field("name", &self.name)
            .field("keys", &self.values.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

impl ProfileFile {
    /// Where the official SDKs look for it, and so the client: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`,
    /// else `~/.huaweicloud/credentials` (`None` without either variable or a home directory).
    pub fn default_path() -> Option<std::path::PathBuf> {
        path_in(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the file at `path`; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<ProfileFile>, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Config(format!("cannot read {}: {e}", path.display()))),
        };
        ProfileFile::parse(&text)
            .map(Some)
            .map_err(|why| Error::Config(format!("{} is not a valid credentials file: {why}", path.display())))
    }

    /// Reads a profile file's text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<ProfileFile, String> {
        let mut options = IniDefault::default();
        options.enable_inline_comments = false;
        // Python matches section names exactly; keys are lower-cased below, as Python does.
        options.case_sensitive = true;
        // Lines before any header go to a place no header can name (refused below), so that a
        // `[default]` section stays a section of its own (configparser's own name for it).
        options.default_section = NO_SECTION.to_owned();
        options.multiline = true;
        let mut ini = Ini::new_from_defaults(options);
        ini.read(text.to_owned())?;
        let mut sections = Vec::new();
        for (name, values) in ini.get_map_ref() {
            if name == NO_SECTION {
                // As Python's reader (MissingSectionHeaderError): such a file is something else.
                return Err("a setting comes before the first [section]".into());
            }
            let mut section = ProfileSection {
                name: name.clone(),
                values: Vec::with_capacity(values.len()),
            };
            for (key, value) in values {
                let key = key.to_lowercase();
                if section.values.iter().any(|(k, _)| *k == key) {
                    // Python's strict reader (DuplicateOptionError) refuses it too.
                    return Err(format!("[{name}] gives {key} more than once"));
                }
                if let Some(value) = value {
                    section.values.push((key, value.clone()));
                }
            }
            sections.push(section);
        }
        Ok(ProfileFile { sections })
    }

    /// The section named exactly `name`.
    pub fn section(&self, name: &str) -> Option<&ProfileSection> {
        self.sections.iter().find(|s| s.name == name)
    }
}

impl ProfileSection {
    /// The section's name, as written between the brackets.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A value, trimmed; `None` when absent or blank. `key` in any case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The profile file's path under the environment `var` reads (blank values unset).
pub(crate) fn path_in(var: &dyn Fn(&str) -> Option<String>) -> Option<std::path::PathBuf> {
    var(crate::env::CREDENTIALS_FILE)
        .map(std::path::PathBuf::from)
        .or_else(|| {
            var("HOME")
                .or_else(|| var("USERPROFILE"))
                .map(|home| std::path::PathBuf::from(home).join(".huaweicloud").join("credentials"))
        })
}

/// A section name no file can spell (a header cannot hold a NUL).
const NO_SECTION: &str = "\0before any section";

#[cfg(test)]
mod tests {
    use super::ProfileFile;

    fn parse(text: &str) -> ProfileFile {
        ProfileFile::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn sections_are_matched_exactly_and_keys_in_any_case() {
        let file = parse("# mine\n[Prod]\nAK: A1\nSk = se#cr;et\n[prod]\nak = A2\n[default]\nregion = r\n");
        let prod = file.section("Prod").map(|s| (s.get("ak"), s.get("SK")));
        assert_eq!(prod, Some((Some("A1"), Some("se#cr;et"))));
        assert_eq!(file.section("prod").and_then(|s| s.get("ak")), Some("A2"));
        assert!(file.section("PROD").is_none());
        assert_eq!(file.section("default").and_then(|s| s.get("region")), Some("r"));
        let debug = format!("{:?}", file.section("Prod"));
        assert!(!debug.contains("se#cr"), "{debug}");
    }

    #[test]
    fn blank_values_are_absent_and_continued_values_are_joined() {
        let file = parse("[basic]\nak =   \nnote = one\n  two\n");
        let basic = file.section("basic");
        assert_eq!(basic.and_then(|s| s.get("ak")), None);
        assert_eq!(basic.and_then(|s| s.get("note")), Some("one\ntwo"));
    }

    #[test]
    fn what_pythons_reader_refuses_is_refused() {
        for (text, why) in [
            ("ak = A\n[basic]\nak = B\n", "before the first [section]"),
            ("[basic]\nak = A\nAK = B\n", "more than once"),
            ("[basic]\nak = A\n[broken\n", ""),
        ] {
            let err = ProfileFile::parse(text).err().unwrap_or_default();
            assert!(!err.is_empty() && err.contains(why), "{text:?}: {err:?}");
        }
    }
}
