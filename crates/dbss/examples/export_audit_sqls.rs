//! Export the last hour of audited SQL statements of an instance as JSON lines, streaming:
//! memory stays flat whatever the number of records.
//!
//! ```sh
//! cargo run -p dbss --example export_audit_sqls -- [<instance-id> [hour|day|week|month]] > sqls.jsonl
//! ```

#[path = "support/mod.rs"]
mod support;

use std::io::Write;

use dbss::resources::TimeRange;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let instance = support::instance_argument(&client).await?;
    let range = match std::env::args().nth(2).as_deref() {
        None | Some("hour") => TimeRange::Hour,
        Some("day") => TimeRange::Day,
        Some("week") => TimeRange::Week,
        Some("month") => TimeRange::Month,
        Some(other) => {
            return Err(dbss::Error::Config(format!(
                "unknown range {other}: hour, day, week or month"
            )));
        }
    };
    let mut records = std::pin::pin!(client.audit_logs(&instance).sqls(range, 1000)?);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0u64;
    while let Some(record) = records.try_next().await? {
        let line = serde_json::to_string(&record).map_err(|e| dbss::Error::Io(e.to_string()))?;
        writeln!(out, "{line}").map_err(|e| dbss::Error::Io(e.to_string()))?;
        count += 1;
    }
    out.flush().map_err(|e| dbss::Error::Io(e.to_string()))?;
    eprintln!("{count} records exported");
    Ok(())
}
