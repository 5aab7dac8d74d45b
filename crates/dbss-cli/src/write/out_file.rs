//! An output opened by the rules of [`crate::write`]: stdout, a special file written in place,
//! or a regular file replaced through a temporary file.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
};

use super::{
    target::{self, Target, directory_of},
    temp::TempFile,
};
use crate::error::CliError;

/// Where output bytes go; [`OutFile::finish`] completes it, dropping it abandons it (a
/// temporary file is removed, the target is left as it was).
pub struct OutFile {
    sink: Sink,
    /// The path as the user gave it, for messages.
    shown: PathBuf,
}

enum Sink {
    Stdout(std::io::Stdout),
    /// A device, FIFO or socket, written in place.
    Direct(File),
    /// A regular file's replacement, renamed over `target` when finished.
    Replace {
        temp: TempFile,
        target: PathBuf,
    },
}

impl OutFile {
    /// Opens `path` (`-` for stdout). Refuses a directory or a dangling symlink before
    /// creating anything.
    pub fn open(path: &Path) -> Result<OutFile, CliError> {
        let sink = match target::resolve(path)? {
            None => Sink::Stdout(std::io::stdout()),
            Some(Target::Special { path: node, socket }) => {
                Sink::Direct(dbss::atomic_file::open_special(&node, socket).map_err(|e| CliError::file(path, e))?)
            }
            Some(Target::File { path: target, mode }) => {
                let dir = directory_of(&target);
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // A replaced file keeps its permissions; a new one gets what any new file gets.
                let temp = match mode {
                    Some(mode) => TempFile::create(&dir, &name, mode, true),
                    None => TempFile::create(&dir, &name, 0o666, false),
                }
                .map_err(|e| CliError::file(&dir, e))?;
                Sink::Replace { temp, target }
            }
        };
        Ok(OutFile {
            sink,
            shown: path.to_owned(),
        })
    }

    /// Whether this is stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self.sink, Sink::Stdout(_))
    }

    /// The path the user named (for messages).
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// An error about this output.
    pub fn error(&self, e: std::io::Error) -> CliError {
        match self.sink {
            Sink::Stdout(_) => CliError::Io(e),
            _ => CliError::file(&self.shown, e),
        }
    }

    /// Flushes and, for a regular file, syncs and renames the temporary file over the target.
    pub fn finish(mut self) -> Result<(), CliError> {
        self.flush().map_err(|e| self.error(e))?;
        match self.sink {
            Sink::Stdout(_) | Sink::Direct(_) => Ok(()),
            Sink::Replace { temp, target } => temp.commit(&target).map_err(|e| CliError::file(&self.shown, e)),
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(out) => out.write(buf),
            Sink::Direct(file) => file.write(buf),
            Sink::Replace { temp, .. } => temp.file().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Direct(file) => file.flush(),
            Sink::Replace { temp, .. } => temp.file().flush(),
        }
    }
}
