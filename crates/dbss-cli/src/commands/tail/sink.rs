//! Where `tail` writes records: stdout or a file it appends to, in one of three formats.

use std::{fs::File, io::Write, path::Path};

use serde_json::Value;

use super::TailFormat;
use crate::{
    commands::audit::{ALARM_CSV, Kind, SQL_CSV},
    error::CliError,
    ocsf,
};

/// The output of `tail`: records are rendered into a buffer and written out together by
/// [`Sink::flush`], so a batch leaves the process in as few writes as possible.
pub struct Sink {
    out: Box<dyn Write>,
    buffer: Vec<u8>,
    /// The file, to sync it before a checkpoint is saved.
    file: Option<File>,
    format: TailFormat,
    kind: Kind,
    /// Add the instance id to each record (several instances are followed).
    tag_instance: bool,
}

impl Sink {
    /// Stdout, or `path` opened for appending (a CSV header is written when it is empty).
    pub fn open(path: Option<&Path>, format: TailFormat, kind: Kind, tag_instance: bool) -> Result<Sink, CliError> {
        let (out, file, empty): (Box<dyn Write>, Option<File>, bool) = match path.filter(|p| p.as_os_str() != "-") {
            None => (Box::new(std::io::stdout()), None, true),
            Some(path) => {
                let file = File::options()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| CliError::file(path, e))?;
                let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(true);
                let writer = file.try_clone().map_err(|e| CliError::file(path, e))?;
                (Box::new(writer), Some(file), empty)
            }
        };
        let mut sink = Sink {
            out,
            buffer: Vec::with_capacity(256 * 1024),
            file,
            format,
            kind,
            tag_instance,
        };
        if format == TailFormat::Csv && empty {
            let mut header: Vec<&str> = sink.columns().to_vec();
            if tag_instance {
                header.insert(0, "instance_id");
            }
            sink.csv_line(header.iter().map(|s| (*s).to_owned()))?;
        }
        Ok(sink)
    }

    fn columns(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Sql => SQL_CSV,
            Kind::Alarms => ALARM_CSV,
        }
    }

    fn csv_line(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), CliError> {
        let mut line = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        line.write_record(cells)
            .map_err(|e| CliError::Io(std::io::Error::other(e)))?;
        let bytes = line
            .into_inner()
            .map_err(|e| CliError::Io(std::io::Error::other(e.to_string())))?;
        self.buffer.extend_from_slice(&bytes);
        Ok(())
    }

    /// Writes one record of `instance`.
    pub fn write(&mut self, instance: &str, record: &Value) -> Result<(), CliError> {
        match self.format {
            TailFormat::Jsonl => {
                let mut record = record.clone();
                if let (true, Some(map)) = (self.tag_instance, record.as_object_mut()) {
                    map.insert("instance_id".into(), Value::String(instance.to_owned()));
                }
                serde_json::to_writer(&mut self.buffer, &record).map_err(|e| CliError::Io(std::io::Error::other(e)))?;
                self.buffer.push(b'\n');
            }
            TailFormat::Ocsf => {
                let event = ocsf::event(self.kind, instance, record);
                serde_json::to_writer(&mut self.buffer, &event).map_err(|e| CliError::Io(std::io::Error::other(e)))?;
                self.buffer.push(b'\n');
            }
            TailFormat::Csv => {
                let mut cells: Vec<String> = self
                    .columns()
                    .iter()
                    .map(|column| match record.get(column) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                    })
                    .collect();
                if self.tag_instance {
                    cells.insert(0, instance.to_owned());
                }
                self.csv_line(cells)?;
            }
        }
        Ok(())
    }

    /// Pushes everything written so far out of the process, and to disk for a file.
    /// (A file is synced so that a checkpoint saved next never covers records a power loss
    /// could still take away.)
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()?;
        if let Some(file) = &self.file {
            file.sync_data()?;
        }
        Ok(())
    }
}
