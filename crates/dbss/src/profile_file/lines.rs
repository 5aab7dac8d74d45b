//! What each line of a profile file is, recognised as Python's `configparser` recognises it:
//! whole-line `#`/`;` comments, `[section]` headers, `key = value` or `key: value` with the key
//! compared lower-case, and more-indented lines continuing the value above. The reader checks
//! the file's structure with it and the editor finds the lines to change.

/// What a line of the file is.
#[derive(Debug, PartialEq)]
pub(super) enum Line<'a> {
    Blank,
    Comment,
    Header(&'a str),
    /// A key (lower-case), the line's indentation.
    Setting(String, usize),
    /// A line continuing the value of the setting above.
    Continuation,
    Other,
}

/// Classifies every line of `lines`, tracking which setting an indented line continues.
pub(super) fn classify<'a>(lines: &[&'a str]) -> Vec<Line<'a>> {
    let mut kinds = Vec::with_capacity(lines.len());
    // The indentation of the setting whose value may go on, if any.
    let mut open_setting: Option<usize> = None;
    for line in lines {
        let text = line.trim();
        let indent = line.len() - line.trim_start().len();
        let kind = if text.is_empty() {
            Line::Blank
        } else if text.starts_with('#') || text.starts_with(';') {
            Line::Comment
        } else if open_setting.is_some_and(|above| indent > above) {
            Line::Continuation
        } else if let Some(name) = header(text) {
            open_setting = None;
            Line::Header(name)
        } else if let Some(at) = text.find(['=', ':']) {
            open_setting = Some(indent);
            Line::Setting(text[..at].trim().to_lowercase(), indent)
        } else {
            open_setting = None;
            Line::Other
        };
        kinds.push(kind);
    }
    kinds
}

/// The name of a `[section]` header line (Python's pattern `\[(?P<header>.+)\]`: from the
/// first `[` to the last `]`).
fn header(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}
