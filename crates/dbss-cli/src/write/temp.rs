//! Temporary files beside their target: a random name, created exclusively, never through a
//! symlink, removed when dropped and when the process is interrupted by a signal.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    sync::{Mutex, Once},
};

use tempfile::NamedTempFile;

/// Temporary files that exist now; a signal removes them before the process dies.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file that will become `target`, or be removed.
pub struct TempFile {
    file: NamedTempFile,
    live: Live,
}

/// A temporary file's entry in [`LIVE`], taken out when it is renamed or removed.
struct Live(PathBuf);

impl TempFile {
    /// Creates `.<name>.<random>.part` in `dir` with `O_CREAT|O_EXCL|O_NOFOLLOW` and permission
    /// bits `mode` (exactly: the umask does not apply when `exact`, else it does, as for any
    /// new file).
    pub fn create(dir: &Path, name: &str, mode: u32, exact: bool) -> std::io::Result<TempFile> {
        watch_signals();
        let prefix = format!(".{name}.");
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".part")
            .rand_bytes(12)
            .make_in(dir, |path| open_exclusive(path, mode))?;
        lock_live().push(file.path().to_owned());
        let temp = TempFile {
            live: Live(file.path().to_owned()),
            file,
        };
        if exact {
            set_mode(temp.file.as_file(), mode)?;
        }
        Ok(temp)
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The open file.
    pub fn file(&mut self) -> &mut File {
        self.file.as_file_mut()
    }

    /// Flushes to disk, then renames to `target` (atomically replacing it) and syncs the
    /// directory, so the new name survives a crash.
    pub fn commit(self, target: &Path) -> std::io::Result<()> {
        let TempFile { mut file, live } = self;
        file.as_file_mut().flush()?;
        file.as_file().sync_all()?;
        // Held across the rename: a signal now either sees the file still temporary (and
        // removes it) or already renamed.
        let mut entries = lock_live();
        let renamed = file.persist(target).map(drop).map_err(|e| e.error);
        if renamed.is_ok() {
            entries.retain(|p| p != &live.0);
        }
        drop(entries);
        // On failure the returned file was dropped above: removed, and `live` with it.
        drop(live);
        renamed?;
        if let Ok(dir) = File::open(super::target::directory_of(target)) {
            // Not every platform can sync a directory; the data itself is already synced.
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // `NamedTempFile` removes the file itself (unless it was renamed).
        lock_live().retain(|p| p != &self.0);
    }
}

fn lock_live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// On the first temporary file, starts a thread that, on SIGINT, SIGTERM or SIGHUP, removes
/// the temporary files and then lets the signal end the process as it would have (so the
/// shell sees the conventional status, 130 for ^C, 143 for SIGTERM).
#[cfg(unix)]
fn watch_signals() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new().name("dbss-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for path in lock_live().drain(..) {
                    let _ = std::fs::remove_file(path);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                // Only reached if the default action did not end the process.
                std::process::exit(128 + signal);
            }
        });
        if spawned.is_err() {
            eprintln!("warning: cannot watch for interruptions; an interrupted write may leave a .part file");
        }
    });
}

#[cfg(not(unix))]
fn watch_signals() {}
