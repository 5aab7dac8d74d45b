//! A name where an audit instance id is asked (`dbss instances show audit-prod`).

use futures::TryStreamExt;

use crate::error::CliError;

/// Whether `given` has the shape of an instance id (32 hex digits, with or without the dashes
/// of a UUID): such a value is taken as an id without listing the instances.
fn looks_like_id(given: &str) -> bool {
    let hex: Vec<char> = given.chars().filter(|c| *c != '-').collect();
    let dashes = given.len() - hex.len();
    hex.len() == 32 && (dashes == 0 || dashes == 4) && hex.iter().all(char::is_ascii_hexdigit)
}

/// The id of the audit instance `given` names: an id as it is; otherwise the one instance
/// whose id or name is `given`. No match is "not found"; several instances of that name are a
/// usage error listing their ids, since acting on a guess could stop or delete the wrong one.
pub async fn resolve(client: &dbss::Client, given: &str) -> Result<String, CliError> {
    if looks_like_id(given) {
        return Ok(given.to_owned());
    }
    let mut named = Vec::new();
    let mut instances = std::pin::pin!(client.instances().list());
    while let Some(instance) = instances.try_next().await? {
        if instance.id.as_deref() == Some(given) {
            return Ok(given.to_owned());
        }
        if instance.name.as_deref() == Some(given) {
            named.push(instance.id.unwrap_or_default());
        }
    }
    match named.as_slice() {
        [] => Err(CliError::NotFound(format!(
            "no audit instance with id or name {given:?}"
        ))),
        [id] => Ok(id.clone()),
        ids => Err(CliError::Usage(format!(
            "{} audit instances are named {given:?}: {}; give the id of one",
            ids.len(),
            ids.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_id;

    #[test]
    fn ids_are_recognised_and_names_are_not() {
        assert!(looks_like_id("062212d8-8e30-4783-9671-43f3f1f3bb1e"));
        assert!(looks_like_id("0123456789abcdef0123456789abcdef"));
        for name in [
            "audit-prod",
            "",
            "0123456789abcdef0123456789abcdeg",
            "審計-0123456789abcdef0123456789ab",
        ] {
            assert!(!looks_like_id(name), "{name}");
        }
    }
}
