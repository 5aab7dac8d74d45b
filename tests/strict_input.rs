//! `dbss::from_json` (and so the CLI's `--body`) refuses a field the request type does not
//! have, at any depth, naming its path and the closest known field: the generated types alone
//! drop such a field, so a misspelt optional field would be lost without a word.

use dbss::{Error, types};
use serde_json::json;

/// The path and reason of an `InvalidInput` error.
fn refusal<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> (String, String) {
    match dbss::from_json::<T>(value) {
        Err(Error::InvalidInput { path, reason }) => (path, reason),
        Err(other) => panic!("expected InvalidInput, got {other}"),
        Ok(_) => panic!("the value was accepted"),
    }
}

#[test]
fn a_misspelt_field_in_an_array_item_is_refused_with_its_path_and_the_closest_name() {
    let (path, reason) = refusal::<types::AddWhitelistRequest>(json!({"whitelists": [{"sql": "x", "dsec": "typo"}]}));
    assert_eq!(path, "whitelists[0].dsec");
    assert_eq!(reason, "unknown field `dsec`; did you mean `desc`?");
    let (path, _) = refusal::<types::AddWhitelistRequest>(json!({"whitelists": [
        {"sql": "a", "desc": "fine"},
        {"sql": "b", "enabeld": true}
    ]}));
    assert_eq!(path, "whitelists[1].enabeld", "the item that holds it");
}

#[test]
fn a_misspelt_field_of_a_nested_object_is_refused_with_its_path() {
    let (path, reason) = refusal::<types::AlarmLogRequest>(json!({
        "page": 1, "size": 10, "time": {"start_tme": "2026-01-01 00:00:00"}
    }));
    assert_eq!(path, "time.start_tme");
    assert!(reason.ends_with("did you mean `start_time`?"), "{reason}");
    // A renamed field is known by its JSON name.
    let (path, reason) = refusal::<types::AlarmLogRequest>(json!({"page": 1, "size": 10, "time": {}, "typ": "x"}));
    assert_eq!(path, "typ");
    assert!(reason.ends_with("did you mean `type`?"), "{reason}");
}

#[test]
fn a_field_like_no_known_one_lists_the_known_ones_and_every_unknown_is_named() {
    let (path, reason) = refusal::<types::AddWhitelistRequest>(json!({"whitelists": [], "colour": 1, "size": 2}));
    assert_eq!(path, "colour");
    assert_eq!(
        reason,
        "unknown field `colour`; known fields here: `whitelists` (also unknown: size)"
    );
}

#[test]
fn valid_bodies_still_decode_and_type_errors_still_name_their_field() {
    let body: Result<types::AddWhitelistRequest, _> =
        dbss::from_json(json!({"whitelists": [{"sql": "select 1", "desc": "ok", "enabled": true}]}));
    assert!(body.is_ok(), "{:?}", body.err());
    let (path, reason) = refusal::<types::AddWhitelistRequest>(json!({"whitelists": [{"sql": 7}]}));
    assert_eq!(path, "whitelists[0].sql");
    assert!(reason.contains("invalid type"), "{reason}");
    let error = refusal::<types::AddWhitelistRequest>(json!({"whitelists": [{"sql": "x", "dsec": "t"}]}));
    let shown = Error::InvalidInput {
        path: error.0,
        reason: error.1,
    }
    .to_string();
    assert_eq!(
        shown,
        "invalid input at whitelists[0].dsec: unknown field `dsec`; did you mean `desc`?"
    );
}
