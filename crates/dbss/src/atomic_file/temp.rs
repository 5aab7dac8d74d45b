//! A temporary file beside its target: a random name, created exclusively and never through a
//! symlink, removed when dropped, renamed over the target when complete.
//!
//! The exclusive open is the part that matters for safety and is done here with the flags
//! spelled out; what is left (a random name, another try on a clash, removal on drop, a rename)
//! is a few lines of std, so this does not use the `tempfile` crate, whose platform layer
//! (rustix) was a tenth of a consumer's extra build time.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
};

use super::directory_of;

/// Random characters in a temporary file's name.
const RANDOM_CHARS: usize = 12;

/// Names tried before giving up: with 62^12 names a clash is already the mark of something
/// odd (a directory full of our names), not of bad luck.
const ATTEMPTS: usize = 16;

/// A temporary file that will become its target, or be removed (when dropped uncommitted).
#[derive(Debug)]
pub struct TempFile {
    file: File,
    path: PathBuf,
    /// Set once renamed over the target: nothing left to remove.
    committed: bool,
}

impl TempFile {
    /// Creates `.<name>.<random>.part` in `dir` with `O_CREAT|O_EXCL|O_NOFOLLOW` and permission
    /// bits `mode`: exactly `mode` when `exact` (the umask does not apply; 0600 for a secret),
    /// else `mode` less the umask, as for any new file.
    pub fn create(dir: &Path, name: &str, mode: u32, exact: bool) -> std::io::Result<TempFile> {
        let mut last_clash = None;
        for _ in 0..ATTEMPTS {
            let random: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(RANDOM_CHARS)
                .collect();
            let path = dir.join(format!(".{name}.{random}.part"));
            match open_exclusive(&path, mode) {
                Ok(file) => {
                    let temp = TempFile {
                        file,
                        path,
                        committed: false,
                    };
                    if exact {
                        set_mode(&temp.file, mode)?;
                    }
                    return Ok(temp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_clash = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_clash.unwrap_or_else(|| std::io::Error::other("no temporary file name was free")))
    }

    /// [`TempFile::create`] in the directory of `target`, named after it.
    pub fn beside(target: &Path, mode: u32, exact: bool) -> std::io::Result<TempFile> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        TempFile::create(&directory_of(target), &name, mode, exact)
    }

    /// Whether `candidate` (a file name) is one a [`TempFile`] for a target named `name` gets:
    /// what a killed process may have left behind.
    pub fn is_name_for(name: &str, candidate: &str) -> bool {
        candidate
            .strip_prefix(&format!(".{name}."))
            .and_then(|rest| rest.strip_suffix(".part"))
            .is_some_and(|random| random.len() == RANDOM_CHARS && random.chars().all(|c| c.is_ascii_alphanumeric()))
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes what was written and syncs it to disk.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        self.file.sync_all()
    }

    /// Syncs, then renames over `target` (atomically replacing it) and syncs the directory, so
    /// the new name survives a crash. On failure the temporary file is removed (on drop).
    pub fn commit(mut self, target: &Path) -> std::io::Result<()> {
        self.sync()?;
        std::fs::rename(&self.path, target)?;
        self.committed = true;
        if let Ok(dir) = File::open(directory_of(target)) {
            // Not every platform can sync a directory; the data itself is already synced.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a file that cannot be removed (its directory gone or read-only) is
            // one of the names `is_name_for` recognises, for a later clean-up.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn open_exclusive(path: &Path, mode: u32) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(not(unix))]
fn open_exclusive(path: &Path, _mode: u32) -> std::io::Result<File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_file_is_renamed_when_committed_and_removed_when_dropped() {
        let dir = std::env::temp_dir().join(format!("dbss-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let target = dir.join("out.txt");
        let mut temp = TempFile::beside(&target, 0o600, true).unwrap_or_else(|e| panic!("{e}"));
        let name = temp.path().file_name().map(|n| n.to_string_lossy().into_owned());
        assert!(
            TempFile::is_name_for("out.txt", name.as_deref().unwrap_or_default()),
            "{name:?}"
        );
        temp.file().write_all(b"done").unwrap_or_else(|e| panic!("{e}"));
        temp.commit(&target).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&target).ok().as_deref(), Some(&b"done"[..]));

        let abandoned = TempFile::beside(&target, 0o666, false).unwrap_or_else(|e| panic!("{e}"));
        let path = abandoned.path().to_owned();
        drop(abandoned);
        assert!(!path.exists());
        let names: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names, ["out.txt"]);
        for other in [
            "out.txt.part",
            ".out.txt.part",
            ".out.txt.abc.part",
            ".other.abcdefghijkl.part",
        ] {
            assert!(!TempFile::is_name_for("out.txt", other), "{other}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_directory_is_an_error_and_a_failed_rename_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("dbss-atomic-fail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let missing = TempFile::create(&dir.join("absent"), "out.txt", 0o600, true);
        assert_eq!(
            missing.map(|_| ()).map_err(|e| e.kind()),
            Err(std::io::ErrorKind::NotFound)
        );

        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let mut temp = TempFile::create(&dir, "out.txt", 0o600, true).unwrap_or_else(|e| panic!("{e}"));
        temp.file().write_all(b"half").unwrap_or_else(|e| panic!("{e}"));
        // A target whose directory does not exist: the rename fails, the temporary file goes.
        assert!(temp.commit(&dir.join("absent").join("out.txt")).is_err());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
