//! A temporary file beside its target: a random name, created exclusively and never through a
//! symlink, removed when dropped, renamed over the target when complete.

use std::{fs::File, io::Write, path::Path};

use tempfile::NamedTempFile;

use super::directory_of;

/// Random characters in a temporary file's name.
const RANDOM_CHARS: usize = 12;

/// A temporary file that will become its target, or be removed (when dropped uncommitted).
#[derive(Debug)]
pub struct TempFile {
    file: NamedTempFile,
}

impl TempFile {
    /// Creates `.<name>.<random>.part` in `dir` with `O_CREAT|O_EXCL|O_NOFOLLOW` and permission
    /// bits `mode`: exactly `mode` when `exact` (the umask does not apply; 0600 for a secret),
    /// else `mode` less the umask, as for any new file.
    pub fn create(dir: &Path, name: &str, mode: u32, exact: bool) -> std::io::Result<TempFile> {
        let prefix = format!(".{name}.");
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".part")
            .rand_bytes(RANDOM_CHARS)
            .make_in(dir, |path| open_exclusive(path, mode))?;
        if exact {
            set_mode(file.as_file(), mode)?;
        }
        Ok(TempFile { file })
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
        self.file.path()
    }

    /// The open file.
    pub fn file(&mut self) -> &mut File {
        self.file.as_file_mut()
    }

    /// Flushes what was written and syncs it to disk.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.as_file_mut().flush()?;
        self.file.as_file().sync_all()
    }

    /// Syncs, then renames over `target` (atomically replacing it) and syncs the directory, so
    /// the new name survives a crash. On failure the temporary file is removed.
    pub fn commit(mut self, target: &Path) -> std::io::Result<()> {
        self.sync()?;
        self.file.persist(target).map_err(|e| e.error)?;
        if let Ok(dir) = File::open(directory_of(target)) {
            // Not every platform can sync a directory; the data itself is already synced.
            let _ = dir.sync_all();
        }
        Ok(())
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
}
