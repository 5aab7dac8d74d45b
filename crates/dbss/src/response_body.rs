//! How much of a response body the client reads: a success body up to the client's limit
//! (refused beyond it), an error body up to a small cap (the rest is left unread). Bodies are
//! read chunk by chunk and never held beyond those sizes, whatever the server announces or
//! sends; the connection of a body left unread is closed rather than drained.

use bytes::{Bytes, BytesMut};

/// The default of [`crate::ClientBuilder::max_response_bytes`]: 32 MiB, far above any page the
/// API returns, far below what would hurt a small host.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// How much of an error body is read: enough for any documented error (a code and a message),
/// and the 2 KiB an error keeps of a body in no documented shape.
pub(crate) const ERROR_BODY_CAP: u64 = 64 * 1024;

/// Why a body was not read whole.
#[derive(Debug)]
pub(crate) enum Unread {
    /// A success body beyond the limit, announced or sent.
    TooLarge,
    /// The body could not be read (cut off, or slower than the attempt's timeout).
    Failed(reqwest::Error),
}

/// Reads `response`'s body: a success body of at most `limit` bytes, or the first
/// [`ERROR_BODY_CAP`] bytes of an error body (the rest is never read).
pub(crate) async fn read(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, Unread> {
    if response.status().is_success() {
        // A server that announces too much is refused before a byte is read.
        if response.content_length().is_some_and(|length| length > limit) {
            return Err(Unread::TooLarge);
        }
        read_up_to(response, limit, Beyond::Refuse).await
    } else {
        read_up_to(response, ERROR_BODY_CAP, Beyond::KeepStart).await
    }
}

/// What to do with a body longer than what may be read of it.
#[derive(Clone, Copy, PartialEq)]
enum Beyond {
    /// Refuse it: [`Unread::TooLarge`].
    Refuse,
    /// Keep what may be read, and leave the rest unread.
    KeepStart,
}

/// Reads the body up to `limit` bytes; past that, as `beyond` says.
async fn read_up_to(response: &mut reqwest::Response, limit: u64, beyond: Beyond) -> Result<Bytes, Unread> {
    // The first chunk is kept as it came: most bodies are a single chunk, and need no copy.
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut total: u64 = 0;
    while let Some(mut chunk) = response.chunk().await.map_err(Unread::Failed)? {
        let room = limit - total;
        if chunk.len() as u64 > room {
            match beyond {
                Beyond::Refuse => return Err(Unread::TooLarge),
                Beyond::KeepStart => chunk.truncate(usize::try_from(room).unwrap_or(0)),
            }
        }
        total += chunk.len() as u64;
        match (&mut first, &mut joined) {
            (None, None) => first = Some(chunk),
            (Some(head), None) => {
                // Room for what was announced, or else for twice what came so far; never more
                // than the limit.
                let expected = response.content_length().unwrap_or(total.saturating_mul(2));
                let capacity = usize::try_from(expected.min(limit)).unwrap_or(0);
                let mut buffer = BytesMut::with_capacity(capacity);
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&chunk);
                first = None;
                joined = Some(buffer);
            }
            (_, Some(buffer)) => buffer.extend_from_slice(&chunk),
        }
        if beyond == Beyond::KeepStart && total == limit {
            // All that may be read is read: whatever follows stays unread.
            break;
        }
    }
    Ok(match (first, joined) {
        (_, Some(buffer)) => buffer.freeze(),
        (Some(only), None) => only,
        (None, None) => Bytes::new(),
    })
}

/// What a refused body fails with when it is read: it carries the limit to
/// [`crate::Error::ResponseTooLarge`] through the generated code, which only sees a body that
/// could not be read.
#[derive(Debug)]
pub(crate) struct TooLarge {
    pub(crate) limit: u64,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the response is larger than the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for TooLarge {}

/// The limit a body was refused for, if that is why `error` could not read it.
pub(crate) fn too_large(error: &reqwest::Error) -> Option<u64> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(refused) = error.downcast_ref::<TooLarge>() {
            return Some(refused.limit);
        }
        cause = error.source();
    }
    None
}
