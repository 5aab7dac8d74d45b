//! What a path to write names, decided before anything is created.

use std::{
    fs::Metadata,
    path::{Path, PathBuf},
};

/// What a path to be written names.
#[derive(Debug)]
pub enum Target {
    /// An existing device, FIFO or socket: written to in place.
    Special {
        /// The node (symlinks resolved).
        path: PathBuf,
        /// Whether it is a socket (connected to, not opened).
        socket: bool,
    },
    /// A regular file, existing or not: replaced through a [`super::TempFile`].
    File {
        /// The file (symlinks resolved).
        path: PathBuf,
        /// Its permission bits when it exists (for the replacement to keep).
        mode: Option<u32>,
    },
}

/// Why a path cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The path names something that is never written: a directory, a dangling symlink, an
    /// empty name. The message names the path.
    #[error("{0}")]
    Refused(String),
    /// The file system answered an error about `path`.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path the error is about.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl Target {
    /// Looks at `path` (following a symlink) and says how it is to be written.
    pub fn resolve(path: &Path) -> Result<Target, TargetError> {
        let refuse = |why: &str| TargetError::Refused(format!("{}: {why}", path.display()));
        let io = |at: &Path, source| TargetError::Io {
            path: at.to_owned(),
            source,
        };
        if path.as_os_str().is_empty() {
            return Err(TargetError::Refused("the output file name is empty".into()));
        }
        if ends_with_separator(path) {
            return Err(refuse("names a directory; name a file to write"));
        }
        let resolved = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
                Ok(target) => target,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(refuse(
                        "is a symlink to a file that does not exist; not written through",
                    ));
                }
                Err(e) => return Err(io(path, e)),
            },
            _ => path.to_owned(),
        };
        match std::fs::metadata(&resolved) {
            Ok(meta) if meta.is_dir() => Err(refuse("is a directory; name a file to write")),
            Ok(meta) if meta.is_file() => Ok(Target::File {
                mode: Some(permission_bits(&meta)),
                path: resolved,
            }),
            Ok(meta) => Ok(Target::Special {
                socket: is_socket(&meta),
                path: resolved,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let dir = directory_of(&resolved);
                match std::fs::metadata(&dir) {
                    Ok(meta) if meta.is_dir() => Ok(Target::File {
                        path: resolved,
                        mode: None,
                    }),
                    Ok(_) => Err(TargetError::Refused(format!("{}: is not a directory", dir.display()))),
                    Err(e) => Err(io(&dir, e)),
                }
            }
            Err(e) => Err(io(path, e)),
        }
    }
}

/// The directory a file is (to be) in: `.` for a bare name.
pub fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn ends_with_separator(path: &Path) -> bool {
    let text = path.as_os_str().as_encoded_bytes();
    text.last()
        .is_some_and(|b| *b == b'/' || (cfg!(windows) && *b == b'\\'))
        || path.file_name().is_none()
}

#[cfg(unix)]
fn permission_bits(meta: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permission_bits(_: &Metadata) -> u32 {
    0o666
}

#[cfg(unix)]
fn is_socket(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_: &Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_files_are_refused() {
        for bad in ["", "out/", ".", "..", "/"] {
            assert!(
                matches!(Target::resolve(Path::new(bad)), Err(TargetError::Refused(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            Target::resolve(Path::new("/nonexistent-dir-of-dbss/x")),
            Err(TargetError::Io { .. })
        ));
    }
}
