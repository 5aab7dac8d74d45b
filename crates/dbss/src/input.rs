//! Request values read from JSON (a file, a command line, another program), refused with the
//! path of the field that does not fit.
//!
//! Typed request values built in Rust cannot have a field of the wrong type; values that arrive
//! as JSON can. `serde_json` alone says what was wrong ("invalid type: string, expected u32")
//! but not where; [`from_json`] adds the field's path (`audit_rules[2].risk_level`).

use serde::de::DeserializeOwned;

use crate::Error;

/// Decodes JSON into a request type (`dbss::types::*`), strictly, as the generated types
/// decode: on failure, [`Error::InvalidInput`] names the field that does not fit.
///
/// ```
/// let body: Result<dbss::types::SecurityGroupRequest, _> =
///     dbss::from_json(serde_json::json!({
///         "instance_id": "062212d8-8e30-4783-9671-43f3f1f3bb1e",
///         "securitygroup_ids": 7,
///     }));
/// let error = body.unwrap_err();
/// assert!(error.to_string().contains("securitygroup_ids"), "{error}");
/// ```
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::InvalidInput {
            // `.` is the whole value: its errors name the field themselves (missing field `x`).
            path: if path == "." { String::new() } else { path },
            reason: e.into_inner().to_string(),
        }
    })
}
