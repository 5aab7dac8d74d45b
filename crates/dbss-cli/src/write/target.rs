//! What an output path names, decided before anything is created: `-` for stdout, else what
//! [`dbss::atomic_file::Target`] says.

use std::path::Path;

use dbss::atomic_file::TargetError;
pub use dbss::atomic_file::{Target, directory_of};

use crate::error::CliError;

/// What `path`, as given on the command line, names: `None` for stdout (`-`). A path that can
/// never be written is a usage error (exit 2).
pub fn resolve(path: &Path) -> Result<Option<Target>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    match Target::resolve(path) {
        Ok(target) => Ok(Some(target)),
        Err(TargetError::Refused(why)) => Err(CliError::Usage(why)),
        Err(TargetError::Io { path, source }) => Err(CliError::file(&path, source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_is_stdout_and_a_directory_a_usage_error() {
        assert!(matches!(resolve(Path::new("-")), Ok(None)));
        assert!(matches!(resolve(Path::new("out/")), Err(CliError::Usage(_))));
        assert!(matches!(
            resolve(Path::new("/nonexistent-dir-of-dbss/x")),
            Err(CliError::File { .. })
        ));
    }
}
