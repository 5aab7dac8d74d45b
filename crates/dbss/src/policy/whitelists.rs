//! The SQL whitelist part of a policy: read, compared and written through the whitelist
//! operations, each entry keyed by its statement (the service's ids differ per instance and
//! the statement of an entry cannot be changed).

use std::collections::{BTreeMap, BTreeSet};

use dbss_api::types as api;
use futures::TryStreamExt;
use serde::{Deserialize, Deserializer, de};

use super::{
    document::{Switch, WhitelistEntry},
    error::PolicyError,
    plan::{Action, Change, ChangeKind, Part, PlanOptions, differences},
};
use crate::{Client, DEFAULT_PAGE_SIZE, Operation, paging::Paged};

/// Ids of the instance's entries by statement. The first id is the entry the document shows;
/// any others hold the same statement again (the service does not refuse repeats).
pub(crate) type WhitelistIds = BTreeMap<String, Vec<String>>;

/// The instance's whitelist, sorted by statement, and the ids behind each statement.
pub(crate) async fn read(client: &Client, instance: &str) -> Result<(Vec<WhitelistEntry>, WhitelistIds), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_whitelists()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    let mut entries = Vec::new();
    let mut ids = WhitelistIds::new();
    for bean in listed {
        let (Some(id), Some(sql)) = (bean.id, bean.sql) else {
            continue;
        };
        let seen = ids.entry(sql.clone()).or_default();
        seen.push(id);
        if seen.len() > 1 {
            continue;
        }
        entries.push(WhitelistEntry {
            sql,
            status: if bean.enabled.unwrap_or(true) {
                Switch::On
            } else {
                Switch::Off
            },
            description: bean.desc.unwrap_or_default(),
            db_ids: bean.db_ids.into_iter().collect(),
        });
    }
    entries.sort_by(|a, b| a.sql.cmp(&b.sql));
    Ok((entries, ids))
}

const BLANK: &str = "a whitelist entry needs a statement";

fn repeated(sql: &str) -> String {
    format!("a second entry for the statement {sql:?}")
}

/// Checks a whitelist built in code (a parsed one was checked while it was read, with lines).
pub(crate) fn check(entries: &[WhitelistEntry]) -> Result<(), PolicyError> {
    let mut seen = BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let field = || format!("whitelists[{i}].sql");
        if entry.sql.trim().is_empty() {
            return Err(PolicyError::field(field(), BLANK));
        }
        if !seen.insert(entry.sql.as_str()) {
            return Err(PolicyError::field(field(), repeated(&entry.sql)));
        }
    }
    Ok(())
}

/// Reads an entry's statement, refusing a blank one where it stands (line and field).
pub(crate) fn statement<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let sql = String::deserialize(deserializer)?;
    if sql.trim().is_empty() {
        return Err(de::Error::custom(BLANK));
    }
    Ok(sql)
}

/// Reads the `whitelists` list, refusing a repeated statement where it stands, so that the
/// error names its line (a check after parsing would know the field but not the line).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<WhitelistEntry>>, D::Error> {
    struct Entries;
    impl<'de> de::Visitor<'de> for Entries {
        type Value = Option<Vec<WhitelistEntry>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of whitelist entries")
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<WhitelistEntry> = Vec::new();
            let mut statements = BTreeSet::new();
            while let Some(entry) = seq.next_element_seed(Entry {
                statements: &statements,
            })? {
                statements.insert(entry.sql.clone());
                entries.push(entry);
            }
            Ok(Some(entries))
        }
    }
    deserializer.deserialize_seq(Entries)
}

/// One entry, checked against the statements before it. The check runs inside the entry's
/// mapping so that the parser marks the error with the entry's line.
struct Entry<'s> {
    statements: &'s BTreeSet<String>,
}

impl<'de> de::DeserializeSeed<'de> for Entry<'_> {
    type Value = WhitelistEntry;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for Entry<'_> {
    type Value = WhitelistEntry;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whitelist entry")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let entry = WhitelistEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
        if self.statements.contains(&entry.sql) {
            return Err(de::Error::custom(format!("sql: {}", repeated(&entry.sql))));
        }
        Ok(entry)
    }
}

/// The changes from the instance's whitelist to the document's. An entry whose status alone
/// differs is a switch; any other difference is a change in place.
pub(crate) fn diff(
    changes: &mut Vec<Change>,
    want: &[WhitelistEntry],
    have: &[WhitelistEntry],
    ids: &WhitelistIds,
    options: PlanOptions,
) {
    let ids_of = |sql: &str| ids.get(sql).cloned().unwrap_or_default();
    let change = |kind, sql: &str, detail: String, action| Change {
        part: Part::Whitelists,
        kind,
        name: sql.to_owned(),
        detail,
        action,
    };
    if options.prune {
        for entry in have.iter().filter(|h| !want.iter().any(|w| w.sql == h.sql)) {
            let action = Action::DeleteWhitelist {
                ids: ids_of(&entry.sql),
            };
            changes.push(change(ChangeKind::Delete, &entry.sql, String::new(), action));
        }
        // A statement the instance holds twice: the repeats go, the first entry stays.
        for entry in want {
            if let Some([_, repeats @ ..]) = ids.get(&entry.sql).map(Vec::as_slice)
                && !repeats.is_empty()
            {
                let action = Action::DeleteWhitelist { ids: repeats.to_vec() };
                let detail = format!("{} repeated entr(ies)", repeats.len());
                changes.push(change(ChangeKind::Delete, &entry.sql, detail, action));
            }
        }
    }
    for entry in want {
        let Some(current) = have.iter().find(|h| h.sql == entry.sql) else {
            let detail = describe(entry);
            changes.push(change(
                ChangeKind::Create,
                &entry.sql,
                detail,
                Action::CreateWhitelist(entry.clone()),
            ));
            continue;
        };
        if current == entry {
            continue;
        }
        let id = ids_of(&entry.sql).into_iter().next().unwrap_or_default();
        let action = Action::UpdateWhitelist {
            id,
            entry: entry.clone(),
        };
        let status_only = WhitelistEntry {
            status: entry.status,
            ..current.clone()
        } == *entry;
        if status_only {
            let detail = format!("{} \u{2192} {}", current.status.as_str(), entry.status.as_str());
            changes.push(change(ChangeKind::Switch, &entry.sql, detail, action));
        } else {
            changes.push(change(
                ChangeKind::Update,
                &entry.sql,
                differences(current, entry),
                action,
            ));
        }
    }
}

fn describe(entry: &WhitelistEntry) -> String {
    let mut detail = entry.status.as_str().to_owned();
    if !entry.db_ids.is_empty() {
        let ids: Vec<&str> = entry.db_ids.iter().map(String::as_str).collect();
        detail.push_str(&format!(", databases {}", ids.join(",")));
    }
    detail
}

pub(crate) async fn create(
    client: &Client,
    instance: &str,
    entry: &WhitelistEntry,
) -> Result<Option<String>, PolicyError> {
    let body = api::AddWhitelistRequest {
        whitelists: vec![api::ObjWhitelist {
            db_ids: entry.db_ids.iter().cloned().collect(),
            desc: (!entry.description.is_empty()).then(|| entry.description.clone()),
            enabled: Some(entry.status == Switch::On),
            sql: entry.sql.clone(),
        }],
    };
    let call = client.ops().batch_add_audit_whitelist().instance_id(instance);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}

/// Writes the whole entry: status, description and databases (the statement stays).
pub(crate) async fn update(
    client: &Client,
    instance: &str,
    id: &str,
    entry: &WhitelistEntry,
) -> Result<Option<String>, PolicyError> {
    let body = api::UpdateWhitelistRequest {
        db_ids: entry.db_ids.iter().cloned().collect(),
        // Sent even when empty, so that removing a description from the file clears it.
        desc: Some(entry.description.clone()),
        enabled: entry.status == Switch::On,
    };
    let call = client.ops().update_audit_whitelist().instance_id(instance).id(id);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}

pub(crate) async fn delete(client: &Client, instance: &str, ids: &[String]) -> Result<Option<String>, PolicyError> {
    let body = api::WhitelistBatchDeleteRequest {
        whitelists: ids.to_vec(),
    };
    let call = client.ops().delete_audit_whitelist().instance_id(instance);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}
