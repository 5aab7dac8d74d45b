//! Writing exported records as JSON lines or CSV, one record at a time, to a file (through
//! `FILE.part`, renamed when complete, so an interrupted export never looks finished) or stdout.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::{Path, PathBuf},
};

use serde_json::Value;

use crate::error::CliError;

/// Formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line (RFC 4180 quoting).
    Csv,
}

/// Where records go, and how.
pub struct RecordWriter {
    format: ExportFormat,
    columns: &'static [&'static str],
    out: BufWriter<Box<dyn Write>>,
    file: Option<(PathBuf, PathBuf)>,
    header_written: bool,
}

impl RecordWriter {
    /// A writer to `path` (stdout for `None` or `-`); `columns` are the CSV columns.
    pub fn create(
        path: Option<&Path>,
        format: ExportFormat,
        columns: &'static [&'static str],
    ) -> Result<Self, CliError> {
        let (out, file): (Box<dyn Write>, _) = match path.filter(|p| p.as_os_str() != "-") {
            Some(path) => {
                let partial = partial_path(path);
                let file = File::create(&partial).map_err(|e| CliError::file(&partial, e))?;
                (Box::new(file), Some((partial, path.to_owned())))
            }
            None => (Box::new(std::io::stdout()), None),
        };
        Ok(RecordWriter {
            format,
            columns,
            out: BufWriter::with_capacity(64 * 1024, out),
            file,
            header_written: false,
        })
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Value) -> Result<(), CliError> {
        let line = match self.format {
            ExportFormat::Jsonl => serde_json::to_string(record).map_err(|e| CliError::Io(std::io::Error::other(e)))?,
            ExportFormat::Csv => {
                if !self.header_written {
                    let header = csv_line(self.columns.iter().map(|c| (*c).to_owned()));
                    self.put(&header)?;
                    self.header_written = true;
                }
                csv_line(self.columns.iter().map(|c| csv_cell(record.get(*c))))
            }
        };
        self.put(&line)
    }

    fn put(&mut self, line: &str) -> Result<(), CliError> {
        let result = self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"));
        result.map_err(|e| self.error(e))
    }

    fn error(&self, e: std::io::Error) -> CliError {
        match &self.file {
            Some((partial, _)) => CliError::file(partial, e),
            None => CliError::Io(e),
        }
    }

    /// Flushes, and gives the file its final name.
    pub fn finish(mut self) -> Result<(), CliError> {
        if self.format == ExportFormat::Csv && !self.header_written {
            let header = csv_line(self.columns.iter().map(|c| (*c).to_owned()));
            self.put(&header)?;
        }
        self.out.flush().map_err(|e| self.error(e))?;
        if let Some((partial, path)) = &self.file {
            std::fs::rename(partial, path).map_err(|e| CliError::file(path, e))?;
        }
        Ok(())
    }

    /// Removes the partial file of a failed export.
    pub fn abandon(self) {
        if let Some((partial, _)) = &self.file {
            let _ = std::fs::remove_file(partial);
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

fn csv_cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// One CSV line: fields with commas, quotes or line breaks are quoted, quotes doubled.
fn csv_line(cells: impl Iterator<Item = String>) -> String {
    cells
        .map(|cell| {
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let record = json!({"a": "plain", "b": "x, \"y\"\nz", "c": 3, "d": null, "e": ["n"]});
        let line = csv_line(["a", "b", "c", "d", "e"].iter().map(|c| csv_cell(record.get(*c))));
        assert_eq!(line, "plain,\"x, \"\"y\"\"\nz\",3,,\"[\"\"n\"\"]\"");
    }

    #[test]
    fn a_file_appears_only_when_finished() {
        let dir = std::env::temp_dir().join(format!("dbss-export-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("out.csv");
        let mut writer =
            RecordWriter::create(Some(&path), ExportFormat::Csv, &["id", "v"]).unwrap_or_else(|e| panic!("{e}"));
        writer
            .write(&json!({"id": "1", "v": "a"}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!path.exists());
        writer.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), "id,v\n1,a\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
