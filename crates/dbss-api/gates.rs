// Cargo features over the generated client: which items a build compiles.
//
// Included by `codegen.rs` (so by both `build.rs` and `cargo xtask codegen`). progenitor
// generates all 173 operations and every schema; most programs use one product line. Each
// operation, builder and type of its output gets a `#[cfg(...)]` naming the features that
// need it, so that a build compiles only those (the cost of this crate grows with its size):
//
// * an operation needs the feature of its product line (see [`product_line`]) and, when the
//   spec marks it deprecated, `deprecated` as well;
// * a type is needed by every operation that mentions it, directly or through other types;
// * the builder of a type (`types::builder::X`, typify's) is needed by an operation whose
//   request body is that type (progenitor's `body_map` uses it); the others, which no
//   operation uses, are behind `type-builders`.
// `full` turns everything on; what `full` compiles is exactly what progenitor generated.

use std::collections::{BTreeSet, HashMap, HashSet};

use quote::ToTokens;

/// The cargo feature that makes deprecated operations available.
pub const DEPRECATED_FEATURE: &str = "deprecated";

/// The cargo feature that keeps the builders of types that are no operation's request body.
pub const TYPE_BUILDERS_FEATURE: &str = "type-builders";

/// The cargo feature of the database-audit operations that the `dbss` crate's own API (its
/// facade, waiters, exports and downloads) is built on; `audit` turns it on too.
pub const AUDIT_CORE_FEATURE: &str = "audit-core";

/// The operations behind [`AUDIT_CORE_FEATURE`]: a default build of `dbss` compiles these 25
/// of the 106 current audit operations (and the types they use), not all of them. `dbss`
/// does not compile without one it calls, which CI shows (`cargo clippy -p dbss --lib`).
pub const AUDIT_CORE: &[&str] = &[
    // instances, their jobs and upgrades
    "ListAuditInstancesLast",
    "CreateInstancesPeriodOrderNew",
    "StartAuditInstanceNew",
    "StopAuditInstanceNew",
    "RebootAuditInstanceNew",
    "DeleteInstancesNew",
    "UpdateAuditSecurityGroupNew",
    "ListAuditInstanceJobsNew",
    "ShowAuditUpgradeStatus",
    // databases and agents
    "ListAuditDatabasesNew",
    "AddAuditDatabaseNew",
    "DeleteAuditDatabaseNew",
    "SwitchAuditDatabaseNew",
    "ListAuditAgentNew",
    "AddAuditAgentNew",
    "DeleteAuditAgentNew",
    "SwitchAgentNew",
    "DownloadAuditAgentNew",
    // risk rules
    "ListAuditRuleRisksNew",
    "CreateAuditRiskRule",
    "DeleteAuditRuleRisk",
    "SwitchRiskRuleNew",
    // records and reports
    "ListAuditSqlsNew",
    "ListAuditAlarmLogNew",
    "DownloadAuditReport",
];

/// The product line of an operation, from its path: the cargo feature that gates it, or
/// `None` for the product-neutral operations (version, quota, availability zones). Within
/// database audit, the operations of [`AUDIT_CORE`] have [`AUDIT_CORE_FEATURE`] (see
/// [`Gate::of`]).
pub fn product_line(path: &str) -> Option<&'static str> {
    if path.contains("/db-encrypt/") {
        Some("db-encrypt")
    } else if path.contains("/db-om/") {
        Some("db-om")
    } else if path.starts_with("/v1/resource-manager/") {
        Some("resource-manager")
    } else if path.contains("/{resource_type}/") {
        Some("tags")
    } else if path.split('/').any(|segment| segment == "audit") {
        Some("audit")
    } else {
        None
    }
}

/// What one operation needs: its product line's feature, and `deprecated` when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gate {
    /// The product line's feature; `None` for product-neutral operations.
    pub line: Option<&'static str>,
    /// Whether the operation is deprecated.
    pub deprecated: bool,
}

impl Gate {
    /// The gate of the operation `id` at `path`.
    pub fn of(id: &str, path: &str, deprecated: bool) -> Self {
        let line = match product_line(path) {
            Some("audit") if AUDIT_CORE.contains(&id) => Some(AUDIT_CORE_FEATURE),
            other => other,
        };
        Self { line, deprecated }
    }

    /// The `cfg` predicate, or `None` when every build has it.
    pub fn predicate(self) -> Option<String> {
        let deprecated = format!("feature = \"{DEPRECATED_FEATURE}\"");
        match (self.line, self.deprecated) {
            (None, false) => None,
            (None, true) => Some(deprecated),
            (Some(line), false) => Some(format!("feature = \"{line}\"")),
            (Some(line), true) => Some(format!("all(feature = \"{line}\", {deprecated})")),
        }
    }

    /// Whether every build that has `other` has this one too (`audit` turns `audit-core` on).
    fn covers(self, other: Gate) -> bool {
        let line = match (self.line, other.line) {
            (None, _) => true,
            (Some(AUDIT_CORE_FEATURE), Some("audit")) => true,
            (mine, theirs) => mine == theirs,
        };
        line && (!self.deprecated || other.deprecated)
    }
}

/// The `cfg` predicate of something needed by any of `gates`; `None` when every build has it.
/// A type no operation mentions (none in this spec, but a schema may be added) stays in
/// every build.
pub fn any_of(gates: &BTreeSet<Gate>) -> Option<String> {
    // Drop the gates that another one already covers (`audit` covers `audit + deprecated`).
    let kept: Vec<Gate> = gates
        .iter()
        .copied()
        .filter(|g| !gates.iter().any(|other| other != g && other.covers(*g)))
        .collect();
    let mut predicates = Vec::new();
    for gate in &kept {
        predicates.push(gate.predicate()?);
    }
    match predicates.len() {
        0 => None,
        1 => predicates.pop(),
        _ => Some(format!("any({})", predicates.join(", "))),
    }
}

/// The key an operation is found by in the generated code: its id, or the snake-case name
/// progenitor makes of it, lower-cased without underscores.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every identifier in an item, in order, with the punctuation between them (`::` is two `:`).
fn words(tokens: impl ToTokens) -> Vec<String> {
    fn walk(stream: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for tree in stream {
            match tree {
                proc_macro2::TokenTree::Group(group) => walk(group.stream(), out),
                proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
                proc_macro2::TokenTree::Punct(punct) => out.push(punct.as_char().to_string()),
                proc_macro2::TokenTree::Literal(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens.into_token_stream(), &mut out);
    out
}

/// The last identifier of a type path (`super::X` is `X`).
fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The name an item of a type module is about: the type it defines, or the type an `impl`
/// is for (for `impl From<X> for String`, the generated type in the trait).
fn owner(item: &syn::Item, types: &HashSet<String>) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Impl(i) => last_ident(&i.self_ty).filter(|name| types.contains(name)).or_else(|| {
            let (trait_path, _) = i.trait_.as_ref()?;
            words(trait_path).into_iter().find(|w| types.contains(w))
        }),
        _ => None,
    }
}

/// Puts `#[cfg(all(conditions...))]` on `attrs`; nothing when there is no condition.
fn gate(attrs: &mut Vec<syn::Attribute>, conditions: &[String]) -> Result<(), String> {
    let predicate = match conditions {
        [] => return Ok(()),
        [one] => one.clone(),
        all => format!("all({})", all.join(", ")),
    };
    let attr: Vec<syn::Attribute> =
        syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &format!("#[cfg({predicate})]"))
            .map_err(|e| format!("cfg({predicate}): {e}"))?;
    attrs.extend(attr);
    Ok(())
}

/// The name of the struct an item defines or implements (an operation's builder).
fn subject(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Impl(i) => last_ident(&i.self_ty),
        _ => None,
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Struct(s) => Some(&mut s.attrs),
        syn::Item::Enum(e) => Some(&mut e.attrs),
        syn::Item::Type(t) => Some(&mut t.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        syn::Item::Fn(f) => Some(&mut f.attrs),
        _ => None,
    }
}

fn module_items<'f>(items: &'f mut [syn::Item], name: &str) -> Result<&'f mut Vec<syn::Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("the generated code has no `mod {name}`"))
}

/// Puts the `cfg` of its features on every operation and type of progenitor's output.
/// `operations` maps each operation id to its gate.
pub fn gate_features(file: &mut syn::File, operations: &HashMap<String, Gate>) -> Result<(), String> {
    let operations: HashMap<String, Gate> = operations.iter().map(|(id, gate)| (key(id), *gate)).collect();

    // The types, what each mentions, and which operation needs which type.
    let types_mod = module_items(&mut file.items, "types")?;
    let names: HashSet<String> = types_mod
        .iter()
        .filter_map(|item| owner(item, &HashSet::new()))
        .collect();
    let mut mentions: HashMap<String, HashSet<String>> = HashMap::new();
    for item in types_mod.iter() {
        if let Some(name) = owner(item, &names) {
            let entry = mentions.entry(name.clone()).or_default();
            entry.extend(words(item).into_iter().filter(|w| names.contains(w) && *w != name));
        }
    }
    let mut needed: HashMap<String, BTreeSet<Gate>> = HashMap::new();
    let mut bodies = HashSet::new();
    {
        let builders = module_items(&mut file.items, "builder")?;
        let mut direct: HashMap<String, HashSet<String>> = HashMap::new();
        for item in builders.iter() {
            let Some(name) = subject(item) else { continue };
            let words = words(item);
            // `types::builder::X` in an operation's builder: X is its request body.
            for window in words.windows(4) {
                if window[0] == "builder" && window[1] == ":" && window[2] == ":" && names.contains(&window[3]) {
                    bodies.insert(window[3].clone());
                }
            }
            direct
                .entry(name)
                .or_default()
                .extend(words.into_iter().filter(|w| names.contains(w)));
        }
        for (builder, mentioned) in direct {
            let gate = *operations
                .get(&key(&builder))
                .ok_or_else(|| format!("builder::{builder} is no operation of the spec"))?;
            let mut stack: Vec<String> = mentioned.into_iter().collect();
            while let Some(name) = stack.pop() {
                if needed.entry(name.clone()).or_default().insert(gate) {
                    stack.extend(mentions.get(&name).into_iter().flatten().cloned());
                }
            }
        }
    }
    let type_condition = |name: &str| -> Vec<String> { needed.get(name).and_then(any_of).into_iter().collect() };

    // The types, and typify's builders of them.
    let types_mod = module_items(&mut file.items, "types")?;
    for item in types_mod.iter_mut() {
        if let syn::Item::Mod(m) = item {
            if m.ident == "builder" {
                for inner in m.content.as_mut().map(|(_, items)| items).into_iter().flatten() {
                    let Some(name) = owner(inner, &names) else { continue };
                    let mut conditions = type_condition(&name);
                    if !bodies.contains(&name) {
                        conditions.push(format!("feature = \"{TYPE_BUILDERS_FEATURE}\""));
                    }
                    if let Some(attrs) = item_attrs(inner) {
                        gate(attrs, &conditions)?;
                    }
                }
            }
            continue;
        }
        let Some(name) = owner(item, &names) else { continue };
        let mut conditions = type_condition(&name);
        // `impl X { fn builder() }` hands out the builder, so it goes where the builder goes.
        let hands_out_builder = matches!(item, syn::Item::Impl(i) if i.trait_.is_none()
            && i.items.iter().any(|it| matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder")));
        if hands_out_builder && !bodies.contains(&name) {
            conditions.push(format!("feature = \"{TYPE_BUILDERS_FEATURE}\""));
        }
        if let Some(attrs) = item_attrs(item) {
            gate(attrs, &conditions)?;
        }
    }

    // The operations: their builders, and the methods of `Client` that start them.
    let operation_condition = |name: &str| -> Vec<String> {
        operations
            .get(&key(name))
            .and_then(|g| g.predicate())
            .into_iter()
            .collect()
    };
    for item in module_items(&mut file.items, "builder")?.iter_mut() {
        if let Some(name) = subject(item) {
            let conditions = operation_condition(&name);
            if let Some(attrs) = item_attrs(item) {
                gate(attrs, &conditions)?;
            }
        }
    }
    for item in file.items.iter_mut() {
        if let syn::Item::Impl(i) = item
            && i.trait_.is_none()
            && last_ident(&i.self_ty).as_deref() == Some("Client")
        {
            for member in i.items.iter_mut() {
                if let syn::ImplItem::Fn(f) = member {
                    let conditions = operation_condition(&f.sig.ident.to_string());
                    gate(&mut f.attrs, &conditions)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    #[test]
    fn the_product_line_comes_from_the_path() {
        for (path, line) in [
            ("/v2/{project_id}/audit/instances", Some("audit")),
            ("/v1/{project_id}/{instance_id}/dbss/audit/rule/risk", Some("audit")),
            ("/v1/{domain_id}/audit/{instance_id}/backup/switch", Some("audit")),
            ("/v1/{project_id}/db-encrypt/{instance_id}/start", Some("db-encrypt")),
            ("/v2/{project_id}/db-om/instances", Some("db-om")),
            (
                "/v1/resource-manager/domains/{domain_id}/all-resources/{region_id}/{resource_type}",
                Some("resource-manager"),
            ),
            (
                "/v1/{project_id}/{resource_type}/{resource_id}/tags/create",
                Some("tags"),
            ),
            ("/v1/{project_id}/{resource_type}/tags", Some("tags")),
            ("/v1/{project_id}/version", None),
            ("/v2/{project_id}/availability-zone", None),
        ] {
            assert_eq!(product_line(path), line, "{path}");
        }
    }

    #[test]
    fn the_audit_operations_dbss_is_built_on_have_the_core_feature() {
        let path = "/v2/{project_id}/audit/instances";
        assert_eq!(Gate::of("ListAuditInstancesLast", path, false).line, Some("audit-core"));
        assert_eq!(Gate::of("ListAuditBackups", path, false).line, Some("audit"));
        // Only audit operations: a tag operation stays in its own line whatever its name.
        assert_eq!(Gate::of("ListAuditInstancesLast", "/v1/{project_id}/{resource_type}/tags", false).line, Some("tags"));
    }

    #[test]
    fn a_gate_covered_by_another_is_dropped_and_an_ungated_user_keeps_a_type_in_every_build() {
        let gate = |line, deprecated| Gate { line, deprecated };
        let set = |gates: &[Gate]| gates.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(
            any_of(&set(&[gate(Some("audit"), false), gate(Some("audit"), true)])).as_deref(),
            Some("feature = \"audit\"")
        );
        assert_eq!(
            any_of(&set(&[gate(Some("db-om"), false), gate(Some("tags"), true)])).as_deref(),
            Some("any(feature = \"db-om\", all(feature = \"tags\", feature = \"deprecated\"))")
        );
        assert_eq!(
            any_of(&set(&[gate(None, true), gate(Some("audit"), true)])).as_deref(),
            Some("feature = \"deprecated\"")
        );
        assert_eq!(any_of(&set(&[gate(None, false), gate(Some("audit"), true)])), None);
        // `audit` turns `audit-core` on, so a type of both needs `audit-core` only.
        assert_eq!(
            any_of(&set(&[gate(Some("audit-core"), false), gate(Some("audit"), false)])).as_deref(),
            Some("feature = \"audit-core\"")
        );
        assert_eq!(
            any_of(&set(&[gate(Some("audit"), false), gate(Some("tags"), false)])).as_deref(),
            Some("any(feature = \"audit\", feature = \"tags\")")
        );
        assert_eq!(any_of(&set(&[])), None);
    }

    /// The `cfg` of each item of `items` that has one, by a short description of the item.
    fn cfgs(items: &[syn::Item], out: &mut Vec<(String, String)>) {
        for item in items {
            let name = match item {
                syn::Item::Mod(m) => {
                    cfgs(
                        &m.content.as_ref().map(|(_, items)| items.clone()).unwrap_or_default(),
                        out,
                    );
                    continue;
                }
                syn::Item::Impl(i) => {
                    let trait_ = i.trait_.as_ref().map(|(p, _)| format!("{} for ", p.to_token_stream()));
                    format!("impl {}{}", trait_.unwrap_or_default(), i.self_ty.to_token_stream())
                }
                other => owner(other, &HashSet::new()).unwrap_or_default(),
            };
            let attrs = match item {
                syn::Item::Struct(s) => &s.attrs,
                syn::Item::Impl(i) => {
                    for member in &i.items {
                        if let syn::ImplItem::Fn(f) = member {
                            for attr in &f.attrs {
                                out.push((format!("fn {}", f.sig.ident), attr.meta.to_token_stream().to_string()));
                            }
                        }
                    }
                    &i.attrs
                }
                _ => continue,
            };
            for attr in attrs {
                out.push((name.clone(), attr.meta.to_token_stream().to_string()));
            }
        }
    }

    #[test]
    fn operations_their_builders_and_the_types_they_reach_get_the_features_that_need_them() {
        let mut file: syn::File = syn::parse_str(
            r#"
            pub mod types {
                pub struct Leaf(String);
                pub struct Body { pub leaf: Leaf }
                pub struct Answer { pub leaf: Leaf }
                pub struct Old;
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                impl From<Leaf> for String { fn from(v: Leaf) -> Self { v.0 } }
                pub mod builder {
                    pub struct Body { leaf: Result<super::Leaf, String> }
                    impl TryFrom<Body> for super::Body { type Error = String; }
                    pub struct Answer { leaf: Result<super::Leaf, String> }
                }
            }
            pub struct Client;
            impl Client {
                pub fn new() -> Self { Client }
                pub fn put_thing(&self) -> builder::PutThing<'_> { builder::PutThing::new(self) }
                pub fn get_old(&self) -> builder::GetOld<'_> { builder::GetOld::new(self) }
            }
            pub mod builder {
                use super::types;
                pub struct PutThing<'a> { body: Result<types::builder::Body, String>, out: Option<types::Answer> }
                impl<'a> PutThing<'a> {}
                pub struct GetOld<'a> { out: Option<types::Old>, leaf: types::Leaf }
            }
            "#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let operations = HashMap::from([
            ("PutThing".to_owned(), Gate::of("PutThing", "/v1/{project_id}/db-om/thing", false)),
            ("GetOld".to_owned(), Gate::of("GetOld", "/v1/{project_id}/audit/old", true)),
        ]);
        gate_features(&mut file, &operations).unwrap_or_else(|e| panic!("{e}"));
        let mut found = Vec::new();
        cfgs(&file.items, &mut found);
        let om = "cfg (feature = \"db-om\")";
        let old = "cfg (all (feature = \"audit\" , feature = \"deprecated\"))";
        let expected = [
            (
                "Leaf",
                "cfg (any (all (feature = \"audit\" , feature = \"deprecated\") , feature = \"db-om\"))",
            ),
            ("Body", om),
            ("Answer", om),
            ("Old", old),
            ("impl Body", om),
            (
                "impl Answer",
                "cfg (all (feature = \"db-om\" , feature = \"type-builders\"))",
            ),
            (
                "impl From < Leaf > for String",
                "cfg (any (all (feature = \"audit\" , feature = \"deprecated\") , feature = \"db-om\"))",
            ),
            // typify's builders: the request body's keeps its type's gate; the other needs
            // `type-builders` too.
            ("Body", om),
            ("impl TryFrom < Body > for super :: Body", om),
            (
                "Answer",
                "cfg (all (feature = \"db-om\" , feature = \"type-builders\"))",
            ),
            ("fn put_thing", om),
            ("fn get_old", old),
            ("PutThing", om),
            ("impl PutThing < 'a >", om),
            ("GetOld", old),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(found, expected);
    }
}
