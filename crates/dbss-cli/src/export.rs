//! Writing exported records as JSON lines or CSV, one record at a time, to stdout or a file
//! (by the rules of [`crate::write`]: an interrupted export never takes the file's name).

use std::{
    io::{BufWriter, Write},
    path::Path,
};

use serde_json::Value;

use crate::{error::CliError, write::OutFile};

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
}

/// The format-specific writer; both buffer.
enum Sink {
    Jsonl(BufWriter<OutFile>),
    Csv(Box<csv::Writer<OutFile>>),
}

impl RecordWriter {
    /// A writer to `path` (stdout for `None` or `-`); `columns` are the CSV columns.
    pub fn create(
        path: Option<&Path>,
        format: ExportFormat,
        columns: &'static [&'static str],
    ) -> Result<Self, CliError> {
        let out = OutFile::open(path.unwrap_or(Path::new("-")))?;
        let sink = match format {
            ExportFormat::Jsonl => Sink::Jsonl(BufWriter::with_capacity(64 * 1024, out)),
            ExportFormat::Csv => Sink::Csv(Box::new(
                csv::WriterBuilder::new().buffer_capacity(64 * 1024).from_writer(out),
            )),
        };
        let mut writer = RecordWriter { sink, columns };
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
        match &self.sink {
            Sink::Jsonl(out) => out.get_ref().error(e),
            Sink::Csv(csv) => csv.get_ref().error(e),
        }
    }

    /// Flushes, and gives a file its final name.
    pub fn finish(mut self) -> Result<(), CliError> {
        let result = match &mut self.sink {
            Sink::Jsonl(out) => out.flush(),
            Sink::Csv(csv) => csv.flush(),
        };
        result.map_err(|e| self.error(e))?;
        let out = match self.sink {
            Sink::Jsonl(out) => out.into_parts().0,
            Sink::Csv(csv) => csv
                .into_inner()
                .map_err(|e| CliError::Io(std::io::Error::new(e.error().kind(), e.error().to_string())))?,
        };
        out.finish()
    }
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
