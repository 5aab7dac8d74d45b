//! Request values read from JSON (a file, a command line, another program), refused with the
//! path of the field that does not fit.
//!
//! Typed request values built in Rust cannot have a field of the wrong type or a misspelt
//! field; values that arrive as JSON can. `serde_json` alone says what was wrong ("invalid
//! type: string, expected u32") but not where, and silently drops fields the type does not
//! have; [`from_json`] names the field's path (`audit_rules[2].risk_level`) and refuses fields
//! the type does not know, with the closest name it does know.

mod known_fields;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;

/// Decodes JSON into a request type (`dbss::types::*`), strictly: on failure,
/// [`Error::InvalidInput`] names the field that does not fit. A field the type does not have
/// is refused too (the generated types alone would drop it, and a misspelt optional field
/// would go unnoticed), with the closest known field name when one is close.
///
/// ```
/// let body: Result<dbss::types::SecurityGroupRequest, _> =
///     dbss::from_json(serde_json::json!({
///         "instance_id": "062212d8-8e30-4783-9671-43f3f1f3bb1e",
///         "securitygroup_ids": 7,
///     }));
/// let error = body.unwrap_err();
/// assert!(error.to_string().contains("securitygroup_ids"), "{error}");
///
/// let typo: Result<dbss::types::SecurityGroupRequest, _> = dbss::from_json(serde_json::json!(
///     {"instance_id": "062212d8-8e30-4783-9671-43f3f1f3bb1e", "securitygroup_ids": ["sg-1"], "securitygroup_idz": []}
/// ));
/// let error = typo.unwrap_err().to_string();
/// assert!(error.contains("at securitygroup_idz") && error.contains("did you mean `securitygroup_ids`?"), "{error}");
/// ```
pub fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    let mut track = serde_path_to_error::Track::new();
    let mut unknown: Vec<Vec<Step>> = Vec::new();
    let decoded = serde_ignored::deserialize(serde_path_to_error::Deserializer::new(&value, &mut track), |path| {
        unknown.push(steps(&path))
    });
    let decoded: T = decoded.map_err(|e| {
        let path = track.path().to_string();
        Error::InvalidInput {
            // `.` is the whole value: its errors name the field themselves (missing field `x`).
            path: if path == "." { String::new() } else { path },
            reason: e.to_string(),
        }
    })?;
    let Some(first) = unknown.first() else {
        return Ok(decoded);
    };
    let known = known_fields::known_fields::<T>(&value);
    let (field, parent) = match first.split_last() {
        Some((Step::Key(field), parent)) => (field.as_str(), parent),
        _ => ("", first.as_slice()),
    };
    let expected = find(&value, parent).and_then(|object| known.get(&std::ptr::from_ref(object)));
    let mut reason = format!("unknown field `{field}`");
    match expected.map(|names| closest(field, names)) {
        Some(Some(near)) => reason.push_str(&format!("; did you mean `{near}`?")),
        Some(None) => {
            let names = expected.into_iter().flat_map(|names| names.iter());
            let names: Vec<String> = names.map(|name| format!("`{name}`")).collect();
            reason.push_str(&format!("; known fields here: {}", names.join(", ")));
        }
        None => {}
    }
    if unknown.len() > 1 {
        let others: Vec<String> = unknown[1..].iter().map(|path| display(path)).collect();
        reason.push_str(&format!(" (also unknown: {})", others.join(", ")));
    }
    Err(Error::InvalidInput {
        path: display(first),
        reason,
    })
}

/// One step of a path into a JSON value.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a path `serde_ignored` reports; the wrappers it notes (an `Option`, a newtype)
/// are no step into the value.
fn steps(path: &serde_ignored::Path<'_>) -> Vec<Step> {
    use serde_ignored::Path;
    let mut steps = Vec::new();
    let mut at = path;
    loop {
        at = match at {
            Path::Root => break,
            Path::Seq { parent, index } => {
                steps.push(Step::Index(*index));
                parent
            }
            Path::Map { parent, key } => {
                steps.push(Step::Key(key.clone()));
                parent
            }
            Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => parent,
        };
    }
    steps.reverse();
    steps
}

/// A path as `serde_path_to_error` writes one: `whitelists[0].desc`.
fn display(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Index(index) => text.push_str(&format!("[{index}]")),
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
        }
    }
    text
}

/// The value at `path` in `value`.
fn find<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |at, step| match step {
        Step::Key(key) => at.get(key),
        Step::Index(index) => at.get(index),
    })
}

/// The known name closest to `field`, if one is close enough to be a likely misspelling: at
/// most one edit (insertion, deletion, substitution or swap of neighbours) per three letters,
/// letter case aside.
fn closest<'n>(field: &str, names: &[&'n str]) -> Option<&'n str> {
    let field = field.to_lowercase();
    let allowed = (field.chars().count() / 3).max(1);
    names
        .iter()
        .map(|name| (strsim::damerau_levenshtein(&field, &name.to_lowercase()), *name))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_like_serde_path_to_error_writes_them() {
        let path = [Step::Key("whitelists".into()), Step::Index(0), Step::Key("dsec".into())];
        assert_eq!(display(&path), "whitelists[0].dsec");
        assert_eq!(display(&[Step::Index(2), Step::Key("a".into())]), "[2].a");
    }

    #[test]
    fn only_close_names_are_suggested() {
        let names = ["sql", "desc", "risk_levels"];
        assert_eq!(closest("dsec", &names), Some("desc"));
        assert_eq!(closest("DESC", &names), Some("desc"));
        assert_eq!(closest("risk_level", &names), Some("risk_levels"));
        assert_eq!(closest("colour", &names), None);
    }
}
