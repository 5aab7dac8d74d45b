//! A name where an audit instance id is asked (`dbss instances show audit-prod`,
//! `dbss rules risk list -i audit-prod`).
//!
//! Every command says where it takes an instance ([`NamesInstances`]); before it runs,
//! [`resolve_names`] replaces each name there by the id of the one instance of that name. The
//! commands themselves only ever see ids.

use futures::TryStreamExt;

use crate::{commands::Ctx, error::CliError};

/// A command that takes audit instances by id or name.
pub trait NamesInstances {
    /// Each value given for an audit instance, to be replaced by its id.
    fn instance_refs(&mut self) -> Vec<&mut String>;

    /// Checks of the input that need no request, run before any name is looked up: bad input
    /// is refused (exit 2) without a request, whatever the instance is called.
    fn check(&self) -> Result<(), CliError> {
        Ok(())
    }
}

/// Whether `given` has the shape of an instance id (32 hex digits, with or without the dashes
/// of a UUID): such a value is taken as an id without listing the instances.
fn looks_like_id(given: &str) -> bool {
    let hex: Vec<char> = given.chars().filter(|c| *c != '-').collect();
    let dashes = given.len() - hex.len();
    hex.len() == 32 && (dashes == 0 || dashes == 4) && hex.iter().all(char::is_ascii_hexdigit)
}

/// Replaces every instance name in `refs` by its id. Ids are left as they are and cost no
/// request; when there are names, the instances are listed once, by a client that really
/// sends the request even under `--dry-run` — the list is only read, and the dry run can then
/// show the request the command would send with the instance's id in it.
pub async fn resolve_names(ctx: &Ctx, refs: Vec<&mut String>) -> Result<(), CliError> {
    // Blank values are left for the command to judge (`--instances a,,b`).
    let mut names: Vec<&mut String> = refs
        .into_iter()
        .filter(|given| !given.trim().is_empty() && !looks_like_id(given.trim()))
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    // Sent even in a dry run (what it would do depends on the ids), through the run's client
    // and so with its token.
    let lookup = ctx.client()?.with_options(dbss::CallOptions {
        dry_run: Some(false),
        ..Default::default()
    });
    // Only ids and names are kept: one pair per instance of the project.
    let mut known: Vec<(String, String)> = Vec::new();
    let mut instances = std::pin::pin!(lookup.instances().list());
    while let Some(instance) = instances.try_next().await? {
        if let Some(id) = instance.id {
            known.push((id, instance.name.unwrap_or_default()));
        }
    }
    for given in &mut names {
        **given = id_of(&known, given.trim())?;
    }
    Ok(())
}

/// The id of the instance `given` names among `known` (id, name) pairs: the instance whose id
/// it is, else the one whose name it is. No match is "not found"; several instances of that
/// name are a usage error listing their ids, since acting on a guess could stop or delete the
/// wrong one.
fn id_of(known: &[(String, String)], given: &str) -> Result<String, CliError> {
    if known.iter().any(|(id, _)| id == given) {
        return Ok(given.to_owned());
    }
    let named: Vec<&str> = known
        .iter()
        .filter(|(_, name)| name == given)
        .map(|(id, _)| id.as_str())
        .collect();
    match named.as_slice() {
        [] => Err(CliError::NotFound(format!(
            "no audit instance with id or name {given:?}"
        ))),
        [id] => Ok((*id).to_owned()),
        ids => Err(CliError::Usage(format!(
            "{} audit instances are named {given:?}: {}; give the id of one",
            ids.len(),
            ids.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{id_of, looks_like_id};
    use crate::error::CliError;

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

    #[test]
    fn a_name_is_its_one_instance_an_id_itself_and_a_shared_name_an_error() {
        let known = [
            ("id-1".to_owned(), "prod".to_owned()),
            ("id-2".to_owned(), "twin".to_owned()),
            ("id-3".to_owned(), "twin".to_owned()),
        ];
        assert_eq!(id_of(&known, "prod").ok().as_deref(), Some("id-1"));
        assert_eq!(id_of(&known, "id-2").ok().as_deref(), Some("id-2"));
        match id_of(&known, "twin") {
            Err(CliError::Usage(message)) => assert!(message.contains("id-2, id-3"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(id_of(&known, "nobody"), Err(CliError::NotFound(_))));
    }
}
