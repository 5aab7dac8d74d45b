//! `--debug` and `DBSS_LOG`: the client's tracing events on stderr. Each request attempt
//! ends with one event carrying its method, URL, status, duration, request id and whether
//! it is retried; the client never puts a secret in them.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter when `--debug` is given without `DBSS_LOG` or `RUST_LOG`: every event of the
/// dbss crates (`dbss`, `dbss_api`, `dbss_cli`), none of the HTTP stack's.
const DEBUG_FILTER: &str = "dbss=debug";

/// Starts logging when asked: `--debug`, or `DBSS_LOG` set (an `EnvFilter` such as
/// `debug`, `dbss=trace` or `info`). `RUST_LOG` is read only with `--debug`: it is often set
/// for other programs, and should not make `dbss` talkative on its own.
pub fn init(debug: bool) {
    let from = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let directives = match from("DBSS_LOG") {
        Some(directives) => directives,
        None if debug => from("RUST_LOG").unwrap_or_else(|| DEBUG_FILTER.to_owned()),
        None => return,
    };
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|e| {
        eprintln!("warning: ignoring the log filter {directives:?} ({e}); using {DEBUG_FILTER}");
        EnvFilter::new(DEBUG_FILTER)
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
