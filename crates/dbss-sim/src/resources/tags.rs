//! Tags (TMS) of audit instances: add and delete in batches, list per instance and per
//! project, and find or count instances by tag, as the TMS filter grammar defines it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, count, no_such, offset_limit};
use crate::{
    error::ApiError,
    state::{Instance, World},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("BatchAddResourceTag", add),
    ("BatchDeleteResourceTag", delete),
    ("ListAuditTags", list),
    ("ListProjectResourceTags", project_tags),
    ("ListResourceInstanceByTag", filter),
    ("CountResourceInstanceByTag", count_by_tag),
];

/// Tags a resource may carry.
pub(crate) const MAX_TAGS: usize = 20;

/// The system tag holding an instance's enterprise project.
const ENTERPRISE_PROJECT_TAG: &str = "_sys_enterprise_project_id";

/// The instance a tag operation addresses: by resource id (as documented) or instance id.
fn resource<'w>(world: &'w mut World, call: &Call) -> Result<&'w mut Instance, ApiError> {
    let kind = call.path("resource_type");
    if kind != "auditInstance" {
        return Err(ApiError::bad_request(format!(
            "path.resource_type: only auditInstance resources carry tags, got {kind:?}"
        )));
    }
    let id = call.path("resource_id");
    world
        .instances
        .values_mut()
        .find(|i| i.resource_id == id || i.id == id)
        .ok_or_else(|| no_such("an audit instance", "resource_id", id))
}

#[derive(Deserialize)]
struct TagBody {
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    sys_tags: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

fn add(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: TagBody = call.body_as()?;
    let mut world = ctx.world();
    let instance = resource(&mut world, call)?;
    for (tags, field, given) in [
        (&instance.tags, "tags", &body.tags),
        (&instance.sys_tags, "sys_tags", &body.sys_tags),
    ] {
        let keys: BTreeSet<&str> = tags
            .keys()
            .map(String::as_str)
            .chain(given.iter().map(|t| t.key.as_str()))
            .collect();
        if keys.len() > MAX_TAGS {
            return Err(ApiError::bad_request(format!(
                "body.{field}: a resource carries at most {MAX_TAGS} tags; it has {} and {} would be added",
                tags.len(),
                keys.len() - tags.len()
            )));
        }
        if let Some(blank) = given.iter().find(|t| t.key.trim().is_empty()) {
            return Err(ApiError::bad_request(format!(
                "body.{field}: tag key {:?} is blank",
                blank.key
            )));
        }
    }
    // Checked first, applied second: a refused batch changes nothing.
    for (tags, given) in [(&mut instance.tags, body.tags), (&mut instance.sys_tags, body.sys_tags)] {
        for tag in given {
            tags.insert(tag.key, tag.value.unwrap_or_default());
        }
    }
    Ok(Reply::Empty)
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: TagBody = call.body_as()?;
    let mut world = ctx.world();
    let instance = resource(&mut world, call)?;
    for (tags, given) in [(&mut instance.tags, body.tags), (&mut instance.sys_tags, body.sys_tags)] {
        for tag in given {
            // With a value, only that key/value pair goes; without one, the key goes.
            let matches = tags
                .get(&tag.key)
                .is_some_and(|v| tag.value.as_ref().is_none_or(|want| want == v));
            if matches {
                tags.remove(&tag.key);
            }
        }
    }
    Ok(Reply::Empty)
}

fn pairs(tags: &BTreeMap<String, String>) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect()
}

fn sys_tags(instance: &Instance) -> BTreeMap<String, String> {
    let mut tags = instance.sys_tags.clone();
    tags.insert(ENTERPRISE_PROJECT_TAG.into(), instance.enterprise_project_id.clone());
    tags
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let mut world = ctx.world();
    let instance = resource(&mut world, call)?;
    Ok(Reply::Json(
        json!({ "tags": pairs(&instance.tags), "sys_tags": pairs(&instance.sys_tags) }),
    ))
}

fn project_tags(ctx: &Ctx<'_>, _call: &Call) -> Result<Reply, ApiError> {
    let world = ctx.world();
    let mut keys: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for instance in world.instances.values() {
        for (k, v) in &instance.tags {
            keys.entry(k).or_default().insert(v);
        }
    }
    let tags: Vec<Value> = keys
        .into_iter()
        .map(|(k, v)| json!({ "key": k, "values": v }))
        .collect();
    Ok(Reply::Json(json!({ "tags": tags })))
}

#[derive(Deserialize, Default)]
struct Filter {
    #[serde(default)]
    matches: Vec<Match>,
    #[serde(default)]
    tags: Vec<KeyValues>,
    #[serde(default)]
    tags_any: Vec<KeyValues>,
    #[serde(default)]
    not_tags: Vec<KeyValues>,
    #[serde(default)]
    not_tags_any: Vec<KeyValues>,
    #[serde(default)]
    sys_tags: Vec<KeyValues>,
    #[serde(default)]
    without_any_tag: Option<bool>,
}

#[derive(Deserialize)]
struct Match {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct KeyValues {
    key: String,
    #[serde(default)]
    values: Vec<String>,
}

impl KeyValues {
    /// The key is present and, when values are listed, holds one of them.
    fn holds(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.get(&self.key)
            .is_some_and(|v| self.values.is_empty() || self.values.contains(v))
    }
}

impl Filter {
    fn admits(&self, instance: &Instance) -> bool {
        let name_ok = self.matches.iter().all(|m| {
            let wanted = m.value.as_deref().unwrap_or_default().to_lowercase();
            m.key.as_deref() != Some("resource_name") || instance.name.to_lowercase().contains(&wanted)
        });
        if !name_ok {
            return false;
        }
        if self.without_any_tag == Some(true) {
            return instance.tags.is_empty();
        }
        let tags = &instance.tags;
        let sys = sys_tags(instance);
        self.tags.iter().all(|t| t.holds(tags))
            && (self.tags_any.is_empty() || self.tags_any.iter().any(|t| t.holds(tags)))
            && (self.not_tags.is_empty() || !self.not_tags.iter().all(|t| t.holds(tags)))
            && !self.not_tags_any.iter().any(|t| t.holds(tags))
            && self.sys_tags.iter().all(|t| t.holds(&sys))
    }
}

fn matching(ctx: &Ctx<'_>, call: &Call) -> Result<Vec<Instance>, ApiError> {
    let filter: Filter = if call.body.is_null() {
        Filter::default()
    } else {
        call.body_as()?
    };
    let world = ctx.world();
    Ok(world.instances.values().filter(|i| filter.admits(i)).cloned().collect())
}

fn filter(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let found = matching(ctx, call)?;
    let (offset, limit) = offset_limit(call);
    let resources: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(limit)
        .map(|i| {
            json!({
                "resource_id": i.resource_id, "resource_name": i.name, "resource_detail": {},
                "tags": pairs(&i.tags), "sys_tags": pairs(&sys_tags(i)),
            })
        })
        .collect();
    Ok(Reply::Json(
        json!({ "resources": resources, "total_count": count(found.len()) }),
    ))
}

fn count_by_tag(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let found = matching(ctx, call)?;
    Ok(Reply::Json(json!({ "total_count": count(found.len()) })))
}
