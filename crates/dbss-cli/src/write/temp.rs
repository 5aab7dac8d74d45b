//! Temporary files beside their target ([`dbss::atomic_file::TempFile`]: a random name,
//! created exclusively, never through a symlink, removed when dropped), also removed when the
//! process is interrupted by a signal — the part only a program, not a library, may do.

use std::{
    fs::File,
    path::{Path, PathBuf},
    sync::{Mutex, Once},
};

use dbss::atomic_file;

/// Temporary files that exist now; a signal removes them before the process dies.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file that will become `target`, or be removed.
pub struct TempFile {
    inner: atomic_file::TempFile,
    live: Live,
}

/// A temporary file's entry in [`LIVE`], taken out when it is renamed or removed.
struct Live(PathBuf);

impl TempFile {
    /// Creates `.<name>.<random>.part` in `dir` (see [`atomic_file::TempFile::create`]) and
    /// has it removed on SIGINT, SIGTERM and SIGHUP.
    pub fn create(dir: &Path, name: &str, mode: u32, exact: bool) -> std::io::Result<TempFile> {
        watch_signals();
        let inner = atomic_file::TempFile::create(dir, name, mode, exact)?;
        lock_live().push(inner.path().to_owned());
        Ok(TempFile {
            live: Live(inner.path().to_owned()),
            inner,
        })
    }

    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        self.inner.path()
    }

    /// The open file.
    pub fn file(&mut self) -> &mut File {
        self.inner.file()
    }

    /// Syncs, then renames to `target` (see [`atomic_file::TempFile::commit`]).
    pub fn commit(self, target: &Path) -> std::io::Result<()> {
        let TempFile { mut inner, live } = self;
        inner.sync()?;
        // Held across the rename: a signal now either sees the file still temporary (and
        // removes it) or already renamed.
        let mut entries = lock_live();
        let renamed = inner.commit(target);
        if renamed.is_ok() {
            entries.retain(|p| p != &live.0);
        }
        drop(entries);
        // On failure the temporary file was removed by the commit; its entry goes with `live`.
        drop(live);
        renamed
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
