//! The published JSON Schema of policy files (`openapi/policy.schema.json`) is the one
//! derived from `dbss::policy::Policy`; `DBSS_UPDATE_SCHEMA=1` rewrites it.

use std::path::Path;

#[test]
fn published_policy_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/policy.schema.json");
    let generated = serde_json::to_string_pretty(&dbss::policy::json_schema()).unwrap_or_else(|e| panic!("{e}")) + "\n";
    if std::env::var("DBSS_UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let published = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        published == generated,
        "{} is stale: run `DBSS_UPDATE_SCHEMA=1 cargo test -p dbss-cli --test policy_schema`",
        path.display()
    );
}

#[test]
fn the_schema_names_every_part_and_refuses_unknown_keys() {
    let schema = dbss::policy::json_schema();
    let properties = &schema["properties"];
    for part in ["risk_rules", "sql_injection_rules", "masking_rules", "tags"] {
        assert!(properties.get(part).is_some(), "{part} missing from {schema}");
    }
    assert_eq!(schema["additionalProperties"], false);
}
