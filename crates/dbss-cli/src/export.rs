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
    sink: Sink,
    columns: &'static [&'static str],
    file: Option<(PathBuf, PathBuf)>,
}

/// The format-specific writer; both buffer.
enum Sink {
    Jsonl(BufWriter<Box<dyn Write>>),
    Csv(Box<csv::Writer<Box<dyn Write>>>),
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
        let sink = match format {
            ExportFormat::Jsonl => Sink::Jsonl(BufWriter::with_capacity(64 * 1024, out)),
            ExportFormat::Csv => Sink::Csv(Box::new(
                csv::WriterBuilder::new().buffer_capacity(64 * 1024).from_writer(out),
            )),
        };
        let mut writer = RecordWriter { sink, columns, file };
        // The header goes first, so even an export of nothing is a valid CSV file.
        if let Sink::Csv(csv) = &mut writer.sink {
            let result = csv.write_record(columns);
            result.map_err(|e| writer.error(e.into()))?;
        }
        Ok(writer)
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Value) -> Result<(), CliError> {
        let result = match &mut self.sink {
            Sink::Jsonl(out) => serde_json::to_writer(&mut *out, record)
                .map_err(std::io::Error::other)
                .and_then(|()| out.write_all(b"\n")),
            Sink::Csv(csv) => csv
                .write_record(self.columns.iter().map(|c| csv_cell(record.get(*c))))
                .map_err(std::io::Error::from),
        };
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
        let result = match &mut self.sink {
            Sink::Jsonl(out) => out.flush(),
            Sink::Csv(csv) => csv.flush(),
        };
        result.map_err(|e| self.error(e))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let dir = std::env::temp_dir().join(format!("dbss-export-quotes-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("out.csv");
        let mut writer = RecordWriter::create(Some(&path), ExportFormat::Csv, &["a", "b", "c", "d", "e"])
            .unwrap_or_else(|e| panic!("{e}"));
        let record = json!({"a": "plain", "b": "x, \"y\"\nz", "c": 3, "d": null, "e": ["n"]});
        writer.write(&record).unwrap_or_else(|e| panic!("{e}"));
        writer.finish().unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(text, "a,b,c,d,e\nplain,\"x, \"\"y\"\"\nz\",3,,\"[\"\"n\"\"]\"\n");
        let _ = std::fs::remove_dir_all(&dir);
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
