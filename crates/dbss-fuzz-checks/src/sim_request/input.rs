//! The layout of a `sim_request` input. Five bytes choose what libFuzzer should not have to
//! guess, so that one mutated byte reaches another operation or credential; the rest is the
//! text of the request, close to how it travels, so that seeds and kept inputs read as
//! requests:
//!
//! ```text
//! byte 0     method: 0..=6 GET POST PUT DELETE PATCH HEAD OPTIONS, anything else the route's own
//! byte 1, 2  route (big-endian), modulo the number of routes: the spec's operations in
//!            operationId order, then the IAM token and project routes
//! byte 3     bits 0-1 credential: 0 signed with the simulator's key, 1 signed with another
//!                     key, 2 the simulator's IAM token, 3 only what the header lines carry
//!            bit 2    start from the operation's spec example (its query parameters and body)
//! byte 4     which seeded instance, and which of its databases, agents or rules, fill the path
//!            parameters the path line leaves out
//! then       path line (always the first, even empty): "/..." is the whole path; otherwise
//!            comma-separated values for the template's parameters in order (an empty or
//!            missing value: a real one)
//!            query line (always the second, even empty): the raw query string
//!            header lines: "Name: value"
//!            an empty line, then the body
//! ```

/// The credential a request carries (byte 3, bits 0-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// Signed with the simulator's access key, as a client with the right keys signs.
    Signed,
    /// Signed with another secret key.
    WrongKey,
    /// The IAM token the simulator accepts.
    Token,
    /// Nothing beyond the input's own header lines.
    AsGiven,
}

/// An input, decoded; the byte slices are the input's own.
#[derive(Debug)]
pub struct Input<'a> {
    /// Index into the method list; past its end, the route's own method.
    pub method: u8,
    /// Route number, before the modulo.
    pub route: u16,
    pub credential: Credential,
    /// Start from the spec's example query and body.
    pub example: bool,
    /// Picks among the seeded resources for path parameters.
    pub resource: u8,
    pub path: &'a [u8],
    pub query: &'a [u8],
    /// `(name, value)`, the value without the blanks around it (what a server's parser keeps).
    pub headers: Vec<(&'a [u8], &'a [u8])>,
    pub body: &'a [u8],
}

/// Decodes an input; `None` when it is too short to choose a route and a resource.
pub fn decode(data: &[u8]) -> Option<Input<'_>> {
    let [method, high, low, flags, resource, rest @ ..] = data else {
        return None;
    };
    let mut rest = rest;
    let path = take_line(&mut rest);
    let query = take_line(&mut rest);
    let mut headers = Vec::new();
    while !rest.is_empty() {
        let line = take_line(&mut rest);
        if line.is_empty() {
            break;
        }
        if let Some(colon) = line.iter().position(|b| *b == b':') {
            headers.push((&line[..colon], line[colon + 1..].trim_ascii()));
        }
    }
    Some(Input {
        method: *method,
        route: u16::from_be_bytes([*high, *low]),
        credential: match flags & 0b11 {
            0 => Credential::Signed,
            1 => Credential::WrongKey,
            2 => Credential::Token,
            _ => Credential::AsGiven,
        },
        example: flags & 0b100 != 0,
        resource: *resource,
        path,
        query,
        headers,
        body: rest,
    })
}

/// The bytes up to the next newline, which is consumed; all of them without one.
fn take_line<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let (line, after) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (*rest, &[][..]),
    };
    *rest = after;
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_reads_as_a_request() {
        let data = b"\x07\x00\x2a\x04\x01,db1\nlimit=2\nX-Test:  yes \nbroken line\n\n{\"a\":1}";
        let input = decode(data).unwrap_or_else(|| panic!("decodes"));
        assert_eq!((input.method, input.route, input.resource), (7, 42, 1));
        assert_eq!((input.credential, input.example), (Credential::Signed, true));
        assert_eq!((input.path, input.query), (&b",db1"[..], &b"limit=2"[..]));
        assert_eq!(input.headers, [(&b"X-Test"[..], &b"yes"[..])]);
        assert_eq!(input.body, b"{\"a\":1}");
        // An empty path and query are lines of their own, not the blank line before the body.
        let empty = decode(b"\xff\x00\x00\x00\x00\n\n\n{}").unwrap_or_else(|| panic!("decodes"));
        assert_eq!((empty.path, empty.query, empty.body), (&b""[..], &b""[..], &b"{}"[..]));
        assert!(decode(b"\x00\x01\x02\x03").is_none());
    }
}
