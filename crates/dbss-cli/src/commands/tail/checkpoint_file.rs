//! The checkpoint file of `tail`: one resumable position per instance, replaced atomically.

use std::{
    collections::BTreeMap,
    io::{Read, Write},
    path::Path,
};

use dbss::follow::Checkpoint;
use serde::{Deserialize, Serialize};

use crate::{commands::audit::Kind, error::CliError};

/// A checkpoint file bigger than this is not one of ours.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What the file holds.
#[derive(Serialize, Deserialize, Debug)]
pub struct CheckpointFile {
    /// `sql` or `alarms`: a file is only ever resumed by the same kind of tail.
    kind: String,
    /// Position of each instance.
    instances: BTreeMap<String, Checkpoint>,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Sql => "sql",
        Kind::Alarms => "alarms",
    }
}

impl CheckpointFile {
    /// An empty file for `kind`.
    pub fn new(kind: Kind) -> CheckpointFile {
        CheckpointFile {
            kind: kind_name(kind).to_owned(),
            instances: BTreeMap::new(),
        }
    }

    /// The file at `path`, or an empty one when there is none yet.
    pub fn load(path: &Path, kind: Kind) -> Result<CheckpointFile, CliError> {
        remove_leftovers(path);
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CheckpointFile::new(kind)),
            Err(e) => return Err(CliError::file(path, e)),
        };
        let mut text = String::new();
        file.take(MAX_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| CliError::file(path, e))?;
        let loaded: CheckpointFile = serde_json::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: not a dbss checkpoint file: {e}", path.display())))?;
        if loaded.kind != kind_name(kind) {
            return Err(CliError::Usage(format!(
                "{}: holds positions of `dbss {} tail`, not of `dbss {} tail`",
                path.display(),
                loaded.kind,
                kind_name(kind)
            )));
        }
        Ok(loaded)
    }

    /// The saved position of `instance`.
    pub fn get(&self, instance: &str) -> Option<Checkpoint> {
        self.instances.get(instance).cloned()
    }

    /// Records `instance`'s new position.
    pub fn set(&mut self, instance: &str, checkpoint: Checkpoint) {
        self.instances.insert(instance.to_owned(), checkpoint);
    }

    /// Replaces the file at `path` atomically (see [`CheckpointFile::prepare`]).
    pub fn save(&self, path: &Path) -> Result<(), CliError> {
        self.prepare(path)?.commit()
    }

    /// Writes the new file beside `path` (created exclusively, synced) without putting it in
    /// place yet: the slow part of a save, done before the records it covers are written, so
    /// that only the rename of [`Prepared::commit`] is left between writing them and the
    /// checkpoint saying so. Anything but a regular file at `path` is refused.
    pub fn prepare(&self, path: &Path) -> Result<Prepared, CliError> {
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && !meta.file_type().is_file()
        {
            return Err(CliError::Usage(format!(
                "{}: exists and is not a regular file; refusing to replace it",
                path.display()
            )));
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(&temp_prefix(path))
            .tempfile_in(dir)
            .map_err(|e| CliError::file(dir, e))?;
        let text = serde_json::to_vec(self).map_err(|e| CliError::Io(std::io::Error::other(e)))?;
        temp.write_all(&text).map_err(|e| CliError::file(temp.path(), e))?;
        temp.as_file().sync_all().map_err(|e| CliError::file(temp.path(), e))?;
        Ok(Prepared {
            temp,
            path: path.to_owned(),
            dir: dir.to_owned(),
        })
    }
}

/// Names of the new files written beside `path`: `.NAME.dbss-tmp.` and a random suffix.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.dbss-tmp.")
}

/// Removes new files a killed process left beside `path` (never anything else: only regular
/// files with our prefix).
fn remove_leftovers(path: &Path) {
    let prefix = temp_prefix(path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let ours = entry.file_name().to_string_lossy().starts_with(&prefix);
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A checkpoint file written and synced, waiting to replace the current one.
pub struct Prepared {
    temp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
    dir: std::path::PathBuf,
}

impl Prepared {
    /// Puts the new file in place (an atomic rename).
    pub fn commit(self) -> Result<(), CliError> {
        let Prepared { temp, path, dir } = self;
        temp.persist(&path).map_err(|e| CliError::file(&path, e.error))?;
        // The rename itself survives a crash only once the directory is synced.
        if let Ok(dir) = std::fs::File::open(&dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_positions() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { return };
        let path = dir.path().join("cp.json");
        let mut file = CheckpointFile::load(&path, Kind::Sql).unwrap_or_else(|_| CheckpointFile::new(Kind::Sql));
        assert!(file.get("a").is_none());
        file.set("a", Checkpoint::at(100));
        assert!(file.save(&path).is_ok());
        let back = CheckpointFile::load(&path, Kind::Sql).ok().and_then(|f| f.get("a"));
        assert_eq!(back, Some(Checkpoint::at(100)));
        assert!(matches!(
            CheckpointFile::load(&path, Kind::Alarms),
            Err(CliError::Usage(_))
        ));
        // A prepared file never committed (the process was killed) is removed on the next load.
        let abandoned = file.prepare(&path).map(std::mem::forget);
        assert!(abandoned.is_ok());
        assert!(CheckpointFile::load(&path, Kind::Sql).is_ok());
        let leftovers = std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0);
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        let not_a_file = dir.path().join("sub");
        assert!(std::fs::create_dir(&not_a_file).is_ok());
        assert!(matches!(file.save(&not_a_file), Err(CliError::Usage(_))));
    }
}
