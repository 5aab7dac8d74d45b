//! What an output path names, decided before anything is created.

use std::{
    fs::Metadata,
    path::{Path, PathBuf},
};

use crate::error::CliError;

/// Where output goes.
#[derive(Debug)]
pub enum Target {
    /// `-`: standard output.
    Stdout,
    /// An existing device, FIFO or socket: written to in place.
    Special {
        /// The node (symlinks resolved).
        path: PathBuf,
        /// Whether it is a socket (connected to, not opened).
        socket: bool,
    },
    /// A regular file, existing or not: replaced through a temporary file.
    File {
        /// The file (symlinks resolved).
        path: PathBuf,
        /// Its permission bits when it exists (kept by the replacement).
        mode: Option<u32>,
    },
}

impl Target {
    /// Resolves `path` as given on the command line.
    pub fn resolve(path: &Path) -> Result<Target, CliError> {
        if path.as_os_str() == "-" {
            return Ok(Target::Stdout);
        }
        let refuse = |why: &str| CliError::Usage(format!("{}: {why}", path.display()));
        if path.as_os_str().is_empty() {
            return Err(CliError::Usage("the output file name is empty".into()));
        }
        if ends_with_separator(path) {
            return Err(refuse("names a directory; name a file to write"));
        }
        let link = std::fs::symlink_metadata(path);
        let resolved = match &link {
            Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
                Ok(target) => target,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(refuse(
                        "is a symlink to a file that does not exist; not written through",
                    ));
                }
                Err(e) => return Err(CliError::file(path, e)),
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
                    Ok(_) => Err(CliError::Usage(format!("{}: is not a directory", dir.display()))),
                    Err(e) => Err(CliError::file(&dir, e)),
                }
            }
            Err(e) => Err(CliError::file(path, e)),
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
            assert!(Target::resolve(Path::new(bad)).is_err(), "{bad:?}");
        }
        assert!(matches!(Target::resolve(Path::new("-")), Ok(Target::Stdout)));
        assert!(matches!(
            Target::resolve(Path::new("/nonexistent-dir-of-dbss/x")),
            Err(CliError::File { .. })
        ));
    }
}
