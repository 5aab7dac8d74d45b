//! Any error response body: `ServiceError::from_body` and its `Display` never panic, and what it
//! keeps of a body it could not read stays within its 2 KiB limit.

use dbss::ServiceError;

/// Checks the error decoding of `data`; panics when a property fails.
pub fn check(data: &[u8]) {
    // The first two bytes pick the status and whether there is a request id; the rest is the body.
    let (status, request_id, body) = match data {
        [a, b, rest @ ..] => (
            u16::from_be_bytes([*a, *b]),
            (a & 1 == 1).then(|| String::from_utf8_lossy(&rest[..rest.len().min(16)]).into_owned()),
            rest,
        ),
        _ => (500, None, data),
    };
    let error = ServiceError::from_body("FuzzOperation", status, request_id, body);
    let _ = error.to_string();
    // The kept start of the body: at most 2 KiB of input, each bad byte becoming U+FFFD (3 bytes).
    assert!(error.body.len() <= 3 * 2048, "kept {} bytes of body", error.body.len());
    if error.error_code.is_some() || error.error_msg.is_some() {
        assert!(error.body.is_empty());
    }
}
