//! Spinners and progress bars on stderr, drawn only when stderr is a terminal: scripts and
//! logs get silence, not control characters.

use std::{io::IsTerminal, time::Duration};

use indicatif::{ProgressBar, ProgressStyle};

/// Whether a person is watching stderr.
pub fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

/// A style from `template`, with `{rate}`: items per second without decimals.
fn style(template: &str) -> Option<ProgressStyle> {
    let style = ProgressStyle::with_template(template).ok()?;
    Some(style.with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        },
    ))
}

fn bar(length: Option<u64>, template: &str) -> ProgressBar {
    if !interactive() {
        return ProgressBar::hidden();
    }
    let bar = match length {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::no_length(),
    };
    // The templates are constants; a bad one would only lose the styling, never the work.
    if let Some(style) = style(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner showing `message` while something is awaited.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let spinner = bar(None, "{spinner} {msg} ({elapsed})");
    spinner.set_message(message.into());
    spinner
}

/// A record counter: count and rate, with a bar and ETA once the total is known
/// (see [`records_total`]).
pub fn records() -> ProgressBar {
    bar(None, "{spinner} {human_pos} records ({rate})")
}

/// Switches a record counter to a bar with an ETA, now that the total is known.
pub fn records_total(bar: &ProgressBar, total: u64) {
    if bar.is_hidden() {
        return;
    }
    bar.set_length(total);
    if let Some(style) = style("{bar:30} {human_pos}/{human_len} records ({rate}, ETA {eta})") {
        bar.set_style(style);
    }
}

/// A download counter in bytes (the services do not announce sizes).
pub fn bytes(what: impl Into<String>) -> ProgressBar {
    let bar = bar(None, "{spinner} {msg}: {bytes} ({bytes_per_sec})");
    bar.set_message(what.into());
    bar
}
