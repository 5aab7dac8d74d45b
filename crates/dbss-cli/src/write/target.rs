//! What an output path names, decided before anything is created: `-` for stdout, else what
//! [`dbss::atomic_file::Target`] says.

use std::path::{Path, PathBuf};

use dbss::atomic_file::{self, TargetError};
pub use dbss::atomic_file::directory_of;

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
    /// Resolves `path` as given on the command line; a path that can never be written is a
    /// usage error (exit 2).
    pub fn resolve(path: &Path) -> Result<Target, CliError> {
        if path.as_os_str() == "-" {
            return Ok(Target::Stdout);
        }
        match atomic_file::Target::resolve(path) {
            Ok(atomic_file::Target::Special { path, socket }) => Ok(Target::Special { path, socket }),
            Ok(atomic_file::Target::File { path, mode }) => Ok(Target::File { path, mode }),
            Err(TargetError::Refused(why)) => Err(CliError::Usage(why)),
            Err(TargetError::Io { path, source }) => Err(CliError::file(&path, source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_is_stdout_and_a_directory_a_usage_error() {
        assert!(matches!(Target::resolve(Path::new("-")), Ok(Target::Stdout)));
        assert!(matches!(Target::resolve(Path::new("out/")), Err(CliError::Usage(_))));
        assert!(matches!(
            Target::resolve(Path::new("/nonexistent-dir-of-dbss/x")),
            Err(CliError::File { .. })
        ));
    }
}
