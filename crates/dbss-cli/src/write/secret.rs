//! Files that hold a secret (the credentials file): mode 0600 whatever existed before, in a
//! directory created 0700, never through a planted temporary file.

use std::{io::Write, path::Path};

use super::{
    target::{self, Target, directory_of},
    temp::TempFile,
};
use crate::error::CliError;

/// Replaces `path` with `contents`: a random temporary name beside it, created with
/// `O_CREAT|O_EXCL|O_NOFOLLOW` and mode 0600, synced, renamed. A symlink at `path` is followed
/// (the file it points at is replaced); a device, FIFO, socket or directory is refused.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    let dir = directory_of(path);
    if !dir.exists() {
        create_private_dir(&dir).map_err(|e| CliError::file(&dir, e))?;
    }
    let target = match target::resolve(path)? {
        Some(Target::File { path, .. }) => path,
        None | Some(Target::Special { .. }) => {
            return Err(CliError::Usage(format!(
                "{}: not a regular file; a secret is only written to a regular file",
                path.display()
            )));
        }
    };
    let dir = directory_of(&target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = TempFile::create(&dir, &name, 0o600, true).map_err(|e| CliError::file(&dir, e))?;
    let shown = temp.path().to_owned();
    temp.file().write_all(contents).map_err(|e| CliError::file(&shown, e))?;
    temp.commit(&target).map_err(|e| CliError::file(path, e))
}

/// Creates `dir` and its missing parents readable by their owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // The umask may have taken bits away, never added; make the leaf exactly 0700.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn a_secret_is_0600_in_a_0700_directory_even_over_a_0644_file() {
        let base = std::env::temp_dir().join(format!("dbss-secret-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let path = base.join("new").join("credentials");
        write_secret(&path, b"sk = 1\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&base.join("new")), 0o700);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        write_secret(&path, b"sk = 2\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), "sk = 2\n");
        let leftovers = std::fs::read_dir(base.join("new")).map(Iterator::count).unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(&base);
    }
}
