//! Rendering results on stdout: JSON, YAML, JSON lines, tab-separated text for scripts, or an
//! aligned table for people, after `--query` (JMESPath, see [`crate::query`]) picks from them.
//! Lists are streamed where the format allows: JSON, JSON lines and text print each item as it
//! arrives (constant memory with `--all`); tables and YAML need every row first to lay them out.

mod cells;
mod table;
mod text;

use std::io::Write;

use futures::{Stream, TryStreamExt};
use serde_json::Value;

use crate::{error::CliError, query::Query};

/// Output formats of `--output` (case-insensitive; `DBSS_OUTPUT` sets the default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON (a list is an array).
    Json,
    /// YAML.
    Yaml,
    /// An aligned table of the listed items (or of the fields of a single object).
    Table,
    /// One compact JSON document per line (one per item of a list).
    Jsonl,
    /// Tab-separated fields, one record per line, no header (for `while read`).
    Text,
}

/// How results are printed.
#[derive(Clone, Debug)]
pub struct Printer {
    /// The format.
    pub format: Format,
    /// `--query`.
    pub query: Option<Query>,
    /// The width tables are fitted to (the terminal's); `None` keeps whole values (`--wide`,
    /// or stdout is not a terminal).
    pub width: Option<usize>,
    /// Whether stdout is a terminal (then an empty table says so on stdout, else on stderr).
    pub terminal: bool,
    /// What a list holds, for the line an empty table shows ("no whitelists").
    pub things: Option<String>,
}

impl Printer {
    /// A printer of `format` with no query, whole values and no noun.
    pub fn new(format: Format) -> Printer {
        Printer {
            format,
            query: None,
            width: None,
            terminal: false,
            things: None,
        }
    }

    /// This printer, for a list of `things` ("whitelists").
    pub fn listing(mut self, things: Option<&str>) -> Printer {
        self.things = things.map(str::to_owned);
        self
    }

    /// Prints one result object; `--query` applies to the object itself.
    pub fn object(&self, value: &Value) -> Result<(), CliError> {
        match &self.query {
            Some(query) => {
                let result = query.apply(value)?;
                if result.is_null() {
                    note_nothing_matched(query, value);
                }
                self.value(&result, query.hash_keys().as_deref())
            }
            None => self.value(value, None),
        }
    }

    /// Prints a list as it arrives; `--query` applies to the list as a whole. `columns` are
    /// the table's (and text's) columns without a query (empty: every field). The number of
    /// items read.
    pub async fn list<S>(&self, items: S, columns: &[&str]) -> Result<u64, CliError>
    where
        S: Stream<Item = Result<Value, CliError>>,
    {
        let mut items = std::pin::pin!(items);
        let mut read = 0u64;
        let Some(query) = &self.query else {
            let defaults: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
            let mut sink = Sink::new(self, (!defaults.is_empty()).then_some(defaults));
            while let Some(item) = items.try_next().await? {
                sink.push(item)?;
            }
            // Without a query every item read is printed.
            return sink.finish();
        };
        let mut sink = Sink::new(self, query.hash_keys());
        if query.is_element_wise() {
            let mut first = None;
            while let Some(item) = items.try_next().await? {
                for value in query.apply_to_item(&item)? {
                    sink.push(value)?;
                }
                read += 1;
                first.get_or_insert(item);
            }
            if let Some(first) = first.filter(|_| sink.count == 0) {
                note_nothing_matched(query, &first);
            }
            sink.finish()?;
            return Ok(read);
        }
        // Anything else (`length(@)`, `sort_by(...)`, `[0]`) needs the whole list.
        let all: Vec<Value> = items.try_collect().await?;
        read = all.len() as u64;
        let all = Value::Array(all);
        let result = query.apply(&all)?;
        if read > 0 && (result.is_null() || result.as_array().is_some_and(Vec::is_empty)) {
            note_nothing_matched(query, &all[0]);
        }
        match result {
            Value::Array(values) => {
                for value in values {
                    sink.push(value)?;
                }
                sink.finish()?;
            }
            other => self.value(&other, query.hash_keys().as_deref())?,
        }
        Ok(read)
    }

    /// Prints a value that is not streamed: an object, or a list already in memory.
    fn value(&self, value: &Value, columns: Option<&[String]>) -> Result<(), CliError> {
        match (self.format, value) {
            (Format::Json, _) => write_stdout(&json_text(value, true)),
            (Format::Jsonl, _) => write_stdout(&json_text(value, false)),
            (Format::Yaml, _) => write_stdout(&yaml_text(value)),
            (Format::Table, Value::Object(map)) => write_stdout(&table::object(map, self.width)),
            (Format::Table, Value::Array(rows)) => self.rows(rows, columns),
            (Format::Table, other) => write_stdout(&cells::cell(other, cells::Null::Blank)),
            (Format::Text, Value::Array(records)) => {
                let mut out = std::io::stdout().lock();
                for record in records {
                    writeln!(out, "{}", text::record(record, columns))?;
                }
                out.flush()?;
                Ok(())
            }
            (Format::Text, other) => write_stdout(&text::record(other, columns)),
        }
    }

    /// A table of `rows`; an empty one shows its header (when the columns are known) and
    /// "no <things>".
    fn rows(&self, rows: &[Value], columns: Option<&[String]>) -> Result<(), CliError> {
        if !rows.is_empty() {
            return write_stdout(&table::list(rows, columns, self.width));
        }
        if let Some(columns) = columns.filter(|c| !c.is_empty()) {
            write_stdout(&table::header(columns))?;
        }
        let none = format!("no {}", self.things.as_deref().unwrap_or("items"));
        if self.terminal {
            write_stdout(&none)
        } else {
            eprintln!("{none}");
            Ok(())
        }
    }
}

/// Where the items of a list go: straight to stdout, or kept for a table or YAML.
struct Sink<'p> {
    printer: &'p Printer,
    columns: Option<Vec<String>>,
    count: u64,
    kept: Vec<Value>,
}

impl<'p> Sink<'p> {
    fn new(printer: &'p Printer, columns: Option<Vec<String>>) -> Sink<'p> {
        Sink {
            printer,
            columns,
            count: 0,
            kept: Vec::new(),
        }
    }

    fn push(&mut self, value: Value) -> Result<(), CliError> {
        let line = match self.printer.format {
            Format::Json if self.count == 0 => format!("[\n{}", indent(&json_text(&value, true))),
            Format::Json => format!(",\n{}", indent(&json_text(&value, true))),
            Format::Jsonl => format!("{}\n", json_text(&value, false)),
            Format::Text => format!("{}\n", text::record(&value, self.columns.as_deref())),
            Format::Table | Format::Yaml => {
                self.kept.push(value);
                self.count += 1;
                return Ok(());
            }
        };
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.flush()?;
        self.count += 1;
        Ok(())
    }

    /// Ends the list; the number of values printed.
    fn finish(self) -> Result<u64, CliError> {
        match self.printer.format {
            Format::Json => write_stdout(if self.count == 0 { "[]" } else { "\n]" })?,
            Format::Table => self.printer.rows(&self.kept, self.columns.as_deref())?,
            Format::Yaml => write_stdout(&yaml_text(&self.kept))?,
            Format::Jsonl | Format::Text => {}
        }
        Ok(self.count)
    }
}

/// Says on stderr that `--query` found nothing in a non-empty result, naming the fields there
/// are: a misspelt field is not an error in JMESPath, just null.
fn note_nothing_matched(query: &Query, sample: &Value) {
    let fields = match sample {
        Value::Object(map) if !map.is_empty() => {
            let names: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
            let more = if map.len() > names.len() { ", ..." } else { "" };
            format!("; the fields there are: {}{more}", names.join(", "))
        }
        _ => String::new(),
    };
    eprintln!("note: --query '{}' matched nothing{fields}", query.as_str());
}

/// Writes `text` and a newline to stdout.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn json_text<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.unwrap_or_else(|e| format!("\"(cannot render: {e})\""))
}

fn yaml_text<T: serde::Serialize>(value: &T) -> String {
    match serde_yaml::to_string(value) {
        Ok(text) => text.trim_end().to_owned(),
        Err(e) => format!("# cannot render: {e}"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
