//! Reading a small settings file a user points the client at (the credentials file, the
//! regions file): only a regular file, and only up to a limit. The path comes from an
//! environment variable, so it may name anything: a FIFO would make every call wait for a
//! writer, `/dev/zero` would be read without end.

use std::{io::Read, path::Path};

/// Why a settings file was not read.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// There is no file there.
    Missing,
    /// Not a regular file, or larger than the limit: the message says which.
    Refused(String),
    /// The file could not be read.
    Failed(std::io::Error),
}

/// The text of the regular file at `path`, at most `limit` bytes.
pub(crate) fn read(path: &Path, limit: u64) -> Result<String, Unreadable> {
    // Looked at before opening: opening a FIFO would wait for a writer.
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unreadable::Missing),
        Err(e) => return Err(Unreadable::Failed(e)),
        Ok(meta) if !meta.is_file() => {
            return Err(Unreadable::Refused(format!("{} is not a regular file", path.display())));
        }
        Ok(_) => {}
    }
    let mut text = String::new();
    let file = std::fs::File::open(path).map_err(Unreadable::Failed)?;
    file.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(Unreadable::Failed)?;
    if text.len() as u64 > limit {
        return Err(Unreadable::Refused(format!(
            "{} is larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(text)
}
