//! The profile (credentials) file of the official SDKs, `~/.huaweicloud/credentials`, read the
//! way their Python reader, `configparser`, reads it: `[section]` headers matched exactly, key
//! names in any case (compared lower-case), `=` or `:` between key and value, whole-line `#`
//! and `;` comments, indented lines continuing a value, and no inline comments (a secret key
//! may contain `#` or `;`). Files Python refuses — a setting before the first section, a
//! section or a key given twice, a line that is neither a setting, a header nor a comment — are
//! refused here too rather than read some other way.
//!
//! [`ProfileFile::edit`] changes a file by editing its text (`edit.rs`), so that what it does
//! not set (comments, order, spelling) stays as the user wrote it; `dbss configure` uses it.

mod edit;
mod lines;

use std::path::Path;

use configparser::ini::{Ini, IniDefault};

use crate::{
    Error,
    settings_file::{self, Unreadable},
};
use lines::{Line, classify};

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
#[derive(Clone, Default)]
pub struct ProfileFile {
    sections: Vec<ProfileSection>,
    /// The file as read: what [`ProfileFile::edit`] changes.
    text: String,
}

// The text holds secrets (`sk`): only the sections' names and keys are shown.
impl std::fmt::Debug for ProfileFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileFile")
            .field("sections", &self.sections)
            .finish_non_exhaustive()
    }
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
    /// The largest profile file read: a credentials file holds a few keys per profile.
    pub const MAX_BYTES: u64 = 1024 * 1024;

    /// Where the official SDKs look for it, and so the client: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`,
    /// else `~/.huaweicloud/credentials` (`None` without either variable or a home directory).
    pub fn default_path() -> Option<std::path::PathBuf> {
        path_in(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the file at `path`; `Ok(None)` when there is none.
    /// Only a regular file of at most [`ProfileFile::MAX_BYTES`] is read: a FIFO, a device (a
    /// variable pointing at `/dev/zero`) or a huge file is refused, never waited on or held.
    pub fn read(path: &Path) -> Result<Option<ProfileFile>, Error> {
        let text = match settings_file::read(path, Self::MAX_BYTES) {
            Ok(text) => text,
            Err(Unreadable::Missing) => return Ok(None),
            Err(Unreadable::Refused(why)) => return Err(Error::Config(why)),
            Err(Unreadable::Failed(e)) => return Err(Error::Config(format!("cannot read {}: {e}", path.display()))),
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
        check_structure(text)?;
        let mut ini = Ini::new_from_defaults(options);
        ini.read(text.to_owned())?;
        let mut sections = Vec::new();
        for (name, values) in ini.get_map_ref() {
            if name == NO_SECTION {
                // Empty: `check_structure` refused any setting before the first section.
                continue;
            }
            let mut section = ProfileSection {
                name: name.clone(),
                values: Vec::with_capacity(values.len()),
            };
            for (key, value) in values {
                if let Some(value) = value {
                    section.values.push((key.to_lowercase(), value.clone()));
                }
            }
            // configparser's map has no order: sorted, so that Debug output is stable.
            section.values.sort();
            sections.push(section);
        }
        sections.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ProfileFile {
            sections,
            text: text.to_owned(),
        })
    }

    /// The file's text with `settings` (key, value) set in `[section]`: a key's line is
    /// replaced where the section has it (its continuation lines dropped), else added after the
    /// section's last setting; the section is added at the end when missing. Every other line
    /// is kept byte for byte. Refused: a name or value that would not read back as given (a line
    /// break, a key that is not a plain name). An empty `ProfileFile::default()` stands for a
    /// file that does not exist yet.
    ///
    /// ```
    /// let file = dbss::ProfileFile::parse("# mine\n[basic]\nak = OLD\n")?;
    /// let edited = file.edit("basic", &[("ak", "NEW"), ("region", "eu-west-101")]);
    /// assert_eq!(edited.as_deref(), Ok("# mine\n[basic]\nak = NEW\nregion = eu-west-101\n"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn edit(&self, section: &str, settings: &[(&str, &str)]) -> Result<String, String> {
        let breaks = |s: &str| s.contains(['\n', '\r']);
        if section.trim().is_empty() || breaks(section) || section.starts_with(char::is_whitespace) {
            return Err(format!("{section:?} cannot be a section name"));
        }
        for (key, value) in settings {
            let plain = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !plain {
                return Err(format!("{key:?} cannot be a key name"));
            }
            if breaks(value) {
                return Err(format!("{key}: a value cannot hold a line break"));
            }
        }
        Ok(edit::set(&self.text, section, settings))
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

/// Refuses what Python's strict reader refuses: a setting before the first section, a section
/// or a key (in any case) given twice, a line that is neither a setting, a header nor a
/// comment.
fn check_structure(text: &str) -> Result<(), String> {
    let bare: Vec<&str> = text.lines().collect();
    let mut sections: Vec<&str> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for (number, kind) in classify(&bare).into_iter().enumerate().map(|(i, k)| (i + 1, k)) {
        match kind {
            Line::Header(name) if sections.contains(&name) => {
                return Err(format!("line {number}: [{name}] appears twice"));
            }
            Line::Header(name) => {
                sections.push(name);
                keys.clear();
            }
            Line::Setting(..) if sections.is_empty() => {
                return Err("a setting comes before the first [section]".into());
            }
            Line::Setting(key, _) if keys.contains(&key) => {
                let section = sections.last().copied().unwrap_or_default();
                return Err(format!("line {number}: [{section}] gives {key} more than once"));
            }
            Line::Setting(key, _) => keys.push(key),
            Line::Other => {
                return Err(format!("line {number} is neither a setting, a [section] nor a comment"));
            }
            Line::Blank | Line::Comment | Line::Continuation => {}
        }
    }
    Ok(())
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

    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_of_bounded_size_is_read() {
        let dir = std::env::temp_dir().join(format!("dbss-profile-odd-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let error = |path: &std::path::Path| ProfileFile::read(path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error(std::path::Path::new("/dev/zero")).contains("not a regular file"));
        assert!(error(&dir).contains("not a regular file"));
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Returns at once: a FIFO is never opened, so nothing waits for a writer.
            assert!(error(&fifo).contains("not a regular file"));
        }
        let big = dir.join("big");
        let _ = std::fs::write(&big, format!("[basic]\nak = {}\n", "a".repeat(1024 * 1024)));
        assert!(error(&big).contains("larger than"), "{}", error(&big));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn edits_refuse_what_would_not_read_back() {
        for (section, key, value) in [
            ("basic", "ak", "A\nB"),
            ("basic", "a k", "v"),
            ("a\nb", "ak", "v"),
            ("", "ak", "v"),
        ] {
            assert!(
                ProfileFile::default().edit(section, &[(key, value)]).is_err(),
                "{section:?} {key:?} {value:?}"
            );
        }
        // A file read is one the reader accepted: one with a key twice is never edited.
        assert!(ProfileFile::parse("[basic]\nak = 1\nak = 2\n").is_err());
    }

    #[test]
    fn what_pythons_reader_refuses_is_refused() {
        for (text, why) in [
            ("ak = A\n[basic]\nak = B\n", "before the first [section]"),
            ("[basic]\nak = A\nAK = B\n", "line 3: [basic] gives ak more than once"),
            ("[basic]\nak = A\nak = B\n", "more than once"),
            ("[basic]\nak = A\n[other]\n[basic]\n", "line 4: [basic] appears twice"),
            ("[basic]\nak = A\n[broken\n", "line 3 is neither"),
        ] {
            let err = ProfileFile::parse(text).err().unwrap_or_default();
            assert!(!err.is_empty() && err.contains(why), "{text:?}: {err:?}");
        }
    }
}
