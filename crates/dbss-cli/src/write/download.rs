//! Downloads (agent packages, reports) streamed to an [`OutFile`] chunk by chunk, with a byte
//! counter on a terminal, and checked against a SHA-256 digest when one is known.

use std::io::Write;

use aws_lc_rs::digest;
use futures::TryStreamExt;

use super::OutFile;
use crate::{error::CliError, progress};

/// A SHA-256 digest given as 64 hexadecimal digits (either case).
pub fn parse_sha256(what: &str, text: &str) -> Result<[u8; 32], CliError> {
    let mut digest = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut digest).map_err(|_| {
        CliError::Failed(format!(
            "the checksum listed for {what} is not a SHA-256 digest (64 hex digits): {text:?}"
        ))
    })?;
    Ok(digest)
}

/// Streams `stream` into `out`; when `expected` is given, the bytes must have that SHA-256
/// digest, or the download fails and a file being written is removed (the target keeps what it
/// held). The number of bytes written.
pub async fn save(
    stream: dbss::api::ByteStream,
    mut out: OutFile,
    operation: &'static str,
    what: &str,
    expected: Option<[u8; 32]>,
) -> Result<u64, CliError> {
    let bar = progress::bytes(what.to_owned());
    let mut hasher = digest::Context::new(&digest::SHA256);
    let mut chunks = stream.into_inner();
    let mut written = 0u64;
    let outcome = loop {
        let chunk = match chunks.try_next().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break Ok(()),
            Err(e) => {
                break Err(CliError::Api(dbss::Error::Transport {
                    operation,
                    kind: dbss::TransportKind::Other,
                    attempts: 1,
                    message: format!("download interrupted after {written} bytes: {}", e.without_url()),
                }));
            }
        };
        if let Err(e) = out.write_all(&chunk) {
            break Err(out.error(e));
        }
        hasher.update(&chunk);
        written += chunk.len() as u64;
        bar.set_position(written);
    };
    bar.finish_and_clear();
    // On failure `out` is dropped here: its temporary file goes with it.
    outcome?;
    if let Some(expected) = expected {
        let actual = hasher.finish();
        if actual.as_ref() != expected {
            let target = if out.is_stdout() {
                "the bytes already written to stdout are not the package".to_owned()
            } else {
                format!("{} was not written", out.shown().display())
            };
            return Err(CliError::Failed(format!(
                "{what}: the download's SHA-256 is {} but {} was listed; {target}",
                hex::encode(actual),
                hex::encode(expected),
            )));
        }
    }
    out.finish()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_64_hex_digits() {
        let digest = parse_sha256("x", &"Ab".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(digest, [0xab; 32]);
        for bad in ["", "abc", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(parse_sha256("x", bad).is_err(), "{bad}");
        }
    }
}
